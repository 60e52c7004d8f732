"""People across articles, and statements: one quotation carried by several articles.

Within an article the analyzer has already grouped the mentions of a person under one canonical name
("Putin" in an article that also says "Vladimir Putin" is Vladimir Putin there; docs/entities.md).
Across articles the store links those canonical names to persons by this rule (docs/store.md):

1. **Names are compared as words**: lower case, accents and punctuation removed; a generational
   suffix ("Jr.", "Sr.", "II", "III", "IV") is part of the name ("Donald Trump Jr." is not his
   father). "Vladimir Putin" and "VLADIMIR PUTIN" are one name.
2. **Full names** (two words or more) are one person when their first and last words agree:
   "Hillary Rodham Clinton" and "Hillary Clinton" are ``person:hillary-clinton``; "Bill Clinton"
   (``person:bill-clinton``) stays apart. The same rule as within an article.
3. **A one-word name** ("Putin") is a person of its own (``person:putin``): a surname alone is no
   evidence that two articles quote one person (issue #15; docs/decisions.md D50), so it never joins
   "Vladimir Putin", however few Putins the store knows. ``onrecord person Putin`` lists the
   candidates; a user who knows better merges the two by hand (:mod:`onrecord.store.corrections`).
4. A one-word name never joins by first name across articles ("Hillary" alone is ``person:hillary``).

Corrections made by hand (merges of two persons, a name split off a person) are applied on top of the
rule, in the order they were made: :func:`onrecord.store.corrections.person_of`.

The link of a name depends only on the name (and the corrections), not on the other names nor on the
order the articles came in, so writing the same articles in any order and any batches gives the same
persons (a property test checks it). Plural speakers (a group of people) and unresolved speakers are
stored with their quotes but are not persons.

Statements: a quotation's statement id is a hash of its content (words only, lower case) and its
person id, or for a speaker who is not a person, of the speaker's name. The same words of the same
person in several articles or outlets are one statement; ``people`` counts statements and quotes.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onrecord.store.corrections import NameRules

#: Generational suffixes: part of the name ("Donald Trump Jr." is not Donald Trump), but not a surname
#: ("Martin Luther King Jr." has the surname "king").
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_NAME_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*(?:-[^\W_]+(?:'[^\W_]+)*)*")
_CONTENT_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})


def _fold(text: str) -> str:
    text = text.translate(_APOSTROPHES)
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def name_words(name: str) -> tuple[str, ...]:
    """The words a name is compared by: ``"Vladimir V. Putin, Jr."`` gives ``("vladimir", "v", "putin",
    "jr")``; of several generational suffixes the last is kept, and a suffix alone is no name."""
    words = _NAME_WORD.findall(_fold(name))
    suffix = None
    while len(words) > 1 and words[-1] in NAME_SUFFIXES:
        suffix = words.pop()
    if suffix is not None and len(words) > 1:
        words.append(suffix)  # (a one-word name keeps no suffix: "Johann II" is Johann)
    return tuple(words)


def surname_of(words: Sequence[str]) -> str:
    """The last word, or the one before a generational suffix."""
    return words[-2] if len(words) > 2 and words[-1] in NAME_SUFFIXES else words[-1]


def name_key(name: str | None) -> str | None:
    """The stored key of a speaker name (``quotes.speaker_key``, ``names.key``); None for no words."""
    if not name:
        return None
    words = name_words(name)
    return " ".join(words) if words else None


def person_id_for(words: Sequence[str]) -> str:
    """The person id of a full name (first and last word, and a generational suffix:
    ``person:donald-trump-jr``) or a one-word name."""
    if len(words) > 2 and words[-1] in NAME_SUFFIXES:
        core = [words[0], words[-2], words[-1]]
    else:
        core = [words[0], words[-1]] if len(words) > 1 else [words[0]]
    return "person:" + "-".join(w.replace("'", "") for w in core)


def assign_persons(keys: Iterable[str]) -> dict[str, str | None]:
    """The merge rule (module docstring) over name keys: key -> person id. Stores written by an
    onrecord before D50 hold one-word names linked by the older rule (joined to the one full name of
    their surname, or None when it was ambiguous); :func:`relink` moves them."""
    return {key: person_id_for(words) for key in keys if (words := tuple(key.split()))}


def statement_id(content: str, person_id: str | None, speaker_key: str | None) -> str:
    """Hash of the quotation's words and who said it (person, else speaker name, else nobody)."""
    words = " ".join(_CONTENT_WORD.findall(_fold(content)))
    who = person_id or (f"name:{speaker_key}" if speaker_key else "")
    return hashlib.sha256(f"{words}\x1f{who}".encode()).hexdigest()[:32]


# -- keeping the tables in step ------------------------------------------------------------------------
def register_names(conn: sqlite3.Connection, keys: Iterable[str], rules: NameRules) -> None:
    """Add new person name keys to ``names``, each with the person the rule and the corrections give it."""
    for key in sorted(set(keys)):
        words = key.split()
        person, by = rules.person_of(key)
        conn.execute(
            "INSERT INTO names (key, surname, words, person_id, corrected_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (key, surname_of(words), len(words), person, by),
        )


def relink(conn: sqlite3.Connection, surnames: Iterable[str]) -> tuple[set[str], set[str]]:
    """Apply the merge rule to the names with these surnames, and move the quotes of every name whose
    person changed (with their statement ids). Returns the person ids and statement ids touched. Used
    by the schema step that brought in D50's rule, on names linked by the older one."""
    persons: set[str] = set()
    statements: set[str] = set()
    for surname in sorted(set(surnames)):
        current = dict(conn.execute("SELECT key, person_id FROM names WHERE surname = ?", (surname,)))
        for key, person in sorted(assign_persons(current).items()):
            if current.get(key) == person:
                continue
            conn.execute("UPDATE names SET person_id = ? WHERE key = ?", (person, key))
            rows = conn.execute(
                "SELECT pk, content, person_id, statement_id FROM quotes "
                "WHERE speaker_key = ? AND speaker_kind = 'person'",
                (key,),
            ).fetchall()
            for pk, content, old_person, old_statement in rows:
                new_statement = statement_id(content, person, key)
                conn.execute(
                    "UPDATE quotes SET person_id = ?, statement_id = ? WHERE pk = ?",
                    (person, new_statement, pk),
                )
                persons.update(p for p in (old_person, person) if p)
                statements.update((old_statement, new_statement))
    return persons, statements


def persons_of(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, tuple[str | None, int | None]]:
    """The person id (or None) of each name key, and the correction that decided it (or None)."""
    wanted = sorted(set(keys))
    found: dict[str, tuple[str | None, int | None]] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for key, person, by in conn.execute(
            f"SELECT key, person_id, corrected_by FROM names WHERE key IN ({marks})", chunk
        ):
            found[key] = (person, by)
    return found


def refresh_persons(conn: sqlite3.Connection, person_ids: Iterable[str]) -> None:
    """Recompute the ``persons`` rows of these ids from their quotes (deleting ids left with none)."""
    for pid in sorted(set(person_ids)):
        quotes, statements, articles, first, last = conn.execute(
            "SELECT count(*), count(DISTINCT statement_id), count(DISTINCT article_id), min(published), "
            "max(published) FROM quotes WHERE person_id = ?",
            (pid,),
        ).fetchone()
        if not quotes:
            conn.execute("DELETE FROM persons WHERE id = ?", (pid,))
            continue
        names = conn.execute(
            "SELECT speaker_name, count(*) FROM quotes WHERE person_id = ? GROUP BY speaker_name", (pid,)
        ).fetchall()
        # The display name: a full name before a surname, then the most quoted form, then A-Z.
        name = min(names, key=lambda r: (len(name_words(r[0])) < 2, -r[1], r[0]))[0]
        roles = conn.execute(
            "SELECT min(r.value), count(DISTINCT q.article_id) AS n, min(q.published) AS first "
            "FROM quotes q JOIN entities e "
            "ON e.article_id = q.article_id AND e.entity_id = q.speaker_entity, "
            "json_each(e.roles) r WHERE q.person_id = ? GROUP BY lower(r.value) "
            "ORDER BY n DESC, first IS NULL, first, min(r.value)",
            (pid,),
        ).fetchall()
        conn.execute(
            "INSERT INTO persons (id, name, quotes, statements, articles, first_seen, last_seen, roles, "
            "names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
            "quotes = excluded.quotes, statements = excluded.statements, articles = excluded.articles, "
            "first_seen = excluded.first_seen, last_seen = excluded.last_seen, roles = excluded.roles, "
            "names = excluded.names",
            (
                pid,
                name,
                quotes,
                statements,
                articles,
                first,
                last,
                _json([r[0] for r in roles]),
                _json(sorted(r[0] for r in names)),
            ),
        )


def refresh_statements(conn: sqlite3.Connection, statement_ids: Iterable[str]) -> None:
    """Recompute the ``statements`` rows of these ids from their quotes (deleting ids left with none)."""
    for sid in sorted(set(statement_ids)):
        quotes, articles, first, last, content, person, speaker, outlets = conn.execute(
            "SELECT count(*), count(DISTINCT article_id), min(published), max(published), min(content), "
            "min(person_id), min(speaker_name), (SELECT count(DISTINCT lower(s.outlet)) "
            "FROM article_sources s WHERE s.article_id IN "
            "(SELECT article_id FROM quotes WHERE statement_id = ?1)) "
            "FROM quotes WHERE statement_id = ?1",
            (sid,),
        ).fetchone()
        if not quotes:
            conn.execute("DELETE FROM statements WHERE id = ?", (sid,))
            continue
        conn.execute(
            "INSERT INTO statements (id, person_id, speaker_name, content, quotes, articles, outlets, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "person_id = excluded.person_id, speaker_name = excluded.speaker_name, "
            "content = excluded.content, quotes = excluded.quotes, articles = excluded.articles, "
            "outlets = excluded.outlets, first_seen = excluded.first_seen, last_seen = excluded.last_seen",
            (sid, person, speaker, content, quotes, articles, outlets, first, last),
        )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
