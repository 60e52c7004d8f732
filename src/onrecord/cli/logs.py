"""What the readers log for the user (WARC summaries) goes to stderr as `onrecord: ...` lines."""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (tests and click swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def show_reader_logs() -> None:
    """Print the readers' INFO lines (one summary per WARC archive) on stderr, once per process."""
    logger = logging.getLogger("onrecord.ingest.readers")
    if any(isinstance(h, _StderrHandler) for h in logger.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("onrecord: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
