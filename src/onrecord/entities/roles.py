"""Roles of people, read off the words around their names (docs/entities.md, "Roles").

Three constructions, each a kind of evidence of the role fact it gives:

- ``title``: a title before the name, one or several words, capitalised or not, sentence-initial or
  not: "US Secretary of State Hillary Clinton", "Lib Dem chairman Jane Doe", "computer games maker Jo
  Bloggs", "Spokesman Alan Jones"; office modifiers stay inside ("shadow chancellor", "co-chairman",
  "ex-President");
- ``apposition``: a noun phrase set off by a comma or a dash, after the name ("Vladimir Putin, the
  Russian prime minister,") or before it ("the Russian prime minister, Vladimir Putin,");
- ``copula``: "Jane Doe, who is now the party's deputy leader," / "Jane Doe is chief executive of X".

A phrase is a role only when it has a role noun as its head ("minister", "spokesman", "maker", "guru";
``role_heads`` and ``person_nouns`` in the lexicon, or a noun ending like a job: "-er", "-or", "-ist",
"-ian"); relations, plain persons and party membership ("man", "father", "Democrat") are not roles.
Coordinated roles are two roles ("chairman and chief executive of X"). Descriptions that refer to a
person ("The ousted president said ...") add roles too; that happens in speaker resolution
(onrecord.quotes.speakers), which knows what they refer to; :meth:`RoleBook.facts` turns those into
facts as well, from the mention that states them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from onrecord.entities.people import EntityBuilder, EntityIndex
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.records import Role, RoleEvidence

OffsetSpan = tuple[int, int]

#: Longest role phrase, in tokens: a title before a name, an apposition or a copula complement. Longer
#: ones are clauses, not roles ("director of the law and technology programme at the University of X"
#: is 13 tokens with its hyphens; the seed article and the development set fit in 16).
MAX_ROLE_TOKENS = 16
#: Longest title before a name, in tokens ("Family Planning Association chief executive": 5).
MAX_TITLE_TOKENS = 8
#: The versioned component that finds roles; a change of behaviour means a new version.
COMPONENT = "onrecord.roles.v2"
#: Confidence of a role fact by evidence: the share of such roles that were right on the 25 hand-
#: annotated development articles (../shared/data/speakers-dev/roles.json), measured with this version
#: (see docs/entities.md); a description comes from speaker resolution.
CONFIDENCE: dict[str, float] = {"title": 0.93, "apposition": 0.9, "copula": 0.9, "description": 0.8}

_DETERMINERS = frozenset({"the", "a", "an"})
_POSSESSIVE_DETERMINERS = frozenset({"his", "her", "its", "their", "our", "my", "your"})
#: Words that are honorifics, not roles, right before a name: skipped when looking for a title.
_HONORIFICS = frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "mx"})
#: Words before a name that the entity index may leave out of it ("Lord Falconer" is the name
#: "Falconer"): the role is looked for before them.
_NAME_PREFIXES = _HONORIFICS | frozenset({"sir", "dame", "lord", "lady", "baroness", "baron", "rev", "rev."})
_DASHES = frozenset({"-", "–", "—", "--"})
_OPENING = frozenset({",", "(", *_DASHES})
_CLOSING = frozenset({",", ".", ";", ":", ")", "!", "?", *_DASHES})
_POSSESSIVE_MARKS = frozenset({"'s", "’s", "‘s", "'", "’"})
#: Prepositions that can sit inside a role phrase: "director of research at the University of X".
_ROLE_PREPOSITIONS = frozenset({"of", "at", "for", "from", "in", "on", "with", "to"})
#: A copula that states a present role ("who is", "has become"); "was" does not (an ended role).
_COPULAS = frozenset({"is", "'s", "’s", "are", "remains", "became", "becomes"})
_COPULA_ADVERBS = frozenset({"now", "also", "still", "currently", "already", "himself", "herself", "as"})
#: Job-like endings of a lowercase noun that are not in the lists ("maker", "pathologist", "comedian").
ROLE_SUFFIXES = ("er", "or", "ist", "ian", "ant", "man", "woman", "person")


@dataclass
class RoleFinding:
    """A role found in the text, in cleaned-text offsets, before it is frozen into a records.Role."""

    text: str
    span: OffsetSpan
    evidence: RoleEvidence


class RoleBook:
    """The role findings of one article, per entity, in the order found."""

    def __init__(self) -> None:
        self._found: dict[int, list[RoleFinding]] = {}
        #: The name spans of the index when the roles were last read (see find_roles_of_added).
        self.known: set[OffsetSpan] = set()

    def add(self, entity: EntityBuilder, finding: RoleFinding) -> None:
        findings = self._found.setdefault(id(entity), [])
        key = normalise(finding.text)
        if any(normalise(f.text) == key for f in findings):
            return
        findings.append(finding)
        entity.add_role(finding.text)

    def findings(self, entity: EntityBuilder) -> list[RoleFinding]:
        return list(self._found.get(id(entity), ()))

    def facts(
        self,
        entity: EntityBuilder,
        text: str,
        to_original: Callable[[int, int], OffsetSpan],
        date: str | None,
    ) -> tuple[Role, ...]:
        """The entity's roles as facts, in the order of ``entity.roles``.

        A role that another stage added as a bare string (a description resolved to the person, in
        speaker resolution) gets its span from the first of the entity's mentions whose text holds it,
        and the evidence ``description``; one that no mention holds is left out of the facts (it stays
        in ``Entity.roles``).
        """
        by_key = {normalise(f.text): f for f in self.findings(entity)}
        facts: list[Role] = []
        seen: set[str] = set()
        for role in entity.roles:
            key = normalise(role)
            if key in seen:
                continue
            finding = by_key.get(key) or _described(entity, role, text)
            if finding is None:
                continue
            seen.add(key)
            facts.append(
                Role(
                    role=finding.text,
                    normalised=key,
                    span=to_original(*finding.span),
                    date=date,
                    evidence=finding.evidence,
                    confidence=CONFIDENCE[finding.evidence],
                    component=f"{COMPONENT}:{finding.evidence}",
                )
            )
        return tuple(facts)


def _described(entity: EntityBuilder, role: str, text: str) -> RoleFinding | None:
    wanted = role.lower()
    for start, end in sorted(entity.mentions):
        at = text[start:end].lower().find(wanted)
        if at >= 0:
            return RoleFinding(role, (start + at, start + at + len(role)), "description")
    return None


def normalise(role: str) -> str:
    """Lower case, plain apostrophes, one space; "ex-"/"then" as "former"; no leading article or
    "one of": "the then Lord Chancellor" -> "former lord chancellor"."""
    text = " ".join(role.replace("’", "'").replace("‘", "'").lower().split()).strip(" ,;:-")
    words = text.split()
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    if words[:2] == ["one", "of"]:
        words = words[2:]
        while words and words[0] in _DETERMINERS:
            words = words[1:]
    if words and words[0] == "then":
        words[0] = "former"
    text = " ".join(words)
    if text.startswith("ex-") or text.startswith("ex "):
        text = "former " + text[3:].lstrip()
    return text


# -- finding ------------------------------------------------------------------------------------------
def find_roles(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> RoleBook:
    """Add the roles (and genders) the text gives each person of ``index``; the findings, for facts."""
    book = RoleBook()
    for para in article.paragraphs:
        names = _person_names(para, index)
        _roles_in(para, names, names, book, lexicon)
    book.known = set(index.name_spans())
    return book


def find_roles_of_added(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon, book: RoleBook) -> None:
    """The roles of the people's names added to ``index`` since :func:`find_roles` (the speaker
    resolver's: a proper-noun subject the NER model did not tag, "director of telecoms research Tony
    Lavender said"), found the same way."""
    added = [
        (span, e) for span, e in index.name_spans().items() if span not in book.known and e.type == "PERSON"
    ]
    if not added:
        return
    for para in article.paragraphs:
        names = [
            (entity, para.first_token_from(s), para.tokens_ending_by(e))
            for (s, e), entity in added
            if para.offset <= s and e <= para.end
        ]
        names = [(entity, a, b) for entity, a, b in names if a < b]
        if names:
            _roles_in(para, names, names + _person_names(para, index), book, lexicon)
    book.known = set(index.name_spans())


def _roles_in(
    para: ParsedParagraph,
    names: list[tuple[EntityBuilder, int, int]],
    every_name: list[tuple[EntityBuilder, int, int]],
    book: RoleBook,
    lexicon: Lexicon,
) -> None:
    doc = para.doc
    person_tokens = {i for _, start, end in every_name for i in range(start, end)}
    finder = _Finder(doc, lexicon, person_tokens)
    for entity, start, end in names:
        for first, last, role, evidence in finder.roles(start, end):
            if role.split()[-1].lower() in lexicon.not_roles:
                continue  # "Image: Mark Rathbun." (a caption in the Wikinews sample) is no role.
            span = (para.offset + doc[first].idx, para.offset + doc[last].idx + len(doc[last]))
            book.add(entity, RoleFinding(role, span, evidence))
        gender = _honorific_gender(doc, start, lexicon)
        if gender is None and end - start > 1:  # "Hillary Clinton": a first name that says
            gender = lexicon.first_name_gender.get(doc[start].lower_)
        if gender and entity.gender is None:
            entity.gender = gender


def _person_names(para: ParsedParagraph, index: EntityIndex) -> list[tuple[EntityBuilder, int, int]]:
    """Each name of a person in the paragraph, as (entity, first token, end token): the name as the
    entity index trimmed it ("Spokesman Alan Jones" in the NER is the name "Alan Jones")."""
    doc = para.doc
    found: list[tuple[EntityBuilder, int, int]] = []
    for ent in doc.ents:
        start, end = para.span_offsets(ent)
        named = index.name_at(start, end)  # the name mention that overlaps it most (bisected)
        if named is None or named[0].type != "PERSON":
            continue
        entity, (s, e) = named
        tokens = [t.i for t in ent if para.offset + t.idx >= s and para.offset + t.idx < e]
        if tokens:
            found.append((entity, tokens[0], tokens[-1] + 1))
    return found


class _Finder:
    """The role constructions around names in one paragraph's parse."""

    def __init__(self, doc: Doc, lexicon: Lexicon, person_tokens: set[int]) -> None:
        self.doc = doc
        self.lexicon = lexicon
        self.person_tokens = person_tokens
        self.heads = lexicon.person_nouns | lexicon.role_heads
        self.modifiers = lexicon.role_modifiers

    def roles(self, start: int, end: int) -> Iterator[tuple[int, int, str, RoleEvidence]]:
        """(first token, last token, role text, evidence) for the name at tokens [start, end)."""
        while start > 0 and self.doc[start - 1].lower_ in _NAME_PREFIXES:
            start -= 1  # "the Lord Chancellor, Lord Falconer": the name with its prefix
        title_start = start
        for first, last in self._titles_before(start):
            title_start = min(title_start, first)
            yield from self._emit(first, last, "title")
        for first, last in self._apposition_before(title_start, end):
            yield from self._emit(first, last, "apposition")
        for first, last, evidence in self._after(end):
            yield from self._emit(first, last, evidence)

    def _emit(
        self, first: int, last: int, evidence: RoleEvidence
    ) -> Iterator[tuple[int, int, str, RoleEvidence]]:
        for a, b, text in self._split_coordination(first, last):
            if self._acceptable(a, b):
                yield a, b, text, evidence

    # -- what a role is ---------------------------------------------------------------------------
    def is_head(self, token: Token) -> bool:
        """A noun that names an office, job, title or function."""
        lower, lemma = token.lower_, token.lemma_.lower()
        if lower in self.lexicon.not_role_heads or lemma in self.lexicon.not_role_heads:
            return False
        if lower in self.heads or lemma in self.heads or lower.rstrip(".") in self.heads:
            return True
        if token.pos_ != "NOUN" or not token.is_lower or len(lower) < 5:
            return False
        return lemma.endswith(ROLE_SUFFIXES) and lemma not in self.lexicon.not_role_heads

    def _acceptable(self, first: int, last: int) -> bool:
        words = [t for t in self.doc[first : last + 1] if not t.is_punct]
        if not words:
            return False
        lowers = {t.lower_.rstrip(".") for t in words}
        if lowers <= (self.modifiers - self.heads) | _HONORIFICS | self.lexicon.not_role_heads:
            return False  # "former", "Dr" alone is no role
        return any(self.is_head(t) for t in words)

    def _split_coordination(self, first: int, last: int) -> Iterator[tuple[int, int, str]]:
        """ "chairman and chief executive of X" is two roles: "chairman of X", "chief executive of X";
        "report author and a senior adviser at Y" two as well. An "and" between words that are not
        both ends of roles stays inside ("the law and technology programme")."""
        doc = self.doc
        parts: list[tuple[int, int]] = []
        begin = first
        for i in range(first + 1, last):
            if doc[i].lower_ not in {"and", "&"} or i - 1 < begin:
                continue
            nxt = i + 1
            while nxt <= last and doc[nxt].lower_ in _DETERMINERS:
                nxt += 1
            if nxt > last or not self.is_head(doc[i - 1]):
                continue
            head_after = self._head_of(nxt, last)
            if head_after is None:
                continue
            parts.append((begin, i - 1))
            begin = nxt
        parts.append((begin, last))
        if len(parts) == 1:
            yield first, last, doc[first : last + 1].text
            return
        # A complement after the last conjunct ("of EMI Music") is shared by bare conjuncts before it.
        tail_first, tail_last = parts[-1]
        head = self._head_of(tail_first, tail_last)
        complement = ""
        if head is not None and head < tail_last and doc[head + 1].lower_ in _ROLE_PREPOSITIONS:
            complement = doc[head + 1 : tail_last + 1].text
        for a, b in parts[:-1]:
            text = doc[a : b + 1].text
            # "chairman and chief executive of X" shares "of X"; "author and a fellow at X" does not
            bare = not any(t.lower_ in _ROLE_PREPOSITIONS for t in doc[a : b + 1]) and not any(
                t.lower_ in _DETERMINERS for t in doc[b + 1 : tail_first]
            )
            yield a, b, (f"{text} {complement}" if complement and bare else text)
        yield tail_first, tail_last, doc[tail_first : tail_last + 1].text

    def _head_of(self, first: int, last: int) -> int | None:
        """The head of a role phrase: its last word before the first preposition, if a role noun."""
        doc = self.doc
        stop = last
        for i in range(first, last + 1):
            if doc[i].lower_ in _ROLE_PREPOSITIONS and i > first:
                stop = i - 1
                break
        for i in range(stop, first - 1, -1):
            if doc[i].is_punct:
                continue
            return i if self.is_head(doc[i]) else None
        return None

    # -- titles before the name -------------------------------------------------------------------
    def _titles_before(self, start: int) -> list[tuple[int, int]]:
        """Titles just before the name; a second one when two are joined by "and" ("chairman and
        chief executive Jane Doe")."""
        doc = self.doc
        i = start - 1
        while i >= 0 and doc[i].lower_ in _HONORIFICS:
            i -= 1  # "usability guru Dr Jakob Nielsen": the role is before the honorific
        found: list[tuple[int, int]] = []
        while i >= 0 and len(found) < 2:
            first = self._title_ending_at(i)
            if first is None:
                break
            found.append((first, i))
            if first >= 2 and doc[first - 1].lower_ == "and":
                i = first - 2
                continue
            break
        return found

    def _title_ending_at(self, last: int) -> int | None:
        doc = self.doc
        if last in self.person_tokens or doc[last].ent_type_ in _NOT_ROLE_ENTS:
            return None
        at = last
        if not self.is_head(doc[last]):
            # "director of telecoms research Jane Doe": a head with a short "of" complement
            for k in range(last - 1, max(last - 4, 0), -1):
                if doc[k].lower_ == "of" and self.is_head(doc[k - 1]):
                    between = doc[k + 1 : last + 1]
                    if all(
                        (t.pos_ in {"NOUN", "PROPN", "ADJ"} or t.dep_ == "compound")  # "research" as VERB
                        and t.i not in self.person_tokens
                        for t in between
                    ):
                        at = k - 1
                    break
            if at == last:
                return None
        head = doc[at]
        if not (head.pos_ in {"NOUN", "PROPN"} or head.is_upper or head.lower_ in self.heads):
            return None
        first = at
        capital_seen = not head.is_lower
        i = at - 1
        while i >= 0 and last - i < MAX_TITLE_TOKENS:
            token = doc[i]
            lower = token.lower_
            if i in self.person_tokens:
                # "Jackson's lawyer", "Blair aide": a name right before the title word belongs to it
                # (the NER also takes "Lib Dem" for a person); a name before a comma or "and" does not.
                if i + 1 == first or doc[i + 1].lower_ in _POSSESSIVE_MARKS:
                    while i >= 0 and i in self.person_tokens:
                        first, i = i, i - 1
                break
            if token.ent_type_ in _NOT_ROLE_ENTS:
                break
            if i > 1 and self._joins(i - 1):
                first, i = i - 2, i - 3  # "co-chairman", "ex-President", "self-declared"
                continue
            if self._joins(i) and i > 0:
                first, i = i - 1, i - 2  # the dash of "co-chairman" after its right-hand word
                continue
            if lower in _POSSESSIVE_MARKS and i > 0 and not doc[i - 1].is_punct:
                first = self._possessor_start(i - 1)  # "UKIP's chairman": the possessor and no more
                break
            if lower in self.modifiers:
                first, i = i, i - 1
                continue
            if lower == "of" and i > 0 and doc[i - 1].lower_ in self.heads and not doc[i + 1].is_lower:
                first, i = i - 1, i - 2  # "Secretary of State"
                continue
            if (
                lower in {"and", "&"}
                and capital_seen
                and i > 0
                and doc[i - 1].is_title
                and i - 1 not in self.person_tokens
            ):
                first, i = i - 1, i - 2  # "Only Fools and Horses star"
                continue
            if token.is_punct or (token.like_num and not token.is_title):
                break
            if token.pos_ not in {"NOUN", "PROPN", "ADJ", "NUM", "X"} and not (
                token.is_title and token.pos_ in {"VERB", "ADV"} and not token.is_sent_start
            ):
                break
            if token.is_lower and capital_seen:
                break  # "the claims Tory Party co-chairman": a lowercase word before a name-like run
            if not token.is_lower:
                capital_seen = True
            first, i = i, i - 1
        return first

    def _joins(self, i: int) -> bool:
        """Token ``i`` is a dash that joins two words without spaces ("co-chairman")."""
        doc = self.doc
        return (
            0 < i < len(doc) - 1
            and doc[i].text in _DASHES
            and not doc[i].whitespace_
            and not doc[i - 1].whitespace_
        )

    def _possessor_start(self, i: int) -> int:
        doc = self.doc
        while i > 0 and not doc[i - 1].is_lower and not doc[i - 1].is_punct and doc[i - 1].pos_ == "PROPN":
            i -= 1
        return i

    # -- apposition before the name ---------------------------------------------------------------
    def _apposition_before(self, start: int, end: int) -> list[tuple[int, int]]:
        """ "the Lord Chancellor, Lord Falconer, was ...": a noun phrase, a comma or dash, the name,
        then a comma, dash, full stop or "and" (not a verb: "Asked by the chairman, Jane said")."""
        doc = self.doc
        if start < 2 or doc[start - 1].text not in {",", *_DASHES}:
            return []
        if end < len(doc) and doc[end].text not in _CLOSING and doc[end].lower_ not in {"and", "'s", "’s"}:
            return []
        last = start - 2
        first = last
        i = last
        while i >= 0 and last - i < MAX_ROLE_TOKENS:
            token = doc[i]
            lower = token.lower_
            if i in self.person_tokens:
                if doc[i + 1].lower_ in _POSSESSIVE_MARKS:
                    first = self._possessor_start(i)
                break
            if lower in _DETERMINERS or lower in _POSSESSIVE_DETERMINERS:
                # "the" inside the phrase after a preposition: "head of genetics at the Institute"
                if i > 0 and doc[i - 1].lower_ in _ROLE_PREPOSITIONS and i - 1 > 0:
                    i -= 1
                    continue
                break
            if lower in _POSSESSIVE_MARKS or self._joins(i):
                i -= 1
                continue
            if i > 1 and self._joins(i - 1):
                first, i = i - 2, i - 3
                continue
            if lower in _ROLE_PREPOSITIONS or lower in {"and", "&"}:
                i -= 1
                continue
            if token.pos_ not in {"NOUN", "PROPN", "ADJ", "NUM", "X", "ADV"} or token.is_punct:
                break
            if token.pos_ == "ADV" and lower not in self.modifiers:
                break
            first = i
            i -= 1
        while first <= last and doc[first].lower_ in _ROLE_PREPOSITIONS | {"and", "&"}:
            first += 1
        if first + 1 < last and doc[first].lower_ == "one" and doc[first + 1].lower_ == "of":
            first += 2  # "one of the party's two members, Jane Doe"
        if first > last or self._head_of(first, last) is None:
            return []
        return [(first, last)]

    # -- apposition and copula after the name ------------------------------------------------------
    def _after(self, end: int) -> list[tuple[int, int, RoleEvidence]]:
        doc = self.doc
        if end >= len(doc):
            return []
        i = end
        evidence: RoleEvidence = "apposition"
        if doc[i].lower_ in _POSSESSIVE_MARKS:
            return []
        if doc[i].text in _OPENING:
            i += 1
            if i < len(doc) and doc[i].lower_ == "who":
                i += 1
                evidence = "copula"
        else:
            evidence = "copula"
        if evidence == "copula":
            if (
                i < len(doc)
                and doc[i].lower_ == "has"
                and i + 1 < len(doc)
                and doc[i + 1].lower_ in {"become", "been"}
            ):
                i += 2
            elif i < len(doc) and doc[i].lower_ in _COPULAS:
                i += 1
            elif not (doc[i - 1].lower_ == "who" and i < len(doc) and doc[i].lower_ == "as"):
                return []
            while i < len(doc) and doc[i].lower_ in _COPULA_ADVERBS:
                i += 1
        while i < len(doc) and (doc[i].lower_ in _DETERMINERS or doc[i].lower_ in _POSSESSIVE_DETERMINERS):
            i += 1
        if i + 1 < len(doc) and doc[i].lower_ == "one" and doc[i + 1].lower_ == "of":
            i += 2
            while i < len(doc) and doc[i].lower_ in _DETERMINERS:
                i += 1
        first = i
        last = self._phrase_end(first)
        if last is None or self._head_of(first, last) is None or not self._closed(last + 1, evidence):
            return []
        return [(first, last, evidence)]

    def _closed(self, i: int, evidence: RoleEvidence) -> bool:
        """Whether a role phrase after a name ends where a role ends: punctuation, the end, a speech
        verb ("Jane Doe, spokeswoman for X said") or a participle ("quoted in ..."), for a copula also
        "and"/"but". Not another name ("John Doe, former actress Jane Roe"): that is her title; not a
        verb that goes on with the clause ("said Mr Doe, users conduct ten searches a day")."""
        doc = self.doc
        if i >= len(doc):
            return True
        token = doc[i]
        if i in self.person_tokens:
            return False
        if token.is_punct or token.is_quote:
            return True
        if token.pos_ in {"VERB", "AUX"}:
            return token.lemma_.lower() in self.lexicon.speech_verbs or token.tag_ == "VBN"
        return evidence == "copula" and token.lower_ in {"and", "but"}

    def _phrase_end(self, first: int) -> int | None:
        """The last token of a role phrase that starts at ``first``: up to a comma, full stop, dash,
        bracket, quotation mark, verb, relative pronoun or another person's name."""
        doc = self.doc
        last = None
        i = first
        while i < len(doc) and i - first < MAX_ROLE_TOKENS:
            token = doc[i]
            lower = token.lower_
            if i in self.person_tokens and not (i + 1 < len(doc) and doc[i + 1].lower_ in _POSSESSIVE_MARKS):
                break
            if self._joins(i) and i > first and i + 1 < len(doc):
                last, i = i + 1, i + 2
                continue  # "co-founder", "vice-president", "self-declared"
            if lower in _POSSESSIVE_MARKS and i > first:
                i += 1
                continue
            if token.is_punct or token.is_quote or token.is_space:
                break
            noun_like = token.is_lower and i + 1 < len(doc) and self.is_head(doc[i + 1])  # "report author"
            if lower in {"who", "which", "that"} or (
                token.pos_ in {"VERB", "AUX", "PRON", "SCONJ", "PART", "INTJ"}
                and lower not in self.modifiers
                and not (noun_like and token.pos_ == "VERB")
            ):
                break  # "managing", "acting" (in role_modifiers) are part of the role
            if (
                lower in {"and", "&"}
                and i + 1 < len(doc)
                and (doc[i + 1].is_punct or doc[i + 1].pos_ in {"VERB", "AUX"})
            ):
                break
            last = i
            i += 1
        while (
            last is not None
            and last >= first
            and (doc[last].lower_ in _ROLE_PREPOSITIONS | _DETERMINERS | {"and", "&"} or doc[last].is_punct)
        ):
            last -= 1
        if last is None or last < first:
            return None
        return last


#: Entity types that are never part of a title ("on Wednesday Prime Minister X").
_NOT_ROLE_ENTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})


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
