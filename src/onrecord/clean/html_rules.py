"""Boilerplate blocks that HTML extraction leaves and plain text rarely has.

The plain-text line patterns (:func:`onrecord.clean.boilerplate.line_reason`: "Advertisement",
"Share on Facebook", "Read more: ...", "Subscribe ...") run on every block first; the patterns here
add what is left inside an article element once trafilatura has removed the page's chrome:

===================  ==================================================================================
``comments``         a comment section's heading or footer: "Comments", "12 comments", "6 thoughts on
                     “Title”" (WordPress), "Leave a Reply", "Comments are closed.", "Loading
                     comments...", "comments powered by Disqus", and the same in the languages of the
                     AEB pages (WordPress's own translations: "Deixe um comentário", "Комментарии" ...)
``taxonomy``         "Tags", "Tags: a, b", "Filed under: ...", "Posted in ...", "Categories: ..."
``reading time``     "4 min read", "Reading time: 3 minutes", "Tempo de leitura: 1 minuto"
``teaser``           a link to another story inside the body: "Also on example.com ...", "More:",
                     "DON'T MISS", "You may also like..."
===================  ==================================================================================

Every pattern matches a whole short block (``RULE_MAX_WORDS``), so a sentence of reporting that
mentions comments or tags is never dropped. docs/html.md has the effect of each on the AEB pages.
"""

from __future__ import annotations

import re

#: Longest block (in words) a pattern here may drop. A teaser line carries a headline ("Also on
#: rt.com Journalists & politicians from Morales’ party threatened with sedition arrests ..."), so
#: this is a little longer than the plain-text cleaner's twelve words.
RULE_MAX_WORDS = 25
#: WordPress's comment heading repeats the post title: "6 thoughts on “How to Adopt ...”".
COMMENTS_HEADING_MAX_WORDS = 40

COMMENTS = "comments"
TAXONOMY = "taxonomy"
READING_TIME = "reading time"
TEASER = "teaser"

_COMMENT_WORD = (
    r"(?:comments?|kommentare?|commenti|commento|comentários?|comentarios?|commentaires?|"
    r"комментари[йяи]|komentar|reacties)"
)
#: What a comment section is called after a count: "12 comments", "6 thoughts on “Title”".
_COMMENTS_COUNTED = rf"(?:{_COMMENT_WORD}|responses?|replies|thoughts?|reactions?)"
_COMMENTS_LINE = re.compile(
    rf"(?:\d+|no|one|all|user|reader|readers'?|show|view|hide|load|loading|add|post|write)?\s*"
    rf"{_COMMENT_WORD}(?:\s*\(\d+\))?(?:\s+\d+)?(?:\.\.\.|…)?"
    rf"|(?:\d+|one|no)\s+{_COMMENTS_COUNTED}(?:\s+(?:on|to|for)\b.*)?"
    r"|(?:leave|post|add|write|submit) (?:a |your )?(?:reply|comment|response)\b.*"
    r"|comments? (?:are|is) (?:closed|disabled)|(?:want to )?join the discussion\b.*|join discussion"
    r"|comments? powered by \w+|comment on this (?:story|article|post)"
    r"|you must (?:be )?log(?:ged)? ?in to (?:post|leave) a comment"
    r"|(?:deixe|deixa) (?:um|seu) comentário|(?:deja|dejar) un comentario|lascia un commento"
    r"|laisser un commentaire|tinggalkan (?:balasan|komentar)|schreibe einen kommentar"
    r"|оставить комментарий|добавить комментарий",
    re.IGNORECASE,
)
_TAXONOMY_LINE = re.compile(
    r"(?:tags?|tagged(?: with| as)?|filed under|posted in|categor(?:y|ies)|topics?|keywords)"
    r"(?:\s*[:|].*)?",
    re.IGNORECASE,
)
_READING_TIME_LINE = re.compile(
    r"\d+\s*(?:-\s*)?(?:min(?:ute)?s?|mins?)\.?\s+read|(?:estimated )?reading time\s*:.*"
    r"|tempo de leitura\s*:.*|tiempo de lectura\s*:.*|lesezeit\s*:.*|tempo di lettura\s*:.*",
    re.IGNORECASE,
)
_TEASER_LINE = re.compile(
    r"also on [\w.-]+\.\w+\b.*|more\s*:|don'?t miss|(?:you|we) (?:may|might) also (?:like|enjoy)\b.*"
    r"|(?:more|other) (?:stories|articles|news) (?:from|by|on)\b.*|most read in\b.*",
    re.IGNORECASE,
)
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


def _key(text: str) -> str:
    """The block, its apostrophes straightened and the punctuation around it removed."""
    return _EDGES.sub("", text.translate(_APOSTROPHES).strip())


def is_comments_heading(text: str) -> bool:
    """Whether a block is the heading (or the closing line) of a comment section."""
    if text.count(" ") + 1 > COMMENTS_HEADING_MAX_WORDS:
        return False
    return _COMMENTS_LINE.fullmatch(_key(text)) is not None


def block_reason(text: str) -> str | None:
    """Why a block of an extracted article is boilerplate (see the module docstring), or ``None``."""
    if is_comments_heading(text):
        return COMMENTS
    if text.count(" ") + 1 > RULE_MAX_WORDS:
        return None
    key = _key(text)
    if _TAXONOMY_LINE.fullmatch(key):
        return TAXONOMY
    if _READING_TIME_LINE.fullmatch(key):
        return READING_TIME
    if _TEASER_LINE.fullmatch(key):
        return TEASER
    return None
