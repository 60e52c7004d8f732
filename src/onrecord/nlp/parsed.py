"""An article's paragraphs parsed by spaCy, with helpers that speak in offsets of the cleaned text.

Each paragraph is its own ``Doc``: paragraphs are where sentences end for sure (a crosshead like
"Russian influence" must never be merged into the next sentence), and small docs parse fast.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

OffsetSpan = tuple[int, int]


def subtree(token: Token) -> list[Token]:
    """``token.subtree`` in text order, without spaCy's recursion: its generator (and ``children``)
    walk the span of the subtree at every level, so their cost is the subtree's size times its depth,
    quadratic in a 100,000-token sentence of conjuncts (issue #16). Here each token of the sentence
    is asked once whether its heads lead to ``token``, the answers shared along each path. The
    sentence, not the span between ``left_edge`` and ``right_edge``: after the parser's non-projective
    repairs the edges can fall short of the subtree ("suspected" with a right edge before its last
    dependents), and the result must be spaCy's."""
    doc = token.doc
    heads, sentences = _heads(doc)
    k = bisect_right(sentences, token.i) - 1
    lo = sentences[k]
    hi = sentences[k + 1] if k + 1 < len(sentences) else len(doc)
    known: dict[int, bool] = {token.i: True}
    for start in range(lo, hi):
        path = []
        i = start
        while i not in known:
            path.append(i)
            head = heads[i]
            if head == i or not lo <= head < hi:
                known[i] = False
                break
            i = head
        answer = known[i]
        for j in path:
            known[j] = answer
    return [doc[i] for i in range(lo, hi) if known[i]]


def children(token: Token) -> list[Token]:
    """``token.children``, from the doc's head array: spaCy's walks the span of the token's subtree
    to find them (issue #16: asked of every token of a 100,000-token sentence, that was quadratic)."""
    doc = token.doc
    kids = doc.user_data.get("onrecord.children")
    if kids is None or len(kids) != len(doc):
        heads, _ = _heads(doc)
        kids = [[] for _ in range(len(doc))]
        for i, head in enumerate(heads):
            if head != i:
                kids[head].append(i)
        doc.user_data["onrecord.children"] = kids
    return [doc[i] for i in kids[token.i]]


def _heads(doc: Doc) -> tuple[list[int], list[int]]:
    """Each token's head index, and where each sentence starts: computed once per doc (kept in
    ``doc.user_data``)."""
    cached = doc.user_data.get("onrecord.heads")
    if cached is None or len(cached[0]) != len(doc):
        cached = doc.user_data["onrecord.heads"] = ([t.head.i for t in doc], [s.start for s in doc.sents])
    return cached


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

    # Where each token starts and ends in the cleaned text (both ascending: tokens never overlap), so
    # that "the tokens after this quotation mark" is a bisection, not a walk over the paragraph.
    @cached_property
    def token_starts(self) -> list[int]:
        return [self.offset + t.idx for t in self.doc]

    @cached_property
    def token_ends(self) -> list[int]:
        return [self.offset + t.idx + len(t) for t in self.doc]

    @cached_property
    def sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    def sentence_at(self, offset: int) -> OffsetSpan | None:
        """The sentence that holds the character at ``offset``, if one does."""
        k = bisect_right(self.sentence_starts, offset) - 1
        return self.sentences[k] if k >= 0 and offset < self.sentences[k][1] else None

    def first_token_from(self, offset: int) -> int:
        """The index of the first token that starts at or after ``offset`` (len(doc) if none)."""
        return bisect_left(self.token_starts, offset)

    def first_token_after(self, offset: int) -> int:
        """The index of the first token that starts after ``offset`` (len(doc) if none)."""
        return bisect_right(self.token_starts, offset)

    def tokens_ending_by(self, offset: int) -> int:
        """How many tokens (the first ones) end at or before ``offset``."""
        return bisect_right(self.token_ends, offset)


@dataclass(frozen=True)
class ParsedArticle:
    text: str
    paragraphs: tuple[ParsedParagraph, ...]

    def body(self) -> Iterator[ParsedParagraph]:
        """Paragraphs that can hold quotations (headings cannot)."""
        return (p for p in self.paragraphs if not p.is_heading)

    @cached_property
    def paragraph_starts(self) -> list[int]:
        return [p.offset for p in self.paragraphs]

    @cached_property
    def paragraph_ends(self) -> list[int]:
        return [p.end for p in self.paragraphs]

    def paragraphs_meeting(self, lo: int, hi: int) -> tuple[ParsedParagraph, ...]:
        """The paragraphs that end at or after ``lo`` and start at or before ``hi``, in order."""
        first = bisect_left(self.paragraph_ends, lo)
        return self.paragraphs[first : max(first, bisect_right(self.paragraph_starts, hi))]
