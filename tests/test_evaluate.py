"""The evaluation: metrics on hand-built records, the PolNeAR and gold readers, the set formats (speakers,
roles, gum-people) on made-up sets, the baseline gate, the CLI.

The metrics are tested without the analyser: predictions are built by hand (often from the gold itself,
which must score 1.0; perturbed copies score known lower numbers).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from onrecord.evaluate import (
    EvaluationResult,
    GoldFormatError,
    evaluate_corpus,
    evaluate_directory,
    evaluate_set,
    load_corpus,
    load_set,
)
from onrecord.evaluate import baseline as gate
from onrecord.evaluate.gold import GoldCorpus, Item, locate_gold_items
from onrecord.evaluate.metrics import (
    SPEECH_CUES,
    char_f1,
    char_positions,
    content_kind,
    cue_class,
    cue_lemma,
    lower_words,
    match_items,
    quoted_mask,
    score_article,
    source_kind,
    trim_span,
)
from onrecord.evaluate.people import holds_word
from onrecord.evaluate.polnear import load_polnear, parse_ann, read_metadata, split_annotators
from onrecord.evaluate.roles import has_key, role_matches, role_tokens
from onrecord.evaluate.sets import Predictions
from onrecord.evaluate.speakers import contains_key, looks_named
from onrecord.records import Analysis, Quote, Span, Speaker

SHARED = Path(__file__).resolve().parents[2] / "shared"
POLNEAR_DEV = SHARED / "data" / "polnear" / "dev"
EXAMPLES = SHARED / "examples"
needs_polnear = pytest.mark.skipif(
    not POLNEAR_DEV.is_dir(), reason=f"PolNeAR dev not found at {POLNEAR_DEV} (../shared is missing)"
)
needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"gold examples not found at {EXAMPLES} (../shared is missing)"
)


# --- helpers -------------------------------------------------------------------------------------


def span_of(text: str, piece: str, start: int = 0) -> Span:
    at = text.index(piece, start)
    return (at, at + len(piece))


def make_item(
    text: str,
    *contents: str,
    source: str | None = None,
    cue: str | None = None,
    speaker: str | None = None,
    surname: str | None = None,
) -> Item:
    spans = tuple(span_of(text, c) for c in contents)
    source_spans = (span_of(text, source),) if source else ()
    return Item(
        content=" ".join(contents),
        content_spans=spans,
        source=source,
        source_spans=source_spans,
        cue=cue,
        cue_spans=(span_of(text, cue),) if cue else (),
        speaker=speaker,
        speaker_surname=surname,
    )


def quote_from(item: Item) -> Quote:
    source = item.source_spans
    return Quote(
        kind="direct",
        content=item.content,
        content_spans=item.content_spans,
        cue=item.cue,
        cue_span=(item.cue_spans[0][0], item.cue_spans[-1][1]) if item.cue_spans else None,
        speaker=Speaker(
            name=item.speaker,
            mention=item.source,
            mention_span=(source[0][0], source[-1][1]) if source else None,
            entity=None,
        ),
        nested_in=0 if item.nested else None,
        confidence=1.0,
    )


class EchoAnalyzer:
    """A fake analyser that 'finds' the gold of each article, through an optional perturbation."""

    def __init__(
        self, corpus: GoldCorpus, perturb: Callable[[Sequence[Item]], Sequence[Item]] | None = None
    ) -> None:
        self.gold = {a.name: a.items for a in corpus.articles}
        self.perturb = perturb
        self.calls: list[tuple[str, str | None]] = []

    def analyze(self, text: str, *, source: str, published: str | None = None) -> Analysis:
        self.calls.append((source, published))
        items: Sequence[Item] = self.gold[source]
        if self.perturb is not None:
            items = self.perturb(items)
        return Analysis(
            id=source,
            source=source,
            title=None,
            published=published,
            language="en",
            text=text,
            quotes=tuple(quote_from(i) for i in items),
            entities=(),
            dates=(),
            provenance={},
        )


def every_other(items: Sequence[Item]) -> Sequence[Item]:
    return list(items)[::2]


def one_article_result(text: str, gold: Sequence[Item], pred: Sequence[Item]) -> dict:
    corpus = GoldCorpus(format="gold", root="mem", articles=(), data_hash="x")
    return EvaluationResult(corpus, [score_article("a", text, gold, pred)]).report()


# --- characters and F1 ----------------------------------------------------------------------------

TEXT = '"We will win, and we will win big," Jane Doe said on Friday. She added that taxes would fall.'


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        ('"We will win, and we will win big,"', "We will win, and we will win big"),
        (" she added ", "she added"),
        ("“—”", ""),
        ("plain", "plain"),
    ],
)
def test_trim_span_drops_edge_whitespace_quotes_and_punctuation(piece: str, expected: str) -> None:
    text = f"x {piece} y"
    start, end = trim_span(text, span_of(text, piece))
    assert text[start:end] == expected


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        pytest.param(
            ["We will win, and we will win big,"], ["We will win, and we will win big,"], 1.0, id="exact"
        ),
        pytest.param(
            ["We will win, and we will win big"], ['"We will win, and we will win big,"'], 1.0, id="edges"
        ),
        # gold 32 characters "We will win, and we will win big"; prediction "We will win" (11): 2*11/43
        pytest.param(["We will win, and we will win big"], ["We will win"], 22 / 43, id="partial"),
        pytest.param(["We will win"], ["taxes would fall"], 0.0, id="no-overlap"),
        # discontinuous: the union of "We will win" and "taxes would fall" (11 + 16 = 27 characters)
        # against the prediction "taxes would fall" (16): 2*16/43
        pytest.param(["We will win", "taxes would fall"], ["taxes would fall"], 32 / 43, id="discontinuous"),
        pytest.param(
            ["We will win", "taxes would fall"], ["We will win,", "taxes would fall."], 1.0, id="disc-exact"
        ),
    ],
)
def test_character_f1(gold: list[str], pred: list[str], expected: float) -> None:
    gold_set = char_positions(TEXT, [span_of(TEXT, g) for g in gold])
    pred_set = char_positions(TEXT, [span_of(TEXT, p) for p in pred])
    assert char_f1(gold_set, pred_set) == pytest.approx(expected)


@given(st.integers(0, 40), st.integers(1, 40), st.integers(0, 40), st.integers(1, 40))
def test_character_f1_is_symmetric_bounded_and_one_on_itself(a: int, la: int, b: int, lb: int) -> None:
    first = char_positions(TEXT, [(a, a + la)])
    second = char_positions(TEXT, [(b, b + lb)])
    f1 = char_f1(first, second)
    assert 0.0 <= f1 <= 1.0
    assert f1 == char_f1(second, first)
    assert char_f1(first, first) == 1.0


def test_greedy_matching_is_one_to_one_best_pair_first() -> None:
    text = "Alpha beta gamma delta epsilon zeta eta theta, he said."
    gold = [make_item(text, "Alpha beta gamma delta")]
    close = make_item(text, "Alpha beta gamma delt")  # F1 near 1
    rough = make_item(text, "Alpha beta")  # F1 0.62: would match if the gold were free
    pairs = match_items(text, gold, [rough, close])
    assert [(p.gold, p.pred) for p in pairs] == [(0, 1)]
    report = one_article_result(text, gold, [rough, close])
    overlap = report["content"]["overlap"]
    assert (overlap["precision"], overlap["recall"]) == (0.5, 1.0)
    assert overlap["f1"] == pytest.approx(2 / 3)


def test_greedy_matching_lets_the_second_gold_take_the_second_prediction() -> None:
    text = "one two three four five six seven eight nine ten"
    gold = [make_item(text, "one two three four"), make_item(text, "five six seven eight")]
    pred = [make_item(text, "three four five six seven eight"), make_item(text, "one two three")]
    pairs = match_items(text, gold, pred)
    assert {(p.gold, p.pred) for p in pairs} == {(1, 0), (0, 1)}


def test_levels_exact_overlap_any() -> None:
    text = "aaaa bbbb cccc dddd eeee ffff gggg hhhh"
    gold = [make_item(text, "aaaa bbbb cccc dddd"), make_item(text, "eeee ffff gggg hhhh")]
    pred = [make_item(text, "aaaa bbbb cccc"), make_item(text, "hhhh")]  # F1 0.85 and 0.35
    content = one_article_result(text, gold, pred)["content"]
    assert content["exact"]["f1"] == 0.0
    assert content["overlap"]["f1"] == 0.5
    assert content["any"]["f1"] == 1.0


# --- end to end and speakers -------------------------------------------------------------------------

E2E = "Jane Doe said the plan would work. It was believed that the plan would fail. Smith agreed."


@pytest.mark.parametrize(
    ("gold_source", "pred_source", "counts"),
    [
        pytest.param("Jane Doe", "Doe", True, id="overlap"),
        pytest.param(None, None, True, id="both-none"),
        pytest.param("Jane Doe", None, False, id="missing-mention"),
        pytest.param("Jane Doe", "Smith", False, id="wrong-mention"),
        pytest.param(None, "Smith", False, id="mention-where-none"),
    ],
)
def test_end_to_end_needs_the_source(gold_source: str | None, pred_source: str | None, counts: bool) -> None:
    gold = [make_item(E2E, "the plan would work", source=gold_source, cue="said")]
    pred = [make_item(E2E, "the plan would work", source=pred_source, cue="said")]
    report = one_article_result(E2E, gold, pred)
    assert report["content"]["overlap"]["f1"] == 1.0
    assert report["end_to_end"]["f1"] == (1.0 if counts else 0.0)


def test_end_to_end_needs_the_content_too() -> None:
    gold = [make_item(E2E, "the plan would work", source="Jane Doe")]
    pred = [make_item(E2E, "work", source="Jane Doe")]
    assert one_article_result(E2E, gold, pred)["end_to_end"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("name", "right"), [("Jane Doe", True), ("JANE DOE", True), ("Smith", False), (None, False)]
)
def test_canonical_speaker_contains_the_gold_surname(name: str | None, right: bool) -> None:
    gold = [make_item(E2E, "the plan would work", source="Jane Doe", speaker="Jane Doe", surname="Doe")]
    pred = [make_item(E2E, "the plan would work", source="Jane Doe", speaker=name)]
    speaker = one_article_result(E2E, gold, pred)["speaker"]
    assert (speaker["gold"], speaker["found"], speaker["correct"]) == (1, 1, int(right))


def test_errors_name_every_miss() -> None:
    text = "Doe said the plan would work. Roe said taxes would fall. Poe said nothing was certain."
    gold = [
        make_item(text, "the plan would work", source="Doe", cue="said"),
        make_item(text, "taxes would fall", source="Roe", cue="said"),
        make_item(text, "nothing was certain", source="Poe", cue="said"),
    ]
    pred = [
        make_item(text, "the plan would work", source="Roe"),  # right content, wrong speaker
        make_item(text, "taxes would"),  # boundary (and no mention: wrong speaker)
        make_item(text, "Doe said"),  # spurious
    ]
    corpus = GoldCorpus(format="gold", root="mem", articles=(), data_hash="x")
    errors = list(EvaluationResult(corpus, [score_article("a", text, gold, pred)]).errors())
    kinds = sorted(e["type"] for e in errors)
    assert kinds == ["boundary", "missed", "spurious", "wrong_speaker", "wrong_speaker"]
    missed = next(e for e in errors if e["type"] == "missed")
    assert missed["gold"]["content"] == "nothing was certain" and missed["predicted"] is None
    boundary = next(e for e in errors if e["type"] == "boundary")
    assert boundary["f1"] == pytest.approx(2 * 11 / 27, abs=1e-4)
    assert set(boundary["predicted"]) >= {"content", "speaker_mention", "cue"}
    assert set(boundary["gold"]) >= {"content", "source", "cue"}


# --- slices --------------------------------------------------------------------------------------------

KINDS = (
    "“We will win,” Doe said. Doe said the plan was “a disaster” for all. Doe said taxes would fall.\n"
    "Clinton’s aides didn’t comment. Trump said it was 'absolutely right' to go."
)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("We will win,", "fully quoted"),
        ("“We will win,”", "fully quoted"),
        ("the plan was “a disaster” for all", "partly quoted"),
        ("taxes would fall", "unquoted"),
        ("Clinton’s aides didn’t comment", "unquoted"),
        ("it was 'absolutely right' to go", "partly quoted"),
        ("absolutely right", "fully quoted"),
    ],
)
def test_content_kind(content: str, kind: str) -> None:
    assert content_kind(KINDS, [span_of(KINDS, content)], quoted_mask(KINDS)) == kind


SOURCES = (
    "Officials said the plan was sound, officials added. He said so. The New York Post reported it. "
    "The ousted president agreed. Trump said more."
)


@pytest.mark.parametrize(
    ("mention", "kind"),
    [
        ("He", "pronoun"),
        ("The New York Post", "name"),
        ("The ousted president", "description"),
        ("Officials", "description"),  # capitalised only because it starts the sentence
        ("Trump", "name"),
        (None, "none"),
    ],
)
def test_source_kind(mention: str | None, kind: str) -> None:
    spans = [span_of(SOURCES, mention)] if mention else []
    assert source_kind(SOURCES, mention, spans, lower_words(SOURCES)) == kind


@pytest.mark.parametrize(
    ("cue", "lemma"),
    [
        ("said", "say"),
        ("told", "tell"),
        ("says", "say"),
        ("According to", "according to"),
        ("has said", "say"),
        ("said Thursday morning", "say"),
        ("added:", "add"),
        ("admitted", "admit"),
        ("denied", "deny"),
        ("replies", "reply"),
        ("tweeted", "tweet"),
        ("has called for", "call for"),
        ("believes", "believe"),
        ("thought", "think"),
        (None, None),
    ],
)
def test_cue_lemma(cue: str | None, lemma: str | None) -> None:
    assert cue_lemma(cue) == lemma


@pytest.mark.parametrize(
    ("cue", "cls"),
    [
        ("said", "speech"),
        ("according to", "speech"),
        ("warned", "speech"),
        ("believes", "other"),
        ("wants", "other"),
        ("hoped", "other"),
        ("thinks", "other"),
        (None, "other"),
    ],
)
def test_cue_class(cue: str | None, cls: str) -> None:
    assert cue_class(cue) == cls


def test_speech_cue_list_has_the_common_verbs() -> None:
    assert {"say", "tell", "add", "according to", "claim", "warn", "tweet", "write"} <= SPEECH_CUES
    assert not {"believe", "think", "want", "hope"} & SPEECH_CUES


def test_slices_count_gold_by_gold_values_and_predictions_by_their_own() -> None:
    text = "Doe said the plan would work. Roe believes taxes would fall."
    gold = [
        make_item(text, "the plan would work", source="Doe", cue="said"),
        make_item(text, "taxes would fall", source="Roe", cue="believes"),
    ]
    pred = [
        make_item(text, "the plan would work", source="Doe", cue="believes"),  # found, but its cue is 'other'
        make_item(text, "taxes would fall", source="Roe", cue="said"),
    ]
    cue = one_article_result(text, gold, pred)["slices"]["cue"]
    speech, other = cue["speech"]["content"], cue["other"]["content"]
    assert (speech["gold"], speech["predicted"], speech["gold_found"], speech["predicted_correct"]) == (
        1,
        1,
        1,
        1,
    )
    assert (other["gold"], other["predicted"]) == (1, 1)


# --- PolNeAR (brat standoff) ----------------------------------------------------------------------------

SAMPLE_TEXT = (
    "Flynn says Trump 'absolutely right' on generals\n\n"
    "The Post reported that the plan failed. “It was a mess,” he said, “and everyone knew it.”\n"
    "It is expected that taxes will fall."
)


def write_polnear_sample(root: Path, *, shift: int = 0) -> Path:
    text = SAMPLE_TEXT
    split = root / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    (split / "text" / "flynn.txt").write_text(text, encoding="utf-8")

    def t(tid: str, kind: str, *pieces: str, after: int = 0) -> str:
        spans = [span_of(text, p, after) for p in pieces]
        offsets = ";".join(f"{s + shift} {e + shift}" for s, e in spans)
        return f"{tid}\t{kind} {offsets}\t{' '.join(pieces)}"

    cue_at = text.index("he said")
    lines = [
        t("T1", "Source", "Flynn"),
        t("T2", "Cue", "says"),
        t("T3", "Content", "Trump 'absolutely right' on generals"),
        "T4\tAttribution 6 10\tsays",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        "#1\tAnnotatorNotes T1\ta note",
        t("T5", "Source", "The Post"),
        t("T6", "Cue", "reported"),
        t("T7", "Content", "that the plan failed"),
        "E2\tAttribution:T6 Content:T7 Cue:T6 Source:T5",
        t("T8", "Content", "It was a mess,", "and everyone knew it."),
        t("T9", "Source", "he", after=cue_at),
        t("T10", "Cue", "said", after=cue_at),
        "E3\tAttribution:T10 Source:T9 Cue:T10 Content:T8",
        t("T11", "Cue", "is expected"),
        t("T12", "Content", "taxes will fall"),
        "E4\tAttribution-no-source:T11 Content:T12 Cue:T11",
        t("T13", "Discard", "Flynn says Trump"),
    ]
    (split / "attributions" / "flynn_bbbb.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (split / "attributions" / "flynn_aaaa.ann").write_text("", encoding="utf-8")
    with (root / "metadata.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(["compartment", "filename", "level", "annotators", "publication_date", "title"])
        writer.writerow(["dev", "flynn", "3", "bbbb|aaaa", "2016-09-08", "Flynn says"])
    return split


def test_parse_ann_reads_t_and_e_lines_and_multiline_text() -> None:
    source = (
        "T1\tSource 0 5\tFlynn\nT2\tContent 6 9;12 20\tab\ncd\nR1\tsomething\nE1\tAttribution:T2 Content:T2"
    )
    spans, events = parse_ann(source)
    assert spans["T1"].spans == ((0, 5),)
    assert spans["T2"].spans == ((6, 9), (12, 20))
    assert spans["T2"].text == "ab\ncd"
    assert [(e.id, e.type, e.args) for e in events] == [("E1", "Attribution", (("Content", "T2"),))]


@pytest.mark.parametrize(
    ("value", "codes"),
    [("ef2d", ("ef2d",)), ("4e07d473", ("4e07", "d473")), ("4b22|4e07|5fec", ("4b22", "4e07", "5fec"))],
)
def test_split_annotators(value: str, codes: tuple[str, ...]) -> None:
    assert split_annotators(value) == codes


def test_polnear_sample_parses(tmp_path: Path) -> None:
    corpus = load_polnear(write_polnear_sample(tmp_path))
    (article,) = corpus.articles
    assert article.annotator == "bbbb"  # the first listed, not the alphabetically first
    assert article.published == "2016-09-08"
    assert corpus.spans_checked == corpus.spans_verified == 13
    flynn, post, mess, expected = article.items
    assert flynn.source == "Flynn" and flynn.cue == "says"
    assert post.content == "that the plan failed" and post.source == "The Post"
    assert len(mess.content_spans) == 2 and mess.source == "he"
    assert [SAMPLE_TEXT[s:e] for s, e in mess.content_spans] == ["It was a mess,", "and everyone knew it."]
    assert expected.source is None and expected.source_spans == ()


def test_polnear_refuses_offsets_in_another_unit(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match="another unit"):
        load_polnear(write_polnear_sample(tmp_path, shift=2))


@needs_polnear
def test_polnear_dev_parses_with_the_first_annotator_and_verified_offsets() -> None:
    corpus = load_polnear(POLNEAR_DEV)
    assert len(corpus.articles) == 84
    metadata = read_metadata(POLNEAR_DEV.parent / "metadata.tsv")
    for article in corpus.articles:
        assert article.annotator == metadata[article.name].annotators[0]
        assert article.published == metadata[article.name].publication_date
        for item in article.items:
            assert item.content == " ".join(article.text[s:e] for s, e in item.content_spans)
    several = [a for a in corpus.articles if len(metadata[a.name].annotators) > 1]
    assert several, "dev has articles with several annotators"
    assert corpus.spans_checked > 8000
    assert corpus.spans_verified == corpus.spans_checked
    assert corpus.gold_items > 2000


@needs_polnear
def test_polnear_dev_gold_against_itself_scores_one() -> None:
    corpus = load_polnear(POLNEAR_DEV)
    echo = EchoAnalyzer(corpus)
    report = evaluate_corpus(corpus, analyzer=echo).report()
    assert report["articles"] == 84 and report["predictions"] == report["gold_items"] == corpus.gold_items
    for level in ("exact", "overlap", "any"):
        assert report["content"][level]["f1"] == 1.0
    assert report["end_to_end"]["f1"] == 1.0
    assert report["slices"]["cue"]["speech"]["end_to_end"]["f1"] == 1.0
    assert report["human_agreement"]["content_overlap_f1"] == 0.82
    assert all(published for _, published in echo.calls)


@needs_polnear
def test_polnear_dev_half_the_gold_scores_half_recall() -> None:
    corpus = load_polnear(POLNEAR_DEV, limit=10)
    report = evaluate_corpus(corpus, analyzer=EchoAnalyzer(corpus, every_other)).report()
    overlap = report["content"]["overlap"]
    assert overlap["precision"] == 1.0
    assert overlap["recall"] == pytest.approx(report["predictions"] / report["gold_items"])


# --- onrecord gold files --------------------------------------------------------------------------------


def test_gold_strings_are_located_in_the_text() -> None:
    text = "Doe said\u00a0the plan would work. “We won,” Doe said. She added that she was glad."
    quotes = [
        {
            "content": "the plan would work",
            "speaker": "Jane Doe",
            "speaker_surname": "Doe",
            "speaker_mention": "Doe",
        },
        {"content": "We won,", "speaker_surname": "Doe", "speaker_mention": "Doe", "cue": "said"},
        {"content": "she was glad", "speaker_surname": "Doe", "speaker_mention": "She", "cue": "added"},
    ]
    items, missing = locate_gold_items(text, quotes)
    assert not missing
    assert [text[s:e] for i in items for s, e in i.source_spans] == ["Doe", "Doe", "She"]
    assert items[1].source_spans[0][0] > text.index("We won")  # the mention nearest the content
    assert items[0].content == "the plan would work"


@needs_examples
def test_gold_examples_against_themselves_score_one() -> None:
    corpus = load_corpus(EXAMPLES, fmt="gold")
    assert not corpus.notes
    report = evaluate_corpus(corpus, analyzer=EchoAnalyzer(corpus)).report()
    assert report["gold_items"] == 13  # 11 quotes and 2 nested ones
    assert report["content"]["exact"]["f1"] == 1.0
    assert report["end_to_end"]["f1"] == 1.0
    assert report["speaker"]["accuracy"] == 1.0
    assert report["human_agreement"] is None


# --- the baseline gate -------------------------------------------------------------------------------------


def fake_report(value: float, data_hash: str = "h1") -> dict:
    tally = {"precision": value, "recall": value, "f1": value}
    return {
        "format": "polnear",
        "path": "dev",
        "data_hash": data_hash,
        "content": {"overlap": tally},
        "end_to_end": tally,
        "slices": {"cue": {"speech": {"content": tally, "end_to_end": tally}}},
    }


@pytest.mark.parametrize(("value", "floor"), [(0.6789, 0.678), (0.7, 0.7), (0.6999999999, 0.7), (0.0, 0.0)])
def test_floors_are_rounded_down(value: float, floor: float) -> None:
    assert gate.floor3(value) == floor


def test_baseline_check_passes_then_fails_below_a_floor(tmp_path: Path) -> None:
    path = tmp_path / "evaluation" / "baseline.json"
    created = gate.update_baseline(path, fake_report(0.6789), today="2024-01-01")
    assert created.written
    baseline = gate.read_baseline(path)
    assert baseline is not None and baseline.floors["content_f1"] == 0.678
    assert gate.check_report(fake_report(0.6789), baseline).ok
    worse = fake_report(0.6789)
    worse["end_to_end"] = {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    result = gate.check_report(worse, baseline)
    assert not result.ok and result.same_data
    assert set(result.below) == {"end_to_end_f1"}
    (message,) = result.messages
    assert message.startswith("end-to-end F1") and "is 0.500, below its floor 0.678" in message


def test_baseline_update_raises_only(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gate.update_baseline(path, fake_report(0.6), today="2024-01-01")
    raised = gate.update_baseline(path, fake_report(0.65), today="2024-01-02")
    assert raised.written and any("0.600 -> 0.650" in c for c in raised.changes)
    kept = gate.update_baseline(path, fake_report(0.5), today="2024-01-03")
    assert not kept.written and any("kept" in c for c in kept.changes)
    baseline = gate.read_baseline(path)
    assert baseline is not None and set(baseline.floors.values()) == {0.65}


def test_a_raise_beside_a_kept_floor_is_logged_as_a_raise(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gate.update_baseline(path, fake_report(0.6), today="2024-01-01")
    mixed = fake_report(0.7)
    mixed["end_to_end"] = {"precision": 0.5, "recall": 0.5, "f1": 0.5}  # this one fell: its floor stays
    result = gate.update_baseline(path, mixed, today="2024-01-02")
    assert result.written and any("kept" in c for c in result.changes)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["history"][-1]["action"] == "raised" and saved["floors"]["end_to_end_f1"] == 0.6


def test_lowering_a_floor_needs_the_flag_and_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gate.update_baseline(path, fake_report(0.6), today="2024-01-01")
    with pytest.raises(gate.BaselineError, match="reason"):
        gate.update_baseline(path, fake_report(0.5), allow_lower=True)
    lowered = gate.update_baseline(path, fake_report(0.5), allow_lower=True, reason="stricter cue list")
    assert lowered.written
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["floors"]["content_f1"] == 0.5
    assert saved["history"][-1]["reason"] == "stricter cue list"
    assert saved["history"][-1]["action"] == "lowered"


def test_baseline_reports_different_data(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gate.update_baseline(path, fake_report(0.6, "h1"))
    baseline = gate.read_baseline(path)
    assert baseline is not None
    result = gate.check_report(fake_report(0.9, "h2"), baseline)
    assert not result.ok and not result.same_data
    assert "different data" in result.messages[0]
    with pytest.raises(gate.BaselineError, match="different data"):
        gate.update_baseline(path, fake_report(0.9, "h2"))


# --- the command line ----------------------------------------------------------------------------------


def run_cli(args: list[str], factory: Callable[[], object]) -> Result:
    from onrecord.cli.evaluate import evaluate

    return CliRunner().invoke(evaluate, args, obj={"analyzer_factory": factory}, catch_exceptions=False)


def test_cli_scores_writes_json_and_errors_and_gates(tmp_path: Path) -> None:
    split = write_polnear_sample(tmp_path)
    corpus = load_polnear(split)
    baseline = tmp_path / "baseline.json"
    report_path, errors_path = tmp_path / "report.json", tmp_path / "errors.jsonl"
    args = ["--format", "polnear", str(split), "--baseline", str(baseline)]

    result = run_cli(
        [*args, "--json", str(report_path), "--errors", str(errors_path)], lambda: EchoAnalyzer(corpus)
    )
    assert result.exit_code == 0, result.output
    assert (
        "overlap >= 0.5" in result.output and "human F1" in result.output and "cue: speech" in result.output
    )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["content"]["overlap"]["f1"] == 1.0 and report["articles"] == 1
    assert errors_path.read_text(encoding="utf-8") == ""

    missing = run_cli([*args, "--check"], lambda: EchoAnalyzer(corpus))
    assert missing.exit_code == 1 and "no baseline" in missing.output

    created = run_cli([*args, "--update-baseline"], lambda: EchoAnalyzer(corpus))
    assert created.exit_code == 0 and "content_f1: 1.000 (new)" in created.output
    assert run_cli([*args, "--check"], lambda: EchoAnalyzer(corpus)).exit_code == 0

    worse = run_cli(
        [*args, "--check", "--errors", str(errors_path)], lambda: EchoAnalyzer(corpus, every_other)
    )
    assert worse.exit_code == 1
    assert "content recall (overlap >= 0.5) is 0.500, below its floor 1.000" in worse.output
    lines = [json.loads(line) for line in errors_path.read_text(encoding="utf-8").splitlines()]
    assert {line["type"] for line in lines} == {"missed"} and len(lines) == 2

    no_reason = run_cli([*args, "--update-baseline", "--allow-lower"], lambda: EchoAnalyzer(corpus))
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output


def test_cli_check_says_when_the_data_differ(tmp_path: Path) -> None:
    split = write_polnear_sample(tmp_path)
    corpus = load_polnear(split)
    baseline = tmp_path / "baseline.json"
    gate.write_baseline(baseline, gate.Baseline(data_hash="0" * 64, floors={"content_f1": 0.1}))
    result = run_cli([str(split), "--baseline", str(baseline), "--check"], lambda: EchoAnalyzer(corpus))
    assert result.exit_code == 1 and "different data" in result.output


def test_evaluate_directory_takes_an_analyser_factory(tmp_path: Path) -> None:
    split = write_polnear_sample(tmp_path)
    corpus = load_polnear(split)
    seen: list[tuple[int, int, str]] = []
    result = evaluate_directory(
        split,
        fmt="polnear",
        analyzer=lambda: EchoAnalyzer(corpus),
        progress=lambda done, total, name: seen.append((done, total, name)),
    )
    assert result.report()["end_to_end"]["f1"] == 1.0
    assert seen == [(1, 1, "flynn")]
    with pytest.raises(ValueError, match="unknown evaluation format"):
        load_corpus(split, fmt="conll")


def test_an_analyser_failure_is_recorded_not_fatal(tmp_path: Path) -> None:
    class Broken:
        def analyze(self, text: str, *, source: str, published: str | None = None) -> Analysis:
            raise RuntimeError("model exploded")

    result = evaluate_directory(write_polnear_sample(tmp_path), fmt="polnear", analyzer=Broken())
    report = result.report()
    assert report["failed_articles"] == [{"article": "flynn", "error": "RuntimeError: model exploded"}]
    assert report["content"]["overlap"]["recall"] == 0.0
    assert all(e["type"] == "missed" and e["error"] for e in result.errors())


@pytest.mark.slow
@needs_polnear
def test_real_analyzer_on_three_dev_articles(request: pytest.FixtureRequest) -> None:
    pytest.importorskip("onrecord.pipeline", reason="onrecord.pipeline is not importable yet")
    analyzer = request.getfixturevalue("analyzer_all")  # the session's loaded pipeline (conftest.py)
    result = evaluate_directory(POLNEAR_DEV, fmt="polnear", analyzer=analyzer, limit=3)
    report = result.report()
    assert report["articles"] == 3 and not report["failed_articles"]
    for level in ("exact", "overlap", "any"):
        assert set(report["content"][level]) >= {"precision", "recall", "f1", "gold", "predicted"}
    assert set(report["slices"]) == {"kind", "source", "cue"}
    assert report["predictions"] == sum(1 for _ in result.articles for _ in _.pred)


# --- the set formats: speakers, roles, gum-people ------------------------------------------------------

SET_TEXT = (
    'The minister said the plan would work. "We will win," Ms Green told reporters. '
    "A spokesman for Acme said prices would rise."
)


def _at(text: str, piece: str) -> list[int]:
    start = text.index(piece)
    return [start, start + len(piece)]


def write_speakers_set(folder: Path) -> Path:
    """A made-up article with three statements (a described, a named and an unnamed speaker) and its
    one person with a role, in the speakers set's layout."""
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(SET_TEXT.encode("utf-8")).hexdigest()
    (folder / "articles.jsonl").write_text(
        json.dumps({"id": "a-1", "text": SET_TEXT}) + "\n", encoding="utf-8"
    )
    green = {"speaker": "Jane Green", "named": True, "speaker_key": ["Green"]}
    statements = [
        {"kind": "indirect", "content_spans": [_at(SET_TEXT, "the plan would work")], **green,
         "mention_type": "description", "mention_span": _at(SET_TEXT, "The minister")},
        {"kind": "direct", "content_spans": [_at(SET_TEXT, "We will win,")], **green,
         "mention_type": "name", "mention_span": _at(SET_TEXT, "Ms Green")},
        {"kind": "indirect", "content_spans": [_at(SET_TEXT, "prices would rise")],
         "speaker": "a spokesman for Acme", "named": False, "speaker_key": None,
         "mention_type": "description", "mention_span": _at(SET_TEXT, "A spokesman for Acme"),
         "speaker_mention_spans": []},
    ]  # fmt: skip
    gold = {"articles": [{"id": "a-1", "text_sha256": sha, "statements": statements}]}
    (folder / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    role = {"role": "minister", "alternatives": ["government minister"], "kind": "description",
            "evidence_spans": [_at(SET_TEXT, "minister")]}  # fmt: skip
    people = [{"name": "Jane Green", "key": ["Green"], "roles": [role]}]
    roles = {"articles": [{"id": "a-1", "text_sha256": sha, "people": people}]}
    (folder / "roles.json").write_text(json.dumps(roles), encoding="utf-8")
    return folder


class RecordAnalyzer:
    """A fake analyser returning fixed records (the JSON of ``onrecord analyze``) by text."""

    def __init__(self, quotes: list[dict], entities: list[dict]) -> None:
        self.record = {"quotes": quotes, "entities": entities}

    def analyze(self, text: str, *, source: str, published: str | None = None):
        record = dict(self.record, source=source, text=text)

        class Result:
            def to_dict(self) -> dict:
                return record

        return Result()


def quote(piece: str, name: str | None, mention: str | None = None, **extra) -> dict:
    mention_span = _at(SET_TEXT, mention) if mention else None
    speaker = {"name": name, "mention": mention, "mention_span": mention_span}
    return {"content_spans": [_at(SET_TEXT, piece)], "speaker": speaker, "nested_in": None, **extra}


PERFECT_QUOTES = [
    quote("the plan would work", "Jane Green", "The minister"),
    quote("We will win,", "Jane Green", "Ms Green"),
    quote("prices would rise", "A spokesman for Acme", "A spokesman for Acme"),
]
PERFECT_PEOPLE = [{"type": "PERSON", "name": "Jane Green", "roles": ["minister"], "mentions": []}]


def test_speakers_and_roles_of_the_gold_score_one(tmp_path: Path) -> None:
    folder = write_speakers_set(tmp_path / "set")
    analyzer = RecordAnalyzer(PERFECT_QUOTES, PERFECT_PEOPLE)
    report = evaluate_set(load_set(folder, fmt="speakers"), analyzer=analyzer).report()
    assert report["detection"]["f1"] == report["exact_detection"]["f1"] == 1.0
    assert report["end_to_end"]["f1"] == report["canonical_accuracy"] == 1.0
    assert report["slices"]["named"]["unnamed"]["end_to_end_recall"] == 1.0
    roles = evaluate_set(load_set(folder, fmt="roles"), analyzer=analyzer).report()
    assert roles["roles"]["f1"] == roles["people"]["f1"] == 1.0
    assert roles["headline"]["no_wrong_role_share"] == 1.0


def test_speakers_count_boundaries_speakers_and_misses(tmp_path: Path) -> None:
    folder = write_speakers_set(tmp_path / "set")
    quotes = [
        quote("the plan would", "Green", "The minister"),  # matched (F1 0.88), not exact
        quote("We will win,", "a spokesman for Green", "Ms Green"),  # holds the key, not a name
        quote("A spokesman for Acme said", "Acme", "A spokesman for Acme"),  # spurious
        {**quote("prices would rise", "Acme"), "nested_in": 0},  # nested: left out
    ]
    result = evaluate_set(load_set(folder, fmt="speakers"), analyzer=RecordAnalyzer(quotes, []))
    report = result.report()
    assert (report["detection"]["gold_found"], report["predictions"]) == (2, 3)
    assert report["exact_detection"]["gold_found"] == 1
    assert report["canonical_right"] == 1 and report["wrong_speaker_reasons"] == {"named-ness differs": 1}
    assert report["headline"]["end_to_end_f1"] == pytest.approx(2 * (1 / 3) * (1 / 3) / (2 / 3))
    assert report["notes"] == {"nested quotes left out": 1}
    kinds = sorted(e["type"] for e in result.errors())
    assert kinds == ["boundary", "missed", "spurious", "wrong_speaker"]


def test_roles_wrong_and_neutral(tmp_path: Path) -> None:
    folder = write_speakers_set(tmp_path / "set")
    people = [
        {"type": "PERSON", "name": "Mr Green", "roles": ["shadow minister", {"text": "Minister"}]},
        {"type": "PERSON", "name": "Acme", "roles": []},
        {"type": "ORG", "name": "Acme", "roles": ["firm"]},
    ]
    result = evaluate_set(load_set(folder, fmt="roles"), analyzer=RecordAnalyzer([], people))
    report = result.report()
    assert report["people"]["precision"] == 0.5 and report["people"]["recall"] == 1.0
    assert (report["correct_roles"], report["wrong_roles"]) == (1, 1)
    assert report["wrong_role_share"] == 1.0 and report["headline"]["no_wrong_role_share"] == 0.0
    assert sorted(e["type"] for e in result.errors()) == ["spurious_person", "wrong_role"]


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Gordon Brown", True),
        ("the Treasury", True),
        ("analyst Jason Kenney at ING", True),
        ("a Labour Party spokesman", False),
        ("a spokesman for the Treasury", False),
        ("the chancellor", False),
        ("he", False),
        ("", False),
    ],
)
def test_looks_named(name: str, named: bool) -> None:
    assert looks_named(name) is named


@pytest.mark.parametrize(
    ("name", "keys", "right"),
    [
        ("Mr Brown", ["Brown"], True),
        ("Browne", ["Brown"], False),
        ("the Liberal Democrats", ["Liberal Democrat"], True),
        ("Labour and the Tories", ["Labour+Conservative"], False),
        ("The Conservatives and Labour", ["Labour+Conservative"], True),
    ],
)
def test_speaker_keys(name: str, keys: list[str], right: bool) -> None:
    assert contains_key(name, keys) is right


@pytest.mark.parametrize(
    ("predicted", "gold", "right"),
    [
        ("the Prime Minister of Ukraine", "prime minister", True),
        ("shadow chancellor", "chancellor", False),
        ("founder", "co-founder", False),
        ("chief executive officer of the big WMC Resources firm", "chief executive", False),
        ("Ladbrokes's spokesman", "spokesman for ladbrokes", True),
    ],
)
def test_role_matching(predicted: str, gold: str, right: bool) -> None:
    assert role_matches(role_tokens(predicted), [role_tokens(gold)]) is right


def test_role_and_people_names() -> None:
    assert has_key("ROBIN LOVELL-BADGE", ["Lovell-Badge"]) and not has_key("Strawson", ["Straw"])
    assert has_key("Jose Chavez", ["Ch\u00e1vez"])
    assert holds_word("Mr Bernoulli", "Bernoulli") and not holds_word("Bernoullis", "Bernoulli")


GUM_CONLLU = """# meta::title = A visit
# newpar
# text = A visit
1\tA\ta\tDET\tDT\t_\t2\tdet\t_\t_
2\tvisit\tvisit\tNOUN\tNN\t_\t0\troot\t_\t_

# newpar
# text = John Smith met President Ann Lee.
1\tJohn\tJohn\tPROPN\tNNP\t_\t3\tnsubj\t_\t_
2\tSmith\tSmith\tPROPN\tNNP\t_\t1\tflat\t_\t_
3\tmet\tmeet\tVERB\tVBD\t_\t0\troot\t_\t_
4\tPresident\tPresident\tPROPN\tNNP\t_\t5\tcompound\t_\t_
5\tAnn\tAnn\tPROPN\tNNP\t_\t3\tobj\t_\t_
6\tLee\tLee\tPROPN\tNNP\t_\t5\tflat\t_\t_
7\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# text = He thanked her.
1\tHe\the\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tthanked\tthank\tVERB\tVBD\t_\t0\troot\t_\t_
3\ther\ther\tPRON\tPRP\t_\t2\tobj\t_\t_
4\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_
"""
GUM_TEXT = "John Smith met President Ann Lee. He thanked her."


def write_gum_set(folder: Path) -> Path:
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / "GUM_test.conllu").write_text(GUM_CONLLU, encoding="utf-8")
    (folder / "articles.jsonl").write_text(json.dumps({"id": "GUM_test", "text": GUM_TEXT}) + "\n")

    def mention(piece: str, eid: str) -> dict:
        start, end = _at(GUM_TEXT, piece)
        return {"start": start, "end": end, "text": piece, "eid": eid, "etype": "person", "identity": None}

    entities = [mention("John Smith", "1"), mention("President Ann Lee", "2"), mention("He", "1"),
                mention("her", "2")]  # fmt: skip
    (folder / "entities.jsonl").write_text(json.dumps({"id": "GUM_test", "entities": entities}) + "\n")
    return folder


def test_gum_people_gold_and_scores(tmp_path: Path) -> None:
    people = load_set(write_gum_set(tmp_path / "gum"), fmt="gum-people")
    (article,) = people.articles
    assert [p.name for p in article.people] == ["John Smith", "Ann Lee"]  # the title is no name
    predicted = [
        {
            "type": "PERSON",
            "name": "John Smith",
            "mentions": [_at(GUM_TEXT, "John Smith"), _at(GUM_TEXT, "He")],
        },
        {"type": "PERSON", "name": "Lee", "mentions": [_at(GUM_TEXT, "Ann Lee")]},
        {"type": "PERSON", "name": "Visit", "mentions": [[0, 2]]},  # touches John's name: not a third person
        {"type": "PERSON", "name": "Nobody", "mentions": []},
    ]
    record = {"source": "GUM_test.txt", "entities": predicted}
    result = people.score(Predictions({"GUM_test": record}))
    report = result.report()
    assert (report["people"]["gold_found"], report["people"]["predicted"]) == (2, 4)
    assert report["one_entity_per_person"] == 0.5  # John is touched by two entities
    assert report["all_mention_recall"] == 0.75 and report["name_mention_recall"] == 1.0
    assert sorted(e["type"] for e in result.errors()) == ["split", "spurious", "spurious"]


def test_cli_scores_and_gates_a_set_format(tmp_path: Path) -> None:
    folder = write_speakers_set(tmp_path / "set")
    baseline = tmp_path / "speakers.json"
    errors = tmp_path / "errors.jsonl"
    args = ["--format", "speakers", str(folder), "--baseline", str(baseline)]
    perfect = lambda: RecordAnalyzer(PERFECT_QUOTES, PERFECT_PEOPLE)  # noqa: E731
    created = run_cli([*args, "--update-baseline", "--json", str(tmp_path / "r.json")], perfect)
    assert created.exit_code == 0, created.output
    assert "detection, exact boundaries" in created.output and "end_to_end_f1: 1.000 (new)" in created.output
    assert json.loads((tmp_path / "r.json").read_text())["headline"]["canonical_accuracy"] == 1.0
    assert run_cli([*args, "--check"], perfect).exit_code == 0
    worse = run_cli(
        [*args, "--check", "--errors", str(errors)], lambda: RecordAnalyzer(PERFECT_QUOTES[:2], [])
    )
    assert worse.exit_code == 1
    assert "speakers: statement detection recall is 0.667, below its floor 1.000" in worse.output
    assert [json.loads(line)["type"] for line in errors.read_text().splitlines()] == ["missed"]
    other = run_cli(["--format", "roles", str(folder), "--baseline", str(baseline), "--check"], perfect)
    assert other.exit_code == 1 and "holds the floors of --format speakers, not roles" in other.output
