"""Tests for onrecord.clean: normalisation, paragraphs, boilerplate, and the map back to the input."""

from __future__ import annotations

import json
import pickle
import re
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.clean import ADVERTISEMENT, BOILERPLATE, NAVIGATION, SHARE, CleanedText, clean_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "examples" / "kyrgyzstan-2010.txt"
SEED_GOLD = SHARED / "examples" / "kyrgyzstan-2010.gold.json"
POLNEAR = SHARED / "data" / "polnear"


def paragraph_texts(cleaned: CleanedText) -> list[str]:
    return [cleaned.text[p.start : p.end] for p in cleaned.paragraphs]


def headings(cleaned: CleanedText) -> list[str]:
    return [cleaned.text[p.start : p.end] for p in cleaned.paragraphs if p.is_heading]


def fold(text: str) -> str:
    """Whitespace (NBSP included) folded to single spaces, as the gold annotation writes it."""
    return " ".join(text.split())


def reference_normalise(segment: str) -> str:
    """An independent statement of the character rules, for one paragraph's worth of input."""
    out: list[str] = []
    for ch in segment:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs"):
            continue
        elif 0xFB00 <= ord(ch) <= 0xFB06:
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            composed = unicodedata.normalize("NFC", ch)
            out.append(composed if len(composed) == 1 else ch)
    return re.sub(" +", " ", "".join(out))


# --- characters and whitespace -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("He\xa0said\u202fso\u2007now.", "He said so now.", id="nbsp-and-narrow-spaces"),
        pytest.param("a  b\t\tc \t d\u3000e.", "a b c d e.", id="whitespace-runs"),
        pytest.param("zero\u200bwidth\u200c \u200djoin\u2060\ufeff.", "zerowidth join.", id="zero-width"),
        pytest.param("co\u00adoperate.", "cooperate.", id="soft-hyphen"),
        pytest.param("bell\x07 and\x00 null\x7f.", "bell and null.", id="control-chars"),
        pytest.param("the \ufb01nal \ufb02ight \ufb03x.", "the final flight ffix.", id="ligatures"),
        pytest.param("“Yes,” he said — ‘no’ … it’s \"so\" 'so'.", None, id="quotes-dashes-unchanged"),
        pytest.param("Length 5 \u212b.", "Length 5 \u00c5.", id="nfc-singleton"),
        pytest.param("Cafe\u0301 owner.", None, id="combining-mark-not-composed"),
        pytest.param("   indented line.   ", "indented line.", id="trimmed"),
        pytest.param(
            "One.\r\nTwo.\rThree.\u2028Four.", "One.\n\nTwo.\n\nThree.\n\nFour.", id="newline-kinds"
        ),
        pytest.param("a\u200b b \u200b c.", "a b c.", id="zero-width-inside-space-run"),
    ],
)
def test_normalisation(text: str, expected: str | None) -> None:
    assert clean_text(text).text == (text if expected is None else expected)


def test_run_of_whitespace_maps_to_its_first_character() -> None:
    original = "Bakiyev \t\xa0 said."
    cleaned = clean_text(original)
    assert cleaned.text == "Bakiyev said."
    space = cleaned.text.index(" ")
    assert cleaned.to_original(space, space + 1) == (7, 8)
    assert cleaned.to_original(space + 1, len(cleaned.text)) == (11, len(original))


def test_ligature_expansion_maps_every_character_to_the_ligature() -> None:
    original = "a \ufb01ne day."
    cleaned = clean_text(original)
    assert cleaned.text == "a fine day."
    f, i = cleaned.text.index("f"), cleaned.text.index("i")
    assert cleaned.to_original(f, f + 1) == (2, 3)
    assert cleaned.to_original(i, i + 1) == (2, 3)
    assert cleaned.to_original(f, f + 4) == (2, 5)  # "fine" <- "\ufb01ne"


def test_to_original_edges() -> None:
    original = "  First paragraph.\r\n\r\nSecond one.  "
    cleaned = clean_text(original)
    assert cleaned.text == "First paragraph.\n\nSecond one."
    assert cleaned.to_original(0, 0) == (2, 2)
    assert cleaned.to_original(len(cleaned.text), len(cleaned.text)) == (33, 33)
    assert cleaned.to_original(0, len(cleaned.text)) == (2, 33)
    second = cleaned.paragraphs[1]
    a, b = cleaned.to_original(second.start, second.end)
    assert original[a:b] == "Second one."
    with pytest.raises(ValueError, match="not inside"):
        cleaned.to_original(3, 2)
    with pytest.raises(ValueError, match="not inside"):
        cleaned.to_original(0, len(cleaned.text) + 1)


def test_empty_and_blank_inputs() -> None:
    for original in ("", "\n\n", " \t\xa0\u200b\r\n"):
        cleaned = clean_text(original)
        assert cleaned.text == ""
        assert cleaned.paragraphs == ()
        assert cleaned.runs() == ()
        assert cleaned.to_original(0, 0) == (0, 0)


def test_runs_are_compressed() -> None:
    original = "One\xa0paragraph here.\n\nAnother\xa0one."
    cleaned = clean_text(original)
    # NBSP -> " " and "\n\n" -> "\n\n" are one to one: the whole text is one run.
    assert cleaned.runs() == ((0, 0, len(original)),)


# --- paragraphs ----------------------------------------------------------------------------------

ARTICLE = [
    "Council approves new budget",
    "The city council approved the budget on Tuesday after a long and heated debate.",
    "“This is a fair budget for everyone in the city,” the mayor said.",
    "Opposition members voted against it.",
    "Spending plans",
    "The budget raises spending on schools and roads by five percent over two years.",
    "He declined to comment.",
]
ARTICLE_HEADINGS = ["Council approves new budget", "Spending plans"]


@pytest.mark.parametrize(
    "original",
    [
        pytest.param("\n\n".join(ARTICLE), id="blank-lines"),
        pytest.param("\n".join(ARTICLE), id="one-paragraph-per-line"),
        pytest.param("\r\n".join(ARTICLE) + "\r\n", id="one-per-line-crlf"),
        pytest.param("\n\n".join(textwrap.fill(p, 40) for p in ARTICLE), id="wrapped-40"),
        pytest.param("\n\n".join(textwrap.fill(p, 22) for p in ARTICLE), id="wrapped-22"),
        pytest.param("\n\n\n".join("  " + p + "  " for p in ARTICLE), id="indented"),
    ],
)
def test_paragraph_styles(original: str) -> None:
    cleaned = clean_text(original)
    assert paragraph_texts(cleaned) == ARTICLE
    assert headings(cleaned) == ARTICLE_HEADINGS
    assert cleaned.removed == ()


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        pytest.param(
            "The ousted president said on Friday that he\ndid not believe he would return.",
            ["The ousted president said on Friday that he did not believe he would return."],
            id="wrapped-joined",
        ),
        pytest.param(
            "He spoke about the U.S.\nmilitary base at Manas.",
            ["He spoke about the U.S. military base at Manas."],
            id="abbreviation-then-lowercase",
        ),
        pytest.param(
            '"I do not expect to return.\nI am not going to form a government," he said.',
            ['"I do not expect to return. I am not going to form a government," he said.'],
            id="wrapped-inside-open-quote",
        ),
        pytest.param(
            "“I do not expect to return to Kyrgyzstan as president.\n“I am tired,” he said.",
            ["“I do not expect to return to Kyrgyzstan as president.", "“I am tired,” he said."],
            id="quote-continued-in-next-paragraph",
        ),
        pytest.param(
            '"They told me this annoys us,"\nBakiyev said.',
            ['"They told me this annoys us," Bakiyev said.'],
            id="quote-then-attribution-wrapped",
        ),
        pytest.param(
            "Commenting on their conversation, Bakiyev said:\n“Putin said he could not reproach me.”",
            ["Commenting on their conversation, Bakiyev said:", "“Putin said he could not reproach me.”"],
            id="colon-ends-line",
        ),
        pytest.param(
            "Bakiyev gave three reasons for leaving the country in the end, none of them about Moscow or"
            " Washington\nHe did not elaborate.",
            [
                "Bakiyev gave three reasons for leaving the country in the end, none of them about Moscow or"
                " Washington",
                "He did not elaborate.",
            ],
            id="long-line-is-a-paragraph",
        ),
        pytest.param(
            "The reasons were these.\n- the pressure\n- the protests",
            ["The reasons were these.", "- the pressure", "- the protests"],
            id="list-items",
        ),
    ],
)
def test_paragraph_breaks(original: str, expected: list[str]) -> None:
    assert paragraph_texts(clean_text(original)) == expected


def test_text_has_no_newlines_inside_paragraphs() -> None:
    cleaned = clean_text("A line\nthat wraps.\n\n\n\nNext one\nwraps too.")
    assert cleaned.text == "A line that wraps.\n\nNext one wraps too."
    assert all("\n" not in part for part in paragraph_texts(cleaned))


# --- boilerplate lines ---------------------------------------------------------------------------

BEFORE = "The ousted president said on Friday that he would not return."
AFTER = "He declined to comment."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Advertisement", ADVERTISEMENT),
        ("ADVERTISEMENT", ADVERTISEMENT),
        ("- Advertisement -", ADVERTISEMENT),
        ("Story continues below advertisement", ADVERTISEMENT),
        ("Share this", SHARE),
        ("Share this article", SHARE),
        ("Share on Facebook", SHARE),
        ("Share on Facebook/Twitter", SHARE),
        ("Facebook Twitter Email", SHARE),
        ("Follow us on Twitter", SHARE),
        ("Subscribe", BOILERPLATE),
        ("Subscribe to our newsletter", BOILERPLATE),
        ("Sign up for our newsletter", BOILERPLATE),
        ("Click here to read the full report", BOILERPLATE),
        ("Image copyright Getty Images", BOILERPLATE),
        (
            "We use cookies to improve your experience. By continuing to browse you agree to this.",
            BOILERPLATE,
        ),
        ("Privacy policy", BOILERPLATE),
        ("Privacy Policy | Terms of Use | Cookie settings", BOILERPLATE),
        ("Follow @aljazeera", SHARE),
        ("Follow Al Jazeera English on Twitter", SHARE),
        ("© 2010 Al Jazeera", BOILERPLATE),
        ("Copyright 2010 Reuters. All rights reserved.", BOILERPLATE),
        ("All rights reserved", BOILERPLATE),
        ("* * *", BOILERPLATE),
        ("Read more", NAVIGATION),
        ("Read more: Kyrgyz unrest explained", NAVIGATION),
        ("Related:", NAVIGATION),
        ("Skip to content", NAVIGATION),
    ],
)
@pytest.mark.parametrize("separator", ["\n\n", "\n"], ids=["blank-lines", "line-based"])
def test_boilerplate_line_removed(line: str, reason: str, separator: str) -> None:
    original = separator.join([BEFORE, line, AFTER])
    cleaned = clean_text(original)
    assert paragraph_texts(cleaned) == [BEFORE, AFTER]
    assert [(r.text, r.reason) for r in cleaned.removed] == [(line, reason)]
    (removed,) = cleaned.removed
    assert original[removed.span[0] : removed.span[1]] == line


@pytest.mark.parametrize(
    "line",
    [
        "Readers who subscribe to the paper were furious.",
        "Subscribe to the channel and you will see why, he said.",
        '"We will not subscribe to this plan," Bakiyev said.',
        "Share prices fell sharply on Friday.",
        "Copyright laws were changed in 2010.",
        "Follow the money, said the prosecutor.",
        "He declined to comment.",
        "“They told me ‘this annoys us’,” Bakiyev said.",
        "“This annoys us”",
        "Click here, she said, and the screen went blank.",
        "Like many on the left, Otunbayeva wants a parliamentary system.",
        "Privacy policy changes anger users.",
        "Privacy policy changes at the ministry angered officials across the region for months.",
        "We use cookies to track users, the company said in a statement to regulators on Monday.",
        "All rights reserved to the crown were void, the judge said.",
    ],
)
def test_real_sentences_kept(line: str) -> None:
    cleaned = clean_text("\n\n".join([BEFORE, line, AFTER]))
    assert paragraph_texts(cleaned) == [BEFORE, line, AFTER]
    assert cleaned.removed == ()


# --- navigation blocks and headings --------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\n", "\n\n", "\n\n\n"], ids=["adjacent", "one-blank", "two-blanks"])
def test_navigation_block_removed(separator: str) -> None:
    links = ["Profile: Roza Otunbayeva", "Inside Story", "Behind the unrest"]
    original = "\n\n".join([BEFORE, separator.join(links), AFTER])
    cleaned = clean_text(original)
    assert paragraph_texts(cleaned) == [BEFORE, AFTER]
    assert [(r.text, r.reason) for r in cleaned.removed] == [(link, NAVIGATION) for link in links]


def test_navigation_block_counts_boilerplate_lines() -> None:
    cleaned = clean_text(
        "\n".join([BEFORE, "Related:", "Kyrgyz citizens look for land", "Inside Story", AFTER])
    )
    assert paragraph_texts(cleaned) == [BEFORE, AFTER]
    assert [r.reason for r in cleaned.removed] == [NAVIGATION, NAVIGATION, NAVIGATION]


@pytest.mark.parametrize(
    ("original", "expected_headings", "removed"),
    [
        pytest.param(f"{BEFORE}\n\nRussian influence\n\n{AFTER}", ["Russian influence"], 0, id="crosshead"),
        pytest.param(
            f"{BEFORE}\nRussian influence\n{AFTER}", ["Russian influence"], 0, id="crosshead-line-based"
        ),
        pytest.param(
            f"{BEFORE}\n\nAnalysis\nRussian influence\n\n{AFTER}",
            ["Analysis", "Russian influence"],
            0,
            id="two",
        ),
        pytest.param(
            f"{BEFORE}\n\nInside Story\n\n\n\n\nBehind the unrest\n\n\n\n\nRoots of the uprising\n\n{AFTER}",
            ["Inside Story", "Behind the unrest", "Roots of the uprising"],
            0,
            id="too-far-apart",
        ),
        pytest.param(f"Kyrgyz leader quits\n{BEFORE}", ["Kyrgyz leader quits"], 0, id="title"),
        pytest.param(
            f"Kyrgyz leader quits\nInside Story\nBehind the unrest\n\n{BEFORE}",
            ["Kyrgyz leader quits", "Inside Story", "Behind the unrest"],
            0,
            id="title-not-counted-into-block",
        ),
        pytest.param(
            f"Kyrgyz leader quits\nInside Story\nBehind the unrest\nRoots\n\n{BEFORE}",
            ["Kyrgyz leader quits"],
            3,
            id="title-then-block",
        ),
        pytest.param(f"{BEFORE}\n\n{AFTER}", [], 0, id="no-headings"),
    ],
)
def test_headings(original: str, expected_headings: list[str], removed: int) -> None:
    cleaned = clean_text(original)
    assert headings(cleaned) == expected_headings
    assert len(cleaned.removed) == removed


def test_heading_is_its_own_paragraph() -> None:
    cleaned = clean_text(f"{BEFORE}\nRussian influence\nBakiyev did not say where the pressure came from.")
    assert paragraph_texts(cleaned) == [
        BEFORE,
        "Russian influence",
        "Bakiyev did not say where the pressure came from.",
    ]
    assert [p.is_heading for p in cleaned.paragraphs] == [False, True, False]


# --- the seed article ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> tuple[str, dict[str, list[str]]]:
    if not SEED.exists() or not SEED_GOLD.exists():
        pytest.skip(f"../shared not found: {SEED} is missing")
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return SEED.read_text(encoding="utf-8"), gold


def test_seed_article(seed: tuple[str, dict[str, list[str]]]) -> None:
    original, gold = seed
    cleaned = clean_text(original)
    navigation = [fold(r.text) for r in cleaned.removed if r.reason == NAVIGATION]
    assert navigation == gold["navigation_lines"]
    assert len(cleaned.removed) == 13
    assert headings(cleaned) == gold["headings"] == ["Russian influence"]
    assert "\xa0" not in cleaned.text
    dropped = set(gold["navigation_lines"])
    body = [fold(line) for line in original.splitlines() if line.strip() and fold(line) not in dropped]
    assert paragraph_texts(cleaned) == body
    for removed in cleaned.removed:
        assert original[removed.span[0] : removed.span[1]] == removed.text
    for paragraph in cleaned.paragraphs:
        a, b = cleaned.to_original(paragraph.start, paragraph.end)
        assert fold(original[a:b]) == cleaned.text[paragraph.start : paragraph.end]


def test_seed_article_line_based_and_wrapped(seed: tuple[str, dict[str, list[str]]]) -> None:
    original, _ = seed
    expected = clean_text(original)
    one_per_line = re.sub(r"\n\s*\n+", "\n", original)
    assert clean_text(one_per_line).text == expected.text
    wrapped = "\n\n".join(textwrap.fill(p, 50, break_on_hyphens=False) for p in paragraph_texts(expected))
    assert clean_text(wrapped).text == expected.text


def test_polnear_attributions_never_dropped() -> None:
    """A dropped line never overlaps an attribution (source, cue, content) that PolNeAR annotates."""
    texts = sorted(POLNEAR.glob("*/text/*.txt"))
    if not texts:
        pytest.skip(f"../shared not found: no PolNeAR texts under {POLNEAR}")
    span_line = re.compile(r"T\d+\t(\w+) ([\d ;]+)\t")
    for path in texts:
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        if not cleaned.removed:
            continue
        annotations = sorted((path.parent.parent / "attributions").glob(path.stem + "_*.ann"))
        for line in annotations[0].read_text(encoding="utf-8").splitlines() if annotations else ():
            match = span_line.match(line)
            if match is None or match.group(1) == "Discard":
                continue
            for part in match.group(2).split(";"):
                start, end = map(int, part.split())
                for removed in cleaned.removed:
                    assert not (removed.span[0] < end and start < removed.span[1]), (path.name, removed)


def test_pickles() -> None:
    """Workers send results between processes (Spark, process pools)."""
    cleaned = clean_text("Kyrgyz leader quits\n\nThe ousted\xa0president said so.\nAdvertisement")
    copy = pickle.loads(pickle.dumps(cleaned))
    assert copy == cleaned
    assert copy.runs() == cleaned.runs()
    assert copy.to_original(0, len(copy.text)) == cleaned.to_original(0, len(cleaned.text))


# --- size ----------------------------------------------------------------------------------------


def test_two_megabytes() -> None:
    block = "\n\n".join(
        [
            "Kyrgyz leader quits",
            "The ousted\xa0president said on Friday that he did not believe he would ever return.",
            "Advertisement",
            "Inside Story\nBehind the unrest\nRoots of the uprising",
            "“I am not going to form a government-in-exile,” Bakiyev said.\r\nHe declined to comment.",
        ]
    )
    original = "\n\n".join([block] * (2_000_000 // len(block)))
    cleaned = clean_text(original)
    assert len(original) > 1_900_000
    assert "\xa0" not in cleaned.text
    assert cleaned.to_original(0, len(cleaned.text)) == (0, len(original))
    assert len(cleaned.paragraphs) > 20_000


# --- properties ----------------------------------------------------------------------------------

FRAGMENTS = [
    "Bakiyev",
    "said",
    "the",
    "president",
    "Advertisement",
    "Share this",
    "Russian influence",
    "Inside Story",
    ".",
    ",",
    " ",
    "  ",
    "\xa0",
    "\u202f",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u2028",
    "\x0c",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",
    "\x00",
    "\ud800",
    "\ufb01",
    "\ufb03",
    "\u212b",
    "e\u0301",
    "“",
    "”",
    '"',
    "’",
    "…",
    "—",
]
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
    max_size=60,
).map("".join)


def _origins(cleaned: CleanedText) -> list[int]:
    """Input position of every character of ``text``, from ``runs()`` alone."""
    origins: list[int] = []
    for clean_start, orig_start, length in cleaned.runs():
        assert clean_start == len(origins)
        origins.extend(range(orig_start, orig_start + length))
    return origins


@settings(deadline=None, max_examples=300)
@given(original=texts, data=st.data())
def test_map_properties(original: str, data: st.DataObject) -> None:
    cleaned = clean_text(original)
    text = cleaned.text
    assert cleaned.original is original

    # Paragraphs tile the text, joined by exactly "\n\n", with nothing to trim or collapse inside.
    parts = paragraph_texts(cleaned)
    assert text == "\n\n".join(parts)
    for part in parts:
        assert part and part == part.strip(" ") and "\n" not in part and "  " not in part

    # runs() reconstructs to_original for every character; origins never go backwards.
    origins = _origins(cleaned)
    assert len(origins) == len(text)
    assert origins == sorted(origins)
    for position, origin in enumerate(origins):
        assert cleaned.to_original(position, position + 1) == (origin, origin + 1)
        assert 0 <= origin < len(original)

    # Removed spans lie inside the input, quote it exactly, and no kept character comes from one.
    for removed in cleaned.removed:
        start, end = removed.span
        assert 0 <= start < end <= len(original)
        assert original[start:end] == removed.text
        assert removed.reason in (ADVERTISEMENT, SHARE, NAVIGATION, BOILERPLATE)
        assert not any(start <= origin < end for origin in origins)

    # Any span maps inside the input.
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    a, b = cleaned.to_original(start, end)
    assert 0 <= a <= b <= len(original)

    # Inside a paragraph, the input span normalises to exactly the cleaned span, unless the span cuts
    # an expanded ligature (two cleaned characters from one input character).
    for paragraph in cleaned.paragraphs:
        a, b = cleaned.to_original(paragraph.start, paragraph.end)
        assert reference_normalise(original[a:b]) == text[paragraph.start : paragraph.end]
        start = data.draw(st.integers(paragraph.start, paragraph.end - 1))
        end = data.draw(st.integers(start + 1, paragraph.end))
        cuts = (start > 0 and origins[start - 1] == origins[start]) or (
            end < len(text) and origins[end - 1] == origins[end]
        )
        if not cuts:
            a, b = cleaned.to_original(start, end)
            assert reference_normalise(original[a:b]) == text[start:end]
