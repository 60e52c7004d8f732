"""PolNeAR evaluation with the spaCy parses cached: for iterating on quotation rules on train.

`onrecord evaluate` parses every article again (about 2 minutes for train on 2 cores); the rules run
in seconds. This tool parses each paragraph once, keeps the parses in a DocBin file outside the
repository (default: /tmp/onrecord-parses-<split>.spacy), and scores the current rules against them.
The numbers are those of `onrecord evaluate` (same analyser, same parses, same scoring):

    .venv/bin/python tools/cached_eval.py ../shared/data/polnear/train --errors /tmp/train_errors.jsonl

Work on train only: dev is the gate, measured with `onrecord evaluate`, never studied error by error.
The cache is keyed by paragraph text: delete it after changing the spaCy model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from onrecord.evaluate import evaluate_corpus, load_corpus
from onrecord.nlp import load_pipeline
from onrecord.pipeline import Analyzer

#: Token attributes the rules read; DocBin keeps them all.
_ATTRS = ["ORTH", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "LEMMA", "MORPH", "POS", "SENT_START"]


class CachedPipeline:
    """Stands in for the spaCy pipeline: ``pipe`` answers from the cache, parsing what is missing."""

    def __init__(self, nlp: Language, cache: Path):
        self.nlp = nlp
        self.meta = nlp.meta
        self.cache = cache
        self.docs: dict[str, Doc] = {}
        self.added = 0
        if cache.exists():
            for doc in DocBin().from_disk(cache).get_docs(nlp.vocab):
                self.docs[doc.text] = doc

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Doc]:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self.docs]
        for text, doc in zip(missing, self.nlp.pipe(missing, batch_size=batch_size), strict=True):
            self.docs[text] = doc
            self.added += 1
        return iter([self.docs[t] for t in texts])

    def save(self) -> None:
        if self.added:
            DocBin(attrs=_ATTRS, docs=self.docs.values()).to_disk(self.cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="a PolNeAR split directory (use train)")
    parser.add_argument(
        "--cache", type=Path, help="the parse cache file (default /tmp/onrecord-parses-<split>)"
    )
    parser.add_argument("--errors", type=Path, help="write every error as JSON Lines here")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    args = parser.parse_args(argv)
    split = Path(args.path).resolve().name
    cache = args.cache or Path(f"/tmp/onrecord-parses-{split}.spacy")
    pipeline = CachedPipeline(load_pipeline(), cache)
    analyzer = Analyzer(nlp=pipeline, statements="all")  # type: ignore[arg-type]
    corpus = load_corpus(args.path, fmt="polnear")
    result = evaluate_corpus(corpus, analyzer=analyzer)
    pipeline.save()
    report = result.report()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), "utf-8")
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as out:
            for error in result.errors():
                out.write(json.dumps(error, ensure_ascii=False) + "\n")
    _summary(report)
    return 0


def _summary(report: dict[str, Any]) -> None:
    """The headline numbers on one screen."""
    print(json.dumps({k: v for k, v in report.items() if k not in {"articles", "errors"}}, indent=1)[:6000])


if __name__ == "__main__":
    sys.exit(main())
