"""What every query takes: a sqlite3 connection, or anything with a ``connection`` (a SQLiteStore)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from onrecord.errors import OnrecordError


class HasConnection(Protocol):
    @property
    def connection(self) -> sqlite3.Connection: ...


Database = sqlite3.Connection | HasConnection


class NotFoundError(OnrecordError):
    """No person or article by that name or id; ``suggestions`` holds close names (may be empty)."""

    def __init__(self, message: str, suggestions: Iterable[str] = ()) -> None:
        self.suggestions = list(suggestions)
        if self.suggestions:
            message += "; did you mean: " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class QueryError(OnrecordError, ValueError):
    """A query option that cannot be used as given (a date that is not a date, an unknown kind)."""


def connection_of(db: Database) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.connection


def dict_rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    """Rows of a cursor as dicts, one at a time (the cursor streams; nothing is loaded whole)."""
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def close_matches(word: str, candidates: Iterable[str], *, n: int = 5, prefix: bool = False) -> list[str]:
    """Candidates close to ``word`` (difflib), ignoring case; with ``prefix``, comparing ``word`` with
    the candidates' first ``len(word)`` characters (for ids typed short)."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower()[: len(word)] if prefix else candidate.lower(), candidate)
    found = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[f] for f in found]


_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def check_date(value: str | None, option: str) -> str | None:
    """A date bound as given (YYYY, YYYY-MM or YYYY-MM-DD), or a QueryError saying how to write it."""
    if value is None:
        return None
    value = value.strip()
    padded = value + "-01-01"[len(value) - 4 :] if _DATE.fullmatch(value) else ""
    try:
        dt.date.fromisoformat(padded)
    except ValueError:
        raise QueryError(
            f"{option} {value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM, YYYY)"
        ) from None
    return value


def fts_phrase(text: str) -> str:
    """User text as ONE FTS5 phrase: double quotes doubled, the whole in double quotes, so that no
    character of it is read as FTS5 syntax (AND, NEAR, *, column filters, parentheses)."""
    return '"' + text.replace('"', '""') + '"'


def like_escape(text: str) -> str:
    """Escape LIKE wildcards; use with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
