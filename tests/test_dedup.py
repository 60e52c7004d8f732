"""Near-duplicate detection: wire copies are one story; different articles, even on one event, are not."""

from __future__ import annotations

import hashlib
import json
import pickle
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.clean.dedup import JACCARD_THRESHOLD, NearDuplicateIndex, jaccard, shingles

# A made-up wire story, and a different article by another outlet on the same council vote: the same
# people, the same numbers, one short quotation in common.
WIRE = """Norhaven council votes to freeze bus fares for two years

NORHAVEN (Wire) - Norhaven's city council voted 9-4 on Tuesday to freeze bus fares until 2027, rejecting
a proposal from the transit authority to raise the single fare by 30 cents to cover a budget gap.

Council member Ada Lindqvist, who sponsored the freeze, said riders had already absorbed two increases
since 2021. "People who take the bus to work should not pay for the authority's accounting mistakes,"
Lindqvist told reporters after the vote.

The transit authority had warned that a freeze would leave it about $14 million short next year and could
force it to cut evening service on six routes. Its chief executive, Marcus Obi, said the authority would
now look for savings in maintenance contracts and administration before touching service.

"We will do everything we can to keep the buses running," Obi said. "But the council has to understand
that money does not appear out of nowhere."

The freeze still needs the signature of Mayor Helen Farrow, who has said she supports keeping fares
low but has not committed to the plan. A spokesperson for the mayor said she would review the measure
this week.

Ridership in Norhaven has recovered to about 85 percent of its 2019 level, according to the authority's
latest figures, and officials had hoped that a stable fare would bring back more commuters."""

OTHER_ON_THE_SAME_VOTE = """Fare freeze wins council backing, but transit chief warns of cuts

The Norhaven Chronicle - A majority of the city council backed a two-year bus fare freeze on Tuesday,
handing a setback to transit officials who wanted a 30-cent increase. The vote was 9-4.

Ada Lindqvist, the council member behind the measure, argued that commuters had paid enough. Transit
authority chief Marcus Obi countered that the freeze opens a $14 million hole in next year's budget,
and evening buses on six routes could be at risk. "We will do everything we can to keep the buses
running," he said, adding that maintenance contracts would be reviewed first.

Mayor Helen Farrow has not said whether she will sign the measure. Her office said only that it was
reviewing it. Bus ridership stands at roughly 85 percent of pre-pandemic levels."""

SENTENCE = (
    "The transit authority had warned that a freeze would leave it about $14 million short next year",
    "Authority officials had cautioned that the budget gap would reach roughly $14 million in 2026",
)
PARAGRAPH = (
    "\n\nThe council also approved a study of free fares for students, to be presented in the spring. "
    "Several members said they wanted to see the cost before committing to the idea."
)


def edited(*, sentence: bool = False, paragraph: bool = False, headline: bool = False) -> str:
    text = WIRE.replace(*SENTENCE) if sentence else WIRE
    text = text.replace("\n\nThe freeze still", PARAGRAPH + "\n\nThe freeze still") if paragraph else text
    if headline:
        text = "Bus riders spared fare rise as Norhaven council votes for freeze" + text[text.index("\n") :]
    return text


@pytest.mark.parametrize(
    ("name", "text", "same_story"),
    [
        ("identical", WIRE, True),
        ("a sentence changed", edited(sentence=True), True),
        ("a paragraph added", edited(paragraph=True), True),
        ("a different headline", edited(headline=True), True),
        ("all three edits", edited(sentence=True, paragraph=True, headline=True), True),
        ("the first half only", WIRE[: len(WIRE) // 2], True),
        ("another article on the same vote", OTHER_ON_THE_SAME_VOTE, False),
        (
            "the same quotation alone",
            '"We will do everything we can to keep the buses running," Obi said.',
            False,
        ),
    ],
)
def test_wire_copies(name, text, same_story):
    index = NearDuplicateIndex()
    assert index.add("wire", WIRE) == "wire"
    assert (index.add("copy", text) == "wire") is same_story, (name, jaccard(WIRE, text))


def test_measured_similarities():
    """The numbers docs/warc.md quotes for the made-up story."""
    assert round(jaccard(WIRE, edited(sentence=True)), 2) == 0.84
    assert round(jaccard(WIRE, edited(paragraph=True)), 2) == 0.86
    assert round(jaccard(WIRE, edited(headline=True)), 2) == 0.91
    assert round(jaccard(WIRE, edited(sentence=True, paragraph=True, headline=True)), 2) == 0.67
    assert round(jaccard(WIRE, WIRE[: len(WIRE) // 2]), 2) == 0.49
    assert round(jaccard(WIRE, OTHER_ON_THE_SAME_VOTE), 2) == 0.02


def test_stories_join_the_first_article():
    index = NearDuplicateIndex()
    assert index.add("a", WIRE) == "a"
    assert index.add("b", OTHER_ON_THE_SAME_VOTE) == "b"
    assert index.add("c", edited(headline=True)) == "a"
    assert index.add("d", edited(sentence=True, paragraph=True)) == "a"
    assert index.add("c", "anything") == "a"  # an id is added once
    assert index.stories() == {"a": ["a", "c", "d"], "b": ["b"]}
    assert index.find_story(edited(paragraph=True)) == "a" and len(index) == 4
    assert index.find_story("Something else entirely, about the weather on the coast.") is None
    assert index.similarity("a", "c") > JACCARD_THRESHOLD > index.similarity("a", "b")
    assert "a" in index and "z" not in index


def test_round_trips():
    index = NearDuplicateIndex()
    for i, text in enumerate([WIRE, OTHER_ON_THE_SAME_VOTE, edited(headline=True)]):
        index.add(f"id{i}", text)
    for copy in (
        pickle.loads(pickle.dumps(index)),
        NearDuplicateIndex.from_dict(json.loads(json.dumps(index.to_dict()))),
    ):
        assert copy.stories() == index.stories()
        assert copy.add("new", edited(sentence=True)) == "id0"
        assert copy.add("other", OTHER_ON_THE_SAME_VOTE + " More.") == "id1"


def test_from_dict_refuses_what_it_cannot_read():
    data = NearDuplicateIndex().to_dict()
    with pytest.raises(ValueError, match="version"):
        NearDuplicateIndex.from_dict(data | {"version": 99})
    with pytest.raises(ValueError, match="signature"):
        NearDuplicateIndex.from_dict(data | {"articles": [["a", "a", [1, 2, 3]]]})
    index = NearDuplicateIndex()
    with pytest.raises(ValueError, match="signature"):
        index.add_signature("a", index.signature(WIRE).astype("int64"))
    assert index.add_signature("a", index.signature(WIRE)) == "a" and index.add("b", WIRE) == "a"


def test_signatures_are_stable():
    """A saved index is only valid while signatures do not change: this pins them."""
    signature = NearDuplicateIndex().signature(WIRE)
    assert signature.shape == (128,) and signature.dtype.name == "uint32"
    assert hashlib.sha256(signature.tobytes()).hexdigest()[:16] == PINNED_SIGNATURE


PINNED_SIGNATURE = "b3ee94583feeb7cb"


def test_shingles():
    assert shingles("One two three") == {"one two three"}
    assert shingles("") == {""}
    assert shingles("A b, C d e f!") == {"a b c d e", "b c d e f"}
    assert jaccard("The same words.", "the SAME words") == 1.0


def test_bad_settings():
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0)
    with pytest.raises(ValueError):
        NearDuplicateIndex(band_rows=200)


WORDS = st.text(alphabet="abcdefghijklm", min_size=1, max_size=8)
OTHER_WORDS = st.text(alphabet="nopqrstuvwxyz", min_size=1, max_size=8)


@given(text=st.text(max_size=400), others=st.lists(st.text(max_size=200), max_size=4))
@settings(max_examples=60, deadline=None)
def test_identical_texts_always_share_a_story(text, others):
    index = NearDuplicateIndex()
    first = index.add("first", text)
    for i, other in enumerate(others):
        index.add(f"other{i}", other)
    assert index.add("second", text) == first


@given(a=st.lists(WORDS, min_size=1, max_size=120), b=st.lists(OTHER_WORDS, min_size=1, max_size=120))
@settings(max_examples=60, deadline=None)
def test_unrelated_texts_are_never_one_story(a, b):
    index = NearDuplicateIndex()
    index.add("a", " ".join(a))
    assert index.add("b", " ".join(b)) == "b"


# -- the measurement behind JACCARD_THRESHOLD: ../shared/data/aeb -----------------------------------
EXTRA = (
    "In a separate statement released later in the day, officials said they would continue to monitor "
    "the situation closely and provide updates to the public as more information became available."
)


@pytest.fixture(scope="module")
def aeb_articles(request) -> list[dict]:
    shared = request.getfixturevalue("shared")
    path = shared / "data" / "aeb" / "ground_truth.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["text"] and len(row["text"].split()) > 80]


def aeb_copies(text: str, rng: random.Random) -> dict[str, str]:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    changed = list(sentences)
    changed[rng.randrange(len(sentences))] = "The spokesperson declined to comment further on Tuesday."
    words = text.split()
    middle = len(paragraphs) // 2
    copies = {
        "sentence": " ".join(changed),
        "paragraph": "\n".join([*paragraphs[:middle], EXTRA, *paragraphs[middle:]]),
        "headline": "A different headline\n" + text,
        "all three": "Another headline here\n" + " ".join(changed) + "\n" + EXTRA,
        "first half": " ".join(words[: len(words) // 2]),
    }
    if len(sentences) < 4:  # a list without full stops is one "sentence": changing it is not an edit
        del copies["sentence"], copies["all three"]
    return copies


@pytest.mark.slow
def test_aeb_different_articles_are_different_stories(aeb_articles):
    index = NearDuplicateIndex()
    merged = [row["id"] for row in aeb_articles if index.add(row["id"], row["text"]) != row["id"]]
    assert len(aeb_articles) == 176 and merged == []


@pytest.mark.slow
def test_aeb_edited_copies_join_their_story(aeb_articles):
    index = NearDuplicateIndex()
    rng = random.Random(1)
    missed: dict[str, int] = {}
    for row in aeb_articles:
        index.add(row["id"], row["text"])
        for kind, text in aeb_copies(row["text"], rng).items():
            if index.add(f"{row['id']}:{kind}", text) != row["id"]:
                missed[kind] = missed.get(kind, 0) + 1
    # every sentence, paragraph and headline edit is found; of the half copies (Jaccard about 0.5,
    # 2.2 standard errors above the threshold) a few percent fall below it
    assert set(missed) <= {"first half"} and missed.get("first half", 0) <= 8
