"""The SQLite schema of a store, as a list of migration steps (docs/store.md describes every column).

A store's schema version is ``PRAGMA user_version``. :func:`migrate` applies, in order, every step
whose version is above it, each step in its own transaction that also sets ``user_version``, so a
process killed during an upgrade leaves the file at the last complete step, and the next open goes on
from there. Steps are never edited once released: a change of schema is a new step at the end of
:data:`MIGRATIONS` (and a paragraph in docs/store.md).

Column names avoid SQL keywords (``quote_start``, not ``start``/``end``) so that the tables read the
same in sqlite3, Datasette, DuckDB and pandas without quoting.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from onrecord import __version__
from onrecord.store.api import StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]
    #: Python run after the statements, in the same transaction (to fill new columns from old rows).
    function: Callable[[sqlite3.Connection], None] | None = None


_TABLES = (
    """CREATE TABLE migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        onrecord_version TEXT NOT NULL
    )""",
    """CREATE TABLE articles (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        title TEXT,
        published TEXT,
        published_from TEXT,
        language TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT,
        outlet TEXT,
        quote_count INTEGER NOT NULL,
        input_text TEXT NOT NULL,
        text TEXT NOT NULL,
        text_map TEXT NOT NULL,
        headings TEXT NOT NULL,
        removed TEXT NOT NULL,
        provenance TEXT NOT NULL,
        onrecord_version TEXT,
        model TEXT,
        stored_at TEXT NOT NULL
    )""",
    "CREATE INDEX articles_published ON articles (published)",
    "CREATE INDEX articles_outlet ON articles (outlet COLLATE NOCASE)",
    """CREATE TABLE article_sources (
        article_id TEXT NOT NULL REFERENCES articles (id),
        source TEXT NOT NULL,
        url TEXT,
        outlet TEXT,
        title TEXT,
        published TEXT,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (article_id, source)
    )""",
    "CREATE INDEX article_sources_outlet ON article_sources (outlet COLLATE NOCASE)",
    "CREATE INDEX article_sources_source ON article_sources (source)",
    """CREATE TABLE entities (
        article_id TEXT NOT NULL REFERENCES articles (id),
        entity_id TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,
        mentions TEXT NOT NULL,
        mention_count INTEGER NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    )""",
    """CREATE TABLE dates (
        article_id TEXT NOT NULL REFERENCES articles (id),
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        date_start INTEGER NOT NULL,
        date_end INTEGER NOT NULL,
        value TEXT,
        granularity TEXT NOT NULL,
        PRIMARY KEY (article_id, position)
    )""",
    "CREATE INDEX dates_value ON dates (value)",
    """CREATE TABLE quotes (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        article_id TEXT NOT NULL REFERENCES articles (id),
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        content TEXT NOT NULL,
        quote_start INTEGER NOT NULL,
        quote_end INTEGER NOT NULL,
        pieces TEXT NOT NULL,
        cue TEXT,
        cue_start INTEGER,
        cue_end INTEGER,
        speaker_name TEXT,
        speaker_mention TEXT,
        mention_start INTEGER,
        mention_end INTEGER,
        mention_kind TEXT,
        speaker_entity TEXT,
        speaker_entities TEXT,
        speaker_kind TEXT NOT NULL,
        speaker_key TEXT,
        person_id TEXT,
        statement_id TEXT NOT NULL,
        nested_in TEXT,
        confidence REAL NOT NULL,
        component TEXT NOT NULL,
        context_start INTEGER,
        context_end INTEGER,
        published TEXT
    )""",
    "CREATE INDEX quotes_article ON quotes (article_id, position)",
    "CREATE INDEX quotes_person ON quotes (person_id, published)",
    "CREATE INDEX quotes_published ON quotes (published)",
    "CREATE INDEX quotes_statement ON quotes (statement_id)",
    "CREATE INDEX quotes_speaker_key ON quotes (speaker_key)",
    """CREATE TABLE names (
        key TEXT PRIMARY KEY,
        surname TEXT NOT NULL,
        words INTEGER NOT NULL,
        person_id TEXT
    )""",
    "CREATE INDEX names_surname ON names (surname)",
    "CREATE INDEX names_person ON names (person_id)",
    """CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        quotes INTEGER NOT NULL,
        statements INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        roles TEXT NOT NULL,
        names TEXT NOT NULL
    )""",
    "CREATE INDEX persons_quotes ON persons (statements DESC, quotes DESC)",
    """CREATE TABLE statements (
        id TEXT PRIMARY KEY,
        person_id TEXT,
        speaker_name TEXT,
        content TEXT NOT NULL,
        quotes INTEGER NOT NULL,
        articles INTEGER NOT NULL,
        outlets INTEGER NOT NULL,
        first_seen TEXT,
        last_seen TEXT
    )""",
    "CREATE INDEX statements_person ON statements (person_id)",
    """CREATE TABLE failures (
        input TEXT PRIMARY KEY,
        stage TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        onrecord_version TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )""",
)

# External-content FTS5 tables: the text lives once, in quotes.content and articles.text; triggers keep
# the indexes in step with every insert, delete and update of those columns, whoever writes.
_FULL_TEXT = (
    """CREATE VIRTUAL TABLE quotes_fts USING fts5 (
        content, content='quotes', content_rowid='pk', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts (rowid, content) VALUES (new.pk, new.content);
    END""",
    """CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts (quotes_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    END""",
    """CREATE TRIGGER quotes_fts_update AFTER UPDATE OF content ON quotes BEGIN
        INSERT INTO quotes_fts (quotes_fts, rowid, content) VALUES ('delete', old.pk, old.content);
        INSERT INTO quotes_fts (rowid, content) VALUES (new.pk, new.content);
    END""",
    """CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, text, content='articles', content_rowid='pk', tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.pk, old.title, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.pk, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
    END""",
    # Rows written before this step (a store upgraded from version 1) get indexed now.
    "INSERT INTO quotes_fts (quotes_fts) VALUES ('rebuild')",
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
)

# Near-duplicate articles (wire copies) linked as stories (onrecord.store.stories): each article's
# MinHash signature, its story id, and the number of stories carrying each statement.
_STORIES = (
    "ALTER TABLE articles ADD COLUMN story_id TEXT",
    "CREATE INDEX articles_story ON articles (story_id)",
    """CREATE TABLE article_signatures (
        article_id TEXT PRIMARY KEY REFERENCES articles (id),
        signature BLOB NOT NULL
    )""",
    "ALTER TABLE statements ADD COLUMN stories INTEGER NOT NULL DEFAULT 0",
)


def _fill_stories(conn: sqlite3.Connection) -> None:
    from onrecord.store.stories import fill  # numpy and the MinHash code, only when a step needs them

    fill(conn)


# Quotations in the order pages and `onrecord quotes` list them (newest first, then article, then
# position): the newest page of an unfiltered or kind-filtered search walks this index and stops at its
# LIMIT instead of sorting every quotation (100,000 quotations: 58 ms to 0.8 ms; docs/web.md).
_QUOTE_ORDER = ("CREATE INDEX quotes_order ON quotes (published DESC, article_id, position)",)

# How each speaker was decided (onrecord.quotes.speakers): named or an unnamed speaker, the resolver's
# rule, and the antecedent mention a pronoun or description was linked through (docs/entities.md).
_SPEAKER_RESOLUTION = (
    "ALTER TABLE quotes ADD COLUMN speaker_named INTEGER",
    "ALTER TABLE quotes ADD COLUMN speaker_resolution TEXT",
    "ALTER TABLE quotes ADD COLUMN antecedent_start INTEGER",
    "ALTER TABLE quotes ADD COLUMN antecedent_end INTEGER",
)

# The roles of each entity as facts (records.Role: span, date, evidence, confidence; docs/record.md), as
# JSON; ``roles`` keeps the strings that the person queries group.
_ROLE_FACTS = ("ALTER TABLE entities ADD COLUMN role_facts TEXT NOT NULL DEFAULT '[]'",)

# What kind of attribution each quotation is (records.Quote.cue_class, onrecord.quotes.classes):
# "speech" for a statement proper; the other classes only in a store ingested with --statements all.
# Rows stored before it get the class their rule gives (a reported question cannot be told from
# them: it stays "speech").
_CUE_CLASS = ("ALTER TABLE quotes ADD COLUMN cue_class TEXT NOT NULL DEFAULT 'speech'",)


def _fill_cue_class(conn: sqlite3.Connection) -> None:
    from onrecord.quotes.classes import rule_class

    rules = [
        r for (r,) in conn.execute("SELECT DISTINCT substr(component, instr(component, ':') + 1) FROM quotes")
    ]
    for rule in rules:
        cls = rule_class(rule)
        if cls != "speech":
            conn.execute(
                "UPDATE quotes SET cue_class = ? WHERE substr(component, instr(component, ':') + 1) = ?",
                (cls, rule),
            )


# The encoding each article's bytes were decoded from and whether its detection was sure
# (records.Analysis.encoding, encoding_sure; onrecord.ingest.readers). NULL for articles stored before
# this step, and for text given as a string, HTML pages and WARC records.
_ENCODING = (
    "ALTER TABLE articles ADD COLUMN encoding TEXT",
    "ALTER TABLE articles ADD COLUMN encoding_sure INTEGER",
)


# Corrections made by hand (onrecord.store.corrections): the audit log, and on each name and quotation
# the correction that decided it. The same step applies D50's merge rule to the names stored before
# it: a one-word name is a person of its own, no longer joined to the one full name of its surname.
_CORRECTIONS = (
    """CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        target TEXT,
        detail TEXT NOT NULL,
        reason TEXT,
        made_by TEXT NOT NULL,
        made_at TEXT NOT NULL,
        onrecord_version TEXT NOT NULL,
        undone_by INTEGER REFERENCES corrections (id)
    )""",
    "CREATE INDEX corrections_subject ON corrections (subject)",
    "ALTER TABLE names ADD COLUMN corrected_by INTEGER",
    "ALTER TABLE quotes ADD COLUMN corrected_by INTEGER",
)


def _relink_one_word_names(conn: sqlite3.Connection) -> None:
    """D50's rule on a store written by the older one: speaker keys computed again (a generational
    suffix is now part of the name: "Donald Trump Jr." is no longer Donald Trump), and every name
    linked to the person its key alone gives (a one-word name no longer joins a full name)."""
    from onrecord.store import people
    from onrecord.store.stories import refresh_stories

    statements: set[str] = set()
    names = [
        r[0] for r in conn.execute("SELECT DISTINCT speaker_name FROM quotes WHERE speaker_name IS NOT NULL")
    ]
    for name in names:
        key = people.name_key(name)
        changed = "speaker_name = ? AND speaker_key IS NOT ?"
        statements.update(
            r[0] for r in conn.execute(f"SELECT statement_id FROM quotes WHERE {changed}", (name, key))
        )
        conn.execute(f"UPDATE quotes SET speaker_key = ? WHERE {changed}", (key, name, key))
        if key is not None:
            words = key.split()
            conn.execute(
                "INSERT INTO names (key, surname, words) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, people.surname_of(words), len(words)),
            )
    conn.execute(
        "DELETE FROM names WHERE key NOT IN "
        "(SELECT speaker_key FROM quotes WHERE speaker_key IS NOT NULL AND speaker_kind = 'person')"
    )
    surnames = [s for (s,) in conn.execute("SELECT DISTINCT surname FROM names")]
    persons, moved = people.relink(conn, surnames)
    statements |= moved
    people.refresh_statements(conn, statements)
    refresh_stories(conn, statements)
    people.refresh_persons(conn, persons)


#: Every schema change, oldest first. Released steps are never edited; add a new one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "tables", _TABLES),
    Migration(2, "full-text search", _FULL_TEXT),
    Migration(3, "stories", _STORIES, _fill_stories),
    Migration(4, "quotes in date order", _QUOTE_ORDER),
    Migration(5, "speaker resolution", _SPEAKER_RESOLUTION),
    Migration(6, "role facts", _ROLE_FACTS),
    Migration(7, "cue class", _CUE_CLASS, _fill_cue_class),
    Migration(8, "input encoding", _ENCODING),
    Migration(9, "corrections", _CORRECTIONS, _relink_one_word_names),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def check_version(conn: sqlite3.Connection, path: str) -> int:
    """The store's schema version; a StoreError if it is not an onrecord store or is too new."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}, newer than this onrecord ({__version__}) reads "
            f"(up to {SCHEMA_VERSION}); upgrade onrecord (pip install -U onrecord)"
        )
    if version == 0:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables:
            raise StoreError(
                f"{path} is a SQLite database but not an onrecord store (it has tables and no onrecord "
                "schema version); give another --db file, or a new one to create"
            )
    return version


def migrate(conn: sqlite3.Connection, path: str, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema up to ``target``, one transaction per step; returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Two processes opening one new file
    at once are safe: each step re-reads the version after taking the write lock.
    """
    check_version(conn, path)
    for step in MIGRATIONS:
        if step.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= step.version:
                conn.execute("COMMIT")
                continue
            for statement in step.statements:
                conn.execute(statement)
            if step.function is not None:
                step.function(conn)
            conn.execute(
                "INSERT INTO migrations (version, name, applied_at, onrecord_version) VALUES (?, ?, ?, ?)",
                (step.version, step.name, now(), __version__),
            )
            # PRAGMA takes no parameters; the version is our own integer, never user input.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


def now() -> str:
    """The current UTC time as ISO 8601 text, to the second."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
