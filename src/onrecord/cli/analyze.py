"""`onrecord analyze`: who said what in one or more articles, printed as JSON, JSON Lines or text."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from onrecord.cli.options import check_date
from onrecord.errors import InputError
from onrecord.records import Analysis


@click.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "--jsonl", "as_jsonl", is_flag=True, help="One JSON document per line (same as --format jsonl)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "text"]),
    default=None,
    help="json (default: one document, or a list for several articles), jsonl, or text (readable).",
)
@click.option(
    "--published",
    metavar="YYYY-MM-DD",
    callback=check_date,
    help="Publication date, to resolve 'on Friday' and the like (default: a dateline in the text).",
)
@click.option("--sample", is_flag=True, help="Analyse the bundled sample: 24 Wikinews articles (CC BY 2.5).")
@click.option(
    "--max-chars", type=click.IntRange(min=1), default=None, help="Refuse longer inputs [1,000,000]."
)
@click.option(
    "--time-budget",
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds one article may take; a slower one fails (E009) and the others go on [60]. 0: no limit.",
)
@click.option(
    "--statements",
    type=click.Choice(["speech", "all"]),
    default="speech",
    show_default=True,
    help="speech: what a source said; all: also beliefs, intentions, stances on a topic, reported "
    "questions, nominal and unsourced attributions (PolNeAR's definition), each with its cue_class.",
)
@click.option("--indent", type=click.IntRange(min=0), default=None, help="Indent JSON output by this much.")
@click.option(
    "-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Write here [stdout]."
)
def analyze(
    inputs: tuple[str, ...],
    as_jsonl: bool,
    fmt: str | None,
    published: str | None,
    sample: bool,
    max_chars: int | None,
    time_budget: float | None,
    statements: str,
    indent: int | None,
    output: TextIO,
) -> None:
    """Find the quotations, speakers, people, roles and dates of articles.

    INPUT is a text file (.txt, .md), a JSON Lines file (.jsonl, one article per line, with "text" and
    optionally "id", "title", "url", "published"), a saved web page (.html), a WARC archive (.warc,
    .warc.gz), a folder (read recursively), or - for standard input (any of these: its first bytes tell
    which).

    \b
    Examples:
      onrecord analyze article.txt > out.json
      onrecord analyze a.txt b.txt folder/ --jsonl
      cat article.txt | onrecord analyze -
      onrecord analyze article.txt --published 2010-04-23 --format text

    Offsets in the output are character offsets into the input text as read. A bad input is reported
    on stderr (with a code from docs/errors.md) and the others go on; the exit status is then 1.
    """
    from onrecord.budget import TIME_BUDGET_SECONDS
    from onrecord.cli.inputs import input_items
    from onrecord.cli.logs import show_reader_logs
    from onrecord.pipeline import MAX_INPUT_CHARS, Analyzer

    fmt = "jsonl" if as_jsonl else (fmt or "json")
    limit = max_chars or MAX_INPUT_CHARS
    show_reader_logs()
    items = list(input_items(inputs, sample=sample, max_chars=limit))
    analyzer = Analyzer(
        max_chars=limit,
        time_budget=TIME_BUDGET_SECONDS if time_budget is None else time_budget,
        statements=statements,
    )
    failures = 0
    results: list[Analysis] = []

    def analysed() -> Iterator[Analysis]:
        nonlocal failures
        for item in items:
            if isinstance(item, InputError):
                failures += 1
                _report(item)
                continue
            try:
                if published:
                    item = dataclasses.replace(item, published=published)
                yield analyzer.analyze_input(item)
            except InputError as exc:
                failures += 1
                _report(exc)

    show_progress = len(items) > 1 and sys.stderr.isatty()
    with (
        click.progressbar(analysed(), length=len(items), label="analysing", file=sys.stderr)
        if show_progress
        else contextlib.nullcontext(analysed()) as stream
    ):
        for analysis in stream:
            if fmt == "jsonl":
                output.write(analysis.to_json() + "\n")
            elif fmt == "text":
                output.write(format_text(analysis) + "\n")
            else:
                results.append(analysis)
    if fmt == "json" and results:
        data = (
            results[0].to_dict() if len(results) == 1 and len(items) == 1 else [r.to_dict() for r in results]
        )
        output.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")
    if failures:
        click.echo(f"onrecord: {failures} of {len(items)} inputs failed (see above)", err=True)
        sys.exit(1)


def _report(error: InputError) -> None:
    click.echo(f"onrecord: error: {error}", err=True)


def format_text(analysis: Analysis) -> str:
    """A readable who-said-what listing of one analysis."""
    lines = [
        f"== {analysis.title or analysis.source}"
        + (f"  ({analysis.published})" if analysis.published else "")
    ]
    roles = {e.id: e.roles for e in analysis.entities}
    for quote in analysis.quotes:
        speaker = quote.speaker
        who = speaker.name or (f"[{speaker.mention}]" if speaker.mention else "[unknown]")
        role = roles.get(speaker.entity or "", ())
        if role:
            who += f" ({role[0]})"
        via = f" (as {speaker.mention!r})" if speaker.mention and speaker.mention != speaker.name else ""
        nested = "    " if quote.nested_in is not None else ""
        cue = quote.cue or "-"
        cls = "" if quote.cue_class == "speech" else f", {quote.cue_class}"
        lines.append(f"{nested}* {who}{via} [{quote.kind}, {cue}{cls}]: “{_short(quote.content)}”")
    people = [e for e in analysis.entities if e.type == "PERSON"]
    if people:
        lines.append(
            "  people: " + "; ".join(e.name + (f" ({', '.join(e.roles)})" if e.roles else "") for e in people)
        )
    if analysis.dates:
        lines.append("  dates: " + "; ".join(f"{d.text} = {d.value or '?'}" for d in analysis.dates))
    return "\n".join(lines)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
