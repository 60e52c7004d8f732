"""Roles read off titles, appositions and copulas (onrecord.entities.roles), and roles as facts."""

from __future__ import annotations

import json

import pytest

from onrecord.entities.roles import normalise
from onrecord.records import Analysis


def _roles(analysis: Analysis, surname: str) -> list[str]:
    people = [e for e in analysis.entities if e.type == "PERSON" and e.name.split()[-1] == surname]
    assert people, f"no person named {surname}: {[e.name for e in analysis.entities]}"
    return [r.lower() for p in people for r in p.roles]


# (sentence, the person's surname, roles that must be found, roles that must not be)
CASES = [
    # titles before the name, one word or several, capitalised or not
    (
        "Green Party chairman Oskar Lindqvist said the vote was lost.",
        "Lindqvist",
        ["green party chairman"],
        [],
    ),
    (
        "Acme spokeswoman Priya Natarajan said the plant would stay open.",
        "Natarajan",
        ["acme spokeswoman"],
        [],
    ),
    ("Spokesman Tomas Brandt said the talks had ended.", "Brandt", ["spokesman"], []),
    ("The deal was praised by toy shop owner Margaret Ellison on Monday.", "Ellison", ["toy shop owner"], []),
    (
        "Video games maker Stefan Kowalczyk said the studio would grow.",
        "Kowalczyk",
        ["video games maker"],
        [],
    ),
    # office modifiers stay inside the role
    (
        "Shadow chancellor Ruth Abernathy attacked the budget.",
        "Abernathy",
        ["shadow chancellor"],
        ["chancellor"],
    ),
    (
        "The party's co-chairman Dev Anand welcomed the result.",
        "Anand",
        ["party's co-chairman"],
        ["chairman"],
    ),
    ("Acting governor Lena Sorensen signed the order.", "Sorensen", ["acting governor"], ["governor"]),
    ("Former minister Hugo Lindgren resigned from the board.", "Lindgren", ["former minister"], ["minister"]),
    ("Deputy mayor Carla Mendes opened the bridge.", "Mendes", ["deputy mayor"], ["mayor"]),
    # an honorific is no role; the title before it is
    ("Memory expert Dr Anika Roth said sleep mattered.", "Roth", ["memory expert"], ["dr"]),
    # a title whose head has a short "of" complement
    ('"It works," director of marketing Tom Fischer said.', "Fischer", ["director of marketing"], []),
    # appositions, both orders, commas and dashes
    ("The chairman of the Liberal Party, Arne Holm, said no.", "Holm", ["chairman of the liberal party"], []),
    (
        "Maria Ortega, a senior lecturer at Leeds University, said the test failed.",
        "Ortega",
        ["senior lecturer at leeds university"],
        [],
    ),
    ("Jonas Berg - the band's drummer - said the tour was over.", "Berg", ["band's drummer"], []),
    (
        "Elena Petrova, co-founder of Snapwise, said users liked it.",
        "Petrova",
        ["co-founder of snapwise"],
        ["founder of snapwise"],
    ),
    (
        "Kofi Mensah, Ghana's self-declared interim leader, spoke.",
        "Mensah",
        ["ghana's self-declared interim leader"],
        [],
    ),
    # two coordinated roles are two roles
    (
        "Rosa Quintero, chairman and chief executive of Norvale Foods, said sales rose.",
        "Quintero",
        ["chairman of norvale foods", "chief executive of norvale foods"],
        [],
    ),
    (
        "The cost is high, says Omar Haddad, report author and a senior fellow at the Lindon Institute.",
        "Haddad",
        ["report author", "senior fellow at the lindon institute"],
        [],
    ),
    # copulas
    ("Ingrid Solberg is the chief executive of Fjordline.", "Solberg", ["chief executive of fjordline"], []),
    ("Paolo Ricci, who is now the party's deputy leader, spoke.", "Ricci", ["party's deputy leader"], []),
    # an ended role ("was") is not stated as a present one
    (
        "Tariq Aziz was the foreign minister of the old regime.",
        "Aziz",
        [],
        ["foreign minister of the old regime"],
    ),
    # no role from another person's words
    (
        "Noor Hassan, a campaigner, met foreign minister Sven Dahl.",
        "Hassan",
        ["campaigner"],
        ["foreign minister"],
    ),
    ("Anna Kovacs, former actress Lucia Moreau and others left.", "Kovacs", [], ["former actress"]),
    ("We have data, said Mr Pieters, users search five times a day.", "Pieters", [], ["users"]),
    # party membership and relations are not roles
    ("Democrat Joan Whitfield voted against the bill.", "Whitfield", [], ["democrat"]),
    ("Her father, Bruno Marchetti, said she was safe.", "Marchetti", [], ["father"]),
]


@pytest.mark.parametrize(("sentence", "surname", "wanted", "unwanted"), CASES)
def test_role_constructions(analyze, sentence, surname, wanted, unwanted):
    roles = _roles(analyze(sentence), surname)
    for role in wanted:
        assert role in roles, (sentence, roles)
    for role in unwanted:
        assert role not in roles, (sentence, roles)


def test_roles_are_facts_with_offsets_evidence_and_date(analyze):
    text = (
        "Ukraine's new president, Oles Bondar, met Acme spokesman Ivo Grant. "
        "Kai Lund is the chairman of Acme."
    )
    analysis = analyze(text, published="2024-05-02")
    facts = {e.name: e.role_facts for e in analysis.entities if e.type == "PERSON"}
    by_evidence = {f.evidence: f for name in facts for f in facts[name]}
    assert set(by_evidence) == {"apposition", "title", "copula"}
    for fact in by_evidence.values():
        start, end = fact.span
        assert analysis.text[start:end] == fact.role
        assert fact.date == "2024-05-02"
        assert 0 < fact.confidence <= 1
        assert fact.component.startswith("onrecord.roles.v")
    assert [f.normalised for f in facts["Oles Bondar"]] == ["ukraine's new president"]
    # the role strings stay beside the facts, in the same order
    for entity in analysis.entities:
        assert list(entity.roles[: len(entity.role_facts)]) == [f.role for f in entity.role_facts]


def test_role_facts_survive_json_and_offsets_point_into_the_input(analyze):
    text = "Intro line.\n\n  Acme   spokesman   Ivo Grant said no."
    analysis = analyze(text)
    back = Analysis.from_dict(json.loads(analysis.to_json()))
    assert back == analysis
    (fact,) = [f for e in back.entities for f in e.role_facts]
    assert fact.evidence == "title"
    assert " ".join(text[fact.span[0] : fact.span[1]].split()) == "Acme spokesman"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("the then Lord Chancellor", "former lord chancellor"),
        ("Ex-President", "former president"),
        ("one of the party’s  two members", "party's two members"),
        ("Shadow Chancellor", "shadow chancellor"),
    ],
)
def test_normalise(written, normalised):
    assert normalise(written) == normalised


def test_a_name_the_speaker_resolver_added_gets_its_title(analyze):
    """The NER model tags neither name; the speaker resolver adds them, after the first roles pass."""
    record = analyze(
        'But fertility expert Lord Winston said he thought it was "rather odd". "Now the real '
        'negotiation begins," director of telecoms research Tony Lavender said.'
    )
    assert "fertility expert" in _roles(record, "Winston")
    assert "director of telecoms research" in _roles(record, "Lavender")


def test_a_coordinated_description_gives_both_roles(analyze):
    record = analyze(
        "Germaine Greer left the show on Friday. The feminist writer and broadcaster said the producers "
        "had behaved badly."
    )
    assert {"feminist writer", "broadcaster"} <= set(_roles(record, "Greer"))


def test_an_occupation_introducing_the_lead_is_the_role_of_the_person_named_next(analyze):
    record = analyze(
        "A US flight attendant is fighting for her job after she was suspended over her blog.\n\n"
        "Maria Lopez, 30, posted pictures of herself in uniform. Her airline declined to comment."
    )
    person = next(e for e in record.entities if e.name == "Maria Lopez")
    assert "US flight attendant" in person.roles
    assert "A US flight attendant" in [record.text[s:e] for s, e in person.mentions]
