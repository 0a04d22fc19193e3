"""Stage 2: which sentences belong to which topics, from rules and context."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Document, Topic
from generator.topics import assign_topics, build_index, compile_topic, cued_topics
from tests.helpers import make_document, make_topic, sentence_containing

FLOOD = make_topic(
    "flood",
    names=["Severn"],
    aliases=["Environment Agency"],
    keywords=["flood*", "levee", "evacuat*"],
    exclude=["flood of complaints", "flood of emails"],
)
MERGER = make_topic("merger", names=["Acme", "Globex"], keywords=["merger", "takeover bid"])
CARTEL = make_topic("cartel", names=["Sinaloa"], aliases=["Sinaloa cartel"], keywords=["cartel"])
ELECTION = make_topic("election", keywords=["election", "ballot*", "turnout", "vote"])
COURT = make_topic("court", keywords=["court", "judge"])
WAGNER = make_topic("wagner", names=["Wagner"], aliases=["Wagner Group"], keywords=["mercenar*"])


def cued(text: str, *topics: Topic) -> set[str]:
    return set(cued_topics(text, [compile_topic(t) for t in topics]))


def topics_by_sentence(document: Document, *topics: Topic) -> dict[str, set[str]]:
    assignment = assign_topics([document], topics)
    return {s.text: set(assignment.of(s)) for s in document.sentences}


# --- rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Severn burst its banks near Gloucester.", {"flood"}),
        ("The SEVERN burst its banks.", set()),  # names are case-sensitive
        ("The severn trout season opened.", set()),
        ("The environment AGENCY issued a warning.", {"flood"}),  # aliases: any case
        ("Two LEVEES failed overnight.", {"flood"}),  # keyword plural, any case
        ("Floodwaters rose again on Tuesday.", {"flood"}),  # wildcard
        ("Evacuation centres opened in three schools.", {"flood"}),
        ("The bloodflood festival was cancelled.", set()),  # whole words only
        ("Acme’s board approved the deal.", {"merger"}),  # curly apostrophe
        ("Acme's board approved the deal.", {"merger"}),
        ("Both mergers were approved by regulators.", {"merger"}),
        ("Globex’s rival launched two takeover bids.", {"merger"}),  # plural of a phrase
        ("A takeover\nbid was rumoured.", {"merger"}),  # phrase across a line break
        ("The acme of her career came later.", set()),
    ],
)
def test_rules_match_names_aliases_and_keywords(text: str, expected: set[str]) -> None:
    assert cued(text, FLOOD, MERGER) == expected


def test_curly_apostrophe_possessive_of_a_name_matches() -> None:
    assert cued("Wagner’s fighters arrived in the north.", WAGNER) == {"wagner"}
    assert cued("Fighters from the wagner group arrived.", WAGNER) == {"wagner"}
    assert cued("Wagnerian opera is popular in Bamako.", WAGNER) == set()


def test_curly_apostrophe_in_a_rule_matches_straight_text_and_back() -> None:
    party = make_topic("party", aliases=["People’s Party"])
    assert cued("The People's Party won the vote.", party) == {"party"}
    assert cued("The People’s Party won the vote.", make_topic("party", aliases=["People's Party"])) == {
        "party"
    }


def test_exclusion_vetoes_a_match() -> None:
    assert cued("The council received a flood of complaints about parking.", FLOOD) == set()
    assert cued("The council received a FLOOD OF EMAILS about the levee.", FLOOD) == set()
    assert cued("The flood damaged the levee.", FLOOD) == {"flood"}


def test_exclusion_of_one_topic_does_not_veto_another() -> None:
    text = "Acme faced a flood of complaints after the merger."
    assert cued(text, FLOOD, MERGER) == {"merger"}


def test_keyword_matches_its_y_to_ies_plural() -> None:
    toll = make_topic("toll", keywords=["casualty"])
    assert cued("Hospitals reported dozens of casualties.", toll) == {"toll"}


# --- context --------------------------------------------------------------------------------------

CARTEL_STORY = """Police said the Sinaloa cartel controlled the port. Officers seized cocaine on Friday.

The group has been accused of bribing customs officials.

Turnout in the regional election was 62 per cent. Counting continued overnight.

Heavy rain closed schools in the north on Monday.

## Who runs the Sinaloa cartel?

Its leaders are believed to live in the mountains.

Analysts expect arrests within weeks.

### Counting

Results came in slowly.

A judge ordered a recount of the election ballots in the cartel's home district.
"""


def test_uncued_sentence_in_the_same_paragraph_follows_the_previous_one() -> None:
    topics = topics_by_sentence(make_document(CARTEL_STORY), CARTEL, ELECTION, COURT)
    assert topics["Officers seized cocaine on Friday."] == {"cartel"}
    assert topics["Counting continued overnight."] == {"election"}


def test_referring_sentence_in_a_new_paragraph_follows_the_previous_one() -> None:
    topics = topics_by_sentence(make_document(CARTEL_STORY), CARTEL, ELECTION, COURT)
    assert topics["The group has been accused of bribing customs officials."] == {"cartel"}


def test_unrelated_uncued_sentence_in_a_new_paragraph_does_not_inherit() -> None:
    topics = topics_by_sentence(make_document(CARTEL_STORY), CARTEL, ELECTION, COURT)
    assert topics["Heavy rain closed schools in the north on Monday."] == set()


def test_subheading_sets_the_subject_of_its_section_until_the_next_heading() -> None:
    topics = topics_by_sentence(make_document(CARTEL_STORY), CARTEL, ELECTION, COURT)
    assert topics["Who runs the Sinaloa cartel?"] == {"cartel"}
    assert topics["Its leaders are believed to live in the mountains."] == {"cartel"}
    assert topics["Analysts expect arrests within weeks."] == {"cartel"}  # new paragraph, no referring word
    assert topics["Results came in slowly."] == set()  # the next heading has no topic


def test_sentence_can_have_several_topics() -> None:
    topics = topics_by_sentence(make_document(CARTEL_STORY), CARTEL, ELECTION, COURT)
    text = "A judge ordered a recount of the election ballots in the cartel's home district."
    assert topics[text] == {"cartel", "election", "court"}


def test_cued_records_only_the_sentences_own_matches() -> None:
    document = make_document(CARTEL_STORY)
    assignment = assign_topics([document], [CARTEL, ELECTION, COURT])
    follower = sentence_containing(document, "Officers seized")
    assert assignment.cued.get(follower.key, frozenset()) == frozenset()
    assert assignment.of(follower) == {"cartel"}


def test_pronoun_attribution_in_a_new_paragraph_follows() -> None:
    body = (
        "The judge adjourned the fraud trial until Monday.\n\n"
        '"Nobody is above scrutiny in this room," she said.\n\n'
        "Snow fell across the north overnight."
    )
    topics = topics_by_sentence(make_document(body), COURT)
    assert topics['"Nobody is above scrutiny in this room," she said.'] == {"court"}
    assert topics["Snow fell across the north overnight."] == set()


def test_context_never_crosses_articles() -> None:
    first = make_document("The Sinaloa cartel moved its operations inland.", slug="first")
    second = make_document("The group denied everything.", slug="second")
    assignment = assign_topics([first, second], [CARTEL])
    assert assignment.of(second.sentences[0]) == frozenset()


def test_heading_with_no_topic_does_not_pass_on_the_previous_paragraphs_topic() -> None:
    body = "Acme agreed a merger with Globex on Monday.\n\n## Weather\n\nThe storm moved east."
    topics = topics_by_sentence(make_document(body), MERGER)
    assert topics["The storm moved east."] == set()


def test_excluded_sentence_does_not_inherit_the_topic_from_context() -> None:
    body = (
        "The river flooded the market town on Sunday. "
        "The council later received a flood of complaints about parking fines."
    )
    topics = topics_by_sentence(make_document(body), FLOOD)
    assert topics["The river flooded the market town on Sunday."] == {"flood"}
    assert topics["The council later received a flood of complaints about parking fines."] == set()


def test_a_newsrooms_note_about_the_article_takes_no_topic_from_its_context() -> None:
    """Its "This" is the article, not the subject before it: in the same
    paragraph, in a new one, or under a subheading, the note is no
    statement of that subject. A sentence about a report still follows."""
    body = (
        "Police said the Sinaloa cartel controlled the port.\n\n"
        "The report was updated on Monday. This article was updated on 3 May.\n\n"
        "This story has been corrected to give the port's full name.\n\n"
        "## The Sinaloa cartel's leaders\n\n"
        "Its leaders are believed to live in the mountains.\n\n"
        "Correction: an earlier version gave the wrong district.\n\n"
        "An earlier version of this article misspelled a name."
    )
    topics = topics_by_sentence(make_document(body), CARTEL)
    assert topics["The report was updated on Monday."] == {"cartel"}
    assert topics["This article was updated on 3 May."] == set()
    assert topics["This story has been corrected to give the port's full name."] == set()
    assert topics["Its leaders are believed to live in the mountains."] == {"cartel"}
    assert topics["Correction: an earlier version gave the wrong district."] == set()
    assert topics["An earlier version of this article misspelled a name."] == set()


def test_a_note_about_the_article_keeps_the_topics_it_names() -> None:
    body = (
        "Turnout in the regional election was 62 per cent.\n\n"
        "This article was updated to add the Sinaloa cartel's statement."
    )
    topics = topics_by_sentence(make_document(body), CARTEL, ELECTION)
    assert topics["This article was updated to add the Sinaloa cartel's statement."] == {"cartel"}


def test_a_headline_at_the_top_does_not_pull_the_whole_article_into_its_topic() -> None:
    body = (
        "# Election turnout hits record\n\n"
        "Voters queued for hours in the capital.\n\n"
        "Separately, a court fined the transport company for late trains.\n"
    )
    topics = topics_by_sentence(make_document(body), ELECTION, COURT)
    assert topics["Election turnout hits record"] == {"election"}
    assert topics["Separately, a court fined the transport company for late trains."] == {"court"}
    assert topics["Voters queued for hours in the capital."] == set()


# --- one index for all topics ---------------------------------------------------------------------

HARBOUR = make_topic(
    "harbour",
    names=["Port Kessel", "Kessel-Nord", "O'Rourke"],
    aliases=["KPA", "harbour authority"],
    keywords=["ferry", "dredg*", "quay", "berth"],
    exclude=["berth in the final"],
)
MINING = make_topic("mining", names=["Ústí Minerals"], aliases=["Łódź"], keywords=["colliery", "ore"])
INDEXED = (FLOOD, MERGER, ELECTION, HARBOUR, MINING)


def indexed(text: str) -> set[str]:
    return set(build_index(compile_topic(t) for t in INDEXED).cued(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two ferries were cancelled at Port Kessel.", {"harbour"}),
        ("Dredging of the quays resumed on Monday.", {"harbour"}),
        ("The kessel-nord terminal reopened.", set()),  # names keep their case
        ("The Kessel-Nord terminal reopened.", {"harbour"}),
        ("O’Rourke, the KPA chief, said the berths were full.", {"harbour"}),
        ("The club secured a berth in the final.", set()),
        ("Ústí Minerals shut its last colliery.", {"mining"}),
        ("Officials in ŁÓDŹ reviewed the ore contract.", {"mining"}),
        ("Ores and ferrymen: nothing here is a whole word of a rule.", {"mining"}),
        ("A ferryman and a boreal wind.", set()),
        ("Floodwater reached the ballot boxes.", {"flood", "election"}),
    ],
)
def test_the_index_finds_each_topic_its_rules_match(text: str, expected: set[str]) -> None:
    assert indexed(text) == expected


_FRAGMENTS = st.sampled_from(
    "Port Kessel kessel Kessel-Nord O'Rourke O’Rourke KPA kpa harbour authority ferry ferries "
    "Ferry dredge Dredging quay quays berth berths berth in the final Ústí Minerals ÚSTÍ Łódź "
    "łódź colliery collieries ore ores boreal Severn flood Floods flooding Environment Agency "
    "levee levees evacuated merger Mergers Acme ACME takeover bid election ballots turnout vote "
    "votes electİon ELECTıON \u212apa the a said , . ’s - ſ K İ ı".split()
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=14), st.lists(st.sampled_from([" ", "", "-", "  "]), max_size=14))
def test_the_index_agrees_with_trying_every_topic(words: list[str], gaps: list[str]) -> None:
    text = "".join(w + (gaps[i] if i < len(gaps) else " ") for i, w in enumerate(words))
    matchers = [compile_topic(t) for t in INDEXED]
    assert build_index(matchers).cued(text) == cued_topics(text, matchers)
