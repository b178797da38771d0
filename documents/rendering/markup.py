"""The body text as typed by the drafter: paragraphs, their kinds, and inline bold."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_ROMAN_HEADING = re.compile(r"^[IVXLC]+\.\s")
_NUMBERED = re.compile(r"^\d+(\.\d+)*\.\s")
_POINT = re.compile(r"^[a-zđ]\)\s")
_SENTENCE_END = (".", ";", ":", "!", "?", "…")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


class BlockKind(enum.StrEnum):
    """How a body paragraph is set (Phụ lục I, II.6.đ)."""

    SECTION = "section"  # "I. MỤC ĐÍCH, YÊU CẦU": bold
    HEADING = "heading"  # "1. Mục đích": a khoản with a title, bold
    CLAUSE = "clause"  # "1. Quyết định này có hiệu lực…": a khoản without a title
    POINT = "point"  # "a) Đối với…"
    DASH = "dash"  # "- Phân công thực hiện:"
    PLUS = "plus"  # "+ Tuyên truyền tại cơ quan…"
    TEXT = "text"


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with one style."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Block:
    """One body paragraph: its kind and its runs."""

    kind: BlockKind
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def classify(paragraph: str) -> BlockKind:
    """Tell a paragraph's kind from how it starts, as the decree numbers parts."""
    if _ROMAN_HEADING.match(paragraph):
        return BlockKind.SECTION
    if _NUMBERED.match(paragraph):
        plain = _BOLD.sub(r"\1", paragraph).rstrip()
        return BlockKind.CLAUSE if plain.endswith(_SENTENCE_END) else BlockKind.HEADING
    if _POINT.match(paragraph):
        return BlockKind.POINT
    if paragraph.startswith("- "):
        return BlockKind.DASH
    if paragraph.startswith("+ "):
        return BlockKind.PLUS
    return BlockKind.TEXT


def runs(paragraph: str) -> tuple[Run, ...]:
    """Split `**bold**` markup into runs; stray asterisks stay as typed."""
    pieces: list[Run] = []
    position = 0
    for match in _BOLD.finditer(paragraph):
        if match.start() > position:
            pieces.append(Run(paragraph[position : match.start()]))
        pieces.append(Run(match.group(1), bold=True))
        position = match.end()
    if position < len(paragraph):
        pieces.append(Run(paragraph[position:]))
    return tuple(pieces)


def paragraphs(body: str) -> list[str]:
    """Paragraphs are separated by blank lines; single line breaks inside one are spaces."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for chunk in re.split(r"\n\s*\n", text):
        joined = " ".join(line.strip() for line in chunk.split("\n") if line.strip())
        if joined:
            found.append(joined)
    return found


def parse_body(body: str) -> list[Block]:
    """The body as a list of typed blocks, in order."""
    return [Block(classify(p), runs(p)) for p in paragraphs(body)]
