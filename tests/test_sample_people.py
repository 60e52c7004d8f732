"""tools/sample_people.py: the hand-check sample of a store's people (issue #15)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
import sample_people

sys.path.remove(str(REPO / "tools"))

TEXTS = {
    "a.txt": '"We will win this race," said Jane Porter, the party\'s candidate. Ms. Porter spoke in Leeds.',
    "b.txt": 'Tom Evans, a farmer, said the road was closed. "It has been shut for weeks," Mr. Evans said.',
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = folder / "store.db"
    result = subprocess.run(
        [sys.executable, "-m", "onrecord.cli", "ingest", str(folder), "--db", str(db), "-j", "1"],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return db


def test_a_draw_shows_each_person_with_the_text_around_their_quotations(store):
    rows = sample_people.draw(store, n=10, seed=1)
    assert {r["name"] for r in rows} == {"Jane Porter", "Tom Evans"}
    for row in rows:
        assert row["verdict"] == "" and row["quotes"] >= 1
        assert any("[[" in c["text"] and "]]" in c["text"] for c in row["contexts"])
    assert rows == sample_people.draw(store, n=10, seed=1)  # the same seed, the same sample


def test_the_score_counts_verdicts_and_refuses_an_unchecked_line(store, tmp_path):
    rows = sample_people.draw(store, n=10, seed=1)
    path = tmp_path / "checked.jsonl"
    rows[0]["verdict"] = "person"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with pytest.raises(SystemExit, match="1 lines have no verdict"):
        sample_people.score(path)
    rows[1]["verdict"] = "bad_name"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = sample_people.score(path)
    assert result["person"] == 1 and result["bad_name"] == 1 and result["name_not_a_persons_share"] == 0.5


def test_the_committed_sample_is_fully_checked():
    result = sample_people.score(REPO / "evaluation" / "polnear-people-sample.jsonl")
    assert result["sample"] == 100
    assert result["name_not_a_persons_share"] < 0.05  # issue #15's bar; merged is reported, not met
