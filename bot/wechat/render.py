"""Rasa's answer as WeChat text: the text, short source lines, numbered choices; byte-limited chunks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from bot.rasa_client import ChatMessage
from bot.texts import bilingual

# WeChat rejects a text message of 2,048 bytes or more.
MAX_CHUNK_BYTES = 2047
MAX_SOURCES = 5
# Where a chunk may end when no line break is near enough, best first.
_SOFT_BREAKS = ("。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", " ")


@dataclass(frozen=True)
class RenderedAnswer:
    text: str
    # The payloads of the numbered choices, in order: choice n is choices[n - 1].
    choices: list[str] = field(default_factory=list)


def source_line(source: dict) -> str:
    title = str(source.get("doc_title") or "").strip().strip("《》")
    rest = " ".join(str(source.get(k) or "").strip() for k in ("label", "doc_number")
                    if str(source.get(k) or "").strip())
    if title:
        return f"— 《{title}》{rest}"
    return f"— {rest}" if rest else ""


def render_answer(messages: Iterable[ChatMessage]) -> RenderedAnswer:
    blocks: list[str] = []
    titles: list[str] = []
    choices: list[str] = []
    for message in messages:
        lines: list[str] = []
        if message.text and message.text.strip():
            lines.append(message.text.strip())
        seen: set[str] = set()
        for source in (message.sources or []):
            line = source_line(source) if isinstance(source, dict) else ""
            if line and line not in seen and len(seen) < MAX_SOURCES:
                seen.add(line)
                lines.append(line)
        for button in (message.buttons or []):
            if not isinstance(button, dict):
                continue
            title = str(button.get("title") or button.get("payload") or "").strip()
            payload = str(button.get("payload") or title).strip()
            if title:
                titles.append(title)
                choices.append(payload)
        if lines:
            blocks.append("\n".join(lines))
    if titles:
        blocks.append("\n".join([bilingual("choice_hint", "label")] + [f"{n}. {t}" for n, t in enumerate(titles, 1)]))
    return RenderedAnswer("\n\n".join(blocks), choices)


def _fit(text: str, limit: int) -> str:
    """The longest prefix of text whose UTF-8 encoding fits in limit bytes (whole characters)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def split_text(text: str, limit: int = MAX_CHUNK_BYTES) -> list[str]:
    """Chunks of at most `limit` UTF-8 bytes, cut at a line break where one is in the second
    half of the chunk, else after punctuation or a space, else between two characters."""
    if limit < 4:
        raise ValueError("limit must hold at least one character")
    chunks: list[str] = []
    rest = text.strip("\n")
    while rest:
        if len(rest.encode("utf-8")) <= limit:
            chunks.append(rest)
            break
        head = _fit(rest, limit)
        cut = head.rfind("\n")
        if cut < len(head) // 2:
            cut = -1
            for mark in _SOFT_BREAKS:
                at = head.rfind(mark)
                if at >= len(head) // 2:
                    cut = at + len(mark)
                    break
            piece, rest = (head[:cut], rest[cut:]) if cut > 0 else (head, rest[len(head):])
        else:
            piece, rest = head[:cut], rest[cut + 1:]
        piece = piece.rstrip()
        if piece:
            chunks.append(piece)
        rest = rest.lstrip("\n")
    return chunks
