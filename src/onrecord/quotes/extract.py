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

The stages, in the order extract_candidates runs them, each in a module of its own:
- onrecord.quotes.marks: the stretches inside quotation marks;
- onrecord.quotes.direct: direct candidates from the marks, with their cues;
- onrecord.quotes.reported: reported candidates from the parse, each reconciled with the marks;
- onrecord.quotes.filtering: weak candidates inside speech left out, the cue-class filter, nesting;
- onrecord.quotes.attribution: the speaker of each candidate, in text order.
The Candidate they pass between them and the RULES table are in onrecord.quotes.candidates.
"""

from __future__ import annotations

from onrecord.entities.people import EntityIndex
from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedArticle
from onrecord.quotes.attribution import resolve
from onrecord.quotes.candidates import RULES, Candidate
from onrecord.quotes.direct import direct_candidates
from onrecord.quotes.filtering import consumed_marks, cue_quoted_predicate, drop_inside_speech, nest, without
from onrecord.quotes.first_person import link_interviewee, link_quoted_self
from onrecord.quotes.marks import find_marked_spans
from onrecord.quotes.reported import reported_candidates
from onrecord.quotes.speakers import SpeakerResolver

__all__ = ["RULES", "Candidate", "extract_candidates"]


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
    # new statement, and a reported clause keeps its trailing adjuncts. PolNeAR's convention (every
    # class kept) joins the quotations into one content and leaves the adjuncts out.
    direct = direct_candidates(article, body, marks, lexicon, split_continued=classes is not None)
    reported = reported_candidates(body, marks, direct, lexicon, explore, whole_clause=classes is not None)
    reported = drop_inside_speech(reported, direct, rank=not explore)
    left_out: list[Candidate] = []
    if classes is not None:
        if "speech" in classes:
            for cand in reported:
                if cand.cue_class == "topic":
                    cue_quoted_predicate(cand, marks, direct, lexicon)
        left_out = [c for c in reported if c.cue_class not in classes]
        reported = [c for c in reported if c.cue_class in classes]
    consumed = consumed_marks(reported)
    unique = {id(c): c for c in direct if c is not None}  # a joined quotation stands once per mark
    candidates = [c for c in unique.values() if not consumed & set(c.marks)] + reported + left_out
    candidates.sort(key=lambda c: (c.start, -c.end))
    nest(candidates, marks)
    resolver = SpeakerResolver(article, index, lexicon)
    previous: Candidate | None = None
    gone = {id(c) for c in left_out}
    for cand in candidates:
        resolve(cand, candidates, resolver, previous)
        if cand.parent is None and id(cand) not in gone:  # an implied quotation goes on a statement
            previous = cand
    resolver.link_pronouns()  # the people's other pronouns, after their statements'
    resolver.link_descriptions()  # and their descriptions that speak in no statement
    link_quoted_self(candidates, marks, article, index)  # "I" inside a quotation is its speaker
    link_interviewee(article, marks, index)  # and in a question-and-answer transcript, the interviewee
    return without(candidates, left_out) if left_out else candidates
