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

A build keeps its briefings for the next (``BriefingMemory``), each under a
digest of everything it was made from (``made_from``): its topic's
statements, with their sources and origins, the content key of every
article they cite, and every topic's rules. An edit changes the briefings of
the few topics its article is in; the others are taken over, with the very
statements and articles of this build in them, not made again.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import pickle
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict

from generator.article_cache import content_key
from generator.files import load_pickle, save_pickle
from generator.model import (
    FIELD_SEPARATOR,
    Article,
    Briefing,
    Citation,
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
    if len(statement.sources) == 1:  # most statements: one group of one, which the merge gives
        origins: tuple[tuple[str, ...], ...] = ((statement.sources[0].article,),)
        if statement.origins == origins:
            return statement
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
    memory: BriefingMemory | None = None,
    article_keys: Mapping[str, str] | None = None,
) -> tuple[Briefing, ...]:
    """``build_briefing`` of every topic, in order, each handed only its own
    statements and the dated sentences they cite: the same briefings, with
    work that grows with each topic rather than with topics × archive. A
    statement of several topics is one object in all their briefings (its
    origins found once), so each page's key reads it once
    (``page_cache.digest``).

    Which statements cite a dated sentence is found once, not per topic
    (``_DatedStatements``): only those go to each timeline (at 20,000
    articles, a fifth of the statements; reading every citation of every
    topic's statements took about 1 s).

    ``memory``: the last build's briefings, of which those made from what
    this one's would be are taken over (``BriefingMemory``), and which then
    keeps this build's; ``article_keys``: each article's ``content_key`` by
    slug, if made already."""
    origins = origin_of or {}
    by_topic: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        grouped = with_origins(statement, origins)
        for slug in set(statement.topics):
            by_topic[slug].append(grouped)
    kept = memory.kept_for(topics, by_topic, articles, article_keys) if memory is not None else None
    dated_statements = _DatedStatements(dated)
    known_words: KnownWords = {}
    briefings = []
    for topic in topics:
        own = by_topic.get(topic.slug, [])
        briefing = kept.briefing(topic) if kept is not None else None
        if briefing is None:
            dated_own, own_dates = dated_statements.of(own)
            briefing = _briefing(topic, own, articles, own_dates, (), (), known_words, dated_own)
            if kept is not None:
                kept.add(topic, briefing)
        briefings.append(briefing)
    if memory is not None and kept is not None:
        memory.keep(kept)
    people, disagreements = tuple(people), tuple(disagreements)
    if people or disagreements:
        return with_people_and_disagreements(briefings, people, disagreements)
    return tuple(briefings)


class _DatedStatements:
    """The dated sentences of an archive, by the key of their sentence, and
    which statements cite one, each statement read once for all the topics
    it is in (by identity: it is one object in all of them)."""

    def __init__(self, dated: Sequence[DatedSentence]) -> None:
        self._by_sentence: dict[str, list[DatedSentence]] = defaultdict(list)
        for item in dated:
            self._by_sentence[item.sentence].append(item)
        self._cites: dict[int, bool] = {}

    def of(self, statements: Iterable[Statement]) -> tuple[list[Statement], list[DatedSentence]]:
        """Those of ``statements`` that cite a dated sentence (only they add to
        a timeline), and the dated sentences they cite."""
        by_sentence, cites = self._by_sentence, self._cites
        dated_own = []
        for statement in statements:
            known = cites.get(id(statement))
            if known is None:
                known = cites[id(statement)] = any(c.key in by_sentence for c in statement.sources)
            if known:
                dated_own.append(statement)
        cited = dict.fromkeys(c.key for s in dated_own for c in s.sources)
        return dated_own, [item for key in cited for item in by_sentence.get(key, ())]


@dataclass(slots=True)
class BriefingMemory:
    """The briefings of the last build, each pickled under the digest of
    what it was made from (``made_from``), by topic slug; with a ``path``
    (``load``), kept in that file of the cache folder of this code's
    version, as the code that made them is part of what they are made from.

    ``build_briefings`` takes a topic's briefing over where its digest is
    this build's (``kept_for``), and makes only the others: after one edit
    at 5,000 articles, the briefings of the six or so topics of the edited
    article, of fifty. A briefing is pickled with references, not copies, to
    its statements, their citations, its articles and its topic
    (``_pickled``), and unpickled with this build's (``_unpickled``): taken
    over, it holds the same objects a briefing made now would, shared with
    the other briefings and the rest of the site. Its people and
    disagreements are not kept: the build adds them after
    (``with_people_and_disagreements``).

    ``taken_over`` and ``made`` count the briefings of the last
    ``build_briefings``."""

    held: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    """Topic slug → the digest of what its briefing was made from, and the briefing pickled."""
    path: Path | None = None
    taken_over: int = 0
    made: int = 0
    statement_keys: dict[str, bytes] = field(default_factory=dict)
    """Each statement's digest of what it is made from, by its id, of the
    last ``build_briefings`` (``made_from``; ``Site.statement_keys``)."""
    briefing_keys: dict[str, bytes] = field(default_factory=dict)
    """Each briefing's digest of what it is made from, by topic slug, of the
    last ``build_briefings`` (``made_from``; ``Site.briefing_keys``)."""

    @classmethod
    def load(cls, path: Path) -> BriefingMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps the next build's briefings there."""
        held = load_pickle(path, "briefings' cache")
        return cls(held if isinstance(held, dict) else {}, path)

    def kept_for(
        self,
        topics: Sequence[Topic],
        by_topic: Mapping[str, Sequence[Statement]],
        articles: Sequence[Article],
        article_keys: Mapping[str, str] | None,
    ) -> KeptBriefings:
        """What ``build_briefings`` takes over and keeps, for ``topics``, each
        with its own statements (``by_topic``: with their origins).

        A kept briefing and a statement's digest refer to a statement by its
        id: among statements two of which share one (not a merge's,
        ``merge._with_unique_ids``), nothing is taken over, and no
        statement's digest is given for the pages' keys."""
        keys = article_keys if article_keys is not None else {a.slug: content_key(a) for a in articles}
        references = _References({s.id: s for own in by_topic.values() for s in own})
        unique = len(references) == len({id(s) for own in by_topic.values() for s in own})
        references.update({_ARTICLE + a.slug: a for a in articles})
        references.update({_TOPIC + t.slug: t for t in topics})
        digests, statement_keys = made_from(topics, by_topic, keys)
        if not unique:
            return KeptBriefings(digests, {}, {}, references)
        return KeptBriefings(digests, statement_keys, self.held, references)

    def keep(self, kept: KeptBriefings) -> None:
        """Hold the briefings of ``kept`` for the next build: written to
        ``path`` at once (a failure to write only costs speed), else kept here."""
        self.taken_over, self.made, self.statement_keys = kept.taken_over, kept.made, kept.statement_keys
        self.briefing_keys = kept.digests
        self.held = kept.now if self.path is None else {}
        if self.path is not None:
            save_pickle(self.path, kept.now, "briefings' cache")


@dataclass(slots=True)
class KeptBriefings:
    """One ``build_briefings``' use of a ``BriefingMemory``: the digest of what
    each topic's briefing is made from, the briefings held, and what this
    build's statements (with their origins), citations, articles and topics
    are referred to by in a briefing held, to unpickle it with."""

    digests: dict[str, bytes]
    statement_keys: dict[str, bytes]
    """Each statement's digest of what it is made from, by its id."""
    held: Mapping[str, tuple[bytes, bytes]]
    references: _References
    now: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    """What the memory keeps for the next build: each topic's briefing of this one."""
    taken_over: int = 0
    made: int = 0

    def briefing(self, topic: Topic) -> Briefing | None:
        """``topic``'s briefing of the last build, if made from what this one's
        would be; else None (then ``add`` is to be given the briefing made)."""
        digest = self.digests[topic.slug]
        held = self.held.get(topic.slug)
        if held is None or held[0] != digest:
            return None
        try:
            briefing = _unpickled(held[1], self.references)
        except Exception:  # a damaged cache, or one of other data: the briefing is made
            return None
        if not isinstance(briefing, Briefing) or briefing.topic is not topic:
            return None
        self.now[topic.slug] = held
        self.taken_over += 1
        return briefing

    def add(self, topic: Topic, briefing: Briefing) -> None:
        """Keep ``briefing``, ``topic``'s made by this build, for the next."""
        self.now[topic.slug] = (self.digests[topic.slug], _pickled(briefing))
        self.made += 1


def made_from(
    topics: Sequence[Topic], by_topic: Mapping[str, Sequence[Statement]], article_keys: Mapping[str, str]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """A digest, per topic slug, of everything its briefing is made from
    (``_briefing``), for one version of the code (which names the cache
    folder a ``BriefingMemory`` is kept in); and one per statement (by
    id), of everything the statement is made from.

    * Every topic's rules and text, which decide the topics of every
      sentence (``topics.assign_topics``).
    * The topic's own statements (``by_topic``), in their order, each as
      its id, its sources' sentences and its origins (``wire.py``), and
      the content key of each source's article (``article_keys``).

    A statement is made of its sources' sentences (its id of the first's,
    its kind, text, speaker and topics of what they say and of the topics'
    rules), and any change to an article's file changes its key, and with
    it what its sentences say, where they stand, its date, what the sources
    list shows of it and the dates its sentences give the timeline. A
    source of an article with no key there is described by all its fields
    instead."""
    everything = hashlib.sha256(repr(tuple(topics)).encode("utf-8", "surrogatepass")).digest()
    rules = everything.hex()
    each: dict[str, bytes] = {}  # by id: a statement of several topics is digested once
    digests = {}
    for topic in topics:
        described = hashlib.sha256(everything)
        described.update(topic.slug.encode("utf-8", "surrogatepass"))
        for statement in by_topic.get(topic.slug, ()):
            known = each.get(statement.id)
            if known is None:
                known = each[statement.id] = _statement_made_from(statement, article_keys, rules)
            described.update(known)
        digests[topic.slug] = described.digest()
    return digests, each


def _statement_made_from(statement: Statement, article_keys: Mapping[str, str], rules: str) -> bytes:
    """A digest of ``statement`` for ``made_from``: the topics' ``rules``, its
    id, each source's sentence and article's content key, and its origins."""
    fields = [rules, statement.id, str(len(statement.sources))]
    for source in statement.sources:
        fields += (source.article, source.sentence, article_keys.get(source.article) or repr(source))
    fields += map(_IN_ORIGIN.join, statement.origins)
    described = FIELD_SEPARATOR.join(fields).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(described, digest_size=16).digest()


_IN_ORIGIN = "\1"
"""What joins the article slugs of one group of a statement's origins (no slug holds it)."""


def _pickled(briefing: Briefing) -> bytes:
    """``briefing`` pickled for a ``BriefingMemory``, without its people and
    disagreements, which are added after; with a reference (``_reference``)
    in place of each of its statements, their citations (the timeline's
    events cite them too), its articles and its topic (``_unpickled``).

    Each kind is pickled by the pickler's ``dispatch_table``, which the
    pickler asks only about objects of those kinds; its ``persistent_id``
    would be asked about every object (every text, number and tuple): at
    20,000 articles, that took 10 s of a cold build."""
    if briefing.people or briefing.disagreements:
        briefing = replace(briefing, people=(), disagreements=())
    citations = {
        id(citation): f"{_CITATION}{number} {statement.id}"
        for statement in briefing.statements
        for number, citation in enumerate(statement.sources)
    }

    def citation(value: Citation) -> Any:
        cited = citations.get(id(value))
        return value.__reduce__() if cited is None else (_reference, (cited,))

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {
        Statement: lambda statement: (_reference, (statement.id,)),
        Citation: citation,
        Article: lambda article: (_reference, (f"{_ARTICLE}{article.slug}",)),
        Topic: lambda topic: (_reference, (f"{_TOPIC}{topic.slug}",)),
    }
    pickler.dump(briefing)
    return buffer.getvalue()


def _reference(key: str) -> Any:
    """What a briefing pickled by ``_pickled`` calls in place of each
    statement, citation, article and topic it refers to, by its key
    (``_References``): ``_unpickled`` reads it as the lookup of the key
    among this build's; any other unpickler cannot read the briefing."""
    raise pickle.UnpicklingError(f"a briefing's reference to {key!r} read without its build's objects")


def _unpickled(pickled: bytes, references: _References) -> object:
    """What ``_pickled`` pickled, each reference read as the object of this
    build it refers to (``references``): a lookup in C, not a call of a
    Python function per reference (430,000 references at 5,000 articles)."""

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == (__name__, _reference.__name__):
                return references.__getitem__
            return super().find_class(module, name)

    return Unpickler(io.BytesIO(pickled)).load()


_ARTICLE, _TOPIC, _CITATION = "\1a", "\1t", "\1c"
"""What starts the reference to an article (then its slug), a topic (then its
slug) and a citation (then its place among its statement's sources, a space
and its statement's id); a statement's reference is its id, which never
starts with U+0001."""


class _References(dict[str, Any]):
    """What each reference in a briefing pickled by ``_pickled`` stands for:
    a statement by its id, an article or a topic; a citation is
    found when first asked for."""

    def __missing__(self, reference: str) -> Citation:
        if not reference.startswith(_CITATION):
            raise KeyError(reference)
        number, _, statement = reference[len(_CITATION) :].partition(" ")
        citation: Citation = self[statement].sources[int(number)]
        self[reference] = citation
        return citation


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
