"""Descriptions the text puts right beside a person's name, linked as mentions of that person.

Two constructions say outright that a noun phrase is the person named (issue #13: each mention, name,
pronoun or description, linked to its entity):
- apposition, after or before the name: "Jeanne Moreau, a French actress, ...", "the Russian prime
  minister, Vladimir Putin, ...";
- a copula with the name as its subject, "Daniel Bernoulli was a Swiss mathematician", or a pronoun
  already linked to the person ("He was a monk").
The description's head must be a noun for a person (``person_nouns`` and ``role_heads`` of the lexicon,
or a job-like ending: "mathematician", "composer"), so "Smith was a success" links nothing. The mention
is the noun phrase up to its head noun ("a Fellow" of "a Fellow at King's College": what follows the
head can hold other people's mentions, "nominee for Governor of Virginia"), without a possessor before
it ("his brother": "his" is a mention of someone else).
Roles (onrecord.entities.roles) are a narrower reading of the same constructions: a present office.
"""

from __future__ import annotations

from spacy.tokens import Token

from onrecord.entities.people import EntityBuilder, EntityIndex
from onrecord.entities.roles import ROLE_SUFFIXES
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph, children

_COPULA_LEMMAS = frozenset({"be", "become", "remain"})


def link_descriptions(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> None:
    """Add each apposition or copula description of a person to the person's mentions: of a name,
    and of a pronoun already linked to the person ("He was a monk")."""
    linked = {span: e for e in index.people() for span in e.mentions}
    for para in article.paragraphs:
        subjects: list[tuple[EntityBuilder, Token]] = []
        for ent in para.doc.ents:
            if ent.label_ != "PERSON":
                continue
            named = index.name_at(*para.span_offsets(ent))
            if named is not None and named[0].type == "PERSON":
                subjects.append((named[0], ent.root))
        for token in para.doc:
            if token.pos_ == "PRON" and token.dep_ == "nsubj":
                person = linked.get(para.token_offsets(token))
                if person is not None:
                    subjects.append((person, token))
        for person, root in subjects:
            for noun in _described_by(root, lexicon):
                span = _phrase(para, noun)
                if span is not None and index.at(*para.token_offsets(noun)) is None:
                    index.add_reference(person, span)


def _described_by(root: Token, lexicon: Lexicon) -> list[Token]:
    found = [c for c in children(root) if c.dep_ == "appos" and _personal(c, lexicon)]
    if root.dep_ == "appos" and _personal(root.head, lexicon):
        found.append(root.head)  # "the Russian prime minister, Vladimir Putin"
    verb = root.head
    if root.dep_ == "nsubj" and verb.lemma_.lower() in _COPULA_LEMMAS:
        found.extend(c for c in children(verb) if c.dep_ == "attr" and c.i > root.i and _personal(c, lexicon))
    return found


def _personal(token: Token, lexicon: Lexicon) -> bool:
    if token.pos_ != "NOUN" or token.ent_type_ or token.tag_ == "NNS":
        return False  # (not "two brothers": a plural is not the one person)
    lemma = token.lemma_.lower()
    return (
        lemma in lexicon.person_nouns
        or lemma in lexicon.role_heads
        or (lemma.endswith(ROLE_SUFFIXES) and len(lemma) > 4)
    )


def _phrase(para: ParsedParagraph, head: Token) -> tuple[int, int] | None:
    """The noun phrase of ``head``, from its left edge to the head, its possessor left out."""
    end = head.i
    start = head.left_edge.i
    for child in children(head):
        if child.dep_ == "poss" and child.i < head.i:
            start = child.right_edge.i + 1  # "his brother": "his" is another mention, not this one
    doc = para.doc
    while start < head.i and doc[start].tag_ == "POS":
        start += 1
    while start < head.i and doc[start].is_punct:
        start += 1
    if end - start + 1 > 20:
        return None
    return para.char_span(start, end + 1)
