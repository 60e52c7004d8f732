"""onrecord on Spark (local mode), against the local runner on the same inputs.

One SparkSession (local[2]) for the module. The corpus: the bundled sample, an exact copy and an edited
copy of one of its articles (a duplicate and a wire copy), bad inputs, and, when ../shared is present,
PolNeAR texts and a real WARC archive. The local runner ingests the same files, in the same order, into
a.db; the Spark job writes Parquet, ``onrecord load`` turns it into b.db, and the two databases must be
identical table by table (timestamps aside), row ids included.

Spark needs pyspark and Java; without them these tests skip, unless ONRECORD_REQUIRE_SPARK=1 (CI),
where they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from onrecord.errors import InputError
from onrecord.ingest import read_inputs
from onrecord.runners.local import IngestSettings, ingest
from onrecord.spark.rows import read_bytes
from onrecord.store import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
SAMPLE = REPO / "src" / "onrecord" / "data" / "sample" / "wikinews.jsonl"
#: Columns that hold the time of writing: the only ones allowed to differ between the two databases.
TIMESTAMPS = {"stored_at", "recorded_at", "applied_at"}

pytestmark = [
    # py4j leaves sockets to the garbage collector when the session stops.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return 'pyspark is not installed (pip install -e ".[dev]")'
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (java on PATH or JAVA_HOME)"
    return None


_MISSING = _spark_missing()
if _MISSING and os.environ.get("ONRECORD_REQUIRE_SPARK") == "1":
    raise RuntimeError(f"ONRECORD_REQUIRE_SPARK=1 but Spark cannot run: {_MISSING}")
needs_spark = pytest.mark.skipif(_MISSING is not None, reason=f"Spark tests: {_MISSING}")


# -- the corpus ---------------------------------------------------------------------------------------
def _write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "sample.jsonl")
    first = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])["text"]
    (folder / "zz-copy.txt").write_text(first, encoding="utf-8")  # the same text: one more source
    paragraphs = first.split("\n")
    edited = "\n".join([*paragraphs[:-1], "This sentence was added by another outlet's editor today."])
    (folder / "zz-edited.txt").write_text(edited, encoding="utf-8")  # a wire copy: the same story
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not text")
    (folder / "broken.jsonl").write_text('{"text": 3}\nnot json\n', encoding="utf-8")
    if SHARED.is_dir():
        texts = sorted((SHARED / "polnear" / "dev" / "text").glob("*.txt"))[:4]
        (folder / "polnear").mkdir()
        for text in texts:
            shutil.copy(text, folder / "polnear" / text.name)
        shutil.copy(SHARED / "warc" / "real" / "resiliparse__warcfile.warc.gz", folder / "web.warc.gz")
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=str)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _write_corpus(tmp_path_factory.mktemp("spark") / "corpus")


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    if _MISSING:
        pytest.skip(f"Spark tests: {_MISSING}")
    from onrecord.spark.job import build_session

    session = build_session("local[2]", app_name="onrecord-tests", config={"spark.ui.enabled": "false"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def local_db(corpus: list[Path]) -> Path:
    """The local runner (-j 1) over the corpus files, in name order: the reference."""
    db = _root(corpus).parent / "a.db"
    with open_store(db) as store:
        ingest(read_inputs([str(p) for p in corpus]), store, settings=IngestSettings(jobs=1))
    return db


@pytest.fixture(scope="module")
def spark_output(spark, corpus: list[Path]):  # type: ignore[no-untyped-def]
    from onrecord.spark.job import SparkSettings, run_job

    out = _root(corpus).parent / "out"
    report = run_job(spark, SparkSettings(inputs=(str(_root(corpus)),), output=str(out)))
    return out, report


@pytest.fixture(scope="module")
def loaded_db(spark_output) -> Path:  # type: ignore[no-untyped-def]
    from onrecord.spark.load import load

    out, _ = spark_output
    db = out.parent / "b.db"
    load(out, db)
    return db


def _root(corpus: list[Path]) -> Path:
    return next(p.parent for p in corpus if p.name == "sample.jsonl")


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table (full-text indexes and the migration log aside), rows sorted, timestamps left out."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' "
                "AND name NOT IN ('migrations', 'sqlite_sequence') ORDER BY name"
            )
        ]
        tables = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in TIMESTAMPS]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            tables[name] = sorted(rows, key=repr)
        return tables
    finally:
        conn.close()


# -- reading bytes as the readers read files (no Spark needed) -----------------------------------------
def _comparable(item: object) -> object:
    if isinstance(item, InputError):
        return ("error", item.code, item.source, item.detail)
    return item


def test_read_bytes_gives_what_the_readers_give(corpus: list[Path]) -> None:
    for path in corpus:
        expected = [_comparable(i) for i in read_inputs([str(path)])]
        got = [_comparable(i) for i in read_bytes(path.read_bytes(), str(path))]
        assert got == expected, path.name


def test_read_bytes_refuses_an_unknown_kind_by_name() -> None:
    (item,) = read_bytes(b"a,b\n1,2\n", "s3a://bucket/table.csv")
    assert isinstance(item, InputError) and item.source == "s3a://bucket/table.csv"
    assert ".warc.gz" in item.detail


# -- the job against the local runner -------------------------------------------------------------------
@needs_spark
def test_spark_records_equal_the_local_runners_article_by_article(spark_output, local_db: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.dataset as pads

    out, report = spark_output
    rows = pads.dataset(str(out / "articles"), partitioning="hive").to_table(
        columns=["id", "source", "record"]
    )
    spark_records = {r["source"]: json.loads(r["record"]) for r in rows.to_pylist()}
    with open_store(local_db, readonly=True) as store:
        sources = store.connection.execute("SELECT source, id FROM articles").fetchall()
        assert len(sources) >= 25
        for source, article_id in sources:
            assert spark_records[source] == store.analysis(article_id).to_dict(), source
    assert report.counts["articles"] == len(spark_records)


@needs_spark
def test_loaded_database_is_identical_to_the_local_ingest(loaded_db: Path, local_db: Path) -> None:
    local, loaded = _tables(local_db), _tables(loaded_db)
    assert set(local) == set(loaded)
    for name in local:
        assert loaded[name] == local[name], name
    assert local["quotes"] and local["persons"] and local["statements"]


@needs_spark
def test_duplicates_and_wire_copies_are_linked_as_the_store_links_them(
    loaded_db: Path, corpus: list[Path]
) -> None:
    root = _root(corpus)
    conn = sqlite3.connect(loaded_db)
    copy = str(root / "zz-copy.txt")
    (article,) = conn.execute("SELECT article_id FROM article_sources WHERE source = ?", (copy,)).fetchone()
    assert (
        conn.execute("SELECT source FROM articles WHERE id = ?", (article,)).fetchone()[0]
        == "GUM_news_afghan"
    )
    edited, story = conn.execute(
        "SELECT id, story_id FROM articles WHERE source = ?", (str(root / "zz-edited.txt"),)
    ).fetchone()
    assert edited != article and story == article


@needs_spark
def test_failures_are_rows_not_a_crashed_job(spark_output, loaded_db: Path, corpus: list[Path]) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    out, _ = spark_output
    root = _root(corpus)
    failures = {r["input"]: r["code"] for r in pq.read_table(out / "derived" / "failures").to_pylist()}
    assert failures[str(root / "empty.txt")] == "E001"
    assert failures[str(root / "binary.txt")] == "E002"
    assert failures[str(root / "broken.jsonl") + ":1"] == "E007"
    assert failures[str(root / "broken.jsonl") + ":2"] == "E007"
    stored = dict(sqlite3.connect(loaded_db).execute("SELECT input, code FROM failures").fetchall())
    assert stored == failures


@needs_spark
def test_cli_queries_read_the_loaded_database(loaded_db: Path, local_db: Path) -> None:
    from click.testing import CliRunner

    from onrecord.cli import main

    runner = CliRunner()
    for args in (["people", "--limit", "5"], ["quotes", "--limit", "5"], ["failures"]):
        local = runner.invoke(main, [*args, "--db", str(local_db)])
        loaded = runner.invoke(main, [*args, "--db", str(loaded_db)])
        assert loaded.exit_code == 0, loaded.output
        assert loaded.output == local.output and loaded.output.strip()


@needs_spark
def test_the_model_is_loaded_once_per_executor_process(spark, spark_output) -> None:  # type: ignore[no-untyped-def]
    def stage_in_this_process(_: object) -> list[tuple[int, int]]:
        import os

        from onrecord.spark.rows import stage_for

        return [(os.getpid(), id(stage_for()))]

    found = spark.sparkContext.parallelize(range(8), 8).mapPartitions(stage_in_this_process).collect()
    stages: dict[int, set[int]] = {}
    for pid, stage in found:
        stages.setdefault(pid, set()).add(stage)
    assert len(found) == 8 and all(len(ids) == 1 for ids in stages.values())


@needs_spark
def test_rerun_skips_complete_inputs_and_removes_a_partial_batch(spark, spark_output, corpus) -> None:  # type: ignore[no-untyped-def]
    from onrecord.spark.job import SparkSettings, run_job

    out, first = spark_output
    partial = out / "quotations" / "batch=killed-run"
    partial.mkdir()
    (partial / "part-0.parquet").write_bytes(b"half a file")
    report = run_job(spark, SparkSettings(inputs=(str(_root(corpus)),), output=str(out), derive=False))
    assert report.skipped == report.inputs == first.inputs
    assert report.batches == [] and not report.counts
    assert not partial.exists()


@needs_spark
def test_a_new_input_is_a_new_batch_and_load_matches_an_incremental_ingest(
    spark, corpus: list[Path], local_db: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from onrecord.spark.job import SparkSettings, run_job
    from onrecord.spark.load import load

    root = tmp_path / "corpus"
    shutil.copytree(_root(corpus), root)
    out = tmp_path / "out"
    first = run_job(spark, SparkSettings(inputs=(str(root / "sample.jsonl"),), output=str(out), derive=False))
    new = root / "zzz-new.txt"
    new.write_text('"We will build it by spring," Mayor Ann Lee said on Monday.\n', encoding="utf-8")
    second = run_job(spark, SparkSettings(inputs=(str(root / "sample.jsonl"), str(new)), output=str(out)))
    assert len(first.batches) == len(second.batches) == 1 and second.skipped == 1
    assert second.counts["articles"] == 1
    manifest = json.loads((out / "derived" / "_manifest.json").read_text())
    assert sorted(manifest["batches"]) == sorted(first.batches + second.batches)
    load(out, tmp_path / "b.db")
    with open_store(tmp_path / "a.db") as store:
        ingest(read_inputs([str(root / "sample.jsonl")]), store, settings=IngestSettings(jobs=1))
        ingest(read_inputs([str(new)]), store, settings=IngestSettings(jobs=1))
    assert _tables(tmp_path / "b.db") == _tables(tmp_path / "a.db")


@needs_spark
def test_a_missing_input_is_an_error_that_names_it(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from onrecord.spark.job import SparkJobError, SparkSettings, run_job

    missing = tmp_path / "no-such-folder"
    with pytest.raises(SparkJobError, match="no-such-folder: no such file or folder"):
        run_job(spark, SparkSettings(inputs=(str(missing),), output=str(tmp_path / "out")))


@needs_spark
def test_load_refuses_a_database_that_holds_articles(spark_output, local_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from onrecord.spark.load import LoadError, load

    out, _ = spark_output
    db = tmp_path / "full.db"
    shutil.copy(local_db, db)
    with pytest.raises(LoadError, match="load into a new database file"):
        load(out, db)


@needs_spark
@pytest.mark.slow
def test_the_spark_command_and_the_submit_script_end_to_end(tmp_path: Path) -> None:
    """`onrecord spark` and `onrecord_spark_job.py` (as spark-submit runs it) in their own JVMs."""
    text = tmp_path / "in" / "one.txt"
    text.parent.mkdir()
    text.write_text('"It is done," the minister, Jane Roe, said on Friday.\n', encoding="utf-8")
    onrecord = str(Path(sys.executable).parent / "onrecord")
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    run = subprocess.run(
        [
            onrecord,
            "spark",
            "--input",
            str(text.parent),
            "--output",
            str(tmp_path / "out"),
            "--master",
            "local[1]",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "1 articles" in run.stdout and "1 new batches" in run.stdout
    missing = subprocess.run(
        [
            sys.executable,
            str(REPO / "onrecord_spark_job.py"),
            "--input",
            str(tmp_path / "nothing"),
            "--output",
            "x",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert missing.returncode == 2 and "nothing: no such file or folder" in missing.stderr
    loaded = subprocess.run(
        [onrecord, "load", str(tmp_path / "out"), "--db", str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0 and "1 articles" in loaded.stdout, loaded.stderr


# -- the shared per-article function: one cleaning per article, the same output ---------------------------
def test_the_stage_reuses_the_cleaning_of_the_id_with_the_same_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import onrecord.pipeline
    from onrecord.runners.local import AnalyzeStage, Task, prepare

    articles = [i for i in read_inputs([str(SAMPLE)]) if not isinstance(i, InputError)][:3]
    stage = AnalyzeStage()
    plain = [stage.process(Task(a, None)) for a in articles]  # the analyser cleans by itself
    tasks = [prepare(a) for a in articles]
    assert all(t.cleaned is not None for t in tasks)
    calls: list[str] = []
    real = onrecord.pipeline.clean_text

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(onrecord.pipeline, "clean_text", counting)  # any second cleaning is counted
    reused = [stage.process(task) for task in tasks]
    assert calls == []
    assert reused == plain
    assert stage.process(Task(articles[0], None)) == plain[0]
    assert len(calls) == 1  # without the cleaned text, the analyser cleans
