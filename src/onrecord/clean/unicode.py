"""Character-level normalisation of one line, with a map from every output character to the input.

What changes, per character (everything else is copied unchanged):

- Unicode spaces (``str.isspace``: tab, NBSP U+00A0, U+202F, U+2007, U+2000-U+200A, U+3000 ...) become
  ``" "``; a run of spaces collapses to one ``" "`` that maps to the first space of the run.
- Control and format characters (categories Cc, Cf, Cs: zero-width space, joiners, U+2060, BOM, soft
  hyphen U+00AD, bidi marks, lone surrogates) are deleted. A run of spaces and deleted characters counts
  as whitespace only if it holds a space: ``"a\\u200bb"`` becomes ``"ab"``, ``"a \\u200b b"`` ``"a b"``.
- The compatibility ligatures U+FB00-U+FB06 ("ﬁ", "ﬂ" ...) are expanded by NFKC; every character of
  the expansion maps to the one ligature. NFKC is not applied to anything else: it would rewrite "…" to
  "...", fullwidth quotation marks to ASCII ones and superscripts to digits, and the quote stages read
  the punctuation exactly as the publisher wrote it.
- NFC is applied only where it is one character to one character (canonical singletons such as
  U+212B ANGSTROM SIGN -> U+00C5), so the map stays exact. Composing a base letter with a following
  combining mark (two characters to one) is skipped: it would make one output character stand for two
  input characters, and spaCy tokenises decomposed text well enough.

Quotation marks, apostrophes, dashes and "…" are never touched.

Line breaks are not handled here: the caller splits lines first (at ``LINE_BREAK_CHARS``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass
from functools import cache

#: Exactly the characters ``str.splitlines`` breaks on; "\r\n" counts as one break.
LINE_BREAK_CHARS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

#: Compatibility ligatures ("ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ"): common in text pasted from PDFs, and they hide words
#: from the tokenizer ("ﬁred" is not "fired").
_LIGATURES = range(0xFB00, 0xFB07)
_DELETED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
#: Spaces frequent enough to replace with ``str.replace`` rather than one by one: a lone NBSP or tab
#: maps one to one to " ". Scraped news is full of NBSPs (the seed article has one every 100
#: characters); handling them in C makes cleaning about a third faster.
_FAST_SPACES = "\t\xa0"


@dataclass(frozen=True, slots=True)
class CharTables:
    """What to do with each character that is not copied unchanged. Built once per process."""

    #: Characters that count as whitespace inside a line (become " ").
    spaces: frozenset[str]
    #: Characters deleted outright.
    deleted: frozenset[str]
    #: Characters replaced by a string of one or more characters (ligatures, NFC singletons).
    replaced: dict[str, str]
    #: ``spaces`` and ``deleted`` together: what trimming a line removes.
    blank: frozenset[str]
    #: Matches the places in a line that are not copied unchanged: a run of spaces, deleted and
    #: replaced characters, except a single " ".
    special: re.Pattern[str]


def _char_class(chars: list[str]) -> str:
    """A regular-expression character class of ``chars``, written as ranges of escaped code points."""
    points = sorted(ord(ch) for ch in chars)
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        first, last = points[i], points[j]
        parts.append(f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}")
        i = j + 1
    return "[" + "".join(parts) + "]"


@cache
def char_tables() -> CharTables:
    """Scan the Unicode database once (about a third of a second) and build the tables.

    Built lazily rather than at import, so that importing onrecord stays cheap.
    """
    spaces: list[str] = []
    deleted: list[str] = []
    replaced: dict[str, str] = {}
    for cp in range(0x110000):
        ch = chr(cp)
        if ch in LINE_BREAK_CHARS:
            continue
        if ch.isspace():
            spaces.append(ch)
        elif unicodedata.category(ch) in _DELETED_CATEGORIES:
            deleted.append(ch)
        elif cp in _LIGATURES:
            replaced[ch] = unicodedata.normalize("NFKC", ch)
        else:
            decomposition = unicodedata.decomposition(ch)
            # A canonical singleton has a decomposition of one code point and no "<tag>".
            if decomposition and not decomposition.startswith("<") and " " not in decomposition:
                composed = unicodedata.normalize("NFC", ch)
                if len(composed) == 1 and composed != ch:
                    replaced[ch] = composed
    special = spaces + deleted + list(replaced)
    # One class test per character in the common case (a letter): a special character other than " ",
    # NBSP or tab, or one of those three followed by another special character, then the rest of the
    # run of special characters. A lone NBSP or tab is left to ``str.replace`` (see ``normalise_span``).
    # (Three alternatives, one per kind of character, made the scan twice as slow.)
    any_special = _char_class(special)
    other = _char_class([c for c in special if c not in _FAST_SPACES and c != " "])
    pattern = f"(?:{other}|[ {_FAST_SPACES}](?={any_special})){any_special}*"
    return CharTables(
        spaces=frozenset(spaces),
        deleted=frozenset(deleted),
        replaced=replaced,
        blank=frozenset(spaces + deleted),
        special=re.compile(pattern),
    )


class MapWriter:
    """Collects output text and its map to the input as runs, merging runs that continue each other.

    A run ``(clean_starts[i], orig_starts[i])`` says: output characters from ``clean_starts[i]`` up to
    the next run come from consecutive input characters from ``orig_starts[i]``.
    """

    __slots__ = ("_follows", "clean_starts", "length", "orig_starts", "pieces")

    def __init__(self, clean_starts: MutableSequence[int], orig_starts: MutableSequence[int]) -> None:
        self.pieces: list[str] = []
        self.clean_starts = clean_starts
        self.orig_starts = orig_starts
        self.length = 0
        self._follows = -1  # the input position that would continue the last run

    def copy(self, text: str, origin: int) -> None:
        """Append ``text``, copied unchanged from the input at ``origin``."""
        if origin != self._follows:
            self.clean_starts.append(self.length)
            self.orig_starts.append(origin)
        self.pieces.append(text)
        self.length += len(text)
        self._follows = origin + len(text)

    def put(self, text: str, origin: int) -> None:
        """Append ``text``, every character of which stands for the one input character at ``origin``."""
        for k in range(len(text)):
            # Only the first character can continue the last run; the next input character continues
            # the run of the last one.
            if k > 0 or origin != self._follows:
                self.clean_starts.append(self.length + k)
                self.orig_starts.append(origin)
        self.pieces.append(text)
        self.length += len(text)
        self._follows = origin + 1

    def extend(self, text: str, clean_starts: Sequence[int], orig_starts: Sequence[int]) -> None:
        """Append ``text`` with its own runs (relative output positions, absolute input positions)."""
        for k, (clean, origin) in enumerate(zip(clean_starts, orig_starts, strict=True)):
            if k > 0 or origin != self._follows:
                self.clean_starts.append(self.length + clean)
                self.orig_starts.append(origin)
        self.pieces.append(text)
        self.length += len(text)
        self._follows = orig_starts[-1] + len(text) - clean_starts[-1]

    def text(self) -> str:
        return "".join(self.pieces)


def normalise_span(
    original: str, start: int, end: int, tables: CharTables
) -> tuple[str, list[int], list[int]]:
    """Normalise ``original[start:end]`` (one line, already trimmed) and map it back.

    Returns ``(text, clean_starts, orig_starts)``: runs where output position ``clean_starts[i] + k``
    comes from input position ``orig_starts[i] + k`` (until the next run starts). Positions in the
    output are relative to ``text``; positions in the input are absolute.
    """
    matches = tables.special.finditer(original, start, end)
    match = next(matches, None)
    if match is None:  # most lines of English text
        return _replace_fast_spaces(original[start:end]), [0], [start]
    clean_starts: list[int] = []
    orig_starts: list[int] = []
    writer = MapWriter(clean_starts, orig_starts)
    spaces = tables.spaces
    replaced = tables.replaced
    pos = start
    while match is not None:
        m_start, m_end = match.span()
        if m_start > pos:
            writer.copy(original[pos:m_start], pos)
        space_at = -1  # the first space of the current stretch of spaces and deleted characters
        for at in range(m_start, m_end):
            replacement = replaced.get(original[at])
            if replacement is None:
                if space_at < 0 and original[at] in spaces:
                    space_at = at
                continue
            if space_at >= 0:
                writer.put(" ", space_at)
                space_at = -1
            writer.put(replacement, at)
        if space_at >= 0:
            writer.put(" ", space_at)
        pos = m_end
        match = next(matches, None)
    if end > pos:
        writer.copy(original[pos:end], pos)
    return _replace_fast_spaces(writer.text()), clean_starts, orig_starts


def _replace_fast_spaces(text: str) -> str:
    for space in _FAST_SPACES:
        if space in text:
            text = text.replace(space, " ")
    return text
