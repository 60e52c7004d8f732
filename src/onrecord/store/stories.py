"""Stories: near-duplicate articles (one wire story printed by many outlets with small edits).

Each stored article has a MinHash signature (``article_signatures``, from its cleaned text) and a
``story_id``: the id of the first stored article of its story, where two articles are one story when
:mod:`onrecord.clean.dedup` finds them near duplicates (estimated Jaccard similarity of their 5-word
shingles at least ``JACCARD_THRESHOLD``). An article that resembles no earlier one is its own story.
"First" is the order of storing (``articles.pk``): the runner's input order, batch after batch.

:class:`StoryLinker` keeps a :class:`~onrecord.clean.dedup.NearDuplicateIndex` of the stored articles
in memory, loaded once from ``article_signatures`` and extended as batches are written. It is in step
with the file only after a COMMIT: a rolled-back batch (or another writer) makes it reload.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np

from onrecord.clean.dedup import NearDuplicateIndex

_DTYPE = np.dtype("<u4")  # signatures are stored as little-endian uint32 bytes, whatever the machine


def to_blob(signature: np.ndarray) -> bytes:
    return signature.astype(_DTYPE).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, _DTYPE).astype(np.uint32)


def mark(conn: sqlite3.Connection) -> int:
    """The newest signature row: rows are only ever added, so this changes with every commit that adds."""
    return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM article_signatures").fetchone()[0])


def load_index(conn: sqlite3.Connection) -> NearDuplicateIndex:
    """The stored articles' signatures and stories, in the order they were stored."""
    index = NearDuplicateIndex()
    data = index.to_dict()
    data["articles"] = [
        [article_id, story or article_id, from_blob(blob).tolist()]
        for article_id, story, blob in conn.execute(
            "SELECT a.id, a.story_id, s.signature FROM article_signatures s "
            "JOIN articles a ON a.id = s.article_id ORDER BY a.pk"
        )
    ]
    return NearDuplicateIndex.from_dict(data)


def link(conn: sqlite3.Connection, index: NearDuplicateIndex, article_id: str, text: str) -> str:
    """Find the story of a newly stored article, store its signature and story id; returns the story."""
    signature = index.signature(text)
    story = index.add_signature(article_id, signature)
    conn.execute(
        "INSERT INTO article_signatures (article_id, signature) VALUES (?, ?) "
        "ON CONFLICT (article_id) DO NOTHING",
        (article_id, to_blob(signature)),
    )
    conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story, article_id))
    return story


def refresh_stories(conn: sqlite3.Connection, statement_ids: Iterable[str]) -> None:
    """Recompute ``statements.stories`` (distinct stories among the articles carrying each statement)."""
    conn.executemany(
        "UPDATE statements SET stories = (SELECT count(DISTINCT a.story_id) FROM quotes q "
        "JOIN articles a ON a.id = q.article_id WHERE q.statement_id = statements.id) WHERE id = ?",
        [(sid,) for sid in sorted(set(statement_ids))],
    )


def fill(conn: sqlite3.Connection) -> None:
    """Migration step 3 on a store that has articles: signatures and story ids from ``articles.text``,
    in the order the articles were stored, then every statement's story count."""
    index = load_index(conn)
    for article_id, text in conn.execute(
        "SELECT id, text FROM articles WHERE id NOT IN (SELECT article_id FROM article_signatures) "
        "ORDER BY pk"
    ).fetchall():
        link(conn, index, article_id, text)
    conn.execute(
        "UPDATE statements SET stories = (SELECT count(DISTINCT a.story_id) FROM quotes q "
        "JOIN articles a ON a.id = q.article_id WHERE q.statement_id = statements.id)"
    )


class StoryLinker:
    """The in-memory index of one writer connection (see the module docstring)."""

    def __init__(self) -> None:
        self._index: NearDuplicateIndex | None = None
        self._mark = -1

    def begin(self, conn: sqlite3.Connection) -> NearDuplicateIndex:
        """The index for the batch now starting (inside its transaction): reloaded if the file changed."""
        now = mark(conn)
        if self._index is None or now != self._mark:
            self._index, self._mark = load_index(conn), now
        return self._index

    def committed(self, new_mark: int) -> None:
        """The batch committed; ``new_mark`` is :func:`mark` read inside its transaction, before COMMIT."""
        self._mark = new_mark

    def rolled_back(self) -> None:
        self._index = None  # it may hold articles that are not in the file: reload before the next batch
