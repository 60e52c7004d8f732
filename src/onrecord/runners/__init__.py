"""Runners: the same per-article stage (``Analyzer``) run over many inputs, writing to one store.

``local`` runs a process pool on this machine with the main process as the one writer.
"""

from onrecord.runners.local import (
    UNEXPECTED,
    AnalyzeStage,
    IngestReport,
    IngestSettings,
    IngestStats,
    analyze_many,
    article_id,
    ingest,
)

__all__ = [
    "UNEXPECTED",
    "AnalyzeStage",
    "IngestReport",
    "IngestSettings",
    "IngestStats",
    "analyze_many",
    "article_id",
    "ingest",
]
