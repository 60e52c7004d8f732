"""A statement's confidence: the probability that it is a real statement with the right speaker.

The rule that found a statement and the cue table (``RULES`` and ``cues_en.json``) estimate how often
its *content* is right; whether its *speaker* is right depends as well on how the speaker was found (a
name in the clause, a pronoun resolved by salience, a speaker carried over from the paragraph before).
A small logistic model, fitted on PolNeAR train by ``tools/fit_calibration.py`` and stored in
``data/calibration_<language>.json``, puts the two together:

    p = 1 / (1 + exp(-(bias + sum of the weights of the statement's features)))

The features (:func:`features`) are named strings with a value, so that the file reads as a table of
weights: ``prior`` (the logit of the old estimate: the cue table's, else the rule's), one indicator
each for the rule, the cue class, the speaker's mention kind, the speaker resolution rule, whether the
speaker is named, and the content's length. A feature the file does not know (a rule added after the
fit) weighs nothing, so a new rule starts from its own ``RULES`` estimate, recalibrated; refit after
adding one. docs/record.md ("Rules, confidences and component") and docs/evaluation.md ("Calibration")
say how it was fitted and how well it holds on the dev sets.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from onrecord.quotes.candidates import RULES

if TYPE_CHECKING:
    from onrecord.quotes.candidates import Candidate

CALIBRATION_FILE = "data/calibration_{language}.json"
#: Estimates are clipped to this distance from 0 and 1 before their logit, so that a cue table entry
#: of 1.0 (a handful of examples, all right) does not become an infinite weight.
PRIOR_CLIP = 0.01
#: Content length bins, in words (upper bounds, inclusive): a two-word content is often a fragment of
#: the attribution rather than what was said ("said so"); the last bin is everything longer.
LENGTH_BINS: tuple[int, ...] = (3, 8, 20)

Features = dict[str, float]


def logit(p: float) -> float:
    p = min(1 - PRIOR_CLIP, max(PRIOR_CLIP, p))
    return math.log(p / (1 - p))


def length_bin(words: int) -> str:
    for upper in LENGTH_BINS:
        if words <= upper:
            return f"<={upper}"
    return f">{LENGTH_BINS[-1]}"


def features(
    *,
    rule: str,
    estimate: float | None,
    cue_class: str,
    mention_kind: str | None,
    resolution: str | None,
    named: bool | None,
    words: int,
) -> Features:
    """The model's features of one statement (``estimate``: the cue table's, None when the rule's
    own confidence applies)."""
    prior = estimate if estimate is not None else RULES.get(rule, 0.5)
    return {
        "prior": logit(prior),
        f"rule={rule}": 1.0,
        f"cue_class={cue_class}": 1.0,
        f"mention={mention_kind or 'none'}": 1.0,
        f"resolution={resolution or 'none'}": 1.0,
        f"named={'none' if named is None else str(named).lower()}": 1.0,
        f"words={length_bin(words)}": 1.0,
    }


def candidate_features(cand: Candidate, text: str) -> Features:
    """:func:`features` of a candidate quotation, ``text`` the cleaned text its offsets point into."""
    speaker = cand.speaker
    words = sum(len(text[s:e].split()) for s, e in cand.pieces)
    return features(
        rule=cand.rule,
        estimate=cand.confidence,
        cue_class=cand.cue_class,
        mention_kind=speaker.kind if speaker is not None else None,
        resolution=speaker.rule if speaker is not None else None,
        named=speaker.named if speaker is not None else None,
        words=words,
    )


@dataclass(frozen=True)
class Calibration:
    """The fitted weights: a bias and one weight per feature name."""

    bias: float
    weights: Mapping[str, float]
    meta: Mapping[str, Any]

    def probability(self, feats: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in feats.items())
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def to_dict(self) -> dict[str, Any]:
        return {**self.meta, "bias": self.bias, "weights": dict(sorted(self.weights.items()))}


def parse_calibration(data: Mapping[str, Any]) -> Calibration:
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    meta = {k: v for k, v in data.items() if k not in {"bias", "weights"}}
    return Calibration(bias=float(data["bias"]), weights=weights, meta=meta)


@functools.cache
def load_calibration(language: str = "en") -> Calibration | None:
    """The language's fitted calibration, read once; None when the package has none."""
    file = resources.files("onrecord").joinpath(CALIBRATION_FILE.format(language=language))
    if not file.is_file():
        return None
    return parse_calibration(json.loads(file.read_text("utf-8")))


def calibrated_confidence(cand: Candidate, text: str, *, language: str = "en") -> float:
    """The statement's confidence, rounded to 2 places. Without a calibration file it is the old
    estimate (the cue table's, else the rule's)."""
    calibration = load_calibration(language)
    if calibration is None:
        return round(cand.confidence if cand.confidence is not None else RULES.get(cand.rule, 0.5), 2)
    return round(calibration.probability(candidate_features(cand, text)), 2)
