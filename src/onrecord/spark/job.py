"""The Spark job: inputs from any Hadoop path -> the local runner's per-article stage in ``mapPartitions``
-> Parquet tables per input batch -> the cross-article steps as Spark jobs.

The driver lists the inputs (:mod:`onrecord.spark.hadoop`), skips those a complete batch already holds
(``_batches/<id>.json``), and runs the rest as one or more batches. A batch reads each file whole with
``binaryFiles`` (a file is never split: a WARC archive is read by onrecord's own resynchronising reader
in one task; small files are grouped), spreads the articles over ``partitions`` tasks, and analyses them
with :func:`onrecord.spark.rows.analyze_partition`: ``AnalyzeStage.process``, the local runner's
function, with the model loaded once per executor process. The rows are written to a temporary folder
and moved into ``<table>/batch=<id>/``; the batch's marker is written last, so a batch is either
complete (its marker exists) or ignored and removed by the next run: a killed job is resumed by running
it again.

Then :func:`onrecord.spark.derived.derive` recomputes the tables that span articles (exact duplicates,
people across articles, statements, stories) over every complete batch, as Spark jobs, and swaps them
in whole. ``onrecord load`` (onrecord.spark.load) brings the result into SQLite.

``main`` is the spark-submit entry (``onrecord_spark_job.py`` at the top of the repository, or
``python -m onrecord.spark.job``); ``onrecord spark`` calls :func:`run_job` with its own session.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import json
import logging
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from onrecord import __version__
from onrecord.errors import OnrecordError
from onrecord.pipeline import MAX_INPUT_CHARS
from onrecord.spark import rows
from onrecord.spark.hadoop import HadoopFiles, InputFile, display_name, has_scheme
from onrecord.spark.schema import (
    BATCH_COLUMN,
    BATCH_TABLES,
    BATCHES_DIR,
    LAYOUT_VERSION,
    TEMP_DIR,
)

log = logging.getLogger(__name__)

#: File endings the job reads inside folders (as ``onrecord ingest`` does); a file named explicitly
#: is read whatever its name, and one of another kind becomes a failure row.
READABLE_ENDINGS = (
    ".txt",
    ".text",
    ".md",
    ".jsonl",
    ".ndjson",
    ".html",
    ".htm",
    ".xhtml",
    ".warc",
    ".warc.gz",
)
#: Spark settings that keep a job quiet and deterministic; onrecord spark sets them on its session and
#: docs/spark.md shows them for spark-submit.
SESSION_CONFIG = {
    # the batch=<id> folder names are ids, never numbers or dates
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # the temporary-folder-then-rename scheme below makes output atomic; no _SUCCESS files needed
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "spark.ui.showConsoleProgress": "false",
}

#: Shuffle partitions of a local[...] session (the cross-article joins of a machine's worth of data).
LOCAL_SHUFFLE_PARTITIONS = 4

#: log4j2 settings of a local session: errors only, on stderr.
QUIET_LOG4J2 = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n
"""
#: Analysis tasks per core of the cluster in a batch, unless --partitions says: enough that a slow task
#: (a long article) does not hold up the batch, few enough that per-task overhead stays small.
PARTITIONS_PER_CORE = 4
#: Seconds between progress lines while a batch is analysed.
PROGRESS_SECONDS = 10.0

Progress = Callable[[str], None]


class SparkJobError(OnrecordError):
    """The job cannot start or go on: the message names the path or setting and says what to do."""


@dataclass(frozen=True, slots=True)
class SparkSettings:
    """What to run. ``partitions=None``: PARTITIONS_PER_CORE analysis tasks per core of the cluster.
    ``inputs_per_batch=None``: every pending input in one batch."""

    inputs: tuple[str, ...]
    output: str
    language: str = "en"
    max_chars: int = MAX_INPUT_CHARS
    partitions: int | None = None
    inputs_per_batch: int | None = None
    derive: bool = True


@dataclass(slots=True)
class JobReport:
    inputs: int = 0
    skipped: int = 0
    batches: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    derived: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    analyse_seconds: float = 0.0

    @property
    def articles_per_second(self) -> float:
        done = self.counts.get("articles", 0) + self.counts.get("failures", 0)
        return done / self.analyse_seconds if self.analyse_seconds > 0 else 0.0


# -- the session ------------------------------------------------------------------------------------
def build_session(
    master: str | None = None, *, app_name: str = "onrecord", config: dict[str, str] | None = None
) -> Any:
    """A SparkSession for onrecord (``master=None``: whatever spark-submit or the environment says)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - the CLI checks first
        raise SparkJobError(
            'pyspark is not installed; install it with pip install "onrecord[spark]"'
        ) from exc
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if (master or "").startswith("local"):
        if not os.environ.get("PYSPARK_PYTHON"):
            # Local executors run this very interpreter (the one onrecord is installed in), not
            # "python3"; PySpark reads the variable when it creates the context.
            os.environ["PYSPARK_PYTHON"] = sys.executable
        # Spark's 200 shuffle partitions are for clusters; on one machine they are 200 tiny tasks per join.
        builder = builder.config("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS))
        # Only errors from the JVM on the console: onrecord prints its own progress.
        builder = builder.config(
            "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_quiet_log4j()}"
        )
    for key, value in {**SESSION_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _quiet_log4j() -> str:
    """A log4j2 configuration that prints only errors, in one file in the temporary folder (written
    through a rename, so that two sessions starting at once never read half a file)."""
    path = os.path.join(tempfile.gettempdir(), "onrecord-log4j2-errors.properties")
    try:
        with open(path, encoding="utf-8") as file:
            if file.read() == QUIET_LOG4J2:
                return path
    except OSError:
        pass
    temp = f"{path}.{os.getpid()}"
    with open(temp, "w", encoding="utf-8") as file:
        file.write(QUIET_LOG4J2)
    os.replace(temp, path)
    return path


# -- the job ----------------------------------------------------------------------------------------
def run_job(spark: Any, settings: SparkSettings, progress: Progress | None = None) -> JobReport:
    """Analyse the pending inputs of ``settings`` into its output folder, then derive the cross-article
    tables. Raises SparkJobError for a missing input or an output folder that is not onrecord's."""
    say = progress or log.info
    started = time.perf_counter()
    files = HadoopFiles(spark)
    output = files.qualify(settings.output.rstrip("/"))
    inputs = list_inputs(files, settings.inputs)
    report = JobReport(inputs=len(inputs))
    committed = read_batches(files, output)
    _remove_partial(files, output, set(committed))
    done = {name: marker for marker in committed.values() for name in marker["inputs"]}
    pending = []
    for item in inputs:
        seen = done.get(item.name)
        if seen is None:
            pending.append(item)
        elif seen["inputs"][item.name] != [item.size, item.modified]:
            log.warning("%s changed since batch %s; analysing it again", item.name, seen["batch"])
            pending.append(item)
    report.skipped = len(inputs) - len(pending)
    say(f"{len(inputs)} inputs: {report.skipped} already complete, {len(pending)} to analyse")
    size = settings.inputs_per_batch or max(1, len(pending))
    groups = [pending[i : i + size] for i in range(0, len(pending), size)]
    for number, group in enumerate(groups, start=1):
        say(f"batch {number}/{len(groups)}: {len(group)} inputs")
        batch, counts, seconds = _run_batch(spark, files, output, group, settings, say)
        report.batches.append(batch)
        report.analyse_seconds += seconds
        for key, value in counts.items():
            report.counts[key] = report.counts.get(key, 0) + value
    if settings.derive:
        from onrecord.spark.derived import derive

        batches = sorted(read_batches(files, output))
        if batches:
            say(f"cross-article tables over {len(batches)} batches")
            report.derived = derive(spark, files, output, batches, say)
    report.elapsed = time.perf_counter() - started
    return report


def list_inputs(files: HadoopFiles, names: Sequence[str]) -> list[InputFile]:
    """Every input file named (files, folders read recursively, glob patterns), sorted by name."""
    found: dict[str, InputFile] = {}
    for given in names:
        matches = files.glob(given)
        if matches is None:
            raise SparkJobError(
                f"{given}: no such file or folder (or the pattern matches nothing); check the path"
            )
        for uri, is_dir, size, modified in matches:
            if not is_dir:
                found.setdefault(uri, InputFile(uri, display_name(uri, given), size, modified))
                continue
            inside = [
                (u, s, m)
                for u, s, m in files.files_under(uri)
                if u.lower().endswith(READABLE_ENDINGS) and not _hidden(u[len(uri) :])
            ]
            if not inside:
                raise SparkJobError(
                    f"{given}: the folder holds no files onrecord reads ({', '.join(READABLE_ENDINGS)})"
                )
            for u, s, m in inside:
                name = display_name(u, given if has_scheme(given) else given.rstrip("/") + "/")
                found.setdefault(u, InputFile(u, name, s, m))
    ordered = sorted(found.values(), key=lambda f: f.name)
    names_seen: set[str] = set()
    for item in ordered:
        if item.name in names_seen:
            raise SparkJobError(f"{item.name} is named twice (two inputs resolve to the same name)")
        names_seen.add(item.name)
    return ordered


def _hidden(relative: str) -> bool:
    # Hadoop's input formats skip files and folders whose names start with "_" or ".": say so up front.
    return any(part.startswith(("_", ".")) for part in relative.split("/") if part)


def read_batches(files: HadoopFiles, output: str) -> dict[str, dict[str, Any]]:
    """The complete batches of an output folder: batch id -> its marker."""
    found: dict[str, dict[str, Any]] = {}
    for entry in files.children(f"{output}/{BATCHES_DIR}"):
        if not entry.endswith(".json") or entry.startswith("."):
            continue
        marker = json.loads(files.read_text(f"{output}/{BATCHES_DIR}/{entry}"))
        if marker.get("layout", 0) > LAYOUT_VERSION:
            raise SparkJobError(
                f"{output} was written by a newer onrecord (layout {marker.get('layout')}); upgrade onrecord"
            )
        found[marker["batch"]] = marker
    return found


def _remove_partial(files: HadoopFiles, output: str, complete: set[str]) -> None:
    """Remove what a killed run left: its temporary folder and batch folders without a marker."""
    files.delete(f"{output}/{TEMP_DIR}")
    for table in BATCH_TABLES:
        for entry in files.children(f"{output}/{table}"):
            if entry.startswith(f"{BATCH_COLUMN}=") and entry.split("=", 1)[1] not in complete:
                log.warning("removing %s/%s/%s: a batch that did not complete", output, table, entry)
                files.delete(f"{output}/{table}/{entry}")


def _run_batch(
    spark: Any,
    files: HadoopFiles,
    output: str,
    group: list[InputFile],
    settings: SparkSettings,
    say: Progress,
) -> tuple[str, dict[str, int], float]:
    from pyspark import StorageLevel

    sc = spark.sparkContext
    batch = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    names = sc.broadcast({item.uri: item.name for item in group})
    partitions = settings.partitions or PARTITIONS_PER_CORE * sc.defaultParallelism
    started = time.perf_counter()
    tagged = (
        sc.binaryFiles(",".join(item.uri for item in group), minPartitions=min(len(group), partitions))
        .flatMap(functools.partial(_read, names=names, max_chars=settings.max_chars))
        .repartition(partitions)
        .mapPartitions(
            functools.partial(_analyze, language=settings.language, max_chars=settings.max_chars),
            preservesPartitioning=True,
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        with _task_progress(sc, say):
            counts = {table: 0 for table in BATCH_TABLES} | dict(tagged.countByKey())
        seconds = time.perf_counter() - started
        done = counts["articles"] + counts["failures"]
        say(
            f"  analysed {counts['articles']} articles, {counts['failures']} failures in {seconds:.1f} s "
            f"({done / seconds if seconds else 0:.1f} inputs/s)"
        )
        temp = f"{output}/{TEMP_DIR}/{batch}"
        for table, ddl in BATCH_TABLES.items():
            frame = spark.createDataFrame(tagged.filter(functools.partial(_is, table)).values(), schema=ddl)
            frame.write.mode("overwrite").parquet(f"{temp}/{table}")
        for table in BATCH_TABLES:
            files.rename(f"{temp}/{table}", f"{output}/{table}/{BATCH_COLUMN}={batch}")
        marker = {
            "layout": LAYOUT_VERSION,
            "batch": batch,
            "onrecord": __version__,
            "finished": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "settings": {"language": settings.language, "max_chars": settings.max_chars},
            "counts": counts,
            "inputs": {item.name: [item.size, item.modified] for item in group},
            "uris": {item.name: item.uri for item in group},
        }
        files.write_text(f"{output}/{BATCHES_DIR}/{batch}.json", json.dumps(marker, indent=1, sort_keys=True))
        files.delete(f"{output}/{TEMP_DIR}")
    finally:
        tagged.unpersist()
        names.unpersist()
    return batch, counts, seconds


@contextlib.contextmanager
def _task_progress(sc: Any, say: Progress) -> Iterator[None]:
    """Print how many analysis tasks are done every PROGRESS_SECONDS while the block runs."""
    stop = threading.Event()

    def watch() -> None:
        tracker = sc.statusTracker()
        while not stop.wait(PROGRESS_SECONDS):
            stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
            stages = [s for s in stages if s is not None]
            if stages:
                done = sum(s.numCompletedTasks for s in stages)
                total = sum(s.numTasks for s in stages)
                say(
                    f"  analysing: {done}/{total} tasks done, {sum(s.numActiveTasks for s in stages)} running"
                )

    thread = threading.Thread(target=watch, name="onrecord-spark-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# Top-level functions with partial(): what Spark ships to the executors pickles without closures.
def _read(record: tuple[str, bytes], *, names: Any, max_chars: int) -> Any:
    return rows.read_file(record, names.value, max_chars)


def _analyze(items: Any, *, language: str, max_chars: int) -> Any:
    return rows.analyze_partition(items, language, max_chars)


def _is(table: str, pair: tuple[str, Any]) -> bool:
    return pair[0] == table


# -- spark-submit -----------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="onrecord_spark_job.py",
        description="onrecord on Apache Spark: analyse news articles into Parquet tables (docs/spark.md).",
    )
    parse.add_argument("--input", action="append", required=True, help="file, folder or glob (repeatable)")
    parse.add_argument("--output", required=True, help="the output folder (any Hadoop path)")
    parse.add_argument("--partitions", type=int, default=None, help="analysis tasks per batch")
    parse.add_argument("--inputs-per-batch", type=int, default=None, help="input files per batch [all]")
    parse.add_argument("--max-chars", type=int, default=MAX_INPUT_CHARS, help="refuse longer inputs")
    parse.add_argument("--no-derive", action="store_true", help="skip the cross-article tables")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """The spark-submit entry: the master and resources come from spark-submit."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="onrecord: %(message)s")
    spark = build_session(app_name="onrecord")
    settings = SparkSettings(
        inputs=tuple(args.input),
        output=args.output,
        max_chars=args.max_chars,
        partitions=args.partitions,
        inputs_per_batch=args.inputs_per_batch,
        derive=not args.no_derive,
    )
    try:
        report = run_job(spark, settings, progress=lambda line: print(line, file=sys.stderr, flush=True))
    except SparkJobError as exc:
        print(f"onrecord: error: {exc}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    print(json.dumps({"batches": report.batches, "counts": report.counts, "derived": report.derived}))
    return 0


if __name__ == "__main__":  # pragma: no cover - spark-submit / python -m
    sys.exit(main())
