"""`onrecord spark` (the pipeline on Apache Spark, Parquet output) and `onrecord load` (that output into
a SQLite store). docs/spark.md has the cluster setup, the output schema and the benchmark."""

from __future__ import annotations

import logging
import shutil
import sys
import time
from pathlib import Path

import click


def _need_spark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise click.ClickException(
            'onrecord spark needs pyspark: pip install "onrecord[spark]" (and Java 17 or 21)'
        ) from None
    if shutil.which("java") is None and not _java_home():
        raise click.ClickException("onrecord spark needs Java 17 or 21: install a JDK, or set JAVA_HOME")


def _java_home() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return bool(home) and Path(str(home), "bin", "java").exists()


@click.command()
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    metavar="PATH",
    help="A file, folder or glob on any Hadoop path (s3a://, hdfs://, gs://, local); repeatable. "
    "WARC (.warc, .warc.gz), HTML, JSON Lines and text files.",
)
@click.option(
    "--output", required=True, metavar="PATH", help="The output folder of Parquet tables (created)."
)
@click.option(
    "--master",
    default="local[*]",
    show_default=True,
    help="The Spark master: local[N], spark://host:7077, yarn, k8s://...",
)
@click.option(
    "--partitions",
    type=click.IntRange(min=1),
    default=None,
    help="Analysis tasks per batch [4 per core of the cluster].",
)
@click.option(
    "--inputs-per-batch",
    type=click.IntRange(min=1),
    default=None,
    help="Input files committed together; a killed run redoes at most one batch [all].",
)
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE", help="A Spark setting; repeatable.")
@click.option(
    "--max-chars", type=click.IntRange(min=1), default=None, help="Refuse longer inputs [1,000,000]."
)
@click.option(
    "--no-derive", is_flag=True, help="Skip the cross-article tables (run again later to build them)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def spark(
    inputs: tuple[str, ...],
    output: str,
    master: str,
    partitions: int | None,
    inputs_per_batch: int | None,
    confs: tuple[str, ...],
    max_chars: int | None,
    no_derive: bool,
    quiet: bool,
) -> None:
    """Analyse articles on Apache Spark into Parquet tables.

    \b
    The same per-article analysis as `onrecord ingest`, run in Spark's executors; the steps that span
    articles (people, statements, wire copies) run as Spark jobs. Running it again on the same output
    skips the inputs already complete. Bring the result home with `onrecord load OUTPUT --db news.db`.

    \b
    onrecord spark --input corpus/ --output out/                       # local[*] on this machine
    onrecord spark --input 's3a://bucket/CC-NEWS-*.warc.gz' --output s3a://bucket/out/ \\
        --master spark://host:7077
    """
    _need_spark()
    from onrecord.pipeline import MAX_INPUT_CHARS
    from onrecord.spark.job import SparkJobError, SparkSettings, build_session, run_job

    config = {}
    for item in confs:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--conf")
        config[key] = value
    logging.basicConfig(level=logging.WARNING, format="onrecord: %(message)s")
    settings = SparkSettings(
        inputs=inputs,
        output=output,
        max_chars=max_chars or MAX_INPUT_CHARS,
        partitions=partitions,
        inputs_per_batch=inputs_per_batch,
        derive=not no_derive,
    )

    def say(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    say(f"starting Spark ({master})")
    session = build_session(master, config=config)
    session.sparkContext.setLogLevel("ERROR")
    try:
        report = run_job(session, settings, progress=say)
    except SparkJobError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        session.stop()
    counts = report.counts
    click.echo(
        f"{report.inputs} inputs ({report.skipped} already complete): {counts.get('articles', 0)} articles, "
        f"{counts.get('quotations', 0)} quotations, {counts.get('failures', 0)} failures in "
        f"{len(report.batches)} new batches, {report.elapsed:.1f} s"
    )
    if report.derived:
        d = report.derived
        click.echo(
            f"across all batches: {d.get('order', 0)} articles, {d.get('persons', 0)} people, "
            f"{d.get('statements', 0)} statements, {d.get('failures', 0)} failed inputs -> {output}"
        )
    if counts.get("failures"):
        click.echo(f"failures are rows of {output}/failures (and derived/failures)", err=True)


@click.command()
@click.argument("output", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite database to create (it must be new or empty).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
def load(output: Path, db_path: Path, quiet: bool) -> None:
    """Load the Parquet output of `onrecord spark` into a SQLite database.

    \b
    The database reads like one made by `onrecord ingest` of the same inputs: query it with
    onrecord quotes, people, person, show, failures and export.

    \b
    onrecord load out/ --db news.db
    """
    from onrecord.spark.load import LoadError
    from onrecord.spark.load import load as load_output
    from onrecord.store.api import StoreError

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"\rloading: {done}/{total} articles", err=True, nl=False)

    try:
        report = load_output(output, db_path, progress=progress)
    except (LoadError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    counts = report.counts
    click.echo(
        f"{db_path}: {counts['articles']} articles, {counts['quotes']} quotations, "
        f"{counts['people']} people, "
        f"{counts['statements']} statements, {counts['failures']} failures from {report.batches} batches "
        f"in {time.perf_counter() - started:.1f} s"
    )
