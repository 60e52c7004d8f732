"""``onrecord load``: a Spark run's Parquet output into a new SQLite store, read like one made by
``onrecord ingest`` (the same rows, ids, person ids, statement ids, stories and row order).

It needs pyarrow, not Spark or Java: a cluster's output folder is copied home and loaded there. The
cross-article results come from the Spark jobs (``derived/``: the storing order, sources, the person of
each name, persons, statements, stories, failures); each article's own rows are written by the store's
own row builders (``onrecord.store.sqlite``) from the Analysis record the job kept, so the columns are
those ``write_batch`` writes. Row ids follow the storing order (``derived/order``), so ``articles.pk``
and ``quotes.pk`` are those of a local ingest of the same inputs in the same order.

The whole load is ONE transaction: a load that is killed leaves an empty store, and is run again.
Only a new (empty) store is loaded: merging into a store that already holds articles would need the
incremental rules of ``write_batch`` (re-linking people and stories against what is there), which is
what ``onrecord ingest`` does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord import __version__
from onrecord.errors import OnrecordError
from onrecord.records import Analysis
from onrecord.spark.schema import BATCH_COLUMN, BATCHES_DIR, DERIVED_DIR, DERIVED_MANIFEST, LAYOUT_VERSION
from onrecord.store import people
from onrecord.store.schema import now
from onrecord.store.sqlite import (
    _date_rows,
    _entity_rows,
    _json,
    _quote_row,
    _speaker_kind,
    encoding_columns,
    open_store,
)

log = logging.getLogger(__name__)

#: Articles read from Parquet at a time (bounds memory: each carries its text twice and its record).
READ_BATCH_ROWS = 256
_ARTICLE_COLUMNS = ("id", "input", "position", "input_text", "signature", "record")


class LoadError(OnrecordError):
    """The output folder or the database cannot be loaded: the message says which and what to do."""


@dataclass(slots=True)
class LoadReport:
    batches: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def load(
    output: str | Path, db: str | Path, *, progress: Callable[[int, int], None] | None = None
) -> LoadReport:
    """Load the Spark output folder ``output`` into the new store ``db``; ``progress(done, total)``."""
    try:
        import pyarrow.dataset as pads
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise LoadError('onrecord load needs pyarrow: pip install "onrecord[spark]"') from exc
    out = Path(output)
    batches = _complete_batches(out)
    derived = out / DERIVED_DIR
    store = open_store(db)
    try:
        counts = store.counts()
        if counts["articles"] or counts["failures"]:
            raise LoadError(
                f"{db} already holds {counts['articles']} articles; load into a new database file "
                "(onrecord load OUTPUT --db new.db), or add inputs with onrecord ingest"
            )
        order = pq.read_table(derived / "order").to_pylist()
        order.sort(key=lambda row: (row["input"], row["position"]))  # the storing order
        places: dict[str, tuple[str, int, int, str, int]] = {}
        base = 0
        for pk, row in enumerate(order, start=1):
            places[row["id"]] = (row["input"], row["position"], pk, row["story_id"], base)
            base += row["quote_count"]
        names = {r["key"]: r["person_id"] for r in pq.read_table(derived / "names").to_pylist()}
        conn = store.connection
        stamp = now()
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = 0
            for row in _articles(pads, out / "articles", batches):
                place = places.get(row["id"])
                if place is None or (place[0], place[1]) != (row["input"], row["position"]):
                    continue  # a later copy of an article: it is a source (derived/sources), not an article
                _insert_article(conn, row, place, names, stamp)
                done += 1
                if progress is not None and done % 100 == 0:
                    progress(done, len(places))
            if done != len(places):
                raise LoadError(
                    f"{out}: derived/order lists {len(places)} articles, the batches hold {done}; "
                    "run onrecord spark again on the same output to rebuild derived/"
                )
            _insert_derived(conn, pq, derived, stamp)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if progress is not None:
            progress(done, len(places))
        return LoadReport(batches=len(batches), counts=store.counts())
    finally:
        store.close()


def _complete_batches(out: Path) -> list[str]:
    if not out.is_dir():
        raise LoadError(f"{out}: no such folder; give the --output folder of onrecord spark")
    markers = sorted((out / BATCHES_DIR).glob("*.json")) if (out / BATCHES_DIR).is_dir() else []
    batches = []
    for path in markers:
        marker = json.loads(path.read_text(encoding="utf-8"))
        if marker.get("layout", 0) > LAYOUT_VERSION:
            raise LoadError(f"{path} was written by a newer onrecord; upgrade onrecord")
        batches.append(marker["batch"])
    if not batches:
        raise LoadError(
            f"{out} holds no complete batch (no {BATCHES_DIR}/*.json); is it an onrecord spark output?"
        )
    manifest_path = out / DERIVED_DIR / DERIVED_MANIFEST
    if not manifest_path.is_file():
        raise LoadError(
            f"{out} has no {DERIVED_DIR}/ tables; run onrecord spark again on it (without --no-derive)"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if sorted(manifest["batches"]) != sorted(batches):
        raise LoadError(
            f"{out}: the {DERIVED_DIR}/ tables cover other batches than the complete ones; "
            "run onrecord spark again on the same inputs and output to bring them up to date"
        )
    return sorted(batches)


def _articles(pads: Any, folder: Path, batches: list[str]) -> Iterator[dict[str, Any]]:
    dataset = pads.dataset(str(folder), format="parquet", partitioning="hive")
    wanted = pads.field(BATCH_COLUMN).isin(batches)
    for chunk in dataset.to_batches(
        columns=list(_ARTICLE_COLUMNS), filter=wanted, batch_size=READ_BATCH_ROWS
    ):
        yield from chunk.to_pylist()


def _insert_article(
    conn: Any,
    row: dict[str, Any],
    place: tuple[str, int, int, str, int],
    names: dict[str, str | None],
    stamp: str,
) -> None:
    """One article with its entities, dates and quotations: the columns of ``store.sqlite._write``."""
    analysis = Analysis.from_dict(json.loads(row["record"]))
    _, _, pk, story, quote_base = place
    provenance = analysis.provenance
    conn.execute(
        "INSERT INTO articles (pk, id, title, published, published_from, language, source, url, outlet, "
        "quote_count, input_text, text, text_map, headings, removed, provenance, onrecord_version, model, "
        "stored_at, story_id, encoding, encoding_sure) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            pk,
            analysis.id,
            analysis.title,
            analysis.published,
            analysis.published_from,
            analysis.language,
            analysis.source,
            analysis.url,
            analysis.outlet,
            len(analysis.quotes),
            row["input_text"],
            analysis.text,
            _json(analysis.text_map),
            _json([[h.text, *h.span] for h in analysis.headings]),
            _json([[r.text, *r.span, r.reason] for r in analysis.removed]),
            _json(provenance),
            provenance.get("onrecord"),
            provenance.get("model"),
            stamp,
            story,
            *encoding_columns(analysis),
        ),
    )
    conn.execute(
        "INSERT INTO article_signatures (article_id, signature) VALUES (?, ?)",
        (analysis.id, row["signature"]),
    )
    conn.executemany(
        "INSERT INTO entities (article_id, entity_id, type, name, roles, mentions, mention_count, "
        "role_facts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _entity_rows(analysis),
    )
    conn.executemany(
        "INSERT INTO dates (article_id, position, text, date_start, date_end, value, granularity) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        _date_rows(analysis),
    )
    quotes = []
    for position, quote in enumerate(analysis.quotes):
        kind = _speaker_kind(quote, analysis)
        key = people.name_key(quote.speaker.name)
        person = names.get(key) if kind == "person" and key else None
        statement = people.statement_id(quote.content, person, key)
        quotes.append(
            (quote_base + position + 1, *_quote_row(analysis, position, quote, kind, key, person, statement))
        )
    conn.executemany(
        "INSERT INTO quotes (pk, id, article_id, position, kind, content, quote_start, quote_end, pieces, "
        "cue, cue_start, cue_end, speaker_name, speaker_mention, mention_start, mention_end, mention_kind, "
        "speaker_entity, speaker_entities, speaker_kind, speaker_key, person_id, statement_id, nested_in, "
        "confidence, component, context_start, context_end, published, speaker_named, speaker_resolution, "
        f"antecedent_start, antecedent_end, cue_class) VALUES ({', '.join('?' * 34)})",
        quotes,
    )


def _insert_derived(conn: Any, pq: Any, derived: Path, stamp: str) -> None:
    """Sources, names, persons, statements and failures, as the Spark jobs computed them."""

    def rows(table: str) -> list[dict[str, Any]]:
        return list(pq.read_table(derived / table).to_pylist())

    conn.executemany(
        "INSERT INTO article_sources (article_id, source, url, outlet, title, published, stored_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (r["article_id"], r["source"], r["url"], r["outlet"], r["title"], r["published"], stamp)
            for r in sorted(rows("sources"), key=lambda r: (r["input"], r["position"]))
        ],
    )
    conn.executemany(
        "INSERT INTO names (key, surname, words, person_id) VALUES (?, ?, ?, ?)",
        [
            (r["key"], r["surname"], r["words"], r["person_id"])
            for r in sorted(rows("names"), key=lambda r: r["key"])
        ],
    )
    conn.executemany(
        "INSERT INTO persons (id, name, quotes, statements, articles, first_seen, last_seen, roles, names) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r["id"],
                r["name"],
                r["quotes"],
                r["statements"],
                r["articles"],
                r["first_seen"],
                r["last_seen"],
                _json(r["roles"]),
                _json(r["names"]),
            )
            for r in sorted(rows("persons"), key=lambda r: r["id"])
        ],
    )
    conn.executemany(
        "INSERT INTO statements (id, person_id, speaker_name, content, quotes, articles, outlets, "
        "first_seen, last_seen, stories) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r["id"],
                r["person_id"],
                r["speaker_name"],
                r["content"],
                r["quotes"],
                r["articles"],
                r["outlets"],
                r["first_seen"],
                r["last_seen"],
                r["stories"],
            )
            for r in sorted(rows("statements"), key=lambda r: r["id"])
        ],
    )
    conn.executemany(
        "INSERT INTO failures (input, stage, code, message, onrecord_version, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (r["input"], r["stage"], r["code"], r["message"], __version__, stamp)
            for r in sorted(rows("failures"), key=lambda r: (r["file"], r["position"]))
        ],
    )
