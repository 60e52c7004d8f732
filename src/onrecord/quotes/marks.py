"""Quotation marks: which stretches of the text are inside them.

Works on the cleaned text, paragraph by paragraph, before any parsing, because a parser cannot be
trusted with quotation marks: it splits the seed article's `"I do not expect ... [and] I am not going
to form a government-in-exile," Bakiyev said.` into two sentences.

Conventions handled:
- straight (") and curly (“ ”) double marks, guillemets (« »), low-9 („);
- single marks (' ‘ ’) for a quotation inside a quotation ("They told me 'this annoys us',");
  an apostrophe inside a word (don't, Bakiyev's) is never a mark;
- a quotation running over several paragraphs: each paragraph opens with a mark, only the last one
  closes (the news convention); the same within a line, where scraped text merged the paragraphs:
  after the end of a sentence inside an open quotation, a straight mark before a word opens a further
  piece of it (`... more enemies. "You bring ...`); an opening mark never closed in a paragraph that
  is not followed by such a continuation is closed at the paragraph's end (scraped text often loses
  marks).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

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


class MarkedSpans(list[MarkedSpan]):
    """What :func:`find_marked_spans` returns: a plain list, and its :class:`MarkLookup`, built on first
    use and kept with it (do not change the list after asking for it)."""

    @cached_property
    def lookup(self) -> MarkLookup:
        return MarkLookup(self)


def lookup(marks: Sequence[MarkedSpan]) -> MarkLookup:
    """The lookup of ``marks``: the one kept with a :class:`MarkedSpans`, else a new one."""
    return marks.lookup if isinstance(marks, MarkedSpans) else MarkLookup(marks)


class MarkLookup:
    """Questions about all the marked spans of an article, each answered in logarithmic time.

    The quotation stages ask, for every token near every quotation, whether some quotation holds it;
    asking every span each time made an article with n marks cost n**2 (issue #16: 10,000 marks took
    17 s). The answers are exactly those of asking every span in turn: pieces are kept sorted by start
    with the running maximum of their ends (right whatever the pieces' overlaps), and the two questions
    that need the pieces of a level not to overlap (as find_marked_spans makes them) ask every span
    when they do.
    """

    def __init__(self, marks: Sequence[MarkedSpan]) -> None:
        self.marks = marks
        self._pieces: dict[int | None, _Pieces] = {None: _Pieces(marks, None)}
        self._ends: dict[int, list[int]] = {}
        for k, mark in enumerate(marks):
            self._ends.setdefault(mark.end, []).append(k)
            if mark.level not in self._pieces:
                self._pieces[mark.level] = _Pieces(marks, mark.level)
        # [start - 1, end) of each span, for ``opens_near`` (the window a cue must not reach into).
        self._reach: dict[int, _Intervals] = {
            level: _Intervals([(m.start - 1, m.end, k) for k, m in enumerate(marks) if m.level == level])
            for level in self._pieces
            if level is not None
        }

    def _level(self, level: int | None) -> _Pieces | None:
        return self._pieces.get(level)

    def within(self, start: int, end: int, level: int | None = None) -> bool:
        """Does a piece of some span (of ``level``; of any level when None) hold [start, end)?"""
        pieces = self._level(level)
        return pieces is not None and pieces.holds(start, end)

    def holders(self, start: int, end: int, level: int | None = None) -> list[int]:
        """Indexes, in order, of the spans (of ``level``) with a piece that holds [start, end)."""
        pieces = self._level(level)
        if pieces is None:
            return []
        if not pieces.disjoint:
            return [k for k, m in enumerate(self.marks) if _of(m, level) and m.contains(start, end)]
        i = bisect_right(pieces.starts, start) - 1
        return [pieces.owners[i]] if i >= 0 and end <= pieces.ends[i] else []

    def overlapping(self, start: int, end: int, level: int | None = None) -> list[int]:
        """Indexes, in order, of the spans (of ``level``) with a piece sharing a character with
        [start, end)."""
        pieces = self._level(level)
        if pieces is None:
            return []
        if not pieces.disjoint:
            return [k for k, m in enumerate(self.marks) if _of(m, level) and _overlaps(m, start, end)]
        lo, hi = bisect_right(pieces.ends, start), bisect_left(pieces.starts, end)
        found = {
            pieces.owners[i] for i in range(lo, hi) if min(pieces.ends[i], end) > max(pieces.starts[i], start)
        }
        return sorted(found)

    def ends_at(self, offset: int, other_than: MarkedSpan) -> bool:
        """Does a span other than ``other_than`` end at ``offset``?"""
        return any(self.marks[k] is not other_than for k in self._ends.get(offset, ()))

    def opens_near(self, offset: int, other_than: MarkedSpan) -> bool:
        """Does a span of ``other_than``'s level, other than it, reach over ``offset`` (from the
        character before its start up to its end)?"""
        intervals = self._reach.get(other_than.level)
        return intervals is not None and intervals.stabbed(offset, self.marks, other_than)


def _of(mark: MarkedSpan, level: int | None) -> bool:
    return level is None or mark.level == level


def _overlaps(mark: MarkedSpan, start: int, end: int) -> bool:
    return any(min(e, end) > max(s, start) for s, e in mark.pieces)


class _Pieces:
    """The pieces of the spans of one level (or of all), sorted by start."""

    def __init__(self, marks: Sequence[MarkedSpan], level: int | None) -> None:
        rows = sorted((s, e, k) for k, m in enumerate(marks) if _of(m, level) for s, e in m.pieces)
        self.starts = [s for s, _, _ in rows]
        self.ends = [e for _, e, _ in rows]
        self.owners = [k for _, _, k in rows]
        self.reach = list(accumulate(self.ends, max))  # the furthest end among the first i + 1 pieces
        self.disjoint = all(self.ends[i] <= self.starts[i + 1] for i in range(len(rows) - 1))

    def holds(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end


class _Intervals:
    """Intervals [lo, hi) of spans, for "does one, other than this span, hold the offset?"."""

    def __init__(self, rows: list[tuple[int, int, int]]) -> None:
        rows.sort()
        self.los = [lo for lo, _, _ in rows]
        # The two furthest-reaching intervals among the first i + 1 (best first): with one span left
        # out, the other one answers.
        self.top: list[tuple[tuple[int, int], tuple[int, int]]] = []
        first, second = (-1 << 62, -1), (-1 << 62, -1)
        for _, hi, k in rows:
            if hi > first[0]:
                first, second = (hi, k), first
            elif hi > second[0]:
                second = (hi, k)
            self.top.append((first, second))

    def stabbed(self, offset: int, marks: Sequence[MarkedSpan], other_than: MarkedSpan) -> bool:
        i = bisect_right(self.los, offset)
        if i == 0:
            return False
        for hi, k in self.top[i - 1]:
            if k >= 0 and marks[k] is not other_than:
                return hi > offset
        return False


def find_marked_spans(text: str, paragraphs: list[Span]) -> MarkedSpans:
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
            if kind == "straight" and _reopens(text, i, width, open_end, p_start, p_end):
                # '... more enemies. "You definitely ...": a sentence of the quotation ended, and a
                # mark that can only open starts the next one; the first was never closed. One
                # quotation in two pieces (the convention of a quotation run on into a paragraph).
                pending.append((open_end, _trim_end(text, open_end, i)))
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
    return MarkedSpans(outer + inner)


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


def _reopens(text: str, i: int, width: int, open_end: int, start: int, end: int) -> bool:
    """Does a straight mark, met while a quotation is open, open another piece of it: after a space
    that follows the end of a sentence, and before a word ('enemies. "You')?"""
    if not _opens(text, i, width, start, end) or i == start or not text[i - 1].isspace():
        return False
    before = text[open_end:i].rstrip()
    return before.endswith((".", "!", "?")) and not before.endswith("..")


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


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
