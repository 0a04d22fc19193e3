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
  (a pronoun, "The …", "This …", "But …").

A sentence may belong to several topics. Rules come only from the topic
files and general patterns of English; nothing here knows a particular story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


@dataclass(frozen=True, slots=True)
class TopicMatcher:
    """A topic's rules compiled into regular expressions."""

    slug: str
    include: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None

    def excludes(self, text: str) -> bool:
        """Does ``text`` contain one of the topic's exclusions?"""
        return self.exclude is not None and self.exclude.search(_normalise(text)) is not None

    def matches(self, text: str) -> bool:
        if self.excludes(text):
            return False
        normalised = _normalise(text)
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
    return TopicMatcher(topic.slug, tuple(include), exclude)


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


def _normalise(text: str) -> str:
    """Curly apostrophes and odd hyphens as plain ones, so rules match either."""
    return text.replace("’", "'").replace("‘", "'").replace("‑", "-")


def cued_topics(text: str, matchers: Iterable[TopicMatcher]) -> frozenset[str]:
    """Topics whose rules match ``text`` itself."""
    return frozenset(m.slug for m in matchers if m.matches(text))


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


def assign_topics(documents: Iterable[Document], topics: Iterable[Topic]) -> TopicAssignment:
    """The topics of every sentence of every document."""
    matchers = [compile_topic(t) for t in topics]
    assigned: dict[str, frozenset[str]] = {}
    cued: dict[str, frozenset[str]] = {}
    for document in documents:
        for sentence, own, final in _assign_document(document.sentences, matchers):
            cued[sentence.key] = own
            assigned[sentence.key] = final
    return TopicAssignment(topics=assigned, cued=cued)


def _assign_document(
    sentences: Iterable[Sentence], matchers: list[TopicMatcher]
) -> Iterable[tuple[Sentence, frozenset[str], frozenset[str]]]:
    section: frozenset[str] = frozenset()
    previous: Sentence | None = None
    previous_topics: frozenset[str] = frozenset()
    for sentence in sentences:
        own = cued_topics(sentence.text, matchers)
        if sentence.is_heading:
            # A heading that opens the article restates the headline: it is
            # about the whole story, not the subject of one section.
            section = own if sentence.block > 0 else frozenset()
            previous, previous_topics = None, frozenset()
            yield sentence, own, own
            continue
        topics: frozenset[str] = own | section
        if (
            not own
            and previous is not None
            and (previous.block == sentence.block or refers_back(sentence.text, previous.text))
        ):
            topics |= previous_topics
        vetoed = {m.slug for m in matchers if m.slug in topics and m.excludes(sentence.text)}
        topics -= vetoed
        yield sentence, own, topics
        previous, previous_topics = sentence, topics
