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

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from spacy.tokens import Token

from onrecord.entities.people import EntityIndex
from onrecord.lexicon import Lexicon, family_of
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.classes import classify
from onrecord.quotes.marks import MarkedSpan, find_marked_spans, lookup
from onrecord.quotes.speakers import ResolvedSpeaker, SpeakerResolver

OffsetSpan = tuple[int, int]

#: Confidence of each rule = its measured precision: the share of its top-level predictions on
#: PolNeAR train (840 articles) whose content matches an annotated attribution at overlap F1 >= 0.5
#: (`python tools/rule_precision.py ../shared/data/polnear/train`, 2026-11-28; rerun after changing a
#: rule). Counted against one annotator, who did not mark every quotation: these are lower bounds.
#: The number of predictions behind each value is in the comment (a mixed rule with few predictions
#: is a noisy estimate). A candidate kept by the learned cue table carries the table's estimate for its
#: own word and construction instead (Candidate.confidence); these values are then the rule's average.
RULES: dict[str, float] = {
    "direct.cue_after": 0.97,  # 3,126
    "direct.cue_before": 0.87,  # 958
    "direct.clause_after": 0.76,  # 131: '"...," Beck questioned.', any verb in a short closing clause
    "direct.colon": 0.83,  # 64: 'Rubio fired back forcefully: "..."'
    "direct.implied": 0.48,  # 64: a quotation paragraph with no cue after a quotation paragraph
    # '"A," he said. "B."': B, a sentence after a cued quotation, with no cue of its own (speech
    # statements only; PolNeAR joins B to A, so it has no count there): the speaker is A's. Taken as
    # the joined quotation's own precision, direct.cue_after's.
    "direct.continued": 0.97,
    "direct.nearby": 0.48,  # 394: a quotation with no cue near an attributed one
    "direct.unattributed": 0.58,  # 220: speaker unknown
    "indirect.speech": 0.88,  # 3,483
    "indirect.according_to": 0.85,  # 409
    "indirect.parenthetical": 0.87,  # 191: "..., she said, ..."
    "indirect.attitude": 0.72,  # 1,231: believe, think, hope ...
    # What a person wants or stands for, not words they said: "vowed to fight on" (intention),
    # "criticized Clinton's plan" (object). PolNeAR counts them as attributions.
    "indirect.intention": 0.70,  # 691
    "indirect.object": 0.67,  # 3,687
    "indirect.passive": 0.79,  # 136: "X is expected to win"; no source in the text
    "indirect.raising": 0.68,  # 116: "Trump appears to be ignorant of ..."; no source
    "indirect.noun": 0.66,  # 557: "his claim that ...", "her plan to ..."
    "indirect.adjective": 0.72,  # 266: "confident that ...", "critical of ..."
    "mixed.speech": 0.92,  # 521
    "mixed.attitude": 0.81,  # 47
    "mixed.intention": 0.95,  # 22
    "mixed.object": 0.85,  # 189
    "mixed.parenthetical": 0.77,  # 22
    "mixed.passive": 0.79,  # 4
    "mixed.raising": 0.68,  # 3
    "mixed.noun": 0.66,  # 15
    "mixed.adjective": 0.73,  # 4
}
#: A quoted stretch with no cue is kept (speaker unknown) only from this many words up: shorter ones
#: are scare quotes or titles ("the so-called "reset"").
MIN_WORDS_UNATTRIBUTED = 6
#: How many paragraphs back a quotation with no cue looks for a speaker to go on with.
UNATTRIBUTED_LOOKBACK = 1
#: How far from a quotation mark a cue may stand, in tokens (", the Russian prime minister said").
CUE_WINDOW_AFTER = 14
CUE_WINDOW_BEFORE = 25
#: Longest clause after a quotation that makes its cue whatever the verb ('"...," Beck questioned on
#: Tuesday.'), in tokens.
SHORT_CLAUSE_TOKENS = 8
#: Longest attribution set off by commas ("his top aide, Tad Devine, told The Huffington Post"), in
#: tokens; longer ones are clauses of their own.
MAX_PARENTHETICAL_TOKENS = 14
#: Trailing adjuncts cut from a reported clause (see _content); measured on PolNeAR train.
TRAILING_ADJUNCT_DEPS = frozenset({"advcl", "prep", "npadvmod", "conj"})
TRAILING_ADJUNCT_WORDS = frozenset(
    {"despite", "while", "although", "though", "even", "plus", "including", "after", "before", "since", "as"}
)
#: Prepositions whose phrase after a reported object belongs to what was said about it: "described the
#: plan as a disaster", "accused him of lying", "criticized the GOP for turning its back" (PolNeAR
#: train annotates object and phrase as one content).
OBJECT_PREDICATE_PREPS = frozenset({"as", "of", "for"})
#: "declined to say whether ...": a refusal to speak is no quotation, and what would have been said is no
#: content (PolNeAR annotates "declined to comment" as an attribution; a record of who said what does not).
REFUSAL_VERBS = frozenset({"decline", "refuse", "fail"})
#: Verbs whose subject belongs to the content when they take a to-clause ("Trump appears to ...").
RAISING_VERBS = frozenset({"seem", "appear"})
#: A complement that is this share quoted is the quotation itself, not a mixed one.
DIRECT_SHARE = 0.7
_SENTENCE_END = frozenset({".", "!", "?"})
#: Rules (the part after "direct."/"indirect."/"mixed.") of quotations and reported speech proper: a weak
#: candidate inside one of them is part of what was said (see _drop_inside_speech).
_STRONG = frozenset(
    {
        "cue_after",
        "cue_before",
        "clause_after",
        "colon",
        "implied",
        "nearby",
        "unattributed",
        "speech",
        "according_to",
        "parenthetical",
    }
)
#: Relations the parser gives a speaker named after the cue ('..." said Skelly').
_INVERTED_DEPS = frozenset({"dobj", "attr", "npadvmod", "dative", "oprd", "nsubj"})
#: Parts of speech that may be cues: verbs ("said"), nouns ("his claim that"), adjectives ("critical of").
_CUE_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT"})
#: A verb in these relations heads no clause of its own that could attribute a quotation before it.
_NOT_A_CLAUSE = frozenset({"pcomp", "acl", "amod"})
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
    #: The cue table's precision estimate for this candidate's cue and construction (None: RULES decides).
    confidence: float | None = None
    #: "lemma|construction|listed", the cue table's key (set when exploring).
    key: str | None = None
    #: What kind of attribution it is (onrecord.quotes.classes): "speech", "belief", "topic", ...
    cue_class: str = "speech"
    #: The head of the reported content in the parse (reported candidates only).
    complement: Token | None = None

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def extract_candidates(
    article: ParsedArticle,
    index: EntityIndex,
    lexicon: Lexicon,
    *,
    explore: bool = False,
    classes: frozenset[str] | None = None,
) -> list[Candidate]:
    """The quotations of one article. ``explore`` (for tools/train_cues.py only) makes a candidate of
    every construction of every word, whatever the cue table says, each with its table key.

    ``classes`` keeps only the attributions of those cue classes (onrecord.quotes.classes; None: all of
    them). A left-out candidate takes nothing with it: the quotation marks it held stand on their own,
    a speech verb whose quoted object predicate it held ("called him "a disgrace"") becomes that
    quotation's cue, and its holder is still resolved (the people and their mentions, the speaker a
    later "he" or an implied quotation goes back to, are the same whatever the classes kept).
    """
    body = list(article.body())
    marks = find_marked_spans(article.text, [(p.offset, p.end) for p in body])
    # Statements proper follow the speakers-dev guidelines: a new quotation after a closed one is a
    # new statement. PolNeAR's convention (every class kept) joins them into one content.
    direct = _direct_candidates(article, body, marks, lexicon, split_continued=classes is not None)
    reported = _reported_candidates(body, marks, direct, lexicon, explore)
    reported = _drop_inside_speech(reported, direct, rank=not explore)
    left_out: list[Candidate] = []
    if classes is not None:
        if "speech" in classes:
            for cand in reported:
                if cand.cue_class == "topic":
                    _cue_quoted_predicate(cand, marks, direct, lexicon)
        left_out = [c for c in reported if c.cue_class not in classes]
        reported = [c for c in reported if c.cue_class in classes]
    consumed = _consumed(reported)
    unique = {id(c): c for c in direct if c is not None}  # a joined quotation stands once per mark
    candidates = [c for c in unique.values() if not consumed & set(c.marks)] + reported + left_out
    candidates.sort(key=lambda c: (c.start, -c.end))
    _nest(candidates, marks)
    resolver = SpeakerResolver(article, index, lexicon)
    previous: Candidate | None = None
    gone = {id(c) for c in left_out}
    for cand in candidates:
        _resolve(cand, candidates, resolver, previous)
        if cand.parent is None and id(cand) not in gone:  # an implied quotation goes on a statement
            previous = cand
    return _without(candidates, left_out) if left_out else candidates


def _without(candidates: list[Candidate], left_out: list[Candidate]) -> list[Candidate]:
    """The candidates less those left out, parents renumbered. A left-out candidate (reported, so with
    no marks of its own) is never a parent (_nest), so every parent stays."""
    gone = {id(c) for c in left_out}
    new_index: dict[int, int] = {}
    kept: list[Candidate] = []
    for i, cand in enumerate(candidates):
        if id(cand) not in gone:
            new_index[i] = len(kept)
            kept.append(cand)
    for cand in kept:
        if cand.parent is not None:
            cand.parent = new_index.get(cand.parent)
    return kept


def _drop_inside_speech(
    reported: list[Candidate], direct: list[Candidate | None], *, rank: bool
) -> list[Candidate]:
    """Leave out a weak candidate (not reported speech: a belief, an intention, an object, a noun's or
    adjective's content) whose cue lies inside what someone is quoted or reported as saying: in "He
    admitted that he had signed a resignation letter", "had signed a letter" is part of the admission,
    not an attribution of its own (PolNeAR gives each word one role, so it never annotates one).

    Of two weak candidates where one's cue is the other's content ("voiced [concern] about the deal":
    the verb's object and the noun's prepositional object), only the likelier one is kept (``rank``;
    off while exploring, where there are no confidences yet).
    """
    # Each candidate once: a quotation joined from many marks ('"A," he said. "B." "C." ...') stands in
    # ``direct`` once per mark, with all its pieces each time.
    spoken = list({id(c): c for c in direct if c is not None}.values()) + [c for c in reported if _strong(c)]
    weak = [c for c in reported if not _strong(c) and c.cue is not None] if rank else []
    # Looked up, not compared pairwise (issue #16): the pieces of what was said, sorted, with the
    # furthest end so far; and the weak candidates by their cue's and their cue's head's position
    # (the only ones _outranks can prefer). A weak candidate is never among the spoken ones.
    said = sorted(piece for other in spoken for piece in other.pieces)
    said_starts, said_reach = [s for s, _ in said], list(accumulate((e for _, e in said), max))
    by_cue: dict[tuple[int, int], list[Candidate]] = {}
    by_head: dict[tuple[int, int], list[Candidate]] = {}
    for other in weak:
        assert other.cue is not None
        by_cue.setdefault((id(other.cue[0]), other.cue[1].i), []).append(other)
        by_head.setdefault((id(other.cue[0]), other.cue[1].head.i), []).append(other)
    kept = []
    for cand in reported:
        if not _strong(cand) and cand.cue is not None:
            cue = cand.cue[0].offset + cand.cue[1].idx
            k = bisect_right(said_starts, cue)
            if k and said_reach[k - 1] > cue:
                continue
            para, word = id(cand.cue[0]), cand.cue[1]
            near = by_cue.get((para, word.head.i), []) + by_head.get((para, word.i), [])
            if any(_outranks(other, cand) for other in near if other is not cand):
                continue
        kept.append(cand)
    return kept


def _strong(cand: Candidate) -> bool:
    return cand.rule.split(".")[1] in _STRONG


def _covers(cand: Candidate, offset: int) -> bool:
    return any(s <= offset < e for s, e in cand.pieces)


def _outranks(other: Candidate, cand: Candidate) -> bool:
    """Of two weak candidates where one's cue governs the other's and holds it in its content, does
    ``other`` win over ``cand``? The more confident one wins; on a tie, the governing one."""
    assert other.cue is not None and cand.cue is not None
    if other.cue[0] is not cand.cue[0]:
        return False
    other_cue, cand_cue = other.cue[1], cand.cue[1]
    offset = cand.cue[0].offset
    if cand_cue.head.i == other_cue.i and _covers(other, offset + cand_cue.idx):  # other governs cand
        return (other.confidence or 0.0) >= (cand.confidence or 0.0)
    if other_cue.head.i == cand_cue.i and _covers(cand, offset + other_cue.idx):  # cand governs other
        return (other.confidence or 0.0) > (cand.confidence or 0.0)
    return False


# -- direct quotations --------------------------------------------------------------------------------
def _direct_candidates(
    article: ParsedArticle,
    body: list[ParsedParagraph],
    marks: list[MarkedSpan],
    lexicon: Lexicon,
    *,
    split_continued: bool = False,
) -> list[Candidate | None]:
    found: list[Candidate | None] = []
    last_para_with_quote = -10
    starts = [p.offset for p in body]
    only_quotes: dict[int, bool] = {}  # by paragraph: asked once per mark, the same for all its marks
    for i, mark in enumerate(marks):
        first = _paragraph_at(body, starts, mark.start)
        last = _paragraph_at(body, starts, mark.end)
        if first is None or last is None:
            found.append(None)
            continue
        cue = _cue_after(last, mark, marks, lexicon)
        rule = "direct.cue_after"
        if cue is None:
            cue = _cue_before(first, mark, marks, lexicon)
            rule = "direct.cue_before"
        if cue is None and mark.level == 0:
            cue, rule = _short_clause_after(last, mark, marks), "direct.clause_after"
            if cue is None:
                cue, rule = _colon_before(first, mark), "direct.colon"
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
        elif (
            mark.level == 0
            and _only_quotes(first, marks, only_quotes)
            and last_para_with_quote >= first.index - 1
        ):
            cand.rule = "direct.implied"
        elif (
            mark.level == 0
            and previous is not None
            and previous.cue is not None
            and not _clause_between(first, previous, mark)
        ):
            if split_continued and _new_sentence(article.text, previous.end, mark.start):
                # '"A," he said. "B."': B is a statement of its own, by A's speaker (the speakers-dev
                # guidelines: a new quotation after a closed one is a new statement).
                cand.rule = "direct.continued"
            else:
                # '"The plan," Jane Smith said, "is dead."', and in PolNeAR's convention also
                # '"A," he said. "B."': B goes on with A's words, one content.
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
    if para.text[: mark.end - para.offset].rstrip(" '\"’”").endswith("."):
        # '"... his colleagues." At the same time, the person added, "..."': a quotation that ends
        # its sentence with a full stop is attributed before it or not at all, never by what follows.
        return None
    end = mark.end + 1
    limit = _parent_end(mark, marks)
    for seen, token in enumerate(para.doc[para.first_token_from(end) :]):
        start = para.offset + token.idx
        if start >= limit or _opens_other(start, mark, marks):
            break
        # '..."as a hard-working MP". Ms Kelly is reported ...': a full stop right after the closing
        # mark ends the sentence too.
        if token.text in _SENTENCE_END or seen >= CUE_WINDOW_AFTER:
            break
        if token.dep_ in _NOT_A_CLAUSE:
            continue  # 'condemned the "complete irresponsibility" of adding ...'
        if _is_cue(token, lexicon, speech_only=True) and _attributes(para, token, mark, marks):
            return para, token
    return None


def _short_clause_after(
    para: ParsedParagraph, mark: MarkedSpan, marks: list[MarkedSpan]
) -> tuple[ParsedParagraph, Token] | None:
    """'"... the moderators?" Beck questioned.' / '"..." Hannity started.': any verb, when a short clause
    of a subject and that verb closes the sentence right after a quotation that does not end it. The
    word lists cannot hold every verb news uses this way; the shape says it."""
    text = para.text[: mark.end - para.offset].rstrip(" '\"’”")
    if not text or text[-1] not in ",?!—-":
        return None
    after = para.doc[para.first_token_after(mark.end) :]
    if not len(after) or _opens_other(para.offset + after[0].idx, mark, marks):
        return None
    clause: list[Token] = []
    for token in after:
        if token.text in _SENTENCE_END:
            break
        if token.text in {'"', "“", "”", "''", ":"} or len(clause) >= SHORT_CLAUSE_TOKENS:
            return None
        clause.append(token)
    verbs = [t for t in clause if t.pos_ == "VERB" and t.dep_ not in {"aux", "amod", "xcomp", "ccomp"}]
    if len(verbs) != 1 or any(c.dep_ == "dobj" for c in verbs[0].children):
        return None
    verb = verbs[0]
    subject = _subject_of(verb)
    if subject is None or subject.pos_ not in {"PROPN", "PRON", "NOUN"} or subject.lower_ in {"it", "there"}:
        return None
    return para, verb


def _colon_before(para: ParsedParagraph, mark: MarkedSpan) -> tuple[ParsedParagraph, Token] | None:
    """'Rubio fired back forcefully: "If they sue us ..."' / 'Tom Ridge put it: "..."': a quotation
    opened right after a colon belongs to the subject of the clause the colon ends."""
    doc = para.doc
    n = para.tokens_ending_by(mark.start)  # the tokens before the mark are doc[:n]
    while n and doc[n - 1].text in {'"', "“", "''", "``"}:
        n -= 1
    if not n or doc[n - 1].text != ":":
        return None
    colon = doc[n - 1]
    verb = colon.head
    while verb.pos_ not in {"VERB", "AUX"} and verb.head != verb and verb.head.i < colon.i:
        verb = verb.head
    if verb.pos_ not in {"VERB", "AUX"} or verb.i >= colon.i:
        # The parser hung the colon on the quotation: take the last verb of the clause before it, if
        # no sentence ends between them (walked back from the colon, so only that clause is read).
        for k in range(colon.i - 1, -1, -1):
            if doc[k].text in _SENTENCE_END:
                return None
            if doc[k].pos_ in {"VERB", "AUX"} and doc[k].dep_ not in {"aux", "auxpass"}:
                verb = doc[k]
                break
        else:
            return None
    subject = _subject_of(verb)
    if subject is None or subject.lower_ in {"it", "there", "this", "that"}:
        return None
    return para, verb


def _cue_before(
    para: ParsedParagraph, mark: MarkedSpan, marks: list[MarkedSpan], lexicon: Lexicon
) -> tuple[ParsedParagraph, Token] | None:
    """A speech verb before the opening mark, in the same sentence: 'Bakiyev said: "..."'."""
    limit = _parent_start(mark, marks)
    # The tokens from ``limit`` that end before the opening mark: doc[lo:hi], the last few of them.
    lo, hi = para.first_token_from(limit), para.tokens_ending_by(mark.start - 1)
    tokens = list(para.doc[max(lo, hi - CUE_WINDOW_BEFORE) : hi]) if lo < hi else []
    quoted = lookup(marks)
    for seen, token in enumerate(reversed(tokens)):
        offset = para.offset + token.idx
        if seen and (token.text in _SENTENCE_END or quoted.ends_at(offset, mark)):
            break
        if quoted.within(offset, offset + len(token.text), mark.level):
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
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children) and not any(
        c.dep_ == "agent" for c in verb.children
    ):
        return False  # 'is reported to be "pro-life"': no source, no statement
    complements = [c for c in verb.children if c.dep_ in {"ccomp", "parataxis"}]
    if not complements and verb.dep_ in {"parataxis", "conj", "advcl"} and verb.head.pos_ in {"VERB", "AUX"}:
        # "the two nations, Xi said, now have a "golden opportunity" to ...": a parenthetical cue
        # reports its head clause, and the quoted fragment must be most of that clause.
        head = verb.head
        lo, hi = verb.left_edge.i, verb.right_edge.i
        clause = [t for t in head.subtree if not (lo <= t.i <= hi) and not t.is_punct]
        quoted = lookup(marks)  # at the mark's level: '"The plan," she said, "is dead."'
        inside = sum(
            1
            for t in clause
            if quoted.within(para.offset + t.idx, para.offset + t.idx + len(t.text), mark.level)
        )
        return inside / max(1, len(clause)) >= DIRECT_SHARE
    if not complements:
        pos = para.offset + verb.idx
        gap = mark.start - pos if pos < mark.start else pos - mark.end
        return gap <= 40 and not _fragment_of_dependent(para, verb, mark)
    for child in complements:
        start, end = para.char_span(child.left_edge.i, child.right_edge.i + 1)
        inside = sum(max(0, min(e, end) - max(s, start)) for s, e in mark.pieces)
        if inside / max(1, end - start) >= DIRECT_SHARE:
            return True
    return False


def _fragment_of_dependent(para: ParsedParagraph, verb: Token, mark: MarkedSpan) -> bool:
    """Is the quotation a small part of the verb's object or other dependent, not what the verb
    reports? 'has added the ability to "save" websites of interest': the quoted word is inside the
    object. Not in 'told reporters: "..."' (the quotation is no part of the object) nor in 'said
    "never"' (it is the whole object)."""
    first = para.first_token_from(mark.start)
    if first >= len(para.doc):
        return False
    token = para.doc[first]
    if token.sent.start == verb.sent.start and not verb.is_ancestor(token):
        return True  # 'Ask Jeeves has added the ability to "save" ...': the quotation is another verb's
    while token.head.i != verb.i and token.head.i != token.i:
        token = token.head
    if token.head.i != verb.i or token.dep_ in {"ccomp", "parataxis", "punct"}:
        return False
    words = [t for t in token.subtree if not t.is_punct]
    inside = sum(1 for t in words if mark.contains(*para.token_offsets(t)))
    return inside / max(1, len(words)) < DIRECT_SHARE


def _parent_start(mark: MarkedSpan, marks: list[MarkedSpan]) -> int:
    return marks[mark.parent].start if mark.parent is not None else 0


def _parent_end(mark: MarkedSpan, marks: list[MarkedSpan]) -> int:
    return marks[mark.parent].end if mark.parent is not None else 1 << 62


def _opens_other(offset: int, mark: MarkedSpan, marks: list[MarkedSpan]) -> bool:
    return lookup(marks).opens_near(offset, mark)


def _only_quotes(para: ParsedParagraph, marks: list[MarkedSpan], known: dict[int, bool]) -> bool:
    """Nothing but quotation (and punctuation) in the paragraph: the speaker is implied. ``known``
    keeps the answer for each paragraph already asked about."""
    if para.index not in known:
        quoted = lookup(marks)
        known[para.index] = all(
            token.is_punct
            or token.is_space
            or quoted.within(para.offset + token.idx, para.offset + token.idx + len(token.text), 0)
            for token in para.doc
        )
    return known[para.index]


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


def _new_sentence(text: str, end: int, start: int) -> bool:
    """Does a sentence end between the quotation before (ending at ``end``) and the next one? Not in
    '"The plan," Jane Smith said, "is dead."' (an interrupted quotation); yes in '"A," he said. "B."'
    and '"We won." "The voters have spoken."'."""
    return any(c in ".!?" for c in text[end - 1 : start])


def _clause_between(para: ParsedParagraph, previous: Candidate, mark: MarkedSpan) -> bool:
    """Is there a clause of the writer's between the quotation before and this one ('"A," she said.
    And last week Jason criticised TV for being "B".')? Then B does not go on with A's words."""
    assert previous.cue is not None
    cue = previous.cue[1] if previous.cue[0] is para else None
    starts = para.token_starts
    lo, hi = bisect_right(starts, previous.end), bisect_right(starts, mark.start - 1)
    # What hangs on the cue is part of the attribution: '"A," said Smith, who leads the party. "B."',
    # '"A," he said, adding: "B."'.
    attribution = range(cue.left_edge.i, cue.right_edge.i + 1) if cue is not None else range(0)
    return any(
        token.pos_ in {"VERB", "AUX"} and token.dep_ not in {"aux", "auxpass"} and token.i not in attribution
        for token in para.doc[lo:hi]
    )


def _word_count(text: str, mark: MarkedSpan) -> int:
    return sum(len(text[s:e].split()) for s, e in mark.pieces)


def _has_verb(para: ParsedParagraph, mark: MarkedSpan) -> bool:
    inside = para.doc[para.first_token_from(mark.start) : para.tokens_ending_by(mark.end)]
    return any(
        t.pos_ in {"VERB", "AUX"} and mark.contains(para.offset + t.idx, para.offset + t.idx + len(t.text))
        for t in inside
    )


# -- reported speech ----------------------------------------------------------------------------------
def _reported_candidates(
    body: list[ParsedParagraph],
    marks: list[MarkedSpan],
    direct: list[Candidate | None],
    lexicon: Lexicon,
    explore: bool,
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
            if (para.index, token.i) in used_cues or token.pos_ not in _CUE_POS or _negated(token):
                continue
            for complement, rule, confidence, key in _readings(token, lexicon, explore):
                cand = _reported(para, token, complement, rule, lexicon, marks)
                if cand is None:
                    continue
                cand.confidence, cand.key = confidence, key
                if not _reconcile_with_marks(cand, marks, direct, para):
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
) -> Candidate | None:
    """The reported-speech candidate of one reading of a cue word, or None when it makes none."""
    subject: Token | None = None
    if token.pos_ not in {"VERB", "AUX"}:
        if complement is None:
            return None
        subject = _holder(token)
        if subject is None or subject.lower_ in {"it", "there"}:
            return None
        pieces = _content(para, complement, lexicon, marks)
    else:
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children) or _reduced_passive(token)
        if complement is None:
            pieces = None if passive else _parenthetical(para, token, lexicon)
            rule = "indirect.parenthetical"
        elif passive:
            pieces, subject = _passive(para, token, complement, lexicon, marks)
            rule = "indirect.passive" if subject is None else rule
        elif complement.dep_ == "xcomp" and token.lemma_.lower() in RAISING_VERBS:
            # "Trump appears to be ignorant of ...": PolNeAR reads the subject as part of what appears,
            # and the attribution as having no source (it is the writer's impression).
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            if subject is None or subject.pos_ == "PRON":
                return None
            pieces = _runs(para, [*subject.subtree, *complement.subtree]) or None
            rule, subject = "indirect.raising", None
            passive = True  # no source to look for
        else:
            pieces = _content(para, complement, lexicon, marks)
        if not passive:
            subject = _subject_of(token, lexicon.person_nouns)
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


def _cue_quoted_predicate(
    cand: Candidate, marks: list[MarkedSpan], direct: list[Candidate | None], lexicon: Lexicon
) -> None:
    """'called him "a disappointment of historic proportions"', 'described the performance as
    "disappointing"', 'warned both parties against "pandering to prejudice"': when what a speech verb
    says of its object (or its prepositional object) is wholly quoted, the quotation is a direct
    statement with that cue, though the object itself is only a topic."""
    if cand.cue is None or cand.complement is None:
        return
    para, verb = cand.cue
    if verb.lemma_.lower() not in lexicon.speech_verbs | lexicon.object_verbs:
        return
    complement = cand.complement
    said = [complement]
    if complement.dep_ == "dobj":
        # The parser hangs "as ..." on the verb or on its object: "described [the performance] [as ...]".
        own = [c for c in complement.children if c.dep_ == "prep" and c.lower_ in OBJECT_PREDICATE_PREPS]
        said = _object_predicates(complement) + own
    for head in said:
        tokens = [t for t in head.subtree if not (t.dep_ == "prep" and t is head)]
        words = [t for t in tokens if not t.is_punct]
        if not words:
            continue
        start, end = para.token_offsets(words[0])[0], para.token_offsets(words[-1])[1]
        for i in lookup(marks).overlapping(start, end, 0):
            mark = marks[i]
            if mark.level != 0 or (direct[i] is not None and direct[i].cue is not None):  # type: ignore[union-attr]
                continue
            inside = sum(1 for t in words if mark.contains(*para.token_offsets(t)))
            if inside / len(words) < DIRECT_SHARE:
                continue
            quoted = Candidate("direct", list(mark.pieces), "direct.cue_before", para.index, marks=[i])
            quoted.cue, quoted.subject = cand.cue, cand.subject
            direct[i] = quoted


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
            return _subject_of(word.head)
        return None
    return _subject_of(word.head) if word.dep_ == "acomp" else None


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
        if obj is not None and (obj.pos_ != "PRON" or _object_predicates(obj)):
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


def _object_predicates(obj: Token) -> list[Token]:
    """What a verb says about its object, after it: "called Pfizer [unpatriotic]", "described the plan
    [as a disaster]", "accused him [of lying]"."""
    return [
        c
        for c in obj.head.children
        if c.i > obj.i
        and (
            c.dep_ in {"oprd", "xcomp", "ccomp"} or (c.dep_ == "prep" and c.lower_ in OBJECT_PREDICATE_PREPS)
        )
    ]


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
    para: ParsedParagraph, verb: Token, complement: Token, lexicon: Lexicon, marks: list[MarkedSpan]
) -> tuple[list[OffsetSpan] | None, Token | None]:
    """'Trump is expected to win Indiana' / 'It was reported that ...': in the passive, the source is
    the agent ("by X") when there is one, and the subject belongs to what is reported."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    source = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    if complement.dep_ == "ccomp":
        return _content(para, complement, lexicon, marks), source
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
    for i in lookup(marks).overlapping(start, end, 0):  # the others share no character with it
        mark = marks[i]
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


def _content(
    para: ParsedParagraph, complement: Token, lexicon: Lexicon, marks: list[MarkedSpan]
) -> list[OffsetSpan] | None:
    """The complement clause, its leading "that" included, without clauses that report speech of
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
            and not _inside_quote_marks(para, first, marks)
        ):
            excluded.update(t.i for t in child.subtree)
            excluded.add(first.i - 1)
    # The parser sometimes splits one reported clause into two complements ("said [the Iranians
    # released by the United States] [were in some cases close to ...]"): take them together.
    parts = [c for c in complement.head.children if c.dep_ == "ccomp"] if complement.dep_ == "ccomp" else []
    if complement.dep_ == "dobj":
        # "called Pfizer unpatriotic", "described the plan as a disaster": what follows the object is
        # part of what was said about it.
        parts = [complement, *_object_predicates(complement)]
    subtree = sorted(
        {t.i: t for part in (parts or [complement]) for t in part.subtree}.values(), key=lambda t: t.i
    )
    tokens = [t for t in subtree if t.i not in excluded]
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


def _consumed(reported: list[Candidate]) -> set[int]:
    return {i for c in reported for i in c.consumed_marks}


# -- shared helpers -----------------------------------------------------------------------------------
def _is_cue(token: Token, lexicon: Lexicon, *, speech_only: bool) -> bool:
    if token.pos_ not in {"VERB", "AUX"} or token.dep_ in {"amod", "aux", "auxpass"}:
        return False
    if token.ent_type_ in _NAME_LABELS:
        return False  # "Ask Jeeves has added ...": a word of a name is no verb of saying
    lemma = token.lemma_.lower()
    return lemma in lexicon.speech_verbs or (not speech_only and lemma in lexicon.attitude_verbs)


def _negated(verb: Token) -> bool:
    """'did not indicate', 'never said', 'declined to say', 'refused to confirm'."""
    if any(c.dep_ == "neg" or c.lower_ in _NEGATORS for c in verb.children):
        return True
    head = verb.head
    return verb.dep_ == "xcomp" and head.lemma_.lower() in REFUSAL_VERBS


def _organisation_it(para: ParsedParagraph, verb: Token, subject: Token, lexicon: Lexicon) -> bool:
    """Is "it" the subject of a speech verb standing for an organisation named earlier in the
    paragraph ("Acme said on Monday ... It said it would ...")? "It seems that ..." is nobody's."""
    if verb.lemma_.lower() not in lexicon.speech_verbs:
        return False
    return any(t.ent_type_ in {"ORG", "GPE", "NORP"} for t in para.doc[: subject.i])


def _subject_of(verb: Token, people: frozenset[str] = frozenset()) -> Token | None:
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
        elif current.tag_ == "VBG" and current.dep_ == "acl" and _message_object(current.head, people):
            # "Her campaign sent out a press release saying ...": what the object says, its sender said.
            current = current.head.head
        elif current.tag_ == "VBG" and current.dep_ == "pcomp" and current.head.lower_ == "by":
            # "she responded by saying ...": the subject of the verb the by-phrase belongs to.
            current = current.head.head
        else:
            return None
    return None


def _message_object(noun: Token, people: frozenset[str]) -> bool:
    """An object that can carry words (a release, an email, an ad), not a person who says them: in
    "followed a man saying ...", the man speaks. ``people`` are the lexicon's person nouns."""
    return noun.dep_ == "dobj" and noun.ent_type_ != "PERSON" and noun.lemma_.lower() not in people


def _inverted_subject(verb: Token) -> Token | None:
    """'..." said Skelly.' when the parser does not make the name the subject: a name or a person
    right after the verb."""
    if verb.tag_ == "VBG":
        return None  # "..., telling Fox 35 that ...", "calling Alwaleed "dopey"": the name is the addressee
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    if nxt is None:
        return None
    if nxt.head == verb and nxt.dep_ in _INVERTED_DEPS:
        return nxt if nxt.pos_ == "PROPN" or nxt.ent_type_ == "PERSON" else None
    if _after_closing_quote(verb):
        # '..." said the woman.' / '..." said Oversight ranking Democrat Elijah Cummings.': after a
        # quotation, the noun phrase right after the cue is its speaker, whatever the parser made it.
        phrase = next((c for c in verb.rights if c.left_edge.i == nxt.i and c.dep_ in _INVERTED_DEPS), None)
        if phrase is not None and phrase.pos_ in {"NOUN", "PROPN"}:
            return phrase
    return None


def _after_closing_quote(verb: Token) -> bool:
    """Does the verb follow a closing quotation mark (and a comma), as in '..." said the woman'?"""
    i = verb.i - 1
    while i >= 0 and verb.doc[i].text in {",", "-", "—"}:
        i -= 1
    return i >= 0 and verb.doc[i].text in {'"', "”", "''", "’"}


def _paragraph_at(body: list[ParsedParagraph], starts: list[int], offset: int) -> ParsedParagraph | None:
    """The first paragraph of ``body`` (whose offsets are ``starts``) from whose start to whose end
    ``offset`` lies."""
    k = bisect_right(starts, offset) - 1
    while k > 0 and offset <= body[k - 1].end:  # paragraphs that touch: the first one
        k -= 1
    return body[k] if k >= 0 and offset <= body[k].end else None


def _nest(candidates: list[Candidate], marks: list[MarkedSpan]) -> None:
    """A quotation whose cue (or, with no cue, whose marks) lie inside another direct one is nested."""
    # The candidates that came from each mark: the last of those that came from the mark holding the
    # anchor is the parent (asked of every pair, an article with n quotations cost n**2, issue #16).
    from_mark: dict[int, list[int]] = {}
    for j, outer in enumerate(candidates):
        for k in set(outer.marks):
            from_mark.setdefault(k, []).append(j)
    quoted = lookup(marks)
    for i, cand in enumerate(candidates):
        anchor = cand.cue[0].offset + cand.cue[1].idx if cand.cue is not None else cand.start
        own = set(cand.marks)
        holding = sorted({j for k in quoted.holders(anchor, anchor + 1, 0) for j in from_mark.get(k, ())})
        cand.parent = next(
            (j for j in reversed(holding) if j != i and not own & set(candidates[j].marks)), None
        )


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
            subject = _subject_of(verb, resolver.lexicon.person_nouns)
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
    elif cand.rule in {"direct.implied", "direct.continued"} and previous is not None and previous.speaker:
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
