"""Reading PolNeAR (Political News Attribution Relations; Newell, Margolin and Ruths, LREC 2018).

Layout of a split directory (``dev/``): ``text/<article>.txt`` and ``attributions/<article>_<annotator>.ann``
in brat standoff; ``metadata.tsv`` beside the split (or inside it) lists, per article, the annotators
and the publication date. An article annotated by several people is scored against the FIRST annotator
listed for it, as the corpus authors do.

Offsets: checked on the dev split (84 articles, 9,095 spans, every one matches), the brat offsets are
Unicode code points into the text decoded as UTF-8 and read WITHOUT newline translation (the files use
``\\n`` only; a ``\\r\\n`` file would still be right because we never translate). A discontinuous span
(``Content 256 377;463 616``) gives its pieces' texts joined by one space. :func:`load_polnear` checks
every span against its text and refuses an article where more than :data:`MAX_OFFSET_MISMATCH` of the
spans do not match (the sign of another unit, bytes for example).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from onrecord.evaluate.gold import GoldArticle, GoldCorpus, GoldFormatError, Item, hash_files
from onrecord.records import Span

#: Human agreement on the multiply-annotated articles (PROVENANCE.md of the shared copy; greedy
#: one-to-one matching by character F1, as here): the ceiling to read our scores against.
HUMAN_AGREEMENT: dict[str, float] = {
    "content_exact_f1": 0.66,
    "content_overlap_f1": 0.82,
    "end_to_end_f1": 0.77,
}
#: Above this share of spans whose text does not match ``text[start:end]`` an article is refused. Offsets
#: in another unit (bytes for characters) break most spans after the first non-ASCII character; a single
#: odd span (1 of 48 in train's nyt_2016-04-18_for-news-outlets-feeling-the-squ) is not that.
MAX_OFFSET_MISMATCH = 0.10

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_E_LINE = re.compile(r"^(E\d+)\t(.*)$")
_ANY_ID = re.compile(r"^[TERAMN#]\d*\t")
_ATTRIBUTION_TYPES = ("Attribution", "Attribution-no-source")
_CONTENT_ROLES = re.compile(r"^Content\d*$")


@dataclass(frozen=True, slots=True)
class BratSpan:
    id: str
    type: str
    spans: tuple[Span, ...]
    text: str


@dataclass(frozen=True, slots=True)
class BratEvent:
    id: str
    type: str
    #: (role, text-bound id) in file order: ``Content``, ``Content2``, ``Cue``, ``Source``.
    args: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class MetaRow:
    compartment: str
    filename: str
    annotators: tuple[str, ...]
    publication_date: str | None
    title: str | None
    line: str


def parse_ann(source: str) -> tuple[dict[str, BratSpan], list[BratEvent]]:
    """Text-bound annotations by id and events, from brat standoff.

    Only lines starting ``T<n>\\t`` and ``E<n>\\t`` are read. A span's text can contain newlines, so a
    line that starts no annotation continues the previous span's text.
    """
    spans: dict[str, BratSpan] = {}
    events: list[BratEvent] = []
    last: str | None = None
    for line in source.split("\n"):
        t_match = _T_LINE.match(line)
        if t_match:
            tid, kind, offsets, text = t_match.groups()
            pieces = tuple(_offsets(offsets))
            spans[tid] = BratSpan(tid, kind, pieces, text)
            last = tid
            continue
        e_match = _E_LINE.match(line)
        if e_match:
            eid, body = e_match.groups()
            args = [(role, tid) for role, _, tid in (arg.partition(":") for arg in body.split()) if tid]
            kind = args[0][0] if args else ""
            events.append(BratEvent(eid, kind, tuple(args[1:])))
            last = None
            continue
        if _ANY_ID.match(line):
            last = None
        elif last is not None and line:
            previous = spans[last]
            spans[last] = BratSpan(previous.id, previous.type, previous.spans, previous.text + "\n" + line)
    return spans, events


def _offsets(value: str) -> Iterable[Span]:
    for piece in value.split(";"):
        start, end = piece.split()
        yield (int(start), int(end))


def span_matches(text: str, span: BratSpan) -> bool:
    """Does the annotated text equal the text at the offsets (pieces joined by a space)?"""
    if any(not 0 <= s <= e <= len(text) for s, e in span.spans):
        return False
    joined = " ".join(text[s:e] for s, e in span.spans)
    return joined == span.text or text[span.spans[0][0] : span.spans[-1][1]] == span.text


def read_metadata(path: Path) -> dict[str, MetaRow]:
    """Rows of ``metadata.tsv`` by article filename."""
    rows: dict[str, MetaRow] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
        for raw in handle:
            line = raw.rstrip("\r\n")
            if not line:
                continue
            values = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
            record = dict(zip(header, values, strict=False))
            name = record.get("filename", "")
            rows[name] = MetaRow(
                compartment=record.get("compartment", ""),
                filename=name,
                annotators=split_annotators(record.get("annotators", "")),
                publication_date=record.get("publication_date") or None,
                title=record.get("title") or None,
                line=line,
            )
    return rows


def split_annotators(value: str) -> tuple[str, ...]:
    """``"ef2d"``, ``"4b22|4e07"`` or ``"4b224e07"``: annotator codes are four characters, in order."""
    codes: list[str] = []
    for part in value.split("|"):
        part = part.strip()
        codes += [part[i : i + 4] for i in range(0, len(part), 4)]
    return tuple(c for c in codes if c)


def find_metadata(directory: Path) -> Path | None:
    for candidate in (directory / "metadata.tsv", directory.parent / "metadata.tsv"):
        if candidate.is_file():
            return candidate
    return None


def load_polnear(directory: Path, *, limit: int | None = None) -> GoldCorpus:
    """Every article of a PolNeAR split directory, with the first listed annotator's attributions."""
    directory = Path(directory)
    text_dir, ann_dir = directory / "text", directory / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise GoldFormatError(f"{directory}: not a PolNeAR split (expected text/ and attributions/ in it)")
    meta_path = find_metadata(directory)
    metadata = read_metadata(meta_path) if meta_path else {}
    text_paths = sorted(text_dir.glob("*.txt"))
    if limit is not None:
        text_paths = text_paths[:limit]
    if not text_paths:
        raise GoldFormatError(f"{text_dir}: no .txt files")
    articles: list[GoldArticle] = []
    read: list[Path] = []
    rows: list[str] = []
    notes: list[str] = []
    checked = verified = 0
    for text_path in text_paths:
        name = text_path.stem
        row = metadata.get(name)
        ann_path, annotator = _choose_annotation(ann_dir, name, row)
        text = text_path.read_bytes().decode("utf-8")
        spans, events = parse_ann(ann_path.read_bytes().decode("utf-8"))
        bad = [s for s in spans.values() if not span_matches(text, s)]
        checked += len(spans)
        verified += len(spans) - len(bad)
        if spans and len(bad) / len(spans) > MAX_OFFSET_MISMATCH:
            raise GoldFormatError(
                f"{ann_path}: {len(bad)} of {len(spans)} spans do not match the text at their offsets "
                f"(first: {bad[0].id} {bad[0].spans} {bad[0].text[:40]!r}); are the offsets in another unit?"
            )
        items, skipped = attributions_to_items(text, spans, events)
        notes.extend(f"{ann_path.name}: {s}" for s in skipped)
        read += [text_path, ann_path]
        if row is not None:
            rows.append(row.line)
        else:
            notes.append(f"{name}: no row in metadata.tsv (no publication date)")
        articles.append(
            GoldArticle(
                name=name,
                text=text,
                items=items,
                published=row.publication_date if row else None,
                title=row.title if row else None,
                annotator=annotator,
                annotation=ann_path.relative_to(directory).as_posix(),
            )
        )
    return GoldCorpus(
        format="polnear",
        root=str(directory),
        articles=tuple(articles),
        data_hash=hash_files(directory, read, extra=rows),
        spans_checked=checked,
        spans_verified=verified,
        notes=tuple(notes),
        nested=False,
    )


def _choose_annotation(ann_dir: Path, name: str, row: MetaRow | None) -> tuple[Path, str]:
    """The first listed annotator's file; without metadata, the only (or alphabetically first) one."""
    for annotator in row.annotators if row else ():
        path = ann_dir / f"{name}_{annotator}.ann"
        if path.is_file():
            return path, annotator
    found = sorted(ann_dir.glob(f"{glob_escape(name)}_*.ann"))
    found = [p for p in found if len(p.stem) == len(name) + 5]
    if not found:
        raise GoldFormatError(f"{ann_dir}: no annotation file for {name}")
    return found[0], found[0].stem[len(name) + 1 :]


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def attributions_to_items(
    text: str, spans: dict[str, BratSpan], events: list[BratEvent]
) -> tuple[tuple[Item, ...], list[str]]:
    """One item per attribution event that has a content; ``Content2`` joins the content's pieces."""
    items: list[Item] = []
    skipped: list[str] = []
    for event in events:
        if event.type not in _ATTRIBUTION_TYPES:
            continue
        content: list[Span] = []
        source: list[Span] = []
        cue: list[Span] = []
        for role, tid in event.args:
            target = spans.get(tid)
            if target is None:
                skipped.append(f"{event.id} refers to a missing {tid}")
                continue
            if _CONTENT_ROLES.match(role):
                content += target.spans
            elif role == "Source":
                source += target.spans
            elif role == "Cue":
                cue += target.spans
        if not content:
            skipped.append(f"{event.id} has no content")
            continue
        content.sort()
        source.sort()
        cue.sort()
        items.append(
            Item(
                content=" ".join(text[s:e] for s, e in content),
                content_spans=tuple(content),
                source=" ".join(text[s:e] for s, e in source) or None,
                source_spans=tuple(source),
                cue=" ".join(text[s:e] for s, e in cue) or None,
                cue_spans=tuple(cue),
            )
        )
    return tuple(items), skipped
