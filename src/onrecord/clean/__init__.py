"""Cleaning: Unicode and whitespace normalisation and boilerplate lines, with an exact map to the input."""

from __future__ import annotations

from onrecord.clean.boilerplate import ADVERTISEMENT, BOILERPLATE, NAVIGATION, SHARE
from onrecord.clean.text import CleanedText, Paragraph, clean_text

__all__ = [
    "ADVERTISEMENT",
    "BOILERPLATE",
    "NAVIGATION",
    "SHARE",
    "CleanedText",
    "Paragraph",
    "clean_text",
]
