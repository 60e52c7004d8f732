"""Hostile and broken input, and nothing lost (issue #16): exports that cannot destroy the store,
inputs that are always stored or listed, dates and encodings read as they come, CSV cells that a
spreadsheet cannot run, and a server that checks what it is asked."""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from onrecord.cli import main
from onrecord.errors import ErrorCode, InputError
from onrecord.ingest.readers import Decoded, decode_text, read_date
from onrecord.pipeline import ArticleInput
from onrecord.query.export import FORMULA_STARTS, ExportTargetError, check_output, csv_text, export
from onrecord.store import StoredInput, open_store
from onrecord.web import SECURITY_HEADERS, create_app
from onrecord.web.app import API_PREFIX, allowed_hosts

TEXTS = [
    '"We will not give up," Vladimir Putin, the Russian prime minister, said on Friday.',
    '"=HYPERLINK("http://evil.example","x") is a formula," Ana Lopez said on Monday.',
    '"+44 is the code for calls to Britain," John Smith said on Tuesday.',
    '"-5 percent is the forecast," Mary Stone said.',
    '"@everyone should vote," Bob Brown said.',
]
#: The first characters of the quotations above that a spreadsheet would run as a formula.
FORMULA_QUOTES = 4


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


@pytest.fixture
def db(analyzer, tmp_path) -> Path:
    """A small store of its own for each test: some tests try to destroy it."""
    path = tmp_path / "news.db"
    items = [
        StoredInput(analyzer.analyze(text, source=f"a{i}.txt", published="2020-01-02"), text)
        for i, text in enumerate(TEXTS)
    ]
    with open_store(path) as store:
        store.write_batch(items, [])
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quote_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
    finally:
        conn.close()


# -- defect 1: an export never overwrites the store --------------------------------------------------------
def _export(runner, db, output, *extra):
    return runner.invoke(main, ["export", "--db", str(db), "--what", "quotes", "-o", str(output), *extra])


def test_export_refuses_to_write_over_the_store_by_any_path(runner, db, tmp_path, monkeypatch):
    before, quotes = _digest(db), _quote_count(db)
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    monkeypatch.chdir(tmp_path)
    for output in (db, "news.db", "./sub/../news.db", tmp_path / "link.db", tmp_path / "hard.db"):
        if output == "./sub/../news.db":
            (tmp_path / "sub").mkdir(exist_ok=True)
        for extra in ((), ("--force",)):
            result = _export(runner, db, output, *extra)
            assert result.exit_code == 1, (output, result.output)
            assert "refusing to write the export" in result.stderr and "Traceback" not in result.output
            assert db.stat().st_size > 0 and _digest(db) == before, output
    assert _quote_count(db) == quotes


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_export_refuses_the_stores_sidecar_files(runner, db, suffix):
    sidecar = Path(str(db) + suffix)
    result = _export(runner, db, sidecar, "--force")
    assert result.exit_code == 1 and "refusing to write the export" in result.stderr
    assert not sidecar.exists() or not sidecar.read_bytes().startswith(b'{"')  # SQLite's, not ours
    assert _quote_count(db) > 0


def test_export_refuses_any_sqlite_file_even_with_force(runner, db, tmp_path):
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = _digest(other)
    result = _export(runner, db, other, "--force")
    assert result.exit_code == 1 and "is a SQLite database" in result.stderr
    assert _digest(other) == before
    # and the -wal name beside another database, although that file does not exist yet
    result = _export(runner, db, tmp_path / "other.sqlite-wal")
    assert result.exit_code == 1 and "wal file of the SQLite database" in result.stderr
    assert not (tmp_path / "other.sqlite-wal").exists()


def test_export_replaces_an_existing_file_only_with_force(runner, db, tmp_path):
    out = tmp_path / "quotes.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    result = _export(runner, db, out)
    assert result.exit_code == 1 and "already exists; pass --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me\n"
    result = _export(runner, db, out, "--force")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == _quote_count(db)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_dash_is_standard_output(runner, db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _export(runner, db, "-")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == _quote_count(db) and "to standard output" in result.stderr
    assert not (tmp_path / "-").exists()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(db, tmp_path, monkeypatch):
    export_module = importlib.import_module("onrecord.query.export")  # the package's `export` is a function
    out = tmp_path / "quotes.csv"
    out.write_text("old,export\n", encoding="utf-8")

    def broken_rows(*args, **kwargs):
        yield {"id": "q1"}
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "iter_rows", broken_rows)
    with open_store(db, readonly=True) as store, pytest.raises(OSError, match="No space"):
        export(store, "quotes", "csv", out, force=True)
    assert out.read_text(encoding="utf-8") == "old,export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_check_output_from_python_guards_the_store_too(db, tmp_path):
    with pytest.raises(ExportTargetError, match="the store being exported"):
        check_output(db, store_path=db, force=True)
    with open_store(db, readonly=True) as store, pytest.raises(ExportTargetError):
        export(store, "quotes", "jsonl", db, force=True)
    assert _quote_count(db) > 0


# -- defect 7: CSV cells that a spreadsheet would run ----------------------------------------------------
def _csv_contents(text: str) -> list[str]:
    return [row["content"] for row in csv.DictReader(io.StringIO(text))]


def test_csv_export_neutralises_formulas(runner, db, tmp_path):
    out = tmp_path / "quotes.csv"
    result = runner.invoke(main, ["export", "--db", str(db), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    contents = _csv_contents(out.read_text(encoding="utf-8"))
    assert len(contents) == len(TEXTS)
    risky = [c for c in contents if c.startswith("'")]
    assert len(risky) == FORMULA_QUOTES
    assert not [c for c in contents if c.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://evil.example","x") is a formula' in contents
    # JSON Lines keeps the text exactly as quoted
    jsonl = runner.invoke(main, ["export", "--db", str(db), "-o", "-"])
    assert any(json.loads(line)["content"].startswith("=HYPERLINK") for line in jsonl.stdout.splitlines())
    # the query command's CSV too
    listed = runner.invoke(main, ["quotes", "--db", str(db), "--format", "csv"])
    assert not [c for c in _csv_contents(listed.stdout) if c.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_csv_text_follows_owasp(value, written):
    assert csv_text(value) == written


def test_api_csv_download_neutralises_formulas(db):
    with TestClient(create_app(db)) as client:
        response = client.get(f"{API_PREFIX}/quotes.csv")
    assert response.status_code == 200
    contents = _csv_contents(response.text)
    assert len(contents) == len(TEXTS)
    assert len([c for c in contents if c.startswith("'")]) == FORMULA_QUOTES
    assert not [c for c in contents if c.startswith(FORMULA_STARTS)]


# -- defect 8: a NUL byte is a bad parameter, not a crash --------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        f"{API_PREFIX}/quotes?q=%00",
        f"{API_PREFIX}/quotes?q=a%00b",
        f"{API_PREFIX}/quotes.csv?q=%00",
        f"{API_PREFIX}/quotes.jsonl?q=%00",
        f"{API_PREFIX}/quotes?outlet=%00",
        f"{API_PREFIX}/stats/top-people?outlet=%00",
        f"{API_PREFIX}/people/%00",
        "/search?q=%00",
        "/search?speaker=x%00",
        "/person/%00",
    ],
)
def test_a_nul_byte_is_400(db, url):
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        response = client.get(url)
    assert response.status_code == 400, response.text[:200]
    if url.startswith(API_PREFIX):
        error = response.json()["error"]
        assert error["code"] == "bad_parameter" and "NUL" in error["message"]
    else:
        assert "<h1>That search cannot be run</h1>" in response.text and "NUL" in response.text
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()


# -- defect 9: the Host header -------------------------------------------------------------------------------
def test_a_loopback_server_answers_only_loopback_names(db):
    app = create_app(db, hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.2"):
            assert client.get(f"{API_PREFIX}/stats", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "localhost.evil.example", "10.0.0.1"):
            for url in (f"{API_PREFIX}/stats", "/", "/search?q=air"):
                response = client.get(url, headers={"host": host})
                assert response.status_code == 400, (host, url)
                error = response.json()["error"]
                assert error["code"] == "bad_host" and "--allowed-host" in error["message"]
                assert response.headers["x-frame-options"] == "DENY"


def test_allowed_host_adds_names_and_a_wildcard_bind_accepts_addresses(db):
    check = allowed_hosts("127.0.0.1", ["record.example.org"])
    assert check.allows("record.example.org:8000") and not check.allows("other.example.org")
    wide = allowed_hosts("0.0.0.0")
    assert wide.allows("192.168.1.20:8000") and wide.allows("localhost")
    assert not wide.allows("evil.example")
    one = allowed_hosts("192.168.1.20")
    assert one.allows("192.168.1.20") and not one.allows("localhost") and not one.allows("evil.example")
    assert allowed_hosts("127.0.0.1", ["*"]).allows("anything.example")


def test_serve_workers_get_the_host_check(db, monkeypatch):
    from onrecord.web.app import BOUND_ENVIRONMENT, DB_ENVIRONMENT, HOSTS_ENVIRONMENT, app_from_environment

    monkeypatch.setenv(DB_ENVIRONMENT, str(db))
    monkeypatch.setenv(BOUND_ENVIRONMENT, "127.0.0.1")
    monkeypatch.setenv(HOSTS_ENVIRONMENT, "record.example.org")
    with TestClient(app_from_environment()) as client:
        assert client.get(f"{API_PREFIX}/stats", headers={"host": "evil.example"}).status_code == 400
        assert client.get(f"{API_PREFIX}/stats", headers={"host": "record.example.org"}).status_code == 200
        assert client.get(f"{API_PREFIX}/stats", headers={"host": "localhost"}).status_code == 200


# -- defect 4: every JSON Lines record is stored or listed -------------------------------------------------
GOOD = '"We will not give up," Vladimir Putin said on Friday.'
OTHER = '"Prices will fall," said Ana Lopez, the minister of finance.'


def _ingest_jsonl(analyzer, tmp_path, rows) -> Path:
    from onrecord.ingest import read_inputs
    from onrecord.runners.local import IngestSettings, ingest

    lines = tmp_path / "dup.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "lines.db"
    with open_store(db) as store:
        ingest(read_inputs([str(lines)]), store, settings=IngestSettings(jobs=1), analyzer=analyzer)
    return db


def _accounted(db: Path) -> tuple[set[str], set[str]]:
    conn = sqlite3.connect(db)
    try:
        stored = {row[0] for row in conn.execute("SELECT source FROM article_sources")}
        failed = {row[0] for row in conn.execute("SELECT input FROM failures")}
    finally:
        conn.close()
    return stored, failed


def test_a_repeated_id_never_hides_a_failure(analyzer, tmp_path, caplog):
    rows = [
        {"id": "x", "text": GOOD, "published": "Friday"},
        {"id": "x", "text": GOOD, "published": "2020-01-02"},
        {"id": "y", "text": "", "published": "2020-01-02"},
        {"id": "y", "text": OTHER, "published": "2020-01-02"},
        {"id": "z", "text": "\x00 binary"},
        {"id": "z", "text": OTHER + " Again."},
    ]
    with caplog.at_level("WARNING", logger="onrecord.ingest.readers"):
        db = _ingest_jsonl(analyzer, tmp_path, rows)
    stored, failed = _accounted(db)
    lines = tmp_path / "dup.jsonl"
    assert failed == {"y", "z"}
    assert {"x", f"{lines}:2", f"{lines}:4", f"{lines}:6"} <= stored
    assert len(stored | failed) == len(rows)  # every line under its own name
    assert "[W003]" in caplog.text and f"{lines}:4" in caplog.text


# -- defect 5: dates as feeds and people write them --------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-02", "2020-01-02"),
        ("2020-01-02T10:00:00Z", "2020-01-02"),
        ("Mon, 02 Jan 2020 10:00:00 GMT", "2020-01-02"),
        ("Thu, 2 Jan 2020 23:30:00 -0500", "2020-01-02"),
        ("January 2, 2020", "2020-01-02"),
        ("2 January 2020", "2020-01-02"),
        ("23 April 2010", "2010-04-23"),
        ("Thursday, 2 January 2020, 10:00", "2020-01-02"),
        ("12/25/2020", "2020-12-25"),
        ("25.12.2020", "2020-12-25"),
        ("Friday", None),  # no year: dateutil would fill in this week
        ("January 2020", None),  # no day
        ("01/02/2020", None),  # 1 February or 2 January
        ("2020-02-30", None),
        ("", None),
    ],
)
def test_read_date(value, expected):
    assert read_date(value) == expected


def test_an_unreadable_date_is_stored_undated_with_a_warning(analyzer, tmp_path, caplog):
    rows = [
        {"id": "rss", "text": GOOD, "published": "Mon, 02 Jan 2020 10:00:00 GMT"},
        {"id": "written", "text": OTHER, "date": "January 2, 2020"},
        {"id": "vague", "text": GOOD + " He left.", "published": "last Friday"},
    ]
    with caplog.at_level("WARNING", logger="onrecord.ingest.readers"):
        db = _ingest_jsonl(analyzer, tmp_path, rows)
    conn = sqlite3.connect(db)
    dates = dict(conn.execute("SELECT source, published FROM articles"))
    failures = conn.execute("SELECT count(*) FROM failures").fetchone()[0]
    conn.close()
    assert dates == {"rss": "2020-01-02", "written": "2020-01-02", "vague": None}
    assert failures == 0
    assert "vague: [W001] publication date 'last Friday' cannot be read" in caplog.text


# -- defect 6: encodings -------------------------------------------------------------------------------------
CP1252_TEXT = (
    "\u201cWe will not raise taxes this year,\u201d said Jos\u00e9 P\u00e9rez, the mayor of the caf\u00e9 "
    "district, on Friday. The budget of \u00a35 million \u2013 a record \u2013 was approved by the council."
)


def _read_one(path: Path):
    from onrecord.ingest import read_inputs

    items = list(read_inputs([str(path)]))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_legacy_and_utf16_text_is_decoded(analyzer, tmp_path, encoding):
    text = CP1252_TEXT
    if encoding == "latin-1":  # no curly quotes or dashes in Latin-1
        text = text.translate({0x201C: '"', 0x201D: '"', 0x2013: "-"})
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode(encoding))
    item = _read_one(path)
    assert not isinstance(item, InputError), item
    assert item.text == text
    analysis = analyzer.analyze(item.text, source=item.source)
    assert analysis.quotes, "the decoded text is analysed"
    for quote in analysis.quotes:
        for start, end in quote.content_spans:  # offsets into the decoded text
            assert quote.content.startswith(item.text[start:end][:10])


def test_utf16_json_lines_are_read(tmp_path):
    from onrecord.ingest import read_inputs

    path = tmp_path / "news.jsonl"
    rows = [{"id": "a", "text": CP1252_TEXT}, {"id": "b", "text": "Line\u2028two, he said."}]
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode("utf-16"))
    items = list(read_inputs([str(path)]))
    assert [i.text for i in items] == [r["text"] for r in rows]


def test_a_few_bad_bytes_in_utf8_are_replaced_with_a_warning(tmp_path, caplog):
    path = tmp_path / "damaged.txt"
    path.write_bytes(CP1252_TEXT.encode("utf-8") + b" caf\xe9.")
    with caplog.at_level("WARNING", logger="onrecord.ingest.readers"):
        item = _read_one(path)
    assert not isinstance(item, InputError)
    assert item.text == CP1252_TEXT + " caf\ufffd."
    assert "[W002]" in caplog.text and "unsure" in caplog.text


def test_only_what_is_not_text_is_refused(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    item = _read_one(binary)
    assert isinstance(item, InputError) and item.code is ErrorCode.BINARY
    assert isinstance(decode_text(CP1252_TEXT.encode("cp1252"), "x"), Decoded)
    assert decode_text(CP1252_TEXT.encode("cp1252"), "x").encoding == "cp1252"


def test_a_repeat_of_a_failed_record_is_listed_not_dropped(analyzer, tmp_path):
    rows = [
        {"id": "a", "text": "   "},  # empty once cleaned: E001
        {"id": "b", "text": "   "},  # the same text: a repeat of a failed input
        {"id": "c", "text": GOOD},
    ]
    db = _ingest_jsonl(analyzer, tmp_path, rows)
    stored, failed = _accounted(db)
    assert stored == {"c"} and failed == {"a", "b"}
    conn = sqlite3.connect(db)
    message = conn.execute("SELECT code, message FROM failures WHERE input = 'b'").fetchone()
    conn.close()
    assert message[0] == "E001" and message[1].startswith("the same text as a, which failed: ")


# -- defect 10: ingest says what failed, and what it stored -----------------------------------------------
def test_ingest_names_failed_inputs_and_exits_1(runner, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    for n in range(12):
        (folder / f"empty-{n:02d}.txt").write_text("", encoding="utf-8")
    db = tmp_path / "news.db"
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(db), "-j", "1", "-q"])
    assert result.exit_code == 1
    named = [line for line in result.stderr.splitlines() if line.startswith("onrecord: error: ")]
    assert len(named) == 10 and all("[E001]" in line for line in named)
    assert f"12 of 13 inputs failed (2 more not shown); `onrecord failures --db {db}`" in result.stderr
    assert "1 new articles" in result.stdout


def test_a_mistyped_path_creates_no_store(runner, tmp_path):
    db = tmp_path / "news.db"
    result = runner.invoke(main, ["ingest", str(tmp_path / "nwes"), "--db", str(db), "-j", "1"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nwes'}: [E006] no such file or folder" in result.stderr
    assert "was not created" in result.stderr
    assert not db.exists() and not Path(str(db) + "-wal").exists()


def test_an_existing_store_records_the_failure_of_a_mistyped_path(runner, db, tmp_path):
    result = runner.invoke(main, ["ingest", str(tmp_path / "nwes"), "--db", str(db), "-j", "1"])
    assert result.exit_code == 1 and "[E006]" in result.stderr
    assert str(tmp_path / "nwes") in _accounted(db)[1]


def test_ingest_reports_what_this_run_stored_not_what_another_did(analyzer, db, monkeypatch):
    """Two ingests of the same articles at once: both find them missing, both analyse them, one
    writes them. Here the other run's commit lands between this run's check and its write (the store
    says it knows none of the ids, yet holds them): this run stored nothing and must say so."""
    from onrecord.cli.ingest import format_summary
    from onrecord.runners.local import IngestSettings, ingest
    from onrecord.store import SQLiteStore

    items = [ArticleInput(text, source=f"again-{i}.txt") for i, text in enumerate(TEXTS)]
    monkeypatch.setattr(SQLiteStore, "known_ids", lambda self, ids: set())
    with open_store(db) as store:
        report = ingest(items, store, settings=IngestSettings(jobs=1), analyzer=analyzer)
    assert report.stats.written == len(TEXTS)  # analysed again, as the racing run did
    assert report.stored == 0 and report.stats.stored_quotes == 0
    assert "stored      0 new articles, 0 quotes, 0 new people" in format_summary(report, db)


def test_write_batch_returns_what_it_added(analyzer, tmp_path):
    item = StoredInput(analyzer.analyze(GOOD, source="a.txt"), GOOD)
    with open_store(tmp_path / "w.db") as store:
        first = store.write_batch([item])
        second = store.write_batch([item])
    assert (first.articles, first.quotes, first.people) == (1, len(item.analysis.quotes), 1)
    assert (second.articles, second.quotes, second.people) == (0, 0, 0)


# -- defect 3: one slow article does not hold back the others' commit ---------------------------------------
#: Normal articles before and after the slow one, in input order (issue #16: "beside 100 normal articles").
BEFORE_SLOW = AFTER_SLOW = 50


def _slow_batch_inputs() -> tuple[list[ArticleInput], ArticleInput]:
    from onrecord.bench_scaling import article_text
    from onrecord.pipeline import MAX_INPUT_CHARS

    normal = [
        ArticleInput(article_text(600, seed=n), source=f"normal-{n:03d}.txt")
        for n in range(BEFORE_SLOW + AFTER_SLOW)
    ]
    # The longest article accepted: minutes of analysis on any machine (145 s on this project's 2-core
    # machine, docs/ingest.md "Scaling"), far past the budgets below.
    slow = ArticleInput(article_text(MAX_INPUT_CHARS, seed=999), source="slow.txt")
    return normal, slow


def _read_only(path: Path) -> tuple[set[str], dict[str, str]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        stored = {row[0] for row in conn.execute("SELECT source FROM articles")}
        failed = dict(conn.execute("SELECT input, code FROM failures").fetchall())
    finally:
        conn.close()
    return stored, failed


def test_a_slow_article_does_not_hold_back_the_commit_of_those_finished(analyzer, tmp_path, monkeypatch):
    """With the slow article still running (held until the test lets it go), the articles before it
    are committed, visible from a second, read-only connection; those after it wait for it (input
    order, D32) and are committed once it ends, here as the time budget would end it (E009)."""
    import threading
    from concurrent.futures import Future, ThreadPoolExecutor

    from onrecord.runners import local
    from onrecord.store.api import Failure

    normal, slow = _slow_batch_inputs()
    release = threading.Event()
    started = threading.Event()

    class HeldExecutor:
        """Two workers in threads: the slow article waits for ``release`` on one, the rest are
        analysed on the other (one analyser, used by one thread at a time)."""

        jobs = 2

        def __init__(self, settings, analyzer_):
            self.stage = local.AnalyzeStage(analyzer=analyzer)
            self.slow = ThreadPoolExecutor(1)
            self.rest = ThreadPoolExecutor(1)

        def submit(self, task) -> Future:
            if task.article.source == slow.source:
                return self.slow.submit(self._held, task)
            return self.rest.submit(self.stage.process, task)

        def _held(self, task):
            started.set()
            release.wait(timeout=600)
            return Failure(
                task.article.source, "analyze", ErrorCode.TIME_BUDGET.value, "stopped by the budget"
            )

        def close(self):
            release.set()
            self.slow.shutdown()
            self.rest.shutdown()

    monkeypatch.setattr(local, "_Executor", HeldExecutor)
    db = tmp_path / "slow.db"
    items = [*normal[:BEFORE_SLOW], slow, *normal[BEFORE_SLOW:]]
    outcome: dict[str, object] = {}

    def run() -> None:
        with open_store(db) as store:
            outcome["report"] = local.ingest(items, store, settings=local.IngestSettings(batch_size=1000))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        seen: set[str] = set()
        failed: dict[str, str] = {}
        for _ in range(240):  # a liveness guard (up to 2 minutes), not a measure of time
            if db.exists() and started.is_set():
                seen, failed = _read_only(db)
                if len(seen) >= BEFORE_SLOW:
                    break
            thread.join(0.5)
        assert not release.is_set() and thread.is_alive(), "the slow article is still being analysed"
        assert seen == {a.source for a in normal[:BEFORE_SLOW]}, "what finished before it is committed"
        assert slow.source not in failed
    finally:
        release.set()
        thread.join(600)
    stored, failed = _read_only(db)
    assert stored == {a.source for a in normal}
    assert failed == {slow.source: ErrorCode.TIME_BUDGET.value}
    assert outcome["report"].stats.batches >= 2  # type: ignore[attr-defined]


def test_a_slow_article_is_stopped_at_the_budget_and_the_others_commit_before_it_ends(tmp_path, monkeypatch):
    """The real thing: two worker processes, a time budget, and an article built to take far longer.
    The ingest's commit sequence shows the articles before the slow one committed in a transaction of
    their own (the batch size is larger than the whole run: only the commit of what is finished can
    have written it) before the slow one's E009 failure, and the articles after it with or after it."""
    from onrecord.runners import local
    from onrecord.store import SQLiteStore

    normal, slow = _slow_batch_inputs()
    # Commit what is finished after half a second (2 s in production), well inside the budget.
    monkeypatch.setattr(local, "COMMIT_SECONDS", 0.5)
    commits: list[tuple[set[str], dict[str, str], set[str]]] = []
    write_batch = SQLiteStore.write_batch

    def recording(self, items, failures=(), sources=()):
        # What a second, read-only connection sees just before this transaction: the earlier commits.
        visible, _ = _read_only(db)
        commits.append(({i.analysis.source for i in items}, {f.input: f.code for f in failures}, visible))
        return write_batch(self, items, failures, sources)

    monkeypatch.setattr(SQLiteStore, "write_batch", recording)
    db = tmp_path / "slow.db"
    items = [*normal[:BEFORE_SLOW], slow, *normal[BEFORE_SLOW:]]
    settings = local.IngestSettings(jobs=2, batch_size=1000, time_budget=10)
    with open_store(db) as store:
        report = local.ingest(items, store, settings=settings)

    stored, failed = _read_only(db)
    assert stored == {a.source for a in normal} and failed == {slow.source: ErrorCode.TIME_BUDGET.value}
    assert report.stats.failures == 1 and report.stats.written == len(normal)
    at = next(i for i, (_, fails, _) in enumerate(commits) if slow.source in fails)
    before = {a.source for a in normal[:BEFORE_SLOW]}
    committed_earlier = set().union(*(arts for arts, _, _ in commits[:at]))
    assert committed_earlier == before, "the articles before the slow one were committed while it ran"
    assert commits[at][2] == before, "and a second connection saw them before its failure was written"
    later = set().union(*(arts for arts, _, _ in commits[at:]))
    assert later == {a.source for a in normal[BEFORE_SLOW:]}


# -- defect 6: the record names the input's encoding ---------------------------------------------------------
def test_the_record_and_the_store_name_the_encoding(analyzer, tmp_path):
    from onrecord.ingest import read_inputs
    from onrecord.records import Analysis
    from onrecord.runners.local import IngestSettings, ingest

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "legacy.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    (folder / "damaged.txt").write_bytes(CP1252_TEXT.encode("utf-8") + b" caf\xe9.")
    (folder / "wide.txt").write_bytes((CP1252_TEXT + " Again.").encode("utf-16"))
    rows = [{"id": "plain", "text": GOOD}, {"id": "old", "text": OTHER + " Caf\u00e9."}]
    lines = [json.dumps(rows[0]).encode("utf-8"), json.dumps(rows[1], ensure_ascii=False).encode("cp1252")]
    (folder / "lines.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    expected = {
        str(folder / "legacy.txt"): ("cp1252", True),
        str(folder / "damaged.txt"): ("utf-8", False),
        str(folder / "wide.txt"): ("utf-16", True),
        "plain": ("utf-8", True),
        "old": ("cp1252", True),
    }
    items = list(read_inputs([str(folder)]))
    assert {i.source: (i.encoding, i.encoding_sure) for i in items} == expected
    analysis = analyzer.analyze_input(items[0])
    assert (analysis.encoding, analysis.encoding_sure) == expected[items[0].source]
    assert Analysis.from_dict(json.loads(analysis.to_json())) == analysis
    assert analyzer.analyze(GOOD).encoding is None  # text given as a string has no encoding
    db = tmp_path / "enc.db"
    with open_store(db) as store:
        ingest(items, store, settings=IngestSettings(jobs=1), analyzer=analyzer)
        assert store.analysis(analysis.id) == analysis
    conn = sqlite3.connect(db)
    stored = {
        s: (e, bool(sure))
        for s, e, sure in conn.execute("SELECT source, encoding, encoding_sure FROM articles")
    }
    conn.close()
    assert stored == expected
