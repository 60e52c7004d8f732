"""An article's text as HTML with its quotations, cues, speaker mentions and dates marked.

The spans of a record overlap freely (a speaker named inside a quotation, a cue inside a mixed
quotation, one mention that speaks two quotations), and HTML elements must nest. So the text is cut at
every span boundary into segments; each segment is written once, escaped, inside one ``<span>`` per
mark covering it, opened in a fixed order (quotation, date, cue, speaker). A mark's span carries the
positions of its quotations (``data-q``) so that the page's script can light up a quotation together
with its cue and speaker, and an empty anchor ``id="q-N"`` sits where quotation N starts, the target
of "context" links.

Every character of the text goes through :func:`markupsafe.escape`; nothing in an article can open a
tag or an attribute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from onrecord.query import QuoteRow

#: The order marks nest in, outermost first, and each kind's CSS class.
KIND_ORDER = ("quote", "date", "cue", "speaker")
CLASSES = {"quote": "m-quote", "date": "m-date", "cue": "m-cue", "speaker": "m-speaker"}


@dataclass(frozen=True)
class Marked:
    """A span of one kind and what it belongs to (quotation positions; for dates, the value)."""

    start: int
    end: int
    kind: str
    quotes: tuple[int, ...] = ()
    title: str = ""


def article_marks(quotes: Sequence[QuoteRow], dates: Iterable[tuple[int, int, str]] = ()) -> list[Marked]:
    """The marks of an article: every piece of every quotation, its cue and its speaker's mention (a
    span shared by several quotations is one mark listing them all), and the dates."""
    owners: dict[tuple[int, int, str], list[int]] = {}
    titles: dict[tuple[int, int, str], str] = {}
    for quote in quotes:
        spans: list[tuple[int, int, str]] = [(s, e, "quote") for s, e in quote.pieces]
        if quote.cue_start is not None and quote.cue_end is not None:
            spans.append((quote.cue_start, quote.cue_end, "cue"))
        if quote.mention_start is not None and quote.mention_end is not None:
            spans.append((quote.mention_start, quote.mention_end, "speaker"))
        for span in spans:
            owners.setdefault(span, []).append(quote.position)
            if span[2] == "quote":
                titles[span] = f"quotation {quote.position + 1}: {quote.speaker}, {quote.kind}"
            elif span[2] == "cue":
                titles[span] = f"cue of quotation {quote.position + 1}"
            else:
                titles[span] = f"speaker of quotation {quote.position + 1}: {quote.speaker}"
    marks = [Marked(s, e, k, tuple(sorted(set(q))), titles[(s, e, k)]) for (s, e, k), q in owners.items()]
    marks += [Marked(s, e, "date", (), f"date: {value}") for s, e, value in dates]
    return sorted((m for m in marks if m.start < m.end), key=lambda m: (m.start, -m.end, m.kind))


def render(text: str, marks: Sequence[Marked], anchors: Iterable[tuple[int, int]] = ()) -> Markup:
    """``text`` as escaped HTML with ``marks`` as nested spans and ``anchors`` (offset, quotation
    position) as empty ``<a id="q-N">`` targets."""
    size = len(text)
    marks = [m for m in marks if m.start < size and m.end > 0]
    anchor_at: dict[int, list[int]] = {}
    for offset, position in anchors:
        anchor_at.setdefault(min(max(offset, 0), size), []).append(position)
    cuts = sorted(
        {0, size, *anchor_at, *(max(m.start, 0) for m in marks), *(min(m.end, size) for m in marks)}
    )
    starts: dict[int, list[Marked]] = {}
    for mark in marks:
        starts.setdefault(max(mark.start, 0), []).append(mark)
    active: list[Marked] = []
    out: list[str] = []
    for left, right in itertools.pairwise(cuts):
        for position in anchor_at.get(left, ()):
            out.append(f'<a class="anchor" id="q-{position}"></a>')
        active = [m for m in active if m.end > left] + starts.get(left, [])
        piece = str(escape(text[left:right]))
        for mark in sorted(active, key=lambda m: (KIND_ORDER.index(m.kind), m.start), reverse=True):
            piece = _open(mark) + piece + "</span>"
        out.append(piece)
    for position in anchor_at.get(size, ()):
        out.append(f'<a class="anchor" id="q-{position}"></a>')
    return Markup("".join(out))


def _open(mark: Marked) -> str:
    data = f' data-q="{" ".join(str(q) for q in mark.quotes)}"' if mark.quotes else ""
    return f'<span class="{CLASSES[mark.kind]}"{data} title="{escape(mark.title)}">'
