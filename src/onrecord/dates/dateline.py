"""The publication date as the article itself states it: a dateline or a "Published:" line.

Only dates in dateline position count: at the start of the text or of a line (perhaps after an ALL-CAPS
place and a comma, "WASHINGTON, April 23, 2010 (Reuters) -"), or after "Published", "Posted" or
"Updated". A date in the first sentence of ordinary prose is about the story, not the paper.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from onrecord.dates.parse import parse
from onrecord.dates.patterns import LINE_DATE, STAMPED_DATE

#: Datelines sit at the top: a headline, a byline and the dateline fit in this many characters; further
#: down, a date at the start of a line is more often a list or prose. Not tuned: the 24 Wikinews texts
#: (shared/data/gum-wikinews) open with their date and the 181 AEB article bodies have none found.
DATELINE_WINDOW = 600

# Which kind of date wins when a text has several: the publication stamp, then the dateline, then the
# last-updated stamp (the update is later than publication, so it is only a fallback).
_RANK_PUBLISHED = 0
_RANK_DATELINE = 1
_RANK_UPDATED = 2


class _Found(NamedTuple):
    rank: int
    start: int
    end: int
    date: datetime.date


def find_dateline(text: str) -> tuple[datetime.date, tuple[int, int]] | None:
    """The publication date stated in ``text`` and the span of the date expression, or ``None``."""
    found: list[_Found] = []
    for match in STAMPED_DATE.finditer(text):
        stamp = match["stamp"].lower()
        # A stamp counts near the top anywhere in a line ("By Jane Doe | Published 23 April 2010"), and
        # further down only when it opens its line (a footer), not in prose ("the figures, published ...").
        if match.start() >= DATELINE_WINDOW and not _opens_line(text, match.start()):
            continue
        rank = _RANK_UPDATED if ("updated" in stamp or "modified" in stamp) else _RANK_PUBLISHED
        _add(found, rank, match.start("date"), match.end("date"), text)
    for match in LINE_DATE.finditer(text, 0, DATELINE_WINDOW):
        _add(found, _RANK_DATELINE, match.start("date"), match.end("date"), text)
    if not found:
        return None
    best = min(found)
    return best.date, (best.start, best.end)


def _opens_line(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    return not text[line_start:position].strip()


def _add(found: list[_Found], rank: int, start: int, end: int, text: str) -> None:
    parsed = parse(text[start:end])
    if parsed is None or parsed.kind != "date":
        return
    assert parsed.year is not None and parsed.month is not None and parsed.day is not None
    found.append(_Found(rank, start, end, datetime.date(parsed.year, parsed.month, parsed.day)))
