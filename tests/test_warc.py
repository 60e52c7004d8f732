"""The WARC reader: made-up files for each kind of damage, then the real files of ../shared/data/warc."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.errors import ErrorCode, InputError
from onrecord.ingest import warc
from onrecord.ingest.warc import (
    WarcPage,
    WarcProblem,
    WarcSummary,
    bench_warc,
    decode_body,
    iter_warc,
    looks_like_non_article,
    warc_articles,
)
from onrecord.pipeline import ArticleInput

WARC_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "warc"
HTML = b"<!DOCTYPE html><html><body><p>The minister said it was over.</p></body></html>"


# -- building test files ----------------------------------------------------------------------------
def http(body: bytes = HTML, *, status: str = "200 OK", headers: tuple[str, ...] | None = None) -> bytes:
    fields = ("Content-Type: text/html; charset=utf-8",) if headers is None else headers
    head = "\r\n".join((f"HTTP/1.1 {status}", *fields)).encode()
    return head + b"\r\n\r\n" + body


def record(
    url: str,
    block: bytes | None = None,
    *,
    kind: str = "response",
    extra: int = 0,
    lf_only: bool = False,
    length: str | None = None,
) -> bytes:
    """One WARC record; ``extra`` adds to its true Content-Length (a wrong length), ``lf_only`` drops CRs."""
    block = http() if block is None else block
    fields = [
        "WARC/1.0",
        f"WARC-Type: {kind}",
        f"WARC-Record-ID: <urn:uuid:{zlib.crc32(url.encode()):032x}>",
        "WARC-Date: 2024-03-01T12:00:00Z",
        f"WARC-Target-URI: {url}",
        f"Content-Type: application/http; msgtype={kind}",
        f"Content-Length: {length if length is not None else len(block) + extra}",
    ]
    raw = "\r\n".join(fields).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"
    return raw.replace(b"\r\n", b"\n") if lf_only else raw


def read(data: bytes, **options) -> tuple[list[WarcPage], list[WarcProblem], WarcSummary]:
    summary = WarcSummary()
    items = list(iter_warc(io.BytesIO(data), name="t.warc", summary=summary, **options))
    assert all(isinstance(item, WarcPage | WarcProblem) for item in items)
    pages = [item for item in items if isinstance(item, WarcPage)]
    return pages, [item for item in items if isinstance(item, WarcProblem)], summary


def urls(pages: list[WarcPage]) -> list[str]:
    return [page.url for page in pages]


A, B, C = "https://news.example/2024/03/01/a-story", "https://b.example/story-2", "https://c.example/x/123"


@pytest.fixture(params=[7, 1 << 20], ids=["tiny-chunks", "1MiB-chunks"])
def chunk(request, monkeypatch):
    """Run with tiny read chunks too: every boundary case of the buffer is hit."""
    monkeypatch.setattr(warc, "CHUNK_BYTES", request.param)
    return request.param


# -- well-formed files -------------------------------------------------------------------------------
def test_page_fields(chunk):
    data = record(A) + record(B)
    pages, problems, summary = read(data)
    assert problems == [] and urls(pages) == [A, B]
    page = pages[0]
    assert (page.date, page.http_charset, page.status, page.content_type) == (
        "2024-03-01T12:00:00Z",
        "utf-8",
        200,
        "text/html",
    )
    assert page.body == HTML and page.record_id.startswith("<urn:uuid:")
    assert (page.offset, pages[1].offset, page.file, page.source) == (0, len(record(A)), "t.warc", "t.warc#0")
    assert summary.records == 2 and summary.pages == 2


def test_gzip_offsets_are_member_offsets(chunk):
    members = [gzip.compress(record(url)) for url in (A, B, C)]
    pages, problems, _ = read(b"".join(members))
    assert problems == [] and urls(pages) == [A, B, C]
    assert [p.offset for p in pages] == [0, len(members[0]), len(members[0]) + len(members[1])]


def test_whole_file_gzip(chunk):
    pages, problems, _ = read(gzip.compress(record(A) + record(B)))
    assert problems == [] and urls(pages) == [A, B] and {p.offset for p in pages} == {0}


def test_skipped_and_counted():
    data = b"".join(
        [
            record("", b"software: test\r\n", kind="warcinfo"),
            record(A, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", kind="request"),
            record(A, b"fetchTimeMs: 12\r\n", kind="metadata"),
            record(B, http(b"\x89PNG....", headers=("Content-Type: image/png",))),
            record(B, http(b"", status="301 Moved Permanently", headers=("Location: /x",))),
            record(B, http(status="404 Not Found")),
            record("https://b.example/", http()),
            record("https://b.example/tag/brexit", http()),
            record(A, http()),
        ]
    )
    pages, problems, summary = read(data)
    assert urls(pages) == [A] and problems == []
    assert summary.records == 9 and summary.pages == 1
    assert dict(summary.by_type) == {"warcinfo": 1, "request": 1, "metadata": 1, "response": 6}
    assert dict(summary.skipped) == {"not-response": 3, "not-html": 1, "http-status": 2, "non-article": 2}
    assert summary.as_dict()["skipped"] == dict(summary.skipped)
    everything, _, _ = read(data, skip_non_articles=False)
    assert urls(everything) == ["https://b.example/", "https://b.example/tag/brexit", A]


def test_response_without_http_is_skipped():
    data = record("dns:b.example", b"b.example. 300 IN A 1.2.3.4\r\n").replace(
        b"application/http; msgtype=response", b"text/dns"
    )
    pages, problems, summary = read(data)
    assert pages == [] and problems == [] and summary.skipped == {"not-http": 1}


def test_unreadable_http_headers_are_a_problem():
    pages, problems, _ = read(record(A, b"HTTP/1.1 200 OK\r\nContent-Type: text/html") + record(B))
    assert urls(pages) == [B] and [p.kind for p in problems] == ["malformed"]


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        (
            ("Transfer-Encoding: chunked", "Content-Type: text/html"),
            b"5\r\n<html\r\n3;x=1\r\n>hi\r\n0\r\n\r\n",
            b"<html>hi",
        ),
        (("Content-Encoding: gzip", "Content-Type: text/html"), gzip.compress(HTML), HTML),
        (("Content-Encoding: gzip", "Content-Type: text/html"), HTML, HTML),  # stored decoded
        ((), HTML, HTML),  # no Content-Type: sniffed
        (("Content-Type: application/xhtml+xml",), HTML, HTML),
    ],
)
def test_codings_and_sniffing(headers, body, expected):
    pages, problems, _ = read(record(A, http(body, headers=headers)))
    assert problems == [] and [p.body for p in pages] == [expected]


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ((), b"%PDF-1.4 ...", "not-html"),  # no Content-Type, not HTML either
        (("Content-Encoding: br", "Content-Type: text/html"), b"\x1b\x00\x00", "encoded"),
    ],
)
def test_not_pages(headers, body, reason):
    pages, problems, summary = read(record(A, http(body, headers=headers)))
    assert pages == [] and problems == [] and summary.skipped == {reason: 1}


def test_identified_payload_type_when_http_names_none():
    data = record(A, http(b"plain words", headers=()))
    data = data.replace(b"Content-Length", b"WARC-Identified-Payload-Type: text/html\r\nContent-Length", 1)
    pages, _, _ = read(data)
    assert [p.content_type for p in pages] == ["text/html"]


def test_wget_angle_brackets_around_the_url():
    pages, _, _ = read(record(f"<{A}>"))
    assert urls(pages) == [A]


# -- damaged files: reported, skipped, and nothing around them lost ----------------------------------
def test_lf_only_record_in_the_middle(chunk):
    data = record(A) + record(B, lf_only=True) + record(C)
    pages, problems, summary = read(data)
    assert urls(pages) == [A, C]
    assert [(p.kind, p.offset, p.kept) for p in problems] == [("lf-only", len(record(A)), False)]
    assert "LF only" in problems[0].message and summary.problems == {"lf-only": 1}
    salvaged, problems, _ = read(data, salvage=True)
    assert urls(salvaged) == [A, B, C] and problems[0].kept
    assert salvaged[1].body == HTML


def test_lf_only_record_in_gzip_members(chunk):
    data = b"".join(gzip.compress(r) for r in (record(A), record(B, lf_only=True), record(C)))
    pages, problems, _ = read(data)
    assert urls(pages) == [A, C] and [p.kind for p in problems] == ["lf-only"]


def test_junk_between_records(chunk):
    junk = b"<html>not a record</html>\r\n" * 50
    pages, problems, _ = read(record(A) + junk + record(B))
    assert urls(pages) == [A, B]
    assert [(p.kind, p.offset) for p in problems] == [("junk", len(record(A)))]
    assert f"{len(junk):,} bytes" in problems[0].message


def test_content_length_too_long_runs_into_the_next_record(chunk):
    pages, problems, _ = read(record(A) + record(B, extra=40) + record(C))
    assert urls(pages) == [A, C] and [p.kind for p in problems] == ["length"]


def test_content_length_too_short_leaves_junk(chunk):
    pages, problems, _ = read(record(A, extra=-20) + record(B))
    assert urls(pages) == [A, B] and [p.kind for p in problems] == ["junk"]
    assert pages[0].body == HTML[:-20]


@pytest.mark.parametrize("length", ["", "12x", "-5"])
def test_bad_content_length(length):
    pages, problems, _ = read(record(A, length=length) + record(B))
    assert urls(pages) == [B] and [p.kind for p in problems] == ["malformed"]


def test_header_without_end():
    header = b"WARC/1.0\r\nWARC-Type: response\r\n" + b"X-Padding: " + b"x" * (70 << 10)
    pages, problems, _ = read(header + b"\r\n" + record(A))
    assert urls(pages) == [A] and [p.kind for p in problems] == ["malformed"]


def test_truncated_at_the_end(chunk):
    data = record(A) + record(B)[:-50]
    pages, problems, _ = read(data)
    assert urls(pages) == [A] and [(p.kind, p.offset) for p in problems] == [("truncated", len(record(A)))]
    pages, problems, _ = read(record(A) + record(B)[:40])
    assert urls(pages) == [A] and [p.kind for p in problems] == ["truncated"]


def test_truncated_gzip(chunk):
    first = gzip.compress(record(A))
    pages, problems, _ = read(first + gzip.compress(record(B))[:-30])
    assert urls(pages) == [A]
    assert [(p.kind, p.offset) for p in problems] == [("truncated", len(first))]


@pytest.mark.parametrize("damage", ["cut", "corrupt", "junk"])
def test_broken_gzip_member_in_the_middle(chunk, damage):
    first, last = gzip.compress(record(A)), gzip.compress(record(C))
    middle = bytearray(gzip.compress(record(B, http(bytes(range(256)) * 20))))
    if damage == "cut":
        middle = middle[:60]
    elif damage == "corrupt":
        middle[30:50] = b"\xff" * 20
    else:
        middle = bytearray(b"these bytes are not gzip")
    pages, problems, _ = read(first + bytes(middle) + last)
    assert urls(pages) == [A, C]
    assert len(problems) == 1 and problems[0].kind in {"gzip", "truncated"}
    assert problems[0].offset == len(first)


def test_empty_input_and_blank_lines():
    assert read(b"") == ([], [], WarcSummary())
    pages, problems, _ = read(b"\r\n\n" + record(A) + b"\r\n\r\n\r\n")
    assert urls(pages) == [A] and problems == []


class _Unseekable(io.RawIOBase):
    """stdin-like: read only."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_reads_a_stream(chunk):
    stream = _Unseekable(gzip.compress(record(A)) + gzip.compress(record(B)))
    pages = [x for x in iter_warc(stream) if isinstance(x, WarcPage)]
    assert urls(pages) == [A, B] and pages[0].file == "-"


def test_reads_a_path(tmp_path):
    path = tmp_path / "a.warc.gz"
    path.write_bytes(gzip.compress(record(A)))
    pages = list(iter_warc(path))
    assert [p.source for p in pages] == [f"{path}#0"]
    assert bench_warc(path) > 0


PARTS = st.tuples(
    st.sampled_from(["good", "good", "lf", "junk", "long", "cut", "request"]),
    st.binary(max_size=300).filter(lambda junk: b"WARC/1." not in junk),
)


@given(parts=st.lists(PARTS, max_size=8), gz=st.booleans(), size=st.sampled_from([3, 50, 1 << 20]))
@settings(max_examples=200, deadline=None)
def test_damage_never_costs_a_good_record(parts, gz, size):
    """Whatever comes between them, every well-formed record is read, in order, and damage is reported."""
    chunks, expected = [], []
    for i, (kind, junk) in enumerate(parts):
        url = f"https://example.org/{kind}-{i}"
        expected += [url] if kind == "good" else []
        raw = record(url, kind="request" if kind == "request" else "response", lf_only=kind == "lf")
        if kind == "long":
            raw = record(url, extra=25 + len(junk))
        member = gzip.compress(raw) if gz else raw
        if kind == "cut":
            member = member[: len(member) * 2 // 3]
        if kind == "junk":  # (a .warc.gz is known by its first bytes: junk there goes in a member)
            member = b"x" + junk if chunks or not gz else gzip.compress(b"x" + junk)
        chunks.append(member)
    saved = warc.CHUNK_BYTES
    warc.CHUNK_BYTES = size
    try:
        pages, problems, _ = read(b"".join(chunks))
    finally:
        warc.CHUNK_BYTES = saved
    # a too-long record followed by no record (junk, the end) cannot be told from a good one: it may be kept
    assert [url for url in urls(pages) if "/good-" in url] == expected
    assert all("/good-" in url or "/long-" in url for url in urls(pages))
    kinds = {kind for kind, _ in parts}
    if "long" not in kinds:  # (what follows a too-long record may be taken as the rest of it)
        assert bool(problems) == bool(kinds & {"lf", "junk", "cut"})


# -- from pages to articles --------------------------------------------------------------------------
def fake_html_to_article(html: str | bytes, *, source: str, url: str | None = None) -> ArticleInput:
    if isinstance(html, bytes):
        raise InputError(ErrorCode.NOT_UTF8, source, "bytes given")
    return ArticleInput(text=html, source=source, url=url)


def test_warc_articles():
    latin = http("<html>café</html>".encode("latin-1"), headers=("Content-Type: text/html; charset=latin-1",))
    data = (
        record(A)
        + record(B, lf_only=True)
        + record(C, latin)
        + record("https://d.example/p-1", http(headers=("Content-Type: text/html",)))
    )
    items = list(warc_articles(io.BytesIO(data), html_to_article=fake_html_to_article))
    assert [type(x).__name__ for x in items] == ["ArticleInput", "InputError", "ArticleInput", "InputError"]
    assert items[0].source == "-#0" and items[0].url == A
    assert items[1].code == ErrorCode.BAD_RECORD and items[1].source == f"-#{len(record(A))}"
    assert items[2].text == "<html>café</html>"
    assert items[3].code == ErrorCode.NOT_UTF8


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("utf-8", "é".encode(), "é"),
        ("windows-1251", "мир".encode("cp1251"), "мир"),
        ("utf-8", b"\xff\xfe", b"\xff\xfe"),  # does not decode: bytes
        ("no-such-charset", b"abc", b"abc"),
        (None, b"abc", b"abc"),
        ("latin-1", b"\xef\xbb\xbfabc", b"\xef\xbb\xbfabc"),  # a BOM wins over the header
    ],
)
def test_decode_body(charset, body, expected):
    assert decode_body(WarcPage("u", None, charset, body, None, 0, "f")) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bbc.co.uk/news", True),
        ("https://example.com/", True),
        ("https://example.com/index.html", True),
        ("https://example.com/world/europe/", True),
        ("https://example.com/tag/brexit", True),
        ("https://example.com/news/topics/c123/climate-change", True),
        ("https://example.com/category/politics/page/2", True),
        ("https://example.com/?s=election", True),
        ("https://example.com/search?q=election", True),
        ("https://example.com/author/jane-doe/", True),
        ("https://homes.example.edu/~someone/", True),
        ("https://www.bbc.co.uk/news/uk-politics-50012345", False),
        ("https://example.com/2019/11/18/business/trump-trade-war-china.html", False),
        ("https://example.com/a/fact-check-russia/30279001.html", False),
        ("https://example.com/news/news_view.html?idx=8576&page=1&find=", False),
        ("https://example.com/business-focus/", False),
        ("https://example.com/article/3834/1", False),
    ],
)
def test_looks_like_non_article(url, expected):
    assert looks_like_non_article(url) is expected


def test_problem_as_error():
    error = WarcProblem("f.warc", 12, "junk", "at offset 12: bad").to_error()
    assert (error.code, error.source, error.stage, str(error)) == (
        ErrorCode.BAD_RECORD,
        "f.warc#12",
        "read",
        "f.warc#12: [E007] at offset 12: bad",
    )


# -- the real files ----------------------------------------------------------------------------------
#: file: (records, pages, problems by kind, pages with salvage=True). What PROVENANCE.md and index.json
#: say of each, read by this reader.
REAL = {
    # LF-only copies of one CC-NEWS record (hindi.news18.com) with edited headers; body re-encoded
    "bst-extractor__test-invalid-response-no-content-type.warc": (1, 0, {"lf-only": 1}, 1),
    "bst-extractor__test-invalid-response-not-utf8.warc": (1, 0, {"lf-only": 1}, 1),
    # the matching request record, LF-only too
    "bst-extractor__test-request.warc": (1, 0, {"lf-only": 1}, 0),
    # a good record whose payload runs 170,340 bytes past its Content-Length (index.json: error at 482,132)
    "bst-extractor__test-valid-response.warc": (1, 1, {"junk": 1}, 1),
    # LF-only BBC front pages: with salvage, read and then skipped as a non-article (/news)
    "bst-loader__www_bbc_co_uk_news.1550a8b.warc": (1, 0, {"lf-only": 1}, 0),
    "bst-loader__www_bbc_co_uk_news.d4b34cc.warc": (1, 0, {"lf-only": 1}, 0),
    # wget: 22 responses, 16 of them home or section pages; chunked bodies
    "dolma__sample-0000.warc.gz": (48, 6, {}, 6),
    "dolma__sample-0001.warc.gz": (34, 4, {}, 4),
    # one CC-NEWS record whose gzip stream ends early
    "resiliparse__clipped.warc.gz": (1, 0, {"truncated": 1}, 0),
    # Common Crawl excerpt: 16 responses (5 home or section pages), 17 requests, 16 metadata, 1 warcinfo
    "resiliparse__warcfile.warc.gz": (50, 11, {}, 11),
}


@pytest.fixture
def warc_data() -> Path:
    if not WARC_DATA.is_dir():
        pytest.skip(f"{WARC_DATA} not found: these tests need the project's shared data (../shared)")
    return WARC_DATA


def test_every_real_file_is_listed(warc_data):
    assert sorted(REAL) == sorted(p.name for p in (warc_data / "real").glob("*.warc*"))


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_file(warc_data, name):
    records, pages, problems, salvaged = REAL[name]
    summary = WarcSummary()
    items = list(iter_warc(warc_data / "real" / name, summary=summary))
    assert (summary.records, summary.pages, dict(summary.problems)) == (records, pages, problems)
    assert sum(isinstance(x, WarcPage) for x in items) == pages
    assert (
        sum(isinstance(x, WarcPage) for x in iter_warc(warc_data / "real" / name, salvage=True)) == salvaged
    )


def test_real_file_details(warc_data):
    real = warc_data / "real"
    page, problem = iter_warc(real / "bst-extractor__test-valid-response.warc")
    assert isinstance(page, WarcPage) and isinstance(problem, WarcProblem)
    assert (page.http_charset, len(page.body), problem.offset) == ("utf-8", 480_946, 482_132)
    assert page.url.startswith("https://hindi.news18.com/news/bihar/")
    (clipped,) = iter_warc(real / "resiliparse__clipped.warc.gz")
    assert isinstance(clipped, WarcProblem) and "88,275 bytes" in clipped.message
    chunked = [p for p in iter_warc(real / "dolma__sample-0001.warc.gz") if isinstance(p, WarcPage)]
    assert all(p.body.rstrip().endswith(b"</html>") for p in chunked[:2])  # dechunked
    everything = [p for p in iter_warc(real / "resiliparse__warcfile.warc.gz", skip_non_articles=False)]
    assert len(everything) == 16
    assert {p.http_charset for p in everything} == {None, "utf-8", "windows-1251", "gb2312"}
    russian = next(p for p in everything if p.http_charset == "windows-1251")
    assert isinstance(decode_body(russian), str)
    no_type = [
        p for p in iter_warc(real / "bst-extractor__test-invalid-response-no-content-type.warc", salvage=True)
    ]
    assert isinstance(no_type[1], WarcPage) and no_type[1].content_type == "text/html"  # sniffed


def test_derived_aeb_file(warc_data):
    summary = WarcSummary()
    pages = list(iter_warc(warc_data / "derived" / "aeb-181-pages.synthetic.warc.gz", summary=summary))
    assert len(pages) == summary.pages == 181 and not summary.problems
    truth = warc_data.parent / "aeb" / "ground_truth.jsonl"
    expected = {json.loads(line)["url"] for line in truth.read_text(encoding="utf-8").splitlines()}
    assert {p.url for p in pages} == expected
    assert not any(looks_like_non_article(url) for url in expected)


def test_end_to_end_with_the_html_extractor(warc_data):
    html = pytest.importorskip("onrecord.clean.html", reason="the HTML extractor is not written yet")
    path = warc_data / "real" / "dolma__sample-0001.warc.gz"
    items = list(warc_articles(path, html_to_article=html.html_to_article))
    assert len(items) == 4 and all(isinstance(x, ArticleInput | InputError) for x in items)
    assert {x.url for x in items if isinstance(x, ArticleInput)} <= {p.url for p in iter_warc(path)}


# -- docs/warc.md: its examples run and print what it shows -----------------------------------------
def test_docs_examples(warc_data, monkeypatch, capsys):
    repo = Path(__file__).resolve().parents[1]
    text = (repo / "docs" / "warc.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```\n\n```\n(.*?)```", text, flags=re.S)
    assert len(examples) == 2
    monkeypatch.chdir(repo)
    for code, output in examples:
        exec(compile(code, "docs/warc.md", "exec"), {})
        assert capsys.readouterr().out == output


def test_two_items_at_one_offset_get_names_of_their_own():
    """A page and a damaged stretch in one gzip member start at the member's offset: each is named on
    its own (FILE#OFFSET, then FILE#OFFSET~2), so a store lists both (found by tools/fuzz.py)."""
    member = gzip.compress(record(A) + b"<html>not a record</html>\r\n" * 20)
    items = list(warc_articles(io.BytesIO(member), html_to_article=fake_html_to_article))
    names = [item.source for item in items]
    assert len(items) == 2 and len(set(names)) == 2
    assert names[1] == names[0] + "~2" and names[0].endswith("#0")
