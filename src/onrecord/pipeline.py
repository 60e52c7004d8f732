"""The per-article function: from one article's text to its Analysis record.

``Analyzer`` is a stage in the NeMo Curator sense: construct it once per worker (that loads the model),
then call ``analyze`` (one article) or ``analyze_batch`` (many, parsed together) as often as needed. The
local runner, the CLI and, later, Spark all call this same code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from onrecord import __version__
from onrecord.budget import TIME_BUDGET_SECONDS, OverBudget, TimeBudget
from onrecord.clean import CleanedText, clean_text
from onrecord.dates import DateHint, find_dateline, find_dates
from onrecord.entities import EntityIndex, find_roles
from onrecord.entities.descriptions import described_names, link_descriptions
from onrecord.entities.roles import find_roles_of_added
from onrecord.errors import ErrorCode, InputError
from onrecord.lexicon import Lexicon, load_lexicon
from onrecord.nlp import load_pipeline, model_description
from onrecord.nlp.chunks import pipe_paragraphs
from onrecord.nlp.parsed import ParsedArticle, ParsedParagraph
from onrecord.quotes.calibration import calibrated_confidence
from onrecord.quotes.candidates import Candidate
from onrecord.quotes.classes import DEFAULT_CLASSES
from onrecord.quotes.extract import extract_candidates
from onrecord.records import Analysis, DateRef, Entity, Heading, Quote, Removed, Speaker

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

#: Versioned names of the components; a change of behaviour means a new version.
COMPONENTS = {
    "clean": "onrecord.clean.v1",
    "entities": "onrecord.entities.v1",
    "quotes": "onrecord.quotes.v2",  # v2: the learned cue table (2026-11-28)
    "speakers": "onrecord.speakers.v2",  # v2: typed entities, unnamed speakers (2026-12)
    "roles": "onrecord.roles.v2",  # v2: roles as facts; titles, appositions, copulas (issue #15)
    "dates": "onrecord.dates.v1",
}
#: Inputs longer than this are refused: a news article is a few thousand words; 1M characters is a
#: book, or something that is not an article. Change with ``Analyzer(max_chars=...)``.
MAX_INPUT_CHARS = 1_000_000
#: Analyzer(statements=...): speech statements only, or every attribution with its cue class.
STATEMENT_CHOICES: tuple[str, ...] = ("speech", "all")
#: Share of the language's function words among a text's words, below which it is not that language.
#: Measured with src/onrecord/data/en.json: PolNeAR train min 0.17 (median 0.38), Wikinews min 0.30;
#: the non-English pages of ../shared/data/aeb score 0.00-0.10, one Portuguese page 0.16. Re-measure
#: after editing the word list.
MIN_ENGLISH_SHARE = 0.15
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class ArticleInput:
    text: str
    source: str = "-"
    published: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    #: The encoding the reader decoded the input's bytes from (Python's codec name), and whether its
    #: detection was sure (onrecord.ingest.readers.Decoded); None for text given as a string.
    encoding: str | None = None
    encoding_sure: bool | None = None


class Analyzer:
    """Analyse articles with one loaded pipeline."""

    def __init__(
        self,
        *,
        language: str = "en",
        nlp: Language | None = None,
        max_chars: int = MAX_INPUT_CHARS,
        time_budget: float | None = TIME_BUDGET_SECONDS,
        statements: str = "speech",
    ):
        if statements not in STATEMENT_CHOICES:
            raise ValueError(f"statements must be one of {', '.join(STATEMENT_CHOICES)}, not {statements!r}")
        if language != "en":
            raise ValueError(f"language {language!r} is not supported yet; onrecord reads English ('en')")
        self.language = language
        self.lexicon: Lexicon = load_lexicon(language)
        self.nlp = nlp if nlp is not None else load_pipeline()
        self.max_chars = max_chars
        #: Which attributions become statements: "speech" (what a source said, the default) or "all"
        #: (beliefs, intentions, topics and the rest too, each marked with its cue_class; PolNeAR's
        #: definition). See onrecord.quotes.classes.
        self.statements = statements
        self._classes = DEFAULT_CLASSES if statements == "speech" else None
        #: Seconds one article may take (onrecord.budget); None or 0: no limit.
        self.time_budget = time_budget
        import spacy

        self.provenance: dict[str, Any] = {
            "onrecord": __version__,
            "model": model_description(self.nlp),
            "spacy": spacy.__version__,
            "components": dict(COMPONENTS),
        }

    def analyze(
        self,
        text: str,
        *,
        source: str = "-",
        published: str | dt.date | None = None,
        title: str | None = None,
        url: str | None = None,
        outlet: str | None = None,
    ) -> Analysis:
        """One article. Raises InputError (naming ``source``) for input that cannot be analysed."""
        article = ArticleInput(text, source, _iso(published, source), title, url, outlet)
        return next(self.analyze_batch([article]))

    def analyze_input(self, article: ArticleInput, *, cleaned: CleanedText | None = None) -> Analysis:
        """One ArticleInput (as the readers make them), its publication date checked.

        ``cleaned`` is ``clean_text(article.text)`` when the caller has computed it already (the ingest
        runner does, for the article id): the text is then not cleaned a second time.
        """
        article = replace(article, published=_iso(article.published, article.source))
        return self._analyze_one(article, cleaned)

    def analyze_batch(self, articles: Iterable[ArticleInput], *, batch_size: int = 64) -> Iterator[Analysis]:
        """Many articles, one after the other (each article's paragraphs go through spaCy together).

        Raises InputError for the first bad input; callers that must go on call :meth:`analyze` per
        article and catch it there.
        """
        for article in articles:
            yield self._analyze_one(article, batch_size=batch_size)

    def _analyze_one(
        self, article: ArticleInput, cleaned: CleanedText | None = None, *, batch_size: int = 64
    ) -> Analysis:
        self.check(article.text, article.source)
        try:
            with TimeBudget(self.time_budget) as budget:
                if cleaned is None:
                    cleaned = clean_text(article.text)
                published, published_from = article.published, "given" if article.published else None
                if published is None:
                    found = find_dateline(cleaned.text)
                    if found is not None:
                        published, published_from = found[0].isoformat(), "dateline"
                texts = [cleaned.text[p.start : p.end] for p in cleaned.paragraphs]
                docs = []
                for doc in pipe_paragraphs(self.nlp, texts, batch_size=batch_size):
                    docs.append(doc)
                    budget.check()
                analysis = self._build(article, cleaned, docs, published, published_from)
                budget.check()
                return analysis
        except OverBudget:
            raise InputError(
                ErrorCode.TIME_BUDGET,
                article.source,
                f"the analysis took longer than the time budget of {self.time_budget:g} s for one article "
                "and was stopped; text this slow is rarely one news article (a book, a table, thousands "
                "of quotation marks): check it, split it into articles, or raise --time-budget",
                stage="analyze",
            ) from None

    def check(self, text: str, source: str) -> None:
        """Refuse, with a message that names the input, what cannot be an English article."""
        if not text.strip():
            raise InputError(ErrorCode.EMPTY, source, "the input is empty (no text to analyse)")
        if "\x00" in text or _control_share(text) > 0.05:
            raise InputError(
                ErrorCode.BINARY, source, "the input looks binary, not text; give the article as plain text"
            )
        if len(text) > self.max_chars:
            raise InputError(
                ErrorCode.TOO_LARGE,
                source,
                f"the input has {len(text):,} characters, more than the limit of {self.max_chars:,} for one "
                "article; split it into articles (JSON Lines, one per line) or raise --max-chars",
            )
        words = [w.lower() for w in _WORD.findall(text[:20_000])]
        if len(words) >= 20:
            share = sum(w in self.lexicon.function_words for w in words) / len(words)
            if share < MIN_ENGLISH_SHARE:
                raise InputError(
                    ErrorCode.NOT_ENGLISH,
                    source,
                    f"the input does not read as English ({share:.0%} English function words, English "
                    f"news has over {MIN_ENGLISH_SHARE:.0%}); onrecord analyses English text only",
                )

    # -- assembling the record --------------------------------------------------------------------
    def _build(
        self,
        article: ArticleInput,
        cleaned: CleanedText,
        docs: list[Doc],
        published: str | None,
        published_from: str | None,
    ) -> Analysis:
        paragraphs = tuple(
            ParsedParagraph(i, p.start, doc, p.is_heading)
            for i, (p, doc) in enumerate(zip(cleaned.paragraphs, docs, strict=True))
        )
        parsed = ParsedArticle(cleaned.text, paragraphs)
        index = EntityIndex(self.lexicon)
        index.build(parsed, described_names(parsed, self.lexicon))  # rule 10: untagged, described names
        role_book = find_roles(parsed, index, self.lexicon)
        candidates = extract_candidates(parsed, index, self.lexicon, classes=self._classes)
        find_roles_of_added(parsed, index, self.lexicon, role_book)  # names the resolver added
        link_descriptions(parsed, index, self.lexicon)
        index.assign_ids()
        to_orig = cleaned.to_original
        quotes = tuple(self._quote(c, parsed, to_orig) for c in candidates)
        entities = tuple(
            Entity(
                id=e.id,
                type=e.type,
                name=e.name,
                mentions=tuple(sorted(to_orig(s, t) for s, t in e.mentions)),
                roles=tuple(e.roles),
                role_facts=role_book.facts(e, cleaned.text, to_orig, published),
            )
            for e in sorted(index.entities, key=lambda e: min(s for s, _ in e.mentions))
        )
        pub_date = dt.date.fromisoformat(published) if published else None
        dates = tuple(
            DateRef(d.text, to_orig(*d.span), d.value, d.granularity)
            for d in find_dates(cleaned.text, published=pub_date, hints=_date_hints(parsed))
        )
        headings = tuple(
            Heading(cleaned.text[p.start : p.end], to_orig(p.start, p.end))
            for p in cleaned.paragraphs
            if p.is_heading
        )
        return Analysis(
            id=content_id(cleaned.text),
            source=article.source,
            title=article.title,
            published=published,
            language=self.language,
            text=cleaned.text,
            quotes=quotes,
            entities=entities,
            dates=dates,
            provenance=self.provenance,
            headings=headings,
            removed=tuple(Removed(r.text, r.span, r.reason) for r in cleaned.removed),
            published_from=published_from,
            text_map=cleaned.runs(),
            url=article.url,
            outlet=article.outlet,
            encoding=article.encoding,
            encoding_sure=article.encoding_sure,
        )

    def _quote(self, cand: Candidate, parsed: ParsedArticle, to_orig: Any) -> Quote:
        text = parsed.text
        speaker = cand.speaker
        assert speaker is not None
        entity_id = speaker.entity.id if speaker.entity is not None else None
        return Quote(
            kind=cand.kind,  # type: ignore[arg-type]
            content=" ".join(text[s:e] for s, e in cand.pieces),
            content_spans=tuple(to_orig(s, e) for s, e in cand.pieces),
            cue=cand.cue_text,
            cue_span=to_orig(*cand.cue_span) if cand.cue_span else None,
            speaker=Speaker(
                name=speaker.name,
                mention=speaker.mention,
                mention_span=to_orig(*speaker.mention_span) if speaker.mention_span else None,
                entity=entity_id,
                mention_kind=speaker.kind,
                entities=tuple(e.id for e in speaker.group),
                named=speaker.named,
                resolution=speaker.rule,
                antecedent_span=to_orig(*speaker.antecedent_span) if speaker.antecedent_span else None,
            ),
            nested_in=cand.parent,
            confidence=calibrated_confidence(cand, text, language=self.language),
            component=f"{COMPONENTS['quotes']}:{cand.rule}",
            cue_class=cand.cue_class,
            context_span=to_orig(*_context(parsed, cand)),
        )


def content_id(text: str) -> str:
    """The article id: a hash of its cleaned text, so an exact duplicate gets the same id."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


def _context(parsed: ParsedArticle, cand: Candidate) -> tuple[int, int]:
    """The sentences that hold the quotation and its cue, for showing it in context."""
    points = [cand.start, cand.end - 1]
    if cand.cue_span:
        points += list(cand.cue_span)
    lo, hi = min(points), max(points)
    start, end = lo, hi
    for para in parsed.paragraphs_meeting(lo, hi):  # bisected: an article with n quotations is not n**2
        for sentence in {para.sentence_at(lo), para.sentence_at(hi)}:
            if sentence is not None:
                start, end = min(start, sentence[0]), max(end, sentence[1])
    return start, max(end, hi)


def _date_hints(parsed: ParsedArticle) -> list[DateHint]:
    hints = []
    for para in parsed.paragraphs:
        for ent in para.doc.ents:
            # A lone number that counts a noun ("1709 schoolchildren", "in 2000 homes") is not a year,
            # whatever the NER model says: the finder's own rule for bare years (dates/patterns.py).
            if ent.label_ == "DATE" and not (len(ent) == 1 and ent.root.dep_ == "nummod"):
                s, e = para.span_offsets(ent)
                hints.append(DateHint(s, e, _tense(ent)))
    return hints


def _tense(ent: Span) -> Literal["past", "present", "future"] | None:
    """The tense of the clause a date sits in: 'said on Friday' is past, 'will meet on Friday' future."""
    verb = ent.root
    for _ in range(6):
        if verb.pos_ in {"VERB", "AUX"} or verb.head is verb:
            break
        verb = verb.head
    if verb.pos_ not in {"VERB", "AUX"}:
        return None
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if aux & {"will", "'ll", "shall"} or (
        verb.lower_ == "going" and any(c.dep_ == "xcomp" for c in verb.children)
    ):
        return "future"
    if verb.tag_ == "VBD" or (verb.tag_ == "VBN" and aux & {"had", "has", "have", "was", "were"}):
        return "past"
    return "present"


def _control_share(text: str) -> float:
    sample = text[:10_000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control / max(1, len(sample))


def _iso(value: str | dt.date | None, source: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError as exc:
        raise InputError(
            ErrorCode.BAD_DATE, source, f"publication date {value!r} is not a date; give it as YYYY-MM-DD"
        ) from exc


_DEFAULT: Analyzer | None = None


def analyze(
    text: str,
    *,
    published: str | dt.date | None = None,
    source: str = "-",
    title: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
) -> Analysis:
    """Analyse one article with a shared, lazily loaded Analyzer (the Python API's entry point)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Analyzer()
    return _DEFAULT.analyze(text, source=source, published=published, title=title, url=url, outlet=outlet)
