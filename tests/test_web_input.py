"""HTML pages and WARC archives as inputs of `analyze` and `ingest` (the readers' wiring)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from onrecord.cli import main

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Mayor vows to reopen bridge | Springfield Daily</title>
<meta property="og:site_name" content="Springfield Daily">
<meta name="author" content="Ann Writer"><meta property="article:published_time" content="2024-03-08">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Mayor vows to reopen bridge</h1>
<p>"We will not give up on this bridge," Jane Smith, the mayor of Springfield, said on Friday.</p>
<p>She said the repairs would take until the summer, and that the city had found the money.</p>
<p>Residents have waited for two years, and many of them say the detour has cost them dearly.</p>
</article><footer>Copyright 2024 Springfield Daily. All rights reserved.</footer></body></html>"""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


def test_analyze_an_html_page(runner, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(page)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "Home" not in data["text"] and "Copyright" not in data["text"]
    assert data["published"] == "2024-03-08"
    assert data["outlet"] == "Springfield Daily"
    speakers = {q["speaker"]["name"] for q in data["quotes"]}
    assert "Jane Smith" in speakers


def test_ingest_the_aeb_warc(runner, shared, tmp_path):
    warc = shared / "data" / "warc" / "derived" / "aeb-181-pages.synthetic.warc.gz"
    db = tmp_path / "aeb.db"
    result = runner.invoke(main, ["ingest", str(warc), "--db", str(db), "-q"])
    # The pages not in English are failures (E005), and ingest says so: exit 1, as analyze does.
    assert result.exit_code == 1, result.stderr
    assert "E005" in result.stderr and "onrecord failures" in result.stderr
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        quotes = conn.execute("SELECT count(*) FROM quotes").fetchone()[0]
        failures = dict(conn.execute("SELECT code, count(*) FROM failures GROUP BY code").fetchall())
    # 181 pages: the English ones are stored with their quotations, the others refused as not English.
    assert articles + sum(failures.values()) == 181
    assert articles >= 150 and quotes >= 1000
    assert set(failures) <= {"E005", "E001"}


def test_every_real_warc_file_is_read_or_reported(runner, shared, tmp_path):
    for path in sorted((shared / "data" / "warc" / "real").iterdir()):
        if ".warc" not in path.name:
            continue
        result = runner.invoke(main, ["analyze", str(path), "--jsonl"])
        assert result.exit_code in (0, 1), (path.name, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), path.name
        for line in result.stdout.splitlines():
            assert json.loads(line)["source"].startswith(str(path))


def test_a_warc_summary_says_what_was_skipped(runner, shared):
    path = shared / "data" / "warc" / "real" / "dolma__sample-0000.warc.gz"
    result = runner.invoke(main, ["analyze", str(path), "--jsonl"])
    assert "48 records, 6 HTML pages read; skipped: 26 not-response, 16 non-article" in result.stderr
