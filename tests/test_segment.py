"""Stage 1: blocks and sentences, with exact positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content import read_article
from generator.segment import segment, split_sentences
from tests.helpers import article_file, make_article, make_document, texts


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


# --- abbreviations, initials and numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Okafor met Dr. Lindqvist at the U.N. headquarters in Geneva. They discussed flood relief.",
            [
                "Mr. Okafor met Dr. Lindqvist at the U.N. headquarters in Geneva.",
                "They discussed flood relief.",
            ],
        ),
        (
            "The U.S. Senate certified the result on Jan. 5 after a long night. Officials welcomed the vote.",
            [
                "The U.S. Senate certified the result on Jan. 5 after a long night.",
                "Officials welcomed the vote.",
            ],
        ),
        (
            "The merger was negotiated by J. R. Whitcombe and approved by Gov. Reyes. Shares rose.",
            ["The merger was negotiated by J. R. Whitcombe and approved by Gov. Reyes.", "Shares rose."],
        ),
        (
            "Mr. and Mrs. Patel were rescued from the roof by Sgt. Hollis. Their house was lost.",
            ["Mr. and Mrs. Patel were rescued from the roof by Sgt. Hollis.", "Their house was lost."],
        ),
        (
            "The court cited Art. 5 of the charter and No. 12 of the rules. The appeal failed.",
            ["The court cited Art. 5 of the charter and No. 12 of the rules.", "The appeal failed."],
        ),
        (
            "Polls opened on Jan. 5. Results came on Jan. 6.",
            ["Polls opened on Jan. 5.", "Results came on Jan. 6."],
        ),
        (
            "Turnout was 52.4 per cent, e.g. in the capital. A recount is due.",
            ["Turnout was 52.4 per cent, e.g. in the capital.", "A recount is due."],
        ),
    ],
)
def test_abbreviations_initials_and_numbers_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_initialism_at_the_end_of_a_sentence_ends_it_before_a_typical_opener() -> None:
    text = "The company was founded in the U.S. The merger closed in March."
    assert sentences(text) == ["The company was founded in the U.S.", "The merger closed in March."]


def test_initialism_followed_by_a_name_does_not_end_the_sentence() -> None:
    text = "The U.N. Security Council met on Friday. It condemned the coup."
    assert sentences(text) == ["The U.N. Security Council met on Friday.", "It condemned the coup."]


def test_month_abbreviation_without_a_number_ends_the_sentence() -> None:
    assert sentences("The levee failed in Jan. The river rose again in March.") == [
        "The levee failed in Jan.",
        "The river rose again in March.",
    ]


# --- scraping artefacts ---------------------------------------------------------------------------


def test_missing_space_after_full_stop_is_a_boundary() -> None:
    text = "Floodwater reached the town hall on Friday.The mayor ordered an evacuation of the centre."
    assert sentences(text) == [
        "Floodwater reached the town hall on Friday.",
        "The mayor ordered an evacuation of the centre.",
    ]


def test_missing_space_in_seed_style_scraped_text() -> None:
    text = "The army withdrew its troops.The junta welcomed the decision.Mali's neighbours did not."
    assert sentences(text) == [
        "The army withdrew its troops.",
        "The junta welcomed the decision.",
        "Mali's neighbours did not.",
    ]


@pytest.mark.parametrize("text", ["Read more at www.example.com.Then call us.", "Prices rose 2.5 per cent."])
def test_web_addresses_and_decimals_are_not_split(text: str) -> None:
    assert sentences(text) == [text]


def test_missing_space_after_an_amount_with_a_decimal_point() -> None:
    text = "Acme paid $2.5bn.The deal closed on Friday."
    assert sentences(text) == ["Acme paid $2.5bn.", "The deal closed on Friday."]


# --- ellipses and quotation marks -----------------------------------------------------------------


def test_ellipsis_inside_a_quote_does_not_end_the_sentence() -> None:
    text = '"We will... now rebuild the bridge," the mayor said. Work begins on Monday.'
    assert sentences(text) == [
        '"We will... now rebuild the bridge," the mayor said.',
        "Work begins on Monday.",
    ]


def test_unicode_ellipsis_before_lowercase_continues_and_before_capital_ends() -> None:
    assert sentences("The count was over… the recount began. Nobody slept.") == [
        "The count was over… the recount began.",
        "Nobody slept.",
    ]
    assert sentences("The count was over… The recount began.") == [
        "The count was over…",
        "The recount began.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        '"We want a fair count," he said.',
        "“We want a fair count,” he said.",
        '"Is the count fair?" she asked.',
        "“Stop!” shouted the officer.",
    ],
)
def test_quote_with_its_attribution_is_one_sentence(text: str) -> None:
    assert sentences(text + " The crowd dispersed.") == [text, "The crowd dispersed."]


def test_closing_quote_belongs_to_the_sentence_it_closes() -> None:
    assert sentences("The judge called the claim “baseless.” The appeal failed.") == [
        "The judge called the claim “baseless.”",
        "The appeal failed.",
    ]
    assert sentences("The judge called the claim 'baseless.' The appeal failed.") == [
        "The judge called the claim 'baseless.'",
        "The appeal failed.",
    ]


def test_quoted_passage_of_two_sentences_splits_inside_the_quote() -> None:
    text = "“The dam held. The town is safe.” Officials were relieved."
    assert sentences(text) == ["“The dam held.", "The town is safe.”", "Officials were relieved."]


def test_mixed_straight_and_curly_quotes() -> None:
    text = '“We will rebuild," the mayor said. "It will take years.” Residents cheered.'
    assert sentences(text) == [
        '“We will rebuild," the mayor said.',
        '"It will take years.”',
        "Residents cheered.",
    ]


def test_question_inside_a_sentence_followed_by_lowercase_continues() -> None:
    text = "“Where did the money go?” asked the auditor. The minister did not reply."
    assert sentences(text) == ["“Where did the money go?” asked the auditor.", "The minister did not reply."]


# --- Markdown blocks and headings ------------------------------------------------------------------


FLOOD_STORY = """# Storm floods the valley

The river burst its banks on Tuesday. Hundreds of homes were flooded.
Rescue teams arrived
by boat.

## What happens next?

> "We have lost everything," said one resident. The council promised help.

Who pays for the damage?

Insurers said claims would be **paid quickly**, and *without* delay.

Relief efforts
"""


def test_markdown_blocks_have_kinds_and_markup_is_dropped() -> None:
    document = make_document(FLOOD_STORY)
    kinds = [(b.kind, b.text) for b in document.blocks]
    assert kinds == [
        ("heading", "Storm floods the valley"),
        (
            "paragraph",
            "The river burst its banks on Tuesday. Hundreds of homes were flooded.\n"
            "Rescue teams arrived\nby boat.",
        ),
        ("heading", "What happens next?"),
        ("quote", '"We have lost everything," said one resident. The council promised help.'),
        ("paragraph", "Who pays for the damage?"),
        ("paragraph", "Insurers said claims would be paid quickly, and without delay."),
        ("paragraph", "Relief efforts"),
    ]


def test_headings_and_question_subheadings_are_headings_and_prose_is_not() -> None:
    document = make_document(FLOOD_STORY)
    headings = [s.text for s in document.sentences if s.is_heading]
    assert headings == [
        "Storm floods the valley",
        "What happens next?",
        "Who pays for the damage?",
        "Relief efforts",
    ]
    prose = [s.text for s in document.sentences if not s.is_heading]
    assert "The council promised help." in prose
    assert "Insurers said claims would be paid quickly, and without delay." in prose


def test_short_quoted_question_is_not_a_subheading() -> None:
    document = make_document('"Who will pay for this?"\n\nThe mayor said the council would.')
    assert not any(s.is_heading for s in document.sentences)


def test_question_inside_a_longer_paragraph_is_not_a_subheading() -> None:
    document = make_document("Who pays for the damage? Insurers say they will cover most of it.")
    assert [s.is_heading for s in document.sentences] == [False, False]


def test_soft_line_break_inside_a_sentence_is_kept_and_ends_nothing() -> None:
    document = make_document(FLOOD_STORY)
    assert "Rescue teams arrived\nby boat." in texts(document)


def test_sentence_ids_name_block_and_position() -> None:
    document = make_document("The polls closed. Counting began.\n\nThe result is due on Friday.")
    assert [(s.id, s.index, s.block) for s in document.sentences] == [
        ("p1s1", 0, 0),
        ("p1s2", 1, 0),
        ("p2s1", 2, 1),
    ]
    assert document.sentences[1].key == "article#p1s2"


# --- positions ------------------------------------------------------------------------------------


def test_offsets_point_into_the_block_text() -> None:
    document = make_document(FLOOD_STORY)
    for sentence in document.sentences:
        block = document.blocks[sentence.block]
        assert block.text[sentence.start : sentence.end] == sentence.text


def test_lines_are_real_lines_of_the_file_including_front_matter(tmp_path: Path) -> None:
    text = article_file(FLOOD_STORY, extra={"author": "Jo Bloggs"})
    path = tmp_path / "storm.md"
    path.write_text(text, encoding="utf-8")
    document = segment(read_article(path))
    file_lines = text.split("\n")
    expected = {
        "Storm floods the valley": "# Storm floods the valley",
        "Hundreds of homes were flooded.": (
            "The river burst its banks on Tuesday. Hundreds of homes were flooded."
        ),
        "Rescue teams arrived\nby boat.": "Rescue teams arrived",
        "The council promised help.": (
            '> "We have lost everything," said one resident. The council promised help.'
        ),
        "Relief efforts": "Relief efforts",
    }
    by_text = {s.text: s for s in document.sentences}
    for sentence_text, line_text in expected.items():
        assert file_lines[by_text[sentence_text].line - 1] == line_text


def test_sentence_starting_on_a_later_line_of_its_paragraph_gets_that_line() -> None:
    body = "Voters queued for hours in the rain\nbefore the polls opened. Turnout was high.\nCounting began."
    document = make_document(body, body_line=20)
    lines = {s.text: s.line for s in document.sentences}
    assert lines == {
        "Voters queued for hours in the rain\nbefore the polls opened.": 20,
        "Turnout was high.": 21,
        "Counting began.": 22,
    }


# --- properties -----------------------------------------------------------------------------------

PIECES = [
    "a",
    "B",
    " ",
    ".",
    "?",
    "!",
    "…",
    "...",
    '"',
    "'",
    "“",
    "”",
    "‘",
    "’",
    "(",
    ")",
    "\n",
    ",",
    ":",
    "Mr.",
    "U.S.",
    "Jan.",
    " 5",
    "The",
    "he said",
    "A.",
    "www.",
    "e.g.",
    "troops.The",
    "It",
]
NEWSY_TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
ANY_TEXT = st.one_of(NEWSY_TEXT, st.text(max_size=80))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_sentences_cover_the_text_in_order_with_only_whitespace_between(text: str) -> None:
    spans = split_sentences(text)
    position = 0
    for start, end in spans:
        assert start < end
        assert text[position:start].strip() == ""  # nothing lost, nothing reordered
        assert text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""


MARKDOWN = st.lists(
    st.sampled_from([*PIECES, "\n\n", "# ", "> ", "- ", "1. ", "**", "_", "`", "[link](https://x.org)"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(MARKDOWN, st.text(max_size=80).map(lambda t: t.replace("\r", ""))))
def test_segmenting_any_markdown_keeps_exact_positions_and_is_deterministic(body: str) -> None:
    article = make_article(body, body_line=4)
    document = segment(article)
    assert segment(article) == document
    last_line = 3 + body.count("\n") + 1
    for number, sentence in enumerate(document.sentences):
        assert sentence.index == number
        assert document.blocks[sentence.block].text[sentence.start : sentence.end] == sentence.text
        assert sentence.text.strip() == sentence.text != ""
        assert 4 <= sentence.line <= last_line
    assert [s.block for s in document.sentences] == sorted(s.block for s in document.sentences)
