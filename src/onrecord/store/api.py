"""What the ingest runner hands to the store, and what a store must do.

The runner (onrecord.runners.local) is the only writer; the query layer (onrecord.query) and the
CLI read. Everything written is keyed by content hashes, so writing the same batch twice changes
nothing (a killed ingest is simply run again).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from onrecord.errors import OnrecordError
from onrecord.records import Analysis


@dataclass(frozen=True, slots=True)
class StoredInput:
    """One analysed article and the original input text its offsets point into."""

    analysis: Analysis
    input_text: str


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be processed: which, at what stage, the error code and message."""

    input: str
    stage: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ArticleSource:
    """Another input that held an article already stored (the same cleaned text): one more source of it,
    with where it came from. The article is not analysed again."""

    article_id: str
    source: str
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """What one ``write_batch`` added: articles new to the store, their quotations, and the change in
    the number of people. Counted inside the batch's transaction, so two ingests writing the same
    store at once each count only their own."""

    articles: int = 0
    quotes: int = 0
    people: int = 0


class Store(Protocol):
    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """The article ids (content hashes) of ``ids`` that are already stored."""
        ...

    def write_batch(
        self,
        items: Sequence[StoredInput],
        failures: Sequence[Failure] = (),
        sources: Sequence[ArticleSource] = (),
    ) -> Written:
        """Store a batch in ONE transaction; idempotent (an article already stored is skipped,
        a failure already recorded for the same input is replaced, a source already known is kept).
        A source whose article is not stored (its first copy failed) is dropped. Returns what the
        batch added."""
        ...

    def counts(self) -> dict[str, int]:
        """{"articles", "quotes", "statements", "people", "failures"}: for the ingest summary."""
        ...

    def close(self) -> None: ...


class StoreError(OnrecordError):
    """A store cannot be opened or written: the message names the file and says what to do."""
