"""The fuzz run of tools/fuzz.py at a small size (issue #16): mutated real articles, HTML pages and WARC
records through the in-process ingest; nothing crashes and every input is stored or listed."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

#: Inputs of this run (the tool's default is 10,000; docs/ingest.md gives that run's outcome).
INPUTS = 200
#: Files analysed again, one by one and timed, under the budget.
TIMED_FILES = 30


@pytest.fixture(scope="module")
def fuzz_tool():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(REPO / "tools"))
    return fuzz


@pytest.fixture(scope="module")
def corpus(fuzz_tool, shared, tmp_path_factory):
    return fuzz_tool.generate(fuzz_tool.load_seeds(shared), tmp_path_factory.mktemp("fuzz") / "in", INPUTS)


def test_the_generator_is_fixed_by_its_seed(fuzz_tool, shared, tmp_path):
    seeds = fuzz_tool.load_seeds(shared)
    one = fuzz_tool.generate(seeds, tmp_path / "one", 60, seed=3)
    two = fuzz_tool.generate(seeds, tmp_path / "two", 60, seed=3)
    assert [p.read_bytes() for p in one.files] == [p.read_bytes() for p in two.files]
    assert one.planned_inputs == 60 and set(one.planned) == {"text", "jsonl", "html", "warc"}


def test_every_fuzzed_input_is_stored_or_listed(fuzz_tool, corpus, analyzer, tmp_path):
    from onrecord.ingest import read_inputs
    from onrecord.runners import IngestSettings, ingest
    from onrecord.store import open_store

    found = fuzz_tool.read_names(corpus)
    assert found.problems == []  # each text or HTML file one input, each JSON Lines file one a line
    assert len(found.names) >= INPUTS * 0.9  # damaged WARC records may merge or vanish, not more
    db = tmp_path / "fuzz.db"
    settings = IngestSettings(jobs=1, time_budget=fuzz_tool.TIME_BUDGET)
    with open_store(db) as store:
        report = ingest(read_inputs([str(corpus.folder)]), store, settings=settings, analyzer=analyzer)
    accounting = fuzz_tool.account(db, found.names)
    assert accounting.problems == []
    assert accounting.stored + accounting.failed == len(found.names) == report.stats.read
    assert "E999" not in accounting.by_code
    # the mutations reach the checks they are meant for, and much is still analysed
    assert {"E001", "E002", "E007"} <= set(accounting.by_code)
    assert accounting.stored > len(found.names) / 2


def test_no_fuzzed_input_runs_past_the_budget(fuzz_tool, corpus):
    files = fuzz_tool.sample_files(corpus, TIMED_FILES, seed=16)
    timed, problems = fuzz_tool.time_sample(files, budget=fuzz_tool.TIME_BUDGET)
    assert problems == []
    assert len(timed) >= TIMED_FILES
