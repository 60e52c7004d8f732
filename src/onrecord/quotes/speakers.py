"""Who the speaker of a quotation is: the subject of its cue, resolved to an entity.

No coreference model can be installed offline, so this is onrecord's own resolver, built on salience
(Lappin & Leass 1994, much simplified): every mention of a person adds weight to that person, more for
subjects and speakers, and the weight halves with each paragraph of distance. A pronoun goes to the
heaviest compatible person before it; a definite description ("The ousted president") goes to the
person whose known role shares its head noun, else to the heaviest person near it; with nothing
before it (a description in the lead, as in the seed article), to the first person named after it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from spacy.tokens import Token

from onrecord.entities.people import EntityBuilder, EntityIndex
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.records import MentionKind

OffsetSpan = tuple[int, int]

#: Weights of a mention by its role in the sentence, and the decay per paragraph of distance.
#: Chosen by hand on the seed article and PolNeAR train; rerun `onrecord evaluate` after a change.
WEIGHT_SPEAKER = 3.0
WEIGHT_SUBJECT = 2.0
WEIGHT_OTHER = 1.0
DECAY_PER_PARAGRAPH = 0.5
#: How many paragraphs back a pronoun or description looks for its antecedent.
WINDOW_PARAGRAPHS = 4
#: How many paragraphs ahead a description with no antecedent looks (cataphora in a lead sentence).
LOOKAHEAD_PARAGRAPHS = 2
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


@dataclass
class ResolvedSpeaker:
    name: str | None
    mention: str | None
    mention_span: OffsetSpan | None  # offsets into the cleaned text
    entity: EntityBuilder | None
    kind: MentionKind | None
    group: tuple[EntityBuilder, ...] = ()


@dataclass(frozen=True)
class _Event:
    offset: int
    paragraph: int
    entity: EntityBuilder
    weight: float


class SpeakerResolver:
    def __init__(self, article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> None:
        self.article = article
        self.index = index
        self.lexicon = lexicon
        self.events: list[_Event] = []
        self.groups: list[tuple[int, int, tuple[EntityBuilder, ...]]] = []  # offset, paragraph, people
        self._collect()

    def _collect(self) -> None:
        for para in self.article.paragraphs:
            if para.is_heading:
                continue
            for ent in para.doc.ents:
                if ent.label_ != "PERSON":
                    continue
                entity = self.index.at(*para.span_offsets(ent))
                if entity is None or entity.type != "PERSON":
                    continue
                weight = WEIGHT_SUBJECT if ent.root.dep_ in _SUBJECT_DEPS else WEIGHT_OTHER
                self.events.append(_Event(para.offset + ent.start_char, para.index, entity, weight))
            self._collect_groups(para)

    def _collect_groups(self, para: ParsedParagraph) -> None:
        """People joined by "and" ("Dmitry Medvedev, the Russian president, and Putin"): a group that
        "they" can refer to. The parser links them by conj, or makes both subjects of one verb."""
        people = [ent for ent in para.doc.ents if ent.label_ == "PERSON"]
        for first, second in itertools.pairwise(people):
            between = {t.lower_ for t in para.doc[first.end : second.start]}
            joined = second.root.dep_ == "conj" and second.root.head.i in range(first.start, first.end)
            siblings = first.root.head == second.root.head and first.root.dep_ == second.root.dep_
            if "and" not in between or not (joined or siblings):
                continue
            a = self.index.at(*para.span_offsets(first))
            b = self.index.at(*para.span_offsets(second))
            if a is not None and b is not None and a is not b and a.type == b.type == "PERSON":
                self.groups.append((para.offset + first.start_char, para.index, (a, b)))

    def note_speaker(self, entity: EntityBuilder, offset: int, paragraph: int) -> None:
        self.events.append(_Event(offset, paragraph, entity, WEIGHT_SPEAKER))

    # -- resolution -------------------------------------------------------------------------------
    def resolve(
        self, para: ParsedParagraph, head: Token, *, enclosing: ResolvedSpeaker | None
    ) -> ResolvedSpeaker:
        if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
            # "X, who said ...": the mention is "who" (what stands at the cue), the speaker is X.
            who = self.resolve(para, head.head.head, enclosing=enclosing)
            span = para.token_offsets(head)
            return ResolvedSpeaker(who.name, head.text, span, who.entity, "pronoun", who.group)
        # "his top aide, Tad Devine, told ...": the name in apposition says who the description is.
        named = next((c for c in head.children if c.dep_ == "appos" and c.ent_type_ == "PERSON"), None)
        if head.pos_ == "NOUN" and named is not None:
            head = named
        lower = head.lower_
        pron = self.lexicon.pronoun_kind.get(lower)
        offset = para.offset + head.idx
        if head.pos_ == "PRON" or pron is not None:
            span = para.token_offsets(head)
            return self._pronoun(pron, head.text, span, offset, para.index, enclosing)
        mention = self.index.at(*para.token_offsets(head))
        span = self._phrase_span(para, head)
        text = self.article.text[span[0] : span[1]]
        if mention is not None:
            name_span = self._name_span(mention, para.token_offsets(head)) or span
            return ResolvedSpeaker(
                mention.name,
                self.article.text[name_span[0] : name_span[1]],
                name_span,
                mention,
                "name" if mention.type == "PERSON" else "other",
            )
        if head.pos_ == "PROPN":
            person = self.index.add_person_mention(span, _strip_titles(text, self.lexicon))
            return ResolvedSpeaker(person.name, text, span, person, "name")
        return self._description(head, text, span, offset, para.index)

    def _pronoun(
        self,
        pron: str | None,
        text: str,
        span: OffsetSpan,
        offset: int,
        paragraph: int,
        enclosing: ResolvedSpeaker | None,
    ) -> ResolvedSpeaker:
        if pron == "self" and enclosing is not None:  # "I" inside a quotation is its speaker
            return ResolvedSpeaker(enclosing.name, text, span, enclosing.entity, "pronoun", enclosing.group)
        if pron == "p":
            for g_offset, g_para, people in reversed(self.groups):
                if g_offset < offset and paragraph - g_para <= WINDOW_PARAGRAPHS:
                    name = " and ".join(p.name for p in people)
                    return ResolvedSpeaker(name, text, span, None, "pronoun", people)
            return ResolvedSpeaker(None, text, span, None, "pronoun")
        if pron in {"m", "f"}:
            entity = self._most_salient(offset, paragraph, gender=pron)
            if entity is not None:
                if entity.gender is None:
                    entity.gender = pron
                self.index.add_reference(entity, span)
                return ResolvedSpeaker(entity.name, text, span, entity, "pronoun")
        return ResolvedSpeaker(None, text, span, None, "pronoun")

    def _description(
        self, head: Token, text: str, span: OffsetSpan, offset: int, paragraph: int
    ) -> ResolvedSpeaker:
        lemma = head.lemma_.lower()
        definite = any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.children)
        if not definite or lemma not in self.lexicon.person_nouns:
            return ResolvedSpeaker(None, text, span, None, "description")
        by_role = [p for p in self.index.people() if any(lemma in r.lower().split() for r in p.roles)]
        entity = self._most_salient(offset, paragraph, among=by_role) if by_role else None
        if entity is None:
            entity = self._most_salient(offset, paragraph)
        if entity is None:
            entity = self._first_after(offset, paragraph)
        if entity is None:
            return ResolvedSpeaker(None, text, span, None, "description")
        role = " ".join(t.text for t in head.subtree if t.i <= head.i and t.lower_ not in _DEFINITE)
        entity.add_role(role)
        self.index.add_reference(entity, span)
        return ResolvedSpeaker(entity.name, text, span, entity, "description")

    def _most_salient(
        self,
        offset: int,
        paragraph: int,
        *,
        gender: str | None = None,
        among: list[EntityBuilder] | None = None,
    ) -> EntityBuilder | None:
        score: dict[int, float] = defaultdict(float)
        latest: dict[int, int] = {}
        by_id: dict[int, EntityBuilder] = {}
        for event in self.events:
            distance = paragraph - event.paragraph
            if event.offset >= offset or distance > WINDOW_PARAGRAPHS:
                continue
            entity = event.entity
            if gender is not None and entity.gender not in (None, gender):
                continue
            if among is not None and entity not in among:
                continue
            key = id(entity)
            by_id[key] = entity
            score[key] += event.weight * DECAY_PER_PARAGRAPH**distance
            latest[key] = max(latest.get(key, -1), event.offset)
        if not score:
            return None
        best = max(score, key=lambda k: (score[k], latest[k]))
        return by_id[best]

    def _first_after(self, offset: int, paragraph: int) -> EntityBuilder | None:
        after = [
            e for e in self.events if e.offset > offset and e.paragraph - paragraph <= LOOKAHEAD_PARAGRAPHS
        ]
        return min(after, key=lambda e: e.offset).entity if after else None

    def _name_span(self, entity: EntityBuilder, around: OffsetSpan) -> OffsetSpan | None:
        for s, e in entity.mentions:
            if s <= around[0] and around[1] <= e:
                return (s, e)
        return None

    @staticmethod
    def _phrase_span(para: ParsedParagraph, head: Token) -> OffsetSpan:
        """The subject's noun phrase up to its head: no apposition, relative clause or punctuation."""
        start = head.i
        for token in reversed(list(head.lefts)):
            if token.dep_ in {"punct", "cc", "preconj"} or token.is_punct:
                break
            start = token.left_edge.i
        while start < head.i and para.doc[start].is_punct:
            start += 1
        end = head.i + 1
        for token in head.rights:  # "the mayor of Bishkek"; not ", who ..." or ", the ..."
            if token.dep_ in {"prep", "compound", "nummod"} and token.i == end:
                end = token.right_edge.i + 1
            else:
                break
        return para.char_span(start, end)


def _strip_titles(text: str, lexicon: Lexicon) -> str:
    words = text.split()
    while len(words) > 1 and words[0].lower() in lexicon.title_words | {"the"}:
        words = words[1:]
    return " ".join(words)
