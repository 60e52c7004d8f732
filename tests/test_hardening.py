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
