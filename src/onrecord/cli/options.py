"""Options that several commands share, kept free of heavy imports (every command's module loads it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click


def db_option(*, exists: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--db FILE``, the store; ``exists``: refuse a path with no file (a command that writes to the
    store but must not create one)."""
    return click.option(
        "--db",
        "db_path",
        required=True,
        metavar="FILE",
        type=click.Path(dir_okay=False, exists=exists),
        help="The store (SQLite file) written by `onrecord ingest`.",
    )


def check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: ``value`` as given when it is a YYYY-MM-DD date (or None), else a usage error."""
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None
    return value
