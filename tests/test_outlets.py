"""Stage 6: outlet pages: unique addresses, their articles, their statements."""

from __future__ import annotations

import datetime

from generator.outlets import build_outlets, outlet_slugs
from tests.helpers import make_document, make_topic, site_of


def test_outlet_names_that_slugify_alike_get_distinct_slugs() -> None:
    slugs = outlet_slugs(["A.P.", "AP", "Le Monde", "Le  Monde!"])
    assert len(set(slugs.values())) == 4
    assert {slugs["Le Monde"], slugs["Le  Monde!"]} == {"le-monde", "le-monde-2"}
    assert all(s and "/" not in s and ".." not in s for s in slugs.values())


def test_an_outlet_page_holds_its_articles_newest_first_and_what_it_contributes() -> None:
    documents = [
        make_document(
            "The harbour bridge closed on Friday after cracks were found in two pylons.",
            slug="coast-1",
            outlet="Coast Herald",
            date=datetime.date(2024, 3, 1),
        ),
        make_document(
            "Engineers said the harbour bridge could reopen within a month.",
            slug="coast-2",
            outlet="Coast Herald",
            date=datetime.date(2024, 3, 4),
        ),
        make_document(
            "The harbour bridge closed on Friday after cracks were found in two of its pylons.",
            slug="metro-1",
            outlet="Metro Daily",
            date=datetime.date(2024, 3, 2),
        ),
    ]
    bridge = make_topic("bridge", keywords=["bridge"])
    site = site_of(documents, [bridge])
    outlets = {o.name: o for o in build_outlets(site.documents, site.briefings)}
    assert set(outlets) == {"Coast Herald", "Metro Daily"}
    coast = outlets["Coast Herald"]
    assert [a.slug for a in coast.articles] == ["coast-2", "coast-1"]
    ((topic, statements),) = coast.contributions
    assert topic.slug == "bridge"
    assert coast.statement_count == 2
    assert all("Coast Herald" in s.outlets for s in statements)
    metro = outlets["Metro Daily"]
    assert metro.statement_count == 1
    (shared,) = metro.contributions[0][1]
    assert set(shared.outlets) == {"Coast Herald", "Metro Daily"}
