"""Reported speech from the parse: a cue word and the content it reports.

Each verb, noun or adjective tries the constructions it stands in (a complement clause, a to-clause, an
object, a prepositional object; see lexicon.CueTable), the likeliest first; the first one the learned
cue table keeps is its reading, and what hangs on it is the content: the complement clause with its
leading "that", less clauses that report speech of their own and trailing adjuncts of the writer's. In
the passive the source is the agent or no one; seem and appear with a to-clause have no source; a
speech verb set off by commas reports the clause around it; "according to X, ..." attributes its whole
clause to X. Negated speech ("did not indicate", "declined to say") is none. Each candidate is
reconciled with the quotation marks as it is found (onrecord.quotes.filtering.reconcile_with_marks).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from onrecord.lexicon import Lexicon, family_of
from onrecord.nlp.parsed import ParsedParagraph, children, subtree
from onrecord.quotes.attribution import subject_of
from onrecord.quotes.candidates import Candidate, OffsetSpan, is_cue, object_predicates
from onrecord.quotes.classes import classify
from onrecord.quotes.filtering import reconcile_with_marks
from onrecord.quotes.marks import MarkedSpan, lookup

#: Longest attribution set off by commas ("his top aide, Tad Devine, told The Huffington Post"), in
#: tokens; longer ones are clauses of their own.
MAX_PARENTHETICAL_TOKENS = 14
#: Trailing adjuncts cut from a reported clause (see _content); measured on PolNeAR train.
TRAILING_ADJUNCT_DEPS = frozenset({"advcl", "prep", "npadvmod", "conj"})
TRAILING_ADJUNCT_WORDS = frozenset(
    {"despite", "while", "although", "though", "even", "plus", "including", "after", "before", "since", "as"}
)
#: "declined to say whether ...": a refusal to speak is no quotation, and what would have been said is no
#: content (PolNeAR annotates "declined to comment" as an attribution; a record of who said what does not).
REFUSAL_VERBS = frozenset({"decline", "refuse", "fail"})
#: Verbs whose subject belongs to the content when they take a to-clause ("Trump appears to ...").
RAISING_VERBS = frozenset({"seem", "appear"})
#: Parts of speech that may be cues: verbs ("said"), nouns ("his claim that"), adjectives ("critical of").
_CUE_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ"})
_NEGATORS = frozenset({"not", "n't", "never", "neither", "nor"})


def reported_candidates(
    body: list[ParsedParagraph],
    marks: list[MarkedSpan],
    direct: list[Candidate | None],
    lexicon: Lexicon,
    explore: bool,
    *,
    whole_clause: bool = False,
) -> list[Candidate]:
    """The reported-speech candidates of the body, each reconciled with the marks as it is found
    (which may give a quotation in ``direct`` its cue instead). A word already the cue of a direct
    quotation is skipped. ``whole_clause`` keeps a trailing adjunct in the content (the speakers-dev
    guidelines: the reported clause); PolNeAR's annotators leave it out."""
    used_cues = {(c.cue[0].index, c.cue[1].i) for c in direct if c is not None and c.cue is not None}
    found: list[Candidate] = []
    for para in body:
        for token in para.doc:
            if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
                cand = _according_to(para, token)
                if cand is not None:
                    found.append(cand)
                continue
            if (para.index, token.i) in used_cues or token.pos_ not in _CUE_POS or _negated(token):
                continue
            for complement, rule, confidence, key in _readings(token, lexicon, explore):
                cand = _reported(para, token, complement, rule, lexicon, marks, whole_clause)
                if cand is None:
                    continue
                cand.confidence, cand.key = confidence, key
                if not reconcile_with_marks(cand, marks, direct, para):
                    continue
                found.append(cand)
    return found


def _readings(
    word: Token, lexicon: Lexicon, explore: bool
) -> list[tuple[Token | None, str, float | None, str | None]]:
    """(complement, rule, confidence, cue-table key) for each reading of ``word`` to try: the one the
    cue table keeps, or none (then a speech verb may still be a parenthetical cue). ``explore`` tries
    every construction, kept or not: tools/train_cues.py counts them."""
    lemma = word.lemma_.lower()
    if explore:
        return [
            (c.complement, _rule_of(lemma, c.name, lexicon), None, f"{lemma}|{c.name}|{int(c.listed)}")
            for c in _constructions(word, lexicon)
        ] + [(None, "", None, None)]
    complement, rule, confidence, key = _complement(word, lexicon)
    return [(complement, rule, confidence, key)]


def _reported(
    para: ParsedParagraph,
    token: Token,
    complement: Token | None,
    rule: str,
    lexicon: Lexicon,
    marks: list[MarkedSpan],
    whole_clause: bool = False,
) -> Candidate | None:
    """The reported-speech candidate of one reading of a cue word, or None when it makes none."""
    subject: Token | None = None
    if token.pos_ not in {"VERB", "AUX"}:
        if complement is None:
            return None
        subject = _holder(token)
        if subject is None or subject.lower_ in {"it", "there"}:
            return None
        pieces = _content(para, complement, lexicon, marks, whole_clause)
    else:
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children) or _reduced_passive(token)
        if complement is None:
            pieces = None if passive else _parenthetical(para, token, lexicon)
            rule = "indirect.parenthetical"
        elif passive:
            pieces, subject = _passive(para, token, complement, lexicon, marks, whole_clause)
            rule = "indirect.passive" if subject is None else rule
        elif complement.dep_ == "xcomp" and token.lemma_.lower() in RAISING_VERBS:
            # "Trump appears to be ignorant of ...": PolNeAR reads the subject as part of what appears,
            # and the attribution as having no source (it is the writer's impression).
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            if subject is None or subject.pos_ == "PRON":
                return None
            pieces = _runs(para, [*subtree(subject), *subtree(complement)]) or None
            rule, subject = "indirect.raising", None
            passive = True  # no source to look for
        else:
            pieces = _content(para, complement, lexicon, marks, whole_clause)
            if pieces is not None and whole_clause:
                pieces += _continued_after_cue(para, token, complement)
        if not passive:
            subject = subject_of(token, lexicon.person_nouns)
            if subject is None or subject.lower_ == "there":
                return None
            if subject.lower_ == "it" and not _organisation_it(para, token, subject, lexicon):
                return None
    if pieces is None:
        return None
    cand = Candidate("indirect", pieces, rule, para.index)
    cand.cue = (para, token)
    cand.subject = (para, subject) if subject is not None else None
    cand.complement = complement
    cand.cue_class = classify(rule, token, complement)
    return cand


#: Subordinators that carry the reported clause on past a cue set between its parts.
_CONTINUING_MARKS = frozenset({"because", "but", "as", "since", "so", "although", "though", "while"})


def _continued_after_cue(para: ParsedParagraph, verb: Token, clause: Token) -> list[OffsetSpan]:
    """'Incidents like this happen, said Mr Thiemann, because when banks ...': the cue stands inside
    the reported clause, whose rest, after the speaker and a comma, is a second piece (the speakers-dev
    guidelines: a clause split by the cue has two spans)."""
    if clause.i > verb.i:
        return []
    for child in verb.rights:
        if child.dep_ not in {"advcl", "conj"} or child.i <= verb.i:
            continue
        first = child.left_edge
        if first.i == 0 or para.doc[first.i - 1].text != ",":
            continue
        if first.lower_ in _CONTINUING_MARKS:
            return _runs(para, subtree(child))
    return []


def _reduced_passive(verb: Token) -> bool:
    """'Asked whether he would run, Johnson demurred': a participle clause in the passive. Johnson was
    asked; whoever asked is not named, so the attribution has no source."""
    return (
        verb.tag_ == "VBN"
        and verb.dep_ == "advcl"
        and not any(c.dep_ in {"nsubj", "nsubjpass", "mark"} for c in verb.children)
    )


def _holder(word: Token) -> Token | None:
    """Whose claim, plan or criticism a noun is, or who is critical or confident: the possessor ("his
    claim", "Trump's plan"), the subject of the verb that has the noun as its object ("voiced concern
    about"), or the subject of the adjective's copula ("Sanders is critical of ...")."""
    if word.pos_ == "NOUN":
        possessor = next((c for c in word.children if c.dep_ == "poss"), None)
        if possessor is not None:
            return possessor
        if word.dep_ == "dobj" and word.head.pos_ in {"VERB", "AUX"}:
            return subject_of(word.head)
        return None
    return subject_of(word.head) if word.dep_ == "acomp" else None


@dataclass(frozen=True)
class Construction:
    """One way a word may report something: the construction's name (see lexicon.CueTable), the token
    that heads the reported content, and whether the word lists name the word for it."""

    name: str
    complement: Token
    listed: bool


def _constructions(word: Token, lexicon: Lexicon) -> list[Construction]:
    """Every construction by which ``word`` could report something, the likeliest reading first.

    Structure only: whether the word reports anything in it is the cue table's call (see _complement).
    """
    if word.dep_ in {"amod", "aux", "auxpass"}:
        return []
    lemma = word.lemma_.lower()
    children = list(word.children)
    found: list[Construction] = []
    if word.pos_ in {"VERB", "AUX"}:
        # Of several complement clauses the parser may find, the widest is the reported one.
        clauses = [c for c in children if c.dep_ == "ccomp"]
        if not clauses:
            # "asked the students if they were always so serious": the parser takes an if/whether/that
            # clause after a cue verb for an adverbial one.
            clauses = [c for c in children if c.dep_ == "advcl" and c.i > word.i and _marked_clause(c)]
        if clauses:
            clause = max(clauses, key=lambda c: c.right_edge.i - c.left_edge.i)
            found.append(Construction("V.ccomp", clause, lemma in lexicon.cue_verbs))
        xcomp = next((c for c in children if c.dep_ == "xcomp"), None)
        if xcomp is not None and lemma not in REFUSAL_VERBS:
            found.append(Construction("V.xcomp", xcomp, lemma in lexicon.xcomp_verbs))
        obj = next((c for c in children if c.dep_ == "dobj"), None)
        if obj is not None and (obj.pos_ != "PRON" or object_predicates(obj)):
            # A pronoun alone is no content ("criticized it"); with what is said of it, it is: "calling
            # it "meritless"", "called him a kind, loving person".
            found.append(Construction("V.dobj", obj, lemma in lexicon.object_verbs))
        if not (word.tag_ == "VBG" and word.dep_ in {"advcl", "acl", "pcomp"}):
            # "Commenting on their conversation, ..." describes the speaker, reports nothing.
            listed_preps = lexicon.prep_verbs.get(lemma, frozenset())
            found.extend(
                Construction(f"V.prep.{prep.lower_}", obj, prep.lower_ in listed_preps)
                for prep, obj in _prepositional_objects(children)
            )
        return found
    if word.pos_ == "NOUN" or (word.pos_ == "ADJ" and word.dep_ == "acomp"):
        cls = "N" if word.pos_ == "NOUN" else "A"
        for child in children:
            if child.dep_ in {"acl", "ccomp", "xcomp"} and child.pos_ in {"VERB", "AUX"} and child.i > word.i:
                if _marked_clause(child):
                    found.append(Construction(f"{cls}.ccomp", child, False))  # "his claim that ..."
                elif any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children):
                    found.append(Construction(f"{cls}.{'to' if cls == 'N' else 'xcomp'}", child, False))
        found.extend(
            Construction(f"{cls}.prep.{prep.lower_}", obj, False)
            for prep, obj in _prepositional_objects(children)
        )
    return found


def _marked_clause(clause: Token) -> bool:
    return any(m.dep_ == "mark" and m.lower_ in {"if", "whether", "that"} for m in clause.children)


def _prepositional_objects(children: list[Token]) -> list[tuple[Token, Token]]:
    found = []
    for child in children:
        if child.dep_ == "prep":
            obj = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
            if obj is not None and obj.pos_ != "PRON":
                found.append((child, obj))
    return found


#: The rule each construction family's candidates are recorded under.
_FAMILY_RULES = {
    "V.xcomp": "indirect.intention",
    "V.dobj": "indirect.object",
    "V.prep": "indirect.object",
    "N": "indirect.noun",
    "A": "indirect.adjective",
}


def _complement(word: Token, lexicon: Lexicon) -> tuple[Token | None, str, float | None, str | None]:
    """What a cue word reports, the rule that says so, and the cue table's estimate of its precision.

    The first construction (see _constructions) that the learned cue table keeps: a complement clause of
    a speech or attitude verb ("said (that) ..."), a verb's to-clause, object or prepositional object as
    PolNeAR annotates them ("vowed to fight on", "criticized Clinton's plan", "called for a ban"), a
    noun's or adjective's clause or prepositional object ("his claim that ...", "critical of ...").
    """
    lemma = word.lemma_.lower()
    table = lexicon.cue_table
    for option in _constructions(word, lexicon):
        confidence = table.precision(lemma, option.name, option.listed)
        if confidence >= table.threshold:
            key = f"{lemma}|{option.name}|{int(option.listed)}"
            return option.complement, _rule_of(lemma, option.name, lexicon), confidence, key
    return None, "", None, None


def _rule_of(lemma: str, construction: str, lexicon: Lexicon) -> str:
    if construction == "V.ccomp":
        return "indirect.speech" if lemma in lexicon.speech_verbs else "indirect.attitude"
    return _FAMILY_RULES.get(family_of(construction)) or _FAMILY_RULES[construction[0]]


def _passive(
    para: ParsedParagraph,
    verb: Token,
    complement: Token,
    lexicon: Lexicon,
    marks: list[MarkedSpan],
    whole_clause: bool = False,
) -> tuple[list[OffsetSpan] | None, Token | None]:
    """'Trump is expected to win Indiana' / 'It was reported that ...': in the passive, the source is
    the agent ("by X") when there is one, and the subject belongs to what is reported."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    source = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if complement.dep_ == "ccomp":
        return _content(para, complement, lexicon, marks, whole_clause), source
    if complement.dep_ != "xcomp":
        return None, source  # "the team had been denied visas": an object in the passive reports nothing
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    if subject is None or subject.pos_ == "PRON":
        return None, source
    tokens = [*subtree(subject), *subtree(complement)]
    pieces = _runs(para, tokens)
    return (pieces or None), source


def _parenthetical(para: ParsedParagraph, verb: Token, lexicon: Lexicon) -> list[OffsetSpan] | None:
    """'The solution, the partner told them, was simple.' / '..., his top aide, Tad Devine, told The
    Huffington Post.': a speech verb set off by commas reports the clause it hangs on. The parser
    attaches it as parataxis, or as a conjunct or adverbial clause of that clause's verb."""
    if verb.lemma_.lower() not in lexicon.speech_verbs or verb.dep_ not in {"parataxis", "conj", "advcl"}:
        return None
    head = verb.head
    if head.pos_ not in {"VERB", "AUX"} or not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children):
        return None
    lo, hi = verb.left_edge.i, verb.right_edge.i
    doc = para.doc
    core = lo
    while core < verb.i and doc[core].is_punct:
        core += 1
    if core == 0 or not doc[core - 1].is_punct or any(c.dep_ == "cc" for c in verb.children):
        return None  # no comma before it: "... and said", a clause of its own
    if any(t.dep_ == "cc" and t.i == lo - 1 for t in head.children):
        return None
    if hi - lo > MAX_PARENTHETICAL_TOKENS:
        return None
    tokens = [t for t in subtree(head) if not (lo <= t.i <= hi)]
    pieces = _runs(para, tokens)
    if sum(1 for t in tokens if not t.is_punct) < 3 or not pieces:
        return None
    return pieces


def _according_to(para: ParsedParagraph, according: Token) -> Candidate | None:
    """'According to X, ...': the clause it modifies is X's."""
    to = next(c for c in according.children if c.lower_ == "to")
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    clause = according.head
    if source is None or clause is according or clause.pos_ not in {"VERB", "AUX"}:
        return None
    lo, hi = according.left_edge.i, according.right_edge.i
    tokens = [t for t in subtree(clause) if not (lo <= t.i <= hi)]
    pieces = _runs(para, [t for t in tokens if not (t.is_punct and (t.i == lo - 1 or t.i == hi + 1))])
    if not pieces:
        return None
    cand = Candidate("indirect", pieces, "indirect.according_to", para.index)
    cand.cue = (para, according)
    cand.cue_text = para.doc[according.i : to.i + 1].text
    cand.cue_span = para.char_span(according.i, to.i + 1)
    cand.subject = (para, source)
    return cand


def _content(
    para: ParsedParagraph,
    complement: Token,
    lexicon: Lexicon,
    marks: list[MarkedSpan],
    whole_clause: bool = False,
) -> list[OffsetSpan] | None:
    """The complement clause, its leading "that" included, without clauses that report speech of
    their own: in "the base agreement will be preserved, although she has said there are some
    outstanding questions" (seed article) the "although she has said ..." clause is a second quotation."""
    excluded: set[int] = set()
    for token in subtree(complement):
        if (
            token is not complement
            and token.dep_ in {"advcl", "conj", "parataxis"}
            and is_cue(token, lexicon, speech_only=False)
            and any(c.dep_ == "ccomp" for c in token.children)
        ):
            excluded.update(t.i for t in subtree(token))
            # and the conjunction or subordinator that joins it ("although", "but", ",")
            left = token.left_edge.i - 1
            while left >= complement.left_edge.i and (
                para.doc[left].is_punct or para.doc[left].dep_ in {"cc", "mark"}
            ):
                excluded.add(left)
                left -= 1
    # A trailing adjunct set off by a comma ("..., despite some recent suggestions ...", "..., while
    # the fugitives were beyond reach") is the writer's addition more often than the speaker's words:
    # PolNeAR train's annotators leave it out (error analysis of missed "said" items); the speakers-dev
    # guidelines keep the whole reported clause (``whole_clause``).
    for child in () if whole_clause else complement.rights:
        first = child.left_edge
        if (
            child.dep_ in TRAILING_ADJUNCT_DEPS
            and first.i > 0
            and para.doc[first.i - 1].text in {",", "-", "–", "—", ";"}
            and (
                first.lower_ in TRAILING_ADJUNCT_WORDS
                or child.dep_ == "npadvmod"
                or (child.dep_ == "advcl" and child.tag_ == "VBG")  # ", calling them ..."
            )
            and not _inside_quote_marks(para, first, marks)
        ):
            excluded.update(t.i for t in subtree(child))
            excluded.add(first.i - 1)
    # The parser sometimes splits one reported clause into two complements ("said [the Iranians
    # released by the United States] [were in some cases close to ...]"): take them together.
    parts = [c for c in complement.head.children if c.dep_ == "ccomp"] if complement.dep_ == "ccomp" else []
    if complement.dep_ == "dobj":
        # "called Pfizer unpatriotic", "described the plan as a disaster": what follows the object is
        # part of what was said about it.
        parts = [complement, *object_predicates(complement)]
    spanned = sorted(
        {t.i: t for part in (parts or [complement]) for t in subtree(part)}.values(), key=lambda t: t.i
    )
    tokens = [t for t in spanned if t.i not in excluded]
    while tokens and tokens[0].is_punct:
        tokens.pop(0)
    pieces = _runs(para, tokens)
    if sum(1 for t in tokens if not t.is_punct) < 2 or not pieces:
        return None
    return pieces


def _inside_quote_marks(para: ParsedParagraph, token: Token, marks: list[MarkedSpan]) -> bool:
    """Is the token between quotation marks (a quoted part stays whole)? Asks the marks pass, which
    knows every convention (curly, straight, '' and ``, quotations over paragraphs)."""
    start, end = para.token_offsets(token)
    return lookup(marks).within(start, end)


def _runs(para: ParsedParagraph, tokens: list[Token]) -> list[OffsetSpan]:
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and tokens[0].is_punct:
        tokens.pop(0)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    runs: list[OffsetSpan] = []
    run_start = prev = None
    for token in tokens:
        if run_start is None:
            run_start = prev = token.i
        elif token.i == prev + 1:  # type: ignore[operator]
            prev = token.i
        else:
            runs.append(para.char_span(run_start, prev + 1))  # type: ignore[operator]
            run_start = prev = token.i
    if run_start is not None:
        runs.append(para.char_span(run_start, prev + 1))  # type: ignore[operator]
    return runs


def _negated(verb: Token) -> bool:
    """'did not indicate', 'never said', 'declined to say', 'refused to confirm'. (The children from
    the doc's head array: ``verb.children`` walks the span of the verb's subtree, issue #16.)"""
    if any(c.dep_ == "neg" or c.lower_ in _NEGATORS for c in children(verb)):
        return True
    head = verb.head
    return verb.dep_ == "xcomp" and head.lemma_.lower() in REFUSAL_VERBS


def _organisation_it(para: ParsedParagraph, verb: Token, subject: Token, lexicon: Lexicon) -> bool:
    """Is "it" the subject of a speech verb standing for an organisation named earlier in the
    paragraph ("Acme said on Monday ... It said it would ...")? "It seems that ..." is nobody's."""
    if verb.lemma_.lower() not in lexicon.speech_verbs:
        return False
    return any(t.ent_type_ in {"ORG", "GPE", "NORP"} for t in para.doc[: subject.i])
