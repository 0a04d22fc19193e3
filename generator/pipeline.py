"""The merge pipeline, stage by stage, from content to a ``Site``.

Each stage is a plain function over the model in ``model.py``; this module
only runs them in order, in plain sight:

1. ``segment``: Article → Document (blocks and sentences with positions);
2. ``assign_topics``: Documents + Topics → TopicAssignment;
3. ``read_one_article``: the stages that read one article at a time, so
   run on every core (``parallel.map_documents``) and kept between builds
   by the article's content (``article_cache``): ``find_quotes``: Document
   → Quotes with speakers; ``find_dates``: Document → dated sentences,
   which ``build_briefing`` turns into each topic's timeline
   (``build_timeline``); ``wire_fingerprint``: Document → the MinHash
   fingerprint ``find_wire_copies`` compares; ``name_clues``: Document →
   the words that tell ``find_people`` what a capitalised run is;
   ``features_of``: Document → the words, stems and names
   ``merge_statements`` compares;
4. ``merge_statements``: sentences of all documents → Statements (the
   similar pairs it found kept between builds too, in ``PairMemory``);
5. ``find_people``: Documents + Quotes → people and organisations, with
   their spellings and roles per outlet (the names found in each article
   kept between builds, in ``MentionMemory``);
6. ``find_disagreements``: where outlets report one point differently
   (its per-article half, ``disagree.prepare``, run and kept as in 3.; the
   stem sets it found parallel kept between builds, in ``SupersetMemory``).
   5. and 6. read nothing the merge finds, so with two cores they run in
   a second process while this one merges (``people_and_disagreements``,
   ``parallel.Alongside``), then makes 7. and 8.; of the articles whose
   ``disagree.prepare`` is not kept, part are prepared on every core
   before it starts and the rest there (``PREPARED_HERE``);
7. ``find_wire_copies``: Documents → groups of articles that carry one
   wire story (counted once when ranking; the copies it linked kept
   between builds, in ``LinkMemory``);
8. ``build_briefings``: Statements → one Briefing per topic, sectioned,
   to which ``with_people_and_disagreements`` adds those of 5. and 6.
   (the briefings of topics whose statements, sources and articles did not
   change kept between builds, in ``BriefingMemory``);
9. ``cited_sentences``, ``build_outlets`` and ``coverage``: Briefings →
   each sentence's back-links, outlet pages and the topics × outlets heat
   map (made with 8. while the second process may still work: they read
   only the briefings' statements).

Nothing here runs Pelican: the plugin hands Pelican's articles to
``build_site``, and the tests call it directly.
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.article_cache import (
    DocumentsKept,
    DocumentsNotKept,
    article_key,
    cache_share,
    cached_pickles,
)
from generator.briefing import BriefingMemory, build_briefings, coverage, with_people_and_disagreements
from generator.content import Content
from generator.disagree import SupersetMemory, find_disagreements
from generator.disagree import prepare as prepare_disagreements
from generator.memory import release_free_memory
from generator.merge import (
    ArticleFeatures,
    FeatureMemory,
    MergeMethod,
    PairMemory,
    feature_columns,
    features_of,
    merge_statements,
)
from generator.model import (
    Briefing,
    DatedSentence,
    Disagreement,
    Document,
    Entity,
    Quote,
    Site,
    Topic,
    TopicAssignment,
)
from generator.neardup import Fingerprint, LinkMemory
from generator.outlets import build_outlets
from generator.parallel import MIN_DOCUMENTS_ALONGSIDE, Alongside
from generator.people import ClueMemory, MentionMemory, NameClues, find_people, name_clues
from generator.quotes import find_quotes, masks_of
from generator.segment import segment
from generator.timeline import find_dates
from generator.timings import Timings, stage
from generator.topics import assign_topics
from generator.wire import find_wire_copies, origin_of, wire_fingerprint

MERGE_CACHE = "merge-pairs.pickle"
"""The merge's pairs, in the cache folder, for the next build (``PairMemory``)."""
PEOPLE_CACHE = "people-names.pickle"
"""The names found in each article, in the cache folder, for the next build (``MentionMemory``)."""
DISAGREE_CACHE = "disagree-stems.pickle"
"""The parallel stem sets, in the cache folder, for the next build (``SupersetMemory``)."""
WIRE_CACHE = "wire-links.pickle"
"""The wire copies' links, in the cache folder, for the next build (``LinkMemory``)."""
CLUES_CACHE = "name-clues.pickle"
"""The articles' name clues, counted, in the cache folder, for the next build (``ClueMemory``)."""
FEATURES_CACHE = "merge-features.marshal"
"""Every article's merge features, in the cache folder, for the next build (``FeatureMemory``)."""
BRIEFINGS_CACHE = "briefings.pickle"
"""Each topic's briefing, in the cache folder, for the next build (``BriefingMemory``)."""

PREPARED_HERE = 0.5
"""Of the articles whose ``disagree.prepare`` a build must make (all, in a
cold build), the share made on every core before the second process
starts, but for ``PREPARED_BESIDE_AT_LEAST``; that process makes the rest
before it finds the disagreements. It has time to spare: it finds people
and disagreements while this one merges, makes wire copies and briefings,
which took 12.8 s longer at 5,000 articles and about 20 s longer at
20,000 (cold). ``prepare`` takes 2-3 ms of one core per article: all of
it there (10 s at 5,000 articles, about 55 s at 20,000) would make this
process wait for it at 20,000; with half, it waited 7.0 s there."""
PREPARED_BESIDE_AT_LEAST = 5000
"""Articles left to the second process to prepare, if there are so many,
whatever ``PREPARED_HERE`` says: about 10 s of work, which it has time for
beside the merge of an archive of that size and more. At 5,000 articles
(cold, ``benchmarks/compare.py``, two runs) it then prepares them all: the
build's prepare stage 2.6 s -> 0, and it did not wait for the second
process (0.04 s), which ended about 1 s before the build was ready for it
(with half, about 7 s). A corpus whose people and disagreements take
longer beside its merge would wait for it instead: at most those
articles' prepare on one core (10 s at 5,000), where the build's two
cores took 2.6 s."""


def build_site(
    content: Content, merge: MergeMethod = "lexical", timings: Timings | None = None, workers: int = 1
) -> Site:
    """Run every stage over ``content`` (timing each on ``timings`` if given)."""
    with stage(timings, "segment"):
        documents = tuple(segment(article) for article in content.articles)
    return merge_site(documents, content.topics, merge, timings, workers=workers)


@dataclass(frozen=True, slots=True)
class ArticleFindings:
    """What the stages that read one article at a time find in it."""

    quotes: tuple[Quote, ...]
    dates: tuple[DatedSentence, ...]
    fingerprint: Fingerprint
    name_clues: bytes
    """The article's ``NameClues``, pickled: read only when the article is
    new to the build's ``ClueMemory``, which keeps them joined."""
    merge_features: bytes
    """The article's features as ``FeatureColumns``, in ``marshal``'s format, on
    their own: the build reads the rest of every article's findings first
    and the features later (``per_article_findings``). Their words are
    interned where they are made (``features_of``), so ``marshal`` notes
    them as such and interns them again as it reads them: a word is stored
    once per build, not once per article. Read as pickled
    ``SentenceFeatures`` (interning each word in Python), they took 1.6-2.3 s
    of every build at 5,000 articles, and 0.8-1.3 s so, article by article
    (on the machine of the thirty-fourth pass). A build reads the features
    of most articles from the ``FeatureMemory`` instead, all at once."""


def read_one_article(document: Document) -> ArticleFindings:
    """The stages that read one article at a time, run together per article."""
    masked = masks_of(document)  # read by the quotes and the names' clues alike
    quotes = tuple(find_quotes(document, masked))
    features = marshal.dumps(feature_columns(features_of(document, quotes)))
    clues = pickle.dumps(name_clues(document, masked), protocol=pickle.HIGHEST_PROTOCOL)
    return ArticleFindings(quotes, find_dates(document), wire_fingerprint(document), clues, features)


def per_article_findings(
    documents: Sequence[Document], workers: int, cache: Path | None, keys: Sequence[str] | None = None
) -> tuple[
    tuple[Quote, ...],
    tuple[DatedSentence, ...],
    dict[str, Fingerprint],
    NameClues,
    list[ArticleFeatures],
]:
    """``read_one_article`` of every document (from the cache where it can):
    all quotes, all dated sentences, each article's fingerprint by slug, the
    articles' name clues joined (counted in a ``ClueMemory``, kept in the
    cache), and each article's merge features. ``keys``: each document's
    ``article_key``, if made already.

    The results come pickled and are read in two passes: first what the
    whole build keeps, each article's features left pickled, then the
    merge's features alone. So the features, which the merge frees, lie
    together in memory that then goes back to the system, not between
    objects that live on. Measured at 5,000 articles: the build's peak 654
    -> 624 MB (people and disagree 654 -> 617 MB). The features of the
    articles the ``FeatureMemory`` kept in the cache holds are read from
    there, all at once and before the rest (so that their pickled copies
    are let go unread): those do lie before objects that live on (32 MB
    more at the peak at 20,000 articles, likely from this; not traced).
    """
    if keys is None:
        keys = [article_key(document) for document in documents]
    kept = FeatureMemory.load(cache / FEATURES_CACHE) if cache is not None else FeatureMemory()
    pickled = cached_pickles(read_one_article, documents, workers, cache, keys)
    quotes: list[Quote] = []
    dated: list[DatedSentence] = []
    fingerprints: dict[str, Fingerprint] = {}
    pickled_features: list[bytes] = []
    clues: dict[str, bytes] = {}
    for number, document in enumerate(documents):
        found: ArticleFindings = pickle.loads(pickled[number])
        pickled[number] = b""
        quotes.extend(found.quotes)
        dated.extend(found.dates)
        fingerprints[document.article.slug] = found.fingerprint
        pickled_features.append(b"" if kept.holds(keys[number]) else found.merge_features)
        clues[keys[number]] = found.name_clues
    memory = ClueMemory.load(cache / CLUES_CACHE) if cache is not None else ClueMemory()
    joined = memory.joined(clues)
    del memory, clues
    features = kept.features(keys, pickled_features)
    return tuple(quotes), tuple(dated), fingerprints, joined, features


def each_loaded(stored: list[bytes], release_every: int = 0) -> Iterator[Any]:
    """Each of ``stored`` unpickled in turn, its bytes let go as soon as
    they are read; with ``release_every``, the freed bytes go back to the
    system after every so many (``release_free_memory``), so the results,
    which grow as their bytes shrink, take the same memory again instead of
    adding to it."""
    for number, result in enumerate(stored):
        stored[number] = b""
        yield pickle.loads(result)
        if release_every and number % release_every == release_every - 1:
            release_free_memory()


def people_and_disagreements(
    documents: tuple[Document, ...] | DocumentsKept,
    quotes: tuple[Quote, ...],
    assignment: TopicAssignment,
    clues: NameClues,
    cache: Path | None,
    workers: int,
    prepared: list[bytes] | None = None,
    keys: list[str] | None = None,
) -> tuple[tuple[Entity, ...], tuple[Disagreement, ...], dict[str, float]]:
    """``find_people`` and then ``find_disagreements`` (which reads the
    people), with their caches, and the seconds each took: the stages that
    run beside the merge (``merge_site``). ``prepared``: each document's
    ``disagree.prepare``, pickled, if already made (else they are taken from
    the cache, or made, in up to ``workers`` processes); ``keys``: each
    document's ``article_key``, if made already. ``documents`` may be where
    they are kept (``DocumentsKept``: raises ``DocumentsNotKept`` if they
    are no longer there)."""
    if isinstance(documents, DocumentsKept):
        documents = documents.load()
    timings = Timings()
    with timings.stage("people"):
        names = MentionMemory.load(cache / PEOPLE_CACHE) if cache is not None else None
        people = find_people(documents, quotes, assignment, names, clues, keys)
        del names, clues
    release_free_memory()
    with timings.stage("disagree"):
        if prepared is None:
            prepared = cached_pickles(prepare_disagreements, documents, workers, cache, keys)
            release_free_memory()  # what shipping the documents to the workers took
        parallel = SupersetMemory.load(cache / DISAGREE_CACHE) if cache is not None else None
        disagreements = find_disagreements(
            documents, assignment, people, each_loaded(prepared, release_every=1000), parallel
        )
    release_free_memory()
    return people, disagreements, timings.seconds


def merge_site(
    documents: tuple[Document, ...],
    topics: tuple[Topic, ...],
    merge: MergeMethod = "lexical",
    timings: Timings | None = None,
    assignment: TopicAssignment | None = None,
    workers: int = 1,
    cache: Path | None = None,
    *,
    documents_kept: DocumentsKept | None = None,
) -> Site:
    """Run the stages after segmentation (the Pelican reader segments each file).

    ``merge`` is how paraphrases are found (``generator.merge``);
    ``assignment``, when given, is the topic assignment of exactly these
    documents and topics, already computed (by ``briefing build``'s check);
    ``workers`` is how many processes the per-article stages may use (the
    result is the same for any number); ``cache``, the build's cache
    folder, keeps their per-article results for the next build (None: not
    kept); ``documents_kept``, where the content check kept these
    documents (``DocumentCache.save``), for the second process to read them.
    """
    # People and disagreements read none of the merge's results: with two
    # cores they are found in a second process while this one merges.
    second_process = workers > 1 and len(documents) >= MIN_DOCUMENTS_ALONGSIDE
    with Alongside(people_and_disagreements, second_process=second_process) as later:
        if assignment is None:
            with stage(timings, "assign"):
                assignment = assign_topics(documents, topics)
        # Each article's content key, made once for every cache that asks for it.
        keys = [article_key(document) for document in documents] if cache is not None else None
        with stage(timings, "per-article"):
            quotes, dated, fingerprints, clues, features = per_article_findings(
                documents, workers, cache, keys
            )
        release_free_memory()  # the per-article results' bytes
        prepared = None
        if second_process:
            # Part on every core, before the second process starts, which has
            # one; that process makes the rest (``PREPARED_HERE``) and reads
            # these from the cache (or is sent them all, without a cache).
            with stage(timings, "disagree.prepare"):
                if cache is None:
                    prepared = cached_pickles(prepare_disagreements, documents, workers, cache, keys)
                elif keys is not None:
                    cache_share(
                        prepare_disagreements,
                        documents,
                        workers,
                        cache,
                        keys,
                        PREPARED_HERE,
                        leave=PREPARED_BESIDE_AT_LEAST,
                    )
            release_free_memory()  # what shipping the documents to the workers took
        rest = (quotes, assignment, clues, cache, 1 if second_process else workers, prepared, keys)
        with stage(timings, "people+disagree.start"):
            if second_process and documents_kept is not None:
                later.start(documents_kept, *rest)
            else:
                later.start(documents, *rest)
        del clues, prepared
        release_free_memory()  # what pickling them for the second process took
        with stage(timings, "merge"):
            memory = PairMemory.load(cache / MERGE_CACHE) if cache is not None else None
            statements = merge_statements(
                documents, assignment, quotes, merge, features, topical_only=True, memory=memory,
                article_keys=keys,
            )  # fmt: skip
            del features, memory
        release_free_memory()
        # Wire copies and briefings need no people or disagreements (these are
        # added to the briefings after): made while the second process may
        # still work (at 20,000 articles it ends after the merge).
        with stage(timings, "wire"):
            links = LinkMemory.load(cache / WIRE_CACHE) if cache is not None else None
            wire_copies = find_wire_copies(documents, fingerprints=fingerprints, memory=links)
            origins = origin_of(wire_copies)
        with stage(timings, "briefing"):
            articles = tuple(d.article for d in documents)
            kept = BriefingMemory.load(cache / BRIEFINGS_CACHE) if cache is not None else None
            keyed = None if keys is None else {a.slug: key for a, key in zip(articles, keys, strict=True)}
            briefings = build_briefings(
                topics, statements, articles, origins, dated, memory=kept, article_keys=keyed
            )
            statement_keys = kept.statement_keys if kept is not None else {}
            briefing_keys = kept.briefing_keys if kept is not None else {}
            del kept
        # Nor do the back-links, the heat map and the outlet pages, which read
        # only the briefings' statements (0.5-0.6 s at 5,000 articles): made
        # here too, so a second process still at work when the briefings are
        # made is waited for only after them.
        with stage(timings, "citations+outlets"):
            citations = cited_sentences(briefings)
            heat_map = coverage(briefings)
            outlets = build_outlets(documents, briefings)
        with stage(timings, "people+disagree.wait"):
            try:
                people, disagreements, seconds = later.result()
            except DocumentsNotKept:  # another build replaced the file: with the documents, here
                people, disagreements, seconds = people_and_disagreements(documents, *rest)
        del rest
    for name, spent in seconds.items():  # in the second process, beside the merge
        if timings is not None:
            timings.add(name, spent)
    return Site(
        documents=documents,
        topics=topics,
        briefings=with_people_and_disagreements(briefings, people, disagreements),
        assignment=assignment,
        quotes=quotes,
        citations=citations,
        coverage=heat_map,
        outlets=outlets,
        wire_copies=wire_copies,
        people=people,
        article_keys=keyed or {},
        statement_keys=statement_keys,
        briefing_keys=briefing_keys,
    )


def cited_sentences(briefings: Iterable[Briefing]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each sentence key any of ``briefings`` cites, in order, with the topic
    slug and statement id of each statement that cites it (``Site.citations``)."""
    citations: dict[str, list[tuple[str, str]]] = {}
    for briefing in briefings:
        slug = briefing.topic.slug
        for statement in briefing.statements:
            cited = (slug, statement.id)  # one pair for all its sources (120,000 at 5,000 articles)
            for source in statement.sources:
                citations.setdefault(source.key, []).append(cited)
    return {key: tuple(value) for key, value in sorted(citations.items())}
