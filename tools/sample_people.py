"""Draw a random sample of the people of a store, for checking by hand, and score the checked sample.

Issue #15 asks how many of the "people" an ingest finds are not people at all, and whether any of them
are two people merged. This draws the sample reproducibly and counts the verdicts:

    .venv/bin/onrecord ingest ../shared/data/polnear/train/text --db /tmp/pn.db
    .venv/bin/python tools/sample_people.py draw /tmp/pn.db --n 100 --seed 15 > sample.jsonl
    (fill in each line's "verdict": "person", "bad_name", "not_person" or "merged", and a "note")
    .venv/bin/python tools/sample_people.py score evaluation/polnear-people-sample.jsonl

Each drawn line holds the person's id, canonical name, the names linked to it across articles, its
counts, and up to three of its quotations' speaker mentions with the text around them, which is what
the verdict is read from. The sample is of `persons`, the people the store has quoted (speakers that
are not people, unresolved pronouns and groups are not persons and cannot be drawn).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
from collections import Counter
from pathlib import Path

#: Characters of text shown on each side of a speaker mention.
CONTEXT = 110
#: person: one real person under their name; bad_name: a real person under a name with other words in it
#: ("Without Bloomberg"); not_person: no person at all; merged: two referents under one id.
VERDICTS = ("person", "bad_name", "not_person", "merged")


def draw(db: Path, n: int, seed: int) -> list[dict]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute("SELECT id, name, names, quotes, articles FROM persons ORDER BY id").fetchall()
    picked = random.Random(seed).sample(rows, min(n, len(rows)))
    sample = []
    for person_id, name, names, quotes, articles in sorted(picked):
        contexts = []
        for article_id, start, end, mention in con.execute(
            "SELECT q.article_id, q.mention_start, q.mention_end, q.speaker_mention FROM quotes q "
            "WHERE q.person_id = ? ORDER BY q.article_id, q.position LIMIT 3",
            (person_id,),
        ):
            (text,) = con.execute("SELECT input_text FROM articles WHERE id = ?", (article_id,)).fetchone()
            if start is None:
                contexts.append({"article": article_id, "mention": mention, "text": None})
                continue
            left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
            snippet = text[left:start] + "[[" + text[start:end] + "]]" + text[end:right]
            contexts.append({"article": article_id, "mention": mention, "text": " ".join(snippet.split())})
        sample.append(
            {
                "id": person_id,
                "name": name,
                "names": json.loads(names),
                "quotes": quotes,
                "articles": articles,
                "contexts": contexts,
                "verdict": "",
                "note": "",
            }
        )
    return sample


def score(path: Path) -> dict:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    unchecked = [r["id"] for r in rows if r.get("verdict") not in VERDICTS]
    if unchecked:
        raise SystemExit(f"{path}: {len(unchecked)} lines have no verdict ({', '.join(unchecked[:5])} ...)")
    counts = Counter(r["verdict"] for r in rows)
    total = len(rows)
    return {
        "sample": total,
        **{verdict: counts[verdict] for verdict in VERDICTS},
        "not_person_share": round(counts["not_person"] / total, 3) if total else None,
        "name_not_a_persons_share": round((counts["not_person"] + counts["bad_name"]) / total, 3)
        if total
        else None,
        "merged_share": round(counts["merged"] / total, 3) if total else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="draw a sample of a store's people (JSON Lines on stdout)")
    d.add_argument("db", type=Path)
    d.add_argument("--n", type=int, default=100)
    d.add_argument("--seed", type=int, default=15)
    s = sub.add_parser("score", help="count the verdicts of a checked sample")
    s.add_argument("sample", type=Path)
    args = parser.parse_args(argv)
    if args.command == "draw":
        for row in draw(args.db, args.n, args.seed):
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        print(json.dumps(score(args.sample), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
