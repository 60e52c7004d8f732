"""The command line: output formats, inputs of every kind, errors that name the input."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main

REPO = Path(__file__).resolve().parents[1]
GOOD = '"We will not give up," Jane Smith said on Friday.\n'


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


def test_analyze_one_file_prints_one_json_document(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(path), "--published", "2010-04-23"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["source"] == str(path)
    assert data["quotes"][0]["speaker"]["name"] == "Jane Smith"
    assert data["dates"][0]["value"] == "2010-04-23"


def test_analyze_stdin(runner):
    result = runner.invoke(main, ["analyze", "-"], input=GOOD)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "-"


def test_analyze_many_as_jsonl_with_a_folder_and_bad_inputs(runner, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "one.txt").write_text(GOOD, encoding="utf-8")
    (folder / "two.txt").write_text("Jane Smith said the plan was dead.\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Le président a déclaré.".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    lines = tmp_path / "more.jsonl"
    lines.write_text(
        json.dumps({"id": "x1", "text": GOOD, "published": "2010-04-23"})
        + "\n{not json}\n"
        + '{"title": "no text"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["analyze", str(folder), str(lines), "--jsonl"])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4  # one.txt, two.txt, latin1.txt (decoded) and the good JSON line
    assert {r["source"] for r in records} >= {str(folder / "one.txt"), str(folder / "latin1.txt"), "x1"}
    latin1 = next(r for r in records if r["source"] == str(folder / "latin1.txt"))
    assert latin1["text"] == "Le président a déclaré."
    errors = result.stderr
    for name, code in [
        ("empty.txt", "E001"),
        ("binary.txt", "E002"),
        ("more.jsonl:2", "E007"),
        ("more.jsonl:3", "E007"),
    ]:
        assert re.search(rf"{re.escape(name)}: \[{code}\]", errors), (name, errors)


def test_enormous_file_is_refused_without_reading_it(runner, tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(big), str(good), "--jsonl"])
    assert result.exit_code == 1
    assert "big.txt: [E004]" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_text_format_is_readable(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(path), "--format", "text"])
    assert result.exit_code == 0, result.stderr
    assert "Jane Smith" in result.stdout
    assert "We will not give up" in result.stdout


def test_sample_runs(runner):
    result = runner.invoke(main, ["analyze", "--sample", "--format", "text"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("== ") == 24


def test_bad_published_date_is_a_usage_error(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(main, ["analyze", str(path), "--published", "last friday"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_every_command_is_documented():
    """Docs as tests: each CLI command appears in the README."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"onrecord {name}" in readme, f"`onrecord {name}` is not in README.md"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # JSON Lines on standard input: one article per record, with its fields
        (
            b'{"text": "Jane Smith said the plan was dead.", "id": "a1", "published": "2010-04-23"}\n'
            b'{"text": "John Doe said it was alive.", "id": "a2"}\n',
            [
                ("a1", "Jane Smith said the plan was dead.", "2010-04-23"),
                ("a2", "John Doe said it was alive.", None),
            ],
        ),
        # plain text that happens to open with a brace is still text
        (
            b"{Update} Jane Smith said the plan was dead.",
            [("-", "{Update} Jane Smith said the plan was dead.", None)],
        ),
    ],
)
def test_stdin_is_sniffed_for_json_lines(data: bytes, expected: list) -> None:
    from onrecord.ingest.readers import _read_stream

    items = list(_read_stream(io.BufferedReader(io.BytesIO(data)), "-", 10_000))
    assert [(i.source, i.text, i.published) for i in items] == expected


def test_the_query_side_starts_without_the_nlp_stack():
    """`import onrecord`, the CLI, the store, the queries and the web app load no spaCy, thinc or
    trafilatura (issue #19): `onrecord quotes` and `onrecord serve` do not pay for a model library."""
    probe = (
        "import sys, onrecord, onrecord.cli, onrecord.store, onrecord.query, onrecord.web.app\n"
        "print(sorted(m for m in ('spacy', 'thinc', 'trafilatura') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    lazy = subprocess.run(
        [sys.executable, "-c", "import onrecord; print(onrecord.Analyzer.__name__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert lazy.stdout.strip() == "Analyzer"


def test_bench_analyze_reports_the_whole_process_ratio_too(runner, tmp_path):
    """Issue #19: the bench measures what a user waits for (whole processes), beside the analysis alone."""
    for i in range(2):
        (tmp_path / f"a{i}.txt").write_text(GOOD * 3, encoding="utf-8")
    report = tmp_path / "bench.json"
    result = runner.invoke(main, ["bench", "analyze", str(tmp_path), "--json", str(report)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("onrecord / spaCy speed ratio") == 2 and "whole process" in result.stdout
    whole = json.loads(report.read_text(encoding="utf-8"))["whole_process"]
    assert set(whole["seconds"]) == {"spacy_process", "onrecord_process"}
    assert whole["ratio_onrecord_to_spacy_speed"] > 0
