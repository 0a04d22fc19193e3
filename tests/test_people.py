"""People and organisations: who is named, each outlet's spelling, each outlet's role."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from generator import people as people_module
from generator.content import load_content
from generator.model import Document, Entity, Sentence
from generator.people import (
    ClueMemory,
    MentionMemory,
    NameClues,
    entity_named,
    find_people,
    name_clues,
    roles_of,
)
from generator.quotes import find_quotes
from generator.segment import segment
from generator.topics import assign_topics
from tests.helpers import make_document, make_topic

HARBOUR = make_topic("harbour", keywords=["harbour", "port", "ship*"])
STORM = make_topic("storm", keywords=["storm", "wind*"])


def people(*bodies: str, outlets: Sequence[str] | None = None) -> tuple[Entity, ...]:
    documents = documents_of(*bodies, outlets=outlets)
    return people_of(documents)


def documents_of(*bodies: str, outlets: Sequence[str] | None = None) -> list[Document]:
    names = outlets or [f"Outlet {chr(65 + i)}" for i in range(len(bodies))]
    return [
        make_document(body, slug=f"story-{i}", outlet=outlet)
        for i, (body, outlet) in enumerate(zip(bodies, names, strict=True))
    ]


def people_of(documents: Sequence[Document]) -> tuple[Entity, ...]:
    quotes = [q for d in documents for q in find_quotes(d)]
    return find_people(documents, quotes, assign_topics(documents, (HARBOUR, STORM)))


def named(entities: Sequence[Entity], name: str) -> Entity:
    found = [e for e in entities if e.name == name]
    assert len(found) == 1, [e.name for e in entities]
    return found[0]


def names(entities: Sequence[Entity], kind: str) -> set[str]:
    return {e.name for e in entities if e.kind == kind}


# --- spellings ------------------------------------------------------------------------------------


def test_two_spellings_of_one_person_are_one_entity_with_each_outlet() -> None:
    entities = people(
        "Port director Olena Kovalenko said the harbour would reopen on Friday.",
        "Olenna Kovalenko said the harbour would stay shut for a week.",
        "Ships queued outside the harbour, Olena Kovalenko told reporters.",
    )
    person = named(entities, "Olena Kovalenko")
    assert person.kind == "person"
    assert {v.text: v.outlets for v in person.variants} == {
        "Olena Kovalenko": ("Outlet A", "Outlet C"),
        "Olenna Kovalenko": ("Outlet B",),
    }
    assert person.outlets == ("Outlet A", "Outlet B", "Outlet C")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Daniel Okafor", "Daniel Okonkwo"),  # same given name, another surname
        ("Daniel Okafor", "Samuel Okafor"),  # same surname, given names far apart
    ],
)
def test_different_people_stay_apart(first: str, second: str) -> None:
    entities = people(f"{first} said the storm had passed.", f"{second} said the winds were easing.")
    assert {first, second} <= names(entities, "person")


def test_a_surname_alone_counts_for_the_full_name_and_is_not_a_spelling() -> None:
    entities = people(
        "Harbour master Tomas Berg said the port was closed. Mr Berg added that ships would wait.",
        "Berg said the storm had damaged two cranes at the port.",
    )
    person = named(entities, "Tomas Berg")
    assert [v.text for v in person.variants] == ["Tomas Berg"]
    assert person.outlets == ("Outlet A", "Outlet B")
    assert "Berg" not in names(entities, "person")


# --- roles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "role"),
    [
        ("Transport Minister Ana Lima said the port would reopen.", "Transport Minister"),
        ("transport minister Ana Lima said the port would reopen.", "transport minister"),
        ("Ana Lima, the mayor of Porto Azul, said the port would reopen.", "mayor of Porto Azul"),
        ("Ana Lima, who is a senator for the coast, said the port would reopen.", "senator for the coast"),
        ("Former Senator Ana Lima said the port would reopen.", "Former Senator"),
        ("Reporters described Ana Lima as a witness to the storm.", "witness to the storm"),
    ],
)
def test_role_by_title_apposition_and_relative_clause(body: str, role: str) -> None:
    person = named(people(body), "Ana Lima")
    assert [r.text for r in person.roles] == [role]
    assert person.roles[0].sources[0].text == body


def test_roles_per_outlet_and_the_helper_for_the_quotes_section() -> None:
    entities = people(
        '"We will reopen the harbour," Transport Minister Ana Lima said.',
        'Ana Lima, the port authority chief, said: "We will reopen the harbour."',
        '"We will reopen the harbour," transport minister Ana Lima said.',
    )
    expected = {
        "Outlet A": ("Transport Minister",),
        "Outlet B": ("port authority chief",),
        "Outlet C": ("Transport Minister",),  # the same title, whatever its case
    }
    assert roles_of(entities, "Ana Lima") == expected
    assert roles_of(entities, "Lima") == expected  # a surname alone, when only one person has it
    assert roles_of(entities, "Nobody Here") == {}
    assert entity_named(entities, "Ana Lima") is named(entities, "Ana Lima")


def test_honorifics_are_not_roles() -> None:
    person = named(people("Mrs Ana Lima said the harbour had flooded."), "Ana Lima")
    assert person.roles == ()


def test_a_role_is_credited_only_to_the_outlet_that_gives_it() -> None:
    entities = people("Mayor Ana Lima said the port was shut.", "Ana Lima said the port was shut.")
    person = named(entities, "Ana Lima")
    assert person.roles_by_outlet() == {"Outlet A": ("Mayor",)}
    assert person.outlets == ("Outlet A", "Outlet B")


# --- what is not a person -------------------------------------------------------------------------


def test_countries_places_and_sentence_openers_are_not_people() -> None:
    entities = people(
        "Kenya said it would send ships. Winds hit homes in Santa Cruz on Monday. "
        "Santa Cruz said the storm was the worst in years.",
        "Earlier Ana Lima said the storm would pass. The storm came earlier than expected.",
    )
    assert names(entities, "person") == {"Ana Lima"}


def test_no_evidence_no_entity() -> None:
    # A capitalised run with nothing to say what it is: left out rather than guessed.
    assert people("The Blue Lagoon was closed to ships during the storm.") == ()


# --- organisations --------------------------------------------------------------------------------


def test_organisations_by_head_noun_group_noun_and_acronym() -> None:
    entities = people(
        "The Red Crescent Society sent boats to the harbour. NATO ships stayed in port. "
        "The Shining Path group denied any role. The US and the UK sent ships. Local MPs met.",
    )
    assert names(entities, "organisation") == {"Red Crescent Society", "NATO", "Shining Path group"}
    assert names(entities, "person") == set()


def test_organisation_spellings_group_and_keep_their_outlets() -> None:
    entities = people(
        "The Ministry of Defence said the harbour was secure.",
        "The Ministry of Defense said the port was secure.",
        "The Ministry of Health said the port clinic was open.",
    )
    defence = named(entities, "Ministry of Defence")
    assert {v.text: v.outlets for v in defence.variants} == {
        "Ministry of Defence": ("Outlet A",),
        "Ministry of Defense": ("Outlet B",),
    }
    assert "Ministry of Health" in names(entities, "organisation")


def test_organisation_with_and_without_its_generic_head() -> None:
    entities = people(
        "The Tide Runners group claimed the attack on the port. Tide Runners has denied it before.",
        "Police blamed the Tide Runners Group for the attack on the harbour.",
    )
    group = named(entities, "Tide Runners group")  # the earlier spelling, when as widespread
    assert {v.text for v in group.variants} == {"Tide Runners group", "Tide Runners Group"}
    assert group.outlets == ("Outlet A", "Outlet B")


def test_an_organisation_name_does_not_swallow_a_date() -> None:
    entities = people("The Port Council in March voted to close the harbour.")
    assert names(entities, "organisation") == {"Port Council"}


# --- citations and topics -------------------------------------------------------------------------


def test_every_spelling_and_role_stands_in_its_cited_sentence() -> None:
    documents = documents_of(
        "Port director Olena Kovalenko said the harbour would reopen. The storm hit the Red Crescent "
        "Society depot. Kovalenko, the director of the port, added that ships would wait.",
        "Olenna Kovalenko, a harbour official, said ships were safe. The Red Crescent Society helped.",
    )
    for entity in people_of(documents):
        for variant in entity.variants:
            for source in variant.sources:
                assert variant.text in source.text
        for role in entity.roles:
            for source in role.sources:
                assert role.text.lower() in source.text.lower()
        assert entity.mentions, entity.name


def test_topics_come_from_the_sentences_that_name_the_entity() -> None:
    entities = people("Harbour master Tomas Berg said the port was closed. The storm passed at night.")
    assert named(entities, "Tomas Berg").topics == frozenset({"harbour"})


def test_order_of_documents_does_not_change_the_result() -> None:
    bodies = (
        "Port director Olena Kovalenko said the harbour would reopen.",
        "Olenna Kovalenko, a harbour official, said ships were safe.",
        "The Red Crescent Society sent boats. Mayor Ana Lima thanked them.",
    )
    documents = documents_of(*bodies)
    assert people_of(documents) == people_of(list(reversed(documents)))


def test_an_institution_that_speaks_is_an_organisation_and_a_country_is_neither() -> None:
    entities = people(
        "The Coastal Rescue Trust said ships were safe. The Netherlands said it would send a ship.",
        "The Philippines said the storm had passed. The Coastal Rescue Trust said the port was open.",
    )
    assert names(entities, "organisation") == {"Coastal Rescue Trust"}
    assert names(entities, "person") == set()


def test_a_surname_two_people_share_is_credited_to_neither() -> None:
    entities = people(
        "Harbour master Tomas Berg said the port was closed. Anna Berg, a pilot, said ships would wait.",
        "Berg said the storm had damaged two cranes at the port.",
    )
    assert named(entities, "Tomas Berg").outlets == ("Outlet A",)
    assert named(entities, "Anna Berg").outlets == ("Outlet A",)


def test_a_surname_inside_another_name_is_not_a_mention() -> None:
    entities = people(
        "Mayor Helen Park said the storm had passed.",
        "Ships sheltered near Ocean Park during the storm.",
    )
    assert named(entities, "Helen Park").outlets == ("Outlet A",)


def test_an_acronym_groups_with_the_one_name_it_abbreviates() -> None:
    entities = people(
        "The North Atlantic Treaty Organization sent ships to the port.",
        "NATO ships reached the harbour. The National Harbour Authority opened the port.",
        "NHA staff and NATO crews worked through the storm. The New Hope Association helped.",
    )
    nato = named(entities, "NATO")  # the spelling most outlets use
    assert {v.text: v.outlets for v in nato.variants} == {
        "North Atlantic Treaty Organization": ("Outlet A",),
        "NATO": ("Outlet B", "Outlet C"),
    }
    # "NHA" could be either of two names: it stays on its own.
    assert {"NHA", "National Harbour Authority", "New Hope Association"} <= names(entities, "organisation")


@pytest.mark.parametrize(
    "form",
    ["Putin", "O'Brien", "al-Bashir", "U.N.", "Mary Robinson", "Robinson", "de Gaulle", "Ruto", "Park"],
)
def test_the_sentences_looked_at_for_a_name_include_every_one_that_names_it(
    form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names are looked up in an index of capitalised words, not by scanning
    every sentence: the index must never lose a sentence where the name
    stands whole (possessive, apostrophe, hyphen, initials, a lower-case
    particle), or that person would lose sources."""
    from generator.people import _Corpus, _corpus, _find_all

    texts = [
        "Putin's envoy arrived.",
        "Later Putin spoke.",
        "Mr O'Brien and O'Briens differ.",
        "The court heard al-Bashir, not al-Bashirs.",
        "The U.N. said so, and the U.N.-backed force too.",
        "Mary Robinson met fans; Robinson said so.",
        "General de Gaulle and de Gaulle's heirs.",
        "President Ruto; Ruto-led talks; Rutong.",
        "Mr Park spoke at Parkside, not in National Park.",
        "Nobody here.",
    ]
    corpus = _corpus([make_document(" ".join(texts), slug="names")])
    found = _find_all(corpus, {form})
    assert found  # every form above stands whole somewhere
    monkeypatch.setattr(_Corpus, "holding", lambda self, _: set(range(len(self.sentences))))
    assert found == _find_all(corpus, {form})  # as if every sentence were looked at


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZzÉéßΣσǅ²9_-' .", min_size=1, max_size=30), min_size=1, max_size=6))
def test_the_index_of_capitalised_words_holds_every_run_that_opens_with_a_capital(
    texts: list[str],
) -> None:
    # The index decides which sentences are looked at for a name: it must list,
    # for each run of word characters and hyphens opening with a capital letter,
    # every sentence holding it, and nothing else.
    from generator.people import _WORD_RUN, _corpus

    corpus = _corpus([make_document(f"{text}.", slug=f"doc-{n}") for n, text in enumerate(texts)])
    expected: dict[str, list[int]] = {}
    for position, (_, sentence) in enumerate(corpus.sentences):
        for word in dict.fromkeys(_WORD_RUN.findall(sentence.text)):
            if word[0].isupper():
                expected.setdefault(word, []).append(position)
    assert {word: list(places) for word, places in corpus.capitalised.items()} == expected


# --- names kept between builds ---------------------------------------------------------------------


def _people_from(content_folder: Path, memory: MentionMemory | None = None) -> tuple[Entity, ...]:
    content = load_content(content_folder)
    documents = [segment(article) for article in content.articles]
    quotes = [q for d in documents for q in find_quotes(d)]
    return find_people(documents, quotes, assign_topics(documents, content.topics), memory)


def test_names_kept_from_the_last_build_give_the_people_a_fresh_search_gives(tmp_path: Path) -> None:
    """Edit after edit, including edits that make a surname a place or a word
    of a name a lower-case word, find_people with the last build's names
    finds what it finds from nothing, and after a one-sentence edit reads
    only the sentences of the edited article again."""
    content = tmp_path / "content"
    generate(content, articles=40, topics=3, outlets=5, seed=4)
    articles = sorted((content / "articles").glob("*.md"))
    first = _people_from(content)
    texts = "\n".join(path.read_text(encoding="utf-8") for path in articles)
    # A person whose full name opens a sentence: "Bela Mibark told reporters: …"
    person = next(e for e in first if e.kind == "person" and f"\n{e.name} told" in texts)
    given = person.name.split()[0]

    def append(path: Path, text: str) -> Callable[[], object]:
        return lambda: path.write_text(path.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")

    edits = [
        ("a sentence added", append(articles[5], "Six ferries stayed in port on the coast.")),
        ("a given name printed in lower case", append(articles[11], f"It was a {given.lower()} affair.")),
        ("a name made a place", append(articles[9], f"Aid convoys arrived in {person.name} overnight.")),
        ("an article deleted", lambda: articles[20].unlink()),
    ]
    path = tmp_path / "people-names.pickle"
    _people_from(content, MentionMemory.load(path))
    read: list[str] = []
    original = people_module._mentions_in

    def counted(document: int, sentence: Sentence, *rest: Any) -> list[Any]:
        read.append(sentence.key)
        return original(document, sentence, *rest)

    for name, edit in edits:
        edit()
        read.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(people_module, "_mentions_in", counted)
            remembered = _people_from(content, MentionMemory.load(path))
        assert remembered == _people_from(content), name
        if name == "a sentence added":
            assert read and {key.split("#")[0] for key in read} == {articles[5].stem}, read
    assert remembered != first


def test_name_clues_counted_between_builds_are_those_of_the_articles_there_now(tmp_path: Path) -> None:
    """The build joins the articles' name clues from counts kept since the
    last build, reading only the articles that came or went: edit after
    edit (an article changed, deleted, added back, two copies of one), the
    clues are those of the articles there now, joined from nothing, and a
    word or place no article has any longer is gone."""
    content = tmp_path / "content"
    generate(content, articles=30, topics=3, outlets=5, seed=6)
    documents = [segment(article) for article in load_content(content).articles]
    lone = make_document("Troops arrived in Zorvath overnight, oddly.", slug="lone", outlet="Lone Outlet")
    changed = make_document("Troops arrived in Quendral overnight.", slug="lone", outlet="Lone Outlet")
    path = tmp_path / "name-clues.pickle"
    read: list[int] = []

    def joined(chosen: Sequence[Document]) -> NameClues:
        clues = {f"{d.article.slug}:{d.sentences[0].text}": pickle.dumps(name_clues(d)) for d in chosen}
        memory = ClueMemory.load(path)
        read.append(
            sum(key not in memory.clues for key in clues) + sum(key not in clues for key in memory.clues)
        )
        found = memory.joined(clues)
        assert found == NameClues.joined(map(name_clues, chosen))
        return found

    builds = [
        documents,
        [*documents, lone],
        [*documents, changed],
        documents[1:],
        [*documents, documents[0]],
    ]
    found = [joined(chosen) for chosen in builds]
    assert "zorvath" not in found[1].lowercase and "Zorvath" in found[1].places  # the case is exercised
    assert "oddly" in found[1].lowercase and "oddly" not in found[2].lowercase
    assert "Zorvath" not in found[2].places and "Quendral" in found[2].places
    assert read == [30, 1, 2, 2, 1]  # only the articles that came or went
    assert ClueMemory().joined({}) == NameClues(frozenset(), frozenset())


def _people_remembered(documents: Sequence[Document], memory: MentionMemory) -> tuple[Entity, ...]:
    quotes = [q for d in documents for q in find_quotes(d)]
    return find_people(documents, quotes, assign_topics(documents, (HARBOUR, STORM)), memory)


@pytest.mark.parametrize(
    "added",
    ["It was, some said, a mibark affair.", "Aid convoys arrived in Mibark overnight."],
    ids=["the name printed in lower case", "the name made a place"],
)
def test_names_kept_from_the_last_build_see_a_word_another_article_changed(added: str) -> None:
    # The mayor is named by a title and surname alone. When another article
    # prints that surname in lower case, or as a place, it is no longer taken
    # for a name in A and B either, though they did not change.
    said = make_document("Mayor Mibark said the harbour would reopen on Monday.", slug="a", outlet="Outlet A")
    visited = make_document("The harbour was visited by Mayor Mibark on Sunday.", slug="b", outlet="Outlet B")
    before = make_document("The storm closed the harbour.", slug="c", outlet="Outlet C")
    after = make_document(f"The storm closed the harbour. {added}", slug="c", outlet="Outlet C")
    memory = MentionMemory()
    assert [e.name for e in _people_remembered([said, visited, before], memory)] == ["Mibark"]
    remembered = _people_remembered([said, visited, after], memory)
    assert remembered == people_of([said, visited, after]) == ()
