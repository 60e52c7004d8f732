"""Calibrated confidences: the reliability numbers on hand-made inputs, the fitted calibration file, and
that an analysis takes its confidences from it."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from onrecord.evaluate import EvaluationResult, GoldCorpus
from onrecord.evaluate.calibration import (
    bin_index,
    calibration_report,
    expected_calibration_error,
    precision_at_coverage,
    reliability,
    render_calibration,
)
from onrecord.evaluate.gold import Item
from onrecord.evaluate.metrics import score_article
from onrecord.evaluate.sets import Predictions
from onrecord.evaluate.speakers import SpeakersArticle, SpeakersSet, score
from onrecord.quotes import calibration
from onrecord.quotes.calibration import Calibration, features, length_bin, load_calibration, logit
from onrecord.quotes.candidates import RULES

REPO = Path(__file__).resolve().parents[1]

#: Two right at 0.95; one right, one wrong at 0.85; two wrong at 0.25.
SCORED = [(0.95, True), (0.95, True), (0.85, True), (0.85, False), (0.25, False), (0.25, False)]


@pytest.mark.parametrize(
    ("confidence", "index"),
    [(0.0, 0), (0.09, 0), (0.1, 1), (0.3, 3), (0.7, 7), (0.99, 9), (1.0, 9)],
)
def test_bin_index(confidence: float, index: int) -> None:
    assert bin_index(confidence) == index


def test_reliability_table_by_hand() -> None:
    table = reliability(SCORED)
    assert [b.count for b in table] == [0, 0, 2, 0, 0, 0, 0, 0, 2, 2]
    assert (table[2].confidence, table[2].accuracy) == (pytest.approx(0.25), 0.0)
    assert (table[8].confidence, table[8].accuracy) == (pytest.approx(0.85), 0.5)
    assert (table[9].confidence, table[9].accuracy) == (pytest.approx(0.95), 1.0)
    assert table[0].confidence is None and table[0].accuracy is None
    # (2 * |0 - 0.25| + 2 * |0.5 - 0.85| + 2 * |1 - 0.95|) / 6
    assert expected_calibration_error(table) == pytest.approx(1.3 / 6)


def test_perfect_and_empty_calibration() -> None:
    perfect = [(0.75, True), (0.75, True), (0.75, True), (0.75, False)]
    assert expected_calibration_error(reliability(perfect)) == pytest.approx(0.0)
    assert expected_calibration_error(reliability([])) is None
    assert precision_at_coverage([], 0.5) is None
    assert render_calibration(calibration_report([])) == ["calibration: no predictions with a confidence"]


@pytest.mark.parametrize(
    ("coverage", "precision"),
    [
        (0.5, 2.5 / 3),  # the two at 0.95, and one of the two tied at 0.85 (half right)
        (0.8, 3 / 5),  # ceil(4.8) = 5: the 0.95s, the 0.85s and one of the 0.25s
        (1.0, 3 / 6),
        (0.1, 1.0),
    ],
)
def test_precision_at_coverage_by_hand(coverage: float, precision: float) -> None:
    assert precision_at_coverage(SCORED, coverage) == pytest.approx(precision)
    # Ties are taken in proportion, so the order of the input does not matter.
    assert precision_at_coverage(list(reversed(SCORED)), coverage) == pytest.approx(precision)


def test_calibration_report_and_render() -> None:
    report = calibration_report(SCORED, left_out=1)
    assert report["statements"] == 6 and report["left_out"] == 1
    assert report["accuracy"] == pytest.approx(0.5)
    assert report["mean_confidence"] == pytest.approx((0.95 * 2 + 0.85 * 2 + 0.25 * 2) / 6)
    assert set(report["precision_at"]) == {"50", "80", "100"}
    assert len(report["bins"]) == 10
    text = "\n".join(render_calibration(report))
    assert "ECE 0.217" in text and "50 % 0.833" in text and "0.8-0.9" in text


def _span(text: str, piece: str) -> tuple[int, int]:
    start = text.index(piece)
    return (start, start + len(piece))


def test_polnear_report_labels_a_prediction_by_its_end_to_end_match() -> None:
    text = 'Ann Lee said the plan would work. "We will win," Bob Day said.'
    gold = (
        Item(
            "the plan would work", (_span(text, "the plan would work"),), "Ann Lee", (_span(text, "Ann Lee"),)
        ),
        Item("We will win,", (_span(text, "We will win,"),), "Bob Day", (_span(text, "Bob Day"),)),
    )
    pred = (
        # content and speaker mention right
        Item("the plan would work", gold[0].content_spans, "Ann Lee", gold[0].source_spans, confidence=0.9),
        # content right, mention wrong: not right end to end
        Item("We will win,", gold[1].content_spans, "Ann Lee", gold[0].source_spans, confidence=0.8),
        Item("no confidence", (_span(text, "Bob Day said"),)),
    )
    result = EvaluationResult(GoldCorpus("polnear", "mem", (), "x"), [score_article("a", text, gold, pred)])
    report = result.report()["calibration"]
    assert (report["statements"], report["left_out"]) == (2, 1)
    assert report["accuracy"] == 0.5
    assert [(b["count"], b["accuracy"]) for b in report["bins"][8:]] == [(1, 0.0), (1, 1.0)]


def test_speakers_report_labels_a_prediction_by_content_and_speaker() -> None:
    text = 'Ann Lee said the plan would work. "We will win," Bob Day said.'
    statements = tuple(
        {"content_spans": [list(_span(text, piece))], "speaker": name, "named": True,
         "speaker_key": [name.split()[-1]], "kind": "direct", "mention_type": "name"}
        for piece, name in (("the plan would work", "Ann Lee"), ("We will win", "Bob Day"))
    )  # fmt: skip
    quotes = [
        {"content_spans": [list(_span(text, "the plan would work"))], "speaker": {"name": "Ann Lee"},
         "nested_in": None, "confidence": 0.9},
        {"content_spans": [list(_span(text, "We will win"))], "speaker": {"name": "Ann Lee"},
         "nested_in": None, "confidence": 0.7},
        {"content_spans": [list(_span(text, "Bob Day said"))], "speaker": {"name": "Bob Day"},
         "nested_in": None, "confidence": 0.6},
    ]  # fmt: skip
    corpus = SpeakersSet("speakers", "mem", "x", (SpeakersArticle("a", text, statements),))
    report = score(corpus, Predictions(records={"a": {"quotes": quotes}})).report()["calibration"]
    assert report["statements"] == 3
    # right end to end: only the first (the second has the wrong speaker, the third matches nothing)
    assert report["precision_at"] == {"50": pytest.approx(1 / 2), "80": pytest.approx(1 / 3), "100": 1 / 3}


# --- the calibration file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted() -> Calibration:
    loaded = load_calibration("en")
    assert loaded is not None, "src/onrecord/data/calibration_en.json is missing (tools/fit_calibration.py)"
    return loaded


def test_calibration_file_says_what_it_was_fitted_on(fitted: Calibration) -> None:
    about = fitted.meta["fitted"]
    assert about["data"] == "polnear/train"
    assert about["articles"] == 840
    assert 0 < about["positives"] < about["statements"]
    assert "tools/fit_calibration.py" in about["command"]
    assert fitted.to_dict()["weights"] == dict(sorted(fitted.weights.items()))


MENTIONS = ("name", "pronoun", "description", "implied", "other", None)
CLASSES = ("speech", "belief", "intention", "topic", "question", "nominal", "unsourced")


def _features(**changes: object) -> dict[str, float]:
    options: dict[str, object] = {
        "rule": "indirect.speech",
        "estimate": None,
        "cue_class": "speech",
        "mention_kind": "name",
        "resolution": "name",
        "named": True,
        "words": 10,
    }
    options.update(changes)
    return features(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_maps_to_a_probability(fitted: Calibration, rule: str) -> None:
    for mention in MENTIONS:
        for cue_class in CLASSES:
            for words in (1, 5, 50):
                p = fitted.probability(
                    _features(rule=rule, mention_kind=mention, cue_class=cue_class, words=words)
                )
                assert 0.0 <= p <= 1.0


def test_probability_rises_with_the_old_estimate(fitted: Calibration) -> None:
    assert fitted.weights["prior"] > 0
    ps = [fitted.probability(_features(estimate=e)) for e in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)]
    assert ps == sorted(ps) and ps[0] < ps[-1]


def test_a_statement_with_a_speaker_beats_one_without(fitted: Calibration) -> None:
    for rule in ("direct.cue_after", "indirect.speech", "mixed.speech"):
        with_name = fitted.probability(_features(rule=rule))
        without = fitted.probability(_features(rule=rule, mention_kind=None, resolution=None, named=None))
        assert without < with_name


def test_an_unknown_feature_weighs_nothing(fitted: Calibration) -> None:
    known = _features()
    assert fitted.probability({**known, "rule=indirect.new_rule_of_2030": 1.0}) == fitted.probability(known)


@pytest.mark.parametrize(("words", "label"), [(1, "<=3"), (3, "<=3"), (4, "<=8"), (20, "<=20"), (21, ">20")])
def test_length_bins(words: int, label: str) -> None:
    assert length_bin(words) == label


def test_logit_is_clipped() -> None:
    assert math.isfinite(logit(1.0)) and math.isfinite(logit(0.0))
    assert logit(0.5) == 0.0


# --- the analysis ------------------------------------------------------------------------------


def test_an_analysis_takes_its_confidences_from_the_calibration(analyze, monkeypatch) -> None:
    text = 'Prime Minister Jane Green said the plan would work. "We will win," she told reporters.'
    real = analyze(text)
    assert real.quotes and all(0.0 <= q.confidence <= 1.0 for q in real.quotes)
    # A constant model (a bias of logit(0.37), no weights) gives every statement 0.37.
    constant = Calibration(bias=math.log(0.37 / 0.63), weights={}, meta={})
    monkeypatch.setattr(calibration, "load_calibration", lambda language="en": constant)
    assert {q.confidence for q in analyze(text).quotes} == {0.37}
    # The component still names the rule.
    assert all(q.component.startswith("onrecord.quotes.") for q in real.quotes)


def test_a_named_speech_statement_is_confident(analyze) -> None:
    record = analyze("Prime Minister Jane Green said on Monday that the new plan would work for everyone.")
    (quote,) = record.quotes
    assert quote.confidence >= 0.8


def test_fit_logistic_recovers_a_known_model() -> None:
    np = pytest.importorskip("numpy")
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from fit_calibration import fit_logistic
    finally:
        sys.path.remove(str(REPO / "tools"))
    # One indicator: p = 0.2 without it, 0.8 with it (400 rows each);
    # so w = (logit 0.2, logit 0.8 - logit 0.2).
    x = np.array([[1.0, 0.0]] * 400 + [[1.0, 1.0]] * 400)
    y = np.array([1.0] * 80 + [0.0] * 320 + [1.0] * 320 + [0.0] * 80)
    w = fit_logistic(x, y, l2=0.0)
    assert w[0] == pytest.approx(math.log(0.25), abs=1e-6)
    assert w[1] == pytest.approx(math.log(4) - math.log(0.25), abs=1e-6)
