"""Articles (one with its sources, entities and quotations; all of them for export; a full-text
search), the stored Analysis record, and the inputs that failed."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from onrecord.query.db import (
    Database,
    NotFoundError,
    QueryError,
    close_matches,
    connection_of,
    dict_rows,
    fts_phrase,
)
from onrecord.query.quotes import QuoteRow, find_quotes
from onrecord.records import Analysis, DateRef, Entity, Heading, Quote, Removed, Role, Speaker

#: The shortest article id prefix `show` accepts (like git's abbreviated hashes).
MIN_ID_PREFIX = 6


@dataclass(frozen=True)
class ArticleRow:
    """An article as exported: what it is, where it came from, its cleaned and its input text."""

    id: str
    title: str | None
    published: str | None
    published_from: str | None
    outlet: str | None
    url: str | None
    source: str
    language: str
    quote_count: int
    sources: int
    onrecord_version: str | None
    model: str | None
    stored_at: str
    #: The first stored article of this one's near-duplicate story (itself if it is the first or alone).
    story_id: str | None
    #: Articles in that story (wire copies of one text count together).
    story_articles: int
    text: str
    input_text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ArticleDetail:
    """One article: its row, every source it was stored from, its entities and its quotations."""

    article: ArticleRow
    provenance: dict[str, Any]
    sources: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    quotes: list[QuoteRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.article.to_dict(),
            "provenance": self.provenance,
            "article_sources": self.sources,
            "entities": self.entities,
            "quotes": [q.to_dict() for q in self.quotes],
        }


@dataclass(frozen=True)
class FailureRow:
    input: str
    stage: str
    code: str
    message: str
    onrecord_version: str
    recorded_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_ARTICLE_SELECT = """
SELECT a.id, a.title, a.published, a.published_from, a.outlet, a.url, a.source, a.language,
       a.quote_count, (SELECT count(*) FROM article_sources s WHERE s.article_id = a.id) AS sources,
       a.onrecord_version, a.model, a.stored_at, a.story_id,
       (SELECT count(*) FROM articles b WHERE b.story_id = a.story_id) AS story_articles, a.text, a.input_text
FROM articles a
"""


def list_articles(db: Database) -> Iterator[ArticleRow]:
    """Every article, oldest first (undated last), streamed."""
    cursor = connection_of(db).execute(_ARTICLE_SELECT + " ORDER BY a.published IS NULL, a.published, a.id")
    return (ArticleRow(**row) for row in dict_rows(cursor))


def search_articles(db: Database, phrase: str, *, limit: int | None = None) -> Iterator[ArticleRow]:
    """Articles whose title or text holds ``phrase`` (full-text index; best match first)."""
    if not phrase.strip():
        raise QueryError("the search phrase is empty; give a word or phrase")
    cursor = connection_of(db).execute(
        _ARTICLE_SELECT + " JOIN articles_fts f ON f.rowid = a.pk WHERE articles_fts MATCH ? "
        "ORDER BY f.rank LIMIT ?",
        (fts_phrase(phrase), -1 if limit is None else limit),
    )
    return (ArticleRow(**row) for row in dict_rows(cursor))


def get_article(db: Database, article_id: str) -> ArticleDetail:
    """One article by id or by an unambiguous prefix of at least six characters."""
    conn = connection_of(db)
    full_id = resolve_article_id(conn, article_id)
    row = next(dict_rows(conn.execute(_ARTICLE_SELECT + " WHERE a.id = ?", (full_id,))))
    (provenance,) = conn.execute("SELECT provenance FROM articles WHERE id = ?", (full_id,)).fetchone()
    sources = list(
        dict_rows(
            conn.execute(
                "SELECT source, url, outlet, title, published, stored_at FROM article_sources "
                "WHERE article_id = ? ORDER BY stored_at, source",
                (full_id,),
            )
        )
    )
    entities = [
        {**e, "roles": json.loads(e["roles"])}
        for e in dict_rows(
            conn.execute(
                "SELECT entity_id AS id, type, name, roles, mention_count FROM entities WHERE article_id = ? "
                "ORDER BY rowid",
                (full_id,),
            )
        )
    ]
    quotes = list(find_quotes(conn, article_id=full_id, order="stored"))
    return ArticleDetail(ArticleRow(**row), json.loads(provenance), sources, entities, quotes)


def resolve_article_id(conn: sqlite3.Connection, article_id: str) -> str:
    article_id = article_id.strip().lower()
    if conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
        return article_id
    if len(article_id) >= MIN_ID_PREFIX:
        # The UNIQUE index on id serves this range scan: ids starting with the prefix.
        found = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                (article_id, article_id + "\uffff"),
            )
        ]
        if len(found) == 1:
            return found[0]
        if found:
            raise NotFoundError(f"the article id prefix {article_id!r} is ambiguous", found[:5])
    near = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM articles WHERE id >= ? AND id < ?", (article_id[:2], article_id[:2] + "\uffff")
        )
    ]
    raise NotFoundError(
        f"no article {article_id!r} in the store (ids are listed by `onrecord quotes` and "
        "`onrecord export --what articles`)",
        close_matches(article_id, near, n=3, prefix=True),
    )


def list_failures(db: Database) -> Iterator[FailureRow]:
    """Inputs that could not be processed (the latest failure of each), oldest first."""
    cursor = connection_of(db).execute(
        "SELECT input, stage, code, message, onrecord_version, recorded_at FROM failures "
        "ORDER BY recorded_at, input"
    )
    return (FailureRow(**row) for row in dict_rows(cursor))


def load_analysis(db: Database, article_id: str) -> Analysis:
    """The Analysis record of a stored article, as it was written (source: the first stored)."""
    conn = connection_of(db)
    full_id = resolve_article_id(conn, article_id)
    a = next(dict_rows(conn.execute("SELECT * FROM articles WHERE id = ?", (full_id,))))
    entities = tuple(
        Entity(
            id=e["entity_id"],
            type=e["type"],
            name=e["name"],
            mentions=tuple((s, t) for s, t in json.loads(e["mentions"])),
            roles=tuple(json.loads(e["roles"])),
            role_facts=tuple(
                Role(**{**r, "span": (r["span"][0], r["span"][1])}) for r in json.loads(e["role_facts"])
            ),
        )
        for e in dict_rows(
            conn.execute("SELECT * FROM entities WHERE article_id = ? ORDER BY rowid", (full_id,))
        )
    )
    dates = tuple(
        DateRef(d["text"], (d["date_start"], d["date_end"]), d["value"], d["granularity"])
        for d in dict_rows(
            conn.execute("SELECT * FROM dates WHERE article_id = ? ORDER BY position", (full_id,))
        )
    )
    quotes = tuple(
        _quote(q)
        for q in dict_rows(
            conn.execute("SELECT * FROM quotes WHERE article_id = ? ORDER BY position", (full_id,))
        )
    )
    return Analysis(
        id=a["id"],
        source=a["source"],
        title=a["title"],
        published=a["published"],
        language=a["language"],
        text=a["text"],
        quotes=quotes,
        entities=entities,
        dates=dates,
        provenance=json.loads(a["provenance"]),
        headings=tuple(Heading(t, (s, e)) for t, s, e in json.loads(a["headings"])),
        removed=tuple(Removed(t, (s, e), why) for t, s, e, why in json.loads(a["removed"])),
        published_from=a["published_from"],
        url=a["url"],
        outlet=a["outlet"],
        text_map=tuple((x, y, z) for x, y, z in json.loads(a["text_map"])),
        encoding=a["encoding"],
        encoding_sure=None if a["encoding_sure"] is None else bool(a["encoding_sure"]),
    )


def _span(start: int | None, end: int | None) -> tuple[int, int] | None:
    return None if start is None or end is None else (start, end)


def _quote(q: dict[str, Any]) -> Quote:
    return Quote(
        kind=q["kind"],
        content=q["content"],
        content_spans=tuple((s, e) for s, e in json.loads(q["pieces"])),
        cue=q["cue"],
        cue_span=_span(q["cue_start"], q["cue_end"]),
        speaker=Speaker(
            name=q["speaker_name"],
            mention=q["speaker_mention"],
            mention_span=_span(q["mention_start"], q["mention_end"]),
            entity=q["speaker_entity"],
            mention_kind=q["mention_kind"],
            entities=tuple(json.loads(q["speaker_entities"] or "[]")),
            named=None if q["speaker_named"] is None else bool(q["speaker_named"]),
            resolution=q["speaker_resolution"],
            antecedent_span=_span(q["antecedent_start"], q["antecedent_end"]),
        ),
        nested_in=None if q["nested_in"] is None else int(q["nested_in"].rpartition(":")[2]),
        confidence=q["confidence"],
        component=q["component"],
        context_span=_span(q["context_start"], q["context_end"]),
    )
