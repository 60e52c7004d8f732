"""Who "I" is: first-person pronouns linked to the person speaking (issue #13, the people's chains).

Two places in news where the text itself says who "I" is:
- inside a direct quotation, "I", "me", "my" ... are its speaker ("I will not resign," Bakiyev said):
  the quotation's own marks, not a quotation inside it, and only when the speaker is one person;
- in a question-and-answer transcript (an interview printed as questions and answers), the answers'
  "I" and the questions' "you" are the person interviewed. A transcript is told by its shape: at least
  ``MIN_QUESTIONS`` paragraphs that are questions, each followed by an answer paragraph, as many
  questions put to "you", and first-person pronouns outside quotation marks in the answers; a
  broadcast transcript whose paragraphs open with their speaker's name ("TAPPER: ...") is none, nor is
  a column or a book excerpt whose questions ask nobody. The person interviewed is the one the text
  introduces as such in the text before the first question ("Wikinews interviewed X", "spoke with X",
  "interviewee X"), else the person that text names most often by a full name, and more often than
  anybody else; the reporter ("reporter William Saturn") and the photographer ("Image: ...") are
  never chosen. Failing that, nothing is linked: an unknown "I" stays unknown rather than going to a
  person the questions only talk about.

"We" and "our" are left alone: they are a group that holds the speaker, not the speaker.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from spacy.tokens import Token

from onrecord.entities.people import EntityBuilder, EntityIndex
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.candidates import Candidate
from onrecord.quotes.marks import MarkedSpans

#: The first-person singular and the second-person pronouns.
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})
#: At least this many question paragraphs, each followed by an answer, make a transcript.
MIN_QUESTIONS = 2
#: ... and at least this many first-person pronouns outside quotation marks in its answers.
MIN_ANSWER_SELF = 3
#: A paragraph opened by its speaker's name in capitals and a colon, as broadcast transcripts print.
_SPEAKER_LABEL = re.compile(r"[A-Z][A-Z.' -]{1,40}:")
#: Words of a sentence that introduces the person interviewed ("Wikinews interviewed X", "spoke with X").
_INTERVIEW_LEMMAS = frozenset({"interview", "interviewee", "speak", "talk", "chat", "answer", "sit"})
#: Words right after and right before a name that make it the interviewer's (or the photographer's).
_INTERVIEWER_AFTER = frozenset({"reporter", "correspondent", "journalist", "interviewer"})
_INTERVIEWER_BEFORE = _INTERVIEWER_AFTER | {"by", "image", "photo", "credit"}
_QUESTION_WORDS = frozenset(
    {"how", "what", "why", "when", "where", "who", "which", "whom", "whose", "do", "does", "did", "is"}
    | {"are", "was", "were", "can", "could", "would", "will", "should", "have", "has"}
)


def link_quoted_self(
    candidates: Sequence[Candidate], marks: MarkedSpans, article: ParsedArticle, index: EntityIndex
) -> None:
    """Each first-person pronoun inside a quotation's own marks becomes a mention of its speaker."""
    lookup = marks.lookup
    for cand in candidates:
        speaker = cand.speaker
        if not cand.marks or speaker is None or speaker.group or speaker.entity is None:
            continue
        entity = speaker.entity
        if entity.type not in {"PERSON", "UNNAMED"} or entity.plural or not entity.human:
            continue
        own = set(cand.marks)
        for k in cand.marks:
            for start, end in marks[k].pieces:
                for para, token in _tokens_in(article, start, end, FIRST_PERSON):
                    span = para.token_offsets(token)
                    inner = lookup.holders(*span, level=1) or lookup.holders(*span, level=0)
                    if inner and inner[-1] in own:
                        index.add_reference(entity, span)


def link_interviewee(article: ParsedArticle, marks: MarkedSpans, index: EntityIndex) -> EntityBuilder | None:
    """In a question-and-answer transcript, the answers' "I" and the questions' "you" linked to the
    person interviewed; returns that person (None: no transcript, or nobody to link to)."""
    body = [p for p in article.body() if p.text.strip()]
    questions = {p.index for p in body if _is_question(p)}
    answers: list[ParsedParagraph] = []
    follows = 0
    for before, after in itertools.pairwise(body):
        if before.index in questions and after.index not in questions:
            follows += 1
    in_answer = False
    for para in body:
        if para.index in questions:
            in_answer = True
        elif in_answer:
            answers.append(para)
    addressed = sum(
        1
        for p in body
        if p.index in questions and any(t.lower_ in SECOND_PERSON and t.pos_ == "PRON" for t in p.doc)
    )
    if follows < MIN_QUESTIONS or addressed < MIN_QUESTIONS:
        return None  # (a column's or a book's questions ask nobody: "What went wrong?")
    if sum(1 for p in body if _SPEAKER_LABEL.match(p.text)) >= MIN_QUESTIONS:
        return None  # "TAPPER: ... / FALLIN: ...": each answer names its speaker, no one "I" for all
    lookup = marks.lookup
    answer_self = [
        (para, token)
        for para in answers
        for token in para.doc
        if token.lower_ in FIRST_PERSON
        and token.pos_ == "PRON"
        and not lookup.within(*para.token_offsets(token))
    ]
    if len(answer_self) < MIN_ANSWER_SELF:
        return None
    first = min(questions)
    person = _interviewee(article, index, [p for p in article.paragraphs if p.index < first])
    if person is None:
        return None
    for para, token in answer_self:
        index.add_reference(person, para.token_offsets(token))
    for para in body:
        if para.index not in questions:
            continue
        for token in para.doc:
            span = para.token_offsets(token)
            if token.lower_ in SECOND_PERSON and token.pos_ == "PRON" and not lookup.within(*span):
                index.add_reference(person, span)
    return person


def _interviewee(
    article: ParsedArticle, index: EntityIndex, intro: list[ParsedParagraph]
) -> EntityBuilder | None:
    """The person the text before the first question introduces as interviewed, else the one it names
    most often (and more often than anybody else)."""
    counts: Counter[int] = Counter()
    introduced: Counter[int] = Counter()
    by_id: dict[int, EntityBuilder] = {}
    names = sorted((span, e) for span, e in index.name_spans().items() if e.type == "PERSON")
    for para in intro:
        # every name of a person here: the model's, and those rules 7 and 10 found untagged
        for (start, end), entity in names:
            if not (para.offset <= start and end <= para.end):
                continue
            first, last = para.first_token_from(start), para.tokens_ending_by(end)
            if first >= last:
                continue
            before = {t.lower_ for t in para.doc[max(0, first - 2) : first]}
            after = para.doc[last].lower_ if last < len(para.doc) else ""
            if before & _INTERVIEWER_BEFORE or after in _INTERVIEWER_AFTER:
                continue  # "by reporter William Saturn", "Image: David Shankbone"
            by_id[id(entity)] = entity
            counts[id(entity)] += 1
            if any(t.lemma_.lower() in _INTERVIEW_LEMMAS for t in para.doc[first].sent):
                introduced[id(entity)] += 1
    if not introduced:  # a one-word "person" named in passing is too often the NER model's mistake
        counts = Counter({key: n for key, n in counts.items() if len(by_id[key].name.split()) > 1})
    pool = introduced or counts
    ranked = sorted(pool, key=lambda key: (pool[key], counts[key]), reverse=True)
    if not ranked or (
        len(ranked) > 1 and (pool[ranked[1]], counts[ranked[1]]) == (pool[ranked[0]], counts[ranked[0]])
    ):
        return None  # nobody, or two people as likely: no evidence of who answers
    return by_id[ranked[0]]


def _is_question(para: ParsedParagraph) -> bool:
    """A paragraph that asks: it ends in a question mark, or is one short sentence opening with a
    question word and addressed to "you" (transcripts drop the mark at times)."""
    text = para.text.strip().rstrip("\"'”’)]").rstrip()
    if not text or para.is_heading:
        return False
    if text.endswith("?"):
        return True
    words = text.split()
    return (
        len(para.sentences) == 1
        and len(words) <= 30
        and words[0].lower() in _QUESTION_WORDS
        and any(w.lower().strip(",.") in SECOND_PERSON for w in words)
    )


def _tokens_in(
    article: ParsedArticle, start: int, end: int, words: frozenset[str]
) -> list[tuple[ParsedParagraph, Token]]:
    found = []
    for para in article.paragraphs_meeting(start, end):
        # only the tokens inside [start, end), found by bisection: a paragraph of many quotations
        # is not scanned once per quotation
        for token in para.doc[para.first_token_from(start) : para.tokens_ending_by(end)]:
            if token.lower_ in words and token.pos_ == "PRON":
                found.append((para, token))
    return found
