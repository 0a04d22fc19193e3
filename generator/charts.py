"""Drawing data for the timeline chart: where each event sits on an axis.

The topic page draws its timeline as inline SVG, so it needs no script and
no style attribute (the site's Content-Security-Policy forbids inline
style). Templates get data, not logic: this module turns events into
coordinates and tick labels; ``templates/_timeline.html`` only prints them.

An event dated to a year or a month covers a span of time; it is drawn as a
bar over that span, and an event dated to a day as a dot, so the chart never
shows more precision than the source gives.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from generator.model import Event

WIDTH = 640
"""Width of the drawing in SVG units (it scales with the page)."""
MARGIN = 24
LANE_HEIGHT = 14
"""Vertical distance between lanes: events that would overlap get a lane of
their own."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One event on the axis."""

    index: int
    """Position of the event in the timeline list (its anchor ``event-<n>``)."""
    x: float
    width: float
    """0 for an event dated to the day; otherwise the span it covers."""
    lane: int
    label: str
    """What a pointer or a screen reader is told: date and sentence."""


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class TimelineChart:
    width: int
    height: int
    axis_y: int
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    summary: str
    """Text alternative for the whole chart."""


def span(event: Event) -> tuple[datetime.date, datetime.date]:
    """First and last day an event's date covers at its precision."""
    parts = [int(p) for p in event.date.split("-")]
    if event.precision == "year":
        return datetime.date(parts[0], 1, 1), datetime.date(parts[0], 12, 31)
    if event.precision == "month":
        first = datetime.date(parts[0], parts[1], 1)
        following = datetime.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - datetime.timedelta(days=1)
    day = datetime.date(parts[0], parts[1], parts[2])
    return day, day


def describe(event: Event) -> str:
    """The event's date as a reader would say it, at its precision."""
    first, _ = span(event)
    if event.precision == "year":
        return str(first.year)
    if event.precision == "month":
        return first.strftime("%B %Y")
    return f"{first.day} {first.strftime('%B %Y')}"


def _ticks(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Year ticks for long spans; month ticks (every 1, 3 or 6 months) for short ones."""
    days = (end - start).days
    if days > 3 * 365:
        return [(datetime.date(y, 1, 1), str(y)) for y in range(start.year + 1, end.year + 1)]
    step = 1 if days <= 200 else 3 if days <= 800 else 6
    result: list[tuple[datetime.date, str]] = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        tick = datetime.date(year, month, 1)
        if tick > end:
            return result
        if (month - 1) % step == 0:
            label = str(year) if month == 1 else tick.strftime("%b")
            result.append((tick, label))


def timeline_chart(events: Sequence[Event]) -> TimelineChart | None:
    """The chart of ``events`` (in timeline order), or None when there is nothing to draw."""
    if not events:
        return None
    spans = [span(e) for e in events]
    start = min(s for s, _ in spans) - datetime.timedelta(days=15)
    end = max(e for _, e in spans) + datetime.timedelta(days=15)
    total = max((end - start).days, 1)

    def x_of(day: datetime.date) -> float:
        return round(MARGIN + (WIDTH - 2 * MARGIN) * (day - start).days / total, 1)

    marks: list[Mark] = []
    lane_ends: list[float] = []
    for index, (event, (first, last)) in enumerate(zip(events, spans, strict=True)):
        x, right = x_of(first), x_of(last)
        lane = next((n for n, taken in enumerate(lane_ends) if taken + 6 < x), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(right)
        else:
            lane_ends[lane] = right
        label = f"{describe(event)}: {event.text}"
        marks.append(Mark(index=index, x=x, width=round(right - x, 1), lane=lane, label=label))
    axis_y = 20 + LANE_HEIGHT * len(lane_ends)
    ticks = tuple(Tick(x=x_of(day), label=label) for day, label in _ticks(start, end))
    first_event, last_event = describe(events[0]), describe(events[-1])
    summary = f"Timeline of {len(events)} dated event{'s' if len(events) != 1 else ''}"
    summary += f", from {first_event} to {last_event}." if first_event != last_event else f", {first_event}."
    return TimelineChart(
        width=WIDTH, height=axis_y + 30, axis_y=axis_y, marks=tuple(marks), ticks=ticks, summary=summary
    )
