"""Body extraction from HTML, scored against true article bodies (``onrecord bench html``).

The data is the ScrapingHub/Zyte article-extraction-benchmark (AEB, ../shared/data/aeb): 181 news
pages and, for each, the true article body. The measure is the benchmark's own:

- a text's words are the runs of ``\\w+`` (Python's Unicode word characters), taken as they are
  (case kept; ``lowercase=True`` folds both texts, and the report gives both);
- per page, the multisets of word 4-grams of the true and of the extracted body give TP (4-grams in
  both, with multiplicity), FP (extracted only) and FN (true only); P = TP / (TP + FP) and
  R = TP / (TP + FN);
- an extraction without any 4-gram (nothing extracted, or fewer than four words) scores P = 0 and
  R = 0: an extractor that gives up is not excused;
- a page whose true body has no 4-gram is left out (none of the 181 is);
- P and R are averaged over the pages; F1 = 2PR / (P + R) of the two averages.

Every extractor runs over the same pages in the same process, one after the other, so the numbers
(and the pages per second) are comparable within one run.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from onrecord.clean.html import MAX_BYTES, TIMEOUT_S, extract_page
from onrecord.clean.html_cascade import ALL_STAGES, Stages
from onrecord.errors import InputError

_WORD = re.compile(r"\w+")
#: The benchmark's n.
NGRAM = 4

Extractor = Callable[[bytes, str | None], str]


@dataclass(frozen=True)
class Page:
    """One benchmark page: its HTML (as fetched) and its true article body."""

    id: str
    url: str | None
    html: bytes
    text: str


@dataclass(frozen=True)
class PageScore:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def load_pages(folder: Path, *, limit: int | None = None) -> list[Page]:
    """The pages of an AEB folder: ``ground_truth.jsonl`` (id, url, html, text) and ``html/*.html.gz``."""
    index = folder / "ground_truth.jsonl"
    if not index.is_file():
        raise ValueError(f"{folder} has no ground_truth.jsonl (expected the AEB folder, ../shared/data/aeb)")
    pages: list[Page] = []
    with index.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            path = folder / row["html"]
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            pages.append(Page(row["id"], row.get("url"), data, row["text"]))
            if limit is not None and len(pages) >= limit:
                break
    return pages


def word_ngrams(text: str, *, n: int = NGRAM, lowercase: bool = False) -> Counter[tuple[str, ...]]:
    """The multiset of word n-grams of ``text`` (words: runs of ``\\w+``)."""
    words = _WORD.findall(text.lower() if lowercase else text)
    return Counter(zip(*(words[i:] for i in range(n)), strict=False))


def score_page(truth: str, extracted: str, *, lowercase: bool = False) -> PageScore:
    """TP, FP and FN of one page's extracted body against its true body."""
    true = word_ngrams(truth, lowercase=lowercase)
    found = word_ngrams(extracted, lowercase=lowercase)
    tp = sum((true & found).values())
    return PageScore(tp=tp, fp=sum(found.values()) - tp, fn=sum(true.values()) - tp)


def summarise(scores: Iterable[PageScore]) -> Summary:
    """Mean precision and mean recall over pages (F1 from the two means)."""
    scores = list(scores)
    if not scores:
        return Summary(0.0, 0.0, 0)
    return Summary(
        precision=sum(s.precision for s in scores) / len(scores),
        recall=sum(s.recall for s in scores) / len(scores),
        pages=len(scores),
    )


def trafilatura_extractor(**options: Any) -> Extractor:
    """``trafilatura.extract`` with ``options`` (none: its defaults) on the raw bytes."""
    import trafilatura

    def extract(html: bytes, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return extract


def onrecord_extractor(stages: Stages = ALL_STAGES) -> Extractor:
    """onrecord's extraction (``onrecord.clean.html``) with the given stages; "" when it finds nothing."""

    def extract(html: bytes, url: str | None) -> str:
        try:
            page = extract_page(
                html, source=url or "-", url=url, timeout_s=TIMEOUT_S, max_bytes=MAX_BYTES, stages=stages
            )
        except InputError:
            return ""
        return page.text if page is not None else ""

    return extract


#: The rows of the main table: trafilatura's three settings and onrecord.
BASELINES: dict[str, dict[str, Any]] = {
    "trafilatura defaults": {},
    "trafilatura favor_precision": {"favor_precision": True},
    "trafilatura favor_recall": {"favor_recall": True},
}
ONRECORD = "onrecord"


def ablation_stages() -> dict[str, Stages]:
    """onrecord with all its stages, each stage off in turn, all off, and the plain-text cleaner on."""
    full = ALL_STAGES
    variants = {"all stages": full}
    for name in (
        "no_comments",
        "recall_fallback",
        "drop_title",
        "drop_boilerplate_lines",
        "drop_html_boilerplate",
    ):
        variants[f"without {name}"] = replace(full, **{name: False})
    variants["none (precision pass only)"] = Stages(
        no_comments=False,
        recall_fallback=False,
        drop_title=False,
        drop_boilerplate_lines=False,
        drop_html_boilerplate=False,
    )
    variants["with plain_text_cleaner"] = replace(full, plain_text_cleaner=True)
    return variants


def run_extractor(
    name: str,
    extract: Extractor,
    pages: Sequence[Page],
    *,
    keep_texts: bool = False,
) -> dict[str, Any]:
    """One extractor over all pages: its scores (as is and lowercased) and its speed."""
    texts: list[str] = []
    seconds = 0.0
    if pages:
        extract(pages[0].html, pages[0].url)  # warm-up, untimed: imports and caches (htmldate's)
    for page in pages:
        start = time.perf_counter()
        texts.append(extract(page.html, page.url))
        seconds += time.perf_counter() - start
    scored = [(page, text) for page, text in zip(pages, texts, strict=True) if word_ngrams(page.text)]
    result: dict[str, Any] = {"name": name, "pages": len(scored), "skipped": len(pages) - len(scored)}
    for label, lowercase in (("case_kept", False), ("lowercased", True)):
        summary = summarise(score_page(page.text, text, lowercase=lowercase) for page, text in scored)
        result[label] = {"precision": summary.precision, "recall": summary.recall, "f1": summary.f1}
    result["seconds"] = seconds
    result["pages_per_second"] = len(pages) / seconds if seconds else 0.0
    result["empty"] = sum(1 for text in texts if not text.strip())
    if keep_texts:
        result["texts"] = texts
    return result


def bench_html(
    pages: Sequence[Page],
    *,
    ablation: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """trafilatura (defaults, favor_precision, favor_recall) and onrecord over the same pages.

    With ``ablation``, onrecord again with each stage of its cascade switched off (docs/html.md).
    """
    import trafilatura

    runs: list[tuple[str, Extractor]] = [
        (name, trafilatura_extractor(**options)) for name, options in BASELINES.items()
    ]
    runs.append((ONRECORD, onrecord_extractor()))
    result: dict[str, Any] = {
        "pages": len(pages),
        "measure": "word 4-gram multisets per page; mean P and mean R over pages; F1 of the means",
        "trafilatura": trafilatura.__version__,
        "rows": [],
    }
    for name, extract in runs:
        if progress:
            progress(f"{name} ...")
        result["rows"].append(run_extractor(name, extract, pages))
    if ablation:
        result["ablation"] = []
        for name, stages in ablation_stages().items():
            if progress:
                progress(f"ablation: {name} ...")
            result["ablation"].append(run_extractor(name, onrecord_extractor(stages), pages))
    return result
