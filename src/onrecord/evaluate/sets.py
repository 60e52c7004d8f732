"""What the three JSON Lines evaluation sets share: their articles, the analysis run, P/R/F1.

The speakers set, its roles and the GUM people set (:mod:`onrecord.evaluate.speakers`,
:mod:`onrecord.evaluate.roles`, :mod:`onrecord.evaluate.people`) are scored on the record itself: each
article is analysed in-process and its :meth:`~onrecord.records.Analysis.to_dict` form (the JSON that
``onrecord analyze --jsonl`` prints, docs/record.md) is what the scorer reads, field by field, so a new
field or a changed one is measured exactly as a user of the JSON sees it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from onrecord.evaluate.gold import GoldFormatError, hash_files
from onrecord.records import Analysis

logger = logging.getLogger(__name__)

#: (articles done, articles in all, the article just done)
Progress = Callable[[int, int, str], None]


class Analyser(Protocol):
    def analyze(self, text: str, *, source: str, published: str | None = ...) -> Analysis: ...


@dataclass(frozen=True, slots=True)
class SetArticle:
    id: str
    text: str


@dataclass
class Predictions:
    """The records of one run, by article id; an article the analyser failed on has none."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: list[dict[str, str]] = field(default_factory=list)


def analyse(
    articles: Sequence[SetArticle], analyzer: Analyser, *, progress: Progress | None = None
) -> Predictions:
    """Analyse every article (source ``<id>.txt``, as the reference scorers name the files). A failure
    is logged and recorded, never fatal: the article then predicts nothing."""
    out = Predictions()
    for done, article in enumerate(articles, start=1):
        try:
            analysis = analyzer.analyze(article.text, source=f"{article.id.replace('/', '_')}.txt")
            out.records[article.id] = analysis.to_dict()
        except Exception as exc:  # one bad article never stops an evaluation run; it is reported
            logger.warning("%s: the analyser failed: %s", article.id, exc)
            out.failed.append({"article": article.id, "error": f"{type(exc).__name__}: {exc}"})
        if progress is not None:
            progress(done, len(articles), article.id)
    return out


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise GoldFormatError(f"{path}:{number}: not a JSON object")
                    rows.append(row)
    except (OSError, ValueError) as exc:
        raise GoldFormatError(f"{path}: cannot be read as JSON Lines ({exc})") from exc
    return rows


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldFormatError(f"{path}: cannot be read as JSON ({exc})") from exc


def require(folder: Path, *names: str) -> None:
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        raise GoldFormatError(f"{folder}: {', '.join(missing)} missing; is this the right folder?")


def data_hash(folder: Path, files: Iterable[Path], limit: int | None) -> str:
    """sha256 of the files read; a ``limit`` is part of it, so a baseline knows a partial run."""
    return hash_files(folder, list(files), extra=[f"limit {limit}"] if limit else [])


def prf(right_predicted: int, predicted: int, right_gold: int, gold: int) -> dict[str, Any]:
    """Precision, recall and F1 with their counts (an empty side scores 0, as the reference scorers
    do). The two hit counts differ only where matching is many-to-many (roles)."""
    p = right_predicted / predicted if predicted else 0.0
    r = right_gold / gold if gold else 0.0
    return {
        "gold": gold,
        "predicted": predicted,
        "gold_found": right_gold,
        "predicted_correct": right_predicted,
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
    }


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def records_by_article(lines: Iterable[str], ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """JSON Lines records (``onrecord analyze --jsonl`` output) by article id, matched by the basename
    of their ``source`` without ``.txt``; the first record of an article wins. For scoring saved output."""
    wanted = {i.replace("/", "_"): i for i in ids}
    wanted.update({i: i for i in ids})
    out: dict[str, dict[str, Any]] = {}
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        key = Path(str(record.get("source") or "")).name.removesuffix(".txt")
        article = wanted.get(key)
        if article is not None and article not in out:
            out[article] = record
    return out


def iter_spans(value: Any) -> Iterator[tuple[int, int]]:
    """``[[s, e], ...]`` or one ``[s, e]`` as int pairs; anything else is skipped."""
    if not isinstance(value, list | tuple) or not value:
        return
    if len(value) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in value):
        value = [value]
    for span in value:
        if (
            isinstance(span, list | tuple)
            and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
        ):
            yield (span[0], span[1])


class SetResult(Protocol):
    def report(self) -> dict[str, Any]: ...

    def errors(self) -> Iterator[dict[str, Any]]: ...

    def render(self) -> str: ...


class ScoredSet(Protocol):
    """A loaded set: its articles, the hash of its files, and its scorer."""

    @property
    def format(self) -> str: ...

    @property
    def root(self) -> str: ...

    @property
    def data_hash(self) -> str: ...

    @property
    def articles(self) -> Sequence[SetArticle]: ...

    def score(self, predictions: Predictions) -> SetResult: ...


def word_set(words: str) -> frozenset[str]:
    """A word list written as one string."""
    return frozenset(words.split())
