"""Fuzz `onrecord ingest` and `onrecord analyze` with mutated real inputs (issue #16).

Builds N inputs (default 10,000) from the real articles, HTML pages and WARC records of ../shared,
each mutated with a fixed seed (cut at random points, quotation marks doubled or dropped, bytes
flipped, invalid UTF-8, mixed encodings, NUL bytes, huge lines, empty files, broken tags, truncated
or damaged WARC records, JSON Lines with bad fields, dates and repeated ids), writes them to a
folder, and checks:

- `onrecord ingest FOLDER --db DB -j J --time-budget B` exits 0 or 1 with no traceback, within a
  watchdog (a hang fails the run);
- every input is stored or listed by `onrecord failures`: the names of stored articles
  (``article_sources``) and of failures are disjoint, and together they are exactly the inputs
  (a text or HTML file is one input, a JSON Lines file one per non-blank line, a WARC file one per
  page or damaged record the reader finds);
- `onrecord analyze` on a sample of the files exits 0 or 1 with no traceback, one record or one
  error line per input;
- on the same sample, analysed in this process and timed, no article takes longer than the budget
  (plus a grace for stopping) and none past the budget is stored rather than failed with E009.

It prints a summary: inputs, stored, failures by code, wall time and the slowest input.

    .venv/bin/python tools/fuzz.py                       # 10,000 inputs, -j 2
    .venv/bin/python tools/fuzz.py --inputs 500 --keep /tmp/fuzz   # keep the inputs and the store

``tests/test_fuzz.py`` runs the same generator on 200 inputs through the in-process ingest.
"""

from __future__ import annotations

import argparse
import codecs
import collections
import gzip
import json
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
#: Seconds one article may take in the fuzz run: short, so that the huge inputs meet it, and well
#: above a mutated article's analysis (under a second).
TIME_BUDGET = 10.0
#: Seconds past the budget that stopping an article may take (the alarm lands between two bytecodes;
#: spaCy's parse of one paragraph is not interrupted mid-way).
BUDGET_GRACE = 5.0
#: Share of the inputs of each kind (JSON Lines counts its lines).
SHARES = {"text": 0.30, "jsonl": 0.45, "html": 0.15, "warc": 0.10}
#: Lines in one JSON Lines file, records in one WARC file (at most).
JSONL_LINES = 25
WARC_RECORDS = 4
#: Most characters of a mutated article (before the "huge" mutation): short keeps 10,000 inputs
#: within about half an hour on 2 cores.
ARTICLE_CHARS = 2_500
#: The exit statuses a run may end with: 0 all stored, 1 some input failed.
GOOD_STATUSES = (0, 1)

CURLY = "\u201c\u201d\u2018\u2019"


# -- seeds: the real inputs ------------------------------------------------------------------------------
@dataclass
class Seeds:
    texts: list[str]
    pages: list[bytes]
    warc_records: list[bytes]


def load_seeds(shared: Path = SHARED, *, max_pages: int = 300) -> Seeds:
    data = shared / "data"
    texts: list[str] = []
    for name in ("speakers-dev/articles.jsonl", "gum-wikinews/articles.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    texts += [p.read_text(encoding="utf-8") for p in sorted((data / "polnear/dev/text").glob("*.txt"))]
    pages: list[bytes] = []
    for folder in ("aeb/html", "wcxb-dev/html"):
        for path in sorted((data / folder).glob("*.html*"))[: max_pages // 2]:
            raw = path.read_bytes()
            pages.append(gzip.decompress(raw) if path.name.endswith(".gz") else raw)
    records: list[bytes] = []
    for path in sorted((data / "warc/real").glob("*.warc*")):
        records += [r for r in split_warc(_warc_bytes(path)) if len(r) < 200_000]
    return Seeds(texts, pages, records)


def _warc_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError):  # a clipped archive: what decompresses
            return gzip.GzipFile(fileobj=__import__("io").BytesIO(raw)).read1(10_000_000)
    return raw


_WARC_START = re.compile(rb"(?m)^WARC/1\.[01]\r?\n")


def split_warc(data: bytes) -> list[bytes]:
    """The records of an uncompressed WARC file, cut at each version line."""
    starts = [m.start() for m in _WARC_START.finditer(data)]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


# -- mutations ------------------------------------------------------------------------------------------
def cut(rng: random.Random, text: str, most: int = ARTICLE_CHARS) -> str:
    """A window of the text starting and ending at random points (often mid-word, mid-quotation)."""
    if len(text) <= 40:
        return text
    size = rng.randint(40, min(most, len(text)))
    start = rng.randint(0, len(text) - size)
    return text[start : start + size]


def _paragraph_cut(rng: random.Random, text: str) -> str:
    """Whole paragraphs from the start, up to about :data:`ARTICLE_CHARS`: a readable short article."""
    kept, size = [], 0
    for para in text.split("\n\n"):
        if size and size + len(para) > ARTICLE_CHARS:
            break
        kept.append(para)
        size += len(para)
    return "\n\n".join(kept)[: ARTICLE_CHARS * 2]


def _quotes_doubled(rng: random.Random, text: str) -> str:
    out = []
    for ch in text:
        out.append(ch)
        if ch in '"' + CURLY and rng.random() < 0.5:
            out.append(ch * rng.randint(1, 3))
        elif ch == " " and rng.random() < 0.02:
            out.append(rng.choice('"' + CURLY))
    return "".join(out)


def _quotes_removed(rng: random.Random, text: str) -> str:
    return "".join(ch for ch in text if ch not in '"' + CURLY or rng.random() < 0.3)


def _many_marks(rng: random.Random, text: str) -> str:
    words = text.split()
    return " ".join(f'"{w}"' if rng.random() < 0.6 else w for w in words) * rng.randint(1, 4)


def _control_chars(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // rng.choice((5, 50, 500)))):
        chars.insert(rng.randrange(len(chars) + 1), chr(rng.choice((1, 7, 8, 11, 27, 0x7F, 0x85, 0x200B))))
    return "".join(chars)


def _not_english(rng: random.Random, text: str) -> str:
    words = re.findall(r"\w+", text)
    rng.shuffle(words)
    table = str.maketrans("aeiouth", "äëïöüþð")
    return " ".join(w.translate(table) for w in words)


def _huge_line(rng: random.Random, text: str) -> str:
    line = " ".join(text.split())
    return (line + " ") * max(1, rng.randint(20_000, 250_000) // max(1, len(line)))


def _surrogates_and_separators(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 20)):
        chars.insert(
            rng.randrange(len(chars) + 1), rng.choice(("\u2028", "\u2029", "\ufeff", "\ufffd", "\r"))
        )
    return "".join(chars)


TEXT_MUTATIONS: dict[str, Callable[[random.Random, str], str]] = {
    "cut": lambda rng, t: t,
    "quotes_doubled": _quotes_doubled,
    "quotes_removed": _quotes_removed,
    "many_marks": _many_marks,
    "control_chars": _control_chars,
    "not_english": _not_english,
    "separators": _surrogates_and_separators,
}


def flip_bytes(rng: random.Random, data: bytes, rate: float | None = None) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(max(1, int(len(out) * (rate if rate is not None else rng.choice((0.0005, 0.005, 0.05)))))):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 30)):
        out[rng.randrange(len(out) + 1) : 0] = rng.choice(
            (b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80", b"\xf8\x88")
        )
    return bytes(out)


def _mixed_encodings(rng: random.Random, text: str) -> bytes:
    half = rng.randrange(len(text) + 1)
    return text[:half].encode("utf-8") + text[half:].encode("cp1252", errors="replace")


def _nul_bytes(rng: random.Random, data: bytes) -> bytes:
    where = rng.choice((0, rng.randrange(len(data) + 1), len(data)))
    return data[:where] + b"\x00" * rng.randint(1, 4) + data[where:]


def encode_text(rng: random.Random, text: str) -> tuple[bytes, str]:
    """The bytes of one text article, and the name of what was done to them."""
    choice = rng.random()
    if choice < 0.45:
        return text.encode("utf-8"), "utf-8"
    if choice < 0.55:
        return text.encode("cp1252", errors="replace"), "cp1252"
    if choice < 0.60:
        return text.encode(rng.choice(("utf-16", "utf-8-sig", "utf-32", "latin-1")), errors="replace"), "bom"
    if choice < 0.70:
        return flip_bytes(rng, text.encode("utf-8")), "byte_flips"
    if choice < 0.80:
        return _invalid_utf8(rng, text.encode("utf-8")), "invalid_utf8"
    if choice < 0.88:
        return _mixed_encodings(rng, text), "mixed_encodings"
    if choice < 0.94:
        return _nul_bytes(rng, text.encode("utf-8")), "nul_bytes"
    if choice < 0.97:
        return text.encode("utf-8")[: rng.randint(0, 3)], "tiny"
    return rng.choice((b"", b"   \n\t\n", b"\xef\xbb\xbf")), "empty"


def mutate_text(rng: random.Random, seeds: Seeds) -> tuple[str, str]:
    """A mutated article text and the name of its mutation."""
    source = rng.choice(seeds.texts)
    text = _paragraph_cut(rng, source) if rng.random() < 0.4 else cut(rng, source)
    if rng.random() < 0.004:
        return _huge_line(rng, text), "huge_line"
    name = "cut" if rng.random() < 0.4 else rng.choice(list(TEXT_MUTATIONS))
    return TEXT_MUTATIONS[name](rng, text), name


# -- HTML -------------------------------------------------------------------------------------------------
_TAG_END = re.compile(rb">")


def mutate_html(rng: random.Random, seeds: Seeds) -> tuple[bytes, str]:
    page = rng.choice(seeds.pages)
    choice = rng.random()
    if choice < 0.2:  # a page with a short article of our own, so that analysis runs on it
        text, _ = mutate_text(rng, seeds)
        paras = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n") if p.strip())
        head = f'<meta charset="{rng.choice(("utf-8", "iso-8859-1", "windows-1252", "utf-16", "bogus"))}">'
        html = f"<!doctype html><html><head>{head}<title>Fuzz</title></head><body><article>{paras}</article>"
        return html.encode("utf-8", errors="replace"), "wrapped_article"
    if choice < 0.35:
        return page[: rng.randrange(len(page) + 1)], "truncated"
    if choice < 0.5:  # broken tags: '>' removed here and there
        out = _TAG_END.sub(lambda m: b"" if rng.random() < 0.05 else b">", page)
        return out, "broken_tags"
    if choice < 0.6:
        return flip_bytes(rng, page), "byte_flips"
    if choice < 0.68:
        depth = rng.choice((100, 300, 3000))
        return b"<html><body>" + b"<div>" * depth + page[:20_000] + b"</div>" * (depth // 2), "deep_nesting"
    if choice < 0.74:
        return re.sub(rb"(?is)<body.*", b"<body><nav>Home</nav></body></html>", page), "no_body"
    if choice < 0.80:
        return _invalid_utf8(rng, page), "invalid_utf8"
    if choice < 0.84:
        return _nul_bytes(rng, page), "nul_bytes"
    if choice < 0.88:
        return rng.choice(
            (b"", b"<html>", b"not html at all, just words", b"\x89PNG\r\n\x1a\n")
        ), "not_a_page"
    return page, "as_is"


# -- WARC -------------------------------------------------------------------------------------------------
def warc_response(
    url: str, html: bytes, *, charset: str | None = "utf-8", crlf: bool = True, serial: int = 0
) -> bytes:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: "
        + content_type.encode()
        + b"\r\nContent-Length: "
        + str(len(html)).encode()
        + b"\r\n\r\n"
        + html
    )
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: 2020-01-02T10:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{serial:032x}>\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    record = head + http + b"\r\n\r\n"
    return record if crlf else record.replace(b"\r\n", b"\n")


def mutate_warc(rng: random.Random, seeds: Seeds, records: int, serial: int) -> tuple[bytes, str, bool]:
    """A WARC file of about ``records`` records, mutated; whether to gzip it (per record)."""
    parts: list[bytes] = []
    for i in range(records):
        if seeds.warc_records and rng.random() < 0.25:
            parts.append(rng.choice(seeds.warc_records))
        else:
            html, _ = mutate_html(rng, seeds)
            url = f"https://news.example.org/2020/01/02/story-{serial}-{i}.html"
            parts.append(
                warc_response(
                    url,
                    html,
                    charset=rng.choice(("utf-8", "iso-8859-1", None, "nonsense")),
                    serial=serial * 10 + i,
                )
            )
    choice = rng.random()
    what = "as_is"
    if choice < 0.2:
        i = rng.randrange(len(parts))
        parts[i] = parts[i][: rng.randrange(len(parts[i]) + 1)]
        what = "truncated_record"
    elif choice < 0.35:
        i = rng.randrange(len(parts))
        parts[i] = re.sub(
            rb"Content-Length: \d+",
            b"Content-Length: " + str(rng.randint(0, 10**7)).encode(),
            parts[i],
            count=1,
        )
        what = "bad_length"
    elif choice < 0.45:
        parts = [p.replace(b"\r\n", b"\n") for p in parts]
        what = "lf_only"
    elif choice < 0.55:
        parts.insert(rng.randrange(len(parts) + 1), b"junk between records\r\n" * rng.randint(1, 5))
        what = "junk"
    elif choice < 0.7:
        i = rng.randrange(len(parts))
        parts[i] = flip_bytes(rng, parts[i], 0.001)
        what = "byte_flips"
    elif choice < 0.75:
        parts[0] = parts[0].replace(b"WARC/1.0", b"WARC/9.9", 1)
        what = "bad_version"
    gz = rng.random() < 0.4
    if gz:
        data = b"".join(gzip.compress(p, mtime=0) for p in parts)
        if rng.random() < 0.25:
            data = data[: rng.randrange(len(data) + 1)]
            what += "+gzip_truncated"
        return data, what, True
    return b"".join(parts), what, False


# -- JSON Lines -------------------------------------------------------------------------------------------
_DATES = (
    "2020-01-02", "2020-02-30", "Friday", "Mon, 02 Jan 2020 10:00:00 GMT", "01/02/2020", "", "9999-99-99",
    "January 2, 2020", "yesterday", "2020-01-02T25:61:00Z", "\x00", "2020",
)  # fmt: skip


def jsonl_line(rng: random.Random, seeds: Seeds, serial: int, used_ids: list[str]) -> bytes:
    text, _ = mutate_text(rng, seeds)
    record: dict[str, Any] = {"id": f"fuzz-{serial}", "text": text}
    choice = rng.random()
    if choice < 0.08 and used_ids:
        record["id"] = rng.choice(used_ids)  # a repeated id (W003)
    elif choice < 0.12:
        record.pop("id")
        record["url"] = f"https://news.example.org/{serial}"
    elif choice < 0.15:
        record["id"] = rng.choice((None, 17, ["a"], {"x": 1}, ""))
    used_ids.append(str(record.get("id")))
    if rng.random() < 0.7:
        record[rng.choice(("published", "date"))] = rng.choice((*_DATES, 20200102, None, ["2020"]))
    if rng.random() < 0.3:
        record["title"] = rng.choice(("A title", None, 5, {"t": 1}, "x" * 500))
    if rng.random() < 0.2:
        record[rng.choice(("source", "outlet"))] = rng.choice(("BBC", None, 3))
    choice = rng.random()
    if choice < 0.04:
        record["text"] = rng.choice((None, 42, ["a", "b"], {"t": "x"}, True))
    elif choice < 0.07:
        record.pop("text")
    elif choice < 0.09:
        record["text"] = ""
    line = json.dumps(record, ensure_ascii=rng.random() < 0.3)
    choice = rng.random()
    if choice < 0.05:
        return line[: rng.randrange(len(line) + 1)].encode("utf-8")  # cut: not JSON
    if choice < 0.08:
        return rng.choice(
            (b"[1, 2, 3]", b'"just a string"', b"null", b"{", b"}{", b"{'text': 'single quotes'}")
        )
    if choice < 0.13:
        return line.encode("cp1252", errors="replace")
    if choice < 0.17:
        return _invalid_utf8(rng, line.encode("utf-8"))
    if choice < 0.19:
        return flip_bytes(rng, line.encode("utf-8"), 0.002)
    if choice < 0.21:
        return _nul_bytes(rng, line.encode("utf-8"))
    return line.encode("utf-8")


def count_lines(data: bytes) -> int:
    """Non-blank lines, as the JSON Lines reader splits them (``bytes.splitlines``)."""
    return sum(1 for raw in data.splitlines() if raw.strip())


# -- the corpus -------------------------------------------------------------------------------------------
@dataclass
class Corpus:
    folder: Path
    files: list[Path] = field(default_factory=list)
    #: Inputs by kind (JSON Lines: non-blank lines; WARC: records written, before damage).
    planned: collections.Counter[str] = field(default_factory=collections.Counter)
    #: What was done to the inputs, by name.
    mutations: collections.Counter[str] = field(default_factory=collections.Counter)
    #: Non-blank lines of each JSON Lines file, counted on the bytes written.
    jsonl_lines: dict[Path, int] = field(default_factory=dict)

    @property
    def planned_inputs(self) -> int:
        return sum(self.planned.values())


def generate(seeds: Seeds, folder: Path, n: int, *, seed: int = 16) -> Corpus:
    """Write about ``n`` inputs under ``folder`` (a WARC file's damage may change its count)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(folder)
    targets = {kind: round(n * share) for kind, share in SHARES.items()}
    targets["text"] += n - sum(targets.values())
    serial = 0
    used_ids: list[str] = []
    written_texts: list[bytes] = []

    def write(name: str, data: bytes) -> Path:
        path = folder / name[:3] / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        corpus.files.append(path)
        return path

    for _ in range(targets["text"]):
        serial += 1
        if written_texts and rng.random() < 0.03:  # the same text again (a duplicate)
            data, what = rng.choice(written_texts), "duplicate"
        else:
            text, what = mutate_text(rng, seeds)
            data, encoding = encode_text(rng, text)
            what = f"{what}+{encoding}"
            written_texts.append(data)
        write(f"t{serial:06d}.{rng.choice(('txt', 'txt', 'md', 'text'))}", data)
        corpus.planned["text"] += 1
        corpus.mutations[what] += 1
    left = targets["jsonl"]
    while left > 0:
        size = min(left, rng.randint(1, JSONL_LINES))
        lines = []
        for _ in range(size):
            serial += 1
            lines.append(jsonl_line(rng, seeds, serial, used_ids))
        if rng.random() < 0.2:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice((b"", b"   ", b"\t")))
        newline = rng.choice((b"\n", b"\n", b"\r\n"))
        data = newline.join(lines) + (newline if rng.random() < 0.8 else b"")
        if rng.random() < 0.05:
            data = codecs.BOM_UTF8 + data
        path = write(f"j{serial:06d}.{rng.choice(('jsonl', 'ndjson'))}", data)
        corpus.jsonl_lines[path] = count_lines(data)
        corpus.planned["jsonl"] += corpus.jsonl_lines[path]
        corpus.mutations["jsonl_file"] += 1
        left -= size
    for _ in range(targets["html"]):
        serial += 1
        data, what = mutate_html(rng, seeds)
        suffix = rng.choice(("html", "htm", "html.gz"))
        write(f"h{serial:06d}.{suffix}", gzip.compress(data, mtime=0) if suffix.endswith(".gz") else data)
        corpus.planned["html"] += 1
        corpus.mutations[f"html_{what}"] += 1
    left = targets["warc"]
    while left > 0:
        serial += 1
        records = min(left, rng.randint(1, WARC_RECORDS))
        data, what, gz = mutate_warc(rng, seeds, records, serial)
        write(f"w{serial:06d}.{'warc.gz' if gz else 'warc'}", data)
        corpus.planned["warc"] += records
        corpus.mutations[f"warc_{what}"] += 1
        left -= records
    return corpus


def top_up(seeds: Seeds, corpus: Corpus, missing: int, *, seed: int = 16) -> None:
    """``missing`` more text inputs: damaged WARC records are fewer inputs than were written, and a
    run must still have at least the inputs asked for."""
    rng = random.Random(seed + 2)
    for serial in range(1, missing + 1):
        text, what = mutate_text(rng, seeds)
        data, encoding = encode_text(rng, text)
        path = corpus.folder / "u00" / f"u{serial:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        corpus.files.append(path)
        corpus.planned["text"] += 1
        corpus.mutations[f"{what}+{encoding}"] += 1


# -- what the readers find: the inputs ----------------------------------------------------------------------
@dataclass
class Inputs:
    #: Every input's name, in the order `onrecord ingest FOLDER` reads them.
    names: list[str]
    #: Inputs of each file, and of each kind.
    by_file: dict[Path, int]
    by_kind: collections.Counter[str]
    #: Problems with the reading itself (a JSON Lines file whose item count is not its line count).
    problems: list[str]


def read_names(corpus: Corpus) -> Inputs:
    """The name of every input, file by file, as `onrecord ingest FOLDER` reads them: the same
    reader, the same order (``read_inputs`` on a folder reads its sorted files with one set of
    JSON Lines names), so the same names."""
    import logging

    from onrecord.ingest import readers

    logging.getLogger("onrecord").setLevel(logging.ERROR)  # the readers' warnings are expected here
    files = sorted(p for p in corpus.folder.rglob("*") if p.is_file() and readers._readable_suffix(p))
    problems = []
    if files != sorted(corpus.files):
        problems.append(f"the reader lists {len(files)} files, {len(corpus.files)} were written")
    names: list[str] = []
    by_file: dict[Path, int] = {}
    by_kind: collections.Counter[str] = collections.Counter()
    claimed = readers._Names()
    for path in files:
        found = [item.source for item in readers._read_file(path, readers.MAX_INPUT_CHARS, claimed)]
        names += found
        by_file[path] = len(found)
        kind = _kind_of(path)
        by_kind[kind] += len(found)
        expected = corpus.jsonl_lines.get(path, 1 if kind in ("text", "html") else None)
        if expected is not None and len(found) != expected:
            problems.append(f"{path}: {len(found)} inputs read, expected {expected}")
    return Inputs(names, by_file, by_kind, problems)


def _kind_of(path: Path) -> str:
    return {"t": "text", "u": "text", "j": "jsonl", "h": "html", "w": "warc"}[path.name[0]]


# -- the store: stored or listed ------------------------------------------------------------------------
@dataclass
class Accounting:
    inputs: int
    stored: int
    failed: int
    by_code: collections.Counter[str]
    problems: list[str]


def account(db: Path, names: Sequence[str]) -> Accounting:
    """Check that every input name is stored or failed, once, and nothing else is in the store."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        stored = {row[0] for row in conn.execute("SELECT source FROM article_sources")}
        failures = list(conn.execute("SELECT input, code FROM failures"))
    finally:
        conn.close()
    failed = {name for name, _ in failures}
    problems = []
    expected = set(names)
    if len(expected) != len(names):
        repeated = [n for n, c in collections.Counter(names).items() if c > 1]
        problems.append(f"{len(repeated)} input names given twice, e.g. {repeated[:3]}")
    both = stored & failed
    if both:
        problems.append(f"{len(both)} inputs both stored and failed, e.g. {sorted(both)[:3]}")
    missing = expected - stored - failed
    if missing:
        problems.append(f"{len(missing)} inputs neither stored nor failed, e.g. {sorted(missing)[:3]}")
    extra = (stored | failed) - expected
    if extra:
        problems.append(f"{len(extra)} names in the store that are no input, e.g. {sorted(extra)[:3]}")
    if len(failures) != len(failed):
        problems.append(f"{len(failures) - len(failed)} failure rows repeat an input")
    codes = collections.Counter(code for _, code in failures)
    if "E999" in codes:
        problems.append(f"{codes['E999']} unexpected errors (E999)")
    return Accounting(len(names), len(stored & expected), len(failed & expected), codes, problems)


# -- the commands -----------------------------------------------------------------------------------------
@dataclass
class CommandResult:
    command: str
    status: int | None
    seconds: float
    problems: list[str]
    stdout: str = ""
    stderr: str = ""


def run_command(args: Sequence[str], *, timeout: float) -> CommandResult:
    """Run an onrecord command; a status other than 0 or 1, a traceback or a timeout is a problem."""
    started = time.perf_counter()
    command = " ".join(["onrecord", *args[3:]])
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return CommandResult(
            command, None, time.perf_counter() - started, [f"{command}: no end in {timeout:.0f} s"]
        )
    seconds = time.perf_counter() - started
    problems = []
    if done.returncode not in GOOD_STATUSES:
        problems.append(f"{command}: exit status {done.returncode}: {done.stderr[-2000:]}")
    if "Traceback" in done.stderr or "Traceback" in done.stdout:
        problems.append(f"{command}: a traceback: {done.stderr[-2000:]}")
    return CommandResult(command, done.returncode, seconds, problems, done.stdout, done.stderr)


def _onrecord(*args: str) -> list[str]:
    return [sys.executable, "-m", "onrecord.cli", *args]


def check_analyze(files: Sequence[Path], inputs: Inputs, *, budget: float, out: Path) -> CommandResult:
    """`onrecord analyze` on ``files``: one record on stdout or one error line on stderr per input."""
    args = _onrecord(
        "analyze", *map(str, files), "--format", "jsonl", "--time-budget", f"{budget:g}", "-o", str(out)
    )
    expected = sum(inputs.by_file[f] for f in files)
    result = run_command(args, timeout=max(600.0, len(files) * budget))
    records = (
        sum(1 for line in out.read_text(encoding="utf-8").splitlines() if line.strip()) if out.exists() else 0
    )
    errors = sum(1 for line in result.stderr.splitlines() if line.startswith("onrecord: error: "))
    if records + errors != expected:
        result.problems.append(f"analyze: {records} records and {errors} errors for {expected} inputs")
    return result


@dataclass
class Timed:
    name: str
    seconds: float
    outcome: str


def time_sample(files: Sequence[Path], *, budget: float) -> tuple[list[Timed], list[str]]:
    """Analyse each input of ``files`` in this process under the budget, timed; a slow input that is
    not an E009 failure, or one that took far past the budget, is a problem."""
    from onrecord.errors import ErrorCode, InputError
    from onrecord.ingest import read_inputs
    from onrecord.pipeline import Analyzer

    analyzer = Analyzer(time_budget=budget)
    timed: list[Timed] = []
    problems: list[str] = []
    for item in read_inputs([str(f) for f in files]):
        if isinstance(item, InputError):
            timed.append(Timed(item.source, 0.0, item.code.value))
            continue
        started = time.perf_counter()
        try:
            analyzer.analyze_input(item)
            outcome = "stored"
        except InputError as exc:
            outcome = exc.code.value
        except Exception as exc:
            outcome = "E999"
            problems.append(f"{item.source}: {type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - started
        timed.append(Timed(item.source, seconds, outcome))
        if seconds > budget + BUDGET_GRACE:
            problems.append(f"{item.source}: {seconds:.1f} s, past the budget of {budget:g} s ({outcome})")
        elif seconds > budget and outcome != ErrorCode.TIME_BUDGET.value:
            problems.append(f"{item.source}: {seconds:.1f} s, past the budget of {budget:g} s, yet {outcome}")
    return timed, problems


# -- the run ------------------------------------------------------------------------------------------------
def sample_files(corpus: Corpus, size: int, *, seed: int) -> list[Path]:
    rng = random.Random(seed + 1)
    files = list(corpus.files)
    rng.shuffle(files)
    return sorted(files[:size])


def fuzz(
    *,
    inputs: int,
    seed: int,
    jobs: int,
    budget: float,
    sample: int,
    folder: Path,
    shared: Path,
    say: Callable[[str], None],
) -> dict[str, Any]:
    started = time.perf_counter()
    seeds = load_seeds(shared)
    corpus = generate(seeds, folder / "inputs", inputs, seed=seed)
    found = read_names(corpus)
    if len(found.names) < inputs:
        top_up(seeds, corpus, inputs - len(found.names), seed=seed)
        found = read_names(corpus)
    seconds = time.perf_counter() - started
    kinds = ", ".join(f"{kind} {count}" for kind, count in found.by_kind.items())
    say(f"generated {len(corpus.files)} files, {len(found.names)} inputs ({kinds}) in {seconds:.0f} s")
    problems = list(found.problems)
    db = folder / "fuzz.db"
    ingest = run_command(
        _onrecord(
            "ingest",
            str(corpus.folder),
            "--db",
            str(db),
            "-j",
            str(jobs),
            "--time-budget",
            f"{budget:g}",
            "-q",
        ),
        timeout=max(1200.0, len(found.names) * 2.0),
    )
    problems += ingest.problems
    say(f"ingest: exit status {ingest.status} in {ingest.seconds:.0f} s")
    accounting = account(db, found.names) if db.exists() else None
    if accounting is None:
        problems.append("ingest created no database")
    else:
        problems += accounting.problems
    listed = run_command(_onrecord("failures", "--db", str(db), "--format", "jsonl"), timeout=300)
    problems += listed.problems
    listed_count = sum(1 for line in listed.stdout.splitlines() if line.strip())
    if accounting is not None and listed_count != sum(accounting.by_code.values()):
        problems.append(
            f"onrecord failures listed {listed_count}, the table holds {sum(accounting.by_code.values())}"
        )
    chosen = sample_files(corpus, sample, seed=seed)
    analyze = check_analyze(chosen, found, budget=budget, out=folder / "analyze.jsonl")
    problems += analyze.problems
    say(f"analyze on {len(chosen)} files: exit status {analyze.status} in {analyze.seconds:.0f} s")
    timed, slow_problems = time_sample(chosen, budget=budget)
    problems += slow_problems
    slowest = max(timed, key=lambda t: t.seconds, default=None)
    return {
        "seed": seed,
        "files": len(corpus.files),
        "inputs": len(found.names),
        "inputs_by_kind": dict(found.by_kind),
        "stored": accounting.stored if accounting else 0,
        "failures": accounting.failed if accounting else 0,
        "failures_by_code": dict(sorted(accounting.by_code.items())) if accounting else {},
        "mutations": dict(sorted(corpus.mutations.items())),
        "ingest_status": ingest.status,
        "ingest_seconds": round(ingest.seconds, 1),
        "jobs": jobs,
        "time_budget": budget,
        "analyze_files": len(chosen),
        "analyze_status": analyze.status,
        "analyze_seconds": round(analyze.seconds, 1),
        "timed_inputs": len(timed),
        "slowest": {"input": slowest.name, "seconds": round(slowest.seconds, 2), "outcome": slowest.outcome}
        if slowest
        else None,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "problems": problems,
    }


def format_summary(result: dict[str, Any]) -> str:
    lines = [
        f"onrecord fuzz: {result['inputs']:,} inputs in {result['files']:,} files (seed {result['seed']})",
        f"  by kind     {', '.join(f'{k} {v:,}' for k, v in result['inputs_by_kind'].items())}",
        f"  ingest      exit {result['ingest_status']}, {result['ingest_seconds']:.0f} s, "
        f"-j {result['jobs']}, budget {result['time_budget']:g} s",
        f"  stored      {result['stored']:,}",
        f"  failures    {result['failures']:,}: "
        + ", ".join(f"{code} {n:,}" for code, n in result["failures_by_code"].items()),
        f"  accounted   {result['stored'] + result['failures']:,} of {result['inputs']:,} inputs",
        f"  analyze     {result['analyze_files']} files, exit {result['analyze_status']}, "
        f"{result['analyze_seconds']:.0f} s",
    ]
    if result["slowest"]:
        s = result["slowest"]
        lines.append(
            f"  slowest     {s['seconds']:.2f} s ({s['outcome']}) of {result['timed_inputs']} timed inputs: "
            f"{s['input']}"
        )
    lines.append(f"  wall time   {result['wall_seconds']:.0f} s")
    lines.append(f"  problems    {len(result['problems'])}")
    lines += [f"    - {p}" for p in result["problems"][:20]]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="See docs/ingest.md, 'Fuzzing'."
    )
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs to build (default 10,000)")
    parser.add_argument("--seed", type=int, default=16, help="random seed (default 16)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="ingest worker processes (default 2)")
    parser.add_argument(
        "--time-budget",
        type=float,
        default=TIME_BUDGET,
        help=f"seconds per article (default {TIME_BUDGET:g})",
    )
    parser.add_argument(
        "--sample", type=int, default=300, help="files given to `onrecord analyze` and timed (default 300)"
    )
    parser.add_argument(
        "--shared", type=Path, default=SHARED, help="the shared data folder (default ../shared)"
    )
    parser.add_argument("--keep", type=Path, help="write the inputs and the store here, and keep them")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (args.shared / "data").is_dir():
        parser.error(f"no shared data at {args.shared}")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="onrecord-fuzz-") as tmp:
        folder = args.keep or Path(tmp)
        if args.keep and (folder / "fuzz.db").exists():
            parser.error(f"{folder} already holds a fuzz run; give an empty folder")
        result = fuzz(
            inputs=args.inputs,
            seed=args.seed,
            jobs=args.jobs,
            budget=args.time_budget,
            sample=args.sample,
            folder=folder,
            shared=args.shared,
            say=say,
        )
    print(format_summary(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if not result["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
