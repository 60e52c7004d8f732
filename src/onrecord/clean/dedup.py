"""Near-duplicate articles: one story printed by many outlets with small edits (wire copy).

Each article's text becomes a set of word shingles (runs of SHINGLE_WORDS words, lower-cased); two
articles are copies of one story when the Jaccard similarity of their sets (shared / all shingles) is at
least JACCARD_THRESHOLD. MinHash (Broder, "On the resemblance and containment of documents", 1997)
estimates that similarity from PERMUTATIONS minimum hash values per article, and LSH banding (Leskovec,
Rajaraman and Ullman, *Mining of Massive Datasets*, ch. 3) finds the candidates without comparing every
pair: articles that agree on all BAND_ROWS values of some band are compared. docs/warc.md, "Near
duplicates", gives the measurements behind the constants.

``NearDuplicateIndex.add(article_id, text)`` returns the story id: the id of the first article of the
story (the earlier article that the new one resembles most). The index is plain data (picklable, and
``to_dict``/``from_dict`` for JSON); the hash functions come from a fixed seed through BLAKE2, so a
signature is the same in every process and every version of NumPy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

#: Words per shingle. Five words make shared phrases rare between different articles (the most similar
#: of the 15,400 pairs of different articles in ../shared/data/aeb share 14% of their shingles) while
#: one changed word changes only five shingles.
SHINGLE_WORDS = 5
#: MinHash values per article. The estimate of a similarity J has a standard error of
#: sqrt(J(1-J)/128): 0.043 at the threshold, 0.031 at 0.14.
PERMUTATIONS = 128
#: Rows per LSH band: 42 bands of 3 rows (the 2 values left over count in the estimate only). A pair
#: with similarity J becomes a candidate with probability 1-(1-J^3)^42: 0.94 at 0.4, 0.98 at 0.45,
#: 0.996 at 0.5, 0.11 at 0.14 (candidates are then compared on all 128 values).
BAND_ROWS = 3
#: Estimated Jaccard similarity from which two articles are one story. Tuned on the 176 articles of
#: ../shared/data/aeb with more than 80 words (tests/test_dedup.py, test_aeb_*): different articles,
#: even two outlets' reports of one event, reach 0.14 (estimated 0.16); copies with a sentence changed
#: score 0.55 and up (median 0.93), a paragraph added 0.69 and up, a new headline 0.96 and up, all
#: three edits 0.49 and up, and the first half of an article alone 0.45-0.50. 0.4 keeps all of these
#: (173 of the 176 half copies: at 0.5 the estimate falls below 0.4 one time in fifty) and stays
#: more than seven standard errors above the different articles. Rerun tests/test_dedup.py after a
#: change, and update docs/warc.md.
JACCARD_THRESHOLD = 0.4
#: The seed of the hash functions. Changing it (or PERMUTATIONS) changes every signature: a saved index
#: no longer matches new articles (tests/test_dedup.py pins one signature).
SEED = 1
_WORD = re.compile(r"\w+")
_BATCH = 4096  # shingles hashed together: bounds the (PERMUTATIONS x batch) intermediate array


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The set of runs of ``size`` words (lower-cased ``\\w+``); a shorter text is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: str, b: str, size: int = SHINGLE_WORDS) -> float:
    """The exact Jaccard similarity of two texts' shingle sets (what MinHash estimates)."""
    sa, sb = shingles(a, size), shingles(b, size)
    return len(sa & sb) / len(sa | sb)


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _mix(values: np.ndarray) -> None:
    """MurmurHash3's 64-bit finaliser, in place: a bijection in which every input bit flips about half
    of the output bits (uint64 arrays wrap around on overflow, silently)."""
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)


class NearDuplicateIndex:
    """Articles grouped into stories as they are added. Pure data: pickle it, or use to_dict."""

    def __init__(
        self,
        *,
        threshold: float = JACCARD_THRESHOLD,
        permutations: int = PERMUTATIONS,
        band_rows: int = BAND_ROWS,
        shingle_words: int = SHINGLE_WORDS,
        seed: int = SEED,
    ) -> None:
        if not 0 < threshold <= 1 or not 1 <= band_rows <= permutations:
            raise ValueError("need 0 < threshold <= 1 and 1 <= band_rows <= permutations")
        self.threshold, self.permutations, self.band_rows = threshold, permutations, band_rows
        self.shingle_words, self.seed = shingle_words, seed
        # permutation i of the 64-bit shingle hashes: x -> mix(x XOR key_i)
        self._keys = np.array([_hash64(f"{seed}:{i}".encode()) for i in range(permutations)], np.uint64)
        self._ids: list[str] = []
        self._stories: list[str] = []
        self._signatures: list[np.ndarray] = []
        self._position: dict[str, int] = {}
        self._buckets: list[dict[bytes, list[int]]] = [{} for _ in range(permutations // band_rows)]

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._position

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature of a text: PERMUTATIONS minimum hash values (uint32)."""
        hashes = np.fromiter(
            (_hash64(s.encode("utf-8")) for s in shingles(text, self.shingle_words)), np.uint64
        )
        out = np.full(self.permutations, np.iinfo(np.uint64).max, np.uint64)
        for i in range(0, len(hashes), _BATCH):
            values = self._keys[:, None] ^ hashes[None, i : i + _BATCH]
            _mix(values)
            np.minimum(out, values.min(axis=1), out=out)
        return (out >> np.uint64(32)).astype(np.uint32)  # the high half: 32 bits are plenty to compare

    def add(self, article_id: str, text: str) -> str:
        """Add an article; return its story id (its own id if it is the first of its story).

        Adding an id again changes nothing and returns its story."""
        if article_id in self._position:
            return self.story_of(article_id)
        return self.add_signature(article_id, self.signature(text))

    def add_signature(self, article_id: str, signature: np.ndarray) -> str:
        """``add`` for a signature computed earlier (``signature(text)``, possibly in another process)."""
        if article_id in self._position:
            return self.story_of(article_id)
        self._check(article_id, signature)
        match = self._best_match(signature)
        story = self._stories[match] if match is not None else article_id
        self._insert(article_id, story, signature)
        return story

    def find_story(self, text: str) -> str | None:
        """The story a text would join, without adding it; None for a new story."""
        match = self._best_match(self.signature(text))
        return None if match is None else self._stories[match]

    def story_of(self, article_id: str) -> str:
        return self._stories[self._position[article_id]]

    def stories(self) -> dict[str, list[str]]:
        """Story id -> the ids of its articles, in the order they were added."""
        out: dict[str, list[str]] = {}
        for article_id, story in zip(self._ids, self._stories, strict=True):
            out.setdefault(story, []).append(article_id)
        return out

    def similarity(self, first_id: str, second_id: str) -> float:
        """The estimated Jaccard similarity of two added articles."""
        a = self._signatures[self._position[first_id]]
        b = self._signatures[self._position[second_id]]
        return float(np.mean(a == b))

    def _check(self, article_id: str, signature: np.ndarray) -> None:
        if signature.shape != (self.permutations,) or signature.dtype != np.uint32:
            raise ValueError(f"article {article_id!r}: not a signature of {self.permutations} uint32 values")

    def _insert(self, article_id: str, story: str, signature: np.ndarray) -> None:
        self._check(article_id, signature)
        position = len(self._ids)
        self._ids.append(article_id)
        self._stories.append(story)
        self._signatures.append(signature)
        self._position[article_id] = position
        for bucket, key in zip(self._buckets, self._band_keys(signature), strict=True):
            bucket.setdefault(key, []).append(position)

    def _band_keys(self, signature: np.ndarray) -> Iterable[bytes]:
        rows = self.band_rows
        return (signature[i * rows : (i + 1) * rows].tobytes() for i in range(len(self._buckets)))

    def _best_match(self, signature: np.ndarray) -> int | None:
        """The earlier article most similar to ``signature`` at or above the threshold (the earliest
        of equals), if any."""
        candidates: set[int] = set()
        for bucket, key in zip(self._buckets, self._band_keys(signature), strict=True):
            candidates.update(bucket.get(key, ()))
        if not candidates:
            return None
        ordered = sorted(candidates)
        scores = (np.stack([self._signatures[i] for i in ordered]) == signature).mean(axis=1)
        best = int(np.argmax(scores))  # the first of equal scores: the earliest article
        return ordered[best] if scores[best] >= self.threshold else None

    # -- persistence -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The index as JSON-ready data; ``from_dict`` rebuilds it (the LSH buckets are recomputed)."""
        return {
            "version": 1,
            "threshold": self.threshold,
            "permutations": self.permutations,
            "band_rows": self.band_rows,
            "shingle_words": self.shingle_words,
            "seed": self.seed,
            "articles": [
                [article_id, story, signature.tolist()]
                for article_id, story, signature in zip(
                    self._ids, self._stories, self._signatures, strict=True
                )
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NearDuplicateIndex:
        if data.get("version") != 1:
            raise ValueError(f"unknown near-duplicate index version {data.get('version')!r}")
        index = cls(
            threshold=data["threshold"],
            permutations=data["permutations"],
            band_rows=data["band_rows"],
            shingle_words=data["shingle_words"],
            seed=data["seed"],
        )
        for article_id, story, values in data["articles"]:
            index._insert(article_id, story, np.array(values, np.uint32))
        return index
