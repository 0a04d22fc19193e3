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

import dataclasses
import datetime
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

_Model = TypeVar("_Model", bound=type)
_T = TypeVar("_T")

FIELD_SEPARATOR = "\0"
"""What joins the fields of a value into one text to digest (a sentence's
fingerprint, an article's content key, a statement's part of a page's key).
No text of the model holds it, nor ``NO_VALUE``: ``content`` refuses
control characters in files and fields, and markdown-it reads a character
reference to one as U+FFFD. So, with the fields in a fixed order and each
list of them after its length (or last), two different values never give
one text; and joining takes half the time of the ``repr`` of a tuple of
them, which reads every character of every text for escapes."""
NO_VALUE = "\1"
"""A field that is ``None`` (no speaker, no author), in such a text."""


def _pickled_by_position(cls: _Model) -> _Model:
    """Pickle ``cls`` as a call of its constructor with its fields in order.

    The caches keep and the worker processes send millions of these (a
    sentence, a block, a quote); a frozen dataclass with slots is otherwise
    unpickled field by field through ``dataclasses``' ``__setstate__``, which
    looks the fields up again for every object. Measured on the 5,000
    documents of the benchmark: 0.88 -> 0.43 s to unpickle."""
    names = _constructor_fields(cls)
    getter = operator.attrgetter(*names)

    def __reduce__(self: Any) -> tuple[Any, ...]:
        values = getter(self)
        return (cls, values if len(names) > 1 else (values,))

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


def _constructor_fields(cls: type) -> list[str]:
    """The names of ``cls``'s fields, in order, all of which its constructor takes."""
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__qualname__} has a field its constructor does not take")
    return [f.name for f in fields]


def _long_text_pickled_as_utf8(name: str) -> Callable[[_Model], _Model]:
    """Pickle field ``name`` of the class (a long text) as UTF-8 bytes, and the
    rest as ``_pickled_by_position`` does.

    Pickle writes a text that is not all ASCII from its UTF-8 form, which
    CPython then keeps beside the text for as long as the text lives: every
    article body, once pickled for the cache or a worker process, took its
    size again in memory (20 MB at 5,000 articles, held to the build's
    peak). Encoding it here makes a copy that goes with the pickle."""

    def decorate(cls: _Model) -> _Model:
        names = _constructor_fields(cls)
        at, getter = names.index(name), operator.attrgetter(*names)

        def __reduce__(self: Any) -> tuple[Any, ...]:
            values = getter(self)
            if values[at].isascii():  # kept as it is, with no copy
                return (cls, values)
            return (_with_utf8_text, (cls, at, (*values[:at], values[at].encode(), *values[at + 1 :])))

        cls.__reduce__ = __reduce__  # type: ignore[assignment]
        return cls

    return decorate


def _with_utf8_text(cls: Callable[..., _T], at: int, values: tuple[Any, ...]) -> _T:
    """Unpickle what ``_long_text_pickled_as_utf8`` pickled."""
    return cls(*values[:at], values[at].decode(), *values[at + 1 :])


BlockKind = Literal["paragraph", "heading", "quote"]
"""A paragraph of running text, a (sub)heading, or a paragraph in a blockquote."""

StatementKind = Literal["fact", "quote"]


@_long_text_pickled_as_utf8("body")
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


@_pickled_by_position
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


@_pickled_by_position
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


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Document:
    """An article split into blocks and sentences."""

    article: Article
    blocks: tuple[Block, ...]
    sentences: tuple[Sentence, ...]
    """All sentences in reading order, headings included."""

    def cite(self, sentence: Sentence) -> Citation:
        """The citation of one of this document's sentences."""
        article = self.article
        return Citation(
            article=article.slug,
            outlet=article.outlet,
            url=article.url,
            sentence=sentence.id,
            text=sentence.text,
            date=article.date,
            position=sentence.index,
        )

    def by_block(self) -> list[tuple[Block, list[Sentence]]]:
        """Each block with its sentences, for rendering the article page."""
        grouped: list[tuple[Block, list[Sentence]]] = [(block, []) for block in self.blocks]
        for sentence in self.sentences:
            grouped[sentence.block][1].append(sentence)
        return grouped


@_pickled_by_position
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


_NO_TOPICS: frozenset[str] = frozenset()
"""One shared empty set: ``frozenset()`` makes a new one (216 bytes) each call."""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class TopicAssignment:
    """Which topics each sentence belongs to."""

    topics: dict[str, frozenset[str]]
    """Sentence key → slugs of its topics (missing or empty: no topic)."""
    cued: dict[str, frozenset[str]]
    """Sentence key → topics matched by the sentence's own words (missing:
    none); the rest of its topics come from context (neighbours, subheadings)."""

    def of(self, sentence: Sentence) -> frozenset[str]:
        return self.topics.get(sentence.key, _NO_TOPICS)


@_pickled_by_position
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


@_pickled_by_position
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
    position: int
    """Where the sentence stands in its article: how many of its sentences
    come before it (``Sentence.index``; 0 for the first). Counted from the
    top, not as a share of the article's length, so a sentence added at its
    end (an update, a correction) moves none of the others: the statements
    they source keep their order in every briefing."""

    @property
    def key(self) -> str:
        """The cited sentence's site-wide identifier (``Sentence.key``): ``<article slug>#<anchor>``."""
        return f"{self.article}#{self.sentence}"


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Statement:
    """What one or more outlets report alike, with every source."""

    id: str
    """Stable id: derived from the first source's sentence key only, so it
    does not change when unrelated articles are added. Unique among a
    merge's statements: 10 hex digits, or 16 while another statement has
    the same 10 (``merge._with_unique_ids``: rare, and the one case where
    an id changes without its statement changing)."""
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
    origins: tuple[tuple[str, ...], ...] = ()
    """Slugs of the source articles grouped by origin: copies of one wire
    story form one group, and so do one outlet's own articles; every source
    article is in exactly one group. The merge gives a statement of one
    source its one group (nine in ten statements of a news archive); the
    others' origins are empty until the briefing stage fills them."""

    @property
    def outlets(self) -> tuple[str, ...]:
        """Distinct outlets in source order."""
        if len(self.sources) == 1:  # most statements: read for every ranking and page
            return (self.sources[0].outlet,)
        return tuple(dict.fromkeys(c.outlet for c in self.sources))

    def sources_from(self, outlet: str) -> tuple[Citation, ...]:
        """The sources printed by ``outlet``, in source order."""
        return tuple(c for c in self.sources if c.outlet == outlet)

    @property
    def first_reported(self) -> datetime.date:
        """Date of the earliest source."""
        return min(c.date for c in self.sources)

    @property
    def independent(self) -> int:
        """How many independent origins report it (wire copies and one
        outlet's articles count once)."""
        return len(self.origins) if self.origins else len(self.outlets)

    @property
    def copies(self) -> tuple[tuple[Citation, ...], ...]:
        """Sources that are copies of one wire story under several outlets,
        one tuple per such story (for "from the same wire copy")."""
        by_article = {c.article: c for c in self.sources}
        groups = (tuple(by_article[slug] for slug in group) for group in self.origins)
        return tuple(g for g in groups if len({c.outlet for c in g}) > 1)


Precision = Literal["year", "month", "day"]
"""How much of a date is known: ``2020``, ``2020-12`` or ``2020-12-14``."""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class DatedSentence:
    """A date found in one sentence, resolved against its article's date."""

    sentence: str
    """Key of the sentence (``<article slug>#<anchor>``)."""
    date: str
    """ISO date cut to its precision: ``2020``, ``2020-12`` or ``2020-12-14``."""
    precision: Precision
    expression: str
    """The date words exactly as written, e.g. "in June this year"."""
    start: int
    """Offset of ``expression`` in the sentence text."""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Event:
    """A dated event: what one or more sentences say happened on one date."""

    date: str
    """ISO date cut to its precision: ``2020``, ``2020-12`` or ``2020-12-14``."""
    precision: Literal["year", "month", "day"]
    text: str
    """One source sentence, verbatim."""
    sources: tuple[Citation, ...]
    """Every sentence whose own words give this date, by date, outlet, article."""
    expression: str = ""
    """The date words of ``text`` as written, e.g. "on Monday"."""
    statements: tuple[str, ...] = ()
    """Ids of the statements the sources belong to."""


DisagreementKind = Literal["role", "number", "date", "wording"]
"""What differs: the title given to a person, a figure, a date or time, or
words that change the meaning."""


@_pickled_by_position
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


@_pickled_by_position
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


@_pickled_by_position
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


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class OutletStatements:
    """What one outlet alone reports in a briefing."""

    outlet: str
    statements: tuple[Statement, ...]


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class SourceUse:
    """A source article of a briefing and how much of it the briefing uses."""

    article: Article
    sentences: int
    """How many of its sentences the briefing cites."""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Update:
    """The statements a topic gained on one date: one entry of its feed."""

    date: datetime.date
    statements: tuple[Statement, ...]
    """Statements first reported on ``date``, in briefing order."""


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Briefing:
    """Everything a topic page shows, section by section."""

    topic: Topic
    statements: tuple[Statement, ...]
    """Every statement of the topic, ordered by independent corroboration,
    then outlets, then where they stand in their articles."""
    articles: tuple[Article, ...]
    """Articles that contribute at least one statement, by date."""
    timeline: tuple[Event, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    lead: tuple[Statement, ...] = ()
    """Three to five facts that state the core of the topic, verbatim."""
    key_points: tuple[Statement, ...] = ()
    """Facts reported by more than one independent origin, not in the lead."""
    quotes: tuple[Statement, ...] = ()
    """Direct quotes, most widely carried first."""
    single_outlet: tuple[OutletStatements, ...] = ()
    """Facts only one outlet reports (outside the lead), grouped by outlet."""
    sources: tuple[SourceUse, ...] = ()
    """``articles`` with the number of their sentences cited."""
    updates: tuple[Update, ...] = ()
    """Newest first: the statements each article date added."""
    new_since: datetime.date | None = None
    """The date before the latest update; statements first reported after it
    are marked new. None while the topic has only one article date."""

    def is_new(self, statement: Statement) -> bool:
        return self.new_since is not None and statement.first_reported > self.new_since

    def speaker_roles(self, statement: Statement) -> tuple[Variant, ...]:
        """The roles the outlets carrying a quote give its speaker, each with
        the sentences that give it (only outlets that carry the quote)."""
        speaker = statement.speaker
        person = next(
            (
                e
                for e in self.people
                if e.kind == "person" and (e.name == speaker or any(v.text == speaker for v in e.variants))
            ),
            None,
        )
        if person is None:
            return ()
        carried = set(statement.outlets)
        roles = (
            Variant(role.text, tuple(c for c in role.sources if c.outlet in carried)) for role in person.roles
        )
        return tuple(role for role in roles if role.sources)

    people: tuple[Entity, ...] = ()
    """People and organisations named in the topic's sentences, by name."""

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(sorted({a.outlet for a in self.articles}))

    @property
    def updated(self) -> datetime.date | None:
        return max((a.date for a in self.articles), default=None)


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Outlet:
    """A publishing outlet: its page lists its articles and what it contributes."""

    name: str
    slug: str
    """URL-safe and unique in the site; the page is ``outlets/<slug>/``."""
    articles: tuple[Article, ...]
    """Its articles, newest first."""
    contributions: tuple[tuple[Topic, tuple[Statement, ...]], ...]
    """Per topic (in topic order), the statements it is a source of."""

    @property
    def statement_count(self) -> int:
        return len({s.id for _, statements in self.contributions for s in statements})


@_pickled_by_position
@dataclass(frozen=True, slots=True)
class Coverage:
    """Who covers what: statements per (topic slug, outlet)."""

    outlets: tuple[str, ...]
    """Every outlet with a statement, most statements first."""
    counts: dict[tuple[str, str], int]

    def count(self, topic: str, outlet: str) -> int:
        return self.counts.get((topic, outlet), 0)

    def level(self, topic: str, outlet: str) -> int:
        """Shade of a heat-map cell: 0 (none) to 4 (the most of any cell)."""
        top = max(self.counts.values(), default=0)
        count = self.count(topic, outlet)
        return 0 if count == 0 else 1 + (3 * count) // top if count < top else 4


@_pickled_by_position
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
    coverage: Coverage = field(default_factory=lambda: Coverage((), {}))
    """Statements per topic and outlet (the home page's heat map)."""
    outlets: tuple[Outlet, ...] = ()
    """Every outlet, by name."""
    wire_copies: tuple[tuple[str, ...], ...] = ()
    """Groups of article slugs that are copies of one wire story."""
    people: tuple[Entity, ...] = ()
    """Every person and organisation named, by name."""
    article_keys: Mapping[str, str] = field(default_factory=dict)
    """Each article's content key (``article_cache.content_key``: a digest of
    its file's fields) by slug, where the build made them (it keeps a
    cache): by it the page cache keys an article's page without reading
    the article again."""
    statement_keys: dict[str, bytes] = field(default_factory=dict)
    """Each statement's id → a digest of everything the statement is made
    from (``briefing.made_from``), where the build made one: by it the page
    cache keeps each statement's own digest between builds."""
    briefing_keys: dict[str, bytes] = field(default_factory=dict)
    """Each topic's slug → a digest of everything its briefing is made from
    but its people and disagreements (``briefing.made_from``), where the
    build made one: by it the page cache keeps each briefing's own digest
    between builds."""
