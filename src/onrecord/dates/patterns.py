"""Vocabulary and the finder pattern for English temporal expressions in news text.

Two grammars work together. The *finder* here scans running text and is strict about case: month and
weekday names must be Capitalised or UPPER CASE, so "may" the verb, "march" the verb and "sun" the star
are never dates; a bare month name needs a preposition before it ("in May", "since March"); a bare year
needs one too ("in 2009"), so that counts ("2,009 people", "in 2000 homes") are not years. The *reader*
in :mod:`onrecord.dates.parse` reads one expression at a time, case-insensitively; everything the finder
finds, the reader reads (a test checks this).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
#: Only read inside a full date ("Fri, 23 Apr 2010"): alone, "Sun" and "Wed" are too often other words.
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}

#: Prepositions and hedges that do not change which day is meant ("since Friday" and "on Friday" name
#: the same day); the finder takes them into the span, the reader skips them.
NEUTRAL_LEADS: tuple[str, ...] = (
    "on",
    "in",
    "since",
    "until",
    "till",
    "by",
    "from",
    "during",
    "before",
    "after",
    "through",
    "throughout",
)
#: Hedges before a month or year ("early 2009", "late last year"): same value, vaguer meaning.
EDGES: tuple[str, ...] = ("early", "late", "earlier", "later")

#: Newspapers, shows and days named after a weekday: "the Sunday Times", "Saturday Night Live" and "Good
#: Friday" are not last Sunday, Saturday or Friday (the first two seen in PolNeAR texts). Only applied to
#: a weekday without "last"/"next" before it.
WEEKDAY_NAMED_AFTER = (
    "Times",
    "Telegraph",
    "Post",
    "Express",
    "Mirror",
    "Herald",
    "Tribune",
    "Mail",
    "Night",
)
WEEKDAY_HOLIDAY_PREFIXES = ("Good", "Black", "Ash", "Holy", "Cyber", "Super", "Easter", "Palm")

#: Nouns that, right after a four-digit number, mark a count ("in 2000 homes"), not a year.
COUNT_NOUNS = (
    "people",
    "men",
    "women",
    "children",
    "troops",
    "soldiers",
    "homes",
    "houses",
    "years",
    "times",
    "votes",
    "dollars",
    "euros",
    "pounds",
    "percent",
    "per",
    "km",
    "miles",
    "metres",
    "meters",
    "feet",
)


def _cased(words: Iterable[str]) -> str:
    """An alternation of each word Capitalised and in UPPER CASE, longest first (so "Sept" beats "Sep")."""
    return alternation(form for word in words for form in (word.capitalize(), word.upper()))


def alternation(words: Iterable[str]) -> str:
    return "(?:" + "|".join(sorted(set(words), key=lambda word: (-len(word), word))) + ")"


# Horizontal space only: an expression never runs over a line break ("Toronto, ON\nJuly 22" is a list).
_S = r"[^\S\n]"
_MONTH_FULL = rf"{_cased(MONTHS)}\b"
# A full name never takes the period after it (that ends the sentence); an abbreviation does ("Oct. 10").
_MONTH = rf"(?:{_cased(MONTHS)}\b|{_cased(MONTH_ABBREVIATIONS)}\b\.?)"
_WEEKDAY = rf"{_cased(WEEKDAYS)}\b"
# An abbreviated weekday opens a date line ("Fri, 23 Apr 2010"); after a word it is part of a name
# ("Herald Sun, August 16, 2008").
_WEEKDAY_ABBREVIATED = rf"{_cased(WEEKDAY_ABBREVIATIONS)}\b\.?"
_WEEKDAY_ANY = rf"(?:{_cased(WEEKDAYS)}\b|(?<!\w{_S}){_WEEKDAY_ABBREVIATED})"
# Lower case only: "Friday Night Lights" is a show, "Friday night" a time.
_PART_OF_DAY = r"(?:morning|afternoon|evening|night)\b"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
# A day number that ends the expression must not be a clock time or a decimal ("October 10 pm" is rare;
# "10:30" and "10.5" are not days).
_DAY_END = rf"{_DAY}(?![.,:]\d|{_S}*(?i:[ap]\.?m)\b)"
_YEAR = r"[12]\d{3}(?![\w%]|[.,]\d)"
_YEAR_ALONE = rf"(?:1[5-9]|20)\d{{2}}(?![\w%]|[.,]\d|{_S}+(?i:{alternation(COUNT_NOUNS)})\b)"
_ISO = r"[12]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])"
_NUMERIC = r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|[12]\d|3[01])/[12]\d{3}(?![\d/])"
# "the last week" and "the next year" are spans of time ("in the last week" = the past seven days), not
# the calendar week or year before or after, so "last"/"next"/"this" after "the" are not modifiers.
_NOT_AFTER_THE = r"(?<![Tt]he\s)(?<!THE\s)"
_MOD = rf"{_NOT_AFTER_THE}(?i:last|next|this|coming)"
_LEAD = rf"(?i:{alternation(NEUTRAL_LEADS)})"
_EDGE = rf"(?i:{alternation(EDGES)})"
_NUMBER = rf"(?i:{alternation(NUMBER_WORDS)}|\d{{1,3}})"

#: A date with a year: "Friday, April 23, 2010", "23 April 2010", "2010-04-23", "4/23/2010".
FULL_DATE = (
    rf"(?:(?:{_WEEKDAY_ANY},?{_S}+)?(?:{_MONTH}{_S}+{_DAY},?{_S}+{_YEAR}|{_DAY}{_S}+(?:of{_S}+)?{_MONTH},?{_S}+{_YEAR})"
    rf"|{_ISO}|{_NUMERIC})"
)
_MONTH_YEAR = rf"{_MONTH},?{_S}+(?:of{_S}+)?{_YEAR}"
_MONTH_DAY = rf"(?:{_WEEKDAY},?{_S}+)?(?:{_MONTH}{_S}+{_DAY_END}|{_DAY}{_S}+(?:of{_S}+)?{_MONTH})"
_HOLIDAY = "".join(rf"(?<!{prefix}\s)" for prefix in WEEKDAY_HOLIDAY_PREFIXES)
_WEEKDAY_EXPR = (
    rf"(?:{_MOD}{_S}+{_WEEKDAY}|{_HOLIDAY}{_WEEKDAY}(?!{_S}+(?:{'|'.join(WEEKDAY_NAMED_AFTER)})\b))"
    rf"(?:{_S}+{_PART_OF_DAY})?"
)
_DAY_WORD = (
    rf"(?:(?i:the{_S}+day{_S}+(?:before{_S}+yesterday|after{_S}+tomorrow))"
    rf"|(?i:yesterday|today|tomorrow)\b(?:{_S}+{_PART_OF_DAY})?"
    r"|(?i:tonight)\b"
    rf"|{_NOT_AFTER_THE}(?i:last{_S}+night)\b"
    rf"|(?i:this{_S}+(?:morning|afternoon|evening))\b)"
)
_PERIOD = rf"(?:{_EDGE}{_S}+)?{_NOT_AFTER_THE}(?i:last|next|this){_S}+(?i:week|weekend|month|year)\b"
_AGO = rf"{_NUMBER}{_S}+(?i:days?|weeks?|months?|years?){_S}+(?i:ago)\b"

_OPTIONAL_LEAD = (
    rf"(?:{_LEAD}{_S}+)?"
    rf"(?:{FULL_DATE}|{_MONTH_YEAR}|{_MONTH_DAY}|{_WEEKDAY_EXPR}|{_DAY_WORD}|{_PERIOD}|{_AGO})"
)
_PRE = rf"(?:(?:{_LEAD}|{_EDGE}){_S}+|(?i:mid)-)"
# A bare month or year only counts after a preposition, a hedge or "last"/"next": "in May", "mid-2009",
# "last April" (but not "May" alone, which is a verb or a surname as often as a month).
_REQUIRED_LEAD = (
    rf"{_PRE}{{1,3}}(?:{_MONTH_YEAR}|{_MONTH_FULL}(?!{_S}*\d)|{_YEAR_ALONE})"
    rf"|{_PRE}{{0,2}}{_MOD}{_S}+{_MONTH_FULL}(?!{_S}*\d)"
)

#: The finder: leftmost match wins, and at one position the first alternative that matches, so the
#: alternatives run from the most to the least specific. A match never starts inside a word or a number
#: ("twenty-two days ago" is not "two days ago"; "$10 October" is not a date).
FINDER = re.compile(rf"(?<![\w$£€/-])(?:{_OPTIONAL_LEAD}|{_REQUIRED_LEAD})")

_STAMP = (
    rf"(?:(?:First|Last|FIRST|LAST){_S}+(?i:published|posted|updated|modified)"
    r"|Published|Posted|Updated|Modified|PUBLISHED|POSTED|UPDATED|MODIFIED)"
)
#: "Published: 23 April 2010", "Posted on 2010-04-23", "Last updated April 23, 2010".
STAMPED_DATE = re.compile(
    rf"\b(?P<stamp>{_STAMP})(?:{_S}+(?i:on|at))?{_S}*[:.-]?\s*(?P<date>(?:{_WEEKDAY_ABBREVIATED},?{_S}+)?{FULL_DATE})"
)
# An ALL-CAPS place before the date: "WASHINGTON, April 23, 2010", "BISHKEK, Kyrgyzstan, 23 April 2010".
_PLACE = rf"[A-Z][A-Z.'’-]+(?:{_S}+[A-Z][A-Z.'’-]+)*(?:,{_S}+[A-Z][A-Za-z.'’-]+(?:{_S}+[A-Z][A-Za-z.'’-]+)*)?"
#: A date at the start of a line, perhaps after an ALL-CAPS place and a comma.
LINE_DATE = re.compile(rf"^[ \t]*(?:{_PLACE},{_S}+)?(?P<date>{FULL_DATE})", re.MULTILINE)
