"""Stage 5: one briefing per topic, most widely reported first, in sections."""

from __future__ import annotations

import datetime
import functools
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from generator.briefing import BriefingMemory, build_briefing, coverage
from generator.model import (
    Article,
    Briefing,
    DatedSentence,
    Document,
    Quote,
    Statement,
    Topic,
    TopicAssignment,
)
from tests.helpers import make_article, make_citation, make_document, make_statement, make_topic, site_of

FLOOD = make_topic("flood", keywords=["flood*"])
ARTICLES = tuple(
    make_article("Body.", slug=slug, outlet=outlet, date=datetime.date(2024, 5, day))
    for slug, outlet, day in [("a", "Alpha", 1), ("b", "Beta", 2), ("c", "Gamma", 3), ("d", "Alpha", 4)]
)


def ids(articles: tuple[Article, ...]) -> list[str]:
    return [a.slug for a in articles]


def test_statements_are_ordered_by_number_of_distinct_outlets() -> None:
    one = make_statement("st-one", [make_citation("a", outlet="Alpha", position=0)], ["flood"])
    three = make_statement(
        "st-three",
        [
            make_citation("a", outlet="Alpha", position=90),
            make_citation("b", outlet="Beta", position=90),
            make_citation("c", outlet="Gamma", position=90),
        ],
        ["flood"],
    )
    two = make_statement(
        "st-two",
        [make_citation("a", outlet="Alpha", position=50), make_citation("b", outlet="Beta", position=50)],
        ["flood"],
    )
    briefing = build_briefing(FLOOD, [one, three, two], ARTICLES)
    assert [s.id for s in briefing.statements] == ["st-three", "st-two", "st-one"]


def test_two_articles_of_one_outlet_count_as_one_outlet() -> None:
    same_outlet = make_statement(
        "st-same",
        [make_citation("a", outlet="Alpha", position=0), make_citation("d", outlet="Alpha", position=0)],
        ["flood"],
    )
    two_outlets = make_statement(
        "st-two",
        [make_citation("a", outlet="Alpha", position=80), make_citation("b", outlet="Beta", position=80)],
        ["flood"],
    )
    briefing = build_briefing(FLOOD, [same_outlet, two_outlets], ARTICLES)
    assert [s.id for s in briefing.statements] == ["st-two", "st-same"]


def test_equally_reported_statements_follow_their_position_in_the_articles() -> None:
    late = make_statement("st-a-late", [make_citation("a", outlet="Alpha", position=90)], ["flood"])
    early = make_statement("st-z-early", [make_citation("b", outlet="Beta", position=10)], ["flood"])
    middle = make_statement(
        "st-m-middle",
        [make_citation("c", outlet="Gamma", position=20), make_citation("d", outlet="Alpha", position=60)],
        ["flood"],
    )
    alone = make_statement("st-b-mid", [make_citation("c", outlet="Gamma", position=50)], ["flood"])
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


# --- Sections ---------------------------------------------------------------

LONG = "Rescue teams reached the last flooded villages in the valley on Tuesday."


def fact(
    statement_id: str, outlets: list[tuple[str, str]], position: int = 50, text: str = LONG
) -> Statement:
    """A flood fact reported by (article, outlet) pairs."""
    return make_statement(
        statement_id,
        [make_citation(a, outlet=o, position=position) for a, o in outlets],
        ["flood"],
        text=text,
    )


def sections(briefing: Briefing) -> list[str]:
    """Every statement id in the order the page shows them, section by section."""
    shown = (
        [s.id for s in briefing.lead] + [s.id for s in briefing.key_points] + [s.id for s in briefing.quotes]
    )
    return shown + [s.id for group in briefing.single_outlet for s in group.statements]


def test_lead_prefers_facts_several_outlets_report_and_holds_three_to_five() -> None:
    wide = [fact(f"st-wide-{n}", [("a", "Alpha"), ("b", "Beta")], position=10 * n) for n in range(7)]
    single = [fact(f"st-one-{n}", [("c", "Gamma")], position=10 * n) for n in range(3)]
    briefing = build_briefing(FLOOD, wide + single, ARTICLES)
    assert [s.id for s in briefing.lead] == [f"st-wide-{n}" for n in range(5)]
    few = build_briefing(FLOOD, wide[:1] + single, ARTICLES)
    assert [s.id for s in few.lead] == ["st-wide-0", "st-one-0", "st-one-1"]


def test_a_short_fragment_never_leads() -> None:
    short = fact("st-short", [("a", "Alpha"), ("b", "Beta")], position=0, text="It was raining.")
    full = [fact(f"st-full-{n}", [("c", "Gamma")], position=50) for n in range(3)]
    briefing = build_briefing(FLOOD, [short, *full], ARTICLES)
    assert "st-short" not in [s.id for s in briefing.lead]
    assert "st-short" in [s.id for s in briefing.key_points]


def test_every_statement_is_shown_exactly_once() -> None:
    statements = [
        fact("st-1", [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")]),
        fact("st-2", [("a", "Alpha"), ("b", "Beta")], position=20),
        fact("st-3", [("c", "Gamma")], position=10),
        fact("st-4", [("b", "Beta")], position=30),
        fact("st-5", [("a", "Alpha"), ("d", "Alpha")], position=30),
        fact("st-6", [("a", "Alpha"), ("b", "Beta")], position=90),
        fact("st-7", [("c", "Gamma")], position=95),
        replace(fact("st-q", [("a", "Alpha")]), kind="quote"),
    ]
    briefing = build_briefing(FLOOD, statements, ARTICLES)
    shown = sections(briefing)
    assert sorted(shown) == sorted(s.id for s in statements)
    assert [s.id for s in briefing.quotes] == ["st-q"]
    groups = {g.outlet: [s.id for s in g.statements] for g in briefing.single_outlet}
    assert all(len({o for s in g.statements for o in s.outlets}) == 1 for g in briefing.single_outlet)
    assert "st-5" in groups.get("Alpha", []) or "st-5" in [s.id for s in briefing.lead]


def test_wire_copies_count_as_one_origin() -> None:
    # Beta and Gamma print the same wire story: their agreement is one voice.
    wire = fact("st-wire", [("b", "Beta"), ("c", "Gamma")], position=10)
    independent = fact("st-indep", [("a", "Alpha"), ("b", "Beta")], position=50)
    briefing = build_briefing(FLOOD, [wire, independent], ARTICLES, origin_of={"b": "b", "c": "b"})
    assert [s.id for s in briefing.statements] == ["st-indep", "st-wire"]
    shown_wire = briefing.statements[1]
    assert shown_wire.independent == 1
    assert [[c.outlet for c in copy] for copy in shown_wire.copies] == [["Beta", "Gamma"]]
    assert briefing.statements[0].copies == ()


def test_grouping_by_origin_keeps_everything_else_of_the_statement() -> None:
    from dataclasses import fields

    from generator.briefing import with_origins

    # Every field but ``origins`` is passed on by name: a field added to
    # ``Statement`` must be added there too, or it would be lost here.
    assert [f.name for f in fields(Statement)] == [
        "id",
        "kind",
        "text",
        "speaker",
        "sources",
        "topics",
        "origins",
    ]
    one = replace(fact("st-one", [("a", "Alpha")], position=20), kind="quote", speaker="A. Speaker")
    wire = fact("st-wire", [("b", "Beta"), ("c", "Gamma"), ("a", "Alpha")], position=10)
    for statement, origins in ((one, (("a",),)), (wire, (("b", "c"), ("a",)))):
        grouped = with_origins(statement, {"b": "b", "c": "b"})
        assert grouped.origins == origins
        assert replace(grouped, origins=()) == statement


def test_one_outlets_own_articles_do_not_corroborate_each_other() -> None:
    repeated = fact("st-rep", [("a", "Alpha"), ("d", "Alpha")], position=0)
    briefing = build_briefing(FLOOD, [repeated], ARTICLES)
    assert briefing.statements[0].independent == 1
    assert briefing.statements[0].copies == ()


def test_updates_mark_what_the_latest_article_date_added() -> None:
    old = fact("st-old", [("a", "Alpha")])
    old_then_new = make_statement(
        "st-both",
        [
            make_citation("a", outlet="Alpha", date=datetime.date(2024, 5, 1)),
            make_citation("c", outlet="Gamma", date=datetime.date(2024, 5, 3)),
        ],
        ["flood"],
        text=LONG,
    )
    new = make_statement(
        "st-new", [make_citation("c", outlet="Gamma", date=datetime.date(2024, 5, 3))], ["flood"], text=LONG
    )
    old = replace(old, sources=(make_citation("a", outlet="Alpha", date=datetime.date(2024, 5, 1)),))
    briefing = build_briefing(FLOOD, [old, old_then_new, new], ARTICLES)
    assert [u.date for u in briefing.updates] == [datetime.date(2024, 5, 3), datetime.date(2024, 5, 1)]
    assert [s.id for s in briefing.updates[0].statements] == ["st-new"]
    assert briefing.new_since == datetime.date(2024, 5, 1)
    assert [s.id for s in briefing.statements if briefing.is_new(s)] == ["st-new"]


def test_one_date_means_nothing_is_marked_new() -> None:
    briefing = build_briefing(FLOOD, [fact("st-a", [("a", "Alpha")])], ARTICLES)
    assert briefing.new_since is None
    assert not briefing.is_new(briefing.statements[0])


def test_sources_count_the_sentences_the_briefing_uses() -> None:
    statements = [
        make_statement("st-1", [make_citation("a", outlet="Alpha", sentence="p1s1")], ["flood"]),
        make_statement("st-2", [make_citation("a", outlet="Alpha", sentence="p2s1")], ["flood"]),
        make_statement(
            "st-3",
            [make_citation("a", outlet="Alpha", sentence="p1s1"), make_citation("b", outlet="Beta")],
            ["flood", "other"],
        ),
    ]
    briefing = build_briefing(FLOOD, statements, ARTICLES)
    assert [(u.article.slug, u.sentences) for u in briefing.sources] == [("a", 2), ("b", 1)]


def test_coverage_counts_statements_per_topic_and_outlet() -> None:
    election = make_topic("election", keywords=["vote"])
    statements = [
        fact("st-1", [("a", "Alpha"), ("b", "Beta")]),
        fact("st-2", [("a", "Alpha")]),
        replace(fact("st-3", [("c", "Gamma")]), topics=frozenset({"election"})),
    ]
    briefings = [build_briefing(t, statements, ARTICLES) for t in (FLOOD, election)]
    table = coverage(briefings)
    assert table.outlets == ("Alpha", "Beta", "Gamma")
    assert table.count("flood", "Alpha") == 2 and table.count("flood", "Beta") == 1
    assert table.count("flood", "Gamma") == 0 and table.count("election", "Gamma") == 1
    assert table.level("flood", "Alpha") == 4
    assert table.level("flood", "Gamma") == 0
    assert 0 < table.level("flood", "Beta") < 4


@dataclass(frozen=True)
class _Archive:
    """A generated archive merged as the pipeline merges it (``_merged_archive``)."""

    topics: tuple[Topic, ...]
    documents: tuple[Document, ...]
    assignment: TopicAssignment
    quotes: tuple[Quote, ...]
    dated: tuple[DatedSentence, ...]
    statements: tuple[Statement, ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(d.article for d in self.documents)


@functools.cache
def _merged_archive() -> _Archive:
    """60 generated articles over 5 topics, segmented, assigned and merged."""
    from benchmarks.generate import generate
    from generator.content import load_content
    from generator.segment import segment

    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), articles=60, topics=5, outlets=6, seed=11)
        content = load_content(Path(folder))
    return _merged(tuple(segment(article) for article in content.articles), tuple(content.topics))


def _merged(documents: tuple[Document, ...], topics: tuple[Topic, ...]) -> _Archive:
    """``documents`` assigned ``topics`` and merged, as the pipeline merges them."""
    from generator.merge import merge_statements
    from generator.pipeline import read_one_article
    from generator.topics import assign_topics

    assignment = assign_topics(documents, topics)
    findings = [read_one_article(d) for d in documents]
    quotes = tuple(q for f in findings for q in f.quotes)
    dated = tuple(d for f in findings for d in f.dates)
    statements = tuple(merge_statements(documents, assignment, quotes))
    return _Archive(topics, documents, assignment, quotes, dated, statements)


def test_all_briefings_at_once_are_each_topic_built_from_the_whole_archive() -> None:
    """``build_briefings`` hands each topic only its own statements and dates:
    an optimisation, so it must give exactly what ``build_briefing`` gives
    from everything (statements in two topics, dates, wire copies)."""
    from generator.briefing import build_briefings
    from generator.wire import find_wire_copies, origin_of

    archive = _merged_archive()
    statements, articles, dated = archive.statements, archive.articles, archive.dated
    origins = origin_of(find_wire_copies(archive.documents))
    assert sum(len(s.topics) > 1 for s in statements) and dated  # the case is exercised
    one_by_one = tuple(build_briefing(t, statements, articles, origins, dated) for t in archive.topics)
    assert build_briefings(archive.topics, statements, articles, origins, dated) == one_by_one
    assert all(b.timeline for b in one_by_one)


def test_people_and_disagreements_added_after_make_the_same_briefings() -> None:
    """The build makes the briefings while the people and disagreements are
    still being found, and adds them after: the briefings must be those
    built with them from the start."""
    from generator.briefing import build_briefings, with_people_and_disagreements
    from generator.disagree import find_disagreements
    from generator.people import find_people

    archive = _merged_archive()
    people = find_people(archive.documents, archive.quotes, archive.assignment)
    disagreements = find_disagreements(archive.documents, archive.assignment, people)
    shared = (archive.topics, archive.statements, archive.articles, None, archive.dated)
    at_once = build_briefings(*shared, people=people, disagreements=disagreements)
    assert any(b.people for b in at_once) and any(b.disagreements for b in at_once)  # exercised
    assert sum(len(d.topics) > 1 for d in disagreements) or sum(len(e.topics) > 1 for e in people)
    later = build_briefings(*shared)
    assert with_people_and_disagreements(later, people, disagreements) == at_once


def test_a_briefings_sections_are_made_again_from_its_statements_and_articles_alone() -> None:
    """A topic page's key leaves out the sections made of the briefing's
    statements and articles (``page_cache.DERIVED``), as it holds those: each
    briefing a build makes must have exactly the sections
    ``briefing_sections`` makes again from them, or an edit could leave a
    page showing old sections."""
    from generator.briefing import Sections, briefing_sections, build_briefings
    from generator.page_cache import DERIVED, digest
    from generator.wire import find_wire_copies, origin_of

    archive = _merged_archive()
    origins = origin_of(find_wire_copies(archive.documents))
    briefings = build_briefings(archive.topics, archive.statements, archive.articles, origins, archive.dated)
    assert DERIVED[Briefing] == Sections.__required_keys__
    for briefing in briefings:
        made = briefing_sections(briefing.statements, briefing.articles)
        assert made == {name: getattr(briefing, name) for name in Sections.__required_keys__}
    shown = [b for b in briefings if b.lead and b.single_outlet and b.updates and b.new_since]
    assert shown  # every section exercised
    # The sections are left out of its digest; what they are made of is not.
    briefing = shown[0]
    assert digest(replace(briefing, lead=(), single_outlet=(), updates=())) == digest(briefing)
    assert digest(replace(briefing, statements=briefing.statements[1:])) != digest(briefing)
    assert digest(replace(briefing, articles=briefing.articles[1:])) != digest(briefing)


def _briefings_of(
    archive: _Archive, memory: BriefingMemory | None = None, origins: dict[str, str] | None = None
) -> tuple[Briefing, ...]:
    """The briefings of ``archive`` as a build makes them, with its wire
    copies (``origins``: each article's wire story, if not those found)."""
    from generator.briefing import build_briefings
    from generator.wire import find_wire_copies, origin_of

    if origins is None:
        origins = origin_of(find_wire_copies(archive.documents))
    return build_briefings(
        archive.topics, archive.statements, archive.articles, origins, archive.dated, memory=memory
    )


def _edited(archive: _Archive, number: int, article: Article) -> tuple[Document, ...]:
    """``archive``'s documents, ``article`` segmented in place of the ``number``-th."""
    from generator.segment import segment

    documents = list(archive.documents)
    documents[number] = segment(article)
    return tuple(documents)


def test_briefings_kept_from_the_last_build_are_those_the_build_would_make() -> None:
    """A build takes over the last build's briefing of each topic made from
    the same statements, sources and articles (``BriefingMemory``), and makes
    the others: whatever changed, the briefings must be those made from
    nothing. Each change below changes some briefings and not others, so
    both ways are taken."""
    archive = _merged_archive()
    cited = Counter(a.slug for b in _briefings_of(archive) for a in b.articles)
    # An article cited by some topics and not all: its changes reach only those.
    number = next(
        n for n, d in enumerate(archive.documents) if 0 < cited[d.article.slug] < len(archive.topics)
    )
    article = archive.documents[number].article
    first_words = article.body.split(".")[0]
    changes = {
        "its text": _merged(
            _edited(archive, number, replace(article, body=article.body.replace(first_words, "Nothing"))),
            archive.topics,
        ),
        "its date": _merged(
            _edited(archive, number, replace(article, date=article.date - datetime.timedelta(days=40))),
            archive.topics,
        ),
        "its title only": _merged(
            _edited(archive, number, replace(article, title="Another title")), archive.topics
        ),
        "its removal": _merged(archive.documents[:number] + archive.documents[number + 1 :], archive.topics),
    }
    memory = BriefingMemory()
    assert _briefings_of(archive, memory) == _briefings_of(archive)
    assert (memory.taken_over, memory.made) == (0, len(archive.topics))
    assert _briefings_of(archive, memory) == _briefings_of(archive)
    assert (memory.taken_over, memory.made) == (len(archive.topics), 0), "nothing changed: all taken over"
    for change, changed in changes.items():
        assert _briefings_of(changed, memory) == _briefings_of(changed), change
        assert 0 < memory.made < len(archive.topics), change
        assert _briefings_of(archive, memory) == _briefings_of(archive), f"{change}, undone"
    # Wire copies (two articles of other outlets found to be one story) group
    # a statement's sources by origin, which ranks it.
    carried = next(s for s in archive.statements if len(s.topics) == 1 and len(s.outlets) > 1)
    copies = {carried.sources[0].article: "wire", carried.sources_from(carried.outlets[1])[0].article: "wire"}
    assert (
        _briefings_of(archive, memory, copies)
        == _briefings_of(archive, None, copies)
        != _briefings_of(archive)
    )
    assert 0 < memory.made < len(archive.topics), "the topics of the statements of both articles"
    # Another topic's rules change which sentences are in every topic.
    topics = (replace(archive.topics[0], keywords=(*archive.topics[0].keywords, "said")), *archive.topics[1:])
    renamed = _merged(archive.documents, topics)
    assert _briefings_of(renamed, memory) == _briefings_of(renamed)
    assert memory.made == len(topics)


def test_a_briefing_taken_over_holds_the_builds_own_statements_and_citations() -> None:
    """A statement of several topics is one object in all their briefings, as
    when they are all made (the pages' keys read each once, and memory holds
    it once), and a timeline's events cite its statements' very citations."""
    archive = _merged_archive()
    memory = BriefingMemory()
    _briefings_of(archive, memory)
    briefings = _briefings_of(archive, memory)
    assert memory.taken_over == len(archive.topics)
    objects: dict[str, set[int]] = {}
    for briefing in briefings:
        for statement in (*briefing.statements, *briefing.lead, *briefing.key_points, *briefing.quotes):
            objects.setdefault(statement.id, set()).add(id(statement))
    assert sum(len(b.statements) for b in briefings) > len(objects)  # statements in several topics
    assert all(len(found) == 1 for found in objects.values())
    citations = {id(c) for b in briefings for s in b.statements for c in s.sources}
    events = [c for b in briefings for e in b.timeline for c in e.sources]
    assert events and all(id(c) in citations for c in events)


def test_a_damaged_briefings_cache_costs_only_time(tmp_path: Path) -> None:
    archive = _merged_archive()
    path = tmp_path / "briefings.pickle"
    path.write_bytes(b"not a pickle")
    memory = BriefingMemory.load(path)
    assert _briefings_of(archive, memory) == _briefings_of(archive) and memory.made == len(archive.topics)
    kept = BriefingMemory.load(path)
    assert len(kept.held) == len(archive.topics)
    # A briefing whose digest matches but whose bytes are damaged is made again.
    kept.held = {
        slug: (digest, pickled[: len(pickled) // 2]) for slug, (digest, pickled) in kept.held.items()
    }
    kept.path = None
    assert _briefings_of(archive, kept) == _briefings_of(archive) and kept.made == len(archive.topics)


def test_statements_that_share_an_id_are_never_taken_for_one_another() -> None:
    """A kept briefing refers to its statements by id, which a merge makes
    unique; briefings of statements from elsewhere that share one must
    each still hold its own statement: made, not taken over."""
    from generator.briefing import build_briefings

    election = make_topic("election", keywords=["vote*"])
    flood = make_statement("st-same", [make_citation("a", outlet="Alpha")], ["flood"], text="Floods rose.")
    vote = make_statement("st-same", [make_citation("b", outlet="Beta")], ["election"], text="Votes came.")
    topics, statements = (FLOOD, election), [flood, vote]
    memory = BriefingMemory()
    made = build_briefings(topics, statements, ARTICLES, memory=memory)
    taken = build_briefings(topics, statements, ARTICLES, memory=memory)
    assert memory.taken_over == 0
    assert taken == made == build_briefings(topics, statements, ARTICLES)
    assert [s.text for b in taken for s in b.statements] == ["Floods rose.", "Votes came."]
