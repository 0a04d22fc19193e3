"""Quality gate for the timeline: the example site against ``tests/eval/events.yaml``.

The seed articles' dated sentences are annotated by hand (sentence, date,
precision); ``tests/eval/score_events.py`` scores a built site against them.
The site built from ``content/`` must reach the floors below, show no
must-not date, date no sentence that gives none, and show the six events a
reader of the example briefing needs, each with its precision.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from generator.content import load_content
from generator.importer import clean_scraped_text
from generator.model import Site
from generator.pipeline import build_site
from generator.timeline import find_dates
from tests.eval.score_events import load_annotation, report, score_events
from tests.helpers import make_document

ROOT = Path(__file__).resolve().parent.parent
RAW_SEEDS = ROOT / "examples" / "seeds"

# Floors, pinned at the first measurement (2026-11-23): extraction P 1.000
# R 1.000 (14/14); timeline P 1.000 R 0.786 (11/14: the three misses are
# background sentences about Mali's past that no topic takes, so no
# briefing shows them). Raise a floor when the pipeline improves; never
# lower one to pass.
FLOOR_EXTRACTION_PRECISION = 1.0
FLOOR_EXTRACTION_RECALL = 1.0
FLOOR_TIMELINE_PRECISION = 1.0
FLOOR_TIMELINE_RECALL = 0.78

REQUIRED = {
    ("2020-12", "month"),  # the UK deployment
    ("2022-06", "month"),  # the UN mission renewed
    ("2022-08", "month"),  # Germany halts its deployment
    ("2022-03", "month"),  # Sweden announces it will leave
    ("2022-11-14", "day"),  # the UK announces its withdrawal ("Monday")
    ("2022-11", "month"),  # the Accra meeting "next week"
}


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site(load_content(ROOT / "content"))


def test_every_annotated_sentence_is_found(site: Site) -> None:
    assert score_events(site).unlocated == ()


def test_the_annotation_marks_the_six_required_events() -> None:
    labels = load_annotation().events
    assert {(label.date, label.precision) for label in labels if label.required} == REQUIRED


def test_extraction_reaches_its_floors(site: Site) -> None:
    scores = score_events(site)
    assert scores.extraction.precision >= FLOOR_EXTRACTION_PRECISION, report(site)
    assert scores.extraction.recall >= FLOOR_EXTRACTION_RECALL, report(site)


def test_timeline_reaches_its_floors(site: Site) -> None:
    scores = score_events(site)
    assert scores.timeline.precision >= FLOOR_TIMELINE_PRECISION, report(site)
    assert scores.timeline.recall >= FLOOR_TIMELINE_RECALL, report(site)


def test_no_must_not_date_and_no_date_from_words_that_give_none(site: Site) -> None:
    scores = score_events(site)
    assert scores.must_not_shown == ()
    assert scores.no_event_dated == ()
    shown = {event.date for briefing in site.briefings for event in briefing.timeline}
    assert "2021-12-08" not in shown


def test_the_required_events_are_on_the_timeline_with_their_precision(site: Site) -> None:
    assert score_events(site).required_missing == ()
    shown = {(e.date, e.precision) for briefing in site.briefings for e in briefing.timeline}
    assert shown >= REQUIRED


def test_a_caption_date_is_no_event_even_where_the_importer_did_not_strip_it() -> None:
    # The raw Voice of America page, as scraped: its photo caption carries the
    # only 2021-12-08 of the seeds. Segmented without the importer, the caption
    # is a sentence like any other; the timeline must still leave it out.
    raw = (RAW_SEEDS / "001_ce7813d910e04000.txt").read_text(encoding="utf-8")
    document = make_document(raw, slug="raw-voa", date=datetime.date(2022, 11, 14))
    assert any("December 8, 2021" in s.text for s in document.sentences)
    dates = {d.date for d in find_dates(document)}
    assert "2021-12-08" not in dates
    assert "2020-12" in dates
    # and the importer strips it before anything else sees it
    cleaned = clean_scraped_text(raw, "UK Pulling Mali Troop Deployment")
    assert "December 8, 2021" not in cleaned.body


def test_the_scorer_can_fail(site: Site) -> None:
    empty = dataclasses.replace(
        site, briefings=tuple(dataclasses.replace(b, timeline=()) for b in site.briefings)
    )
    scores = score_events(empty)
    assert scores.timeline.recall == 0.0
    assert len(scores.required_missing) == len(REQUIRED)
    assert scores.extraction.recall == score_events(site).extraction.recall
