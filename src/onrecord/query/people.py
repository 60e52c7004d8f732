"""People: the list by number of statements, and one person's roles, quotations and company."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from onrecord.query.db import Database, NotFoundError, close_matches, connection_of, dict_rows
from onrecord.query.quotes import QuoteRow, find_quotes
from onrecord.store.corrections import Correction, corrections_of_person
from onrecord.store.people import name_key, name_words, person_id_for


@dataclass(frozen=True)
class PersonRow:
    """A person of the store: counts over all their quotations (``statements`` counts repeats once)."""

    id: str
    name: str
    quotes: int
    statements: int
    articles: int
    first_seen: str | None
    last_seen: str | None
    roles: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PersonRow:
        return cls(**{**row, "roles": json.loads(row["roles"]), "names": json.loads(row["names"])})


@dataclass(frozen=True)
class RolePeriod:
    """A role the articles gave a person when quoting them, and the dates of those articles."""

    role: str
    first_seen: str | None
    last_seen: str | None
    articles: int


@dataclass(frozen=True)
class Neighbour:
    """Another person quoted in the same articles, and in how many."""

    id: str
    name: str
    articles: int


@dataclass(frozen=True)
class PersonDetail:
    person: PersonRow
    roles: list[RolePeriod]
    quotes: list[QuoteRow]
    beside: list[Neighbour]
    #: Why the person's names are one person: each name key and how it came to this person.
    why: list[NameLink] = field(default_factory=list)
    #: The corrections made by hand that shaped this person (``onrecord corrections``).
    corrections: list[Correction] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.person.to_dict(),
            "role_periods": [asdict(r) for r in self.roles],
            "quoted": [q.to_dict() for q in self.quotes],
            "quoted_beside": [asdict(n) for n in self.beside],
            "why": [asdict(w) for w in self.why],
            "corrections": [c.to_dict() for c in self.corrections],
        }


@dataclass(frozen=True)
class NameLink:
    """One name of a person and why it is theirs: ``rule`` (the same first and last words, or the
    name itself) or the correction (``correction`` holds its id)."""

    key: str
    how: str
    correction: int | None = None


_PERSON_COLUMNS = "id, name, quotes, statements, articles, first_seen, last_seen, roles, names"


def list_people(
    db: Database,
    *,
    limit: int | None = None,
    min_statements: int = 1,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
) -> Iterator[PersonRow]:
    """People by number of statements, then quotes, then name; streamed. With ``since``, ``until``
    (YYYY, YYYY-MM or YYYY-MM-DD, inclusive) or ``outlet``, counted over those quotations only: the
    quotes, statements, articles and first and last seen of that period or outlet."""
    from onrecord.query.stats import outlet_filter, period_filter  # stats imports this module's kin

    if since is not None or until is not None or outlet is not None:
        where, params = period_filter(since, until)
        more, values = outlet_filter(outlet)
        where = ["q.person_id IS NOT NULL", *where, *more]
        cursor = connection_of(db).execute(
            "SELECT p.id, p.name, count(*) AS quotes, count(DISTINCT q.statement_id) AS statements, "
            "count(DISTINCT q.article_id) AS articles, min(q.published) AS first_seen, "
            "max(q.published) AS last_seen, p.roles, p.names FROM quotes q "
            f"JOIN persons p ON p.id = q.person_id WHERE {' AND '.join(where)} GROUP BY p.id "
            "HAVING count(DISTINCT q.statement_id) >= ? "
            "ORDER BY statements DESC, quotes DESC, p.name LIMIT ?",
            [*params, *values, min_statements, -1 if limit is None else limit],
        )
        return (PersonRow.from_row(row) for row in dict_rows(cursor))
    cursor = connection_of(db).execute(
        f"SELECT {_PERSON_COLUMNS} FROM persons WHERE statements >= ? "
        "ORDER BY statements DESC, quotes DESC, name LIMIT ?",
        (min_statements, -1 if limit is None else limit),
    )
    return (PersonRow.from_row(row) for row in dict_rows(cursor))


def find_person(db: Database, name_or_id: str) -> PersonRow:
    """One person by id (``person:vladimir-putin``), full name, or words of a name that only one
    person has ("Putin"); a NotFoundError with close names otherwise."""
    conn = connection_of(db)
    query = name_or_id.strip()
    person_id = _resolve(conn, query)
    row = next(dict_rows(conn.execute(f"SELECT {_PERSON_COLUMNS} FROM persons WHERE id = ?", (person_id,))))
    return PersonRow.from_row(row)


def get_person(
    db: Database, name_or_id: str, *, quotes_limit: int | None = 20, beside_limit: int = 20
) -> PersonDetail:
    """A person with the roles they were given over time, their quotations (oldest first, at most
    ``quotes_limit``; None for all) and the people quoted in the same articles."""
    conn = connection_of(db)
    person = find_person(conn, name_or_id)
    roles = [
        RolePeriod(*row)
        for row in conn.execute(
            "SELECT min(r.value), min(q.published), max(q.published), count(DISTINCT q.article_id) "
            "FROM quotes q JOIN entities e "
            "ON e.article_id = q.article_id AND e.entity_id = q.speaker_entity, "
            "json_each(e.roles) r WHERE q.person_id = ? GROUP BY lower(r.value) "
            "ORDER BY min(q.published) IS NULL, min(q.published), min(r.value)",
            (person.id,),
        )
    ]
    beside = [
        Neighbour(*row)
        for row in conn.execute(
            "SELECT p.id, p.name, count(DISTINCT other.article_id) AS n "
            "FROM (SELECT DISTINCT article_id FROM quotes WHERE person_id = ?) mine "
            "JOIN quotes other ON other.article_id = mine.article_id "
            "JOIN persons p ON p.id = other.person_id WHERE other.person_id != ? "
            "GROUP BY p.id ORDER BY n DESC, p.name LIMIT ?",
            (person.id, person.id, beside_limit),
        )
    ]
    quotes = list(find_quotes(conn, person_id=person.id, order="oldest", limit=quotes_limit))
    why = []
    for key, by in conn.execute(
        "SELECT key, corrected_by FROM names WHERE person_id = ? ORDER BY words DESC, key", (person.id,)
    ):
        if by is not None:
            why.append(NameLink(key, "by hand", int(by)))
        elif person_id_for(tuple(key.split())) == person.id and len(key.split()) > 2:
            why.append(NameLink(key, "the same first and last words (merge rule 2)"))
        else:
            why.append(NameLink(key, "its own name"))
    return PersonDetail(person, roles, quotes, beside, why, corrections_of_person(conn, person.id))


def _resolve(conn: sqlite3.Connection, query: str) -> str:
    if query.startswith("person:"):
        if conn.execute("SELECT 1 FROM persons WHERE id = ?", (query,)).fetchone():
            return query
        # An id from before a merge ("person:putin" before "Vladimir Putin" was stored) still works.
        query = query.removeprefix("person:").replace("-", " ")
    key = name_key(query)
    if key is None:
        raise NotFoundError(f"{query!r} is not a name; give a person's name or id (see `onrecord people`)")
    row = conn.execute("SELECT person_id FROM names WHERE key = ?", (key,)).fetchone()
    words = set(name_words(query))
    if row is not None and row[0] is not None and len(words) == 1:
        # "Putin" is person:putin, the quotations that give the surname alone, but not the only one
        others = _people_with_words(conn, words) - {row[0]}
        if others:
            display = dict(conn.execute("SELECT id, name FROM persons"))
            raise NotFoundError(
                f"{query!r} names {len(others) + 1} people: a surname alone is no one person; give a "
                f"full name, or {row[0]} for the quotations that name them by {query!r} alone",
                [*sorted(display.get(p, p) for p in others), str(row[0])],
            )
    if row is not None and row[0] is not None:
        return str(row[0])
    matching = _people_with_words(conn, words)
    candidates = {
        person: name for person, name in conn.execute("SELECT id, name FROM persons") if person in matching
    }
    if row is not None:  # the name is stored but ambiguous
        raise NotFoundError(
            f"{query!r} names more than one person in the store, and its quotations are not linked to "
            "either; ask for one by full name or id",
            sorted(candidates.values()),
        )
    if len(candidates) == 1:
        return next(iter(candidates))
    if candidates:
        raise NotFoundError(f"several people match {query!r}", sorted(candidates.values()))
    names = [r[0] for r in conn.execute("SELECT name FROM persons")]
    raise NotFoundError(f"no person {query!r} in the store", close_matches(query, names))


def _people_with_words(conn: sqlite3.Connection, words: set[str]) -> set[str]:
    """The persons with a name holding all these words."""
    return {
        person
        for key, person in conn.execute("SELECT key, person_id FROM names WHERE person_id IS NOT NULL")
        if words <= set(key.split())
    }
