"""An article's paragraphs parsed by spaCy, with helpers that speak in offsets of the cleaned text.

Each paragraph is its own ``Doc``: paragraphs are where sentences end for sure (a crosshead like
"Russian influence" must never be merged into the next sentence), and small docs parse fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

OffsetSpan = tuple[int, int]


@dataclass(frozen=True)
class ParsedParagraph:
    index: int
    offset: int  # where the paragraph starts in the cleaned text
    doc: Doc
    is_heading: bool

    def char_span(self, start_token: int, end_token: int) -> OffsetSpan:
        """Cleaned-text offsets of tokens [start_token, end_token)."""
        first = self.doc[start_token]
        last = self.doc[end_token - 1]
        return (self.offset + first.idx, self.offset + last.idx + len(last.text))

    def token_offsets(self, token: Token) -> OffsetSpan:
        return (self.offset + token.idx, self.offset + token.idx + len(token.text))

    def span_offsets(self, span: Span) -> OffsetSpan:
        return self.char_span(span.start, span.end)

    # ``Doc.text`` and ``Doc.sents`` are rebuilt from the tokens at every access: the extractor asks
    # for them once per candidate, so they are computed once per paragraph here.
    @cached_property
    def text(self) -> str:
        """The paragraph's text (the cleaned text from ``offset`` to ``end``)."""
        return self.doc.text

    @cached_property
    def end(self) -> int:
        """Where the paragraph ends in the cleaned text."""
        return self.offset + len(self.text)

    @cached_property
    def sentences(self) -> tuple[OffsetSpan, ...]:
        """Cleaned-text offsets of each sentence, in order."""
        return tuple(self.span_offsets(sent) for sent in self.doc.sents)


@dataclass(frozen=True)
class ParsedArticle:
    text: str
    paragraphs: tuple[ParsedParagraph, ...]

    def body(self) -> Iterator[ParsedParagraph]:
        """Paragraphs that can hold quotations (headings cannot)."""
        return (p for p in self.paragraphs if not p.is_heading)
