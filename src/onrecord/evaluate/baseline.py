"""The evaluation gate: floors for the headline numbers, pinned to a hash of the data.

A baseline file holds, for one annotated set, a floor for each of its headline numbers and the sha256
of the data it was measured on: ``evaluation/baseline.json`` for PolNeAR dev (:data:`HEADLINE`),
``evaluation/speakers.json``, ``evaluation/roles.json`` and ``evaluation/gum-people.json`` for the set
formats (:data:`HEADLINES`; their reports carry their numbers under ``headline``). A check fails when a
number falls below its floor or when the data are not the same. Floors only rise: an update raises each
floor to the current number (rounded DOWN to three decimals, so float noise never fails a check);
lowering one needs an explicit flag and a reason, which the file keeps in its history.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.evaluate import people, roles, speakers

BASELINE_VERSION = 1
DEFAULT_BASELINE = Path("evaluation") / "baseline.json"
#: The baseline file of each format, relative to the repository.
DEFAULT_BASELINES: dict[str, Path] = {
    "polnear": DEFAULT_BASELINE,
    "gold": DEFAULT_BASELINE,
    speakers.FORMAT: Path("evaluation") / "speakers.json",
    roles.FORMAT: Path("evaluation") / "roles.json",
    people.FORMAT: Path("evaluation") / "gum-people.json",
}
#: Numbers within this of their floor pass (floors are rounded down to 3 decimals anyway).
TOLERANCE = 1e-9
#: The gated numbers: name -> what it is, for the messages.
HEADLINE: dict[str, str] = {
    "content_f1": "content F1 (overlap >= 0.5)",
    "content_precision": "content precision (overlap >= 0.5)",
    "content_recall": "content recall (overlap >= 0.5)",
    "end_to_end_f1": "end-to-end F1 (content >= 0.5 and speaker mention)",
    "speech_content_f1": "speech-cue slice: content F1",
    "speech_end_to_end_f1": "speech-cue slice: end-to-end F1",
    "precision_at_50": "end-to-end precision of the most confident half of the predictions",
}
#: The gated numbers of every format.
HEADLINES: dict[str, dict[str, str]] = {
    "polnear": HEADLINE,
    "gold": HEADLINE,
    speakers.FORMAT: speakers.HEADLINE,
    roles.FORMAT: roles.HEADLINE,
    people.FORMAT: people.HEADLINE,
}


class BaselineError(Exception):
    """The baseline cannot be read, or an update was refused; the message says what to do."""


def headline_numbers(report: dict[str, Any]) -> dict[str, float]:
    """The gated numbers of an evaluation report (an undefined score counts as 0)."""
    if "headline" in report:  # the set formats name their own
        return {name: float(value or 0.0) for name, value in report["headline"].items()}
    overlap = report["content"]["overlap"]
    speech = report["slices"]["cue"]["speech"]
    values = {
        "content_f1": overlap["f1"],
        "content_precision": overlap["precision"],
        "content_recall": overlap["recall"],
        "end_to_end_f1": report["end_to_end"]["f1"],
        "speech_content_f1": speech["content"]["f1"],
        "speech_end_to_end_f1": speech["end_to_end"]["f1"],
    }
    if "calibration" in report:  # reports from before the calibration have no such number
        # Higher is better, so it gates like the others; the ECE (lower is better) is only reported.
        values["precision_at_50"] = report["calibration"]["precision_at"]["50"]
    return {name: float(value or 0.0) for name, value in values.items()}


def floor3(value: float) -> float:
    """Round down to 3 decimals; a value a hair below a round number (0.6999999999) stays on it."""
    return math.floor(value * 1000 + 1e-6) / 1000


@dataclass
class Baseline:
    data_hash: str
    floors: dict[str, float]
    format: str = "polnear"
    data: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": BASELINE_VERSION,
            "format": self.format,
            "data": self.data,
            "data_hash": self.data_hash,
            "floors": dict(sorted(self.floors.items())),
            "history": self.history,
        }


def read_baseline(path: Path) -> Baseline | None:
    """The baseline at ``path``, or None if there is none."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Baseline(
            data_hash=str(data["data_hash"]),
            floors={str(k): float(v) for k, v in data["floors"].items()},
            format=str(data.get("format", "polnear")),
            data=str(data.get("data", "")),
            history=list(data.get("history") or []),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path}: not a readable baseline file ({exc})") from exc


def write_baseline(path: Path, baseline: Baseline) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    same_data: bool
    #: name -> (current, floor) for every number below its floor
    below: dict[str, tuple[float, float]]
    messages: tuple[str, ...]


def check_report(report: dict[str, Any], baseline: Baseline) -> CheckResult:
    """Compare a report's headline numbers with the floors, and its data hash with the pinned one."""
    messages: list[str] = []
    same_data = report["data_hash"] == baseline.data_hash
    if not same_data:
        messages.append(
            f"different data: the baseline was measured on data with hash {baseline.data_hash[:12]}..., "
            f"these data hash to {report['data_hash'][:12]}... (another directory, a --limit, or changed "
            "files); re-pin with --update-baseline --allow-lower --reason '...'"
        )
    current = headline_numbers(report)
    labels = HEADLINES.get(str(report.get("format")), HEADLINE)
    below: dict[str, tuple[float, float]] = {}
    for name, floor in sorted(baseline.floors.items()):
        value = current.get(name)
        if value is None:
            messages.append(f"{name}: in the baseline but not computed any more")
            continue
        if value + TOLERANCE < floor:
            below[name] = (value, floor)
            messages.append(f"{labels.get(name, name)} is {value:.3f}, below its floor {floor:.3f}")
    return CheckResult(ok=same_data and not below, same_data=same_data, below=below, messages=tuple(messages))


@dataclass(frozen=True)
class UpdateResult:
    baseline: Baseline
    written: bool
    changes: tuple[str, ...]


def update_baseline(
    path: Path,
    report: dict[str, Any],
    *,
    allow_lower: bool = False,
    reason: str | None = None,
    today: str | None = None,
) -> UpdateResult:
    """Raise the floors at ``path`` to the report's numbers (create the file if there is none).

    Floors never fall unless ``allow_lower`` is given with a ``reason``; re-pinning on different data
    (another hash) counts as lowering. Returns what changed, one line each.
    """
    if allow_lower and not (reason and reason.strip()):
        raise BaselineError("lowering a floor needs a reason: --allow-lower --reason '...'")
    date = today or datetime.date.today().isoformat()
    current = {name: floor3(value) for name, value in headline_numbers(report).items()}
    existing = read_baseline(path)
    if existing is None:
        baseline = Baseline(
            data_hash=report["data_hash"],
            floors=current,
            format=str(report.get("format", "")),
            data=_data_label(report),
        )
        changes = tuple(f"{name}: {value:.3f} (new)" for name, value in sorted(current.items()))
        baseline.history.append(_entry(date, "created", changes, reason))
        write_baseline(path, baseline)
        return UpdateResult(baseline, True, changes)
    if existing.data_hash != report["data_hash"] and not allow_lower:
        raise BaselineError(
            f"different data: {path} was measured on data with hash {existing.data_hash[:12]}..., these "
            f"hash to {report['data_hash'][:12]}...; re-pinning on other data needs "
            "--allow-lower --reason '...'"
        )
    floors = dict(existing.floors)
    changes_list: list[str] = []
    kept: list[str] = []
    for name, value in sorted(current.items()):
        old = floors.get(name)
        if old is None or value > old or (allow_lower and value < old):
            floors[name] = value
            changes_list.append(f"{name}: {'none' if old is None else f'{old:.3f}'} -> {value:.3f}")
        elif value < old:
            kept.append(f"{name}: floor {old:.3f} kept (current {value:.3f} is below it)")
    repinned = existing.data_hash != report["data_hash"]
    # (a floor kept above a number that fell is not lowered: without allow_lower the entry is a raise)
    lowered = repinned or (allow_lower and any(current[n] < existing.floors.get(n, 0.0) for n in current))
    if repinned:
        changes_list.insert(0, f"data hash: {existing.data_hash[:12]}... -> {report['data_hash'][:12]}...")
    if not changes_list:
        return UpdateResult(existing, False, tuple(kept))
    baseline = Baseline(
        data_hash=report["data_hash"],
        floors=floors,
        format=existing.format or str(report.get("format", "")),
        data=existing.data or _data_label(report),
        history=[*existing.history, _entry(date, "lowered" if lowered else "raised", changes_list, reason)],
    )
    write_baseline(path, baseline)
    return UpdateResult(baseline, True, (*changes_list, *kept))


def _entry(
    date: str, action: str, changes: tuple[str, ...] | list[str], reason: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": date, "action": action, "changes": list(changes)}
    if reason:
        entry["reason"] = reason
    return entry


def _data_label(report: dict[str, Any]) -> str:
    """The data, named without the machine's own folders: ``polnear polnear/dev``."""
    parts = Path(str(report.get("path", ""))).parts
    return f"{report.get('format', '')} {'/'.join(parts[-2:])}".strip()
