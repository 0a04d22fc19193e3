"""Stage 6: dated events, resolved against the article's date, one entry per event with every source."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import Citation, Document, Event, Site, Statement, Topic
from generator.timeline import build_timeline, dates_in, find_dates, is_furniture
from tests.helpers import make_citation, make_document, make_statement, make_topic, site_of

MONDAY = datetime.date(2024, 9, 16)
"""A Monday; the Sunday before is 15 September, the Friday after 20 September."""
WEDNESDAY = datetime.date(2024, 9, 18)


def resolved(text: str, published: datetime.date = WEDNESDAY) -> list[tuple[str, str]]:
    """(date, precision) of every date ``text`` gives, published on ``published``."""
    return [(d.date, d.precision) for d in dates_in(text, published)]


def expressions(text: str, published: datetime.date = WEDNESDAY) -> list[str]:
    return [d.expression for d in dates_in(text, published)]


# --- absolute dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Floods swept through Sindh on 14 August 2022, officials said.", ("2022-08-14", "day")),
        ("Floods swept through Sindh on August 14, 2022.", ("2022-08-14", "day")),
        ("Floods swept through Sindh on Aug. 14, 2022.", ("2022-08-14", "day")),
        ("The 14th of August 2022 was the worst day.", ("2022-08-14", "day")),
        ("The commission was set up on 2022-08-14 by decree.", ("2022-08-14", "day")),
        ("The dam was completed in December 2020 after years of delay.", ("2020-12", "month")),
        ("The electoral commission was reformed in June 2022.", ("2022-06", "month")),
        ("Kenya last held a general election in 2017.", ("2017", "year")),
        ("Rains have battered the province since 2019.", ("2019", "year")),
        ("The levee was rebuilt in mid-2021 at great cost.", ("2021", "year")),
        ("The country has not recovered from the 2010 flood.", ("2010", "year")),
    ],
)
def test_absolute_dates_with_their_precision(text: str, expected: tuple[str, str]) -> None:
    assert resolved(text) == [expected]


def test_the_expression_is_kept_as_written_with_its_offset() -> None:
    text = "Britain's navy sailed on 3 March 2021 for the Gulf."
    [found] = dates_in(text, WEDNESDAY)
    assert found.expression == "3 March 2021"
    assert text[found.start : found.start + len(found.expression)] == found.expression


@pytest.mark.parametrize(
    "text",
    [
        "Officials may extend the state of emergency.",  # "may" is a verb
        "Protesters march on parliament every week.",  # so is "march"
        "The army sent 2000 troops to the delta.",  # a count, not a year
        "The 2000 troops reached the delta.",
        "Deaths rose 40% in the 2010s.",  # a decade
        "The relief effort will last for the next six months.",  # a span, not a date
        "Two coups in three years have shaken the country.",
        "Schools will stay closed until further notice.",
    ],
)
def test_words_that_are_no_dates(text: str) -> None:
    assert resolved(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Schools will stay closed until 14 October 2024.",
        "The government wants the dam finished by 2030.",
        "The rebels had withdrawn before December 2020.",
    ],
)
def test_a_bound_is_not_the_date_of_an_event(text: str) -> None:
    assert resolved(text) == []


def test_a_range_gives_when_it_began() -> None:
    assert resolved("Rains fell from 3 September 2024 to 9 September 2024.") == [("2024-09-03", "day")]


@pytest.mark.parametrize(
    "text",
    [
        "The vote came two days before Monday's deadline.",
        "Aid arrived a week after June 2022.",
        "The talks collapsed three days after the 2020 election.",
    ],
)
def test_a_date_counted_from_a_date_that_is_not_a_day_is_left_out(text: str) -> None:
    assert resolved(text, MONDAY) == []


def test_a_name_like_a_month_is_no_date() -> None:
    assert resolved("Two ministers in May's cabinet resigned.") == []


# --- relative dates ----------------------------------------------------------------------------


def test_a_weekday_in_the_past_is_the_most_recent_one_on_or_before_the_article_date() -> None:
    assert resolved("The river burst its banks on Sunday.", MONDAY) == [("2024-09-15", "day")]
    assert resolved("The river burst its banks on Monday.", MONDAY) == [("2024-09-16", "day")]
    assert resolved("Kenya's president announced Monday that he would resign.", MONDAY) == [
        ("2024-09-16", "day")
    ]
    assert resolved("The river burst its banks on Tuesday.", MONDAY) == [("2024-09-10", "day")]
    assert resolved("The river burst its banks last Monday.", MONDAY) == [("2024-09-09", "day")]


def test_a_weekday_in_the_future_is_the_next_one_after_the_article_date() -> None:
    assert resolved("The electoral commission will publish the results on Friday.", MONDAY) == [
        ("2024-09-20", "day")
    ]
    assert resolved("Voters are due to go to the polls on Thursday.", MONDAY) == [("2024-09-19", "day")]
    # the nearest verb decides: "said" is past, the date is when it was said
    assert resolved("Officials said on Sunday that the count will take a week.", MONDAY) == [
        ("2024-09-15", "day")
    ]


def test_ambiguous_weekdays_are_left_out() -> None:
    assert resolved("The commission will meet on Monday.", MONDAY) == []  # today, or in a week?
    assert resolved("The results are expected next Friday.", MONDAY) == []  # this Friday or the next?


def test_a_weekday_in_a_name_is_no_date() -> None:
    assert resolved("Thousands marched to remember Bloody Sunday.", MONDAY) == []
    assert resolved("The Sunday Times reported the leak.", MONDAY) == []
    assert resolved("Voters go to the polls on Super Tuesday.", MONDAY) == []
    assert resolved("On Sunday Kenya's president conceded defeat.", MONDAY) == [("2024-09-15", "day")]


def test_days_relative_to_the_article_date() -> None:
    assert resolved("Heavy rain fell yesterday across the north.") == [("2024-09-17", "day")]
    assert resolved("The rescue teams will return tomorrow.") == [("2024-09-19", "day")]
    assert resolved("A second dam failed three days ago.") == [("2024-09-15", "day")]
    assert resolved("The minister resigned this morning.") == [("2024-09-18", "day")]


def test_a_day_counted_from_an_undated_event_is_left_out() -> None:
    assert resolved("The vote came four days after the opposition boycotted the talks.") == []


def test_a_day_counted_from_a_date_is_shifted() -> None:
    assert resolved("The vote came four days after 3 March 2022.") == [("2022-03-07", "day")]
    assert expressions("The vote came four days after 3 March 2022.") == ["four days after 3 March 2022"]


def test_months_and_years_relative_to_the_article_date() -> None:
    assert resolved("The Kenyan shilling fell sharply last month.") == [("2024-08", "month")]
    assert resolved("Parliament will debate the bill next month.") == [("2024-10", "month")]
    assert resolved("Floods killed dozens last year.") == [("2023", "year")]
    assert resolved("The opposition won a by-election earlier this year.") == [("2024", "year")]
    assert resolved("The court annulled the vote two years ago.") == [("2022", "year")]


def test_a_bare_month_is_the_most_recent_one_unless_the_sentence_speaks_of_the_future() -> None:
    assert resolved("In March, the monsoon arrived early.") == [("2024-03", "month")]
    assert resolved("Earlier in August, the river rose again.") == [("2024-08", "month")]
    assert resolved("The commission was reformed in June this year.") == [("2024-06", "month")]
    assert resolved("The commission was reformed in June last year.") == [("2023-06", "month")]
    assert resolved("A new census will be held in November.") == [("2024-11", "month")]


def test_a_month_of_the_previous_year_rolls_back_over_new_year() -> None:
    january = datetime.date(2023, 1, 3)
    assert resolved("The levee failed in December.", january) == [("2022-12", "month")]
    assert resolved("The levee failed on 28 December.", january) == [("2022-12-28", "day")]
    assert resolved("The levee failed last month.", january) == [("2022-12", "month")]
    assert resolved("Repairs will begin in February.", january) == [("2023-02", "month")]


def test_a_week_does_not_claim_a_day() -> None:
    # Monday 16 September 2024: next week is 23-29 September, all in one month
    assert resolved("Donors will meet next week in Nairobi.", MONDAY) == [("2024-09", "month")]
    assert resolved("Donors met last week in Nairobi.", MONDAY) == [("2024-09", "month")]
    # Monday 23 September: next week runs into October, so only the year is known
    assert resolved("Donors will meet next week.", datetime.date(2024, 9, 23)) == [("2024", "year")]
    # Monday 23 December 2024: next week runs into 2025, so nothing is known for sure
    assert resolved("Donors will meet next week.", datetime.date(2024, 12, 23)) == []


def test_relative_dates_inside_quotes_are_left_out_but_absolute_ones_kept() -> None:
    text = '"We lost everything on Tuesday," a farmer said.'
    assert resolved(text) == []
    assert resolved("“The water came on 2 September 2024,” a farmer said.") == [("2024-09-02", "day")]
    assert resolved("'We left on Friday,' she said.") == []
    assert resolved("‘We left on Friday,’ she said.") == []
    assert resolved("The farmers' union met on Friday.") == [("2024-09-13", "day")]
    assert resolved("On Friday, the farmers’ union met.") == [("2024-09-13", "day")]
    # a quote opened in an earlier sentence closes in this one
    assert resolved("Nobody warned us yesterday.” she said.") == []


def test_a_weekday_naming_the_date_that_follows_is_one_date() -> None:
    assert expressions("The polls closed on Tuesday, 9 August 2022.") == ["9 August 2022"]


def test_several_dates_in_one_sentence() -> None:
    found = resolved("The dam was built in 1998 and breached in August 2022.")
    assert found == [("1998", "year"), ("2022-08", "month")]


# --- sentences that are not events -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "FILE: Rescue workers carry a boat through floodwater in Jacobabad, on August 30, 2022.",
        "Photo: Voters queue outside a polling station in Kisumu on 9 August 2022.",
        "Voters queue outside a polling station in Kisumu on 9 August 2022. (AP Photo/Jane Doe)",
        "Published 14 November 2022",
        "Updated: 10 August 2022, 14:05 GMT",
        "Last updated on Monday 15 August 2022",
    ],
)
def test_captions_and_date_lines_are_furniture(text: str) -> None:
    assert is_furniture(text)


def test_a_sentence_opening_with_a_furniture_word_is_no_furniture() -> None:
    assert not is_furniture("Updated figures released on Monday showed 40 dead.")
    assert not is_furniture("Posted to the border in 2019, the unit saw heavy fighting.")


def test_captions_and_headings_give_no_dated_sentences() -> None:
    document = make_document(
        "## Floods on 30 August 2022\n\n"
        "FILE: Rescue workers carry a boat through floodwater in Jacobabad, on August 30, 2021.\n\n"
        "The floods displaced millions in August 2022.",
        date=datetime.date(2022, 9, 1),
    )
    assert [(d.date, d.expression) for d in find_dates(document)] == [("2022-08", "August 2022")]


# --- events ------------------------------------------------------------------------------------

FLOOD = make_topic("flood", keywords=["flood*", "levee", "river", "dam"])
ELECTION = make_topic("election", keywords=["election", "vote*", "poll*", "ballot*"])


def timeline_of(site: Site, topic: str) -> tuple[Event, ...]:
    return next(b.timeline for b in site.briefings if b.topic.slug == topic)


def flood_documents() -> list[Document]:
    return [
        make_document(
            "The levee on the Indus failed on Sunday, flooding three villages.\n\n"
            "The dam was built in 1998.\n\n"
            "Rescuers reached the villages by boat.",
            slug="karachi-daily",
            outlet="Karachi Daily",
            date=datetime.date(2024, 9, 16),
        ),
        make_document(
            "The levee on the Indus failed on Sunday, flooding three villages, officials said.\n\n"
            "The army sent boats.",
            slug="sindh-times",
            outlet="Sindh Times",
            date=datetime.date(2024, 9, 17),
        ),
        make_document(
            "The levee on the Indus failed, flooding three villages.\n\n"
            "In 2010, floods covered a fifth of the country.",
            slug="wire",
            outlet="Wire Service",
            date=datetime.date(2024, 9, 17),
        ),
    ]


def test_an_event_reported_by_several_outlets_is_one_entry_with_the_sources_that_give_its_date() -> None:
    events = timeline_of(site_of(flood_documents(), [FLOOD]), "flood")
    [statement] = [
        s for s in site_of(flood_documents(), [FLOOD]).briefings[0].statements if len(s.sources) > 1
    ]
    assert len(statement.sources) == 3  # the merge put the three outlets' sentences together
    on_sunday = [e for e in events if e.date == "2024-09-15"]
    assert len(on_sunday) == 1
    [event] = on_sunday
    assert event.precision == "day"
    assert event.expression == "on Sunday"
    # the wire sentence is the same statement but gives no date: it is not a source of the event
    assert [c.article for c in event.sources] == ["karachi-daily", "sindh-times"]
    assert event.text in {c.text for c in event.sources}


def test_events_are_in_date_order() -> None:
    events = timeline_of(site_of(flood_documents(), [FLOOD]), "flood")
    assert [(e.date, e.precision) for e in events] == [
        ("1998", "year"),
        ("2010", "year"),
        ("2024-09-15", "day"),
    ]


def test_a_topic_timeline_holds_only_its_own_statements() -> None:
    documents = [
        *flood_documents(),
        make_document(
            "Kenya's electoral commission will announce the vote results on Friday.",
            slug="nairobi-news",
            date=datetime.date(2024, 9, 16),
        ),
    ]
    site = site_of(documents, [FLOOD, ELECTION])
    assert [e.date for e in timeline_of(site, "election")] == ["2024-09-20"]
    assert "2024-09-20" not in [e.date for e in timeline_of(site, "flood")]


def first_sentence_cited(document: Document) -> Citation:
    """A citation of ``document``'s first sentence."""
    return make_citation(
        document.article.slug,
        outlet=document.article.outlet,
        sentence=document.sentences[0].id,
        text=document.sentences[0].text,
        date=document.article.date,
    )


def first_sentences_apart(documents: Sequence[Document], topic: str) -> list[Statement]:
    """One statement per document, of its first sentence: what a merge that
    keeps those sentences apart gives."""
    return [
        make_statement(
            f"st-{d.article.slug}",
            [first_sentence_cited(d)],
            [topic],
            text=d.sentences[0].text,
        )
        for d in documents
    ]


def test_statements_kept_apart_by_the_merge_join_when_same_date_and_same_event() -> None:
    documents = [
        make_document(
            "Voters in Kisumu queued for hours in the heat on Tuesday as the presidential election began.",
            slug="a",
            outlet="Outlet A",
            date=datetime.date(2022, 8, 10),
        ),
        make_document(
            "The presidential election began on Tuesday, with voters in Kisumu waiting in long lines.",
            slug="b",
            outlet="Outlet B",
            date=datetime.date(2022, 8, 10),
        ),
        make_document(
            "Turnout in the election fell to 65% on Tuesday, the commission said.",
            slug="c",
            outlet="Outlet C",
            date=datetime.date(2022, 8, 10),
        ),
    ]
    statements = first_sentences_apart(documents, "election")
    dated = [found for d in documents for found in find_dates(d)]
    events = build_timeline(dated, statements)
    assert all(e.date == "2022-08-09" for e in events)
    by_sources = sorted(tuple(c.article for c in e.sources) for e in events)
    assert by_sources == [("a", "b"), ("c",)]
    joined = next(e for e in events if len(e.sources) == 2)
    assert len(joined.statements) == 2


def test_one_wording_of_one_date_told_of_other_places_or_figures_is_other_events() -> None:
    flooding = "Flooding in the {} district has left {} people displaced, the {} said on Monday."
    told = {
        "johouvem": flooding.format("Johouvem", "at least 57", "agency"),
        "drucrean": flooding.format("Drucrean", "at least 57", "agency"),
        "johouvem-more": flooding.format("Johouvem", "at least 90", "agency"),
        "johouvem-again": flooding.format("Johouvem", "57", "disaster agency"),
    }
    documents = [
        make_document(text, slug=slug, outlet=slug.title(), date=datetime.date(2023, 3, 22))
        for slug, text in told.items()
    ]
    statements = first_sentences_apart(documents, "flood")
    dated = [found for d in documents for found in find_dates(d)]
    events = build_timeline(dated, statements)
    assert {e.date for e in events} == {"2023-03-20"}
    assert sorted(sorted(c.article for c in e.sources) for e in events) == [
        ["drucrean"],
        ["johouvem", "johouvem-again"],
        ["johouvem-more"],
    ]


ONE_DAY = [
    "The levee failed on Tuesday, flooding three villages.",
    "The levee failed on Tuesday, flooding three villages, officials said.",
    "On Tuesday the levee failed and three villages flooded.",
    "The levee in Johouvem failed on Tuesday.",
    "The levee in Drucrean failed on Tuesday.",
    "The river authority closed the dam on Tuesday.",
    "The dam was closed on Tuesday by the river authority.",
    "Rescuers searched the river banks on Tuesday.",
    "Officials said on Tuesday that 57 people were displaced.",
    "Officials said on Tuesday that 90 people were displaced.",
    "On Tuesday.",
    "And on Tuesday.",
    "Evacuations on Tuesday.",
    "Evacuations, on Tuesday.",
]
"""Sentences of one date: some of one event, some of others, two with no
word but the date's, two with one."""


def test_sentences_of_one_event_join_and_so_do_those_with_no_word_or_one_alike() -> None:
    documents = [
        make_document(text, slug=f"a{number:02d}", outlet=f"Outlet {number}", date=WEDNESDAY)
        for number, text in enumerate(ONE_DAY)
    ]
    events = build_timeline(
        [found for d in documents for found in find_dates(d)], first_sentences_apart(documents, "flood")
    )
    joined = sorted(sorted(c.article for c in e.sources) for e in events if len(e.sources) > 1)
    assert ["a00", "a01", "a02"] in joined
    assert ["a10", "a11"] in joined
    assert ["a12", "a13"] in joined
    assert not any("a03" in group or "a04" in group for group in joined)


def test_copies_of_one_sentence_are_compared_once_whatever_the_number_of_outlets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Wire copies print one sentence word for word in many outlets: the
    join compares each wording once, not each copy with each copy (at
    20,000 articles, 631,000 of 694,000 comparisons were between copies)."""
    from generator import timeline

    wordings = {"st-a": ONE_DAY[0], "st-b": ONE_DAY[1], "st-c": ONE_DAY[4]}
    copies = 12
    documents = {
        statement: [
            make_document(text, slug=f"{statement}-{n:02d}", outlet=f"Outlet {n}", date=WEDNESDAY)
            for n in range(copies)
        ]
        for statement, text in wordings.items()
    }
    statements = [
        make_statement(
            statement,
            [first_sentence_cited(d) for d in printed],
            ["flood"],
            text=wordings[statement],
        )
        for statement, printed in documents.items()
    ]
    dated = [found for printed in documents.values() for d in printed for found in find_dates(d)]
    compared: list[tuple[str, str]] = []
    alike = timeline._alike

    def counted(a: timeline._Said, b: timeline._Said) -> bool:
        compared.append((a.text, b.text))
        return alike(a, b)

    monkeypatch.setattr(timeline, "_alike", counted)
    events = build_timeline(dated, statements)
    assert sorted(e.statements for e in events) == [("st-a", "st-b"), ("st-c",)]
    assert sorted(len(e.sources) for e in events) == [copies, 2 * copies]
    assert len(compared) == len(set(compared)) <= 3


def test_build_timeline_ignores_sentences_of_other_statements() -> None:
    documents = flood_documents()
    site = site_of(documents, [FLOOD])
    dated = [d for document in documents for d in find_dates(document)]
    assert build_timeline(dated, ()) == ()
    assert build_timeline((), site.briefings[0].statements) == ()


# --- properties --------------------------------------------------------------------------------

SENTENCES = [
    "The levee failed on Sunday, flooding three villages.",
    "The levee failed on Sunday, flooding three villages, officials said.",
    "The dam on the river was built in 1998.",
    "The river rose again last week.",
    "Flood waters will recede next month, the river authority said.",
    "The flood began in March.",
    "Rescuers will search the river banks on Friday.",
    "The river authority warned about the dam in June last year.",
    "FILE: Boats on the river on 3 May 2021.",
    "The levee was repaired four days after the flood.",
]


@st.composite
def flood_stories(draw: st.DrawFn) -> list[Document]:
    count = draw(st.integers(min_value=1, max_value=4))
    documents = []
    for index in range(count):
        chosen = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4, unique=True))
        date = datetime.date(2024, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 365)))
        documents.append(
            make_document("\n\n".join(chosen), slug=f"outlet-{index}", outlet=f"Outlet {index}", date=date)
        )
    return documents


def _timeline(documents: Sequence[Document], topics: Sequence[Topic] = (FLOOD,)) -> tuple[Event, ...]:
    return timeline_of(site_of(documents, topics), "flood")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flood_stories())
def test_every_source_of_an_event_gives_that_date_itself(documents: list[Document]) -> None:
    for event in _timeline(documents):
        for source in event.sources:
            found = dates_in(source.text, source.date)
            assert (event.date, event.precision) in {(d.date, d.precision) for d in found}
        assert event.text in {source.text for source in event.sources}
        assert event.expression in event.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flood_stories(), st.randoms(use_true_random=False))
def test_the_timeline_does_not_depend_on_document_order(documents: list[Document], rnd: object) -> None:
    shuffled = list(documents)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert _timeline(documents) == _timeline(shuffled)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flood_stories())
def test_events_are_sorted_and_no_caption_date_is_an_event(documents: list[Document]) -> None:
    events = _timeline(documents)
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert "2021-05-03" not in {e.date for e in events}
