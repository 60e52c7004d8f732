"""Benchmarks: measured side by side with a baseline in one process, reported as ratios.

``bench_analyze`` times ``Analyzer.analyze`` over a folder of texts next to the bare spaCy pipeline
(``nlp.pipe`` over the same texts, the work onrecord cannot avoid), so the ratio says what onrecord's
own stages cost on top of parsing.
"""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from onrecord.errors import InputError
from onrecord.pipeline import Analyzer


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: float
    articles: int
    words: int

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def load_texts(folder: Path, *, limit: int | None = None) -> list[str]:
    files = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    if limit:
        files = files[:limit]
    return [p.read_text(encoding="utf-8") for p in files]


def bench_analyze(
    texts: list[str], *, repeat: int = 1, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    analyzer = Analyzer()
    nlp = analyzer.nlp
    words = sum(len(t.split()) for t in texts)
    best: dict[str, Timing] = {}
    failures = 0

    def bare() -> None:
        for _ in nlp.pipe(texts, batch_size=32):
            pass

    def ours() -> None:
        nonlocal failures
        failures = 0
        for text in texts:
            try:
                analyzer.analyze(text, source="bench")
            except InputError:
                failures += 1

    nlp("Warm up the pipeline once.")
    for round_ in range(repeat):
        for name, run in (("spacy_pipe", bare), ("onrecord_analyze", ours)):
            if progress:
                progress(f"round {round_ + 1}/{repeat}: {name}")
            gc.collect()
            start = time.perf_counter()
            run()
            timing = Timing(name, time.perf_counter() - start, len(texts), words)
            if name not in best or timing.seconds < best[name].seconds:
                best[name] = timing
    base, ours_t = best["spacy_pipe"], best["onrecord_analyze"]
    return {
        "articles": len(texts),
        "words": words,
        "repeat": repeat,
        "failures": failures,
        "timings": {
            k: {**asdict(v), "words_per_second": round(v.words_per_second, 1)} for k, v in best.items()
        },
        "ratio_onrecord_to_spacy_speed": round(ours_t.words_per_second / base.words_per_second, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "provenance": analyzer.provenance,
    }
