"""Quotations of one article: direct, indirect and mixed, each with its cue and speaker.

Two sources of candidates, then one pass that reconciles them (rules are named, see RULES):
- quotation marks (onrecord.quotes.marks): a quoted stretch is a direct quotation when a speech verb
  stands next to it ("..., Bakiyev said." / "Bakiyev said: "...""), or when its paragraph is nothing but
  the quotation and the paragraph before held a quotation (the speaker continues);
- the parse: a cue verb (say, tell, admit, ...) with a clausal complement is reported speech; its
  complement is the content. When that content holds a quoted fragment, the quotation is mixed
  ("said he had been "under pressure" and ..."); when it is (almost) all one quoted stretch, the verb is
  simply that direct quotation's cue. "according to X, ..." attributes its whole clause to X.
Not quotations: negated or absent speech ("did not indicate"), short quoted stretches with no cue (scare
quotes, titles), anything in a heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from onrecord.entities.people import EntityIndex
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.marks import MarkedSpan, find_marked_spans
from onrecord.quotes.speakers import ResolvedSpeaker, SpeakerResolver

OffsetSpan = tuple[int, int]

#: Confidence of each rule = its measured precision: the share of its top-level predictions on
#: PolNeAR train (840 articles) whose content matches an annotated attribution at overlap F1 >= 0.5
#: (`python tools/rule_precision.py ../shared/data/polnear/train`, 2026-11-28; rerun after changing a
#: rule). Counted against one annotator, who did not mark every quotation: these are lower bounds.
#: The number of predictions behind each value is in the comment; mixed.passive (2) takes
#: indirect.passive's value.
RULES: dict[str, float] = {
    "direct.cue_after": 0.97,  # 3,129
    "direct.cue_before": 0.88,  # 922
    "direct.implied": 0.48,  # 64: a quotation paragraph with no cue after a quotation paragraph
    "direct.nearby": 0.52,  # 506: a quotation with no cue near an attributed one
    "direct.unattributed": 0.65,  # 324: speaker unknown
    "indirect.speech": 0.88,  # 3,566
    "indirect.according_to": 0.85,  # 409
    "indirect.parenthetical": 0.83,  # 198: "..., she said, ..."
    "indirect.attitude": 0.65,  # 996: believe, think, hope ...
    # What a person wants or stands for, not words they said: "vowed to fight on" (intention),
    # "criticized Clinton's plan" (object). PolNeAR counts them as attributions.
    "indirect.intention": 0.58,  # 652
    "indirect.object": 0.57,  # 2,320
    "indirect.passive": 0.77,  # 88: "X is expected to win"; no source in the text
    "mixed.speech": 0.91,  # 520
    "mixed.attitude": 0.66,  # 32
    "mixed.intention": 0.65,  # 20
    "mixed.object": 0.77,  # 106
    "mixed.parenthetical": 0.75,  # 24
    "mixed.passive": 0.77,  # 2
}
#: A quoted stretch with no cue is kept (speaker unknown) only from this many words up: shorter ones
#: are scare quotes or titles ("the so-called "reset"").
MIN_WORDS_UNATTRIBUTED = 6
#: How many paragraphs back a quotation with no cue looks for a speaker to go on with.
UNATTRIBUTED_LOOKBACK = 1
#: How far from a quotation mark a cue may stand, in tokens (", the Russian prime minister said").
CUE_WINDOW_AFTER = 14
CUE_WINDOW_BEFORE = 25
#: Longest attribution set off by commas ("his top aide, Tad Devine, told The Huffington Post"), in
#: tokens; longer ones are clauses of their own.
MAX_PARENTHETICAL_TOKENS = 14
#: Trailing adjuncts cut from a reported clause (see _content); measured on PolNeAR train.
TRAILING_ADJUNCT_DEPS = frozenset({"advcl", "prep", "npadvmod", "conj"})
TRAILING_ADJUNCT_WORDS = frozenset(
    {"despite", "while", "although", "though", "even", "plus", "including", "after", "before", "since", "as"}
)
#: A complement that is this share quoted is the quotation itself, not a mixed one.
DIRECT_SHARE = 0.7
_SENTENCE_END = frozenset({".", "!", "?"})
_NEGATORS = frozenset({"not", "n't", "never", "neither", "nor"})


@dataclass
class Candidate:
    kind: str
    pieces: list[OffsetSpan]
    rule: str
    paragraph: int
    cue: tuple[ParsedParagraph, Token] | None = None
    cue_text: str | None = None
    cue_span: OffsetSpan | None = None
    subject: tuple[ParsedParagraph, Token] | None = None
    marks: list[int] = field(default_factory=list)  # indexes of the marked spans it came from
    parent: int | None = None  # index (into the final list) of the enclosing quotation
    speaker: ResolvedSpeaker | None = None
    consumed_marks: set[int] = field(default_factory=set)

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def extract_candidates(article: ParsedArticle, index: EntityIndex, lexicon: Lexicon) -> list[Candidate]:
    body = list(article.body())
    marks = find_marked_spans(article.text, [(p.offset, p.offset + len(p.doc.text)) for p in body])
    direct = _direct_candidates(article, body, marks, lexicon)
    reported = _reported_candidates(body, marks, direct, lexicon)
    consumed = _consumed(reported)
    unique = {id(c): c for c in direct if c is not None and not consumed & set(c.marks)}
    candidates = list(unique.values()) + reported
    candidates.sort(key=lambda c: (c.start, -c.end))
    _nest(candidates, marks)
    resolver = SpeakerResolver(article, index, lexicon)
    previous: Candidate | None = None
    for cand in candidates:
        _resolve(cand, candidates, resolver, previous)
        if cand.parent is None:
            previous = cand
    return candidates


# -- direct quotations --------------------------------------------------------------------------------
def _direct_candidates(
    article: ParsedArticle, body: list[ParsedParagraph], marks: list[MarkedSpan], lexicon: Lexicon
) -> list[Candidate | None]:
    found: list[Candidate | None] = []
    last_para_with_quote = -10
    for i, mark in enumerate(marks):
        first = _paragraph_of(body, mark.start)
        last = _paragraph_of(body, mark.end)
        if first is None or last is None:
            found.append(None)
            continue
        cue = _cue_after(last, mark, marks, lexicon)
        rule = "direct.cue_after"
        if cue is None:
            cue = _cue_before(first, mark, marks, lexicon)
            rule = "direct.cue_before"
        cand = Candidate("direct", list(mark.pieces), rule, first.index, marks=[i])
        previous = _previous_in_paragraph(found, first, mark)
        if (
            cue is not None
            and previous is not None
            and previous.cue is not None
            and previous.cue[1] == cue[1]
        ):
            cue = None  # '"The plan," Jane Smith said, "is dead."': one quotation in two pieces
        if cue is not None:
            cand.cue = (cue[0], cue[1])
        elif mark.level == 0 and _only_quotes(first, marks) and last_para_with_quote >= first.index - 1:
            cand.rule = "direct.implied"
        elif mark.level == 0 and previous is not None and previous.cue is not None:
            # '"A," he said. "B."': B goes on with A's words; PolNeAR annotates them as one content.
            previous.pieces.extend(mark.pieces)
            previous.marks.append(i)
            found.append(previous)
            continue
        elif _word_count(article.text, mark) >= MIN_WORDS_UNATTRIBUTED and _has_verb(first, mark):
            cand.rule = "direct.unattributed"
        else:
            found.append(None)  # a scare quote, a title, a fragment
            continue
        found.append(cand)
        if mark.level == 0:
            last_para_with_quote = last.index
    return found


def _cue_after(
    para: ParsedParagraph, mark: MarkedSpan, marks: list[MarkedSpan], lexicon: Lexicon
) -> tuple[ParsedParagraph, Token] | None:
    """A speech verb right after the closing mark: '..." Bakiyev said.' / '..." said the minister.'"""
    if para.doc.text[: mark.end - para.offset].rstrip(" '\"’”").endswith("."):
        # '"... his colleagues." At the same time, the person added, "..."': a quotation that ends
        # its sentence with a full stop is attributed before it or not at all, never by what follows.
        return None
    end = mark.end + 1
    limit = _parent_end(mark, marks)
    seen = 0
    for token in para.doc:
        start = para.offset + token.idx
        if start < end:
            continue
        if start >= limit or _opens_other(start, mark, marks):
            break
        if (token.text in _SENTENCE_END and seen) or seen >= CUE_WINDOW_AFTER:
            break
        seen += 1
        if _is_cue(token, lexicon, speech_only=True) and _attributes(para, token, mark, marks):
            return para, token
    return None


def _cue_before(
    para: ParsedParagraph, mark: MarkedSpan, marks: list[MarkedSpan], lexicon: Lexicon
) -> tuple[ParsedParagraph, Token] | None:
    """A speech verb before the opening mark, in the same sentence: 'Bakiyev said: "..."'."""
    limit = _parent_start(mark, marks)
    tokens = [
        t
        for t in para.doc
        if limit <= para.offset + t.idx and para.offset + t.idx + len(t.text) <= mark.start - 1
    ]
    for seen, token in enumerate(reversed(tokens[-CUE_WINDOW_BEFORE:])):
        offset = para.offset + token.idx
        if seen and (
            token.text in _SENTENCE_END
            or any(m.end < offset + 1 <= m.end + 1 for m in marks if m is not mark)
        ):
            break
        if any(m.contains(offset, offset + len(token.text)) for m in marks if m.level == mark.level):
            break
        if _is_cue(token, lexicon, speech_only=True) and _attributes(para, token, mark, marks):
            return para, token
    return None


def _attributes(para: ParsedParagraph, verb: Token, mark: MarkedSpan, marks: list[MarkedSpan]) -> bool:
    """Is the verb the cue of this quotation, or does it report something else?

    When the verb has a complement clause, the quotation must be most of it: in 'said he had been
    "under pressure" and ...' the quoted fragment is a small part of what was said (a mixed quotation,
    found from the parse). Without a complement the verb must stand close to the marks.
    """
    complements = [c for c in verb.children if c.dep_ in {"ccomp", "parataxis"}]
    if not complements and verb.dep_ in {"parataxis", "conj", "advcl"} and verb.head.pos_ in {"VERB", "AUX"}:
        # "the two nations, Xi said, now have a "golden opportunity" to ...": a parenthetical cue
        # reports its head clause, and the quoted fragment must be most of that clause.
        head = verb.head
        lo, hi = verb.left_edge.i, verb.right_edge.i
        clause = [t for t in head.subtree if not (lo <= t.i <= hi) and not t.is_punct]
        quoted = [m for m in marks if m.level == mark.level]  # '"The plan," she said, "is dead."'
        inside = sum(
            1
            for t in clause
            if any(m.contains(para.offset + t.idx, para.offset + t.idx + len(t.text)) for m in quoted)
        )
        return inside / max(1, len(clause)) >= DIRECT_SHARE
    if not complements:
        pos = para.offset + verb.idx
        gap = mark.start - pos if pos < mark.start else pos - mark.end
        return gap <= 40
    for child in complements:
        start, end = para.char_span(child.left_edge.i, child.right_edge.i + 1)
        inside = sum(max(0, min(e, end) - max(s, start)) for s, e in mark.pieces)
        if inside / max(1, end - start) >= DIRECT_SHARE:
            return True
    return False


def _parent_start(mark: MarkedSpan, marks: list[MarkedSpan]) -> int:
    return marks[mark.parent].start if mark.parent is not None else 0


def _parent_end(mark: MarkedSpan, marks: list[MarkedSpan]) -> int:
    return marks[mark.parent].end if mark.parent is not None else 1 << 62


def _opens_other(offset: int, mark: MarkedSpan, marks: list[MarkedSpan]) -> bool:
    return any(m is not mark and m.level == mark.level and m.start - 1 <= offset < m.end for m in marks)


def _only_quotes(para: ParsedParagraph, marks: list[MarkedSpan]) -> bool:
    """Nothing but quotation (and punctuation) in the paragraph: the speaker is implied."""
    for token in para.doc:
        if token.is_punct or token.is_space:
            continue
        offset = para.offset + token.idx
        if not any(m.level == 0 and m.contains(offset, offset + len(token.text)) for m in marks):
            return False
    return True


def _previous_in_paragraph(
    found: list[Candidate | None], para: ParsedParagraph, mark: MarkedSpan
) -> Candidate | None:
    """The last quotation before this one, if it is in the same paragraph and at the same level."""
    for cand in reversed(found):
        if cand is None:
            continue
        if cand.paragraph == para.index and cand.end < mark.start and mark.level == 0:
            return cand
        return None
    return None


def _word_count(text: str, mark: MarkedSpan) -> int:
    return sum(len(text[s:e].split()) for s, e in mark.pieces)


def _has_verb(para: ParsedParagraph, mark: MarkedSpan) -> bool:
    return any(
        t.pos_ in {"VERB", "AUX"} and mark.contains(para.offset + t.idx, para.offset + t.idx + len(t.text))
        for t in para.doc
    )


# -- reported speech ----------------------------------------------------------------------------------
def _reported_candidates(
    body: list[ParsedParagraph], marks: list[MarkedSpan], direct: list[Candidate | None], lexicon: Lexicon
) -> list[Candidate]:
    used_cues = {(c.cue[0].index, c.cue[1].i) for c in direct if c is not None and c.cue is not None}
    found: list[Candidate] = []
    for para in body:
        for token in para.doc:
            if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
                cand = _according_to(para, token)
                if cand is not None:
                    found.append(cand)
                continue
            if (para.index, token.i) in used_cues or token.pos_ not in {"VERB", "AUX"}:
                continue
            complement, rule = _complement(token, lexicon)
            if _negated(token):
                continue
            passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)
            if complement is None:
                pieces = None if passive else _parenthetical(para, token, lexicon)
                rule = "indirect.parenthetical"
            elif passive:
                pieces, subject = _passive(para, token, complement, lexicon)
                rule = "indirect.passive" if subject is None else rule
            else:
                pieces = _content(para, complement, lexicon)
            if not passive:
                subject = _subject_of(token)
                if subject is None or subject.lower_ in {"it", "there"}:
                    continue
            if pieces is None:
                continue
            cand = Candidate("indirect", pieces, rule, para.index)
            cand.cue = (para, token)
            cand.subject = (para, subject) if subject is not None else None
            if not _reconcile_with_marks(cand, marks, direct, para):
                continue
            found.append(cand)
    return found


def _complement(verb: Token, lexicon: Lexicon) -> tuple[Token | None, str]:
    """What a cue verb reports, and the rule that says so.

    A complement clause for speech and attitude verbs ("said (that) ..."); for the verbs of
    lexicon.object_verbs / xcomp_verbs / prep_verbs, their object, to-clause or prepositional object,
    as PolNeAR annotates them ("criticized Clinton's plan", "vowed to fight on", "called for a ban").
    """
    if verb.dep_ in {"amod", "aux", "auxpass"}:
        return None, ""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    if lemma in lexicon.cue_verbs:
        # Of several complement clauses the parser may find, the widest is the reported one.
        clauses = [c for c in children if c.dep_ == "ccomp"]
        if not clauses:
            # "asked the students if they were always so serious": the parser takes an if/whether/that
            # clause after a cue verb for an adverbial one.
            clauses = [
                c
                for c in children
                if c.dep_ == "advcl"
                and c.i > verb.i
                and any(m.dep_ == "mark" and m.lower_ in {"if", "whether", "that"} for m in c.children)
            ]
        clause = max(clauses, key=lambda c: c.right_edge.i - c.left_edge.i) if clauses else None
        if clause is not None:
            return clause, "indirect.speech" if lemma in lexicon.speech_verbs else "indirect.attitude"
    if lemma in lexicon.xcomp_verbs:
        clause = next((c for c in children if c.dep_ == "xcomp"), None)
        if clause is not None:
            return clause, "indirect.intention"
    if lemma in lexicon.object_verbs:
        obj = next((c for c in children if c.dep_ == "dobj"), None)
        if obj is not None and obj.pos_ != "PRON":
            return obj, "indirect.object"
    preps = lexicon.prep_verbs.get(lemma)
    if verb.tag_ == "VBG" and verb.dep_ in {"advcl", "acl", "pcomp"}:
        preps = None  # "Commenting on their conversation, ..." describes the speaker, reports nothing
    if preps:
        for child in children:
            if child.dep_ == "prep" and child.lower_ in preps:
                obj = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if obj is not None and obj.pos_ != "PRON":
                    return obj, "indirect.object"
    return None, ""


def _passive(
    para: ParsedParagraph, verb: Token, complement: Token, lexicon: Lexicon
) -> tuple[list[OffsetSpan] | None, Token | None]:
    """'Trump is expected to win Indiana' / 'It was reported that ...': in the passive, the source is
    the agent ("by X") when there is one, and the subject belongs to what is reported."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    source = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if complement.dep_ == "ccomp":
        return _content(para, complement, lexicon), source
    if complement.dep_ != "xcomp":
        return None, source  # "the team had been denied visas": an object in the passive reports nothing
    subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    if subject is None or subject.pos_ == "PRON":
        return None, source
    tokens = [*subject.subtree, *complement.subtree]
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
    tokens = [t for t in head.subtree if not (lo <= t.i <= hi)]
    pieces = _runs(para, tokens)
    if sum(1 for t in tokens if not t.is_punct) < 3 or not pieces:
        return None
    return pieces


def _reconcile_with_marks(
    cand: Candidate, marks: list[MarkedSpan], direct: list[Candidate | None], para: ParsedParagraph
) -> bool:
    """Decide what a reported-speech candidate is, given the quotation marks around it.

    Returns False when the candidate is not a quotation of its own (its cue attributes a direct one).
    """
    assert cand.cue is not None
    start, end = cand.start, cand.end
    length = max(1, end - start)
    cue_offset = para.offset + cand.cue[1].idx
    for i, mark in enumerate(marks):
        if mark.level != 0:
            continue
        if mark.contains(cue_offset, cue_offset + 1):
            continue  # a cue inside a quotation: nested, handled by _nest
        covered = sum(max(0, min(e, end) - max(s, start)) for s, e in mark.pieces)
        if covered == 0:
            continue
        if covered / length >= DIRECT_SHARE:
            target = direct[i]
            if target is not None and target.marks[0] != i:
                # Joined to the quotation before it only because it came next ('"A," he said. "B."'),
                # but the parse gives it a cue of its own ('He added that ... "B."'): split it off.
                target.marks.remove(i)
                target.pieces = [p for p in target.pieces if p not in mark.pieces]
                target = direct[i] = Candidate(
                    "direct", list(mark.pieces), "direct.cue_before", para.index, marks=[i]
                )
            if target is not None and target.cue is None:
                target.cue = cand.cue
                target.subject = cand.subject
                target.rule = "direct.cue_before" if cue_offset < mark.start else "direct.cue_after"
            elif target is None:  # a quoted stretch the marks pass dropped: the parse attributes it
                return True
            return False
        own = direct[i]
        if own is not None and own.cue is not None and own.cue[1] != cand.cue[1]:
            continue  # '...: "France is no longer France," he claimed.': the quotation has its own cue
        if start <= mark.start and mark.end <= end:
            cand.kind = "mixed"
            cand.rule = cand.rule.replace("indirect.", "mixed.")
            cand.consumed_marks.add(i)
    return True


def _according_to(para: ParsedParagraph, according: Token) -> Candidate | None:
    """'According to X, ...': the clause it modifies is X's."""
    to = next(c for c in according.children if c.lower_ == "to")
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    clause = according.head
    if source is None or clause is according or clause.pos_ not in {"VERB", "AUX"}:
        return None
    lo, hi = according.left_edge.i, according.right_edge.i
    tokens = [t for t in clause.subtree if not (lo <= t.i <= hi)]
    pieces = _runs(para, [t for t in tokens if not (t.is_punct and (t.i == lo - 1 or t.i == hi + 1))])
    if not pieces:
        return None
    cand = Candidate("indirect", pieces, "indirect.according_to", para.index)
    cand.cue = (para, according)
    cand.cue_text = para.doc[according.i : to.i + 1].text
    cand.cue_span = para.char_span(according.i, to.i + 1)
    cand.subject = (para, source)
    return cand


def _content(para: ParsedParagraph, complement: Token, lexicon: Lexicon) -> list[OffsetSpan] | None:
    """The complement clause, without a leading "that" and without clauses that report speech of
    their own: in "the base agreement will be preserved, although she has said there are some
    outstanding questions" (seed article) the "although she has said ..." clause is a second quotation."""
    excluded: set[int] = set()
    for token in complement.subtree:
        if (
            token is not complement
            and token.dep_ in {"advcl", "conj", "parataxis"}
            and _is_cue(token, lexicon, speech_only=False)
            and any(c.dep_ == "ccomp" for c in token.children)
        ):
            excluded.update(t.i for t in token.subtree)
            # and the conjunction or subordinator that joins it ("although", "but", ",")
            left = token.left_edge.i - 1
            while left >= complement.left_edge.i and (
                para.doc[left].is_punct or para.doc[left].dep_ in {"cc", "mark"}
            ):
                excluded.add(left)
                left -= 1
    # A trailing adjunct set off by a comma ("..., despite some recent suggestions ...", "..., while
    # the fugitives were beyond reach") is the writer's addition more often than the speaker's words:
    # PolNeAR train's annotators leave it out (error analysis of missed "said" items).
    for child in complement.rights:
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
            and not _inside_quote_marks(para, first)
        ):
            excluded.update(t.i for t in child.subtree)
            excluded.add(first.i - 1)
    # The parser sometimes splits one reported clause into two complements ("said [the Iranians
    # released by the United States] [were in some cases close to ...]"): take them together.
    parts = [c for c in complement.head.children if c.dep_ == "ccomp"] if complement.dep_ == "ccomp" else []
    if complement.dep_ == "dobj":
        # "called Pfizer unpatriotic", "described the plan as a disaster": what follows the object is
        # part of what was said about it.
        parts = [complement] + [
            c
            for c in complement.head.children
            if c.i > complement.i
            and (c.dep_ in {"oprd", "xcomp", "ccomp"} or (c.dep_ == "prep" and c.lower_ == "as"))
        ]
    subtree = sorted(
        {t.i: t for part in (parts or [complement]) for t in part.subtree}.values(), key=lambda t: t.i
    )
    tokens = [t for t in subtree if t.i not in excluded]
    while tokens and ((tokens[0].dep_ == "mark" and tokens[0].lower_ == "that") or tokens[0].is_punct):
        tokens.pop(0)
    pieces = _runs(para, tokens)
    if sum(1 for t in tokens if not t.is_punct) < 2 or not pieces:
        return None
    return pieces


def _inside_quote_marks(para: ParsedParagraph, token: Token) -> bool:
    """Is the token between quotation marks of its paragraph (a quoted part stays whole)?"""
    before = para.doc.text[: token.idx]
    return sum(before.count(m) for m in '"“”') % 2 == 1


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


def _consumed(reported: list[Candidate]) -> set[int]:
    return {i for c in reported for i in c.consumed_marks}


# -- shared helpers -----------------------------------------------------------------------------------
def _is_cue(token: Token, lexicon: Lexicon, *, speech_only: bool) -> bool:
    if token.pos_ not in {"VERB", "AUX"} or token.dep_ in {"amod", "aux", "auxpass"}:
        return False
    lemma = token.lemma_.lower()
    return lemma in lexicon.speech_verbs or (not speech_only and lemma in lexicon.attitude_verbs)


def _negated(verb: Token) -> bool:
    """'did not indicate', 'never said', 'declined to say', 'refused to confirm'."""
    if any(c.dep_ == "neg" or c.lower_ in _NEGATORS for c in verb.children):
        return True
    head = verb.head
    return verb.dep_ == "xcomp" and head.lemma_.lower() in {"decline", "refuse", "fail"}


def _subject_of(verb: Token) -> Token | None:
    current: Token | None = verb
    for _ in range(4):  # "He admitted ... but said ...": a conjoined verb shares the subject
        if current is None:
            return None
        subject = next((c for c in current.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is not None:
            return subject
        if current is verb and (inverted := _inverted_subject(verb)) is not None:
            return inverted
        if current.dep_ == "conj" and current.head.dep_ == "ccomp" and current.head.head is not current.head:
            # "Mr. Putin forecast that the economy would rebound and praised ...": the parser hangs
            # "praised" on the reported clause; it shares the subject of the verb that reports it.
            current = current.head.head
        elif current.dep_ in {"conj", "xcomp", "advcl"} and current.head is not current:
            current = current.head
        elif current.dep_ == "relcl":
            return current.head
        else:
            return None
    return None


def _inverted_subject(verb: Token) -> Token | None:
    """'..." said Skelly.' when the parser does not make the name the subject: a name or a person
    right after the verb."""
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    if nxt is None or nxt.head != verb or nxt.dep_ not in {"dobj", "attr", "npadvmod", "dative", "oprd"}:
        return None
    return nxt if nxt.pos_ == "PROPN" or nxt.ent_type_ == "PERSON" else None


def _paragraph_of(body: list[ParsedParagraph], offset: int) -> ParsedParagraph | None:
    for para in body:
        if para.offset <= offset <= para.offset + len(para.doc.text):
            return para
    return None


def _nest(candidates: list[Candidate], marks: list[MarkedSpan]) -> None:
    """A quotation whose cue (or, with no cue, whose marks) lie inside another direct one is nested."""
    for i, cand in enumerate(candidates):
        anchor = cand.cue[0].offset + cand.cue[1].idx if cand.cue is not None else cand.start
        best: int | None = None
        for j, outer in enumerate(candidates):
            if j == i or set(cand.marks) & set(outer.marks):
                continue
            if any(marks[k].level == 0 and marks[k].contains(anchor, anchor + 1) for k in outer.marks):
                best = j
        cand.parent = best


def _resolve(
    cand: Candidate,
    candidates: list[Candidate],
    resolver: SpeakerResolver,
    previous: Candidate | None,
) -> None:
    enclosing = candidates[cand.parent].speaker if cand.parent is not None else None
    if cand.cue is not None and cand.cue_text is None:
        para, verb = cand.cue
        auxes = [c for c in verb.lefts if c.dep_ in {"aux", "auxpass"} and c.i == verb.i - 1]
        start = auxes[0].i if auxes else verb.i
        cand.cue_text = para.doc[start : verb.i + 1].text
        cand.cue_span = para.char_span(start, verb.i + 1)
        if cand.subject is None and cand.kind == "direct":  # a cue found next to quotation marks
            subject = _subject_of(verb)
            cand.subject = (para, subject) if subject is not None else None
    if cand.subject is not None:
        para, head = cand.subject
        cand.speaker = resolver.resolve(para, head, enclosing=enclosing)
    elif (
        cand.rule == "direct.unattributed"
        and previous is not None
        and previous.speaker is not None
        and previous.speaker.name is not None
        and cand.paragraph - previous.paragraph <= UNATTRIBUTED_LOOKBACK
    ):
        # A quotation with no cue near a speaker's quotation most likely goes on with their words.
        prev = previous.speaker
        cand.rule = "direct.nearby"
        cand.speaker = ResolvedSpeaker(
            prev.name, prev.mention, prev.mention_span, prev.entity, "implied", prev.group
        )
    elif cand.rule == "direct.implied" and previous is not None and previous.speaker:
        # The mention is the one the speaker was last named by: a reader clicks through to it.
        prev = previous.speaker
        cand.speaker = ResolvedSpeaker(
            prev.name, prev.mention, prev.mention_span, prev.entity, "implied", prev.group
        )
    else:
        cand.speaker = ResolvedSpeaker(None, None, None, None, None)
    speaker = cand.speaker
    if speaker.entity is not None and speaker.mention_span is not None and speaker.kind != "implied":
        resolver.note_speaker(speaker.entity, speaker.mention_span[0], cand.paragraph)
