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

The same two constructions make a person of a name the NER model tagged as nothing (merge rule 10,
:func:`described_names`): "Aner Shalev is an Israeli mathematician", "Scarne, a magician, ...".
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Token

from onrecord.entities.people import EntityBuilder, EntityIndex, NameMention
from onrecord.entities.roles import ROLE_SUFFIXES
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph, children

_COPULA_LEMMAS = frozenset({"be", "become", "remain"})


#: The longest untagged name rule 10 takes ("Jens Otto Harry Jespersen").
MAX_NAME_WORDS = 4


def described_names(article: ParsedArticle, lexicon: Lexicon) -> list[NameMention]:
    """Rule 10: runs of capitalised proper nouns the NER model tagged as nothing, which an apposition
    or a copula describes as a person ("Aner Shalev is an Israeli mathematician and writer"), or a
    biography's first sentence introduces (:func:`_lead_names`): people's names, for
    :meth:`EntityIndex.build` to take with the model's."""
    found: list[NameMention] = []
    for para in article.paragraphs:
        doc = para.doc
        runs = _lead_names(para, lexicon)
        for token in doc:
            if token.pos_ != "PROPN" or token.ent_type_ or not _described_by(token, lexicon, strict=True):
                continue
            start = token.i
            while (
                start > 0
                and doc[start - 1].pos_ == "PROPN"
                and not doc[start - 1].ent_type_
                and doc[start - 1].dep_ == "compound"
            ):
                start -= 1
            while start < token.i and doc[start].lower_ in lexicon.title_words:
                start += 1  # "Professor Shalev is ...": the name is what follows the title
            runs.append((start, token.i + 1))
        for start, end in sorted(set(runs)):
            words = doc[start:end]
            if len(words) > MAX_NAME_WORDS or not all(t.is_title and t.is_alpha for t in words):
                continue
            if all(t.lower_ in lexicon.title_words or t.lower_ in lexicon.person_nouns for t in words):
                continue  # "Governor, George Wallace": the title, in apposition to the name
            before = doc[start - 1] if start else None
            if before is not None and (
                before.lower_
                in {"the", "a", "an"}  # "the Observer", "The Forward": a name with an article is a thing's
                or before.is_quote  # "“Orange is the New Black” star"
                or before.ent_type_  # "NRC Handelsblad": the end of a name the model tagged
                or before.like_num  # "the 5th Street Gym"
            ):
                continue
            span = para.char_span(start, end)
            found.append(NameMention(span, words.text, "PERSON", para.index, start, end))
    taken = {m.span for m in found}
    found += [m for m in _acting_names(article, lexicon) if m.span not in taken]
    return found


#: How often an untagged word must be a subject that "his" or "he" follows in its sentence to be
#: taken as a person's name (rule 10's third way: "Byron received his early formal education").
MIN_ACTING_SUBJECT = 2
_PERSONAL_PRONOUNS = frozenset({"he", "his", "him", "she", "her"})


def _acting_names(article: ParsedArticle, lexicon: Lexicon) -> list[NameMention]:
    """Words the model tagged as nothing that the text treats as a person's name: at least
    ``MIN_ACTING_SUBJECT`` times the subject of a verb with "he", "his", "she" or "her" after it in the
    sentence, and never after "the" (a biography that starts after its subject's full name). Each
    untagged, capitalised occurrence of the word is a mention."""
    acting: dict[str, int] = {}
    spoiled: set[str] = set()
    for para in article.paragraphs:
        for token in para.doc:
            if token.pos_ != "PROPN" or not token.is_title or not token.is_alpha or len(token) < 3:
                continue
            word = token.text
            if token.i and para.doc[token.i - 1].lower_ == "the":
                spoiled.add(word)
            if token.ent_type_ or token.dep_ != "nsubj" or token.head.pos_ != "VERB":
                continue
            if token.lower_ in lexicon.title_words or token.lower_ in lexicon.function_words:
                continue
            sent = token.sent
            if any(t.lower_ in _PERSONAL_PRONOUNS and t.i > token.i for t in sent):
                acting[word] = acting.get(word, 0) + 1
    names = {w for w, n in acting.items() if n >= MIN_ACTING_SUBJECT and w not in spoiled}
    found = []
    for para in article.paragraphs:
        for token in para.doc:
            if token.text in names and not token.ent_type_ and token.pos_ == "PROPN":
                span = para.token_offsets(token)
                found.append(NameMention(span, token.text, "PERSON", para.index, token.i, token.i + 1))
    return found


def _lead_names(para: ParsedParagraph, lexicon: Lexicon) -> list[tuple[int, int]]:
    """A biography's first sentence, which the parser often breaks at its parenthesis: "Jared Tristan
    Padalecki (born July 19, 1982) [1] is an American actor", "Daniel Bernoulli (1700 – 1782) was a
    Swiss mathematician": an untagged name opening a sentence, a parenthesis, then "is" or "was" and a
    noun for a person. The token spans [start, end) of such names."""
    doc = para.doc
    found = []
    for sent in doc.sents:
        start = end = sent.start
        while end < sent.end and doc[end].pos_ == "PROPN" and doc[end].is_title and not doc[end].ent_type_:
            end += 1
        if end == start or end - start > MAX_NAME_WORDS or end >= len(doc) or doc[end].text != "(":
            continue
        close = next((k for k in range(end, min(end + 40, len(doc))) if doc[k].text == ")"), None)
        if close is None:
            continue
        k = close + 1
        while k < len(doc) and (doc[k].text in {"[", "]"} or doc[k].like_num):
            k += 1  # "[1]": a citation mark
        if k >= len(doc) or doc[k].lemma_.lower() != "be":
            continue
        for noun in doc[k + 1 : min(k + 9, len(doc))]:
            if noun.is_punct:
                break
            if _personal(noun, lexicon, strict=True):
                found.append((start, end))
                break
    return found


def link_descriptions(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> None:
    """Add each apposition or copula description of a person to the person's mentions: of a name,
    and of a pronoun already linked to the person ("He was a monk")."""
    linked = {span: e for e in index.people() for span in e.mentions}
    names = sorted((span, e) for span, e in index.name_spans().items() if e.type == "PERSON")
    starts = [span[0] for span, _ in names]
    for para in article.paragraphs:
        subjects: list[tuple[EntityBuilder, Token]] = []
        roots: set[int] = set()
        for ent in para.doc.ents:
            if ent.label_ != "PERSON":
                continue
            named = index.name_at(*para.span_offsets(ent))
            if named is not None and named[0].type == "PERSON":
                subjects.append((named[0], ent.root))
                roots.add(ent.root.i)
        # names the model did not tag (rules 7 and 10), those of this paragraph found by bisection
        for n in range(bisect_left(starts, para.offset), bisect_left(starts, para.end)):
            (_, end), named_person = names[n]
            last = para.tokens_ending_by(end) - 1
            if last >= 0 and last not in roots and para.doc[last].pos_ in {"PROPN", "NOUN"}:
                subjects.append((named_person, para.doc[last]))
                roots.add(last)
        for token in para.doc:
            if token.pos_ == "PRON" and token.dep_ in {"nsubj", "nsubjpass"}:
                person = linked.get(para.token_offsets(token))
                if person is not None:
                    subjects.append((person, token))
        for person, root in subjects:
            for noun in _described_by(root, lexicon):
                span = _phrase(para, noun)
                if span is not None and index.at(*para.token_offsets(noun)) is None:
                    index.add_reference(person, span)


def _described_by(root: Token, lexicon: Lexicon, *, strict: bool = False) -> list[Token]:
    found = [c for c in children(root) if c.dep_ == "appos" and _personal(c, lexicon, strict=strict)]
    if root.dep_ == "appos" and _personal(root.head, lexicon, strict=strict):
        found.append(root.head)  # "the Russian prime minister, Vladimir Putin"
    verb = root.head
    if root.dep_ == "nsubj" and verb.lemma_.lower() in _COPULA_LEMMAS:
        found.extend(
            c
            for c in children(verb)
            if c.dep_ == "attr" and c.i > root.i and _personal(c, lexicon, strict=strict)
        )
    if not strict and root.dep_ in {"nsubj", "nsubjpass"} and root.i < verb.i:
        found.extend(_predicated(root, verb, lexicon))
    return found


def _predicated(subject: Token, verb: Token, lexicon: Lexicon) -> list[Token]:
    """What a clause makes its subject: "He served as minister of finance", "Norton made a living as a
    businessman", "she was made a Dame", "She was elected mayor". Not when the verb has a person as
    its object, whom the "as" may describe instead ("Obama appointed Clinton as secretary of state")."""
    objects = [c for c in children(verb) if c.dep_ == "dobj"]
    if any(o.ent_type_ == "PERSON" or o.pos_ in {"PRON", "PROPN"} for o in objects):
        return []
    found: list[Token] = []
    for child in children(verb):
        if child.dep_ == "prep" and child.lower_ == "as" and child.i > verb.i:
            found.extend(c for c in children(child) if c.dep_ == "pobj" and _personal(c, lexicon))
        elif child.dep_ == "oprd" and subject.dep_ == "nsubjpass":
            titled = child.pos_ == "PROPN" and (
                child.lower_ in lexicon.title_words or child.lower_ in lexicon.honorific_gender
            )
            if titled or _personal(child, lexicon):
                found.append(child)
    return found


def _personal(token: Token, lexicon: Lexicon, *, strict: bool = False) -> bool:
    """A singular noun for a person: a listed one, or a job-like ending. ``strict`` (rule 10, where no
    NER tag vouches for the name): the endings that make nouns for people only (-ist, -ian, -man),
    not -er and -or ("Knowledge is power")."""
    if token.pos_ != "NOUN" or token.ent_type_ or token.tag_ == "NNS":
        return False  # (not "two brothers": a plural is not the one person)
    lemma = token.lemma_.lower()
    if lemma in lexicon.person_nouns or lemma in lexicon.role_heads:
        return True
    endings = _PEOPLE_ENDINGS if strict else ROLE_SUFFIXES
    return lemma.endswith(endings) and len(lemma) > 4 and lemma not in lexicon.not_person_nouns


#: Endings of nouns that name people and rarely anything else.
_PEOPLE_ENDINGS = ("ist", "ian", "man", "woman", "person")


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
