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


def test_passive_attribution_has_no_speaker_unless_an_agent(analyze, analyze_all):
    text = "Trump is expected to win Indiana easily. It was reported by the Times that the deal collapsed."
    analysis = analyze_all(text)
    expected = find(analysis, "to win Indiana")
    assert expected.speaker.name is None
    assert expected.component.endswith("indirect.passive")
    assert expected.cue_class == "unsourced"
    reported = find(analysis, "the deal collapsed")
    assert reported.speaker.mention == "Times"
    assert reported.cue_class == "speech"
    # A statement needs a source: by default only the Times' report is one.
    assert [q.content for q in analyze(text).quotes] == [reported.content]


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


# -- constructions added with the learned cue table (src/onrecord/data/cues_en.json) -----------------
# (text, exact content, component rule, speaker mention or None, cue)
CONSTRUCTIONS = [
    pytest.param(
        "Jane Smith said that the plan was dead.",
        "that the plan was dead",
        "indirect.speech",
        "Jane Smith",
        "said",
        id="that-stays-in-the-content",
    ),
    pytest.param(
        "Trump's plan to build a wall along the border angered many voters.",
        "to build a wall along the border",
        "indirect.noun",
        "Trump",
        "plan",
        id="noun-with-possessor",
    ),
    pytest.param(
        "Hillary Clinton was confident that she would win the nomination.",
        "that she would win the nomination",
        "indirect.adjective",
        "Hillary Clinton",
        "confident",
        id="adjective-with-clause",
    ),
    pytest.param(
        "Senator Sanders is critical of the trade deal with China.",
        "the trade deal with China",
        "indirect.adjective",
        "Sanders",
        "critical",
        id="adjective-with-preposition",
    ),
    pytest.param(
        "Trump appears to be winning the race in Indiana.",
        "Trump to be winning the race in Indiana",
        "indirect.raising",
        None,
        "appears",
        id="raising-verb-takes-its-subject",
    ),
    pytest.param(
        "Trump accused Clinton of lying about her emails.",
        "Clinton of lying about her emails",
        "indirect.object",
        "Trump",
        "accused",
        id="object-and-its-of-phrase",
    ),
    pytest.param(
        "Clinton described the plan as a disaster for working families.",
        "the plan as a disaster for working families",
        "indirect.object",
        "Clinton",
        "described",
        id="object-and-its-as-phrase",
    ),
    pytest.param(
        "Asked whether he would run again, John Brown smiled.",
        "whether he would run again",
        "indirect.passive",
        None,
        "Asked",
        id="participle-in-the-passive-has-no-source",
    ),
]


@pytest.mark.parametrize(("text", "content", "rule", "mention", "cue"), CONSTRUCTIONS)
def test_construction(analyze_all, text, content, rule, mention, cue):
    quote = find(analyze_all(text), content)
    assert quote.content == content
    assert quote.component.endswith(f":{rule}")
    assert quote.speaker.mention == mention
    assert quote.cue == cue
    assert 0.0 < quote.confidence <= 1.0


NOT_CONSTRUCTIONS = [
    # A noun with no holder reports nobody's plan.
    pytest.param("The plan to build a wall along the border angered many voters.", id="noun-without-holder"),
    # An adjective that only modifies a noun is no cue.
    pytest.param("The critical vote on the trade deal was delayed until Monday.", id="attributive-adjective"),
    # A raising verb with a pronoun subject says nothing about anyone.
    pytest.param("It seems to work well for most people in the state.", id="raising-verb-pronoun"),
    # A verb the cue table has no evidence for.
    pytest.param("He ate a sandwich before the meeting began.", id="plain-verb-object"),
]


@pytest.mark.parametrize("text", NOT_CONSTRUCTIONS)
def test_not_a_construction(analyze_all, text):
    assert analyze_all(text).quotes == ()


def test_weak_cue_inside_reported_speech_is_part_of_it(analyze):
    analysis = analyze("John Brown admitted that he had signed a resignation letter.")
    assert [q.content for q in analysis.quotes] == ["that he had signed a resignation letter"]
    believes = analyze("John Brown said he believes the economy will recover next year.")
    assert [q.cue for q in believes.quotes] == ["said"]


def test_of_a_verb_and_its_object_noun_only_the_likelier_is_kept(analyze_all):
    analysis = analyze_all("Senator Warren voiced concern about the new trade agreement.")
    assert len(analysis.quotes) == 1
    assert analysis.quotes[0].content == "the new trade agreement"


def test_a_participle_addressee_is_not_the_speaker(analyze):
    analysis = analyze(
        "The foundation would not comment on the case, "
        "telling Fox 35 that it was focused on ending gun violence."
    )
    quote = find(analysis, "it was focused on ending gun violence")
    assert quote.speaker.mention != "Fox 35"


def test_a_description_named_after_the_cue_is_the_speaker(analyze):
    analysis = analyze('"The economy is strong," said Oversight ranking Democrat Elijah Cummings.')
    quote = find(analysis, "The economy is strong")
    assert quote.speaker.name == "Elijah Cummings" or "Cummings" in (quote.speaker.mention or "")


def test_cue_table_pulls_rare_words_towards_their_family():
    from onrecord.lexicon import CueTable, family_of

    table = CueTable(
        counts={"vow|V.xcomp": (100, 80), "eat|V.dobj": (50, 0)},
        families={"V.xcomp|1": (10, 5), "V.dobj|0": (100, 10), "N.prep|0": (10, 1)},
        prior_weight=5.0,
        threshold=0.3,
    )
    assert family_of("N.prep.of") == "N.prep"
    # A frequent word is judged by its own count ...
    assert table.precision("vow", "V.xcomp", True) == pytest.approx((80 + 5 * 0.5) / 105)
    assert table.keeps("vow", "V.xcomp", True)
    assert not table.keeps("eat", "V.dobj", False)
    # ... an unseen one by its family's share, which depends on whether the word lists name it.
    assert table.precision("promise", "V.xcomp", True) == pytest.approx(0.5)
    assert not table.keeps("criticism", "N.prep.of", False)


def test_an_empty_cue_table_leaves_the_decision_to_the_word_lists():
    from onrecord.lexicon import CueTable

    table = CueTable(threshold=0.3)
    assert table.keeps("say", "V.ccomp", True)
    assert not table.keeps("eat", "V.dobj", False)


def test_the_shipped_cue_table_is_loaded():
    from onrecord.lexicon import load_lexicon

    table = load_lexicon("en").cue_table
    assert table.families, "src/onrecord/data/cues_en.json is missing or empty"
    assert table.keeps("say", "V.ccomp", True)
    assert not table.keeps("eat", "V.dobj", False)


def test_any_verb_in_a_short_closing_clause_is_the_cue(analyze):
    quote = find(analyze('"What was the pivot point?" Beck questioned.'), "What was the pivot point")
    assert quote.component.endswith("direct.clause_after")
    assert quote.speaker.mention == "Beck"
    assert quote.cue == "questioned"


def test_a_quotation_that_ends_its_sentence_takes_no_cue_from_the_next(analyze):
    analysis = analyze('John Brown spoke. "The plan is dead and we all know it now." Mary Jones smiled.')
    quote = find(analysis, "The plan is dead")
    assert quote.cue is None
    assert quote.speaker.mention != "Mary Jones"


def test_a_colon_gives_the_quotation_to_the_clause_before(analyze):
    quote = find(
        analyze('Rubio fired back forcefully: "If they sue us in a court in Miami, they are going to lose."'),
        "If they sue us",
    )
    assert quote.component.endswith("direct.colon")
    assert quote.speaker.mention == "Rubio"


def test_a_colon_after_no_clause_gives_no_speaker(analyze):
    quote = find(analyze('Here is the list. Important: "Bring water and food for the trip."'), "Bring water")
    assert quote.speaker.mention is None


@pytest.mark.parametrize(
    ("text", "fragment", "mention"),
    [
        pytest.param(
            "Her campaign sent out a press release saying that the senator owes Florida an explanation.",
            "the senator owes Florida an explanation",
            "Her campaign",
            id="what-the-object-says-its-sender-said",
        ),
        pytest.param(
            "Mary Jones responded by saying that the charges were false and politically motivated.",
            "the charges were false",
            "Mary Jones",
            id="by-saying",
        ),
    ],
)
def test_speaker_of_a_participle_cue(analyze, text, fragment, mention):
    assert find(analyze(text), fragment).speaker.mention == mention


def test_a_person_saying_something_is_its_speaker(analyze):
    # "saying" hangs on a person who is the object: the man speaks, not the reporters who follow him.
    analysis = analyze("The reporters followed a man saying that the plant would close next year.")
    assert all(q.speaker.mention != "The reporters" for q in analysis.quotes)
