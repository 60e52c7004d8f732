"""`onrecord ingest`: analyse articles in parallel into a database; re-running skips what is stored."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from onrecord.cli.options import check_date

if TYPE_CHECKING:
    from onrecord.ingest.readers import Item
    from onrecord.runners.local import IngestReport, IngestStats
    from onrecord.store import Failure

#: Seconds between progress lines when stderr is not a terminal (a log file, CI), and between
#: redraws of the progress line when it is.
LOG_EVERY_SECONDS = 10.0
REDRAW_EVERY_SECONDS = 0.2


@click.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite database to add to (created if missing).",
)
@click.option("--sample", is_flag=True, help="Ingest the bundled sample: 24 Wikinews articles (CC BY 2.5).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, each with its own model [all cores]. 1 analyses in this process.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Articles per transaction.",
)
@click.option(
    "--max-chars", type=click.IntRange(min=1), default=None, help="Refuse longer inputs [1,000,000]."
)
@click.option(
    "--time-budget",
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds one article may take; a slower one fails (E009) and the others go on [60]. 0: no limit.",
)
@click.option(
    "--statements",
    type=click.Choice(["speech", "all"]),
    default="speech",
    show_default=True,
    help="speech: store what sources said; all: also beliefs, intentions, stances, reported questions "
    "(each with its cue_class; `onrecord quotes --cue speech|other` tells them apart).",
)
@click.option(
    "--published",
    metavar="YYYY-MM-DD",
    callback=check_date,
    help="Publication date of the inputs that carry none (plain text; a JSON Lines record's own "
    '"published" and a page\'s date win). Without one, an article is dated by its dateline or undated.',
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (the summary is still printed).")
@click.option("-v", "--verbose", is_flag=True, help="Log each batch on stderr, and a traceback on a crash.")
def ingest(
    inputs: tuple[str, ...],
    db_path: Path,
    sample: bool,
    jobs: int | None,
    batch_size: int,
    max_chars: int | None,
    time_budget: float | None,
    statements: str,
    published: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Analyse articles and add them to a database: quotations, speakers, people, roles and dates.

    INPUT is a text file (.txt, .md), a JSON Lines file (.jsonl, one article per line, with "text" and
    optionally "id", "title", "url", "published"), a saved web page (.html), a WARC archive (.warc,
    .warc.gz), a folder (read recursively), or - for standard input (any of these: its first bytes tell
    which).

    \b
    Examples:
      onrecord ingest ~/news/ --db news.db
      onrecord ingest more.jsonl --db news.db       adds; articles already stored are skipped
      onrecord ingest --sample --db news.db         the bundled Wikinews sample
      cat article.txt | onrecord ingest - --db news.db -j 1

    Articles already in the database (the same cleaned text) are skipped before any analysis, so an
    interrupted ingest is resumed by running the same command again. An input that cannot be analysed
    is recorded as a failure in the database and the others go on; the first few are named on stderr
    (`onrecord failures --db FILE` lists them all). The exit status is 0 when every input was stored,
    1 when any failed or the run stopped (what it had written is kept). When nothing could be read and
    the database does not exist yet, none is created.
    """
    from onrecord.budget import TIME_BUDGET_SECONDS
    from onrecord.cli.inputs import input_items
    from onrecord.cli.logs import show_reader_logs
    from onrecord.pipeline import MAX_INPUT_CHARS
    from onrecord.runners.local import IngestSettings
    from onrecord.runners.local import ingest as run_ingest
    from onrecord.store import open_store

    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="onrecord: %(name)s: %(message)s", stream=sys.stderr)
    limit = max_chars or MAX_INPUT_CHARS
    if not quiet:
        show_reader_logs()
    items = input_items(inputs, sample=sample, max_chars=limit)
    if published is not None:
        items = _dated(items, published)

    budget = TIME_BUDGET_SECONDS if time_budget is None else time_budget
    settings = IngestSettings(
        jobs=jobs, batch_size=batch_size, max_chars=limit, time_budget=budget, statements=statements
    )
    progress = None if quiet else Progress(sys.stderr, jobs=settings.worker_count())
    if not db_path.exists():
        items = _something_to_store(items, db_path)
    try:
        store = open_store(db_path)
    except Exception as exc:
        raise click.ClickException(f"cannot open the database {db_path}: {exc}") from exc
    try:
        report = run_ingest(items, store, settings=settings, progress=progress)
    except KeyboardInterrupt:
        if progress:
            progress.finish()
        click.echo(
            "onrecord: ingest interrupted; what was written is kept: run the same command to resume",
            err=True,
        )
        sys.exit(130)
    except Exception as exc:
        if progress:
            progress.finish()
        if verbose:
            raise
        click.echo(
            f"onrecord: error: the ingest stopped: {type(exc).__name__}: {exc}\n"
            "onrecord: what was written is kept; run the same command to resume (-v shows a traceback)",
            err=True,
        )
        sys.exit(1)
    finally:
        store.close()
    if progress:
        progress.finish()
    click.echo(format_summary(report, db_path))
    if report.stats.failures:
        _name_failures(report.stats.failed, report.stats.failures, report.stats.read, db_path)
        sys.exit(1)


#: Failed inputs named on stderr at the end of a run (the store lists them all).
FAILURES_SHOWN = 10


def _name_failures(failed: list[Failure], count: int, read: int, db_path: Path) -> None:
    for failure in failed[:FAILURES_SHOWN]:
        click.echo(f"onrecord: error: {failure.input}: [{failure.code}] {failure.message}", err=True)
    more = f" ({count - FAILURES_SHOWN:,} more not shown)" if count > FAILURES_SHOWN else ""
    click.echo(
        f"onrecord: {count:,} of {read:,} inputs failed{more}; `onrecord failures --db {db_path}` lists "
        "them all",
        err=True,
    )


def _dated(items: Iterator[Item], published: str) -> Iterator[Item]:
    """The inputs, those without a publication date given ``published``."""
    from onrecord.errors import InputError

    for item in items:
        if not isinstance(item, InputError) and item.published is None:
            item = dataclasses.replace(item, published=published)
        yield item


def _something_to_store(items: Iterator[Item], db_path: Path) -> Iterator[Item]:
    """``items`` as they were, once one of them is an article; if none is (a mistyped path, a folder
    of nothing onrecord reads), their errors on stderr and exit status 1, with no database created."""
    from onrecord.errors import InputError

    errors: list[InputError] = []
    for item in items:
        if isinstance(item, InputError):
            errors.append(item)
            continue
        return itertools.chain(errors, [item], items)
    for error in errors[:FAILURES_SHOWN]:
        click.echo(f"onrecord: error: {error}", err=True)
    if len(errors) > FAILURES_SHOWN:
        click.echo(f"onrecord: ... and {len(errors) - FAILURES_SHOWN:,} more", err=True)
    what = f"none of the {len(errors):,} inputs could be read" if errors else "there was no input"
    click.echo(f"onrecord: {what}; {db_path} was not created", err=True)
    sys.exit(1)


class Progress:
    """Articles done and articles per second on stderr: one redrawn line on a terminal, a log line
    every ten seconds otherwise (the total is not known in advance: inputs are read as they come)."""

    def __init__(self, stream: TextIO, *, jobs: int, tty: bool | None = None) -> None:
        self.stream = stream
        self.jobs = jobs
        self.tty = stream.isatty() if tty is None else tty
        self._last = 0.0
        self._drawn = False

    def __call__(self, stats: IngestStats) -> None:
        now = time.monotonic()
        every = REDRAW_EVERY_SECONDS if self.tty else LOG_EVERY_SECONDS
        if now - self._last < every:
            return
        if not self.tty and not self._last:  # the first log line only after LOG_EVERY_SECONDS
            self._last = now
            return
        self._last = now
        line = (
            f"ingest: {stats.done:,} done ({stats.written:,} analysed, {stats.skipped:,} skipped, "
            f"{stats.duplicates:,} duplicates, {stats.failures:,} failed), "
            f"{stats.articles_per_second:.1f} articles/s, {_clock(stats.elapsed)}, {self.jobs} workers"
        )
        if self.tty:
            width = _terminal_width()
            self.stream.write("\r" + line[: width - 1].ljust(width - 1))
            self._drawn = True
        else:
            self.stream.write(f"onrecord: {line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (_terminal_width() - 1) + "\r")
            self.stream.flush()
            self._drawn = False


def format_summary(report: IngestReport, db_path: Path) -> str:
    stats, after = report.stats, report.after
    lines = [
        f"onrecord ingest: done in {_duration(stats.elapsed)} ({stats.articles_per_second:.1f} articles/s, "
        f"{report.jobs} worker{'s' * (report.jobs != 1)})",
        f"  read        {stats.read:,} inputs",
        f"  stored      {stats.stored:,} new articles, {stats.stored_quotes:,} quotes, "
        f"{stats.stored_people:,} new people",
        f"  skipped     {stats.skipped:,} already stored",
        f"  duplicates  {stats.duplicates:,} (the same text as an earlier input)",
    ]
    if stats.failures:
        lines.append(
            f"  failures    {stats.failures:,} (recorded in the database with their error codes; "
            "the run completed; listed on stderr)"
        )
    else:
        lines.append("  failures    0")
    lines.append(
        f"  database    {db_path}: {after.get('articles', 0):,} articles, {after.get('quotes', 0):,} quotes, "
        f"{after.get('people', 0):,} people, {after.get('failures', 0):,} failures"
    )
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{_clock(seconds)} ({seconds:,.0f} s)"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def _terminal_width() -> int:
    try:
        return max(40, os.get_terminal_size(sys.stderr.fileno()).columns)
    except (OSError, ValueError):
        return 100
