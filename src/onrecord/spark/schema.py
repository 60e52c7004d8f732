"""The Parquet tables of a Spark run: names, columns (Spark DDL) and the layout of the output folder.

docs/spark.md describes every column. Two kinds of table:

- **per batch** (``BATCH_TABLES``): what the analyser made of each input, written once per input batch
  under ``<table>/batch=<id>/`` (a Hive-style partition: Spark, DuckDB, pandas and Athena read
  ``batch`` as a column). A batch is complete when its marker ``_batches/<id>.json`` exists; it lists
  the inputs in it, which a rerun skips.
- **derived** (``DERIVED_TABLES``): the steps that span articles (exact duplicates, people across
  articles, statements, stories), recomputed by Spark jobs over every complete batch and swapped in
  whole under ``derived/``; ``derived/_manifest.json`` names the batches they cover.
"""

from __future__ import annotations

#: Column order matches the tuples of onrecord.spark.rows.
BATCH_TABLES: dict[str, str] = {
    "articles": (
        "id string, input string, position int, dup_key string, source string, title string, "
        "published string, published_from string, language string, url string, outlet string, "
        "quote_count int, text string, input_text string, onrecord_version string, model string, "
        "signature binary, record string"
    ),
    "quotations": (
        "id string, article_id string, position int, kind string, content string, quote_start int, "
        "quote_end int, pieces array<array<int>>, cue string, cue_start int, cue_end int, "
        "speaker_name string, speaker_mention string, mention_start int, mention_end int, "
        "mention_kind string, speaker_entity string, speaker_entities array<string>, speaker_kind string, "
        "speaker_key string, speaker_words int, nested_in string, confidence double, component string, "
        "context_start int, context_end int, published string, speaker_named boolean, "
        "speaker_resolution string, antecedent_start int, antecedent_end int, cue_class string, "
        "input string, "
        "input_position int"
    ),
    "entities": (
        "article_id string, entity_id string, type string, name string, roles array<string>, "
        "mentions array<array<int>>, mention_count int, input string, input_position int"
    ),
    "mentions": (
        "article_id string, entity_id string, position int, mention_start int, mention_end int, text string, "
        "input string, input_position int"
    ),
    "dates": (
        "article_id string, position int, text string, date_start int, date_end int, value string, "
        "granularity string, input string, input_position int"
    ),
    "failures": (
        "input string, stage string, code string, message string, file string, position int, dup_key string"
    ),
}

DERIVED_TABLES = ("order", "sources", "names", "quote_links", "persons", "statements", "failures")

#: Folder names inside the output folder.
BATCHES_DIR = "_batches"
TEMP_DIR = "_temporary_onrecord"
DERIVED_DIR = "derived"
DERIVED_MANIFEST = "_manifest.json"
#: The partition column of the per-batch tables.
BATCH_COLUMN = "batch"
#: The version of this layout, written into every marker; a reader refuses a newer one.
LAYOUT_VERSION = 1
