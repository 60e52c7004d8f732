"""Roles of people, read off the syntax around their names.

- apposition: "Vladimir Putin, the Russian prime minister," / "Roza Otunbayeva, Kyrgyzstan's
  self-declared interim leader," (and the reverse, "the Russian prime minister, Vladimir Putin");
- a title before the name: "US Secretary of State Hillary Clinton", "Russian President Dmitry Medvedev".
Descriptions that refer to a person ("The ousted president said ...") add roles too; that happens in
speaker resolution (onrecord.quotes.speakers), which knows what they refer to.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from onrecord.entities.people import EntityIndex
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle

#: Longest apposition read as a role, in tokens; longer ones are clauses, not titles (seed article and
#: PolNeAR train: the roles that matter fit in 10).
MAX_ROLE_TOKENS = 10
_ROLE_STOP_DEPS = frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj", "appos"})
_DETERMINERS = frozenset({"the", "a", "an"})


def find_roles(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> None:
    for para in article.paragraphs:
        doc = para.doc
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            entity = index.at(*para.span_offsets(ent))
            if entity is None or entity.type != "PERSON":
                continue
            for role in _roles_of(ent, lexicon):
                # "Image: Mark Rathbun." (a caption in the Wikinews sample) is no role.
                if role.split()[-1].lower() not in lexicon.not_roles:
                    entity.add_role(role)
            gender = _honorific_gender(doc, ent.start, lexicon)
            if gender is None and len(ent) > 1:  # "Hillary Clinton": a first name that says
                gender = lexicon.first_name_gender.get(ent[0].lower_)
            if gender and entity.gender is None:
                entity.gender = gender


def _roles_of(ent: Span, lexicon: Lexicon) -> Iterator[str]:
    """Roles in apposition to a name (either side) and titles just before it."""
    root = ent.root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= ent.end and child.ent_type_ != "PERSON":
            role = _noun_phrase(child)
            if role:
                yield role
    if root.dep_ == "appos" and root.head.i < ent.start and root.head.pos_ == "NOUN":
        role = _noun_phrase(root.head, stop=ent.start)
        if role:
            yield role
    title = _title_before(ent.doc, ent.start, lexicon)
    if title:
        yield title


def _noun_phrase(head: Token, *, stop: int | None = None) -> str | None:
    """The noun phrase headed by ``head`` without clauses, trailing appositions or punctuation."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in _ROLE_STOP_DEPS or (stop is not None and child.i >= stop):
            continue
        tokens.extend(child.subtree)
    tokens.sort(key=lambda t: t.i)
    # keep one contiguous run around the head
    run = [t for t in tokens if abs(t.i - head.i) <= MAX_ROLE_TOKENS]
    while run and (run[0].lower_ in _DETERMINERS or run[0].is_punct):
        run = run[1:]
    while run and run[-1].is_punct:
        run = run[:-1]
    if not run or len(run) > MAX_ROLE_TOKENS or run[-1].i - run[0].i + 1 != len(run):
        return None
    if any(t.ent_type_ == "PERSON" for t in run):
        return None  # "Ben Carson, Carly Fiorina and ...": a list of people, not a role
    if head.pos_ not in {"NOUN", "PROPN"} or len(head.text) < 3:
        return None  # "Bernie Sanders (I-Vt.)": a party and state, not a role
    doc = head.doc
    return doc[run[0].i : run[-1].i + 1].text


def _title_before(doc: Doc, start: int, lexicon: Lexicon) -> str | None:
    """A run of title words just before a name: "US Secretary of State", "Russian President"."""
    i = start - 1
    words: list[Token] = []
    while i >= 0:
        token = doc[i]
        lower = token.lower_
        if lower in lexicon.honorific_gender and lower in {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss"}:
            break
        titled = lower in lexicon.title_words or lower in lexicon.person_nouns
        if titled or (lower == "of" and words) or (token.ent_type_ in {"GPE", "NORP"} and words):
            words.append(token)
            i -= 1
            continue
        if token.is_title and token.pos_ in {"PROPN", "ADJ"} and words and token.ent_type_ != "PERSON":
            words.append(token)
            i -= 1
            continue
        break
    words.reverse()
    while words and (words[0].lower_ == "of" or words[0].lower_ in lexicon.honorific_gender):
        words = words[1:]
    if not words or not any(
        w.lower_ in lexicon.person_nouns or w.lower_ in lexicon.title_words for w in words
    ):
        return None
    # A lone honorific or a bare "former" is no role.
    if all(w.lower_ in {"former", "acting", "ex", "state"} for w in words):
        return None
    return doc[words[0].i : words[-1].i + 1].text


def _honorific_gender(doc: Doc, start: int, lexicon: Lexicon) -> str | None:
    """The gender an honorific or gendered title right before the name gives ("Mrs. Clinton",
    "Congresswoman Jane Doe"); only across title words, so "Mr. Smith and Jane Doe" says nothing of Jane."""
    i = start - 1
    while i >= 0 and (doc[i].lower_ in lexicon.title_words or doc[i].lower_ in lexicon.honorific_gender):
        gender = lexicon.honorific_gender.get(doc[i].lower_)
        if gender:
            return gender
        i -= 1
    return None
