"""Entities of one article: NER mentions grouped into one entity per person (or organisation, place).

The merge rule for people, within an article (docs/entities.md):
1. Multi-word names come first. Two names are one person when they are equal, or share the last word
   and the first word ("Hillary Clinton", "Hillary Rodham Clinton"). "Bill Clinton" and "Hillary
   Clinton" stay apart.
2. A one-word name joins the person whose surname (or, failing that, first name) it is: "Bakiyev" joins
   "Kurmanbek Bakiyev". When several people share that surname, it joins the one mentioned twice as
   often as any other, else the one mentioned last before it (or, if none is before it, the first one
   after it).
3. The canonical name is the longest name in the group.
4. A name the NER model typed as something else, but that is a known person's name, is counted as
   that person (the small model tags "Bakiyev" variously); except a one-word place: "Washington" the
   city is not George Washington.
5. The other way round: a name typed as a person in one place and as an organisation or place in
   more others, with nothing that marks a person (a first name, an honorific or title before it, a word
   of a longer person's name), is the organisation or place ("Blinkx", "Yukos").
6. Not a name at all: a "person" in lower case or a plural common noun ("pornography", "Jurors"),
   or holding a word with three capitals inside it ("MaransFlagShareLikeReplyAni", a page's buttons),
   or ending in a role noun ("Lib Dem MPs", "East Midlands MEP") is no entity; one right after an
   article or a possessive with no first name ("the Psalms", "his Dumky Trio") is a work, unless
   rule 4 finds it a known person's name ("a Moreau"); one that a thing is named after ("the James
   S. Brady Press Briefing Room", "Eric Trump Foundation", "Isaiah 45:1") is that thing (FAC); a
   party the model calls a person ("Labour", "Lib Dems": `party_names` in en.json) is an
   organisation.
7. A known person's name where the NER model tagged nothing ("Byron" after "Lord Byron") is that
   person, read by rules 1 and 2; so is a one-word place name that acts as a person, the subject of
   a verb or a possessive ("Galois wrote", "Galois' proof"), when it is a person's surname.
8. The same name written fuller or shorter joins the one person holding it: post-nominals and a
   trailing "of <place>" left out ("Daniel Bernoulli FRS", "Patrick Leopold Gordon of
   Auchleuchries"), or the shorter name's words in order in the longer with the same last word, the
   longer's other words first names, initials, particles or titles ("Otto Jespersen" in "Jens Otto
   Harry Jespersen"; not "Donald Trump" in "Entrusting Donald Trump").
9. "X, better known as Y", "X, also known as Y", "X, known by her pseudonym Y": one person.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from onrecord.entities.gender import first_name_gender
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

OffsetSpan = tuple[int, int]

#: NER labels kept as entities; numbers, money, dates and times are not entities here.
ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
#: Rule 2: a person with this many times the mentions of the next keeps a shared surname.
PROMINENT_RATIO = 2
_POSSESSIVE = re.compile(r"(?:'s|’s|‘s|'|’|‘)$")  # "Trump‘s" too: a typo for ’ that news sites have


@dataclass
class EntityBuilder:
    """A mutable entity while the article is analysed; frozen into records.Entity at the end."""

    type: str
    names: list[str] = field(default_factory=list)
    #: Sorted (kept so by insertion), so that "the last mention before" is a bisection.
    mentions: list[OffsetSpan] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    gender: str | None = None  # "m" | "f" when the text tells (honorifics, resolved pronouns)
    id: str = ""
    #: False for an unnamed speaker ("a spokesman for the firm"), known only by a description.
    named: bool = True
    #: For an unnamed speaker: the lemma of its description's head noun ("spokesman", "official"),
    #: whether the description is plural ("officials") and whether it is a person ("a spokesman") or
    #: a body ("the government").
    head: str | None = None
    plural: bool = False
    human: bool = True
    #: words() for the first n names: (n, words).
    _words: tuple[int, list[list[str]]] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        counts = Counter(self.names)
        return max(counts, key=lambda n: (len(n.split()), counts[n], -self.names.index(n)))

    def words(self) -> list[list[str]]:
        """The words of each distinct name, lower case. Kept until a name is added: an entity holds one
        name per mention, and merging asks this for every person at every mention (issue #16: a long
        article was quadratic here)."""
        cached = self._words
        if cached is None or cached[0] != len(self.names):
            cached = self._words = (len(self.names), [n.lower().split() for n in dict.fromkeys(self.names)])
        return cached[1]

    def add_role(self, role: str) -> None:
        role = " ".join(role.split()).strip(" ,;:-")
        if role and role.lower() not in {r.lower() for r in self.roles}:
            self.roles.append(role)


@dataclass(frozen=True)
class NameMention:
    span: OffsetSpan
    text: str
    label: str
    paragraph: int
    token_start: int
    token_end: int


class EntityIndex:
    """All entities of one article, and which one a span of text refers to."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.entities: list[EntityBuilder] = []
        self._by_span: dict[OffsetSpan, EntityBuilder] = {}
        # The name spans sorted by start, and the longest one, so that `at` looks at the few spans
        # that can overlap a query instead of all of them (issue #16: long articles).
        self._starts: list[tuple[int, int, int]] = []  # (start, end, order of first insertion)
        self._longest = 0
        self._described: set[str] = set()  # words of the names rule 10 found, folded

    # -- building ---------------------------------------------------------------------------------
    def build(self, article: ParsedArticle, described: Sequence[NameMention] = ()) -> None:
        """The entities of the article from the NER model's names, and ``described``: names it did not
        tag that the text describes as people's (rule 10, onrecord.entities.descriptions), whose words
        rule 7 then takes as a person's where they stand alone ("Shalev is in Levico")."""
        self._described = {_fold(w) for m in described for w in m.text.split()}
        mentions = _retype_things(article, collect_name_mentions(article, self.lexicon), self.lexicon)
        mentions += list(described)
        # Rule 5's other half: a mention the text itself calls a body is one, and no one's name.
        bodies = _described_as_bodies(article, mentions, self.lexicon)
        mentions = [replace(m, label="ORG") if m.span in bodies else m for m in mentions]
        persons = [m for m in mentions if m.label == "PERSON"]
        # Rule 1 then rule 2: long names first, each in text order.
        for mention in sorted(persons, key=lambda m: (len(m.text.split()) < 2, m.span[0])):
            self.add_person_mention(mention.span, mention.text)
        paragraphs = {p.index: p for p in article.paragraphs}
        for mention in mentions:
            if mention.label == "PERSON":
                continue
            # Rule 4, but a one-word place stays a place ("in Washington" is not George Washington)
            # unless it does what a person does there: "Galois wrote", "Galois' proof".
            place = (
                mention.label in {"GPE", "LOC", "FAC"}
                and len(mention.text.split()) == 1
                and not (
                    _acts_as_person(paragraphs[mention.paragraph], mention)
                    and self._is_surname(mention.text)  # not "the Tsar's" for Tsar Aleksei
                )
            )
            place = place or mention.span in bodies  # (rule 4 does not make it a person's again)
            cut = mention if place else _cut_mention(paragraphs[mention.paragraph], mention, self.lexicon)
            # (two names joined, "Alphabet and Facebook", are no one person's, whatever one of them is)
            joined = any(w in {"and", "&"} for w in cut.text.lower().split())
            person = None if place or joined else self._person_named(cut.text, cut.span[0], create=False)
            if person is not None:
                self._attach(person, cut.span, cut.text)
            else:
                self._add_other(mention)
        self._untagged_names(article)
        self._aliases(article)

    def _aliases(self, article: ParsedArticle) -> None:
        """Rule 9: "X, better known as Y", "X, also known as Y", "X, known by her pseudonym Y": X and Y
        are one person (a biography's first sentence; "Curtis Jackson, better known as 50 Cent")."""
        for para in article.paragraphs:
            doc = para.doc
            for token in doc:
                if (
                    token.lower_ != "known"
                    or token.i + 1 >= len(doc)
                    or doc[token.i + 1].lower_ not in {"as", "by"}
                ):
                    continue
                sent = token.sent
                before = [e for e in sent.ents if e.label_ == "PERSON" and e.end <= token.i]
                after = [e for e in sent.ents if e.label_ == "PERSON" and e.start > token.i]
                if not before or not after or after[0].start - token.i > 6:
                    continue  # the alias follows the cue closely: "known by her pseudonym Jenna Marbles"
                first = self.at(*para.span_offsets(before[-1]))
                second = self.at(*para.span_offsets(after[0]))
                if (
                    first is not None
                    and second is not None
                    and first is not second
                    and first.type == second.type == "PERSON"
                ):
                    self._merge(first, second)

    def _merge(self, into: EntityBuilder, other: EntityBuilder) -> None:
        """``other`` becomes part of ``into``: its names, mentions and roles."""
        for span in other.mentions:
            if span not in into.mentions:
                bisect.insort(into.mentions, span)
        into.names.extend(other.names)
        for role in other.roles:
            into.add_role(role)
        into.gender = into.gender or other.gender
        for span, entity in list(self._by_span.items()):
            if entity is other:
                self._by_span[span] = into
        self.entities.remove(other)

    def _is_surname(self, word: str) -> bool:
        word = word.lower()
        return any(
            len(w) > 1 and w[-1] == word for e in self.entities if e.type == "PERSON" for w in e.words()
        )

    def _untagged_names(self, article: ParsedArticle) -> None:
        """Rule 7: a known person's name where the NER model tagged nothing ("Byron" after "Lord
        Byron", "Dvořák's" after "Antonín Dvořák"): a run of proper nouns outside every entity that
        is the person's full name, or a lone word that is safely theirs (``_safe_lone_word``)."""
        people = [e for e in self.entities if e.type == "PERSON"]
        if not people:
            return
        known = {w for person in people for name in person.words() for w in name}
        tagged = {  # the words the model tags as a person's whole name somewhere, or rule 10 vouches for
            _fold(t.text)
            for p in article.paragraphs
            for ent in p.doc.ents
            if ent.label_ == "PERSON"
            for t in ent
        } | self._described
        for para in article.paragraphs:
            doc = para.doc
            i = 0
            while i < len(doc):
                token = doc[i]
                if not self._name_word(token) or token.ent_type_ or token.lower_ not in known:
                    i += 1
                    continue
                j = i
                while j < len(doc) and self._name_word(doc[j]) and not doc[j].ent_type_:
                    j += 1
                while i < j and _role_word(doc[i].lower_, self.lexicon):
                    i += 1  # "Tsar Peter": the name is what follows the title
                run = doc[i:j]
                i = j
                words = [t.text for t in run]
                if not words:
                    continue
                if not all(w[:1].isupper() and w.isalpha() for w in words):
                    continue
                if j < len(doc) and doc[j].pos_ == "NOUN" and doc[j].dep_ == "compound":
                    continue  # "the Byron estate"
                text = " ".join(words)
                span = para.char_span(run.start, run.end)
                if span in self._by_span:
                    continue
                if len(words) == 1 and not self._safe_lone_word(words[0], people, tagged):
                    continue
                person = self._person_named(text, span[0], create=False)
                if person is not None and person.type == "PERSON":
                    self._attach(person, span, text)

    def _name_word(self, token: Token) -> bool:
        """A proper noun, or a capitalised word of a name rule 10 found that the tagger calls a noun
        ("Currently Shalev is a Professor")."""
        if token.pos_ == "PROPN":
            return True
        return token.pos_ == "NOUN" and token.is_title and _fold(token.text) in self._described

    def _safe_lone_word(self, word: str, people: list[EntityBuilder], tagged: set[str]) -> bool:
        """May an untagged lone word stand for a person? Only when one person's name holds it, as a
        surname of a name that is a person's (a first name before it, or the model tags the word as
        a person elsewhere: not "Symphony" of "First Symphony") or as a first name the lexicon knows."""
        folded = _fold(word)
        holders = [p for p in people if any(folded in map(_fold, w) for w in p.words())]
        if len(holders) != 1:
            return False  # "Hadid" with Zaha Hadid and her father: the model's silence decides nothing
        names = [w for w in holders[0].words() if len(w) > 1]
        for name in names:
            if _fold(name[-1]) == folded:
                return folded in tagged or any(_first_name(n.title(), self.lexicon) for n in name[:-1])
            if _fold(name[0]) == folded:
                return _first_name(word, self.lexicon) and not _role_word(name[-1], self.lexicon)
        return False

    def add_person_mention(self, span: OffsetSpan, text: str) -> EntityBuilder:
        existing = self._by_span.get(span)
        if existing is not None:
            return existing
        person = self._person_named(text, span[0], create=True)
        assert person is not None
        self._attach(person, span, text)
        return person

    def add_other_mention(self, span: OffsetSpan, text: str, label: str) -> EntityBuilder:
        """A name of an organisation (or place) the NER model missed, found by the speaker resolver."""
        existing = self._by_span.get(span)
        if existing is not None:
            return existing
        self._add_other(NameMention(span, text, label, -1, -1, -1))
        return self._by_span[span]

    def add_name(self, entity: EntityBuilder, span: OffsetSpan, text: str) -> None:
        """A fuller name of a known entity, found by the speaker resolver ("Liberal Democrats")."""
        if span not in self._by_span:
            self._attach(entity, span, text)

    def add_reference(self, entity: EntityBuilder, span: OffsetSpan) -> None:
        """A pronoun or description resolved to an entity becomes one of its mentions."""
        k = bisect.bisect_left(entity.mentions, span)
        if k == len(entity.mentions) or entity.mentions[k] != span:
            entity.mentions.insert(k, span)

    def _attach(self, entity: EntityBuilder, span: OffsetSpan, text: str) -> None:
        entity.names.append(text)
        bisect.insort(entity.mentions, span)
        if span not in self._by_span:
            bisect.insort(self._starts, (span[0], span[1], len(self._by_span)))
            self._longest = max(self._longest, span[1] - span[0])
        self._by_span[span] = entity

    def _person_named(self, text: str, offset: int, *, create: bool) -> EntityBuilder | None:
        words = text.lower().split()
        if not words:
            return None
        people = [e for e in self.entities if e.type == "PERSON"]
        if len(words) > 1:
            for person in people:
                for other in person.words():
                    if other == words or (len(other) > 1 and other[0] == words[0] and other[-1] == words[-1]):
                        return person
            # Rule 8: the same name written fuller or shorter, one person holding it.
            core = _core_words(words)
            variants = [
                p
                for p in people
                if any(_variant(core, _core_words(w), self.lexicon) for w in p.words() if len(w) > 1)
            ]
            if len(variants) == 1:
                return variants[0]
            # A long name whose surname a one-word group already holds joins it ("Bakiyev" seen first).
            singles = [p for p in people if all(len(w) == 1 and w[0] == words[-1] for w in p.words())]
            if len(singles) == 1:
                return singles[0]
        else:
            word = words[0]
            by_surname = [p for p in people if any(w[-1] == word for w in p.words())]
            if not by_surname:
                by_surname = [p for p in people if any(len(w) > 1 and w[0] == word for w in p.words())]
            if by_surname:
                return self._nearest(by_surname, offset)
        if not create:
            return None
        person = EntityBuilder(type="PERSON")
        self.entities.append(person)
        return person

    @staticmethod
    def _nearest(candidates: list[EntityBuilder], offset: int) -> EntityBuilder:
        """Rule 2's choice among the people holding a surname: the one with at least
        ``PROMINENT_RATIO`` times the mentions of any other (news calls the person it is about by the
        surname, and their relatives by the first name), else the one mentioned last before it."""

        def last_before(entity: EntityBuilder) -> int:
            k = bisect.bisect_left(entity.mentions, (offset, -1))
            return entity.mentions[k - 1][0] if k else -1

        before = [c for c in candidates if last_before(c) >= 0]
        if before:
            ranked = sorted(before, key=lambda c: len(c.mentions), reverse=True)
            if len(ranked) > 1 and len(ranked[0].mentions) >= PROMINENT_RATIO * len(ranked[1].mentions):
                return ranked[0]  # the person the article is about keeps the bare surname
            return max(before, key=last_before)
        return min(candidates, key=lambda c: min(s for s, _ in c.mentions))

    def _add_other(self, mention: NameMention) -> None:
        key = _other_key(mention.text)
        for entity in self.entities:
            if entity.type == mention.label and any(_other_key(n) == key for n in entity.names):
                self._attach(entity, mention.span, mention.text)
                return
        entity = EntityBuilder(type=mention.label)
        self.entities.append(entity)
        self._attach(entity, mention.span, mention.text)

    # -- lookup -----------------------------------------------------------------------------------
    def at(self, start: int, end: int) -> EntityBuilder | None:
        """The entity one of whose name mentions overlaps [start, end), the longest overlap first."""
        found = self.name_at(start, end)
        return found[0] if found else None

    @property
    def longest_name(self) -> int:
        """The length of the longest name mention, in characters."""
        return self._longest

    def name_at(self, start: int, end: int) -> tuple[EntityBuilder, OffsetSpan] | None:
        """As :meth:`at`, with the name mention that overlaps."""
        best: tuple[int, int, OffsetSpan] | None = None  # (-overlap, order): the longest, then the first
        lo = bisect.bisect_left(self._starts, (start - self._longest, -1, -1))
        hi = bisect.bisect_left(self._starts, (end, -1, -1))
        for s, e, order in self._starts[lo:hi]:
            overlap = min(e, end) - max(s, start)
            if overlap > 0 and (best is None or (-overlap, order) < best[:2]):
                best = (-overlap, order, (s, e))
        return (self._by_span[best[2]], best[2]) if best else None

    def add_unnamed(
        self, span: OffsetSpan, description: str, *, head: str, plural: bool, human: bool
    ) -> EntityBuilder:
        """An unnamed speaker, named by its description ("a spokesman for the firm")."""
        entity = EntityBuilder(type="UNNAMED", named=False, head=head, plural=plural, human=human)
        self.entities.append(entity)
        self._attach(entity, span, description)
        return entity

    def add_description(self, entity: EntityBuilder, span: OffsetSpan, description: str) -> None:
        """A further description of an unnamed speaker ("the spokesman" after "a spokesman for X")."""
        bisect.insort(entity.mentions, span)
        entity.names.append(description)

    def name_spans(self) -> dict[OffsetSpan, EntityBuilder]:
        """Every name mention and its entity (a copy)."""
        return dict(self._by_span)

    def people(self) -> list[EntityBuilder]:
        return [e for e in self.entities if e.type == "PERSON"]

    def assign_ids(self) -> None:
        used: set[str] = set()
        for entity in sorted(self.entities, key=lambda e: min(s for s, _ in e.mentions)):
            base = f"{entity.type.lower()}:{_slug(entity.name)}"
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            entity.id = candidate
            used.add(candidate)


def collect_name_mentions(article: ParsedArticle, lexicon: Lexicon) -> list[NameMention]:
    found: list[NameMention] = []
    for para in article.paragraphs:
        for ent in para.doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            mention = _trim_mention(para, ent.start, ent.end, ent.label_, lexicon)
            if mention is not None:
                found.append(mention)
    return found


def _described_as_bodies(
    article: ParsedArticle, mentions: list[NameMention], lexicon: Lexicon
) -> set[OffsetSpan]:
    """The spans of one-word "person" mentions that an apposition calls a body ("Xinhua, the official
    Chinese news agency, wrote"), or that "its" takes up right after their verb ("Bloomberg says its
    deeper reporting ..."): an organisation, not a person."""
    bodies = (lexicon.company_nouns | lexicon.body_nouns) - lexicon.person_nouns - {"family"}
    paragraphs = {p.index: p for p in article.paragraphs}
    found: set[OffsetSpan] = set()
    for mention in mentions:
        if mention.label != "PERSON" or mention.token_end - mention.token_start != 1:
            continue
        doc = paragraphs[mention.paragraph].doc
        token = doc[mention.token_start]
        for child in token.children:
            lemma = child.lemma_.lower()
            if (
                child.dep_ == "appos"
                and child.pos_ == "NOUN"
                and lemma in bodies
                and not lemma.endswith(("er", "or"))
            ):
                found.add(mention.span)
        verb = token.head
        if (
            token.dep_ == "nsubj"
            and verb.pos_ == "VERB"
            and verb.i > token.i
            and any(t.lower_ == "its" and t.tag_ == "PRP$" for t in doc[verb.i + 1 : verb.i + 4])
        ):
            found.add(mention.span)  # "Bloomberg says its deeper reporting has found"
    return found


def _retype_things(
    article: ParsedArticle, mentions: list[NameMention], lexicon: Lexicon
) -> list[NameMention]:
    """Rule 5: a name the NER model calls a person in one place and an organisation or place in as
    many others ("co-founder of Blinkx" and "Blinkx said"; "Yukos", "Wembley") is the thing, unless
    something marks it as a person: a first name, an honorific or title before it ("Mr Blinkx"), or
    a word of a longer person's name ("Bakiyev" beside "Kurmanbek Bakiyev": rule 4 then holds). (A
    mention the text calls a body is an organisation too: ``_described_as_bodies``.)"""
    others: dict[str, Counter[str]] = {}
    for mention in mentions:
        if mention.label != "PERSON":
            others.setdefault(_other_key(mention.text), Counter())[mention.label] += 1
    persons = [m for m in mentions if m.label == "PERSON" and _other_key(m.text) in others]
    if not persons:
        return mentions
    full_names = {
        w for m in mentions if m.label == "PERSON" and len(m.text.split()) > 1 for w in m.text.lower().split()
    }
    paragraphs = {p.index: p for p in article.paragraphs}
    personal: set[str] = set()
    for mention in mentions:
        if mention.label != "PERSON":
            continue
        key = _other_key(mention.text)
        doc = paragraphs[mention.paragraph].doc
        before = doc[mention.token_start - 1].lower_.rstrip(".") if mention.token_start > 0 else ""
        if (
            before in lexicon.honorific_gender
            or before in lexicon.title_words
            or _first_name(mention.text.split()[0], lexicon)
            or set(key.split()) & full_names
        ):
            personal.add(key)
    as_person = Counter(_other_key(m.text) for m in persons)
    retyped = []
    for mention in mentions:
        key = _other_key(mention.text)
        if (
            mention.label == "PERSON"
            and key in others
            and key not in personal
            and sum(others[key].values()) > as_person[key]  # the model mostly says it is a thing
        ):
            mention = replace(mention, label=others[key].most_common(1)[0][0])
        retyped.append(mention)
    return retyped


def _trim_mention(
    para: ParsedParagraph, start: int, end: int, label: str, lexicon: Lexicon
) -> NameMention | None:
    doc = para.doc
    if label == "PERSON":
        start, end = _cut_at_separators(doc, start, end)
    elif label == "ORG":
        start, end = _whole_body_name(doc, start, end, lexicon)
    # "the US", "Mr. Smith", "President Obama" (when the model folds a title into the name),
    # trailing possessives: the name is what stays.
    while (
        start < end
        and (
            doc[start].lower_ in {"the", "a", "an"}
            or (
                # "President Obama", "Billionaire Donald Trump": the name is what follows
                label == "PERSON"
                and end - start > 1
                and (
                    doc[start].lower_ in lexicon.title_words
                    or doc[start].lower_ in lexicon.person_nouns
                    or doc[start].lower_ in lexicon.role_heads  # "Actress Amandla Stenberg"
                    or doc[start].text[:1].islower()  # "magician David Gish": a description before the name
                    or (doc[start].pos_ == "ADJ" and not _first_name(doc[start].text, lexicon))
                )
            )
        )
    ):
        start += 1
    while start < end and (doc[end - 1].is_punct or doc[end - 1].lower_ in {"'s", "’s", "‘s"}):
        end -= 1
    if label == "PERSON" and end - start > 2 and doc[end - 1].tag_ in {"NNPS", "VBZ"}:
        end -= 1  # "Donald Trump Tweets A Wildly Inaccurate Graphic": a headline's verb after the name
    if (
        label == "PERSON"
        and end - start > 2
        and doc[start].lower_.endswith("ing")
        and not _first_name(doc[start].text, lexicon)
    ):
        start += 1  # "Entrusting Donald Trump with ...": a sentence's first word before the name
    if start >= end:
        return None
    raw = doc[start:end].text
    # "Spouse(s", "Jules et Jim (1962": a parenthesis the span never closes ends it (the tokenizer
    # may keep it inside a token); "-Ahali": leading dashes are no part of a name
    lead = len(raw) - len(raw.lstrip("-\u2013\u2014"))
    opened = raw.find("(")
    cut = opened if opened >= 0 and ")" not in raw[opened:] else len(raw)
    raw = raw[lead:cut].rstrip()
    if not raw:
        return None
    text = _POSSESSIVE.sub("", raw) if label == "PERSON" else raw
    text = " ".join(text.split())
    if not text or not any(ch.isalpha() for ch in text):
        return None
    if label == "PERSON":
        words = text.lower().split()
        first_letter = next(ch for ch in text if ch.isalpha())  # "50 Cent": C
        if not first_letter.isupper() or (end - start == 1 and doc[start].tag_ == "NNS"):
            return None  # "pornography", "Jurors": a common noun, no one's name
        if end - start == 1 and words[0].strip(".") in _POST_NOMINALS:
            return None  # "Jr": what follows a name, not one
        if ends_in_role(words, lexicon):
            return None  # "Lib Dem MPs", "East Midlands MEP": a description, not a name
        if glued_words(text):
            return None  # "MaransFlagShareLikeReplyAni": a web page's buttons glued to a name
        if any(t.lower_ in {"and", "&"} for t in doc[start:end]):
            return None  # "Alphabet and Facebook": two names, not one person's
        if _names_a_thing(doc, start, end):
            label = "FAC"  # "the James S. Brady Press Briefing Room", "Eric Trump Foundation"
        elif _owned_or_counted(doc, start, lexicon):
            label = "WORK_OF_ART"  # "his Dumky Trio", "the Psalms": a thing (rule 4 may still make
            # it a known person's: "a Moreau" of the Moreau family)
        elif _WEB_ADDRESS.search(text):
            label = "ORG"  # "according to ouest-france.fr": a website
        elif text.lower() in lexicon.party_names:
            label = "ORG"  # "Labour", "Lib Dems"
    first = para.char_span(start, end)[0] + lead
    return NameMention((first, first + len(raw)), text, label, para.index, start, end)


def _whole_body_name(doc: Doc, start: int, end: int, lexicon: Lexicon) -> tuple[int, int]:
    """An organisation's name as the text writes it, where the model tagged a part of it or more:
    "the Forum for the Future report" tagged "Future" (a name of the form "Forum for the Future",
    "Friends of the Earth" is taken whole) or "The Forum for the Future research" (the common noun
    after the name is no part of it)."""
    while end - start > 1 and doc[end - 1].pos_ == "NOUN" and doc[end - 1].text.islower():
        end -= 1  # "Forum for the Future research", "Tesco spokesman"
    if (
        start >= 3
        and doc[start - 1].lower_ == "the"
        and doc[start - 2].lower_ in {"for", "of"}
        and doc[start - 3].text.istitle()
        and doc[start - 3].pos_ in {"PROPN", "NOUN"}
        and doc[start - 3].lower_ not in lexicon.title_words
        and doc[start - 3].ent_type_ in {"", "ORG"}
    ):
        start -= 3
        while (
            start > 0
            and doc[start - 1].text.istitle()
            and doc[start - 1].pos_ == "PROPN"
            and not doc[start - 1].is_sent_start
        ):
            start -= 1  # "Royal Society for the Protection of Birds", "Protection of Birds" tagged
    return start, end


#: Letters after a name that are no part of it ("Daniel Bernoulli FRS", "Martin Luther King Jr").
_POST_NOMINALS = frozenset(
    {"frs", "jr", "jr.", "sr", "sr.", "qc", "kc", "obe", "mbe", "cbe", "kbe", "dbe", "phd", "ii", "iii", "iv"}
)


def _core_words(words: list[str]) -> list[str]:
    """A name's words for comparing variants: post-nominals and a trailing "of <place>" left out
    ("Patrick Leopold Gordon of Auchleuchries" -> patrick leopold gordon)."""
    while len(words) > 2 and words[-1].strip(",") in _POST_NOMINALS:
        words = words[:-1]
    if "of" in words[2:]:
        words = words[: words.index("of", 2)]
    return words


def _variant(short: list[str], long: list[str], lexicon: Lexicon) -> bool:
    """Is one name the other written fuller: the same after rule 8's trimming, or the shorter's words in
    order in the longer with the same last word, the longer's other words first names, initials,
    particles or titles ("Otto Jespersen", "Jens Otto Harry Jespersen"; not "Entrusting Donald
    Trump", a sentence's first word the model took into the name)? The shorter as the longer's first
    words is no variant: "Pierre Charles" may be Pierre Charles L'Enfant, but "Lindsey Graham" is not
    "Lindsey Graham Endorsement", a headline's word the model took into the name."""
    if len(short) > len(long):
        short, long = long, short
    if short == long:
        return True
    if len(short) == len(long) == 2 and short == long[::-1]:
        return True  # "Higuchi Natsu", "Natsu Higuchi": family name first, and the other way round
    if len(short) < 2:
        return False
    if short[-1] != long[-1]:
        return False
    it = iter(long)
    if not all(word in it for word in short):
        return False
    extra = list(long)
    for word in short:
        extra.remove(word)
    return all(_name_part(word, lexicon) for word in extra)


def _name_part(word: str, lexicon: Lexicon) -> bool:
    """A first name, an initial, a particle or a title: a word that can stand inside a person's name
    ("Tsar Peter the Great" and "Peter the Great")."""
    bare = word.rstrip(".")
    return (
        len(bare) == 1
        or bare in _PARTICLES
        or bare in lexicon.title_words
        or _first_name(word.title(), lexicon)
    )


_PARTICLES = frozenset(
    {"de", "da", "di", "du", "van", "von", "der", "den", "la", "le", "bin", "al", "el", "ibn"}
)


_ARTICLES = frozenset({"the", "a", "an"})
_SPACED_DASHES = frozenset({"-", "–", "—", "--"})
#: Nouns that end the name of a place or an institution named after a person.
_NAMED_AFTER = frozenset(
    {"room", "center", "centre", "foundation", "institute", "hall", "building", "tower", "airport"}
    | {"stadium", "bridge", "street", "avenue", "award", "prize", "school", "university", "college"}
    | {"library", "museum", "memorial", "park", "square", "trust", "fund"}
)


def _cut_at_separators(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A person's span cut where the NER model ran over a separator: what follows a spaced dash
    ("CLEVELAND - Donald Trump": a dateline before it), a comma ("Lehigh, Bruce Turry"), a possessive
    ("National Review's Ian Tuttle") or "and", when two words or more follow it ("Martin Luther King,
    Jr." keeps its suffix); and what precedes a third-person verb inside it ("Trump Says He")."""
    for i in range(start + 1, end):
        if doc[i].tag_ == "VBZ":
            end = i  # "Trump Says He ...": a headline's verb inside the span ends the name
            break
    for i in range(end - 2, start, -1):
        token = doc[i]
        spaced_dash = token.text in _SPACED_DASHES and token.whitespace_ and doc[i - 1].whitespace_
        comma = token.text == "," and doc[i + 1].lower_.rstrip(".") not in _POST_NOMINALS
        owner = token.tag_ == "POS"  # "National Review's Ian Tuttle": the outlet before the name
        joined = token.lower_ in {"and", "&"}  # "Sirius XM Vice President for news and talk Dave Gorab"
        if (spaced_dash or comma or owner or joined) and end - (i + 1) >= 2:
            return i + 1, end
    return start, end


def _cut_mention(para: ParsedParagraph, mention: NameMention, lexicon: Lexicon) -> NameMention:
    """A mention of another label cut as a person's span would be, before rule 4 reads it as a known
    person's name ("Lehigh, Bruce Turry", an organisation to the model, is "Bruce Turry"; "Actress
    Amandla Stenberg" is "Amandla Stenberg")."""
    if mention.token_start < 0:
        return mention
    doc = para.doc
    start, end = _cut_at_separators(doc, mention.token_start, mention.token_end)
    while end - start > 1 and (
        doc[start].lower_ in lexicon.title_words
        or doc[start].lower_ in lexicon.person_nouns
        or doc[start].lower_ in lexicon.role_heads
    ):
        start += 1
    if start == mention.token_start:
        return mention
    span = para.char_span(start, end)
    return replace(mention, span=span, text=" ".join(para.doc[start:end].text.split()), token_start=start)


def _names_a_thing(doc: Doc, start: int, end: int) -> bool:
    """Is the "person" part of the name of a thing named after them: the span ends in an institution
    noun, or capitalised words after it do ("the James S. Brady Press Briefing Room"), or a chapter
    and verse follow ("Isaiah 45:1")?"""
    if doc[end - 1].lower_ in _NAMED_AFTER and end - start > 1:
        return True
    i = end
    while i < len(doc) and doc[i].is_title and doc[i].pos_ in {"PROPN", "NOUN"} and i - end < 4:
        if doc[i].lower_ in _NAMED_AFTER:
            return True
        i += 1
    return end + 2 < len(doc) and doc[end].like_num and doc[end + 1].text == ":" and doc[end + 2].like_num


_WEB_ADDRESS = re.compile(r"\w\.(?:com|org|net|fr|de|uk|co|io|gov|edu|info|ru|es|it)\b", re.IGNORECASE)


def _owned_or_counted(doc: Doc, start: int, lexicon: Lexicon) -> bool:
    """Rule 6: is a name right after an article or a possessive ("the Psalms", "a Tax System", "his
    Dumky Trio", "Vaughn's Kingsman") with no first name to mark a person? People's names take no
    article and belong to nobody; a title between them is another matter ("the Rev Jesse Jackson",
    "his wife Mary": the name follows a title or a noun, not the article)."""
    if start == 0 or _first_name(doc[start].text, lexicon):
        return False
    before = doc[start - 1]
    return before.lower_ in _ARTICLES or before.tag_ in {"PRP$", "POS"}


def _role_word(word: str, lexicon: Lexicon) -> bool:
    word = word.rstrip(".")
    return word in lexicon.title_words or word in lexicon.person_nouns or word in lexicon.role_heads


def _fold(word: str) -> str:
    """A word without its accents, lower case: "Ḥadīd" and "Hadid" are one surname."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(ch))


def _acts_as_person(para: ParsedParagraph, mention: NameMention) -> bool:
    """Is a one-word place name the subject of a verb other than "be", or possessive ("Galois wrote",
    "Galois' proof")? A person's surname tagged as a place then is the person; "in Washington" and
    "Washington is a city" stay the city."""
    token = para.doc[mention.token_start]
    if token.dep_ in {"nsubj", "nsubjpass"} and token.head.pos_ == "VERB" and token.head.lemma_ != "be":
        return True  # "Galois wrote"; not "Washington is a city"
    after = para.doc[mention.token_end] if mention.token_end < len(para.doc) else None
    return token.dep_ == "poss" or (after is not None and after.tag_ == "POS")


def glued_words(text: str) -> bool:
    """Does the text hold a word with three capitals inside it, not all capitals
    ("MaransFlagShareLikeReplyAni": a web page's buttons glued to a name; "McDonald", "DeSantis" and
    "NATO" are fine)?"""
    return any(sum(ch.isupper() for ch in w[1:]) >= 3 and not w.isupper() for w in text.split())


def ends_in_role(words: list[str], lexicon: Lexicon) -> bool:
    """Does a capitalised phrase end in a role noun, so that it describes someone rather than names
    them ("Lib Dem MPs", "East Midlands MEP")?"""
    last = words[-1].lower() if words else ""
    return len(words) > 1 and (last in lexicon.role_heads or last.removesuffix("s") in lexicon.role_heads)


def _first_name(word: str, lexicon: Lexicon) -> bool:
    """A capitalised word the tagger calls an adjective ("Dominic Hirsch") that is a first name."""
    return word[:1].isupper() and first_name_gender(word, lexicon) is not None


def _other_key(text: str) -> str:
    return re.sub(r"^the\s+", "", text.lower()).strip()


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-") or "x"
