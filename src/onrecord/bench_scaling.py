"""How analysis time grows with an article's length and with its number of quotation marks.

``bench_scaling`` times ``Analyzer.analyze`` on generated texts, so the sizes can go where no real
article does: news-like paragraphs of 10 K, 100 K and 1,000 K characters, and paragraphs dense with
short quotations holding 1 K, 10 K and 100 K quotation marks. Each step is ten times the last, so a
linear analysis takes about ten times as long per step: the ratios printed say how close it is
(issue #16 found 10,000 marks took 17 s and 1,000 K characters did not finish in 300 s).

The texts are built here, not read from a corpus: the test suite builds the same worst cases
(tests/test_scaling.py) and asserts outcomes, never times. The time budget is off while timing.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from onrecord.pipeline import Analyzer

#: Lengths (characters) of the long-article series, and quotation marks of the marks series.
SIZES = (10_000, 100_000, 1_000_000)
MARKS = (1_000, 10_000, 100_000)

_PEOPLE = [
    ("Maria", "Lopez", "the head of the teachers' union"),
    ("John", "Okafor", "the city's finance director"),
    ("Helen", "Brandt", "a spokeswoman for the ministry"),
    ("Samuel", "Price", "the opposition leader"),
    ("Aiko", "Tanaka", "an economist at the central bank"),
    ("Peter", "Novak", "the mayor"),
]
_TOPICS = ["the budget", "the new bridge", "the bus network", "the school reforms", "the water plan"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]
_SENTENCES = [
    '"We will not give up on {topic}," said {first} {last}, {role}.',
    "{first} {last}, {role}, said on {day} that {topic} would cost more than planned.",
    '{last} told reporters that the council had been "under pressure" for weeks.',
    '{first} {last} added: "This is only the beginning of a long fight for all of us."',
    "According to {last}, prices rose by {n} percent in {month} {year}.",
    "Officials believe {topic} will be delayed until {month}.",
    "The council did not say when it would publish the figures for {topic}.",
    '"It is a mistake," {last} said, "and nobody in the council wants to admit it."',
    "The vote on {topic} is expected on {day}, {month} {n}, after a second reading.",
]


def article_text(chars: int, *, seed: int = 0) -> str:
    """A news-like text of ``chars`` characters: paragraphs of five sentences with direct and
    reported speech, names, roles and dates, drawn from fixed templates (so the same for a seed)."""
    rnd = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        sentences = []
        for _ in range(5):
            first, last, role = rnd.choice(_PEOPLE)
            sentences.append(
                rnd.choice(_SENTENCES).format(
                    first=first,
                    last=last,
                    role=role,
                    topic=rnd.choice(_TOPICS),
                    day=rnd.choice(_DAYS),
                    month=rnd.choice(_MONTHS),
                    year=rnd.randint(2015, 2025),
                    n=rnd.randint(2, 28),
                )
            )
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars].rstrip()


def marks_text(marks: int, *, per_paragraph: int = 0) -> str:
    """A text holding ``marks`` straight double quotation marks, each pair around a word or two (the
    shape that made the analysis quadratic: every mark near every other), after a sentence of
    ordinary prose. ``per_paragraph`` marks per paragraph (0: all in one paragraph)."""
    # Short phrases of function words, so that the text still reads as English (Analyzer.check).
    words = ["it is", "not now", "we do", "in the end", "for all of us", "and then", "if not", "as we are"]
    pairs = [f'"{words[k % len(words)]}"' for k in range(marks // 2)]
    if marks % 2:
        pairs.append('"')
    lead = "The officials said that they had heard the same answers many times:"
    if per_paragraph <= 0:
        return lead + " " + " ".join(pairs) + "."
    step = max(1, per_paragraph // 2)
    chunks = [" ".join(pairs[k : k + step]) for k in range(0, len(pairs), step)]
    return lead + "\n\n" + "\n\n".join(chunks)


def bench_scaling(
    *,
    sizes: Sequence[int] = SIZES,
    marks: Sequence[int] = MARKS,
    repeat: int = 1,
    analyzer: Analyzer | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Seconds of ``Analyzer.analyze`` per generated text (best of ``repeat``), and for each step the
    ratio to the step before and that ratio per tenfold growth of the input."""
    analyzer = analyzer or Analyzer(time_budget=None)
    analyzer.analyze(article_text(2_000), source="warm-up")  # the model's and the tables' first use
    series = {
        "chars": [(n, article_text(n)) for n in sizes],
        "marks": [(n, marks_text(n)) for n in marks],
    }
    result: dict[str, Any] = {"repeat": repeat, "series": {}}
    for name, texts in series.items():
        rows: list[dict[str, Any]] = []
        for size, text in texts:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                analysis = analyzer.analyze(text, source=f"{name}-{size}")
                best = min(best, time.perf_counter() - start)
            row: dict[str, Any] = {
                "size": size,
                "characters": len(text),
                "seconds": round(best, 3),
                "quotes": len(analysis.quotes),
            }
            if rows:
                previous = rows[-1]
                growth = size / previous["size"]
                ratio = best / max(previous["seconds"], 1e-9)
                row["ratio"] = round(ratio, 2)
                # The ratio a tenfold step would have at the same rate: ratio ** (1 / log10(growth)).
                row["ratio_per_10x"] = round(ratio ** (1 / math.log10(growth)), 2) if growth > 1 else None
            rows.append(row)
            if progress is not None:
                progress(f"{name} {size:>9,}: {best:8.2f} s")
        result["series"][name] = rows
    return result
