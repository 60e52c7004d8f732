"""Who the speaker of a quotation is: the subject of its cue, resolved to an entity of the article.

No coreference model can be installed offline, so this is onrecord's own resolver, built on salience
(Lappin & Leass 1994, much simplified): every mention of a person or organisation adds weight to it,
more for subjects and speakers, and the weight decays with each sentence of distance. The entities a
speaker can be are typed: people, organisations (and places that speak, "China said"), groups of
people joined by "and", and unnamed speakers ("a spokesman for the firm", "officials"), which the
resolver creates from their description and which later mentions ("the spokesman", "she") can point to.

- A pronoun goes to the most salient entity it agrees with: he/she to a person (or an unnamed person)
  whose gender is that one or unknown; it/its to an organisation or an unnamed body; they to a group,
  a plural unnamed speaker or an organisation.
- A description of a person ("the chancellor") goes to the person the article gives that role; in the
  lead, with nobody before it, to the first person named after it; an organisation's description
  ("the firm") to the organisation in focus. What cannot be resolved becomes an unnamed speaker, never
  a wrong name.

Every resolution says how it was made (``ResolvedSpeaker.rule``; docs/entities.md lists the rules).
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass

from spacy.tokens import Span, Token

from onrecord.entities.gender import name_gender
from onrecord.entities.people import EntityBuilder, EntityIndex, ends_in_role, glued_words
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.records import MentionKind

OffsetSpan = tuple[int, int]

#: Weights of a mention by its role in the sentence, and the decay per sentence of distance.
#: Chosen on the seed article, PolNeAR train and speakers-dev (its error classes, not its articles);
#: rerun `onrecord evaluate` on all three after a change.
WEIGHT_SPEAKER = 3.0
WEIGHT_SUBJECT = 2.0
WEIGHT_OTHER = 1.0
DECAY_PER_SENTENCE = 0.5
#: Crossing into a new paragraph costs this much more (a new paragraph often brings a new voice).
DECAY_PER_PARAGRAPH = 0.8
#: How many sentences back a pronoun or description looks for its antecedent.
WINDOW_SENTENCES = 12
#: How many paragraphs ahead a description with no antecedent looks (cataphora in a lead sentence).
LOOKAHEAD_PARAGRAPHS = 2
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: Small words inside an organisation's name ("Forum for the Future", "Bank of England").
_NAME_LINKS = frozenset({"of", "for", "the", "and", "&", "de", "du"})
#: NER labels of entities that can speak besides people: organisations, and places or nationalities
#: standing for their governments ("China said", "the Americans said").
_SPEAKING_LABELS = frozenset({"ORG", "GPE", "NORP"})
#: Words of one family: "the spokeswoman" can be "a spokesperson for the ministry".
_FAMILIES = {
    "spokeswoman": "spokesman",
    "spokesperson": "spokesman",
    "authority": "government",
    "administration": "government",
    "chairwoman": "chairman",
    "chair": "chairman",
}


@dataclass
class ResolvedSpeaker:
    name: str | None
    mention: str | None
    mention_span: OffsetSpan | None  # offsets into the cleaned text
    entity: EntityBuilder | None
    kind: MentionKind | None
    group: tuple[EntityBuilder, ...] = ()
    #: How the speaker was decided (docs/entities.md, "Speaker resolution"), e.g. "pronoun.salience".
    rule: str | None = None
    #: The mention of the entity that the resolution went through (the antecedent of a pronoun or a
    #: description), offsets into the cleaned text.
    antecedent_span: OffsetSpan | None = None

    @property
    def named(self) -> bool | None:
        """True for a named person, organisation or group; False for an unnamed speaker; None when
        there is no speaker."""
        if self.name is None:
            return None
        if self.rule == "name.joint":
            return True
        if self.group:
            return all(e.named for e in self.group)
        return self.entity.named if self.entity is not None else False


#: A pronoun outside a statement is linked only when its best person outweighs the next by this much.
LINK_MARGIN = 5.0
#: What each earlier mention of a person adds to their weight for such a pronoun: the person a text
#: is about keeps "he" over a man named in passing.
PROMINENCE = 0.5
#: Third-person singular pronouns and the gender they take, for linking every one of them to a person.
_THIRD_PERSON = {
    **dict.fromkeys(("he", "him", "his", "himself"), "m"),
    **dict.fromkeys(("she", "her", "hers", "herself"), "f"),
}


@dataclass(frozen=True)
class _Event:
    offset: int
    paragraph: int
    sentence: int
    entity: EntityBuilder
    weight: float


@dataclass(frozen=True)
class _Group:
    offset: int
    paragraph: int
    sentence: int
    members: tuple[EntityBuilder, ...]


class SpeakerResolver:
    def __init__(self, article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> None:
        self.article = article
        self.index = index
        self.lexicon = lexicon
        self.events: list[_Event] = []
        self.groups: list[_Group] = []
        self._sentence_starts: list[int] = []
        body = [p for p in article.paragraphs if not p.is_heading]
        self._lead = body[0].index if body else -1
        for para in body:
            self._sentence_starts.extend(s for s, _ in para.sentences)
        self._collect(body)
        self.events.sort(key=lambda e: e.offset)

    def link_pronouns(self) -> None:
        """Every he, him, his, she, her ... of the body that no statement resolved, linked as one more
        of their mentions to the person of that gender (known from an honorific, an earlier pronoun or
        the first name; failing anybody known to be of it in view, a person whose gender is not
        known, who then takes the pronoun's) who is most salient, their earlier mentions counted too
        (the person a biography is about keeps its "he"), when that person clearly outweighs the next
        (``LINK_MARGIN``): the person's chain, not only their statements (issue #13). Each linked
        pronoun carries the chain on. Events are looked up by bisection and each person's gender
        once, so that an article with many pronouns is not quadratic."""
        events = sorted(self.events, key=lambda e: e.offset)
        offsets = [e.offset for e in events]
        chained: list[_Event] = []  # the pronouns linked so far, in text order
        mentions_so_far: dict[int, int] = {}  # per person: names and linked pronouns before here
        named = iter(events)
        upcoming = next(named, None)
        genders: dict[int, str | None] = {}
        for para in self.article.body():
            for token in para.doc:
                gender = _THIRD_PERSON.get(token.lower_)
                if gender is None or token.pos_ != "PRON":
                    continue
                span = para.token_offsets(token)
                if self.index.at(*span) is not None:
                    continue  # a speaker's pronoun, already linked
                sentence = self.sentence_of(span[0])
                while upcoming is not None and upcoming.offset < span[0]:
                    mentions_so_far[id(upcoming.entity)] = mentions_so_far.get(id(upcoming.entity), 0) + 1
                    upcoming = next(named, None)
                score: dict[int, float] = defaultdict(float)
                by_id: dict[int, EntityBuilder] = {}
                unknown: dict[int, float] = defaultdict(float)
                unknown_by_id: dict[int, EntityBuilder] = {}
                k = bisect.bisect_left(offsets, span[0])
                for pool, end in ((events, k), (chained, len(chained))):
                    for n in range(end - 1, -1, -1):  # back from the pronoun, no copy of the list
                        event = pool[n]
                        distance = sentence - event.sentence
                        if distance > WINDOW_SENTENCES:
                            break
                        entity = event.entity
                        if entity.type != "PERSON":
                            continue
                        if id(entity) not in genders:
                            genders[id(entity)] = entity.gender or name_gender(entity.names, self.lexicon)
                        if genders[id(entity)] not in (gender, None):
                            continue  # never a person known to be of the other gender
                        if genders[id(entity)] is None:  # a candidate only if nobody known is
                            unknown[id(entity)] += (
                                event.weight
                                * DECAY_PER_SENTENCE**distance
                                * DECAY_PER_PARAGRAPH ** (para.index - event.paragraph)
                            )
                            unknown_by_id[id(entity)] = entity
                            continue
                        by_id[id(entity)] = entity
                        score[id(entity)] += (
                            event.weight
                            * DECAY_PER_SENTENCE**distance
                            * DECAY_PER_PARAGRAPH ** (para.index - event.paragraph)
                        )
                if not by_id and unknown:
                    score, by_id = unknown, unknown_by_id
                for key in by_id:  # the person the text is about: a biography's "he"
                    score[key] += PROMINENCE * mentions_so_far.get(key, 0)
                ranked = sorted(score.values(), reverse=True)
                if not ranked or (len(ranked) > 1 and ranked[0] < LINK_MARGIN * ranked[1]):
                    continue  # nobody, or two people too close to tell apart: no link rather than a wrong one
                best = by_id[max(score, key=lambda key: score[key])]
                genders[id(best)] = gender  # a person of unknown gender takes the pronoun's
                self.index.add_reference(best, span)
                weight = WEIGHT_SUBJECT if token.dep_ in _SUBJECT_DEPS else WEIGHT_OTHER
                chained.append(_Event(span[0], para.index, sentence, best, weight))
                mentions_so_far[id(best)] = mentions_so_far.get(id(best), 0) + 1

    def link_descriptions(self) -> None:
        """A definite description of a person that is the subject of a clause but speaks in no
        statement ("The chancellor arrived"), linked as a mention of the holder of that role (the most
        salient when several hold it; issue #13: each description linked to its entity). Not to the
        person in focus, as a speaking description may go: without a statement to anchor it, that gave
        "the judge" to the defendant and "the pop star" to a witness on speakers-dev. Only after the
        statements, so that it changes no speaker."""
        linked = {span for e in self.index.entities for span in e.mentions}
        for para in self.article.body():
            for token in para.doc:
                if token.dep_ not in _SUBJECT_DEPS or token.pos_ != "NOUN" or token.tag_ != "NN":
                    continue
                if token.ent_type_ or not self._is_person_noun(token):
                    continue
                dets = [c for c in token.children if c.dep_ == "det"]
                if dets and dets[0].lower_ in {"a", "an"} and para.index == self._lead:
                    self._introduced_in_lead(para, token, dets[0], linked)
                    continue
                if not dets or dets[0].lower_ not in {"the", "this", "that"}:
                    continue
                if any(c.dep_ == "poss" for c in token.children) or self._name_in_apposition(para, token):
                    continue
                start, end = para.token_offsets(dets[0])[0], para.token_offsets(token)[1]
                if (start, end) in linked or self.index.at(start, end) is not None:
                    continue
                by_role = [p for p in self.index.people() if _role_fits(p, token)]
                if not by_role:
                    continue  # the person in focus is too often wrong here ("the judge" in a trial)
                person = self._most_salient(start, para.index, among=by_role)
                if person is not None:
                    self.index.add_reference(person, (start, end))
                    linked.add((start, end))

    def _introduced_in_lead(
        self, para: ParsedParagraph, head: Token, det: Token, linked: set[OffsetSpan]
    ) -> None:
        """The lead's "A US airline attendant is fighting for her job ...": an occupation that
        introduces the person named next (the cataphora of a speaking description), a mention of
        that person and a role of theirs; "a man" introduces no one this way."""
        lemma = head.lemma_.lower()
        if not self._names_occupation(lemma) or any(c.dep_ == "poss" for c in head.children):
            return
        start, end = para.token_offsets(det)[0], para.token_offsets(head)[1]
        if (start, end) in linked or self.index.at(*para.token_offsets(head)) is not None:
            return  # (a name inside it is no matter: "A US airline attendant")
        person = self._first_after(start, para.index, types={"PERSON"})
        if person is None:
            return
        self.index.add_reference(person, (start, end))
        linked.add((start, end))
        person.add_role(" ".join(t.text for t in head.subtree if t.i <= head.i and t.i > det.i))

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._sentence_starts, offset) - 1)

    def _collect(self, body: list[ParsedParagraph]) -> None:
        names = sorted(
            (span, e) for span, e in self.index.name_spans().items() if e.type in {"PERSON", "ORG"}
        )
        starts = [span[0] for span, _ in names]
        for para in body:
            seen: set[int] = set()
            for ent in para.doc.ents:
                if ent.label_ != "PERSON" and ent.label_ != "ORG":
                    continue
                entity = self.index.at(*para.span_offsets(ent))
                if entity is None or entity.type not in {"PERSON", "ORG"}:
                    continue
                weight = WEIGHT_SUBJECT if ent.root.dep_ in _SUBJECT_DEPS else WEIGHT_OTHER
                self._event(para.offset + ent.start_char, para.index, entity, weight)
                seen.add(ent.end - 1)
            # The names of people the model did not tag so (rules 4, 7 and 10: "Galois wrote",
            # "Shalev is a Professor") count for salience as the tagged ones do.
            for n in range(bisect.bisect_left(starts, para.offset), bisect.bisect_left(starts, para.end)):
                (start, end), entity = names[n]
                last = para.tokens_ending_by(end) - 1
                if entity.type != "PERSON" or last < 0 or last in seen:
                    continue
                weight = WEIGHT_SUBJECT if para.doc[last].dep_ in _SUBJECT_DEPS else WEIGHT_OTHER
                self._event(start, para.index, entity, weight)
            self._collect_groups(para)

    def _event(self, offset: int, paragraph: int, entity: EntityBuilder, weight: float) -> None:
        self.events.append(_Event(offset, paragraph, self.sentence_of(offset), entity, weight))

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
                offset = para.offset + first.start_char
                self.groups.append(_Group(offset, para.index, self.sentence_of(offset), (a, b)))

    def note_speaker(self, entity: EntityBuilder, offset: int, paragraph: int) -> None:
        self._event(offset, paragraph, entity, WEIGHT_SPEAKER)

    # -- resolution -------------------------------------------------------------------------------
    def resolve(
        self, para: ParsedParagraph, head: Token, *, enclosing: ResolvedSpeaker | None
    ) -> ResolvedSpeaker:
        if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
            # "X, who said ...": the mention is "who" (what stands at the cue), the speaker is X.
            who = self.resolve(para, head.head.head, enclosing=enclosing)
            span = para.token_offsets(head)
            return ResolvedSpeaker(
                who.name, head.text, span, who.entity, "pronoun", who.group, "relative", who.mention_span
            )
        # "his top aide, Tad Devine, told ...", "Netherlands-based group LNM said": the name in
        # apposition (or the name the noun is built on) says who the description is.
        if head.pos_ in {"NOUN", "PROPN", "NUM", "PRON"}:
            named = self._name_in_apposition(para, head)
            if named is not None:
                head = named
        lower = head.lower_
        pron = self.lexicon.pronoun_kind.get(lower)
        offset = para.offset + head.idx
        if head.pos_ == "PRON" or pron is not None:
            span = para.token_offsets(head)
            fronted = self._subject_of_fronted_clause(para, head, pron)
            if fronted is not None:
                self.index.add_reference(fronted, span)
                return ResolvedSpeaker(
                    fronted.name,
                    head.text,
                    span,
                    fronted,
                    "pronoun",
                    rule="pronoun.clause",
                    antecedent_span=self._antecedent(fronted, offset),
                )
            return self._pronoun(pron, head.text, span, offset, para.index, enclosing)
        group = self._joint_subject(para, head)
        if group is not None:
            return group
        spokesperson = self._person_of_body(para, head)
        if spokesperson is not None:
            # "A Department for Constitutional Affairs spokeswoman said": the parser makes the body's
            # name the subject and hangs "spokeswoman" inside it; the speaker is the spokeswoman.
            start, end = para.token_offsets(head.left_edge)[0], para.token_offsets(spokesperson)[1]
            text = self.article.text[start:end]
            return self._description(spokesperson, text, (start, end), start, para.index)
        mention = self.index.at(*para.token_offsets(head))
        span = self._phrase_span(para, head)
        text = self.article.text[span[0] : span[1]]
        if mention is not None and mention.type != "UNNAMED":
            if mention.type != "PERSON":
                self._fuller_name(mention, span, text)
            name_span = self._name_span(mention, para.token_offsets(head)) or span
            return ResolvedSpeaker(
                mention.name,
                self.article.text[name_span[0] : name_span[1]],
                name_span,
                mention,
                "name" if mention.type == "PERSON" else "other",
                rule="name",
            )
        if (
            head.pos_ == "PROPN"
            and not (head.tag_ == "NNPS" and not head.ent_type_)
            and not ends_in_role(text.split(), self.lexicon)
            and not _title_case(head.sent)
            and not glued_words(text)
        ):
            # (not "Jurors said", "East Midlands MEP said": descriptions the tagger capitalised; not
            # "New Polls Show Double-Digit Gaps": in a headline every word is a proper noun to the tagger)
            name = _strip_titles(text, self.lexicon)
            if name.split()[-1].lower().strip(".") in self.lexicon.org_suffixes:
                # "Acme Corp said", "Vestey Group said": a company the NER model missed
                org = self.index.add_other_mention(span, name, "ORG")
                return ResolvedSpeaker(org.name, text, span, org, "other", rule="name.parsed")
            name_span = self._name_after_description(para, span, head)
            if name_span != span:  # "fertility expert Lord Winston said": the name is what follows
                name = _strip_titles(self.article.text[name_span[0] : name_span[1]], self.lexicon)
            person = self.index.add_person_mention(name_span, name)
            return ResolvedSpeaker(person.name, text, span, person, "name", rule="name.parsed")
        return self._description(head, text, span, offset, para.index)

    @staticmethod
    def _name_after_description(para: ParsedParagraph, span: OffsetSpan, head: Token) -> OffsetSpan:
        """The proper-noun part of a subject that opens with lower-case words ("fertility expert Lord
        Winston", "director of telecoms research Tony Lavender"): the name starts after the last
        lower-case word before the head; the words before it are a description (a title, for roles)."""
        doc = para.doc
        first = para.first_token_from(span[0])
        start = first
        for i in range(first, head.i):
            if doc[i].is_lower or doc[i].is_punct or doc[i].tag_ == "POS":
                start = i + 1  # (and "National Review's Ian Tuttle": the outlet is no part of it)
        if start == first or start > head.i:
            return span
        return (para.token_offsets(doc[start])[0], span[1])

    def _person_of_body(self, para: ParsedParagraph, head: Token) -> Token | None:
        """The person noun that ends a subject headed by an organisation's name: "spokeswoman" in "A
        Department for Constitutional Affairs spokeswoman"."""
        if head.ent_type_ not in _SPEAKING_LABELS:
            return None
        last = head.right_edge
        while last.i > head.i and last.is_punct:
            last = para.doc[last.i - 1]
        if last.i == head.i or last.pos_ != "NOUN" or last.ent_type_ or not self._is_person_noun(last):
            return None
        if any(t.pos_ in {"VERB", "AUX"} for t in para.doc[head.i : last.i]):
            return None  # "the union, whose members say ..., spokesman": not one noun phrase
        return last

    def _fuller_name(self, entity: EntityBuilder, span: OffsetSpan, text: str) -> None:
        """An organisation's name as the subject's proper-noun phrase has it, when the NER model cut it
        short: "The Liberal Democrats" (tagged "Democrats"), "Forum for the Future" (tagged "Future")."""
        words = text.split()
        if words and words[0].lower() == "the":
            words = words[1:]
        phrase = " ".join(words)
        if (
            len(words) > 1
            and entity.name in phrase
            and len(phrase) > len(entity.name)
            and all(
                w[:1].isupper() or w.lower() in _NAME_LINKS or (i == 0 and w.isdigit())
                for i, w in enumerate(words)
            )
        ):  # a number may open a name: "50 Cent" (tagged "Cent")
            self.index.add_name(entity, span, phrase)

    def _name_in_apposition(self, para: ParsedParagraph, head: Token) -> Token | None:
        """A name standing beside a common-noun subject: an apposition ("his top aide, Tad Devine"),
        or a name the noun phrase is built on ("Netherlands-based group LNM")."""
        for child in head.children:
            if child.dep_ == "appos":
                if child.ent_type_ == "PERSON" or (child.pos_ == "PROPN" and self._entity_at(para, child)):
                    return child
                inner = self._name_in_apposition(para, child) if child.pos_ in {"NOUN", "PROPN"} else None
                if inner is not None:
                    return inner
            elif child.dep_ == "conj" and child.pos_ == "NOUN":
                # "Only Fools and Horses star David Jason said": the parser joins the show's name, "star"
                # and the name as three conjuncts, or hangs the name on "star".
                inner = self._name_in_apposition(para, child)
                if inner is not None:
                    return inner
                named = next(
                    (c for c in head.children if c.dep_ == "conj" and c.left_edge.i == child.i + 1), None
                )
                if named is not None and named.ent_type_ == "PERSON":
                    return named
        if head.pos_ in {"NOUN", "PROPN"} and not head.ent_type_:
            # "Head of developmental genetics at the Institute, Professor Robin Lovell-Badge, said": the
            # name set off at the end of the subject, hung by the parser on the last noun before it.
            last = head.right_edge.i
            while last > head.i and para.doc[last].is_punct:
                last -= 1
            end = para.doc[last]
            named = end if end.dep_ == "appos" else None
            if named is not None and named.head.i != head.i and named.ent_type_ == "PERSON":
                return named
        return None

    def _entity_at(self, para: ParsedParagraph, token: Token) -> bool:
        entity = self.index.at(*para.token_offsets(token))
        return entity is not None and (entity.type == "PERSON" or entity.type in _SPEAKING_LABELS)

    def _joint_subject(self, para: ParsedParagraph, head: Token) -> ResolvedSpeaker | None:
        """ "Mr Blair and Mr Brown said", "Labour and the Tories say": one statement of a group. Each
        conjunct is a known entity or a proper noun the NER model missed."""
        conjuncts = [c for c in head.children if c.dep_ == "conj"]
        if not conjuncts or not any(c.lower_ == "and" for c in head.children if c.dep_ == "cc"):
            return None
        members: list[EntityBuilder] = []
        names: list[str] = []
        for token in [head, *conjuncts]:
            entity = self.index.at(*para.token_offsets(token))
            if entity is not None and entity.type != "UNNAMED" and entity not in members:
                if entity.type != "PERSON":  # "Liberal Democrats", tagged "Democrats"
                    span = self._phrase_span(para, token)
                    self._fuller_name(entity, span, self.article.text[span[0] : span[1]])
                members.append(entity)
                names.append(entity.name)
            elif token.pos_ == "PROPN" or token.text[:1].isupper():
                start, end = self._phrase_span(para, token)
                names.append(_strip_titles(self.article.text[start:end], self.lexicon))
            else:
                return None
        if not members:
            return None
        start = para.token_offsets(head.left_edge)[0]
        end = para.token_offsets(conjuncts[-1])[1]
        return ResolvedSpeaker(
            " and ".join(names),
            self.article.text[start:end],
            (start, end),
            None,
            "name",
            tuple(members),
            "name.joint",
        )

    # -- pronouns ---------------------------------------------------------------------------------
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
            return ResolvedSpeaker(
                enclosing.name,
                text,
                span,
                enclosing.entity,
                "pronoun",
                enclosing.group,
                "pronoun.enclosing",
                enclosing.mention_span,
            )
        if pron == "p":
            return self._plural(text, span, offset, paragraph)
        if pron in {"m", "f", "n"}:
            entity = self._most_salient(offset, paragraph, agree=pron)
            if entity is not None:
                if pron in {"m", "f"} and entity.gender is None:
                    entity.gender = pron
                return self._linked_pronoun(entity, text, span, offset)
        return ResolvedSpeaker(None, text, span, None, "pronoun")

    def _subject_of_fronted_clause(
        self, para: ParsedParagraph, pronoun: Token, pron: str | None
    ) -> EntityBuilder | None:
        """'When 50 Cent appeared on the same station, he said ...': a subject pronoun after a clause
        put before it in its own sentence goes to that clause's subject, when it is a person of the
        pronoun's gender, whoever was quoted before."""
        if pron not in {"m", "f"} or pronoun.dep_ != "nsubj":
            return None
        for clause in pronoun.head.children:
            if clause.dep_ != "advcl" or clause.i > pronoun.i:
                continue
            subject = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subject is None or subject.pos_ == "PRON":
                continue
            entity = self.index.at(*para.token_offsets(subject))
            if entity is not None and entity.type == "PERSON" and entity.gender in {None, pron}:
                return entity
        return None

    def _linked_pronoun(
        self, entity: EntityBuilder, text: str, span: OffsetSpan, offset: int
    ) -> ResolvedSpeaker:
        """A pronoun resolved by salience: one more mention of the entity, linked through its last."""
        self.index.add_reference(entity, span)
        antecedent = self._antecedent(entity, offset)
        return ResolvedSpeaker(
            entity.name, text, span, entity, "pronoun", rule="pronoun.salience", antecedent_span=antecedent
        )

    def _plural(self, text: str, span: OffsetSpan, offset: int, paragraph: int) -> ResolvedSpeaker:
        """ "they": a group of people named together, a plural unnamed speaker ("officials") or an
        organisation, whichever is most salient; a group only within the last few sentences."""
        sentence = self.sentence_of(offset)
        entity = self._most_salient(offset, paragraph, agree="p")
        entity_score = self._score_of(entity, offset, paragraph) if entity is not None else 0.0
        for group in reversed(self.groups):
            if group.offset < offset and sentence - group.sentence <= 3:
                weight = WEIGHT_SUBJECT * DECAY_PER_SENTENCE ** (sentence - group.sentence)
                if weight >= entity_score:
                    name = " and ".join(p.name for p in group.members)
                    return ResolvedSpeaker(name, text, span, None, "pronoun", group.members, "pronoun.group")
                break
        if entity is not None:
            return self._linked_pronoun(entity, text, span, offset)
        return ResolvedSpeaker(None, text, span, None, "pronoun")

    # -- descriptions -----------------------------------------------------------------------------
    def _description(
        self, head: Token, text: str, span: OffsetSpan, offset: int, paragraph: int
    ) -> ResolvedSpeaker:
        lemma = head.lemma_.lower()
        family = _FAMILIES.get(lemma, lemma)
        possessor = next((c for c in head.children if c.dep_ == "poss"), None)
        definite = possessor is not None or any(
            c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.children
        )
        # "His mother", "her former professor", "Smith's lawyer": someone else than whoever is in focus
        relative = possessor is not None and (possessor.pos_ == "PRON" or possessor.ent_type_ == "PERSON")
        indefinite = any(c.dep_ == "det" and c.lower_ in {"a", "an", "another", "one"} for c in head.children)
        plural = head.tag_ in {"NNS", "NNPS"} or lemma in self.lexicon.plural_nouns
        human = self._is_person_noun(head)
        company = lemma in self.lexicon.company_nouns
        body = lemma in self.lexicon.body_nouns
        lead = paragraph == self._lead

        def found(entity: EntityBuilder, rule: str) -> ResolvedSpeaker:
            antecedent = self._antecedent(entity, offset)
            if entity.type == "UNNAMED":
                self.index.add_description(entity, span, text)
            else:
                self.index.add_reference(entity, span)
                # "the chancellor" of the person in focus, and "A PR expert has told ... / Ann Kite
                # told": the lead's introduction of a person by occupation is a role too
                introduced = rule == "description.cataphora" and indefinite and self._names_occupation(lemma)
                if human and entity.type == "PERSON" and (definite or introduced):
                    role = " ".join(
                        t.text
                        for t in head.subtree
                        if t.i <= head.i and t.lower_ not in _DEFINITE and t.lower_ not in {"a", "an"}
                    )
                    entity.add_role(role)
                    for other in head.children:  # "the feminist writer and broadcaster": two roles
                        if other.dep_ == "conj" and other.pos_ == "NOUN" and self._is_role_noun(other):
                            entity.add_role(" ".join(t.text for t in other.subtree if t.i <= other.i))
            return ResolvedSpeaker(
                entity.name, text, span, entity, "description", rule=rule, antecedent_span=antecedent
            )

        if relative:
            if not (human or body):
                return ResolvedSpeaker(None, text, span, None, "description")
            other = self.index.add_unnamed(span, text, head=family, plural=plural, human=human)
            return ResolvedSpeaker(other.name, text, span, other, "description", rule="description.new")
        if company and not plural and (definite or lead):
            org = self._most_salient(offset, paragraph, agree="n", named_only=True)
            if org is None and lead:
                org = self._first_after(offset, paragraph, types={"ORG"})
            if org is not None:
                return found(org, "description.focus")
        if human and not plural:
            if definite:
                by_role = [p for p in self.index.people() if _role_fits(p, head)]
                entity = self._most_salient(offset, paragraph, among=by_role) if by_role else None
                if entity is not None:
                    return found(entity, "description.role")
            unnamed = self._unnamed_like(family, offset, paragraph, plural=False) if definite else None
            if unnamed is not None:
                return found(unnamed, "description.unnamed")
            if lead or (definite and not self._before(offset, paragraph, "PERSON")):
                # The lead names by description first ("The ousted president said ... / Kurmanbek
                # Bakiyev ..."): the first person named after it.
                entity = self._first_after(offset, paragraph, types={"PERSON"})
                if entity is not None:
                    return found(entity, "description.cataphora")
            if definite and not _is_office_of_unnamed(lemma, self.lexicon):
                fitting = [p for p in self.index.people() if not _conflicting_role(p, lemma, self.lexicon)]
                entity = self._most_prominent(offset, among=fitting)
                if entity is not None:
                    return found(entity, "description.salience")
        elif not indefinite:
            unnamed = self._unnamed_like(family, offset, paragraph)
            if unnamed is not None:
                return found(unnamed, "description.unnamed")
        if not (human or company or body):
            # "frame semantics", "the love": not a speaker at all; left unresolved, never named
            return ResolvedSpeaker(None, text, span, None, "description")
        entity = self.index.add_unnamed(span, text, head=family, plural=plural, human=human)
        if human and not plural:  # "a spokeswoman ... she"; "spokesperson" says nothing
            entity.gender = "f" if lemma.endswith("woman") else "m" if lemma.endswith("man") else None
        return ResolvedSpeaker(entity.name, text, span, entity, "description", rule="description.new")

    def _names_occupation(self, lemma: str) -> bool:
        """Is the noun an occupation or office ("expert", "lawyer", "minister"), not just someone
        ("man", "resident", "customer")?"""
        lexicon = self.lexicon
        return lemma not in lexicon.not_role_heads and (
            lemma in lexicon.role_heads or lemma in lexicon.title_words or lemma in lexicon.speaker_nouns
        )

    def _is_role_noun(self, noun: Token) -> bool:
        """A noun beside a person noun that is a role too: a listed one, or a job-like ending
        ("broadcaster", "director") that the coordination with a person noun vouches for."""
        lemma = noun.lemma_.lower()
        return self._is_person_noun(noun) or lemma in self.lexicon.role_heads or lemma.endswith(("er", "or"))

    def _is_person_noun(self, head: Token) -> bool:
        lemma = head.lemma_.lower()
        # a capitalised plural the tagger calls a proper noun keeps its "s" as lemma ("Officials")
        words = {lemma, head.lower_.removesuffix("s")}
        if words & (self.lexicon.person_nouns | self.lexicon.speaker_nouns):
            return True
        return (
            lemma.endswith(("man", "woman", "person", "ist", "ian"))
            and lemma not in self.lexicon.not_person_nouns
        )

    def _unnamed_like(
        self, family: str, offset: int, paragraph: int, *, plural: bool | None = None
    ) -> EntityBuilder | None:
        """An unnamed speaker met before with a description of the same head ("a spokesman for the
        firm" ... "the spokesman"; "officials in Cojedes state" ... "Officials"), and of the same
        number when ``plural`` says: "the American forensics expert" is none of "real experts"."""
        sentence = self.sentence_of(offset)
        best: EntityBuilder | None = None
        for entity in self.index.entities:
            if entity.type != "UNNAMED" or entity.head != family:
                continue
            if plural is not None and entity.plural != plural:
                continue
            if not any(s < offset for s, _ in entity.mentions):
                continue
            first = min(s for s, _ in entity.mentions)
            if sentence - self.sentence_of(first) > 4 * WINDOW_SENTENCES:
                continue
            if best is None or first > min(s for s, _ in best.mentions):
                best = entity
        return best

    # -- salience ---------------------------------------------------------------------------------
    def _agrees(
        self, entity: EntityBuilder, agree: str | None, *, named_only: bool, person_only: bool
    ) -> bool:
        if named_only and not entity.named:
            return False
        if person_only and entity.type != "PERSON":
            return False
        if agree is None:
            return True
        if agree in {"m", "f"}:
            if entity.type == "PERSON":
                gender = entity.gender or name_gender(entity.names, self.lexicon)
                return gender in (None, agree)
            if entity.type == "UNNAMED":
                return entity.human and not entity.plural and entity.gender in (None, agree)
            return False
        if agree == "n":
            if entity.type == "UNNAMED":
                return not entity.human and not entity.plural
            return entity.type in _SPEAKING_LABELS
        if agree == "p":
            if entity.type == "UNNAMED":
                return entity.plural
            return entity.type in _SPEAKING_LABELS
        return False

    def _scores(
        self,
        offset: int,
        paragraph: int,
        *,
        agree: str | None = None,
        among: list[EntityBuilder] | None = None,
        named_only: bool = False,
        person_only: bool = False,
    ) -> tuple[dict[int, float], dict[int, int], dict[int, EntityBuilder]]:
        sentence = self.sentence_of(offset)
        score: dict[int, float] = defaultdict(float)
        latest: dict[int, int] = {}
        by_id: dict[int, EntityBuilder] = {}
        for event in self.events:
            distance = sentence - event.sentence
            if event.offset >= offset or distance > WINDOW_SENTENCES:
                continue
            entity = event.entity
            if among is not None and entity not in among:
                continue
            if not self._agrees(entity, agree, named_only=named_only, person_only=person_only):
                continue
            key = id(entity)
            by_id[key] = entity
            score[key] += (
                event.weight
                * DECAY_PER_SENTENCE**distance
                * DECAY_PER_PARAGRAPH ** (paragraph - event.paragraph)
            )
            latest[key] = max(latest.get(key, -1), event.offset)
        return score, latest, by_id

    def _most_salient(
        self,
        offset: int,
        paragraph: int,
        *,
        agree: str | None = None,
        among: list[EntityBuilder] | None = None,
        named_only: bool = False,
        person_only: bool = False,
    ) -> EntityBuilder | None:
        score, latest, by_id = self._scores(
            offset, paragraph, agree=agree, among=among, named_only=named_only, person_only=person_only
        )
        if not score:
            return None
        best = max(score, key=lambda k: (score[k], latest[k]))
        return by_id[best]

    def _most_prominent(self, offset: int, *, among: list[EntityBuilder]) -> EntityBuilder | None:
        """The person the article is about so far: the most events before ``offset``, however far
        back ("the singer" in a report on a singer's trial), the most recent on a tie."""
        count: dict[int, float] = defaultdict(float)
        latest: dict[int, int] = {}
        by_id: dict[int, EntityBuilder] = {}
        for event in self.events:
            if event.offset >= offset or event.entity not in among:
                continue
            key = id(event.entity)
            by_id[key] = event.entity
            count[key] += event.weight
            latest[key] = max(latest.get(key, -1), event.offset)
        if not count:
            return None
        return by_id[max(count, key=lambda k: (count[k], latest[k]))]

    def _score_of(self, entity: EntityBuilder, offset: int, paragraph: int) -> float:
        score, _, _ = self._scores(offset, paragraph, among=[entity])
        return score.get(id(entity), 0.0)

    def _before(self, offset: int, paragraph: int, entity_type: str) -> bool:
        return any(
            e.offset < offset and e.entity.type == entity_type and paragraph - e.paragraph <= 1
            for e in self.events
        )

    def _first_after(self, offset: int, paragraph: int, *, types: set[str]) -> EntityBuilder | None:
        """Cataphora: the entity a description in the lead names ahead of time, "A PR expert has told
        the Michael Jackson trial ... / Ann Kite told the court": the first entity of that type that
        is new (not mentioned before the description) and is the subject of its clause in a later
        sentence, within ``LOOKAHEAD_PARAGRAPHS``; else the first new one mentioned at all."""
        sentence = self.sentence_of(offset)
        seen = {id(e.entity) for e in self.events if e.offset < offset}
        after = [
            e
            for e in self.events
            if e.offset > offset
            and e.paragraph - paragraph <= LOOKAHEAD_PARAGRAPHS
            and e.entity.type in types
            and id(e.entity) not in seen
        ]
        later = [e for e in after if e.sentence > sentence]
        for pool in ([e for e in later if e.weight >= WEIGHT_SUBJECT], later, after):
            if pool:
                return min(pool, key=lambda e: e.offset).entity
        return None

    def _antecedent(self, entity: EntityBuilder, offset: int) -> OffsetSpan | None:
        k = bisect.bisect_left(entity.mentions, (offset, -1))  # mentions are sorted
        return entity.mentions[k - 1] if k else None

    def _name_span(self, entity: EntityBuilder, around: OffsetSpan) -> OffsetSpan | None:
        """The longest name mention of the entity that holds ``around``: looked for back from it, no
        further than the longest name of the article reaches (the mentions are sorted)."""
        mentions = entity.mentions
        reach = around[0] - self.index.longest_name
        holding: OffsetSpan | None = None
        for n in range(bisect.bisect_right(mentions, (around[0], 1 << 62)) - 1, -1, -1):
            s, e = mentions[n]
            if s < reach:
                break
            if around[1] <= e and (holding is None or e - s >= holding[1] - holding[0]):
                holding = (s, e)
        return holding

    @staticmethod
    def _phrase_span(para: ParsedParagraph, head: Token) -> OffsetSpan:
        """The subject's noun phrase: its words up to the head, and the prepositional phrases after
        it ("the mayor of Bishkek", "a spokesman for the firm"), but no apposition, relative clause
        or punctuation."""
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
                end = _without_clauses(token) + 1
            else:
                break
        return para.char_span(start, end)


def _without_clauses(token: Token) -> int:
    """The last token index of ``token``'s phrase, stopping before a relative clause or apposition
    inside it ("for the Association of ... (Apacs) which represents ...")."""
    end = token.i
    for t in token.subtree:
        if t.i <= end:
            continue
        if t.dep_ in {"relcl", "acl", "appos"} or t.text in {",", ";", "—", "–"} or t.tag_ in {"WDT", "WP"}:
            break
        end = t.i
    return end


def _role_fits(person: EntityBuilder, head: Token) -> bool:
    """Does one of the person's roles name what the description does? The head word must be in it,
    and a proper-noun modifier of the description must not contradict it: "the Two Ronnies star" is
    not the person known as the "Horses star"."""
    lemma = head.lemma_.lower()
    names = {t.lower_ for t in head.lefts if t.pos_ == "PROPN" or t.text[:1].isupper()} - _DEFINITE
    for role in person.roles:
        words = role.lower().split()
        if not (lemma in words or role.lower().endswith(lemma)):
            continue
        role_names = {w.lower() for w in role.split()[:-1] if w[:1].isupper()}
        if names and role_names and not names & role_names:
            continue
        return True
    return False


def _has_role_word(person: EntityBuilder, lemma: str) -> bool:
    return any(lemma in r.lower().split() or r.lower().endswith(lemma) for r in person.roles)


def _conflicting_role(person: EntityBuilder, lemma: str, lexicon: Lexicon) -> bool:
    """A person whose known roles all name another office ("leader") is not "the chief executive",
    and one known only by other occupations ("PR expert") is not "the singer"; occupations of one
    family go together ("the Two Ronnies star ... the 74-year-old comedian"). A description that is
    no office nor occupation ("the man") conflicts with no role."""
    if not person.roles or _has_role_word(person, lemma):
        return False
    if lemma in lexicon.title_words:
        return True
    family = lexicon.occupation_family.get(lemma)
    if family is None and lemma not in lexicon.role_heads:
        return False
    heads = [role.lower().split()[-1] for role in person.roles]
    if family is not None and any(lexicon.occupation_family.get(h) == family for h in heads):
        return False
    return all(h in lexicon.role_heads or h in lexicon.occupation_family for h in heads)


#: Words for someone that often go unnamed ("an analyst said") but that, with "the", describe a person
#: the article has named ("Max Houck ... The American forensics expert said"), unlike an office.
_DESCRIBING_NOUNS = frozenset(
    {"expert", "analyst", "critic", "observer", "investigator", "witness", "resident", "employee", "worker"}
)


def _is_office_of_unnamed(lemma: str, lexicon: Lexicon) -> bool:
    """Spokespeople and officials are not the article's main person by default."""
    return lemma in lexicon.anonymous_nouns and lemma not in _DESCRIBING_NOUNS


def _title_case(sentence: Span) -> bool:
    """Is the sentence a headline in title case: four or more longer words, nearly all capitalised?"""
    words = [t for t in sentence if t.is_alpha and len(t) > 3]
    return len(words) >= 4 and sum(t.is_title for t in words) >= 0.8 * len(words)


def _strip_titles(text: str, lexicon: Lexicon) -> str:
    words = text.split()
    while len(words) > 1 and words[0].lower() in lexicon.title_words | {"the"}:
        words = words[1:]
    return " ".join(words)
