"""Errors with codes that users can search for (docs/errors.md lists them all).

An :class:`InputError` is about one input: the batch records it (input, stage, code, message) and
goes on. Its message always names the input and says what to do about it.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    EMPTY = "E001"
    BINARY = "E002"
    NOT_UTF8 = "E003"
    TOO_LARGE = "E004"
    NOT_ENGLISH = "E005"
    UNREADABLE = "E006"
    BAD_RECORD = "E007"
    BAD_DATE = "E008"
    TIME_BUDGET = "E009"  # the analysis ran past the per-article time budget (onrecord.budget)


class WarningCode(str, Enum):
    """What a reader had to guess: logged as ``SOURCE: [CODE] MESSAGE``; the input is still read."""

    DATE_UNREAD = "W001"
    ENCODING_UNSURE = "W002"
    NAME_REPEATED = "W003"


class OnrecordError(Exception):
    """Base class of onrecord's own errors."""


class InputError(OnrecordError):
    """One input cannot be analysed. ``source`` names it; ``code`` is searchable in docs/errors.md."""

    def __init__(self, code: ErrorCode, source: str, message: str, *, stage: str = "read") -> None:
        self.code = code
        self.source = source
        self.stage = stage
        self.detail = message
        super().__init__(f"{source}: [{code.value}] {message}")
