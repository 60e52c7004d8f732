"""Attribution: the subject of a cue in the parse, and the speaker each candidate is given.

subject_of finds who a cue verb belongs to: its subject; the subject of the verb a conjoined or dependent
verb hangs on ("He admitted ... but said ..."); the noun a relative clause modifies; a name right after
the verb ('..." said Skelly'). resolve hands that subject to the SpeakerResolver
(onrecord.quotes.speakers), or gives a quotation with no cue the speaker of the top-level quotation
before it (implied, continued, nearby), or no one.
"""

from __future__ import annotations

from spacy.tokens import Token

from onrecord.quotes.candidates import Candidate
from onrecord.quotes.speakers import ResolvedSpeaker, SpeakerResolver

#: How many paragraphs back a quotation with no cue looks for a speaker to go on with.
UNATTRIBUTED_LOOKBACK = 1
#: Relations the parser gives a speaker named after the cue ('..." said Skelly').
_INVERTED_DEPS = frozenset({"dobj", "attr", "npadvmod", "dative", "oprd", "nsubj"})


def resolve(
    cand: Candidate,
    candidates: list[Candidate],
    resolver: SpeakerResolver,
    previous: Candidate | None,
) -> None:
    """Give ``cand`` its cue text and its speaker. ``previous`` is the last top-level statement before
    it, whose speaker a quotation with no cue may go on with."""
    enclosing = candidates[cand.parent].speaker if cand.parent is not None else None
    if cand.cue is not None and cand.cue_text is None:
        para, verb = cand.cue
        auxes = [c for c in verb.lefts if c.dep_ in {"aux", "auxpass"} and c.i == verb.i - 1]
        start = auxes[0].i if auxes else verb.i
        cand.cue_text = para.doc[start : verb.i + 1].text
        cand.cue_span = para.char_span(start, verb.i + 1)
        if cand.subject is None and cand.kind == "direct":  # a cue found next to quotation marks
            subject = subject_of(verb, resolver.lexicon.person_nouns)
            if subject is not None and _inside(para.token_offsets(subject), cand.pieces):
                # '"Meh," wrote a Trump supporter': the parser made the quoted word the subject; the
                # words of a quotation are never its speaker
                subject = _inverted_subject(verb)
                if subject is not None and _inside(para.token_offsets(subject), cand.pieces):
                    subject = None
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


def subject_of(verb: Token, people: frozenset[str] = frozenset()) -> Token | None:
    """Who the verb's words are: its subject, or the one it borrows. ``people`` are the lexicon's
    person nouns (see _message_object)."""
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


def _inside(span: tuple[int, int], pieces: list[tuple[int, int]] | list[list[int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in pieces)
