"""The local runner: readers -> article id -> skip what is stored -> worker processes -> one writer.

The per-article work is ``Analyzer.analyze_input`` (onrecord.pipeline), run by a pool of worker
processes, each of which builds its Analyzer (loads the spaCy model) ONCE in the pool's initializer:
the NeMo Curator stage shape, ``setup`` once per worker and then ``process`` per item. The functions
the pool calls are top-level so that they pickle under the ``spawn`` start method.

The main process is the only writer. It reads the inputs, computes each article's id cheaply
(``clean_text`` + ``content_id``, no NLP), asks the store which ids it already holds (in chunks),
hands the rest to the workers, and writes their results, in input order, in batches: one transaction
per batch (``Store.write_batch``). A run killed at any moment therefore leaves whole batches behind,
and running it again skips them: nothing is lost and nothing is written twice.

The main process cleans each article once to compute its id; the cleaned text goes with the task, and
the worker's analyser takes it (``Analyzer.analyze_input(article, cleaned=...)``) instead of cleaning
the same text again: one cleaning per article on the hot path, and the same output, since
``clean_text`` is a pure function.

One bad input never stops the run: an ``InputError`` from a reader or from the analyser, and any
unexpected exception in a worker (code :data:`UNEXPECTED`), becomes a ``Failure`` written with the
next batch.

One slow input does not hold the others back (issue #16): an article that runs past the time budget
(``IngestSettings.time_budget``, onrecord.budget) is stopped and recorded as a failure (E009); while
it runs, the other workers go on, up to :data:`FINISHED_AHEAD` results past it; and what is finished
before it is committed within :data:`COMMIT_SECONDS`, batch full or not. Results are still written in
input order (the store's stories depend on it, docs/decisions.md D32), so those after a slow article
wait for it: at most the budget.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onrecord.budget import TIME_BUDGET_SECONDS
from onrecord.clean import CleanedText, clean_text
from onrecord.errors import InputError
from onrecord.pipeline import MAX_INPUT_CHARS, Analyzer, ArticleInput, content_id
from onrecord.store.api import ArticleSource, Failure, StoredInput

if TYPE_CHECKING:
    from onrecord.store.api import Store

log = logging.getLogger(__name__)

#: Articles written per transaction. Bigger batches write faster; smaller ones lose less work to a
#: kill (a killed run redoes at most the batch in progress plus the articles in flight).
BATCH_SIZE = 32
#: Article ids asked of ``Store.known_ids`` at once (well under SQLite's 999 host parameters).
KNOWN_IDS_CHUNK = 256
#: Articles handed to the pool ahead of the one being waited for, per worker: enough to keep every
#: worker busy while results are written in input order, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4
#: The error code of an unexpected exception while analysing one article (a bug, not bad input):
#: recorded as a Failure with stage "analyze" like any other, so the run goes on.
UNEXPECTED = "E999"
#: Failures of a run kept in :attr:`IngestStats.failed` for the command line to name (all of them are
#: in the store's failures table).
FAILURES_KEPT = 10
#: Results, finished after an article still being analysed, kept in memory to be written after it
#: (in input order) while the workers go on: enough for the other workers to keep busy for a time
#: budget's worth of news articles, few enough to bound memory (an analysis is tens of KB).
FINISHED_AHEAD = 512
#: The longest a finished result waits to be committed (seconds) when its batch is not full, because
#: the article after it is slow or the inputs come slowly.
COMMIT_SECONDS = 2.0
#: How often (seconds) a worker checks that the process that started it is still alive; a worker
#: whose parent was killed (SIGKILL leaves no chance to shut the pool down) exits on its own.
PARENT_CHECK_SECONDS = 1.0

Item = ArticleInput | InputError
Outcome = StoredInput | Failure


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """How to run an ingest. ``jobs=None`` means one worker per core (:func:`available_cores`);
    ``jobs=1`` analyses in the main process, without a pool."""

    jobs: int | None = None
    batch_size: int = BATCH_SIZE
    max_chars: int = MAX_INPUT_CHARS
    language: str = "en"
    #: Seconds one article may take before it is stopped and recorded as a failure (None: no limit).
    time_budget: float | None = TIME_BUDGET_SECONDS
    #: "speech" (statements proper) or "all" (every attribution with its cue_class): Analyzer(statements=).
    statements: str = "speech"

    def worker_count(self) -> int:
        return max(1, self.jobs if self.jobs is not None else available_cores())


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(slots=True)
class IngestStats:
    """Running counts of one ingest; the progress callback sees them as they change."""

    #: Inputs read: articles and inputs the readers could not turn into one.
    read: int = 0
    #: Inputs fully handled: written (or failed), skipped, or dropped as duplicates.
    done: int = 0
    #: Articles analysed and handed to the store.
    written: int = 0
    #: Articles whose id the store already held before they were analysed.
    skipped: int = 0
    #: Articles with the same id (the same text) as one before them in this run.
    duplicates: int = 0
    #: Inputs recorded as a Failure (unreadable, refused by the analyser, or an unexpected error).
    failures: int = 0
    #: Transactions committed.
    batches: int = 0
    #: What this run's own transactions added to the store: articles, their quotations, and the
    #: change in the number of people (another ingest writing the same store counts its own).
    stored: int = 0
    stored_quotes: int = 0
    stored_people: int = 0
    #: The first :data:`FAILURES_KEPT` failures of the run.
    failed: list[Failure] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    elapsed: float = 0.0

    def tick(self) -> None:
        self.elapsed = time.perf_counter() - self.started

    @property
    def articles_per_second(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True, slots=True)
class IngestReport:
    """The result of :func:`ingest`: its counts, and ``Store.counts()`` before and after."""

    stats: IngestStats
    before: dict[str, int]
    after: dict[str, int]
    jobs: int

    def added(self, key: str) -> int:
        """How many ``key`` ("articles", "quotes", "people", ...) this run added to the store."""
        return self.after.get(key, 0) - self.before.get(key, 0)

    @property
    def stored(self) -> int:
        """Articles this run stored (not ``added("articles")``: another ingest may have added some)."""
        return self.stats.stored


ProgressCallback = Callable[[IngestStats], None]


# -- the worker side ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Task:
    """One article for a worker, with the id the main process computed for it (None if it could not),
    and the cleaned text that id was computed from (the analyser reuses it)."""

    article: ArticleInput
    article_id: str | None
    cleaned: CleanedText | None = None


class AnalyzeStage:
    """The per-worker stage: ``__init__`` is the setup (it loads the model), ``process`` one article."""

    def __init__(
        self,
        *,
        language: str = "en",
        max_chars: int = MAX_INPUT_CHARS,
        analyzer: Analyzer | None = None,
        time_budget: float | None = TIME_BUDGET_SECONDS,
        statements: str = "speech",
    ) -> None:
        self.analyzer = (
            analyzer
            if analyzer is not None
            else Analyzer(
                language=language, max_chars=max_chars, time_budget=time_budget, statements=statements
            )
        )

    def process(self, task: Task) -> Outcome:
        article = task.article
        try:
            analysis = self.analyzer.analyze_input(article, cleaned=task.cleaned)
        except InputError as exc:
            return failure_from(exc, stage="analyze")
        except Exception as exc:  # any bug on one article is recorded, and the run goes on
            log.debug("unexpected error on %s", article.source, exc_info=True)
            return Failure(article.source, "analyze", UNEXPECTED, f"{type(exc).__name__}: {exc}")
        if task.article_id is not None and analysis.id != task.article_id:
            # The cheap id and the analyser's must agree, or skipping stored articles would not work.
            log.warning("%s: article id %s, expected %s", article.source, analysis.id, task.article_id)
        return StoredInput(analysis=analysis, input_text=article.text)


_stage: AnalyzeStage | None = None


def _init_worker(
    language: str, max_chars: int, parent: int, time_budget: float | None, statements: str = "speech"
) -> None:
    """The pool's initializer: runs once in each worker process. ``parent`` is the main process's
    pid, passed in rather than read here: the parent may already be gone by the time this runs."""
    global _stage
    # Ctrl-C goes to the whole process group; the main process handles it and shuts the pool down.
    # (Already ignored since the process started; see _Executor.submit.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(parent)
    _stage = AnalyzeStage(
        language=language, max_chars=max_chars, time_budget=time_budget, statements=statements
    )


def _run_task(task: Task) -> Outcome:
    if _stage is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("the worker was not set up (the pool initializer did not run)")
    return _stage.process(task)


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="onrecord-parent-watch", daemon=True).start()


# -- executors: a pool, or the main process itself ----------------------------------------------------
class _Executor:
    """Submit tasks; the pool (or the in-process stage) is only started by the first task, so a run
    where everything is already stored loads no model."""

    def __init__(self, settings: IngestSettings, analyzer: Analyzer | None) -> None:
        self.settings = settings
        self.jobs = settings.worker_count()
        self._analyzer = analyzer
        self._stage: AnalyzeStage | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._submitted = 0

    def submit(self, task: Task) -> Future[Outcome]:
        if self.jobs == 1:
            if self._stage is None:
                self._stage = AnalyzeStage(
                    language=self.settings.language,
                    max_chars=self.settings.max_chars,
                    analyzer=self._analyzer,
                    time_budget=self.settings.time_budget,
                    statements=self.settings.statements,
                )
            future: Future[Outcome] = Future()
            future.set_result(self._stage.process(task))
            return future
        if self._pool is None:
            log.info("starting %d worker processes", self.jobs)
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                # spawn: the same on every platform, and no fork of a process that holds threads.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(
                    self.settings.language,
                    self.settings.max_chars,
                    os.getpid(),
                    self.settings.time_budget,
                    self.settings.statements,
                ),
            )
        if self._submitted >= self.jobs:
            return self._pool.submit(_run_task, task)
        # Each of the first ``jobs`` submits starts a worker. Ctrl-C goes to the whole process group,
        # and a worker still importing spaCy would print a KeyboardInterrupt traceback: workers start
        # with SIGINT ignored (an ignored signal stays ignored across exec); the main process handles it.
        self._submitted += 1
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
        try:
            return self._pool.submit(_run_task, task)
        finally:
            if in_main:
                signal.signal(signal.SIGINT, previous)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# -- the main process: ids, skipping, ordering, writing -----------------------------------------------
def article_id(article: ArticleInput) -> str | None:
    """The id the analyser will give ``article`` (a hash of its cleaned text), without the NLP."""
    return prepare(article).article_id


def prepare(article: ArticleInput) -> Task:
    """The task for ``article``: its id (a hash of its cleaned text, no NLP) and that cleaned text."""
    try:
        cleaned = clean_text(article.text)
    except Exception:  # the worker will meet the same problem and record it as a failure
        log.debug("no id for %s", article.source, exc_info=True)
        return Task(article, None)
    return Task(article, content_id(cleaned.text), cleaned)


def failure_from(error: InputError, *, stage: str | None = None) -> Failure:
    return Failure(error.source, stage or error.stage, error.code.value, error.detail)


def ingest(
    items: Iterable[Item],
    store: Store,
    *,
    settings: IngestSettings | None = None,
    progress: ProgressCallback | None = None,
    analyzer: Analyzer | None = None,
) -> IngestReport:
    """Analyse ``items`` (from onrecord.ingest.read_inputs or read_sample) and write them to ``store``.

    Articles the store already holds are skipped before any NLP. ``analyzer`` (an already loaded one)
    is used only when the settings ask for one job. Exceptions from the store propagate: what was
    committed before them is kept, and running the same ingest again resumes.
    """
    settings = settings or IngestSettings()
    stats = IngestStats()
    before = store.counts()
    executor = _Executor(settings, analyzer)
    writer = _Writer(store, settings.batch_size, stats, progress)
    try:
        tasks = _tasks_to_analyse(items, store, stats, writer)
        window = executor.jobs * IN_FLIGHT_PER_WORKER
        for outcome in _ordered(executor, tasks, window, waiting=writer.flush_due):
            writer.add(outcome)
        writer.flush(final=True)
    except KeyboardInterrupt:
        # Ctrl-C: keep what is already analysed (a batch interrupted mid-write was rolled back and
        # is still pending), then stop. A second Ctrl-C here leaves it to the next run.
        writer.flush()
        raise
    finally:
        executor.close()
    stats.tick()
    after = store.counts()
    log.info(
        "ingest: %d read, %d stored, %d skipped, %d duplicates, %d failures in %.1f s",
        stats.read,
        after.get("articles", 0) - before.get("articles", 0),
        stats.skipped,
        stats.duplicates,
        stats.failures,
        stats.elapsed,
    )
    return IngestReport(stats=stats, before=before, after=after, jobs=executor.jobs)


def analyze_many(items: Iterable[Item], *, settings: IngestSettings | None = None) -> Iterator[Outcome]:
    """Analyse ``items`` in parallel, in input order, without a store (benchmarks, exports)."""
    settings = settings or IngestSettings()
    executor = _Executor(settings, None)

    def tasks() -> Iterator[Task | Failure]:
        for item in items:
            yield failure_from(item) if isinstance(item, InputError) else Task(item, None)

    try:
        yield from _ordered(executor, tasks(), executor.jobs * IN_FLIGHT_PER_WORKER)
    finally:
        executor.close()


def _tasks_to_analyse(
    items: Iterable[Item], store: Store, stats: IngestStats, writer: _Writer
) -> Iterator[Task]:
    """The articles that need analysing; reader failures go straight to the writer, and stored
    articles and repeats are counted and dropped."""
    seen: set[str] = set()
    for chunk in _chunks(items, KNOWN_IDS_CHUNK):
        tasks: list[Task] = []
        for item in chunk:
            stats.read += 1
            if isinstance(item, InputError):
                writer.add(failure_from(item))
            else:
                tasks.append(prepare(item))
        known = store.known_ids([t.article_id for t in tasks if t.article_id is not None])
        for task in tasks:
            if task.article_id is not None and task.article_id in known:
                stats.skipped += 1
                stats.done += 1
                writer.sources.append(_source(task.article, task.article_id))
            elif task.article_id is not None and task.article_id in seen:
                stats.duplicates += 1
                stats.done += 1
                # Its first copy may still be in a worker: this source waits for the last batch.
                writer.late_sources.append(_source(task.article, task.article_id))
            else:
                if task.article_id is not None:
                    seen.add(task.article_id)
                    writer.first_source.setdefault(task.article_id, task.article.source)
                yield task
        writer.report()


def _ordered(
    executor: _Executor,
    tasks: Iterable[Task | Failure],
    window: int,
    *,
    waiting: Callable[[], None] | None = None,
) -> Iterator[Outcome]:
    """Results in the order of ``tasks``, as soon as each is ready, with at most ``window`` of them
    being analysed at a time.

    Finished results behind an unfinished one are kept (up to ``window + FINISHED_AHEAD`` in all)
    while more tasks are handed out, so one slow article does not leave the other workers idle.
    ``waiting`` is called at least every :data:`COMMIT_SECONDS` while the next result is not ready
    (the writer commits what it holds then).
    """
    pending: deque[Future[Outcome]] = deque()
    unfinished: set[Future[Outcome]] = set()  # kept exact by each future's done-callback

    def ready() -> Iterator[Outcome]:
        while pending and pending[0].done():
            yield pending.popleft().result()

    def wait_for_one(*, head_only: bool) -> None:
        targets = [pending[0]] if head_only else [f for f in list(unfinished) if not f.done()]
        if targets:
            futures_wait(targets, timeout=COMMIT_SECONDS, return_when=FIRST_COMPLETED)
        if waiting is not None:
            waiting()

    for task in tasks:
        if isinstance(task, Failure):
            future: Future[Outcome] = Future()
            future.set_result(task)
        else:
            future = executor.submit(task)
        pending.append(future)
        unfinished.add(future)
        future.add_done_callback(unfinished.discard)
        yield from ready()
        while len(unfinished) >= window or len(pending) >= window + FINISHED_AHEAD:
            wait_for_one(head_only=len(pending) >= window + FINISHED_AHEAD)
            yield from ready()
    while pending:
        wait_for_one(head_only=True)
        yield from ready()


class _Writer:
    """The one writer: gathers outcomes and writes them ``batch_size`` at a time, one transaction each."""

    def __init__(
        self, store: Store, batch_size: int, stats: IngestStats, progress: ProgressCallback | None
    ) -> None:
        self.store = store
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.progress = progress
        self.items: list[StoredInput] = []
        self.failures: list[Failure] = []
        #: More sources of articles stored before this run (written with the next batch), and of
        #: articles repeated within it (written with the last batch, after their first copy).
        self.sources: list[ArticleSource] = []
        self.late_sources: list[ArticleSource] = []
        #: The input each article id of the run came from first, and the failures of the run by
        #: input: a repeat of an input that failed is listed as a failure too, not dropped.
        self.first_source: dict[str, str] = {}
        self.failed_by_input: dict[str, Failure] = {}
        #: When the oldest outcome not yet committed came (time.monotonic()), None when none waits.
        self.waiting_since: float | None = None

    def add(self, outcome: Outcome) -> None:
        if isinstance(outcome, Failure):
            self.failures.append(outcome)
            self.stats.failures += 1
            self.failed_by_input[outcome.input] = outcome
            if len(self.stats.failed) < FAILURES_KEPT:
                self.stats.failed.append(outcome)
        else:
            self.items.append(outcome)
            self.stats.written += 1
        self.stats.done += 1
        if self.waiting_since is None:
            self.waiting_since = time.monotonic()
        full = len(self.items) + len(self.failures) >= self.batch_size
        if full or time.monotonic() - self.waiting_since >= COMMIT_SECONDS:
            self.flush()
        else:
            self.report()

    def flush_due(self) -> None:
        """Commit what is held if it has waited :data:`COMMIT_SECONDS` (called while the next
        result is slow to come)."""
        if self.waiting_since is not None and time.monotonic() - self.waiting_since >= COMMIT_SECONDS:
            self.flush()

    def flush(self, *, final: bool = False) -> None:
        sources = self.sources + (self._late_sources() if final else [])
        if self.items or self.failures or sources:
            written = self.store.write_batch(self.items, self.failures, sources)
            self.stats.batches += 1
            self.stats.stored += written.articles
            self.stats.stored_quotes += written.quotes
            self.stats.stored_people += written.people
            log.debug(
                "batch %d: %d articles, %d failures", self.stats.batches, len(self.items), len(self.failures)
            )
            self.items, self.failures, self.sources = [], [], []
            if final:
                self.late_sources = []
        self.waiting_since = None
        self.report()

    def _late_sources(self) -> list[ArticleSource]:
        """The repeats within the run, to store as more sources of their first copy; a repeat whose
        first copy failed becomes a failure of its own (the store would drop its source)."""
        kept: list[ArticleSource] = []
        for source in self.late_sources:
            first = self.first_source.get(source.article_id)
            failure = self.failed_by_input.get(first) if first is not None else None
            if failure is None or first == source.source:
                kept.append(source)
                continue
            repeat = Failure(
                source.source,
                failure.stage,
                failure.code,
                f"the same text as {first}, which failed: {failure.message}",
            )
            self.failures.append(repeat)
            self.stats.failures += 1
            if len(self.stats.failed) < FAILURES_KEPT:
                self.stats.failed.append(repeat)
        return kept

    def report(self) -> None:
        self.stats.tick()
        if self.progress is not None:
            self.progress(self.stats)


def _source(article: ArticleInput, article_id: str) -> ArticleSource:
    return ArticleSource(
        article_id, article.source, article.url, article.outlet, article.title, article.published
    )


def _chunks(items: Iterable[Item], size: int) -> Iterator[Sequence[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
