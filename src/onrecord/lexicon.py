"""Word lists per language, kept as data (src/onrecord/data/<lang>.json), never as code."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Lexicon:
    language: str
    speech_verbs: frozenset[str]
    attitude_verbs: frozenset[str]
    pronoun_kind: dict[str, str]
    person_nouns: frozenset[str]
    title_words: frozenset[str]
    honorific_gender: dict[str, str]
    #: Verbs whose object, to-clause or prepositional object is what was said or meant, as PolNeAR
    #: annotates: "criticized Clinton's plan", "vowed to take his campaign to the convention",
    #: "called for a ban".
    object_verbs: frozenset[str]
    xcomp_verbs: frozenset[str]
    prep_verbs: dict[str, frozenset[str]]
    #: Common first names by gender, so that "she" is not resolved to "Donald Trump".
    first_name_gender: dict[str, str]
    #: Words that look like a role before or beside a name but are captions ("Image: Mark Rathbun").
    not_roles: frozenset[str]
    #: Frequent function words, for telling whether a text is in this language at all.
    function_words: frozenset[str]

    @property
    def cue_verbs(self) -> frozenset[str]:
        return self.speech_verbs | self.attitude_verbs


@functools.cache
def load_lexicon(language: str = "en") -> Lexicon:
    raw = json.loads(resources.files("onrecord").joinpath(f"data/{language}.json").read_text("utf-8"))
    return Lexicon(
        language=language,
        speech_verbs=frozenset(raw["speech_verbs"]),
        # A verb in both lists counts as speech (the stronger reading).
        attitude_verbs=frozenset(raw["attitude_verbs"]) - frozenset(raw["speech_verbs"]),
        pronoun_kind=dict(raw["pronouns"]),
        person_nouns=frozenset(raw["person_nouns"]),
        title_words=frozenset(raw["title_words"]),
        honorific_gender=dict(raw["honorifics"]),
        function_words=frozenset(raw["function_words"]),
        not_roles=frozenset(raw["not_roles"]),
        first_name_gender={
            **{name: "m" for name in raw["male_first_names"]},
            **{name: "f" for name in raw["female_first_names"]},
        },
        object_verbs=frozenset(raw["object_verbs"]),
        xcomp_verbs=frozenset(raw["xcomp_verbs"]),
        prep_verbs={verb: frozenset(preps) for verb, preps in raw["prep_verbs"].items()},
    )
