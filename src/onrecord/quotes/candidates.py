"""What the quotation stages pass between them: the Candidate, the confidence of each rule (RULES),
and the constants and token helpers more than one stage reads.

A candidate is one quotation being built: its kind (direct, indirect, mixed), its pieces of text, the
rule that found it, its cue and the subject of the cue. onrecord.quotes.direct makes candidates from
quotation marks and onrecord.quotes.reported from the parse; onrecord.quotes.filtering decides which
stand and nests them; onrecord.quotes.attribution gives each its speaker. onrecord.quotes.extract runs
the stages in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedParagraph
from onrecord.quotes.speakers import ResolvedSpeaker

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
#: Prepositions whose phrase after a reported object belongs to what was said about it: "described the
#: plan as a disaster", "accused him of lying", "criticized the GOP for turning its back" (PolNeAR
#: train annotates object and phrase as one content).
OBJECT_PREDICATE_PREPS = frozenset({"as", "of", "for"})
#: A complement that is this share quoted is the quotation itself, not a mixed one.
DIRECT_SHARE = 0.7
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT"})


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


def is_cue(token: Token, lexicon: Lexicon, *, speech_only: bool) -> bool:
    """Is the token a verb that the word lists name for speech (or, unless ``speech_only``, for an
    attitude), used as a verb and not as a word of a name?"""
    if token.pos_ not in {"VERB", "AUX"} or token.dep_ in {"amod", "aux", "auxpass"}:
        return False
    if token.ent_type_ in _NAME_LABELS:
        return False  # "Ask Jeeves has added ...": a word of a name is no verb of saying
    lemma = token.lemma_.lower()
    return lemma in lexicon.speech_verbs or (not speech_only and lemma in lexicon.attitude_verbs)


def object_predicates(obj: Token) -> list[Token]:
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
