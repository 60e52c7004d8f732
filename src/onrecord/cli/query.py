"""`onrecord quotes | people | person | show | failures | export`: read a store built by `onrecord ingest`.

Each command opens the store read-only and calls one function of :mod:`onrecord.query`; this module
only formats (aligned tables, JSON Lines, CSV, marked text) and turns errors into messages.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from onrecord.cli.options import db_option
from onrecord.query import (
    CUES,
    KINDS,
    ArticleDetail,
    FailureRow,
    MissingExtraError,
    NotFoundError,
    PersonDetail,
    PersonRow,
    QueryError,
    export,
    get_article,
    list_failures,
    mark_text,
    quote_marks,
)
from onrecord.query.export import (
    COLUMNS,
    FORMATS,
    WHATS,
    ColumnType,
    ExportTargetError,
    write_csv,
    write_export,
    write_jsonl,
)
from onrecord.query.marks import LEGEND, Style
from onrecord.store import SQLiteStore, StoreError, open_store

#: Rows a table shows when --limit is not given (JSON Lines and CSV give all rows).
TABLE_LIMIT = 50
_MIN_LAST_COLUMN = 24
_MIN_COLUMN = 8


_db_option = db_option()


def _format_option(*choices: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output: a readable table, or rows for other tools.",
    )


@contextmanager
def _reading(db_path: str) -> Iterator[SQLiteStore]:
    """The store opened read-only; store and query errors become messages (exit 1, or 2 for usage)."""
    try:
        store = open_store(db_path, readonly=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    except MissingExtraError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


# -- quotes ------------------------------------------------------------------------------------------------
@click.command()
@_db_option
@click.option(
    "--speaker",
    help="A person id, a full name, or words of a name one person has; a surname that several "
    "people share lists them.",
)
@click.option("--contains", metavar="PHRASE", help="Quotations holding this phrase (whole words).")
@click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this date.")
@click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this date.")
@click.option("--kind", type=click.Choice(list(KINDS)), help="Direct, indirect or mixed quotations only.")
@click.option("--outlet", help="From this outlet (any source of the article; case ignored).")
@click.option("--min-confidence", type=click.FloatRange(0, 1), help="At least this confidence.")
@click.option(
    "--cue",
    type=click.Choice(list(CUES)),
    help="speech: what people said (quotations, 'said that', 'according to'); other: beliefs, "
    "intentions, criticism ('believes that', 'vowed to', 'criticized the plan') [both].",
)
@click.option("--oldest-first", is_flag=True, help="Oldest first [newest first].")
@click.option(
    "--limit", type=click.IntRange(min=0), help=f"At most this many [table: {TABLE_LIMIT}, else all]."
)
@click.option(
    "--urls", is_flag=True, help="Add each article's address to the table (JSON Lines and CSV have it)."
)
@_format_option("table", "jsonl", "csv")
def quotes(
    db_path: str,
    speaker: str | None,
    contains: str | None,
    since: str | None,
    until: str | None,
    kind: str | None,
    outlet: str | None,
    min_confidence: float | None,
    cue: str | None,
    oldest_first: bool,
    limit: int | None,
    urls: bool,
    fmt: str,
) -> None:
    """Quotations in the store, newest first: who said what, when, where (the outlet; --urls for
    the address).

    \b
    Examples:
      onrecord quotes --db news.db --speaker "Vladimir Putin" --contains "air base" --since 2010-04-01
      onrecord quotes --db news.db --outlet Reuters --kind direct --format jsonl > quotes.jsonl
      onrecord quotes --db news.db --speaker "Hillary Clinton" --cue speech   what she said, not believes
    """
    with _reading(db_path) as store:
        filters: dict[str, Any] = {"speaker": speaker, "contains": contains, "since": since, "until": until}
        filters |= {"kind": kind, "outlet": outlet, "min_confidence": min_confidence, "cue": cue}
        filters["order"] = "oldest" if oldest_first else "newest"
        if fmt != "table":
            _write_rows((q.to_dict() for q in store.quotes(**filters, limit=limit)), "quotes", fmt)
            return
        shown = TABLE_LIMIT if limit is None else limit
        rows = list(store.quotes(**filters, limit=shown + 1))
        header = ["date", "outlet", "article", "speaker", "kind", "quotation"]
        widths = [10, 16, 8, 24, 8, 0]
        table = [
            [
                q.published or "undated",
                q.outlet or "",
                q.article_id[:8],
                q.speaker,
                q.kind,
                _one_line(q.content),
            ]
            for q in rows[:shown]
        ]
        if urls:
            header.insert(2, "url")
            widths.insert(2, 60)
            for row, q in zip(table, rows, strict=False):
                row.insert(2, q.url or "")
        _echo_table(header, table, max_widths=widths)
        _more(len(rows) > shown, shown, "quotations")


# -- people ------------------------------------------------------------------------------------------------
@click.command()
@_db_option
@click.option(
    "--limit", type=click.IntRange(min=0), help=f"At most this many [table: {TABLE_LIMIT}, else all]."
)
@click.option(
    "--quotes",
    "per_person",
    type=click.IntRange(min=0),
    default=0,
    help="Also print this many of each person's quotations (the most confident first), in the table.",
)
@click.option("--since", metavar="DATE", help="Only quotations published on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only quotations published on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--outlet", help="Only quotations in articles from this outlet (a site or publisher).")
@_format_option("table", "jsonl", "csv")
def people(
    db_path: str,
    limit: int | None,
    per_person: int,
    since: str | None,
    until: str | None,
    outlet: str | None,
    fmt: str,
) -> None:
    """People quoted in the store, by number of statements (a quotation repeated by several articles
    counts once; QUOTES counts every copy), with their roles and the dates first and last quoted.
    With --since, --until or --outlet the counts and dates are those of that period or outlet.

    \b
    Examples:
      onrecord people --db news.db --limit 20
      onrecord people --db news.db --limit 5 --quotes 2     who is quoted most, and saying what
      onrecord people --db news.db --since 2010-04 --until 2010-06 --outlet bbc.co.uk
    """
    filters = {"since": since, "until": until, "outlet": outlet}
    with _reading(db_path) as store:
        if fmt != "table":
            _write_rows((p.to_dict() for p in store.people(limit=limit, **filters)), "people", fmt)
            return
        shown = TABLE_LIMIT if limit is None else limit
        rows: list[PersonRow] = list(store.people(limit=shown + 1, **filters))
        _echo_table(
            ["statements", "quotes", "articles", "name", "first seen", "last seen", "roles"],
            [
                [
                    p.statements,
                    p.quotes,
                    p.articles,
                    p.name,
                    p.first_seen or "undated",
                    p.last_seen or "",
                    _roles(p),
                ]
                for p in rows[:shown]
            ],
            max_widths=[10, 6, 8, 28, 10, 10, 0],
        )
        if per_person:
            for row in rows[:shown]:
                found = store.quotes(person_id=row.id, limit=50, **filters)
                quotes = sorted(found, key=lambda q: -q.confidence)
                click.echo(f"\n{row.name}" + (f" ({row.roles[0]})" if row.roles else ""))
                for quote in quotes[:per_person]:
                    click.echo(f"  “{_short(_one_line(quote.content), 150)}” ({quote.cue or quote.kind})")
        _more(len(rows) > shown, shown, "people")


# -- person ------------------------------------------------------------------------------------------------
@click.command()
@_db_option
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="Quotations shown.")
@_format_option("table", "json")
def person(db_path: str, name: str, limit: int, fmt: str) -> None:
    """One person: roles over time, quotations, and the people quoted beside them.

    NAME is a name ("Vladimir Putin", or "Putin" when only one person has it) or an id from
    `onrecord people --format jsonl` (person:vladimir-putin).

    \b
    Example:
      onrecord person --db news.db "Vladimir Putin"
    """
    with _reading(db_path) as store:
        detail = store.person(name, quotes_limit=limit)
        if fmt == "json":
            click.echo(json.dumps(detail.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(_person_text(detail))


def _person_text(detail: PersonDetail) -> str:
    p = detail.person
    lines = [f"{p.name}  ({p.id})"]
    span = f"{p.first_seen} .. {p.last_seen}" if p.first_seen else "undated (no article gives a date)"
    counts = f"{_count(p.statements, 'statement')}, {_count(p.quotes, 'quotation')}"
    lines.append(f"  {counts} in {_count(p.articles, 'article')}, {span}")
    others = [n for n in p.names if n != p.name]
    if others:
        lines.append("  also named: " + ", ".join(others))
    if len(detail.why) > 1 or any(w.correction for w in detail.why):
        lines.append(
            "  one person because: "
            + "; ".join(
                f"{w.key!r} {w.how}" + (f" (#{w.correction})" if w.correction else "") for w in detail.why
            )
        )
    if detail.corrections:
        lines.append("")
        lines.append("Corrected by hand (`onrecord corrections`):")
        lines += [f"  {c.describe()}" for c in detail.corrections]
    lines.append("")
    lines.append("Roles:" if detail.roles else "Roles: none recorded")
    for r in detail.roles:
        dates = f"{r.first_seen:10} .. {r.last_seen or '':10}" if r.first_seen else f"{'undated':24}"
        lines.append(f"  {dates}  {r.role}  ({_count(r.articles, 'article')})")
    lines.append("")
    lines.append("Quoted beside:" if detail.beside else "Quoted beside: nobody")
    for n in detail.beside:
        lines.append(f"  {n.name}  ({_count(n.articles, 'article')})")
    lines.append("")
    lines.append(f"Quotations (first {len(detail.quotes)} of {p.quotes}):")
    rows = [[q.published or "", q.article_id[:8], q.kind, _one_line(q.content)] for q in detail.quotes]
    lines += ["  " + line for line in _table(["date", "article", "kind", "quotation"], rows, [10, 8, 8, 0])]
    return "\n".join(lines)


# -- show --------------------------------------------------------------------------------------------------
@click.command()
@_db_option
@click.argument("article_id")
@click.option("--context", is_flag=True, help="Each quotation in its sentence, not the whole article.")
@click.option("--color/--no-color", default=None, help="Colour marks [auto: when stdout is a terminal].")
@_format_option("text", "json")
def show(db_path: str, article_id: str, context: bool, color: bool | None, fmt: str) -> None:
    """An article with its quotations, cues and speakers marked.

    ARTICLE_ID is an article's id, or its first characters (at least 6) as `onrecord quotes` shows
    them. In a terminal the marks are colours; otherwise [quotation], <cue> and {speaker}.

    \b
    Example:
      onrecord show --db news.db c3ca4ffb
    """
    with _reading(db_path) as store:
        detail = get_article(store, article_id)
        if fmt == "json":
            click.echo(json.dumps(detail.to_dict(), ensure_ascii=False, indent=2))
            return
        if color is None:
            color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(_article_text(detail, context=context, color=color), color=color)


def _article_text(detail: ArticleDetail, *, context: bool, color: bool) -> str:
    a = detail.article
    style: Style = "ansi" if color else "brackets"
    lines = [f"== {a.title or a.source}"]
    facts = [f"id {a.id}"]
    if a.published:
        facts.append(f"published {a.published}" + (f" ({a.published_from})" if a.published_from else ""))
    facts += [f"outlet {a.outlet}"] if a.outlet else []
    facts += [a.url] if a.url else []
    lines.append("   " + ", ".join(facts))
    if len(detail.sources) > 1:
        lines.append("   sources: " + ", ".join(s["source"] for s in detail.sources))
    if a.story_articles > 1:  # wire copies of one story (near-duplicates, docs/store.md)
        lines.append(f"   story: {a.story_id} ({a.story_articles} articles)")
    version = detail.provenance.get("onrecord", "?")
    lines.append(f"   analysed by onrecord {version} with {detail.provenance.get('model', '?')}")
    if not color:
        lines.append("   marks: " + LEGEND)
    lines.append("")
    text = a.input_text
    if not context:
        lines.append(mark_text(text, quote_marks(detail.quotes), style=style).strip("\n"))
        lines.append("")
    lines.append(f"Quotations ({len(detail.quotes)}):")
    for n, q in enumerate(detail.quotes, 1):
        head = f"{n:3}. {q.speaker}"
        if q.speaker_mention and q.speaker_mention not in {q.speaker_name, q.person_name}:
            head += f" (as {q.speaker_mention!r})"
        nested = f", inside {int(q.nested_in.rpartition(':')[2]) + 1}" if q.nested_in else ""
        head += f" [{q.kind}, {q.cue or 'no cue'}, {q.confidence:.2f}{nested}]"
        if context and q.context_start is not None and q.context_end is not None:
            window = text[q.context_start : q.context_end]
            marked = mark_text(window, quote_marks([q]), style=style, offset=q.context_start)
            lines.append(head + ":")
            lines.append("       " + _one_line(marked))
        else:
            lines.append(f"{head}: “{_short(_one_line(q.content), 200)}”")
    return "\n".join(lines)


# -- failures ----------------------------------------------------------------------------------------------
@click.command()
@_db_option
@_format_option("table", "jsonl", "csv")
def failures(db_path: str, fmt: str) -> None:
    """Inputs that could not be processed, the stage, the error code (docs/errors.md) and why.

    \b
    Example:
      onrecord failures --db news.db
    """
    with _reading(db_path) as store:
        rows: Iterable[FailureRow] = list_failures(store)
        if fmt != "table":
            _write_rows((f.to_dict() for f in rows), "failures", fmt)
            return
        table = [[f.input, f.stage, f.code, _one_line(f.message)] for f in rows]
        if not table:
            click.echo("no failures recorded", err=True)
            return
        _echo_table(["input", "stage", "code", "message"], table, max_widths=[40, 8, 5, 0])


# -- export ------------------------------------------------------------------------------------------------
@click.command("export")
@_db_option
@click.option("--what", type=click.Choice(list(WHATS)), default="quotes", show_default=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The file to write, or - for standard output. Never the store or another SQLite file.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists [refuse].")
def export_cmd(db_path: str, what: str, fmt: str, output: str, force: bool) -> None:
    """Write all quotations, people or articles to a file, for pandas, DuckDB, spreadsheets.

    Rows stream to a temporary file beside the output, renamed over it once complete, so memory
    stays flat and a failed export leaves no half-written file. An existing file is replaced only
    with --force; the store, any SQLite file and its -wal, -shm or -journal files never are. CSV
    cells that a spreadsheet would run as a formula are neutralised (docs/store.md). Parquet needs
    pyarrow: pip install "onrecord[parquet]".

    \b
    Examples:
      onrecord export --db news.db --what quotes --format parquet -o quotes.parquet
      onrecord export --db news.db --what people --format csv -o people.csv
      onrecord export --db news.db --what quotes -o - | jq .content
    """
    with _reading(db_path) as store:
        try:
            if output == "-":
                count = _export_to_stdout(store, what, fmt, db_path)
                output = "standard output"
            else:
                count = export(store, what, fmt, output, force=force)
        except ExportTargetError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"wrote {count:,} {what} to {output}", err=True)


def _export_to_stdout(store: SQLiteStore, what: str, fmt: str, db_path: str) -> int:
    out = click.get_binary_stream("stdout")
    try:
        same = os.path.samestat(os.fstat(out.fileno()), os.stat(db_path))
    except (OSError, ValueError, io.UnsupportedOperation):  # no file behind stdout (a test's buffer)
        same = False
    if same:
        raise ExportTargetError(
            f"refusing to write the export to standard output: it is the store {db_path}; "
            "redirect it to another file"
        )
    if fmt == "parquet" and out.isatty():
        raise click.UsageError("Parquet is binary: redirect standard output to a file, or use -o FILE")
    count = write_export(store, what, fmt, out)
    out.flush()
    return count


COMMANDS = (quotes, people, person, show, failures, export_cmd)


# -- output helpers ----------------------------------------------------------------------------------------
_FAILURE_COLUMNS: tuple[tuple[str, ColumnType], ...] = (
    ("input", "str"),
    ("stage", "str"),
    ("code", "str"),
    ("message", "str"),
    ("onrecord_version", "str"),
    ("recorded_at", "str"),
)


def _write_rows(rows: Iterable[dict[str, Any]], what: str, fmt: str) -> None:
    out = click.get_text_stream("stdout")
    if fmt == "jsonl":
        write_jsonl(rows, out)
    else:
        write_csv(rows, COLUMNS.get(what, _FAILURE_COLUMNS), out)


def _echo_table(header: Sequence[str], rows: Sequence[Sequence[Any]], max_widths: Sequence[int]) -> None:
    if not rows:
        click.echo("no rows match", err=True)
        return
    for line in _table(header, rows, max_widths):
        click.echo(line)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], max_widths: Sequence[int]) -> list[str]:
    """Aligned columns; numbers right-aligned; the last column (width 0) fills the terminal."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        min(max([len(h)] + [len(r[i]) for r in cells]), m or 10_000)
        for i, (h, m) in enumerate(zip(header, max_widths, strict=True))
    ]
    total = shutil.get_terminal_size((120, 24)).columns
    numeric = [all(isinstance(r[i], int) for r in rows) for i in range(len(header))]
    if max_widths[-1] == 0:
        # A narrow terminal: the widest name columns give way first, to _MIN_COLUMN each, so that the
        # last one keeps at least _MIN_LAST_COLUMN (dates, ids and kinds keep their width).
        over = sum(widths[:-1]) + 2 * (len(widths) - 1) + _MIN_LAST_COLUMN - total
        while over > 0:
            narrowable = [
                i
                for i in range(len(widths) - 1)
                if not numeric[i] and max_widths[i] > 10 and widths[i] > _MIN_COLUMN  # never dates, ids
            ]
            if not narrowable:
                break
            widest = max(narrowable, key=lambda i: widths[i])
            widths[widest] -= 1
            over -= 1
        widths[-1] = min(widths[-1], max(_MIN_LAST_COLUMN, total - sum(widths[:-1]) - 2 * (len(widths) - 1)))

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            value = _short(value, widths[i])
            parts.append(value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    return [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells]


def _more(truncated: bool, shown: int, what: str) -> None:
    if truncated:
        click.echo(f"(first {shown} {what}; --limit N for more, --format jsonl for all)", err=True)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _roles(person: PersonRow) -> str:
    return "; ".join(person.roles)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis, never inside a word."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    if text[len(cut)] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"
