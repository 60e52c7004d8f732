"""Export quotations, people or articles as JSON Lines, CSV or Parquet, streaming row by row.

JSON Lines and CSV use the standard library. Parquet needs pyarrow, an optional extra
(``pip install "onrecord[parquet]"``); rows go to the file in row groups of ``PARQUET_BATCH`` rows, so
memory stays flat however big the store. Columns are those of :class:`~onrecord.query.QuoteRow`,
:class:`~onrecord.query.PersonRow` and :class:`~onrecord.query.ArticleRow`, in that order; list
columns (``pieces``, ``roles``, ``names``) are JSON arrays in JSON Lines and JSON text in CSV and
Parquet.

Writing to a file is safe for the store (docs/store.md, "Exports"): :func:`check_output` refuses the
store itself (by path, symbolic or hard link), any SQLite database, WAL or rollback journal, the
``-wal``, ``-shm`` and ``-journal`` files beside one, and an existing file unless ``force``; the rows go
to a temporary file in the target's folder, renamed over the target only once complete.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal

from onrecord.errors import OnrecordError
from onrecord.query.articles import ArticleRow, list_articles
from onrecord.query.db import Database, QueryError, connection_of
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
        ("cue_class", "str"),
        ("corrected_by", "int"),
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


class ExportTargetError(OnrecordError):
    """The export's output cannot be written without destroying something (the store, a database, an
    existing file); the message names it and says what to do."""


#: The first bytes of a SQLite database, of a WAL file (two byte orders) and of a rollback journal
#: (https://www.sqlite.org/fileformat.html, sections 1.3, 4.1 and 4.3).
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_JOURNAL_MAGIC = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
#: The files SQLite keeps beside a database.
SIDECARS = ("-wal", "-shm", "-journal")


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


def export(
    db: Database, what: str, fmt: str, path: str | Path, *, force: bool = False, **filters: Any
) -> int:
    """Write ``what`` to ``path`` in ``fmt``; the number of rows written.

    The output is checked first (:func:`check_output`: never the store, a database or, unless
    ``force``, an existing file), then written to a temporary file in the same folder and renamed over
    ``path`` once complete, so a failed export leaves ``path`` as it was. A ``path`` that exists and is
    not a regular file (``/dev/null``, a named pipe) is written in place.
    """
    _check_what_and_format(what, fmt)
    pq = _pyarrow() if fmt == "parquet" else None  # fail fast without the extra, before any write
    target = check_output(path, store_path=store_file(db), force=force)
    return _write_replacing(
        target, lambda out: write_export(db, what, fmt, out, pyarrow_modules=pq, **filters)
    )


def write_export(
    db: Database,
    what: str,
    fmt: str,
    out: BinaryIO,
    *,
    pyarrow_modules: tuple[Any, Any] | None = None,
    **filters: Any,
) -> int:
    """Write ``what`` in ``fmt`` to an open binary stream (standard output, a file); the number of rows."""
    _check_what_and_format(what, fmt)
    if fmt == "parquet":
        pq = pyarrow_modules or _pyarrow()
        return write_parquet(iter_rows(db, what, **filters), COLUMNS[what], out, pyarrow_modules=pq)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        if fmt == "jsonl":
            return write_jsonl(iter_rows(db, what, **filters), text)
        return write_csv(iter_rows(db, what, **filters), COLUMNS[what], text)
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``


def store_file(db: Database) -> Path | None:
    """The file of the database behind ``db`` (None for an in-memory one)."""
    for _seq, name, file in connection_of(db).execute("PRAGMA database_list"):
        if name == "main":
            return Path(file) if file else None
    return None


def check_output(path: str | Path, *, store_path: str | Path | None = None, force: bool = False) -> Path:
    """The resolved file an export may write, or an :class:`ExportTargetError` saying why not.

    Refused whatever ``force`` says: the store (``store_path``) or one of its ``-wal``, ``-shm``,
    ``-journal`` files, reached by any path (symbolic links resolved, hard links compared by inode);
    a file that starts like a SQLite database, WAL file or rollback journal; a ``-wal``, ``-shm`` or
    ``-journal`` file beside a database. Refused unless ``force``: any other existing regular file.
    """
    given = str(path)
    target = Path(os.path.realpath(path))
    if store_path is not None:
        store = Path(os.path.realpath(store_path))
        for suffix in ("", *SIDECARS):
            guarded = Path(str(store) + suffix)
            if target == guarded or _same_file(target, guarded):
                what = "the store being exported" if not suffix else f"the store's {suffix[1:]} file"
                raise ExportTargetError(
                    f"refusing to write the export to {given}: it is {what} ({store}); "
                    "writing it would destroy the store. Choose another output file"
                )
    if target.is_dir():
        raise ExportTargetError(f"cannot write the export to {given}: it is a folder; name a file in it")
    if target.exists() and stat.S_ISREG(target.stat().st_mode):
        kind = _sqlite_kind(target)
        if kind:
            raise ExportTargetError(
                f"refusing to write the export to {given}: it is a SQLite {kind}, which the export would "
                "destroy. Choose another output file"
            )
    for suffix in SIDECARS:
        if target.name.endswith(suffix) and len(target.name) > len(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            if base.is_file() and _sqlite_kind(base) == "database":
                raise ExportTargetError(
                    f"refusing to write the export to {given}: it is the {suffix[1:]} file of the SQLite "
                    f"database {base}, which the export would damage. Choose another output file"
                )
    if target.exists() and stat.S_ISREG(target.stat().st_mode) and not force:
        raise ExportTargetError(
            f"{given} already exists; pass --force (force=True in Python) to replace it, "
            "or choose another file"
        )
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def _sqlite_kind(path: Path) -> str | None:
    """ "database", "WAL file" or "rollback journal" when the file starts like one; else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError:
        return None
    if head.startswith(_SQLITE_MAGIC):
        return "database"
    if head[:4] in _WAL_MAGIC:
        return "WAL file"
    if head.startswith(_JOURNAL_MAGIC):
        return "rollback journal"
    return None


def _write_replacing(target: Path, write: Callable[[BinaryIO], int]) -> int:
    """Run ``write`` on a temporary file beside ``target``, then rename it over ``target``."""
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        with open(target, "wb") as out:  # a device or a pipe: nothing to replace
            return write(out)
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            count = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _check_what_and_format(what: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise QueryError(f"cannot export as {fmt!r}; choose one of {', '.join(FORMATS)}")
    if what not in WHATS:
        raise QueryError(f"cannot export {what!r}; choose one of {', '.join(WHATS)}")


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(
    rows: Iterable[dict[str, Any]],
    columns: Iterable[tuple[str, ColumnType]],
    out: IO[str],
    *,
    header: bool = True,
) -> int:
    """Rows as CSV (``header``: the column names first); text cells pass through :func:`csv_text`."""
    spec = tuple(columns)
    writer = csv.writer(out)
    if header:
        writer.writerow([name for name, _ in spec])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(name), kind) for name, kind in spec])
        count += 1
    return count


#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"): =, +, -, @, and tab
#: and carriage return, which some applications skip before looking for one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """``value`` made safe for a spreadsheet: a leading single quote when it starts like a formula, as
    OWASP recommends; Excel, LibreOffice and Google Sheets then show the cell as text. Quoting and
    doubling of double quotes is the csv module's."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: Any, kind: ColumnType) -> Any:
    """One CSV cell: lists as JSON text, text neutralised (:func:`csv_text`); numbers as they are."""
    value = _flat(value, kind)
    return csv_text(value) if isinstance(value, str) else value


def write_parquet(
    rows: Iterable[dict[str, Any]],
    columns: Iterable[tuple[str, ColumnType]],
    path: str | Path | BinaryIO,
    *,
    pyarrow_modules: tuple[Any, Any] | None = None,
) -> int:
    """Rows to a Parquet file (a path, or an open binary stream)."""
    pa, pq = pyarrow_modules or _pyarrow()
    spec = tuple(columns)
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "json": pa.string()}
    schema = pa.schema([(name, types[kind]) for name, kind in spec])
    count = 0
    batch: list[dict[str, Any]] = []
    where = str(path) if isinstance(path, str | Path) else path
    with pq.ParquetWriter(where, schema) as writer:
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
