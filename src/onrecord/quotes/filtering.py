"""Which candidates stand: reported speech reconciled with the quotation marks, weak candidates inside
what was said left out, the cue-class filter, and nesting.

- reconcile_with_marks: a reported candidate whose content is mostly one quoted stretch is that
  quotation's cue, not a candidate of its own; one that holds a whole quoted stretch is mixed;
- drop_inside_speech: a belief, an intention, an object, a noun's or adjective's content whose cue
  lies inside what someone is quoted or reported as saying is part of it; of two such candidates
  where one's cue holds the other's, the likelier one stays;
- cue_quoted_predicate and without: when only some cue classes are kept, a speech verb whose object
  predicate is wholly quoted becomes that quotation's cue, and the candidates left out go;
- nest: a quotation whose cue (or, with no cue, whose marks) lie inside another direct one is nested.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from onrecord.lexicon import Lexicon
from onrecord.nlp.parsed import ParsedParagraph
from onrecord.quotes.candidates import DIRECT_SHARE, OBJECT_PREDICATE_PREPS, Candidate, object_predicates
from onrecord.quotes.marks import MarkedSpan, lookup

#: Rules (the part after "direct."/"indirect."/"mixed.") of quotations and reported speech proper: a weak
#: candidate inside one of them is part of what was said (see drop_inside_speech).
_STRONG = frozenset(
    {
        "cue_after",
        "cue_before",
        "clause_after",
        "colon",
        "implied",
        "nearby",
        "unattributed",
        "speech",
        "according_to",
        "parenthetical",
    }
)


def reconcile_with_marks(
    cand: Candidate, marks: list[MarkedSpan], direct: list[Candidate | None], para: ParsedParagraph
) -> bool:
    """Decide what a reported-speech candidate is, given the quotation marks around it.

    Returns False when the candidate is not a quotation of its own (its cue attributes a direct one).
    """
    assert cand.cue is not None
    start, end = cand.start, cand.end
    length = max(1, end - start)
    cue_offset = para.offset + cand.cue[1].idx
    for i in lookup(marks).overlapping(start, end, 0):  # the others share no character with it
        mark = marks[i]
        if mark.contains(cue_offset, cue_offset + 1):
            continue  # a cue inside a quotation: nested, handled by nest
        covered = sum(max(0, min(e, end) - max(s, start)) for s, e in mark.pieces)
        if covered == 0:
            continue
        if covered / length >= DIRECT_SHARE:
            target = direct[i]
            if target is not None and target.marks[0] != i:
                # Joined to the quotation before it only because it came next ('"A," he said. "B."'),
                # but the parse gives it a cue of its own ('He added that ... "B."'): split it off.
                target.marks.remove(i)
                target.pieces = [p for p in target.pieces if p not in mark.pieces]
                target = direct[i] = Candidate(
                    "direct", list(mark.pieces), "direct.cue_before", para.index, marks=[i]
                )
            if target is not None and target.cue is None:
                target.cue = cand.cue
                target.subject = cand.subject
                target.rule = "direct.cue_before" if cue_offset < mark.start else "direct.cue_after"
            elif target is None:  # a quoted stretch the marks pass dropped: the parse attributes it
                return True
            return False
        own = direct[i]
        if own is not None and own.cue is not None and own.cue[1] != cand.cue[1]:
            continue  # '...: "France is no longer France," he claimed.': the quotation has its own cue
        if start <= mark.start and mark.end <= end:
            cand.kind = "mixed"
            cand.rule = cand.rule.replace("indirect.", "mixed.")
            cand.consumed_marks.add(i)
    return True


def drop_inside_speech(
    reported: list[Candidate], direct: list[Candidate | None], *, rank: bool
) -> list[Candidate]:
    """Leave out a weak candidate (not reported speech: a belief, an intention, an object, a noun's or
    adjective's content) whose cue lies inside what someone is quoted or reported as saying: in "He
    admitted that he had signed a resignation letter", "had signed a letter" is part of the admission,
    not an attribution of its own (PolNeAR gives each word one role, so it never annotates one).

    Of two weak candidates where one's cue is the other's content ("voiced [concern] about the deal":
    the verb's object and the noun's prepositional object), only the likelier one is kept (``rank``;
    off while exploring, where there are no confidences yet).
    """
    # Each candidate once: a quotation joined from many marks ('"A," he said. "B." "C." ...') stands in
    # ``direct`` once per mark, with all its pieces each time.
    spoken = list({id(c): c for c in direct if c is not None}.values()) + [c for c in reported if _strong(c)]
    weak = [c for c in reported if not _strong(c) and c.cue is not None] if rank else []
    # Looked up, not compared pairwise (issue #16): the pieces of what was said, sorted, with the
    # furthest end so far; and the weak candidates by their cue's and their cue's head's position
    # (the only ones _outranks can prefer). A weak candidate is never among the spoken ones.
    said = sorted(piece for other in spoken for piece in other.pieces)
    said_starts, said_reach = [s for s, _ in said], list(accumulate((e for _, e in said), max))
    by_cue: dict[tuple[int, int], list[Candidate]] = {}
    by_head: dict[tuple[int, int], list[Candidate]] = {}
    for other in weak:
        assert other.cue is not None
        by_cue.setdefault((id(other.cue[0]), other.cue[1].i), []).append(other)
        by_head.setdefault((id(other.cue[0]), other.cue[1].head.i), []).append(other)
    kept = []
    for cand in reported:
        if not _strong(cand) and cand.cue is not None:
            cue = cand.cue[0].offset + cand.cue[1].idx
            k = bisect_right(said_starts, cue)
            if k and said_reach[k - 1] > cue:
                continue
            para, word = id(cand.cue[0]), cand.cue[1]
            near = by_cue.get((para, word.head.i), []) + by_head.get((para, word.i), [])
            if any(_outranks(other, cand) for other in near if other is not cand):
                continue
        kept.append(cand)
    return kept


def _strong(cand: Candidate) -> bool:
    return cand.rule.split(".")[1] in _STRONG


def _covers(cand: Candidate, offset: int) -> bool:
    return any(s <= offset < e for s, e in cand.pieces)


def _outranks(other: Candidate, cand: Candidate) -> bool:
    """Of two weak candidates where one's cue governs the other's and holds it in its content, does
    ``other`` win over ``cand``? The more confident one wins; on a tie, the governing one."""
    assert other.cue is not None and cand.cue is not None
    if other.cue[0] is not cand.cue[0]:
        return False
    other_cue, cand_cue = other.cue[1], cand.cue[1]
    offset = cand.cue[0].offset
    if cand_cue.head.i == other_cue.i and _covers(other, offset + cand_cue.idx):  # other governs cand
        return (other.confidence or 0.0) >= (cand.confidence or 0.0)
    if other_cue.head.i == cand_cue.i and _covers(cand, offset + other_cue.idx):  # cand governs other
        return (other.confidence or 0.0) > (cand.confidence or 0.0)
    return False


def cue_quoted_predicate(
    cand: Candidate, marks: list[MarkedSpan], direct: list[Candidate | None], lexicon: Lexicon
) -> None:
    """'called him "a disappointment of historic proportions"', 'described the performance as
    "disappointing"', 'warned both parties against "pandering to prejudice"': when what a speech verb
    says of its object (or its prepositional object) is wholly quoted, the quotation is a direct
    statement with that cue, though the object itself is only a topic."""
    if cand.cue is None or cand.complement is None:
        return
    para, verb = cand.cue
    if verb.lemma_.lower() not in lexicon.speech_verbs | lexicon.object_verbs:
        return
    complement = cand.complement
    said = [complement]
    if complement.dep_ == "dobj":
        # The parser hangs "as ..." on the verb or on its object: "described [the performance] [as ...]".
        own = [c for c in complement.children if c.dep_ == "prep" and c.lower_ in OBJECT_PREDICATE_PREPS]
        said = object_predicates(complement) + own
    for head in said:
        tokens = [t for t in head.subtree if not (t.dep_ == "prep" and t is head)]
        words = [t for t in tokens if not t.is_punct]
        if not words:
            continue
        start, end = para.token_offsets(words[0])[0], para.token_offsets(words[-1])[1]
        for i in lookup(marks).overlapping(start, end, 0):
            mark = marks[i]
            if mark.level != 0 or (direct[i] is not None and direct[i].cue is not None):  # type: ignore[union-attr]
                continue
            inside = sum(1 for t in words if mark.contains(*para.token_offsets(t)))
            if inside / len(words) < DIRECT_SHARE:
                continue
            quoted = Candidate("direct", list(mark.pieces), "direct.cue_before", para.index, marks=[i])
            quoted.cue, quoted.subject = cand.cue, cand.subject
            direct[i] = quoted


def consumed_marks(reported: list[Candidate]) -> set[int]:
    """The marks whose quotations mixed candidates hold: they stand in no direct candidate."""
    return {i for c in reported for i in c.consumed_marks}


def nest(candidates: list[Candidate], marks: list[MarkedSpan]) -> None:
    """A quotation whose cue (or, with no cue, whose marks) lie inside another direct one is nested."""
    # The candidates that came from each mark: the last of those that came from the mark holding the
    # anchor is the parent (asked of every pair, an article with n quotations cost n**2, issue #16).
    from_mark: dict[int, list[int]] = {}
    for j, outer in enumerate(candidates):
        for k in set(outer.marks):
            from_mark.setdefault(k, []).append(j)
    quoted = lookup(marks)
    for i, cand in enumerate(candidates):
        anchor = cand.cue[0].offset + cand.cue[1].idx if cand.cue is not None else cand.start
        own = set(cand.marks)
        holding = sorted({j for k in quoted.holders(anchor, anchor + 1, 0) for j in from_mark.get(k, ())})
        cand.parent = next(
            (j for j in reversed(holding) if j != i and not own & set(candidates[j].marks)), None
        )
    _nest_in_reported(candidates)


def _nest_in_reported(candidates: list[Candidate]) -> None:
    """A statement whose cue lies inside what another is reported as saying is nested in it: in
    "... immigration, which he said was out of control" the inner "said" is part of Mr Howard's
    statement (the speakers-dev guidelines; PolNeAR gives each word one role). The innermost holder
    is the parent; pieces are looked up by bisection, not compared pairwise."""
    rows = sorted(
        (s, e, j)
        for j, outer in enumerate(candidates)
        # Not "according to": the parser may hang it on the whole sentence, cue and all.
        if outer.kind != "direct" and outer.cue is not None and outer.rule != "indirect.according_to"
        for s, e in outer.pieces
    )
    starts = [s for s, _, _ in rows]
    reach = list(accumulate((e for _, e, _ in rows), max))  # the furthest end among the first n + 1
    for i, cand in enumerate(candidates):
        if cand.parent is not None or cand.cue is None or cand.kind == "direct":
            continue  # a quotation in marks stands on its own unless it is inside other marks
        anchor = cand.cue[0].offset + cand.cue[1].idx
        best: tuple[int, int] | None = None  # (length of the holding piece, holder)
        n = bisect_right(starts, anchor) - 1
        while n >= 0 and reach[n] > anchor:  # back over the pieces that can still hold it
            s, e, j = rows[n]
            if j != i and e > anchor and (best is None or e - s < best[0]):
                best = (e - s, j)
            n -= 1
        if best is not None:
            cand.parent = best[1]


def without(candidates: list[Candidate], left_out: list[Candidate]) -> list[Candidate]:
    """The candidates less those left out, parents renumbered. A statement nested in a left-out one
    (a belief, ...) becomes top-level: what is left out takes nothing with it."""
    gone = {id(c) for c in left_out}
    new_index: dict[int, int] = {}
    kept: list[Candidate] = []
    for i, cand in enumerate(candidates):
        if id(cand) not in gone:
            new_index[i] = len(kept)
            kept.append(cand)
    for cand in kept:
        if cand.parent is not None:
            cand.parent = new_index.get(cand.parent)
    return kept
