"""Storage: the articles, quotations, people and statements of many analyses, in one SQLite file.

>>> from onrecord.store import open_store
>>> store = open_store(":memory:")
>>> store.counts()["articles"]
0
>>> store.close()

docs/store.md describes the schema, the cross-article merge of people (:mod:`onrecord.store.people`)
and the migrations (:mod:`onrecord.store.schema`).
"""

from __future__ import annotations

from onrecord.store.api import ArticleSource, Failure, Store, StoredInput, StoreError
from onrecord.store.schema import SCHEMA_VERSION
from onrecord.store.sqlite import SQLiteStore, open_store

__all__ = [
    "SCHEMA_VERSION",
    "ArticleSource",
    "Failure",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoredInput",
    "open_store",
]
