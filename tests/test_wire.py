"""Stage 5a: wire copies under several outlets count as one origin."""

from __future__ import annotations

import datetime
from pathlib import Path

from generator.build import BuildOptions, build
from generator.wire import find_wire_copies
from tests.helpers import article_file, make_document, make_topic, site_of, topic_file, write_tree

WIRE = (
    "Heavy rain flooded the port city of Marenga on Sunday, "
    "forcing thousands of residents from their homes.\n\n"
    "The regional governor, Alice Moyo, said 14 people had died and rescue teams were still searching.\n\n"
    '"We have never seen water rise this fast," Moyo told reporters at an evacuation centre.\n\n'
    "Meteorologists said more rain was expected in the coming days across the coastal provinces.\n\n"
    "The national army has sent boats and helicopters to reach villages cut off by the water.\n\n"
    "Aid agencies warned that clean drinking water was running short in the worst-hit districts."
)
OWN_REPORT = (
    "Rescuers in Marenga pulled families from rooftops as the floods spread on Sunday.\n\n"
    "Governor Alice Moyo said 14 people had died and rescue teams were still searching.\n\n"
    "Residents said the drainage canals had not been cleared for years."
)


def documents() -> list:  # type: ignore[type-arg]
    day = datetime.date(2024, 2, 12)
    return [
        make_document(WIRE, slug="daily-star", outlet="Daily Star", date=day),
        make_document(
            "(AFP) " + WIRE.replace("on Sunday", "on Sunday night") + "\n\nAFP contributed to this report.",
            slug="coast-news",
            outlet="Coast News",
            date=day,
        ),
        make_document(WIRE.rsplit("\n\n", 1)[0], slug="metro", outlet="Metro", date=day),
        make_document(OWN_REPORT, slug="marenga-today", outlet="Marenga Today", date=day),
    ]


def test_copies_of_one_wire_story_are_grouped_and_own_reporting_is_not() -> None:
    assert find_wire_copies(documents()) == (("coast-news", "daily-star", "metro"),)


def test_one_outlets_reprint_of_its_own_story_is_not_a_wire_group() -> None:
    day = datetime.date(2024, 2, 12)
    same_outlet = [
        make_document(WIRE, slug="a", outlet="Daily Star", date=day),
        make_document(WIRE, slug="b", outlet="Daily Star", date=day),
    ]
    assert find_wire_copies(same_outlet) == ()


def test_a_statement_carried_by_wire_copies_and_one_own_report_has_two_origins() -> None:
    site = site_of(documents(), [make_topic("flood", keywords=["flood*", "rain", "rescue*"])])
    (briefing,) = site.briefings
    deaths = next(s for s in briefing.statements if "14 people had died" in s.text)
    assert len(deaths.outlets) == 4
    assert deaths.independent == 2
    (copy,) = deaths.copies
    assert sorted(c.outlet for c in copy) == ["Coast News", "Daily Star", "Metro"]
    # A statement only the wire copies carry ranks below one confirmed independently.
    rain = next(s for s in briefing.statements if "Meteorologists" in s.text)
    assert rain.independent == 1
    assert briefing.statements.index(deaths) < briefing.statements.index(rain)
    assert site.wire_copies == (("coast-news", "daily-star", "metro"),)


def test_the_briefing_page_says_which_outlets_carried_one_wire_copy(tmp_path: Path) -> None:
    files = {
        f"articles/{d.article.slug}.md": article_file(
            d.article.body,
            title=f"Floods in Marenga ({d.article.outlet})",
            outlet=d.article.outlet,
            url=f"https://{d.article.slug}.example.org/floods",
            date="2024-02-12",
        )
        for d in documents()
    }
    files["topics/flood.md"] = topic_file("flood", "Floods", {"keywords": ["flood*", "rain"]})
    output = tmp_path / "output"
    build(BuildOptions(content=write_tree(tmp_path / "content", files), output=output))
    page = (output / "topics" / "flood" / "index.html").read_text(encoding="utf-8")
    assert "Carried by Coast News and 2 others from the same wire copy" in page
