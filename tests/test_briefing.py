"""Stage 5: one briefing per topic, most widely reported first."""

from __future__ import annotations

import datetime

from generator.briefing import build_briefing
from generator.model import Article
from tests.helpers import make_article, make_citation, make_document, make_statement, make_topic, site_of

FLOOD = make_topic("flood", keywords=["flood*"])
ARTICLES = tuple(
    make_article("Body.", slug=slug, outlet=outlet, date=datetime.date(2024, 5, day))
    for slug, outlet, day in [("a", "Alpha", 1), ("b", "Beta", 2), ("c", "Gamma", 3), ("d", "Alpha", 4)]
)


def ids(articles: tuple[Article, ...]) -> list[str]:
    return [a.slug for a in articles]


def test_statements_are_ordered_by_number_of_distinct_outlets() -> None:
    one = make_statement("st-one", [make_citation("a", outlet="Alpha", position=0.0)], ["flood"])
    three = make_statement(
        "st-three",
        [
            make_citation("a", outlet="Alpha", position=0.9),
            make_citation("b", outlet="Beta", position=0.9),
            make_citation("c", outlet="Gamma", position=0.9),
        ],
        ["flood"],
    )
    two = make_statement(
        "st-two",
        [make_citation("a", outlet="Alpha", position=0.5), make_citation("b", outlet="Beta", position=0.5)],
        ["flood"],
    )
    briefing = build_briefing(FLOOD, [one, three, two], ARTICLES)
    assert [s.id for s in briefing.statements] == ["st-three", "st-two", "st-one"]


def test_two_articles_of_one_outlet_count_as_one_outlet() -> None:
    same_outlet = make_statement(
        "st-same",
        [make_citation("a", outlet="Alpha", position=0.0), make_citation("d", outlet="Alpha", position=0.0)],
        ["flood"],
    )
    two_outlets = make_statement(
        "st-two",
        [make_citation("a", outlet="Alpha", position=0.8), make_citation("b", outlet="Beta", position=0.8)],
        ["flood"],
    )
    briefing = build_briefing(FLOOD, [same_outlet, two_outlets], ARTICLES)
    assert [s.id for s in briefing.statements] == ["st-two", "st-same"]


def test_equally_reported_statements_follow_their_position_in_the_articles() -> None:
    late = make_statement("st-a-late", [make_citation("a", outlet="Alpha", position=0.9)], ["flood"])
    early = make_statement("st-z-early", [make_citation("b", outlet="Beta", position=0.1)], ["flood"])
    middle = make_statement(
        "st-m-middle",
        [make_citation("c", outlet="Gamma", position=0.2), make_citation("d", outlet="Alpha", position=0.6)],
        ["flood"],
    )
    alone = make_statement("st-b-mid", [make_citation("c", outlet="Gamma", position=0.5)], ["flood"])
    briefing = build_briefing(FLOOD, [late, early, alone, middle], ARTICLES)
    assert [s.id for s in briefing.statements] == ["st-m-middle", "st-z-early", "st-b-mid", "st-a-late"]


def test_only_statements_of_the_topic_are_in_its_briefing() -> None:
    flood = make_statement("st-flood", [make_citation("a", outlet="Alpha")], ["flood"])
    both = make_statement("st-both", [make_citation("b", outlet="Beta")], ["flood", "election"])
    election = make_statement("st-election", [make_citation("c", outlet="Gamma")], ["election"])
    none = make_statement("st-none", [make_citation("d", outlet="Alpha")], [])
    briefing = build_briefing(FLOOD, [flood, both, election, none], ARTICLES)
    assert {s.id for s in briefing.statements} == {"st-flood", "st-both"}


def test_briefing_lists_only_the_articles_it_cites() -> None:
    flood = make_statement(
        "st-flood", [make_citation("b", outlet="Beta"), make_citation("d", outlet="Alpha")], ["flood"]
    )
    election = make_statement("st-election", [make_citation("c", outlet="Gamma")], ["election"])
    briefing = build_briefing(FLOOD, [flood, election], ARTICLES)
    assert ids(briefing.articles) == ["b", "d"]
    assert briefing.outlets == ("Alpha", "Beta")
    assert briefing.updated == datetime.date(2024, 5, 4)


def test_topic_with_no_statements_has_an_empty_briefing() -> None:
    election = make_statement("st-election", [make_citation("c", outlet="Gamma")], ["election"])
    briefing = build_briefing(FLOOD, [election], ARTICLES)
    assert briefing.statements == ()
    assert briefing.articles == ()
    assert briefing.updated is None


def test_briefings_through_the_pipeline() -> None:
    documents = [
        make_document(
            "The river flooded the lower town on Sunday night.\n\n"
            "Acme and Globex confirmed their merger talks on Monday.\n\n"
            "Flood defences on the east bank failed after two days of rain.",
            slug="valley-times",
            outlet="Valley Times",
            date=datetime.date(2024, 5, 1),
        ),
        make_document(
            "Flood defences on the east bank failed after two days of heavy rain, officials said.\n\n"
            "Schools will stay closed until the water recedes.",
            slug="river-post",
            outlet="River Post",
            date=datetime.date(2024, 5, 2),
        ),
    ]
    merger = make_topic("merger", names=["Acme", "Globex"], keywords=["merger"])
    site = site_of(documents, [FLOOD, merger])
    flood, merger_briefing = site.briefings
    assert flood.topic.slug == "flood" and merger_briefing.topic.slug == "merger"
    # The defences failing is reported by both outlets: it comes first.
    assert flood.statements[0].outlets == ("Valley Times", "River Post")
    assert "Flood defences" in flood.statements[0].text
    assert all("flood" in s.topics for s in flood.statements)
    assert not any("merger talks" in s.text for s in flood.statements)
    assert [s.text for s in merger_briefing.statements] == [
        "Acme and Globex confirmed their merger talks on Monday."
    ]
    assert ids(merger_briefing.articles) == ["valley-times"]
    # Article pages link back to the statements that cite each sentence.
    first_key = f"valley-times#{flood.statements[0].sources[0].sentence}"
    assert ("flood", flood.statements[0].id) in site.citations[first_key]
