"""HTML pages in: the article body as plain text, and the page's metadata.

``extract_html(html, url=...)`` decodes the page (:func:`decode_html`), parses it once, checks the
limits, runs the extraction cascade of :mod:`onrecord.clean.html_cascade` (trafilatura, a recall
fallback, rules on the extracted blocks) and returns an :class:`ExtractedPage`.
``html_to_article(html, source=...)`` makes the :class:`~onrecord.pipeline.ArticleInput` that the
analyser takes, and raises :class:`~onrecord.errors.InputError` naming ``source`` for a page that
has no body.

Limits, so that one pathological page cannot stall a batch (docs/html.md):

- **size**: more than ``max_bytes`` bytes (5 MB by default; the largest AEB page has 1.5 MB) is
  refused before parsing, and a parsed tree of more than ``MAX_ELEMENTS`` elements after it (E004).
- **nesting**: lxml (libxml2) stops at 255 levels of nesting and drops the rest of the document,
  in milliseconds (such a page usually has no body left: E001).
- **time**: in the main thread of a process (the CLI, and each worker of the local runner's process
  pool), the extraction runs under a ``signal.setitimer`` alarm of ``timeout_s`` seconds (E004 when it
  rings). A signal handler can only run in the main thread, so in other threads (and where the
  caller has an alarm of its own running) the size and element limits are the only guard; they bound
  the time to a few seconds on this machine.
"""

from __future__ import annotations

import codecs
import logging
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from onrecord.clean.html_cascade import ALL_STAGES, Stages, blocks_text, run_cascade
from onrecord.errors import ErrorCode, InputError
from onrecord.pipeline import ArticleInput

logger = logging.getLogger(__name__)

#: Default page size limit in bytes. News pages are tens of KB to a few MB of HTML (AEB: median
#: 115 KB, max 1.5 MB); trafilatura's time grows faster than linearly with size (a synthetic 7 MB
#: page of 200,000 elements takes 20 s here), so 5 MB is both generous and still quick.
MAX_BYTES = 5_000_000
#: Default time limit per page in seconds (AEB: 0.03 s on average, 0.19 s at most, here).
TIMEOUT_S = 10.0
#: Most elements a parsed page may have (the largest AEB page has about 1,600; trafilatura takes about
#: 3 s for 40,000 elements of a synthetic page here, 5 s for 48,000). The guard that works in every
#: thread.
MAX_ELEMENTS = 50_000
#: How far into the bytes a ``<meta charset>`` is looked for (the HTML standard's prescan uses 1,024
#: bytes; real pages put scripts and styles first, so we look further).
CHARSET_PRESCAN_BYTES = 16_384

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE | re.DOTALL
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TAG = re.compile(r"<[A-Za-z!/]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANG = re.compile(r"[A-Za-z]{2,3}(?=$|[-_])")
#: Labels that browsers decode as a superset (the WHATWG Encoding Standard): a page that says
#: ISO-8859-1 but uses curly quotes from windows-1252 is the common case.
_SUPERSETS = {
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "tis_620": "cp874",
    # A byte stream cannot be UTF-16 without a BOM (the declaration would not be readable as ASCII).
    "utf_16": "utf_8",
    "utf_16_le": "utf_8",
    "utf_16_be": "utf_8",
}


@dataclass(frozen=True)
class ExtractedPage:
    """What one HTML page holds: the article body and the page's metadata."""

    #: The article body as plain text, paragraphs separated by blank lines.
    text: str
    title: str | None
    authors: tuple[str, ...]
    #: YYYY-MM-DD (htmldate, through trafilatura's metadata).
    published: str | None
    #: ISO 639 code from the page's ``lang`` attribute or language metadata.
    language: str | None
    #: The canonical URL if the page gives one, else the one passed in.
    url: str | None
    #: The site's name (``og:site_name`` and the like), else its host name.
    site: str | None
    #: Which stages of the cascade produced the text: "trafilatura" or "trafilatura+recall".
    extractor: str


class _Timeout(BaseException):
    """Raised by the alarm. A BaseException, so that no ``except Exception`` inside a library eats it."""


def extract_html(
    html: str | bytes,
    *,
    url: str | None = None,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
) -> ExtractedPage | None:
    """The article body and metadata of one page, or ``None`` if it has no article body.

    Raises :class:`InputError` (source: ``url``, else ``"-"``) for a page over the limits (E004) or
    one that is not HTML (E006).
    """
    return extract_page(html, source=url or "-", url=url, timeout_s=timeout_s, max_bytes=max_bytes)


def html_to_article(
    html: str | bytes,
    *,
    source: str,
    url: str | None = None,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
) -> ArticleInput:
    """The ArticleInput of one page. Raises :class:`InputError` naming ``source``: E001 when the page
    has no article body, E004 over the limits, E006 when it is not HTML."""
    page = extract_page(html, source=source, url=url, timeout_s=timeout_s, max_bytes=max_bytes)
    if page is None:
        raise InputError(
            ErrorCode.EMPTY,
            source,
            "no article body found in the HTML page (navigation, forms or scripts only?); "
            "check that the file is the article page itself",
        )
    return ArticleInput(
        text=page.text,
        source=source,
        published=page.published,
        title=page.title,
        url=page.url,
        outlet=page.site,
    )


def decode_html(data: bytes) -> str:
    """Decode a page's bytes: a BOM first, then a declared charset, then UTF-8.

    The declaration is ``<meta charset>``, ``<meta http-equiv="Content-Type" content="...;
    charset=...">`` or an XML declaration, in the first ``CHARSET_PRESCAN_BYTES`` bytes; labels are
    widened as browsers do (ISO-8859-1 is read as windows-1252). Bytes that do not fit the declared
    charset are replaced (U+FFFD). A page that declares nothing is read as UTF-8, and only if it is
    not valid UTF-8 are the bad bytes replaced.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf_8_sig"),
        (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    declared = declared_charset(data)
    if declared is not None:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset a page declares, or ``None`` (nothing declared, or unknown)."""
    head = data[:CHARSET_PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name.replace("-", "_")
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def extract_page(
    html: str | bytes,
    *,
    source: str,
    url: str | None = None,
    timeout_s: float = TIMEOUT_S,
    max_bytes: int = MAX_BYTES,
    stages: Stages = ALL_STAGES,
) -> ExtractedPage | None:
    """:func:`extract_html` with the name of the input for errors, and the cascade's stages as an
    option (the benchmark's ablation switches them off one by one)."""
    size = len(html) if isinstance(html, bytes) else len(html.encode("utf-8", errors="replace"))
    if size > max_bytes:
        raise InputError(
            ErrorCode.TOO_LARGE,
            source,
            f"the HTML page has {size:,} bytes, more than the limit of {max_bytes:,}; "
            "raise max_bytes if it really is one article",
        )
    text = decode_html(html) if isinstance(html, bytes) else html
    if not text.strip():
        raise InputError(ErrorCode.EMPTY, source, "the HTML page is empty")
    if "\x00" in text[:CHARSET_PRESCAN_BYTES] or _TAG.search(text) is None:
        raise InputError(ErrorCode.UNREADABLE, source, "not an HTML page (binary data, or text without tags)")
    start = time.perf_counter()
    try:
        with _time_limit(timeout_s):
            tree = _parse(text, source)
            result = run_cascade(tree, url=url, stages=stages)
    except _Timeout:
        raise InputError(
            ErrorCode.TOO_LARGE,
            source,
            f"extracting the HTML page took more than {timeout_s:g} s (the time limit); "
            "it is too large or too deeply nested to be one article",
        ) from None
    logger.debug("%s: extracted in %.3f s", source, time.perf_counter() - start)
    if result is None:
        return None
    document = result.document
    return ExtractedPage(
        text=blocks_text(result.blocks),
        title=_clean(document.title),
        authors=_authors(document.author),
        published=document.date if document.date and _ISO_DATE.fullmatch(document.date) else None,
        language=_language(document, tree),
        url=_clean(document.url) or url,
        site=_clean(document.sitename),
        extractor=result.extractor,
    )


def _parse(text: str, source: str) -> Any:
    import trafilatura
    from lxml import etree

    # lxml refuses a str that carries an XML encoding declaration; the text is decoded already.
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        tree = trafilatura.load_html(text)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise InputError(ErrorCode.UNREADABLE, source, f"the HTML cannot be parsed ({exc})") from None
    if tree is None:
        raise InputError(ErrorCode.UNREADABLE, source, "the HTML cannot be parsed (no document tree)")
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_ELEMENTS:
        raise InputError(
            ErrorCode.TOO_LARGE,
            source,
            f"the HTML page has {elements:,} elements, more than the limit of {MAX_ELEMENTS:,}",
        )
    return tree


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` in this block after ``seconds``, where a timer signal can be used.

    Only in the main thread, only where ``signal.setitimer`` exists (not on Windows), and only when
    no real-time timer is already running (the caller's own alarm is left alone); elsewhere the block
    runs without a time limit.
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def ring(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        # Nested, so that an alarm that rings just as the timer is cleared cannot skip the restore.
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _authors(value: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with "; "."""
    if not value:
        return ()
    return tuple(dict.fromkeys(name for name in (_clean(part) for part in value.split(";")) if name))


def _language(document: Any, tree: Any) -> str | None:
    """The page's language: trafilatura's, else ``<html lang>``, ``content-language`` or ``og:locale``."""
    candidates = [getattr(document, "language", None)]
    candidates.append(tree.get("lang") or tree.get("xml:lang"))
    for xpath in (
        '//meta[translate(@http-equiv,"CONTENTLAGU","contentlagu")="content-language"]/@content',
        '//meta[@property="og:locale"]/@content',
    ):
        values = tree.xpath(xpath)
        candidates.append(values[0] if values else None)
    for candidate in candidates:
        if candidate:
            match = _LANG.match(candidate.strip())
            if match:
                return match.group(0).lower()
    return None
