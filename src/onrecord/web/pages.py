"""The web pages: overview, search, people, person, article, and the API's documentation.

Each handler reads through :mod:`onrecord.query` and renders one Jinja2 template with autoescaping on:
a value from an article (a quotation, a name, a title, an outlet) is always text in the page, never
markup. The one piece of HTML built in Python, the article's marked text, escapes every character of
it (:mod:`onrecord.web.highlight`). Links out of the record (an article's URL) are written only when
they are http or https.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from onrecord import __version__
from onrecord.query import (
    PersonDetail,
    QuoteRow,
    find_person,
    find_quotes,
    get_article,
    get_person,
    list_people,
    load_analysis,
)
from onrecord.query.stats import (
    ArticleOutlets,
    count_people,
    person_outlets,
    quotes_over_time,
    role_shares,
    search_quotes,
    sources,
    speaker_roles,
    totals,
)
from onrecord.web import charts, highlight
from onrecord.web.app import HERE, Reader
from onrecord.web.params import MAX_OFFSET, PAGE_SIZE, read_int, read_search

#: Counting stops here on a page ("1,000+ quotations"), as in the API (onrecord.web.api.COUNT_CAP).
COUNT_CAP = 1_000
#: People on the overview and on one page of the people list.
OVERVIEW_PEOPLE, PEOPLE_PAGE = 12, 50
#: Neighbours, outlets and roles shown on a person page; sources and roles on the overview.
PERSON_BESIDE, PERSON_OUTLETS, OVERVIEW_SOURCES, OVERVIEW_ROLES = 15, 12, 12, 10


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__,
        person_url=person_url,
        article_url=article_url,
        safe_url=safe_url,
        site_of=site_of,
    )
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["mark_words"] = mark_words
    return env


def mark_words(text: str, phrase: str | None) -> Markup:
    """``text`` escaped, with the words of a search ``phrase`` in ``<mark>`` (whole words, case
    ignored): what the reader searched for, found in each quotation card."""
    words = [w for w in re.findall(r"\w+", phrase or "") if w]
    if not words:
        return escape(text)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    out: list[str] = []
    last = 0
    for found in pattern.finditer(text):
        out.append(str(escape(text[last : found.start()])))
        out.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def person_url(person_id: str) -> str:
    return "/person/" + url_quote(person_id, safe=":")


def article_url(article_id: str, position: int | None = None) -> str:
    return f"/article/{url_quote(article_id)}" + (f"#q-{position}" if position is not None else "")


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) (a ``javascript:`` URL from an article is never a link)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in {"http", "https"} else None


def site_of(url: str | None) -> str | None:
    if not safe_url(url):
        return None
    host = urlsplit(str(url)).hostname
    return host.removeprefix("www.") if host else None


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    reader: Reader = request.app.state.reader
    page = (
        environment()
        .get_template(name)
        .render(request_path=request.url.path, db=Path(reader.path).name, **context)
    )
    return HTMLResponse(page, status_code=status_code)


def error_page(
    request: Request, status: int, title: str, message: str, suggestions: list[str] | None = None
) -> HTMLResponse:
    """A page that says what went wrong; ``suggestions`` (close names or ids) become links."""
    link = article_url if request.url.path.startswith("/article/") else person_url
    links = [(s, link(s)) for s in suggestions or []]
    return render(
        request, "error.html", status, title=title, message=message, suggestions=links, status=status
    )


def cards(conn: Any, quotes: list[QuoteRow]) -> list[tuple[QuoteRow, list[str]]]:
    """Quotations with the roles their articles gave their speakers, for quotation cards."""
    roles = speaker_roles(conn, [q.id for q in quotes])
    return [(q, roles.get(q.id, [])) for q in quotes]


def _pages(total: int, page: int, size: int) -> dict[str, int | None]:
    last = max(1, -(-total // size))
    return {
        "page": page,
        "last": last,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last and page * size <= MAX_OFFSET else None,
    }


# -- pages ------------------------------------------------------------------------------------------------
def overview(request: Request) -> Response:
    reader: Reader = request.app.state.reader

    def compute(conn: Any) -> dict[str, Any]:
        counts = totals(conn)
        granularity = charts.choose_granularity(counts.first_published, counts.last_published)
        people_count, roles = role_shares(conn, limit=OVERVIEW_ROLES)
        return {
            "totals": counts,
            "chart": charts.time_chart(quotes_over_time(conn, granularity=granularity), granularity),
            "people": list(list_people(conn, limit=OVERVIEW_PEOPLE)),
            "sources": sources(conn),
            "roles": roles,
            "quoted_people": people_count,
        }

    data = reader.cached(("overview",), compute)
    shown = data["sources"][:OVERVIEW_SOURCES]
    return render(request, "overview.html", **data, shown_sources=shown)


def search(request: Request) -> Response:
    params = request.query_params
    page = read_int(params, "page", 1, low=1, high=MAX_OFFSET // PAGE_SIZE + 1)
    query = read_search(params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    reader: Reader = request.app.state.reader
    conn = reader.connection
    built = reader.search_sql(query.filter)
    found = search_quotes(conn, query.filter, cap=max(COUNT_CAP, page * PAGE_SIZE), built=built)
    quotes, total, exact = found.rows, found.total, found.exact
    outlets = reader.cached(("sources",), sources)
    return render(
        request,
        "search.html",
        search=query,
        values=query.values,
        cards=cards(conn, quotes),
        total=total,
        exact=exact,
        pages=_pages(total, page, PAGE_SIZE),
        outlets=[s.outlet for s in outlets if s.outlet],
        downloads=query.query_string(),
    )


def people(request: Request) -> Response:
    page = read_int(request.query_params, "page", 1, low=1, high=MAX_OFFSET // PEOPLE_PAGE + 1)
    conn = request.app.state.reader.connection
    rows = list(list_people(conn, limit=page * PEOPLE_PAGE))[(page - 1) * PEOPLE_PAGE :]
    total = count_people(conn)
    return render(
        request,
        "people.html",
        people=rows,
        total=total,
        first=(page - 1) * PEOPLE_PAGE,
        pages=_pages(total, page, PEOPLE_PAGE),
    )


@dataclass(frozen=True)
class PersonSummary:
    """What a person page and /api/v1/people/{id} show besides the quotations themselves."""

    detail: PersonDetail
    outlets: list[ArticleOutlets]


def person_summary(reader: Reader, name_or_id: str) -> PersonSummary:
    """A person's roles over time, the people quoted beside them and their outlets. Cached until the
    store changes: for the most quoted people (thousands of quotations) these take tens of ms."""
    person_id = find_person(reader.connection, name_or_id).id

    def compute(conn: Any) -> PersonSummary:
        detail = get_person(conn, person_id, quotes_limit=0, beside_limit=PERSON_BESIDE)
        return PersonSummary(detail, person_outlets(conn, person_id, limit=PERSON_OUTLETS))

    summary: PersonSummary = reader.cached(("person", person_id), compute)
    return summary


def person(request: Request) -> Response:
    name_or_id = request.path_params["person"]
    reader: Reader = request.app.state.reader
    conn = reader.connection
    summary = person_summary(reader, name_or_id)
    detail = summary.detail
    if detail.person.id != name_or_id:  # a name, or an id from before a merge: one address per person
        return RedirectResponse(person_url(detail.person.id), status_code=307)
    params = request.query_params
    page = read_int(params, "page", 1, low=1, high=MAX_OFFSET // PAGE_SIZE + 1)
    quotes = list(
        find_quotes(conn, person_id=detail.person.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    )
    p = detail.person
    granularity = charts.choose_granularity(p.first_seen, p.last_seen)
    timeline = charts.time_chart(
        quotes_over_time(conn, granularity=granularity, person_ids=[p.id]), granularity
    )
    roles = charts.span_chart([(r.role, r.first_seen, r.last_seen, r.articles) for r in detail.roles])
    return render(
        request,
        "person.html",
        person=p,
        roles=detail.roles,
        role_chart=roles,
        timeline=timeline,
        beside=detail.beside,
        outlets=summary.outlets,
        cards=cards(conn, quotes),
        pages=_pages(p.quotes, page, PAGE_SIZE),
    )


def article(request: Request) -> Response:
    conn = request.app.state.reader.connection
    detail = get_article(conn, request.path_params["article"])
    if detail.article.id != request.path_params["article"]:  # an id prefix: redirect to the full id
        return RedirectResponse(article_url(detail.article.id), status_code=307)
    analysis = load_analysis(conn, detail.article.id)
    text = detail.article.input_text
    dates = [(d.span[0], d.span[1], d.value or d.text) for d in analysis.dates]
    marks = highlight.article_marks(detail.quotes, dates)
    anchors = [(q.quote_start, q.position) for q in detail.quotes]
    persons = {q.speaker_name: q.person_id for q in detail.quotes if q.speaker_name and q.person_id}
    return render(
        request,
        "article.html",
        detail=detail,
        a=detail.article,
        marked=highlight.render(text, marks, anchors),
        cards=cards(conn, detail.quotes),
        entities=detail.entities,
        persons=persons,
        dates=analysis.dates,
    )


def api_docs(request: Request) -> Response:
    from onrecord.web.openapi import spec

    return render(request, "api.html", spec=spec())


def favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


def routes() -> list[BaseRoute]:
    return [
        Route("/", overview),
        Route("/search", search),
        Route("/people", people),
        Route("/person/{person:path}", person),
        Route("/article/{article}", article),
        Route("/favicon.ico", favicon),
    ]
