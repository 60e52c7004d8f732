"""The SQLite store: one file, WAL mode, one writer connection; readers open their own.

``write_batch`` writes a whole batch in ONE transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): a process
killed at any moment leaves the batch either all there or not there at all, and writing the same batch
again adds nothing (articles are keyed by their content hash, every insert is ``ON CONFLICT DO
NOTHING`` or an upsert, and the derived tables ``persons`` and ``statements`` are recomputed from the
quotes they count). Each new article is linked to its story (near duplicates, :mod:`onrecord.store.stories`)
in the same transaction. The schema is in :mod:`onrecord.store.schema` and docs/store.md.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as url_quote

from onrecord import __version__
from onrecord.records import Analysis, Quote
from onrecord.store import corrections, people
from onrecord.store.api import ArticleSource, Failure, StoredInput, StoreError, Written
from onrecord.store.schema import SCHEMA_VERSION, check_version, migrate, now

if TYPE_CHECKING:
    from onrecord.clean.dedup import NearDuplicateIndex
    from onrecord.query import ArticleDetail, FailureRow, PersonDetail, PersonRow, QuoteRow
    from onrecord.store.stories import StoryLinker

log = logging.getLogger(__name__)

#: SQLite allows 32,766 parameters per statement; lookups by id go in chunks well below that.
_CHUNK = 500
#: How long a connection waits for another's write lock before failing ("database is locked").
BUSY_TIMEOUT_MS = 10_000


def open_store(path: str | Path, *, readonly: bool = False) -> SQLiteStore:
    """Open (creating and upgrading as needed) the store at ``path``; ``":memory:"`` for a scratch one.

    With ``readonly=True`` the file must exist and already have the current schema; the connection
    cannot write (SQLite read-only URI mode), which is how the query CLI reads.
    """
    return SQLiteStore(path, readonly=readonly)


class SQLiteStore:
    """A store in one SQLite file: the writer (``write_batch``) and the query methods over it."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._stories: StoryLinker | None = None  # the near-duplicate index, loaded at the first write
        self.connection = _connect(self.path, readonly=readonly)
        try:
            if readonly:
                version = check_version(self.connection, self.path)
                if version < SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path} has schema version {version}, older than this onrecord's "
                        f"({SCHEMA_VERSION}); open it once for writing to upgrade it (any `onrecord ingest "
                        f"... --db {self.path}`, or onrecord.open_store({self.path!r}) in Python)"
                    )
            else:
                migrate(self.connection, self.path)
        except BaseException:
            self.connection.close()
            raise

    # -- the Store protocol (store/api.py) --------------------------------------------------------------
    def known_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0] for r in self.connection.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            )
        return found

    def write_batch(
        self,
        items: Sequence[StoredInput],
        failures: Sequence[Failure] = (),
        sources: Sequence[ArticleSource] = (),
    ) -> Written:
        if self.readonly:
            raise StoreError(f"{self.path} was opened read-only; open it with open_store(path) to write")
        from onrecord.store import stories  # numpy and the MinHash code: the writer needs them, queries not

        if self._stories is None:
            self._stories = stories.StoryLinker()
        conn = self.connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Counted inside the transaction: what THIS batch added, whoever else writes the store.
            before = _added_counts(conn)
            _write(conn, items, failures, self._stories.begin(conn))
            _write_sources(conn, sources)
            after = _added_counts(conn)
            mark = stories.mark(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._stories.rolled_back()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._stories.committed(mark)
        log.debug("stored a batch of %d articles and %d failures in %s", len(items), len(failures), self.path)
        return Written(*(a - b for a, b in zip(after, before, strict=True)))

    def counts(self) -> dict[str, int]:
        tables = {"articles": "articles", "quotes": "quotes", "statements": "statements"}
        tables |= {"people": "persons", "failures": "failures"}
        return {
            key: int(self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for key, table in tables.items()
        }

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- queries: thin over onrecord.query, which the CLI and the API use too ------------------------------
    def quotes(self, **filters: Any) -> Iterator[QuoteRow]:
        """Quotations matching the filters of :func:`onrecord.query.find_quotes`."""
        from onrecord.query import find_quotes

        return find_quotes(self.connection, **filters)

    def people(self, **options: Any) -> Iterator[PersonRow]:
        """People by number of statements: :func:`onrecord.query.list_people`."""
        from onrecord.query import list_people

        return list_people(self.connection, **options)

    def person(self, name_or_id: str, **options: Any) -> PersonDetail:
        """One person, by name or id: :func:`onrecord.query.get_person`."""
        from onrecord.query import get_person

        return get_person(self.connection, name_or_id, **options)

    def article(self, article_id: str) -> ArticleDetail:
        """One article with its sources and quotations: :func:`onrecord.query.get_article`."""
        from onrecord.query import get_article

        return get_article(self.connection, article_id)

    def analysis(self, article_id: str) -> Analysis:
        """The stored Analysis record of an article, as the analyzer made it."""
        from onrecord.query import load_analysis

        return load_analysis(self.connection, article_id)

    def failures(self) -> Iterator[FailureRow]:
        from onrecord.query import list_failures

        return list_failures(self.connection)


def _connect(path: str, *, readonly: bool) -> sqlite3.Connection:
    if path != ":memory:":
        if readonly and not Path(path).is_file():
            raise StoreError(
                f"no store at {path}; build one first with `onrecord ingest INPUT... --db {path}`"
            )
        if not readonly and not Path(path).parent.is_dir():
            raise StoreError(f"cannot create the store {path}: the folder {Path(path).parent} does not exist")
    try:
        if readonly and path != ":memory:":
            uri = "file:" + url_quote(str(Path(path).resolve())) + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        else:
            conn = sqlite3.connect(path, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL loses no committed batch when the process dies (only on power loss).
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open {path} as an onrecord store: {exc} (is it a SQLite file?)") from exc
    return conn


# -- writing one batch (inside the caller's transaction) ---------------------------------------------------
def _added_counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Articles, quotations and people in the store (``max(pk)`` for quotations: rows are only added
    to that table, and counting a big one row by row would cost each batch a scan)."""
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    quotes = conn.execute("SELECT coalesce(max(pk), 0) FROM quotes").fetchone()[0]
    people = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
    return int(articles), int(quotes), int(people)


def _write(
    conn: sqlite3.Connection,
    items: Sequence[StoredInput],
    failures: Sequence[Failure],
    stories: NearDuplicateIndex | None = None,
) -> None:
    """Write a batch. ``stories``: the index of stored articles, to link new ones to their stories (and
    which they are added to); None writes no story ids (a store before schema version 3)."""
    from onrecord.store.stories import link, refresh_stories

    stamp = now()
    for failure in failures:
        conn.execute(
            "INSERT INTO failures (input, stage, code, message, onrecord_version, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (input) DO UPDATE SET stage = excluded.stage, "
            "code = excluded.code, message = excluded.message, "
            "onrecord_version = excluded.onrecord_version, recorded_at = excluded.recorded_at",
            (failure.input, failure.stage, failure.code, failure.message, __version__, stamp),
        )
    new: list[StoredInput] = []
    statements: set[str] = set()
    for item in items:
        analysis = item.analysis
        if _insert_article(conn, item, stamp):
            new.append(item)
            _insert_source(conn, analysis, stamp)
            if stories is not None:
                link(conn, stories, analysis.id, analysis.text)
        elif _insert_source(conn, analysis, stamp):
            # A known article from another source: a new outlet changes its statements' outlet counts.
            statements.update(
                r[0]
                for r in conn.execute("SELECT statement_id FROM quotes WHERE article_id = ?", (analysis.id,))
            )
        # An input that is stored now has not failed (any more).
        conn.execute("DELETE FROM failures WHERE input = ?", (analysis.source,))

    kinds = {id(q): _speaker_kind(q, item.analysis) for item in new for q in item.analysis.quotes}
    keys = {
        key
        for item in new
        for q in item.analysis.quotes
        if kinds[id(q)] == "person" and (key := people.name_key(q.speaker.name))
    }
    rules = corrections.load_rules(conn)
    people.register_names(conn, keys, rules)
    links = people.persons_of(conn, keys)
    persons: set[str] = set()
    for item in new:
        persons_here, statements_here = _insert_details(conn, item.analysis, kinds, links)
        persons |= persons_here
        statements |= statements_here
    # Speaker corrections made for these articles (in a store they were stored in before, or replayed).
    persons_here, statements_here = corrections.apply_to_articles(conn, (i.analysis.id for i in new), rules)
    persons |= persons_here
    statements |= statements_here
    people.refresh_statements(conn, statements)
    if stories is not None:
        refresh_stories(conn, statements)
    people.refresh_persons(conn, persons)


def _insert_article(conn: sqlite3.Connection, item: StoredInput, stamp: str) -> bool:
    analysis = item.analysis
    provenance = analysis.provenance
    cur = conn.execute(
        "INSERT INTO articles (id, title, published, published_from, language, source, url, outlet, "
        "quote_count, input_text, text, text_map, headings, removed, provenance, onrecord_version, model, "
        "stored_at, encoding, encoding_sure) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        (
            analysis.id,
            analysis.title,
            analysis.published,
            analysis.published_from,
            analysis.language,
            analysis.source,
            analysis.url,
            analysis.outlet,
            len(analysis.quotes),
            item.input_text,
            analysis.text,
            _json(analysis.text_map),
            _json([[h.text, *h.span] for h in analysis.headings]),
            _json([[r.text, *r.span, r.reason] for r in analysis.removed]),
            _json(provenance),
            provenance.get("onrecord"),
            provenance.get("model"),
            stamp,
            *encoding_columns(analysis),
        ),
    )
    return bool(cur.rowcount)


def encoding_columns(analysis: Analysis) -> tuple[str | None, int | None]:
    """The articles table's ``encoding`` and ``encoding_sure`` (an integer, as SQLite keeps booleans)."""
    sure = analysis.encoding_sure
    return analysis.encoding, None if sure is None else int(sure)


def _write_sources(conn: sqlite3.Connection, sources: Sequence[ArticleSource]) -> None:
    """More sources of stored articles; their statements' outlet counts change with them."""
    stamp = now()
    statements: set[str] = set()
    for source in sources:
        cur = conn.execute(
            "INSERT INTO article_sources (article_id, source, url, outlet, title, published, stored_at) "
            "SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM articles WHERE id = ?) "
            "ON CONFLICT (article_id, source) DO NOTHING",
            (
                source.article_id,
                source.source,
                source.url,
                source.outlet,
                source.title,
                source.published,
                stamp,
                source.article_id,
            ),
        )
        if cur.rowcount:
            statements.update(
                r[0]
                for r in conn.execute(
                    "SELECT statement_id FROM quotes WHERE article_id = ?", (source.article_id,)
                )
            )
    people.refresh_statements(conn, statements)


def _insert_source(conn: sqlite3.Connection, analysis: Analysis, stamp: str) -> bool:
    cur = conn.execute(
        "INSERT INTO article_sources (article_id, source, url, outlet, title, published, stored_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, source) DO NOTHING",
        (
            analysis.id,
            analysis.source,
            analysis.url,
            analysis.outlet,
            analysis.title,
            analysis.published,
            stamp,
        ),
    )
    return bool(cur.rowcount)


def _insert_details(
    conn: sqlite3.Connection,
    analysis: Analysis,
    kinds: dict[int, str],
    links: dict[str, tuple[str | None, int | None]],
) -> tuple[set[str], set[str]]:
    """Entities, dates and quotations of a new article; the person and statement ids they add to."""
    conn.executemany(
        "INSERT INTO entities (article_id, entity_id, type, name, roles, mentions, mention_count, "
        "role_facts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, entity_id) DO NOTHING",
        _entity_rows(analysis),
    )
    conn.executemany(
        "INSERT INTO dates (article_id, position, text, date_start, date_end, value, granularity) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, position) DO NOTHING",
        _date_rows(analysis),
    )
    persons: set[str] = set()
    statements: set[str] = set()
    rows = []
    for position, quote in enumerate(analysis.quotes):
        kind = kinds[id(quote)]
        key = people.name_key(quote.speaker.name)
        person, by = links.get(key, (None, None)) if kind == "person" and key else (None, None)
        statement = people.statement_id(quote.content, person, key)
        if person:
            persons.add(person)
        statements.add(statement)
        rows.append((*_quote_row(analysis, position, quote, kind, key, person, statement), by))
    conn.executemany(
        "INSERT INTO quotes (id, article_id, position, kind, content, quote_start, quote_end, pieces, cue, "
        "cue_start, cue_end, speaker_name, speaker_mention, mention_start, mention_end, mention_kind, "
        "speaker_entity, speaker_entities, speaker_kind, speaker_key, person_id, statement_id, nested_in, "
        "confidence, component, context_start, context_end, published, speaker_named, speaker_resolution, "
        "antecedent_start, antecedent_end, cue_class, corrected_by) "
        f"VALUES ({', '.join('?' * 34)}) ON CONFLICT (id) DO NOTHING",
        rows,
    )
    return persons, statements


def _entity_rows(analysis: Analysis) -> list[tuple[Any, ...]]:
    """The rows of ``entities`` for one article, in its column order."""
    return [
        (
            analysis.id,
            e.id,
            e.type,
            e.name,
            _json(e.roles),
            _json(e.mentions),
            len(e.mentions),
            _json([asdict(r) for r in e.role_facts]),
        )
        for e in analysis.entities
    ]


def _date_rows(analysis: Analysis) -> list[tuple[Any, ...]]:
    """The rows of ``dates`` for one article, in its column order."""
    return [(analysis.id, i, d.text, *d.span, d.value, d.granularity) for i, d in enumerate(analysis.dates)]


def _quote_row(
    analysis: Analysis,
    position: int,
    quote: Quote,
    kind: str,
    key: str | None,
    person: str | None,
    statement: str,
) -> tuple[Any, ...]:
    spans = quote.content_spans
    speaker = quote.speaker
    cue = quote.cue_span or (None, None)
    mention = speaker.mention_span or (None, None)
    context = quote.context_span or (None, None)
    return (
        quote_id(analysis.id, position),
        analysis.id,
        position,
        quote.kind,
        quote.content,
        min(s for s, _ in spans) if spans else 0,
        max(e for _, e in spans) if spans else 0,
        _json(spans),
        quote.cue,
        *cue,
        speaker.name,
        speaker.mention,
        *mention,
        speaker.mention_kind,
        speaker.entity,
        _json(speaker.entities) if speaker.entities else None,
        kind,
        key,
        person,
        statement,
        None if quote.nested_in is None else quote_id(analysis.id, quote.nested_in),
        quote.confidence,
        quote.component,
        *context,
        analysis.published,
        None if speaker.named is None else int(speaker.named),
        speaker.resolution,
        *(speaker.antecedent_span or (None, None)),
        quote.cue_class,
    )


def quote_id(article_id: str, position: int) -> str:
    """A quotation's id: its article's id and its position in the article's list, ``"<id>:3"``."""
    return f"{article_id}:{position}"


def _speaker_kind(quote: Quote, analysis: Analysis) -> str:
    """person, group (several people), other (an organisation or place speaking), unnamed (a speaker
    known only by a description, "a spokesman for the firm": never linked to a person) or unresolved."""
    speaker = quote.speaker
    if len(speaker.entities) > 1 or speaker.resolution == "name.joint":
        return "group"  # (a joint subject with one known member is still several speakers)
    if not speaker.name or people.name_key(speaker.name) is None:
        return "unresolved"
    entity = speaker.entity or (speaker.entities[0] if speaker.entities else None)
    if entity is None:
        return "person"
    types = {e.id: e.type for e in analysis.entities}
    kind = types.get(entity) or entity.partition(":")[0].upper()
    if kind == "UNNAMED":
        return "unnamed"
    return "person" if kind == "PERSON" else "other"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
