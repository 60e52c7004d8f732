"""Parsing a giant paragraph in pieces, so that analysis time grows linearly with it (issue #16).

spaCy's parser takes a paragraph as one stretch; on a paragraph of hundreds of thousands of tokens
with no sentence end (a table flattened into one line, a list of quotation marks) its time grows
faster than the length: 100 K quotation marks in one paragraph took 27 s of bare parsing, ten times
fewer took 2 s. News paragraphs are a few hundred characters; one longer than ``MAX_PIECE`` characters
is cut into pieces of at most that length, each cut after a sentence's end where there is one
(". ", "? ", "! ", then any whitespace), parsed piece by piece, and joined back into one Doc with
``Doc.from_docs``: the text, tokens, tags, parse and entities of each piece are kept, offsets shifted,
so everything downstream sees one paragraph whose text is exactly the input's. A sentence longer than
a piece is split at the cut, which is the cost: on such text no parse is right anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: Longest stretch parsed as one, in characters (the longest paragraph of the development sets is
#: under 3,000; the seed's under 1,000).
MAX_PIECE = 20_000
#: Pieces parsed together when a paragraph is cut.
PIECES_PER_BATCH = 1
_SENTENCE_END = re.compile(r"[.?!][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def pipe_paragraphs(nlp: Language, texts: list[str], *, batch_size: int = 64) -> Iterator[Doc]:
    """``nlp.pipe`` over paragraphs, a paragraph longer than ``MAX_PIECE`` parsed in pieces."""
    if all(len(t) <= MAX_PIECE for t in texts):
        yield from nlp.pipe(texts, batch_size=batch_size)
        return
    pieces: list[str] = []
    owners: list[int] = []
    for k, text in enumerate(texts):
        for piece in split_text(text):
            pieces.append(piece)
            owners.append(k)
    # Few pieces to a batch: the model's arrays grow with the batch, and a batch of giant pieces
    # costs more per token than small ones (10 times the text took 12 times as long in one batch).
    yield from _joined(nlp, nlp.pipe(pieces, batch_size=PIECES_PER_BATCH), owners, texts)


def _joined(nlp: Language, docs: Iterable[Doc], owners: list[int], texts: list[str]) -> Iterator[Doc]:
    group: list[Doc] = []
    current = 0
    for owner, doc in zip(owners, docs, strict=True):
        if owner != current:
            yield _one(nlp, group, texts[current])
            group, current = [], owner
        group.append(doc)
    if group:
        yield _one(nlp, group, texts[current])


def _one(nlp: Language, group: list[Doc], text: str) -> Doc:
    from spacy.tokens import Doc

    if len(group) == 1:
        return group[0]
    doc = Doc.from_docs(group, ensure_whitespace=False)
    if doc.text != text:  # cannot happen with cuts after whitespace; parse it whole rather than misplace
        return nlp(text)
    return doc


def split_text(text: str) -> list[str]:
    """``text`` cut into pieces of at most ``MAX_PIECE`` characters that join back into it, each cut
    after a sentence end and its whitespace where the piece has one, else after any whitespace, else
    at the limit."""
    if len(text) <= MAX_PIECE:
        return [text]
    pieces = []
    start = 0
    while len(text) - start > MAX_PIECE:
        window = text[start : start + MAX_PIECE]
        cut = _last_end(_SENTENCE_END, window) or _last_end(_SPACE, window) or MAX_PIECE
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    """The end of the last match in the second half of the window (0: none there)."""
    best = 0
    for match in pattern.finditer(window, len(window) // 2):
        best = match.end()
    return best
