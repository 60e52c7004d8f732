"""The executor side of the Spark job: one input file's bytes -> items -> analysed rows.

Everything here runs inside Spark's Python workers and is plain Python (no pyspark import), so it is
tested and reused without a JVM. The per-article work is the local runner's own stage,
:class:`onrecord.runners.local.AnalyzeStage` (``process(Task)`` -> ``StoredInput`` or ``Failure``), with
the article id and cleaned text prepared by the same :func:`onrecord.runners.local.prepare` (the analyser
reuses that cleaning, as in a local worker): there is no second copy of
any reading, cleaning or extraction logic. The stage (and so the spaCy pipeline) is built once per
executor Python process and kept in a module-level cache, as the pool initializer does for a local
worker (Spark reuses its Python workers between tasks: ``spark.python.worker.reuse``, on by default).

A partition yields ``(table, row)`` pairs; the rows are tuples in the column order of
:mod:`onrecord.spark.schema`. Every input becomes rows, never an exception: a file that cannot be read,
an article the analyser refuses, and an unexpected error all become ``failures`` rows.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from onrecord.errors import ErrorCode, InputError
from onrecord.ingest import readers
from onrecord.pipeline import MAX_INPUT_CHARS, ArticleInput
from onrecord.records import Analysis
from onrecord.runners.local import UNEXPECTED, AnalyzeStage, failure_from, prepare
from onrecord.store import people
from onrecord.store.api import Failure
from onrecord.store.sqlite import _speaker_kind, quote_id

log = logging.getLogger(__name__)

Item = ArticleInput | InputError
Row = tuple[Any, ...]

#: One stage per (language, max_chars) per executor process: built by the first task that needs it.
_STAGES: dict[tuple[str, int], AnalyzeStage] = {}
#: The MinHash index whose hash functions give each article's signature (its keys are fixed by a seed:
#: the same in every process); built once per process.
_SIGNER: Any = None


def stage_for(language: str = "en", max_chars: int = MAX_INPUT_CHARS) -> AnalyzeStage:
    """The executor process's stage (the spaCy model loaded once per process, as in a local worker)."""
    key = (language, max_chars)
    stage = _STAGES.get(key)
    if stage is None:
        stage = _STAGES[key] = AnalyzeStage(language=language, max_chars=max_chars)
    return stage


def _signer() -> Any:
    global _SIGNER
    if _SIGNER is None:
        from onrecord.clean.dedup import NearDuplicateIndex

        _SIGNER = NearDuplicateIndex()
    return _SIGNER


# -- reading: the bytes of one file, handed to onrecord's own readers ---------------------------------
def read_bytes(data: bytes, name: str, *, max_chars: int = MAX_INPUT_CHARS) -> Iterator[Item]:
    """The items of one input file, as ``onrecord ingest`` reads that file from disk: the kind comes
    from the name (``.warc.gz``, ``.html``, ``.jsonl``, ``.txt`` ...), the bytes from Spark."""
    kind = readers._kind(PurePosixPath(name))  # type: ignore[arg-type]  # only .name and .suffix are read
    try:
        if kind == "warc":
            yield from readers._read_warc(io.BytesIO(data), name)
        elif kind == "html":
            yield _read_html(data, name)
        elif kind == "jsonl":
            yield from readers._read_jsonl(data, name, max_chars)
        elif kind == "text":
            if len(data) > max_chars * readers._BYTES_PER_CHAR:
                yield readers._too_large(name, len(data), max_chars)
                return
            yield readers.text_article(data, name)
        else:
            suffixes = sorted(
                readers.TEXT_SUFFIXES | readers.JSONL_SUFFIXES | readers.HTML_SUFFIXES | readers.WARC_SUFFIXES
            )
            yield InputError(
                ErrorCode.UNREADABLE,
                name,
                f"not a kind of file onrecord reads (it reads {', '.join(suffixes)})",
            )
    except (OSError, EOFError) as exc:
        yield InputError(ErrorCode.UNREADABLE, name, f"cannot be read: {exc}")


def _read_html(data: bytes, name: str) -> Item:
    from onrecord.clean.html import MAX_BYTES, html_to_article

    gzipped = name.lower().endswith(".gz")
    if len(data) > MAX_BYTES and not gzipped:
        return InputError(
            ErrorCode.TOO_LARGE, name, f"the page has more than {MAX_BYTES:,} bytes; it is not an article"
        )
    try:
        return html_to_article(gzip.decompress(data) if gzipped else data, source=name)
    except InputError as exc:
        return exc


def read_file(record: tuple[str, bytes], names: dict[str, str], max_chars: int) -> Iterator[tuple[Any, ...]]:
    """``binaryFiles`` gives (uri, bytes); yields ``(input, position, article or failure)``, ``input``
    being the name the user knows the file by (``names``: uri -> name, from the driver's listing). A
    reader's InputError becomes a Failure here: exceptions do not pickle, and the rows cross a shuffle."""
    uri, data = record
    name = names.get(uri, uri)
    try:
        items: Iterable[Item] = read_bytes(data, name, max_chars=max_chars)
        for position, item in enumerate(items):
            yield name, position, failure_from(item) if isinstance(item, InputError) else item
    except Exception as exc:  # a reader bug on one file: recorded, and the job goes on
        log.warning("%s: unexpected error while reading", name, exc_info=True)
        yield name, -1, Failure(name, "read", UNEXPECTED, f"{type(exc).__name__}: {exc}")


# -- analysing: the local runner's stage, once per process ----------------------------------------------
def analyze_partition(
    items: Iterable[tuple[str, int, ArticleInput | Failure]], language: str, max_chars: int
) -> Iterator[tuple[str, Row]]:
    """``mapPartitions``: each ``(input, position, article)`` through ``AnalyzeStage.process``, as rows."""
    for name, position, item in items:
        if isinstance(item, Failure):
            yield "failures", failure_row(item, name, position, None)
            continue
        task = prepare(item)  # the id and the cleaned text, which the analyser then reuses
        key = task.article_id
        outcome = stage_for(language, max_chars).process(task)
        if isinstance(outcome, Failure):
            yield "failures", failure_row(outcome, name, position, key)
        else:
            yield from analysis_rows(outcome.analysis, outcome.input_text, name, position, key)


def failure_row(failure: Failure, name: str, position: int, key: str | None) -> Row:
    return (failure.input, failure.stage, failure.code, failure.message, name, position, key)


def analysis_rows(
    analysis: Analysis, input_text: str, name: str, position: int, key: str | None
) -> Iterator[tuple[str, Row]]:
    """The rows of one analysed article: articles, quotations, entities, mentions, dates."""
    from onrecord.store.stories import to_blob

    provenance = analysis.provenance
    yield (
        "articles",
        (
            analysis.id,
            name,
            position,
            key if key is not None else analysis.id,
            analysis.source,
            analysis.title,
            analysis.published,
            analysis.published_from,
            analysis.language,
            analysis.url,
            analysis.outlet,
            len(analysis.quotes),
            analysis.text,
            input_text,
            provenance.get("onrecord"),
            provenance.get("model"),
            to_blob(_signer().signature(analysis.text)),
            analysis.to_json(),
        ),
    )
    for position_, quote in enumerate(analysis.quotes):
        kind = _speaker_kind(quote, analysis)
        speaker = quote.speaker
        spans = quote.content_spans
        cue = quote.cue_span or (None, None)
        mention = speaker.mention_span or (None, None)
        context = quote.context_span or (None, None)
        yield (
            "quotations",
            (
                quote_id(analysis.id, position_),
                analysis.id,
                position_,
                quote.kind,
                quote.content,
                min(s for s, _ in spans) if spans else 0,
                max(e for _, e in spans) if spans else 0,
                [list(s) for s in spans],
                quote.cue,
                *cue,
                speaker.name,
                speaker.mention,
                *mention,
                speaker.mention_kind,
                speaker.entity,
                list(speaker.entities),
                kind,
                people.name_key(speaker.name),
                len(people.name_words(speaker.name)) if speaker.name else 0,
                None if quote.nested_in is None else quote_id(analysis.id, quote.nested_in),
                quote.confidence,
                quote.component,
                *context,
                analysis.published,
                None if speaker.named is None else bool(speaker.named),
                speaker.resolution,
                *(speaker.antecedent_span or (None, None)),
                quote.cue_class,
                name,
                position,
            ),
        )
    for entity in analysis.entities:
        yield (
            "entities",
            (
                analysis.id,
                entity.id,
                entity.type,
                entity.name,
                list(entity.roles),
                [list(m) for m in entity.mentions],
                len(entity.mentions),
                name,
                position,
            ),
        )
        for number, (start, end) in enumerate(entity.mentions):
            yield (
                "mentions",
                (analysis.id, entity.id, number, start, end, input_text[start:end], name, position),
            )
    for number, date in enumerate(analysis.dates):
        yield (
            "dates",
            (analysis.id, number, date.text, *date.span, date.value, date.granularity, name, position),
        )
