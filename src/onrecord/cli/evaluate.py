"""``onrecord evaluate``: score the analyser against annotated articles, and gate on a baseline."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from onrecord.evaluate import (
    FORMATS,
    SET_FORMATS,
    AnalyzerLike,
    EvaluationResult,
    GoldCorpus,
    GoldFormatError,
    default_analyzer,
    evaluate_corpus,
    evaluate_set,
    load_corpus,
    load_set,
)
from onrecord.evaluate import baseline as gate
from onrecord.evaluate.calibration import render_calibration
from onrecord.evaluate.metrics import SLICES
from onrecord.evaluate.sets import ScoredSet, SetResult

_LEVEL_LABELS = {"exact": "exact boundaries", "overlap": "overlap >= 0.5", "any": "any overlap"}
_HUMAN = {"exact": "content_exact_f1", "overlap": "content_overlap_f1"}


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="polnear",
    show_default=True,
    help="polnear: a PolNeAR split (text/, attributions/, metadata.tsv); gold: *.gold.json beside .txt; "
    "speakers: who said it (articles.jsonl, gold.json); roles: people and their roles (articles.jsonl, "
    "roles.json); gum-people: people and their mentions (articles.jsonl, entities.jsonl, raw/).",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write every score."
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one JSON line per miss (missed, spurious, boundary, wrong_speaker; for roles and "
    "gum-people the people and roles missed, spurious, wrong, split or merged).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N articles (for a quick look).")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The floors file [default: in the repository, evaluation/baseline.json for polnear, "
    "evaluation/<format>.json for the others].",
)
@click.option(
    "--check", is_flag=True, help="Exit 1 if a headline number is below its floor or the data differ."
)
@click.option(
    "--update-baseline", is_flag=True, help="Raise the floors to the current numbers (never lowers)."
)
@click.option("--allow-lower", is_flag=True, help="With --update-baseline: let floors fall (needs --reason).")
@click.option("--reason", help="Why the floors change; recorded in the baseline file.")
@click.pass_context
def evaluate(
    ctx: click.Context,
    path: Path,
    fmt: str,
    json_path: Path | None,
    errors_path: Path | None,
    limit: int | None,
    baseline_path: Path | None,
    check: bool,
    update_baseline: bool,
    allow_lower: bool,
    reason: str | None,
) -> None:
    """Score quotations, speakers, people and roles on annotated articles.

    \b
    onrecord evaluate --format polnear ../shared/data/polnear/dev
    onrecord evaluate --format gold ../shared/examples/
    onrecord evaluate --format speakers ../shared/data/speakers-dev
    onrecord evaluate --format roles ../shared/data/speakers-dev
    onrecord evaluate --format gum-people ../shared/data/gum-people-dev
    onrecord evaluate ... --json report.json --errors errors.jsonl
    onrecord evaluate --format polnear ../shared/data/polnear/dev --check

    Statements are matched one to one by character F1; scores are micro-averaged over the articles
    (docs/evaluation.md says what each number means).
    """
    if check and update_baseline:
        raise click.UsageError("use --check or --update-baseline, not both")
    if allow_lower and not update_baseline:
        raise click.UsageError("--allow-lower only goes with --update-baseline")
    if allow_lower and not (reason and reason.strip()):
        raise click.UsageError("--allow-lower needs --reason '...' (it is recorded in the baseline file)")
    baseline_file = baseline_path or _default_baseline(fmt)
    data: GoldCorpus | ScoredSet
    try:
        data = (
            load_set(path, fmt=fmt, limit=limit)
            if fmt in SET_FORMATS
            else load_corpus(path, fmt=fmt, limit=limit)
        )
    except GoldFormatError as exc:
        raise click.ClickException(str(exc)) from exc

    baseline: gate.Baseline | None = None
    if check:
        try:
            baseline = gate.read_baseline(baseline_file)
        except gate.BaselineError as exc:
            raise click.ClickException(str(exc)) from exc
        if baseline is None:
            _fail(ctx, f"no baseline at {baseline_file}; create it with --update-baseline")
        elif baseline.format and baseline.format != fmt:
            _fail(ctx, f"{baseline_file} holds the floors of --format {baseline.format}, not {fmt}")
        elif baseline.data_hash != data.data_hash:
            _fail(
                ctx,
                f"different data: {baseline_file} was measured on data with hash "
                f"{baseline.data_hash[:12]}..., {path} hashes to {data.data_hash[:12]}... "
                "(another directory, a --limit, or changed files)",
            )

    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    factory: Callable[[], AnalyzerLike] | None = obj.get("analyzer_factory")
    click.echo("loading the analyser ...", err=True)
    analyzer = factory() if factory is not None else default_analyzer(fmt)
    bar: Any
    result: EvaluationResult | SetResult
    with click.progressbar(
        length=len(data.articles), label="analysing", file=sys.stderr, show_pos=True
    ) as bar:
        progress = lambda done, total, name: bar.update(1)  # noqa: E731
        if isinstance(data, GoldCorpus):
            result = evaluate_corpus(data, analyzer=analyzer, progress=progress)
        else:
            result = evaluate_set(data, analyzer=analyzer, progress=progress)
    report = result.report()

    click.echo(render_report(report) if isinstance(result, EvaluationResult) else result.render())
    _write_outputs(result, report, json_path, errors_path)
    for failed in report["failed_articles"]:
        click.echo(f"analyser failed on {failed['article']}: {failed['error']}", err=True)

    if baseline is not None:
        outcome = gate.check_report(report, baseline)
        if not outcome.ok:
            _fail(ctx, "below the baseline " + str(baseline_file) + ":\n  " + "\n  ".join(outcome.messages))
        click.echo(f"baseline check passed ({baseline_file})")
    if update_baseline:
        try:
            updated = gate.update_baseline(baseline_file, report, allow_lower=allow_lower, reason=reason)
        except gate.BaselineError as exc:
            raise click.ClickException(str(exc)) from exc
        verb = "updated" if updated.written else "unchanged"
        click.echo(f"baseline {verb}: {baseline_file}")
        for change in updated.changes:
            click.echo(f"  {change}")


def _fail(ctx: click.Context, message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    ctx.exit(1)


def _default_baseline(fmt: str) -> Path:
    """The format's baseline file (``evaluation/baseline.json`` for polnear) in the repository that
    holds the current directory."""
    relative = gate.DEFAULT_BASELINES.get(fmt, gate.DEFAULT_BASELINE)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / relative
    return here / relative


def _write_outputs(
    result: EvaluationResult | SetResult,
    report: dict[str, Any],
    json_path: Path | None,
    errors_path: Path | None,
) -> None:
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if errors_path is not None:
        with errors_path.open("w", encoding="utf-8") as handle:
            for record in result.errors():
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _num(value: float | None, width: int = 6) -> str:
    return f"{value:{width}.3f}" if value is not None else f"{'-':>{width}}"


def render_report(report: dict[str, Any]) -> str:
    """The human-readable tables: strictness levels, end to end, speaker names, slices."""
    human = report.get("human_agreement") or {}
    lines = [
        f"{report['format']}: {report['path']}",
        f"{report['articles']} articles, {report['gold_items']} gold items, "
        f"{report['predictions']} predictions"
        + (" (scored against the first annotator listed)" if report["format"] == "polnear" else ""),
        "",
        f"{'':24}{'P':>6} {'R':>6} {'F1':>6}" + ("   human F1" if human else ""),
    ]

    def row(label: str, scores: dict[str, Any], ceiling: float | None = None, note: str = "") -> str:
        text = f"{label:24}{_num(scores['precision'])} {_num(scores['recall'])} {_num(scores['f1'])}"
        if human:
            text += f"   {_num(ceiling, 8)}"
        return text + note

    lines.append("content")
    for level, label in _LEVEL_LABELS.items():
        note = "  <- headline" if level == "overlap" else ""
        lines.append(row(f"  {label}", report["content"][level], human.get(_HUMAN.get(level, "")), note))
    lines.append(row("end to end", report["end_to_end"], human.get("end_to_end_f1")))
    speaker = report.get("speaker")
    if speaker:
        lines.append(
            f"canonical speaker       {speaker['correct']}/{speaker['gold']} right"
            f" ({speaker['correct']}/{speaker['found']} of the quotes found)"
        )
    lines += ["", f"{'slice':24}{'gold':>6} {'pred':>6} {'P':>6} {'R':>6} {'F1':>6} {'e2e F1':>7}"]
    for dim, values in SLICES.items():
        for value in values:
            entry = report["slices"][dim][value]
            content = entry["content"]
            lines.append(
                f"{dim + ': ' + value:24}{content['gold']:>6} {content['predicted']:>6} "
                f"{_num(content['precision'])} {_num(content['recall'])} {_num(content['f1'])} "
                f"{_num(entry['end_to_end']['f1'], 7)}"
            )
    lines += ["", *render_calibration(report.get("calibration"))]
    offsets = report["offsets"]
    lines += ["", f"offsets verified: {offsets['verified']}/{offsets['checked']} annotated spans"]
    if report["notes"]:
        lines.append(f"notes: {len(report['notes'])} (in the --json report)")
    if report["failed_articles"]:
        lines.append(f"the analyser failed on {len(report['failed_articles'])} articles")
    return "\n".join(lines)
