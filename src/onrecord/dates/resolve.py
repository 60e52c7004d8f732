"""Temporal expressions found in an article and resolved against its publication date.

``find_dates`` scans the text with the finder pattern, merges in the NER model's DATE entities (with the
tense of the clause each sits in, which the caller computes from the parse), and resolves each expression
with ``resolve``. The rules follow how news reports time: a weekday in a past or present statement is the
most recent such day on or before publication ("said on Friday" in a Friday paper is that day; the
Kyrgyzstan example in shared/examples), a future one the next such day after it; a month and day without
a year is in the publication year unless the tense says otherwise.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from onrecord.dates.parse import ABSOLUTE_KINDS, Parsed, parse
from onrecord.dates.patterns import FINDER
from onrecord.records import DateRef

Tense = Literal["past", "present", "future"]
Granularity = Literal["day", "week", "month", "year", "unknown"]
TENSES: frozenset[str] = frozenset({"past", "present", "future"})

_GRANULARITY: dict[str, Granularity] = {
    "date": "day",
    "month_day": "day",
    "weekday": "day",
    "day_offset": "day",
    "year_month": "month",
    "month": "month",
    "year": "year",
    "iso_week": "week",
}

#: Words before a span that belong to it: "Friday" from the NER model becomes "on Friday", and "last
#: Friday" must keep its "last". Case-insensitive; only a whole word directly before the span.
_LEADING_WORDS = "on|in|since|until|till|by|from|during|last|next|this"
_LEADING_WORD = re.compile(rf"(?:^|(?<=[^\w-]))(?i:{_LEADING_WORDS})\s+$")
_LEADING_WORD_TAKEN = re.compile(rf"(?i:{_LEADING_WORDS})\s")
#: How far back to look for that word: the longest word above plus some spaces.
_LEADING_WINDOW = 12
#: What the NER model calls a date but is not one: clock times ("10 pm", "22:30", "10 o'clock") and ages
#: ("14-year-old", "19 year old", "the age of four months"), seen in the Wikinews texts.
_NOT_A_DATE = re.compile(
    r"\d{1,2}(?::\d{2})?\s*(?i:[ap]\.?m\b)|\d{1,2}:\d{2}|(?i:o'clock)"
    r"|(?i:\b(?:years?|months?|weeks?|days?)[- ]olds?\b|\bage\b)"
)
#: What the NER model calls a date but is a length of time or a frequency, never a point in time:
#: "8-10 years", "at least four decades", "two hours", "daily" (seen in the Wikinews texts). A span of
#: time anchored on the publication date ("the past two weeks", "two years ago") does not match.
_DURATION = re.compile(
    r"^(?i:(?:(?:at least|about|around|almost|nearly|roughly|some|over|under|more than|less than|"
    r"up to|only|just|another|a further)\s+)*"
    r"(?:\d[\d,.]*(?:\s*[-–]\s*\d[\d,.]*)?|a|an|a few|a couple of|several|many|a number of|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|a hundred|hundreds of|thousands of)"
    r"(?:\s*[-–]\s*(?:one|two|three|four|five|six|seven|eight|nine|ten))?"
    r"[\s-]+(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries|century)"
    r"(?:\s+(?:long|old|running|in a row))?"
    r"|daily|weekly|fortnightly|monthly|quarterly|annually|yearly|nightly|hourly|every\s+\w+)$"
)
_TRIM = ' \t\r\n\u00a0,;:!?()[]"“”'


@dataclass(frozen=True, slots=True)
class DateHint:
    """A candidate span from the NER model (or anyone), with the tense of the clause it sits in."""

    start: int
    end: int
    tense: Tense | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"DateHint span ({self.start}, {self.end}) is not an ordered pair of offsets")
        if self.tense is not None and self.tense not in TENSES:
            raise ValueError(f"DateHint tense {self.tense!r} is not one of {sorted(TENSES)} or None")


def _check_tense(tense: str | None) -> None:
    if tense is not None and tense not in TENSES:
        raise ValueError(f"tense {tense!r} is not one of {sorted(TENSES)} or None")


def resolve(
    expression: str, published: datetime.date | None, *, tense: str | None = None
) -> tuple[str | None, Granularity]:
    """Resolve one expression to ``(value, granularity)``.

    ``value`` is "YYYY-MM-DD", "YYYY-Www", "YYYY-MM" or "YYYY", or ``None`` when the expression is relative
    and ``published`` is ``None`` (the granularity is still given), or when it cannot be read at all
    (granularity "unknown"). A value given back as an expression resolves to itself.
    """
    _check_tense(tense)
    if isinstance(published, datetime.datetime):
        published = published.date()  # a timestamp's day; its isoformat would carry the time
    parsed = parse(expression)
    if parsed is None:
        return None, "unknown"
    granularity = _granularity(parsed)
    if parsed.kind in ABSOLUTE_KINDS:
        return _absolute(parsed), granularity
    if published is None:
        return None, granularity
    return _relative(parsed, published, tense), granularity


def _granularity(parsed: Parsed) -> Granularity:
    if parsed.kind == "period":
        return parsed.unit or "unknown"
    return _GRANULARITY[parsed.kind]


def _absolute(parsed: Parsed) -> str:
    if parsed.kind == "date":
        return f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}"
    if parsed.kind == "year_month":
        return f"{parsed.year:04d}-{parsed.month:02d}"
    if parsed.kind == "iso_week":
        return f"{parsed.year:04d}-W{parsed.week:02d}"
    return f"{parsed.year:04d}"


def _relative(parsed: Parsed, published: datetime.date, tense: str | None) -> str | None:
    if parsed.kind == "weekday":
        assert parsed.weekday is not None
        return _weekday(published, parsed.weekday, parsed.modifier, tense).isoformat()
    if parsed.kind == "month_day":
        assert parsed.month is not None and parsed.day is not None
        day = _month_day(published, parsed.month, parsed.day, tense)
        return None if day is None else day.isoformat()
    if parsed.kind == "month":
        assert parsed.month is not None
        return f"{_month_year(published, parsed.month, parsed.modifier, tense):04d}-{parsed.month:02d}"
    if parsed.kind == "day_offset":
        return (published + datetime.timedelta(days=parsed.offset)).isoformat()
    return _period(published, parsed)


def _weekday(
    published: datetime.date, weekday: int, modifier: str | None, tense: str | None
) -> datetime.date:
    back = (published.weekday() - weekday) % 7
    ahead = (weekday - published.weekday()) % 7
    if modifier == "last":
        # "last Friday" in a Friday paper is a week ago: strictly before.
        return published - datetime.timedelta(days=back or 7)
    if modifier == "next" or (tense == "future" and modifier is None):
        # "will meet on Friday" / "next Friday": the first such day after publication.
        return published + datetime.timedelta(days=ahead or 7)
    if modifier == "this" and tense == "future":
        return published + datetime.timedelta(days=ahead)
    return published - datetime.timedelta(days=back)


def _month_day(published: datetime.date, month: int, day: int, tense: str | None) -> datetime.date | None:
    year = published.year
    if tense == "past" and (month, day) > (published.month, published.day):
        year -= 1
    elif tense == "future" and (month, day) < (published.month, published.day):
        year += 1
    try:
        return datetime.date(year, month, day)
    except ValueError:  # February 29 in a year without one
        return None


def _month_year(published: datetime.date, month: int, modifier: str | None, tense: str | None) -> int:
    year = published.year
    if modifier == "last":
        return year if month < published.month else year - 1
    if modifier == "next":
        return year if month > published.month else year + 1
    if modifier is None and tense == "past" and month > published.month:
        return year - 1
    if modifier is None and tense == "future" and month < published.month:
        return year + 1
    return year


def _period(published: datetime.date, parsed: Parsed) -> str:
    if parsed.unit == "week":
        year, week, _ = (published + datetime.timedelta(weeks=parsed.offset)).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if parsed.unit == "month":
        index = published.year * 12 + published.month - 1 + parsed.offset
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return f"{published.year + parsed.offset:04d}"


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    tense: str | None
    readable: bool


def find_dates(
    text: str, *, published: datetime.date | None, hints: Sequence[DateHint] = ()
) -> list[DateRef]:
    """Temporal expressions in ``text``, resolved against ``published``, in text order.

    ``hints`` are extra candidate spans (the NER model's DATE entities) with the tense of their clause.
    A hint that overlaps what the finder found lends it its tense, and its span when the hint reads as a
    longer expression ("Friday night" beside "on Friday" gives "on Friday night"). A hint the finder
    missed is kept, resolved if it can be, else with granularity "unknown"; clock times and bare numbers
    are dropped.
    """
    candidates = [_Candidate(m.start(), m.end(), None, True) for m in FINDER.finditer(text)]
    blocks = _Blocks(candidates)
    # Longest hints first, so a duplicate or nested hint only lends its tense.
    for hint in sorted(hints, key=lambda h: (h.start - h.end, h.start)):
        if hint.end > len(text):
            raise ValueError(f"DateHint span ({hint.start}, {hint.end}) lies outside a text of {len(text)}")
        _merge_hint(text, blocks, hint)
    candidates.sort(key=lambda c: c.start)
    dates: list[DateRef] = []
    previous_end = 0
    for candidate in candidates:
        if candidate.readable:
            _take_leading_word(text, candidate, previous_end)
        previous_end = candidate.end
        value, granularity = resolve(text[candidate.start : candidate.end], published, tense=candidate.tense)
        span = (candidate.start, candidate.end)
        dates.append(DateRef(text[span[0] : span[1]], span, value, granularity))
    return dates


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


class _Blocks:
    """The candidates, found by the blocks of ``BLOCK`` characters their spans touch: the candidates
    that overlap a hint are looked up, not compared one by one (an article with n dates cost n**2,
    issue #16). A candidate whose span changes is filed again; an entry left under its old span is
    checked and dropped when asked for."""

    BLOCK = 256

    def __init__(self, candidates: list[_Candidate]) -> None:
        self.candidates = candidates
        self._blocks: dict[int, list[int]] = {}
        for k in range(len(candidates)):
            self.file(k)

    def file(self, k: int) -> None:
        c = self.candidates[k]
        for block in range(c.start // self.BLOCK, max(c.start, c.end - 1) // self.BLOCK + 1):
            self._blocks.setdefault(block, []).append(k)

    def append(self, candidate: _Candidate) -> None:
        self.candidates.append(candidate)
        self.file(len(self.candidates) - 1)

    def overlapping(self, start: int, end: int) -> list[int]:
        """Positions, in order, of the candidates that share a character with [start, end)."""
        found: set[int] = set()
        for block in range(start // self.BLOCK, max(start, end - 1) // self.BLOCK + 1):
            found.update(self._blocks.get(block, ()))
        return [k for k in sorted(found) if self.candidates[k].start < end and start < self.candidates[k].end]


def _merge_hint(text: str, blocks: _Blocks, hint: DateHint) -> None:
    start, end = _trim(text, hint.start, hint.end)
    if start == end:
        return
    readable = parse(text[start:end]) is not None
    positions = blocks.overlapping(start, end)
    overlapping = [blocks.candidates[k] for k in positions]
    if not overlapping:
        if readable or _plausible_unread(text[start:end]):
            blocks.append(_Candidate(start, end, hint.tense, readable))
        return
    for candidate in overlapping:
        if candidate.tense is None:
            candidate.tense = hint.tense
    if len(overlapping) != 1 or not readable:
        return
    # One candidate, and the hint reads: take the union if it still reads, else the longer of the two.
    candidate = overlapping[0]
    union = (min(start, candidate.start), max(end, candidate.end))
    if union != (candidate.start, candidate.end) and parse(text[union[0] : union[1]]) is not None:
        candidate.start, candidate.end = union
        candidate.readable = True
        blocks.file(positions[0])
    elif end - start > candidate.end - candidate.start:
        candidate.start, candidate.end = start, end
        candidate.readable = True
        blocks.file(positions[0])


def _plausible_unread(expression: str) -> bool:
    """An unreadable hint is still worth keeping ("the 1990s", "recent weeks") unless it is a clock time,
    an age or a length of time ("four decades", "daily"), or has no word in it at all ("1,000", "10")."""
    return (
        any(ch.isalpha() for ch in expression)
        and _NOT_A_DATE.search(expression) is None
        and _DURATION.match(expression) is None
    )


def _take_leading_word(text: str, candidate: _Candidate, floor: int) -> None:
    """Take "on"/"last"/"next" ... before the span into it, if the longer span still reads."""
    if _LEADING_WORD_TAKEN.match(text, candidate.start, candidate.end):
        return  # "on Friday" already has its word; "in on Friday" would read, but wrongly
    window_start = max(floor, candidate.start - _LEADING_WINDOW)
    match = _LEADING_WORD.search(text, window_start, candidate.start)
    if match is None or match.start() < floor:
        return
    if parse(text[match.start() : candidate.end]) is not None:
        candidate.start = match.start()
