"""Direct quotations: each stretch in quotation marks (onrecord.quotes.marks) and the cue that
attributes it.

A quoted stretch is a direct quotation when a speech verb stands next to it ("..., Bakiyev said." /
"Bakiyev said: "...""); failing that, a top-level one takes any verb of a short clause that closes the
sentence right after it ('"...?" Beck questioned.') or of the clause a colon before it ends ('Rubio
fired back: "..."'). With no cue, it is implied (its paragraph is nothing but the quotation and the
paragraph before held one), goes on with the cued quotation before it in the same paragraph (joined to
it as another piece, or, for statements proper, a statement of its own by the same speaker), or is
kept with no speaker when it is long enough and holds a verb. Shorter ones are scare quotes or titles.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Token

from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.attribution import subject_of
from onrecord.quotes.candidates import DIRECT_SHARE, Candidate, is_cue
from onrecord.quotes.marks import MarkedSpan, lookup

#: A quoted stretch with no cue is kept (speaker unknown) only from this many words up: shorter ones
#: are scare quotes or titles ("the so-called "reset"").
MIN_WORDS_UNATTRIBUTED = 6
#: How far from a quotation mark a cue may stand, in tokens (", the Russian prime minister said").
CUE_WINDOW_AFTER = 14
CUE_WINDOW_BEFORE = 25
#: Longest clause after a quotation that makes its cue whatever the verb ('"...," Beck questioned on
#: Tuesday.'), in tokens.
SHORT_CLAUSE_TOKENS = 8
_SENTENCE_END = frozenset({".", "!", "?"})
#: A verb in these relations heads no clause of its own that could attribute a quotation before it.
_NOT_A_CLAUSE = frozenset({"pcomp", "acl", "amod"})


def direct_candidates(
    article: ParsedArticle,
    body: list[ParsedParagraph],
    marks: list[MarkedSpan],
    lexicon: Lexicon,
    *,
    split_continued: bool = False,
) -> list[Candidate | None]:
    """One entry per mark, in the order of ``marks``: its direct candidate, or None when it is no
    quotation. A quotation joined from several marks stands once per mark. ``split_continued`` makes
    a new quotation after a closed one a statement of its own (direct.continued)."""
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
        if is_cue(token, lexicon, speech_only=True) and _attributes(para, token, mark, marks):
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
    subject = subject_of(verb)
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
    subject = subject_of(verb)
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
        if is_cue(token, lexicon, speech_only=True) and _attributes(para, token, mark, marks):
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


def _paragraph_at(body: list[ParsedParagraph], starts: list[int], offset: int) -> ParsedParagraph | None:
    """The first paragraph of ``body`` (whose offsets are ``starts``) from whose start to whose end
    ``offset`` lies."""
    k = bisect_right(starts, offset) - 1
    while k > 0 and offset <= body[k - 1].end:  # paragraphs that touch: the first one
        k -= 1
    return body[k] if k >= 0 and offset <= body[k].end else None
