"""Benchmarks: measured side by side with a baseline in one process, reported as ratios.

``bench_analyze`` times ``Analyzer.analyze`` over a folder of texts next to the bare spaCy pipeline
(``nlp.pipe`` over the same texts, the work onrecord cannot avoid), so the ratio says what onrecord's
own stages cost on top of parsing.

``bench_ingest`` measures the local runner (articles per second for each worker count) and
``build_query_db`` + ``time_queries`` the query layer's latency on a database of 100,000 quotations.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import re
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from onrecord.errors import InputError
from onrecord.pipeline import Analyzer
from onrecord.records import Analysis


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


def text_files(folder: Path, *, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    return files[:limit] if limit else files


def load_texts(folder: Path, *, limit: int | None = None) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in text_files(folder, limit=limit)]


#: The bare pipeline as a whole process: start Python, load the same model with the same components,
#: read the files, parse them. What `onrecord analyze` cannot do with less.
_BARE_PROCESS = """
import sys
import spacy
nlp = spacy.load({package!r}, exclude={exclude!r})
texts = [open(p, encoding="utf-8").read() for p in sys.argv[1:]]
for _ in nlp.pipe(texts, batch_size=32):
    pass
"""


def bench_whole_process(files: Sequence[Path], *, repeat: int = 1) -> dict[str, Any]:
    """What a user waits for: `onrecord analyze --jsonl FILES` (start-up, model, reading, cleaning,
    analysis, JSON output) against a process that loads the same model and runs ``nlp.pipe`` over
    the same files, each the best of ``repeat`` runs, one after the other on this machine."""
    import subprocess
    import sys

    from onrecord.nlp.loading import _EXCLUDE, MODEL_PACKAGE

    bare = _BARE_PROCESS.format(package=MODEL_PACKAGE, exclude=list(_EXCLUDE))
    names = [str(f) for f in files]
    commands = {
        "spacy_process": [sys.executable, "-c", bare, *names],
        "onrecord_process": [
            sys.executable,
            "-m",
            "onrecord.cli",
            "analyze",
            "--jsonl",
            "-o",
            os.devnull,
            *names,
        ],
    }
    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
            if done.returncode not in (0, 1) or (name == "spacy_process" and done.returncode):
                # (onrecord exits 1 when an input was refused: still a run; anything else is not)
                raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return {
        "seconds": {k: round(v, 2) for k, v in best.items()},
        "ratio_onrecord_to_spacy_speed": round(best["spacy_process"] / best["onrecord_process"], 3),
    }


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


# -- ingest and query benchmarks ---------------------------------------------------------------------
#: Articles written per transaction when the query benchmark builds its database.
BUILD_BATCH = 256


def bench_ingest(
    paths: Sequence[str],
    *,
    jobs: Sequence[int],
    batch_size: int = 32,
    workdir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Articles per second of the local runner for each worker count, each into a fresh database.

    The inputs are read once, before the clock starts; each run's time includes starting the workers
    (loading one model each) and writing. Peak RSS is ``ru_maxrss`` of this process (which holds the
    model itself when a run has one job) and of the largest worker, from ``RUSAGE_CHILDREN``.
    """
    from onrecord.ingest import read_inputs

    items = list(read_inputs(paths))
    articles = [i for i in items if not isinstance(i, InputError)]
    words = sum(len(a.text.split()) for a in articles)
    runs: list[dict[str, Any]] = []
    for n in jobs:
        if progress:
            progress(f"ingest with -j {n} ...")
        report, _ = _fresh_ingest(items, workdir / f"bench-ingest-j{n}.db", jobs=n, batch_size=batch_size)
        seconds = report.stats.elapsed
        runs.append(
            {
                "jobs": n,
                "seconds": round(seconds, 2),
                "articles_per_second": round(len(items) / seconds, 2) if seconds else 0.0,
                "words_per_second": round(words / seconds, 1) if seconds else 0.0,
                "stored": report.stored,
                "quotes": report.added("quotes"),
                "failures": report.stats.failures,
                "peak_rss_main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            }
        )
    first = runs[0]["articles_per_second"] if runs else 0.0
    for run in runs:
        run["speedup"] = round(run["articles_per_second"] / first, 2) if first else 0.0
    return {
        "inputs": len(items),
        "articles": len(articles),
        "words": words,
        "batch_size": batch_size,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "runs": runs,
    }


def copy_id(article_id: str, copy: int) -> str:
    """The id of copy ``copy`` of an article in the benchmark database (copy 0 is the article)."""
    if copy == 0:
        return article_id
    return hashlib.sha256(f"{article_id}:copy:{copy}".encode()).hexdigest()[:32]


def build_query_db(
    db_path: Path,
    *,
    source: Path | None,
    scale_to: int,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Analysis]:
    """A database of at least ``scale_to`` quotations: real articles analysed once, then written again
    as copies under new ids. The analyses are kept beside the database (``<db>.base.jsonl``) so that
    a later run reuses both; returns them (the query benchmark draws its queries from them)."""
    from onrecord.ingest import read_inputs
    from onrecord.runners.local import IngestSettings, analyze_many
    from onrecord.store import open_store
    from onrecord.store.api import StoredInput

    cache = db_path.with_name(db_path.name + ".base.jsonl")
    base: list[StoredInput] = []
    if cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            base.append(StoredInput(Analysis.from_dict(record["analysis"]), record["input_text"]))
    store = open_store(db_path)
    try:
        if store.counts().get("quotes", 0) >= scale_to and base:
            return [b.analysis for b in base]
        if not base:
            if source is None:
                raise ValueError(
                    f"no {cache.name} beside {db_path}: name --from FOLDER of articles to analyse"
                )
            if progress:
                progress(f"analysing {source} once ...")
            outcomes = analyze_many(read_inputs([str(source)]), settings=IngestSettings(jobs=jobs))
            base = [o for o in outcomes if isinstance(o, StoredInput) and o.analysis.quotes]
            if not base:
                raise ValueError(f"{source}: no quotations found; give a folder of news articles")
            with cache.open("w", encoding="utf-8") as out:
                for b in base:
                    out.write(
                        json.dumps({"analysis": b.analysis.to_dict(), "input_text": b.input_text}) + "\n"
                    )
        copy = 0
        while store.counts().get("quotes", 0) < scale_to:
            copies = [
                StoredInput(
                    replace(
                        b.analysis,
                        id=copy_id(b.analysis.id, copy),
                        source=b.analysis.source if copy == 0 else f"{b.analysis.source}#copy{copy}",
                    ),
                    b.input_text,
                )
                for b in base
            ]
            known = store.known_ids([c.analysis.id for c in copies])
            new = [c for c in copies if c.analysis.id not in known]
            for start in range(0, len(new), BUILD_BATCH):
                store.write_batch(new[start : start + BUILD_BATCH])
            if progress and new:
                progress(f"copy {copy}: {store.counts().get('quotes', 0):,} quotations")
            copy += 1
    finally:
        store.close()
    return [b.analysis for b in base]


def query_terms(analyses: Sequence[Analysis], *, count: int, seed: int = 0) -> dict[str, list[str]]:
    """``count`` varied queries of each kind, drawn (reproducibly) from the analysed articles: words and
    two-word phrases of quotations, speakers' full names and surnames, and people's names."""
    rng = random.Random(seed)
    quotes = [q for a in analyses for q in a.quotes]
    words = [re.findall(r"[A-Za-z]{4,}", q.content) for q in quotes]
    contains: list[str] = []
    for ws in rng.sample(words, min(len(words), count * 3)):
        if len(ws) >= 2 and len(contains) % 3 == 2:
            i = rng.randrange(len(ws) - 1)
            contains.append(f"{ws[i]} {ws[i + 1]}")
        elif ws:
            contains.append(rng.choice(ws))
        if len(contains) == count:
            break
    speakers = sorted({q.speaker.name for q in quotes if q.speaker.name})
    people = sorted({e.name for a in analyses for e in a.entities if e.type == "PERSON"})

    def draw(names: list[str], *, surnames: bool) -> list[str]:
        if not names:
            return []
        picked = [rng.choice(names) for _ in range(count)]
        if surnames:  # every fourth query by surname alone, as people search
            picked = [n.split()[-1] if i % 4 == 3 else n for i, n in enumerate(picked)]
        return picked

    return {
        "contains": contains,
        "speaker": draw(speakers, surnames=True),
        "person": draw(people, surnames=False),
    }


def time_queries(
    runs: dict[str, tuple[Callable[[str], int], list[str]]], *, warmup: int = 3
) -> dict[str, dict[str, float]]:
    """Latency of each kind of query: ``runs[kind] = (function returning the number of rows, terms)``."""
    results: dict[str, dict[str, float]] = {}
    for kind, (run, terms) in runs.items():
        for term in terms[:warmup]:
            run(term)
        times: list[float] = []
        rows: list[int] = []
        for term in terms:
            start = time.perf_counter()
            rows.append(run(term))
            times.append(time.perf_counter() - start)
        times.sort()
        results[kind] = {
            "queries": len(times),
            "p50_ms": round(1000 * _percentile(times, 0.50), 2),
            "p95_ms": round(1000 * _percentile(times, 0.95), 2),
            "max_ms": round(1000 * times[-1], 2) if times else 0.0,
            "median_rows": sorted(rows)[len(rows) // 2] if rows else 0,
        }
    return results


def _percentile(sorted_values: Sequence[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def bench_queries(
    db_path: Path,
    *,
    source: Path | None,
    scale_to: int = 100_000,
    count: int = 100,
    jobs: int | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """p50/p95 latency of the query layer as the CLI calls it, on a database of ``scale_to`` quotations.

    ``quotes --contains`` and ``quotes --speaker`` are timed as a table shows them (the first
    TABLE_LIMIT + 1 rows) and as JSON Lines exports them (every row); ``person`` as the command
    shows a person (20 quotations). Person names come from the database's people, the other terms
    from the analysed articles (:func:`query_terms`).
    """
    from onrecord.cli.query import TABLE_LIMIT
    from onrecord.query import NotFoundError, find_quotes, get_person, list_people
    from onrecord.store import open_store

    start = time.perf_counter()
    analyses = build_query_db(db_path, source=source, scale_to=scale_to, jobs=jobs, progress=progress)
    build_seconds = time.perf_counter() - start
    terms = query_terms(analyses, count=count, seed=seed)
    store = open_store(db_path, readonly=True)
    try:
        counts = store.counts()
        names = [p.name for p in list_people(store)]
        rng = random.Random(seed)
        people = [rng.choice(names) for _ in range(count)] if names else []

        def quotes(contains: str | None, speaker: str | None, limit: int | None) -> int:
            return len(list(find_quotes(store, contains=contains, speaker=speaker, limit=limit)))

        def person(name: str) -> int:
            try:
                return len(get_person(store, name).quotes)
            except NotFoundError:
                return 0

        if progress:
            progress(f"timing {count} queries of each kind ...")
        latency = time_queries(
            {
                "quotes --contains": (lambda t: quotes(t, None, TABLE_LIMIT + 1), terms["contains"]),
                "quotes --contains, all rows": (lambda t: quotes(t, None, None), terms["contains"]),
                "quotes --speaker": (lambda t: quotes(None, t, TABLE_LIMIT + 1), terms["speaker"]),
                "quotes --speaker, all rows": (lambda t: quotes(None, t, None), terms["speaker"]),
                "person": (person, people),
            }
        )
    finally:
        store.close()
    return {
        "db": str(db_path),
        "counts": counts,
        "build_or_reuse_seconds": round(build_seconds, 1),
        "db_megabytes": round(db_path.stat().st_size / 1e6, 1),
        "latency": latency,
    }


def bench_warc(
    path: str,
    *,
    jobs: Sequence[int],
    workdir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Pages per second from a WARC file to the database, and the share of HTML extraction in it.

    First the reading and HTML extraction alone (the readers, as ingest runs them); then, for each
    worker count, a whole ingest into a fresh database, the clock running from the first byte read to
    the last row written. With one job everything runs in one process, one after the other, so the
    extraction's share of that run's time is the share of HTML extraction against NLP (and writing).
    """
    from onrecord.ingest import read_inputs

    if progress:
        progress("reading and extracting the pages ...")
    start = time.perf_counter()
    items = list(read_inputs([path]))
    extract_seconds = time.perf_counter() - start
    pages = len(items)
    articles = sum(1 for i in items if not isinstance(i, InputError))
    runs: list[dict[str, Any]] = []
    for n in jobs:
        if progress:
            progress(f"WARC to database with -j {n} ...")
        report, seconds = _fresh_ingest(read_inputs([path]), workdir / f"bench-warc-j{n}.db", jobs=n)
        runs.append(
            {
                "jobs": n,
                "seconds": round(seconds, 2),
                "pages_per_second": round(pages / seconds, 2) if seconds else 0.0,
                "stored": report.stored,
                "quotes": report.added("quotes"),
                "failures": report.stats.failures,
            }
        )
    single = next((r for r in runs if r["jobs"] == 1), None)
    return {
        "path": path,
        "pages": pages,
        "articles": articles,
        "extract_seconds": round(extract_seconds, 2),
        "extract_pages_per_second": round(pages / extract_seconds, 2) if extract_seconds else 0.0,
        "html_share_of_single_job_run": round(extract_seconds / single["seconds"], 3) if single else None,
        "runs": runs,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def _fresh_ingest(items: Any, db_path: Path, *, jobs: int, batch_size: int = 32) -> tuple[Any, float]:
    """One ingest into a new database at ``db_path``: its report and wall-clock seconds."""
    from onrecord.runners.local import IngestSettings, ingest
    from onrecord.store import open_store

    db_path.unlink(missing_ok=True)
    store = open_store(db_path)
    try:
        gc.collect()
        start = time.perf_counter()
        report = ingest(items, store, settings=IngestSettings(jobs=jobs, batch_size=batch_size))
        return report, time.perf_counter() - start
    finally:
        store.close()
