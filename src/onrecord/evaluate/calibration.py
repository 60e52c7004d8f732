"""How well the statements' confidences read as probabilities: a reliability table, the expected
calibration error and precision at a coverage.

Every scored prediction gives one ``(confidence, correct)`` pair; what "correct" means is the format's
end-to-end match (PolNeAR: content overlap >= 0.5 and the speaker mention; speakers: character F1 >= 0.5
and the speaker right). Definitions (docs/evaluation.md, "Calibration"):

* Reliability: the confidences fall into :data:`BINS` bins of equal width over [0, 1] (a confidence of
  exactly 1 goes into the last); each bin has its count, its mean confidence and its observed accuracy
  (the share of its predictions that are correct).
* ECE, the expected calibration error: the mean over bins of ``|accuracy - mean confidence|``, each bin
  weighted by its share of the predictions. 0 is perfect; lower is better.
* Precision at a coverage c: the predictions sorted by confidence, highest first, and the first
  ``ceil(c * n)`` of them kept; the share of those that are correct. Predictions that tie at the cut are
  taken in proportion (their mean accuracy stands for the ones kept), so that the order of the input
  never changes the number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

#: Equal-width bins of the reliability table.
BINS = 10
#: The coverages reported, as shares of all predictions.
COVERAGES: tuple[float, ...] = (0.5, 0.8, 1.0)

Scored = tuple[float, bool]


@dataclass(frozen=True, slots=True)
class Bin:
    lower: float
    upper: float
    count: int
    #: Mean confidence of the predictions in the bin (None when empty).
    confidence: float | None
    #: Share of them that are correct (None when empty).
    accuracy: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bin_index(confidence: float, bins: int = BINS) -> int:
    """The bin of a confidence: [0, 0.1) is 0, ..., [0.9, 1.0] is 9. The epsilon keeps 0.3 (3.0000000004
    or 2.9999999996 after the product) in the bin it reads as."""
    return min(bins - 1, max(0, int(confidence * bins + 1e-9)))


def reliability(scored: Iterable[Scored], *, bins: int = BINS) -> list[Bin]:
    sums = [0.0] * bins
    right = [0] * bins
    counts = [0] * bins
    for confidence, correct in scored:
        k = bin_index(confidence, bins)
        counts[k] += 1
        sums[k] += confidence
        right[k] += bool(correct)
    return [
        Bin(
            lower=round(k / bins, 6),
            upper=round((k + 1) / bins, 6),
            count=counts[k],
            confidence=sums[k] / counts[k] if counts[k] else None,
            accuracy=right[k] / counts[k] if counts[k] else None,
        )
        for k in range(bins)
    ]


def expected_calibration_error(table: Sequence[Bin]) -> float | None:
    total = sum(b.count for b in table)
    if not total:
        return None
    return sum(
        b.count / total * abs(b.accuracy - b.confidence)
        for b in table
        if b.count and b.accuracy is not None and b.confidence is not None
    )


def precision_at_coverage(scored: Sequence[Scored], coverage: float) -> float | None:
    """Precision of the ``ceil(coverage * n)`` most confident predictions (ties at the cut in
    proportion); None when there are none."""
    if not scored or coverage <= 0:
        return None
    wanted = min(len(scored), math.ceil(coverage * len(scored) - 1e-9))
    groups: dict[float, list[bool]] = {}
    for confidence, correct in scored:
        groups.setdefault(confidence, []).append(bool(correct))
    taken = 0
    right = 0.0
    for confidence in sorted(groups, reverse=True):
        group = groups[confidence]
        share = min(len(group), wanted - taken)
        right += sum(group) * share / len(group)
        taken += share
        if taken >= wanted:
            break
    return right / wanted


def coverage_key(coverage: float) -> str:
    """``0.5`` -> ``"50"``: the key of a coverage in the report."""
    return f"{round(coverage * 100):d}"


def calibration_report(scored: Sequence[Scored], *, left_out: int = 0) -> dict[str, Any]:
    """The JSON-ready calibration of a set of predictions. ``left_out`` counts predictions that had no
    confidence (records from elsewhere), which the numbers do not include."""
    scored = [(float(c), bool(ok)) for c, ok in scored]
    table = reliability(scored)
    n = len(scored)
    return {
        "statements": n,
        "left_out": left_out,
        "mean_confidence": sum(c for c, _ in scored) / n if n else None,
        "accuracy": sum(ok for _, ok in scored) / n if n else None,
        "ece": expected_calibration_error(table),
        "precision_at": {coverage_key(c): precision_at_coverage(scored, c) for c in COVERAGES},
        "bins": [b.to_dict() for b in table],
    }


def _num(value: float | None, width: int) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}"


def render_calibration(report: dict[str, Any] | None) -> list[str]:
    """The calibration section of a printed report."""
    if not report or not report["statements"]:
        return ["calibration: no predictions with a confidence"]
    at = report["precision_at"]
    coverage = ", ".join(f"{k} % {_num(v, 0)}" for k, v in at.items())
    lines = [
        f"calibration ({report['statements']} statements, correct = end to end): "
        f"ECE {_num(report['ece'], 0)}, mean confidence {_num(report['mean_confidence'], 0)}, "
        f"accuracy {_num(report['accuracy'], 0)}",
        f"precision at coverage: {coverage}",
        f"{'confidence':12}{'count':>7} {'mean':>6} {'right':>6}",
    ]
    for b in report["bins"]:
        label = f"{b['lower']:.1f}-{b['upper']:.1f}"
        lines.append(f"{label:12}{b['count']:>7} {_num(b['confidence'], 6)} {_num(b['accuracy'], 6)}")
    if report.get("left_out"):
        lines.append(f"({report['left_out']} predictions without a confidence left out)")
    return lines
