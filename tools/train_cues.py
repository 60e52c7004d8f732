"""Train the cue table (src/onrecord/data/cues_en.json) on PolNeAR train.

The table says, for a word in one construction ("said" + complement clause, "criticism" + "of" +
object, "confident" + that-clause; see onrecord.lexicon.CueTable), how often its content is an annotated
attribution. Training runs the extractor in its exploring mode (every construction of every word makes a
candidate), matches each candidate's content against the annotations of its article (character F1 >=
0.5, as the evaluation does), and counts. Deterministic; one command:

    .venv/bin/python tools/train_cues.py ../shared/data/polnear/train

Only train may train it: dev is the gate. The parses are cached as in tools/cached_eval.py. The file
keeps only the entries that change a decision (a word the family estimate alone would judge the same
way needs no entry), so it stays small.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from cached_eval import CachedPipeline

from onrecord.clean import clean_text
from onrecord.entities import EntityIndex, find_roles
from onrecord.evaluate import load_corpus
from onrecord.evaluate.metrics import OVERLAP_THRESHOLD, char_f1, char_positions
from onrecord.lexicon import CUE_TABLE_FILE, CueTable, family_of, load_lexicon
from onrecord.nlp import load_pipeline
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.extract import extract_candidates

#: A word's own count weighs against its family's share like this many occurrences (see CueTable).
PRIOR_WEIGHT = 5.0
#: Kept when the estimated precision reaches this. Adding predictions of precision p raises F1 when p
#: is above half the F1 (about 0.33 here). Chosen by two-fold cross-validation on train (tables trained
#: on one half of the articles, scored on the other; 0.25-0.5 swept): 0.3 was best (docs/evaluation.md).
THRESHOLD = 0.3
_OUT = Path(__file__).resolve().parent.parent / "src" / "onrecord" / CUE_TABLE_FILE.format(language="en")


def count(path: str, cache: Path) -> tuple[Counter[str], Counter[str]]:
    """Occurrences and matches per "lemma|construction|listed" key."""
    lexicon = load_lexicon("en")
    pipeline = CachedPipeline(load_pipeline(), cache)
    corpus = load_corpus(path, fmt="polnear")
    seen: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for number, article in enumerate(corpus.articles, start=1):
        cleaned = clean_text(article.text)
        docs = list(pipeline.pipe([cleaned.text[p.start : p.end] for p in cleaned.paragraphs]))
        parsed = ParsedArticle(
            cleaned.text,
            tuple(
                ParsedParagraph(i, p.start, doc, p.is_heading)
                for i, (p, doc) in enumerate(zip(cleaned.paragraphs, docs, strict=True))
            ),
        )
        index = EntityIndex(lexicon)
        index.build(parsed)
        find_roles(parsed, index, lexicon)
        gold = [char_positions(article.text, item.content_spans) for item in article.items]
        cands = [c for c in extract_candidates(parsed, index, lexicon, explore=True) if c.parent is None]
        contents = [
            char_positions(article.text, [cleaned.to_original(s, e) for s, e in c.pieces]) for c in cands
        ]
        matched = _match(gold, contents)
        for k, cand in enumerate(cands):
            if cand.key is not None:
                seen[cand.key] += 1
                hits[cand.key] += k in matched
        if number % 100 == 0:
            print(f"  {number}/{len(corpus.articles)} articles", file=sys.stderr)
    pipeline.save()
    return seen, hits


def _match(gold: list[frozenset[int]], contents: list[frozenset[int]]) -> set[int]:
    """The candidates that win a gold attribution in a one-to-one greedy matching, best F1 first (as
    the evaluation matches): a candidate that only repeats part of another one's content is no hit."""
    pairs = sorted(
        ((char_f1(g, c), gi, ci) for gi, g in enumerate(gold) for ci, c in enumerate(contents) if g & c),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    used_gold: set[int] = set()
    won: set[int] = set()
    for f1, gi, ci in pairs:
        if f1 < OVERLAP_THRESHOLD:
            break
        if gi in used_gold or ci in won:
            continue
        used_gold.add(gi)
        won.add(ci)
    return won


def build_table(seen: Counter[str], hits: Counter[str], prior_weight: float, threshold: float) -> dict:
    families: Counter[str] = Counter()
    family_hits: Counter[str] = Counter()
    for key, n in seen.items():
        _, construction, listed = key.split("|")
        families[f"{family_of(construction)}|{listed}"] += n
        family_hits[f"{family_of(construction)}|{listed}"] += hits[key]
    fam = {k: (families[k], family_hits[k]) for k in sorted(families)}
    bare = CueTable(families=fam, prior_weight=prior_weight, threshold=threshold)
    counts: dict[str, tuple[int, int]] = {}
    for key in sorted(seen):
        lemma, construction, listed = key.split("|")
        entry = (seen[key], hits[key])
        full = CueTable({f"{lemma}|{construction}": entry}, fam, prior_weight, threshold)
        if full.keeps(lemma, construction, listed == "1") != bare.keeps(lemma, construction, listed == "1"):
            counts[f"{lemma}|{construction}"] = entry
    return {
        "about": "Learned cue table: per word and construction, (occurrences, matched) on PolNeAR train. "
        "Made by `python tools/train_cues.py ../shared/data/polnear/train`; see onrecord.lexicon.CueTable.",
        "prior_weight": prior_weight,
        "threshold": threshold,
        "families": fam,
        "counts": counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="the PolNeAR train split")
    parser.add_argument(
        "--out", type=Path, default=_OUT, help="where to write the table (default: the package's)"
    )
    parser.add_argument(
        "--cache", type=Path, help="the parse cache (default /tmp/onrecord-parses-<split>.spacy)"
    )
    parser.add_argument("--counts", type=Path, help="reuse (or write) the raw counts here, to try thresholds")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--prior-weight", type=float, default=PRIOR_WEIGHT)
    args = parser.parse_args(argv)
    if Path(args.path).resolve().name != "train":
        parser.error(f"{args.path} is not a train split: the cue table is trained on train only")
    if args.counts is not None and args.counts.exists():
        raw = json.loads(args.counts.read_text("utf-8"))
        seen, hits = Counter(raw["seen"]), Counter(raw["hits"])
    else:
        cache = args.cache or Path(f"/tmp/onrecord-parses-{Path(args.path).resolve().name}.spacy")
        seen, hits = count(args.path, cache)
        if args.counts is not None:
            args.counts.write_text(json.dumps({"seen": seen, "hits": hits}, sort_keys=True), "utf-8")
    table = build_table(seen, hits, args.prior_weight, args.threshold)
    args.out.write_text(json.dumps(table, indent=0, sort_keys=True) + "\n", "utf-8")
    print(f"{args.out}: {len(table['counts'])} entries, {sum(seen.values())} candidates counted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
