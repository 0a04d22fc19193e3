"""Stage 3: direct quotes and who said them."""

from __future__ import annotations

import pytest

from generator.model import Quote
from generator.quotes import clean_name, find_quotes, masks_of
from tests.helpers import make_document, quotes_of

PRONOUNS = {"He", "She", "he", "she", "They", "they", "It", "We", "I"}


def one(quotes: list[Quote]) -> Quote:
    assert len(quotes) == 1, quotes
    return quotes[0]


def speakers(body: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in quotes_of(body)]


# --- attribution ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '"The levees held for three days before the water broke through," Carla Ruiz said.',
        '"The levees held for three days before the water broke through," said Carla Ruiz.',
        "“The levees held for three days before the water broke through,” Mayor Carla Ruiz said.",
        'Carla Ruiz said: "The levees held for three days before the water broke through."',
        'Carla Ruiz told reporters: "The levees held for three days before the water broke through."',
    ],
)
def test_speaker_from_name_and_speech_verb(body: str) -> None:
    quote = one(quotes_of(body))
    assert quote.text.rstrip(".") == "The levees held for three days before the water broke through"
    assert quote.speaker == "Carla Ruiz"
    assert quote.is_direct


@pytest.mark.parametrize(
    ("body", "speaker"),
    [
        (
            'Finance Minister Ravi Mehta told parliament: "This merger will cost thousands of jobs here."',
            "Ravi Mehta",
        ),
        (
            'Defence lawyer Tom Reid told the court: "My client was nowhere near the warehouse that night."',
            "Tom Reid",
        ),
        (
            'Senator Maria Lopez said: "The dam was never inspected by anyone in the last decade."',
            "Maria Lopez",
        ),
        (
            'Former President Aisha Bello told supporters: "Every vote in this election must be counted."',
            "Aisha Bello",
        ),
    ],
)
def test_roles_and_honorifics_are_dropped_from_the_speaker(body: str, speaker: str) -> None:
    assert one(quotes_of(body)).speaker == speaker


def test_pronoun_attribution_resolves_to_the_last_speaker() -> None:
    body = (
        '"The count was fair and every vote was checked twice," said Jane Doe.\n\n'
        "Observers from the regional bloc agreed with the assessment.\n\n"
        '"Nobody should doubt the result of this election tonight," she said.'
    )
    assert speakers(body) == [
        ("The count was fair and every vote was checked twice", "Jane Doe"),
        ("Nobody should doubt the result of this election tonight", "Jane Doe"),
    ]


def test_pronoun_attribution_follows_the_most_recent_of_two_speakers() -> None:
    body = (
        '"The merger will protect every job at the plant," said Lena Ortiz.\n\n'
        '"We have heard that promise many times before," union leader Tomas Berg said.\n\n'
        '"This time we want it written into the contract," he added.'
    )
    assert [speaker for _, speaker in speakers(body)] == ["Lena Ortiz", "Tomas Berg", "Tomas Berg"]


def test_pronoun_attribution_after_reported_speech_resolves_to_that_speaker() -> None:
    body = (
        "Police chief Sam Ortiz said 40 people had been rescued overnight. "
        '"Our officers waded through chest-high water to reach them," he said.'
    )
    assert one(quotes_of(body)).speaker == "Sam Ortiz"


@pytest.mark.parametrize(
    "body",
    [
        '"We are ready to fight this verdict all the way to the top," he said.',
        'She told reporters: "We are ready to fight this verdict all the way to the top."',
        'He added: "We are ready to fight this verdict all the way to the top."',
        '"We are ready to fight this verdict all the way to the top," He said.',
        'They said: "We are ready to fight this verdict all the way to the top."',
        'But she also said: "We are ready to fight this verdict all the way to the top."',
    ],
)
def test_pronoun_with_no_earlier_speaker_gives_no_speaker_never_the_pronoun(body: str) -> None:
    quote = one(quotes_of(body))
    assert quote.speaker is None


def test_pronouns_are_never_speaker_names_across_a_longer_article() -> None:
    body = (
        'He said: "The appeal will be lodged before the end of the month."\n\n'
        '"We are confident the conviction will be overturned," she told reporters.\n\n'
        "Helen Park said the case was strong.\n\n"
        'They added: "The evidence speaks for itself and the jury agreed with it."\n\n'
        '"He lied to the court on four separate occasions," Helen Park said.\n\n'
        '"She will take questions after the hearing is over," he said.'
    )
    found = quotes_of(body)
    assert found
    assert all(q.speaker not in PRONOUNS for q in found)
    assert ("He lied to the court on four separate occasions", "Helen Park") in [
        (q.text, q.speaker) for q in found
    ]


@pytest.mark.parametrize(
    "attribution",
    [
        "the minister said on Monday",
        "the minister said Monday",
        "the defence minister said in London",
        "the minister said at Northwood",
        "a spokesman said late on Tuesday",
        "the minister said from Bamako",
    ],
)
def test_a_day_or_place_after_the_verb_is_never_the_speaker(attribution: str) -> None:
    """'…," the minister said on Monday.' names when, not who: the quote
    has no speaker rather than "Monday" (nor "London" for where)."""
    quote = one(quotes_of(f'"We will not send more troops to the region this year," {attribution}.'))
    assert quote.speaker is None


@pytest.mark.parametrize("subject", ["he", "the minister", "a reporter"])
def test_the_one_a_question_is_put_to_is_not_its_speaker(subject: str) -> None:
    """'…?" he asked Macron.': Macron is asked, not the one who asks. The
    verb names its speaker after it only where it follows the quotation."""
    body = f'"Will you keep the troops in Mali for another year?" {subject} asked Macron.'
    assert one(quotes_of(body)).speaker is None
    inverted = '"Will you keep the troops in Mali for another year?" asked Macron.'
    assert one(quotes_of(inverted)).speaker == "Macron"


@pytest.mark.parametrize(
    "attribution",
    [
        '" – said Ben Wallace.',
        '" — said Ben Wallace.',
        '",  said Ben Wallace.',
        '," said Ben Wallace in New York.',
        '," wrote Ben Wallace in The Telegraph.',
        '," said Ben Wallace on Tuesday.',
        '," said Ben Wallace Monday.',
    ],
)
def test_the_name_after_the_verb_is_the_speaker_whatever_stands_around_it(attribution: str) -> None:
    """A dash or a second space before the verb, a place or a day after the
    name: the speaker is the name, not a word of the place or the day."""
    body = f'"We will not send more troops to the region this year{attribution}'
    assert one(quotes_of(body)).speaker == "Ben Wallace"


def test_a_day_before_the_speakers_name_is_not_part_of_it() -> None:
    body = 'On Monday Defence Secretary Ben Wallace said: "We will not send more troops to the region."'
    assert one(quotes_of(body)).speaker == "Ben Wallace"


def test_a_speaker_named_like_a_month_is_still_the_speaker() -> None:
    assert (
        one(quotes_of('"We will not send more troops to the region this year," May said.')).speaker == "May"
    )
    body = '"We will not send more troops to the region this year," Ben Wallace said on Tuesday.'
    assert one(quotes_of(body)).speaker == "Ben Wallace"


@pytest.mark.parametrize(
    ("marks", "attribution"),
    [
        (('"', '"'), " said Ben Wallace."),
        (('"', '"'), " Ben Wallace said."),
        (("“", "”"), " said Ben Wallace."),
    ],
)
def test_a_quotation_of_two_sentences_keeps_the_speaker_after_it(
    marks: tuple[str, str], attribution: str
) -> None:
    """The closing mark of a quotation's second sentence closes it: the words
    after it are the outlet's, and name the speaker of both sentences."""
    opening, closing = marks
    body = (
        f"{opening}We will not send more troops to the region this year. "
        f"The mission has run its course,{closing}{attribution}"
    )
    found = quotes_of(body)
    assert [q.text for q in found] == [
        "We will not send more troops to the region this year.",
        "The mission has run its course",
    ]
    assert [q.speaker for q in found] == ["Ben Wallace", "Ben Wallace"]


def test_masks_follow_a_quotation_across_sentences() -> None:
    """The attribution after a quotation's second sentence stays readable, and
    the quoted words of both sentences are blanked."""
    document = make_document('"Talks failed on the main points. We leave now," said Ines Obi on Friday.')
    masks = masks_of(document)
    first, second = (masks[s.index] for s in document.sentences)
    assert set(first[1:]) == {"_"}
    assert second.endswith('" said Ines Obi on Friday.') and "We leave" not in second


def test_clean_name_drops_roles_and_rejects_pronouns() -> None:
    assert clean_name("Finance Minister Ravi Mehta") == "Ravi Mehta"
    assert clean_name("Mr Smith") == "Smith"
    assert clean_name("He") is None
    assert clean_name("She") is None
    assert clean_name("The") is None


def test_saying_attributes_to_the_subject_before_it() -> None:
    body = 'Union leader Maria Costa attacked the deal, saying "workers will pay the price for this merger."'
    quote = one(quotes_of(body))
    assert quote.speaker == "Maria Costa"
    assert quote.is_direct


def test_saying_after_a_pronoun_takes_the_last_speaker() -> None:
    body = (
        '"The merger is a betrayal of every worker at this plant," said Maria Costa.\n\n'
        'She attacked the board, saying "they sold us out for a quick profit this year."'
    )
    assert [speaker for _, speaker in speakers(body)] == ["Maria Costa", "Maria Costa"]


def test_surname_is_resolved_to_the_full_name_used_in_the_article() -> None:
    body = (
        "Acme chief executive Anna Smith announced the deal on Monday.\n\n"
        '"Shareholders will see real value from this deal within two years," Ms Smith said.'
    )
    assert one(quotes_of(body)).speaker == "Anna Smith"


def test_surname_is_not_resolved_to_a_name_from_another_article() -> None:
    first = make_document('"The deal will close in June," said Anna Smith.', slug="first")
    second = make_document(
        '"Shareholders will see real value from this deal within two years," Ms Smith said.', slug="second"
    )
    find_quotes(first)
    assert one(find_quotes(second)).speaker == "Smith"


def test_said_followed_by_organisation_and_role_names_the_person() -> None:
    body = "“The merger creates a stronger company for customers and staff,” said Acme chairman Peter Lund."
    assert one(quotes_of(body)).speaker == "Peter Lund"


def test_said_followed_by_an_abbreviated_honorific() -> None:
    body = '"We are not giving up on this town, not now and not ever," said Dr. Ana Reyes.'
    assert one(quotes_of(body)).speaker == "Ana Reyes"


def test_quote_attributed_with_an_abbreviated_title_is_direct() -> None:
    body = '"We are not giving up on this town, not now and not ever," Gov. Reyes said.'
    quote = one(quotes_of(body))
    assert quote.speaker == "Reyes"
    assert quote.is_direct


@pytest.mark.parametrize("role", ["Judge", "Prosecutor"])
def test_court_roles_are_dropped_from_the_speaker(role: str) -> None:
    body = f'"The evidence is overwhelming and the jury has spoken clearly," {role} Aaron Webb said.'
    assert one(quotes_of(body)).speaker == "Aaron Webb"


def test_quote_with_unrecognised_attribution_is_not_given_to_the_previous_speaker() -> None:
    body = (
        '"The merger will protect every job at the plant," said Lena Ortiz.\n\n'
        '"We have heard that promise many times before," said union leader Tomas Berg.'
    )
    assert speakers(body)[-1][1] != "Lena Ortiz"


# --- quotations across sentences and paragraphs ---------------------------------------------------


def test_quotation_running_across_paragraphs_keeps_its_speaker() -> None:
    body = (
        'Senator Maria Lopez said: "The dam was never inspected properly. We warned them for years.\n\n'
        '"Nobody listened to the engineers who raised the alarm in 2019."\n\n'
        "The hearing continues on Thursday."
    )
    found = quotes_of(body)
    assert [(q.text, q.speaker) for q in found] == [
        ("The dam was never inspected properly.", "Maria Lopez"),
        ("We warned them for years.", "Maria Lopez"),
        ("Nobody listened to the engineers who raised the alarm in 2019.", "Maria Lopez"),
    ]
    assert all(q.is_direct for q in found)


def test_quotation_reopened_with_a_curly_mark_continues() -> None:
    body = (
        "Senator Maria Lopez said: “The dam was never inspected properly in ten years.\n\n"
        "“Nobody listened to the engineers who raised the alarm.”"
    )
    assert [speaker for _, speaker in speakers(body)] == ["Maria Lopez", "Maria Lopez"]


def test_unclosed_quotation_does_not_swallow_the_next_unquoted_paragraph() -> None:
    body = (
        'Senator Maria Lopez said: "The dam was never inspected properly in ten years.\n\n'
        "The hearing continues on Thursday with evidence from the engineers."
    )
    found = quotes_of(body)
    assert [q.text for q in found] == ["The dam was never inspected properly in ten years."]


def test_unattributed_quote_paragraph_after_a_named_speakers_quote_is_theirs() -> None:
    body = (
        '"The count was fair and every vote was checked twice," said Jane Doe.\n\n'
        '"Nobody should doubt the result of this election tonight."'
    )
    assert [speaker for _, speaker in speakers(body)] == ["Jane Doe", "Jane Doe"]


def test_unattributed_quote_after_an_intervening_paragraph_is_not_given_a_speaker() -> None:
    body = (
        '"The count was fair and every vote was checked twice," said Jane Doe.\n\n'
        "The opposition disagreed and called for a recount.\n\n"
        '"Nobody should doubt the result of this election tonight."'
    )
    assert speakers(body)[-1] == ("Nobody should doubt the result of this election tonight.", None)


def test_quotation_reopened_on_a_new_line_of_the_same_paragraph_excludes_the_mark() -> None:
    # Hard-wrapped or scraped text: one paragraph, the quotation re-opened on the next line.
    body = (
        'Senator Maria Lopez said: "The dam was never inspected properly.\n'
        '"Nobody listened to the engineers who raised the alarm in 2019."'
    )
    found = quotes_of(body)
    assert [q.text for q in found] == [
        "The dam was never inspected properly.",
        "Nobody listened to the engineers who raised the alarm in 2019.",
    ]


# --- what is not speech ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        'The group posted a video titled "We will return to the city before the rains come" on Sunday.',
        'The agency published a report called "Rising waters: the cost of failing flood defences" today.',
        'Police launched an operation dubbed "Clean Sweep in the northern port districts" last year.',
    ],
)
def test_titles_of_works_are_not_speech(body: str) -> None:
    quote = one(quotes_of(body))
    assert quote.speaker is None
    assert not quote.is_direct


@pytest.mark.parametrize(
    "body",
    [
        'Mayor Carla Ruiz said the response was "inadequate" and promised a review.',
        'Carla Ruiz called the response "deeply inadequate" and promised a review.',
        "The judge said the defence was “a fantasy” and dismissed it.",
    ],
)
def test_short_partial_quotes_are_not_direct(body: str) -> None:
    assert not one(quotes_of(body)).is_direct


def test_long_phrase_embedded_in_reported_speech_is_not_direct() -> None:
    body = 'Carla Ruiz said the council "had failed every family living along the river" and resigned.'
    assert not one(quotes_of(body)).is_direct


# --- positions ------------------------------------------------------------------------------------


def test_quote_text_is_verbatim_at_its_offset_without_marks() -> None:
    body = (
        "“The merger is good for workers. It protects jobs,” said Lena Ortiz.\n\n"
        'Union leader Maria Costa disagreed, saying "workers will pay the price for this merger."\n\n'
        'The judge called it "a fantasy" and moved on.'
    )
    document = make_document(body)
    by_key = {s.key: s for s in document.sentences}
    found = find_quotes(document)
    assert len(found) == 4
    for quote in found:
        sentence = by_key[quote.sentence]
        assert sentence.text[quote.start : quote.start + len(quote.text)] == quote.text
        assert quote.text[:1] not in '"“”' and quote.text[-1:] not in '"“”'


def test_quotes_are_in_document_order() -> None:
    body = (
        '"We will rebuild the bridge by spring," the mayor said. '
        '"We will not raise taxes to pay for it," she added.\n\n'
        '"The council has no plan at all for the bridge," said Tom Baird.'
    )
    found = quotes_of(body)
    assert [q.text for q in found] == [
        "We will rebuild the bridge by spring",
        "We will not raise taxes to pay for it",
        "The council has no plan at all for the bridge",
    ]


# --- masking quoted words ---------------------------------------------------------------------------


def test_masks_blank_only_quoted_words_and_keep_every_position() -> None:
    """The outlet's own words stay readable for the attribution rules; quoted ones,
    with straight, curly or guillemet marks, are blanked one for one."""
    document = make_document(
        'Harbour master Ines Obi said "the cranes stopped at dawn" and added: “Nothing moved.” '
        "Dr. Obi told «Port Weekly» the strike would end soon.\n\n"
        '"Talks resume on Friday, and the unions will attend'
    )
    masks = masks_of(document)
    assert sorted(masks) == [s.index for s in document.sentences]
    by_text = {s.text: masks[s.index] for s in document.sentences}
    for text, masked in by_text.items():
        assert len(masked) == len(text)
    first = next(m for t, m in by_text.items() if t.startswith("Harbour"))
    assert "Ines Obi said" in first and "cranes" not in first and "Nothing" not in first
    assert '"' + "_" * len("the cranes stopped at dawn") + '"' in first
    second = next(m for t, m in by_text.items() if t.startswith("Dr."))
    assert second.startswith("Dr  Obi told «") and "Port" not in second and "the strike would end" in second
    unclosed = next(m for t, m in by_text.items() if t.startswith('"Talks'))
    assert unclosed == '"' + "_" * (len(unclosed) - 1)
