"""Interactive search shell for staff: type a question, see the ranked clauses and why."""
from __future__ import annotations

from .errors import BadQuestionError
from .language import detect_language
from .render import render_response
from .sectors import sector_answer
from .types import TOPICS

HELP = """Type a question in Chinese or English. Commands:
  :topic NAME   only clauses of a topic ({topics}); :topic off to clear
  :k N          number of results      :lang zh|en|auto   force the language
  :help         this text              :quit (or Ctrl-D)  leave""".format(topics=", ".join(TOPICS))


def run_shell(kb, top_k: int = 5, input_fn=input, output=print) -> int:
    topic, lang = None, None
    m = kb.manifest
    output(f"Knowledge base: {m.clauses} clauses, model {m.model}, built {m.build_time}.")
    output(HELP)
    while True:
        try:
            line = input_fn("ask> ").strip()
        except (EOFError, KeyboardInterrupt):
            output("")
            return 0
        if not line:
            continue
        if line in (":q", ":quit", ":exit", "/stop"):
            return 0
        if line == ":help":
            output(HELP)
            continue
        if line.startswith(":topic"):
            value = line[len(":topic"):].strip()
            topic = None if value in ("", "off") else value
            if topic and topic not in TOPICS:
                output(f"unknown topic {topic!r}")
                topic = None
            output(f"topic filter: {topic or 'off'}")
            continue
        if line.startswith(":k"):
            try:
                top_k = max(1, int(line[2:].strip()))
            except ValueError:
                output("usage: :k N")
            continue
        if line.startswith(":lang"):
            value = line[len(":lang"):].strip()
            lang = value if value in ("zh", "en") else None
            output(f"language: {lang or 'auto'}")
            continue
        try:
            output(render_response(kb.search(line, lang=lang, topic=topic, top_k=top_k)))
            # What the bot would lead with for a "can I invest in X?" question.
            sector = sector_answer(kb, line, lang or detect_language(line))
            if sector is not None:
                output(f"verdict [{sector.verdict.kind}, {sector.verdict.list} list]: "
                       f"{sector.verdict.sentence}")
        except BadQuestionError as exc:
            output(str(exc))
