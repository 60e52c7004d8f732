"""onrecord: an auditable record of who said what, in which role, and when.

>>> import onrecord
>>> analysis = onrecord.analyze('"We will win," Jane Doe said on Friday.', published="2024-03-04")
>>> analysis.quotes[0].speaker.name
'Jane Doe'
>>> store = onrecord.open_store(":memory:")  # or "news.db": the embedded SQLite record
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from onrecord.records import Analysis, DateRef, Entity, Quote, Speaker
from onrecord.store import open_store

if TYPE_CHECKING:
    from onrecord.pipeline import Analyzer, analyze


def __getattr__(name: str) -> Any:
    """``Analyzer`` and ``analyze`` load spaCy: imported on first use, so that the query side (the
    store, the web app, `onrecord quotes`) starts without it (issue #19)."""
    if name in {"Analyzer", "analyze"}:
        from onrecord import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'onrecord' has no attribute {name!r}")


__all__ = [
    "Analysis",
    "Analyzer",
    "DateRef",
    "Entity",
    "Quote",
    "Speaker",
    "__version__",
    "analyze",
    "open_store",
]
