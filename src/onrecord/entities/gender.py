"""A person's gender as far as the text supports it, for pronoun agreement only (never output).

Evidence, strongest first: an honorific or gendered title before the name ("Mrs", "Sir",
"Congresswoman"; set by entities.roles), a pronoun already resolved to the person, and the first name.
First names come from the lexicon's short lists (``en.json``) and then from gender-guesser's lexicon of
about 40,000 first names (Jörg Michael's ``nam_dict``, GFDL; the package is on PyPI), which is loaded
once per process, on the first name the short lists do not know. A name the lexicon calls "andy"
(androgynous) or does not know gives no gender: "he" and "she" can then both go to the person.
"""

from __future__ import annotations

import functools
from typing import Any

from onrecord.lexicon import Lexicon

#: gender-guesser's answers that count: "mostly_male" ("Ronnie") is male enough for agreement.
_ANSWERS = {"male": "m", "mostly_male": "m", "female": "f", "mostly_female": "f"}


@functools.lru_cache(maxsize=1)
def _detector() -> Any:
    import gender_guesser.detector as detector

    return detector.Detector(case_sensitive=False)


@functools.lru_cache(maxsize=65536)
def _guess(first: str) -> str | None:
    return _ANSWERS.get(_detector().get_gender(first))


def first_name_gender(first: str, lexicon: Lexicon) -> str | None:
    """ "m", "f" or None for a first name ("Hillary" -> "f")."""
    word = first.strip(".,").lower()
    if len(word) < 2 or not word.isalpha():
        return None
    known = lexicon.first_name_gender.get(word)
    if known is not None:
        return known
    return _guess(word.capitalize())


def name_gender(names: list[str], lexicon: Lexicon) -> str | None:
    """The gender the first names of a person's multi-word names agree on, or None."""
    found = {first_name_gender(n.split()[0], lexicon) for n in names if len(n.split()) > 1}
    found.discard(None)
    return found.pop() if len(found) == 1 else None
