"""`onrecord bench`: speed measured next to a baseline, in one process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def bench() -> None:
    """Benchmarks (numbers for closing notes and docs/evaluation.md; tests never assert a time)."""


def _query_db_options(command: F) -> F:
    """--db, --from and --scale-to: the large database of copied analyses that `bench queries` and
    `bench serve` build once (onrecord.bench.build_query_db) and reuse."""
    for option in reversed(
        (
            click.option(
                "--db",
                "db_path",
                required=True,
                type=click.Path(dir_okay=False, path_type=Path),
                help="The benchmark database: built if it holds too few quotations, reused otherwise.",
            ),
            click.option(
                "--from",
                "source",
                type=click.Path(exists=True, path_type=Path),
                default=None,
                help="Articles to analyse once and copy (needed only to build the database).",
            ),
            click.option(
                "--scale-to",
                type=click.IntRange(min=1),
                default=100_000,
                show_default=True,
                help="Quotations the database must hold.",
            ),
        )
    ):
        command = option(command)
    return command


@bench.command("scaling")
@click.option("--repeat", type=click.IntRange(min=1), default=1, help="Rounds; the best of each is kept.")
@click.option(
    "--quick",
    is_flag=True,
    help="Stop each series one step early (10 K characters to 100 K, 1 K marks to 10 K).",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_scaling_cmd(repeat: int, quick: bool, json_path: Path | None) -> None:
    """Seconds of `onrecord analyze` on generated texts of 10 K, 100 K and 1,000 K characters and with
    1 K, 10 K and 100 K quotation marks, with the growth per tenfold step (about 10: linear).

    \b
    Example:
      onrecord bench scaling --json scaling.json
    """
    from onrecord.bench_scaling import MARKS, SIZES, bench_scaling

    sizes, marks = (SIZES[:-1], MARKS[:-1]) if quick else (SIZES, MARKS)
    result = bench_scaling(
        sizes=sizes, marks=marks, repeat=repeat, progress=lambda m: click.echo(m, err=True)
    )
    for name, label in (("chars", "characters"), ("marks", "quotation marks")):
        click.echo(f"{label}:")
        for row in result["series"][name]:
            growth = f"  x{row['ratio_per_10x']:.1f} per 10x" if row.get("ratio_per_10x") else ""
            click.echo(f"  {row['size']:>9,}  {row['seconds']:8.2f} s  {row['quotes']:6,} quotes{growth}")
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("analyze")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N texts.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, help="Rounds; the best of each is kept.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_analyze_cmd(folder: Path, limit: int | None, repeat: int, json_path: Path | None) -> None:
    """Words per second of `onrecord analyze` next to the bare spaCy pipeline over the same *.txt files,
    in one process (the analysis alone) and as whole processes (what a user waits for).

    \b
    Example:
      onrecord bench analyze ../shared/data/polnear/train/text
    """
    from onrecord.bench import bench_analyze, bench_whole_process, text_files

    files = text_files(folder, limit=limit)
    if not files:
        raise click.UsageError(f"{folder} holds no .txt files")
    texts = [p.read_text(encoding="utf-8") for p in files]
    result = bench_analyze(texts, repeat=repeat, progress=lambda m: click.echo(m, err=True))
    click.echo("whole process: onrecord analyze --jsonl, and a bare spaCy process ...", err=True)
    result["whole_process"] = whole = bench_whole_process(files, repeat=repeat)
    t = result["timings"]
    click.echo(f"{result['articles']} articles, {result['words']:,} words, best of {repeat}")
    click.echo("in one process (the analysis alone, model loaded):")
    for name in ("spacy_pipe", "onrecord_analyze"):
        click.echo(f"  {name:18} {t[name]['seconds']:8.2f} s  {t[name]['words_per_second']:10,.0f} words/s")
    click.echo(f"  onrecord / spaCy speed ratio: {result['ratio_onrecord_to_spacy_speed']:.3f}")
    click.echo("whole process (what a user waits for: start-up, model, reading, cleaning, output):")
    for name, seconds in whole["seconds"].items():
        click.echo(f"  {name:18} {seconds:8.2f} s")
    click.echo(f"  onrecord / spaCy speed ratio: {whole['ratio_onrecord_to_spacy_speed']:.3f}")
    click.echo(f"  peak RSS: {result['peak_rss_mb']:.0f} MB; failures: {result['failures']}")
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("ingest")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option(
    "--jobs",
    "jobs_list",
    default="1,2",
    show_default=True,
    help="Worker counts to measure, comma-separated.",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_ingest_cmd(
    inputs: tuple[str, ...], jobs_list: str, batch_size: int, json_path: Path | None
) -> None:
    """Articles per second of `onrecord ingest` for each -j, each into a fresh database.

    INPUT is what `onrecord ingest` reads (folders, text files, JSON Lines). The databases are written
    in a temporary folder and removed.

    \b
    Example:
      onrecord bench ingest ../shared/data/polnear/train/text --jobs 1,2
    """
    import tempfile

    from onrecord.bench import bench_ingest

    try:
        jobs = [int(j) for j in jobs_list.split(",") if j.strip()]
    except ValueError:
        raise click.BadParameter(f"{jobs_list!r}: give numbers like 1,2,4", param_hint="--jobs") from None
    if not jobs or min(jobs) < 1:
        raise click.BadParameter("give worker counts of 1 or more, like 1,2,4", param_hint="--jobs")
    with tempfile.TemporaryDirectory(prefix="onrecord-bench-") as tmp:
        result = bench_ingest(
            list(inputs),
            jobs=jobs,
            batch_size=batch_size,
            workdir=Path(tmp),
            progress=lambda m: click.echo(m, err=True),
        )
    load = ", ".join(f"{x:.2f}" for x in result["load_average"])
    click.echo(
        f"{result['articles']} articles, {result['words']:,} words; {result['cpu_count']} cores, "
        f"load average {load} at the end"
    )
    for run in result["runs"]:
        click.echo(
            f"  -j {run['jobs']:<3} {run['seconds']:8.2f} s  {run['articles_per_second']:7.2f} articles/s  "
            f"{run['words_per_second']:9,.0f} words/s  x{run['speedup']:.2f}  "
            f"peak RSS main {run['peak_rss_main_mb']:.0f} MB, "
            f"largest worker {run['peak_rss_worker_mb']:.0f} MB"
            f"  ({run['stored']} stored, {run['quotes']} quotes, {run['failures']} failures)"
        )
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("queries")
@_query_db_options
@click.option("--queries", "count", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Workers for the analysis.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_queries_cmd(
    db_path: Path, source: Path | None, scale_to: int, count: int, jobs: int | None, json_path: Path | None
) -> None:
    """Latency (p50, p95) of `onrecord quotes --contains`, `quotes --speaker` and `person`.

    The database is made of real articles analysed once and written again as copies under new ids
    until it holds --scale-to quotations; the analyses are kept beside it (DB.base.jsonl) and both
    are reused by the next run.

    \b
    Example:
      onrecord bench queries --db /tmp/bench.db --from ../shared/data/polnear/train/text
    """
    from onrecord.bench import bench_queries

    try:
        result = bench_queries(
            db_path,
            source=source,
            scale_to=scale_to,
            count=count,
            jobs=jobs,
            progress=lambda m: click.echo(m, err=True),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    counts = result["counts"]
    click.echo(
        f"{db_path}: {counts.get('articles', 0):,} articles, {counts.get('quotes', 0):,} quotes, "
        f"{counts.get('people', 0):,} people; {count} queries of each kind"
    )
    for kind, t in result["latency"].items():
        click.echo(
            f"  {kind:28} p50 {t['p50_ms']:8.2f} ms  p95 {t['p95_ms']:8.2f} ms  max {t['max_ms']:8.2f} ms  "
            f"(median {t['median_rows']} rows)"
        )
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("html")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N pages.")
@click.option(
    "--ablation", is_flag=True, help="Also run onrecord with each stage of its cascade switched off."
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_html_cmd(folder: Path, limit: int | None, ablation: bool, json_path: Path | None) -> None:
    """Article-body extraction from HTML: trafilatura's settings and onrecord, scored on true bodies.

    FOLDER is the article-extraction-benchmark folder (ground_truth.jsonl and html/*.html.gz). Per
    page, the word 4-grams of the true and the extracted body give precision and recall; the table
    shows their means over the pages, F1 of the two means, and pages per second (docs/html.md).

    \b
    Example:
      onrecord bench html ../shared/data/aeb
    """
    from onrecord.bench_html import bench_html, load_pages

    try:
        pages = load_pages(folder, limit=limit)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if not pages:
        raise click.UsageError(f"{folder} holds no pages")
    result = bench_html(pages, ablation=ablation, progress=lambda m: click.echo(m, err=True))
    click.echo(
        f"{result['pages']} pages; word 4-grams, case kept (lowercased in brackets where it differs); "
        f"trafilatura {result['trafilatura']}"
    )
    for title, key in (("", "rows"), ("ablation (onrecord)", "ablation")):
        if key not in result:
            continue
        if title:
            click.echo(title)
        click.echo(f"  {'extractor':34} {'P':>7} {'R':>7} {'F1':>7} {'pages/s':>8}")
        for row in result[key]:
            kept, lowered = row["case_kept"], row["lowercased"]
            line = (
                f"  {row['name']:34} {kept['precision']:7.4f} {kept['recall']:7.4f} {kept['f1']:7.4f} "
                f"{row['pages_per_second']:8.1f}"
            )
            if any(round(kept[k], 4) != round(lowered[k], 4) for k in kept):
                line += f"  ({lowered['precision']:.4f} {lowered['recall']:.4f} {lowered['f1']:.4f})"
            click.echo(line)
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("warc")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--jobs", default="1,2", show_default=True, help="Worker counts to compare, comma-separated.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_warc_cmd(path: str, jobs: str, json_path: Path | None) -> None:
    """Pages per second from a WARC file to the database, and HTML extraction's share of the time.

    \b
    Example:
      onrecord bench warc ../shared/data/warc/derived/aeb-181-pages.synthetic.warc.gz
    """
    import tempfile

    from onrecord.bench import bench_warc

    counts = [int(n) for n in jobs.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="onrecord-bench-") as workdir:
        result = bench_warc(
            path, jobs=counts, workdir=Path(workdir), progress=lambda m: click.echo(m, err=True)
        )
    click.echo(
        f"{result['pages']} pages ({result['articles']} readable articles); "
        f"reading and HTML extraction alone: {result['extract_seconds']:.1f} s, "
        f"{result['extract_pages_per_second']:.1f} pages/s"
    )
    for run in result["runs"]:
        click.echo(
            f"  -j {run['jobs']}  {run['seconds']:7.1f} s  "
            f"{run['pages_per_second']:6.1f} pages/s WARC to database  "
            f"({run['stored']} stored, {run['quotes']} quotes, {run['failures']} failures)"
        )
    if result["html_share_of_single_job_run"] is not None:
        click.echo(
            f"  HTML extraction: {result['html_share_of_single_job_run']:.0%} of the -j 1 run "
            "(the rest: NLP and writing)"
        )
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("serve")
@_query_db_options
@click.option(
    "--clients",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Concurrent clients, each with one keep-alive connection.",
)
@click.option(
    "--requests",
    "per_route",
    type=click.IntRange(min=1),
    default=400,
    show_default=True,
    help="Requests of each route.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Server processes (onrecord serve --workers) [one per core].",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Workers for the analysis.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_serve_cmd(
    db_path: Path,
    source: Path | None,
    scale_to: int,
    clients: int,
    per_route: int,
    workers: int | None,
    jobs: int | None,
    json_path: Path | None,
) -> None:
    """Latency (p50, p95, p99) and throughput of `onrecord serve` under concurrent clients.

    Starts the real server on the database and sends a mix of requests (search page, person page,
    API search, API person, API statistics) from --clients threads over keep-alive connections.
    Client and server share this machine's cores; the client's CPU use is reported beside them.

    \b
    Example:
      onrecord bench serve --db /tmp/bench.db --from ../shared/data/polnear/train/text
    """
    from onrecord.bench_serve import bench_serve
    from onrecord.runners.local import available_cores

    try:
        result = bench_serve(
            db_path,
            source=source,
            scale_to=scale_to,
            clients=clients,
            per_route=per_route,
            workers=workers if workers is not None else available_cores(),
            jobs=jobs,
            progress=lambda m: click.echo(m, err=True),
        )
    except (ValueError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from None
    counts = result["counts"]
    load = ", ".join(f"{x:.2f}" for x in result["load_average_before"])
    click.echo(
        f"{db_path}: {counts.get('articles', 0):,} articles, {counts.get('quotes', 0):,} quotes, "
        f"{counts.get('people', 0):,} people; {result['clients']} clients, {result['server_workers']} server "
        f"worker(s), {result['requests']:,} requests "
        f"in {result['seconds']:.1f} s ({result['requests_per_second']:.1f}/s); "
        f"{result['cpu_count']} cores, load average {load} before"
    )
    for route, r in result["routes"].items():
        target = r.get("target_p95_ms")
        verdict = (
            ""
            if target is None
            else f"  target p95 < {target:.0f} ms: {'met' if r['meets_target'] else 'MISSED'}"
        )
        click.echo(
            f"  {route:12} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
            f"{r['requests_per_second']:6.1f} req/s  {r['errors']} errors{verdict}"
        )
    click.echo(
        f"  CPU: client {result['client_cpu_seconds']:.1f} s "
        f"({result['client_cpu_share_of_wall']:.0%} of a core), server {result['server_cpu_seconds']:.1f} s "
        f"({result['server_cpu_share_of_wall']:.0%} of a core)"
    )
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")


@bench.command("spark")
@click.option(
    "--shared",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("../shared/data"),
    show_default=True,
    help="The shared data folder (polnear/ and warc/derived/).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the databases and Parquet output go [a temporary folder, removed after].",
)
@click.option(
    "--price-per-core-hour",
    type=click.FloatRange(min=0),
    default=None,
    help="Assumed cloud price of one core for an hour, USD [0.0446: AWS c7i on demand, 2025].",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_spark_cmd(
    shared: Path, workdir: Path | None, price_per_core_hour: float | None, json_path: Path | None
) -> None:
    """Articles per second of the Spark job at local[1] and local[2] next to the local runner at -j 1
    and -j 2, on the same 1,000 articles; and the cluster for a day of CC-NEWS in an hour.

    \b
    Example:
      onrecord bench spark --json spark-bench.json
    """
    import tempfile

    from onrecord.bench_spark import PRICE_PER_CORE_HOUR, bench_corpus, bench_spark

    with tempfile.TemporaryDirectory(prefix="onrecord-bench-spark-") as temp:
        folder = workdir or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            inputs = bench_corpus(shared, folder)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        result = bench_spark(
            inputs,
            folder,
            price_per_core_hour=price_per_core_hour or PRICE_PER_CORE_HOUR,
            progress=lambda m: click.echo(m, err=True),
        )
    load = result["load_average_after"]
    click.echo(f"{result['inputs']} inputs (1,000 articles); load average after: {load}")
    for run in result["runs"]:
        ratio = run.get("ratio_to_local_same_cores")
        extra = f"  x{ratio:.2f} of local -j {run['cores']}" if ratio else ""
        if "derive_seconds" in run:
            extra += f"  (+{run['derive_seconds']} s cross-article jobs"
            extra += f", {run['session_start_seconds']} s session start)"
        click.echo(
            f"  {run['name']:16} {run['seconds']:7.1f} s  {run['articles_per_second']:6.2f} articles/s  "
            f"{run['articles']} stored, {run['failures']} failures{extra}"
        )
    c = result["cluster"]
    if c:
        click.echo(
            f"a day of CC-NEWS ({c['articles']:,} articles) in an hour: "
            f"{c['needed_articles_per_second']} articles/s at {c['per_core_articles_per_second']} per core = "
            f"{c['cores']} cores ({c['executors']} executors of {c['executor_cores']}); "
            f"{c['core_hours']} core-hours, about ${c['cost_usd']} at "
            f"${c['price_per_core_hour_usd']}/core-hour (assumed: {c['price_assumption']})"
        )
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
