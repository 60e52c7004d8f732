"""The roles of the speakers set: the people an article names, and the offices and jobs it gives them.

The folder is the speakers set's (``articles.jsonl``) with ``roles.json``: per article its people, each
with ``name``, ``key`` (alternatives, one of which a predicted name must contain as whole words; ``A+B``
needs both) and ``roles`` (``role``, ``alternatives``, ``evidence_spans``, ``kind``, and ``optional``
for borderline roles). The measure is the reference scorer's (``shared/tools/score_roles.py``), written
here from the rules its docstring states:

- A role is the SET of its tokens: NFKD without accents, lower case, a possessive 's dropped, runs of
  [a-z0-9], minus "the a an of for". A predicted role matches a gold role when, for the role or one of
  its alternatives, its tokens contain the gold's, with at most 3 more, none of them an office modifier
  (former, shadow, deputy, co, ...: "shadow chancellor" is not "chancellor").
- People: predicted PERSON entities pair with gold people whose key they contain, one to one, greedily,
  best first by (name equal to the canonical name, gold roles matched, minus wrong roles, shared name
  words); ties by prediction order, then gold order. People P/R/F1 count the pairs.
- Roles, on the pairs only (an entity's roles de-duplicated by token set): a predicted role is correct
  when it matches a required gold role, neutral when it matches only optional ones (left out), wrong
  otherwise. Roles P = correct / (correct + wrong), R = required gold roles matched / all required gold
  roles (a person not found loses all of theirs).
- Wrong-role share = matched people with a wrong role / matched people (lower is better; the gate pins
  its complement, the share of matched people with no wrong role). Recall by the gold role's ``kind``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
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
    read_json,
    require,
    share,
    word_set,
)
from onrecord.evaluate.speakers import load_texts

FORMAT = "roles"
STOP_WORDS = frozenset({"the", "a", "an", "of", "for"})
MAX_EXTRA_TOKENS = 3
OFFICE_MODIFIERS = word_set(
    "former ex shadow acting interim caretaker deputy vice co assistant outgoing incoming future "
    "designate elect"
)
HEADLINE: dict[str, str] = {
    "roles_f1": "roles: role F1",
    "roles_precision": "roles: role precision",
    "roles_recall": "roles: role recall",
    "people_f1": "roles: people F1",
    "no_wrong_role_share": "roles: share of matched people with no wrong role (1 - wrong-role share)",
}
Tokens = frozenset[str]


@dataclass(frozen=True, slots=True)
class RolesArticle(SetArticle):
    people: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RolesSet:
    format: str
    root: str
    data_hash: str
    articles: tuple[RolesArticle, ...]

    def score(self, predictions: Predictions) -> RolesResult:
        return score(self, predictions)


def load_roles(path: str | Path, *, limit: int | None = None) -> RolesSet:
    folder = Path(path)
    require(folder, "articles.jsonl", "roles.json")
    gold = read_json(folder / "roles.json")
    try:
        annotated = list(gold["articles"])[:limit] if limit else list(gold["articles"])
        ids = [str(a["id"]) for a in annotated]
        texts = load_texts(folder, ids, {str(a["id"]): str(a.get("text_sha256") or "") for a in annotated})
        articles = []
        for entry in annotated:
            text = texts[entry["id"]]
            for person in entry["people"]:
                if not person.get("key"):
                    raise GoldFormatError(f"{folder}: gold person {person['name']!r} has no key")
                for role in person["roles"]:
                    if any(not 0 <= s < e <= len(text) for s, e in role.get("evidence_spans") or ()):
                        raise GoldFormatError(
                            f"{folder}: an evidence span of {person['name']!r} is outside the text"
                        )
            articles.append(RolesArticle(entry["id"], text, tuple(entry["people"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldFormatError(f"{folder / 'roles.json'}: not a roles gold file ({exc!r})") from exc
    files = [folder / "articles.jsonl", folder / "roles.json"]
    return RolesSet(FORMAT, str(folder), data_hash(folder, files, limit), tuple(articles))


# --- the matching rules --------------------------------------------------------------------------


def fold(text: str) -> str:
    """Accents dropped, lower case, typographic apostrophes made plain."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


def role_tokens(role: str) -> Tokens:
    """A role as a set of tokens: ``"the Prime Minister of Ukraine"`` -> {prime, minister, ukraine}."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"'s\b", "", fold(role or "")))
    return frozenset(w for w in words if w not in STOP_WORDS)


def gold_forms(role: dict[str, Any]) -> list[Tokens]:
    forms: list[Tokens] = []
    for wording in [role["role"], *(role.get("alternatives") or ())]:
        tokens = role_tokens(wording)
        if tokens and tokens not in forms:
            forms.append(tokens)
    return forms


def role_matches(predicted: Tokens, forms: Sequence[Tokens]) -> bool:
    return any(
        form <= predicted
        and len(predicted - form) <= MAX_EXTRA_TOKENS
        and not (predicted - form) & OFFICE_MODIFIERS
        for form in forms
        if form
    )


def name_words(name: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(name))


def has_key(name: str, keys: Sequence[str]) -> bool:
    padded = f" {' '.join(name_words(name))} "
    for key in keys:
        parts = [" ".join(name_words(p)) for p in key.split("+")]
        parts = [p for p in parts if p]
        if parts and all(f" {p} " in padded for p in parts):
            return True
    return False


def _role_text(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("text", "role", "label", "name"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return None


@dataclass(frozen=True, slots=True)
class PredictedPerson:
    name: str
    roles: tuple[tuple[str, Tokens], ...]


def predicted_people(record: dict[str, Any] | None, notes: Counter[str]) -> list[PredictedPerson]:
    """The record's PERSON entities with their roles (strings, or objects with a text), each role
    once by token set."""
    out: list[PredictedPerson] = []
    entities = (record or {}).get("entities") or []
    for entity in entities if isinstance(entities, list) else ():
        if not isinstance(entity, dict) or str(entity.get("type") or "").upper() != "PERSON":
            continue
        name = entity.get("name")
        roles: list[tuple[str, Tokens]] = []
        raw = entity.get("roles") or []
        for item in raw if isinstance(raw, list) else [raw]:
            text = _role_text(item)
            tokens = role_tokens(text) if text is not None else frozenset()
            if text is None or not tokens:
                notes["roles without text (dropped)"] += 1
            elif any(tokens == t for _, t in roles):
                notes["duplicate roles of one entity (merged)"] += 1
            else:
                roles.append((text, tokens))
        out.append(PredictedPerson(name if isinstance(name, str) and name.strip() else "", tuple(roles)))
    return out


def judge(
    roles: Sequence[tuple[str, Tokens]], gold_roles: Sequence[dict[str, Any]]
) -> tuple[list[str], list[bool]]:
    """Per predicted role "correct", "neutral" or "wrong"; per gold role whether some role matched it."""
    forms = [gold_forms(g) for g in gold_roles]
    verdicts: list[str] = []
    hit = [False] * len(gold_roles)
    for _, tokens in roles:
        matched = [i for i, f in enumerate(forms) if role_matches(tokens, f)]
        for i in matched:
            hit[i] = True
        if any(not gold_roles[i].get("optional") for i in matched):
            verdicts.append("correct")
        else:
            verdicts.append("neutral" if matched else "wrong")
    return verdicts, hit


def pair_people(preds: Sequence[PredictedPerson], golds: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    """(prediction, gold person) pairs, one to one, heaviest first."""
    weighted = []
    for pi, pred in enumerate(preds):
        for gi, gold in enumerate(golds):
            if not pred.name or not has_key(pred.name, gold["key"]):
                continue
            verdicts, hit = judge(pred.roles, gold["roles"])
            same = name_words(pred.name) == name_words(gold["name"])
            shared = len(set(name_words(pred.name)) & set(name_words(gold["name"])))
            weight = (int(same), sum(hit), -verdicts.count("wrong"), shared)
            weighted.append((weight, -pi, -gi, pi, gi))
    weighted.sort(reverse=True)
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for *_, pi, gi in weighted:
        if pi not in used_pred and gi not in used_gold:
            used_pred.add(pi)
            used_gold.add(gi)
            pairs.append((pi, gi))
    return pairs


# --- scoring -------------------------------------------------------------------------------------


@dataclass
class RolesResult:
    corpus: RolesSet
    failed: list[dict[str, str]]
    counts: Counter[str]
    by_kind: dict[str, Counter[str]]
    notes: Counter[str]
    misses: list[dict[str, Any]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        c = self.counts
        people = prf(c["matched_people"], c["pred_people"], c["matched_people"], c["gold_people"])
        roles = prf(c["correct"], c["correct"] + c["wrong"], c["gold_roles_found"], c["gold_roles"])
        wrong_share = share(c["people_with_wrong_role"], c["matched_people"]) or 0.0
        return {
            "format": FORMAT,
            "path": self.corpus.root,
            "data_hash": self.corpus.data_hash,
            "articles": len(self.corpus.articles),
            "failed_articles": list(self.failed),
            "people": people,
            "roles": roles,
            "role_recall_matched_people": share(c["gold_roles_found"], c["roles_of_matched_people"]) or 0.0,
            "correct_roles": c["correct"],
            "wrong_roles": c["wrong"],
            "neutral_roles": c["neutral"],
            "optional_gold_roles": c["optional_roles"],
            "people_with_wrong_role": c["people_with_wrong_role"],
            "wrong_role_share": wrong_share,
            "people_fully_right": c["people_fully_right"],
            "people_fully_right_share": share(c["people_fully_right"], c["gold_people"]) or 0.0,
            "role_recall_by_kind": {
                kind: {"gold": k["gold"], "found": k["found"], "recall": share(k["found"], k["gold"])}
                for kind, k in sorted(self.by_kind.items())
            },
            "notes": dict(sorted(self.notes.items())),
            "headline": {
                "roles_f1": roles["f1"],
                "roles_precision": roles["precision"],
                "roles_recall": roles["recall"],
                "people_f1": people["f1"],
                "no_wrong_role_share": 1.0 - wrong_share,
            },
        }

    def errors(self) -> Iterator[dict[str, Any]]:
        """One record per miss: missed_person, spurious_person, wrong_role, missed_role."""
        yield from self.misses

    def render(self) -> str:
        return render(self.report())


def score(corpus: RolesSet, predictions: Predictions) -> RolesResult:
    counts: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    notes: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    for article in corpus.articles:
        record = predictions.records.get(article.id)
        if record is None:
            notes["articles without a record"] += 1
        preds = predicted_people(record, notes)
        golds = article.people
        pairs = pair_people(preds, golds)
        partner = {gi: pi for pi, gi in pairs}
        counts["gold_people"] += len(golds)
        counts["pred_people"] += len(preds)
        counts["matched_people"] += len(pairs)
        for gi, gold in enumerate(golds):
            required = [not r.get("optional") for r in gold["roles"]]
            counts["gold_roles"] += sum(required)
            counts["optional_roles"] += required.count(False)
            for role, req in zip(gold["roles"], required, strict=True):
                if req:
                    by_kind.setdefault(role.get("kind") or "-", Counter())["gold"] += 1
            if gi not in partner:
                misses.append(
                    {
                        "article": article.id,
                        "type": "missed_person",
                        "gold": gold["name"],
                        "gold_roles": [r["role"] for r, q in zip(gold["roles"], required, strict=True) if q],
                    }
                )
                continue
            pred = preds[partner[gi]]
            verdicts, hit = judge(pred.roles, gold["roles"])
            found = [h and q for h, q in zip(hit, required, strict=True)]
            for role, f in zip(gold["roles"], found, strict=True):
                if f:
                    by_kind.setdefault(role.get("kind") or "-", Counter())["found"] += 1
            counts["correct"] += verdicts.count("correct")
            counts["wrong"] += verdicts.count("wrong")
            counts["neutral"] += verdicts.count("neutral")
            counts["roles_of_matched_people"] += sum(required)
            counts["gold_roles_found"] += sum(found)
            counts["people_with_wrong_role"] += "wrong" in verdicts
            counts["people_fully_right"] += sum(found) == sum(required) and "wrong" not in verdicts
            predicted_roles = [text for text, _ in pred.roles]
            for (text, _), verdict in zip(pred.roles, verdicts, strict=True):
                if verdict == "wrong":
                    misses.append(
                        {
                            "article": article.id,
                            "type": "wrong_role",
                            "gold": gold["name"],
                            "predicted_name": pred.name,
                            "predicted_role": text,
                            "gold_roles": [r["role"] for r in gold["roles"]],
                        }
                    )
            for role, f, q in zip(gold["roles"], found, required, strict=True):
                if q and not f:
                    misses.append(
                        {
                            "article": article.id,
                            "type": "missed_role",
                            "gold": gold["name"],
                            "gold_role": role["role"],
                            "kind": role.get("kind"),
                            "evidence_spans": role.get("evidence_spans"),
                            "predicted_roles": predicted_roles,
                        }
                    )
        matched = {pi for pi, _ in pairs}
        for pi, pred in enumerate(preds):
            if pi not in matched:
                misses.append(
                    {
                        "article": article.id,
                        "type": "spurious_person",
                        "predicted": pred.name,
                        "roles": [text for text, _ in pred.roles],
                    }
                )
    return RolesResult(corpus, list(predictions.failed), counts, by_kind, notes, misses)


def render(report: dict[str, Any]) -> str:
    p, r = report["people"], report["roles"]
    kinds = ", ".join(f"{k} {v['found']}/{v['gold']}" for k, v in report["role_recall_by_kind"].items())
    lines = [
        f"roles: {report['path']}",
        f"{report['articles']} articles; people: {p['gold']} gold, {p['predicted']} predicted PERSON "
        f"entities, {p['gold_found']} matched",
        f"roles: {r['gold']} required gold roles (+{report['optional_gold_roles']} optional); roles of the "
        f"matched people: {report['correct_roles']} correct, {report['wrong_roles']} wrong, "
        f"{report['neutral_roles']} neutral; {r['gold_found']} gold roles found",
        "",
        f"{'':24}{'P':>6} {'R':>6} {'F1':>6}",
        f"{'roles':24}{num(r['precision']):>6} {num(r['recall']):>6} {num(r['f1']):>6}  <- headline",
        f"{'people':24}{num(p['precision']):>6} {num(p['recall']):>6} {num(p['f1']):>6}",
        f"role recall over the matched people {num(report['role_recall_matched_people'])}",
        f"wrong-role share {num(report['wrong_role_share'])} ({report['people_with_wrong_role']} of "
        f"{p['gold_found']} matched people have a role that is not theirs); people fully right "
        f"{num(report['people_fully_right_share'])} ({report['people_fully_right']}/{p['gold']})",
        f"role recall by how the article states it: {kinds}",
    ]
    if report["notes"]:
        lines.append("notes: " + ", ".join(f"{k} {v}" for k, v in report["notes"].items()))
    if report["failed_articles"]:
        lines.append(f"the analyser failed on {len(report['failed_articles'])} articles")
    return "\n".join(lines)
