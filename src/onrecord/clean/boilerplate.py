"""What a single normalised line looks like: boilerplate, the end of a sentence, a continuation.

The patterns here decide about one line at a time; grouping lines into paragraphs and finding blocks of
navigation links happens in :mod:`onrecord.clean.text`. Every pattern is for SHORT lines only: a
sentence of reporting that happens to contain "subscribe" or "cookies" is never dropped.

Reasons, and what they cover:

===============  ======================================================================================
``advertisement`` "Advertisement", "ADVERTISEMENT", "Sponsored content", "Story continues below"
``share``         "Share this", "Share on Facebook/Twitter", "Tweet", "Email", "Follow us on ..."
``navigation``    "Skip to content", "Read more", "Related:", "Most read", "Back to top"; and (decided in
                  ``text``) blocks of three or more short link-like lines
``boilerplate``   "Subscribe ...", "Sign up for our newsletter", "Click here ...", "Image copyright ...",
                  cookie and privacy notices, "© 2010 ...", "All rights reserved", lines with no
                  letter or digit at all ("* * *", "|")
===============  ======================================================================================
"""

from __future__ import annotations

import re
from typing import Literal

ADVERTISEMENT = "advertisement"
SHARE = "share"
NAVIGATION = "navigation"
BOILERPLATE = "boilerplate"

#: Longest line (in words) that a boilerplate pattern may remove. Boilerplate lines seen in scraped
#: news ("Sign up for our newsletter", "Image copyright Getty Images") have at most about eight words;
#: twelve leaves room for a trailing link title ("Read more: ..."). Rerun tests/test_clean.py.
BOILERPLATE_MAX_WORDS = 12
#: Cookie notices are whole sentences ("We use cookies to improve your experience. By continuing ...");
#: they are recognised by how they begin, so they may be longer.
COOKIE_MAX_WORDS = 60

Ending = Literal["sentence", "quote", "continues", "open"]


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Chinese and Japanese punctuation is included: the AEB pages have Japanese articles whose sentences
# end in "。" and would otherwise look like short unpunctuated lines (navigation).
_OPENING_QUOTES = "\"'“‘„«‹「『"
_CLOSING_QUOTES = "\"'”’»›」』"
_SENTENCE_FINAL = ".!?…:。！？．："
_CONTINUING = ",;-–—/&+(、，；"
#: Words that do not end a line of a headline or a link, but often end a line of wrapped prose.
_FUNCTION_WORDS = _word_set(
    "a an the and or but nor of to in on at by for with from into onto as than that which who whom "
    "whose is are was were be been has have had will would could should can may might must not his "
    "her its their our your my this these those"
)
#: A line that ends with one of these still continues after a full stop ("the U.S.", "Mr.").
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:mr|mrs|ms|dr|prof|gen|sen|rep|gov|lt|col|sgt|capt|st|vs|etc|no|jr|sr|"
    r"inc|ltd|co|corp|jan|feb|mar|apr|aug|sept?|oct|nov|dec)\.)$",
    re.IGNORECASE,
)
#: Bullets and numbers at the start of a line always begin a new unit.
LIST_MARKER = re.compile(r"(?:[-*•·▪◦‣–—]|\d{1,3}[.)]|\(?[a-z]\))\s")

_REPORTING = re.compile(r"\b(?:said|says|say|told|tells|added|adds|asked|according|announced|declared)\b")
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_ALNUM = re.compile(r"[^\W_]")
_TOKEN = re.compile(r"[\w@'-]+")

_ADVERTISEMENT_LINE = re.compile(
    r"advertisements?|advertisment|advert|advertising|ads?|sponsored(?: content| links?| stories)?"
    r"|paid (?:content|post|partner content)|promoted(?: content| stories)?"
    r"|(?:the )?(?:story|article) continues (?:below|after (?:this )?advertisement)(?: this)?"
    r"(?: advertisement)?|continue reading(?: the)?(?: main)? story(?: below)?"
    r"|scroll to continue(?: with content)?|ad feedback|report (?:this )?ad"
)
_SHARE_TRIGGERS = _word_set(
    "share sharing tweet facebook twitter linkedin whatsapp reddit pinterest messenger telegram "
    "flipboard tumblr email e-mail print"
)
_SHARE_WORDS = _SHARE_TRIGGERS | _word_set(
    "shares this the article story page post link links on via by with your friends and or x mail pin "
    "it copy copied save comment comments options google"
)
#: Not "Like many on the left, ...": the one followed is us, a handle, or someone on a named network.
_FOLLOW = re.compile(
    r"(?:follow|like|find|join|connect with) (?:us|@\w+) (?:on|at)\b|follow (?:us\b|@\w+)"
    r"|follow .{1,40} on (?:twitter|facebook|instagram|linkedin|youtube|tiktok|x)\b"
)
_NAVIGATION_LINE = re.compile(
    r"skip to (?:the )?(?:main )?(?:content|navigation|search|article)|jump to (?:navigation|content)"
    r"|back to (?:top|home)|(?:read|see) (?:more|also|next)\b.*|related(?: \w+)?\s*:.*"
    r"|related(?: stories| articles| links| content| coverage| topics| news)?"
    r"|more (?:on|about|from) this (?:story|topic)|most (?:read|popular|viewed|shared)"
    r"|top stories|trending(?: now)?|editor'?s picks|you (?:may|might) also (?:like|be interested in)"
    r"|recommended(?: for you)?|(?:next|previous|prev) (?:article|story|page|post)"
    r"|home|menu|search|close|log ?in|sign ?in|register"
)
_BOILERPLATE_PREFIX = re.compile(
    r"(?:please )?subscribe\b|(?:sign|signup|sign-up)(?: up)? (?:for|to)\b.*\bnewsletters?\b"
    r"|(?:get|receive) (?:our|the)\b.*\bnewsletters?\b|newsletter sign[- ]?up|click here\b"
    r"|image (?:copyright|source)\b|(?:photo|picture|image) credit\b"
)
#: Cookie notices, recognised by how they begin (they are whole sentences).
_COOKIE_NOTICE = re.compile(
    r"(?:we|this (?:web)?site|our (?:web)?site|this page) uses? cookies\b"
    r"|by (?:continuing|using)\b.*\b(?:cookies|privacy policy|terms of (?:use|service))"
    r"|(?:accept|reject|manage|allow)(?: all)? cookies\b",
    re.IGNORECASE,
)
#: Footer links ("Privacy Policy | Terms of Use | Cookie settings"): a line of these words only, with
#: at least one trigger, so that "Privacy policy changes anger users" stays.
_LEGAL_TRIGGERS = _word_set("privacy cookie cookies terms")
_LEGAL_WORDS = _LEGAL_TRIGGERS | _word_set(
    "policy policies settings preferences notice statement of and use service conditions contact us "
    "about sitemap accessibility your ad choices adchoices do not sell my personal information"
)
#: "© 2010 Al Jazeera", "Copyright 2010 ...", "(c) 2010": but not "Copyright laws changed in 2010."
_COPYRIGHT = re.compile(r"©|\(c\) ?\d{4}|copyright (?:©|\(c\)|\d{4})|copyright\W*$|.*\ball rights reserved\b")


def line_reason(text: str) -> str | None:
    """Why a whole (normalised, trimmed, non-empty) line is boilerplate, or ``None`` if it is not."""
    words = text.count(" ") + 1  # normalised text has single spaces
    if words > BOILERPLATE_MAX_WORDS:
        # Most lines of a text end here: only a cookie notice is that long.
        if words <= COOKIE_MAX_WORDS and _COOKIE_NOTICE.match(text) and not _REPORTING.search(text):
            return BOILERPLATE
        return None
    if _ALNUM.search(text) is None:
        return BOILERPLATE
    lowered = text.lower()
    key = _EDGE_PUNCTUATION.sub("", lowered)
    if _ADVERTISEMENT_LINE.fullmatch(key):
        return ADVERTISEMENT
    tokens = _TOKEN.findall(key)
    if _SHARE_TRIGGERS.intersection(tokens) and _SHARE_WORDS.issuperset(tokens):
        return SHARE
    # A line that reports speech ("Subscribe, he said, ...") is reporting, whatever it begins with.
    if _REPORTING.search(key):
        return None
    if _COPYRIGHT.match(lowered):
        return BOILERPLATE
    if _FOLLOW.match(key):
        return SHARE
    if _NAVIGATION_LINE.fullmatch(key):
        return NAVIGATION
    if (
        _BOILERPLATE_PREFIX.match(key)
        or _COOKIE_NOTICE.match(key)
        or (_LEGAL_TRIGGERS.intersection(tokens) and _LEGAL_WORDS.issuperset(tokens))
    ):
        return BOILERPLATE
    return None


def line_ending(text: str) -> Ending:
    """How a line ends: a sentence, a quoted phrase, mid-phrase (continues), or open (a title, a link).

    "sentence": ``. ! ? … :`` (after closing brackets), or a closing quotation mark right after one
    of them (``... he said."``). "quote": a closing quotation mark after a word (``"under pressure"``):
    content, but not necessarily the end of a sentence. "continues": a comma, dash or a function word
    such as "the" (wrapped prose). "open": anything else, as in "Russian influence" or "Inside Story".
    """
    stripped = text.rstrip(")]}")
    if not stripped:
        return "open"
    last = stripped[-1]
    if last in _CLOSING_QUOTES:
        inner = stripped.rstrip(_CLOSING_QUOTES)
        if inner and inner[-1] in _SENTENCE_FINAL:
            return "sentence"
        if inner and inner[-1] in _CONTINUING:
            return "continues"
        return "quote"
    if last in _SENTENCE_FINAL:
        return "sentence"
    if last in _CONTINUING:
        return "continues"
    space = stripped.rfind(" ")
    if stripped[space + 1 :].lower() in _FUNCTION_WORDS:
        return "continues"
    return "open"


def continues_after_stop(text: str) -> bool:
    """Whether a line that ends with ``.``, ``…`` or ``:`` may still continue on the next line.

    True after an abbreviation ("the U.S.", "Mr.") or an ellipsis or colon, where a lower-case word
    on the next line carries on the sentence (the seed article quotes "... president ... [and] I am").
    """
    stripped = text.rstrip(_CLOSING_QUOTES + ")]}")
    return stripped.endswith(("…", "...", ":")) or bool(_ABBREVIATION_END.search(stripped))


def starts_lowercase(text: str) -> bool:
    """Whether a line begins with a lower-case letter, looking past brackets and dots ("[and] ...")."""
    stripped = text.lstrip("([{…. ")
    return bool(stripped) and stripped[0].islower()


def starts_quote(text: str) -> bool:
    return text[0] in _OPENING_QUOTES


def quote_balance(text: str) -> tuple[int, int]:
    """(curly opening minus closing double quotes, number of straight double quotes) in a line.

    "„" is left out: German closes it with "“", which would count twice as opening.
    """
    curly = text.count("“") + text.count("«") - text.count("”") - text.count("»")
    return curly, text.count('"')
