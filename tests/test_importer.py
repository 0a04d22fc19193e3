"""Tests for ``generator.importer``: scraped text in, article files out.

Most cleaning tests use invented scraped text from other stories and other
outlets' page furniture, because the rules will meet articles never seen;
the seed files are used for the end-to-end check against ``content/articles``.
"""

from __future__ import annotations

import codecs
import datetime
import re
import tempfile
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator.cli import main
from generator.content import read_article
from generator.errors import BriefingError, ConfigError, ContentError, ContentErrors
from generator.importer import (
    CleanedText,
    ImportMeta,
    PartialMeta,
    article_slug,
    clean_scraped_text,
    decode_source,
    escape_heading,
    escape_markdown,
    import_file,
    import_files,
    import_manifest,
    normalise_line,
    normalise_url,
    render_article,
    repair_spacing,
)
from generator.segment import segment
from tests.test_neardup import COPY_NEW_HEADLINE_AND_CREDITS, COPY_PARAGRAPH_CUT, ORIGINAL, OWN_REPORT

REPO = Path(__file__).resolve().parent.parent
SEEDS_MANIFEST = REPO / "examples" / "seeds" / "sources.yaml"
COMMITTED_ARTICLES = REPO / "content" / "articles"

MD = MarkdownIt("commonmark", {"html": False})

TITLE = "Floods close three container ports in Rotterdam"


def blocks(markdown: str) -> list[tuple[str, str]]:
    """(kind, plain text) of every block markdown-it finds.

    kind is the tag of a top-level paragraph or heading ("p", "h2"), prefixed
    with "nested-" inside a list or quote; code blocks, fences, rules and HTML
    blocks are listed by type. The text joins the inline children's text and
    code; any other inline token (emphasis, link, image...) shows as <type>.
    """
    tokens = MD.parse(markdown)
    found: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        if token.type in ("code_block", "fence", "hr", "html_block"):
            found.append((token.type, token.content))
        if token.type != "inline":
            continue
        opener = tokens[i - 1]
        kind = opener.tag if opener.level == 0 else f"nested-{opener.tag}"
        parts = []
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
            else:
                parts.append(f"<{child.type}>")
        found.append((kind, "".join(parts)))
    return found


def paragraphs(cleaned: CleanedText) -> list[str]:
    return [text for _, text in blocks(cleaned.body)]


def clean(*lines: str, title: str = TITLE) -> CleanedText:
    return clean_scraped_text("\n".join(lines) + "\n", title)


BODY = (
    "Three container terminals in Rotterdam were closed on Tuesday after the river burst its banks.",
    "Port authorities said ships would be diverted to Antwerp until the water receded.",
)


def removed_reasons(cleaned: CleanedText) -> dict[str, str]:
    return {text: reason for _, text, reason in cleaned.removed}


# --------------------------------------------------------------------------
# Slugs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "UK withdraws peacekeeping troops from Mali over Russian mercenary Wagner Group links",
            "uk-withdraws-peacekeeping-troops-from-mali-over-russian",
        ),
        ("UK Pulling Mali Troop Deployment", "uk-pulling-mali-troop-deployment"),
        (
            "UK withdraws troops from Mali: what does it mean for the region?",
            "uk-withdraws-troops-from-mali-what-does-it-mean-for-the-region",
        ),
        ("Côte d'Ivoire: what’s next for cocoa?", "cote-divoire-whats-next-for-cocoa"),
        ("  Floods -- close   ports  ", "floods-close-ports"),
        ("snake_case headline", "snake-case-headline"),
    ],
)
def test_article_slug(title: str, slug: str) -> None:
    assert article_slug(title) == slug


def test_long_slug_is_cut_at_a_hyphen_within_64_characters() -> None:
    title = "Storm " + " ".join(["container"] * 12)
    slug = article_slug(title)
    assert len(slug) <= 64
    assert not slug.endswith("-")
    assert ("storm-" + "-".join(["container"] * 12)).startswith(slug + "-")
    # a hyphen exactly at position 64 counts as "at or before 64"
    exact = "a" * 64 + " b"
    assert article_slug(exact) == "a" * 64


def test_long_slug_without_hyphen_is_cut_at_64() -> None:
    assert article_slug("x" * 80) == "x" * 64


def test_title_without_usable_characters_has_no_slug() -> None:
    with pytest.raises(BriefingError, match="slug"):
        article_slug("?!…")


# --------------------------------------------------------------------------
# Character repairs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Mali.\u00a0", "Mali."),  # NBSP at the end
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),  # NBSP, thin, narrow, ideographic
        ("a\tb", "a b"),
        ("zero\u200bwidth\u2060joined\ufeff", "zerowidthjoined"),
        ("peace\u00adkeeping", "peacekeeping"),  # soft hyphen
        ("trailing   ", "trailing"),
        ("  leading", "leading"),
        ("bell\x07 and\x1b escape", "bell and escape"),
        ("stray\u200d joiner", "stray joiner"),
        ("family 👨\u200d👩\u200d👧 emoji", "family 👨\u200d👩\u200d👧 emoji"),  # ZWJ kept in emoji
        ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ kept in Persian
        ("“curly” ‘quotes’ – dashes — … kept", "“curly” ‘quotes’ – dashes — … kept"),
    ],
)
def test_normalise_line(raw: str, line: str) -> None:
    assert normalise_line(raw) == line


def test_line_ends_and_bom_are_normalised() -> None:
    raw = "\ufeff" + BODY[0] + "\r\n\r\n" + BODY[1] + "\r" + "Third line.\n"
    cleaned = clean_scraped_text(raw, TITLE)
    assert paragraphs(cleaned) == [BODY[0], BODY[1], "Third line."]
    assert "\r" not in cleaned.body


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("reliance on mercenaries.Mali's junta", "reliance on mercenaries. Mali's junta"),
        ("the Centre for Studies.Recently, videos", "the Centre for Studies. Recently, videos"),
        ("the port flooded.The water", "the port flooded. The water"),
        ('he said "no."The talks', 'he said "no." The talks'),
        ("he said “no.”The talks", "he said “no.” The talks"),
        ("closed in 2015.Insurgents", "closed in 2015. Insurgents"),
        ("the minister said.A spokesman", "the minister said. A spokesman"),
        ("ships were seen.I think", "ships were seen. I think"),
    ],
)
def test_missing_space_after_full_stop_is_repaired(raw: str, repaired: str) -> None:
    assert repair_spacing(raw) == repaired


@pytest.mark.parametrize(
    "line",
    [
        "U.S.Navy ships",
        "the U.N.Security Council",
        "growth of 3.5 per cent",
        "watch on itv.com tonight",
        "see www.harbourtimes.org/Floods.Update",
        "https://example.org/Report.Final",
        "built with Node.js and Vue.js",
        "e.g.The ports",
        "ITV.Com said",
        "NATO.The alliance",
        "version v2.Beta",
        "write to press@Harbour.Times",
        "the ports...Then",
    ],
)
def test_spacing_left_alone(line: str) -> None:
    assert repair_spacing(line) == line


def test_repair_is_applied_by_the_cleaner() -> None:
    cleaned = clean("Water rose overnight.Officials closed the gates at dawn.")
    assert paragraphs(cleaned) == ["Water rose overnight. Officials closed the gates at dawn."]


# --------------------------------------------------------------------------
# Headline, byline, page header
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headline",
    [
        TITLE,
        "FLOODS CLOSE THREE CONTAINER PORTS IN ROTTERDAM",
        "Floods close three container ports in Rotterdam!",
        "Floods close three container-ports in Rotterdam",
        "Floods close three container ports in Rotterdam | Harbour Times",
        "Floods close three container ports in Rotterdam - Dutch Daily News",
    ],
)
def test_headline_near_the_top_is_dropped(headline: str) -> None:
    cleaned = clean(headline, *BODY)
    assert paragraphs(cleaned) == list(BODY)
    assert removed_reasons(cleaned) == {headline: "headline"}


def test_headline_deep_in_the_text_is_kept() -> None:
    filler = [f"Paragraph {i} of the report describes the damage in detail." for i in range(10)]
    cleaned = clean(*filler, TITLE)
    assert paragraphs(cleaned)[-1] == TITLE


def test_headline_with_long_suffix_is_not_a_headline() -> None:
    line = TITLE + " - and the government says it will pay for all of the repairs"
    assert paragraphs(clean(line, *BODY))[0] == line


def test_short_lines_above_the_headline_are_page_header() -> None:
    cleaned = clean("Europe", "Netherlands", TITLE, *BODY)
    assert paragraphs(cleaned) == list(BODY)
    assert removed_reasons(cleaned)["Europe"] == "page header above the headline"


def test_sentence_above_the_headline_is_kept() -> None:
    standfirst = "Shipping across northern Europe faces weeks of delays."
    assert paragraphs(clean(standfirst, TITLE, *BODY)) == [standfirst, *BODY]


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("BY JANE DOE", "JANE DOE"),
        ("By Jane Doe and Piet de Vries", "Jane Doe and Piet de Vries"),
        ("By Jane Doe, Harbour Times", "Jane Doe"),
        ("By Jane Doe in Rotterdam", "Jane Doe"),
        ("By J.D. van Dijk | 14 November 2022", "J.D. van Dijk"),
        ("Written by Ann Lee", "Ann Lee"),
    ],
)
def test_byline_at_the_top_becomes_author(line: str, author: str) -> None:
    cleaned = clean(TITLE, line, *BODY)
    assert cleaned.author == author
    assert paragraphs(cleaned) == list(BODY)


@pytest.mark.parametrize(
    "line",
    [
        "By the numbers",
        "By Monday, 300 ships were waiting outside the harbour.",
        "By then the water had reached the warehouses.",
    ],
)
def test_by_sentences_are_not_bylines(line: str) -> None:
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert cleaned.author is None
    assert paragraphs(cleaned) == [BODY[0], line, BODY[1]]


def test_byline_far_down_is_kept() -> None:
    filler = [f"Paragraph {i} of the report describes the damage." for i in range(10)]
    cleaned = clean(*filler, "By Jane Doe", *BODY)
    assert cleaned.author is None
    assert paragraphs(cleaned)[-3] == "By Jane Doe"


# --------------------------------------------------------------------------
# Navigation, captions, promos
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "SKIP TO CONTENT",
        "Accessibility links",
        "Menu",
        "Live",
        "Breaking News",
        "Advertisement",
        "ADVERTISEMENT - SCROLL TO CONTINUE",
        "Story continues below advertisement",
        "Share",
        "Share this article:",
        "Share on Facebook",
        "Facebook Twitter WhatsApp Email",
        "Share | Tweet | Email",
        "Related",
        "Related Topics",
        "Read more",
        "Read more »",
        "Most Read",
        "Sign up",
        "Comments (12)",
        "Listen to this article",
        "Loading...",
        "Home > News > Europe",
        "News | Netherlands",
        "Published 14 November 2022",
        "Updated: Nov. 14, 2022, 10:32 a.m. GMT",
        "5 min read",
        "2 hours ago",
        "• • •",
        "***",
    ],
)
def test_navigation_furniture_is_dropped(line: str) -> None:
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert paragraphs(cleaned) == list(BODY)
    assert line in removed_reasons(cleaned)


@pytest.mark.parametrize(
    "line",
    [
        "FILE: Containers are stacked at the Port of Rotterdam on March 3, 2021.",
        "FILE PHOTO: A tugboat guides a ship into the harbour.",
        "FILE - Dock workers walk past a flooded terminal, Oct. 4, 2019.",
        "Photo: Water covers the quay at Maasvlakte.",
        "Image: A crane stands in flood water",
        "Picture: Harbour Times",
        "Image caption, Firefighters pump water out of a warehouse",
        "Image source, Getty Images",
        "Firefighters pump water out of a warehouse on Tuesday. (Photo: Jane Doe/AFP)",
        "Residents watch the rising river. (Reuters)",
        "Volunteers fill sandbags in Dordrecht (AP Photo/Peter Dejong)",
        "Getty Images",
        "AFP via Getty Images",
        "Jane Doe/Reuters",
        "© EPA-EFE/Shutterstock",
        "AP Photo/Peter Dejong",
        "Image 2 of 7",
    ],
)
def test_captions_and_photo_credits_are_dropped(line: str) -> None:
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert paragraphs(cleaned) == list(BODY)
    assert removed_reasons(cleaned)[line] == "photo caption or credit"


@pytest.mark.parametrize(
    "line",
    [
        "Want a quick and expert briefing on the biggest news stories? Listen to our podcast.",
        "Want to know more? Our explainer has everything you need",
        "Sign up for our free morning newsletter",
        "Sign up to Harbour Times Daily for the top stories every morning.",
        "Subscribe to Harbour Times for just €1 a week",
        "Listen to our latest episode of Port Talk on Spotify.",
        "Follow us on Instagram",
        "Follow Harbour Times on X for live updates",
        "Download the Harbour Times app for breaking news alerts",
        "Click here to see the full map of closures",
        "Read more: Why the Maas keeps flooding",
        "READ MORE: Why the Maas keeps flooding",
        "Watch: Drone footage of the flooded terminals",
        "Also read: Antwerp braces for extra traffic",
        "Get the latest news delivered to your inbox",
        "Don't miss our weekly briefing",
        "Support independent journalism today",
        "Have a news tip? Email tips@harbourtimes.example",
    ],
)
def test_promos_are_dropped(line: str) -> None:
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert paragraphs(cleaned) == list(BODY)
    assert removed_reasons(cleaned)[line] == "promo"


@pytest.mark.parametrize(
    "line",
    [
        "Share prices of shipping firms fell sharply on Monday.",
        "Live cattle exports through the port were halted.",
        "Related talks will resume in Geneva next week.",
        "Advertisement spending by the port authority rose 4% last year.",
        "Pictures, videos and testimonies of the flooding were shared widely online.",
        "Photographers were barred from entering the terminals.",
        "The photo, taken in 2019, shows the same quay under water.",
        "Reuters reported that insurers expect claims of €200m.",
        "Subscribers to the port's alert service received no warning, the company said.",
        "Listeners called the local radio station to report rising water.",
        "Followers of the mayor's account were told to stay indoors.",
        "Watchdogs warned last year that the flood barriers were unsafe.",
        "Read the statement carefully, the judge told the court.",
        "Clicking through the port's website, customers found no information.",
        "Latest: Two more terminals closed at noon, the port said.",
        "Source: a senior port official said the barriers failed.",
        "Menu prices at harbour cafés have doubled since the floods.",
        "Britain confirmed the closure via Twitter",
        "Temperature > 40 degrees in the engine rooms",
        "Updated figures show 3,000 containers were damaged.",
        "In 2022",
        "Europe",
    ],
)
def test_real_sentences_and_near_misses_are_kept(line: str) -> None:
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert paragraphs(cleaned) == [BODY[0], line, BODY[1]]
    assert cleaned.removed == ((1, TITLE, "headline"),)


# --------------------------------------------------------------------------
# Credit lines at the end
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "credit"),
    [
        (["Source: Harbour Times and agencies"], "Harbour Times and agencies"),
        (["SOURCE: AFP, Reuters"], "AFP, Reuters"),
        (["With agencies"], "agencies"),
        (["(With inputs from PTI)"], "PTI"),
        (["With Reuters and AFP"], "Reuters and AFP"),
        (["(Reuters)"], "Reuters"),
        (["— AFP"], "AFP"),
        (["(Reporting by Jane Doe; Editing by John Roe)"], "Reporting by Jane Doe; Editing by John Roe"),
        (
            ["Additional reporting by Ann Lee in Antwerp", "Source: AP"],
            "Additional reporting by Ann Lee in Antwerp; AP",
        ),
        (["Source: Dutch News and agencies", "", "Share", "Related Topics"], "Dutch News and agencies"),
    ],
)
def test_credit_lines_at_the_end(lines: list[str], credit: str) -> None:
    cleaned = clean(TITLE, *BODY, *lines)
    assert cleaned.credit == credit
    assert paragraphs(cleaned) == list(BODY)


def test_credit_line_inside_the_text_is_kept() -> None:
    line = "Source: Port of Rotterdam Authority"
    cleaned = clean(TITLE, BODY[0], line, BODY[1])
    assert cleaned.credit is None
    assert paragraphs(cleaned) == [BODY[0], line, BODY[1]]


def test_last_sentence_that_starts_like_a_credit_is_kept() -> None:
    last = "Reporting by the BBC found that 40 ships were damaged."
    cleaned = clean(TITLE, *BODY, last)
    assert cleaned.credit is None
    assert paragraphs(cleaned)[-1] == last


def test_short_lines_between_headline_and_text_are_header() -> None:
    cleaned = clean(TITLE, "Jane Doe in Rotterdam", "Harbour Times, Europe desk", *BODY)
    assert paragraphs(cleaned) == list(BODY)
    assert removed_reasons(cleaned)["Jane Doe in Rotterdam"] == "page header below the headline"


def test_long_standfirst_without_full_stop_below_headline_is_kept() -> None:
    standfirst = "Shipping across northern Europe faces weeks of delays after record rainfall"
    assert paragraphs(clean(TITLE, standfirst, *BODY)) == [standfirst, *BODY]


def test_tags_and_related_links_at_the_end_are_dropped() -> None:
    cleaned = clean(
        TITLE,
        *BODY,
        "Source: Harbour Times",
        "Topics",
        "Netherlands",
        "Flooding",
        "More on this story",
        "Why the Maas keeps flooding",
        "Antwerp braces for extra container traffic as Rotterdam shuts",
        "Published 3 days ago",
    )
    assert paragraphs(cleaned) == list(BODY)
    assert cleaned.credit == "Harbour Times"
    reasons = removed_reasons(cleaned)
    assert reasons["Flooding"] == "tag or link at the end"
    assert (
        reasons["Antwerp braces for extra container traffic as Rotterdam shuts"] == "related links at the end"
    )


def test_text_after_a_related_marker_is_kept_when_it_is_the_story() -> None:
    last = "The port expects to reopen the terminals on Friday"
    cleaned = clean(TITLE, BODY[0], "Related", "Antwerp braces for extra traffic", BODY[1], last)
    assert paragraphs(cleaned) == [BODY[0], "Antwerp braces for extra traffic", BODY[1], last]


def test_short_last_sentence_is_kept() -> None:
    assert paragraphs(clean(TITLE, *BODY, "Nobody was hurt."))[-1] == "Nobody was hurt."


def test_removed_lists_every_dropped_line_with_number_and_reason() -> None:
    raw = (
        "Skip to content\n\n"
        + TITLE
        + "\nBy Jane Doe\n"
        + BODY[0]
        + "\nGetty Images\n"
        + BODY[1]
        + "\nWith agencies"
    )
    cleaned = clean_scraped_text(raw, TITLE)
    assert cleaned.removed == (
        (1, "Skip to content", "navigation"),
        (3, TITLE, "headline"),
        (4, "By Jane Doe", "byline"),
        (6, "Getty Images", "photo caption or credit"),
        (8, "With agencies", "credit line"),
    )


# --------------------------------------------------------------------------
# Question subheadings
# --------------------------------------------------------------------------


def test_short_question_line_becomes_heading() -> None:
    cleaned = clean(BODY[0], "What happens to the port workers?", BODY[1])
    assert blocks(cleaned.body) == [
        ("p", BODY[0]),
        ("h2", "What happens to the port workers?"),
        ("p", BODY[1]),
    ]
    assert "## What happens to the port workers?\n" in cleaned.body


@pytest.mark.parametrize(
    "line",
    [
        "Will the government pay for the damage to the terminals and the warehouses along the river?",
        "The port is closed. What now?",
        "“What are we supposed to do?”",
        "but why was nobody warned?",
    ],
)
def test_other_questions_stay_paragraphs(line: str) -> None:
    cleaned = clean(BODY[0], line, BODY[1])
    assert blocks(cleaned.body)[1] == ("p", line)


def test_question_as_last_line_stays_paragraph() -> None:
    cleaned = clean(*BODY, "What happens next?")
    assert blocks(cleaned.body)[-1] == ("p", "What happens next?")


# --------------------------------------------------------------------------
# Markdown escaping
# --------------------------------------------------------------------------

TRICKY_LINES = [
    "# not a heading",
    "###### six",
    "> not a quote",
    "- not a list",
    "-",
    "+ not a list",
    "* not a list",
    "1. not a list",
    "2022) a year",
    "1.5 million people",
    "---",
    "- - -",
    "___",
    "===",
    "| a | b |",
    "~~~ fence",
    "```python",
    "a `code` span",
    "a *b* c **d**",
    "snake_case_name and _emphasis_",
    "[link](http://example.org) and [ref]",
    "[ref]: http://example.org",
    "![image](pic.png)",
    "<http://auto.link> and <b>tag</b>",
    "&amp; &copy; &#169; &#x41; &nosuchentity; & alone AT&T",
    "back\\slash and \\* escaped",
    "trailing backslash\\",
    "two trailing spaces  x",
    "    indented code",
    "\tTabbed",
    "  ",
    "tilde ~~strike~~",
]


@pytest.mark.parametrize("line", TRICKY_LINES)
def test_escaped_line_parses_back_to_itself(line: str) -> None:
    assert blocks(escape_markdown(line)) == [("p", line)]


@pytest.mark.parametrize("line", ["two\nlines", "carriage\rreturn", "nul\x00", "unit\x1fsep"])
def test_escape_refuses_control_characters(line: str) -> None:
    with pytest.raises(ValueError):
        escape_markdown(line)


# Any line of text: every character but control characters (the cleaner
# removes those), tabs included; leading/trailing spaces of any kind.
LINE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs")) | st.just("\t"),
    min_size=1,
)


@settings(max_examples=500, deadline=None)
@given(LINE_TEXT)
@example("1) x")
@example("\\")
@example("&#32;")
@example("\u00a0lead")
@example("\u2028")
@example("    code?")
def test_escape_property_any_line(line: str) -> None:
    assert blocks(escape_markdown(line)) == [("p", line)]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_escape_property_any_normalised_text(raw: str) -> None:
    line = normalise_line(raw.replace("\n", " ").replace("\r", " "))
    if line:
        assert blocks(escape_markdown(line)) == [("p", line)]
        assert blocks("## " + escape_heading(line)) == [("h2", line)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                exclude_characters="\n\r", categories=("L", "N", "P", "S", "Zs", "Cc", "Cf")
            ),
            max_size=60,
        ),
        max_size=12,
    )
)
@example(["Share", "What now?", "x.Yes", "# h", "(Reuters)"])
def test_cleaner_property_paragraphs_are_input_lines(lines: list[str]) -> None:
    raw = "\n".join(lines)
    cleaned = clean_scraped_text(raw, "Some headline")
    assert cleaned == clean_scraped_text(raw, "Some headline")  # deterministic
    normalised = {n: normalise_line(line) for n, line in enumerate(lines, start=1)}
    removed = {n for n, _, _ in cleaned.removed}
    for n, text, _ in cleaned.removed:
        assert normalised[n] == text
    kept = [normalised[n] for n in sorted(normalised) if normalised[n] and n not in removed]
    found = blocks(cleaned.body)
    assert [kind for kind, _ in found] == [kind for kind, _ in found if kind in ("p", "h2")]
    # Only spaces may be added (repair_spacing); nothing else changes.
    assert [text.replace(" ", "") for _, text in found] == [line.replace(" ", "") for line in kept]
    assert cleaned.body == "" or (cleaned.body.endswith("\n") and not cleaned.body.endswith("\n\n"))


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

META = ImportMeta(
    outlet="Harbour Times",
    url="https://harbourtimes.example/2022/11/14/floods",
    date=datetime.date(2022, 11, 14),
    title="Floods: three ports closed",
)


def test_render_front_matter_order_and_format(tmp_path: Path) -> None:
    cleaned = CleanedText(body="Text.\n", credit="HT and agencies", removed=(), author="Jane Doe")
    text = render_article(META, cleaned)
    assert text == (
        "---\n"
        "title: 'Floods: three ports closed'\n"
        "outlet: Harbour Times\n"
        "url: https://harbourtimes.example/2022/11/14/floods\n"
        "date: 2022-11-14\n"
        "author: Jane Doe\n"
        "language: en\n"
        "credit: HT and agencies\n"
        "---\n"
        "\n"
        "Text.\n"
    )
    article = read_article(tmp_path / "floods.md", text)
    assert (article.title, article.author, article.credit, article.body) == (
        "Floods: three ports closed",
        "Jane Doe",
        "HT and agencies",
        "\nText.\n",  # the reader's body starts at the blank line after the front matter
    )


def test_render_leaves_out_missing_author_and_credit() -> None:
    text = render_article(META, CleanedText(body="Text.\n", credit=None, removed=()))
    assert "author:" not in text
    assert "credit:" not in text


def test_meta_author_wins_over_byline() -> None:
    meta = replace(META, author="Desk Editor")
    text = render_article(meta, CleanedText(body="Text.\n", credit=None, removed=(), author="Jane Doe"))
    assert "author: Desk Editor\n" in text


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=1).filter(lambda t: normalise_line(t) != ""),
    outlet=st.text(min_size=1).filter(lambda t: normalise_line(t) != ""),
    author=st.none() | st.text(),
    credit=st.none() | st.text(),
)
def test_render_round_trips_through_read_article(
    title: str, outlet: str, author: str | None, credit: str | None
) -> None:
    meta = ImportMeta(outlet=outlet, url=META.url, date=META.date, title=title, author=author)
    text = render_article(meta, CleanedText(body="Body.\n", credit=credit, removed=()))
    article = read_article(Path("x.md"), text)

    def one_line(value: str | None) -> str | None:
        return " ".join(normalise_line(value).split()) or None if value is not None else None

    assert article.title == one_line(title)
    assert article.outlet == one_line(outlet)
    assert article.author == one_line(author)
    assert article.credit == one_line(credit)
    assert article.date == META.date
    assert article.body == "\nBody.\n"


# --------------------------------------------------------------------------
# Files: import_file, overwrite protection, atomic writes
# --------------------------------------------------------------------------

SCRAPED = "\n".join(
    [
        "Skip to content",
        "Floods: three ports closed",
        "By Jane Doe",
        "FILE PHOTO: Water covers a quay.",
        *BODY,
        "Source: Harbour Times and agencies",
    ]
)


def write_source(folder: Path, name: str = "floods.txt", text: str = SCRAPED) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_file_writes_a_readable_article(tmp_path: Path) -> None:
    source = write_source(tmp_path / "in")
    target = import_file(source, META, tmp_path / "articles")
    assert target == tmp_path / "articles" / "floods-three-ports-closed.md"
    article = read_article(target)
    assert article.author == "Jane Doe"
    assert article.credit == "Harbour Times and agencies"
    assert article.body == "\n" + BODY[0] + "\n\n" + BODY[1] + "\n"
    assert [p.name for p in (tmp_path / "articles").iterdir()] == [target.name]  # no temp files left


def test_import_file_accepts_bom_and_crlf(tmp_path: Path) -> None:
    plain = import_file(write_source(tmp_path / "a"), META, tmp_path / "out1")
    source = tmp_path / "b" / "floods.txt"
    source.parent.mkdir()
    source.write_bytes(b"\xef\xbb\xbf" + SCRAPED.replace("\n", "\r\n").encode("utf-8"))
    bom = import_file(source, META, tmp_path / "out2")
    assert bom.read_bytes() == plain.read_bytes()


def test_import_file_slug_override(tmp_path: Path) -> None:
    meta = replace(META, slug="rotterdam-floods")
    target = import_file(write_source(tmp_path), meta, tmp_path / "articles")
    assert target.name == "rotterdam-floods.md"


def test_import_file_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    source = write_source(tmp_path / "in")
    target = import_file(source, META, tmp_path / "articles")
    target.write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(BriefingError) as info:
        import_file(source, META, tmp_path / "articles")
    assert str(target) in str(info.value)
    assert "--force" in str(info.value)
    assert target.read_text(encoding="utf-8") == "edited by hand\n"
    import_file(source, META, tmp_path / "articles", force=True)
    assert target.read_text(encoding="utf-8").startswith("---\ntitle:")


def test_failed_write_leaves_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_source(tmp_path / "in")
    articles = tmp_path / "articles"
    target = import_file(source, META, articles)
    before = target.read_bytes()

    def broken_replace(self: Path, other: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        import_file(
            write_source(tmp_path / "in2", text=SCRAPED + "\nOne more line."), META, articles, force=True
        )
    assert target.read_bytes() == before
    assert sorted(p.name for p in articles.iterdir()) == [target.name]


def test_import_file_is_deterministic(tmp_path: Path) -> None:
    source = write_source(tmp_path / "in")
    first = import_file(source, META, tmp_path / "a").read_bytes()
    second = import_file(source, META, tmp_path / "b").read_bytes()
    assert first == second


def test_import_file_rejects_bad_meta(tmp_path: Path) -> None:
    meta = replace(META, url="harbourtimes.example/floods")
    with pytest.raises(ConfigError, match="http"):
        import_file(write_source(tmp_path), meta, tmp_path / "articles")
    assert not (tmp_path / "articles").exists()


def test_import_file_rejects_text_with_nothing_left(tmp_path: Path) -> None:
    source = write_source(tmp_path, text="Skip to content\nFloods: three ports closed\nAdvertisement\n")
    with pytest.raises(ContentError) as info:
        import_file(source, META, tmp_path / "articles")
    assert str(info.value).startswith(f"{source}:1:")


def test_import_file_reports_invalid_bytes_for_the_named_encoding_with_line(tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes(b"First line.\nCaf\xe9 owners were evacuated.\n")
    with pytest.raises(ContentError) as info:
        import_file(source, META, tmp_path / "articles", encoding="utf-8")
    assert str(info.value).startswith(f"{source}:2: not valid utf-8")


# --------------------------------------------------------------------------
# Manifests
# --------------------------------------------------------------------------


def write_manifest(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ENTRY = """\
- file: floods.txt
  outlet: Harbour Times
  title: "Floods: three ports closed"
  url: https://harbourtimes.example/floods
  date: 2022-11-14
  language: en
"""


def test_manifest_files_are_relative_to_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "seeds"
    write_source(folder)
    manifest = write_manifest(folder, GOOD_ENTRY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    written = import_manifest(manifest, tmp_path / "articles")
    assert written == [tmp_path / "articles" / "floods-three-ports-closed.md"]
    assert read_article(written[0]).url == "https://harbourtimes.example/floods"


def test_manifest_errors_name_file_and_line_and_write_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_source(folder)
    text = (
        GOOD_ENTRY  # lines 1-6: fine
        + "- file: floods.txt\n"  # line 7: no url
        "  outlet: Dutch Daily\n"
        "  title: Ports shut\n"
        "  date: 2022-11-15\n"
        "- file: missing.txt\n"  # line 11
        "  outlet: Other\n"
        "  title: Another story\n"
        "  url: https://other.example/x\n"
        "  date: 14/11/2022\n"  # line 15: not ISO
        "  autor: Jane Doe\n"  # line 16: typo
    )
    manifest = write_manifest(folder, text)
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{manifest}:7:") and "'url'" in m for m in messages)
    assert any(m.startswith(f"{manifest}:11:") and "missing.txt" in m for m in messages)
    assert any(m.startswith(f"{manifest}:15:") and "YYYY-MM-DD" in m for m in messages)
    assert any(m.startswith(f"{manifest}:16:") and "'autor'" in m for m in messages)
    assert not (tmp_path / "articles").exists()


def test_manifest_duplicate_slug_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_source(folder)
    manifest = write_manifest(folder, GOOD_ENTRY + GOOD_ENTRY)
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    assert [str(p).split(": ")[0] for p in info.value.problems] == [f"{manifest}:7"]
    assert not (tmp_path / "articles").exists()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- file: [unclosed\n", 1),  # the line that opens the unclosed bracket
        ("file: floods.txt\n", 1),
        ("", 1),
        ("- just a string\n", 1),
    ],
)
def test_manifest_shape_errors(tmp_path: Path, text: str, line: int) -> None:
    manifest = write_manifest(tmp_path, text)
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    assert str(info.value.problems[0]).startswith(f"{manifest}:{line}:")


def test_manifest_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_source(folder)
    write_source(folder, "other.txt", "Dock workers went on strike on Monday.\n")
    other = (
        GOOD_ENTRY.replace("floods.txt", "other.txt")
        .replace('"Floods: three ports closed"', "Dock strike")
        .replace("/floods", "/dock-strike")
    )
    manifest = write_manifest(folder, GOOD_ENTRY + other)
    articles = tmp_path / "articles"
    articles.mkdir()
    existing = articles / "dock-strike.md"
    existing.write_text("hand-made\n", encoding="utf-8")
    with pytest.raises(BriefingError) as info:
        import_manifest(manifest, articles)
    assert str(existing) in str(info.value) and "--force" in str(info.value)
    assert sorted(p.name for p in articles.iterdir()) == ["dock-strike.md"]
    assert existing.read_text(encoding="utf-8") == "hand-made\n"
    assert len(import_manifest(manifest, articles, force=True)) == 2


def test_seed_manifest_reproduces_committed_articles(tmp_path: Path) -> None:
    written = import_manifest(SEEDS_MANIFEST, tmp_path)
    assert [p.name for p in written] == [
        "uk-withdraws-peacekeeping-troops-from-mali-over-russian.md",
        "uk-pulling-mali-troop-deployment.md",
        "uk-withdraws-troops-from-mali-what-does-it-mean-for-the-region.md",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in COMMITTED_ARTICLES.glob("*.md")
    )
    for path in written:
        assert path.read_bytes() == (COMMITTED_ARTICLES / path.name).read_bytes(), path.name


def test_seed_articles_are_clean() -> None:
    entries = yaml.safe_load(SEEDS_MANIFEST.read_text(encoding="utf-8"))
    for entry in entries:
        slug = article_slug(entry["title"])
        article = read_article(COMMITTED_ARTICLES / f"{slug}.md")
        assert article.title == entry["title"]
        texts = [text for _, text in blocks(article.body)]
        for furniture in (
            "Accessibility links",
            "Breaking News",
            "FILE:",
            "Want a quick",
            "Source:",
            entry["title"],
        ):
            assert not any(t.startswith(furniture) for t in texts), (slug, furniture)
        assert not any("\u00a0" in t for t in texts)
    itv = read_article(COMMITTED_ARTICLES / "uk-withdraws-peacekeeping-troops-from-mali-over-russian.md")
    assert ("h2", "Who are the Wagner Group?") in blocks(itv.body)
    assert "mercenaries. Mali's military government" in itv.body
    assert "Studies. Recently, Russian Telegram" in itv.body
    trt = read_article(
        COMMITTED_ARTICLES / "uk-withdraws-troops-from-mali-what-does-it-mean-for-the-region.md"
    )
    assert trt.credit == "TRTWorld and agencies"


def test_manifest_with_an_impossible_date_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The river burst its banks on Sunday.\n", encoding="utf-8")
    manifest = tmp_path / "sources.yaml"
    manifest.write_text(
        "- file: a.txt\n  outlet: X\n  title: Flood\n  url: https://x.example/a\n  date: 2024-02-30\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentErrors) as caught:
        import_manifest(manifest, tmp_path / "articles")
    assert [str(p) for p in caught.value.problems] == [
        f"{manifest}:5: date '2024-02-30' is not a date; write it as YYYY-MM-DD"
    ]
    assert not (tmp_path / "articles").exists()


# --------------------------------------------------------------------------
# Encodings and character repairs
# --------------------------------------------------------------------------

# Invented text with the characters that go wrong between encodings.
WESTERN = (
    "Skip to content\n"
    "The council’s “emergency” fund of €2m was approved on Monday – café owners cheered.\n"
    "Naïve promises, said Zoë Brandt, would not rebuild the harbour façade.\n"
)
LATIN_1 = "Le café de la gare a fermé après l'inondation de dimanche.\nDeuxième ligne, über alles: ß.\n"


def import_bytes(folder: Path, data: bytes, name: str = "story.txt", **kwargs: Any) -> str:
    source = folder / "in" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    return import_file(source, META, folder / "articles", **kwargs).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "encode"),
    [
        (WESTERN, lambda t: t.encode("utf-16")),  # BOM + native order, as Python writes it
        (WESTERN, lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
        (WESTERN, lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be")),
        (WESTERN, lambda t: codecs.BOM_UTF8 + t.encode("utf-8")),
        (WESTERN, lambda t: t.encode("cp1252")),
        (WESTERN, lambda t: t.replace("\n", "\r\n").encode("utf-8")),
        (WESTERN, lambda t: t.replace("\n", "\r").encode("utf-8")),
        (WESTERN, lambda t: t.replace("\n", "\r\n").encode("cp1252")),
        (LATIN_1, lambda t: t.encode("latin-1")),
        (LATIN_1, lambda t: t.encode("utf-16")),
    ],
    ids=["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-8-bom", "cp1252", "crlf", "cr", "cp1252-crlf",
         "latin-1", "latin-1-text-utf-16"],
)  # fmt: skip
def test_every_encoding_imports_like_utf8(tmp_path: Path, text: str, encode: Any) -> None:
    expected = import_bytes(tmp_path / "utf8", text.encode("utf-8"))
    assert import_bytes(tmp_path / "other", encode(text)) == expected
    assert "\r" not in expected


def test_imported_text_keeps_the_special_characters(tmp_path: Path) -> None:
    body = read_article(Path("x.md"), import_bytes(tmp_path, WESTERN.encode("cp1252"))).body
    assert "council’s “emergency” fund of €2m was approved on Monday – café" in body
    assert "Zoë Brandt" in body and "façade" in body
    latin = read_article(Path("y.md"), import_bytes(tmp_path / "l", LATIN_1.encode("latin-1"))).body
    assert "Le café de la gare a fermé après" in latin and "über alles: ß" in latin


def test_cyrillic_code_page_is_detected(tmp_path: Path) -> None:
    text = (
        "Городской совет в понедельник проголосовал за продление работы библиотек.\n"
        "Решение поддержали профсоюзы работников культуры.\n"
    )
    body = read_article(Path("x.md"), import_bytes(tmp_path, text.encode("cp1251"))).body
    assert "Городской совет в понедельник" in body


def test_utf16_without_bom_needs_an_encoding(tmp_path: Path) -> None:
    data = "\n".join(BODY).encode("utf-16-le")
    assert BODY[0] in import_bytes(tmp_path / "a", data, encoding="utf-16-le")


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    # Mac Roman "é" is byte 0x8E, which windows-1252 reads as "Ž".
    data = "The café reopened on Friday.\n".encode("mac_roman")
    assert "The cafŽ reopened" in import_bytes(tmp_path / "a", data)
    assert "The café reopened" in import_bytes(tmp_path / "b", data, encoding="mac-roman")


@pytest.mark.parametrize("name", ["klingon-8", "rot13", ""])
def test_unknown_encoding_is_a_clear_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match=f"encoding '{name}' is not a text encoding"):
        import_bytes(tmp_path, b"Text.\n", encoding=name)
    assert not (tmp_path / "articles").exists()


def test_invisible_and_odd_characters_are_repaired(tmp_path: Path) -> None:
    raw = (
        "The\u00a0mayor said\u200b the new\u00adest bridge\ufeff would open in May.\n"
        "Cafe\u0301 owners were\u200d pleased.\n"  # "é" decomposed: NFC composes it
    )
    body = read_article(Path("x.md"), import_bytes(tmp_path, raw.encode("utf-8"))).body
    assert body == "\nThe mayor said the newest bridge would open in May.\n\nCafé owners were pleased.\n"


def test_decode_source_reports_the_codec() -> None:
    assert decode_source("é".encode(), "x") == ("é", "utf-8")
    assert decode_source("é\r\n".encode("utf-16"), "x") == ("é\n", "utf-16")
    assert decode_source("“é”".encode("cp1252"), "x") == ("“é”", "cp1252")
    assert decode_source(b"caf\xe9 \x81", "x") == ("café \x81", "latin-1")  # 0x81: not cp1252


# --------------------------------------------------------------------------
# Saved web pages
# --------------------------------------------------------------------------

PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="{charset}">
<title>Ferry operator suspends island crossings after engine fire | Coastline Herald</title>
<link rel="canonical" href="https://www.coastlineherald.example/news/2024/06/ferry-engine-fire">
<meta property="og:title" content="Ferry operator suspends island crossings after engine fire">
<meta property="og:site_name" content="Coastline Herald">
<meta property="og:url" content="https://www.coastlineherald.example/news/2024/06/ferry-engine-fire">
<meta property="og:type" content="article">
<meta name="author" content="Maria Quist">
{date_meta}
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Ferry operator suspends island crossings after engine fire",
 {date_json}
 "author": {{"@type": "Person", "name": "Maria Quist"}},
 "publisher": {{"@type": "Organization", "name": "Coastline Herald"}}}}
</script>
<script>window.dataLayer = window.dataLayer || [];
function track() {{ document.write("tracking pixel"); }}</script>
<style>.ad {{ display: block; }}</style>
</head>
<body>
<header>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
  <li><a href="/weather">Weather</a></li></ul></nav>
  <div class="ad" id="top-banner">Advertisement
  <a href="https://ads.example/c">Buy cheap flights now</a></div>
</header>
<main>
<article>
  <h1>Ferry operator suspends island crossings after engine fire</h1>
  <p class="byline">By Maria Quist</p>
  <p>The only ferry operator serving the northern islands suspended all crossings on Tuesday after a fire
  broke out in the engine room of one of its two vessels during the morning sailing.</p>
  <p>All 212 passengers and 14 crew were brought back to the mainland port without injury, the company
  said, after the crew put out the fire using the ship’s own extinguishing system.</p>
  <figure><img src="ferry.jpg" alt="The ferry at the quay">
  <figcaption>The ferry returned to port under its own power. Photo: Coastline Herald</figcaption></figure>
  <p>“Safety comes first, and we will not sail again until the cause is understood,” the operator’s chief
  executive, Tomas Berg, told reporters at the harbour.</p>
  <div class="ad">Advertisement</div>
  <p>Islanders rely on the service for food deliveries, hospital appointments and school travel, and
  local councillors said a replacement vessel should be chartered within days.</p>
  <p>The maritime safety agency said it had sent two inspectors to examine the damaged engine and would
  publish its first findings next week.</p>
  {extra}
  <aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Harbour upgrade delayed again</a></li>
  <li><a href="/b">Island school to close</a></li></ul></aside>
</article>
</main>
<footer><p>© 2024 Coastline Herald. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body>
</html>
"""
DATE_META = '<meta property="article:published_time" content="2024-06-11T08:30:00+01:00">'
DATE_JSON = '"datePublished": "2024-06-11T08:30:00+01:00", "dateModified": "2024-06-13T10:00:00+01:00",'


def page(*, charset: str = "utf-8", dated: bool = True, extra: str = "") -> str:
    return PAGE.format(
        charset=charset,
        date_meta=DATE_META if dated else "",
        date_json=DATE_JSON if dated else "",
        extra=extra,
    )


def write_page(folder: Path, html: str, name: str = "ferry.html", encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(html.encode(encoding))
    return path


def test_saved_page_is_imported_with_its_metadata(tmp_path: Path) -> None:
    source = write_page(tmp_path / "in", page())
    [target] = import_files([source], PartialMeta(), tmp_path / "articles")
    assert target.name == "ferry-operator-suspends-island-crossings-after-engine-fire.md"
    article = read_article(target)
    assert article.title == "Ferry operator suspends island crossings after engine fire"
    assert article.outlet == "Coastline Herald"
    assert article.url == "https://www.coastlineherald.example/news/2024/06/ferry-engine-fire"
    assert article.date == datetime.date(2024, 6, 11)  # published, not modified
    assert article.author == "Maria Quist"
    texts = [text for _, text in blocks(article.body)]
    assert texts[0].startswith("The only ferry operator serving the northern islands")
    assert texts[-1].startswith("The maritime safety agency said")
    assert "“Safety comes first" in article.body and "ship’s own" in article.body
    for furniture in (
        "Advertisement",
        "Buy cheap flights",
        "Home",
        "Related stories",
        "Harbour upgrade",
        "tracking pixel",
        "dataLayer",
        "All rights reserved",
        "Privacy",
        "By Maria Quist",
    ):
        assert furniture not in article.body, furniture  # fmt: skip


def test_command_line_metadata_overrides_the_page(tmp_path: Path) -> None:
    source = write_page(tmp_path / "in", page())
    given = PartialMeta(title="Island ferries halted", outlet="Herald", date=datetime.date(2024, 6, 12))
    [target] = import_files([source], given, tmp_path / "articles")
    article = read_article(target)
    assert (article.title, article.outlet, article.date) == (
        "Island ferries halted",
        "Herald",
        datetime.date(2024, 6, 12),
    )
    assert article.url == "https://www.coastlineherald.example/news/2024/06/ferry-engine-fire"
    assert target.name == "island-ferries-halted.md"


def test_page_without_a_date_needs_one_given(tmp_path: Path) -> None:
    source = write_page(tmp_path / "in", page(dated=False))
    with pytest.raises(ConfigError) as info:
        import_files([source], PartialMeta(), tmp_path / "articles")
    assert str(info.value) == f"{source}: no date found in the page; pass --date YYYY-MM-DD"
    assert not (tmp_path / "articles").exists()
    given = PartialMeta(date=datetime.date(2024, 6, 11))
    [target] = import_files([source], given, tmp_path / "articles")
    assert read_article(target).date == datetime.date(2024, 6, 11)


def test_text_file_without_metadata_names_every_missing_option(tmp_path: Path) -> None:
    source = write_source(tmp_path)
    with pytest.raises(BriefingError) as info:
        import_files([source], PartialMeta(outlet="Harbour Times"), tmp_path / "articles")
    assert str(info.value).splitlines() == [
        f"{source}: no title given; pass --title TEXT",
        f"{source}: no url given; pass --url URL",
        f"{source}: no date given; pass --date YYYY-MM-DD",
    ]


@pytest.mark.parametrize(("charset", "encoding"), [("windows-1252", "cp1252"), ("iso-8859-1", "cp1252")])
def test_page_in_a_declared_legacy_charset(tmp_path: Path, charset: str, encoding: str) -> None:
    source = write_page(tmp_path / "in", page(charset=charset), encoding=encoding)
    [target] = import_files([source], PartialMeta(), tmp_path / "articles")
    assert "“Safety comes first" in read_article(target).body


HOSTILE = """
  <p>Police said a message reading &lt;script&gt;alert("x")&lt;/script&gt; was left at the depot
  on Monday.</p>
  <p>The note also held <b>markup</b> like &lt;img src=x onerror="alert(1)"&gt; and a link, the officer
  said.</p>
  <p>Investigators warned residents <a href="javascript:alert(document.cookie)">not to click</a> links in
  such messages, and to report them [here](javascript:alert(2)) or at
  <span onclick="steal()">the desk</span>.</p>
  <script>alert("live script")</script>
  <img src="x" onerror="alert('live onerror')">
  <iframe src="javascript:alert(3)"></iframe>
  <svg onload="alert(4)"><text>svg text</text></svg>
"""


def test_hostile_html_never_reaches_the_article_as_markup(tmp_path: Path) -> None:
    source = write_page(tmp_path / "in", page(extra=HOSTILE))
    [target] = import_files([source], PartialMeta(), tmp_path / "articles")
    article = read_article(target)
    rendered = MD.render(article.body)
    # Only the tags Markdown makes for plain paragraphs: nothing live, even
    # for a renderer that lets raw HTML through (the escaping is in the file).
    for html in (rendered, MarkdownIt("commonmark", {"html": True}).render(article.body)):
        assert set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html)) == {"p"}
        assert "href" not in html and "src=" not in html.replace("img src=x", "")
    assert "live script" not in rendered and "live onerror" not in rendered and "svg text" not in rendered
    # The words of the story are kept, as text.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; was left at the depot" in rendered
    assert "report them [here](javascript:alert(2))" in " ".join(t for _, t in blocks(article.body))


# --------------------------------------------------------------------------
# Markdown sources
# --------------------------------------------------------------------------

MARKDOWN_ARTICLE = """\
---
title: Tram drivers vote to strike over rosters
outlet: City Gazette
url: https://citygazette.example/trams
date: 2023-09-04
author: Omar Reyes
---

Tram drivers voted on Monday to strike for two days later this month.\u00a0

## What happens next?

The operator said talks would resume on Wednesday.
"""


def test_markdown_with_front_matter_keeps_fields_and_body(tmp_path: Path) -> None:
    source = tmp_path / "in" / "trams.md"
    source.parent.mkdir()
    source.write_text(MARKDOWN_ARTICLE, encoding="utf-8")
    [target] = import_files([source], PartialMeta(outlet="The City Gazette"), tmp_path / "articles")
    article = read_article(target)
    assert (article.title, article.outlet, article.author) == (
        "Tram drivers vote to strike over rosters",
        "The City Gazette",
        "Omar Reyes",
    )
    assert blocks(article.body) == [
        ("p", "Tram drivers voted on Monday to strike for two days later this month."),
        ("h2", "What happens next?"),
        ("p", "The operator said talks would resume on Wednesday."),
    ]


def test_markdown_front_matter_is_validated(tmp_path: Path) -> None:
    source = tmp_path / "bad.md"
    source.write_text(MARKDOWN_ARTICLE.replace("2023-09-04", "2023-09-31"), encoding="utf-8")
    with pytest.raises(ContentErrors) as info:
        import_files([source], PartialMeta(), tmp_path / "articles")
    assert [str(p) for p in info.value.problems] == [
        f"{source}:5: date '2023-09-31' is not a date; write it as YYYY-MM-DD"
    ]


def test_markdown_front_matter_may_lack_what_is_given(tmp_path: Path) -> None:
    source = tmp_path / "trams.md"
    source.write_text(MARKDOWN_ARTICLE.replace("date: 2023-09-04\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        import_files([source], PartialMeta(), tmp_path / "articles")
    assert str(info.value) == f"{source}: no date in the front matter; pass --date YYYY-MM-DD"
    [target] = import_files([source], PartialMeta(date=datetime.date(2023, 9, 5)), tmp_path / "articles")
    assert read_article(target).date == datetime.date(2023, 9, 5)


def test_markdown_without_front_matter_is_text(tmp_path: Path) -> None:
    source = write_source(tmp_path, "floods.md", "# Not a heading\n" + "\n".join(BODY))
    article = read_article(import_file(source, META, tmp_path / "articles"))
    assert blocks(article.body)[0] == ("p", "# Not a heading")


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    source = write_source(tmp_path, "floods.pdf")
    with pytest.raises(BriefingError, match=r"cannot import a '\.pdf' file; give \.txt, \.md or \.html"):
        import_file(source, META, tmp_path / "articles")


# --------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://www.Example.org/news/story", "HTTPS://WWW.EXAMPLE.ORG/news/story/"),
        ("https://example.org/a?id=7&utm_source=x&utm_medium=social", "https://example.org/a/?id=7#comments"),
        ("http://example.org:80/a?b=2&a=1", "http://example.org/a?a=1&b=2&fbclid=xyz"),
    ],
)
def test_normalise_url_same(first: str, second: str) -> None:
    assert normalise_url(first) == normalise_url(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.org/news/Story", "https://example.org/news/story"),  # paths keep case
        ("https://example.org/a?id=7", "https://example.org/a?id=8"),
        ("https://example.org/a", "https://example.com/a"),
        ("https://example.org:8443/a", "https://example.org/a"),
    ],
)
def test_normalise_url_different(first: str, second: str) -> None:
    assert normalise_url(first) != normalise_url(second)


def wire_meta(outlet: str, url: str, title: str) -> ImportMeta:
    return ImportMeta(outlet=outlet, url=url, date=datetime.date(2024, 3, 4), title=title)


def test_same_url_is_a_duplicate(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    first = import_file(
        write_source(tmp_path / "a", text=ORIGINAL),
        wire_meta("Agency", "https://News.example/landslide/?utm_source=rss", "Landslide cuts rail link"),
        articles,
    )
    second_source = write_source(tmp_path / "b", text=OWN_REPORT)
    meta = wire_meta("Agency", "https://news.example/landslide#top", "Villages cut off")
    with pytest.raises(BriefingError) as info:
        import_file(second_source, meta, articles)
    assert str(info.value) == (
        f"{second_source}: same article as {first} (same URL); pass --allow-duplicate to import anyway"
    )
    assert sorted(articles.iterdir()) == [first]
    import_file(second_source, meta, articles, allow_duplicate=True)
    assert len(list(articles.iterdir())) == 2


def test_wire_copy_under_another_url_is_a_duplicate(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    first = import_file(
        write_source(tmp_path / "a", text=ORIGINAL),
        wire_meta("Agency", "https://agency.example/landslide", "Landslide cuts rail link"),
        articles,
    )
    copy = write_source(tmp_path / "b", text=COPY_PARAGRAPH_CUT)
    meta = wire_meta("Valley Post", "https://valleypost.example/2024/landslide", "Rail link cut")
    with pytest.raises(BriefingError) as info:
        import_file(copy, meta, articles)
    message = str(info.value)
    assert message.startswith(f"{copy}: same article as {first} (")
    assert re.search(r"\((8\d|9\d)% identical text\); pass --allow-duplicate to import anyway$", message)
    # Another outlet's own report of the same event is not a copy.
    other = write_source(tmp_path / "c", text=OWN_REPORT)
    import_file(other, wire_meta("Radio", "https://radio.example/landslide", "Villages cut off"), articles)
    assert len(list(articles.iterdir())) == 2


def test_reimporting_over_the_same_file_with_force_is_not_a_duplicate(tmp_path: Path) -> None:
    source = write_source(tmp_path)
    target = import_file(source, META, tmp_path / "articles")
    assert import_file(source, META, tmp_path / "articles", force=True) == target


def test_duplicates_within_one_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_source(folder, "wire.txt", ORIGINAL)
    write_source(folder, "copy.txt", COPY_NEW_HEADLINE_AND_CREDITS)
    manifest = write_manifest(
        folder,
        "- file: wire.txt\n  outlet: Agency\n  title: Landslide\n  url: https://agency.example/l\n"
        "  date: 2024-03-04\n"
        "- file: copy.txt\n  outlet: Harbour Times\n  title: Rail link cut\n"  # line 6
        "  url: https://harbourtimes.example/rail\n  date: 2024-03-04\n",
    )
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    [problem] = info.value.problems
    assert str(problem).startswith(f"{manifest}:6: copy.txt: same article as {folder / 'wire.txt'} (")
    assert "identical text); pass --allow-duplicate" in str(problem)
    assert not (tmp_path / "articles").exists()
    assert len(import_manifest(manifest, tmp_path / "articles", allow_duplicate=True)) == 2


def test_manifest_html_entry_needs_only_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_page(folder, page())
    write_page(folder, page(dated=False), name="undated.html")
    manifest = write_manifest(folder, "- file: ferry.html\n- file: undated.html\n  encoding: utf-8\n")
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    assert [str(p) for p in info.value.problems] == [
        f"{manifest}:2: undated.html: no date found in the file; add 'date: ...'"
    ]
    manifest.write_text("- file: ferry.html\n- file: undated.html\n  date: 2024-06-11\n  slug: b\n")
    with pytest.raises(ContentErrors, match="same article as"):
        import_manifest(manifest, tmp_path / "articles")


def test_manifest_unknown_encoding_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    write_source(folder)
    manifest = write_manifest(folder, GOOD_ENTRY + "  encoding: martian\n")
    with pytest.raises(ContentErrors) as info:
        import_manifest(manifest, tmp_path / "articles")
    assert str(info.value.problems[0]).startswith(f"{manifest}:7: encoding 'martian'")


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def test_cli_imports_a_saved_page_without_options(tmp_path: Path) -> None:
    source = write_page(tmp_path / "in", page())
    result = CliRunner().invoke(main, ["import", str(source), "--content", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "c" / "articles").iterdir()
    assert read_article(written).outlet == "Coastline Herald"
    again = CliRunner().invoke(
        main, ["import", str(source), "--content", str(tmp_path / "c"), "--slug", "other"]
    )
    assert again.exit_code == 1
    assert "same article as" in again.output and "(same URL); pass --allow-duplicate" in again.output


def test_cli_unknown_encoding(tmp_path: Path) -> None:
    source = write_source(tmp_path)
    args = ["import", str(source), "--encoding", "nope-1", "--content", str(tmp_path / "c")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "encoding 'nope-1' is not a text encoding Python knows" in result.output


def test_cli_missing_metadata_for_text(tmp_path: Path) -> None:
    source = write_source(tmp_path)
    result = CliRunner().invoke(main, ["import", str(source), "--content", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert f"{source}: no outlet given; pass --outlet NAME" in result.output


# --------------------------------------------------------------------------
# Property: whatever the text, import then segment gives back its words
# --------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")
HOSTILE_PIECES = [
    *"abcXYZ019 .,;:!?'\"()[]{}<>/\\*_`#~|=+-&%$@^",
    *["<script>", "</script>", "javascript:", "onerror=", "&amp;", "&#60;", "\u00a0", "\u200b"],
    *["é", "e\u0301", "“", "”", "’", "\t", " said. The ", "\r\n", "\r", "    ", "1. ", "## "],
]
HOSTILE_TEXT = st.lists(st.sampled_from(HOSTILE_PIECES), max_size=30).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(HOSTILE_TEXT, min_size=1, max_size=6))
def test_import_then_segment_keeps_every_kept_word(lines: list[str]) -> None:
    raw = "\n".join(lines)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "x.txt"
        source.write_bytes(raw.encode("utf-8"))
        cleaned = clean_scraped_text(unicodedata.normalize("NFC", raw), META.title)
        if not cleaned.body:
            return
        dropped = {number for number, _, _ in cleaned.removed}
        text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
        expected = [
            word
            for number, line in enumerate(text.split("\n"), start=1)
            if number not in dropped
            for word in _WORD_RE.findall(normalise_line(line))
        ]
        target = import_file(source, META, Path(folder) / "articles", allow_duplicate=True)
        document = segment(read_article(target))
        assert [w for s in document.sentences for w in _WORD_RE.findall(s.text)] == expected
        assert "<script" not in MD.render(document.article.body)
