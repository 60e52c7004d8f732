"""`onrecord bench`: speed measured next to a baseline, in one process."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def bench() -> None:
    """Benchmarks (numbers for closing notes and docs/evaluation.md; tests never assert a time)."""


@bench.command("analyze")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N texts.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, help="Rounds; the best of each is kept.")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results here."
)
def bench_analyze_cmd(folder: Path, limit: int | None, repeat: int, json_path: Path | None) -> None:
    """Words per second of `onrecord analyze` next to the bare spaCy pipeline over the same *.txt files.

    \b
    Example:
      onrecord bench analyze ../shared/data/polnear/train/text
    """
    from onrecord.bench import bench_analyze, load_texts

    texts = load_texts(folder, limit=limit)
    if not texts:
        raise click.UsageError(f"{folder} holds no .txt files")
    result = bench_analyze(texts, repeat=repeat, progress=lambda m: click.echo(m, err=True))
    t = result["timings"]
    click.echo(f"{result['articles']} articles, {result['words']:,} words, best of {repeat}")
    for name in ("spacy_pipe", "onrecord_analyze"):
        click.echo(f"  {name:18} {t[name]['seconds']:8.2f} s  {t[name]['words_per_second']:10,.0f} words/s")
    click.echo(f"  onrecord / spaCy speed ratio: {result['ratio_onrecord_to_spacy_speed']:.3f}")
    click.echo(f"  peak RSS: {result['peak_rss_mb']:.0f} MB; failures: {result['failures']}")
    if json_path:
        json_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
