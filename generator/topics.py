"""Stage 2: assign sentences to topics, from the topic rules plus context.

A sentence is *cued* for a topic when its own words match the topic's rules
(``names`` case-sensitively, ``aliases`` and ``keywords`` in any case; a
keyword also matches its plural, and a trailing ``*`` matches any ending),
unless it contains one of the topic's ``exclude`` phrases.

News prose refers back far more often than it repeats names ("The group has
been accused of…"), so a sentence also takes topics from its context:

* a subheading sets the subject of the section under it: every sentence of
  the section belongs to the heading's topics (a heading that opens the
  article is its headline, not a section);
* a sentence with no cue of its own follows the sentence before it when both
  stand in one paragraph, or when it opens with a word that refers back
  (a pronoun, "The …", "This …", "But …");
* but a newsroom's note about the article itself ("This article was
  updated on…", "Correction: …", "An earlier version of this story…",
  ``EDITORIAL_NOTE``) takes no topic from its context: its "This" points to
  the article, not to the subject before it, and a briefing would show it as
  a statement of that subject. Only its own cues count.

A sentence may belong to several topics. Rules come only from the topic
files and general patterns of English; nothing here knows a particular story.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.model import Document, Sentence, Topic, TopicAssignment

REFERRING_OPENERS = frozenset(
    "he she it they his her its their this that these those such both the "
    "there but and also however yet meanwhile".split()
)
"""First words that point back to what came before."""

_LEADING_MARKS = "\"'“‘«([ "
QUOTE_MARKS = '"“”«»'
PRONOUN_ATTRIBUTION = re.compile(
    r"\b(?:he|she|they)\s+(?:said|says|added|told|noted|insisted|warned)\b", re.I
)
EDITORIAL_NOTE = re.compile(
    r"""[\W_]*(?:
        (?:editor['’]?s\s+note|correction|clarification|update)\s*:
      | (?:this|the)\s+(?:article|story)\s+(?:was|has\s+been|had\s+been|is\s+being)\s+
        (?:updated|corrected|amended|revised|edited|changed)\b
      | an?\s+(?:earlier|previous)\s+version\s+of\s+this\s+(?:article|story)\b
    )""",
    re.I | re.X,
)
"""The opening of a newsroom's note about the article itself, not its subject."""


@dataclass(frozen=True, slots=True)
class TopicMatcher:
    """A topic's rules compiled into regular expressions."""

    slug: str
    include: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None
    keys: frozenset[tuple[str, bool]] | None = None
    """What any match must start with, for the ``TopicIndex``: a phrase's
    first word in lower case, and whether it is the whole word (False: only
    its start, as in a plural or a ``*`` ending); None when that cannot be
    said (a phrase opening with a mark or a non-ASCII letter)."""

    def excludes(self, text: str) -> bool:
        """Does ``text`` contain one of the topic's exclusions?"""
        return self._excludes(_normalise(text))

    def matches(self, text: str) -> bool:
        return self._matches(_normalise(text))

    def _excludes(self, normalised: str) -> bool:
        return self.exclude is not None and self.exclude.search(normalised) is not None

    def _matches(self, normalised: str) -> bool:
        if self._excludes(normalised):
            return False
        return any(pattern.search(normalised) for pattern in self.include)


def compile_topic(topic: Topic) -> TopicMatcher:
    """Compile ``topic``'s rules."""
    include: list[re.Pattern[str]] = []
    if topic.names:
        include.append(re.compile(_alternation(topic.names, plural=False)))
    if topic.aliases:
        include.append(re.compile(_alternation(topic.aliases, plural=False), re.IGNORECASE))
    if topic.keywords:
        include.append(re.compile(_alternation(topic.keywords, plural=True), re.IGNORECASE))
    exclude = re.compile(_alternation(topic.exclude, plural=False), re.IGNORECASE) if topic.exclude else None
    keys = [_key(p, plural=False) for p in (*topic.names, *topic.aliases)]
    keys += [_key(p, plural=True) for p in topic.keywords]
    known = None if None in keys else frozenset(k for k in keys if k is not None)
    return TopicMatcher(topic.slug, tuple(include), exclude, known)


def _alternation(phrases: Iterable[str], *, plural: bool) -> str:
    parts = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        wildcard = phrase.endswith("*")
        words = _normalise(phrase.rstrip("*")).split()
        body = r"\s+".join(re.escape(word) for word in words)
        if wildcard:
            body += r"\w*"
        elif plural and body.endswith("y"):
            body = body[:-1] + r"(?:y|ies)"
        elif plural:
            body += r"(?:s|es)?"
        parts.append(body)
    return r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)"


_WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")


def _key(phrase: str, *, plural: bool) -> tuple[str, bool] | None:
    """The start every match of ``phrase`` (as ``_alternation`` compiles it)
    must have: the word a match opens with, lower case, and whether the
    text's word must equal it (True) or only begin with it (False)."""
    wildcard = phrase.endswith("*")
    words = _normalise(phrase.rstrip("*")).split()
    if not words:
        return None
    first = _ASCII_WORD.match(words[0])
    if first is None or _NON_ASCII_WORD.search(words[0]):
        return None  # opens with a mark or a letter whose case rules differ
    stem = first.group(0)
    if stem != words[0] or len(words) > 1:
        return stem.lower(), True  # followed by a mark or a space: the word ends there
    if wildcard or plural:
        stem = stem[:-1] if plural and not wildcard and stem.endswith("y") else stem
        return (stem.lower(), False) if stem else None
    return stem.lower(), True


@dataclass(frozen=True, slots=True)
class TopicIndex:
    """Every topic's rules in one lookup, so a sentence is scanned once.

    A sentence's words (lower case) are looked up in ``whole`` and, by their
    beginnings, in ``starts``; only the topics found there (and those in
    ``always``) can match, and only their own expressions are then run. The
    index never decides a match, it only rules topics out, so the result is
    exactly that of running every topic's rules."""

    matchers: tuple[TopicMatcher, ...]
    whole: dict[str, tuple[int, ...]]
    """Word → matchers (by position) with a phrase opening with that word."""
    starts: dict[str, tuple[int, ...]]
    """Word beginning → matchers with a phrase whose first word may go on."""
    always: tuple[int, ...]
    """Matchers whose phrases have no usable key: always tried."""
    lengths: tuple[int, ...]
    """The lengths of the keys in ``starts``, shortest first."""

    def cued(self, text: str) -> frozenset[str]:
        """Topics whose rules match ``text``, as ``cued_topics``."""
        normalised = _normalise(text)
        if _NON_ASCII_WORD.search(normalised):
            candidates: Iterable[int] = range(len(self.matchers))
        else:
            found = set(self.always)
            for word in {w.lower() for w in _WORD.findall(normalised)}:
                if hit := self.whole.get(word):
                    found.update(hit)
                for length in self.lengths:
                    if length > len(word):
                        break
                    if hit := self.starts.get(word[:length]):
                        found.update(hit)
            candidates = sorted(found)
        return frozenset(self.matchers[i].slug for i in candidates if self.matchers[i]._matches(normalised))


def build_index(matchers: Iterable[TopicMatcher]) -> TopicIndex:
    """One ``TopicIndex`` over ``matchers``."""
    ordered = tuple(matchers)
    whole: dict[str, list[int]] = {}
    starts: dict[str, list[int]] = {}
    always: list[int] = []
    for position, matcher in enumerate(ordered):
        if matcher.keys is None:
            always.append(position)
            continue
        for word, exact in sorted(matcher.keys):
            (whole if exact else starts).setdefault(word, []).append(position)
    return TopicIndex(
        ordered,
        {word: tuple(found) for word, found in whole.items()},
        {word: tuple(found) for word, found in starts.items()},
        tuple(always),
        tuple(sorted({len(word) for word in starts})),
    )


def _normalise(text: str) -> str:
    """Curly apostrophes and odd hyphens as plain ones, so rules match either."""
    return text.replace("’", "'").replace("‘", "'").replace("‑", "-")


def cued_topics(text: str, matchers: Iterable[TopicMatcher]) -> frozenset[str]:
    """Topics whose rules match ``text`` itself."""
    normalised = _normalise(text)
    return frozenset(m.slug for m in matchers if m._matches(normalised))


def refers_back(text: str, previous: str) -> bool:
    """Does the sentence point to what came before?

    It does when it opens with a referring word ("The group…", "It…"), when
    it attributes speech to a pronoun ("…," he said), or when it opens a
    quotation right after another quotation (the same speaker going on).
    """
    first = re.match(r"[\w']+", text.lstrip(_LEADING_MARKS))
    if first is not None and first.group(0).lower() in REFERRING_OPENERS:
        return True
    if PRONOUN_ATTRIBUTION.search(text):
        return True
    return text[:1] in QUOTE_MARKS and any(mark in previous for mark in QUOTE_MARKS)


DocumentTopics = tuple[tuple[int, frozenset[str], frozenset[str]], ...]
"""One document's share of a ``TopicAssignment``: for each of its sentences
with a topic, its index, the topics it names and the topics it gets."""


def assign_topics(
    documents: Iterable[Document],
    topics: Iterable[Topic],
    known: Sequence[DocumentTopics | None] = (),
) -> TopicAssignment:
    """The topics of every sentence of every document.

    ``known``: each document's share where it is already known (the last
    build's, for the same document and the same topic rules:
    ``article_cache.DocumentCache``), in the order of ``documents``; a
    document with None, or past its end, is assigned here."""
    index = index_of(tuple(topics))
    assigned: dict[str, frozenset[str]] = {}
    cued: dict[str, frozenset[str]] = {}
    # The maps last the whole build: a sentence without a topic is left out
    # (in a news archive, about two in five), the others share one copy of
    # each topic set (most have one of a few) and of their key.
    copies: dict[frozenset[str], frozenset[str]] = {}
    for number, document in enumerate(documents):
        share = known[number] if number < len(known) else None
        if share is None:
            share = document_topics(document, index)
        for position, own, final in share:
            key = document.sentences[position].key
            if own:
                cued[key] = copies.setdefault(own, own)
            if final:
                assigned[key] = copies.setdefault(final, final)
    return TopicAssignment(topics=assigned, cued=cued)


@functools.lru_cache(maxsize=2)
def index_of(topics: tuple[Topic, ...]) -> TopicIndex:
    """The index of ``topics``' rules, made once per process for the same
    topics: a worker process assigns the topics of many articles, and the
    content check and the merge assign them again in one build."""
    return build_index(compile_topic(t) for t in topics)


def document_topics(document: Document, index: TopicIndex) -> DocumentTopics:
    """``document``'s share of the assignment by the topics of ``index``."""
    return tuple(
        (sentence.index, own, final)
        for sentence, own, final in _assign_document(document.sentences, index)
        if own or final
    )


def share_of(document: Document, assignment: TopicAssignment) -> DocumentTopics:
    """``document``'s share of ``assignment``, as ``document_topics`` gives it."""
    return tuple(
        (sentence.index, assignment.cued.get(key, _NONE), assignment.topics.get(key, _NONE))
        for sentence in document.sentences
        if (key := sentence.key) in assignment.cued or key in assignment.topics
    )


_NONE: frozenset[str] = frozenset()


def rules_of(topics: Iterable[Topic]) -> tuple[object, ...]:
    """All of the topics that an assignment depends on: their slugs and rules."""
    return tuple((t.slug, t.names, t.aliases, t.keywords, t.exclude) for t in topics)


def _assign_document(
    sentences: Iterable[Sentence], index: TopicIndex
) -> Iterable[tuple[Sentence, frozenset[str], frozenset[str]]]:
    by_slug: dict[str, list[TopicMatcher]] = {}
    for matcher in index.matchers:
        by_slug.setdefault(matcher.slug, []).append(matcher)
    section: frozenset[str] = frozenset()
    previous: Sentence | None = None
    previous_topics: frozenset[str] = frozenset()
    for sentence in sentences:
        own = index.cued(sentence.text)
        if sentence.is_heading:
            # A heading that opens the article restates the headline: it is
            # about the whole story, not the subject of one section.
            section = own if sentence.block > 0 else frozenset()
            previous, previous_topics = None, frozenset()
            yield sentence, own, own
            continue
        note = EDITORIAL_NOTE.match(sentence.text) is not None
        topics: frozenset[str] = own if note else own | section
        if (
            not own
            and not note
            and previous is not None
            and (previous.block == sentence.block or refers_back(sentence.text, previous.text))
        ):
            topics |= previous_topics
        if topics:
            normalised = _normalise(sentence.text)
            vetoed = {slug for slug in topics if any(m._excludes(normalised) for m in by_slug.get(slug, ()))}
            topics -= vetoed
        yield sentence, own, topics
        previous, previous_topics = sentence, topics


@dataclass(frozen=True, slots=True)
class KnownAssignment:
    """An assignment with what it was computed from: every sentence, in
    order, and every topic's rules. A later pass over the same sentences and
    rules (the Pelican run after ``briefing build``'s content check) reuses
    it instead of assigning again; any difference and it is not used."""

    inputs: tuple[object, ...]
    assignment: TopicAssignment

    def reuse(self, documents: Iterable[Document], topics: Iterable[Topic]) -> TopicAssignment | None:
        """The assignment, if ``documents`` and ``topics`` are what it was made from."""
        return self.assignment if self.inputs == _inputs(documents, topics) else None


def remember(
    documents: Iterable[Document], topics: Iterable[Topic], assignment: TopicAssignment
) -> KnownAssignment:
    """``assignment`` with its inputs, for ``KnownAssignment.reuse``."""
    return KnownAssignment(_inputs(documents, topics), assignment)


def _inputs(documents: Iterable[Document], topics: Iterable[Topic]) -> tuple[object, ...]:
    """All an assignment depends on (not file paths or other metadata)."""
    return (tuple(document.sentences for document in documents), rules_of(topics))
