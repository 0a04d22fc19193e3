"""Template filters: what a reader and a machine see of a date."""

from __future__ import annotations

import datetime

import jinja2

from generator.formatting import time_tag


def test_a_date_reads_naturally_and_keeps_its_iso_form_for_machines() -> None:
    assert time_tag(datetime.date(2022, 11, 4)) == '<time datetime="2022-11-04">4 November 2022</time>'
    assert time_tag(datetime.date(2023, 1, 31)) == '<time datetime="2023-01-31">31 January 2023</time>'


def test_a_timestamp_shows_only_its_day() -> None:
    moment = datetime.datetime(2022, 11, 14, 23, 30, tzinfo=datetime.UTC)
    assert time_tag(moment) == '<time datetime="2022-11-14">14 November 2022</time>'


def test_an_autoescaping_template_prints_the_element_as_markup() -> None:
    env = jinja2.Environment(autoescape=True)
    env.filters["time_tag"] = time_tag
    page = env.from_string("<p>{{ day | time_tag }}</p>").render(day=datetime.date(2022, 11, 14))
    assert page == '<p><time datetime="2022-11-14">14 November 2022</time></p>'
