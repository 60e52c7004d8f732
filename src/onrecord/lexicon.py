"""Word lists per language, kept as data (src/onrecord/data/<lang>.json), never as code."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources

#: The learned cue table of a language (src/onrecord/data/cues_<lang>.json), made by
#: `python tools/train_cues.py ../shared/data/polnear/train`.
CUE_TABLE_FILE = "data/cues_{language}.json"


@dataclass(frozen=True)
class CueTable:
    """How often a word, in one construction, reports an attribution: counts from PolNeAR train.

    A construction is the word's class and how the reported content hangs on it: ``V.ccomp`` (a verb and
    its complement clause: "said that ..."), ``V.xcomp`` ("vowed to ..."), ``V.dobj`` ("criticized the
    plan"), ``V.prep.<p>`` ("called for ..."), ``N.ccomp`` / ``N.to`` / ``N.prep.<p>`` (nouns: "his claim
    that ...", "her plan to ...", "his criticism of ..."), ``A.ccomp`` / ``A.xcomp`` / ``A.prep.<p>``
    (adjectives: "confident that ...", "critical of ...").

    The estimate for one (lemma, construction) is the share of its occurrences on train whose content
    matched an annotated attribution, pulled towards the share of its family (the construction without
    the preposition, split by whether the word lists of the lexicon name the word for it) with the weight
    of ``prior_weight`` occurrences: a word seen twice is mostly judged by its family, a word seen a
    hundred times by itself. An unseen word takes its family's share: below the threshold for most
    families, but not for those where most occurrences on train were attributions (a noun with a
    that-clause, an adjective with a clause or a preposition), where any word is kept. The threshold
    in use is the one stored in the table file (0.3, chosen by cross-validation on train); the class
    default applies only to a table built in code.
    """

    #: "lemma|construction" -> (occurrences, matched)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: "family|listed" (listed is 1 or 0) -> (occurrences, matched)
    families: dict[str, tuple[int, int]] = field(default_factory=dict)
    prior_weight: float = 5.0
    threshold: float = 0.4

    def precision(self, lemma: str, construction: str, listed: bool) -> float:
        n, hits = self.counts.get(f"{lemma}|{construction}", (0, 0))
        fn, fhits = self.families.get(f"{family_of(construction)}|{int(listed)}", (0, 0))
        prior = fhits / fn if fn else (self.threshold if listed else 0.0)
        return (hits + self.prior_weight * prior) / (n + self.prior_weight)

    def keeps(self, lemma: str, construction: str, listed: bool) -> bool:
        return self.precision(lemma, construction, listed) >= self.threshold


def family_of(construction: str) -> str:
    """``V.prep.about`` -> ``V.prep``: the construction without its preposition."""
    return ".".join(construction.split(".")[:2])


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
    #: Descriptions of speakers (docs/entities.md, "Descriptions"): nouns for people that are not
    #: titles ("experts", "investigators"); nouns for a company, which "the firm" resolves to the
    #: organisation in focus; nouns whose speakers stay unnamed rather than going to the article's
    #: main person ("a spokesman", "officials"); collective nouns that take "they" ("police").
    speaker_nouns: frozenset[str] = frozenset()
    company_nouns: frozenset[str] = frozenset()
    anonymous_nouns: frozenset[str] = frozenset()
    plural_nouns: frozenset[str] = frozenset()
    #: Bodies that speak as one, and stay unnamed speakers when the article names none ("the
    #: government", "the ministry", "Jackson's defence"); any other thing is no speaker.
    body_nouns: frozenset[str] = frozenset()
    #: Words that end like a person noun (-man, -ist, -ian) but are none ("human", "list").
    not_person_nouns: frozenset[str] = frozenset()
    #: Last words of company names ("Acme Corp", "Vestey Group"): a name the NER model missed that
    #: ends so is an organisation, not a person.
    org_suffixes: frozenset[str] = frozenset()
    #: Political parties as the NER model mistakes them for people ("Labour", "Lib Dems"), lower case.
    party_names: frozenset[str] = frozenset()
    #: Role nouns beyond ``person_nouns`` ("maker", "guru", "QC"); words that keep an office apart
    #: ("shadow", "former", "co", "acting"); nouns that are never a role alone ("man", "father",
    #: party members: "Democrat"). Used by onrecord.entities.roles.
    role_heads: frozenset[str] = frozenset()
    role_modifiers: frozenset[str] = frozenset()
    not_role_heads: frozenset[str] = frozenset()
    #: Occupations that one person is described by in turn ("the Two Ronnies star ... the 74-year-old
    #: comedian"), word -> family; an occupation outside every family is its own.
    occupation_family: dict[str, str] = field(default_factory=dict)
    #: The learned cue table (empty, and then the word lists alone decide, when a language has none).
    cue_table: CueTable = field(default_factory=CueTable)

    @property
    def cue_verbs(self) -> frozenset[str]:
        return self.speech_verbs | self.attitude_verbs


@functools.cache
def load_lexicon(language: str = "en") -> Lexicon:
    raw = json.loads(resources.files("onrecord").joinpath(f"data/{language}.json").read_text("utf-8"))
    table_file = resources.files("onrecord").joinpath(CUE_TABLE_FILE.format(language=language))
    table = load_cue_table(table_file.read_text("utf-8")) if table_file.is_file() else CueTable()
    return Lexicon(
        language=language,
        speech_verbs=frozenset(raw["speech_verbs"]),
        # A verb in both lists counts as speech (the stronger reading).
        attitude_verbs=frozenset(raw["attitude_verbs"]) - frozenset(raw["speech_verbs"]),
        pronoun_kind=dict(raw["pronouns"]),
        person_nouns=frozenset(raw["person_nouns"]),
        title_words=frozenset(raw["title_words"]),
        honorific_gender=dict(raw["honorifics"]),
        speaker_nouns=frozenset(raw.get("speaker_nouns", ())),
        company_nouns=frozenset(raw.get("company_nouns", ())),
        anonymous_nouns=frozenset(raw.get("anonymous_nouns", ())),
        plural_nouns=frozenset(raw.get("plural_nouns", ())),
        org_suffixes=frozenset(raw.get("org_suffixes", ())),
        party_names=frozenset(raw.get("party_names", ())),
        body_nouns=frozenset(raw.get("body_nouns", ())),
        not_person_nouns=frozenset(raw.get("not_person_nouns", ())),
        role_heads=frozenset(raw.get("role_heads", ())),
        role_modifiers=frozenset(raw.get("role_modifiers", ())),
        not_role_heads=frozenset(raw.get("not_role_heads", ())),
        occupation_family={
            word: family for family, words in raw.get("occupation_families", {}).items() for word in words
        },
        function_words=frozenset(raw["function_words"]),
        not_roles=frozenset(raw["not_roles"]),
        first_name_gender={
            **{name: "m" for name in raw["male_first_names"]},
            **{name: "f" for name in raw["female_first_names"]},
        },
        object_verbs=frozenset(raw["object_verbs"]),
        xcomp_verbs=frozenset(raw["xcomp_verbs"]),
        prep_verbs={verb: frozenset(preps) for verb, preps in raw["prep_verbs"].items()},
        cue_table=table,
    )


def load_cue_table(source: str) -> CueTable:
    raw = json.loads(source)
    return CueTable(
        counts={key: (int(n), int(hits)) for key, (n, hits) in raw["counts"].items()},
        families={key: (int(n), int(hits)) for key, (n, hits) in raw["families"].items()},
        prior_weight=float(raw["prior_weight"]),
        threshold=float(raw["threshold"]),
    )
