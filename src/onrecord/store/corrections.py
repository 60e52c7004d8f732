"""Corrections made by hand: an audit log, applied on top of what the analysis and the merge rule found.

A reader who finds two people merged, one person split, or a quotation given to the wrong speaker
corrects the record with one of three corrections (docs/store.md, "Corrections"):

- **merge** person A into person B: every name the rule links to A, in the articles stored so far and
  in those stored later, is B's;
- **split** a name off the person it is linked to: the name is a person of its own;
- **speaker** of one quotation: a person (one of the store's, or a full name new to it), or nobody.

and **undo** of any of them. Nothing is deleted or edited: each correction is a row of ``corrections``
with who made it, when, why and with which onrecord, and an undo is one more row that marks the
correction it undoes (``undone_by``). The facts a correction decides carry its id (``quotes.corrected_by``,
``names.corrected_by``), so exports say which were corrected by hand.

How corrections last:

- merges and splits act on name keys and person ids, which depend on the name alone (the merge rule of
  :mod:`onrecord.store.people`), so :meth:`NameRules.person_of` gives every name, also one first stored
  after the correction, the person the corrections make it, folding them in the order they were made;
- a speaker correction names its quotation by article id and character span, not by position, and
  finds it again as the quotation of that article whose span overlaps the recorded one most (at least
  half of both), so it survives a re-analysis by a newer onrecord that moves the quotation in the list
  or shifts its ends; ``onrecord corrections --format jsonl`` and ``onrecord correct replay`` carry the
  log to a store built anew.

:func:`apply` brings a whole store in line with its log (after a correction, an undo or a replay); the
writer applies the log to each batch as it stores it (:func:`onrecord.store.sqlite._write`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from onrecord import __version__
from onrecord.store import people
from onrecord.store.api import StoreError
from onrecord.store.schema import now

ACTIONS = ("merge", "split", "speaker", "undo")
#: A recorded span and a quotation's span are the same quotation when their overlap is at least this
#: share of each (a newer analysis may move an end by a few words).
MIN_OVERLAP = 0.5

_COLUMNS = "id, action, subject, target, detail, reason, made_by, made_at, onrecord_version, undone_by"


@dataclass(frozen=True)
class Correction:
    """One row of the audit log.

    ``subject`` and ``target`` by action: merge, the person merged away and the person kept; split, the
    name key and the person it becomes; speaker, the quotation's article id and the person (None:
    nobody); undo, the id of the correction undone (as text) and None. ``detail`` holds the rest: the
    names as the user gave them, and for a speaker correction the quotation's span and content and the
    speaker it had before.
    """

    id: int
    action: str
    subject: str
    target: str | None
    detail: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    made_by: str = ""
    made_at: str = ""
    onrecord_version: str = ""
    undone_by: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Correction:
        cid, action, subject, target, detail, reason, made_by, made_at, version, undone_by = row
        return cls(
            cid, action, subject, target, json.loads(detail), reason, made_by, made_at, version, undone_by
        )

    def describe(self) -> str:
        """One line for a reader: "#3 merge person:putin into person:vladimir-putin"."""
        d = self.detail
        if self.action == "merge":
            text = f"merge {self.subject} into {self.target}"
        elif self.action == "split":
            text = f"split {d.get('name', self.subject)!r} off {d.get('from')} as {self.target}"
        elif self.action == "speaker":
            who = f"{d.get('speaker_name')} ({self.target})" if self.target else "nobody"
            text = f"speaker of {d.get('quote_id')} ({_short(d.get('content', ''))}) is {who}"
        else:
            text = f"undo #{self.subject}"
        status = f", undone by #{self.undone_by}" if self.undone_by else ""
        why = f": {self.reason}" if self.reason else ""
        return f"#{self.id} {text} ({self.made_at} by {self.made_by}{status}){why}"


class CorrectionError(StoreError):
    """A correction that cannot be made as asked; the message says why and what to give instead."""


# -- the rules the log makes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameRules:
    """The active merges and splits, in the order they were made."""

    steps: tuple[tuple[int, str, str, str], ...] = ()

    def person_of(self, key: str) -> tuple[str, int | None]:
        """The person of a name key after the corrections, and the correction that decided it (None:
        the merge rule alone)."""
        person = people.person_id_for(tuple(key.split()))
        by: int | None = None
        for cid, action, subject, target in self.steps:
            # a split takes the name itself off; a merge, whatever person the name is by now
            if (action == "split" and subject == key) or (action == "merge" and person == subject):
                person, by = target, cid
        return person, by

    def map_person(self, person: str) -> str:
        """A person id after the merges made since ("person:putin" merged into "person:vladimir-putin")."""
        for _cid, action, subject, target in self.steps:
            if action == "merge" and person == subject:
                person = target
        return person


def load_rules(conn: sqlite3.Connection) -> NameRules:
    rows = conn.execute(
        "SELECT id, action, subject, target FROM corrections "
        "WHERE action IN ('merge', 'split') AND undone_by IS NULL ORDER BY id"
    ).fetchall()
    return NameRules(tuple((int(r[0]), r[1], r[2], r[3]) for r in rows))


def list_corrections(conn: sqlite3.Connection) -> list[Correction]:
    """The whole log, oldest first."""
    return [Correction.from_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM corrections ORDER BY id")]


def corrections_of_person(conn: sqlite3.Connection, person_id: str) -> list[Correction]:
    """The corrections that made ``person_id`` what it is: merges into or out of it, names split off
    it or into it, quotations given to it."""
    return [
        c
        for c in list_corrections(conn)
        if person_id in (c.subject, c.target) or c.detail.get("from") == person_id
    ]


# -- making corrections ------------------------------------------------------------------------------------
def merge(conn: sqlite3.Connection, absorbed: str, kept: str, *, reason: str | None, by: str) -> Correction:
    """Merge person ``absorbed`` into ``kept`` (both existing person ids)."""
    for pid in (absorbed, kept):
        _require_person(conn, pid)
    if absorbed == kept:
        raise CorrectionError(f"{absorbed} and {kept} are one person already")
    names = sorted(k for (k,) in conn.execute("SELECT key FROM names WHERE person_id = ?", (absorbed,)))
    return _record(conn, "merge", absorbed, kept, {"names": names}, reason, by)


def split(conn: sqlite3.Connection, person_id: str, name: str, *, reason: str | None, by: str) -> Correction:
    """Take the name ``name`` (as the quotations write it) off ``person_id``: it becomes a person of
    its own, ``person:`` and all its words."""
    _require_person(conn, person_id)
    key = people.name_key(name)
    row = conn.execute("SELECT person_id FROM names WHERE key = ?", (key,)).fetchone() if key else None
    if row is None or row[0] != person_id:
        names = [
            k for (k,) in conn.execute("SELECT key FROM names WHERE person_id = ? ORDER BY key", (person_id,))
        ]
        raise CorrectionError(
            f"{person_id} has no name {name!r}; its names are: {', '.join(repr(n) for n in names)}"
        )
    assert key is not None
    target = "person:" + "-".join(w.replace("'", "") for w in key.split())
    if target == person_id:
        raise CorrectionError(
            f"{name!r} is the name {person_id} is known by; split its other names off it instead "
            f"(see `onrecord person {person_id}`)"
        )
    return _record(conn, "split", key, target, {"name": name, "from": person_id}, reason, by)


def set_speaker(
    conn: sqlite3.Connection, quote_id: str, person: str | None, *, reason: str | None, by: str
) -> Correction:
    """Give the quotation ``quote_id`` to ``person`` (a person id or name of the store, or a full name
    new to it), or to nobody (None)."""
    row = conn.execute(
        "SELECT article_id, quote_start, quote_end, content, speaker_name, speaker_key, speaker_kind, "
        "person_id FROM quotes WHERE id = ?",
        (quote_id,),
    ).fetchone()
    if row is None:
        raise CorrectionError(
            f"no quotation {quote_id!r} in the store; ids are in `onrecord quotes --format jsonl`"
        )
    article_id, start, end, content, name, key, kind, current = row
    detail: dict[str, Any] = {
        "quote_id": quote_id,
        "quote_start": start,
        "quote_end": end,
        "content": content,
        "was": {"speaker_name": name, "speaker_key": key, "speaker_kind": kind, "person_id": current},
    }
    target: str | None = None
    if person is not None:
        target, detail["speaker_name"] = _person_for_speaker(conn, person)
    else:
        detail["speaker_name"] = None
    return _record(conn, "speaker", article_id, target, detail, reason, by)


def undo(conn: sqlite3.Connection, correction_id: int, *, reason: str | None, by: str) -> Correction:
    row = conn.execute("SELECT action, undone_by FROM corrections WHERE id = ?", (correction_id,)).fetchone()
    if row is None:
        raise CorrectionError(f"no correction #{correction_id}; see `onrecord corrections`")
    if row[0] == "undo":
        raise CorrectionError(f"#{correction_id} is an undo; make the correction again instead")
    if row[1] is not None:
        raise CorrectionError(f"#{correction_id} was undone already, by #{row[1]}")
    done = _record(conn, "undo", str(correction_id), None, {}, reason, by)
    conn.execute("UPDATE corrections SET undone_by = ? WHERE id = ?", (done.id, correction_id))
    apply(conn)
    return done


def replay(conn: sqlite3.Connection, log: Iterable[dict[str, Any]], *, by: str) -> list[Correction]:
    """Make again, in this store, the corrections of another store's log (``onrecord corrections
    --format jsonl``), in their order: active ones as they were, with their author, time and reason
    kept in the detail (``replayed``); undone ones and undos are skipped. Returns the corrections made."""
    made: list[Correction] = []
    for entry in log:
        if entry.get("action") not in ACTIONS:
            raise CorrectionError(f"not a correction: {json.dumps(entry)[:200]}")
        if entry["action"] == "undo" or entry.get("undone_by"):
            continue
        detail = {
            **entry.get("detail", {}),
            "replayed": {k: entry.get(k) for k in ("id", "made_by", "made_at")},
        }
        _check_replayable(entry)
        made.append(
            _record(
                conn,
                entry["action"],
                entry["subject"],
                entry.get("target"),
                detail,
                entry.get("reason"),
                by,
                apply_now=False,
            )
        )
    apply(conn)
    return made


# -- applying them -----------------------------------------------------------------------------------------
def apply(conn: sqlite3.Connection) -> None:
    """Bring every name and quotation of the store in line with the log (inside the caller's
    transaction), and recount the persons and statements that changed."""
    rules = load_rules(conn)
    persons: set[str] = set()
    statements: set[str] = set()
    speaker = _speaker_corrections(conn)
    active = {c.id for c in speaker if c.undone_by is None}
    speaker_ids = {c.id for c in speaker}
    for key, current, current_by in _names_to_check(conn, rules):
        if current_by in active:
            continue  # a name a speaker correction brought in: its person is that correction's
        person, by = rules.person_of(key)
        if (person, by) == (current, current_by):
            continue
        conn.execute("UPDATE names SET person_id = ?, corrected_by = ? WHERE key = ?", (person, by, key))
        _move_name(conn, key, person, by, speaker_ids, persons, statements)
    # Quotations whose speaker correction was undone get back the speaker the analysis gave them.
    for c in speaker:
        if c.undone_by is not None:
            _restore_speaker(conn, c, rules, persons, statements)
    for c in speaker:
        if c.id in active:
            _apply_speaker(conn, c, rules, persons, statements)
    refresh(conn, persons, statements)


def _names_to_check(conn: sqlite3.Connection, rules: NameRules) -> list[tuple[str, str | None, int | None]]:
    """The names whose person the log may change: those a correction decided (``corrected_by``: to
    undo or keep), those of a person merged away, and those split off. A name no correction touches
    keeps its rule's person, which it has, so the others are not read (a store of a million names)."""
    merged = sorted({subject for _cid, action, subject, _t in rules.steps if action == "merge"})
    split = sorted({subject for _cid, action, subject, _t in rules.steps if action == "split"})
    rows = conn.execute(
        "SELECT key, person_id, corrected_by FROM names WHERE corrected_by IS NOT NULL"
    ).fetchall()
    for column, values in (("person_id", merged), ("key", split)):
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(
                f"SELECT key, person_id, corrected_by FROM names WHERE {column} IN ({marks})", chunk
            ).fetchall()
    return sorted(set(rows), key=lambda r: r[0])


def _restore_speaker(
    conn: sqlite3.Connection, c: Correction, rules: NameRules, persons: set[str], statements: set[str]
) -> None:
    was = c.detail["was"]
    key = was["speaker_key"]
    person: str | None = None
    by: int | None = None
    if was["speaker_kind"] == "person" and key:
        person, by = rules.person_of(key)
    for pk, content, old_person, old_statement in conn.execute(
        "SELECT pk, content, person_id, statement_id FROM quotes WHERE corrected_by = ?", (c.id,)
    ).fetchall():
        statement = people.statement_id(content, person, key)
        conn.execute(
            "UPDATE quotes SET speaker_name = ?, speaker_key = ?, speaker_kind = ?, person_id = ?, "
            "statement_id = ?, corrected_by = ? WHERE pk = ?",
            (was["speaker_name"], key, was["speaker_kind"], person, statement, by, pk),
        )
        persons.update(p for p in (old_person, person) if p)
        statements.update((old_statement, statement))


def refresh(conn: sqlite3.Connection, persons: set[str], statements: set[str]) -> None:
    """Recount the persons and statements (with their stories) that corrections changed."""
    from onrecord.store.stories import refresh_stories  # numpy: only a writer gets here

    people.refresh_statements(conn, statements)
    refresh_stories(conn, statements)
    people.refresh_persons(conn, persons)


def apply_to_articles(
    conn: sqlite3.Connection, article_ids: Iterable[str], rules: NameRules
) -> tuple[set[str], set[str]]:
    """The speaker corrections of these (newly stored) articles; the person and statement ids touched."""
    persons: set[str] = set()
    statements: set[str] = set()
    ids = sorted(set(article_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM corrections WHERE action = 'speaker' AND undone_by IS NULL "
            f"AND subject IN ({marks}) ORDER BY id",
            chunk,
        ).fetchall()
        for row in rows:
            _apply_speaker(conn, Correction.from_row(row), rules, persons, statements)
    return persons, statements


def _move_name(
    conn: sqlite3.Connection,
    key: str,
    person: str,
    by: int | None,
    speaker_ids: set[int],
    persons: set[str],
    statements: set[str],
) -> None:
    """The quotations of name ``key`` go to ``person`` (those a speaker correction decides stay)."""
    rows = conn.execute(
        "SELECT pk, content, person_id, statement_id, corrected_by FROM quotes "
        "WHERE speaker_key = ? AND speaker_kind = 'person'",
        (key,),
    ).fetchall()
    for pk, content, old_person, old_statement, corrected_by in rows:
        if corrected_by in speaker_ids:
            continue
        statement = people.statement_id(content, person, key)
        conn.execute(
            "UPDATE quotes SET person_id = ?, statement_id = ?, corrected_by = ? WHERE pk = ?",
            (person, statement, by, pk),
        )
        persons.update(p for p in (old_person, person) if p)
        statements.update((old_statement, statement))


def _speaker_corrections(conn: sqlite3.Connection) -> list[Correction]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM corrections WHERE action = 'speaker' ORDER BY id").fetchall()
    return [Correction.from_row(r) for r in rows]


def _apply_speaker(
    conn: sqlite3.Connection, c: Correction, rules: NameRules, persons: set[str], statements: set[str]
) -> bool:
    """Give the quotation that correction ``c`` names its speaker; False when the article holds no
    quotation that overlaps the recorded span enough (it is then left as the analysis has it)."""
    d = c.detail
    start, end = int(d["quote_start"]), int(d["quote_end"])
    best: tuple[float, int, str, str | None, str] | None = None
    for pk, q_start, q_end, content, person, statement in conn.execute(
        "SELECT pk, quote_start, quote_end, content, person_id, statement_id FROM quotes "
        "WHERE article_id = ?",
        (c.subject,),
    ):
        overlap = min(end, q_end) - max(start, q_start)
        if overlap <= 0:
            continue
        share = min(overlap / max(end - start, 1), overlap / max(q_end - q_start, 1))
        if share >= MIN_OVERLAP and (best is None or share > best[0]):
            best = (share, pk, content, person, statement)
    if best is None:
        return False
    _, pk, content, old_person, old_statement = best
    name = d.get("speaker_name")
    key = people.name_key(name)
    person = rules.map_person(c.target) if c.target else None
    if person is not None and key is not None:
        conn.execute(
            "INSERT INTO names (key, surname, words, person_id, corrected_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (key, people.surname_of(key.split()), len(key.split()), person, c.id),
        )
    kind = "person" if person else "unresolved"
    statement = people.statement_id(content, person, key)
    conn.execute(
        "UPDATE quotes SET speaker_name = ?, speaker_key = ?, speaker_kind = ?, person_id = ?, "
        "statement_id = ?, corrected_by = ? WHERE pk = ?",
        (name, key, kind, person, statement, c.id, pk),
    )
    persons.update(p for p in (old_person, person) if p)
    statements.update((old_statement, statement))
    return True


# -- helpers -----------------------------------------------------------------------------------------------
def _record(
    conn: sqlite3.Connection,
    action: str,
    subject: str,
    target: str | None,
    detail: dict[str, Any],
    reason: str | None,
    by: str,
    *,
    apply_now: bool = True,
) -> Correction:
    cur = conn.execute(
        "INSERT INTO corrections (action, subject, target, detail, reason, made_by, made_at, "
        "onrecord_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            action,
            subject,
            target,
            json.dumps(detail, ensure_ascii=False),
            reason or None,
            by,
            now(),
            __version__,
        ),
    )
    if apply_now and action != "undo":
        apply(conn)
    row = conn.execute(f"SELECT {_COLUMNS} FROM corrections WHERE id = ?", (cur.lastrowid,)).fetchone()
    return Correction.from_row(row)


def _require_person(conn: sqlite3.Connection, person_id: str) -> None:
    if not conn.execute("SELECT 1 FROM persons WHERE id = ?", (person_id,)).fetchone():
        raise CorrectionError(
            f"no person {person_id!r} in the store; ids are in `onrecord people --format jsonl`"
        )


def _person_for_speaker(conn: sqlite3.Connection, person: str) -> tuple[str, str]:
    """The person id and display name a speaker correction gives: a person of the store by id, or a
    name: the one person holding it, or, for a full name the store does not know, a new person."""
    row = conn.execute("SELECT id, name FROM persons WHERE id = ?", (person,)).fetchone()
    if row is not None:
        return str(row[0]), str(row[1])
    if person.startswith("person:"):
        raise CorrectionError(
            f"no person {person!r} in the store; ids are in `onrecord people --format jsonl`"
        )
    key = people.name_key(person)
    if key is None:
        raise CorrectionError(f"{person!r} is not a name; give a person id or a full name")
    row = conn.execute(
        "SELECT p.id, p.name FROM names n JOIN persons p ON p.id = n.person_id WHERE n.key = ?", (key,)
    ).fetchone()
    if row is not None:
        return str(row[0]), str(row[1])
    words = key.split()
    if len(words) < 2:
        raise CorrectionError(
            f"{person!r} is one word and no person of the store is called so; give a full name or a person id"
        )
    return people.person_id_for(words), " ".join(person.split())


def _check_replayable(entry: dict[str, Any]) -> None:
    """A replayed correction needs its subject, and a merge or split its target, as text. Its persons
    and quotation need not be in this store yet: merges and splits act on ids and names, which
    articles stored later follow, and a speaker correction waits for its article."""
    if not isinstance(entry.get("subject"), str) or not entry["subject"]:
        raise CorrectionError(f"a correction without a subject: {json.dumps(entry)[:200]}")
    if entry["action"] in {"merge", "split"} and not isinstance(entry.get("target"), str):
        raise CorrectionError(f"a {entry['action']} without a target: {json.dumps(entry)[:200]}")


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return f"“{text}”"
    cut = text[:limit].rsplit(" ", 1)[0]
    return f"“{cut} …”"
