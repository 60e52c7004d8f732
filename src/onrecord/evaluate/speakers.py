"""The speakers set: statements found, with their boundaries, and credited to the right speaker.

A folder holds ``articles.jsonl`` (``{"id", "text", ...}``) and ``gold.json`` (per article its
``text_sha256`` and ``statements``; the annotation guidelines are in the folder's README.md). The
measure is the one the set's reference scorer applies (``shared/tools/score_speakers.py``), written
here from the rules its README and docstring state, so that ``onrecord evaluate --format speakers``
and the reference agree to the third decimal (a test checks it):

- A statement is the set of character positions of its content spans, whitespace and quotation marks
  left out. A gold and a predicted statement pair with the character F1 of their sets; pairs are taken
  greedily, one to one, best first (ties: gold order, then prediction order), and count when F1 >= 0.5.
  Predicted quotations nested in another (``nested_in`` set) are left out: the gold has none.
- Detection P/R/F1 counts the pairs; *exact* detection counts the pairs whose sets are equal.
- A pair's speaker is right, for a named gold speaker, when the predicted name contains one of the
  gold's ``speaker_key`` alternatives as whole words (a trailing s/es allowed; ``A+B`` needs both) and
  is itself a name (``speaker.named`` when the record gives it, else :func:`looks_named`); for an
  unnamed gold speaker, when the predicted name equals the gold description or a non-pronoun mention
  of that speaker (case-insensitive, a leading determiner dropped), or when the prediction is neither
  a name nor a bare pronoun and its mention overlaps one of that speaker's mentions.
- Canonical accuracy = right / matched; end to end = matched with the speaker right, over predictions
  (P) and over gold (R). Slices by the gold's mention type, kind and named-ness.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.evaluate.calibration import Scored, calibration_report, render_calibration
from onrecord.evaluate.gold import GoldFormatError
from onrecord.evaluate.sets import (
    Predictions,
    SetArticle,
    data_hash,
    iter_spans,
    num,
    prf,
    read_json,
    read_jsonl,
    require,
    share,
    word_set,
)

FORMAT = "speakers"
THRESHOLD = 0.5
QUOTE_MARKS = frozenset("\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u2039\u203a")
MENTION_TYPES = ("name", "pronoun", "description", "implied")
KINDS = ("direct", "indirect", "mixed")
NAMED = ("named", "unnamed")
PRONOUNS = word_set(
    "i me my mine myself we us our ours ourselves you your yours yourself he him his himself she her "
    "hers herself it its itself they them their theirs themselves who whom this that these those"
)
_DETERMINERS = ("a ", "an ", "the ", "one ", "another ")
#: Where the head of a noun phrase ends: a postmodifier, a relative clause or an apposition begins.
_HEAD_END = re.compile(
    r"\s(?:of|for|at|from|with|in|on|by|to|who|which|that|whose|and|or)\s|[,(\[;:]|\s[-\u2013\u2014]\s"
)
_PARTS = re.compile(r"[,()\[\];]|\s[-\u2013\u2014]\s")
_WORD = re.compile(r"[\w&.'\u2019-]+")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
#: The gated numbers and what they are.
HEADLINE: dict[str, str] = {
    "detection_f1": "speakers: statement detection F1 (character F1 >= 0.5)",
    "detection_precision": "speakers: statement detection precision",
    "detection_recall": "speakers: statement detection recall",
    "exact_detection_f1": "speakers: statement detection F1, exact boundaries",
    "canonical_accuracy": "speakers: canonical speaker accuracy over the matched",
    "end_to_end_f1": "speakers: end-to-end F1 (matched and speaker right)",
    "precision_at_50": "speakers: end-to-end precision of the most confident half of the statements",
}


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpeakersArticle(SetArticle):
    statements: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SpeakersSet:
    format: str
    root: str
    data_hash: str
    articles: tuple[SpeakersArticle, ...]

    def score(self, predictions: Predictions) -> SpeakersResult:
        return score(self, predictions)


def load_texts(folder: Path, wanted: Sequence[str], hashes: dict[str, str]) -> dict[str, str]:
    """The annotated articles' texts from ``articles.jsonl``, each checked against its sha256."""
    texts = {
        str(row.get("id")): str(row.get("text"))
        for row in read_jsonl(folder / "articles.jsonl")
        if row.get("id") in set(wanted)
    }
    missing = [i for i in wanted if i not in texts]
    if missing:
        raise GoldFormatError(
            f"{folder}: {len(missing)} annotated articles are not in articles.jsonl: {missing[:3]}"
        )
    for article_id, sha in hashes.items():
        if sha and hashlib.sha256(texts[article_id].encode("utf-8")).hexdigest() != sha:
            raise GoldFormatError(
                f"{folder}: the text of {article_id} is not the one annotated (sha256 differs)"
            )
    return texts


def load_speakers(path: str | Path, *, limit: int | None = None) -> SpeakersSet:
    folder = Path(path)
    require(folder, "articles.jsonl", "gold.json")
    gold = read_json(folder / "gold.json")
    try:
        annotated = list(gold["articles"])[:limit] if limit else list(gold["articles"])
        ids = [str(a["id"]) for a in annotated]
        texts = load_texts(folder, ids, {str(a["id"]): str(a.get("text_sha256") or "") for a in annotated})
        articles = []
        for entry in annotated:
            text = texts[entry["id"]]
            for statement in entry["statements"]:
                for start, end in iter_spans(statement["content_spans"]):
                    if not 0 <= start < end <= len(text):
                        raise GoldFormatError(f"{folder}: gold span {[start, end]} outside {entry['id']}")
            articles.append(SpeakersArticle(entry["id"], text, tuple(entry["statements"])))
    except (KeyError, TypeError) as exc:
        raise GoldFormatError(f"{folder / 'gold.json'}: not a speakers gold file ({exc!r})") from exc
    files = [folder / "articles.jsonl", folder / "gold.json"]
    return SpeakersSet(FORMAT, str(folder), data_hash(folder, files, limit), tuple(articles))


# --- the speaker rules ---------------------------------------------------------------------------


def looks_named(name: str | None) -> bool:
    """Whether a predicted speaker name is a proper name, for records that do not say
    (``speaker.named``): some comma- or bracket-separated part, cut before its first postmodifier, ends
    in a word with a capital letter. "analyst Jason Kenney at ING" and "the Treasury" are names; "a
    Labour Party spokesman", "a spokesman for the Treasury" and "he" are not."""
    if not name or not name.strip() or name.strip().lower() in PRONOUNS:
        return False
    for part in _PARTS.split(name):
        part = part.strip()
        if not part:
            continue
        padded = f" {part} "
        cut = _HEAD_END.search(padded)
        words = _WORD.findall(padded[: cut.start()] if cut else part)
        if words and any(c.isupper() for c in _POSSESSIVE.sub("", words[-1])):
            return True
    return False


def contains_key(name: str, keys: Sequence[str]) -> bool:
    """Whether ``name`` holds one of the key alternatives as whole words (plural s/es allowed);
    ``"Labour+Conservative"`` needs both."""
    for key in keys:
        parts = [p.strip() for p in key.split("+") if p.strip()]
        if parts and all(
            re.search(rf"(?<!\w){re.escape(p)}(?:s|es)?(?!\w)", name, re.IGNORECASE) for p in parts
        ):
            return True
    return False


def _bare(description: str) -> str:
    text = " ".join(description.lower().replace("\u2019", "'").split())
    for determiner in _DETERMINERS:
        if text.startswith(determiner):
            return text[len(determiner) :]
    return text


def _is_named(speaker: dict[str, Any]) -> bool:
    named = speaker.get("named")
    return named if isinstance(named, bool) else looks_named(speaker.get("name"))


def judge_speaker(gold: dict[str, Any], speaker: dict[str, Any], text: str) -> str | None:
    """None when the predicted ``speaker`` is the gold statement's speaker, else why not."""
    raw = speaker.get("name")
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        return "no speaker name"
    if gold["named"]:
        keys = gold.get("speaker_key") or [gold["speaker"].split()[-1]]
        if not contains_key(name, keys):
            return "other name"
        return None if _is_named(speaker) else "named-ness differs"
    mentions = [tuple(s) for s in gold.get("speaker_mention_spans") or ()]
    if gold.get("mention_span"):
        mentions.append(tuple(gold["mention_span"]))
    forms = {_bare(gold["speaker"])}
    forms.update(_bare(text[s:e]) for s, e in mentions if text[s:e].strip().lower() not in PRONOUNS)
    if _bare(name) in forms:
        return None
    if _is_named(speaker):
        return "named-ness differs"
    if name.lower() in PRONOUNS:
        return "unresolved pronoun"
    mention = next(iter_spans(speaker.get("mention_span")), None)
    if mention and any(mention[0] < e and s < mention[1] for s, e in mentions):
        return None
    return "mention elsewhere"


# --- scoring -------------------------------------------------------------------------------------


def positions(text: str, spans: Sequence[tuple[int, int]]) -> frozenset[int]:
    """The characters a statement covers, whitespace and quotation marks left out."""
    return frozenset(
        i
        for start, end in spans
        for i in range(max(0, start), min(len(text), end))
        if not text[i].isspace() and text[i] not in QUOTE_MARKS
    )


def char_f1(a: frozenset[int], b: frozenset[int]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def pair_up(gold: Sequence[frozenset[int]], pred: Sequence[frozenset[int]]) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching, best character F1 first, pairs below the threshold never taken."""
    candidates = sorted(
        (-f, gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if g & p and (f := char_f1(g, p)) >= THRESHOLD
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for negative, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi, -negative))
    return pairs


@dataclass(frozen=True, slots=True)
class Predicted:
    spans: tuple[tuple[int, int], ...]
    chars: frozenset[int]
    speaker: dict[str, Any]
    content: str
    #: The record's confidence for the statement (None when it gives none).
    confidence: float | None = None


def predicted_statements(record: dict[str, Any] | None, text: str, notes: Counter[str]) -> list[Predicted]:
    """The record's top-level quotations (``nested_in`` null), as the reference scorer reads them."""
    out: list[Predicted] = []
    for quote in (record or {}).get("quotes") or ():
        if not isinstance(quote, dict):
            notes["malformed quotes"] += 1
            continue
        if quote.get("nested_in") is not None:
            notes["nested quotes left out"] += 1
            continue
        spans = tuple(iter_spans(quote.get("content_spans"))) or tuple(iter_spans(quote.get("content_span")))
        if not spans:
            notes["quotes without content spans"] += 1
        speaker = quote.get("speaker")
        speaker = (
            {"name": speaker} if isinstance(speaker, str) else speaker if isinstance(speaker, dict) else {}
        )
        content = " ".join(text[max(0, s) : e] for s, e in spans)
        confidence = quote.get("confidence")
        if not isinstance(confidence, int | float) or isinstance(confidence, bool):
            confidence = None
        out.append(Predicted(spans, positions(text, spans), speaker, content, confidence))
    return out


@dataclass
class SpeakersResult:
    corpus: SpeakersSet
    failed: list[dict[str, str]]
    counts: dict[str, int]
    slices: dict[str, dict[str, dict[str, int]]]
    wrong_speakers: Counter[str]
    notes: Counter[str]
    misses: list[dict[str, Any]] = field(default_factory=list)
    #: (confidence, right end to end) of every prediction that has a confidence.
    scored: list[Scored] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        c = self.counts
        detection = prf(c["matched"], c["predicted"], c["matched"], c["gold"])
        exact = prf(c["exact"], c["predicted"], c["exact"], c["gold"])
        end_to_end = prf(c["right"], c["predicted"], c["right"], c["gold"])
        canonical = share(c["right"], c["matched"]) or 0.0
        calibration = calibration_report(self.scored, left_out=c["predicted"] - len(self.scored))
        slices = {
            dim: {
                value: {
                    **s,
                    "detection_recall": share(s["matched"], s["gold"]),
                    "exact_recall": share(s["exact"], s["gold"]),
                    "canonical_accuracy": share(s["right"], s["matched"]),
                    "end_to_end_recall": share(s["right"], s["gold"]),
                }
                for value, s in values.items()
            }
            for dim, values in self.slices.items()
        }
        return {
            "format": FORMAT,
            "path": self.corpus.root,
            "data_hash": self.corpus.data_hash,
            "articles": len(self.corpus.articles),
            "gold_items": c["gold"],
            "predictions": c["predicted"],
            "failed_articles": list(self.failed),
            "overlap_threshold": THRESHOLD,
            "detection": detection,
            "exact_detection": exact,
            "canonical_accuracy": canonical,
            "canonical_right": c["right"],
            "end_to_end": end_to_end,
            "slices": slices,
            "calibration": calibration,
            "wrong_speaker_reasons": dict(self.wrong_speakers.most_common()),
            "notes": dict(sorted(self.notes.items())),
            "headline": {
                "detection_f1": detection["f1"],
                "detection_precision": detection["precision"],
                "detection_recall": detection["recall"],
                "exact_detection_f1": exact["f1"],
                "canonical_accuracy": canonical,
                "end_to_end_f1": end_to_end["f1"],
                "precision_at_50": calibration["precision_at"]["50"],
            },
        }

    def errors(self) -> Iterator[dict[str, Any]]:
        """One record per miss: missed, spurious, boundary (matched, not exact) and wrong_speaker."""
        yield from self.misses

    def render(self) -> str:
        return render(self.report())


def score(corpus: SpeakersSet, predictions: Predictions) -> SpeakersResult:
    counts = Counter({"gold": 0, "predicted": 0, "matched": 0, "exact": 0, "right": 0})
    blank = {"gold": 0, "matched": 0, "exact": 0, "right": 0}
    dims = {"mention_type": MENTION_TYPES, "kind": KINDS, "named": NAMED}
    slices = {dim: {v: dict(blank) for v in values} for dim, values in dims.items()}
    wrong: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    scored: list[Scored] = []
    failed = {f["article"]: f["error"] for f in predictions.failed}
    for article in corpus.articles:
        text = article.text
        record = predictions.records.get(article.id)
        if record is None:
            notes["articles without a record"] += 1
        preds = predicted_statements(record, text, notes)
        golds = article.statements
        gold_sets = [positions(text, tuple(iter_spans(g["content_spans"]))) for g in golds]
        pairs = pair_up(gold_sets, [p.chars for p in preds])
        by_gold = {gi: (pi, f) for gi, pi, f in pairs}
        counts["gold"] += len(golds)
        counts["predicted"] += len(preds)
        counts["matched"] += len(pairs)
        right: set[int] = set()  # the predictions matched with the speaker right
        for gi, gold in enumerate(golds):
            cells = [
                slices["mention_type"].setdefault(gold["mention_type"], dict(blank)),
                slices["kind"].setdefault(gold["kind"], dict(blank)),
                slices["named"]["named" if gold["named"] else "unnamed"],
            ]
            for cell in cells:
                cell["gold"] += 1
            if gi not in by_gold:
                misses.append(_miss(article, "missed", gold, None, None, error=failed.get(article.id)))
                continue
            pi, f = by_gold[gi]
            exact = gold_sets[gi] == preds[pi].chars
            why = judge_speaker(gold, preds[pi].speaker, text)
            if why is None:
                right.add(pi)
            counts["exact"] += exact
            counts["right"] += why is None
            for cell in cells:
                cell["matched"] += 1
                cell["exact"] += exact
                cell["right"] += why is None
            if not exact:
                misses.append(_miss(article, "boundary", gold, preds[pi], f))
            if why is not None:
                wrong[why] += 1
                misses.append(_miss(article, "wrong_speaker", gold, preds[pi], f, reason=why))
        used = {pi for _, pi, _ in pairs}
        scored.extend((p.confidence, pi in right) for pi, p in enumerate(preds) if p.confidence is not None)
        misses.extend(
            _miss(article, "spurious", None, p, None) for pi, p in enumerate(preds) if pi not in used
        )
    return SpeakersResult(
        corpus, list(predictions.failed), dict(counts), slices, wrong, notes, misses, scored
    )


def _miss(
    article: SpeakersArticle,
    kind: str,
    gold: dict[str, Any] | None,
    pred: Predicted | None,
    f1: float | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "article": article.id,
        "type": kind,
        "gold": None
        if gold is None
        else {
            "content": " | ".join(article.text[s:e] for s, e in iter_spans(gold["content_spans"])),
            "content_spans": gold["content_spans"],
            "kind": gold["kind"],
            "speaker": gold["speaker"],
            "named": gold["named"],
            "mention_type": gold["mention_type"],
            "mention": gold.get("mention"),
        },
        "predicted": None
        if pred is None
        else {
            "content": pred.content,
            "content_spans": [list(s) for s in pred.spans],
            "speaker": pred.speaker.get("name"),
            "mention": pred.speaker.get("mention"),
            "mention_span": pred.speaker.get("mention_span"),
        },
        "f1": None if f1 is None else round(f1, 4),
        **{k: v for k, v in extra.items() if v is not None},
    }


def render(report: dict[str, Any]) -> str:
    d, x, e = report["detection"], report["exact_detection"], report["end_to_end"]
    lines = [
        f"speakers: {report['path']}",
        f"{report['articles']} articles, {d['gold']} gold statements, {d['predicted']} predicted, "
        f"{d['gold_found']} matched (character F1 >= {report['overlap_threshold']}), "
        f"{x['gold_found']} exactly",
        "",
        f"{'':34}{'P':>6} {'R':>6} {'F1':>6}",
        f"{'detection, overlap >= 0.5':34}{num(d['precision']):>6} {num(d['recall']):>6} {num(d['f1']):>6}"
        "  <- headline",
        f"{'detection, exact boundaries':34}{num(x['precision']):>6} {num(x['recall']):>6} {num(x['f1']):>6}",
        f"{'end to end (speaker right)':34}{num(e['precision']):>6} {num(e['recall']):>6} {num(e['f1']):>6}",
        f"canonical speaker accuracy {num(report['canonical_accuracy'])} "
        f"({report['canonical_right']}/{d['gold_found']} of the matched)",
        "",
        f"{'slice':26}{'gold':>5} {'det. R':>7} {'exact R':>7} {'canon.':>7} {'e2e R':>7}",
    ]
    for dim, values in report["slices"].items():
        for value, s in values.items():
            lines.append(
                f"{dim + ': ' + value:26}{s['gold']:>5} {num(s['detection_recall']):>7} "
                f"{num(s['exact_recall']):>7} {num(s['canonical_accuracy']):>7} "
                f"{num(s['end_to_end_recall']):>7}"
            )
    if report["wrong_speaker_reasons"]:
        reasons = ", ".join(f"{k} {v}" for k, v in report["wrong_speaker_reasons"].items())
        lines.append(f"wrong speakers: {reasons}")
    if report["notes"]:
        lines.append("notes: " + ", ".join(f"{k} {v}" for k, v in report["notes"].items()))
    lines += ["", *render_calibration(report.get("calibration"))]
    if report["failed_articles"]:
        lines.append(f"the analyser failed on {len(report['failed_articles'])} articles")
    return "\n".join(lines)
