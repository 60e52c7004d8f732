"""The records passed between stages and written out: plain, frozen, serialisable.

Every span is a ``(start, end)`` pair of character offsets into the ORIGINAL input text (the decoded
string before any cleaning), so that ``input[start:end]`` is exactly the thing it points at. Stages
never pass spaCy objects to each other: Spark moves rows, SQLite stores rows, tests compare records.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Span = tuple[int, int]
QuoteKind = Literal["direct", "indirect", "mixed"]
#: How the speaker is mentioned next to the cue: a name, a pronoun, a description ("the ousted
#: president"), or not at all (implied by the quotation before, or the speaker of an enclosing quote).
MentionKind = Literal["name", "pronoun", "description", "implied", "other"]


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str | None
    mention: str | None
    mention_span: Span | None
    entity: str | None
    mention_kind: MentionKind | None = None
    #: For a plural speaker ("They told me ...") resolved to several people.
    entities: tuple[str, ...] = ()
    #: True for a named person, organisation or group; False for an unnamed speaker known only by a
    #: description ("a spokesman for the firm"); None when there is no speaker.
    named: bool | None = None
    #: How the speaker was decided: the resolver's rule ("name", "pronoun.salience",
    #: "description.role", "description.new", ...; docs/entities.md), None when there is no speaker.
    resolution: str | None = None
    #: The earlier mention of the same entity that a pronoun or description was linked through.
    antecedent_span: Span | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    kind: QuoteKind
    content: str
    content_spans: tuple[Span, ...]
    cue: str | None
    cue_span: Span | None
    speaker: Speaker
    nested_in: int | None
    confidence: float
    #: The registered name of the component (and rule) that produced the quote.
    component: str = ""
    #: What kind of attribution it is (onrecord.quotes.classes): "speech" for a statement proper,
    #: "belief", "intention", "topic", "question", "nominal" or "unsourced" when asked for all.
    cue_class: str = "speech"
    #: The sentence (or sentences) that hold the quote, for showing it in context.
    context_span: Span | None = None


#: How the article states a role (docs/entities.md, "Roles").
RoleEvidence = Literal["apposition", "title", "description", "copula"]


@dataclass(frozen=True, slots=True)
class Role:
    """A role the article gives a person, as a fact: what it says, where, how, and how sure."""

    #: The role as written ("Lib Dem chairman"); for coordinated roles with a shared complement, the
    #: conjunct with it ("chairman of EMI Music" from "chairman and chief executive of EMI Music").
    role: str
    #: Lower case, plain apostrophes, one space, "ex-" and "then" as "former", no leading article.
    normalised: str
    #: Where the article states it (the first statement), in the original input.
    span: Span
    #: The article's publication date (the role holds then), None when the article has none.
    date: str | None
    evidence: RoleEvidence
    confidence: float
    #: The versioned component and the construction: "onrecord.roles.v2:title".
    component: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    name: str
    mentions: tuple[Span, ...]
    #: The role strings (each a ``Role.role``), for readers of the record before role facts existed.
    roles: tuple[str, ...] = ()
    #: The roles as facts, in the same order; a role added without a statement found in the text
    #: is in ``roles`` only.
    role_facts: tuple[Role, ...] = ()


@dataclass(frozen=True, slots=True)
class DateRef:
    text: str
    span: Span
    value: str | None
    granularity: Literal["day", "week", "month", "year", "unknown"]


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Removed:
    """A line of the input that cleaning dropped, and why (navigation, advertisement, share line ...)."""

    text: str
    span: Span
    reason: str


@dataclass(frozen=True, slots=True)
class Analysis:
    id: str
    source: str
    title: str | None
    published: str | None
    language: str
    text: str
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]
    dates: tuple[DateRef, ...]
    provenance: dict[str, Any]
    headings: tuple[Heading, ...] = ()
    removed: tuple[Removed, ...] = ()
    #: Where the publication date came from: "given", "dateline", or None.
    published_from: str | None = None
    #: The article's address and outlet (site or publisher), when the input says.
    url: str | None = None
    outlet: str | None = None
    #: Character offsets of the cleaned ``text`` back into the input, as runs
    #: ``[clean_start, input_start, length]`` where the two advance together.
    text_map: tuple[tuple[int, int, int], ...] = field(default=())
    #: The encoding the input's bytes were decoded from ("utf-8", "cp1252", "utf-16" ...: Python's
    #: codec names), and whether the detection was sure (False: warning W002); both None when the
    #: text was given as a string, or came from an HTML page or a WARC record.
    encoding: str | None = None
    encoding_sure: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return _listify(asdict(self))

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        quotes = tuple(
            Quote(
                kind=q["kind"],
                content=q["content"],
                content_spans=tuple(_span(s) for s in q["content_spans"]),
                cue=q.get("cue"),
                cue_span=_opt_span(q.get("cue_span")),
                speaker=Speaker(
                    name=q["speaker"].get("name"),
                    mention=q["speaker"].get("mention"),
                    mention_span=_opt_span(q["speaker"].get("mention_span")),
                    entity=q["speaker"].get("entity"),
                    mention_kind=q["speaker"].get("mention_kind"),
                    entities=tuple(q["speaker"].get("entities") or ()),
                    named=q["speaker"].get("named"),
                    resolution=q["speaker"].get("resolution"),
                    antecedent_span=_opt_span(q["speaker"].get("antecedent_span")),
                ),
                nested_in=q.get("nested_in"),
                confidence=q["confidence"],
                component=q.get("component", ""),
                cue_class=q.get("cue_class", "speech"),
                context_span=_opt_span(q.get("context_span")),
            )
            for q in data.get("quotes", ())
        )
        entities = tuple(
            Entity(
                id=e["id"],
                type=e["type"],
                name=e["name"],
                mentions=tuple(_span(s) for s in e["mentions"]),
                roles=tuple(e.get("roles") or ()),
                role_facts=tuple(
                    Role(
                        role=r["role"],
                        normalised=r["normalised"],
                        span=_span(r["span"]),
                        date=r.get("date"),
                        evidence=r["evidence"],
                        confidence=r["confidence"],
                        component=r.get("component", ""),
                    )
                    for r in e.get("role_facts") or ()
                ),
            )
            for e in data.get("entities", ())
        )
        dates = tuple(
            DateRef(text=d["text"], span=_span(d["span"]), value=d.get("value"), granularity=d["granularity"])
            for d in data.get("dates", ())
        )
        return cls(
            id=data["id"],
            source=data["source"],
            title=data.get("title"),
            published=data.get("published"),
            language=data.get("language", "en"),
            text=data["text"],
            quotes=quotes,
            entities=entities,
            dates=dates,
            provenance=dict(data.get("provenance") or {}),
            headings=tuple(Heading(h["text"], _span(h["span"])) for h in data.get("headings", ())),
            removed=tuple(Removed(r["text"], _span(r["span"]), r["reason"]) for r in data.get("removed", ())),
            published_from=data.get("published_from"),
            url=data.get("url"),
            outlet=data.get("outlet"),
            text_map=tuple((int(a), int(b), int(c)) for a, b, c in data.get("text_map", ())),
            encoding=data.get("encoding"),
            encoding_sure=data.get("encoding_sure"),
        )


def _span(value: Any) -> Span:
    start, end = value
    return (int(start), int(end))


def _opt_span(value: Any) -> Span | None:
    return None if value is None else _span(value)


def _listify(value: Any) -> Any:
    """Tuples become lists, so the JSON form is plain and stable."""
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    return value
