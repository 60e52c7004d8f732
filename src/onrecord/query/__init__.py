"""The one data-access layer over a store: the CLI, the HTTP API and Python callers all read here.

Every function takes a ``sqlite3.Connection`` or a store (anything with a ``connection``), builds
parameterised SQL only, and streams rows it returns as iterators.

>>> from onrecord.store import open_store
>>> from onrecord.query import find_quotes, list_people
>>> store = open_store(":memory:")
>>> list(find_quotes(store, speaker="Vladimir Putin", contains="air base", since="2010-04-01"))
[]
>>> list(list_people(store))
[]
"""

from __future__ import annotations

from onrecord.query.articles import (
    ArticleDetail,
    ArticleRow,
    FailureRow,
    get_article,
    list_articles,
    list_failures,
    load_analysis,
    search_articles,
)
from onrecord.query.db import Database, NotFoundError, QueryError
from onrecord.query.export import MissingExtraError, export, iter_rows
from onrecord.query.marks import Mark, mark_text, quote_marks
from onrecord.query.people import (
    Neighbour,
    PersonDetail,
    PersonRow,
    RolePeriod,
    find_person,
    get_person,
    list_people,
)
from onrecord.query.quotes import CUES, KINDS, AmbiguousSpeakerError, QuoteRow, find_quotes
from onrecord.query.stats import (
    ArticleOutlets,
    PeriodCount,
    QuotePage,
    RankedPerson,
    RoleShare,
    SourceCount,
    Totals,
    count_people,
    count_quotes,
    person_outlets,
    quotes_over_time,
    role_shares,
    search_quotes,
    sources,
    speaker_roles,
    top_people,
    totals,
)

__all__ = [
    "CUES",
    "KINDS",
    "AmbiguousSpeakerError",
    "ArticleDetail",
    "ArticleOutlets",
    "ArticleRow",
    "Database",
    "FailureRow",
    "Mark",
    "MissingExtraError",
    "Neighbour",
    "NotFoundError",
    "PeriodCount",
    "PersonDetail",
    "PersonRow",
    "QueryError",
    "QuotePage",
    "QuoteRow",
    "RankedPerson",
    "RolePeriod",
    "RoleShare",
    "SourceCount",
    "Totals",
    "count_people",
    "count_quotes",
    "export",
    "find_person",
    "find_quotes",
    "get_article",
    "get_person",
    "iter_rows",
    "list_articles",
    "list_failures",
    "list_people",
    "load_analysis",
    "mark_text",
    "person_outlets",
    "quote_marks",
    "quotes_over_time",
    "role_shares",
    "search_articles",
    "search_quotes",
    "sources",
    "speaker_roles",
    "top_people",
    "totals",
]
