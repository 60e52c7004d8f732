"""What kind of attribution a candidate is: its cue class (issue #14).

The extraction finds everything PolNeAR annotates as an attribution: speech, but also beliefs ("he
thinks ..."), intentions ("vowed to fight on"), stances on a topic ("criticised the plan"), nominal
attributions ("his claim that ...") and reported questions ("asked whether ..."). A statement in the
record's sense (``../shared/data/speakers-dev/README.md``, and what a fact-checker would cite) is only
the first: words a source is reported to have said. Each candidate is given one class; the analyser
keeps the speech class by default (``Analyzer(statements="speech")``) and every class on request
(``statements="all"``, which PolNeAR is scored with).

The classes, decided from the rule that found the candidate and the construction of its cue:

- ``speech``: a quotation with its cue, a speech verb with a reported clause ("said (that) ...",
  "..., she said, ..."), "according to X", and a speech verb whose object predicate is wholly quoted
  ("called him "a disappointment"", "described it as "disappointing"");
- ``question``: a reported question: the clause is an if/whether or wh- clause ("asked whether ...",
  "explained why ..."), or the cue asks ("wonder", "ask") with any clause;
- ``belief``: attitude verbs and adjectives ("believes", "thinks", "found", "confident that");
- ``intention``: a to-infinitive ("vowed to", "urged people to", "plans to");
- ``topic``: a noun phrase or prepositional object ("criticised attempts to ...", "welcomed the move",
  "called for a ban");
- ``nominal``: a noun's clause or object ("his claim that ...", "her plan to ...");
- ``unsourced``: a passive or raising construction with no source ("is expected to win", "it was
  reported that ...").
"""

from __future__ import annotations

from spacy.tokens import Token

CUE_CLASSES: tuple[str, ...] = ("speech", "question", "belief", "intention", "topic", "nominal", "unsourced")
#: What the analyser keeps unless asked for more: statements in the record's sense.
DEFAULT_CLASSES: frozenset[str] = frozenset({"speech"})

#: The rule family (the part after the kind: "indirect.attitude" -> "attitude") to the class it gives.
_FAMILY_CLASS = {
    "cue_after": "speech",
    "cue_before": "speech",
    "clause_after": "speech",
    "colon": "speech",
    "implied": "speech",
    "continued": "speech",
    "nearby": "speech",
    "unattributed": "speech",
    "speech": "speech",
    "according_to": "speech",
    "parenthetical": "speech",
    "attitude": "belief",
    "adjective": "belief",
    "intention": "intention",
    "object": "topic",
    "noun": "nominal",
    "passive": "unsourced",
    "raising": "unsourced",
}
#: Cue lemmas that ask rather than state, whatever their clause.
_ASKING = frozenset({"ask", "wonder", "inquire", "enquire", "query"})
_QUESTION_MARKS = frozenset({"if", "whether"})
_WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})


def rule_class(rule: str) -> str:
    """The class a rule gives before its construction is looked at ("indirect.object" -> "topic")."""
    return _FAMILY_CLASS.get(family(rule), "speech")


def family(rule: str) -> str:
    """'indirect.attitude' -> 'attitude'."""
    return rule.partition(".")[2]


def classify(rule: str, cue: Token | None, complement: Token | None) -> str:
    """The cue class of a candidate found by ``rule`` with this cue word and complement head."""
    cls = rule_class(rule)
    if cls == "topic" and cue is not None and any(c.dep_ == "xcomp" for c in cue.children):
        return "intention"  # "urged [people] [to put the figures into context]"
    if cls == "speech" and cue is not None and complement is not None and is_question(cue, complement):
        return "question"
    return cls


def is_question(cue: Token, clause: Token) -> bool:
    """'asked whether he would stand', 'explained why they were saved', 'wondered if ...'."""
    if clause.dep_ not in {"ccomp", "advcl", "xcomp"} or cue.dep_ == "relcl":
        return False  # "estates, which it says are lying idle": the wh- word is the relative's
    if cue.lemma_.lower() in _ASKING:
        return True
    if any(c.dep_ == "mark" and c.lower_ in _QUESTION_MARKS for c in clause.children):
        return True
    # The clause opens with its own wh- word: "why they were saved", "what had happened", "how it
    # works"; not "what he wanted was peace", where the wh- clause is only the reported clause's subject.
    first = clause.left_edge
    return first.tag_ in _WH_TAGS and first.lower_ != "that" and first.head.i == clause.i
