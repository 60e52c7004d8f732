"""The whole per-article function: offsets, records, the seed article, bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onrecord.errors import ErrorCode, InputError
from onrecord.records import Analysis

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def norm(text: str) -> str:
    """What cleaning does to text: NFKC, no invisible characters, whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).split())


def assert_offsets(original: str, analysis: Analysis) -> None:
    """Every span points into the original input, and the input there is what the record says."""
    n = len(original)
    for quote in analysis.quotes:
        pieces = []
        for start, end in quote.content_spans:
            assert 0 <= start < end <= n
            pieces.append(norm(original[start:end]))
        assert norm(" ".join(pieces)) == norm(quote.content)
        if quote.cue_span is not None:
            assert norm(original[slice(*quote.cue_span)]) == norm(quote.cue or "")
        if quote.speaker.mention_span is not None:
            assert norm(original[slice(*quote.speaker.mention_span)]) == norm(quote.speaker.mention or "")
        if quote.context_span is not None:
            s, e = quote.context_span
            assert s <= quote.content_spans[0][0] and quote.content_spans[-1][1] <= e
    for entity in analysis.entities:
        for start, end in entity.mentions:
            assert 0 <= start < end <= n
    for date in analysis.dates:
        assert norm(original[slice(*date.span)]) == norm(date.text)


SENTENCES = [
    '"We will not give up," Jane Smith said.',
    "Jane Smith, the mayor of Springfield, said on Friday that the bridge would reopen.",
    "He admitted that he had signed a hand-written resignation letter.",
    "According to John Brown, the talks failed.",
    'The so-called "reset" failed.',
    "Roza Otunbayeva has said the agreement will be preserved.",
    "Bakiyev did not indicate where the pressure had come from.",
    "“It is over,” she said. “We lost.”",
]
SPACES = st.sampled_from([" ", "  ", "\u00a0", "\t", " \u200b"])
BREAKS = st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n\n\n"])


@st.composite
def articles(draw: st.DrawFn) -> str:
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        sentences = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))
        words = " ".join(sentences).split(" ")
        paragraphs.append("".join(w + draw(SPACES) for w in words).rstrip())
    return "".join(p + draw(BREAKS) for p in paragraphs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=articles())
def test_offsets_point_into_the_original_input(analyzer, text):
    analysis = analyzer.analyze(text, source="hypothesis", published="2010-04-23")
    assert_offsets(text, analysis)


def test_record_round_trips_through_json(analyze):
    analysis = analyze(
        '"We will not give up," Jane Smith, the mayor, said on Friday.', published="2010-04-23"
    )
    again = Analysis.from_dict(json.loads(analysis.to_json()))
    assert again == analysis


def test_record_has_the_contract_fields(analyze):
    data = analyze('"We will not give up," Jane Smith said.').to_dict()
    for key in (
        "id",
        "source",
        "title",
        "published",
        "language",
        "text",
        "quotes",
        "entities",
        "dates",
        "provenance",
    ):
        assert key in data
    quote = data["quotes"][0]
    for key in ("kind", "content", "content_spans", "cue", "cue_span", "speaker", "nested_in", "confidence"):
        assert key in quote
    assert set(quote["speaker"]) >= {"name", "mention", "mention_span", "entity"}
    assert data["provenance"]["model"] == "en_core_web_sm 3.8.0"
    assert 0.0 <= quote["confidence"] <= 1.0


def test_same_text_same_id(analyze):
    assert (
        analyze("Jane Smith said the plan was dead.").id
        == analyze("Jane Smith said  the plan was dead.\n").id
    )


def test_roles_from_apposition_and_title(analyze):
    analysis = analyze(
        "Vladimir Putin, the Russian prime minister, spoke first. "
        "US Secretary of State Hillary Clinton spoke next."
    )
    roles = {e.name: e.roles for e in analysis.entities if e.type == "PERSON"}
    assert "Russian prime minister" in roles["Vladimir Putin"]
    assert "US Secretary of State" in roles["Hillary Clinton"]


def test_one_entity_per_person(analyze):
    analysis = analyze("Kurmanbek Bakiyev left. Later Bakiyev said he was tired. Bakiyev then slept.")
    people = [e for e in analysis.entities if e.type == "PERSON" and "Bakiyev" in e.name]
    assert len(people) == 1
    assert people[0].name == "Kurmanbek Bakiyev"
    assert len(people[0].mentions) >= 3


def test_dates_resolve_against_publication(analyze):
    analysis = analyze(
        "Jane Smith said on Friday that the vote would be on October 10.", published="2010-04-23"
    )
    values = {d.text: d.value for d in analysis.dates}
    assert values.get("on Friday") == "2010-04-23"
    assert "2010-10-10" in values.values()


def test_dates_unresolved_without_publication(analyze):
    analysis = analyze("Jane Smith said on Friday that the plan was dead.")
    assert [d.value for d in analysis.dates if "Friday" in d.text] == [None]


BAD_INPUTS = [
    pytest.param("", ErrorCode.EMPTY, id="empty"),
    pytest.param("   \n\n  ", ErrorCode.EMPTY, id="whitespace"),
    pytest.param("abc\x00\x01\x02def", ErrorCode.BINARY, id="binary"),
    pytest.param(
        "Der Bundeskanzler sagte am Freitag, dass die Regierung die Steuern nicht erhöhen werde, und die "
        "Opposition kritisierte den Plan als unsozial und falsch für das ganze Land und seine Bürger.",
        ErrorCode.NOT_ENGLISH,
        id="german",
    ),
]


@pytest.mark.parametrize(("text", "code"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_code_and_the_source(analyzer, text, code):
    with pytest.raises(InputError) as info:
        analyzer.analyze(text, source="bad.txt")
    assert info.value.code == code
    assert "bad.txt" in str(info.value)


def test_too_large_input_is_refused(analyzer):
    with pytest.raises(InputError) as info:
        analyzer.analyze("word " * 300_000, source="big.txt")
    assert info.value.code == ErrorCode.TOO_LARGE


def test_seed_article_passes_every_check(analyzer, shared, tmp_path):
    article = shared / "examples" / "kyrgyzstan-2010.txt"
    original = article.read_text(encoding="utf-8")
    analysis = analyzer.analyze(original, source=str(article))
    assert_offsets(original, analysis)
    out = tmp_path / "out.json"
    out.write_text(analysis.to_json(), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(shared / "tools" / "seed_check.py"),
            str(out),
            str(article.with_suffix(".gold.json")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    # 51 checks for the gold, plus one "no false quote" check for each extra (nested) quotation.
    assert re.search(r"^seed: (\d+)/\1 checks pass$", result.stdout, re.M), result.stdout


def test_a_one_word_place_does_not_join_a_person(analyze):
    analysis = analyze("George Washington crossed the river in 1776. Washington is a city, the mayor said.")
    person = next(e for e in analysis.entities if e.name == "George Washington")
    city = analysis.text.index("Washington is")
    assert all(not (s <= city < e) for s, e in person.mentions)
    assert any(e.type == "GPE" and e.name == "Washington" for e in analysis.entities)


def test_unicode_bom_and_datetime_publication(analyzer):
    import datetime as dt

    analysis = analyzer.analyze(
        "\ufeffJane Smith said the plan was dead.", published=dt.datetime(2010, 4, 23, 12)
    )
    assert analysis.published == "2010-04-23"


def test_a_name_without_its_epithet_or_possessive_is_one_person(analyze):
    analysis = analyze("Billionaire Donald Trump said the wall would be built. Donald Trump‘s aides agreed.")
    people = [e.name for e in analysis.entities if e.type == "PERSON"]
    assert people == ["Donald Trump"]
