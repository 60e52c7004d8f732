"""Quotations and their speakers: (text, expected) cases for every kind, negatives included."""

from __future__ import annotations

import pytest

from onrecord.records import Analysis, Quote


def find(analysis: Analysis, fragment: str) -> Quote:
    matches = [q for q in analysis.quotes if fragment in q.content]
    assert matches, f"no quotation holds {fragment!r}; got {[q.content for q in analysis.quotes]}"
    return min(matches, key=lambda q: len(q.content))


# (text, content fragment, kind, speaker name (or None), mention kind, cue)
CASES = [
    pytest.param(
        '"We will not give up," Jane Smith said.',
        "We will not give up",
        "direct",
        "Jane Smith",
        "name",
        "said",
        id="direct-straight-speaker-after",
    ),
    pytest.param(
        "“We will not give up,” said Jane Smith.",
        "We will not give up",
        "direct",
        "Jane Smith",
        "name",
        "said",
        id="direct-curly-inverted",
    ),
    pytest.param(
        'Jane Smith said: "The plan is dead and we all know it."',
        "The plan is dead",
        "direct",
        "Jane Smith",
        "name",
        "said",
        id="direct-speaker-before",
    ),
    pytest.param(
        '"The plan," Jane Smith said, "is dead and buried."',
        "is dead and buried",
        "direct",
        "Jane Smith",
        "name",
        "said",
        id="direct-speaker-in-the-middle",
    ),
    pytest.param(
        "Jane Smith said that the plan was dead.",
        "the plan was dead",
        "indirect",
        "Jane Smith",
        "name",
        "said",
        id="indirect-said-that",
    ),
    pytest.param(
        "Jane Smith said the plan was dead.",
        "the plan was dead",
        "indirect",
        "Jane Smith",
        "name",
        "said",
        id="indirect-said-no-that",
    ),
    pytest.param(
        "John Brown told reporters the talks had failed.",
        "the talks had failed",
        "indirect",
        "John Brown",
        "name",
        "told",
        id="indirect-told-reporters",
    ),
    pytest.param(
        "John Brown has said the base will stay open.",
        "the base will stay open",
        "indirect",
        "John Brown",
        "name",
        "has said",
        id="indirect-has-said",
    ),
    pytest.param(
        "According to John Brown, the talks failed because nobody came.",
        "the talks failed",
        "indirect",
        "John Brown",
        "name",
        "According to",
        id="indirect-according-to",
    ),
    pytest.param(
        "John Brown admitted that he had taken the money.",
        "he had taken the money",
        "indirect",
        "John Brown",
        "name",
        "admitted",
        id="indirect-admitted",
    ),
    pytest.param(
        "John Brown warned that prices would rise.",
        "prices would rise",
        "indirect",
        "John Brown",
        "name",
        "warned",
        id="indirect-warned",
    ),
    pytest.param(
        "John Brown insisted that the vote was fair.",
        "the vote was fair",
        "indirect",
        "John Brown",
        "name",
        "insisted",
        id="indirect-insisted",
    ),
    pytest.param(
        'John Brown said he had been "under pressure" and would resign.',
        "under pressure",
        "mixed",
        "John Brown",
        "name",
        "said",
        id="mixed-fragment",
    ),
    pytest.param(
        "John Brown arrived late on Monday. He said the meeting had been cancelled.",
        "the meeting had been cancelled",
        "indirect",
        "John Brown",
        "pronoun",
        "said",
        id="speaker-pronoun-he",
    ),
    pytest.param(
        "Vladimir Putin, the Russian prime minister, met the press. "
        "The prime minister said the talks were useful.",
        "the talks were useful",
        "indirect",
        "Vladimir Putin",
        "description",
        "said",
        id="speaker-description",
    ),
    pytest.param(
        '"We are ready," John Brown said.\n\n"We have waited for years and we will wait no longer."',
        "We have waited for years",
        "direct",
        "John Brown",
        "implied",
        None,
        id="speaker-implied-next-paragraph",
    ),
    pytest.param(
        '"The first part of what I have to say goes on.\n\n"And this is the end of it," Mary Jones said.',
        "And this is the end",
        "direct",
        "Mary Jones",
        "name",
        "said",
        id="direct-multi-paragraph",
    ),
    pytest.param(
        "Kurmanbek Bakiyev spoke in Minsk. Bakiyev said he would stay.",
        "he would stay",
        "indirect",
        "Kurmanbek Bakiyev",
        "name",
        "said",
        id="speaker-surname-joins-full-name",
    ),
]


@pytest.mark.parametrize(("text", "fragment", "kind", "speaker", "mention_kind", "cue"), CASES)
def test_quotation(analyze, text, fragment, kind, speaker, mention_kind, cue):
    analysis = analyze(text)
    quote = find(analysis, fragment)
    assert quote.kind == kind
    assert quote.speaker.name == speaker
    assert quote.speaker.mention_kind == mention_kind
    assert quote.cue == cue


def test_multi_paragraph_quote_is_one_quotation_in_two_pieces(analyze):
    text = '"The first part of what I have to say goes on.\n\n"And this is the end of it," Mary Jones said.'
    quote = find(analyze(text), "And this is the end")
    assert len(quote.content_spans) == 2
    assert "The first part" in quote.content


def test_nested_quotation_points_to_its_enclosing_one(analyze):
    analysis = analyze('"Vladimir Putin said he could not help us at all," Kurmanbek Bakiyev said.')
    outer = find(analysis, "Vladimir Putin said he could not help")
    inner = find(analysis, "he could not help us at all")
    assert inner is not outer
    assert inner.nested_in == analysis.quotes.index(outer)
    assert inner.speaker.name == "Vladimir Putin"
    assert outer.speaker.name == "Kurmanbek Bakiyev"


def test_single_quotes_inside_double_quotes(analyze):
    analysis = analyze(
        "Dmitry Medvedev and Vladimir Putin met him in March.\n\n"
        "\"They told me 'this annoys us'\", Kurmanbek Bakiyev said."
    )
    inner = find(analysis, "this annoys us")
    assert inner.nested_in is not None
    assert inner.cue == "told"
    assert inner.speaker.mention == "They"
    assert "Putin" in (inner.speaker.name or "") and "Medvedev" in (inner.speaker.name or "")


def test_she_goes_to_the_salient_person(analyze):
    analysis = analyze(
        "Roza Otunbayeva, the interim leader, has said the base agreement will be preserved, "
        "although she has said there are some outstanding questions."
    )
    first = find(analysis, "the base agreement will be preserved")
    second = find(analysis, "there are some outstanding questions")
    assert "although" not in first.content
    assert second.speaker.name == "Roza Otunbayeva"
    assert second.speaker.mention == "she"


NOT_QUOTES = [
    pytest.param("John Brown did not indicate where the money had come from.", id="negated-did-not"),
    pytest.param("John Brown never said that he would resign from the board.", id="negated-never"),
    pytest.param('The so-called "reset" with Russia has failed badly this year.', id="scare-quotes"),
    pytest.param('She starred in "Gone with the Wind" in 1939 and then retired.', id="quoted-title"),
    pytest.param("Brown says he will win\n\nThe campaign began on Monday in Ohio.", id="headline"),
    pytest.param("John Brown declined to say whether he would run again.", id="declined-to-say"),
]


@pytest.mark.parametrize("text", NOT_QUOTES)
def test_not_a_quotation(analyze, text):
    assert analyze(text).quotes == ()


def test_passive_attribution_has_no_speaker_unless_an_agent(analyze):
    analysis = analyze(
        "Trump is expected to win Indiana easily. It was reported by the Times that the deal collapsed."
    )
    expected = find(analysis, "to win Indiana")
    assert expected.speaker.name is None
    assert expected.component.endswith("indirect.passive")
    reported = find(analysis, "the deal collapsed")
    assert reported.speaker.mention == "Times"


def test_pronouns_follow_gender_from_first_names(analyze):
    analysis = analyze(
        "Donald Trump met Hillary Clinton on Monday. She said the meeting had been useful. "
        "He said it had been a waste of time."
    )
    assert find(analysis, "the meeting had been useful").speaker.name == "Hillary Clinton"
    assert find(analysis, "a waste of time").speaker.name == "Donald Trump"


def test_a_closing_mark_typed_the_wrong_way_round(analyze):
    analysis = analyze(
        "“The reality is that this could create real problems for her here,“ said Jim Clyburn."
    )
    quote = find(analysis, "The reality is")
    assert quote.kind == "direct"
    assert quote.speaker.name == "Jim Clyburn"


def test_a_full_stop_ends_a_quotation_and_its_attribution(analyze):
    analysis = analyze(
        'John Brown said, "I think he will try to be friendly with his colleagues." '
        'At the same time, Mary Jones added, "It did not do him much good, either."'
    )
    first = find(analysis, "friendly with his colleagues")
    second = find(analysis, "much good")
    assert first is not second
    assert first.speaker.name == "John Brown"
    assert second.speaker.name == "Mary Jones"
