"""`onrecord ingest`: analyse articles in parallel into a database; re-running skips what is stored."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from onrecord.runners.local import IngestReport, IngestStats

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
    is recorded as a failure in the database and the others go on; the exit status is 0 when the run
    completed, failures or not, and 1 when it stopped (what it had written is kept).
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

    budget = TIME_BUDGET_SECONDS if time_budget is None else time_budget
    settings = IngestSettings(jobs=jobs, batch_size=batch_size, max_chars=limit, time_budget=budget)
    progress = None if quiet else Progress(sys.stderr, jobs=settings.worker_count())
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
        f"  stored      {report.stored:,} new articles, {report.added('quotes'):,} quotes, "
        f"{report.added('people'):,} new people",
        f"  skipped     {stats.skipped:,} already stored",
        f"  duplicates  {stats.duplicates:,} (the same text as an earlier input)",
    ]
    if stats.failures:
        lines.append(
            f"  failures    {stats.failures:,} (recorded in the database with their error codes; "
            "the run completed)"
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
