"""The timeline chart: marks never claim more precision than the source gives."""

from __future__ import annotations

from generator.charts import describe, span, timeline_chart
from generator.model import Event
from tests.helpers import make_citation


def event(date: str, precision: str, text: str = "Something happened.") -> Event:
    return Event(date=date, precision=precision, text=text, sources=(make_citation("a"),))  # type: ignore[arg-type]


def test_spans_cover_exactly_the_precision_given() -> None:
    assert [d.isoformat() for d in span(event("2020", "year"))] == ["2020-01-01", "2020-12-31"]
    assert [d.isoformat() for d in span(event("2024-02", "month"))] == ["2024-02-01", "2024-02-29"]
    assert [d.isoformat() for d in span(event("2023-12", "month"))] == ["2023-12-01", "2023-12-31"]
    assert [d.isoformat() for d in span(event("2022-11-14", "day"))] == ["2022-11-14", "2022-11-14"]
    assert describe(event("2022-11-14", "day")) == "14 November 2022"
    assert describe(event("2022-06", "month")) == "June 2022"


def test_days_are_dots_and_months_are_bars_in_date_order() -> None:
    events = [event("2021", "year"), event("2022-03", "month"), event("2022-11-14", "day")]
    chart = timeline_chart(events)
    assert chart is not None
    year, month, day = chart.marks
    assert day.width == 0 and month.width > 0 and year.width > month.width
    assert year.x < month.x < day.x
    assert all(m.x >= 0 and m.x + m.width <= chart.width for m in chart.marks)
    assert "from 2021 to 14 November 2022" in chart.summary
    assert [m.label.split(":")[0] for m in chart.marks] == ["2021", "March 2022", "14 November 2022"]


def test_overlapping_events_get_their_own_lane_and_ticks_fit_the_span() -> None:
    same_day = [event("2024-05-02", "day", "One."), event("2024-05-02", "day", "Two.")]
    chart = timeline_chart(same_day)
    assert chart is not None
    assert [m.lane for m in chart.marks] == [0, 1]
    assert all(t.label.isalpha() or t.label.isdigit() for t in chart.ticks)
    long = timeline_chart([event("2010", "year"), event("2020", "year")])
    assert long is not None
    assert {str(y) for y in range(2010, 2021)} <= {t.label for t in long.ticks}
    assert all(0 < t.x < long.width for t in long.ticks)
    assert timeline_chart([]) is None
