"""Fit the statements' confidences on PolNeAR train: src/onrecord/data/calibration_en.json.

Every top-level prediction of the analyser (``statements="all"``, as ``onrecord evaluate --format
polnear`` runs it) on train is labelled 1 when it is right end to end (content overlap >= 0.5 and the
speaker mention, the match of ``onrecord evaluate``), else 0, and described by the features of
:func:`onrecord.quotes.calibration.candidate_features`. An L2-regularised logistic regression (Newton's
method, numpy) maps the features to the probability of a 1; its weights go into the calibration file
with the data, the counts, the date and this command:

    .venv/bin/python tools/fit_calibration.py ../shared/data/polnear/train

Then check on the dev sets, which are never fitted on:

    .venv/bin/onrecord evaluate --format speakers ../shared/data/speakers-dev
    .venv/bin/onrecord evaluate --format polnear ../shared/data/polnear/dev

The parses are cached as in tools/cached_eval.py (the first run over train parses for minutes; later
runs take about a minute). Refit after changing a rule, the cue table or the speaker resolution.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from cached_eval import CachedPipeline

from onrecord.evaluate import load_corpus
from onrecord.evaluate.calibration import calibration_report
from onrecord.evaluate.gold import items_from_analysis
from onrecord.evaluate.metrics import meets, score_article
from onrecord.nlp import load_pipeline
from onrecord.pipeline import Analyzer
from onrecord.quotes.calibration import CALIBRATION_FILE, Calibration, Features, candidate_features

#: The L2 penalty on every weight but the bias (the bias is free). 5-fold cross-validation over train
#: articles among 0.3, 1, 3, 10, 30 (2026-12-03): held-out log loss 0.4715 to 0.4756, lowest at 0.3-3,
#: ECE 0.009 to 0.014; 3 keeps rare rules' weights small at no measurable cost. Rerun with --folds 5.
L2 = 3.0
#: A feature seen on fewer statements than this gets no weight of its own (too few to fit).
MIN_COUNT = 10
FOLDS_SEED = 14

Row = tuple[Features, bool]


class RecordingAnalyzer(Analyzer):
    """The analyser, keeping the calibration features of the statements of the last article."""

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.features: list[Features] = []

    def analyze(self, text: str, **options: Any) -> Any:
        self.features = []
        return super().analyze(text, **options)

    def _quote(self, cand: Any, parsed: Any, to_orig: Any) -> Any:
        self.features.append(candidate_features(cand, parsed.text))
        return super()._quote(cand, parsed, to_orig)


def labelled_rows(path: str, cache: Path) -> tuple[list[list[Row]], int]:
    """Per article, each top-level prediction's features and whether it is right end to end."""
    pipeline = CachedPipeline(load_pipeline(), cache)
    analyzer = RecordingAnalyzer(nlp=pipeline, statements="all")
    corpus = load_corpus(path, fmt="polnear")
    articles: list[list[Row]] = []
    for article in corpus.articles:
        analysis = analyzer.analyze(article.text, source=article.name, published=article.published)
        top = [k for k, q in enumerate(analysis.quotes) if q.nested_in is None]
        items = items_from_analysis(analysis)
        pred = tuple(items[k] for k in top)
        score = score_article(article.name, article.text, article.items, pred)
        right = {p.pred for p in score.pairs if meets(p, "overlap") and p.source_ok}
        articles.append([(analyzer.features[k], i in right) for i, k in enumerate(top)])
    pipeline.save()
    return articles, len(corpus.articles)


def design(rows: Sequence[Row], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    column = {name: j for j, name in enumerate(names)}
    x = np.zeros((len(rows), len(names) + 1))
    x[:, 0] = 1.0  # the bias
    y = np.zeros(len(rows))
    for i, (feats, label) in enumerate(rows):
        for name, value in feats.items():
            if name in column:
                x[i, column[name] + 1] = value
        y[i] = label
    return x, y


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> np.ndarray:
    """Weights minimising log loss + l2/2 * |w|^2 (bias unpenalised), by Newton's method."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def feature_names(rows: Sequence[Row]) -> list[str]:
    counts: Counter[str] = Counter(name for feats, _ in rows for name in feats)
    return sorted(name for name, n in counts.items() if n >= MIN_COUNT)


def fit(rows: Sequence[Row], l2: float) -> Calibration:
    names = feature_names(rows)
    x, y = design(rows, names)
    w = fit_logistic(x, y, l2)
    weights = {name: round(float(v), 4) for name, v in zip(names, w[1:], strict=True)}
    return Calibration(bias=round(float(w[0]), 4), weights=weights, meta={})


def log_loss(calibration: Calibration, rows: Sequence[Row]) -> float:
    total = 0.0
    for feats, label in rows:
        p = min(1 - 1e-6, max(1e-6, calibration.probability(feats)))
        total -= np.log(p if label else 1 - p)
    return total / len(rows)


def cross_validate(articles: list[list[Row]], folds: int) -> None:
    """Held-out log loss and ECE per L2 penalty, folds made of whole articles."""
    order = list(range(len(articles)))
    random.Random(FOLDS_SEED).shuffle(order)
    for l2 in (0.3, 1.0, 3.0, 10.0, 30.0):
        held: list[tuple[float, bool]] = []
        loss = 0.0
        n = 0
        for fold in range(folds):
            test_ids = set(order[fold::folds])
            train = [r for a, rows in enumerate(articles) if a not in test_ids for r in rows]
            test = [r for a, rows in enumerate(articles) if a in test_ids for r in rows]
            model = fit(train, l2)
            loss += log_loss(model, test) * len(test)
            n += len(test)
            held += [(round(model.probability(f), 2), label) for f, label in test]
        report = calibration_report(held)
        print(
            f"L2 {l2:5}: held-out log loss {loss / n:.4f}, ECE {report['ece']:.4f}, "
            f"P@50 {report['precision_at']['50']:.3f}",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="the PolNeAR train directory (never dev: dev checks the fit)")
    parser.add_argument("--cache", type=Path, help="parse cache (default /tmp/onrecord-parses-<split>)")
    parser.add_argument("--out", type=Path, help="where to write (default: the package's calibration file)")
    parser.add_argument("--folds", type=int, default=0, help="cross-validate the L2 penalty first")
    parser.add_argument("--l2", type=float, default=L2, help=f"L2 penalty (default {L2})")
    parser.add_argument("--rows", type=Path, help="also write the labelled rows here (JSON Lines)")
    args = parser.parse_args(argv)
    split = Path(args.path).resolve().name
    if split != "train":
        parser.error(f"fit on PolNeAR train only, not {split!r}: the other splits are the checks")
    cache = args.cache or Path(f"/tmp/onrecord-parses-{split}.spacy")
    articles, n_articles = labelled_rows(args.path, cache)
    rows = [r for rows in articles for r in rows]
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as handle:
            for a, article_rows in enumerate(articles):
                for feats, label in article_rows:
                    handle.write(json.dumps({"article": a, "features": feats, "right": label}) + "\n")
    if args.folds > 1:
        cross_validate(articles, args.folds)
    model = fit(rows, args.l2)
    train = calibration_report([(round(model.probability(f), 2), label) for f, label in rows])
    meta = {
        "about": "Statement confidences: a logistic model over the features of "
        "onrecord.quotes.calibration.features, P(real statement with the right speaker). "
        "Made by tools/fit_calibration.py; docs/evaluation.md, 'Calibration'.",
        "version": 1,
        "fitted": {
            "data": "polnear/" + split,
            "label": "end to end: content overlap >= 0.5 and the speaker mention (onrecord evaluate)",
            "statements_option": "all",
            "date": datetime.date.today().isoformat(),
            "command": "python tools/fit_calibration.py ../shared/data/polnear/train"
            + (f" --l2 {args.l2}" if args.l2 != L2 else ""),
            "articles": n_articles,
            "statements": len(rows),
            "positives": sum(label for _, label in rows),
            "l2": args.l2,
            "min_count": MIN_COUNT,
            "train_ece": round(train["ece"], 4),
            "train_precision_at": {k: round(v, 4) for k, v in train["precision_at"].items()},
        },
    }
    calibration = Calibration(bias=model.bias, weights=model.weights, meta=meta)
    out = args.out or Path(__file__).resolve().parents[1] / "src" / "onrecord" / CALIBRATION_FILE.format(
        language="en"
    )
    out.write_text(json.dumps(calibration.to_dict(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(
        f"{out}: {len(rows)} statements from {n_articles} articles, {meta['fitted']['positives']} right; "
        f"train ECE {train['ece']:.4f}, precision at 50/80/100 % "
        + " / ".join(f"{v:.3f}" for v in train["precision_at"].values())
    )
    for name, weight in sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))[:15]:
        print(f"  {weight:+.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
