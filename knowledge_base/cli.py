"""`python -m knowledge_base build | search | eval | shell | model`."""
from __future__ import annotations

import argparse
import json
import sys

from .config import get_settings
from shared_state.env import SettingError

from .errors import BadInputError, BadQuestionError, ConfigError, KnowledgeBaseError
from .questions import load_questions
from .types import TOPICS


def _load_kb():
    from .search import KnowledgeBase

    return KnowledgeBase.load(get_settings(), queries_only=True)  # the CLI never embeds passages


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _warn(resp) -> None:
    for warning in resp.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def cmd_build(args) -> int:
    from .build import build_index

    report = build_index(get_settings())
    print(f"Indexed {report.clauses} clauses ({report.vectors} vectors, {report.embedded} newly "
          f"embedded, the rest from the vector cache) from {report.documents} documents in "
          f"{report.seconds:.1f} s ({report.clauses_per_second:.0f} clauses/s) -> {report.path}")
    return 0


def cmd_search(args) -> int:
    from .render import render_response

    if args.questions:
        questions = [q.question for q in load_questions(args.questions)]
    else:
        question = " ".join(args.question)
        if not question.strip():
            raise BadQuestionError("The question is empty: give a question to search for.")
        questions = [question]
    kb = _load_kb()
    for question in questions:
        try:
            resp = kb.search(question, lang=args.lang, topic=args.topic, top_k=args.top_k)
        except BadQuestionError as exc:
            if not args.questions:
                raise
            # In a batch an empty line still gets its line of output, so lines stay aligned.
            print(f"warning: {exc}", file=sys.stderr)
            _print_json({"query": question, "lang": "", "no_answer": True, "answerable": "no",
                         "missing": "", "results": []})
            continue
        _warn(resp)
        if args.json:
            _print_json(resp.to_contract())
        else:
            print(render_response(resp))
            print()
    return 0


def cmd_eval(args) -> int:
    from .evaluate import evaluate, format_reports

    questions = load_questions(args.questions)
    reports = evaluate(_load_kb(), questions)
    if args.json:
        _print_json([r.as_dict() for r in reports])
    else:
        print(format_reports(reports, verbose=args.verbose))
    return 0


def cmd_shell(args) -> int:
    from .shell import run_shell

    return run_shell(_load_kb(), top_k=args.top_k)


def cmd_model(args) -> int:
    from .model_provision import main as provision_main

    return provision_main(["--force"] if args.force else [])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge_base",
        description="Cited, bilingual hybrid search over investment-policy clauses.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="build the index from the corpus").set_defaults(func=cmd_build)

    search = sub.add_parser("search", help="search the index")
    search.add_argument("question", nargs="*", help="the question (Chinese or English)")
    search.add_argument("--questions", metavar="FILE.jsonl",
                        help="read the 'question' field of each line ('-' for stdin)")
    search.add_argument("--json", action="store_true", help="print one JSON object per question")
    search.add_argument("--top-k", type=int, default=5, metavar="K")
    search.add_argument("--lang", choices=("zh", "en"), help="override language detection")
    search.add_argument("--topic", choices=TOPICS, help="only clauses of this topic")
    search.set_defaults(func=cmd_search)

    ev = sub.add_parser("eval", help="hit@k, MRR and no-answer scores on a question file")
    ev.add_argument("--questions", required=True, metavar="FILE.jsonl")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    ev.set_defaults(func=cmd_eval)

    shell = sub.add_parser("shell", help="interactive search shell for staff")
    shell.add_argument("--top-k", type=int, default=5, metavar="K")
    shell.set_defaults(func=cmd_shell)

    model = sub.add_parser("model", help="provision the default embedding model offline")
    model.add_argument("--force", action="store_true", help="rebuild even if present")
    model.set_defaults(func=cmd_model)
    return parser


def _user_error(exc: Exception) -> KnowledgeBaseError | None:
    """The error a user should read as one line, or None for a bug (which keeps its traceback)."""
    if isinstance(exc, KnowledgeBaseError):
        return exc
    if isinstance(exc, SettingError):
        return ConfigError(str(exc))
    if isinstance(exc, FileNotFoundError):
        return BadInputError(f"{exc.strerror}: {exc.filename}")
    return None


def main(argv=None) -> int:
    """The one way out: a user's error is one line on stderr and its class's exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "top_k", 1) < 1:
        print("error: --top-k must be at least 1", file=sys.stderr)
        return 2
    try:
        get_settings()  # a bad setting is refused before any work starts
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        error = _user_error(exc)
        if error is None:
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
