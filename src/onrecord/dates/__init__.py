"""Temporal expressions in news text, resolved against the publication date.

>>> import datetime
>>> from onrecord.dates import find_dates
>>> [(d.text, d.value) for d in find_dates("She said on Friday.", published=datetime.date(2010, 4, 23))]
[('on Friday', '2010-04-23')]
"""

from __future__ import annotations

from onrecord.dates.dateline import DATELINE_WINDOW, find_dateline
from onrecord.dates.resolve import TENSES, DateHint, Granularity, Tense, find_dates, resolve

__all__ = [
    "DATELINE_WINDOW",
    "TENSES",
    "DateHint",
    "Granularity",
    "Tense",
    "find_dateline",
    "find_dates",
    "resolve",
]
