"""Turn what the user names (files, folders, JSON Lines, ``-`` for stdin) into articles.

Each item is an ArticleInput, or an InputError that names the input (file, or file:line) and says what
to do; a bad input never stops the others. What the readers had to guess is logged as a warning with
a code (docs/errors.md): a publication date they could not read (the article is kept undated), an
encoding detected with little confidence, a JSON Lines id that an earlier input already had.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import gzip
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from onrecord.errors import ErrorCode, InputError, WarningCode
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
    names = _Names()  # the names of JSON Lines records, unique over the whole run
    for name in paths:
        if name == "-":
            yield from _read_stream(sys.stdin.buffer, "-", max_chars, names=names)
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
                yield from _read_file(file, max_chars, names)
        elif path.is_file():
            yield from _read_file(path, max_chars, names)
        else:
            yield InputError(ErrorCode.UNREADABLE, name, "no such file or folder")


def read_sample() -> Iterator[Item]:
    """The bundled Wikinews sample (CC BY 2.5, see data/sample/ATTRIBUTION.md)."""
    data = resources.files("onrecord").joinpath(SAMPLE_PATH).read_bytes()
    yield from _read_jsonl(data, "sample:wikinews.jsonl", MAX_INPUT_CHARS, _Names())


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


def _read_file(path: Path, max_chars: int, names: _Names | None = None) -> Iterator[Item]:
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
            jsonl = path.suffix.lower() in JSONL_SUFFIXES
            yield from _read_stream(stream, name, max_chars, jsonl=jsonl, names=names)
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


def _read_stream(
    stream: BinaryIO, name: str, max_chars: int, *, jsonl: bool = False, names: _Names | None = None
) -> Iterator[Item]:
    names = names if names is not None else _Names()
    if jsonl:
        yield from _read_jsonl(stream.read(), name, max_chars, names)
        return
    if name == "-":
        # Standard input may be a WARC archive, a web page or JSON Lines as well as text: look at its
        # first bytes. An article does not open with '{"'; a JSON Lines record does.
        head = stream.peek(512)[:512] if hasattr(stream, "peek") else b""
        if head.startswith((b"WARC/", b"\x1f\x8b")):
            yield from _read_warc(stream, name)
            return
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b'{"'):
            yield from _read_jsonl(stream.read(), name, max_chars, names)
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
    yield text_article(data, name)


def text_article(data: bytes, name: str) -> Item:
    """One plain-text article from its bytes, with the encoding they were decoded from."""
    decoded = decode_text(data, name)
    if isinstance(decoded, InputError):
        return decoded
    if decoded.encoding != "utf-8" or not decoded.sure:
        _note_encoding(decoded, name)
    return ArticleInput(text=decoded.text, source=name, encoding=decoded.encoding, encoding_sure=decoded.sure)


def _read_jsonl(data: bytes, name: str, max_chars: int, names: _Names | None = None) -> Iterator[Item]:
    names = names if names is not None else _Names()
    fallback: Decoded | None = None  # the file's encoding, detected once, for lines that are not UTF-8
    lines: list[bytes | str]
    whole: Decoded | None = None  # the file's decoding, when it is decoded as a whole
    bom = _utf16_or_32_bom(data)
    if bom is not None:  # every line holds NUL bytes: decode the whole file, then split it
        decoded = decode_text(data, name)
        if isinstance(decoded, InputError):
            yield decoded
            return
        _note_encoding(decoded, name)
        whole = decoded
        # not str.splitlines: a JSON string may hold U+2028 as it is
        lines = list(_LINE_BREAK.split(decoded.text))
    else:
        lines = list(data.splitlines())
    for number, raw in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if not raw.strip():
            continue
        line_decoding = whole
        if isinstance(raw, str):
            line = raw
        else:
            if fallback is None and not _is_utf8(raw):
                fallback = _detect_legacy(data)
                if fallback is not None:
                    _note_encoding(fallback, name)
            decoded = decode_text(raw, where, legacy=fallback.encoding if fallback else None)
            if isinstance(decoded, InputError):
                yield decoded
                continue
            line, line_decoding = decoded.text, decoded
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
        source = names.claim(str(record.get("id") or record.get("url") or where), where)
        raw_date = record.get("published") or record.get("date")
        yield ArticleInput(
            text=record["text"],
            source=source,
            published=_record_date(raw_date, source) if raw_date else None,
            title=_opt_str(record.get("title")),
            url=_opt_str(record.get("url")),
            outlet=_opt_str(record.get("source") or record.get("outlet")),
            encoding=line_decoding.encoding if line_decoding else None,
            encoding_sure=line_decoding.sure if line_decoding else None,
        )


class _Names:
    """The names given to JSON Lines records in one run, so that each input has its own: a record
    whose id (or url) an earlier record already had is named ``FILE:LINE`` instead (warning W003).
    Its failure, if it fails, is then listed under its own name, and storing a namesake does not
    clear it."""

    def __init__(self) -> None:
        self._where: dict[str, str] = {}

    def claim(self, name: str, where: str) -> str:
        first = self._where.setdefault(name, where)
        if first == where:  # the first record with this name, or the same line read again
            return name
        _warn(
            WarningCode.NAME_REPEATED,
            where,
            f"the id {name!r} was already given to {first}; this record is named {where}",
        )
        self._where.setdefault(where, where)
        return where


def _opt_str(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _warn(code: WarningCode, source: str, message: str) -> None:
    log.warning("%s: [%s] %s", source, code.value, message)


# -- publication dates in JSON Lines -------------------------------------------------------------------------
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: 01/02/2020, 1.2.2020: day first or month first cannot be told apart when both are 12 or less.
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def read_date(value: object) -> str | None:
    """A publication date as ``YYYY-MM-DD``, or None when it cannot be read without guessing.

    Read: ISO 8601 (``2020-01-02``, ``2020-01-02T10:00:00Z``: the date as written, the time
    dropped), RFC 2822 as in RSS and e-mail (``Mon, 02 Jan 2020 10:00:00 GMT``, by
    :func:`email.utils.parsedate_to_datetime`), and dates with the month written out (``January 2,
    2020``, ``2 Jan 2020``, ``Thursday, 2 January 2020 10:00``, by :mod:`dateutil`). A date must name
    its year (four digits), month and day: ``Friday``, ``January 2020`` and ``01/02/2020`` (2 January
    or 1 February?) are not read. ``12/25/2020`` and ``25.12.2020`` are, having only one reading.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric:
        first, second, year = (int(g) for g in numeric.groups())
        if first <= 12 and second <= 12 and first != second:
            return None  # ambiguous
        month, day = (first, second) if second > 12 else (second, first)
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    if not _YEAR.search(text) or not re.search(r"[A-Za-z]{3}", text):
        return None
    return _written_out(text)


def _written_out(text: str) -> str | None:
    """A date with its month written out, read by dateutil; None unless year, month and day are all
    in the text (two parses with different defaults must agree, or a part was filled in)."""
    from dateutil import parser

    try:
        one = parser.parse(text, default=dt.datetime(2000, 1, 1), fuzzy=False)
        two = parser.parse(text, default=dt.datetime(2004, 2, 2), fuzzy=False)
    except (ValueError, OverflowError, parser.ParserError):
        return None
    if one.date() != two.date():
        return None
    return one.date().isoformat()


def _record_date(value: object, source: str) -> str | None:
    found = read_date(value)
    if found is None:
        _warn(
            WarningCode.DATE_UNREAD,
            source,
            f"publication date {str(value)[:60]!r} cannot be read as a date; the article is stored "
            "undated (give it as YYYY-MM-DD)",
        )
    return found


# -- bytes to text ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes: the text, the encoding (Python's name) and whether onrecord is sure."""

    text: str
    encoding: str
    sure: bool = True
    why: str = ""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Encodings the detector may name for English text in a legacy single-byte encoding: their letters
#: are Latin, and English bytes decode alike in most of them. English news in such an encoding is
#: Windows-1252 (a superset of Latin-1's printable characters) far more often than any of these, and
#: the detector cannot tell them apart on a few accented letters: it named cp1250 for cp1252 and
#: Latin-1 samples, which turns "£" into "Ł". So a Latin detection is decoded as Windows-1252.
_LATIN_ENCODINGS = frozenset(
    {"cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "cp437", "cp775", "cp850", "cp852"}
    | {"cp858", "cp1125", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish"}
    | {f"iso8859_{n}" for n in (2, 3, 4, 9, 10, 13, 14, 15, 16)}
)
#: The detector's "chaos" (0 to 1: the share of the decoded text that looks like mojibake) above
#: which a detection is reported as unsure (W002). Its own default cut-off for a candidate is 0.2.
UNSURE_CHAOS = 0.1
#: Text whose bytes are at least this share ASCII, with a few others, is English in a Western encoding
#: (Windows-1252) whatever the detector says: on a short text it named cp1006 (Urdu) for "Café £5" in
#: Latin-1. Russian, Greek or Japanese text is mostly non-ASCII bytes.
MOSTLY_ASCII = 0.75
#: Bytes the detector reads at most (its own sampling does the rest): detection stays fast on big files.
_DETECT_BYTES = 1_000_000


def _utf16_or_32_bom(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect_legacy(data: bytes) -> Decoded | None:
    """The encoding of bytes that are not UTF-8, by charset-normalizer; None if nothing fits."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_DETECT_BYTES]).best()
    latin = best is not None and best.encoding in _LATIN_ENCODINGS
    ascii_share = sum(1 for b in data[:_DETECT_BYTES] if b < 0x80) / max(1, min(len(data), _DETECT_BYTES))
    if latin or ascii_share >= MOSTLY_ASCII:
        for candidate in ("cp1252", "latin_1"):
            try:
                text = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            if best is None or not latin:
                guess = best.encoding if best is not None else "nothing"
                return Decoded(text, candidate, False, f"mostly ASCII; the detector suggested {guess}")
            sure = best.chaos < UNSURE_CHAOS
            return Decoded(text, candidate, sure, "" if sure else f"{best.chaos:.0%} of it looks garbled")
    if best is None:
        return None
    encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    sure = best.chaos < UNSURE_CHAOS
    return Decoded(text, encoding, sure, "" if sure else f"{best.chaos:.0%} of it looks garbled")


def decode_text(data: bytes, name: str, *, legacy: str | None = None) -> Decoded | InputError:
    """Bytes to text: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; else UTF-8 if the bytes are
    valid UTF-8; else the encoding charset-normalizer detects (``legacy``: one already detected for
    the file this is a line of). Refused: NUL bytes outside UTF-16/32 (E002), and bytes no encoding
    reads (E003). ``sure`` is False when the detection was weak, and when a few bytes of otherwise
    valid UTF-8 had to be replaced (U+FFFD)."""
    codec = _utf16_or_32_bom(data)
    if codec is not None:
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError as exc:
            return InputError(
                ErrorCode.NOT_UTF8,
                name,
                f"starts like {codec.upper()} but is not valid {codec.upper()} ({exc})",
            )
    if b"\x00" in data[:8192]:
        return InputError(ErrorCode.BINARY, name, "the input looks binary (it holds NUL bytes), not text")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return Decoded(data[bom:].decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start + bom
    damaged = _mostly_utf8(data[bom:])
    if damaged is not None:
        return damaged
    found: Decoded | None = None
    if legacy is not None:
        try:
            found = Decoded(data.decode(legacy), legacy)
        except UnicodeDecodeError:
            found = None
    if found is None:
        found = _detect_legacy(data)
    if found is None:
        return InputError(
            ErrorCode.NOT_UTF8,
            name,
            f"not text in UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad}) or in any encoding "
            "onrecord can detect; if it is text, convert it to UTF-8 first, e.g. "
            f"`iconv -f windows-1252 -t utf-8 {_file_of(name)}`",
        )
    return found


def _mostly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few damaged bytes (a Latin-1 "é" pasted into a UTF-8 file): the damaged bytes
    replaced by U+FFFD, when valid multi-byte characters outnumber them two to one. Text in a legacy
    encoding almost never holds a valid UTF-8 sequence by chance (it takes an "Ã" before a symbol)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if bad and good >= 2 * bad:
        why = f"{bad} byte{'s' * (bad != 1)} not valid UTF-8, replaced by U+FFFD"
        return Decoded(text, "utf-8", False, why)
    return None


def _note_encoding(decoded: Decoded, name: str) -> None:
    if decoded.sure:
        log.info("%s: read as %s (not UTF-8)", name, decoded.encoding)
    else:
        _warn(
            WarningCode.ENCODING_UNSURE,
            name,
            f"not UTF-8; read as {decoded.encoding}, but the detection is unsure"
            + (f" ({decoded.why})" if decoded.why else "")
            + "; check the text, or convert the file to UTF-8",
        )


def decode(data: bytes, name: str) -> str | InputError:
    """:func:`decode_text`'s text (an encoding other than UTF-8 is logged; an unsure one is a warning)."""
    decoded = decode_text(data, name)
    if isinstance(decoded, InputError):
        return decoded
    if decoded.encoding != "utf-8" or not decoded.sure:
        _note_encoding(decoded, name)
    return decoded.text


def _file_of(name: str) -> str:
    return name.rsplit(":", 1)[0] if ":" in name and not Path(name).exists() else name


def _too_large(name: str, size: int | None, max_chars: int) -> InputError:
    what = f"{size:,} bytes" if size is not None else "more bytes"
    return InputError(
        ErrorCode.TOO_LARGE,
        name,
        f"the input has {what}, more than one article can hold (limit {max_chars:,} characters); "
        "split it into articles (JSON Lines, one per line) or raise --max-chars",
    )
