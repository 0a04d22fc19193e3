"""Import stage: turn raw scraped article text into ``content/articles/<slug>.md``.

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

import datetime
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pelican.utils import slugify

from generator.content import SLUG_PATTERN, FrontMatterLoader, parse_date, read_article, read_text
from generator.errors import BriefingError, ConfigError, ContentError, ContentErrors

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

# News agencies, as credited at the end of a story ("(Reuters)", "With AFP").
_NEWS_AGENCIES = (
    r"Reuters|(?:The )?Associated Press|AP|AFP|Agence France-Presse|Anadolu(?: Agency)?|AA|dpa|EFE"
    r"|ANSA|Xinhua|Kyodo(?: News)?|Yonhap|TASS|Interfax|PTI|IANS|ANI|Bloomberg|PA(?: Media)?"
    r"|Press Association|UPI|Sputnik|RIA Novosti|WAM|SPA|KUNA|APA|AAP|CP|Canadian Press"
)
# Photo agencies and credit words, as printed under pictures.
_PHOTO_AGENCIES = (
    _NEWS_AGENCIES + r"|Getty(?: Images)?|AP Photo|EPA(?:-EFE)?|Shutterstock|Alamy(?: Stock Photo)?|PA Wire"
    r"|PA Images|NurPhoto|SOPA Images|LightRocket|Sipa(?: USA)?|Corbis|ZUMA(?: Press| Wire)?"
    r"|WireImage|Redux|Polaris|Keystone|Pool|Handout|Universal Images Group|picture alliance"
    r"|Stringer"
)
# A photographer's name in a credit: up to five capitalised words.
_CREDIT_NAME = r"[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){0,4}"

# Photo captions and picture credits. A caption may be a full sentence; it is
# recognised by how outlets mark it, never by its content.
CAPTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "FILE: A UN policeman escorts...", "FILE PHOTO: ...", "Photo: ...",
    # "Image caption, ...", "Image source, Getty Images" (BBC), "Pictured: ..."
    re.compile(
        r"^(?:(?:file(?: photo)?|photo(?:graph)?s?|images?|pictures?|pictured|caption|credit|"
        r"photo credit|image credit)\s*[:|]|(?:image caption|image source|media caption|video caption)"
        r"\s*[:,|])",
        re.IGNORECASE,
    ),
    # AP style "FILE - Soldiers patrol ..." (upper case only: "File" starts prose)
    re.compile(r"^FILE(?: PHOTO)?\s+[-–—]\s"),
    # A line ending in a picture credit: "... in Gao. (Photo: Jane Doe/AFP)"
    re.compile(
        r"\((?:photo|image|picture|photograph|credit|file photo|file|pic|foto)\b[^()]*\)$",
        re.IGNORECASE,
    ),
    re.compile(rf"\((?:[^()]*/\s*)?(?:{_PHOTO_AGENCIES})(?:\s*(?:/|via)[^()]*)?\)$"),
    # A credit on its own: "Getty Images", "AFP via Getty Images",
    # "John Doe/Reuters", "© EPA-EFE/Shutterstock", "(Reuters)", "AP Photo/Jane Doe"
    re.compile(
        rf"^[(©\s]*(?:{_CREDIT_NAME}\s*(?:/|\svia\s)\s*)?(?:{_PHOTO_AGENCIES})"
        rf"(?:\s*(?:/|\svia\s)\s*{_CREDIT_NAME})?\)?$"
    ),
    # Gallery counters: "Image 1 of 5", "Photo 3/12"
    re.compile(r"^(?:image|photo|picture|slide)\s+\d+\s*(?:of|/)\s*\d+$", re.IGNORECASE),
)

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
        rf"(?P<credit>(?:{_NEWS_AGENCIES})(?:(?:,| and| &) (?:{_NEWS_AGENCIES}))*)\)?\.?$"
    ),
    # "(Reuters)", "— AFP", "- AP"
    re.compile(rf"^(?:\(|[-–—]\s*)(?P<credit>{_NEWS_AGENCIES})\)?$"),
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


def _prepare(source: Path, meta: ImportMeta, articles_dir: Path) -> tuple[Path, str]:
    """Read and clean ``source``; the target path and the file text."""
    cleaned = clean_scraped_text(read_text(source), meta.title)
    if not cleaned.body:
        raise ContentError(
            str(source), 1, "no article text is left after removing page furniture; check the file"
        )
    slug = meta.slug or article_slug(meta.title)
    target = articles_dir / f"{slug}.md"
    text = render_article(meta, cleaned)
    read_article(target, text)  # the file must be one the content reader accepts
    return target, text


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


def import_file(source: Path, meta: ImportMeta, articles_dir: Path, *, force: bool = False) -> Path:
    """Import one scraped text file as ``articles_dir/<slug>.md``; its path.

    Refuses to overwrite an existing article unless ``force``.
    """
    problems = _meta_problems(meta)
    if problems:
        raise ConfigError("\n".join(message for _, message in problems))
    if not source.is_file():
        raise BriefingError(f"{source}: file not found; check the path")
    target, text = _prepare(source, meta, articles_dir)
    if not force:
        _refuse_overwrite([target])
    _write_atomic(target, text)
    return target


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------

MANIFEST_REQUIRED = ("file", "outlet", "title", "url", "date")
MANIFEST_OPTIONAL = ("language", "author", "slug")


@dataclass(frozen=True, slots=True)
class _Entry:
    source: Path
    meta: ImportMeta
    line: int
    key_lines: dict[str, int]


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
    values: dict[str, Any] = {}
    for key in MANIFEST_REQUIRED + MANIFEST_OPTIONAL:
        value = item.get(key)
        where = key_lines.get(key, line)
        if value is None or (isinstance(value, str) and not value.strip()):
            if key in MANIFEST_REQUIRED:
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
    # Check each given value even if others are missing, so one pass finds all.
    placeholder = ImportMeta(outlet="-", url="https://-", date=datetime.date.min, title="-")
    given = {k: v for k, v in values.items() if k != "file" and v is not None}
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
    meta = ImportMeta(**{k: v for k, v in values.items() if k != "file"})
    return _Entry(source, meta, line, key_lines)


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


def import_manifest(manifest: Path, articles_dir: Path, *, force: bool = False) -> list[Path]:
    """Import every entry of a sources manifest; the written paths, in order.

    ``file`` is relative to the manifest's folder. All entries are checked and
    cleaned first; if any is wrong, every problem is raised at once
    (``ContentErrors``) and nothing is written. Existing articles are not
    overwritten unless ``force``.
    """
    entries = _read_manifest(manifest)
    problems: list[ContentError] = []
    prepared: list[tuple[Path, str]] = []
    used: dict[Path, int] = {}
    for entry in entries:
        try:
            target, text = _prepare(entry.source, entry.meta, articles_dir)
        except ContentErrors as exc:
            problems.extend(exc.problems)
            continue
        except ContentError as exc:
            problems.append(exc)
            continue
        if target in used:
            where = entry.key_lines.get("slug", entry.line)
            problems.append(
                ContentError(
                    str(manifest),
                    where,
                    f"article file {target.name} is also written by the entry on line {used[target]}; "
                    "give one of them a different 'slug'",
                )
            )
            continue
        used[target] = entry.line
        prepared.append((target, text))
    if problems:
        raise ContentErrors(problems)
    if not force:
        _refuse_overwrite([target for target, _ in prepared])
    for target, text in prepared:
        _write_atomic(target, text)
    return [target for target, _ in prepared]


__all__ = [
    "CleanedText",
    "ImportMeta",
    "article_slug",
    "clean_scraped_text",
    "escape_markdown",
    "import_file",
    "import_manifest",
    "normalise_line",
    "render_article",
    "repair_spacing",
]
