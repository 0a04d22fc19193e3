"""The data model every pipeline stage reads and writes.

The pipeline (see ``pipeline.py``) is a chain of small functions; each takes
one of these frozen dataclasses and returns the next:

    Article ──segment──▶ Document (Blocks, Sentences)
    Documents + Topics ──topics──▶ TopicAssignment
    Documents ──quotes──▶ Quote per quoted sentence
    Documents + assignment + quotes ──merge──▶ Statements
    Statements ──briefing──▶ Briefing per Topic ──▶ Site
    Documents + quotes ──people──▶ Entities (spellings, roles per outlet)
    Documents + Entities ──disagree──▶ Disagreements (in each Briefing)

Positions are kept everywhere so that an error or a citation can point at
``content/articles/x.md:14``: a ``Sentence`` knows its article, its block, its
character offsets in that block's text and its line in the source file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "heading", "quote"]
"""A paragraph of running text, a (sub)heading, or a paragraph in a blockquote."""

StatementKind = Literal["fact", "quote"]


@dataclass(frozen=True, slots=True)
class Article:
    """One source article, read from ``content/articles/<slug>.md``."""

    slug: str
    """URL-safe identifier, from the file name; unique in a site."""
    path: str
    """The file it was read from, as given to the reader (used in messages)."""
    title: str
    """Headline as published."""
    outlet: str
    """Name of the publishing outlet, e.g. "Voice of America"."""
    url: str
    """Address of the original article."""
    date: datetime.date
    """Publication date."""
    body: str
    """Markdown body (front matter removed)."""
    body_line: int
    """1-based line of the file on which ``body`` starts."""
    author: str | None = None
    """Byline, if known."""
    language: str = "en"
    """BCP 47 language tag of the text."""
    credit: str | None = None
    """Credit line the outlet printed, e.g. "TRTWorld and agencies"."""


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or heading of an article, as plain text."""

    index: int
    """0-based position among the article's blocks."""
    kind: BlockKind
    """What the block is; headings are never statements."""
    text: str
    """The block's text with Markdown markup removed; lines joined by "\\n"."""
    line: int
    """1-based line in the source file where the block starts."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence (or heading) of an article, with its exact position."""

    article: str
    """Slug of the article it belongs to."""
    id: str
    """Anchor on the article page, stable within the article: ``p3s2`` is the
    second sentence of the third block."""
    index: int
    """0-based position among the article's sentences."""
    block: int
    """Index of the ``Block`` it stands in."""
    start: int
    """Offset of the first character in the block's text."""
    end: int
    """Offset one past the last character in the block's text."""
    text: str
    """The sentence exactly as it stands: ``block.text[start:end]``."""
    line: int
    """1-based line in the source file where the sentence starts."""
    is_heading: bool = False
    """True for headings and question subheadings: they set the subject of
    what follows but are not statements."""

    @property
    def key(self) -> str:
        """Site-wide identifier: ``<article slug>#<anchor>``."""
        return f"{self.article}#{self.id}"


@dataclass(frozen=True, slots=True)
class Document:
    """An article split into blocks and sentences."""

    article: Article
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...]
    """All sentences in reading order, headings included."""

    def by_block(self) -> list[tuple[Block, list[Sentence]]]:
        """Each block with its sentences, for rendering the article page."""
        grouped: list[tuple[Block, list[Sentence]]] = [(block, []) for block in self.blocks]
        for sentence in self.sentences:
            grouped[sentence.block][1].append(sentence)
        return grouped


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic definition, read from ``content/topics/<slug>.md``.

    The rules say which sentences belong to the topic: a sentence that
    mentions one of the ``names`` (case-sensitive proper names), ``aliases``
    (other names of the subject, any case) or ``keywords`` (any case; a
    trailing ``*`` matches any ending) belongs to it, unless it contains one
    of the ``exclude`` phrases.
    """

    slug: str
    """URL-safe identifier; the page is ``topics/<slug>/``."""
    path: str
    """The file it was read from."""
    title: str
    """Human title, e.g. "Wagner Group"."""
    intro: str
    """Editor's introduction (Markdown), shown above the briefing."""
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """The introduction's first line, for lists of topics."""
        return next((line.strip() for line in self.intro.splitlines() if line.strip()), "")


@dataclass(frozen=True, slots=True)
class TopicAssignment:
    """Which topics each sentence belongs to."""

    topics: dict[str, frozenset[str]]
    """Sentence key → slugs of its topics (missing or empty: no topic)."""
    cued: dict[str, frozenset[str]]
    """Sentence key → topics matched by the sentence's own words; the rest of
    its topics come from context (neighbours, subheadings)."""

    def of(self, sentence: Sentence) -> frozenset[str]:
        return self.topics.get(sentence.key, frozenset())


@dataclass(frozen=True, slots=True)
class Quote:
    """Direct speech found in one sentence."""

    sentence: str
    """Key of the sentence it stands in."""
    text: str
    """The quoted words, verbatim from the sentence (marks excluded)."""
    start: int
    """Offset of the quoted words in the sentence text."""
    speaker: str | None
    """Who said it, as resolved from attribution; None when unknown."""
    is_direct: bool
    """True when the quote carries the sentence (a direct quote); False for a
    partial quote of a word or phrase inside a reported sentence."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One source of a statement: a sentence of one article."""

    article: str
    """Article slug."""
    outlet: str
    url: str
    """Original article's address."""
    sentence: str
    """Anchor id of the sentence on the article page."""
    text: str
    """The sentence exactly as it stands in the article."""
    date: datetime.date
    """The article's date."""
    position: float
    """Where the sentence stands in its article, 0.0 (top) to 1.0 (end)."""


@dataclass(frozen=True, slots=True)
class Statement:
    """What one or more outlets report alike, with every source."""

    id: str
    """Stable id: derived from the first source's sentence key only, so it
    does not change when unrelated articles are added."""
    kind: StatementKind
    text: str
    """Text shown: for a fact, one source sentence; for a quote, the quoted
    words of one source, verbatim."""
    speaker: str | None
    """For quotes, the resolved speaker; None for facts or when unknown."""
    sources: tuple[Citation, ...]
    """Ordered by date, outlet, article."""
    topics: frozenset[str]
    """Slugs of the topics the statement belongs to."""

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets in source order."""
        return tuple(dict.fromkeys(c.outlet for c in self.sources))


@dataclass(frozen=True, slots=True)
class Event:
    """A dated event (filled by a later stage; kept in the export schema)."""

    date: str
    precision: Literal["year", "month", "day"]
    text: str
    sources: tuple[Citation, ...]


DisagreementKind = Literal["role", "number", "date", "wording"]
"""What differs: the title given to a person, a figure, a date or time, or
words that change the meaning."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One way a point is reported, and who reports it so."""

    text: str
    """Verbatim words of the sources (a role, a clause or a sentence)."""
    sources: tuple[Citation, ...]
    """The sentences that carry ``text``; ordered by date, outlet, article."""

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.outlet for c in self.sources))


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A point the outlets report differently."""

    about: str
    """Short label built from the sources' own words, e.g. "Role of Ana Lima"."""
    variants: tuple[Variant, ...]
    """Two or more, each from a different set of outlets."""
    kind: DisagreementKind = "wording"
    topics: frozenset[str] = frozenset()
    """Slugs of the topics of the sentences involved."""


EntityKind = Literal["person", "organisation"]


@dataclass(frozen=True, slots=True)
class Entity:
    """A person or organisation named in the articles, with every spelling
    and every role the outlets give it."""

    name: str
    """Display name: the fullest spelling, the most widely used first."""
    kind: EntityKind
    variants: tuple[Variant, ...]
    """Each spelling of the name (``text``) with the sentences that use it."""
    roles: tuple[Variant, ...] = ()
    """Each role or title given to a person (``text``, e.g. "Defence
    Minister") with the sentences that give it."""
    topics: frozenset[str] = frozenset()
    """Slugs of the topics of the sentences that name it."""
    mentions: tuple[Citation, ...] = ()
    """The first sentence of each article that names it in any form (a
    surname alone included); ordered by date, outlet, article."""

    @property
    def outlets(self) -> tuple[str, ...]:
        """Outlets that name it, in source order."""
        return tuple(dict.fromkeys(c.outlet for c in self.mentions))

    def roles_by_outlet(self) -> dict[str, tuple[str, ...]]:
        """Outlet → the roles it gives, in the order of ``roles``."""
        result: dict[str, list[str]] = {}
        for role in self.roles:
            for outlet in role.outlets:
                result.setdefault(outlet, []).append(role.text)
        return {outlet: tuple(roles) for outlet, roles in sorted(result.items())}


@dataclass(frozen=True, slots=True)
class Briefing:
    """Everything a topic page shows."""

    topic: Topic
    statements: tuple[Statement, ...]
    """Ordered by how widely reported, then by where they stand."""
    articles: tuple[Article, ...]
    """Articles that contribute at least one statement, by date."""
    timeline: tuple[Event, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    people: tuple[Entity, ...] = ()
    """People and organisations named in the topic's sentences, by name."""

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({a.outlet for a in self.articles}))

    @property
    def updated(self) -> datetime.date | None:
        return max((a.date for a in self.articles), default=None)


@dataclass(frozen=True, slots=True)
class Site:
    """The merged result for a whole site: what the templates and export read."""

    documents: tuple[Document, ...]
    """Every article, by date then slug."""
    topics: tuple[Topic, ...]
    briefings: tuple[Briefing, ...]
    """One per topic, in topic order."""
    assignment: TopicAssignment
    """The topics of every sentence."""
    quotes: tuple[Quote, ...]
    """Every quote found, in document order."""
    citations: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Sentence key → (topic slug, statement id) for every briefing that cites
    it: the back-links on article pages."""
    people: tuple[Entity, ...] = ()
    """Every person and organisation named, by name."""
