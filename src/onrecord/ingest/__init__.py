"""Readers: files, folders, JSON Lines and stdin into ArticleInput records (or InputError per input)."""

from onrecord.ingest.readers import SAMPLE_PATH, read_inputs, read_sample

__all__ = ["SAMPLE_PATH", "read_inputs", "read_sample"]
