"""The quotation stages one at a time (issue #14): direct candidates from the marks, reported ones from
the parse, the filters, and a cue's subject, each asked directly rather than through a whole record."""

from __future__ import annotations

import pytest

from onrecord.clean import clean_text
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.attribution import subject_of
from onrecord.quotes.candidates import Candidate
from onrecord.quotes.direct import _new_sentence, direct_candidates
from onrecord.quotes.filtering import drop_inside_speech, nest, without
from onrecord.quotes.marks import MarkedSpan, find_marked_spans
from onrecord.quotes.reported import reported_candidates


@pytest.fixture
def stages(analyzer):
    """A function from a text to its parse, body, marks and the analyser's lexicon."""

    def run(text: str):
        cleaned = clean_text(text)
        docs = list(analyzer.nlp.pipe([cleaned.text[p.start : p.end] for p in cleaned.paragraphs]))
        parsed = ParsedArticle(
            cleaned.text,
            tuple(
                ParsedParagraph(i, p.start, doc, p.is_heading)
                for i, (p, doc) in enumerate(zip(cleaned.paragraphs, docs, strict=True))
            ),
        )
        body = list(parsed.body())
        marks = find_marked_spans(parsed.text, [(p.offset, p.end) for p in body])
        return parsed, body, marks, analyzer.lexicon

    return run


def _texts(parsed: ParsedArticle, cand: Candidate) -> list[str]:
    return [parsed.text[s:e] for s, e in cand.pieces]


# -- direct quotations --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "split_continued", "rules"),
    [
        pytest.param('"The plan has failed," Smith said.', False, ["direct.cue_after"], id="cue-after"),
        pytest.param(
            'Smith said: "We have lost the vote and we know it."',
            False,
            ["direct.cue_before"],
            id="cue-before",
        ),
        pytest.param('He called it a "reset" of relations.', False, [None], id="scare-quote"),
        pytest.param(
            '"The plan has failed," he said. "We start again."',
            True,
            ["direct.cue_after", "direct.continued"],
            id="continued-statement",
        ),
    ],
)
def test_direct_stage_gives_one_entry_per_mark(stages, text, split_continued, rules) -> None:
    parsed, body, marks, lexicon = stages(text)
    found = direct_candidates(parsed, body, marks, lexicon, split_continued=split_continued)
    assert [c.rule if c is not None else None for c in found] == rules


def test_direct_stage_joins_a_continued_quotation_in_polnears_convention(stages) -> None:
    parsed, body, marks, lexicon = stages('"The plan has failed," he said. "We start again."')
    first, second = direct_candidates(parsed, body, marks, lexicon, split_continued=False)
    assert first is second  # one quotation, standing once per mark
    assert first is not None and first.cue is not None and first.cue[1].text == "said"
    assert _texts(parsed, first) == ["The plan has failed,", "We start again."]


# -- reported speech ----------------------------------------------------------------------------------
def test_reported_stage_takes_the_complement_as_content(stages) -> None:
    parsed, body, marks, lexicon = stages("Smith said that the plan had failed.")
    (cand,) = reported_candidates(body, marks, [], lexicon, False)
    assert (cand.kind, cand.rule, cand.cue_class) == ("indirect", "indirect.speech", "speech")
    assert cand.cue is not None and cand.cue[1].text == "said"
    assert _texts(parsed, cand) == ["that the plan had failed"]


def test_reported_stage_makes_a_quoted_fragment_mixed(stages) -> None:
    parsed, body, marks, lexicon = stages('Smith said the plan had been "a disaster" from the start.')
    direct = direct_candidates(parsed, body, marks, lexicon)
    assert direct == [None]  # a short quoted stretch with no cue of its own
    (cand,) = reported_candidates(body, marks, direct, lexicon, False)
    assert (cand.kind, cand.rule, cand.consumed_marks) == ("mixed", "mixed.speech", {0})


# -- filtering ----------------------------------------------------------------------------------------
def test_a_weak_candidate_inside_reported_speech_is_dropped(stages) -> None:
    _, body, marks, lexicon = stages("He admitted that he had criticized the plan.")
    reported = reported_candidates(body, marks, [], lexicon, False)
    assert [c.rule for c in reported] == ["indirect.speech", "indirect.object"]
    assert [c.rule for c in drop_inside_speech(reported, [], rank=True)] == ["indirect.speech"]


def test_of_two_weak_candidates_holding_each_other_the_likelier_stays(stages) -> None:
    _, body, marks, lexicon = stages("Warren voiced concern about the deal.")
    reported = reported_candidates(body, marks, [], lexicon, False)
    cues = [c.cue[1].text for c in reported if c.cue is not None]
    assert cues == ["voiced", "concern"]
    kept = drop_inside_speech(reported, [], rank=True)
    assert [c.cue[1].text for c in kept if c.cue is not None] == ["concern"]
    assert len(drop_inside_speech(reported, [], rank=False)) == 2  # exploring: no confidences to rank


def test_nest_puts_a_candidate_in_the_quotation_holding_it() -> None:
    marks = [MarkedSpan(((0, 50),), 0, None, True), MarkedSpan(((60, 80),), 0, None, True)]
    outer = Candidate("direct", [(0, 50)], "direct.cue_after", 0, marks=[0])
    inner = Candidate("indirect", [(10, 20)], "indirect.speech", 0)
    apart = Candidate("direct", [(60, 80)], "direct.unattributed", 0, marks=[1])
    candidates = [outer, inner, apart]
    nest(candidates, marks)
    assert [c.parent for c in candidates] == [None, 0, None]


def test_without_renumbers_the_parents() -> None:
    kept_parent = Candidate("direct", [(0, 50)], "direct.cue_after", 0, marks=[0])
    gone = Candidate("indirect", [(5, 8)], "indirect.object", 0, parent=0)
    child = Candidate("indirect", [(10, 20)], "indirect.speech", 0, parent=0)
    later = Candidate("direct", [(60, 80)], "direct.cue_after", 0, marks=[1])
    nested_late = Candidate("indirect", [(62, 70)], "indirect.speech", 0, parent=3)
    kept = without([kept_parent, gone, child, later, nested_late], [gone])
    assert kept == [kept_parent, child, later, nested_late]
    assert [c.parent for c in kept] == [None, 0, None, 2]


# -- attribution --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "cue", "subject"),
    [
        pytest.param("Smith said the plan had failed.", "said", "Smith", id="own-subject"),
        pytest.param("He admitted the error but said it was over.", "said", "He", id="conjoined-verb"),
    ],
)
def test_subject_of_a_cue(stages, text, cue, subject) -> None:
    _, body, _, _ = stages(text)
    (verb,) = [t for t in body[0].doc if t.text == cue]
    found = subject_of(verb)
    assert found is not None and found.text == subject


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('"The plan," Jane Smith said, "is dead."', False, id="interrupted"),
        pytest.param('"A," he said. "B."', True, id="after-a-full-stop"),
        pytest.param('"We won." "The voters have spoken."', True, id="two-quotations"),
    ],
)
def test_new_sentence_between_quotations(text: str, expected: bool) -> None:
    end = text.index('"', 1)  # where the first quotation's piece ends: at its closing mark
    start = text.rindex('"', 0, text.rindex('"')) + 1  # where the last one's piece starts
    assert _new_sentence(text, end, start) is expected
