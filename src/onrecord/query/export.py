"""Export quotations, people or articles as JSON Lines, CSV or Parquet, streaming row by row.

JSON Lines and CSV use the standard library. Parquet needs pyarrow, an optional extra
(``pip install "onrecord[parquet]"``); rows go to the file in row groups of ``PARQUET_BATCH`` rows, so
memory stays flat however big the store. Columns are those of :class:`~onrecord.query.QuoteRow`,
:class:`~onrecord.query.PersonRow` and :class:`~onrecord.query.ArticleRow`, in that order; list
columns (``pieces``, ``roles``, ``names``) are JSON arrays in JSON Lines and JSON text in CSV and
Parquet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal

from onrecord.errors import OnrecordError
from onrecord.query.articles import ArticleRow, list_articles
from onrecord.query.db import Database, QueryError
from onrecord.query.people import PersonRow, list_people
from onrecord.query.quotes import QuoteRow, find_quotes

What = Literal["quotes", "people", "articles"]
Format = Literal["jsonl", "csv", "parquet"]
WHATS: tuple[What, ...] = ("quotes", "people", "articles")
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
#: Rows per Parquet row group: big enough for good compression, small enough to keep memory flat.
PARQUET_BATCH = 10_000

ColumnType = Literal["str", "int", "float", "json"]
COLUMNS: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    "quotes": (
        ("id", "str"),
        ("article_id", "str"),
        ("position", "int"),
        ("published", "str"),
        ("outlet", "str"),
        ("title", "str"),
        ("url", "str"),
        ("person_id", "str"),
        ("person_name", "str"),
        ("speaker_name", "str"),
        ("speaker_kind", "str"),
        ("speaker_mention", "str"),
        ("mention_kind", "str"),
        ("mention_start", "int"),
        ("mention_end", "int"),
        ("kind", "str"),
        ("content", "str"),
        ("quote_start", "int"),
        ("quote_end", "int"),
        ("pieces", "json"),
        ("cue", "str"),
        ("cue_start", "int"),
        ("cue_end", "int"),
        ("context_start", "int"),
        ("context_end", "int"),
        ("statement_id", "str"),
        ("nested_in", "str"),
        ("confidence", "float"),
        ("component", "str"),
    ),
    "people": (
        ("id", "str"),
        ("name", "str"),
        ("quotes", "int"),
        ("statements", "int"),
        ("articles", "int"),
        ("first_seen", "str"),
        ("last_seen", "str"),
        ("roles", "json"),
        ("names", "json"),
    ),
    "articles": (
        ("id", "str"),
        ("title", "str"),
        ("published", "str"),
        ("published_from", "str"),
        ("outlet", "str"),
        ("url", "str"),
        ("source", "str"),
        ("language", "str"),
        ("quote_count", "int"),
        ("sources", "int"),
        ("onrecord_version", "str"),
        ("model", "str"),
        ("stored_at", "str"),
        ("story_id", "str"),
        ("story_articles", "int"),
        ("text", "str"),
        ("input_text", "str"),
    ),
}


class MissingExtraError(OnrecordError):
    """An optional dependency is not installed; the message says which extra to install."""


def iter_rows(db: Database, what: str, **filters: Any) -> Iterator[dict[str, Any]]:
    """The rows of ``what`` as dicts (quotes take the filters of :func:`find_quotes`)."""
    if what not in WHATS:
        raise QueryError(f"cannot export {what!r}; choose one of {', '.join(WHATS)}")
    rows: Iterable[QuoteRow | PersonRow | ArticleRow]
    if what == "quotes":
        rows = find_quotes(db, **{"order": "stored", **filters})
    elif filters:
        raise QueryError(f"filters apply to quotes only, not to {what}")
    elif what == "people":
        rows = list_people(db)
    else:
        rows = list_articles(db)
    return (row.to_dict() for row in rows)


def export(db: Database, what: str, fmt: str, path: str | Path, **filters: Any) -> int:
    """Write ``what`` to ``path`` in ``fmt``; the number of rows written."""
    if fmt not in FORMATS:
        raise QueryError(f"cannot export as {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        pq = _pyarrow()  # before anything is read or written: fail fast without the extra
        return write_parquet(iter_rows(db, what, **filters), COLUMNS[what], path, pyarrow_modules=pq)
    with open(path, "w", encoding="utf-8", newline="") as out:
        if fmt == "jsonl":
            return write_jsonl(iter_rows(db, what, **filters), out)
        return write_csv(iter_rows(db, what, **filters), COLUMNS[what], out)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], columns: Iterable[tuple[str, ColumnType]], out: IO[str]) -> int:
    spec = tuple(columns)
    writer = csv.writer(out)
    writer.writerow([name for name, _ in spec])
    count = 0
    for row in rows:
        writer.writerow([_flat(row.get(name), kind) for name, kind in spec])
        count += 1
    return count


def write_parquet(
    rows: Iterable[dict[str, Any]],
    columns: Iterable[tuple[str, ColumnType]],
    path: str | Path,
    *,
    pyarrow_modules: tuple[Any, Any] | None = None,
) -> int:
    pa, pq = pyarrow_modules or _pyarrow()
    spec = tuple(columns)
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "json": pa.string()}
    schema = pa.schema([(name, types[kind]) for name, kind in spec])
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(str(path), schema) as writer:
        for row in rows:
            batch.append({name: _flat(row.get(name), kind) for name, kind in spec})
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
                batch = []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _flat(value: Any, kind: ColumnType) -> Any:
    if kind == "json" and value is not None:
        return json.dumps(value, ensure_ascii=False)
    return value


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingExtraError(
            "Parquet export needs pyarrow, which is not installed; install it with: "
            'pip install "onrecord[parquet]" (or export as jsonl or csv)'
        ) from exc
    return pa, pq
