"""`onrecord ingest`: skipping what is stored, failures as rows, parallel = serial, and resuming after
SIGKILL at random moments ends in the same database as one clean run."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.ingest import read_sample
from onrecord.pipeline import ArticleInput
from onrecord.runners import UNEXPECTED, IngestSettings, article_id, ingest

GOOD = '"We will not give up," Jane Smith said on Friday.\n'
#: Columns that say when a row was written, or its rowid: they differ between two correct runs.
VOLATILE = {"pk", "stored_at", "recorded_at", "applied_at"}

FIRST = ["Anna", "Boris", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Irene", "Jonas"]
LAST = ["Keller", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt"]
CITIES = ["Springfield", "Riverton", "Lakeside", "Hillcrest", "Fairview", "Brookfield"]
TEMPLATE = """{city} council approves new budget

{city}, March {day}, 2021 -- The city council of {city} voted on Tuesday to approve a budget of {money}
million dollars for the coming year, after a debate that lasted {hours} hours.

"This budget keeps our promises to the people of {city}," said {first} {last}, the mayor of {city}.
"We will build {schools} new schools and repair the old bridge."

{last} told reporters that the vote had been difficult. "Nobody got everything they wanted," {last}
said, "but everyone got something."

The opposition leader, {other}, criticised the plan. "It spends too much and saves too little," {other}
said on Wednesday. {other_last} said the council would revisit the question in the autumn.

According to the city treasurer, the budget includes {money} million dollars for roads and parks.

Residents who attended the meeting were divided. "I came here to ask for a new library, and I am
leaving with a promise," said a teacher from the east side of {city}. Others were less patient with
the council and its long sessions.

{first} {last} insisted that the city could afford the plan. "Our revenue grew by {hours} percent last
year, and the auditors agree with our numbers," the mayor said in a statement released after the vote.
The statement added that the council would publish a full report within {schools} weeks.

{other} was not convinced. "The mayor says the numbers are fine, but the numbers are not fine," {other_last}
told the local radio station on Thursday. "Families in {city} will pay for this in higher taxes."

The budget takes effect on the first of April. The council meets again in May, when it will discuss
the bridge repairs and a proposal to extend the bus network to the northern suburbs of {city}.
"""


#: Articles in the generated corpus (all distinct; a copy of one and two bad inputs come on top).
ARTICLES = 48
#: Articles per transaction in these runs: small, so that a run commits often and a kill can land
#: between commits, during one, or before the first.
BATCH = 4


def write_corpus(folder: Path, n: int = ARTICLES) -> Path:
    """``n`` small articles with distinct names and numbers (so distinct ids), one exact duplicate,
    and two inputs that cannot be analysed (empty, not text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        other_first, other_last = FIRST[(i + 3) % len(FIRST)], LAST[(i * 5 + 2) % len(LAST)]
        text = TEMPLATE.format(
            city=CITIES[i % len(CITIES)],
            day=1 + i % 28,
            money=10 + i,
            hours=2 + i % 9,
            first=first,
            last=last,
            schools=1 + i % 5,
            other=f"{other_first} {other_last}",
            other_last=other_last,
        )
        (folder / f"article-{i:03d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(folder / "article-000.txt", folder / "copy-of-000.txt")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not text")
    return folder


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (sorted, without rowids and timestamps): what two equal databases share."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE '%fts%' AND name != 'migrations' ORDER BY name"
            )
        ]
        out: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def article_ids(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}
    finally:
        conn.close()


def stored_count(db: Path) -> int:
    """Articles committed so far (0 before the database or its tables exist)."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def ingest_command(corpus: Path, db: Path, jobs: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "onrecord.cli",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "-j",
        str(jobs),
        "--batch-size",
        str(BATCH),
    ]


def run_ingest(corpus: Path, db: Path, jobs: int) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    result = subprocess.run(
        ingest_command(corpus, db, jobs), capture_output=True, text=True, timeout=300, check=False
    )
    # the corpus holds two inputs that fail: named on stderr, exit status 1 (the run completed)
    assert result.returncode == 1, result.stderr
    assert "2 of 51 inputs failed" in result.stderr and "binary.txt: [E002]" in result.stderr
    return result, time.perf_counter() - start


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (Linux /proc; empty elsewhere)."""
    found: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as stream:
                found |= {int(p) for p in stream.read().split()}
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@dataclass(frozen=True)
class CleanRun:
    db: Path
    seconds: float
    summary: str


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "news")


@pytest.fixture(scope="module")
def clean_j1(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    db = tmp_path_factory.mktemp("clean1") / "news.db"
    result, seconds = run_ingest(corpus, db, 1)
    return CleanRun(db, seconds, result.stdout)


@pytest.fixture(scope="module")
def clean_j2(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    db = tmp_path_factory.mktemp("clean2") / "news.db"
    result, seconds = run_ingest(corpus, db, 2)
    return CleanRun(db, seconds, result.stdout)


# -- through a subprocess, as users run it ------------------------------------------------------------
@pytest.mark.slow
def test_clean_run_stores_every_article_once_and_records_the_failures(clean_j1: CleanRun) -> None:
    assert "48 new articles" in clean_j1.summary
    assert "duplicates  1" in clean_j1.summary
    assert "failures    2" in clean_j1.summary and "the run completed" in clean_j1.summary
    tables = dump(clean_j1.db)
    assert len(tables["articles"]) == 48
    assert len(tables["quotes"]) >= 48 * 3
    assert sorted((Path(str(row[0])).name, row[2]) for row in tables["failures"]) == [
        ("binary.txt", "E002"),
        ("empty.txt", "E001"),
    ]


@pytest.fixture(scope="module")
def again(corpus: Path, clean_j1: CleanRun, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """A second ingest of the same corpus; it analyses only the two failed inputs again, so its time
    is about what starting two workers takes."""
    db = tmp_path_factory.mktemp("again") / "news.db"
    shutil.copy(clean_j1.db, db)
    result, seconds = run_ingest(corpus, db, 2)
    return CleanRun(db, seconds, result.stdout)


@pytest.mark.slow
def test_ingesting_again_stores_nothing_new(clean_j1: CleanRun, again: CleanRun) -> None:
    assert "0 new articles" in again.summary
    assert "skipped     49 already stored" in again.summary  # the copy of article 0 too
    assert dump(again.db) == dump(clean_j1.db)


@pytest.mark.slow
def test_two_workers_write_the_same_database_as_one(clean_j1: CleanRun, clean_j2: CleanRun) -> None:
    assert dump(clean_j2.db) == dump(clean_j1.db)


@pytest.mark.slow
def test_killed_ingest_resumes_to_the_same_database(
    corpus: Path, clean_j1: CleanRun, clean_j2: CleanRun, again: CleanRun, tmp_path: Path
) -> None:
    """SIGKILL the main process three times at random moments of the run, then run it to the end:
    the database holds exactly what one clean run writes, and the orphaned workers exit.

    The moments are random but tied to the run's progress, not to the clock alone, so that they land
    while articles are analysed and written however slowly the workers start on a busy machine: each
    run is killed once it has committed a random number of articles (at most half of what is left),
    plus a random delay of up to one batch's analysis time, so anywhere within a batch."""
    rng = random.Random(20240611)
    per_article = max(0.5, clean_j2.seconds - min(again.seconds, clean_j2.seconds)) / ARTICLES
    db = tmp_path / "killed.db"
    seen: list[int] = []
    for _ in range(3):
        before = stored_count(db)
        target = before + rng.randint(1, max(1, (ARTICLES - before) // 2))
        delay = rng.uniform(0.0, BATCH * per_article)
        proc = subprocess.Popen(
            ingest_command(corpus, db, 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while proc.poll() is None and stored_count(db) < target:
            time.sleep(0.02)
        try:
            proc.wait(timeout=delay)  # it may finish first
        except subprocess.TimeoutExpired:
            workers = children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            _wait_for_exit(workers)
        seen.append(stored_count(db))
    print("articles stored after each kill:", seen)
    assert seen == sorted(seen), "a resumed run lost articles"
    assert seen[0] < ARTICLES, "the first run was not killed: nothing was tested"
    run_ingest(corpus, db, 2)
    assert article_ids(db) == article_ids(clean_j1.db)
    assert dump(db) == dump(clean_j1.db)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_what_was_analysed(
    corpus: Path, clean_j1: CleanRun, clean_j2: CleanRun, again: CleanRun, tmp_path: Path
) -> None:
    """SIGINT to the whole process group, as Ctrl-C sends it: status 130, a one-line message and no
    traceback from the workers; the next run completes the database."""
    db = tmp_path / "interrupted.db"
    startup = min(again.seconds, clean_j2.seconds)
    proc = subprocess.Popen(
        ingest_command(corpus, db, 2),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=startup + 0.3 * max(0.5, clean_j2.seconds - startup))
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode in (1, 130), stderr  # 1: it completed (two inputs of the corpus fail)
    assert "Traceback" not in stderr
    if proc.returncode == 130:
        assert "run the same command to resume" in stderr
    run_ingest(corpus, db, 2)
    assert dump(db) == dump(clean_j1.db)


def _wait_for_exit(pids: set[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.1)
    left = {p for p in pids if alive(p)}
    for pid in left:  # do not leave them behind, but fail: workers must exit when their parent dies
        os.kill(pid, signal.SIGKILL)
    assert not left, f"worker processes {sorted(left)} outlived the killed ingest"


# -- in this process ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


def test_sample_ids_are_known_before_the_analysis(runner: CliRunner, tmp_path: Path) -> None:
    """The cheap id (clean_text + content_id) is the analyser's id: skipping depends on it."""
    db = tmp_path / "sample.db"
    result = runner.invoke(main, ["ingest", "--sample", "--db", str(db), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    assert "24 new articles" in result.stdout
    expected = {article_id(item) for item in read_sample() if isinstance(item, ArticleInput)}
    assert article_ids(db) == expected
    again = runner.invoke(main, ["ingest", "--sample", "--db", str(db), "-q"])
    assert again.exit_code == 0, again.stderr
    assert "skipped     24 already stored" in again.stdout


def test_bad_inputs_become_failures_and_the_run_completes(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "one.txt").write_text(GOOD, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    lines = tmp_path / "more.jsonl"
    lines.write_text(json.dumps({"id": "x1", "text": GOOD}) + "\nnot json\n", encoding="utf-8")
    db = tmp_path / "news.db"
    result = runner.invoke(main, ["ingest", str(folder), str(lines), "--db", str(db), "-j", "1"])
    assert result.exit_code == 1, result.stderr
    assert "failures    3" in result.stdout and "the run completed" in result.stdout
    assert f"{lines}:2: [E007]" in result.stderr and "onrecord failures --db" in result.stderr
    assert "duplicates  1" in result.stdout
    conn = sqlite3.connect(db)
    rows = sorted(conn.execute("SELECT input, stage, code FROM failures"))
    conn.close()
    assert rows == sorted(
        [
            (str(folder / "binary.txt"), "read", "E002"),
            (str(folder / "empty.txt"), "analyze", "E001"),
            (f"{lines}:2", "read", "E007"),
        ]
    )


def test_stdin_and_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    result = runner.invoke(main, ["ingest", "-", "--db", str(db), "-j", "1"], input=GOOD)
    assert result.exit_code == 0, result.stderr
    assert "1 new articles" in result.stdout
    assert runner.invoke(main, ["ingest", "-"], input=GOOD).exit_code == 2  # no --db
    assert runner.invoke(main, ["ingest", "-", "--db", str(db), "-j", "0"], input=GOOD).exit_code == 2


def test_published_dates_the_inputs_that_carry_no_date(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text(GOOD, encoding="utf-8")
    dated = json.dumps(
        {"id": "d1", "text": GOOD.replace("said", "told reporters"), "published": "2011-05-02"}
    )
    (tmp_path / "dated.jsonl").write_text(dated + "\n", encoding="utf-8")
    db = tmp_path / "news.db"
    args = ["ingest", str(tmp_path / "plain.txt"), str(tmp_path / "dated.jsonl"), "--db", str(db), "-j", "1"]
    assert runner.invoke(main, [*args, "--published", "2010-04-31"]).exit_code == 2  # no such day
    result = runner.invoke(main, [*args, "--published", "2010-04-23", "-q"])
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(db)
    dates = dict(conn.execute("SELECT source, published FROM articles"))
    conn.close()
    assert dates == {str(tmp_path / "plain.txt"): "2010-04-23", "d1": "2011-05-02"}  # the record's own wins


def test_an_unexpected_error_on_one_article_is_a_failure(
    analyzer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from onrecord.store import open_store

    real = analyzer.analyze_input

    def flaky(article: ArticleInput, **options):
        if "Bob" in article.text:
            raise ZeroDivisionError("a bug")
        return real(article, **options)

    monkeypatch.setattr(analyzer, "analyze_input", flaky)
    items = [
        ArticleInput(GOOD, source="a"),
        ArticleInput('"No," Bob Jones said.', source="b"),
        ArticleInput('"Yes," Mary Major said.', source="c"),
    ]
    store = open_store(tmp_path / "news.db")
    try:
        report = ingest(items, store, settings=IngestSettings(jobs=1, batch_size=2), analyzer=analyzer)
    finally:
        store.close()
    assert report.stored == 2
    assert report.stats.failures == 1
    conn = sqlite3.connect(tmp_path / "news.db")
    rows = list(conn.execute("SELECT input, stage, code, message FROM failures"))
    conn.close()
    assert rows == [("b", "analyze", UNEXPECTED, "ZeroDivisionError: a bug")]


def test_progress_line_on_a_terminal() -> None:
    import io

    from onrecord.cli.ingest import Progress
    from onrecord.runners import IngestStats

    stream = io.StringIO()
    progress = Progress(stream, jobs=2, tty=True)
    stats = IngestStats(read=10, done=10, written=8, skipped=2)
    stats.elapsed = 2.0
    progress(stats)
    progress.finish()
    assert "10 done" in stream.getvalue() and "5.0 articles/s" in stream.getvalue()


def test_a_repeated_article_is_stored_once_with_every_source(runner: CliRunner, tmp_path: Path) -> None:
    text = '"We will not give up," Jane Smith, the mayor, said on Friday.\n'
    first = tmp_path / "first"
    first.mkdir()
    (first / "a.txt").write_text(text, encoding="utf-8")
    (first / "b.txt").write_text(text, encoding="utf-8")  # a repeat within the run
    db = tmp_path / "news.db"
    assert runner.invoke(main, ["ingest", str(first), "--db", str(db), "-j", "1", "-q"]).exit_code == 0
    later = tmp_path / "c.txt"
    later.write_text(text + "\n", encoding="utf-8")  # the same cleaned text, in a later run
    assert runner.invoke(main, ["ingest", str(later), "--db", str(db), "-j", "1", "-q"]).exit_code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        sources = {row[0] for row in conn.execute("SELECT source FROM article_sources")}
        quotes = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
    assert sources == {str(first / "a.txt"), str(first / "b.txt"), str(later)}
    assert quotes == 1
