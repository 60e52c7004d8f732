"""What counts as a statement (issue #14): the cue classes, and what the default record keeps.

The cases follow the speakers-dev guidelines (../shared/data/speakers-dev/README.md): speech verbs with
a reported clause or a quotation are statements; beliefs, intentions, a speech verb's noun-phrase or
to-infinitive complement, nominal attributions, reported questions and sourceless passives are not,
though PolNeAR counts them (``statements="all"`` keeps them, each with its class).
"""

from __future__ import annotations

import pytest

from onrecord.pipeline import Analyzer
from onrecord.records import Analysis, Quote


def holding(analysis: Analysis, fragment: str) -> Quote:
    matches = [q for q in analysis.quotes if fragment in q.content]
    assert matches, f"no attribution holds {fragment!r}; got {[q.content for q in analysis.quotes]}"
    return min(matches, key=lambda q: len(q.content))


# (text, a fragment of the attribution's content, its cue class)
NOT_STATEMENTS = [
    pytest.param("The senator believes it is time for a change in the party.", "time for a change", "belief"),
    pytest.param("Mr Jones urged people to put the figures into context.", "to put the figures", "intention"),
    pytest.param("The regulator pledged to clamp down on unfair pricing.", "to clamp down", "intention"),
    pytest.param("The MP asked Mr Brown whether he would stand down.", "he would stand down", "question"),
    pytest.param(
        "The firm has explained why the websites were saved.", "the websites were saved", "question"
    ),
    pytest.param("The union welcomed the proposed cuts in wholesale prices.", "the proposed cuts", "topic"),
    pytest.param(
        "Mr Howard's claim that immigration was out of control angered Labour.", "immigration", "nominal"
    ),
    pytest.param("The deal is expected to collapse within weeks.", "to collapse", "unsourced"),
]


@pytest.mark.parametrize(("text", "fragment", "cue_class"), NOT_STATEMENTS)
def test_not_a_statement_but_kept_with_its_class_on_request(analyze, analyze_all, text, fragment, cue_class):
    assert analyze(text).quotes == ()
    assert holding(analyze_all(text), fragment).cue_class == cue_class


STATEMENTS = [
    # (text, content, kind, cue)
    pytest.param(
        "Mr Smith pointed out that the farm employs 300 workers.",
        "that the farm employs 300 workers",
        "indirect",
        "pointed",
        id="pointed-out",
    ),
    pytest.param(
        "The government is seizing the estates, which ministers say are lying idle.",
        "are lying idle",
        "indirect",
        "say",
        id="relative-wh-word-is-no-question",
    ),
    pytest.param(
        'A PR expert told the court that the film was an "absolute disaster".',
        'that the film was an "absolute disaster',
        "mixed",
        "told",
        id="that-clause-is-no-question",
    ),
    pytest.param(
        "It was reported by the Times that the deal had collapsed.",
        "the deal had collapsed",
        "indirect",
        "was reported",
        id="report-is-speech",
    ),
]


@pytest.mark.parametrize(("text", "content", "kind", "cue"), STATEMENTS)
def test_a_statement(analyze, text, content, kind, cue):
    quote = holding(analyze(text), content)
    assert (quote.kind, quote.cue, quote.cue_class) == (kind, cue, "speech")


@pytest.mark.parametrize(
    ("text", "content", "cue"),
    [
        (
            'He called the decision "a disappointment of historic proportions".',
            "a disappointment of historic proportions",
            "called",
        ),
        ('She described the performance as "disappointing".', "disappointing", "described"),
        (
            'The actor criticised British television for being "too safe and too cheap".',
            "too safe and too cheap",
            "criticised",
        ),
    ],
)
def test_a_wholly_quoted_object_predicate_is_a_direct_statement(analyze, text, content, cue):
    """The guidelines' direct statements whose quotation is what the verb says of its object."""
    (quote,) = analyze(text).quotes
    assert (quote.kind, quote.content, quote.cue) == ("direct", content, cue)


def test_a_quotation_after_a_clause_of_the_writers_does_not_go_on_with_the_one_before(analyze):
    analysis = analyze(
        '"Writers have to be brave," Victoria Wood said. And last week the actor David Jason '
        'criticised British television for being "too safe and too cheap".'
    )
    assert [(q.content, q.speaker.name) for q in analysis.quotes] == [
        ("Writers have to be brave,", "Victoria Wood"),
        ("too safe and too cheap", "David Jason"),
    ]


def test_a_new_quotation_after_a_closed_one_is_a_new_statement_by_the_same_speaker(analyze, analyze_all):
    text = '"We won," said Jane Smith, who leads the party. "The voters have spoken."'
    first, second = analyze(text).quotes
    assert (first.content, first.speaker.name) == ("We won,", "Jane Smith")
    assert (second.content, second.speaker.name, second.speaker.mention_kind) == (
        "The voters have spoken.",
        "Jane Smith",
        "implied",
    )
    assert second.cue is None and second.component.endswith(":direct.continued")
    # PolNeAR's convention joins them: one content in two pieces.
    (joined,) = analyze_all(text).quotes
    assert len(joined.content_spans) == 2 and joined.speaker.name == "Jane Smith"


def test_an_interrupted_quotation_stays_one_statement(analyze):
    (quote,) = analyze('"The plan," Jane Smith said, "is dead and buried."').quotes
    assert quote.content == "The plan, is dead and buried." and len(quote.content_spans) == 2


def test_left_out_attributions_still_count_for_the_speakers_after_them(analyze, analyze_all):
    """A belief is no statement, but its holder is who "she" in the next sentence is."""
    text = "Sarah Green believes the plan will fail. She said the council had been warned."
    said = holding(analyze(text), "the council had been warned")
    assert said.speaker.name == "Sarah Green"
    assert [q.cue_class for q in analyze_all(text).quotes] == ["belief", "speech"]


def test_the_setting_is_checked():
    with pytest.raises(ValueError, match="statements must be one of"):
        Analyzer(nlp=object(), statements="beliefs")  # type: ignore[arg-type]


def test_a_quotation_left_open_and_reopened_in_the_line_is_one_statement(analyze):
    """The speakers-dev convention of a quotation run on: '... enemies. "You ...' opens a further piece
    of the same quotation, which was never closed; a closed one followed by a new one is two."""
    from onrecord.quotes.marks import find_marked_spans

    text = (
        'But he added: "I think he is making more enemies. "You bring more people wanting to see you '
        'fail." Tupac was shot in 1996. "We won." "The voters have spoken," she said.'
    )
    marks = find_marked_spans(text, [(0, len(text))])
    assert [[text[s:e] for s, e in m.pieces] for m in marks] == [
        ["I think he is making more enemies.", "You bring more people wanting to see you fail."],
        ["We won."],
        ["The voters have spoken,"],
    ]
    (quote, *_) = analyze(text).quotes
    assert len(quote.content_spans) == 2 and quote.cue == "added"


def test_a_reported_clause_keeps_its_trailing_adjunct_and_its_part_after_the_cue(analyze, analyze_all):
    """The speakers-dev guidelines take the whole reported clause; PolNeAR's annotators leave a trailing
    adjunct out, and so does statements="all"."""
    text = (
        "The paper said the market was enjoying steady growth, making more than 210bn yuan in profit. "
        "Incidents like this happen, said Mr Thiemann, because banks change their networks."
    )
    growth, incidents = analyze(text).quotes
    assert growth.content == "the market was enjoying steady growth, making more than 210bn yuan in profit"
    assert incidents.content.startswith("Incidents like this happen")
    assert len(incidents.content_spans) == 2 and incidents.content.endswith("change their networks")
    polnear = analyze_all(text).quotes
    assert polnear[0].content == "the market was enjoying steady growth"
    assert polnear[1].content == "Incidents like this happen"


def test_a_statement_inside_what_another_is_reported_as_saying_is_nested(analyze):
    """ "... immigration, which he said was out of control" stays inside Mr Howard's statement (the
    speakers-dev guidelines): the inner one is nested, not a statement of its own."""
    record = analyze(
        "Michael Howard said the government had lost control of the system, which he said was failing "
        "the country, and that a Conservative government would act."
    )
    top = [q for q in record.quotes if q.nested_in is None]
    assert [q.cue for q in top] == ["said"] and "which he said was failing" in top[0].content
    nested = [q for q in record.quotes if q.nested_in is not None]
    assert nested and all(record.quotes[q.nested_in] is top[0] for q in nested)
