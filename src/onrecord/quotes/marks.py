"""Quotation marks: which stretches of the text are inside them.

Works on the cleaned text, paragraph by paragraph, before any parsing, because a parser cannot be
trusted with quotation marks: it splits the seed article's `"I do not expect ... [and] I am not going
to form a government-in-exile," Bakiyev said.` into two sentences.

Conventions handled:
- straight (") and curly (“ ”) double marks, guillemets (« »), low-9 („);
- single marks (' ‘ ’) for a quotation inside a quotation ("They told me 'this annoys us',");
  an apostrophe inside a word (don't, Bakiyev's) is never a mark;
- a quotation running over several paragraphs: each paragraph opens with a mark, only the last one
  closes (the news convention); an opening mark never closed in a paragraph that is not followed by
  such a continuation is closed at the paragraph's end (scraped text often loses marks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]

_OPEN_DOUBLE = "“„«"
_CLOSE_DOUBLE = "”»"
_STRAIGHT_DOUBLE = '"'
_OPEN_SINGLE = "‘"
_SINGLE_AMBIGUOUS = "'’"
_ALL_DOUBLE = _OPEN_DOUBLE + _CLOSE_DOUBLE + _STRAIGHT_DOUBLE
_BEFORE_OPEN = " \t([{—–-/'`" + _ALL_DOUBLE
_AFTER_CLOSE = " \t.,;:!?)]}—–-…" + _ALL_DOUBLE


@dataclass(frozen=True, slots=True)
class MarkedSpan:
    """One quotation in marks. ``pieces`` are the stretches inside the marks (one per paragraph)."""

    pieces: tuple[Span, ...]
    level: int  # 0 for double marks, 1 for single marks inside them
    parent: int | None  # index of the enclosing MarkedSpan for level 1
    closed: bool

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    def contains(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.pieces)


def find_marked_spans(text: str, paragraphs: list[Span]) -> list[MarkedSpan]:
    """All quotations in marks, outer ones (level 0) first in text order, then the inner ones."""
    outer: list[MarkedSpan] = []
    pending: list[Span] = []  # pieces of a quotation running over paragraphs
    for k, (p_start, p_end) in enumerate(paragraphs):
        open_end: int | None = None  # where the content of the open quotation starts
        marks = list(_double_marks(text, p_start, p_end))
        if pending:
            if marks and marks[0][0] == p_start and marks[0][2] != "close":
                open_end = p_start + marks[0][1]
                marks = marks[1:]
            else:  # the continuation never came: close what was open at its paragraph's end
                outer.append(MarkedSpan(tuple(pending), 0, None, False))
                pending = []
        for i, width, kind in marks:
            if open_end is None or kind == "open":
                if kind == "close" or (kind == "straight" and not _opens(text, i, width, p_start, p_end)):
                    continue  # a stray closing mark
                if open_end is not None and pending:
                    pending = []
                open_end = i + width
                continue
            pending.append((open_end, i))
            outer.append(MarkedSpan(tuple(pending), 0, None, True))
            pending, open_end = [], None
        if open_end is not None:
            if open_end < p_end:
                pending.append((open_end, p_end))
            nxt = paragraphs[k + 1] if k + 1 < len(paragraphs) else None
            first = next(_double_marks(text, nxt[0], nxt[1]), None) if nxt is not None else None
            continues = nxt is not None and first is not None and first[0] == nxt[0] and first[2] != "close"
            if not continues and pending:
                outer.append(MarkedSpan(tuple(pending), 0, None, False))
                pending = []
    if pending:
        outer.append(MarkedSpan(tuple(pending), 0, None, False))
    outer = [m for m in outer if any(s < e for s, e in m.pieces)]
    inner: list[MarkedSpan] = []
    for index, span in enumerate(outer):
        for piece in span.pieces:
            inner.extend(_single_spans(text, piece, index))
    return outer + inner


def _double_marks(text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """Double quotation marks in text[start:end] as (position, width, "open" | "close" | "straight").

    Two apostrophes ('') stand for a straight double mark, and two backticks (``) for an opening one:
    the New York Times texts of PolNeAR write ''maintain relevance.''
    """
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN_DOUBLE + _CLOSE_DOUBLE:
            # A curly mark the wrong way round ('...her here,“ said Jim Clyburn', a typo in PolNeAR's
            # texts) is read by where it stands: after a word and before a space it closes.
            before = text[i - 1] if i > start else " "
            after = text[i + 1] if i + 1 < end else " "
            if not before.isspace() and (after.isspace() or after in _AFTER_CLOSE):
                yield i, 1, "close"
            elif before in _BEFORE_OPEN and not after.isspace():
                yield i, 1, "open"
            else:
                yield i, 1, "open" if ch in _OPEN_DOUBLE else "close"
        elif ch == _STRAIGHT_DOUBLE:
            yield i, 1, "straight"
        elif ch in "'`" and i + 1 < end and text[i + 1] == ch:
            yield i, 2, "straight" if ch == "'" else "open"
            i += 2
            continue
        i += 1


def _opens(text: str, i: int, width: int, start: int, end: int) -> bool:
    """Does a straight double mark at i open a quotation? Yes after a space or at the start."""
    before = text[i - 1] if i > start else " "
    after = text[i + width] if i + width < end else " "
    return before in _BEFORE_OPEN and not after.isspace()


def _single_spans(text: str, piece: Span, parent: int) -> list[MarkedSpan]:
    start, end = piece
    found: list[MarkedSpan] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch not in _OPEN_SINGLE + _SINGLE_AMBIGUOUS:
            continue
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if ch == "'" and "'" in (before, after):
            continue  # one half of a '' double mark
        if open_at is None:
            if (ch == _OPEN_SINGLE or before in _BEFORE_OPEN) and (after.isalnum() or after in "…."):
                open_at = i
            continue
        # A closing mark ends a word and is followed by a space or punctuation; "don't" is not one.
        if not before.isspace() and (after in _AFTER_CLOSE or i + 1 == end) and i > open_at + 1:
            found.append(MarkedSpan(((open_at + 1, i),), 1, parent, True))
            open_at = None
    return found
