"""Statistics over the record: quotations over time, the most quoted people per outlet, roles, sources.

These are the aggregates the web app's overview, person pages and ``/api/v1/stats`` show. Like the rest
of :mod:`onrecord.query` they take a connection or a store, build parameterised SQL only, and check
their options (QueryError). Dates are the quotations' publication dates (``quotes.published``, copied
from the article), so every count here uses the ``quotes_published`` and ``quotes_person`` indexes.

Outlets: an article can be stored from several sources (wire copies), each with its own outlet; a
quotation counts once for every distinct outlet that carried its article (``article_sources``).
Sources without an outlet are counted under ``None`` here; :func:`sources` also names their web site.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from onrecord.query.db import Database, QueryError, check_date, connection_of, dict_rows
from onrecord.query.quotes import ORDERS, QUOTE_SELECT, QuoteFilter, QuoteRow, quotes_query

Granularity = Literal["day", "month", "year"]
#: Characters of an ISO date kept for each granularity ("2010-04-23"[:7] is the month).
GRANULARITIES: dict[str, int] = {"day": 10, "month": 7, "year": 4}
#: At most this many people in one quotes-per-day request: each is one index range of quotes_person.
MAX_PEOPLE = 20


@dataclass(frozen=True)
class PeriodCount:
    """Quotations in one period (a day, month or year), of one person or (person_id None) of all."""

    period: str
    quotes: int
    person_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankedPerson:
    """A person's place among the most quoted of one outlet (or of all, outlet None) in a period."""

    outlet: str | None
    rank: int
    person_id: str
    name: str
    quotes: int
    articles: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RoleShare:
    """A role (as written, compared without case) and the share of the quoted people who were given it."""

    role: str
    people: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SourceCount:
    """An outlet (or, for sources stored without one, their web site) and what it carried."""

    outlet: str | None
    site: str | None
    articles: int
    quotes: int

    @property
    def label(self) -> str:
        return self.outlet or self.site or "unknown source"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


@dataclass(frozen=True)
class Totals:
    articles: int
    quotes: int
    statements: int
    people: int
    first_published: str | None
    last_published: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleOutlets:
    """Outlets that quoted a person, with how many of the person's quotations each carried."""

    outlet: str | None
    quotes: int
    articles: int
    sites: list[str] = field(default_factory=list)


def period_filter(
    since: str | None, until: str | None, *, column: str = "q.published"
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if (since := check_date(since, "since")) is not None:
        where.append(f"{column} >= ?")
        params.append(since)
    if (until := check_date(until, "until")) is not None:
        where.append(f"{column} <= ?")
        params.append(until + "~")  # "~" sorts after digits: until 2010-04 takes in 2010-04-30
    return where, params


def outlet_filter(outlet: str | None) -> tuple[list[str], list[Any]]:
    if outlet is None:
        return [], []
    return ["q.article_id IN (SELECT article_id FROM article_sources WHERE outlet = ? COLLATE NOCASE)"], [
        outlet
    ]


def _granularity(granularity: str) -> int:
    if granularity not in GRANULARITIES:
        raise QueryError(f"granularity {granularity!r} is not one of {', '.join(GRANULARITIES)}")
    return GRANULARITIES[granularity]


def quotes_over_time(
    db: Database,
    *,
    granularity: str = "day",
    person_ids: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
) -> list[PeriodCount]:
    """Quotations per period, oldest first; per person when ``person_ids`` are given (at most
    MAX_PEOPLE), else of everyone (``person_id`` None). Undated quotations are not counted."""
    width = _granularity(granularity)
    if len(person_ids) > MAX_PEOPLE:
        raise QueryError(f"at most {MAX_PEOPLE} people at once; {len(person_ids)} were given")
    where, params = period_filter(since, until)
    where.append("q.published IS NOT NULL")
    more, values = outlet_filter(outlet)
    where += more
    params += values
    conn = connection_of(db)
    if not person_ids:
        sql = (
            f"SELECT substr(q.published, 1, {width}) AS period, count(*) FROM quotes q "
            f"WHERE {' AND '.join(where)} GROUP BY period ORDER BY period"
        )
        return [PeriodCount(period, n) for period, n in conn.execute(sql, params)]
    marks = ",".join("?" * len(person_ids))
    sql = (
        f"SELECT substr(q.published, 1, {width}) AS period, q.person_id, count(*) FROM quotes q "
        f"WHERE q.person_id IN ({marks}) AND {' AND '.join(where)} "
        "GROUP BY period, q.person_id ORDER BY period, q.person_id"
    )
    rows = conn.execute(sql, [*person_ids, *params])
    return [PeriodCount(period, n, person) for period, person, n in rows]


def top_people(
    db: Database,
    *,
    outlet: str | None = None,
    by_outlet: bool = False,
    since: str | None = None,
    until: str | None = None,
    limit: int = 10,
) -> list[RankedPerson]:
    """The most quoted people (quotations linked to a person) in a period: of all outlets together,
    of one ``outlet``, or (``by_outlet``) the first ``limit`` of each outlet. Ties go by name."""
    if limit < 1:
        raise QueryError(f"limit must be 1 or more, not {limit}")
    where, params = period_filter(since, until)
    where.append("q.person_id IS NOT NULL")
    conn = connection_of(db)
    if not by_outlet:
        more, values = outlet_filter(outlet)
        sql = (
            "SELECT q.person_id, p.name, count(*) AS n, count(DISTINCT q.article_id) FROM quotes q "
            f"JOIN persons p ON p.id = q.person_id WHERE {' AND '.join(where + more)} "
            "GROUP BY q.person_id ORDER BY n DESC, p.name, q.person_id LIMIT ?"
        )
        rows = conn.execute(sql, [*params, *values, limit])
        return [RankedPerson(outlet, i + 1, *row) for i, row in enumerate(rows)]
    if outlet is not None:
        where.append("s.outlet = ? COLLATE NOCASE")
        params.append(outlet)
    sql = f"""
        SELECT outlet, rank, person_id, name, n, articles FROM (
            SELECT s.outlet AS outlet, q.person_id AS person_id, p.name AS name, count(*) AS n,
                   count(DISTINCT q.article_id) AS articles,
                   row_number() OVER (PARTITION BY s.outlet ORDER BY count(*) DESC, p.name) AS rank
            FROM quotes q
            JOIN (SELECT DISTINCT article_id, outlet FROM article_sources) s ON s.article_id = q.article_id
            JOIN persons p ON p.id = q.person_id
            WHERE {" AND ".join(where)}
            GROUP BY s.outlet, q.person_id
        ) WHERE rank <= ? ORDER BY outlet IS NULL, outlet, rank
    """
    return [RankedPerson(*row) for row in conn.execute(sql, [*params, limit])]


def role_shares(
    db: Database,
    *,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    limit: int = 20,
) -> tuple[int, list[RoleShare]]:
    """The quoted people of a period (with a person) and, for each role the articles gave them when
    quoting them, the share of those people who had it; the ``limit`` most common roles. A person with
    several roles counts for each, so the shares add up to more than 1. Returns (people, shares)."""
    if limit < 1:
        raise QueryError(f"limit must be 1 or more, not {limit}")
    where, params = period_filter(since, until)
    where.append("q.person_id IS NOT NULL")
    more, values = outlet_filter(outlet)
    where += more
    params += values
    conn = connection_of(db)
    condition = " AND ".join(where)
    (people,) = conn.execute(f"SELECT count(DISTINCT q.person_id) FROM quotes q WHERE {condition}", params)
    total = int(people[0])
    if not total:
        return 0, []
    sql = (
        "SELECT min(r.value), count(DISTINCT q.person_id) AS n FROM quotes q "
        "JOIN entities e ON e.article_id = q.article_id AND e.entity_id = q.speaker_entity, "
        f"json_each(e.roles) r WHERE {condition} "
        "GROUP BY lower(r.value) ORDER BY n DESC, lower(r.value) LIMIT ?"
    )
    shares = [RoleShare(role, n, round(n / total, 4)) for role, n in conn.execute(sql, [*params, limit])]
    return total, shares


def sources(db: Database, *, limit: int | None = None) -> list[SourceCount]:
    """Outlets by the quotations of the articles they carried (then articles, then name); sources stored
    without an outlet are grouped by the web site of their URL."""
    conn = connection_of(db)
    counts: dict[tuple[str | None, str | None], list[int]] = {}
    rows = conn.execute(
        "SELECT s.outlet, s.url, a.quote_count FROM article_sources s JOIN articles a ON a.id = s.article_id"
    )
    for outlet, url, quote_count in rows:
        site = None if outlet else _site(url)
        key = (outlet, site)
        entry = counts.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += quote_count
    found = [SourceCount(outlet, site, n, q) for (outlet, site), (n, q) in counts.items()]
    found.sort(key=lambda s: (-s.quotes, -s.articles, s.label.lower()))
    return found[:limit] if limit is not None else found


def person_outlets(db: Database, person_id: str, *, limit: int = 20) -> list[ArticleOutlets]:
    """The outlets that carried a person's quotations, most first (sources without an outlet together,
    as None, with their web sites)."""
    conn = connection_of(db)
    rows = conn.execute(
        "SELECT s.outlet, s.url, q.article_id, count(*) FROM quotes q "
        "JOIN article_sources s ON s.article_id = q.article_id WHERE q.person_id = ? "
        "GROUP BY s.outlet, s.url, q.article_id",
        (person_id,),
    )
    grouped: dict[str | None, tuple[int, set[str], set[str]]] = {}
    for outlet, url, article_id, n in rows:
        quotes, articles, sites = grouped.get(outlet, (0, set(), set()))
        if article_id not in articles:
            quotes += n
        articles.add(article_id)
        if outlet is None and (site := _site(url)):
            sites.add(site)
        grouped[outlet] = (quotes, articles, sites)
    found = [ArticleOutlets(o, q, len(a), sorted(s)) for o, (q, a, s) in grouped.items()]
    found.sort(key=lambda o: (-o.quotes, o.outlet is None, (o.outlet or "").lower()))
    return found[:limit]


def totals(db: Database) -> Totals:
    """How much the store holds, and the dates of its first and last dated quotation."""
    conn = connection_of(db)

    def one(sql: str) -> Any:
        return conn.execute(sql).fetchone()[0]

    return Totals(
        articles=int(one("SELECT count(*) FROM articles")),
        quotes=int(one("SELECT count(*) FROM quotes")),
        statements=int(one("SELECT count(*) FROM statements")),
        people=int(one("SELECT count(*) FROM persons")),
        first_published=one("SELECT min(published) FROM quotes"),
        last_published=one("SELECT max(published) FROM quotes"),
    )


def speaker_roles(db: Database, quote_ids: Sequence[str]) -> dict[str, list[str]]:
    """The roles the article gave each quotation's speaker (by quote id; quotations whose speaker has
    no role are left out). For quotation cards: "Hamdullah Mohib, Afghan Ambassador"."""
    if not quote_ids:
        return {}
    conn = connection_of(db)
    found: dict[str, list[str]] = {}
    for start in range(0, len(quote_ids), 500):
        chunk = list(quote_ids[start : start + 500])
        rows = conn.execute(
            "SELECT q.id, e.roles FROM quotes q JOIN entities e "
            "ON e.article_id = q.article_id AND e.entity_id = q.speaker_entity "
            f"WHERE q.id IN ({','.join('?' * len(chunk))}) AND e.roles != '[]'",
            chunk,
        )
        found.update((quote_id, json.loads(roles)) for quote_id, roles in rows)
    return found


def fingerprint(db: Database) -> tuple[int, ...]:
    """Numbers that change whenever an ingest or a correction writes (the largest primary keys, which
    only grow, and the counts of the small tables): what a cache of these statistics is keyed on."""
    conn = connection_of(db)
    row = conn.execute(
        "SELECT (SELECT max(pk) FROM quotes), (SELECT max(pk) FROM articles), "
        "(SELECT count(*) FROM persons), (SELECT count(*) FROM failures), (SELECT max(id) FROM corrections)"
    ).fetchone()
    return tuple(int(v or 0) for v in row)


def _site(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


@dataclass(frozen=True)
class QuotePage:
    """One page of a quotation search and how many rows the whole search has (counted up to a cap)."""

    rows: list[QuoteRow]
    total: int
    exact: bool


def search_sql(db: Database, query: QuoteFilter) -> tuple[str, list[Any]]:
    """The SELECT and parameters of ``query``'s filters, without order or paging (what
    :func:`search_quotes` runs twice). It depends only on the filters and the stored names, so a
    caller may keep it while the store is unchanged: a ``speaker`` is matched against every stored
    speaker name in Python, 4 ms on 100,000 quotations."""
    sql, params = quotes_query(connection_of(db), replace(query, order="stored", limit=None, offset=0))
    # quotes_query ends with " ORDER BY <the order>" when it is given no limit: cut it off.
    return sql.rpartition(" ORDER BY ")[0], params


def search_quotes(
    db: Database, query: QuoteFilter, *, cap: int, built: tuple[str, list[Any]] | None = None
) -> QuotePage:
    """The page of :func:`~onrecord.query.find_quotes` that ``query`` asks for (its limit and offset)
    and the search's row count, counting at most ``cap`` rows (``exact`` is False past it).

    The filters are turned into SQL once for both statements (or taken from ``built``, what
    :func:`search_sql` returned for the same filters on the same store).
    """
    conn = connection_of(db)
    base, params = built if built is not None else search_sql(conn, query)
    if query.order not in ORDERS:
        raise QueryError(f"order {query.order!r} is not one of {', '.join(ORDERS)}")
    order = ORDERS[query.order]
    if base.startswith(QUOTE_SELECT):
        # Sort the matching keys alone, then read the page's rows: sorting whole rows (content, title,
        # joins) took 30 to 40 % longer for a common word's 10,000 matches. Both orders are total.
        where = base[len(QUOTE_SELECT) :]
        page_sql = (
            f"{QUOTE_SELECT} WHERE q.pk IN (SELECT q.pk FROM quotes q{where} ORDER BY {order} "
            f"LIMIT ? OFFSET ?) ORDER BY {order}"
        )
    else:
        page_sql = f"{base} ORDER BY {order} LIMIT ? OFFSET ?"
    limit = -1 if query.limit is None else query.limit
    rows = [QuoteRow.from_row(r) for r in dict_rows(conn.execute(page_sql, [*params, limit, query.offset]))]
    (found,) = conn.execute(_count_sql(base), [*params, cap + 1]).fetchone()
    return QuotePage(rows, min(int(found), cap), int(found) <= cap)


def _count_sql(base: str) -> str:
    """A count over the rows of ``base`` (a quotes_query without its ORDER BY), capped by a LIMIT
    parameter. Every filter of quotes_query is on the quotes table alone, so the count reads the quotes
    without their article and person: 4 to 7 times faster on 100,000 quotations (docs/web.md)."""
    if base.startswith(QUOTE_SELECT):
        base = "SELECT 1 FROM quotes q" + base[len(QUOTE_SELECT) :]
    return f"SELECT count(*) FROM ({base} LIMIT ?)"


def count_quotes(db: Database, query: QuoteFilter, *, cap: int) -> tuple[int, bool]:
    """How many quotations a search finds, counting at most ``cap`` + 1 of them: (count, exact). A
    search over millions of rows stops early; a page says "10,000+" rather than wait for the rest."""
    conn = connection_of(db)
    sql, params = quotes_query(conn, replace(query, order="stored", limit=None, offset=0))
    (found,) = conn.execute(_count_sql(sql.rpartition(" ORDER BY ")[0]), [*params, cap + 1]).fetchone()
    return (min(int(found), cap), int(found) <= cap)


def count_people(db: Database, *, min_statements: int = 1) -> int:
    """How many people :func:`~onrecord.query.list_people` lists with the same ``min_statements``."""
    conn = connection_of(db)
    row = conn.execute("SELECT count(*) FROM persons WHERE statements >= ?", (min_statements,)).fetchone()
    return int(row[0])
