"""Stage 5: put together one briefing per topic from the merged statements.

A briefing is the topic page, section by section (see ``model.Briefing``):

* every statement of the topic, ranked by how many *independent origins*
  report it (wire copies of one story count once, see ``wire.py``), then by
  how many outlets carry it, then by where it stands in its articles (news
  puts what matters first);
* the **lead**: the top facts, three to five, verbatim; only facts that
  read as a full statement (``LEAD_MIN_WORDS``) qualify;
* **key points**: the other facts more than one outlet reports;
* **quotes**: direct quotes, most widely carried first;
* **only in one outlet**: the remaining facts, grouped by the outlet that
  alone reports them;
* **sources** with how many of their sentences the briefing cites;
* **updates**: the statements each article date added, so the page can mark
  what is new and the topic's feed can list it;
* the **timeline**: the dated events of its statements (``timeline.py``).

Nothing is rewritten here: each section is a selection of statements.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TypedDict

from generator.model import (
    Article,
    Briefing,
    Coverage,
    DatedSentence,
    Disagreement,
    Entity,
    OutletStatements,
    SourceUse,
    Statement,
    Topic,
    Update,
)
from generator.timeline import KnownWords, build_timeline

LEAD_MIN = 3
LEAD_MAX = 5
LEAD_MIN_WORDS = 8
"""A lead sentence must have at least this many words: short lines
("It was not immediately clear.") state nothing on their own."""


def statement_rank(statement: Statement) -> tuple[int, int, float, str]:
    """Sort key: more independent origins first, then more outlets, then
    earlier in the articles, then id (for a stable order)."""
    position = sum(c.position for c in statement.sources) / len(statement.sources)
    return (-statement.independent, -len(statement.outlets), round(position, 6), statement.id)


def with_origins(statement: Statement, origin_of: Mapping[str, str]) -> Statement:
    """``statement`` with its source articles grouped by origin.

    ``origin_of`` maps an article slug to a key that stands for its wire
    story. An article that is no wire copy has its outlet as origin: an
    outlet repeating its own story does not corroborate it.
    """
    if len(statement.sources) == 1:  # most statements: one group of one
        origins: tuple[tuple[str, ...], ...] = ((statement.sources[0].article,),)
    else:
        groups: dict[str, list[str]] = {}
        for source in statement.sources:
            key = origin_of.get(source.article, f"outlet:{source.outlet}")
            group = groups.setdefault(key, [])
            if source.article not in group:
                group.append(source.article)
        origins = tuple(tuple(g) for g in groups.values())
    # Made, not ``replace``d: five times as fast, for every statement of every
    # build. Every field is passed on (tested, so a new field is not forgotten).
    return Statement(
        id=statement.id,
        kind=statement.kind,
        text=statement.text,
        speaker=statement.speaker,
        sources=statement.sources,
        topics=statement.topics,
        origins=origins,
    )


def choose_lead(facts: Sequence[Statement]) -> tuple[Statement, ...]:
    """Up to ``LEAD_MAX`` facts reported by several origins; topped up to
    ``LEAD_MIN`` with the best-placed others when too few are."""

    def full(statement: Statement) -> bool:
        return len(statement.text.split()) >= LEAD_MIN_WORDS

    # Lazily: a topic has thousands of facts, of which a handful lead.
    lead = list(itertools.islice((s for s in facts if s.independent > 1 and full(s)), LEAD_MAX))
    for statement in filter(full, facts):
        if len(lead) >= LEAD_MIN:
            break
        if statement not in lead:
            lead.append(statement)
    return tuple(sorted(lead, key=statement_rank))


def count_uses(statements: Iterable[Statement], articles: Sequence[Article]) -> tuple[SourceUse, ...]:
    """Each cited article with the number of its distinct sentences cited."""
    cited: dict[str, set[str]] = defaultdict(set)
    for statement in statements:
        for source in statement.sources:
            cited[source.article].add(source.sentence)
    return tuple(SourceUse(article=a, sentences=len(cited[a.slug])) for a in articles if a.slug in cited)


def group_updates(statements: Sequence[Statement]) -> tuple[Update, ...]:
    """Statements by the date they were first reported, newest date first."""
    by_date: dict[datetime.date, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_date[statement.first_reported].append(statement)
    return tuple(Update(date=d, statements=tuple(by_date[d])) for d in sorted(by_date, reverse=True))


def build_briefing(
    topic: Topic,
    statements: Iterable[Statement],
    articles: Sequence[Article],
    origin_of: Mapping[str, str] | None = None,
    dated: Sequence[DatedSentence] = (),
    *,
    people: Iterable[Entity] = (),
    disagreements: Iterable[Disagreement] = (),
) -> Briefing:
    """The briefing of ``topic``: its statements, ranked and sectioned; the
    timeline of the dates (``dated``) its statements give; its people and
    disagreements, in the order given."""
    origins = origin_of or {}
    own = [with_origins(s, origins) for s in statements if topic.slug in s.topics]
    return _briefing(topic, own, articles, dated, people, disagreements)


def _briefing(
    topic: Topic,
    own: list[Statement],
    articles: Sequence[Article],
    dated: Sequence[DatedSentence],
    people: Iterable[Entity],
    disagreements: Iterable[Disagreement],
    known_words: KnownWords | None = None,
    dated_own: Sequence[Statement] | None = None,
) -> Briefing:
    """``build_briefing`` of the topic's ``own`` statements, their origins
    given (``known_words``: see ``build_timeline``; ``dated_own``: those of
    ``own`` that cite a sentence of ``dated``, if known: the others add
    nothing to the timeline)."""
    chosen = tuple(sorted(own, key=statement_rank))
    cited = {c.article for s in chosen for c in s.sources}
    sources = tuple(a for a in articles if a.slug in cited)
    own_people, own_disagreements = _found_on(topic, people, disagreements)
    return Briefing(
        topic=topic,
        statements=chosen,
        articles=sources,
        timeline=build_timeline(dated, chosen if dated_own is None else dated_own, known_words),
        people=own_people,
        disagreements=own_disagreements,
        **briefing_sections(chosen, sources),
    )


class Sections(TypedDict):
    """The sections of a ``Briefing`` that ``briefing_sections`` makes."""

    lead: tuple[Statement, ...]
    key_points: tuple[Statement, ...]
    quotes: tuple[Statement, ...]
    single_outlet: tuple[OutletStatements, ...]
    sources: tuple[SourceUse, ...]
    updates: tuple[Update, ...]
    new_since: datetime.date | None


def briefing_sections(statements: tuple[Statement, ...], articles: tuple[Article, ...]) -> Sections:
    """The sections of a briefing that are made of its ranked ``statements``
    and its cited ``articles`` alone: the lead, the key points, the quotes,
    the facts only one outlet reports, how many sentences each article
    gives, the updates, and the date after which a statement is new.

    Nothing else goes into them, and a topic page's key holds the
    statements and articles: so it leaves these out (``page_cache.DERIVED``),
    which a build would otherwise digest again section by section."""
    facts = [s for s in statements if s.kind == "fact"]
    lead = choose_lead(facts)
    leading = {id(s) for s in lead}  # by identity: equality compares every field
    rest = [s for s in facts if id(s) not in leading]
    single: dict[str, list[Statement]] = defaultdict(list)
    for statement in rest:
        if len(statement.outlets) == 1:
            single[statement.outlets[0]].append(statement)
    dates = sorted({a.date for a in articles})
    return Sections(
        lead=lead,
        key_points=tuple(s for s in rest if len(s.outlets) > 1),
        quotes=tuple(s for s in statements if s.kind == "quote"),
        single_outlet=tuple(OutletStatements(o, tuple(single[o])) for o in sorted(single)),
        sources=count_uses(statements, articles),
        updates=group_updates(statements),
        new_since=dates[-2] if len(dates) > 1 else None,
    )


def with_people_and_disagreements(
    briefings: Iterable[Briefing], people: Iterable[Entity], disagreements: Iterable[Disagreement]
) -> tuple[Briefing, ...]:
    """``briefings`` built without people and disagreements, given those of
    their topics, in the order given: what ``build_briefings`` with them
    would have built, as nothing else in a briefing reads them. So a build
    can make the briefings while it still waits for the people and
    disagreements (``pipeline.merge_site``)."""
    people, disagreements = tuple(people), tuple(disagreements)

    def given(briefing: Briefing) -> Briefing:
        own_people, own_disagreements = _found_on(briefing.topic, people, disagreements)
        return replace(briefing, people=own_people, disagreements=own_disagreements)

    return tuple(map(given, briefings))


def _found_on(
    topic: Topic, people: Iterable[Entity], disagreements: Iterable[Disagreement]
) -> tuple[tuple[Entity, ...], tuple[Disagreement, ...]]:
    """The people and the disagreements of ``topic``, each in the order given."""
    own_people = tuple(e for e in people if topic.slug in e.topics)
    return own_people, tuple(d for d in disagreements if topic.slug in d.topics)


def build_briefings(
    topics: Sequence[Topic],
    statements: Iterable[Statement],
    articles: Sequence[Article],
    origin_of: Mapping[str, str] | None = None,
    dated: Sequence[DatedSentence] = (),
    *,
    people: Iterable[Entity] = (),
    disagreements: Iterable[Disagreement] = (),
) -> tuple[Briefing, ...]:
    """``build_briefing`` of every topic, in order, each handed only its own
    statements and the dated sentences they cite: the same briefings, with
    work that grows with each topic rather than with topics × archive. A
    statement of several topics is one object in all their briefings (its
    origins found once), so each page's key reads it once
    (``page_cache.digest``).

    Which statements cite a dated sentence is found once, not per topic:
    only those go to each timeline (at 20,000 articles, a fifth of the
    statements; reading every citation of every topic's statements took
    about 1 s)."""
    origins = origin_of or {}
    by_sentence: dict[str, list[DatedSentence]] = defaultdict(list)
    for item in dated:
        by_sentence[item.sentence].append(item)
    by_topic: dict[str, list[Statement]] = defaultdict(list)
    dated_by_topic: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        grouped = with_origins(statement, origins)
        is_dated = any(c.key in by_sentence for c in statement.sources)
        for slug in set(statement.topics):
            by_topic[slug].append(grouped)
            if is_dated:
                dated_by_topic[slug].append(grouped)
    people, disagreements = tuple(people), tuple(disagreements)
    known_words: KnownWords = {}
    briefings = []
    for topic in topics:
        own, dated_own = by_topic.get(topic.slug, []), dated_by_topic.get(topic.slug, [])
        cited = dict.fromkeys(c.key for s in dated_own for c in s.sources)
        own_dates = [item for key in cited for item in by_sentence.get(key, ())]
        briefing = _briefing(topic, own, articles, own_dates, people, disagreements, known_words, dated_own)
        briefings.append(briefing)
    return tuple(briefings)


def coverage(briefings: Sequence[Briefing]) -> Coverage:
    """Statements per topic and outlet, for the home page's heat map."""
    counts: Counter[tuple[str, str]] = Counter()
    per_outlet: Counter[str] = Counter()
    for briefing in briefings:
        for statement in briefing.statements:
            for outlet in statement.outlets:
                counts[briefing.topic.slug, outlet] += 1
                per_outlet[outlet] += 1
    outlets = tuple(sorted(per_outlet, key=lambda o: (-per_outlet[o], o)))
    return Coverage(outlets=outlets, counts=dict(sorted(counts.items())))
