"""Invariants of people and disagreements on generated sites: verbatim, cited, order-free."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.disagree import find_disagreements, shared_phrase
from generator.model import Disagreement, Document, Entity
from generator.people import find_people
from generator.quotes import find_quotes
from generator.topics import assign_topics
from tests.helpers import documents_from, make_topic

TOPICS = (make_topic("quake", keywords=["quake", "earthquake", "rescue*", "aftershock*"]),)

POOL = [
    "The earthquake killed 40 people in the valley, the civil defence agency said.",
    "The earthquake killed 45 people in the valley, the civil defence agency said.",
    "More than 40 people died in the earthquake, officials said.",
    "Interior Minister Sara Quint said rescuers were still searching the rubble.",
    "interior minister Sara Quint said rescue teams had reached the valley.",
    "Sara Quint, the deputy interior minister, visited the valley on Monday.",
    "Emergency minister Sarah Quint said aid would arrive within the next three days.",
    "Aid will arrive three days earlier than planned, the Red Relief Society said.",
    "The quake struck on Monday at dawn.",
    "The quake struck on Tuesday at dawn.",
    '"We are working around the clock to reach survivors," said Quint.',
    "The Valley Rescue Council said aftershocks were likely.",
    "Mr Quint said the government had pledged $2 million in aid.",
    "The government pledged $3 million in aid, the Valley Rescue Council said.",
]

SITES = st.lists(
    st.tuples(
        st.lists(st.sampled_from(POOL), min_size=1, max_size=6),
        st.sampled_from(["Quake Daily", "Valley Post", "Wire Times"]),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=4,
)


def analyse(documents: list[Document]) -> tuple[tuple[Entity, ...], tuple[Disagreement, ...]]:
    assignment = assign_topics(documents, TOPICS)
    quotes = [q for d in documents for q in find_quotes(d)]
    entities = find_people(documents, quotes, assignment)
    return entities, find_disagreements(documents, assignment, entities)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SITES, st.randoms(use_true_random=False))
def test_everything_shown_stands_in_its_sources_and_order_does_not_matter(
    specs: list[tuple[list[str], str, int]], shuffler: random.Random
) -> None:
    documents = documents_from(specs)
    sentences = {(d.article.slug, s.id): s.text for d in documents for s in d.sentences}
    entities, disagreements = analyse(documents)
    for entity in entities:
        assert entity.mentions
        for variant in entity.variants:
            assert all(variant.text in c.text for c in variant.sources)
        for role in entity.roles:
            assert all(role.text.lower() in c.text.lower() for c in role.sources)
    for disagreement in disagreements:
        assert len(disagreement.variants) >= 2
        assert disagreement.about
        for variant in disagreement.variants:
            for citation in variant.sources:
                assert sentences[(citation.article, citation.sentence)] == citation.text
                assert variant.text.lower() in citation.text.lower()
        outlets = [set(v.outlets) for v in disagreement.variants]
        assert len(set().union(*outlets)) >= 2
    shuffled = list(documents)
    shuffler.shuffle(shuffled)
    assert analyse(shuffled) == (entities, disagreements)


@given(st.text(alphabet="ab c,.", max_size=30), st.text(alphabet="ab c,.", max_size=30))
def test_shared_phrase_is_a_piece_of_the_first_text(a: str, b: str) -> None:
    assert shared_phrase(a, b) in a
