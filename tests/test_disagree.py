"""Where outlets differ: figures, dates, timing and roles — and what is not a difference."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchmarks.generate import generate
from generator import disagree
from generator.content import load_content
from generator.disagree import find_disagreements, role_head, shared_phrase
from generator.export import briefing_json
from generator.model import Disagreement, Document
from generator.people import find_people
from generator.quotes import find_quotes
from generator.segment import segment
from generator.topics import assign_topics
from tests.helpers import make_document, make_topic, site_of

FIRE = make_topic("fire", keywords=["fire*", "blaze", "killed", "bridge", "firefight*"])
BRIDGE = make_topic("bridge", keywords=["bridge", "span"])
TOPICS = (FIRE, BRIDGE)


def documents_of(*bodies: str, outlets: Sequence[str] | None = None) -> list[Document]:
    names = outlets or [f"Outlet {chr(65 + i)}" for i in range(len(bodies))]
    return [
        make_document(body, slug=f"story-{i}", outlet=outlet)
        for i, (body, outlet) in enumerate(zip(bodies, names, strict=True))
    ]


def disagreements_of(documents: Sequence[Document]) -> tuple[Disagreement, ...]:
    assignment = assign_topics(documents, TOPICS)
    quotes = [q for d in documents for q in find_quotes(d)]
    return find_disagreements(documents, assignment, find_people(documents, quotes, assignment))


def disagreements(*bodies: str, outlets: Sequence[str] | None = None) -> tuple[Disagreement, ...]:
    return disagreements_of(documents_of(*bodies, outlets=outlets))


def variants(disagreement: Disagreement) -> dict[str, tuple[str, ...]]:
    return {v.text: v.outlets for v in disagreement.variants}


def one(found: tuple[Disagreement, ...]) -> Disagreement:
    assert len(found) == 1, found
    return found[0]


# --- figures --------------------------------------------------------------------------------------

TWELVE = "The warehouse fire killed 12 people in the old town, the fire brigade said."
FIFTEEN = "The warehouse fire killed 15 people in the old town, the fire brigade said."


def test_the_same_sentence_with_another_number_is_a_disagreement() -> None:
    found = one(disagreements(TWELVE, FIFTEEN))
    assert found.kind == "number"
    assert found.about == "Number of people"
    assert variants(found) == {"12 people": ("Outlet A",), "15 people": ("Outlet B",)}
    assert [c.text for v in found.variants for c in v.sources] == [TWELVE, FIFTEEN]
    assert found.topics == frozenset({"fire"})


def test_outlets_that_agree_share_one_variant() -> None:
    agreeing = "A warehouse fire killed 12 people in the old town, the fire brigade said on Sunday."
    found = one(disagreements(TWELVE, FIFTEEN, agreeing))
    assert variants(found) == {"12 people": ("Outlet A", "Outlet C"), "15 people": ("Outlet B",)}
    assert [c.text for c in found.variants[0].sources] == [TWELVE, agreeing]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A figure only one side gives is a detail.
        (TWELVE, "The warehouse fire killed people in the old town, the fire brigade said."),
        # Approximate figures and ranges can both be right.
        (TWELVE, "The warehouse fire killed more than 10 people in the old town, the fire brigade said."),
        (TWELVE, "The warehouse fire killed 12 to 15 people in the old town, the fire brigade said."),
        # Two different events: each names a place the other does not.
        (
            "The warehouse fire killed 12 people in Riverton, the fire brigade said.",
            "The warehouse fire killed 15 people in Lakeside, the fire brigade said.",
        ),
        # Words on both sides: another place or group, not another figure for one.
        (
            "Police arrested 12 people during protests in the north of the country on Saturday.",
            "Police arrested 15 people during protests in the south of the country on Saturday.",
        ),
        # Same number, two wordings.
        (TWELVE, "Twelve people were killed when a warehouse burned in the old town, the brigade said."),
        # Sentences on different points that happen to carry figures.
        (TWELVE, "The brigade sent 15 engines to the old town."),
    ],
)
def test_details_ranges_other_events_and_other_points_are_not_disagreements(first: str, second: str) -> None:
    assert disagreements(first, second) == ()


def test_sums_of_money_are_compared_with_their_multipliers() -> None:
    found = one(
        disagreements(
            "The mayor promised £2 million to rebuild the fire station.",
            "On Monday the mayor promised £2.5m to rebuild the fire station.",
            "The mayor promised £2,000,000 to rebuild the fire station.",
        )
    )
    assert found.about == "Amount (£)"
    # Each figure is shown as printed, so two prints of one sum stay two variants.
    assert variants(found) == {
        "£2 million": ("Outlet A",),
        "£2.5m": ("Outlet B",),
        "£2,000,000": ("Outlet C",),
    }


def test_one_outlet_never_disagrees_with_itself() -> None:
    assert disagreements(TWELVE, FIFTEEN, outlets=["Same Outlet", "Same Outlet"]) == ()


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "The old bridge over the river was closed to traffic in 2019 after engineers found cracks.",
            "The old bridge over the river was closed to traffic in 2021 after engineers found cracks.",
        ),
        (
            "Engineers closed the old bridge over the river on Monday after finding deep cracks.",
            "Engineers closed the old bridge over the river on Wednesday after finding deep cracks.",
        ),
    ],
)
def test_the_same_sentence_with_another_date_is_a_date_disagreement(first: str, second: str) -> None:
    found = one(disagreements(first, second))
    assert found.kind == "date"
    assert found.about.startswith("Date")
    assert [c.text for v in found.variants for c in v.sources] == [first, second]
    assert all(v.text in first + second and len(v.text) < 10 for v in found.variants)


def test_a_more_precise_date_is_a_detail() -> None:
    assert (
        disagreements(
            "The old bridge over the river was closed to traffic in 2019 after engineers found cracks.",
            "The old bridge over the river was closed to traffic in March 2019 after engineers found cracks.",
        )
        == ()
    )


def test_one_span_of_time_in_two_frames_is_a_timing_disagreement() -> None:
    found = one(
        disagreements(
            "The repairs were scheduled to take a year, but the bridge will now reopen within the next "
            "three weeks, the council said.",
            "The council said the bridge would reopen three weeks earlier than scheduled.",
        )
    )
    assert found.kind == "date"
    assert found.about == "Timing: “three weeks”"
    assert variants(found) == {
        "the bridge will now reopen within the next three weeks": ("Outlet A",),
        "The council said the bridge would reopen three weeks earlier than scheduled": ("Outlet B",),
    }


def test_outlets_printing_the_same_timing_share_a_variant() -> None:
    within = "The council said the bridge would reopen within the next three weeks."
    found = one(
        disagreements(
            within,
            "The council said the bridge would reopen three weeks earlier than scheduled.",
            within,
        )
    )
    assert [(v.text, v.outlets) for v in found.variants] == [
        ("The council said the bridge would reopen within the next three weeks", ("Outlet A", "Outlet C")),
        ("The council said the bridge would reopen three weeks earlier than scheduled", ("Outlet B",)),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Both spans: the same timing in other words.
        (
            "The bridge will reopen within three weeks, the council said.",
            "The council said the bridge would reopen in three weeks.",
        ),
        # Different topics and nothing in common.
        (
            "The bridge will reopen within three weeks, the council said.",
            "The warehouse fire started three weeks after the inspection.",
        ),
    ],
)
def test_timing_that_agrees_or_is_about_another_thing_is_not_a_disagreement(first: str, second: str) -> None:
    assert disagreements(first, second) == ()


# --- roles ----------------------------------------------------------------------------------------


def test_two_titles_for_one_person_are_a_role_disagreement() -> None:
    found = one(
        disagreements(
            "Fire chief Rosa Mendes said the blaze was under control.",
            "Police chief Rosa Mendes said the blaze was under control.",
            "Rosa Mendes, the fire chief, said the fire was out.",
        )
    )
    assert found.kind == "role"
    assert found.about == "Role of Rosa Mendes"
    assert variants(found) == {"Fire chief": ("Outlet A", "Outlet C"), "Police chief": ("Outlet B",)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Chief Rosa Mendes said the blaze was out.", "Fire Chief Rosa Mendes said the blaze was out."),
        # Titles with other heads may both be true ("mayor" and "fire chief").
        (
            "Fire chief Rosa Mendes said the blaze was out.",
            "Deputy mayor Rosa Mendes said the blaze was out.",
        ),
        (
            "Fire chief Rosa Mendes said the blaze was out.",
            "Former fire chief Rosa Mendes said the fire was out.",
        ),
        (
            "Rosa Mendes, the founder of the brigade, said the fire was out.",
            "Rosa Mendes, a close ally of the mayor, said the blaze was out.",
        ),
    ],
)
def test_a_fuller_title_or_another_kind_of_role_is_not_a_disagreement(first: str, second: str) -> None:
    assert disagreements(first, second) == ()


def test_role_head() -> None:
    assert role_head("armed forces minister") == "minister"
    assert role_head("close ally of President Ruto") == "ally"


# --- text and citations ---------------------------------------------------------------------------


def test_shared_phrase_is_verbatim_and_skips_figures() -> None:
    assert shared_phrase(TWELVE, FIFTEEN) == "people in the old town"
    assert shared_phrase("Only 3 left.", "Only 4 left.") == ""


def test_every_variant_stands_in_each_of_its_sources_and_outlets_differ() -> None:
    documents = documents_of(
        TWELVE + " Fire chief Rosa Mendes said the blaze was out. The bridge will reopen within the next "
        "three weeks.",
        FIFTEEN + " Police chief Rosa Mendes said the blaze was out. The bridge will reopen three weeks "
        "earlier than planned.",
    )
    found = disagreements_of(documents)
    assert {d.kind for d in found} == {"number", "role", "date"}
    for disagreement in found:
        assert len(disagreement.variants) >= 2
        outlet_sets = {frozenset(v.outlets) for v in disagreement.variants}
        assert len(outlet_sets) == len(disagreement.variants)
        for variant in disagreement.variants:
            for source in variant.sources:
                assert variant.text.lower() in source.text.lower()
    assert disagreements_of(documents) == disagreements_of(list(reversed(documents)))


def test_briefings_and_export_carry_disagreements_and_people_of_their_topic() -> None:
    documents = documents_of(
        TWELVE + " Fire chief Rosa Mendes spoke at the scene.",
        FIFTEEN + " Police chief Rosa Mendes spoke at the scene.",
    )
    site = site_of(documents, TOPICS)
    fire, bridge = site.briefings
    assert [d.about for d in fire.disagreements] == ["Number of people", "Role of Rosa Mendes"]
    assert bridge.disagreements == () and bridge.people == ()
    exported = json.loads(json.dumps(briefing_json(fire)))
    number, role = exported["disagreements"]
    assert number == {
        "about": "Number of people",
        "kind": "number",
        "variants": [
            {"text": "12 people", "sources": [{**number["variants"][0]["sources"][0], "outlet": "Outlet A"}]},
            {"text": "15 people", "sources": [{**number["variants"][1]["sources"][0], "outlet": "Outlet B"}]},
        ],
    }
    assert [v["text"] for v in role["variants"]] == ["Fire chief", "Police chief"]
    (person,) = exported["people"]
    assert person["name"] == "Rosa Mendes" and person["kind"] == "person"
    assert [(r["text"], r["outlets"]) for r in person["roles"]] == [
        ("Fire chief", ["Outlet A"]),
        ("Police chief", ["Outlet B"]),
    ]
    assert [c["sentence"] for c in person["variants"][0]["sources"]] == ["p1s2", "p1s2"]


def test_parallel_pairs_found_through_rarest_stems_are_exactly_those_of_all_word_sharing_pairs(
    tmp_path: Path,
) -> None:
    """The shortcut that keeps the figure check near-linear finds the same
    parallel sentences as comparing every two sentences that share a word."""
    generate(tmp_path, articles=30, topics=3, outlets=6, seed=3)
    content = load_content(tmp_path)
    documents = tuple(segment(a) for a in content.articles)
    assignment = assign_topics(documents, content.topics)
    found = [disagree._item(d, s, assignment) for d in documents for s in d.sentences if not s.is_heading]
    items = [i for i in found if i is not None and i.figures]
    brute = [
        (i, j)
        for i in range(len(items))
        for j in range(i + 1, len(items))
        if items[i].words & items[j].words and disagree._parallel(items[i], items[j])
    ]
    assert brute, "the generated archive has no parallel sentences to find"
    assert disagree._parallel_pairs(items) == brute
