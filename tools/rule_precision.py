"""Precision of each quotation rule on PolNeAR train: the confidences in onrecord.quotes.candidates.RULES.

A rule's confidence is the share of its (top-level) predictions whose content matches a PolNeAR
attribution at overlap F1 >= 0.5. Run after changing a rule, and copy the numbers into RULES:

    .venv/bin/python tools/rule_precision.py ../shared/data/polnear/train
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from cached_eval import CachedPipeline

from onrecord.evaluate import load_corpus
from onrecord.evaluate.gold import items_from_analysis
from onrecord.evaluate.metrics import score_article
from onrecord.nlp import load_pipeline
from onrecord.pipeline import Analyzer


def main(path: str) -> None:
    # The parses are cached as in tools/cached_eval.py (same parses, same numbers, a third of the time).
    pipeline = CachedPipeline(
        load_pipeline(), Path(f"/tmp/onrecord-parses-{Path(path).resolve().name}.spacy")
    )
    analyzer = Analyzer(nlp=pipeline, statements="all")  # type: ignore[arg-type]
    corpus = load_corpus(path, fmt="polnear")
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for article in corpus.articles:
        analysis = analyzer.analyze(article.text, source=article.name, published=article.published)
        quotes = [q for q in analysis.quotes if q.nested_in is None]
        items = tuple(i for i in items_from_analysis(analysis) if not i.nested)
        score = score_article(article.name, article.text, article.items, items)
        for k, quote in enumerate(quotes):
            rule = quote.component.split(":")[-1]
            total[rule] += 1
            pair = score.by_pred.get(k)
            right[rule] += pair is not None and pair.f1 >= 0.5
    pipeline.save()
    for rule, n in total.most_common():
        print(f"{rule:28} {n:6}  precision {right[rule] / n:.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/polnear/train")
