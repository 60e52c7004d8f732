"""Quotations: find them by speaker, words, dates, kind and outlet.

Every filter is a parameter of the SQL (never formatted into it); ``contains`` goes through the FTS5
index as one quoted phrase; ``speaker`` is matched against the store's names (small) first, so the
big quotes table is searched through its ``person_id`` and ``speaker_key`` indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from onrecord.query.db import Database, QueryError, check_date, connection_of, dict_rows, fts_phrase
from onrecord.store.people import name_words

KINDS = ("direct", "indirect", "mixed")

#: What a quotation's cue reports: ``speech`` (what someone said: cue_class "speech") or ``other``
#: (beliefs, intentions, stances, reported questions: the other cue classes, stored only by an ingest
#: with --statements all; onrecord.quotes.classes). PolNeAR counts both as attributions.
CUES = ("speech", "other")

#: Orders of quotations. "newest" can walk the published-date index and stop at the LIMIT (SQLite
#: puts NULL first in ascending order, so last in descending); "oldest" sorts.
ORDERS = {
    "newest": "q.published DESC, q.article_id, q.position",
    "oldest": "q.published IS NULL, q.published, q.article_id, q.position",
    "stored": "q.pk",
}
#: SQLite takes at most 32,766 parameters in one statement; a --speaker matching more names than this
#: (a bare first name over millions of quotes) is refused with a hint rather than split.
MAX_SPEAKER_KEYS = 10_000

QUOTE_SELECT = """
SELECT q.id, q.article_id, q.position, q.published, a.outlet, a.title, a.url,
       q.person_id, p.name AS person_name, q.speaker_name, q.speaker_kind, q.speaker_mention,
       q.mention_kind, q.mention_start, q.mention_end, q.kind, q.content, q.quote_start, q.quote_end,
       q.pieces, q.cue, q.cue_start, q.cue_end, q.context_start, q.context_end, q.statement_id,
       q.nested_in, q.confidence, q.component, q.cue_class, q.corrected_by
FROM quotes q
JOIN articles a ON a.id = q.article_id
LEFT JOIN persons p ON p.id = q.person_id
"""


@dataclass(frozen=True)
class QuoteRow:
    """One stored quotation with its article's date and outlet and its speaker's person.

    Spans are character offsets into the article's ``input_text``; ``pieces`` lists the ``[start, end]``
    of each discontinuous piece of the content, ``quote_start``/``quote_end`` span them all.
    """

    id: str
    article_id: str
    position: int
    published: str | None
    outlet: str | None
    title: str | None
    url: str | None
    person_id: str | None
    person_name: str | None
    speaker_name: str | None
    speaker_kind: str
    speaker_mention: str | None
    mention_kind: str | None
    mention_start: int | None
    mention_end: int | None
    kind: str
    content: str
    quote_start: int
    quote_end: int
    pieces: list[list[int]] = field(default_factory=list)
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    context_start: int | None = None
    context_end: int | None = None
    statement_id: str = ""
    nested_in: str | None = None
    confidence: float = 0.0
    component: str = ""
    #: "speech", or another class in a store ingested with --statements all (onrecord.quotes.classes).
    cue_class: str = "speech"
    #: The correction that decided this quotation's speaker or person (``onrecord corrections``), or
    #: None: as the analysis and the merge rule found it.
    corrected_by: int | None = None

    @property
    def speaker(self) -> str:
        """Who, for a reader: the person's name, else the speaker's name, else the mention."""
        if self.person_name:
            return self.person_name
        if self.speaker_name:
            return self.speaker_name
        return f"[{self.speaker_mention}]" if self.speaker_mention else "[unknown]"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QuoteRow:
        return cls(**{**row, "pieces": json.loads(row["pieces"])})


@dataclass(frozen=True)
class QuoteFilter:
    """What :func:`find_quotes` selects, and in which order (every field optional)."""

    speaker: str | None = None
    contains: str | None = None
    since: str | None = None
    until: str | None = None
    kind: str | None = None
    outlet: str | None = None
    person_id: str | None = None
    article_id: str | None = None
    min_confidence: float | None = None
    cue: str | None = None
    order: str = "newest"
    limit: int | None = None
    offset: int = 0


def find_quotes(db: Database, query: QuoteFilter | None = None, /, **options: Any) -> Iterator[QuoteRow]:
    """Quotations, streamed, selected by a QuoteFilter or by its fields as keywords:
    ``find_quotes(store, speaker="Vladimir Putin", contains="air base", since="2010-04-01")``.

    ``order``: "newest" (published date, newest first, undated last; the default), "oldest" (oldest
    first, undated last) or "stored" (the order written, fastest). ``speaker``: a person id
    (``person:vladimir-putin``), or words of a name, case-insensitive, that one person's names hold
    ("Vladimir Putin"; "Putin" while he is the only Putin), with the speakers that are no person and
    carry those words (an organisation); words that several people's names hold (a surname alone) raise
    :class:`AmbiguousSpeakerError`, which lists them.
    ``contains``: a phrase, searched in the full-text index (whole words, case and accents ignored).
    ``since``/``until``: publication dates, inclusive, as YYYY-MM-DD, YYYY-MM or YYYY. ``outlet``: any
    source of the article, case-insensitive. ``cue``: "speech" (what someone said: quotations in marks,
    "said that", "according to") or "other" (beliefs, intentions, criticism ...). Options are
    checked now (QueryError); rows come as the caller iterates.
    """
    conn = connection_of(db)
    sql, params = quotes_query(conn, query if query is not None else QuoteFilter(**options))
    cursor = conn.execute(sql, params)
    return (QuoteRow.from_row(row) for row in dict_rows(cursor))


def quotes_query(conn: sqlite3.Connection, query: QuoteFilter) -> tuple[str, list[Any]]:
    """The SQL and parameters of :func:`find_quotes` (for EXPLAIN QUERY PLAN, and the API)."""
    speaker, contains, since, until = query.speaker, query.contains, query.since, query.until
    kind, outlet, person_id, article_id = query.kind, query.outlet, query.person_id, query.article_id
    min_confidence, order, limit, offset = query.min_confidence, query.order, query.limit, query.offset
    where: list[str] = []
    params: list[Any] = []
    if speaker is not None:
        clause, values = _speaker_clause(conn, speaker)
        where.append(clause)
        params += values
    if contains is not None:
        if not contains.strip():
            raise QueryError("--contains is empty; give a word or phrase to search for")
        where.append("q.pk IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)")
        params.append(fts_phrase(contains))
    if (since := check_date(since, "--since")) is not None:
        where.append("q.published >= ?")
        params.append(since)
    if (until := check_date(until, "--until")) is not None:
        # "~" sorts after digits and "-": until 2010-04 takes in 2010-04-30.
        where.append("q.published <= ?")
        params.append(until + "~")
    if kind is not None:
        if kind not in KINDS:
            raise QueryError(f"--kind {kind!r} is not a kind of quotation; use one of {', '.join(KINDS)}")
        where.append("q.kind = ?")
        params.append(kind)
    if outlet is not None:
        where.append(
            "q.article_id IN (SELECT article_id FROM article_sources WHERE outlet = ? COLLATE NOCASE)"
        )
        params.append(outlet)
    if person_id is not None:
        where.append("q.person_id = ?")
        params.append(person_id)
    if article_id is not None:
        where.append("q.article_id = ?")
        params.append(article_id)
    if min_confidence is not None:
        where.append("q.confidence >= ?")
        params.append(min_confidence)
    if query.cue is not None:
        if query.cue not in CUES:
            raise QueryError(f"--cue {query.cue!r} is not one of {', '.join(CUES)}")
        where.append(f"q.cue_class {'=' if query.cue == 'speech' else '<>'} 'speech'")
    sql = QUOTE_SELECT + (" WHERE " + " AND ".join(where) if where else "")
    if order not in ORDERS:
        raise QueryError(f"order {order!r} is not one of {', '.join(ORDERS)}")
    sql += " ORDER BY " + ORDERS[order]
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
    return sql, params


class AmbiguousSpeakerError(QueryError):
    """A ``--speaker`` that names more than one person ("Clinton": Bill, Hillary, and the quotations
    that give the surname alone); ``candidates`` lists them, most quoted first, as (id, name,
    statements), so that the caller can offer them."""

    def __init__(self, speaker: str, candidates: list[tuple[str, str, int]]) -> None:
        self.speaker = speaker
        self.candidates = candidates
        shown = ", ".join(f"{name} ({pid}, {n} statements)" for pid, name, n in candidates[:10])
        more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            f"--speaker {speaker!r} names {len(candidates)} people: {shown}{more}; give a full name or a "
            "person id (a surname alone is no one person: docs/store.md, 'People across articles')"
        )


def _candidates(conn: sqlite3.Connection, persons: set[str]) -> list[tuple[str, str, int]]:
    ids = sorted(persons)
    found: list[tuple[str, str, int]] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found += conn.execute(
            f"SELECT id, name, statements FROM persons WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
    return sorted(found, key=lambda c: (-c[2], c[1]))


def _speaker_clause(conn: sqlite3.Connection, speaker: str) -> tuple[str, list[Any]]:
    speaker = speaker.strip()
    if speaker.startswith("person:"):
        return "q.person_id = ?", [speaker]
    words = set(name_words(speaker))
    if not words:
        raise QueryError(f"--speaker {speaker!r} has no letters; give a name such as 'Putin'")
    # Every distinct speaker key, read from its index (it is far smaller than the quotes).
    keys = [
        r[0] for r in conn.execute("SELECT DISTINCT speaker_key FROM quotes WHERE speaker_key IS NOT NULL")
    ]
    matched = [k for k in keys if words <= set(k.split())]
    if not matched:
        return "0", []
    if len(matched) > MAX_SPEAKER_KEYS:
        raise QueryError(
            f"--speaker {speaker!r} matches {len(matched):,} speaker names; give more of the name "
            "(a first name and a surname) or a person id from `onrecord people`"
        )
    persons: set[str] = set()
    for i in range(0, len(matched), 500):
        chunk = matched[i : i + 500]
        persons.update(
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT person_id FROM names WHERE person_id IS NOT NULL AND key IN "
                f"({','.join('?' * len(chunk))})",
                chunk,
            )
        )
    if len(persons) > 1:
        raise AmbiguousSpeakerError(speaker, _candidates(conn, persons))
    person_marks = ",".join("?" * len(persons)) or "NULL"
    key_marks = ",".join("?" * len(matched))
    # "+q.person_id": no index for that term, so the planner reads unlinked names via speaker_key.
    clause = f"(q.person_id IN ({person_marks}) OR (q.speaker_key IN ({key_marks}) AND +q.person_id IS NULL))"
    return clause, [*sorted(persons), *matched]
