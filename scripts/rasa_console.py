"""`make shell`: Rasa's own console (the one `rasa shell` uses) against the running Rasa server.

Runs in .venv-rasa. Type `/stop` to leave. Rasa's console prints an answer's `custom` payload as
raw JSON; staff read sources as lines instead (title, 文号, label, date, address), so the payload
is printed by `payload_lines` below.
"""
from __future__ import annotations

import asyncio
import os
import sys
import uuid

SOURCE_FIELDS = ("doc_number", "date")


def _plain(value) -> str:
    # Source fields can come from crawled pages: nothing that could drive the terminal.
    return "".join(ch for ch in str(value or "") if ch.isprintable()).strip()


def payload_lines(custom: dict) -> list[str]:
    """An answer's custom payload as lines for a person: one per source, its address below it."""
    lines = [f"  Reference: {_plain(custom['reference'])}"] if custom.get("reference") else []
    if custom.get("answerable") in ("partial", "no"):
        # Staff see at once when the quote answers only part of the question, or nothing.
        missing = _plain(custom.get("missing"))
        lines.append(f"  Answerable: {custom['answerable']}" + (f" (missing: {missing})" if missing else ""))
    sources: list[str] = []
    seen = set()
    for source in custom.get("sources") or []:
        if not isinstance(source, dict):
            continue
        title = _plain(source.get("doc_title"))
        head = " ".join(p for p in (f"《{title}》" if title else "", _plain(source.get("label"))) if p)
        line = " · ".join(p for p in [head] + [_plain(source.get(k)) for k in SOURCE_FIELDS] if p)
        url = _plain(source.get("source_url"))
        if (not line and not url) or (line, url) in seen:
            continue
        seen.add((line, url))
        sources.append(f"  [{len(seen)}] {line}".rstrip())
        if url:
            sources.append(f"      {url}")
    return lines + (["  Sources:"] + sources if sources else [])


def _install_readable_payloads() -> None:
    """Rasa's console prints each message with `_print_bot_output` (rasa 3.6, pinned): print the
    rest as it does, and the custom payload as lines."""
    import rasa.shared.utils.cli
    import rasa.shared.utils.io
    from rasa.core.channels import console

    print_output = console._print_bot_output

    def print_bot_output(message, is_latest_message=False, color=rasa.shared.utils.io.bcolors.OKBLUE):
        custom = message.get("custom")
        rest = {k: v for k, v in message.items() if k != "custom"}
        question = print_output(rest, is_latest_message, color) if rest else None
        if isinstance(custom, dict):
            for line in payload_lines(custom):
                rasa.shared.utils.cli.print_color(line, color=color)
        return question

    console._print_bot_output = print_bot_output


def main() -> int:
    from rasa.core.channels.console import record_messages

    _install_readable_payloads()
    url = os.environ.get("RASA_URL", f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:"
                                     f"{os.environ.get('RASA_PORT', '5005')}")
    sender = os.environ.get("SHELL_SENDER", f"shell-{uuid.uuid4().hex[:8]}")
    try:
        asyncio.run(record_messages(sender_id=sender, server_url=url, use_response_stream=False))
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # the server is down or answered with an error
        print(f"error: cannot talk to Rasa at {url} ({exc}). Start it with `make up`.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
