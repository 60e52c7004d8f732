"""Reading one temporal expression into a structured form, before any publication date is known.

The reader is case-insensitive and forgiving about punctuation ("Oct. 10," reads as "oct 10"): it sees
one expression that the finder (or the NER model) has already picked out. Whatever it cannot read in full
is ``None``; partial reads would resolve "the past few weeks" to a week, which is worse than nothing.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Literal

from onrecord.dates.patterns import (
    EDGES,
    MONTH_ABBREVIATIONS,
    MONTHS,
    NEUTRAL_LEADS,
    NUMBER_WORDS,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAYS,
    alternation,
)

Kind = Literal[
    # absolute: the expression alone says which day, month, week or year
    "date",
    "year_month",
    "year",
    "iso_week",
    # relative: the publication date is needed
    "month_day",
    "month",
    "weekday",
    "day_offset",
    "period",
]
Modifier = Literal["last", "next", "this"]
Unit = Literal["week", "month", "year"]

ABSOLUTE_KINDS: frozenset[Kind] = frozenset({"date", "year_month", "year", "iso_week"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """What an expression says. Fields unused by a ``kind`` stay ``None`` (or 0 for ``offset``)."""

    kind: Kind
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    week: int | None = None
    modifier: Modifier | None = None
    unit: Unit | None = None
    #: Days for ``day_offset``; units for ``period`` (-1 = last week, 0 = this week, 2 = in two weeks).
    offset: int = 0


_ALL_MONTHS = {**MONTHS, **MONTH_ABBREVIATIONS}
_ALL_WEEKDAYS = {**WEEKDAYS, **WEEKDAY_ABBREVIATIONS}
_MODIFIERS: dict[str, Modifier] = {
    "last": "last",
    "next": "next",
    "this": "this",
    "coming": "next",
    "this coming": "next",
}

# How many days a month can have in some year: February 29 without a year is a real date.
_LEAP_YEAR = 2000


_M = alternation(_ALL_MONTHS)
_W = alternation(_ALL_WEEKDAYS)
_MODS = alternation(_MODIFIERS)
_NUM = rf"(?:{alternation(NUMBER_WORDS)}|\d{{1,3}})"
_D = r"(\d{1,2})(?:st|nd|rd|th)?"
_PART = r"(?: (?:morning|afternoon|evening|night))?"

_SPACES = re.compile(r"\s+")
_NEUTRAL = re.compile(
    rf"^(?:{alternation((*NEUTRAL_LEADS, *EDGES, 'at', 'to', 'around', 'as of', 'of', 'mid'))}"
    r"|(?:the )?(?:end|beginning|start|middle) of) "
)
_WEEKDAY_PREFIX = re.compile(rf"^{_W} (?=.*\d)")

_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ISO_WEEK = re.compile(r"^(\d{4})-w(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_DAY = re.compile(rf"^({_M}) {_D}(?: (\d{{4}}))?$")
_DAY_MONTH = re.compile(rf"^(?:the )?{_D} (?:of )?({_M})(?: (\d{{4}}))?$")
_MONTH_YEAR = re.compile(rf"^({_M}) (?:of )?(\d{{4}})$")
_MONTH = re.compile(rf"^(?:({_MODS}) )?({_M})$")
_YEAR = re.compile(r"^(?:the year )?([12]\d{3})$")
_WEEKDAY = re.compile(rf"^(?:({_MODS}) )?({_W}){_PART}$")
_DAY_WORD = re.compile(rf"^(yesterday|today|tonight|tomorrow){_PART}$")
_DAY_PHRASES: dict[str, int] = {
    "the day before yesterday": -2,
    "day before yesterday": -2,
    "the day after tomorrow": 2,
    "day after tomorrow": 2,
    "last night": -1,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
}
_DAY_WORDS: dict[str, int] = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
_PERIOD = re.compile(r"^(last|next|this|coming) (week|weekend|month|year)$")
_AGO = re.compile(rf"^({_NUM}) (day|week|month|year)s? (ago|from now|hence)$")
_PERIOD_OFFSETS = {"last": -1, "next": 1, "coming": 1, "this": 0}


def normalise(expression: str) -> str:
    """Lower case, single spaces, no commas, no abbreviation periods, no possessive ("Friday's")."""
    text = _SPACES.sub(" ", expression).strip().lower().replace("’", "'")
    text = text.replace(",", " ").replace("mid-", "mid ")
    text = re.sub(r"(?<=[a-z])\.", "", text)
    text = re.sub(r"'s\b", "", text)
    return _SPACES.sub(" ", text).strip(" .;:!?()[]\"'“”")


def _strip_neutral(text: str) -> str:
    """Drop leading prepositions and hedges, however many ("since early", "in mid"), keeping the rest."""
    while True:
        match = _NEUTRAL.match(text)
        if match is None or match.end() >= len(text):
            return text
        text = text[match.end() :]


def _month_day_exists(month: int, day: int, year: int | None) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or _LEAP_YEAR, month)[1]


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _read_numeric(text: str) -> Parsed | None:
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _full_date(year, month, day)
    if match := _NUMERIC.match(text):
        first, second, year = (int(g) for g in match.groups())
        # US order (month first) unless the first number cannot be a month: "23/4/2010" is April 23.
        month, day = (second, first) if first > 12 >= second else (first, second)
        return _full_date(year, month, day)
    if match := _ISO_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        return Parsed("year_month", year=year, month=month) if 1 <= month <= 12 else None
    if match := _ISO_WEEK.match(text):
        year, week = int(match[1]), int(match[2])
        try:
            datetime.date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
        return Parsed("iso_week", year=year, week=week)
    if match := _YEAR.match(text):
        return Parsed("year", year=int(match[1]))
    return None


def _full_date(year: int, month: int, day: int) -> Parsed | None:
    if not _month_day_exists(month, day, year):
        return None
    return Parsed("date", year=year, month=month, day=day)


def _month_day_or_date(month: int, day: int, year: str | None) -> Parsed | None:
    if year is not None:
        return _full_date(int(year), month, day)
    if not _month_day_exists(month, day, None):
        return None
    return Parsed("month_day", month=month, day=day)


def _read_named(text: str) -> Parsed | None:
    """Expressions with a month or weekday name."""
    if match := _MONTH_DAY.match(text):
        return _month_day_or_date(_ALL_MONTHS[match[1]], int(match[2]), match[3])
    if match := _DAY_MONTH.match(text):
        return _month_day_or_date(_ALL_MONTHS[match[2]], int(match[1]), match[3])
    if match := _MONTH_YEAR.match(text):
        return Parsed("year_month", year=int(match[2]), month=_ALL_MONTHS[match[1]])
    if match := _MONTH.match(text):
        modifier = _MODIFIERS[match[1]] if match[1] else None
        return Parsed("month", month=_ALL_MONTHS[match[2]], modifier=modifier)
    if match := _WEEKDAY.match(text):
        modifier = _MODIFIERS[match[1]] if match[1] else None
        return Parsed("weekday", weekday=_ALL_WEEKDAYS[match[2]], modifier=modifier)
    return None


def _read_relative(text: str) -> Parsed | None:
    """Expressions that count from the publication date: "yesterday", "last week", "two days ago"."""
    if text in _DAY_PHRASES:
        return Parsed("day_offset", offset=_DAY_PHRASES[text])
    if match := _DAY_WORD.match(text):
        return Parsed("day_offset", offset=_DAY_WORDS[match[1]])
    if match := _PERIOD.match(text):
        unit: Unit = "week" if match[2] == "weekend" else match[2]  # type: ignore[assignment]
        return Parsed("period", unit=unit, offset=_PERIOD_OFFSETS[match[1]])
    if match := _AGO.match(text):
        count = _number(match[1]) * (-1 if match[3] == "ago" else 1)
        if match[2] == "day":
            return Parsed("day_offset", offset=count)
        return Parsed("period", unit=match[2], offset=count)  # type: ignore[arg-type]
    return None


def parse(expression: str) -> Parsed | None:
    """Read ``expression`` in full, or return ``None``."""
    text = _strip_neutral(normalise(expression))
    if not text:
        return None
    # "Friday, April 23, 2010": the date says it all; the weekday adds nothing to resolve.
    if (match := _WEEKDAY_PREFIX.match(text)) is not None:
        parsed = _read_numeric(text[match.end() :]) or _read_named(text[match.end() :])
        return parsed if parsed is not None and parsed.kind in ("date", "month_day") else None
    return _read_numeric(text) or _read_named(text) or _read_relative(text)
