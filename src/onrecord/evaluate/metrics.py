"""Scoring one article: character F1 between contents, one-to-one matching, and the slices.

Definitions:

* A content is the set of character positions of its pieces (a discontinuous content is their union),
  each piece first trimmed of whitespace, quotation marks and punctuation at its edges, so that
  ``"We will win,"`` and ``We will win`` are the same content. Character F1 compares two such sets.
* Matching is one-to-one and greedy: all (gold, predicted) pairs with some overlap, best F1 first (ties:
  the pair whose source also matches, then reading order). One matching serves all strictness levels:
  exact (same characters), overlap (F1 >= 0.5, the headline) and any overlap.
* End to end, a pair counts when its content F1 is >= 0.5 and the predicted speaker mention overlaps
  the gold source (or neither has one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from onrecord.evaluate.gold import Item
from onrecord.records import Span


def _wordset(words: str) -> frozenset[str]:
    """A constant word list written as one string (one word per whitespace-separated token)."""
    return frozenset(words.split())


Level = Literal["exact", "overlap", "any"]
LEVELS: tuple[Level, ...] = ("exact", "overlap", "any")
#: The headline threshold: a content counts as found when its character F1 reaches this. PolNeAR's
#: authors report agreement at the same threshold, so our number reads against theirs.
OVERLAP_THRESHOLD = 0.5

#: Cues of speech: verbs (lemmas) and phrases that report something said or written. Attribution in
#: PolNeAR is broader (beliefs, findings, perceptions); this slice is the part a quotation extractor is
#: for. ":" and dashes are the headline and transcript cues ("Pence: Flowers won't be at debate").
SPEECH_CUES: frozenset[str] = _wordset(
    """
    say tell add state announce explain claim insist warn admit deny ask reply respond answer write
    tweet post note argue call urge declare report confirm acknowledge recall mention comment remark
    stress emphasize emphasise repeat reiterate testify vow pledge promise threaten joke quip complain
    criticize criticise condemn praise accuse charge allege concede contend maintain assert observe
    describe cite echo shout yell scream whisper chant predict demand question retort counter continue
    propose recommend blast attack slam email text blog speak talk brag boast lament muse : —
    """
) | frozenset({"according to", "call for", "call on", "point out", "put it"})
#: Non-speech cues, listed so that the cue lemmatiser knows them: beliefs, wishes, findings, perceptions.
OTHER_CUES: frozenset[str] = _wordset(
    """
    believe think want hope feel fear worry expect know see find show seem appear plan consider
    understand wonder doubt assume suspect guess decide support oppose realize realise recognize learn
    hear remember estimate identify indicate reveal disclose release rate rule endorse intend prefer
    wish like love hate imagine conclude determine suggest prove mean look sound view regard agree
    disagree decline refuse
    """
)
_CUE_VOCABULARY = SPEECH_CUES | OTHER_CUES
_MULTIWORD_CUES = ("according to", "call for", "call on", "point out", "put it")
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write", "spoke": "speak",
    "spoken": "speak", "thought": "think", "felt": "feel", "knew": "know", "known": "know", "saw": "see",
    "seen": "see", "heard": "hear", "found": "find", "meant": "mean", "held": "hold", "read": "read",
    "understood": "understand", "was": "be", "were": "be", "is": "be", "are": "be", "been": "be",
    "put": "put", "shown": "show", "sent": "send", "led": "lead", "made": "make", "gave": "give",
    "given": "give", "took": "take", "taken": "take",
}  # fmt: skip
_DASHES = "\u2015\u2014\u2013-"

#: Mentions that are pronouns (a closed list), relative pronouns included ("Trump, who said ...").
PRONOUNS: frozenset[str] = _wordset(
    """
    i me my we us our you your he him his she her it its they them their one who whom which that this
    these those himself herself themselves itself ourselves myself yourself someone somebody everyone
    nobody anyone
    """
)
#: Capitalised words that do not make a mention a name (determiners, and the plural heads that start
#: sentences in news: "Officials said ..."). A sentence-initial word also counts as a name only if the
#: article never writes it in lower case.
_NOT_NAMES: frozenset[str] = _wordset(
    """
    the a an this that these those his her their its our my your some many most several other others
    both all each every any no one two three four five few such another
    """
)
_DOUBLE_OPEN = "“„«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‹"
_SINGLE_CLOSE = "’›"
_EDGE_EXTRA = "`´"
_WORD = re.compile(r"[^\W_](?:[\w’'.&-]*[^\W_])?")

ContentKind = Literal["fully quoted", "partly quoted", "unquoted"]
SourceKind = Literal["name", "pronoun", "description", "none"]
CueClass = Literal["speech", "other"]
SLICES: dict[str, tuple[str, ...]] = {
    "kind": ("fully quoted", "partly quoted", "unquoted"),
    "source": ("name", "pronoun", "description", "none"),
    "cue": ("speech", "other"),
}


# --- characters ----------------------------------------------------------------------------------


def is_edge_char(char: str) -> bool:
    """Whitespace, quotation marks and punctuation do not count at a span's edges."""
    return char.isspace() or unicodedata.category(char).startswith("P") or char in _EDGE_EXTRA


def trim_span(text: str, span: Span) -> Span:
    """``span`` without edge characters; an empty span ``(start, start)`` if nothing else is left."""
    start, end = max(0, span[0]), min(len(text), span[1])
    while start < end and is_edge_char(text[start]):
        start += 1
    while end > start and is_edge_char(text[end - 1]):
        end -= 1
    return (start, end)


def char_positions(text: str, spans: Sequence[Span]) -> frozenset[int]:
    """The positions a (possibly discontinuous) span covers, each piece trimmed of edge characters.

    A span made only of edge characters (a content that is just "—") keeps its untrimmed positions, so
    that it can still be matched exactly.
    """
    positions: set[int] = set()
    for span in spans:
        start, end = trim_span(text, span)
        positions.update(range(start, end))
    if not positions:
        for start, end in spans:
            positions.update(range(max(0, start), min(len(text), end)))
    return frozenset(positions)


def char_f1(gold: frozenset[int], predicted: frozenset[int]) -> float:
    if not gold or not predicted:
        return 0.0
    common = len(gold & predicted)
    return 2 * common / (len(gold) + len(predicted))


# --- slices --------------------------------------------------------------------------------------


def quoted_mask(text: str) -> bytearray:
    """1 for every character inside quotation marks (the marks included), paragraph by paragraph.

    Curly marks pair by direction; a straight ``"`` opens after a space or the line start and closes
    otherwise. Single marks open only at a word's start and never close between two letters, so the
    apostrophes of "Clinton’s" and "didn't" are not quotes. A quotation still open at a paragraph's end
    runs to that end (news leaves a multi-paragraph quotation open at each paragraph break).
    """
    mask = bytearray(len(text))
    start = 0
    for line in text.split("\n"):
        _mark_line(line, start, mask)
        start += len(line) + 1
    return mask


def _mark_line(line: str, offset: int, mask: bytearray) -> None:
    double: int | None = None
    single: int | None = None

    def mark(a: int, b: int) -> None:
        mask[offset + a : offset + b] = b"\x01" * (b - a)

    for i, char in enumerate(line):
        before = line[i - 1] if i else " "
        after = line[i + 1] if i + 1 < len(line) else " "
        if char in _DOUBLE_OPEN or (char == '"' and double is None and (before.isspace() or before in "([")):
            if double is None:
                double = i
        elif char in _DOUBLE_CLOSE or char == '"':
            if double is not None:
                mark(double, i + 1)
                double = single = None
        elif char in _SINGLE_OPEN or (char == "'" and not before.isalnum() and after.isalnum()):
            if single is None:
                single = i
        elif char in _SINGLE_CLOSE or char == "'":
            if before.isalnum() and after.isalnum():
                continue  # an apostrophe
            if single is not None:
                mark(single, i + 1)
                single = None
    if double is not None:
        mark(double, len(line))


def content_kind(text: str, spans: Sequence[Span], mask: bytearray) -> ContentKind:
    """Fully quoted (every word inside quotation marks), partly quoted (some), or unquoted."""
    positions = [i for i in char_positions(text, spans) if not text[i].isspace()]
    inside = sum(mask[i] for i in positions)
    if positions and inside == len(positions):
        return "fully quoted"
    return "partly quoted" if inside else "unquoted"


def source_kind(
    text: str, mention: str | None, spans: Sequence[Span], lower_words: frozenset[str]
) -> SourceKind:
    """How a source is mentioned: a name, a pronoun (closed list), a description, or not at all."""
    words = _WORD.findall(mention or "")
    if not words:
        return "none"
    if all(w.lower() in PRONOUNS for w in words):
        return "pronoun"
    initial = bool(spans) and _sentence_initial(text, spans[0][0])
    for index, word in enumerate(words):
        if not word[0].isupper() or word.lower() in _NOT_NAMES:
            continue
        if index == 0 and initial and word.lower() in lower_words:
            continue  # "Officials said ...": capitalised only because it starts the sentence
        return "name"
    return "description"


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"“‘'(—"):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?:;"


def lower_words(text: str) -> frozenset[str]:
    """Every word the text writes in lower case."""
    return frozenset(w for w in _WORD.findall(text) if w.islower())


def cue_lemma(cue: str | None) -> str | None:
    """The lemma of a cue: "said" -> "say", "has said" -> "say", "according to" -> "according to".

    A tiny lemmatiser for the cue lists: lower case, a multi-word cue kept whole, otherwise the last word
    (scanning back past words that are not cues: "said Monday" -> "say") with its inflection removed.
    """
    if cue is None:
        return None
    lowered = " ".join(cue.lower().replace("’", "'").split())
    if not lowered:
        return None
    for phrase in _MULTIWORD_CUES:
        if re.search(r"\b" + _inflected(phrase) + r"\b", lowered):
            return phrase
    words = _WORD.findall(lowered)
    if not words:
        return ":" if ":" in lowered else ("—" if any(d in lowered for d in _DASHES) else lowered)
    for word in reversed(words):
        lemma = lemmatise_verb(word)
        if lemma in _CUE_VOCABULARY:
            return lemma
    return lemmatise_verb(words[-1])


def _inflected(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    if first == "according":
        return re.escape(phrase)
    return rf"{re.escape(first)}\w*\s+(?:\w+\s+)?{re.escape(rest)}"


def lemmatise_verb(word: str) -> str:
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _CUE_VOCABULARY:
        return word
    candidates: list[str] = []
    for suffix, replacements in (("ies", ("y",)), ("ied", ("y",)), ("es", ("", "e")), ("s", ("",))):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            candidates += [word[: -len(suffix)] + r for r in replacements]
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            candidates += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                candidates.append(stem[:-1])  # admitted -> admit
    for candidate in candidates:
        if candidate in _CUE_VOCABULARY:
            return candidate
    return _guess_stem(word)


def _guess_stem(word: str) -> str:
    """A verb outside the cue lists: undo the regular inflections (no cue slice depends on it)."""
    if re.search(r"(?:ss|sh|ch|x|z)es$", word):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    for suffix in ("ed", "ing"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) > 2:
            if stem[-1] == stem[-2] and stem[-1] not in "lsz":
                return stem[:-1]  # admitted -> admit
            if re.search(r"(?:[cgvz]|[^aeiou][aeiou][tr]|[aeiou]s)$", stem):
                return stem + "e"  # encouraged -> encourage, debated -> debate, promised -> promise
            return stem
    return word


def cue_class(cue: str | None) -> CueClass:
    lemma = cue_lemma(cue)
    return "speech" if lemma is not None and lemma in SPEECH_CUES else "other"


# --- one article -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    gold: int
    pred: int
    f1: float
    exact: bool
    source_ok: bool
    #: Gold with a speaker surname: does the predicted canonical name contain it? None otherwise.
    speaker_ok: bool | None = None


def source_matches(text: str, gold: Item, pred: Item) -> bool:
    """The predicted speaker mention overlaps the gold source, or neither has one."""
    if not gold.source_checked:
        return True
    if not gold.source_spans or not pred.source_spans:
        return not gold.source_spans and not pred.source_spans
    return bool(char_positions(text, gold.source_spans) & char_positions(text, pred.source_spans))


def speaker_matches(gold: Item, pred: Item) -> bool | None:
    if not gold.speaker_surname:
        return None
    return gold.speaker_surname.lower() in (pred.speaker or "").lower()


def match_items(text: str, gold: Sequence[Item], pred: Sequence[Item]) -> list[Pair]:
    """One-to-one greedy matching over all overlapping pairs, best character F1 first."""
    gold_sets = [char_positions(text, g.content_spans) for g in gold]
    pred_sets = [char_positions(text, p.content_spans) for p in pred]
    candidates: list[tuple[float, bool, int, int]] = []
    for gi, gset in enumerate(gold_sets):
        for pi, pset in enumerate(pred_sets):
            f1 = char_f1(gset, pset)
            if f1 > 0:
                candidates.append((f1, source_matches(text, gold[gi], pred[pi]), gi, pi))
    candidates.sort(key=lambda c: (-c[0], not c[1], c[2], c[3]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[Pair] = []
    for f1, source_ok, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        exact = gold_sets[gi] == pred_sets[pi]
        pairs.append(Pair(gi, pi, f1, exact, source_ok, speaker_matches(gold[gi], pred[pi])))
    return sorted(pairs, key=lambda p: p.gold)


def meets(pair: Pair, level: Level) -> bool:
    if level == "exact":
        return pair.exact
    if level == "overlap":
        return pair.f1 >= OVERLAP_THRESHOLD
    return pair.f1 > 0


@dataclass
class ArticleScore:
    """Gold, predictions and their matching for one article, with every item's slice values."""

    name: str
    text: str
    gold: tuple[Item, ...]
    pred: tuple[Item, ...]
    pairs: list[Pair] = field(default_factory=list)
    error: str | None = None

    @cached_property
    def by_gold(self) -> dict[int, Pair]:
        return {p.gold: p for p in self.pairs}

    @cached_property
    def by_pred(self) -> dict[int, Pair]:
        return {p.pred: p for p in self.pairs}

    @cached_property
    def _mask(self) -> bytearray:
        return quoted_mask(self.text)

    @cached_property
    def _lower_words(self) -> frozenset[str]:
        return lower_words(self.text)

    def slice_values(self, item: Item) -> dict[str, str]:
        return {
            "kind": content_kind(self.text, item.content_spans, self._mask),
            "source": source_kind(self.text, item.source, item.source_spans, self._lower_words),
            "cue": cue_class(item.cue),
        }


def score_article(name: str, text: str, gold: Sequence[Item], pred: Sequence[Item]) -> ArticleScore:
    gold, pred = tuple(gold), tuple(pred)
    return ArticleScore(name=name, text=text, gold=gold, pred=pred, pairs=match_items(text, gold, pred))
