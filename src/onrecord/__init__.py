"""onrecord: an auditable record of who said what, in which role, and when.

>>> import onrecord
>>> analysis = onrecord.analyze('"We will win," Jane Doe said on Friday.', published="2024-03-04")
>>> analysis.quotes[0].speaker.name
'Jane Doe'
>>> store = onrecord.open_store(":memory:")  # or "news.db": the embedded SQLite record
"""

from __future__ import annotations

__version__ = "0.1.0"

from onrecord.pipeline import Analyzer, analyze
from onrecord.records import Analysis, DateRef, Entity, Quote, Speaker
from onrecord.store import open_store

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
