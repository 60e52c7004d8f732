"""The accuracy gates: each annotated set must meet the floors pinned for it in evaluation/.

PolNeAR dev: evaluation/baseline.json; the speakers set: evaluation/speakers.json; its roles:
evaluation/roles.json; GUM people: evaluation/gum-people.json. Raise the floors with `make baseline` after
an improvement; lowering one needs `onrecord evaluate ... --update-baseline --allow-lower --reason "..."`
and a reason in the commit.

Each set is analysed once per session (the speakers and roles sets share their articles, so one run
serves both), and the same records are handed to the set's reference scorer in ../shared/tools, which
must give the same numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onrecord.evaluate import evaluate_directory, load_set
from onrecord.evaluate.baseline import check_report, read_baseline
from onrecord.evaluate.sets import Predictions, ScoredSet, analyse

EVALUATION = Path(__file__).resolve().parents[1] / "evaluation"
BASELINE = EVALUATION / "baseline.json"
SPEAKERS = ("data", "speakers-dev")
GUM = ("data", "gum-people-dev")


def test_polnear_dev_meets_its_floors(analyzer_all, shared):
    baseline = read_baseline(BASELINE)
    assert baseline is not None, f"{BASELINE} is missing"
    result = evaluate_directory(shared / "data" / "polnear" / "dev", fmt="polnear", analyzer=analyzer_all)
    check = check_report(result.report(), baseline)
    assert check.ok, "\n".join(check.messages)


def test_seed_gold_scores(analyzer, shared):
    result = evaluate_directory(shared / "examples", fmt="gold", analyzer=analyzer)
    report = result.report()
    assert report["content"]["overlap"]["f1"] >= 0.9, report["content"]


# --- the set formats -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def speakers_run(analyzer, shared) -> tuple[ScoredSet, ScoredSet, Predictions]:
    """The speakers set and its roles, and one analysis of their 25 articles."""
    speakers = load_set(shared.joinpath(*SPEAKERS), fmt="speakers")
    roles = load_set(shared.joinpath(*SPEAKERS), fmt="roles")
    assert [a.id for a in speakers.articles] == [a.id for a in roles.articles]
    return speakers, roles, analyse(speakers.articles, analyzer)


@pytest.fixture(scope="session")
def gum_run(analyzer, shared) -> tuple[ScoredSet, Predictions]:
    people = load_set(shared.joinpath(*GUM), fmt="gum-people")
    return people, analyse(people.articles, analyzer)


def _gate(report: dict[str, Any], name: str) -> None:
    baseline = read_baseline(EVALUATION / name)
    assert baseline is not None, f"{EVALUATION / name} is missing"
    assert baseline.format == report["format"]
    check = check_report(report, baseline)
    assert check.ok, "\n".join(check.messages)


def test_speakers_set_meets_its_floors(speakers_run):
    speakers, _, predictions = speakers_run
    report = speakers.score(predictions).report()
    assert not report["failed_articles"]
    _gate(report, "speakers.json")


def test_roles_meet_their_floors(speakers_run):
    _, roles, predictions = speakers_run
    _gate(roles.score(predictions).report(), "roles.json")


def test_gum_people_meet_their_floors(gum_run):
    people, predictions = gum_run
    report = people.score(predictions).report()
    assert not report["failed_articles"]
    _gate(report, "gum-people.json")


def _reference(shared: Path, tool: str, records: Predictions, tmp_path: Path, *args: str) -> dict[str, Any]:
    """The reference scorer's --json numbers on the same records, as ``onrecord analyze --jsonl`` writes
    them."""
    script = shared / "tools" / tool
    if not script.is_file():
        pytest.skip(f"the reference scorer {script} is missing")
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records.records.values()))
    out = tmp_path / "reference.json"
    command = [sys.executable, str(script), *args, "--pred", str(pred), "--json", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _agree(ours: float | None, reference: float) -> None:
    # the reference rounds to 4 decimals; ours are unrounded
    assert ours is not None and abs(ours - reference) <= 0.00005 + 1e-12, (ours, reference)


def test_speakers_scores_agree_with_the_reference_scorer(speakers_run, shared, tmp_path):
    speakers, _, predictions = speakers_run
    ours = speakers.score(predictions).report()
    ref = _reference(shared, "score_speakers.py", predictions, tmp_path)
    for key in ("precision", "recall", "f1"):
        _agree(ours["detection"][key], ref["detection"][key])
        _agree(ours["end_to_end"][key], ref["end_to_end"][key])
    _agree(ours["canonical_accuracy"], ref["canonical_accuracy"])
    assert ours["detection"]["gold_found"] == ref["detection"]["tp"]
    for dim, values in ref["slices"].items():
        for value, cell in values.items():
            mine = ours["slices"][dim][value]
            assert (mine["gold"], mine["matched"], mine["right"]) == (
                cell["gold"],
                cell["matched"],
                cell["right"],
            ), (dim, value)
    assert ours["wrong_speaker_reasons"] == ref["wrong_speaker_reasons"]


def test_roles_scores_agree_with_the_reference_scorer(speakers_run, shared, tmp_path):
    _, roles, predictions = speakers_run
    ours = roles.score(predictions).report()
    ref = _reference(shared, "score_roles.py", predictions, tmp_path)
    for part in ("people", "roles"):
        for key in ("precision", "recall", "f1"):
            _agree(ours[part][key], ref[part][key])
    for key in ("wrong_role_share", "people_fully_right_share", "role_recall_matched_people"):
        _agree(ours[key], ref[key])
    assert {k: (v["gold"], v["found"]) for k, v in ours["role_recall_by_kind"].items()} == {
        k: (v["gold"], v["found"]) for k, v in ref["role_recall_by_kind"].items()
    }


def test_gum_people_scores_agree_with_the_reference_scorer(gum_run, shared, tmp_path):
    people, predictions = gum_run
    ours = people.score(predictions).report()
    ref = _reference(shared, "score_people.py", predictions, tmp_path, "--data", people.root)
    for key in ("precision", "recall", "f1"):
        _agree(ours["people"][key], ref[key])
    for key in (
        "macro_f1",
        "one_entity_per_person",
        "not_split",
        "not_merging",
        "name_mention_recall",
        "all_mention_recall",
    ):
        _agree(ours[key], ref[key])
    _agree(ours["last_name_in_predicted_name"], ref["last_name_in_pred_name"])
    assert ours["people"]["gold"] == ref["gold_people"] and ours["people"]["predicted"] == ref["pred_people"]
