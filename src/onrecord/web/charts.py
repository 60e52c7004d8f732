"""Charts drawn on the server as SVG geometry: no chart library, no script, nothing inline to allow.

The functions here only compute coordinates (frozen dataclasses); the templates write them out as
``<svg>`` elements, escaped like everything else. Periods with no quotation are drawn as empty slots,
so the x axis is time and not just the periods that happen to have data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from onrecord.query.stats import PeriodCount

#: The most bars a time chart draws; a longer span goes to the next coarser granularity.
MAX_BARS = 120
#: Bars are never wider than this share of the chart (1/MIN_SLOTS), however few the periods.
MIN_SLOTS = 16
#: Size of the drawing in SVG units (it scales to the width of its box).
WIDTH, HEIGHT = 760, 180
#: Room for the y axis labels on the left and the x axis labels below.
LEFT, BOTTOM, TOP = 40, 22, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    period: str
    quotes: int


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class TimeChart:
    granularity: str
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    total: int = 0

    @property
    def empty(self) -> bool:
        return not self.bars


def choose_granularity(first: str | None, last: str | None) -> str:
    """Days for a span of up to MAX_BARS days, then months, then years."""
    if not first or not last:
        return "month"
    start, end = _date(first), _date(last)
    days = (end - start).days + 1
    if days <= MAX_BARS:
        return "day"
    if days <= MAX_BARS * 30:
        return "month"
    return "year"


def time_chart(counts: Sequence[PeriodCount], granularity: str) -> TimeChart:
    """Bars of quotations per period from the first period with any to the last, gaps filled."""
    by_period: dict[str, int] = {}
    for c in counts:
        by_period[c.period] = by_period.get(c.period, 0) + c.quotes
    if not by_period:
        return TimeChart(granularity, [], [], [])
    periods = _periods(min(by_period), max(by_period), granularity)
    peak = max(by_period.values())
    scale_top = _nice(peak)
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    # A few periods get bars of a sensible width, centred, rather than one bar across the whole chart.
    slot = plot_w / max(len(periods), MIN_SLOTS)
    left = LEFT + (plot_w - slot * len(periods)) / 2
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, period in enumerate(periods):
        n = by_period.get(period, 0)
        h = plot_h * n / scale_top
        bars.append(Bar(left + i * slot + gap / 2, HEIGHT - BOTTOM - h, max(slot - gap, 0.5), h, period, n))
    every = max(1, len(periods) // 6)
    x_ticks = [Tick(left + (i + 0.5) * slot, _label(p, granularity)) for i, p in enumerate(periods)][::every]
    y_ticks = [Tick(HEIGHT - BOTTOM - plot_h * f, f"{round(scale_top * f):,}") for f in (0, 0.5, 1)]
    return TimeChart(granularity, bars, x_ticks, y_ticks, total=sum(by_period.values()))


@dataclass(frozen=True)
class Span:
    label: str
    x: float
    width: float
    y: float
    first: str | None
    last: str | None
    articles: int


@dataclass(frozen=True)
class SpanChart:
    """Horizontal bars, one per row, from a first to a last date on one shared time axis."""

    spans: list[Span]
    ticks: list[Tick]
    height: int
    width: int = WIDTH
    label_width: int = 0
    rows: list[str] = field(default_factory=list)


#: Height of one row of a span chart, and the room its labels take on the left.
ROW_HEIGHT, LABEL_WIDTH = 22, 220


def span_chart(rows: Sequence[tuple[str, str | None, str | None, int]]) -> SpanChart:
    """Rows of (label, first date, last date, articles) on one time axis; undated rows are left out,
    and a chart whose rows all fall on one day is empty (the table beside it says as much)."""
    dated = [r for r in rows if r[1] and r[2]]
    if not dated:
        return SpanChart([], [], 0)
    start = min(_date(str(r[1])) for r in dated)
    end = max(_date(str(r[2])) for r in dated)
    if start == end:
        return SpanChart([], [], 0)
    days = max((end - start).days, 1)
    plot_w = WIDTH - LABEL_WIDTH - 10
    spans = []
    for i, (label, first, last, articles) in enumerate(dated):
        x0 = LABEL_WIDTH + plot_w * (_date(str(first)) - start).days / days
        x1 = LABEL_WIDTH + plot_w * (_date(str(last)) - start).days / days
        spans.append(Span(label, x0, max(x1 - x0, 6.0), i * ROW_HEIGHT + 4, first, last, articles))
    ticks = [
        Tick(LABEL_WIDTH + plot_w * f, (start + dt.timedelta(days=round(days * f))).isoformat())
        for f in (0.0, 0.5, 1.0)
    ]
    return SpanChart(spans, ticks, len(dated) * ROW_HEIGHT + 24, label_width=LABEL_WIDTH)


def _date(value: str) -> dt.date:
    value = value[:10]
    padded = value + "-01-01"[len(value) - 4 :]
    return dt.date.fromisoformat(padded)


def _periods(first: str, last: str, granularity: str) -> list[str]:
    start, end = _date(first), _date(last)
    out: list[str] = []
    if granularity == "day":
        day = start
        while day <= end:
            out.append(day.isoformat())
            day += dt.timedelta(days=1)
    elif granularity == "month":
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        out = [f"{y:04d}" for y in range(start.year, end.year + 1)]
    return out


def _label(period: str, granularity: str) -> str:
    if granularity == "month":
        return _date(period).strftime("%b %Y")
    if granularity == "day":
        return _date(period).strftime("%d %b %Y")
    return period


def _nice(peak: int) -> int:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``peak``: a round top for the axis."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= peak:
                return step * scale
        scale *= 10
