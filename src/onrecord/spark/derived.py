"""The steps that span articles, as Spark jobs over every complete batch (nothing is collected to the
driver but counts).

They give what ``Store.write_batch`` gives when the local runner writes the same inputs in the same
order (the order is the inputs sorted by name, then each file's articles as read):

- **Exact duplicates** (``order``, ``sources``): the first input with a given article id (the hash of
  the cleaned text) is the article; later ones are more sources of it, as in the local runner, which
  skips them before the NLP. The first input's outcome decides: if it failed, the later copies are
  dropped, as there.
- **People** (``names``): every quoted person name is grouped with the other names of its surname
  (a ``groupByKey`` over surnames) and linked by :func:`onrecord.store.people.assign_persons`, the rule
  of the store, which depends only on the name (D50). Corrections made by hand are the store's: after
  ``onrecord load``, ``onrecord correct replay`` makes them again.
- **Statements** (``quote_links``, ``statements``): each quotation's statement id is
  :func:`onrecord.store.people.statement_id` of its words and person; the statements table counts
  quotes, articles, outlets (over every source) and stories.
- **Stories** (``order.story_id``): the store links each article to the story of the earlier article
  most similar to it (MinHash, at least ``JACCARD_THRESHOLD``; the earliest of equals), in storing
  order. Here the LSH bands of the signatures are exploded and grouped, the candidate pairs (earlier,
  later) scored, each article's best earlier match kept, and the chains followed to their first article
  by pointer jumping (a few joins): the same stories as the sequential index.
- **Persons** (``persons``): counts, the display name and the roles, as ``refresh_persons`` computes them.
- **Failures**: the failure of an input that was later stored is dropped; one row per input.
"""

from __future__ import annotations

import functools
import json
import logging
import operator
import time
from collections.abc import Callable
from typing import Any

from onrecord import __version__
from onrecord.clean.dedup import BAND_ROWS, JACCARD_THRESHOLD, PERMUTATIONS
from onrecord.spark.hadoop import HadoopFiles
from onrecord.spark.schema import (
    BATCH_COLUMN,
    BATCH_TABLES,
    DERIVED_DIR,
    DERIVED_MANIFEST,
    LAYOUT_VERSION,
    TEMP_DIR,
)
from onrecord.store import people

log = logging.getLogger(__name__)

#: Bytes of one signature value (uint32) and of one LSH band.
_VALUE_BYTES = 4
_BANDS = PERMUTATIONS // BAND_ROWS
#: Upper limit of pointer-jumping rounds: each round halves every chain, so 40 covers any real data.
_MAX_ROUNDS = 40
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def read_table(spark: Any, files: HadoopFiles, output: str, table: str, batches: list[str]) -> Any:
    """A per-batch table over the complete batches (an empty frame when none holds it)."""
    from pyspark.sql import functions as F

    if files.exists(f"{output}/{table}"):
        frame = spark.read.schema(BATCH_TABLES[table] + f", {BATCH_COLUMN} string").parquet(
            f"{output}/{table}"
        )
        return frame.where(F.col(BATCH_COLUMN).isin(batches))
    return spark.createDataFrame([], BATCH_TABLES[table] + f", {BATCH_COLUMN} string")


def derive(
    spark: Any,
    files: HadoopFiles,
    output: str,
    batches: list[str],
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Compute the derived tables, write them to a temporary folder and swap it in for ``derived/``."""
    say = progress or log.info
    tables = derived_tables(spark, files, output, batches)
    temp = f"{output}/{TEMP_DIR}/{DERIVED_DIR}"
    counts: dict[str, int] = {}
    for name, frame in tables.items():
        started = time.perf_counter()
        frame.write.mode("overwrite").parquet(f"{temp}/{name}")
        counts[name] = spark.read.parquet(f"{temp}/{name}").count()
        say(f"  derived/{name}: {counts[name]} rows in {time.perf_counter() - started:.1f} s")
    manifest = {"layout": LAYOUT_VERSION, "onrecord": __version__, "batches": batches, "counts": counts}
    files.write_text(f"{temp}/{DERIVED_MANIFEST}", json.dumps(manifest, indent=1, sort_keys=True))
    files.delete(f"{output}/{DERIVED_DIR}")
    files.rename(temp, f"{output}/{DERIVED_DIR}")
    files.delete(f"{output}/{TEMP_DIR}")
    return counts


def derived_tables(spark: Any, files: HadoopFiles, output: str, batches: list[str]) -> dict[str, Any]:
    from pyspark.sql import functions as F

    articles = read_table(spark, files, output, "articles", batches)
    failures = read_table(spark, files, output, "failures", batches)
    quotes = read_table(spark, files, output, "quotations", batches)
    entities = read_table(spark, files, output, "entities", batches)

    # -- exact duplicates: the first input of each article id decides ------------------------------------
    items = articles.select(
        "dup_key", F.col("input").alias("file"), "position", F.lit(True).alias("ok")
    ).union(failures.where(F.col("dup_key").isNotNull()).select("dup_key", "file", "position", F.lit(False)))
    first = items.groupBy("dup_key").agg(F.min(F.struct("file", "position", "ok")).alias("first"))
    marked = articles.join(first, "dup_key")
    is_first = (F.col("input") == F.col("first.file")) & (F.col("position") == F.col("first.position"))
    canonical = marked.where(is_first).drop("first").cache()
    ids = canonical.select("dup_key", F.col("id").alias("canonical_id"))
    copies = (
        marked.where(~is_first & F.col("first.ok"))
        .join(ids, "dup_key")
        .select(
            F.col("canonical_id").alias("article_id"),
            "source",
            "url",
            "outlet",
            "title",
            F.when(F.col("published_from") == "given", F.col("published")).alias("published"),
            "input",
            "position",
        )
    )
    sources = (
        canonical.select(
            F.col("id").alias("article_id"),
            "source",
            "url",
            "outlet",
            "title",
            "published",
            "input",
            "position",
        )
        .union(copies)
        .groupBy("article_id", "source")
        .agg(F.min(F.struct("input", "position", "url", "outlet", "title", "published")).alias("s"))
        .select(
            "article_id", "source", "s.url", "s.outlet", "s.title", "s.published", "s.input", "s.position"
        )
    )

    # -- the storing order, and stories --------------------------------------------------------------------
    stories = _stories(canonical)
    order = canonical.select("id", "input", "position", "quote_count").join(stories, "id", "left")
    order = order.select(
        "id", "input", "position", "quote_count", F.coalesce("story_id", "id").alias("story_id")
    ).cache()

    # -- people and statements -----------------------------------------------------------------------------
    # Only the first copy's rows: an exact duplicate was analysed too, and its rows carry its own input.
    firsts = canonical.select(
        F.col("id").alias("article_id"), F.col("input"), F.col("position").alias("input_position")
    )
    quotes = quotes.join(firsts, ["article_id", "input", "input_position"])
    entities = entities.join(firsts, ["article_id", "input", "input_position"])
    person_keys = quotes.where((F.col("speaker_kind") == "person") & F.col("speaker_key").isNotNull())
    keys = person_keys.select("speaker_key").distinct()
    names = spark.createDataFrame(
        keys.rdd.map(_by_surname).groupByKey().flatMap(_assign),
        "key string, surname string, words int, person_id string",
    )
    statement = F.udf(people.statement_id, "string")
    linked = (
        quotes.join(names.select(F.col("key").alias("speaker_key"), "person_id"), "speaker_key", "left")
        .withColumn("person_id", F.when(F.col("speaker_kind") == "person", F.col("person_id")))
        .withColumn("statement_id", statement("content", "person_id", "speaker_key"))
        .cache()
    )
    quote_links = linked.select(
        F.col("id").alias("quote_id"), "article_id", "position", "person_id", "statement_id"
    )
    persons = _persons(linked, entities)
    statements = _statements(linked, sources, order)

    # -- failures ------------------------------------------------------------------------------------------
    kept = failures.join(first, "dup_key", "left").where(
        F.col("first").isNull()
        | ((F.col("file") == F.col("first.file")) & (F.col("position") == F.col("first.position")))
    )
    stored = canonical.select(F.col("source").alias("input")).distinct()
    final_failures = (
        kept.join(stored, "input", "left_anti")
        .groupBy("input")
        .agg(F.max(F.struct("file", "position", "stage", "code", "message")).alias("f"))
        .select("input", "f.stage", "f.code", "f.message", "f.file", "f.position")
    )
    return {
        "order": order,
        "sources": sources,
        "names": names,
        "quote_links": quote_links,
        "persons": persons,
        "statements": statements,
        "failures": final_failures,
    }


def _by_surname(row: Any) -> tuple[str, str]:
    key = row["speaker_key"]
    return people.surname_of(key.split()), key


def _assign(group: tuple[str, Any]) -> list[tuple[str, str, int, str | None]]:
    surname, keys = group
    links = people.assign_persons(set(keys))
    return [(key, surname, len(key.split()), person) for key, person in sorted(links.items())]


def _ascii_lower(column: Any) -> Any:
    """SQLite's ``lower()``: ASCII letters only (the store groups roles with it)."""
    from pyspark.sql import functions as F

    return F.translate(column, _UPPER, _LOWER)


def _persons(linked: Any, entities: Any) -> Any:
    """``refresh_persons`` (store/people.py) for every person at once."""
    from pyspark.sql import functions as F

    mine = linked.where(F.col("person_id").isNotNull())
    counts = mine.groupBy("person_id").agg(
        F.count(F.lit(1)).alias("quotes"),
        F.countDistinct("statement_id").alias("statements"),
        F.countDistinct("article_id").alias("articles"),
        F.min("published").alias("first_seen"),
        F.max("published").alias("last_seen"),
        F.sort_array(F.collect_set("speaker_name")).alias("names"),
    )
    # The display name: a full name before a surname, then the most quoted form, then A-Z.
    forms = mine.groupBy("person_id", "speaker_name").agg(
        F.count(F.lit(1)).alias("n"), F.first("speaker_words").alias("words")
    )
    display = forms.groupBy("person_id").agg(
        F.min(F.struct((F.col("words") < 2).alias("short"), (-F.col("n")).alias("n"), "speaker_name")).alias(
            "best"
        )
    )
    roles = (
        mine.join(
            entities.select("article_id", F.col("entity_id").alias("speaker_entity"), "roles"),
            ["article_id", "speaker_entity"],
        )
        .select("person_id", "article_id", "published", F.explode("roles").alias("role"))
        .groupBy("person_id", _ascii_lower(F.col("role")).alias("folded"))
        .agg(
            F.min("role").alias("role"),
            F.countDistinct("article_id").alias("n"),
            F.min("published").alias("first"),
        )
        .groupBy("person_id")
        .agg(
            F.array_sort(
                F.collect_list(
                    F.struct(
                        (-F.col("n")).alias("n"), F.col("first").isNull().alias("undated"), "first", "role"
                    )
                )
            ).alias("ranked")
        )
        .select("person_id", F.expr("transform(ranked, r -> r.role)").alias("roles"))
    )
    return (
        counts.join(display, "person_id")
        .join(roles, "person_id", "left")
        .select(
            F.col("person_id").alias("id"),
            F.col("best.speaker_name").alias("name"),
            "quotes",
            "statements",
            "articles",
            "first_seen",
            "last_seen",
            F.coalesce("roles", F.array().cast("array<string>")).alias("roles"),
            "names",
        )
    )


def _statements(linked: Any, sources: Any, order: Any) -> Any:
    """``refresh_statements`` and ``refresh_stories`` for every statement at once."""
    from pyspark.sql import functions as F

    base = linked.groupBy("statement_id").agg(
        F.count(F.lit(1)).alias("quotes"),
        F.countDistinct("article_id").alias("articles"),
        F.min("published").alias("first_seen"),
        F.max("published").alias("last_seen"),
        F.min("content").alias("content"),
        F.min("person_id").alias("person_id"),
        F.min("speaker_name").alias("speaker_name"),
    )
    carriers = linked.select("statement_id", "article_id").distinct()
    outlets = (
        carriers.join(sources.select("article_id", "outlet"), "article_id")
        .groupBy("statement_id")
        .agg(F.countDistinct(_ascii_lower(F.col("outlet"))).alias("outlets"))
    )
    stories = (
        carriers.join(order.select(F.col("id").alias("article_id"), "story_id"), "article_id")
        .groupBy("statement_id")
        .agg(F.countDistinct("story_id").alias("stories"))
    )
    return (
        base.join(outlets, "statement_id", "left")
        .join(stories, "statement_id", "left")
        .select(
            F.col("statement_id").alias("id"),
            "person_id",
            "speaker_name",
            "content",
            "quotes",
            "articles",
            F.coalesce("outlets", F.lit(0)).alias("outlets"),
            "first_seen",
            "last_seen",
            F.coalesce("stories", F.lit(0)).alias("stories"),
        )
    )


def _stories(canonical: Any) -> Any:
    """Each article's story id (see the module docstring); articles alone in their story are left out.
    The storing order is (input, position): structs compare field by field."""
    from pyspark.sql import functions as F

    width = BAND_ROWS * _VALUE_BYTES
    signed = canonical.select("id", F.struct("input", "position").alias("at"), "signature")
    bands = signed.select(
        "id",
        "at",
        F.posexplode(F.array(*[F.substring("signature", 1 + i * width, width) for i in range(_BANDS)])).alias(
            "band", "key"
        ),
    )
    later = bands.select(
        F.col("id").alias("later"), F.col("at").alias("later_at"), "band", F.col("key").alias("later_key")
    )
    pairs = (
        bands.join(
            later, (bands.band == later.band) & (bands.key == later.later_key) & (bands.at < later.later_at)
        )
        .select(F.col("id").alias("earlier"), F.col("at").alias("earlier_at"), "later")
        .distinct()
    )
    sigs = signed.select(F.col("id").alias("sid"), F.col("signature").alias("sig"))
    equal = [
        F.when(
            F.substring("a", 1 + i * _VALUE_BYTES, _VALUE_BYTES)
            == F.substring("b", 1 + i * _VALUE_BYTES, _VALUE_BYTES),
            1,
        ).otherwise(0)
        for i in range(PERMUTATIONS)
    ]
    # The share of equal MinHash values (NearDuplicateIndex's estimate), computed exactly as it does:
    # a count over PERMUTATIONS, a float64 division.
    score = functools.reduce(operator.add, equal) / F.lit(float(PERMUTATIONS))
    scored = (
        pairs.join(sigs.withColumnRenamed("sid", "earlier").withColumnRenamed("sig", "a"), "earlier")
        .join(sigs.withColumnRenamed("sid", "later").withColumnRenamed("sig", "b"), "later")
        .select("earlier", "earlier_at", "later", score.alias("score"))
        .where(F.col("score") >= JACCARD_THRESHOLD)
    )
    # The best earlier match: the highest score, then the earliest article of those.
    top = scored.groupBy("later").agg(F.max("score").alias("best_score"))
    parent = (
        scored.join(top, "later")
        .where(F.col("score") == F.col("best_score"))
        .groupBy("later")
        .agg(F.min(F.struct("earlier_at", "earlier")).alias("first"))
        .select(F.col("later").alias("id"), F.col("first.earlier").alias("parent"))
        .localCheckpoint()
    )
    # Pointer jumping: replace each parent by its parent until no parent has one (a first article).
    for _ in range(_MAX_ROUNDS):
        hop = parent.select(F.col("id").alias("parent"), F.col("parent").alias("grand"))
        joined = parent.join(hop, "parent", "left")
        if joined.where(F.col("grand").isNotNull()).limit(1).count() == 0:
            break
        parent = joined.select("id", F.coalesce("grand", "parent").alias("parent")).localCheckpoint()
    return parent.select("id", F.col("parent").alias("story_id"))
