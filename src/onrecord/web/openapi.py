"""The OpenAPI 3.1 description of /api/v1, written by hand next to the handlers it describes.

It is served as JSON at /api/v1/openapi.json and rendered as a page at /api/v1/docs by our own
template (Swagger UI and ReDoc load from CDNs, which this server never asks a browser to do). A test
checks that every route of the API is described here and every path described here answers.
"""

from __future__ import annotations

from typing import Any

from onrecord import __version__
from onrecord.query import CUES, KINDS
from onrecord.web.params import API_LIMIT, API_MAX_LIMIT, MAX_OFFSET


def _param(name: str, description: str, *, kind: str = "string", where: str = "query", **extra: Any) -> dict:
    schema: dict[str, Any] = {"type": kind, **extra}
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


_DATE = "A publication date, inclusive: YYYY-MM-DD, YYYY-MM or YYYY."
SEARCH_PARAMS = [
    _param("q", "Words of the quotation, as one phrase (whole words; case and accents ignored)."),
    _param("speaker", 'Words of the speaker\'s name ("Putin"), or a person id.'),
    _param("person", "A person id (person:vladimir-putin): that person's quotations only."),
    _param("outlet", "An outlet that carried the article (case ignored)."),
    _param("kind", "The kind of quotation.", enum=list(KINDS)),
    _param(
        "cue",
        "speech: what people said (quotations in marks, 'said that', 'according to'); other: beliefs, "
        "intentions, criticism ('believes that', 'vowed to', 'criticized the plan'). Both when absent.",
        enum=list(CUES),
    ),
    _param("since", _DATE),
    _param("until", _DATE),
    _param("min_confidence", "The lowest confidence to include, 0 to 1.", kind="number"),
    _param("order", "Publication date, newest or oldest first (undated last).", enum=["newest", "oldest"]),
]
PAGE_PARAMS = [
    _param("limit", f"Rows per page, 1 to {API_MAX_LIMIT}.", kind="integer", default=API_LIMIT),
    _param("offset", f"Rows to skip, at most {MAX_OFFSET:,}.", kind="integer", default=0),
]
PERIOD_PARAMS = [
    _param("since", _DATE),
    _param("until", _DATE),
    _param("outlet", "Only articles carried by this outlet."),
]

_ERROR = {
    "description": "A bad parameter (400) or nothing by that id (404)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _json(description: str, schema: str | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{schema}"}} if schema else {}
    return {"description": description, "content": {"application/json": content}}


def _get(summary: str, description: str, params: list[dict], ok: dict, tag: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "tags": [tag],
            "parameters": params,
            "responses": {"200": ok, "400": _ERROR, "404": _ERROR},
        }
    }


def spec() -> dict[str, Any]:
    """The OpenAPI document of the API."""
    page_note = (
        "Pages follow one total order (publication date, then article id, then position), so walking "
        "them with offset gives every row once; `next` and `prev` are ready-made links. `total` stops "
        "counting at 1,000, or at the end of the page asked for (`total_exact` is false past it)."
    )
    paths: dict[str, Any] = {
        "/api/v1/quotes": _get(
            "Search quotations",
            "Quotations matching every filter given. " + page_note,
            SEARCH_PARAMS + PAGE_PARAMS,
            _json("A page of quotations", "QuotePage"),
            "quotations",
        ),
        "/api/v1/quotes.csv": _get(
            "Download a search as CSV",
            "Every quotation of the search (no paging), streamed; the columns of `onrecord export`.",
            SEARCH_PARAMS,
            {"description": "CSV, UTF-8, one header row", "content": {"text/csv": {}}},
            "quotations",
        ),
        "/api/v1/quotes.jsonl": _get(
            "Download a search as JSON Lines",
            "Every quotation of the search (no paging), streamed, one JSON object a line.",
            SEARCH_PARAMS,
            {"description": "JSON Lines", "content": {"application/x-ndjson": {}}},
            "quotations",
        ),
        "/api/v1/people": _get(
            "List people",
            "People by statements, then quotations, then name, with their roles and counts.",
            [
                *PAGE_PARAMS,
                _param("min_statements", "Only people with at least this many statements.", kind="integer"),
            ],
            _json("A page of people", "PersonPage"),
            "people",
        ),
        "/api/v1/people/{person}": _get(
            "One person",
            "Roles over time, quotations (oldest first), the people quoted beside them, the outlets "
            "that quoted them and their quotations per month. `person` is an id or a name.",
            [
                _param("person", "A person id (person:vladimir-putin) or a name.", where="path"),
                _param("quotes", "Quotations to include, 0 to 500.", kind="integer", default=20),
            ],
            _json("The person", "Person"),
            "people",
        ),
        "/api/v1/articles/{article}": _get(
            "One article with all its spans",
            "The article's input text and cleaned text, its sources, entities (with their mention "
            "spans), dates and quotations; every span is [start, end) into `input_text`.",
            [_param("article", "An article id, or a prefix of at least six characters.", where="path")],
            _json("The article", "Article"),
            "articles",
        ),
        "/api/v1/stats": _get(
            "Totals",
            "Counts of articles, quotations, statements and people, and the dates covered.",
            [],
            _json("Totals"),
            "statistics",
        ),
        "/api/v1/stats/quotes-per-day": _get(
            "Quotations per day per person",
            "Quotations per period (day by default), for each `person` given (repeat it, up to 20), or "
            "of everyone when none is given. Undated quotations are not counted.",
            [
                _param("person", "A person id; repeat for several.", kind="array", items={"type": "string"}),
                _param("granularity", "The period.", enum=["day", "month", "year"], default="day"),
                *PERIOD_PARAMS,
            ],
            _json("Counts per period"),
            "statistics",
        ),
        "/api/v1/stats/top-people": _get(
            "Most quoted people per outlet and period",
            "The most quoted people in the period, of all outlets together, of one `outlet`, or with "
            "`by_outlet=true` the first `limit` of each outlet.",
            [
                *PERIOD_PARAMS,
                _param("limit", "People per outlet, 1 to 100.", kind="integer", default=10),
                _param("by_outlet", "Rank within each outlet.", kind="boolean", default=False),
            ],
            _json("Ranked people"),
            "statistics",
        ),
        "/api/v1/stats/roles": _get(
            "Share of quoted people by role",
            "Of the people quoted in the period, the share given each role (as the articles wrote it, "
            "case ignored). A person with several roles counts for each.",
            [*PERIOD_PARAMS, _param("limit", "Roles, 1 to 200.", kind="integer", default=20)],
            _json("Roles and shares"),
            "statistics",
        ),
        "/api/v1/stats/sources": _get(
            "Sources and their counts",
            "Outlets (or, without one, the web site of the source) by quotations carried.",
            [_param("limit", "Sources, 1 to 10,000.", kind="integer", default=100)],
            _json("Sources"),
            "statistics",
        ),
        "/api/v1/corrections": {
            **_get(
                "The log of corrections by hand",
                "Every correction made to the record (merge, split, speaker, undo), oldest first, with "
                "who made it, when and why, and what undid it.",
                [],
                _json("The corrections"),
                "corrections",
            ),
            "post": {
                "summary": "Correct the record",
                "description": (
                    "One correction, as a JSON object: `action` and its fields (merge: `absorbed`, "
                    "`kept`; split: `person`, `name`; speaker: `quote`, `person`, null for nobody; "
                    "undo: `correction`), with `reason` and `by`. Only on a server started with "
                    "`onrecord serve --allow-corrections` (403 otherwise); application/json only, and "
                    "refused from another site's page (403)."
                ),
                "tags": ["corrections"],
                "requestBody": {"required": True, "content": {"application/json": {}}},
                "responses": {
                    "201": _json("The correction made"),
                    "400": _ERROR,
                    "403": _ERROR,
                    "415": _ERROR,
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "onrecord API",
            "version": __version__,
            "description": (
                "Access to an onrecord store: who said what, in which role, and when; read-only but "
                "for corrections by hand, on a server that allows them. "
                "Every response is JSON (downloads aside); errors are "
                '`{"error": {"status", "code", "message"}}` with status 400 or 404.'
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": _schemas()},
    }


def _schemas() -> dict[str, Any]:
    string, integer, number = {"type": "string"}, {"type": "integer"}, {"type": "number"}
    nullable = {"type": ["string", "null"]}
    span = {"type": "array", "items": integer, "minItems": 2, "maxItems": 2}
    quote = {
        "type": "object",
        "properties": {
            "id": string,
            "article_id": string,
            "position": integer,
            "published": nullable,
            "outlet": nullable,
            "title": nullable,
            "url": nullable,
            "person_id": nullable,
            "person_name": nullable,
            "speaker": string,
            "speaker_roles": {"type": "array", "items": string},
            "speaker_name": nullable,
            "speaker_kind": string,
            "speaker_mention": nullable,
            "mention_kind": nullable,
            "kind": {"enum": list(KINDS)},
            "content": string,
            "quote_start": integer,
            "quote_end": integer,
            "pieces": {"type": "array", "items": span},
            "cue": nullable,
            "cue_start": {"type": ["integer", "null"]},
            "cue_end": {"type": ["integer", "null"]},
            "statement_id": string,
            "confidence": number,
            "component": string,
            "cue_class": string,
            "corrected_by": {"type": ["integer", "null"]},
            "links": {"type": "object"},
        },
    }
    person = {
        "type": "object",
        "properties": {
            "id": string,
            "name": string,
            "quotes": integer,
            "statements": integer,
            "articles": integer,
            "first_seen": nullable,
            "last_seen": nullable,
            "roles": {"type": "array", "items": string},
            "names": {"type": "array", "items": string},
        },
    }

    def page(item: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "total": integer,
                "total_exact": {"type": "boolean"},
                "limit": integer,
                "offset": integer,
                "next": nullable,
                "prev": nullable,
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            },
        }

    return {
        "Quote": quote,
        "QuotePage": page("Quote"),
        "PersonSummary": person,
        "PersonPage": page("PersonSummary"),
        "Person": {
            "allOf": [
                {"$ref": "#/components/schemas/PersonSummary"},
                {
                    "type": "object",
                    "properties": {
                        "role_periods": {"type": "array"},
                        "quoted": {"type": "array"},
                        "quoted_beside": {"type": "array"},
                        "outlets": {"type": "array"},
                        "quotes_per_month": {"type": "array"},
                    },
                },
            ]
        },
        "Article": {
            "type": "object",
            "properties": {
                "id": string,
                "title": nullable,
                "published": nullable,
                "input_text": string,
                "text": string,
                "entities": {"type": "array"},
                "dates": {"type": "array"},
                "quotes": {"type": "array", "items": {"$ref": "#/components/schemas/Quote"}},
            },
        },
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {"status": integer, "code": string, "message": string},
                }
            },
        },
    }
