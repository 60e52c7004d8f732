"""The records an evaluation compares, and the reader for onrecord's own JSON gold files.

Gold and predictions are reduced to the same :class:`Item`: a content (one or several character spans),
a source mention, a cue. Gold files name the speaker but give no offsets, so :func:`load_gold_directory`
locates every string in the article text (see :func:`locate_gold_items`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.records import Analysis, Span

GOLD_SUFFIX = ".gold.json"
#: Non-breaking spaces are folded to plain spaces in the gold strings (see the gold file's "about").
_FOLD = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})


class GoldFormatError(ValueError):
    """A gold file or an annotated corpus cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class Item:
    """One attribution, gold or predicted: what was said (content), by whom (source), how (cue)."""

    content: str
    content_spans: tuple[Span, ...]
    source: str | None = None
    source_spans: tuple[Span, ...] = ()
    cue: str | None = None
    cue_spans: tuple[Span, ...] = ()
    #: The canonical speaker: the system's name for a prediction, the annotated name for gold.
    speaker: str | None = None
    #: Gold only: the predicted canonical name must contain this (case-insensitive).
    speaker_surname: str | None = None
    #: False when the gold says who spoke but not where the mention is (a nested quote's speaker):
    #: the end-to-end score then checks the content only.
    source_checked: bool = True
    nested: bool = False
    #: Predictions only: the statement's confidence, for the calibration numbers.
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    name: str
    text: str
    items: tuple[Item, ...]
    published: str | None = None
    title: str | None = None
    #: The annotator whose file was scored (PolNeAR), None for onrecord gold files.
    annotator: str | None = None
    #: The annotation file, relative to the evaluated directory.
    annotation: str = ""


@dataclass(frozen=True, slots=True)
class GoldCorpus:
    format: str
    root: str
    articles: tuple[GoldArticle, ...]
    #: sha256 over the files (and metadata rows) that were read, so a baseline knows its data.
    data_hash: str
    #: How many annotated spans were checked against the text, and how many matched exactly.
    spans_checked: int = 0
    spans_verified: int = 0
    #: Things the reader skipped or could not place, one line each, for the report.
    notes: tuple[str, ...] = field(default=())
    #: Whether the annotation has quotations inside quotations (onrecord's gold files do, PolNeAR not).
    nested: bool = True

    @property
    def gold_items(self) -> int:
        return sum(len(a.items) for a in self.articles)


def hash_files(root: Path, paths: Iterable[Path], *, extra: Iterable[str] = ()) -> str:
    """sha256 over the sorted relative paths and bytes of ``paths``, then the ``extra`` lines, sorted."""
    digest = hashlib.sha256()
    for rel, path in sorted((p.relative_to(root).as_posix(), p) for p in paths):
        data = path.read_bytes()
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    for line in sorted(extra):
        digest.update(b"row\0" + line.encode("utf-8") + b"\0")
    return digest.hexdigest()


def items_from_analysis(analysis: Analysis) -> tuple[Item, ...]:
    """The predicted items of one analysis: one per quote, nested ones included."""
    items = []
    for quote in analysis.quotes:
        speaker = quote.speaker
        items.append(
            Item(
                content=quote.content,
                content_spans=tuple(quote.content_spans),
                source=speaker.mention,
                source_spans=(speaker.mention_span,) if speaker.mention_span is not None else (),
                cue=quote.cue,
                cue_spans=(quote.cue_span,) if quote.cue_span is not None else (),
                speaker=speaker.name,
                nested=quote.nested_in is not None,
                confidence=quote.confidence,
            )
        )
    return tuple(items)


# --- onrecord JSON gold files -------------------------------------------------------------------


def load_gold_directory(path: Path, *, limit: int | None = None) -> GoldCorpus:
    """Read every ``*.gold.json`` under ``path`` (or the one file ``path``) with the text beside it."""
    path = Path(path)
    if path.is_file():
        root, gold_paths = path.parent, [path]
    elif path.is_dir():
        root, gold_paths = path, sorted(path.rglob(f"*{GOLD_SUFFIX}"))
    else:
        raise GoldFormatError(f"{path}: no such file or directory")
    if not gold_paths:
        raise GoldFormatError(f"{path}: no *{GOLD_SUFFIX} files found")
    if limit is not None:
        gold_paths = gold_paths[:limit]
    articles: list[GoldArticle] = []
    notes: list[str] = []
    read: list[Path] = []
    checked = verified = 0
    for gold_path in gold_paths:
        try:
            data = json.loads(gold_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GoldFormatError(f"{gold_path}: cannot read the gold file ({exc})") from exc
        text_path = _text_path(gold_path, data)
        text = text_path.read_bytes().decode("utf-8")
        items, missing = locate_gold_items(text, data.get("quotes") or [])
        notes.extend(f"{gold_path.name}: {m}" for m in missing)
        for item in items:
            for start, end in (*item.content_spans, *item.source_spans):
                checked += 1
                verified += start < end
        read += [gold_path, text_path]
        articles.append(
            GoldArticle(
                name=text_path.name,
                text=text,
                items=items,
                published=data.get("published"),
                title=data.get("title"),
                annotation=gold_path.relative_to(root).as_posix(),
            )
        )
    return GoldCorpus(
        format="gold",
        root=str(path),
        articles=tuple(articles),
        data_hash=hash_files(root, read),
        spans_checked=checked,
        spans_verified=verified,
        notes=tuple(notes),
    )


def _text_path(gold_path: Path, data: dict[str, Any]) -> Path:
    candidates = []
    if data.get("article"):
        candidates.append(gold_path.parent / str(data["article"]))
    candidates.append(gold_path.with_name(gold_path.name[: -len(GOLD_SUFFIX)] + ".txt"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise GoldFormatError(f"{gold_path}: no article text beside it (looked for {candidates[-1].name})")


def locate_gold_items(text: str, quotes: Sequence[dict[str, Any]]) -> tuple[tuple[Item, ...], list[str]]:
    """Turn gold quotes (strings without offsets) into items with spans into ``text``.

    Each content is searched from the previous content's position on (gold files list quotes in
    reading order), then anywhere; a nested content inside its parent. The mention (and the cue) is the
    whole-word occurrence nearest to the content and not inside it, preferring one outside every other
    content, on the content's own line, in the same case. A nested quote's speaker without a mention
    is looked for (by surname) inside the enclosing content. Returns the items and a note for every
    string that could not be placed.
    """
    folded = text.translate(_FOLD)
    missing: list[str] = []
    located: list[tuple[dict[str, Any], Span, Span | None]] = []
    _locate_contents(folded, quotes, None, located, missing)
    contents = [span for _, span, parent in located if parent is None]
    items = tuple(
        _make_item(text, folded, quote, span, parent=parent, avoid=contents, missing=missing)
        for quote, span, parent in located
    )
    return items, missing


def _locate_contents(
    folded: str,
    quotes: Sequence[dict[str, Any]],
    parent: Span | None,
    located: list[tuple[dict[str, Any], Span, Span | None]],
    missing: list[str],
) -> None:
    for quote in quotes:
        content = str(quote.get("content") or "").translate(_FOLD)
        previous = [span for _, span, up in located if up is None]
        hint = parent[0] if parent else (previous[-1][0] if previous else 0)
        span = _find_content(folded, content, hint=hint, within=parent) if content else None
        if span is None:
            missing.append(f"content not found: {content[:60]!r}")
            continue
        located.append((quote, span, parent))
        if quote.get("nested"):
            _locate_contents(folded, quote["nested"], span, located, missing)


def _make_item(
    text: str,
    folded: str,
    quote: dict[str, Any],
    span: Span,
    *,
    parent: Span | None,
    avoid: Sequence[Span],
    missing: list[str],
) -> Item:
    mention = quote.get("speaker_mention")
    surname = quote.get("speaker_surname")
    found: Span | None = None
    if mention:
        found = _find_mention(folded, str(mention).translate(_FOLD), span, inside=parent, avoid=avoid)
        if found is None:
            missing.append(f"mention not found: {mention!r}")
    elif parent is not None and "speaker_mention" not in quote and surname:
        # Nested gold quotes name the speaker but not the mention: look for the surname inside the
        # enclosing quote ("Putin said he could not reproach me ...").
        found = _find_mention(folded, str(surname), span, inside=parent)
    # A source given (or implied by a nested quote's speaker) that we could not place is not held
    # against anyone: the end-to-end score then checks the content only ("They told me ...").
    has_source = bool(mention) or (parent is not None and "speaker_mention" not in quote)
    cue = quote.get("cue")
    cue_span = _find_mention(folded, str(cue), span, inside=parent, avoid=avoid) if cue else None
    return Item(
        content=text[span[0] : span[1]],
        content_spans=(span,),
        source=text[found[0] : found[1]] if found else (str(mention) if mention else None),
        source_spans=(found,) if found else (),
        cue=str(cue) if cue else None,
        cue_spans=(cue_span,) if cue_span else (),
        speaker=quote.get("speaker"),
        speaker_surname=str(surname) if surname else None,
        source_checked=found is not None or not has_source,
        nested=parent is not None,
    )


def _find_content(folded: str, content: str, *, hint: int, within: Span | None) -> Span | None:
    if within is not None:
        at = folded.find(content, within[0], within[1])
        if at >= 0:
            return (at, at + len(content))
    at = folded.find(content, hint)
    if at < 0:
        at = folded.find(content)
    return (at, at + len(content)) if at >= 0 else None


def _find_mention(
    folded: str, mention: str, content: Span, *, inside: Span | None = None, avoid: Sequence[Span] = ()
) -> Span | None:
    """The whole-word occurrence of ``mention`` nearest to ``content`` and not inside it.

    Preferred, in order: outside the other contents (a mention inside another quotation is what was
    said, not who said it), on the content's own line, in the gold's own case (gold files write "he" for
    a sentence-initial "He"), nearest, before rather than after.
    """
    pattern = re.compile(r"(?<!\w)" + re.escape(mention) + r"(?!\w)", re.IGNORECASE)
    lo, hi = inside if inside is not None else (0, len(folded))
    line_start = folded.rfind("\n", 0, content[0]) + 1
    line_end = folded.find("\n", content[0])
    line_end = len(folded) if line_end < 0 else line_end
    best: tuple[tuple[int, ...], Span] | None = None
    for match in pattern.finditer(folded, lo, hi):
        start, end = match.span()
        if start < content[1] and end > content[0]:
            continue
        before = start < content[0]
        key = (
            int(any(s <= start and end <= e for s, e in avoid)),
            int(not line_start <= start < line_end),
            int(match.group() != mention),
            content[0] - end if before else start - content[1],
            0 if before else 1,
        )
        if best is None or key < best[0]:
            best = (key, (start, end))
    return best[1] if best else None
