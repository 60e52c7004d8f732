"""`onrecord correct merge | split | speaker | undo | replay` and `onrecord corrections`: correcting the
record by hand, with an audit log (onrecord.store.corrections; docs/store.md, "Corrections")."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from onrecord.cli.options import db_option
from onrecord.query import NotFoundError, find_person
from onrecord.store import StoreError, open_store
from onrecord.store import corrections as log
from onrecord.store.sqlite import SQLiteStore

_db_option = db_option(exists=True)


def _why_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--reason", metavar="TEXT", help="Why: kept in the log beside the correction.")(func)
    return click.option(
        "--by",
        "made_by",
        metavar="NAME",
        help="Who makes the correction, for the log [the user name of this session].",
    )(func)


@contextmanager
def _writing(db_path: str) -> Iterator[SQLiteStore]:
    """The store opened for writing, one transaction around the block; errors become messages."""
    try:
        store = open_store(db_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    conn = store.connection
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield store
        conn.execute("COMMIT")
    except (StoreError, NotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        store.close()


def _user(made_by: str | None) -> str:
    if made_by:
        return made_by
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a container without one)
        return "unknown"


def _person_id(store: SQLiteStore, name_or_id: str) -> str:
    return find_person(store, name_or_id).id


@click.group()
def correct() -> None:
    """Correct the record by hand: merge two people, split a name off one, give a quotation its
    speaker, undo a correction.

    Every correction is kept in the store's log with who made it, when and why (`onrecord
    corrections`); the facts it decides carry its id (`corrected_by` in exports). Corrections last:
    articles stored later follow them, and `replay` makes a store's corrections again in a store
    built anew (a re-analysis with a newer onrecord).

    \b
    Examples:
      onrecord correct merge --db news.db person:putin "Vladimir Putin" --reason "one man"
      onrecord correct split --db news.db person:robin-cook "Cook"
      onrecord correct speaker --db news.db 3f2a...:4 "Norman Cook"
      onrecord correct undo --db news.db 3
      onrecord corrections --db old.db --format jsonl > corrections.jsonl
      onrecord correct replay --db new.db corrections.jsonl
    """


@correct.command()
@_db_option
@click.argument("absorbed")
@click.argument("kept")
@_why_options
def merge(db_path: str, absorbed: str, kept: str, reason: str | None, made_by: str | None) -> None:
    """Merge person ABSORBED into person KEPT (ids, or names only one person has).

    All of ABSORBED's names, now and in articles stored later, are KEPT's.
    """
    with _writing(db_path) as store:
        done = log.merge(
            store.connection,
            _person_id(store, absorbed),
            _person_id(store, kept),
            reason=reason,
            by=_user(made_by),
        )
    click.echo(done.describe())


@correct.command()
@_db_option
@click.argument("person")
@click.argument("name")
@_why_options
def split(db_path: str, person: str, name: str, reason: str | None, made_by: str | None) -> None:
    """Take the name NAME off PERSON: its quotations become a person of their own.

    NAME as `onrecord person PERSON` lists it ("Cook", "Hillary Rodham Clinton").
    """
    with _writing(db_path) as store:
        done = log.split(store.connection, _person_id(store, person), name, reason=reason, by=_user(made_by))
    click.echo(done.describe())


@correct.command()
@_db_option
@click.argument("quote_id")
@click.argument("person")
@_why_options
def speaker(db_path: str, quote_id: str, person: str, reason: str | None, made_by: str | None) -> None:
    """Give the quotation QUOTE_ID to PERSON: a person id, a name of the store, a full name new to
    it, or `none` (the quotation's speaker is not known).

    QUOTE_ID as `onrecord quotes --format jsonl` gives it (`<article id>:<position>`).
    """
    with _writing(db_path) as store:
        target = None if person.strip().lower() == "none" else person
        done = log.set_speaker(store.connection, quote_id, target, reason=reason, by=_user(made_by))
    click.echo(done.describe())


@correct.command()
@_db_option
@click.argument("correction_id", type=int)
@_why_options
def undo(db_path: str, correction_id: int, reason: str | None, made_by: str | None) -> None:
    """Undo correction CORRECTION_ID (its number in `onrecord corrections`); the log keeps both."""
    with _writing(db_path) as store:
        done = log.undo(store.connection, correction_id, reason=reason, by=_user(made_by))
    click.echo(done.describe())


@correct.command()
@_db_option
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--by", "made_by", metavar="NAME", help="Who replays them [the user name of this session].")
def replay(db_path: str, file: Any, made_by: str | None) -> None:
    """Make again the corrections of another store's log, FILE as `onrecord corrections --format
    jsonl` wrote it (- for standard input). Undone corrections are skipped; each made one keeps
    who made it first, and when, in its detail."""
    entries = []
    for number, line in enumerate(file, 1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{file.name}, line {number}: not JSON ({exc.msg})") from None
    with _writing(db_path) as store:
        made = log.replay(store.connection, entries, by=_user(made_by))
    for done in made:
        click.echo(done.describe())
    click.echo(f"replayed {len(made)} of {len(entries)} corrections", err=True)


@click.command()
@_db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="A readable list, or JSON Lines for `onrecord correct replay`.",
)
def corrections(db_path: str, fmt: str) -> None:
    """The log of corrections made by hand: what, who, when, why, and what undid it.

    \b
    Example:
      onrecord corrections --db news.db
    """
    try:
        store = open_store(db_path, readonly=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    with store:
        rows = log.list_corrections(store.connection)
    if fmt == "jsonl":
        for c in rows:
            sys.stdout.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        return
    if not rows:
        click.echo("no corrections made", err=True)
    for c in rows:
        click.echo(c.describe())


COMMANDS = (correct, corrections)
