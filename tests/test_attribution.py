"""Attribution at archive scale: no source is credited with words it did not print.

The example site has three articles; the merge's mistakes of attribution
show in an archive where one story is told many times. The benchmark's
generator writes one: each topic runs many events, its spokesmen say the
same formulas of each event's district ("Our teams have been working day and
night in Mizeath"), and the same sentence patterns tell each event's own
places and figures. Every statement here is checked against the words of
every source it credits.
"""

from __future__ import annotations

import pytest

from benchmarks.generate import DOMAINS, generate
from generator.content import load_content
from generator.merge import names_in, words_of
from generator.model import Site
from generator.pipeline import build_site


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Site:
    content = tmp_path_factory.mktemp("archive") / "content"
    generate(content, articles=400, topics=3, outlets=8, seed=11)
    site = build_site(load_content(content))
    # A real archive: many events per topic, each told by many outlets.
    assert all(len(b.statements) > 500 for b in site.briefings)
    return site


def _spoken(text: str) -> str:
    """``text`` as words alone: case, quote marks and punctuation aside."""
    return " ".join(words_of(text))


def _names_but_the_first(text: str) -> set[str]:
    """The names ``text`` gives (``names_in``), its first word aside (capitalised as the first)."""
    first = next(iter(words_of(text)), "")
    return set(names_in(text)) - {first}


def test_every_source_of_a_quote_prints_the_quote_shown(archive: Site) -> None:
    quotes = [s for b in archive.briefings for s in b.statements if s.kind == "quote"]
    shared = [s for s in quotes if len(s.sources) > 1]
    assert len(shared) > 50  # the case is exercised: quotes many outlets printed
    wrong = [
        (statement.text, citation.text)
        for statement in quotes
        for citation in statement.sources
        if _spoken(statement.text) not in _spoken(citation.text)
    ]
    assert not wrong, wrong[:3]


def test_every_source_of_an_event_prints_the_names_shown(archive: Site) -> None:
    events = [e for b in archive.briefings for e in b.timeline]
    shared = [e for e in events if len(e.sources) > 1]
    assert len(shared) > 50
    wrong = [
        (event.text, citation.text)
        for event in shared
        for citation in event.sources
        if not _names_but_the_first(event.text) <= set(words_of(citation.text))
    ]
    assert not wrong, wrong[:3]


COUNTED = {word for domain in DOMAINS for word in (*domain.victims.split(), *domain.cost_unit.split())}
"""The words the generator's figures count ("1968 people", "3,600 containers")."""


def test_no_count_is_shown_as_a_date_disagreement(archive: Site) -> None:
    dates = [d for b in archive.briefings for d in b.disagreements if d.kind == "date"]
    counted = [
        (variant.text, citation.text)
        for disagreement in dates
        for variant in disagreement.variants
        for citation in variant.sources
        if any(f"{variant.text} {word}" in citation.text for word in COUNTED)
    ]
    assert not counted, counted[:3]
