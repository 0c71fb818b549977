"""`python -m bot serve` (development server) and `python -m bot feedback --worst N`."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from shared_state.env import SettingError

from .config import get_settings
from .rasa_client import clean_message


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the gateway (use gunicorn in production)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    fb = sub.add_parser("feedback", help="review rated answers")
    fb.add_argument("--worst", type=int, default=20, metavar="N",
                    help="the N answers to review: partial answers first, then the most thumbs-down")
    fb.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .app import create_app

        create_app(settings).run(host=args.host or settings.host, port=args.port or settings.port,
                                 threaded=True)
        return 0
    from .feedback_store import FeedbackStore

    rows = FeedbackStore(settings.feedback_address).worst(args.worst)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No answer has been rated down yet.")
        return 0
    for i, row in enumerate(rows, 1):
        tier = "  [partial: the documents answered only part]" if row.answerable == "partial" else ""
        print(f"{i:>2}. 👎 {row.down} 👍 {row.up}  last {row.last_rated}{tier}")
        # Rows stored before input was cleaned may hold terminal escape codes: never print them.
        print(f"    Q: {clean_message(row.question)[:200]}")
        print(f"    A: {clean_message(row.answer)[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
