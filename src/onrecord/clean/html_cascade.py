"""The extraction cascade: from a parsed HTML page to the article body as a list of blocks.

Stages, in order (each can be switched off in :class:`Stages`, which is how the ablation table in
docs/html.md was measured with ``onrecord bench html``):

1. **Precision pass.** ``trafilatura.bare_extraction`` with ``favor_precision=True`` and
   ``include_comments=False`` (trafilatura's own cascade runs inside: its main extractor, then
   readability and jusText as fallbacks, compared by length).
2. **Recall fallback.** When the precision pass finds little (``RECALL_FALLBACK_MAX_WORDS``), a
   ``favor_recall`` pass runs too, and wins if it finds far more (``RECALL_FALLBACK_RATIO``): the
   precision heuristics sometimes settle on a short block of boilerplate beside the article.
3. **Blocks.** The extracted tree (trafilatura's XML: ``p``, ``head``, ``list/item``, ``quote``,
   ``table/row/cell``) is rendered into paragraphs, one block each.
4. **Title.** Leading blocks that repeat the page title are dropped (the headline is metadata; the
   body starts after it).
5. **Boilerplate blocks.** Blocks that are boilerplate line by line are dropped: the plain-text
   cleaner's line patterns (:func:`onrecord.clean.boilerplate.line_reason`) and the HTML-only ones
   (:func:`onrecord.clean.html_rules.block_reason`: comment-section headings, taxonomy lines,
   reading times, teasers).

The plain-text cleaner as a whole (:func:`onrecord.clean.clean_text`, whose navigation rule drops
runs of short unpunctuated lines) is NOT a stage: on the AEB pages it gains 0.0003 in precision and
loses 0.0073 in recall (lists of ingredients and specifications look like link lists to it);
docs/html.md has the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import trafilatura

from onrecord.clean.boilerplate import line_reason
from onrecord.clean.html_rules import block_reason
from onrecord.clean.text import clean_text

#: The precision pass loses to the recall pass when the recall pass has more than this many times
#: its words. Tuned on ../shared/data/aeb (``onrecord bench html``): one page (Barron's) has a
#: ratio of 13.7, where the precision pass kept a reprint notice instead of the article; every other
#: page is below 1.8, where the extra recall text is navigation and teasers. 3 keeps a wide margin on
#: both sides. Rerun the benchmark after changing it.
RECALL_FALLBACK_RATIO = 3.0
#: The recall pass runs only when the precision pass found fewer words than this (a short news story
#: has about 150 words; the AEB median is 529), so most pages pay for one pass, not two.
RECALL_FALLBACK_MAX_WORDS = 150
#: Longest block (in words) the title rule may drop; a paragraph of prose is never the title.
TITLE_MAX_WORDS = 40
#: How many blocks from the top the title rule looks at (a kicker or a date may come first).
TITLE_SEARCH_BLOCKS = 3

_WORD = re.compile(r"\w+")
_SITE_SUFFIX = re.compile(r"\s+[|\-–—:·•]+\s+[^|\-–—:·•]+$")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


@dataclass(frozen=True)
class Stages:
    """Which stages of the cascade run (all by default). The benchmark switches them off one by one."""

    no_comments: bool = True
    recall_fallback: bool = True
    drop_title: bool = True
    #: The plain-text cleaner's line patterns (:func:`onrecord.clean.boilerplate.line_reason`).
    drop_boilerplate_lines: bool = True
    #: The HTML-only block patterns (:func:`onrecord.clean.html_rules.block_reason`).
    drop_html_boilerplate: bool = True
    #: Not a stage by default (it costs recall here): the plain-text cleaner over the result.
    plain_text_cleaner: bool = False


#: The cascade as onrecord runs it.
ALL_STAGES = Stages()


@dataclass(frozen=True)
class Block:
    """One paragraph of the body: its kind in trafilatura's XML (p, head, item, quote, row) and text."""

    kind: str
    text: str


@dataclass(frozen=True)
class CascadeResult:
    blocks: tuple[Block, ...]
    #: Which passes produced the text, joined by "+": "trafilatura" or "trafilatura+recall".
    extractor: str
    #: trafilatura's Document of the pass that won (metadata lives there when it was asked for).
    document: Any


def run_cascade(tree: Any, *, url: str | None, stages: Stages = ALL_STAGES) -> CascadeResult | None:
    """The body of one parsed page (``tree`` is an lxml HTML tree, left unchanged), or ``None``."""
    document = _trafilatura(tree, url=url, precision=True, comments=not stages.no_comments)
    extractor = "trafilatura"
    words = _words(document)
    if stages.recall_fallback and words < RECALL_FALLBACK_MAX_WORDS:
        recall = _trafilatura(tree, url=url, precision=False, comments=not stages.no_comments)
        if words * RECALL_FALLBACK_RATIO < _words(recall):
            document, extractor = recall, "trafilatura+recall"
    if document is None or document.body is None:
        return None
    blocks = list(_render(document.body))
    if not stages.no_comments and document.commentsbody is not None:
        blocks.extend(_render(document.commentsbody))
    if stages.drop_title:
        blocks = drop_title(blocks, document.title)
    if stages.drop_boilerplate_lines or stages.drop_html_boilerplate:
        blocks = [block for block in blocks if not _is_boilerplate(block, stages)]
    if stages.plain_text_cleaner:
        cleaned = clean_text(blocks_text(blocks)).text
        blocks = [Block("p", paragraph) for paragraph in cleaned.split("\n\n")]
    blocks = [block for block in blocks if _WORD.search(block.text)]
    if not blocks:
        return None
    return CascadeResult(tuple(blocks), extractor, document)


def blocks_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    """The body as plain text: one block per paragraph, paragraphs separated by a blank line."""
    return "\n\n".join(block.text for block in blocks)


def _trafilatura(tree: Any, *, url: str | None, precision: bool, comments: bool) -> Any:
    # With ``include_comments`` trafilatura extracts the comment section into ``commentsbody`` (its
    # ``extract`` appends it to the text); onrecord leaves it out unless ``Stages.no_comments`` is off.
    # ``bare_extraction`` copies an lxml tree before it prunes it, so ``tree`` can be used again.
    return trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=precision,
        favor_recall=not precision,
        include_comments=comments,
        with_metadata=True,
    )


def _words(document: Any) -> int:
    if document is None or document.body is None:
        return 0
    return sum(len(_WORD.findall(text)) for text in document.body.itertext())


# --- rendering trafilatura's XML into blocks --------------------------------------------------------

_CONTAINERS = frozenset({"body", "div", "main", "doc", "list", "quote", "table", "section"})


def _render(element: Any) -> Iterator[Block]:
    """Paragraph-level blocks under ``element``, in document order."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag == "row":
            cells = [_inline_text(cell) for cell in child if isinstance(cell.tag, str)]
            text = " | ".join(cell for cell in cells if cell)
            if text:
                yield Block("row", text)
        elif tag in _CONTAINERS or (tag in ("item", "quote") and _has_blocks(child)):
            if child.text and child.text.strip():
                yield Block(tag, _normalise(child.text))
            yield from _render(child)
        else:
            text = _inline_text(child)
            if text:
                yield Block(tag, text)
        # Text between blocks (``<head>Title</head>Text...``) is a paragraph of its own.
        if child.tail and child.tail.strip():
            yield Block("p", _normalise(child.tail))


def _has_blocks(element: Any) -> bool:
    return any(isinstance(c.tag, str) and c.tag in ("p", "list", "head", "quote", "table") for c in element)


def _inline_text(element: Any) -> str:
    """Text of a paragraph-level element; ``<lb/>`` becomes a line break."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str):
                if child.tag == "lb":
                    parts.append("\n")
                else:
                    walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return _normalise("".join(parts))


def _normalise(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- rules on blocks ----------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def drop_title(blocks: list[Block], title: str | None) -> list[Block]:
    """Drop a block near the top that repeats the page title, with or without a site-name suffix.

    trafilatura keeps the ``<h1>`` when it sits inside the article element; the headline is already
    in ``ExtractedPage.title``, and a headline is no paragraph of the body. ``<title>`` often ends with
    the site's name ("Headline | Site", "Headline - Site.com"): the part before the last separator
    counts as the title too.
    """
    if not title or not blocks:
        return blocks
    keys = {_key(title), _key(_SITE_SUFFIX.sub("", title))} - {""}
    for index, block in enumerate(blocks[:TITLE_SEARCH_BLOCKS]):
        if block.text.count(" ") < TITLE_MAX_WORDS and _key(block.text) in keys:
            return blocks[:index] + blocks[index + 1 :]
    return blocks


def _is_boilerplate(block: Block, stages: Stages) -> bool:
    """Whether every line of a block is boilerplate by one of the patterns that ``stages`` turn on."""
    for line in block.text.split("\n"):
        if not (
            (stages.drop_boilerplate_lines and line_reason(line) is not None)
            or (stages.drop_html_boilerplate and block_reason(line) is not None)
        ):
            return False
    return True
