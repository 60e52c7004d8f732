"""Quotations: quotation marks, cues, content spans and speakers."""

from onrecord.quotes.candidates import RULES
from onrecord.quotes.extract import extract_candidates
from onrecord.quotes.marks import MarkedSpan, find_marked_spans

__all__ = ["RULES", "MarkedSpan", "extract_candidates", "find_marked_spans"]
