"""The accuracy gate: PolNeAR dev must meet the floors pinned in evaluation/baseline.json.

Raise the floors with `make baseline` after an improvement; lowering one needs
`onrecord evaluate ... --update-baseline --allow-lower --reason "..."` and a reason in the commit.
"""

from __future__ import annotations

from pathlib import Path

from onrecord.evaluate import evaluate_directory
from onrecord.evaluate.baseline import check_report, read_baseline

BASELINE = Path(__file__).resolve().parents[1] / "evaluation" / "baseline.json"


def test_polnear_dev_meets_its_floors(analyzer, shared):
    baseline = read_baseline(BASELINE)
    assert baseline is not None, f"{BASELINE} is missing"
    result = evaluate_directory(shared / "data" / "polnear" / "dev", fmt="polnear", analyzer=analyzer)
    check = check_report(result.report(), baseline)
    assert check.ok, "\n".join(check.messages)


def test_seed_gold_scores(analyzer, shared):
    result = evaluate_directory(shared / "examples", fmt="gold", analyzer=analyzer)
    report = result.report()
    assert report["content"]["overlap"]["f1"] >= 0.9, report["content"]
