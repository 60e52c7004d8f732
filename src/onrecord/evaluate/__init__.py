"""Evaluation: score the analyser's quotations against annotated articles.

>>> result = evaluate_directory("../shared/data/polnear/dev", fmt="polnear")   # doctest: +SKIP
>>> result.report()["content"]["overlap"]["f1"]                                 # doctest: +SKIP

Quotation formats: ``polnear`` (brat standoff, :mod:`onrecord.evaluate.polnear`) and ``gold`` (onrecord's
own ``*.gold.json`` files, :mod:`onrecord.evaluate.gold`); :mod:`onrecord.evaluate.metrics` defines their
scores. Set formats, scored on the record's JSON (:mod:`onrecord.evaluate.sets`): ``speakers`` (who said
it, :mod:`onrecord.evaluate.speakers`), ``roles`` (people and their roles on the same articles,
:mod:`onrecord.evaluate.roles`) and ``gum-people`` (people and their mentions,
:mod:`onrecord.evaluate.people`). Scores are micro-averaged over all articles;
:mod:`onrecord.evaluate.baseline` is the gate that keeps them from falling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from onrecord.evaluate.calibration import Scored, calibration_report
from onrecord.evaluate.gold import GoldCorpus, GoldFormatError, Item, items_from_analysis, load_gold_directory
from onrecord.evaluate.metrics import LEVELS, OVERLAP_THRESHOLD, SLICES, ArticleScore, meets, score_article
from onrecord.evaluate.people import load_people
from onrecord.evaluate.polnear import HUMAN_AGREEMENT, load_polnear
from onrecord.evaluate.roles import load_roles
from onrecord.evaluate.sets import ScoredSet, SetResult, analyse
from onrecord.evaluate.speakers import load_speakers
from onrecord.records import Analysis

__all__ = [
    "FORMATS",
    "SET_FORMATS",
    "AnalyzerLike",
    "EvaluationResult",
    "GoldCorpus",
    "GoldFormatError",
    "Tally",
    "evaluate_corpus",
    "evaluate_directory",
    "evaluate_set",
    "load_corpus",
    "load_set",
]

logger = logging.getLogger(__name__)

#: Formats scored on the record's JSON, each with its own loader (and its own baseline file).
SET_FORMATS: dict[str, Callable[..., ScoredSet]] = {
    "speakers": load_speakers,
    "roles": load_roles,
    "gum-people": load_people,
}
FORMATS: tuple[str, ...] = ("polnear", "gold", *SET_FORMATS)
#: (articles done, articles in all, the article just done)
Progress = Callable[[int, int, str], None]


@runtime_checkable
class AnalyzerLike(Protocol):
    """What the evaluation needs of :class:`onrecord.pipeline.Analyzer`."""

    def analyze(self, text: str, *, source: str, published: str | None = ...) -> Analysis: ...


#: Which attributions each format scores (Analyzer(statements=...)): PolNeAR annotates beliefs,
#: intentions and stances as attributions; the other sets annotate statements proper (speech).
STATEMENTS: dict[str, str] = {"polnear": "all"}


def default_analyzer(fmt: str | None = None) -> AnalyzerLike:
    """The real analyser for a format (loads the spaCy model: seconds)."""
    from onrecord.pipeline import Analyzer

    return Analyzer(statements=STATEMENTS.get(fmt or "", "speech"))


def load_corpus(path: str | Path, *, fmt: str, limit: int | None = None) -> GoldCorpus:
    if fmt == "polnear":
        return load_polnear(Path(path), limit=limit)
    if fmt == "gold":
        return load_gold_directory(Path(path), limit=limit)
    if fmt in SET_FORMATS:
        raise ValueError(f"{fmt!r} is scored on the record, not on quotation items: use load_set")
    raise ValueError(f"unknown evaluation format {fmt!r}; expected one of {', '.join(FORMATS)}")


def load_set(path: str | Path, *, fmt: str, limit: int | None = None) -> ScoredSet:
    """A set format's folder, read and checked (raises GoldFormatError)."""
    if fmt not in SET_FORMATS:
        raise ValueError(f"{fmt!r} is not a set format; expected one of {', '.join(SET_FORMATS)}")
    return SET_FORMATS[fmt](Path(path), limit=limit)


def evaluate_set(scored: ScoredSet, *, analyzer: AnalyzerLike, progress: Progress | None = None) -> SetResult:
    """Analyse the set's articles in-process and score the records; a failed article predicts nothing."""
    return scored.score(analyse(scored.articles, analyzer, progress=progress))


def evaluate_directory(
    path: str | Path,
    *,
    fmt: str,
    analyzer: AnalyzerLike | Callable[[], AnalyzerLike] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> EvaluationResult:
    """Analyse every annotated article under ``path`` and score the quotations found.

    ``analyzer`` is an analyser, a factory of one, or None for the real :class:`~onrecord.pipeline.Analyzer`
    (tests pass a fake). ``limit`` takes the first articles only (the data hash then differs, so a
    baseline check says the data are not those it was pinned on).
    """
    corpus = load_corpus(path, fmt=fmt, limit=limit)
    if analyzer is None:
        analyzer = default_analyzer(fmt)
    elif isinstance(analyzer, type) or not isinstance(analyzer, AnalyzerLike):
        analyzer = analyzer()  # a factory, or the class itself
    return evaluate_corpus(corpus, analyzer=analyzer, progress=progress)


def evaluate_corpus(
    corpus: GoldCorpus, *, analyzer: AnalyzerLike, progress: Progress | None = None
) -> EvaluationResult:
    """Score ``analyzer`` on a loaded corpus. An article the analyser fails on is recorded, not fatal:
    its gold items count as missed and the report lists it."""
    scores: list[ArticleScore] = []
    total = len(corpus.articles)
    for done, article in enumerate(corpus.articles, start=1):
        error: str | None = None
        predicted: tuple[Item, ...] = ()
        try:
            analysis = analyzer.analyze(article.text, source=article.name, published=article.published)
            predicted = items_from_analysis(analysis)
            if not corpus.nested:
                # PolNeAR gives each token at most one role, so it annotates no quotation inside a
                # quotation: nested predictions are out of its scope, not errors (docs/decisions.md D12).
                predicted = tuple(item for item in predicted if not item.nested)
        except Exception as exc:  # one bad article never stops an evaluation run; it is reported
            logger.warning("%s: the analyser failed: %s", article.name, exc)
            error = f"{type(exc).__name__}: {exc}"
        score = score_article(article.name, article.text, article.items, predicted)
        score.error = error
        scores.append(score)
        if progress is not None:
            progress(done, total, article.name)
    return EvaluationResult(corpus=corpus, articles=scores)


@dataclass
class Tally:
    """Counts behind one precision/recall pair. Recall counts gold items found, precision counts
    predictions that are right; one-to-one matching makes the two hit counts equal, except in slices
    (where gold and predictions are sliced by their own values)."""

    gold: int = 0
    predicted: int = 0
    gold_found: int = 0
    predicted_correct: int = 0

    @property
    def precision(self) -> float | None:
        return self.predicted_correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.gold_found / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "gold_found": self.gold_found,
            "predicted_correct": self.predicted_correct,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class EvaluationResult:
    corpus: GoldCorpus
    articles: list[ArticleScore] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """All scores, micro-averaged over the articles, as plain JSON-ready data."""
        levels = {level: Tally() for level in LEVELS}
        end_to_end = Tally()
        slices = {dim: {v: (Tally(), Tally()) for v in values} for dim, values in SLICES.items()}
        speaker = {"gold": 0, "found": 0, "correct": 0}
        scored: list[Scored] = []
        unscored = 0
        for score in self.articles:
            gold_found, pred_found = _found(score)
            for level, tally in levels.items():
                hits = sum(meets(p, level) for p in score.pairs)
                _add(tally, len(score.gold), len(score.pred), hits, hits)
            e2e = [p for p in score.pairs if meets(p, "overlap") and p.source_ok]
            _add(end_to_end, len(score.gold), len(score.pred), len(e2e), len(e2e))
            e2e_gold = {p.gold for p in e2e}
            e2e_pred = {p.pred for p in e2e}
            for pi, item in enumerate(score.pred):
                if item.confidence is None:
                    unscored += 1
                else:  # a prediction is correct for the calibration when it is right end to end
                    scored.append((item.confidence, pi in e2e_pred))
            for gi, item in enumerate(score.gold):
                for dim, value in score.slice_values(item).items():
                    content, e2e_tally = slices[dim][value]
                    _add(content, 1, 0, gi in gold_found, 0)
                    _add(e2e_tally, 1, 0, gi in e2e_gold, 0)
                if item.speaker_surname:
                    pair = score.by_gold.get(gi)
                    speaker["gold"] += 1
                    speaker["found"] += gi in gold_found
                    speaker["correct"] += bool(gi in gold_found and pair and pair.speaker_ok)
            for pi, item in enumerate(score.pred):
                for dim, value in score.slice_values(item).items():
                    content, e2e_tally = slices[dim][value]
                    _add(content, 0, 1, 0, pi in pred_found)
                    _add(e2e_tally, 0, 1, 0, pi in e2e_pred)
        corpus = self.corpus
        return {
            "format": corpus.format,
            "path": corpus.root,
            "data_hash": corpus.data_hash,
            "articles": len(self.articles),
            "gold_items": sum(len(s.gold) for s in self.articles),
            "predictions": sum(len(s.pred) for s in self.articles),
            "failed_articles": [{"article": s.name, "error": s.error} for s in self.articles if s.error],
            "overlap_threshold": OVERLAP_THRESHOLD,
            "content": {level: tally.to_dict() for level, tally in levels.items()},
            "end_to_end": end_to_end.to_dict(),
            "speaker": _speaker_dict(speaker) if speaker["gold"] else None,
            "slices": {
                dim: {v: {"content": c.to_dict(), "end_to_end": e.to_dict()} for v, (c, e) in values.items()}
                for dim, values in slices.items()
            },
            "calibration": calibration_report(scored, left_out=unscored),
            "human_agreement": dict(HUMAN_AGREEMENT) if corpus.format == "polnear" else None,
            "offsets": {"checked": corpus.spans_checked, "verified": corpus.spans_verified},
            "notes": list(corpus.notes),
        }

    def errors(self) -> Iterator[dict[str, Any]]:
        """One record per miss: missed, spurious, boundary (found, not exact) and wrong_speaker."""
        for score in self.articles:
            yield from _article_errors(score)


def _add(
    tally: Tally, gold: int, predicted: int, gold_found: int | bool, predicted_correct: int | bool
) -> None:
    tally.gold += gold
    tally.predicted += predicted
    tally.gold_found += int(gold_found)
    tally.predicted_correct += int(predicted_correct)


def _found(score: ArticleScore) -> tuple[set[int], set[int]]:
    found = [p for p in score.pairs if meets(p, "overlap")]
    return {p.gold for p in found}, {p.pred for p in found}


def _speaker_dict(counts: dict[str, int]) -> dict[str, Any]:
    return {
        **counts,
        "accuracy": counts["correct"] / counts["gold"] if counts["gold"] else None,
        "accuracy_when_found": counts["correct"] / counts["found"] if counts["found"] else None,
    }


def _gold_dict(item: Item) -> dict[str, Any]:
    return {
        "content": item.content,
        "source": item.source,
        "cue": item.cue,
        "speaker": item.speaker,
        "content_spans": [list(s) for s in item.content_spans],
        "source_spans": [list(s) for s in item.source_spans],
    }


def _pred_dict(item: Item) -> dict[str, Any]:
    return {
        "content": item.content,
        "speaker_mention": item.source,
        "speaker": item.speaker,
        "cue": item.cue,
        "content_spans": [list(s) for s in item.content_spans],
        "mention_spans": [list(s) for s in item.source_spans],
    }


def _article_errors(score: ArticleScore) -> Iterator[dict[str, Any]]:
    def record(
        kind: str, gold: Item | None, pred: Item | None, f1: float | None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "article": score.name,
            "type": kind,
            "gold": _gold_dict(gold) if gold else None,
            "predicted": _pred_dict(pred) if pred else None,
            "f1": None if f1 is None else round(f1, 4),
            **extra,
        }

    failed = {"error": score.error} if score.error else {}
    for gi, gold in enumerate(score.gold):
        pair = score.by_gold.get(gi)
        pred = score.pred[pair.pred] if pair else None
        if pair is None or not meets(pair, "overlap"):
            yield record("missed", gold, pred, pair.f1 if pair else None, **failed)
            continue
        if not pair.exact:
            yield record("boundary", gold, pred, pair.f1)
        if not pair.source_ok or pair.speaker_ok is False:
            reason = "mention" if not pair.source_ok else "canonical name"
            yield record("wrong_speaker", gold, pred, pair.f1, reason=reason)
    for pi, pred in enumerate(score.pred):
        pair = score.by_pred.get(pi)
        if pair is None or not meets(pair, "overlap"):
            partner = score.gold[pair.gold] if pair else None
            yield record("spurious", partner, pred, pair.f1 if pair else None)
