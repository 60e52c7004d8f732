"""The REST API under /api/v1: JSON over the query layer, and CSV or JSON Lines downloads of a search.

Lists are paged with ``limit`` and ``offset`` over a total order (quotations: publication date, then
article id, then position in the article; people: statements, quotes, name, id), so walking the pages
of an unchanged store gives every row once. Bad parameters are answered 400, unknown people and
articles 404, both as ``{"error": {"status", "code", "message"}}``. The spec is /api/v1/openapi.json.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from onrecord import __version__
from onrecord.query import (
    NotFoundError,
    QueryError,
    QuoteRow,
    find_person,
    find_quotes,
    get_article,
    list_people,
)
from onrecord.query.export import COLUMNS, write_csv, write_jsonl
from onrecord.query.stats import (
    MAX_PEOPLE,
    count_people,
    count_quotes,
    quotes_over_time,
    role_shares,
    search_quotes,
    sources,
    speaker_roles,
    top_people,
    totals,
)
from onrecord.store import corrections as log
from onrecord.store import open_store
from onrecord.store.corrections import CorrectionError
from onrecord.web.app import API_PREFIX, Reader, connect_readonly
from onrecord.web.params import (
    API_LIMIT,
    API_MAX_LIMIT,
    API_QUOTE_PARAMS,
    FILTER_NAMES,
    MAX_OFFSET,
    Search,
    check_known,
    read_int,
    read_search,
    unpaged,
)

#: Counting a search's rows stops here (past it ``total_exact`` is false): counting a common word's
#: 10,000 matches took 14 ms on 100,000 quotations, as long as the rest of the request.
COUNT_CAP = 1_000
#: Rows of a download sent per chunk: large enough to keep the per-chunk overhead small.
STREAM_ROWS = 500
#: A person's quotations in ``/people/{id}`` when ``quotes`` is not given, and the most served there.
PERSON_QUOTES = 20
PERSON_MAX_QUOTES = 500


def reader_of(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader


def quote_item(quote: QuoteRow, roles: dict[str, list[str]]) -> dict[str, Any]:
    """A quotation as the API gives it: the stored row, plus who said it for a reader, the roles the
    article gave the speaker, and links to the article (API) and to the quotation in its page."""
    return {
        **row_dict(quote),
        "speaker": quote.speaker,
        "speaker_roles": roles.get(quote.id, []),
        "links": {
            "article": f"{API_PREFIX}/articles/{quote.article_id}",
            "context": f"/article/{quote.article_id}#q-{quote.position}",
            "person": f"{API_PREFIX}/people/{quote.person_id}" if quote.person_id else None,
        },
    }


def row_dict(row: Any) -> dict[str, Any]:
    """A query row's fields as a dict: what ``to_dict`` gives, without its deep copy (dataclasses'
    ``asdict`` took a third of an API search's time). The row's lists are shared, not copied."""
    return dict(vars(row))


def quote_items(conn: Any, quotes: list[QuoteRow]) -> list[dict[str, Any]]:
    roles = speaker_roles(conn, [q.id for q in quotes])
    return [quote_item(q, roles) for q in quotes]


def _page_links(request: Request, search: Search, total: int, exact: bool) -> dict[str, str | None]:
    limit, offset = search.filter.limit or API_LIMIT, search.filter.offset
    base = str(request.url.path)
    more = offset + limit < total or (not exact and offset + limit <= total)
    nxt = offset + limit if more and offset + limit <= MAX_OFFSET else None
    prev = max(0, offset - limit) if offset else None
    return {
        "next": f"{base}?{search.query_string(limit=limit, offset=nxt)}" if nxt is not None else None,
        "prev": f"{base}?{search.query_string(limit=limit, offset=prev)}" if prev is not None else None,
    }


def quotes(request: Request) -> Response:
    params = request.query_params
    check_known(params, API_QUOTE_PARAMS)
    limit = read_int(params, "limit", API_LIMIT, low=1, high=API_MAX_LIMIT)
    offset = read_int(params, "offset", 0, low=0, high=MAX_OFFSET)
    search = read_search(params, limit=limit, offset=offset)
    conn = reader_of(request).connection
    built = reader_of(request).search_sql(search.filter)
    page = search_quotes(conn, search.filter, cap=max(COUNT_CAP, offset + limit), built=built)
    rows, total, exact = page.rows, page.total, page.exact
    return JSONResponse(
        {
            "total": total,
            "total_exact": exact,
            "limit": limit,
            "offset": offset,
            "order": search.filter.order,
            "filters": {k: v for k, v in search.values.items() if k != "order"},
            **_page_links(request, search, total, exact),
            "items": quote_items(conn, rows),
        }
    )


def _download(request: Request, fmt: str) -> Response:
    params = request.query_params
    check_known(params, FILTER_NAMES)
    search = read_search(params, limit=None, offset=0)
    reader = reader_of(request)
    # Checked now, on the request's connection, so a bad search is a 400 and not a broken stream.
    count_quotes(reader.connection, search.filter, cap=0)
    media = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}[fmt]
    return StreamingResponse(
        _stream(reader.path, search, fmt),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="onrecord-quotes.{fmt}"'},
    )


def _stream(path: str, search: Search, fmt: str) -> Iterator[str]:
    """The rows of a search as CSV or JSON Lines, STREAM_ROWS at a time, on a connection of its own
    (the chunks are read from different threads of the pool, one after the other)."""
    conn = connect_readonly(path)
    try:
        rows = (row.to_dict() for row in find_quotes(conn, unpaged(search.filter)))
        columns = COLUMNS["quotes"]
        if fmt == "csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerow([name for name, _ in columns])
            yield buffer.getvalue()
        while batch := list(itertools.islice(rows, STREAM_ROWS)):
            buffer = io.StringIO()
            if fmt == "csv":
                _write_csv_rows(batch, columns, buffer)
            else:
                write_jsonl(batch, buffer)
            yield buffer.getvalue()
    finally:
        conn.close()


def _write_csv_rows(rows: list[dict[str, Any]], columns: Any, out: io.StringIO) -> None:
    """CSV rows as `onrecord export --format csv` writes them (lists as JSON text, cells that would
    start a spreadsheet formula neutralised), without the header."""
    write_csv(rows, columns, out, header=False)


def quotes_csv(request: Request) -> Response:
    return _download(request, "csv")


def quotes_jsonl(request: Request) -> Response:
    return _download(request, "jsonl")


def people(request: Request) -> Response:
    params = request.query_params
    check_known(params, {"limit", "offset", "min_statements"})
    limit = read_int(params, "limit", API_LIMIT, low=1, high=API_MAX_LIMIT)
    offset = read_int(params, "offset", 0, low=0, high=MAX_OFFSET)
    min_statements = read_int(params, "min_statements", 1, low=1, high=1_000_000_000)
    conn = reader_of(request).connection
    rows = list(list_people(conn, limit=offset + limit, min_statements=min_statements))[offset:]
    total = count_people(conn, min_statements=min_statements)
    base = f"{API_PREFIX}/people?min_statements={min_statements}&limit={limit}"
    return JSONResponse(
        {
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": f"{base}&offset={offset + limit}" if offset + limit < total else None,
            "prev": f"{base}&offset={max(0, offset - limit)}" if offset else None,
            "items": [{**p.to_dict(), "links": {"page": f"/person/{p.id}"}} for p in rows],
        }
    )


def person(request: Request) -> Response:
    from onrecord.web.pages import person_summary

    params = request.query_params
    check_known(params, {"quotes"})
    limit = read_int(params, "quotes", PERSON_QUOTES, low=0, high=PERSON_MAX_QUOTES)
    reader = reader_of(request)
    conn = reader.connection
    summary = person_summary(reader, request.path_params["person"])
    person_id = summary.detail.person.id
    body = summary.detail.to_dict()
    body["quoted"] = quote_items(
        conn, list(find_quotes(conn, person_id=person_id, order="oldest", limit=limit))
    )
    body["outlets"] = [
        {"outlet": o.outlet, "quotes": o.quotes, "articles": o.articles, "sites": o.sites}
        for o in summary.outlets
    ]
    body["quotes_per_month"] = [
        {"period": p.period, "quotes": p.quotes}
        for p in quotes_over_time(conn, granularity="month", person_ids=[person_id])
    ]
    body["links"] = {
        "page": f"/person/{person_id}",
        "quotes": f"{API_PREFIX}/quotes?person={person_id}",
    }
    return JSONResponse(body)


def article(request: Request) -> Response:
    check_known(request.query_params, ())
    from onrecord.query import load_analysis

    conn = reader_of(request).connection
    detail = get_article(conn, request.path_params["article"])
    analysis = load_analysis(conn, detail.article.id)
    body = detail.to_dict()
    body["quotes"] = quote_items(conn, detail.quotes)
    mentions = {e.id: [list(m) for m in e.mentions] for e in analysis.entities}
    for entity in body["entities"]:
        entity["mentions"] = mentions.get(entity["id"], [])
    body["dates"] = [
        {"text": d.text, "span": list(d.span), "value": d.value, "granularity": d.granularity}
        for d in analysis.dates
    ]
    body["links"] = {"page": f"/article/{detail.article.id}"}
    return JSONResponse(body)


def _period(request: Request, extra: set[str]) -> dict[str, str | None]:
    params = request.query_params
    check_known(params, {"since", "until", "outlet", *extra})
    return {name: (params.get(name) or None) for name in ("since", "until", "outlet")}


def stats(request: Request) -> Response:
    check_known(request.query_params, ())
    reader = reader_of(request)
    return JSONResponse(
        {
            **reader.cached(("totals",), lambda c: totals(c).to_dict()),
            "links": {
                name: f"{API_PREFIX}/stats/{name}"
                for name in ("quotes-per-day", "top-people", "roles", "sources")
            },
        }
    )


def stats_quotes_per_day(request: Request) -> Response:
    period = _period(request, {"person", "granularity"})
    granularity = request.query_params.get("granularity") or "day"
    person_ids = request.query_params.getlist("person")
    if len(person_ids) > MAX_PEOPLE:
        raise QueryError(f"at most {MAX_PEOPLE} person parameters; {len(person_ids)} were given")
    key = ("per-day", granularity, tuple(person_ids), *period.values())
    rows = reader_of(request).cached(
        key,
        lambda c: [
            p.to_dict() for p in quotes_over_time(c, granularity=granularity, person_ids=person_ids, **period)
        ],
    )
    return JSONResponse({"granularity": granularity, "people": person_ids, **period, "items": rows})


def stats_top_people(request: Request) -> Response:
    period = _period(request, {"limit", "by_outlet"})
    limit = read_int(request.query_params, "limit", 10, low=1, high=100)
    by_outlet = _flag(request, "by_outlet")
    key = ("top", limit, by_outlet, *period.values())
    rows = reader_of(request).cached(
        key, lambda c: [r.to_dict() for r in top_people(c, limit=limit, by_outlet=by_outlet, **period)]
    )
    return JSONResponse({**period, "by_outlet": by_outlet, "limit": limit, "items": rows})


def stats_roles(request: Request) -> Response:
    period = _period(request, {"limit"})
    limit = read_int(request.query_params, "limit", 20, low=1, high=200)
    people_count, shares = reader_of(request).cached(
        ("roles", limit, *period.values()), lambda c: role_shares(c, limit=limit, **period)
    )
    return JSONResponse({**period, "quoted_people": people_count, "items": [s.to_dict() for s in shares]})


def stats_sources(request: Request) -> Response:
    check_known(request.query_params, {"limit"})
    limit = read_int(request.query_params, "limit", 100, low=1, high=10_000)
    rows = reader_of(request).cached(("sources", limit), lambda c: sources(c, limit=limit))
    return JSONResponse({"items": [s.to_dict() for s in rows]})


def _flag(request: Request, name: str) -> bool:
    raw = (request.query_params.get(name) or "false").lower()
    if raw not in {"true", "false", "1", "0"}:
        raise QueryError(f"{name} {raw!r} is not true or false")
    return raw in {"true", "1"}


def index(request: Request) -> Response:
    return JSONResponse(
        {
            "name": "onrecord",
            "version": __version__,
            "openapi": f"{API_PREFIX}/openapi.json",
            "docs": f"{API_PREFIX}/docs",
            "endpoints": [
                f"{API_PREFIX}/quotes",
                f"{API_PREFIX}/quotes.csv",
                f"{API_PREFIX}/quotes.jsonl",
                f"{API_PREFIX}/people",
                f"{API_PREFIX}/people/{{person}}",
                f"{API_PREFIX}/articles/{{article}}",
                f"{API_PREFIX}/stats",
                f"{API_PREFIX}/stats/quotes-per-day",
                f"{API_PREFIX}/stats/top-people",
                f"{API_PREFIX}/stats/roles",
                f"{API_PREFIX}/stats/sources",
            ],
        }
    )


def openapi_json(request: Request) -> Response:
    from onrecord.web.openapi import spec

    return JSONResponse(spec())


def routes() -> list[BaseRoute]:
    from onrecord.web.pages import api_docs

    p = API_PREFIX
    return [
        Route(p, index),
        Route(f"{p}/", index),
        Route(f"{p}/openapi.json", openapi_json),
        Route(f"{p}/docs", api_docs),
        Route(f"{p}/quotes", quotes),
        Route(f"{p}/quotes.csv", quotes_csv),
        Route(f"{p}/quotes.jsonl", quotes_jsonl),
        Route(f"{p}/people", people),
        Route(f"{p}/people/{{person:path}}", person),
        Route(f"{p}/articles/{{article}}", article),
        Route(f"{p}/stats", stats),
        Route(f"{p}/stats/quotes-per-day", stats_quotes_per_day),
        Route(f"{p}/stats/top-people", stats_top_people),
        Route(f"{p}/stats/roles", stats_roles),
        Route(f"{p}/stats/sources", stats_sources),
        Route(f"{p}/corrections", corrections, methods=["GET", "POST"]),
        Route(f"{p}/{{rest:path}}", api_not_found),
    ]


async def corrections(request: Request) -> Response:
    """GET: the log of corrections made by hand. POST: one correction, as JSON (docs/web.md,
    "Corrections"), only on a server started with `onrecord serve --allow-corrections`."""
    from onrecord.web.app import error_json

    if request.method == "GET":
        check_known(request.query_params, ())
        conn = reader_of(request).connection
        return JSONResponse({"items": [c.to_dict() for c in log.list_corrections(conn)]})
    if not request.app.state.corrections:
        return error_json(
            403,
            "corrections_disabled",
            "this server does not write: start it with `onrecord serve --allow-corrections` to correct "
            "the record over the API, or use `onrecord correct` on the store",
        )
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        return error_json(415, "unsupported_media_type", "send the correction as application/json")
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        return error_json(403, "cross_origin", f"a correction from another site ({origin}) is refused")
    try:
        body = await request.json()
    except ValueError:
        return error_json(400, "bad_body", "the body is not JSON")
    if not isinstance(body, dict):
        return error_json(400, "bad_body", "the body must be a JSON object with an 'action'")
    try:
        done = await run_in_threadpool(_correct, request.app.state.db_path, body)
    except CorrectionError as exc:
        return error_json(400, "bad_correction", str(exc))
    return JSONResponse(done.to_dict(), status_code=201)


#: The fields each action takes, besides "reason" and "by".
CORRECTION_FIELDS = {
    "merge": ("absorbed", "kept"),
    "split": ("person", "name"),
    "speaker": ("quote", "person"),
    "undo": ("correction",),
}


def _correct(path: str, body: dict[str, Any]) -> log.Correction:
    """Make the correction ``body`` asks for, in one transaction on a writing connection of its own."""
    action = body.get("action")
    if action not in CORRECTION_FIELDS:
        raise CorrectionError(f"'action' must be one of {', '.join(CORRECTION_FIELDS)}, not {action!r}")
    fields = CORRECTION_FIELDS[action]
    unknown = set(body) - {"action", "reason", "by", *fields}
    if unknown:
        raise CorrectionError(f"unknown fields for {action}: {', '.join(sorted(unknown))}")
    missing = [
        f for f in fields if f not in body or (body[f] is None and (action, f) != ("speaker", "person"))
    ]
    if missing:
        raise CorrectionError(f"{action} needs {', '.join(repr(f) for f in missing)}")
    reason, by = body.get("reason"), str(body.get("by") or "api")
    store = open_store(path)
    conn = store.connection
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if action == "merge":
                done = log.merge(
                    conn, _person(store, body["absorbed"]), _person(store, body["kept"]), reason=reason, by=by
                )
            elif action == "split":
                done = log.split(
                    conn, _person(store, body["person"]), str(body["name"]), reason=reason, by=by
                )
            elif action == "speaker":
                person = body["person"]
                done = log.set_speaker(
                    conn, str(body["quote"]), None if person is None else str(person), reason=reason, by=by
                )
            else:
                if not isinstance(body["correction"], int):
                    raise CorrectionError("'correction' must be the number of a correction")
                done = log.undo(conn, body["correction"], reason=reason, by=by)
            conn.execute("COMMIT")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    finally:
        store.close()
    return done


def _person(store: Any, name_or_id: Any) -> str:
    try:
        return find_person(store, str(name_or_id)).id
    except NotFoundError as exc:
        raise CorrectionError(str(exc)) from None


def api_not_found(request: Request) -> Response:
    from onrecord.web.app import error_json

    return error_json(404, "not_found", f"no endpoint {request.url.path}; see {API_PREFIX}/docs")
