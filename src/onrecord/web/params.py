"""Query parameters of the search page and the API, read into a QuoteFilter and checked.

Every value is checked here or by :func:`onrecord.query.find_quotes` and a bad one raises QueryError
naming the parameter (the app answers 400 with that message). The API refuses parameters it does not
know (a misspelt ``spekaer`` would otherwise silently return everything); the pages ignore them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from onrecord.query import CUES, KINDS, QueryError
from onrecord.query.quotes import QuoteFilter

#: Rows of one API page when ``limit`` is not given, and the most a client may ask for.
API_LIMIT = 50
API_MAX_LIMIT = 500
#: Quotation cards on one search or person page.
PAGE_SIZE = 20
#: Deepest offset served: deeper pages of a big result cost a scan of every row before them; a
#: narrower search (dates, outlet) or a download reaches the rest.
MAX_OFFSET = 100_000
#: The orders a client may ask for (the query layer's "stored" is for exports).
ORDERS = ("newest", "oldest")
FILTER_NAMES = (
    "q",
    "speaker",
    "person",
    "outlet",
    "kind",
    "cue",
    "since",
    "until",
    "min_confidence",
    "order",
)
API_QUOTE_PARAMS = frozenset({*FILTER_NAMES, "limit", "offset"})


@dataclass(frozen=True)
class Search:
    """A search as the user gave it (for forms and links) and the QuoteFilter it means."""

    values: dict[str, str]
    filter: QuoteFilter

    def query_string(self, **changes: str | int | None) -> str:
        """The search's parameters with ``changes`` (None drops one), for links to other pages of it."""
        values: dict[str, str] = {**self.values}
        for key, value in changes.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = str(value)
        return urlencode(values)


def check_known(params: Mapping[str, str], known: Iterable[str]) -> None:
    allowed = set(known)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise QueryError(
            f"unknown parameter {unknown[0]!r}; this endpoint takes: {', '.join(sorted(allowed))}"
        )


def read_int(params: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low:,} and {high:,}, not {value:,}")
    return value


def read_search(params: Mapping[str, str], *, limit: int | None, offset: int) -> Search:
    """The filters of a quotation search; empty values count as not given (as an HTML form sends them)."""
    values = {name: params[name].strip() for name in FILTER_NAMES if params.get(name, "").strip()}
    kind = values.get("kind")
    if kind is not None and kind not in KINDS:
        raise QueryError(f"kind {kind!r} is not a kind of quotation; use one of {', '.join(KINDS)}")
    cue = values.get("cue")
    if cue is not None and cue not in CUES:
        raise QueryError(f"cue {cue!r} is not one of {', '.join(CUES)}")
    order = values.get("order", "newest")
    if order not in ORDERS:
        raise QueryError(f"order {order!r} is not one of {', '.join(ORDERS)}")
    min_confidence = None
    if "min_confidence" in values:
        try:
            min_confidence = float(values["min_confidence"])
        except ValueError:
            raise QueryError(f"min_confidence {values['min_confidence']!r} is not a number") from None
        if not 0.0 <= min_confidence <= 1.0:
            raise QueryError(f"min_confidence must be between 0 and 1, not {min_confidence}")
    person = values.get("person")
    if person is not None and not person.startswith("person:"):
        raise QueryError(f"person {person!r} is not a person id; ids look like person:vladimir-putin")
    quote_filter = QuoteFilter(
        speaker=values.get("speaker"),
        contains=values.get("q"),
        since=values.get("since"),
        until=values.get("until"),
        kind=kind,
        cue=cue,
        outlet=values.get("outlet"),
        person_id=person,
        min_confidence=min_confidence,
        order=order,
        limit=limit,
        offset=offset,
    )
    _check_dates(quote_filter)
    return Search(values, quote_filter)


def _check_dates(quote_filter: QuoteFilter) -> None:
    from onrecord.query.db import check_date

    since = check_date(quote_filter.since, "since")
    until = check_date(quote_filter.until, "until")
    if since and until and since > until + "~":
        raise QueryError(f"since {since} is after until {until}; swap them")


def unpaged(quote_filter: QuoteFilter) -> QuoteFilter:
    return replace(quote_filter, limit=None, offset=0)
