"""Import stage: turn scraped articles into ``content/articles/<slug>.md``.

Input is scraped text (``.txt``), a saved web page (``.html``, whose text
and metadata trafilatura extracts) or Markdown (``.md``, with or without
front matter), in whatever encoding it was saved (``decode_source``). An
article already in the content folder, by address or by text (wire copy
published by another outlet, found with ``generator.neardup``), is refused:
two files of one report would count as two outlets agreeing.

Articles arrive as text copied or scraped from a news site. Besides the story,
that text carries the page around it (navigation links, the headline again,
photo captions and credits, newsletter and podcast promos, "Source: ..."
credit lines) and scraping damage (sentences glued together without a space,
non-breaking and zero-width spaces, CRLF line ends). Every later stage treats
each paragraph of an article as news text to split into sentences, match to
topics and cite, so furniture left in the body would end up in a briefing as
if the outlet had reported it. This stage removes it once, at the door, and
writes a file a person can read and correct.

The rules are general patterns of news-site scraping (see the compiled
pattern lists below, each with a comment), never the text of one article,
and they are conservative: a line holding a real sentence of news text is
kept unless it is unmistakably a caption or a promo. Every dropped line is
reported back with its line number and the reason (``CleanedText.removed``),
so the import can be reviewed.

The output is Markdown in which each received line is one paragraph, escaped
so that a CommonMark parser gives back exactly the received text (apart from
the repairs listed in ``clean_scraped_text``). Short question lines used as
subheadings become ``##`` headings. The front matter is written with
``yaml.safe_dump`` so that ``generator.content.read_article`` reads back the
same values, and the whole file is deterministic: importing twice gives
byte-identical files.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import math
import os
import re
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import charset_normalizer
import trafilatura
import yaml
from pelican.utils import slugify

from generator.captions import CAPTION_PATTERNS, NEWS_AGENCIES
from generator.content import (
    SLUG_PATTERN,
    FrontMatterLoader,
    parse_date,
    read_article,
    read_text,
    split_front_matter,
)
from generator.errors import BriefingError, ConfigError, ContentError, ContentErrors
from generator.neardup import DEFAULT_THRESHOLD, Fingerprint, NearDuplicateIndex, fingerprint

# --------------------------------------------------------------------------
# Public data
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportMeta:
    """What the manifest (or the command line) says about one article."""

    outlet: str
    url: str
    date: datetime.date
    title: str
    language: str = "en"
    author: str | None = None
    slug: str | None = None
    """File name without ``.md``; default: derived from the title."""


@dataclass(frozen=True, slots=True)
class CleanedText:
    """The result of ``clean_scraped_text``."""

    body: str
    """Markdown body: paragraphs separated by blank lines, ending in "\\n"
    (empty if nothing was left)."""
    credit: str | None
    """Credit line found at the end, e.g. "TRTWorld and agencies"."""
    removed: tuple[tuple[int, str, str], ...]
    """(1-based raw line, line text, reason) of every dropped line, by line."""
    author: str | None = None
    """Byline found at the top ("By Jane Doe" gives "Jane Doe")."""


# --------------------------------------------------------------------------
# Slugs
# --------------------------------------------------------------------------

SLUG_MAX_LENGTH = 64
SLUG_REGEX_SUBS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]


def article_slug(title: str) -> str:
    """The file name (without ``.md``) for an article with this headline.

    Pelican's ``slugify`` with the rules above; a slug longer than
    ``SLUG_MAX_LENGTH`` is cut at the last hyphen at or before that length.
    Characters the rules keep but a slug may not hold (``_``, a leading
    hyphen) are turned into or trimmed as hyphens. Raises ``BriefingError``
    if nothing usable is left (e.g. a headline of punctuation only).
    """
    slug = str(slugify(title, regex_subs=SLUG_REGEX_SUBS))
    if not SLUG_PATTERN.match(slug):
        slug = re.sub(r"[-_]+", "-", slug).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        cut = slug.rfind("-", 0, SLUG_MAX_LENGTH + 1)
        slug = slug[:cut] if cut > 0 else slug[:SLUG_MAX_LENGTH]
    if not SLUG_PATTERN.match(slug):
        raise BriefingError(
            f"title {title!r} gives no usable file name; set 'slug' for this article "
            "(lowercase letters, digits and hyphens)"
        )
    return slug


# --------------------------------------------------------------------------
# Character-level repairs
# --------------------------------------------------------------------------

# Invisible characters that carry no text: zero-width space, word joiner,
# BOM / zero-width no-break space, Mongolian vowel separator, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u180e\u00ad]")
# Zero-width (non-)joiners are spelling in Persian, Indic scripts and emoji
# sequences; they are only damage next to ASCII text, spaces or line ends.
_STRAY_JOINER = re.compile("[\u200c\u200d](?=[\\x00-\\x7f]|$)|(?:(?<=[\\x00-\\x7f])|^)[\u200c\u200d]")

# A full stop glued to the next sentence: "mercenaries.Mali's" or
# 'said."The'. The callback below decides; the pattern only finds candidates.
_GLUED_STOP = re.compile(r"(?<=\w)\.([\"”’)]?)(?=\w)")


def normalise_line(raw: str) -> str:
    """One raw line as text: odd spaces made plain, invisible characters and
    control characters removed, leading and trailing spaces stripped.

    Leading spaces go too: Markdown cannot keep them in a paragraph, and in
    scraped text they are layout, not content.
    """
    chars = []
    for char in raw:
        if char.isspace():
            chars.append(" ")  # NBSP, thin space, tab, line separator, ...
        elif unicodedata.category(char) == "Cc":
            continue  # control characters are never text
        else:
            chars.append(char)
    text = _INVISIBLE.sub("", "".join(chars))
    text = _STRAY_JOINER.sub("", text)
    return text.strip()


def _unglue(match: re.Match[str]) -> str:
    text = match.string
    start, end = match.start(), match.end()
    token_end = text.find(" ", end)
    token = text[text.rfind(" ", 0, start) + 1 : token_end if token_end >= 0 else len(text)]
    if any(mark in token for mark in ("://", "www.", "@", "/")):
        return match.group(0)  # an address: "www.x.org/Floods.Update"
    word_start = start
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in "'’"):
        word_start -= 1
    before = text[word_start:start]
    after = text[end : end + 2]
    starts_word = after[:1].isupper() and (after[1:2].islower() or after[1:2] in ("'", "’"))
    if before.isdigit():
        glued = starts_word  # "in 2015.Insurgents"; "3.5" never reaches here
    else:
        letters = before.rsplit("'", 1)[-1].rsplit("’", 1)[-1]
        glued = (
            len(letters) >= 2  # "U.S.The" / "e.g.The": one-letter abbreviations are left alone
            and letters.isalpha()  # "v2.Beta": a version or code
            and letters[-1].islower()  # "ITV.Com", "NATO.The": too ambiguous to touch
            and (starts_word or (after[:1] in ("A", "I") and after[1:2] == " "))  # "said.A spokesman"
        )
    return "." + match.group(1) + " " if glued else match.group(0)


def repair_spacing(line: str) -> str:
    """Put back the space that scraping lost after a sentence's full stop.

    "mercenaries.Mali's" → "mercenaries. Mali's". Untouched: abbreviations
    ("U.S.", "e.g."), decimals ("3.5"), lowercase continuations ("itv.com",
    "Node.js") and any word that looks like an address (``://``, ``www.``,
    ``@``, ``/``).
    """
    return _GLUED_STOP.sub(_unglue, line)


# --------------------------------------------------------------------------
# Furniture: what a news page puts around the story
# --------------------------------------------------------------------------

# Whole-line navigation and page furniture, compared after _key() (case and
# punctuation folded, trailing counts like "Comments (12)" dropped).
NAVIGATION_LINES = frozenset(
    {
        "accessibility links", "skip to content", "skip to main content", "skip to navigation",
        "skip to search", "skip to footer", "jump to content", "main menu", "menu", "close",
        "close menu", "open menu", "search", "home", "back", "back to top", "top",
        "breaking news", "breaking", "live", "live updates", "live now", "watch live", "just in",
        "latest", "latest news", "latest stories", "top stories", "news", "more news",
        "advertisement", "advertisements", "advert", "ad", "ads", "sponsored", "sponsored content",
        "paid content", "promoted", "promoted stories", "partner content",
        "story continues below advertisement", "article continues below advertisement",
        "article continues after advertisement", "advertisement scroll to continue",
        "scroll to continue", "continue reading", "continue reading below",
        "continue reading the main story", "story continues below", "article continues below",
        "share", "share this", "share this article", "share this story", "share this page",
        "share article", "share story", "share page", "share via", "share on", "copy link",
        "link copied", "copied", "print", "print this page", "email", "save", "save article",
        "saved", "bookmark", "gift article", "gift this article",
        "related", "related articles", "related stories", "related content", "related topics",
        "related news", "related links", "more on this story", "more on this topic",
        "more from", "see also", "also read", "read more", "read next", "read also",
        "recommended", "recommended for you", "you may also like", "you might also like",
        "most read", "most popular", "most viewed", "most shared", "trending", "trending now",
        "popular", "editor s picks", "editors picks",
        "sign up", "sign in", "log in", "login", "log out", "register", "subscribe",
        "subscribe now", "newsletter", "newsletters", "get the app", "download the app",
        "comments", "comment", "show comments", "hide comments", "view comments",
        "leave a comment", "join the conversation", "listen to this article",
        "listen to article", "listen", "play", "play video", "watch", "video", "audio",
        "image", "images", "photo", "photos", "gallery", "view gallery", "enlarge this image",
        "open image in gallery", "toggle caption", "hide caption", "expand", "collapse",
        "next", "previous", "next article", "previous article", "next story", "previous story",
        "loading", "topics", "tags", "follow", "follow us", "cookie settings", "cookies",
        "accept cookies", "privacy policy", "terms of use", "contact us", "about us",
        "all rights reserved", "published", "updated", "last updated", "posted",
        "explore more on these topics", "reuse this content", "view all", "see all",
        "show more", "load more",
    }
)  # fmt: skip

# Words of a share bar ("Share on Facebook | Twitter | Email"). A line made
# only of these, with at least one of _SHARE_CORE, is dropped.
_SHARE_WORDS = frozenset(
    {
        "share", "shares", "this", "article", "story", "page", "on", "via", "by", "or", "and",
        "facebook", "twitter", "x", "whatsapp", "email", "e", "mail", "linkedin", "reddit",
        "pinterest", "telegram", "messenger", "print", "copy", "link", "copied", "flipboard",
        "threads", "bluesky", "instagram", "youtube", "tiktok", "sms", "url", "tweet", "pin",
        "comments", "comment", "save", "bookmark",
    }
)  # fmt: skip
_SHARE_CORE = frozenset(
    {
        "share", "facebook", "twitter", "whatsapp", "linkedin", "reddit", "pinterest",
        "telegram", "messenger", "flipboard", "bluesky", "instagram", "tweet",
    }
)  # fmt: skip


# Promos and calls to action. Anchored at the start of the line: a promo
# opens with its call to action, a news sentence does not.
PROMO_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "Want a quick and expert briefing on the biggest news stories? ..."
        r"^want (?:a|an|more|to)\b.{0,80}\b(?:briefing|newsletter|podcast|updates?|news|stories|know)\b",
        # "Sign up for our newsletter", "Sign up to ...", "Sign up now"
        r"^sign up\b(?!$)",
        # "Subscribe to ...", "Subscribe now for ...", "Subscribe today"
        r"^subscribe\b\s*(?:to|now|for|here|today|and)\b",
        # "Listen to our latest podcasts", "Listen to the full interview", "Listen now"
        r"^listen (?:to (?:our|the (?:latest|full|podcast|episode)|this|more)|now|here|on)\b",
        # "Follow us on X", "Follow ITV News on Facebook", "Follow our live coverage"
        r"^follow (?:us|our|@)",
        r"^follow\b.{1,40}\bon (?:facebook|twitter|x|instagram|tiktok|youtube|linkedin|whatsapp"
        r"|telegram|threads|bluesky|google news)\b",
        # "Download the ITV News app", "Download our free app"
        r"^(?:download|get|install) (?:the|our)\b.{0,40}\bapps?\b",
        # "Click here to ...", "Tap here", "Click to read more"
        r"^(?:click|tap|press) (?:here|to|on the link)\b",
        # Labels before a link: "Read more: ...", "Watch: ...", "Also read: ...", "LISTEN: ..."
        # (not "Latest:" or "Live:", which open real updates in live coverage)
        r"^(?:read(?: more)?|also read|read also|more|see also|see more|watch(?: more)?|listen"
        r"|related|recommended|video|audio|in pictures|podcast)\s*[:»›|]",
        # "Read more about ...", "Read more here", "Read the full story"
        r"^read (?:more|the full|our)\b",
        # "Get the latest news in your inbox", "Get breaking news alerts"
        r"^(?:get|receive) (?:our|the latest|breaking|the best|daily|weekly|free)\b.{0,60}"
        r"\b(?:newsletter|inbox|alerts?|notifications?|updates?|email)\b",
        # "Don't miss out on ...", "Never miss a story"
        r"^(?:don'?t|don’t|do not|never) miss\b",
        # "Support independent journalism", "Donate to our newsroom"
        r"^(?:support|donate to|help fund) (?:our|independent|quality|free)\b",
        # "Join us on Telegram", "Like us on Facebook"
        r"^(?:join|like|find) us on\b",
        # "Got a story? Email ...", "Have a news tip?"
        r"^(?:got|have) a (?:news )?(?:story|tip)\b",
        # Cookie and consent banners
        r"^(?:we use cookies|this (?:site|website) uses cookies|by (?:continuing|using) (?:to|this))",
        # "This article is part of our ... newsletter", "This story first appeared in ..."
        r"^this (?:article|story|piece) (?:is part of|first appeared|was originally published)\b",
    )
)

# Credit lines an outlet prints at the end; the named group is the credit.
CREDIT_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "Source: TRTWorld and agencies", "Sources: AFP, Reuters", "SOURCE - AP"
    re.compile(r"^sources?\s*[:\-–—]\s*(?P<credit>[^.!?]{1,100}?)\.?$", re.IGNORECASE),
    # "With agencies", "(With agency reporting)", "With wires"
    re.compile(
        r"^\(?with (?P<credit>agenc(?:y|ies)|wires?|wire services)"
        r"(?: (?:reports?|reporting|inputs?|copy))?\)?\.?$",
        re.IGNORECASE,
    ),
    # "With Reuters and AFP", "(With inputs from PTI)", "With additional reporting by AFP"
    re.compile(
        r"^\(?(?i:with (?:(?:additional |extra )?(?:reporting|inputs?|contributions?) (?:from|by) )?)"
        rf"(?P<credit>(?:{NEWS_AGENCIES})(?:(?:,| and| &) (?:{NEWS_AGENCIES}))*)\)?\.?$"
    ),
    # "(Reuters)", "— AFP", "- AP"
    re.compile(rf"^(?:\(|[-–—]\s*)(?P<credit>{NEWS_AGENCIES})\)?$"),
    # "(Reporting by Jane Doe; Editing by John Roe)", "Additional reporting by Ann Lee in Dakar"
    re.compile(
        r"^\(?(?P<credit>(?:additional |extra )?(?:reporting|writing|editing|compiled|edited) by "
        r"[^()]{1,200}?)\)?\.?$",
        re.IGNORECASE,
    ),
)

# Lower-case words a credit may hold ("TRTWorld and agencies", "Reporting by
# Jane Doe in Dakar; Editing by John Roe").
_CREDIT_WORDS = frozenset(
    {
        "and", "by", "in", "from", "of", "for", "with", "de", "van", "von", "der", "al", "el",
        "da", "di", "agencies", "agency", "wires", "wire", "services", "staff", "reporters",
        "correspondents", "correspondent", "news", "reporting", "writing", "editing",
        "additional", "extra", "compiled", "edited", "via", "bureau", "desk", "team",
    }
)  # fmt: skip

# "By Jane Doe", "By Jane Doe and John Roe, BBC News", "Written by Ann Lee"
_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(?P<name>[^!?]+?)\.?$", re.IGNORECASE)
_NAME_PARTICLES = frozenset(
    {
        "and", "&", "de", "del", "della", "der", "den", "van", "von", "da", "di", "du", "la", "le",
        "bin", "ibn", "al", "el", "y", "in",
    }
)  # fmt: skip

# Date and time words for "Published 14 November 2022, 10:32 GMT" lines.
_DATE_WORDS = frozenset(
    {
        "published", "updated", "last", "first", "posted", "modified", "on", "at", "ago", "am",
        "pm", "a", "an", "hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "day",
        "days", "week", "weeks", "month", "months", "year", "years", "gmt", "utc", "bst", "cet",
        "cest", "eat", "wat", "est", "edt", "pst", "pdt", "ist", "local", "time", "today",
        "yesterday", "read", "reading", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
        "thu", "thur", "thurs", "fri", "sat", "sun",
    }
)  # fmt: skip

# Breadcrumbs: "Home > World > Africa", "News | Africa | Mali", "World / Africa"
# (each part starts with a letter and has at most three words).
_CRUMB = r"[^\W\d_][^.!?>›»|/\s]*(?: [^.!?>›»|/\s]+){0,2}"
_BREADCRUMB = re.compile(rf"^{_CRUMB}(?:(?:\s*[>›»|]\s*|\s/\s){_CRUMB}){{1,6}}$")

_SENTENCE_END = re.compile(r"[.!?…][\"”’')]*$")
_INNER_SENTENCE_END = re.compile(r"[.!?][\"”’')]*\s")

TOP_WINDOW = 8
"""Lines among the first this many non-blank lines count as "near the top",
as does any line before the first kept line that ends like a sentence."""

QUESTION_HEADING_MAX_WORDS = 12
HEADER_LINE_MAX_WORDS = 5
"""Short lines between the headline and the text are header (kicker, byline)."""
TAIL_LINE_MAX_WORDS = 4
"""Short lines at the very end are tags and topic links."""

_ENDS_STATEMENT = re.compile(r"[.!][\"”’')]*$")

# Navigation lines after which a page lists other stories.
RELATED_MARKERS = frozenset(
    {
        "related", "related articles", "related stories", "related content", "related topics",
        "related news", "related links", "more on this story", "more on this topic", "more from",
        "see also", "also read", "read more", "read next", "read also", "recommended",
        "recommended for you", "you may also like", "you might also like", "most read",
        "most popular", "most viewed", "most shared", "trending", "trending now", "popular",
        "explore more on these topics", "topics", "tags", "more news", "latest news",
        "latest stories", "top stories", "editors picks", "editor s picks",
    }
)  # fmt: skip


def _key(text: str) -> str:
    """Case, punctuation and spacing folded: for comparing lines."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text)


def _has_sentence_punctuation(line: str) -> bool:
    core = re.sub(r"(?:\.{3}|…)$", "", line.rstrip(" :"))
    return bool(re.search(r"[.!?]", core))


def _is_title(line: str, title_key: str) -> bool:
    if not title_key:
        return False
    if _key(line) == title_key:
        return True
    # "Headline | Outlet", "Headline - BBC News"
    return any(
        _key(line[: m.start()]) == title_key and 0 < len(_words(line[m.end() :])) <= 5
        for m in re.finditer(r"\s[|\-–—]\s", line)
    )


def _is_navigation(line: str) -> bool:
    if _has_sentence_punctuation(line):
        return False
    key = re.sub(r"(?: \d+)+$", "", _key(line))
    if key in NAVIGATION_LINES:
        return True
    words = key.split()
    if words and all(w in _SHARE_WORDS for w in words) and any(w in _SHARE_CORE for w in words):
        return True
    return bool(_BREADCRUMB.match(line)) and len(words) <= 10


def _is_date_line(line: str) -> bool:
    if _has_sentence_punctuation(line.replace(".", "")) or not re.search(r"\d", line):
        return False
    words = re.findall(r"[a-z]+", re.sub(r"\b([ap])\.m\b\.?", r"\1m", line.casefold()))
    return len(words) <= 12 and all(w in _DATE_WORDS for w in words)


def _is_decoration(line: str) -> bool:
    """No letters or digits at all: "•", "***", "— — —"."""
    return not any(c.isalnum() for c in line)


def _byline(line: str) -> str | None:
    match = _BYLINE.match(line)
    if not match:
        return None
    name = re.split(r"\s(?:[|\-–—])\s", match.group("name"))[0].strip(" ,")
    if re.search(r"(?<!\b[A-Z])\.", name):
        return None  # a full stop other than an initial's: a sentence, not a name
    words = name.replace(",", " ").split()
    if not 1 <= len(words) <= 10:
        return None
    for word in words:
        if word.casefold() in _NAME_PARTICLES:
            continue
        if not (word[0].isupper() or re.fullmatch(r"(?:al|el|d|o)['’-]\S+", word)):
            return None  # "By Monday, 300 ships...", "By the numbers"
    head, comma, rest = name.partition(",")
    if comma and not re.search(r"\band\b|&", rest):
        name = head  # "Jane Doe, BBC News" (but not "Jane Doe, John Roe and Ann Lee")
    return re.sub(r"\s+in\s+[A-Z][\w'’ -]*$", "", name)  # "Jane Doe in Bamako"


def _credit(line: str) -> str | None:
    """The credit named by a credit line, or None if ``line`` is not one.

    The credit must read like a list of names: at most 20 words, and every
    word in lower case one of ``_CREDIT_WORDS`` ("Reporting by the BBC found
    that..." is a sentence, not a credit).
    """
    for pattern in CREDIT_PATTERNS:
        match = pattern.match(line)
        if match:
            credit = match.group("credit").strip()
            words = _words(credit)
            if len(words) <= 20 and all(not w[0].islower() or w in _CREDIT_WORDS for w in words):
                return credit
    return None


def _matches(line: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(p.search(line) for p in patterns)


def _is_question_heading(line: str) -> bool:
    """ "Who are the Wagner Group?": a short question on its own line."""
    return (
        line.endswith("?")
        and line[0].isalnum()
        and (line[0].isupper() or line[0].isdigit())
        and len(_words(line)) <= QUESTION_HEADING_MAX_WORDS
        and not _INNER_SENTENCE_END.search(line)
    )


def _strip_header(
    kept: list[tuple[int, str]], title_index: int, removed: list[tuple[int, str, str]]
) -> list[tuple[int, str]]:
    """Drop the page header around the headline (``title_index`` in ``kept``).

    Above the headline: every line that does not end like a sentence
    (section labels, menus; a standfirst above the headline is kept). Between
    the headline and the first sentence: lines of at most
    ``HEADER_LINE_MAX_WORDS`` words without sentence punctuation (a byline
    without "By", "BBC News, Nairobi", a kicker).
    """
    above, below = kept[:title_index], kept[title_index:]
    header = {item for item in above if not _SENTENCE_END.search(item[1])}
    removed.extend((number, line, "page header above the headline") for number, line in sorted(header))
    first = next((i for i, (_, line) in enumerate(below) if _SENTENCE_END.search(line)), None)
    if first:
        under = {
            item
            for item in below[:first]
            if len(_words(item[1])) <= HEADER_LINE_MAX_WORDS and not _has_sentence_punctuation(item[1])
        }
        removed.extend((number, line, "page header below the headline") for number, line in sorted(under))
        header |= under
    return [item for item in kept if item not in header]


def _strip_tail(
    kept: list[tuple[int, str]], markers: list[int], removed: list[tuple[int, str, str]]
) -> list[str]:
    """Drop what follows the story at the end of ``kept`` (in place); the credits.

    From the end, repeatedly: a credit line (its credit is returned, in text
    order); a tag or topic link (at most ``TAIL_LINE_MAX_WORDS`` words, no
    sentence punctuation); or the whole list after a "Related" / "More on
    this story" marker, if none of its lines ends like a statement (headlines
    of other stories do not end with a full stop).
    """
    credits: list[str] = []
    while kept:
        number, line = kept[-1]
        found = _credit(line)
        if found is not None:
            credits.insert(0, found)
            reason = "credit line"
        elif len(_words(line)) <= TAIL_LINE_MAX_WORDS and not _has_sentence_punctuation(line):
            reason = "tag or link at the end"
        else:
            marker = max((m for m in markers if m < number), default=None)
            block = [item for item in kept if marker is not None and item[0] > marker]
            if not block or any(_ENDS_STATEMENT.search(text) for _, text in block):
                break
            removed.extend((n, text, "related links at the end") for n, text in block)
            del kept[-len(block) :]
            continue
        kept.pop()
        removed.append((number, line, reason))
    return credits


# --------------------------------------------------------------------------
# Markdown escaping
# --------------------------------------------------------------------------

# Characters that start inline markup anywhere in a line: backslash escapes,
# code spans, emphasis, links and images, autolinks, and "&" where it would
# start an entity.
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]<]|&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)")
# Block markers at the start of a line: headings "#", quotes ">", tables
# "|", bullets "- " / "+ ", thematic breaks "---", fences "~~~", setext "===".
_BLOCK_START = re.compile(r"^(?:[#>|=]|[-+](?=\s|$)|-(?=[-\s]*$)|~~)")
# Ordered list starts: "1. ", "2022) "
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def escape_markdown(line: str) -> str:
    """Escape one line so that a CommonMark parser reads it back as plain text.

    The line must not contain a line break or other control character (tabs
    are fine); ``normalise_line`` guarantees that. Leading and trailing spaces
    are written as character references (Markdown would drop them otherwise).
    """
    if any(unicodedata.category(c) == "Cc" and c != "\t" for c in line):
        raise ValueError("escape_markdown takes one line without control characters")
    body = line.strip()
    lead = line[: len(line) - len(line.lstrip())]
    trail = line[len(line.rstrip()) :] if body else ""
    text = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), body)
    if _BLOCK_START.match(text):
        text = "\\" + text
    text = _ORDERED_START.sub(r"\1\\\2", text)
    return "".join(f"&#{ord(c)};" for c in lead) + text + "".join(f"&#{ord(c)};" for c in trail)


def escape_heading(line: str) -> str:
    """``escape_markdown`` for an ATX heading: a trailing run of ``#`` would
    otherwise be read as the heading's optional closing sequence."""
    text = escape_markdown(line)
    return text[:-1] + "\\#" if text.endswith("#") and not text.endswith("\\#") else text


# --------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------


def clean_scraped_text(raw: str, title: str) -> CleanedText:
    """Strip page furniture from scraped article text and repair it.

    Line by line (CRLF/CR normalised, a BOM ignored; blank lines separate
    nothing and are dropped silently), after ``normalise_line``:

    - near the top: the headline (``title``, compared ignoring case and
      punctuation, also as "Headline | Outlet"), a byline "By Jane Doe"
      (returned as ``author``), and the page header around the headline
      (``_strip_header``);
    - anywhere: navigation and share furniture (``NAVIGATION_LINES``, share
      bars, breadcrumbs), date and reading-time lines, lines with no letters
      or digits, photo captions and credits (``CAPTION_PATTERNS``), promos
      (``PROMO_PATTERNS``);
    - at the end (``_strip_tail``): credit lines (``CREDIT_PATTERNS``; their
      credit is returned as ``credit``, several joined with "; "), tags and
      topic links, and lists of other stories after a "Related" marker.

    Kept lines get ``repair_spacing``; a short question line followed by more
    text becomes a ``##`` heading; every line becomes one escaped paragraph.
    """
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    title_key = _key(normalise_line(title))
    removed: list[tuple[int, str, str]] = []
    kept: list[tuple[int, str]] = []
    markers: list[int] = []  # lines that open a related-links list
    title_index: int | None = None
    author: str | None = None
    seen = 0
    text_started = False  # a kept line that ends like a sentence
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = normalise_line(raw_line)
        if not line:
            continue
        seen += 1
        near_top = not text_started or seen <= TOP_WINDOW
        reason: str | None = None
        if near_top and title_index is None and _is_title(line, title_key):
            reason = "headline"
            title_index = len(kept)
        elif near_top and author is None and (name := _byline(line)):
            reason = "byline"
            author = name
        elif _credit(line) is not None:
            reason = None  # decided below, once the end of the text is known
        elif _is_decoration(line):
            reason = "decoration"
        elif _is_navigation(line):
            reason = "navigation"
            if _key(line) in RELATED_MARKERS:
                markers.append(number)
        elif _is_date_line(line):
            reason = "date line"
        elif _matches(line, CAPTION_PATTERNS):
            reason = "photo caption or credit"
        elif _matches(line, PROMO_PATTERNS):
            reason = "promo"
        if reason:
            removed.append((number, line, reason))
        else:
            kept.append((number, line))
            text_started = text_started or bool(_SENTENCE_END.search(line))

    if title_index is not None:
        kept = _strip_header(kept, title_index, removed)
    credits = _strip_tail(kept, markers, removed)
    # A credit-like line inside the text: only an agency credit is furniture.
    for item in [item for item in kept if _credit(item[1]) is not None]:
        if _matches(item[1], CAPTION_PATTERNS):
            kept.remove(item)
            removed.append((item[0], item[1], "photo caption or credit"))

    lines = [repair_spacing(line) for _, line in kept]
    paragraphs = []
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and _is_question_heading(line):
            paragraphs.append("## " + escape_heading(line))
        else:
            paragraphs.append(escape_markdown(line))
    body = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    return CleanedText(
        body=body,
        credit="; ".join(credits) or None,
        removed=tuple(sorted(removed)),
        author=author,
    )


# --------------------------------------------------------------------------
# Rendering and writing
# --------------------------------------------------------------------------


def _one_line(value: str) -> str:
    """A front matter value on one line: spacing normalised, no control characters."""
    return " ".join(normalise_line(value).split())


def render_article(meta: ImportMeta, cleaned: CleanedText) -> str:
    """The full text of ``content/articles/<slug>.md`` for one article.

    Front matter in a fixed order (title, outlet, url, date, author if set,
    language, credit if found), then a blank line and the body. The author is
    ``meta.author``, or else the byline found in the text.
    """
    fields: dict[str, Any] = {
        "title": _one_line(meta.title),
        "outlet": _one_line(meta.outlet),
        "url": _one_line(meta.url),
        "date": datetime.date(meta.date.year, meta.date.month, meta.date.day),
    }
    author = _one_line(meta.author if meta.author is not None else cleaned.author or "")
    if author:
        fields["author"] = author
    fields["language"] = _one_line(meta.language) or "en"
    credit = _one_line(cleaned.credit or "")
    if credit:
        fields["credit"] = credit
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10**6)
    return f"---\n{front}---\n\n{cleaned.body}"


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _meta_problems(meta: ImportMeta) -> list[tuple[str, str]]:
    """(field, message) for every value ``read_article`` would refuse."""
    problems = []
    for name in ("title", "outlet", "url"):
        value = getattr(meta, name)
        if not isinstance(value, str) or not value.strip():
            problems.append((name, f"'{name}' is empty; give the article's {name}"))
    if isinstance(meta.url, str) and meta.url.strip() and not re.match(r"^https?://", meta.url.strip()):
        problems.append(("url", f"url {meta.url!r} must start with http:// or https://"))
    if not isinstance(meta.date, datetime.date):
        problems.append(("date", f"date {meta.date!r} is not a date; write it as YYYY-MM-DD"))
    if not isinstance(meta.language, str) or not _LANGUAGE_TAG.match(meta.language.strip()):
        problems.append(("language", f"language {meta.language!r} is not a language tag; write e.g. 'en'"))
    if meta.slug is not None and not SLUG_PATTERN.match(meta.slug):
        problems.append(
            ("slug", f"slug {meta.slug!r} is not allowed; use lowercase letters, digits and hyphens")
        )
    if meta.slug is None and isinstance(meta.title, str) and meta.title.strip():
        try:
            article_slug(meta.title)
        except BriefingError as exc:
            problems.append(("title", str(exc)))
    return problems


# --------------------------------------------------------------------------
# Reading source files: bytes to text
# --------------------------------------------------------------------------

# Byte order marks, longest first: a UTF-32 LE mark starts like a UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Declared charsets that browsers (the WHATWG encoding standard) read as
# windows-1252; pages that say "iso-8859-1" routinely hold curly quotes.
_READ_AS_CP1252 = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_SNIFF_BYTES = 4096


def codec_name(encoding: str) -> str:
    """Python's name for the text encoding ``encoding``; ``ConfigError`` if none."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ConfigError(
            f"encoding {encoding!r} is not a text encoding Python knows; "
            "use e.g. utf-8, utf-16, cp1252 or latin-1"
        )
    return info.name


def _decode_strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise ContentError(
            name, line, f"not valid {codec}; give the file's encoding with --encoding NAME"
        ) from None


def _mostly_latin(text: str) -> bool:
    """At least half the letters are Latin script (ASCII or accented)."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii() or unicodedata.name(c, "").startswith("LATIN "))
    return latin * 2 >= len(letters)


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Text that is neither UTF-8 nor marked by a BOM: a legacy code page.

    Western text is by far the common case, and there the choice is between
    windows-1252 and Latin-1, which differ only in bytes 0x80-0x9F: curly
    quotes, dashes and "€" in windows-1252, invisible C1 control characters
    in Latin-1. So windows-1252 is right whenever it decodes, and Latin-1
    (which always decodes) otherwise. A statistical detector cannot do better
    on a short Western text (it often guesses a neighbouring code page, which
    turns "é" into another letter), so charset-normalizer is asked only
    whether the text is in another script: its guess is used when most of
    the letters it decodes are not Latin (Cyrillic, Greek, Arabic, CJK...),
    and is not UTF-16 or UTF-32, which it guesses wrongly on short input.
    """
    try:
        western = (data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        western = (data.decode("latin-1"), "latin-1")
    best = charset_normalizer.from_bytes(data).best()
    # UTF-16/32 without NUL bytes is a guess the detector makes on short
    # input; real UTF-16 text has a BOM here (``_detect`` handles the rest).
    if (
        best is not None
        and not best.encoding.startswith(("utf_16", "utf_32"))
        and not _mostly_latin(str(best))
    ):
        return str(best), codec_name(best.encoding)
    return western


def _detect(data: bytes, name: str, *, html: bool) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, codec, name), codec
    with contextlib.suppress(UnicodeDecodeError):
        return data.decode("utf-8"), "utf-8"
    if b"\x00" in data:
        # NUL bytes are never text in a legacy code page: UTF-16 or UTF-32
        # without a BOM. Taken from the detector only if it says so.
        best = charset_normalizer.from_bytes(data).best()
        if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
            return str(best), codec_name(best.encoding)
        raise ContentError(
            name,
            1,
            "binary or UTF-16/32 text without a byte order mark; pass --encoding NAME (e.g. utf-16-le)",
        )
    declared = _DECLARED_CHARSET.search(data[:_HTML_SNIFF_BYTES]) if html else None
    if declared:
        with contextlib.suppress(BriefingError, UnicodeDecodeError):  # a wrong declaration: detect
            codec = codec_name(declared.group(1).decode("ascii"))
            codec = "cp1252" if codec in _READ_AS_CP1252 else codec
            return data.decode(codec), codec
    return _decode_legacy(data)


def decode_source(
    data: bytes, name: str, encoding: str | None = None, *, html: bool = False
) -> tuple[str, str]:
    """The text of a source file and the codec it was read with.

    With ``encoding``, that codec, strictly. Otherwise, in order of certainty:
    a byte order mark (UTF-8, UTF-16, UTF-32), strict UTF-8 (random legacy
    bytes are almost never valid UTF-8), for HTML the charset the page
    declares, then ``_decode_legacy``. The text is normalised: line ends
    "\\n", a leading BOM dropped, Unicode NFC (composed "é", as typed).
    """
    if encoding is not None:
        codec = codec_name(encoding)
        text = _decode_strict(data, "utf-8-sig" if codec == "utf-8" else codec, name)
    else:
        text, codec = _detect(data, name, html=html)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), codec


# --------------------------------------------------------------------------
# Reading source files: formats and the metadata they carry
# --------------------------------------------------------------------------

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


@dataclass(frozen=True, slots=True)
class PartialMeta:
    """Article metadata that may be incomplete: found in a file, or given on
    the command line or in a manifest (given values win)."""

    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: datetime.date | None = None
    author: str | None = None
    language: str | None = None
    slug: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One input file, read and decoded."""

    path: Path
    encoding: str
    """The codec the bytes were read with, e.g. "utf-8", "cp1252"."""
    text: str
    """Scraped text for ``clean_scraped_text``; empty for Markdown with front matter."""
    found: PartialMeta
    """Metadata the file itself gives (HTML metadata, Markdown front matter)."""
    markdown: str | None = None
    """The body of a Markdown file with front matter: already Markdown, kept as it is."""
    credit: str | None = None


_REQUIRED_META = (
    ("title", "--title TEXT"),
    ("outlet", "--outlet NAME"),
    ("url", "--url URL"),
    ("date", "--date YYYY-MM-DD"),
)


def _text_value(value: object) -> str | None:
    """A metadata value as one line of text; None if there is none."""
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return " ".join(normalise_line(str(value)).split()) or None


def extract_html(html: str, name: str) -> tuple[str, PartialMeta]:
    """The article text of a saved web page and the metadata it declares.

    trafilatura finds the main text (dropping navigation, ads, scripts,
    comments and boilerplate) and reads the metadata the page declares
    (JSON-LD, Open Graph and other meta tags, the canonical link). Dates are
    taken only from the page's markup, never guessed from its text
    (``extensive_search`` off), and the original publication date is
    preferred over a later update. Tables are left out: their cells are not
    sentences. The text still goes through ``clean_scraped_text``.
    """
    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = str(getattr(document, "text", None) or "") if document is not None else ""
    if not text.strip():
        raise ContentError(
            name, 1, "no article text found in this page; save the article's own page, or its text as .txt"
        )
    date_text = getattr(document, "date", None)
    found = PartialMeta(
        title=_text_value(getattr(document, "title", None)),
        outlet=_text_value(getattr(document, "sitename", None)),
        url=_text_value(getattr(document, "url", None)),
        date=parse_date(date_text) if date_text else None,
        author=_text_value(getattr(document, "author", None)),
    )
    return text, found


def _clean_markdown(body: str) -> str:
    """A Markdown body with the character repairs of ``normalise_line``,
    keeping leading spaces (indentation is Markdown syntax)."""
    lines = []
    for raw in body.split("\n"):
        line = "".join(
            " " if c.isspace() and c != "\t" else c
            for c in raw
            if c == "\t" or unicodedata.category(c) != "Cc"
        )
        lines.append(_STRAY_JOINER.sub("", _INVISIBLE.sub("", line)).rstrip())
    text = "\n".join(lines).strip("\n")
    return text + "\n" if text else ""


def _read_markdown(path: Path, codec: str, text: str) -> Source:
    """A Markdown file with front matter: its fields are metadata, its body
    the article (validated again, as a whole, before it is written)."""
    name = str(path)
    front = split_front_matter(text, name)
    problems: list[ContentError] = []
    values: dict[str, Any] = {}
    for key in ("title", "outlet", "url", "author", "language", "slug", "credit"):
        raw = front.fields.get(key)
        if raw is None or raw == "":
            continue
        value = _text_value(raw)
        if value is None:
            problems.append(ContentError(name, front.field_lines.get(key, 1), f"field '{key}' must be text"))
        values[key] = value
    raw_date = front.fields.get("date")
    if raw_date not in (None, ""):
        values["date"] = parse_date(raw_date)
        if values["date"] is None:
            problems.append(
                ContentError(
                    name,
                    front.field_lines.get("date", 1),
                    f"date {raw_date!r} is not a date; write it as YYYY-MM-DD",
                )
            )
    if problems:
        raise ContentErrors(problems)
    credit = values.pop("credit", None)
    return Source(path, codec, "", PartialMeta(**values), markdown=_clean_markdown(front.body), credit=credit)


def read_source(path: Path, encoding: str | None = None) -> Source:
    """Read a ``.txt``, ``.md`` or ``.html`` file to import (see ``decode_source``).

    A saved web page gives its text and metadata through ``extract_html``; a
    Markdown file with front matter gives its fields and body; any other
    Markdown file, and a text file, is scraped text.
    """
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES:
        raise BriefingError(
            f"{path}: cannot import a '{suffix}' file; give .txt, .md or .html (a saved web page)"
        )
    if not path.is_file():
        raise BriefingError(f"{path}: file not found; check the path")
    text, codec = decode_source(path.read_bytes(), str(path), encoding, html=suffix in HTML_SUFFIXES)
    if suffix in HTML_SUFFIXES:
        body, found = extract_html(text, str(path))
        return Source(path, codec, body, found)
    if suffix in MARKDOWN_SUFFIXES and text.split("\n", 1)[0].strip() == "---":
        return _read_markdown(path, codec, text)
    return Source(path, codec, text, PartialMeta())


def resolve_meta(found: PartialMeta, given: PartialMeta) -> tuple[ImportMeta | None, list[str]]:
    """The article's metadata, each field as given or else as found; and the
    names of required fields that are neither (then no ``ImportMeta``)."""

    def pick(key: str) -> Any:
        value = getattr(given, key)
        return value if value not in (None, "") else getattr(found, key)

    missing = [key for key, _ in _REQUIRED_META if pick(key) in (None, "")]
    if missing:
        return None, missing
    return (
        ImportMeta(
            title=pick("title"),
            outlet=pick("outlet"),
            url=pick("url"),
            date=pick("date"),
            language=pick("language") or "en",
            author=pick("author"),
            slug=pick("slug"),
        ),
        [],
    )


def _given_or_found(key: str, given: PartialMeta) -> str:
    return "given" if getattr(given, key, None) not in (None, "") else "found in the file"


# --------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------

DUPLICATE_THRESHOLD = DEFAULT_THRESHOLD
"""Estimated shingle Jaccard at which an import is the same article as one
already there (see ``generator.neardup.DEFAULT_THRESHOLD`` for the numbers)."""

# Query parameters that track a click and never select an article.
_TRACKING_PARAMETER = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid)$", re.IGNORECASE
)


def normalise_url(url: str) -> str:
    """The address by which an article is recognised again.

    Scheme and host in lower case, a default port dropped, a trailing slash
    dropped, tracking parameters (``utm_*``, ``fbclid``...) dropped and the
    rest sorted, and the fragment dropped. The path keeps its case: servers
    may tell "/A" from "/a".
    """
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = urllib.parse.urlencode(
        sorted(
            (key, value)
            for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING_PARAMETER.match(key)
        )
    )
    return urllib.parse.urlunsplit((scheme, host, parts.path.rstrip("/"), query, ""))


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One article ready to write."""

    source: Path
    target: Path
    text: str
    url: str
    body: str


def _known_articles(articles_dir: Path, replaced: set[Path]) -> list[tuple[str, str, str]]:
    """(path, url, body) of the articles already in ``articles_dir``, except
    those about to be replaced. Files that do not read as articles are left
    to ``briefing check``."""
    known = []
    for path in sorted(articles_dir.glob("*.md")) if articles_dir.is_dir() else []:
        if path in replaced:
            continue
        try:
            article = read_article(path)
        except BriefingError:
            continue
        known.append((str(path), article.url, article.body))
    return known


def _duplicates(prepared: list[_Prepared], known: list[tuple[str, str, str]]) -> dict[int, str]:
    """For each prepared article (by position) that repeats a known one or
    an earlier one in ``prepared``: why, as "same article as X (...)"."""
    index = NearDuplicateIndex()
    labels: list[str] = []
    urls: dict[str, str] = {}

    def remember(label: str, url: str, fp: Fingerprint) -> None:
        urls.setdefault(normalise_url(url), label)
        index.add(str(len(labels)), fp)
        labels.append(label)

    for label, url, body in known:
        remember(label, url, fingerprint(body))
    found: dict[int, str] = {}
    for position, item in enumerate(prepared):
        fp = fingerprint(item.body)
        same_url = urls.get(normalise_url(item.url))
        matches = index.matches(fp, DUPLICATE_THRESHOLD)
        if same_url is not None:
            found[position] = f"same article as {same_url} (same URL)"
        elif matches:
            key, score = matches[0]
            found[position] = (
                f"same article as {labels[int(key)]} ({math.floor(score * 100)}% identical text)"
            )
        else:
            remember(str(item.source), item.url, fp)
    return found


# --------------------------------------------------------------------------
# Importing
# --------------------------------------------------------------------------


def _prepare(source: Source, meta: ImportMeta, articles_dir: Path) -> _Prepared:
    """Clean ``source`` (unless it is Markdown already); the file to write."""
    if source.markdown is not None:
        cleaned = CleanedText(body=source.markdown, credit=source.credit, removed=())
    else:
        cleaned = clean_scraped_text(source.text, meta.title)
    if not cleaned.body:
        raise ContentError(
            str(source.path), 1, "no article text is left after removing page furniture; check the file"
        )
    slug = meta.slug or article_slug(meta.title)
    target = articles_dir / f"{slug}.md"
    text = render_article(meta, cleaned)
    read_article(target, text)  # the file must be one the content reader accepts
    return _Prepared(source.path, target, text, meta.url, cleaned.body)


def _write_atomic(target: Path, text: str) -> None:
    """Write via a temporary file in the same folder, then rename over."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(mode)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _refuse_overwrite(targets: list[Path]) -> None:
    existing = [t for t in targets if t.exists()]
    if existing:
        raise BriefingError("\n".join(f"{t}: already exists; pass --force to overwrite it" for t in existing))


def _raise_all(problems: list[BriefingError]) -> None:
    """Raise the one problem as it is, or all of them in one error."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise BriefingError("\n".join(str(p) for p in problems))


def import_files(
    paths: Sequence[Path],
    given: PartialMeta,
    articles_dir: Path,
    *,
    force: bool = False,
    allow_duplicate: bool = False,
    encoding: str | None = None,
) -> list[Path]:
    """Import ``.txt``, ``.md`` and ``.html`` files as ``articles_dir/<slug>.md``.

    Metadata comes from ``given`` (the command line), else from the file
    (``read_source``); a required field that is neither is an error naming
    the option to pass. Every file is read and checked before anything is
    written; if any is wrong, every problem is raised and nothing is
    written. Refused unless ``force``: overwriting an existing article.
    Refused unless ``allow_duplicate``: an article with the URL
    (``normalise_url``) or nearly the text (``DUPLICATE_THRESHOLD``) of an
    article already in ``articles_dir`` or earlier in ``paths``.
    """
    if len(paths) > 1 and (given.title or given.slug):
        raise ConfigError("--title and --slug name one article; import several files with --manifest")
    if encoding is not None:
        codec_name(encoding)
    problems: list[BriefingError] = []
    prepared: list[_Prepared] = []
    for path in paths:
        try:
            source = read_source(path, encoding)
            meta, missing = resolve_meta(source.found, given)
            if meta is None:
                where = (
                    "found in the page"
                    if path.suffix.lower() in HTML_SUFFIXES
                    else "in the front matter"
                    if source.markdown is not None
                    else "given"
                )
                problems.extend(
                    ConfigError(f"{path}: no {key} {where}; pass {option}")
                    for key, option in _REQUIRED_META
                    if key in missing
                )
                continue
            meta_problems = _meta_problems(meta)
            if meta_problems:
                problems.extend(
                    ConfigError(f"{path}: {message} ({_given_or_found(key, given)}; pass --{key} to set it)")
                    for key, message in meta_problems
                )
                continue
            item = _prepare(source, meta, articles_dir)
        except BriefingError as exc:
            problems.append(exc)
            continue
        clash = next((p for p in prepared if p.target == item.target), None)
        if clash is not None:
            problems.append(
                ConfigError(f"{path}: gives the same file {item.target.name} as {clash.source}; pass --slug")
            )
            continue
        prepared.append(item)
    _raise_all(problems)
    if not allow_duplicate:
        known = _known_articles(articles_dir, {p.target for p in prepared})
        duplicates = _duplicates(prepared, known)
        _raise_all(
            [
                BriefingError(f"{prepared[i].source}: {why}; pass --allow-duplicate to import anyway")
                for i, why in sorted(duplicates.items())
            ]
        )
    if not force:
        _refuse_overwrite([p.target for p in prepared])
    for item in prepared:
        _write_atomic(item.target, item.text)
    return [item.target for item in prepared]


def import_file(
    source: Path,
    meta: ImportMeta,
    articles_dir: Path,
    *,
    force: bool = False,
    allow_duplicate: bool = False,
    encoding: str | None = None,
) -> Path:
    """Import one file with complete metadata as ``articles_dir/<slug>.md``; its path.

    ``meta`` wins over anything the file declares. See ``import_files``.
    """
    problems = _meta_problems(meta)
    if problems:
        raise ConfigError("\n".join(message for _, message in problems))
    given = PartialMeta(
        title=meta.title,
        outlet=meta.outlet,
        url=meta.url,
        date=meta.date,
        author=meta.author,
        language=meta.language,
        slug=meta.slug,
    )
    written = import_files(
        [source], given, articles_dir, force=force, allow_duplicate=allow_duplicate, encoding=encoding
    )
    return written[0]


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------

MANIFEST_REQUIRED = ("file", "outlet", "title", "url", "date")
MANIFEST_OPTIONAL = ("language", "author", "slug", "encoding")
"""For a ``.txt`` file every field of MANIFEST_REQUIRED is required; an
``.html`` or ``.md`` file may declare them itself, so only ``file`` is."""


@dataclass(frozen=True, slots=True)
class _Entry:
    source: Path
    meta: PartialMeta
    line: int
    key_lines: dict[str, int]
    encoding: str | None = None


def _read_entry(item: Any, node: yaml.Node, manifest: Path, problems: list[ContentError]) -> _Entry | None:
    name = str(manifest)
    line = node.start_mark.line + 1
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        problems.append(
            ContentError(name, line, "entry must be a mapping of 'key: value' lines (file, outlet, ...)")
        )
        return None
    key_lines: dict[str, int] = {}
    before = len(problems)
    for key_node, _ in node.value:
        key = str(key_node.value)
        key_line = key_node.start_mark.line + 1
        if key in key_lines:
            problems.append(ContentError(name, key_line, f"field '{key}' is given twice; keep one"))
        elif key not in MANIFEST_REQUIRED + MANIFEST_OPTIONAL:
            known = ", ".join(MANIFEST_REQUIRED + MANIFEST_OPTIONAL)
            problems.append(ContentError(name, key_line, f"unknown field '{key}'; the fields are: {known}"))
        key_lines[key] = key_line
    file_name = str(item.get("file") or "")
    required = MANIFEST_REQUIRED if Path(file_name).suffix.lower() in TEXT_SUFFIXES else ("file",)
    values: dict[str, Any] = {}
    for key in MANIFEST_REQUIRED + MANIFEST_OPTIONAL:
        value = item.get(key)
        where = key_lines.get(key, line)
        if value is None or (isinstance(value, str) and not value.strip()):
            if key in required:
                what = "is empty" if key in item else "is missing"
                problems.append(ContentError(name, where, f"required field '{key}' {what}; add '{key}: ...'"))
            continue
        if key == "date":
            date = parse_date(value)
            if date is None:
                problems.append(
                    ContentError(name, where, f"date {value!r} is not a date; write it as YYYY-MM-DD")
                )
            values[key] = date
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            values[key] = str(value).strip()
        else:
            problems.append(ContentError(name, where, f"field '{key}' must be text"))
    if "encoding" in values:
        try:
            codec_name(values["encoding"])
        except ConfigError as exc:
            problems.append(ContentError(name, key_lines["encoding"], str(exc)))
    # Check each given value even if others are missing, so one pass finds all.
    placeholder = ImportMeta(outlet="-", url="https://-", date=datetime.date.min, title="-")
    given = {k: v for k, v in values.items() if k not in ("file", "encoding") and v is not None}
    for key, message in _meta_problems(replace(placeholder, **given)):
        if key in given:
            problems.append(ContentError(name, key_lines.get(key, line), message))
    source = manifest.parent / values.get("file", "")
    if "file" in values and not source.is_file():
        problems.append(
            ContentError(
                name,
                key_lines["file"],
                f"file '{source}' not found; check the name (relative to {manifest.parent})",
            )
        )
    if len(problems) > before:
        return None
    meta = PartialMeta(**{k: v for k, v in values.items() if k not in ("file", "encoding")})
    return _Entry(source, meta, line, key_lines, values.get("encoding"))


def _read_manifest(manifest: Path) -> list[_Entry]:
    name = str(manifest)
    if not manifest.is_file():
        raise BriefingError(f"{manifest}: file not found; check the path")
    text = read_text(manifest)
    try:
        node = yaml.compose(text, Loader=FrontMatterLoader)
        data = yaml.load(text, Loader=FrontMatterLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentErrors([ContentError(name, line, f"not valid YAML: {problem}")]) from None
    if not data:
        raise ContentErrors([ContentError(name, 1, "no entries; list articles as '- file: ...' entries")])
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ContentErrors(
            [
                ContentError(
                    name, node.start_mark.line + 1 if node else 1, "must be a list of '- file: ...' entries"
                )
            ]
        )
    problems: list[ContentError] = []
    entries = [
        _read_entry(item, item_node, manifest, problems)
        for item, item_node in zip(data, node.value, strict=True)
    ]
    if problems:
        raise ContentErrors(problems)
    return [e for e in entries if e is not None]


def _prepare_entry(entry: _Entry, manifest: Path, articles_dir: Path, encoding: str | None) -> _Prepared:
    source = read_source(entry.source, entry.encoding or encoding)
    meta, missing = resolve_meta(source.found, entry.meta)
    name = entry.source.name
    if meta is None:
        fields = ", ".join(f"'{key}: ...'" for key in missing)
        raise ContentError(
            str(manifest), entry.line, f"{name}: no {', '.join(missing)} found in the file; add {fields}"
        )
    for key, message in _meta_problems(meta):
        raise ContentError(
            str(manifest), entry.key_lines.get(key, entry.line), f"{name}: {message} (found in the file)"
        )
    return _prepare(source, meta, articles_dir)


def import_manifest(
    manifest: Path,
    articles_dir: Path,
    *,
    force: bool = False,
    allow_duplicate: bool = False,
    encoding: str | None = None,
) -> list[Path]:
    """Import every entry of a sources manifest; the written paths, in order.

    ``file`` is relative to the manifest's folder; an entry's ``encoding``
    wins over ``encoding``. All entries are checked and cleaned first; if any
    is wrong, every problem is raised at once (``ContentErrors``) and nothing
    is written. Existing articles are not overwritten unless ``force``;
    duplicates (see ``import_files``) are refused unless ``allow_duplicate``.
    """
    if encoding is not None:
        codec_name(encoding)
    entries = _read_manifest(manifest)
    problems: list[ContentError] = []
    prepared: list[_Prepared] = []
    lines: list[int] = []
    used: dict[Path, int] = {}
    for entry in entries:
        try:
            item = _prepare_entry(entry, manifest, articles_dir, encoding)
        except ContentErrors as exc:
            problems.extend(exc.problems)
            continue
        except ContentError as exc:
            problems.append(exc)
            continue
        except BriefingError as exc:
            problems.append(ContentError(str(manifest), entry.key_lines.get("file", entry.line), str(exc)))
            continue
        if item.target in used:
            where = entry.key_lines.get("slug", entry.line)
            problems.append(
                ContentError(
                    str(manifest),
                    where,
                    f"article file {item.target.name} is also written by the entry on line "
                    f"{used[item.target]}; give one of them a different 'slug'",
                )
            )
            continue
        used[item.target] = entry.line
        prepared.append(item)
        lines.append(entry.line)
    if not allow_duplicate and not problems:
        known = _known_articles(articles_dir, set(used))
        for position, why in sorted(_duplicates(prepared, known).items()):
            problems.append(
                ContentError(
                    str(manifest),
                    lines[position],
                    f"{prepared[position].source.name}: {why}; pass --allow-duplicate to import anyway",
                )
            )
    if problems:
        raise ContentErrors(problems)
    if not force:
        _refuse_overwrite([item.target for item in prepared])
    for item in prepared:
        _write_atomic(item.target, item.text)
    return [item.target for item in prepared]


__all__ = [
    "DUPLICATE_THRESHOLD",
    "CleanedText",
    "ImportMeta",
    "PartialMeta",
    "Source",
    "article_slug",
    "clean_scraped_text",
    "codec_name",
    "decode_source",
    "escape_markdown",
    "extract_html",
    "import_file",
    "import_files",
    "import_manifest",
    "normalise_line",
    "normalise_url",
    "read_source",
    "render_article",
    "repair_spacing",
    "resolve_meta",
]
