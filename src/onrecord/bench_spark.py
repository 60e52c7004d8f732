"""`onrecord bench spark`: the Spark job at local[1] and local[2] next to the local runner at -j 1 and -j 2,
on the same 1,000 articles, and what that means for a cluster (docs/spark.md, "Benchmark").

The corpus: the 924 PolNeAR train and dev texts and the first 76 articles that onrecord reads from the
AEB web archive (../shared/data/warc/derived/aeb-181-pages.synthetic.warc.gz), written once to a JSON
Lines file so that both runners read exactly the same 1,000 inputs (news of 2016 and 2019, from text
files and from HTML).

Timings: the local runner from its inputs to a committed SQLite store (reading, workers starting and
loading the model, analysis, writing, people and stories); the Spark job from its inputs to committed
Parquet (reading, Python workers loading the model, analysis, writing), with the cross-article Spark
jobs timed apart, and the session start left out (a cluster keeps one). The cluster estimate takes
the lower of the two per-core rates Spark measured (local[1], and local[2] per core).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from onrecord.errors import InputError

#: Articles in the benchmark corpus, and the CC-NEWS day it is scaled to (about 380,000 articles a day
#: in 2024-2025, from the issue) and the time allowed for it.
CORPUS_SIZE = 1000
DAY_ARTICLES = 380_000
DAY_SECONDS = 3600
#: The assumed price of one cloud core (vCPU) for an hour, in US dollars: AWS EC2 c7i.4xlarge on demand
#: in us-east-1 ($0.714/h for 16 vCPUs, AWS's list price as published in 2025; an assumption, not
#: measured here: check the current price).
PRICE_PER_CORE_HOUR = 0.0446
PRICE_SOURCE = "AWS EC2 c7i.4xlarge on demand, us-east-1, $0.714/h for 16 vCPUs (2025 list price)"
#: Cores of an executor in the sizing (a common choice: 4 Python workers, one model each).
EXECUTOR_CORES = 4


def bench_corpus(shared: Path, workdir: Path) -> list[str]:
    """The 1,000 inputs: 924 PolNeAR text files and one JSON Lines file of 76 AEB articles."""
    from onrecord.ingest.warc import warc_articles

    texts = sorted((shared / "polnear" / "train" / "text").glob("*.txt"))
    texts += sorted((shared / "polnear" / "dev" / "text").glob("*.txt"))
    wanted = CORPUS_SIZE - len(texts)
    warc = shared / "warc" / "derived" / "aeb-181-pages.synthetic.warc.gz"
    if not texts or not warc.is_file() or wanted <= 0:
        raise ValueError(f"{shared} lacks polnear/train, polnear/dev or warc/derived (see docs/spark.md)")
    lines = []
    for item in warc_articles(warc):
        if isinstance(item, InputError):
            continue
        record = {"id": item.source, "text": item.text, "title": item.title, "url": item.url}
        record |= {"published": item.published, "source": item.outlet}
        lines.append(json.dumps(record, ensure_ascii=False))
        if len(lines) == wanted:
            break
    jsonl = workdir / "aeb-76.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(p) for p in texts] + [str(jsonl)]


def bench_spark(
    inputs: list[str],
    workdir: Path,
    *,
    masters: tuple[str, ...] = ("local[1]", "local[2]"),
    jobs: tuple[int, ...] = (1, 2),
    price_per_core_hour: float = PRICE_PER_CORE_HOUR,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    from onrecord.ingest import read_inputs
    from onrecord.runners.local import IngestSettings, ingest
    from onrecord.spark.job import SparkSettings, build_session, run_job
    from onrecord.store import open_store

    say = progress or (lambda _: None)
    runs: list[dict[str, Any]] = []
    for n in jobs:
        say(f"local runner -j {n} ...")
        db = workdir / f"local-j{n}.db"
        items = list(read_inputs(inputs))
        with open_store(db) as store:
            started = time.perf_counter()
            report = ingest(items, store, settings=IngestSettings(jobs=n))
            seconds = time.perf_counter() - started
        runs.append(_run(f"local -j {n}", n, seconds, len(items), report.stored, report.stats.failures))
    for master in masters:
        say(f"spark {master} ...")
        cores = int(master[len("local[") : -1])
        started = time.perf_counter()
        spark = build_session(master, app_name="onrecord-bench", config={"spark.ui.enabled": "false"})
        spark.sparkContext.setLogLevel("ERROR")
        session_seconds = time.perf_counter() - started
        try:
            out = workdir / f"spark-{cores}"
            job = run_job(spark, SparkSettings(inputs=tuple(inputs), output=str(out), derive=False))
            started = time.perf_counter()
            job_derived = run_job(spark, SparkSettings(inputs=tuple(inputs), output=str(out)))
            derive_seconds = time.perf_counter() - started
        finally:
            spark.stop()
        done = job.counts.get("articles", 0) + job.counts.get("failures", 0)
        run = _run(
            f"spark {master}", cores, job.elapsed, done, job.counts.get("articles", 0), job.counts["failures"]
        )
        run |= {
            "session_start_seconds": round(session_seconds, 1),
            "derive_seconds": round(derive_seconds, 1),
        }
        run["derived"] = job_derived.derived
        runs.append(run)
    by_name = {r["name"]: r for r in runs}
    for run in runs:
        local = by_name.get(f"local -j {run['cores']}")
        if local and run is not local:
            run["ratio_to_local_same_cores"] = round(
                run["articles_per_second"] / local["articles_per_second"], 3
            )
    spark_runs = [r for r in runs if r["name"].startswith("spark")]
    per_core = min(r["articles_per_second"] / r["cores"] for r in spark_runs) if spark_runs else 0.0
    return {
        "inputs": len(inputs),
        "cpu_count": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
        "cluster": cluster_estimate(per_core, price_per_core_hour),
    }


def _run(name: str, cores: int, seconds: float, done: int, stored: int, failures: int) -> dict[str, Any]:
    return {
        "name": name,
        "cores": cores,
        "seconds": round(seconds, 1),
        "inputs_done": done,
        "articles": stored,
        "failures": failures,
        "articles_per_second": round(done / seconds, 2) if seconds else 0.0,
    }


def cluster_estimate(per_core: float, price_per_core_hour: float = PRICE_PER_CORE_HOUR) -> dict[str, Any]:
    """Cores, executors and cost to analyse a day of CC-NEWS within an hour at ``per_core`` articles/s."""
    if per_core <= 0:
        return {}
    needed = DAY_ARTICLES / DAY_SECONDS
    cores = math.ceil(needed / per_core)
    executors = math.ceil(cores / EXECUTOR_CORES)
    core_hours = DAY_ARTICLES / per_core / 3600
    return {
        "articles": DAY_ARTICLES,
        "within_seconds": DAY_SECONDS,
        "needed_articles_per_second": round(needed, 1),
        "per_core_articles_per_second": round(per_core, 2),
        "cores": cores,
        "executors": executors,
        "executor_cores": EXECUTOR_CORES,
        "core_hours": round(core_hours, 1),
        "price_per_core_hour_usd": price_per_core_hour,
        # The work is the same whatever the cluster size: core-hours times the price (plus the driver).
        "cost_usd": round(core_hours * price_per_core_hour, 2),
        "price_assumption": PRICE_SOURCE,
    }
