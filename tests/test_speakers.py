"""Speaker resolution (docs/entities.md, "Speaker resolution"): typed entities, agreement, descriptions,
unnamed speakers. Each case is a sentence written for this test; the classes come from BBC News errors."""

from __future__ import annotations

import pytest


def _speaker_of(record, fragment: str):
    quote = next(q for q in record.quotes if fragment in q.content)
    return quote.speaker


def test_the_worked_example_of_the_docs(analyze):
    record = analyze(
        "Tesco reported record profits on Tuesday. A spokeswoman for the supermarket said sales had risen. "
        '"We are delighted," she added. The firm said it would open 20 stores.'
    )
    spokeswoman = _speaker_of(record, "sales had risen")
    assert (spokeswoman.name, spokeswoman.named, spokeswoman.resolution) == (
        "A spokeswoman for the supermarket",
        False,
        "description.new",
    )
    she = _speaker_of(record, "We are delighted")
    assert she.entity == spokeswoman.entity and she.resolution == "pronoun.salience"
    assert record.text[slice(*she.antecedent_span)] == "A spokeswoman for the supermarket"
    firm = _speaker_of(record, "open 20 stores")
    assert (firm.name, firm.named, firm.resolution) == ("Tesco", True, "description.focus")
    unnamed = next(e for e in record.entities if e.id == spokeswoman.entity)
    assert unnamed.type == "UNNAMED"


@pytest.mark.parametrize(
    ("text", "fragment", "name", "named"),
    [
        # an unnamed speaker is named by its fullest description, and a later one points to it
        (
            "Prices rose again. A spokesman for the Ministry of Transport said the rise was temporary. "
            "Later the spokesman said fares would be frozen.",
            "fares would be frozen",
            "A spokesman for the Ministry of Transport",
            False,
        ),
        # plural unnamed speakers, and "they"
        (
            "The dam burst overnight. Officials in Hunan province said 300 homes were flooded. "
            "They said no one had died.",
            "no one had died",
            "Officials in Hunan province",
            False,
        ),
        # "it" goes to an organisation, never to a person
        (
            "John Smith has left Acme Foods. Acme Foods said on Monday that it had found a successor. "
            "It said the new chief would start in May.",
            "the new chief would start",
            "Acme Foods",
            True,
        ),
        # a title noun with the name in apposition: the name speaks
        (
            "Head of research at the institute, Professor Jane Doe, said the results were clear.",
            "the results were clear",
            "Jane Doe",
            True,
        ),
        # ... also when the parser hangs the name on the last noun of a long title
        (
            "Head of developmental genetics at the National Institute of Medical Research, Professor Robin "
            "Lovell-Badge, said he had seen the same debate in the US.",
            "he had seen the same debate",
            "Robin Lovell-Badge",
            True,
        ),
        # a show's name and "star" before the name: the name speaks, not the show
        (
            "Only Fools and Horses star David Jason said television had become too cautious.",
            "television had become too cautious",
            "David Jason",
            True,
        ),
        # a name that opens with a number, cut short by the NER model
        (
            "US rap star 50 Cent has said he has thrown his protege out of the group.",
            "he has thrown his protege",
            "50 Cent",
            True,
        ),
    ],
)
def test_speaker(analyze, text, fragment, name, named):
    speaker = _speaker_of(analyze(text), fragment)
    assert (speaker.name, speaker.named) == (name, named)


def test_he_after_a_newly_quoted_person_goes_to_that_person(analyze):
    # The prime minister has the most weight in the paragraph before; the MP spoke last.
    record = analyze(
        'Tony Blair said the plan was fair. "It is fair," Mr Blair told reporters. '
        '"We will not change it," he said.\n\n'
        'Tory MP Michael Mates told the BBC: "That is wrong." He said the plan would fail.'
    )
    assert _speaker_of(record, "the plan would fail").name == "Michael Mates"


def test_she_never_goes_to_a_man_known_by_his_first_name(analyze):
    record = analyze("Dominic Hirsch met Karen Lowe in London. She said the deal was done.")
    assert _speaker_of(record, "the deal was done").name == "Karen Lowe"


def test_a_role_description_goes_to_the_holder_of_the_role(analyze):
    record = analyze(
        "Gordon Brown, the chancellor, met union leaders on Monday. Tony Blair was abroad. "
        "The chancellor said the economy was strong."
    )
    speaker = _speaker_of(record, "the economy was strong")
    assert (speaker.name, speaker.resolution) == ("Gordon Brown", "description.role")


def test_a_description_in_the_lead_names_the_person_introduced_next(analyze):
    record = analyze(
        "A leading economist has told MPs that the recession is over.\n\n"
        "Mary Jones told the Treasury committee that growth had returned."
    )
    speaker = _speaker_of(record, "the recession is over")
    assert (speaker.name, speaker.resolution) == ("Mary Jones", "description.cataphora")


def test_the_lead_introducing_a_person_by_occupation_gives_them_that_role(analyze):
    record = analyze(
        "A leading economist has told MPs that the recession is over.\n\n"
        "Mary Jones told the Treasury committee that growth had returned."
    )
    person = next(e for e in record.entities if e.name == "Mary Jones")
    assert "leading economist" in person.roles


def test_an_occupation_goes_past_a_person_known_by_another_one(analyze):
    # The PR expert is mentioned most, but "the singer" is the singer, not her.
    record = analyze(
        "A PR expert has told the trial of Dan Lowry that a film about him was a disaster.\n\n"
        "Ann Kite told the court she was hired after the film. Ms Kite said it was shown in May. "
        "Ms Kite said Mr Lowry had been on tour. In the film, the singer said he had done nothing wrong."
    )
    speaker = _speaker_of(record, "he had done nothing wrong")
    assert (speaker.name, speaker.resolution) == ("Dan Lowry", "description.salience")


def test_occupations_of_one_family_describe_one_person(analyze):
    record = analyze(
        "Ronnie Corbett has attacked television.\n\n"
        "Speaking to a magazine, the comedy star said there is too much swearing. Corbett also "
        'criticised quiz shows. "It is just laughing at each other," said the 74-year-old comedian.'
    )
    assert _speaker_of(record, "laughing at each other").name == "Ronnie Corbett"


def test_a_description_that_names_nobody_is_an_unnamed_speaker_not_a_wrong_name(analyze):
    record = analyze("Gordon Brown spoke first. A government official said the talks had failed.")
    speaker = _speaker_of(record, "the talks had failed")
    assert speaker.named is False and speaker.name == "A government official"


def test_a_joint_subject_is_a_group_of_both(analyze):
    record = analyze("Labour and the Conservatives said the bill should be delayed.")
    speaker = _speaker_of(record, "the bill should be delayed")
    assert "Labour" in speaker.name and "Conservatives" in speaker.name
    assert speaker.named is True and speaker.resolution == "name.joint"
    record = analyze("Tony Blair and Gordon Brown said the campaign would start in April.")
    speaker = _speaker_of(record, "the campaign would start")
    assert speaker.name == "Tony Blair and Gordon Brown" and len(speaker.entities) == 2


def test_an_organisation_speaks_under_its_full_name(analyze):
    # The small model tags only "Democrats"; the subject's proper-noun phrase names the party.
    speaker = _speaker_of(analyze("The Liberal Democrats said the Conservatives cannot win."), "cannot win")
    assert speaker.name == "Liberal Democrats" and speaker.mention == "The Liberal Democrats"


def test_a_joint_subject_names_each_party_in_full(analyze):
    # The small model tags "Conservatives" and "Democrats"; each conjunct's own phrase names the party.
    record = analyze("The Conservatives and Liberal Democrats say they still want the advice published.")
    speaker = _speaker_of(record, "they still want the advice published")
    assert speaker.name == "Conservatives and Liberal Democrats"


def test_a_company_the_model_once_calls_a_person_is_not_he(analyze):
    """Rule 5 of docs/entities.md: "Blinkx" tagged a person once and a company or place elsewhere is
    the company, so "he" after a quotation goes to the co-founder, not to it."""
    record = analyze(
        '"The competition has validated the problem we tackle," said Suranga Chandratillake, co-founder '
        "of Blinkx. In the latest release of Blinkx, the company has added smart folders. What users do "
        "with Blinkx and other desktop search engines shows that people are promiscuous. "
        '"Blinkx users do not stop using other web search systems," he said.'
    )
    assert _speaker_of(record, "Blinkx users do not stop").name == "Suranga Chandratillake"
    assert not [e for e in record.entities if e.type == "PERSON" and e.name == "Blinkx"]


def test_a_name_with_an_honorific_stays_a_person(analyze):
    record = analyze(
        "Mr Brooks said the talks had failed. Brooks, the shipping group, reported a loss. "
        "Brooks shares fell. Mr Brooks said he would resign."
    )
    assert _speaker_of(record, "he would resign").name == "Brooks"
    assert any(e.type == "PERSON" and e.name == "Brooks" for e in record.entities)


def test_a_singular_description_is_not_the_unnamed_group_of_its_noun(analyze):
    """ "real experts say" makes an unnamed group; "the forensics expert" later is one person, the
    named expert just quoted, not that group."""
    record = analyze(
        "People expect too much of forensic science, real experts say.\n\n"
        '"Submissions to the laboratories go through the roof," said Max Houck, who runs a course. '
        "The American forensics expert said there were 300,000 samples waiting in US labs."
    )
    assert _speaker_of(record, "300,000 samples").name == "Max Houck"


def test_he_after_a_fronted_clause_is_its_subject(analyze):
    record = analyze(
        '"Nas is one of my friends," said Jayceon Taylor. "I will not turn on him," he added. '
        "When Curtis Jackson appeared on the same station two days later, he said Taylor was no "
        "longer a member of the group."
    )
    speaker = _speaker_of(record, "no longer a member")
    assert (speaker.name, speaker.resolution) == ("Curtis Jackson", "pronoun.clause")


def test_a_spokeswoman_of_a_named_body_is_an_unnamed_speaker_not_the_body(analyze):
    record = analyze(
        "Lord Woolf spoke on Tuesday.\n\n"
        "A Department for Constitutional Affairs spokeswoman said the two men agreed about the practice. "
        '"Their disagreement is about the wording," she said.'
    )
    speaker = _speaker_of(record, "the two men agreed")
    assert (speaker.name, speaker.named) == ("A Department for Constitutional Affairs spokeswoman", False)
    assert _speaker_of(record, "Their disagreement").entity == speaker.entity


def test_what_the_model_calls_a_person_but_names_no_one(analyze):
    """Rule 6 of docs/entities.md: parties are organisations, descriptions ending in a role and
    common nouns are no people, and a description before a name is not part of it."""
    record = analyze(
        "Labour said the plan was fair. The Lib Dems said it was not. Robert Kilroy-Silk spoke next. "
        "The East Midlands MEP said he would stand in Erewash. The show starred magician David Gish. "
        "Jurors said they were tired."
    )
    people = {e.name for e in record.entities if e.type == "PERSON"}
    assert "David Gish" in people and "Robert Kilroy-Silk" in people
    assert not people & {"Labour", "Lib Dems", "East Midlands MEP", "Jurors", "magician David Gish"}
    assert _speaker_of(record, "the plan was fair").name == "Labour"


def test_every_pronoun_of_a_person_joins_their_mentions_when_the_text_is_clear(analyze):
    """Not only a speaker's "he": the pronouns of a biography go to the person it is about; where two
    people of that gender are too close to tell apart, no link is made rather than a wrong one."""
    record = analyze(
        "Mr John Harlow was born in Leeds in 1950. His father was a miner, and he left school at 15. "
        "Later he joined the army.\n\n"
        "Mr Harlow met Mr Peter Stone in 1980. He said little."
    )
    text = record.text
    harlow = next(e for e in record.entities if e.name == "John Harlow")
    linked = [text[s:e] for s, e in harlow.mentions]
    assert linked.count("His") + linked.count("he") >= 3
    unclear = analyze("Mr Tom Adams met Mr Bill Brown on Friday. His car was red.")
    his = unclear.text.index("His")
    for person in unclear.entities:
        assert (his, his + 3) not in person.mentions, person.name


def test_the_words_of_a_quotation_are_never_its_speaker(analyze):
    # The parser makes the quoted "Bah" the subject of "wrote"; the speaker is named after the verb.
    record = analyze(
        'The council said the plan was final. "Bah," wrote a local resident who runs a neighbourhood '
        'blog. "What does the council know about it?"'
    )
    assert _speaker_of(record, "Bah").name == "a local resident"
