"""Text with its quotations, cues and speaker mentions marked, for reading in a terminal.

Two styles: ``brackets`` (plain text: ``[quoted words]``, ``<cue>``, ``{speaker}``) and ``ansi``
(colours, for a terminal). Marks are character spans into the text; nested ones (a quotation inside a
quotation, a speaker named inside a quotation) are closed in the reverse order they were opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from onrecord.query.quotes import QuoteRow

MarkKind = Literal["quote", "cue", "speaker"]
Style = Literal["brackets", "ansi", "none"]

BRACKETS: dict[str, tuple[str, str]] = {"quote": ("[", "]"), "cue": ("<", ">"), "speaker": ("{", "}")}
ANSI: dict[str, str] = {"quote": "\x1b[32m", "cue": "\x1b[1;33m", "speaker": "\x1b[1;36m"}
RESET = "\x1b[0m"
LEGEND = "[quotation]  <cue>  {speaker}"


@dataclass(frozen=True, order=True)
class Mark:
    start: int
    end: int
    kind: MarkKind


def quote_marks(quotes: Iterable[QuoteRow]) -> list[Mark]:
    """The marks of quotations: each content piece, the cue, the speaker's mention."""
    marks: list[Mark] = []
    for quote in quotes:
        marks += [Mark(s, e, "quote") for s, e in quote.pieces]
        if quote.cue_start is not None and quote.cue_end is not None:
            marks.append(Mark(quote.cue_start, quote.cue_end, "cue"))
        if quote.mention_start is not None and quote.mention_end is not None:
            marks.append(Mark(quote.mention_start, quote.mention_end, "speaker"))
    return sorted(set(marks))


def mark_text(text: str, marks: Sequence[Mark], *, style: Style = "brackets", offset: int = 0) -> str:
    """``text`` (which starts at ``offset`` of the marks' text) with the marks inside it shown."""
    end_of_text = offset + len(text)
    inside = [m for m in marks if m.start < end_of_text and m.end > offset and m.start < m.end]
    events: list[tuple[int, int, int, Mark]] = []
    for mark in inside:
        start, end = max(mark.start, offset), min(mark.end, end_of_text)
        # At one position: closings first (the later-opened first), then openings (the longer first).
        events.append((start, 1, -(end - start), mark))
        events.append((end, 0, -start, mark))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out: list[str] = []
    open_marks: list[Mark] = []
    pos = offset
    for at, is_open, _, mark in events:
        out.append(text[pos - offset : at - offset])
        pos = at
        if is_open:
            open_marks.append(mark)
            out.append(_open(mark, style))
        else:
            if mark in open_marks:
                open_marks.remove(mark)
            out.append(_close(mark, style, open_marks))
    out.append(text[pos - offset :])
    return "".join(out)


def _open(mark: Mark, style: Style) -> str:
    if style == "brackets":
        return BRACKETS[mark.kind][0]
    if style == "ansi":
        return ANSI[mark.kind]
    return ""


def _close(mark: Mark, style: Style, still_open: list[Mark]) -> str:
    if style == "brackets":
        return BRACKETS[mark.kind][1]
    if style == "ansi":
        # Reset, then restore the colours of the marks still open (a cue inside a quotation).
        return RESET + "".join(ANSI[m.kind] for m in still_open)
    return ""
