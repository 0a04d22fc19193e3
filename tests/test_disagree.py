"""Where outlets differ: figures, dates, timing and roles — and what is not a difference."""

from __future__ import annotations

import datetime
import json
import pickle
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchmarks.generate import generate
from generator import disagree
from generator.content import load_content
from generator.disagree import find_disagreements, role_head, shared_phrase
from generator.export import briefing_json
from generator.model import Disagreement, Document, TopicAssignment
from generator.people import find_people
from generator.quotes import find_quotes
from generator.segment import segment
from generator.topics import assign_topics
from tests.helpers import DEFAULT_DATE, make_document, make_topic, site_of

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
        # Two countries whose names start alike.
        (
            "Attacks in Niger killed 12 people on Sunday, officials said.",
            "Attacks in Nigeria killed 30 people on Sunday, officials said.",
        ),
        # Words on both sides: another place or group, not another figure for one.
        (
            "Police arrested 12 people during protests in the north of the country on Saturday.",
            "Police arrested 15 people during protests in the south of the country on Saturday.",
        ),
        # Year-shaped counts are counts: "at least" makes them approximate.
        (
            "The warehouse fire left at least 1968 people homeless in the old town, the brigade said.",
            "The warehouse fire left at least 1974 people homeless in the old town, the brigade said.",
        ),
        # Same number, two wordings.
        (TWELVE, "Twelve people were killed when a warehouse burned in the old town, the brigade said."),
        # Sentences on different points that happen to carry figures.
        (TWELVE, "The brigade sent 15 engines to the old town."),
    ],
)
def test_details_ranges_other_events_and_other_points_are_not_disagreements(first: str, second: str) -> None:
    assert disagreements(first, second) == ()


def test_a_year_shaped_count_is_a_number_not_a_date() -> None:
    first = "The warehouse fire left 1968 people homeless in the old town, the fire brigade said."
    second = "The warehouse fire left 1974 people homeless in the old town, the fire brigade said."
    found = one(disagreements(first, second))
    assert found.kind == "number" and found.about == "Number of people"
    assert variants(found) == {"1968 people": ("Outlet A",), "1974 people": ("Outlet B",)}


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
            "The 2019 floods closed the old bridge over the river after engineers found deep cracks.",
            "The 2021 floods closed the old bridge over the river after engineers found deep cracks.",
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


# --- many outlets, one sentence -------------------------------------------------------------------


def test_many_outlets_printing_one_sentence_with_two_figures_give_one_disagreement() -> None:
    toll = "The ferry sank off the cape with {} passengers on board, the coastguard said."
    bodies = [toll.format(n) for n in ("40", "52", "40", "52", "forty", "40")]
    bodies.append(toll.format("more than 40"))  # approximate: agrees with anything near it
    bodies.append("The coastguard said 60 boats joined the search off the cape.")  # another point
    found = one(disagreements(*bodies))
    assert found.about == "Number of passengers"
    assert variants(found) == {
        "40 passengers": ("Outlet A", "Outlet C", "Outlet F"),
        "52 passengers": ("Outlet B", "Outlet D"),
        "forty passengers": ("Outlet E",),
    }


def test_one_outlet_printing_two_figures_in_two_articles_is_no_disagreement_by_itself() -> None:
    toll = "The ferry sank off the cape with {} passengers on board, the coastguard said."
    lone = ["Harbour Post", "Harbour Post", "Cape Times"]
    assert disagreements(toll.format(40), toll.format(52), outlets=lone[:2]) == ()
    # A second outlet that agrees with one of them makes it one.
    found = one(disagreements(toll.format(40), toll.format(52), toll.format(40), outlets=lone))
    assert variants(found) == {
        "40 passengers": ("Cape Times", "Harbour Post"),
        "52 passengers": ("Harbour Post",),
    }


def test_two_events_told_in_boilerplate_stay_two_disagreements() -> None:
    ferry = "The ferry sank off the cape with {} passengers on board, the coastguard said."
    bridge = "The council closed the old bridge over the river in {} after engineers found cracks."
    found = disagreements(
        ferry.format(40) + " " + bridge.format(2019),
        ferry.format(52) + " " + bridge.format(2021),
        ferry.format(40) + " " + bridge.format(2021),
    )
    assert [(d.about, variants(d)) for d in found] == [
        (
            "Date: “The council closed the old bridge over the river in”",
            {"2019": ("Outlet A",), "2021": ("Outlet B", "Outlet C")},
        ),
        ("Number of passengers", {"40 passengers": ("Outlet A", "Outlet C"), "52 passengers": ("Outlet B",)}),
    ]


# A tiny all-pairs reference for the figure check: every two sentences compared.


def reference_parallel(a: disagree._Item, b: disagree._Item) -> bool:
    """Different outlets and articles, a shared word, three shared stems, and
    one side's stems all in the other's."""
    words_a, words_b, stems_a, stems_b = set(a.words), set(b.words), set(a.stems), set(b.stems)
    return (
        a.outlet != b.outlet
        and a.sentence.article != b.sentence.article
        and bool(words_a & words_b)
        and len(stems_a & stems_b) >= 3
        and (stems_a <= stems_b or stems_b <= stems_a)
    )


def _figure_map(item: disagree._Item) -> dict[str, dict[int, str]]:
    """The item's figures as the plain mapping they stand for: unit → value → as printed."""
    return {unit: dict(values) for unit, values in item.figures}


def reference_figure_disagreements(items: Sequence[disagree._Item]) -> list[Disagreement]:
    with_figures = [item for item in items if item.figures]
    figures = {item.sentence.key: _figure_map(item) for item in with_figures}
    by_key = {item.sentence.key: item for item in with_figures}
    neighbours: dict[str, set[str]] = defaultdict(set)
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for n, a in enumerate(with_figures):
        for b in with_figures[n + 1 :]:
            if not reference_parallel(a, b):
                continue
            neighbours[a.sentence.key].add(b.sentence.key)
            neighbours[b.sentence.key].add(a.sentence.key)
            fa, fb = figures[a.sentence.key], figures[b.sentence.key]
            for unit in fa.keys() & fb.keys():
                if not fa[unit].keys() & fb[unit].keys():
                    edges[unit][a.sentence.key].add(b.sentence.key)
                    edges[unit][b.sentence.key].add(a.sentence.key)
    found = []
    for unit, graph in sorted(edges.items()):
        left = set(graph)
        components = []
        while left:
            seen, todo = set(), [min(left)]
            while todo:
                key = todo.pop()
                if key not in seen:
                    seen.add(key)
                    todo.extend(graph[key] - seen)
            left -= seen
            components.append(sorted(seen))
        for keys in sorted(components):
            values = {frozenset(figures[key][unit]) for key in keys}
            agreeing = sorted(
                {
                    other
                    for key in keys
                    for other in neighbours[key]
                    if other not in keys and frozenset(figures[other].get(unit, {})) in values
                }
            )
            component = [by_key[key] for key in keys + agreeing]
            found.append(disagree._figure_disagreement(unit, component))
    return found


SENTENCES = (
    "The ferry sank off the cape with {n} passengers on board, the coastguard said.",
    "The ferry sank off the cape with {n} passengers on board.",
    "The ferry sank off the rocky cape with {n} passengers on board, the coastguard said.",
    "The ferry sank off the cape with {n} passengers and {m} crew on board.",
    "The ferry sank off the northern island with {n} passengers on board.",
    "The council will spend £{n} million on the harbour wall, the mayor said on {day}.",
    "The council will spend £{n} million on the harbour wall.",
    "Divers recovered {n} bodies from the ferry on {day}.",
)
FIGURES = ("12", "15", "twelve", "more than 12", "40", "4", "1,000")
OUTLETS = ("Harbour Post", "Cape Times", "Island Echo", "Coast Radio")


def random_documents(seed: int) -> list[Document]:
    """Sixteen invented articles on one ferry story by four outlets, with figures drawn at random."""
    rng = random.Random(seed)
    documents = []
    for number in range(16):
        sentences = [
            rng.choice(SENTENCES).format(
                n=rng.choice(FIGURES), m=rng.choice(FIGURES), day=rng.choice(("Monday", "Tuesday"))
            )
            for _ in range(rng.randint(1, 3))
        ]
        documents.append(
            make_document(
                " ".join(sentences),
                slug=f"ferry-{number}",
                outlet=rng.choice(OUTLETS),
                date=DEFAULT_DATE + datetime.timedelta(days=rng.randint(0, 2)),
            )
        )
    return documents


def _items(documents: Sequence[Document], assignment: TopicAssignment) -> list[disagree._Item]:
    return [
        disagree._item(d, d.sentences[index], words, figures, stems, timings, assignment)
        for d in documents
        for index, words, figures, stems, timings in disagree.prepare(d)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_figure_disagreements_are_those_of_comparing_every_two_sentences(seed: int) -> None:
    """Reasoning over wordings and distinct figures finds exactly what comparing
    every two parallel sentences finds: the same groups, variants and sources."""
    documents = random_documents(seed)
    assignment = assign_topics(documents, TOPICS)
    items = _items(documents, assignment)
    assert disagree._figure_disagreements(items) == reference_figure_disagreements(items)


def test_sentences_joined_only_through_another_wording_are_found_as_comparing_every_two() -> None:
    """Three outlets print one wording, a fourth a longer one with another figure:
    every one of the three is in the disagreement's group (the case and the
    order of the prints decide which one a variant shows)."""
    longer = "Forty passengers were on board when the ferry sank off the cape, the coastguard said."
    shorter = "{} passengers were on board when the ferry sank off the cape."
    documents = [
        make_document(body, slug=slug, outlet=outlet)
        for body, slug, outlet in (
            (longer, "d-first", "Harbour Post"),
            (shorter.format("Twelve"), "d-second", "Cape Times"),
            (shorter.format("Twelve"), "d-third", "Island Echo"),
            ("When the ferry sank off the cape, twelve passengers were on board.", "a-fourth", "Coast Radio"),
        )
    ]
    assignment = assign_topics(documents, TOPICS)
    items = _items(documents, assignment)
    found = disagree._figure_disagreements(items)
    assert found == reference_figure_disagreements(items)
    assert [(v.text, v.outlets) for v in one(tuple(found)).variants] == [
        ("twelve passengers", ("Cape Times", "Coast Radio", "Island Echo")),
        ("Forty passengers", ("Harbour Post",)),
    ]


def test_the_random_archives_hold_disagreements_to_find() -> None:
    """The comparison above is not vacuous: most archives have disagreements, some with many sources."""
    found = [disagreements_of(random_documents(seed)) for seed in range(40)]
    assert sum(bool(f) for f in found) >= 20
    assert max(len(d.variants) for f in found for d in f) >= 3
    assert max(sum(len(v.sources) for v in d.variants) for f in found for d in f) >= 5


def test_wordings_in_parallel_are_exactly_those_with_parallel_sentences(tmp_path: Path) -> None:
    """The shortcut through rarest stems finds the same parallel wordings as
    comparing every two sentences of a generated archive."""
    generate(tmp_path, articles=30, topics=3, outlets=6, seed=3)
    content = load_content(tmp_path)
    documents = tuple(segment(a) for a in content.articles)
    assignment = assign_topics(documents, content.topics)
    items = [i for i in _items(documents, assignment) if i.figures]
    brute = {
        frozenset((a.words, b.words))
        for n, a in enumerate(items)
        for b in items[n + 1 :]
        if reference_parallel(a, b)
    }
    assert brute, "the generated archive has no parallel sentences to find"
    by_words: dict[tuple[str, ...], list[disagree._Item]] = defaultdict(list)
    for item in items:
        by_words[item.words].append(item)
    wordings = disagree._wordings(items)
    parallel = {
        frozenset((wordings[i].words, wordings[j].words))
        for i, j in disagree._parallel_wordings(wordings)
        if any(
            disagree._separable(a, b)
            for a in by_words[wordings[i].words]
            for b in by_words[wordings[j].words]
        )
    }
    assert parallel == brute


def test_disagreements_from_prepared_sentences_are_those_found_from_the_articles(tmp_path: Path) -> None:
    """The build hands ``find_disagreements`` each article's ``prepare`` from
    the worker processes or the cache (pickled copies): the same disagreements."""
    generate(tmp_path, articles=40, topics=4, outlets=6, seed=3)
    content = load_content(tmp_path)
    documents = tuple(segment(a) for a in content.articles)
    assignment = assign_topics(documents, content.topics)
    quotes = [q for d in documents for q in find_quotes(d)]
    people = find_people(documents, quotes, assignment)
    copies = (pickle.loads(pickle.dumps(disagree.prepare(d))) for d in documents)
    found = find_disagreements(documents, assignment, people)
    assert found and find_disagreements(documents, assignment, people, copies) == found


def test_parallel_stem_sets_from_the_last_build_give_what_a_search_from_nothing_gives(tmp_path: Path) -> None:
    """A rebuild looks up only the stem sets that are new; the others keep
    their supersets, less those gone, plus the new ones that hold them. Sets
    come, go and come back over many builds; each result must be the one a
    search from nothing finds, and most sets must be taken over."""
    draw = random.Random(11)
    stems = [f"st{n}" for n in range(14)]

    def stem_set() -> tuple[str, ...]:
        return tuple(sorted(draw.sample(stems, draw.randint(1, 8))))

    sets = list(dict.fromkeys(stem_set() for _ in range(300)))
    memory = disagree.SupersetMemory.load(tmp_path / "kept.pickle")
    reused = searched = 0

    def found(memory: disagree.SupersetMemory | None) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
        return {key: set(value) for key, value in disagree._parallel_supersets(sets, memory).items()}

    for build in range(12):
        assert found(memory) == found(None), build
        assert sum(len(supersets) > 1 for supersets in found(None).values()) > 20
        reused, searched = reused + memory.reused, searched + memory.searched
        memory = disagree.SupersetMemory.load(tmp_path / "kept.pickle")  # as the next build does
        gone = set(draw.sample(range(len(sets)), 10))
        sets = [s for n, s in enumerate(sets) if n not in gone]
        sets = list(dict.fromkeys([*sets, *(stem_set() for _ in range(10))]))
        draw.shuffle(sets)
    assert reused > 10 * searched / 3  # the first build searched all 300


def test_a_damaged_memory_of_parallel_stem_sets_is_ignored(tmp_path: Path) -> None:
    kept = tmp_path / "kept.pickle"
    kept.write_bytes(b"not a pickle")
    memory = disagree.SupersetMemory.load(kept)
    sets = [("a", "b", "c"), ("a", "b", "c", "d"), ("b", "c", "d")]
    assert disagree._parallel_supersets(sets, memory) == disagree._parallel_supersets(sets)
    assert disagree._parallel_supersets(sets)[("a", "b", "c")] == [("a", "b", "c"), ("a", "b", "c", "d")]
    assert disagree.SupersetMemory.load(kept).known  # written anew
