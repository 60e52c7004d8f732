"""Turn what the user names (files, folders, JSON Lines, ``-`` for stdin) into articles.

Each item is an ArticleInput, or an InputError that names the input (file, or file:line) and says what
to do; a bad input never stops the others.
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from onrecord.errors import ErrorCode, InputError
from onrecord.pipeline import MAX_INPUT_CHARS, ArticleInput

#: File name endings read as plain text, JSON Lines, HTML pages and WARC archives (also in folders).
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
WARC_SUFFIXES = frozenset({".warc", ".warc.gz"})
SAMPLE_PATH = "data/sample/wikinews.jsonl"
#: UTF-8 takes at most 4 bytes a character: a file bigger than this cannot be under the character limit.
_BYTES_PER_CHAR = 4

Item = ArticleInput | InputError
log = logging.getLogger(__name__)


def read_inputs(paths: Iterable[str], *, max_chars: int = MAX_INPUT_CHARS) -> Iterator[Item]:
    for name in paths:
        if name == "-":
            yield from _read_stream(sys.stdin.buffer, "-", max_chars)
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _readable_suffix(p))
            if not files:
                yield InputError(
                    ErrorCode.UNREADABLE,
                    name,
                    f"the folder holds no {', '.join(sorted(TEXT_SUFFIXES | JSONL_SUFFIXES))} files",
                )
            for file in files:
                yield from _read_file(file, max_chars)
        elif path.is_file():
            yield from _read_file(path, max_chars)
        else:
            yield InputError(ErrorCode.UNREADABLE, name, "no such file or folder")


def read_sample() -> Iterator[Item]:
    """The bundled Wikinews sample (CC BY 2.5, see data/sample/ATTRIBUTION.md)."""
    data = resources.files("onrecord").joinpath(SAMPLE_PATH).read_bytes()
    yield from _read_jsonl(data, "sample:wikinews.jsonl", MAX_INPUT_CHARS)


def _readable_suffix(path: Path) -> bool:
    return _kind(path) != "unknown"


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(tuple(WARC_SUFFIXES)):
        return "warc"
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or name.endswith(tuple(s + ".gz" for s in HTML_SUFFIXES)):
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "unknown"


def _read_file(path: Path, max_chars: int) -> Iterator[Item]:
    name = str(path)
    kind = _kind(path)
    if kind == "warc":
        yield from _read_warc(path, name)
        return
    if kind == "html":
        yield _read_html(path, name)
        return
    try:
        size = path.stat().st_size
        if path.suffix.lower() not in JSONL_SUFFIXES and size > max_chars * _BYTES_PER_CHAR:
            yield _too_large(name, size, max_chars)
            return
        with path.open("rb") as stream:
            yield from _read_stream(stream, name, max_chars, jsonl=path.suffix.lower() in JSONL_SUFFIXES)
    except OSError as exc:
        yield InputError(ErrorCode.UNREADABLE, name, f"cannot be read: {exc.strerror or exc}")


def _read_warc(source: Path | BinaryIO, name: str) -> Iterator[Item]:
    """The articles of a WARC archive; what was skipped, and why, is counted and logged at the end."""
    from onrecord.ingest.warc import WarcSummary, warc_articles

    summary = WarcSummary()
    if isinstance(source, Path):
        yield from warc_articles(source, summary=summary)
    else:
        yield from warc_articles(source, summary=summary, name=name)
    skipped = ", ".join(f"{count} {why}" for why, count in summary.skipped.most_common()) or "none"
    problems = ", ".join(f"{count} {kind}" for kind, count in summary.problems.most_common()) or "none"
    log.info(
        "%s: %d records, %d HTML pages read; skipped: %s; damaged: %s",
        name,
        summary.records,
        summary.pages,
        skipped,
        problems,
    )


def _read_html(path: Path, name: str) -> Item:
    """One saved page: its article body and metadata (onrecord.clean.html)."""
    from onrecord.clean.html import MAX_BYTES, html_to_article

    try:
        if path.stat().st_size > MAX_BYTES and not path.name.lower().endswith(".gz"):
            return InputError(
                ErrorCode.TOO_LARGE, name, f"the page has more than {MAX_BYTES:,} bytes; it is not an article"
            )
        data = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            data = gzip.decompress(data)
        return html_to_article(data, source=name)
    except InputError as exc:
        return exc
    except (OSError, EOFError) as exc:
        return InputError(ErrorCode.UNREADABLE, name, f"cannot be read: {exc}")


def _read_stream(stream: BinaryIO, name: str, max_chars: int, *, jsonl: bool = False) -> Iterator[Item]:
    if jsonl:
        yield from _read_jsonl(stream.read(), name, max_chars)
        return
    if name == "-":
        # Standard input may be a WARC archive, a web page or JSON Lines as well as text: look at its
        # first bytes. An article does not open with '{"'; a JSON Lines record does.
        head = stream.peek(512)[:512] if hasattr(stream, "peek") else b""
        if head.startswith((b"WARC/", b"\x1f\x8b")):
            yield from _read_warc(stream, name)
            return
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b'{"'):
            yield from _read_jsonl(stream.read(), name, max_chars)
            return
        if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
            from onrecord.clean.html import html_to_article

            try:
                yield html_to_article(stream.read(), source=name)
            except InputError as exc:
                yield exc
            return
    data = stream.read(max_chars * _BYTES_PER_CHAR + 1)
    if len(data) > max_chars * _BYTES_PER_CHAR:
        yield _too_large(name, None, max_chars)
        return
    text = decode(data, name)
    if isinstance(text, InputError):
        yield text
    else:
        yield ArticleInput(text=text, source=name)


def _read_jsonl(data: bytes, name: str, max_chars: int) -> Iterator[Item]:
    for number, raw in enumerate(data.splitlines(), start=1):
        where = f"{name}:{number}"
        if not raw.strip():
            continue
        line = decode(raw, where)
        if isinstance(line, InputError):
            yield line
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(ErrorCode.BAD_RECORD, where, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield InputError(
                ErrorCode.BAD_RECORD, where, 'each line must be a JSON object with a "text" string'
            )
            continue
        published = record.get("published") or record.get("date")
        yield ArticleInput(
            text=record["text"],
            source=str(record.get("id") or record.get("url") or where),
            published=str(published) if published else None,
            title=_opt_str(record.get("title")),
            url=_opt_str(record.get("url")),
            outlet=_opt_str(record.get("source") or record.get("outlet")),
        )


def _opt_str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def decode(data: bytes, name: str) -> str | InputError:
    if b"\x00" in data[:8192]:
        return InputError(ErrorCode.BINARY, name, "the input looks binary (it holds NUL bytes), not text")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
        file = name.rsplit(":", 1)[0] if ":" in name and not Path(name).exists() else name
        return InputError(
            ErrorCode.NOT_UTF8,
            name,
            f"not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); convert it first, e.g. "
            f"`iconv -f windows-1252 -t utf-8 {file}`",
        )


def _too_large(name: str, size: int | None, max_chars: int) -> InputError:
    what = f"{size:,} bytes" if size is not None else "more bytes"
    return InputError(
        ErrorCode.TOO_LARGE,
        name,
        f"the input has {what}, more than one article can hold (limit {max_chars:,} characters); "
        "split it into articles (JSON Lines, one per line) or raise --max-chars",
    )
