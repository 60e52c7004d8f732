"""Read WARC files (web archives, ISO 28500) into the HTML pages of news articles.

``iter_warc`` streams a .warc or .warc.gz (a path, or a binary stream such as stdin) and yields a
WarcPage for each HTML response worth reading and a WarcProblem for each damaged part, which it skips
to go on at the next record: damage never costs the records around it. The rest (requests, metadata,
non-HTML, redirects, errors, home and tag pages) is skipped and counted in a WarcSummary.
``warc_articles`` makes ArticleInputs of the pages. docs/warc.md describes it all, and why the reader
is our own (FastWARC and warcio misread the damaged files of ../shared/data/warc/real, or stop there).
"""

from __future__ import annotations

import codecs
import contextlib
import importlib
import re
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from onrecord.errors import ErrorCode, InputError

if TYPE_CHECKING:
    from onrecord.pipeline import ArticleInput

#: Bytes read from the file at a time.
CHUNK_BYTES = 1 << 20
#: The most bytes a WARC or HTTP header block may take. Common Crawl's are under 4 KiB; a record whose
#: header does not end within this is malformed (and reading on would hold a whole broken file).
MAX_HEADER_BYTES = 64 << 10
#: Larger HTML payloads are skipped ("too-large"): no news page is 16 MiB, and a page is held in memory.
MAX_PAGE_BYTES = 16 << 20
#: Media types read as HTML pages (the HTTP Content-Type without its parameters).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: A path segment that makes a page a list of articles, not an article: /tag/x, /news/topics/y, ...
LISTING_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "topic", "topics", "search", "author", "authors"}
    | {"label", "labels", "archive", "archives", "section", "sections"}
)
#: Query keys of site search pages (WordPress ?s=, most others ?q=).
SEARCH_KEYS = frozenset({"s", "q", "query", "search"})
_HOME_FILES = re.compile(r"(?:index|default|home)(?:\.\w+)?", re.I)
_ALPHA_SEGMENT = re.compile(r"~?[^\W\d_]+")
_VERSION_LINE = re.compile(rb"WARC/1\.\d\r?\n")
_HTTP_STATUS = re.compile(rb"HTTP/\d(?:\.\d)?[ \t]+(\d{3})")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK_SIZE = re.compile(rb"([0-9a-fA-F]+)[^\n]*\n")


@dataclass(frozen=True)
class WarcPage:
    """One HTML response: its URL, the crawl date, the charset the server named, and the raw body."""

    url: str
    date: str | None
    http_charset: str | None
    body: bytes
    record_id: str | None
    #: Where the record starts in the file; in a .warc.gz, where its gzip member starts (as CDX gives it).
    offset: int
    #: The file, as given ("-" for stdin).
    file: str
    status: int = 200
    content_type: str = "text/html"

    @property
    def source(self) -> str:
        """The name of this page as an input: ``FILE#OFFSET``."""
        return f"{self.file}#{self.offset}"


@dataclass(frozen=True)
class WarcProblem:
    """A damaged part of a WARC file: what is wrong, where, and what the reader did about it."""

    file: str
    offset: int
    #: "truncated", "lf-only", "malformed", "length", "junk" or "gzip" (docs/warc.md).
    kind: str
    message: str
    #: True when the record was read all the same (``iter_warc(..., salvage=True)``).
    kept: bool = False

    def to_error(self, name: str | None = None) -> InputError:
        """The problem as the InputError a batch records (code E007, bad record), named FILE#OFFSET
        (or ``name``)."""
        return InputError(
            ErrorCode.BAD_RECORD, name or f"{self.file}#{self.offset}", self.message, stage="read"
        )


@dataclass
class WarcSummary:
    """What a read found. Pass one to ``iter_warc(summary=...)``; it is filled in as the file is read."""

    records: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    #: Why: not-response, not-http, http-status, not-html, encoded, too-large, non-article.
    skipped: Counter[str] = field(default_factory=Counter)
    #: Problems by kind (see WarcProblem.kind).
    problems: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {k: dict(v) if isinstance(v, Counter) else v for k, v in vars(self).items()}


Item = WarcPage | WarcProblem
Headers = dict[str, str]


def iter_warc(
    source: str | Path | BinaryIO,
    *,
    name: str | None = None,
    summary: WarcSummary | None = None,
    skip_non_articles: bool = True,
    salvage: bool = False,
) -> Iterator[Item]:
    """The HTML pages of a WARC file (plain or gzip, detected from its first bytes), and its problems.

    ``source`` is a path or a binary stream (read to its end, never seeked; the caller closes it);
    ``name`` names it in pages and problems (default: the path, or the stream's name, or "-").
    ``skip_non_articles`` skips home, section, tag and search pages by their URL
    (:func:`looks_like_non_article`). With ``salvage``, a response whose only fault is LF-only line
    endings is read up to the next record and yielded after its problem (which says ``kept``).
    """
    options = (summary if summary is not None else WarcSummary(), skip_non_articles, salvage)
    if isinstance(source, (str, Path)):
        with open(source, "rb") as stream:
            yield from _Reader(_Input(stream), name or str(source), *options)
    else:
        label = name or getattr(source, "name", None)
        yield from _Reader(_Input(source), label if isinstance(label, str) else "-", *options)


def warc_articles(
    source: str | Path | BinaryIO,
    *,
    html_to_article: Callable[..., ArticleInput] | None = None,
    summary: WarcSummary | None = None,
    **options: Any,
) -> Iterator[ArticleInput | InputError]:
    """The articles of a WARC file: ``html_to_article(html, source=..., url=...)`` on each page.

    The HTML goes as ``str`` when the server's charset decodes it, else as the raw bytes (the function
    then finds the encoding itself). Its InputError, and each WarcProblem (as E007), is yielded, not
    raised. The default function is ``onrecord.clean.html.html_to_article``, imported on first use.
    """
    convert = html_to_article or _default_html_to_article()
    # Two items can start at one offset (a page and a damaged record in one gzip member, two problems
    # found at one place): the second is FILE#OFFSET~2, so that each is stored or listed on its own
    # (a store keeps one failure per name; found by the fuzz run, issue #16).
    used: Counter[str] = Counter()

    def unique(name: str) -> str:
        used[name] += 1
        return name if used[name] == 1 else f"{name}~{used[name]}"

    for item in iter_warc(source, summary=summary, **options):
        if isinstance(item, WarcProblem):
            yield item.to_error(unique(f"{item.file}#{item.offset}"))
            continue
        try:
            yield convert(decode_body(item), source=unique(item.source), url=item.url)
        except InputError as exc:
            yield exc


def decode_body(page: WarcPage) -> str | bytes:
    """The body as text when the HTTP charset is known and decodes it cleanly, else the bytes (also
    when it starts with a byte-order mark, which wins over the header in the HTML standard)."""
    body, charset = page.body, page.http_charset
    if charset and not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return body.decode(charset)
    return body


def bench_warc(path: str | Path) -> float:
    """Pages per second of reading a WARC file and finding its HTML pages (no HTML parsing, no NLP)."""
    start = time.perf_counter()
    pages = sum(isinstance(item, WarcPage) for item in iter_warc(path, skip_non_articles=False))
    seconds = time.perf_counter() - start
    return pages / seconds if seconds > 0 else float("inf")


def looks_like_non_article(url: str) -> bool:
    """True for a URL of a page that lists articles rather than being one (docs/warc.md, "non-article").

    - a home page: no path, or /index.html and the like;
    - a tag, category, topic, author, archive or search page: a path segment in LISTING_SEGMENTS, a
      search query (?s=, ?q=), or pagination (/page/2);
    - a section front: at most three path segments, all plain words (/news, /world/europe, /~user).
      News articles have a slug with hyphens or an id with digits (all 181 pages of ../shared/data/aeb).
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments or (len(segments) == 1 and _HOME_FILES.fullmatch(segments[0])):
        return True
    lowered = [s.lower() for s in segments]
    return bool(
        LISTING_SEGMENTS.intersection(lowered)
        or any(a == "page" and b.isdigit() for a, b in pairwise(lowered))
        or any(key.lower() in SEARCH_KEYS and value for key, value in parse_qsl(parts.query))
        or (len(segments) <= 3 and all(_ALPHA_SEGMENT.fullmatch(s) for s in segments))
    )


def _default_html_to_article() -> Callable[..., ArticleInput]:
    try:
        return importlib.import_module("onrecord.clean.html").html_to_article
    except ImportError as exc:
        raise RuntimeError(f"pass html_to_article= to warc_articles ({exc})") from exc


# -- the bytes of the file ---------------------------------------------------------------------------
class _Input:
    """The bytes of a WARC file, decompressed when it is gzip, read a chunk at a time.

    Positions are in the (decompressed) stream; ``buf`` holds the bytes from ``pos`` on. ``offset``
    maps a position back to the file: itself for a plain file, else the start of the gzip member that
    holds it. ``gaps`` are positions where bytes are missing (a truncated or corrupt gzip member), each
    with its file offset and what is wrong: no record is read across one.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._raw = stream
        self.buf = bytearray()
        self.pos = 0
        self.eof = False
        self._pending = stream.read(CHUNK_BYTES)
        while 0 < len(self._pending) < 2 and (more := stream.read(CHUNK_BYTES)):  # enough to know gzip
            self._pending += more
        self.gzip = self._pending[:2] == _GZIP_MAGIC[:2]
        self._raw_pos = 0  # file offset of the next compressed byte
        self._z: Any = None  # the decompressor of the current member
        self._member_offset = 0
        self._member_raw: bytearray | None = None  # its compressed bytes, to resync after damage
        self._junk: list[Any] | None = None  # [file offset, bytes, why] of bytes skipped between members
        self.members: deque[tuple[int, int]] = deque()  # (stream position, file offset) of member starts
        self.gaps: deque[tuple[int, int, str]] = deque()

    @property
    def end(self) -> int:
        return self.pos + len(self.buf)

    def fill(self) -> bool:
        """Add at least one byte to the buffer; False at the end of the input."""
        before = len(self.buf)
        while len(self.buf) == before and not self.eof:
            data = self._pending or self._raw.read(CHUNK_BYTES)
            self._pending = b""
            if not self.gzip:
                self.buf += data
            elif data:
                self._inflate(data)
            else:
                self._finish_gzip()
            self.eof = not data
        return len(self.buf) > before

    def read_to(self, first: int, stop: int, *, keep: bool = True) -> int:
        """Read towards position ``stop`` (dropping the bytes unless ``keep``), but not past a gap after
        ``first``; return the position reached."""
        while True:
            gap = self.gap_after(first)
            limit = stop if gap is None else min(gap, stop)
            if self.end >= limit:
                return limit
            if not keep:
                self.consume(self.end)
            if not self.fill():
                return self.end

    def gap_after(self, start: int) -> int | None:
        """The position of the first gap after ``start``, if one has been found yet."""
        return next((pos for pos, _, _ in self.gaps if pos > start), None)

    def offset(self, pos: int) -> int:
        if not self.gzip:
            return pos
        return next((off for start, off in reversed(self.members) if start <= pos), self._raw_pos)

    def consume(self, stop: int) -> None:
        """Drop the bytes before position ``stop``, reading on (and discarding) if it is past the end."""
        while self.end < stop:
            self.pos, self.buf = self.end, bytearray()
            if not self.fill():
                break
        cut = max(0, min(stop, self.end) - self.pos)
        del self.buf[:cut]
        self.pos += cut
        while len(self.members) > 1 and self.members[1][0] <= self.pos:
            self.members.popleft()

    def find(self, pattern: bytes, start: int, stop: int) -> int:
        """The position of ``pattern`` within [start, stop) of the buffer; -1 if it is not there."""
        i = self.buf.find(pattern, max(0, start - self.pos), max(0, stop - self.pos))
        return i if i < 0 else self.pos + i

    # gzip: one member after another, each with its file offset
    def _inflate(self, data: bytes) -> None:
        while data:
            if self._z is None:
                while len(data) < 3 and (more := self._raw.read(CHUNK_BYTES)):
                    data += more
                if not data.startswith(_GZIP_MAGIC):  # not a member: skip to the next one
                    i = data.find(_GZIP_MAGIC, 1)
                    skip = i if i >= 0 else max(1, len(data) - 2)  # the magic may straddle two reads
                    self._junk = self._junk or [self._raw_pos, 0, ""]
                    self._junk[1] += skip
                    self._raw_pos, data = self._raw_pos + skip, data[skip:]
                    continue
                self._end_junk()
                self.members.append((self.end, self._raw_pos))
                self._z, self._member_offset = zlib.decompressobj(31), self._raw_pos
                self._member_raw = bytearray()
            try:
                self.buf += self._z.decompress(data)
            except zlib.error as exc:  # look for the next member from just after this one's start
                raw, base = bytearray(data), self._raw_pos
                if self._member_raw is not None:
                    raw, base = self._member_raw + data, self._member_offset
                self._junk = [self._member_offset, 0, f"corrupt gzip member ({exc})"]
                self._z, self._raw_pos, data = None, base + 1, bytes(raw[1:])
                continue
            if self._z.eof:
                used = len(data) - len(self._z.unused_data)
                self._raw_pos, data, self._z = self._raw_pos + used, self._z.unused_data, None
            else:
                if self._member_raw is not None:
                    self._member_raw += data
                    if len(self._member_raw) > MAX_PAGE_BYTES:  # a whole-file gzip: stop keeping it
                        self._member_raw = None
                self._raw_pos, data = self._raw_pos + len(data), b""

    def _finish_gzip(self) -> None:
        """At the end of the file: a member left open was cut short. zlib may have read the members
        after it as its own data: if another member starts inside it, go on from there."""
        if self._z is not None:
            raw, self._z = self._member_raw or b"", None
            if (i := raw.find(_GZIP_MAGIC, 1)) > 0:
                self._junk = [self._member_offset, 0, "a gzip member cut short"]
                self._raw_pos = self._member_offset + i
                self._inflate(bytes(raw[i:]))
                return self._finish_gzip()
            self.gaps.append((self.end, self._member_offset, "the gzip stream ends inside a member"))
        self._end_junk()

    def _end_junk(self) -> None:
        if self._junk:
            offset, count, why = self._junk
            self.gaps.append((self.end, offset, f"{why or f'{count:,} bytes that are not gzip'}; skipped"))
            self._junk = None


# -- records -----------------------------------------------------------------------------------------
class _Reader:
    """Records one after another; on damage, a problem and a resynchronisation on the next record."""

    def __init__(self, inp: _Input, file: str, summary: WarcSummary, skip_non_articles: bool, salvage: bool):
        self.inp, self.file, self.summary = inp, file, summary
        self.skip_non_articles, self.salvage = skip_non_articles, salvage
        self._reported = -1  # gaps up to this stream position were reported with a record

    def __iter__(self) -> Iterator[Item]:
        inp = self.inp
        while True:
            while (inp.buf or inp.fill()) and inp.buf[0] in b"\r\n":
                inp.consume(inp.pos + 1)
            while inp.gaps and inp.gaps[0][0] <= inp.pos:  # bytes missing before this record
                pos, offset, why = inp.gaps.popleft()
                if pos > self._reported:  # (one inside a record was reported with the record)
                    yield self._problem(offset, "gzip", why)
            if not inp.buf:
                return
            yield from self._record()

    def _problem(self, offset: int, kind: str, message: str, *, kept: bool = False) -> WarcProblem:
        self.summary.problems[kind] += 1
        return WarcProblem(self.file, offset, kind, f"at offset {offset:,}: {message}", kept)

    def _resync(self, start: int, *, keep: bool = False) -> int:
        """The position of the next record at or after ``start``: a 'WARC/1.x' line, the start of a gzip
        member, a gap, or the end of the input. Unless ``keep``, the bytes searched are dropped."""
        inp, searched = self.inp, start
        while True:
            stops = [p for p, _ in inp.members if p >= start] + [p for p, _, _ in inp.gaps if p >= start]
            limit = min(stops, default=inp.end)
            if (i := self._version_line(searched, limit)) >= 0:
                return i
            if stops:
                return limit
            searched = max(searched, inp.end - 8)
            if not keep and searched > inp.pos:
                inp.consume(searched)
            if not inp.fill():
                return inp.end

    def _version_line(self, start: int, stop: int) -> int:
        """The position of the first 'WARC/1.x' line that starts in [start, stop) of the buffer, or -1."""
        inp, i = self.inp, self.inp.find(b"WARC/1.", start, stop + 6)
        while i >= 0 and inp.read_to(i, i + 10) and not _VERSION_LINE.match(inp.buf, i - inp.pos):
            i = inp.find(b"WARC/1.", i + 1, stop + 6)
        return i

    def _record(self) -> Iterator[Item]:
        inp, start = self.inp, self.inp.pos
        reached = inp.read_to(start, start + MAX_HEADER_BYTES)
        offset = inp.offset(start)
        if not _VERSION_LINE.match(inp.buf):
            nxt = self._resync(start + 1)
            what = f"{nxt - start:,} bytes that are not a WARC record (or a Content-Length too small)"
            yield self._problem(offset, "junk", f"{what}; skipped")
            inp.consume(nxt)
            return
        crlf = inp.buf[8:10] == b"\r\n"
        sep = b"\r\n\r\n" if crlf else b"\n\n"
        hdr_end = inp.find(sep, start, reached)
        cut = self._version_line(start + 1, reached if hdr_end < 0 else hdr_end) >= 0
        if hdr_end < 0 or cut:
            kind, what = "truncated", f"the {'next record starts' if cut else 'input ends'} inside the header"
            if not cut and reached >= start + MAX_HEADER_BYTES:
                kind, what = "malformed", f"the record's header has no end within {MAX_HEADER_BYTES:,} bytes"
            nxt = self._resync(start + 1)
            self._reported = max(self._reported, nxt)
            yield self._problem(offset, kind, f"{what}; skipped")
            inp.consume(nxt)
            return
        headers = _fields(bytes(inp.buf[: hdr_end - start]))
        rtype = headers.get("warc-type", "").lower() or "unknown"
        self.summary.records += 1
        self.summary.by_type[rtype] += 1
        block_start = hdr_end + len(sep)
        declared = headers.get("content-length", "")
        if not crlf:
            yield from self._lf_only(offset, block_start, headers, rtype)
        elif not declared.isdigit():
            nxt = self._resync(block_start)
            yield self._problem(offset, "malformed", f"no valid Content-Length ({declared!r}); skipped")
            inp.consume(nxt)
        else:
            yield from self._block(offset, block_start, block_start + int(declared), headers, rtype)

    def _lf_only(self, offset: int, block_start: int, headers: Headers, rtype: str) -> Iterator[Item]:
        """A record that lost its CRs: its Content-Length is too long, it ends where the next begins."""
        inp, declared = self.inp, headers.get("content-length", "")
        kept = self.salvage and rtype == "response"
        nxt = self._resync(block_start, keep=kept)
        action = "read up to the next record" if kept else "skipped"
        why = f"line endings are LF only (no CR), so its Content-Length ({declared}) cannot be trusted"
        yield self._problem(offset, "lf-only", f"the {rtype} record's {why}; {action}", kept=kept)
        if kept:
            block = bytes(inp.buf[block_start - inp.pos : nxt - inp.pos])
            block = block[:-2] if block.endswith(b"\n\n") else block  # the blank line that ends a record
            if (page := self._page(offset, headers, block, _http_head(block))) is not None:
                yield page
        inp.consume(nxt)

    def _block(self, offset: int, start: int, end: int, headers: Headers, rtype: str) -> Iterator[Item]:
        """The block of a record from ``start`` to ``end``: a page, a problem, or skipped and counted."""
        inp, size = self.inp, end - start
        head, reason = None, "not-response"
        if rtype == "response":
            inp.read_to(start - 1, min(end, start + MAX_HEADER_BYTES))
            head = _http_head(bytes(inp.buf[start - inp.pos : end - inp.pos]))
            http = headers.get("content-type", "").lower().startswith("application/http")
            reason = _skip_reason(head, headers, size) if head else "bad-http" if http else "not-http"
        # a block that is not wanted and big is streamed past; the rest is read whole
        reached = inp.read_to(start - 1, end, keep=not reason or size <= MAX_HEADER_BYTES)
        if reached < end:
            why = next((w for p, _, w in inp.gaps if p == reached), "the input ends")
            self._reported = max(self._reported, reached)
            have = f"declares {size:,} bytes but has {max(0, reached - start):,} ({why})"
            yield self._problem(offset, "truncated", f"the record {have}; skipped")
            inp.consume(reached)
            return
        # a wrong Content-Length: the record does not end at its end, and the next one starts inside it
        if inp.pos <= start and not self._ends_at(end) and (i := self._version_line(start, end)) >= 0:
            into = f"{end - i:,} bytes into the next record (at offset {inp.offset(i):,})"
            yield self._problem(offset, "length", f"the record's Content-Length runs {into}; skipped")
            inp.consume(i)
            return
        if reason == "bad-http":
            yield self._problem(offset, "malformed", "the response's HTTP headers are not readable; skipped")
        elif reason:
            self.summary.skipped[reason] += 1
        else:
            block = bytes(inp.buf[start - inp.pos : end - inp.pos])
            if (page := self._page(offset, headers, block, head)) is not None:
                yield page
        inp.consume(end)

    def _ends_at(self, end: int) -> bool:
        """Whether the block ends a record: line breaks, then the next record, a gzip member or the end."""
        inp = self.inp
        reached = inp.read_to(end - 1, end + 16)
        rest = bytes(inp.buf[end - inp.pos : reached - inp.pos]).lstrip(b"\r\n")
        at = reached - len(rest)
        return rest.startswith(b"WARC/1.") or (not rest and reached < end + 16) or at in dict(inp.members)

    def _page(self, offset: int, headers: Headers, block: bytes, head: _Head | None) -> WarcPage | None:
        if head is None:
            self.summary.skipped["not-http"] += 1
            return None
        reason = _skip_reason(head, headers, len(block))
        body = None if reason else _decode_transfer(head, block[head.body_start :])
        if body is None:
            self.summary.skipped[reason or "encoded"] += 1
            return None
        media_type = head.media_type or _sniff_type(headers, body)
        if media_type not in HTML_TYPES:
            self.summary.skipped["not-html"] += 1
            return None
        url = headers.get("warc-target-uri", "").strip().removeprefix("<").removesuffix(">")
        if self.skip_non_articles and looks_like_non_article(url):
            self.summary.skipped["non-article"] += 1
            return None
        self.summary.pages += 1
        date, record_id = headers.get("warc-date"), headers.get("warc-record-id")
        return WarcPage(url, date, head.charset, body, record_id, offset, self.file, head.status, media_type)


class _Head(NamedTuple):
    """A response's HTTP status line and headers, where its body starts, and its type and charset."""

    status: int
    headers: Headers
    body_start: int
    media_type: str | None
    charset: str | None


def _fields(raw: bytes) -> dict[str, str]:
    """The "Name: value" lines after the first, names lower-cased; the first of a name wins."""
    fields: dict[str, str] = {}
    for line in raw.split(b"\n")[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            key = name.strip().decode("latin-1").lower()
            fields.setdefault(key, value.strip().decode("utf-8", errors="replace"))
    return fields


def _http_head(block: bytes) -> _Head | None:
    status = _HTTP_STATUS.match(block)
    blank = _BLANK_LINE.search(block, 0, MAX_HEADER_BYTES)
    if status is None or blank is None:
        return None
    headers = _fields(block[: blank.start()])
    media_type, _, params = headers.get("content-type", "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return _Head(int(status.group(1)), headers, blank.end(), media_type.strip().lower() or None, charset)


def _sniff_type(headers: Headers, body: bytes) -> str:
    """The media type of a response that names none: Common Crawl's WARC-Identified-Payload-Type, else
    text/html when the body starts like HTML, else "unknown"."""
    identified = headers.get("warc-identified-payload-type", "").split(";")[0].strip().lower()
    if identified:
        return identified
    start = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "text/html" if start.startswith((b"<!doctype html", b"<html", b"<head")) else "unknown"


def _skip_reason(head: _Head, headers: Headers, size: int) -> str:
    """Why a response is not a page ("" if it may be one; one without a media type is sniffed later)."""
    if not 200 <= head.status < 300:
        return "http-status"
    media_type = head.media_type or _sniff_type(headers, b"")
    if media_type not in HTML_TYPES and media_type != "unknown":
        return "not-html"
    return "too-large" if size > MAX_PAGE_BYTES else ""


def _decode_transfer(head: _Head, body: bytes) -> bytes | None:
    """The body without its transfer and content codings (wget keeps both; Common Crawl removes them).
    None for a coding that the standard library cannot undo (br, zstd)."""
    if "chunked" in head.headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    coding = head.headers.get("content-encoding", "identity").strip().lower()
    if coding in {"gzip", "x-gzip", "deflate"}:
        try:
            return zlib.decompressobj(47 if coding != "deflate" else 15).decompress(body)
        except zlib.error:
            # some writers store the decoded body under the original header
            return body if body.lstrip()[:1] == b"<" else None
    return body if coding in {"identity", "", "none"} else None


def _dechunk(body: bytes) -> bytes:
    """Undo HTTP chunked transfer coding; a body that is not chunked after all is returned as it is."""
    out, pos = bytearray(), 0
    while (chunk := _CHUNK_SIZE.match(body, pos)) and int(chunk.group(1), 16) > 0:
        pos = chunk.end() + int(chunk.group(1), 16)
        out += body[chunk.end() : pos]
        pos += 2 if body.startswith(b"\r\n", pos) else 1 if body.startswith(b"\n", pos) else 0
    return bytes(out) if out or chunk else body
