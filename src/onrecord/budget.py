"""The per-article time budget: an article whose analysis runs past it is a failure, not a hang.

Every step of the analysis is linear (or close to it) in the article's length and in its number of
quotation marks (``onrecord bench scaling`` measures it), but text that is not an article can still be
slow: a book pasted as one input, a table of thousands of quoted cells. One such input must not hold
up a batch, so each article gets ``TIME_BUDGET_SECONDS`` (``--time-budget`` on ``analyze`` and
``ingest``) and, past it, becomes an :class:`~onrecord.errors.InputError` with code ``E009``
(``TIME_BUDGET``): the batch records it and goes on.

How the analysis is stopped: in a process's main thread (the command line, each ingest worker) a
real-time interval timer (``SIGALRM``) interrupts it wherever it is, so no step of the analysis needs
to know about the budget. Elsewhere (another thread, a platform without ``setitimer``, a caller whose
own ``ITIMER_REAL`` is running) the analysis checks the clock between the parses of its paragraphs
and once at the end, so an article over the budget is still a failure, only found later.

Python prints and drops an exception raised where nobody can catch it (a garbage-collector callback,
a weak reference's callback, a ``__del__``), and a library may catch everything. So past the deadline
the timer goes on firing every ``REPEAT_SECONDS`` until the block ends: one dropped ``OverBudget`` is
followed by another. Inside a garbage-collector callback, which can be told from its frame, it does
not raise at all and waits for the next.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from types import FrameType, TracebackType

#: Seconds one article may take. A news article takes well under a second on one core (PolNeAR dev:
#: 84 articles in about 20 s); a generated 100,000-character article takes 4 s, and one of 1,000,000
#: characters, the longest input accepted, about 145 s (docs/ingest.md, "Scaling"): the default lets
#: through everything a news site publishes and stops inputs near the size limit. 0 or None: no limit.
TIME_BUDGET_SECONDS = 60.0


class OverBudget(BaseException):
    """Raised inside the analysis when its budget is spent; the analyser turns it into an InputError.

    A BaseException, so that no ``except Exception`` on the way up (in onrecord, spaCy or thinc) takes
    it for an ordinary error and carries on.
    """


class TimeBudget:
    """``with TimeBudget(seconds) as budget:`` runs the block under the budget; ``budget.check()``
    raises :class:`OverBudget` once it is spent (and so does the timer, where one can be set)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self._deadline = float("inf")
        self._armed = False  # the timer's handler raises only while this is True
        self._previous: signal.Handlers | object | None = None

    def __enter__(self) -> TimeBudget:
        if self.seconds is None:
            return self
        self._deadline = time.monotonic() + self.seconds
        if _can_set_timer():
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds, REPEAT_SECONDS)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._armed:
            return
        try:
            self._disarm()
        except OverBudget:  # the timer landed here before the handler was told to stop: once more
            self._disarm()

    def _disarm(self) -> None:
        self._armed = False  # first: an alarm that lands from here on does nothing
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]

    def check(self) -> None:
        if time.monotonic() > self._deadline:
            raise OverBudget

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if not self._armed:
            return
        if _in_gc_callback(frame):
            # An exception raised in a garbage-collector callback is printed and dropped, not
            # propagated: the analysis would go on past its budget. The next alarm comes soon.
            return
        raise OverBudget


#: Past the deadline the timer fires again this often until the block ends, so that an OverBudget
#: dropped (in a callback) or swallowed (by a library's ``except BaseException``) is raised again.
REPEAT_SECONDS = 0.05


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Is ``frame``, or a frame it was called from, one of ``gc.callbacks`` (a library's, such as
    hypothesis' timing of collections)?"""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    codes.discard(None)
    while frame is not None and codes:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _can_set_timer() -> bool:
    """May this call set ITIMER_REAL? Only in the main thread, where it exists, and when neither a
    timer nor a SIGALRM handler of someone else's is already in place."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return False
    return signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
