"""The GUM people set: people found, one entity per person, and their mentions linked to them.

A folder built from GUM (see its PROVENANCE.md) holds ``articles.jsonl`` (``{"id", "text", ...}``),
``entities.jsonl`` (every mention GUM marks, with its coreference chain ``eid``, its ``etype`` and a
Wikipedia ``identity``) and ``raw/<id>.conllu`` (GUM's tokens and tags). The measure is the reference
scorer's (``shared/tools/score_people.py``), written here from the rules its docstring states, so the
numbers agree with it to the third decimal (a test checks it).

Gold people (:func:`gold_people`):

1. A mention *owns* its characters minus those of other chains' mentions strictly inside it.
2. A *name word* is a word of owned characters (hyphenated parts written together are one word) whose
   parts are all tagged NNP, that is not a title, honorific or role word (:data:`TITLE_WORDS`) and that
   the article never tags NNPS. A run of adjacent name words is a *name run*, unless the word right
   after it is a common noun, a plural proper noun or a title ("IE6 users", "New Democrat MP").
3. A person mention with a name run is a *name mention*, unless it sits inside another thing's proper
   name (inside a non-person mention, a proper noun right before or after it, or "&" and a proper noun
   after it: "the Mary & Leigh Block Museum").
4. Chains with the same identity are one person; so are chains whose display names are equal ignoring
   case, or where one is a single word equal to the other's last word and at most two people of the
   article have that last word; never two different identities.
5. A gold person has a name mention, and is not a group (:data:`GROUP_IDENTITIES`). Its mentions are
   all of its chains' mentions; the *core* of a name mention is its name runs, of another its owned
   characters. Its display name: the most frequent last word of its name runs, shown in the longest run
   ending in it.

Scoring, per article, counts summed over the articles: a predicted PERSON mention stands for at most one
gold mention, the one whose core it shares a character with and whose span it overlaps best
(intersection over union; ties: a name mention, then the earlier). Predicted entities and gold people
pair one to one, heaviest first (mentions standing for the person's name mentions, then for any of its
mentions; ties: the earlier first such mention). People P/R/F1 count the pairs; one entity per person is
the share of gold people touched by exactly one predicted entity; mention recall is the share of the
matched people's mentions (name mentions; all, pronouns and descriptions included) whose core a
mention of the paired entity covers in part.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.evaluate.gold import GoldFormatError
from onrecord.evaluate.sets import (
    Predictions,
    SetArticle,
    data_hash,
    num,
    prf,
    read_jsonl,
    require,
    share,
    word_set,
)

FORMAT = "gum-people"
#: Post-nominal letters and suffixes: never part of a name.
POST_NOMINALS = word_set("jr jr. sr sr. qc sc kc phd mp mep mbe obe")
#: Titles, honorifics, ranks and role words GUM tags NNP beside names: never part of a name. All but the
#: post-nominals also make a proper noun just before them a modifier ("New Democrat MP").
TITLE_WORDS = POST_NOMINALS | word_set(
    "mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor emeritus sir dame lord president vice "
    "prime minister ministers secretary home shadow foreign affairs interior high premier chancellor "
    "undersecretary deputy general major gen. gen colonel col. capt. lieutenant sergeant admiral "
    "commander chief governor gov. senator sen. representative rep. congressman congresswoman mayor "
    "ambassador administrator councillor councilor member chairman chairwoman director executive ceo "
    "cfo spokesman spokeswoman spokesperson judge sheriff officer detective inspector superintendent "
    "commissioner coach pope saint st. bishop archbishop cardinal reverend rev. man woman match state "
    "scientologist democrat republican"
)
PRE_TITLES = TITLE_WORDS - POST_NOMINALS
#: Identities of groups GUM annotates as persons.
GROUP_IDENTITIES = frozenset({"Taliban", "Anonymous_%28group%29", "Anonymous_(group)", "Rohingya_people"})
#: Person chains whose name is nobody's (article id, display name): one annotation oddity.
NOT_NAMES = frozenset({("GUM_news_hackers", "Scientology-critic")})
_PROPER = frozenset({"NNP", "NNPS"})
_COMMON = frozenset({"NN", "NNS"})
HEADLINE: dict[str, str] = {
    "people_f1": "gum-people: people F1",
    "people_precision": "gum-people: people precision",
    "people_recall": "gum-people: people recall",
    "one_entity_per_person": "gum-people: share of gold people found as exactly one entity",
    "all_mention_recall": "gum-people: mention recall of the matched people (pronouns and descriptions too)",
}


# --- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    form: str
    xpos: str
    sentence: int
    index: int


def conllu_tokens(path: Path, body: str) -> list[Token]:
    """GUM's tokens with offsets into ``body``: the text is rebuilt from the ``# text =`` lines (joined
    by a space, by a blank line at ``# newpar``) and its first line, the title, dropped; each token is
    found left to right in its sentence and checked against the body."""
    text = ""
    title: str | None = None
    new_paragraph = False
    sentence = ""
    base = cursor = 0
    number = -1
    raw: list[tuple[int, int, str, str, int]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("# meta::title = "):
                title = line[len("# meta::title = ") :]
            elif line.startswith("# newpar") and not line.startswith("# newpar_block"):
                new_paragraph = True
            elif line.startswith("# text = "):
                sentence = line[len("# text = ") :]
                if text:
                    text += "\n\n" if new_paragraph else " "
                new_paragraph = False
                base, cursor, number = len(text), 0, number + 1
                text += sentence
            elif line.strip() and not line.startswith("#"):
                cols = line.split("\t")
                if len(cols) != 10 or "-" in cols[0] or "." in cols[0]:
                    continue  # multi-word tokens and empty nodes
                form = cols[1]
                while cursor < len(sentence) and sentence[cursor] == " ":
                    cursor += 1
                at = cursor
                if not sentence.startswith(form, cursor):
                    found = sentence.find(form, cursor)
                    at = found if 0 <= found <= cursor + 3 else cursor
                cursor = at + len(form)
                raw.append((base + at, base + at + len(form), form, cols[4], number))
    whole = text.strip()
    lead = len(text) - len(text.lstrip())
    rest = whole[len(title) :].lstrip() if title and whole.startswith(title) else whole
    if rest != body:
        raise GoldFormatError(f"{path} does not rebuild the article text of articles.jsonl")
    shift = lead + len(whole) - len(rest)
    tokens: list[Token] = []
    for start, end, form, xpos, sent in raw:
        if start - shift < 0:
            continue  # the title
        token = Token(start - shift, end - shift, form, xpos, sent, len(tokens))
        if body[token.start : token.end] != form:
            raise GoldFormatError(f"{path}: token {form!r} does not sit at {token.start} of the text")
        tokens.append(token)
    return tokens


# --- gold people ---------------------------------------------------------------------------------


@dataclass
class GoldMention:
    start: int
    end: int
    text: str
    core: list[tuple[int, int]]
    name: bool
    core_chars: frozenset[int] = frozenset()


@dataclass
class GoldPerson:
    id: str
    eids: list[str]
    identities: set[str]
    runs: list[str]
    mentions: list[GoldMention]
    name: str = ""

    @property
    def identity(self) -> str | None:
        return min(self.identities) if self.identities else None


def _owned(mention: dict[str, Any], mentions: Sequence[dict[str, Any]]) -> set[int]:
    start, end = mention["start"], mention["end"]
    own = set(range(start, end))
    for other in mentions:
        inside = (
            start <= other["start"] and other["end"] <= end and (other["start"], other["end"]) != (start, end)
        )
        if other["eid"] != mention["eid"] and inside:
            own.difference_update(range(other["start"], other["end"]))
    return own


def _runs_of(own: set[int], text: str) -> list[tuple[int, int]]:
    """Runs of consecutive owned characters, whitespace trimmed from both ends."""
    runs: list[list[int]] = []
    for c in sorted(own):
        if runs and runs[-1][1] == c:
            runs[-1][1] = c + 1
        else:
            runs.append([c, c + 1])
    out = []
    for start, end in runs:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def _words(mention: dict[str, Any], tokens: Sequence[Token], at: dict[int, int]) -> list[list[Token]]:
    first, last = at.get(mention["start"]), at.get(mention["end"] - 1)
    if first is None or last is None:
        return []
    words: list[list[Token]] = []
    for token in tokens[first : last + 1]:
        before = words[-1][-1] if words else None
        joined = (
            before is not None
            and before.sentence == token.sentence
            and before.end == token.start
            and "-" in (before.form, token.form)
        )
        if joined:
            words[-1].append(token)
        else:
            words.append([token])
    return words


def _spelled(word: Sequence[Token]) -> str:
    return "".join(t.form for t in word)


def _kind(word: Sequence[Token], own: set[int], group_names: frozenset[str]) -> str:
    """'name', 'title', 'common' or 'other'."""
    parts = [t for t in word if t.form != "-"]
    if not parts or any(t.start not in own for t in word) or _spelled(word).casefold() in group_names:
        return "other"
    if _spelled(word).lower() in TITLE_WORDS or any(t.form.lower() in TITLE_WORDS for t in parts):
        return "title"
    if parts[-1].xpos in _COMMON:
        return "common"
    if all(t.xpos == "NNP" for t in parts) and any(c.isalpha() for t in parts for c in t.form):
        return "name"
    return "other"


def _name_runs(
    words: Sequence[Sequence[Token]], own: set[int], group_names: frozenset[str]
) -> list[tuple[int, int]]:
    kinds = [_kind(w, own, group_names) for w in words]

    def next_to(j: int) -> bool:
        return j + 1 < len(words) and words[j + 1][0].index == words[j][-1].index + 1

    runs = []
    i = 0
    while i < len(words):
        if kinds[i] != "name":
            i += 1
            continue
        j = i
        while next_to(j) and kinds[j + 1] == "name":
            j += 1
        if next_to(j):
            after = words[j + 1]
            modifier = (
                kinds[j + 1] == "common" or after[-1].xpos == "NNPS" or _spelled(after).lower() in PRE_TITLES
            )
        else:
            modifier = False
        if not modifier:
            runs.append((words[i][0].start, words[j][-1].end))
        i = j + 1
    return runs


def _inside_a_name(
    mention: dict[str, Any], mentions: Sequence[dict[str, Any]], tokens: Sequence[Token], at: dict[int, int]
) -> bool:
    first, last = at.get(mention["start"]), at.get(mention["end"] - 1)
    if first is None or last is None:
        return False
    for other in mentions:
        if other["etype"] == "person" or other["eid"] == mention["eid"]:
            continue
        span = (other["start"], other["end"])
        if not (span[0] <= mention["start"] and mention["end"] <= span[1]) or span == (
            mention["start"],
            mention["end"],
        ):
            continue

        def within(j: int, span: tuple[int, int] = span) -> bool:
            return 0 <= j < len(tokens) and span[0] <= tokens[j].start and tokens[j].end <= span[1]

        if within(first - 1) and tokens[first - 1].xpos in _PROPER:
            return True
        if within(last + 1) and tokens[last + 1].xpos in _PROPER:
            return True
        if within(last + 2) and tokens[last + 1].form == "&" and tokens[last + 2].xpos in _PROPER:
            return True
    return False


def display_name(runs: Sequence[str]) -> str:
    if not runs:
        return ""
    lasts = [r.split()[-1].casefold() for r in runs]
    longest: dict[str, str] = {}
    for run, last in zip(runs, lasts, strict=True):
        if len(run) > len(longest.get(last, "")):
            longest[last] = run
    counts = Counter(lasts)
    best = max(longest, key=lambda w: (counts[w], len(longest[w])))
    return longest[best]


def _same_person(a: GoldPerson, b: GoldPerson, surnames: Counter[str]) -> bool:
    if a.identity and b.identity and a.identity != b.identity:
        return False
    x, y = a.name.casefold(), b.name.casefold()
    if x == y:
        return True
    return any(
        " " not in short and full.split()[-1] == short and surnames[short] <= 2
        for short, full in ((x, y), (y, x))
    )


def gold_people(
    article_id: str, text: str, mentions: Sequence[dict[str, Any]], tokens: Sequence[Token]
) -> tuple[list[GoldPerson], Counter[str]]:
    """The article's gold people, and how many chains each rule left out or merged."""
    left_out: Counter[str] = Counter()
    at = {c: t.index for t in tokens for c in range(t.start, t.end)}
    group_names = frozenset(t.form.casefold() for t in tokens if t.xpos == "NNPS")
    chains: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        if m["etype"] == "person":
            chains[m["eid"]].append(m)
    # rule 4, first half: one person per identity
    root_of: dict[str, str] = {}
    first_with: dict[str, str] = {}
    for eid, chain in chains.items():
        identities = sorted({m["identity"] for m in chain if m["identity"]})
        if identities and identities[0] in first_with:
            root_of[eid] = first_with[identities[0]]
        else:
            if identities:
                first_with[identities[0]] = eid
            root_of[eid] = eid
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for eid, chain in chains.items():
        merged[root_of[eid]].extend(chain)
    people: list[GoldPerson] = []
    for root, chain in merged.items():
        chain.sort(key=lambda m: (m["start"], -m["end"]))
        person = GoldPerson(
            id=f"{article_id}#{root}",
            eids=sorted({m["eid"] for m in chain}, key=int),
            identities={m["identity"] for m in chain if m["identity"]},
            runs=[],
            mentions=[],
        )
        for m in chain:
            own = _owned(m, mentions)
            runs = _name_runs(_words(m, tokens, at), own, group_names)
            is_name = bool(runs) and not _inside_a_name(m, mentions, tokens, at)
            core = runs if is_name else _runs_of(own, text)
            person.mentions.append(GoldMention(m["start"], m["end"], m["text"], core, is_name))
            if is_name:
                person.runs.extend(text[a:b] for a, b in runs)
        people.append(person)
    # rule 5, first half: a person needs a name mention
    named = []
    for person in people:
        if person.runs:
            person.name = display_name(person.runs)
            named.append(person)
        elif person.identities:
            left_out["identity without a name"] += 1
    # rule 4, second half: equal names, or a lone surname, are one person
    surnames = Counter(p.name.split()[-1].casefold() for p in named)
    final: list[GoldPerson] = []
    for person in named:
        for kept in final:
            conflict = kept.identities and person.identities and kept.identities != person.identities
            if _same_person(kept, person, surnames) and not conflict:
                left_out["merged by name"] += 1
                kept.mentions = sorted(kept.mentions + person.mentions, key=lambda m: (m.start, -m.end))
                kept.eids = sorted(set(kept.eids) | set(person.eids), key=int)
                kept.identities |= person.identities
                kept.runs += person.runs
                kept.name = display_name(kept.runs)
                break
        else:
            final.append(person)
    # rule 5, second half: groups and the one oddity
    out = []
    for person in final:
        if person.identities & GROUP_IDENTITIES:
            left_out["group"] += 1
        elif (article_id, person.name) in NOT_NAMES:
            left_out["not a name"] += 1
        else:
            for said in person.mentions:
                said.core_chars = frozenset(
                    c for a, b in said.core for c in range(a, b) if not text[c].isspace()
                )
            out.append(person)
    return out, left_out


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeopleArticle(SetArticle):
    people: tuple[GoldPerson, ...] = ()


@dataclass(frozen=True)
class PeopleSet:
    format: str
    root: str
    data_hash: str
    articles: tuple[PeopleArticle, ...]
    left_out: dict[str, int] = field(default_factory=dict)

    def score(self, predictions: Predictions) -> PeopleResult:
        return score(self, predictions)


def load_people(path: str | Path, *, limit: int | None = None) -> PeopleSet:
    folder = Path(path)
    require(folder, "articles.jsonl", "entities.jsonl", "raw")
    rows = read_jsonl(folder / "articles.jsonl")[:limit] if limit else read_jsonl(folder / "articles.jsonl")
    entities = {
        str(row.get("id")): row.get("entities") or [] for row in read_jsonl(folder / "entities.jsonl")
    }
    articles = []
    left_out: Counter[str] = Counter()
    files = [folder / "articles.jsonl", folder / "entities.jsonl"]
    try:
        for row in rows:
            article_id, text = str(row["id"]), str(row["text"])
            conllu = folder / "raw" / f"{article_id}.conllu"
            if not conllu.is_file():
                raise GoldFormatError(f"{conllu} is missing")
            files.append(conllu)
            people, dropped = gold_people(
                article_id, text, entities.get(article_id, []), conllu_tokens(conllu, text)
            )
            left_out.update(dropped)
            articles.append(PeopleArticle(article_id, text, tuple(people)))
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldFormatError(f"{folder}: not a GUM people folder ({exc!r})") from exc
    return PeopleSet(FORMAT, str(folder), data_hash(folder, files, limit), tuple(articles), dict(left_out))


# --- scoring -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PredictedEntity:
    name: str
    spans: tuple[tuple[int, int], ...]
    chars: tuple[frozenset[int], ...]


def predicted_entities(
    record: dict[str, Any] | None, text: str, notes: Counter[str]
) -> list[PredictedEntity]:
    out = []
    for entity in (record or {}).get("entities") or ():
        if not isinstance(entity, dict) or str(entity.get("type", "")).upper() != "PERSON":
            continue
        spans = []
        for m in entity.get("mentions") or ():
            try:
                start, end = (
                    (int(m["start"]), int(m["end"])) if isinstance(m, dict) else (int(m[0]), int(m[1]))
                )
            except (TypeError, ValueError, IndexError, KeyError):
                notes["invalid mentions"] += 1
                continue
            if 0 <= start < end <= len(text):
                spans.append((start, end))
            else:
                notes["invalid mentions"] += 1
        chars = tuple(frozenset(c for c in range(s, e) if not text[c].isspace()) for s, e in spans)
        out.append(PredictedEntity(str(entity.get("name") or ""), tuple(spans), chars))
    return out


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def holds_word(name: str, word: str) -> bool:
    w = _fold(word).strip(".,'\u2019\"")
    return bool(w) and re.search(rf"(?<!\w){re.escape(w)}(?!\w)", _fold(name)) is not None


def stands_for(
    span: tuple[int, int], chars: frozenset[int], people: Sequence[GoldPerson]
) -> tuple[int, int] | None:
    """(person, mention) a predicted mention stands for, or None."""
    best: tuple[tuple[float, bool, int], int, int] | None = None
    start, end = span
    for gi, person in enumerate(people):
        for mi, m in enumerate(person.mentions):
            if m.end <= start or m.start >= end or not m.core_chars & chars:
                continue
            iou = (min(end, m.end) - max(start, m.start)) / (max(end, m.end) - min(start, m.start))
            key = (iou, m.name, -m.start)
            if best is None or key > best[0]:
                best = (key, gi, mi)
    return (best[1], best[2]) if best else None


def score_article(people: Sequence[GoldPerson], preds: Sequence[PredictedEntity]) -> dict[str, Any]:
    weight: dict[tuple[int, int], tuple[int, int, int]] = {}
    covered: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pi, pred in enumerate(preds):
        for span, chars in zip(pred.spans, pred.chars, strict=True):
            target = stands_for(span, chars, people)
            if target is None:
                continue
            gi, mi = target
            names, every, first = weight.get((gi, pi), (0, 0, span[0]))
            weight[gi, pi] = (names + people[gi].mentions[mi].name, every + 1, min(first, span[0]))
            covered[gi, pi] |= chars
    order = sorted(weight.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[1][2], kv[0]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for (gi, pi), _ in order:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            pairs.append((gi, pi))
    touching_gold: dict[int, set[int]] = defaultdict(set)
    touching_pred: dict[int, set[int]] = defaultdict(set)
    for gi, pi in weight:
        touching_gold[gi].add(pi)
        touching_pred[pi].add(gi)
    c = Counter(gold=len(people), pred=len(preds), matched=len(pairs))
    for gi, pi in pairs:
        person = people[gi]
        c["last_name_ok"] += holds_word(
            preds[pi].name, person.name.split()[-1] if person.name.split() else ""
        )
        for m in person.mentions:
            hit = bool(m.core_chars & covered[gi, pi])
            c["all_mentions"] += 1
            c["all_mentions_hit"] += hit
            c["name_mentions"] += m.name
            c["name_mentions_hit"] += m.name and hit
    for gi, person in enumerate(people):
        if gi not in used_gold:
            c["all_mentions"] += len(person.mentions)
            c["name_mentions"] += sum(m.name for m in person.mentions)
    c["gold_one_entity"] = sum(len(touching_gold[gi]) == 1 for gi in range(len(people)))
    c["gold_found"] = sum(bool(touching_gold[gi]) for gi in range(len(people)))
    c["gold_split"] = sum(len(touching_gold[gi]) > 1 for gi in range(len(people)))
    c["pred_touching"] = sum(bool(touching_pred[pi]) for pi in range(len(preds)))
    c["pred_merging"] = sum(len(touching_pred[pi]) > 1 for pi in range(len(preds)))
    return {
        "counts": c,
        "pairs": [(people[gi].name, preds[pi].name) for gi, pi in pairs],
        "missed": [people[gi].name for gi in range(len(people)) if gi not in used_gold],
        "spurious": [preds[pi].name for pi in range(len(preds)) if pi not in used_pred],
        "split": [
            (people[gi].name, [preds[pi].name for pi in sorted(touching_gold[gi])])
            for gi in range(len(people))
            if len(touching_gold[gi]) > 1
        ],
        "merging": [
            (preds[pi].name, [people[gi].name for gi in sorted(touching_pred[pi])])
            for pi in range(len(preds))
            if len(touching_pred[pi]) > 1
        ],
    }


@dataclass
class PeopleResult:
    corpus: PeopleSet
    failed: list[dict[str, str]]
    counts: Counter[str]
    article_f1: list[float]
    notes: Counter[str]
    misses: list[dict[str, Any]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        c = self.counts
        people = prf(c["matched"], c["pred"], c["matched"], c["gold"])
        one_entity = share(c["gold_one_entity"], c["gold"]) or 0.0
        all_mentions = share(c["all_mentions_hit"], c["all_mentions"]) or 0.0
        return {
            "format": FORMAT,
            "path": self.corpus.root,
            "data_hash": self.corpus.data_hash,
            "articles": len(self.corpus.articles),
            "failed_articles": list(self.failed),
            "people": people,
            "macro_f1": sum(self.article_f1) / len(self.article_f1) if self.article_f1 else 0.0,
            "one_entity_per_person": one_entity,
            "not_split": share(c["gold_one_entity"], c["gold_found"]) or 0.0,
            "not_merging": share(c["pred_touching"] - c["pred_merging"], c["pred_touching"]) or 0.0,
            "last_name_in_predicted_name": share(c["last_name_ok"], c["matched"]) or 0.0,
            "name_mention_recall": share(c["name_mentions_hit"], c["name_mentions"]) or 0.0,
            "all_mention_recall": all_mentions,
            "counts": dict(sorted(c.items())),
            "gold_rules_left_out": dict(self.corpus.left_out),
            "notes": dict(sorted(self.notes.items())),
            "headline": {
                "people_f1": people["f1"],
                "people_precision": people["precision"],
                "people_recall": people["recall"],
                "one_entity_per_person": one_entity,
                "all_mention_recall": all_mentions,
            },
        }

    def errors(self) -> Iterator[dict[str, Any]]:
        """One record per miss: missed, spurious, split (one person, several entities), merging."""
        yield from self.misses

    def render(self) -> str:
        return render(self.report())


def score(corpus: PeopleSet, predictions: Predictions) -> PeopleResult:
    counts: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    article_f1: list[float] = []
    misses: list[dict[str, Any]] = []
    for article in corpus.articles:
        record = predictions.records.get(article.id)
        if record is None:
            notes["articles without a record"] += 1
        row = score_article(article.people, predicted_entities(record, article.text, notes))
        c = row["counts"]
        counts.update(c)
        if c["gold"] or c["pred"]:
            article_f1.append(prf(c["matched"], c["pred"], c["matched"], c["gold"])["f1"])
        here = {"article": article.id}
        misses += [{**here, "type": "missed", "gold": name} for name in row["missed"]]
        misses += [{**here, "type": "spurious", "predicted": name} for name in row["spurious"]]
        misses += [{**here, "type": "split", "gold": g, "predicted": p} for g, p in row["split"]]
        misses += [{**here, "type": "merging", "predicted": p, "gold": g} for p, g in row["merging"]]
    return PeopleResult(corpus, list(predictions.failed), counts, article_f1, notes, misses)


def render(report: dict[str, Any]) -> str:
    p, c = report["people"], report["counts"]
    lines = [
        f"gum-people: {report['path']}",
        f"{report['articles']} articles, {p['gold']} gold people, {p['predicted']} predicted PERSON "
        f"entities, {p['gold_found']} matched",
        "",
        f"{'':24}{'P':>6} {'R':>6} {'F1':>6}",
        f"{'people':24}{num(p['precision']):>6} {num(p['recall']):>6} {num(p['f1']):>6}  <- headline"
        f"   (macro F1 over articles {num(report['macro_f1'])})",
        f"one entity per gold person {num(report['one_entity_per_person'])} ({c.get('gold_one_entity', 0)}/"
        f"{p['gold']}; split {c.get('gold_split', 0)}, missed {p['gold'] - c.get('gold_found', 0)}); "
        f"not split among found {num(report['not_split'])}; entities not merging two people "
        f"{num(report['not_merging'])}",
        f"matched names holding the gold last name {num(report['last_name_in_predicted_name'])}",
        f"mention recall of the matched people: name mentions {num(report['name_mention_recall'])}, "
        f"all mentions (pronouns and descriptions too) {num(report['all_mention_recall'])}",
    ]
    if report["notes"]:
        lines.append("notes: " + ", ".join(f"{k} {v}" for k, v in report["notes"].items()))
    if report["failed_articles"]:
        lines.append(f"the analyser failed on {len(report['failed_articles'])} articles")
    return "\n".join(lines)
