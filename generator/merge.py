"""Stage 4: merge sentences that report the same thing into statements.

Two sentences from different articles report the same thing when one is
(nearly) contained in the other:

* **quotes** are compared on their quoted words only, so ``"Two coups…," he
  said`` and ``…, saying "two coups…"`` match whatever surrounds them, and
  differences of case, punctuation and straight/curly marks do not count;
  provided they give the same figures and name no one new (a spokesman's
  formula said of two places is two quotes), and that their speakers, where
  both are known, share a name (the same words from two people are two
  statements);
* a quote and a sentence without quote marks match only when the sentence
  carries the quoted words and names, so a quote is never credited to an
  outlet that did not print it;
* **facts** are compared on their content words: the share of the shorter
  sentence's words that the longer one also has (the overlap coefficient),
  provided they give the same figures and name mostly the same actors
  (``names_in``: "Acme cut 300 jobs" is not "Globex cut 300 jobs"), and do
  not each name something the other does not print ("visited Lohul" is not
  "visited Zaiteajios on Wednesday": ``names_apart``);

Containment, not plain similarity, is the test because a statement is shown
with the words of one source and credited to all: each source must say at
least that much. The shown text is a source whose figures all the others
give, and of those the one best contained in the others.

**Paraphrases** (the same fact in other words) merge in a second, stricter
tier, tried only where containment fails and only for sentences that share a
topic, carry the same figures, name the same actors and are not both
quotes, nor much the same words told of other names (``NAMES_APART_SHARE``).
How alike they must be depends on the *method*:

* ``"lexical"`` (the default, no model): the share of the shorter sentence's
  word stems (Snowball's English stemmer, so "deployed"/"deployment" and
  "withdrawing"/"withdrawal" meet) that the other also has, with a floor on
  the number of shared stems;
* ``"semantic"`` (the optional ``[semantic]`` extra): the cosine of two
  sentence embeddings (see ``generator/embeddings.py``).

A paraphrase never credits a quote to an outlet that did not print it: two
different quotations never merge as paraphrases, and a quote that merges
with a sentence in reported speech makes a *fact* statement shown in the
reporter's words, which every source reports (only a quote that one outlet
alone printed: a quote printed by several stays a quote). The quotation
also stays a quote statement of its own, credited to the outlet that printed
it, so the briefing's quotes section still lists it.

Clustering is greedy over candidate pairs, best first, and *complete*: two
groups join only if every pair across them is similar, so a chain of
loosely similar sentences never drags unrelated ones together, and a group
never holds two sentences of one article. Candidate pairs come from *prefix
filtering*, exact for each overlap threshold: two sets whose overlap reaches
``k`` shared features must share one of the ``n - k + 1`` rarest features of
the smaller (``n`` features), so only those are looked up in an inverted
index. Every pair that can score above zero is found, each tier (facts on
content words, quotes on word pairs, lexical paraphrases on stems within a
topic) by its own filter; a sentence made of rare words looks up only a few
short postings, so the work grows with the number of similar pairs rather
than with the square of the number of sentences; a feature standing in more
than ``POSTING_CAP`` sentences is not looked up (a pair whose prefix holds
only such words is missed), so sentences made of everyday words do not bring
the square back. Pairs are scored as they
are found and only those above zero are kept, as integers. The semantic
method has no exact filter for cosines: it compares embeddings of sentences
that share a topic and a stem standing in at most ``SEMANTIC_POSTING_CAP`` of
that topic's sentences.

**Between builds** (lexical method), the pairs each probing sentence found
are kept (``PairMemory``, by each sentence's fingerprint), and a sentence
takes its partners over when nothing its prefix filter reads has changed
(``_reusable``): after an edit, only the sentences the edit can reach search
again, and the pairs are those a search from nothing finds (tested).
Likewise the quotes' word pairs each sentence without quote marks has
(``quote_pairs_in_plain``): while the quotes are the same, only the
sentences that changed are read again. The search notes which sentences'
pairs may have changed (``_Scored.touched``: those that searched again,
their partners before and after, the partners of those gone, and both
sentences of a quote candidate that came or went).
Clustering reads only each component of the pairs (sentences linked by a
chain of pairs), so a component with none of them is one of the previous
merge, and takes its clusters over without being read (``_cluster``); the
statements are made anew.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import logging
import marshal
import math
import operator
import re
import struct
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import (
    Callable,
    Collection,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    MutableSequence,
    Sequence,
)
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import snowballstemmer

from generator.errors import ConfigError
from generator.files import load_pickle, save_pickle, write_atomically
from generator.memory import release_free_memory
from generator.model import (
    FIELD_SEPARATOR,
    NO_VALUE,
    Citation,
    Document,
    Quote,
    Sentence,
    Statement,
    StatementKind,
    TopicAssignment,
)

log = logging.getLogger(__name__)

MergeMethod = Literal["lexical", "semantic"]
MERGE_METHODS: tuple[MergeMethod, ...] = ("lexical", "semantic")

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto over under about after
    before than then that this these those there their its it is are was were be been being has have
    had do does did will would shall should can could may might must not no so such he she they we i
    you his her him them our us your who whom which what when where while also very just only even
    said says say told added according""".split()
)

QUOTE_THRESHOLD = 0.75
"""Share of the shorter quote's word pairs that the other quote must contain."""
FACT_THRESHOLD = 0.75
"""Share of the shorter sentence's content words the other must contain."""
MIN_WORDS = 4
"""Sentences (or quotes) with fewer content words merge only when identical."""
COMMON_WORD_SHARE = 0.2
"""Before prefix filtering, words in more than this share of sentences were not
used to find candidates (kept for the benchmark's upper bound of that scheme)."""
POSTING_CAP = 100
"""Index keys (features) found in more sentences than this are not looked up.

Prefix filtering is exact, but a sentence whose prefix holds only words that
a running story repeats in hundreds of sentences would still be compared
with all of them: the work would grow with the square of the archive. With
this fixed cap a similar pair is missed only when *every* prefix feature of
the smaller sentence is that common; archives of up to about 300 sentences a
topic lose nothing."""
SEMANTIC_POSTING_CAP = 200
"""Semantic paraphrase candidates share a topic and a stem found in at most this
many of the topic's sentences (a fixed cap, so the work stays linear)."""
LEXICAL_PARAPHRASE_THRESHOLD = 0.5
"""Share of the shorter sentence's stems the other must have to be a paraphrase."""
LEXICAL_PARAPHRASE_MIN_SHARED = 6
"""Stems two paraphrases must share at least: a few common words are not a fact."""
SEMANTIC_PARAPHRASE_THRESHOLD = 0.7
"""Cosine of the two sentence embeddings above which they are a paraphrase."""
PARAPHRASE_MIN_WORDS = 6
"""Sentences with fewer content words merge only by containment."""
NAME_OVERLAP = 0.6
"""Share of the fewer names two fact sentences must share (see ``names_in``)."""
NAMES_APART_SHARE = 0.6
"""Share of the shorter sentence's content words two paraphrases must share
for names that each prints alone to make them two facts ("Governor Kriocior
visited Daiseni on Friday" / "Kriocior, the Governor, travelled to Groulo on
Friday"): wordings further apart name one fact in their own ways (the
seeds' "Britain announced Monday that it would cut short its troop
deployment" / "Following in the footsteps of its European partners, Britain
too has cut short its troop deployment": 53 %)."""
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "prof"})
"""Courtesy titles: "Mr Heappey" names no one "Heappey" does not."""
MIN_NAME_FORM = 4
"""Letters of the shortest name taken as the start of another form of it."""
PARAPHRASE_WEIGHT = 0.5
"""Paraphrase scores are scaled below every containment score, so clustering,
best pair first, settles the verbatim groups before it tries paraphrases."""


_F = TypeVar("_F", bound=Hashable)


@dataclass(slots=True)
class SentenceFeatures:
    """What the merge compares of one sentence: a function of the sentence and
    its direct quote alone, so computed one article at a time
    (``features_of``), on every core, and kept between builds.

    The features of every sentence of the archive are alive together, at
    the build's peak of memory, so they are kept small:

    * every field is a sorted tuple (``Words``, ``Pairs``), not a set: a
      set of a dozen strings takes four times the memory of a tuple, and a
      set of one figure 216 bytes. The comparisons make a set of one side
      where they intersect (``overlap``), once per probing sentence in the
      candidate search (``_probe``), and test figures by binary search
      (``_within``);
    * a sentence's own word pairs are not kept at all: only quotes are
      compared on them, rarely;
    * every word is interned where it is made (``words_of``, ``numbers_in``
      and the like), so it is stored once per process rather than once per
      sentence; the features travel from the worker processes and the
      cache as ``FeatureColumns`` in ``marshal``'s format, which notes which
      strings were interned and interns them again as it reads them
      (``pipeline.ArticleFindings``).

    Not frozen (nor is ``_Item``), though nothing changes one once made: a
    frozen dataclass sets each field through ``object.__setattr__``, and
    the features and items of every sentence are made again each build
    (187,000 of each at 5,000 articles). Measured on Python 3.11: 1.9 µs to
    make a frozen dataclass of 13 fields, 0.2 µs a plain one.
    """

    words: Words
    numbers: Words
    quote_pairs: Pairs
    quote_numbers: Words
    quote_names: Words
    stems: Words
    names: Words
    opener: str
    plain: Words
    runs: tuple[tuple[str, ...], ...]


Words = tuple[str, ...]
"""Distinct words in sorted order: a set's content, at a tuple's size (a
small frozenset takes 216 bytes, a tuple 40 plus 8 a word; the build keeps
several per sentence)."""

Pairs = tuple[tuple[str, str], ...]
"""Distinct word pairs in sorted order, as ``Words``."""


FeatureRow = tuple[Words, Words, Pairs, Words, Words, Words, Words, str, Words, tuple[tuple[str, ...], ...]]
"""A ``SentenceFeatures``'s fields as one plain tuple, in their order."""

FeatureColumns = tuple[tuple[Any, ...], ...]
"""One article's features as plain tuples, one per field of
``SentenceFeatures`` (in their order), each holding that field of every
compared sentence (``feature_columns``): what ``marshal`` writes and reads,
at a tenth of the time ``pickle`` took over the same features, as it
interns each word in C. Columns rather than a tuple per sentence: each
sentence's tuple would be let go as its ``_Item`` is made, and those tuples,
of the size of the words' tuples beside them, left 25 MB of memory that the
items could not take up (measured at 5,000 articles)."""

ArticleFeatures = Sequence[SentenceFeatures] | FeatureColumns
"""One article's features: as made (``features_of``), or as they travel."""

_FEATURE_FIELDS = operator.attrgetter(*SentenceFeatures.__slots__)


def feature_columns(features: Sequence[SentenceFeatures]) -> FeatureColumns:
    """``features`` (one article's) as ``FeatureColumns``."""
    return tuple(zip(*map(_FEATURE_FIELDS, features), strict=True))


def _rows(features: ArticleFeatures) -> Iterable[FeatureRow]:
    """One article's features, as made or as columns, sentence by sentence."""
    if features and isinstance(features[0], SentenceFeatures):
        return map(_FEATURE_FIELDS, features)
    rows: Iterable[FeatureRow] = zip(*features, strict=True)
    return rows


@dataclass(slots=True)
class _Item(SentenceFeatures):
    """A sentence prepared for comparison: its features (inherited, so the
    comparisons read them as plain attributes), and the sentence itself, its
    direct quote and its topics."""

    sentence: Sentence
    document: Document
    quote: Quote | None
    topics: frozenset[str]
    vector: tuple[float, ...] = ()


def _item(
    sentence: Sentence, document: Document, row: FeatureRow, quote: Quote | None, topics: frozenset[str]
) -> _Item:
    return _Item(*row, sentence, document, quote, topics)


def words_of(text: str) -> list[str]:
    """Lowercased words, with quote marks and apostrophes folded."""
    # Interned: a word is then stored once, not once in every sentence's sets.
    return list(map(sys.intern, _spelled_words(text)))


def _spelled_words(text: str) -> list[str]:
    """``words_of``, not interned: for words that are compared, not kept."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return [word.removesuffix("'s") for word in _WORD.findall(text)]


_WORD = re.compile(r"[\w']+")


def content_words(text: str) -> frozenset[str]:
    """Words that carry meaning, lightly stemmed (plural -s dropped)."""
    return _content(words_of(text))


def _content(words: Iterable[str]) -> frozenset[str]:
    """``content_words`` of a sentence whose ``words_of`` are ``words``."""
    result = set()
    for word in words:
        if word in STOPWORDS or len(word) < 2:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = sys.intern(word[:-1])
        result.add(word)
    return frozenset(result)


@functools.cache
def english_stemmer() -> Callable[[str], str]:
    """Snowball's English stemmer, remembering the words it has seen (news
    repeats them); one per process, since ``features_of`` runs per article
    and stemming is a pure function of the word."""
    return functools.lru_cache(maxsize=None)(snowballstemmer.stemmer("english").stemWord)


def stems_of(text: str, stem: Callable[[str], str] | None = None) -> frozenset[str]:
    """Snowball stems of the content words, figures left out (they are compared apart)."""
    return _stems(words_of(text), stem or english_stemmer())


def _stems(words: Iterable[str], stem: Callable[[str], str]) -> frozenset[str]:
    """``stems_of`` a sentence whose ``words_of`` are ``words``."""
    return frozenset(
        sys.intern(stem(w)) for w in words if w not in STOPWORDS and len(w) > 1 and not w[0].isdigit()
    )


def names_in(text: str) -> frozenset[str]:
    """Capitalised words, lowercased: the people, places and bodies named.

    Two fact sentences name the same actors when most of the fewer names are
    shared: "Acme cut 300 jobs" and "Globex cut 300 jobs" are different news.
    The first word counts too (news sentences open with their actor), unless
    the other sentence writes it in lower case ("Turnout was…" against "…
    estimated turnout"): see ``_same_actors``.
    """
    return _names(_tokens(text))


def _tokens(text: str) -> list[str]:
    """The words of ``text`` as printed (apostrophes folded), for the name tests."""
    return re.findall(r"[\w']+", text.replace("’", "'"))


def _names(tokens: Iterable[str]) -> frozenset[str]:
    """``names_in`` a sentence whose ``_tokens`` are ``tokens``."""
    return frozenset(
        sys.intern(w.lower().removesuffix("'s"))
        for w in tokens
        if w[0].isupper() and w.lower().split("'")[0] not in STOPWORDS  # not "The", "We've"
    )


def _runs(tokens: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Runs of two or more capitalised words ("European Union") of a sentence
    whose ``_tokens`` are ``tokens``, lowercased, for acronyms."""
    runs: list[tuple[str, ...]] = []
    current: list[str] = []
    for word in [*tokens, ""]:
        if word[:1].isupper() and word.lower() not in STOPWORDS:
            current.append(sys.intern(word.lower().removesuffix("'s")))
            continue
        if len(current) >= 2:
            runs.append(tuple(current))
        current = []
    return tuple(runs)


def _fold_acronyms(
    names: frozenset[str], runs: tuple[tuple[str, ...], ...], other: frozenset[str]
) -> frozenset[str]:
    """Write a run of names as its acronym where the other sentence uses it ("EU")."""
    for run in runs:
        acronym = "".join(word[0] for word in run)
        if acronym in other and acronym not in names:
            names = (names - set(run)) | {acronym}
    return names


def _lowercase(tokens: Iterable[str]) -> frozenset[str]:
    """The words a sentence whose ``_tokens`` are ``tokens`` writes in lower
    case: ordinary words, not names."""
    return frozenset(sys.intern(w.removesuffix("'s")) for w in tokens if w[:1].islower())


def _same_actors(a: _Item, b: _Item) -> bool:
    """Most of the fewer names are shared (or one sentence names no one).

    A run of names counts as one when the other sentence uses its acronym:
    "the European Union" and "the EU" name the same body.
    """
    names_a = frozenset(a.names).difference((a.opener,) if holds(b.plain, a.opener) else ())
    names_b = frozenset(b.names).difference((b.opener,) if holds(a.plain, b.opener) else ())
    # Both folded against the other's unfolded names, so the test is symmetric.
    names_a, names_b = _fold_acronyms(names_a, a.runs, names_b), _fold_acronyms(names_b, b.runs, names_a)
    return not names_a or not names_b or overlap(names_a, names_b) >= NAME_OVERLAP


class Named(Protocol):
    """What ``names_apart`` reads of a sentence: its names, its words in lower
    case, its first word and its runs of names (as ``named_text`` reads them)."""

    @property
    def names(self) -> Words: ...
    @property
    def plain(self) -> Words: ...
    @property
    def opener(self) -> str: ...
    @property
    def runs(self) -> tuple[tuple[str, ...], ...]: ...


@dataclass(frozen=True, slots=True)
class NamedText:
    """A text's figures and names, as the merge reads a sentence's (a ``Named``)."""

    numbers: Words
    names: Words
    plain: Words
    opener: str
    runs: tuple[tuple[str, ...], ...]


def named_text(text: str) -> NamedText:
    """The figures and names of ``text``, split into words once, as
    ``_sentence_features`` reads them: for another stage to compare two
    texts by ``same_figures`` and ``names_apart``."""
    tokens = _tokens(text)
    return NamedText(
        numbers=sorted_words(numbers_in(text)),
        names=sorted_words(_names(tokens)),
        plain=sorted_words(_lowercase(tokens)),
        opener=next(iter(words_of(text)), ""),
        runs=_runs(tokens),
    )


def names_apart(a: Named, b: Named) -> bool:
    """Whether each sentence names something the other does not print at all
    (its first word aside). Two sentences with the same words but for their
    names are one wording told of two things: "Sana Hodo visited Lohul" and
    "Sana Hodo visited Zaiteajios on Wednesday" are two visits, neither
    contained in the other nor a paraphrase of it.

    Only for sentences that share most of their words: outlets that tell
    one fact in their own words name it in their own ways ("Britain" and
    "the UK"), which ``_same_actors`` allows for. A run of names counts as
    one where the other sentence uses its acronym, as there."""
    names_a = _fold_acronyms(frozenset(a.names), a.runs, frozenset(b.names))
    names_b = _fold_acronyms(frozenset(b.names), b.runs, frozenset(a.names))
    return _names_unprinted(names_a, a.opener, b) and _names_unprinted(names_b, b.opener, a)


def _names_unprinted(names: Iterable[str], opener: str, b: Named) -> bool:
    """Whether any of ``names`` (but the first word, ``opener``, or a courtesy
    title) is one that ``b`` does not print, in any case or form ("Mali",
    "Malian")."""
    return any(name != opener and name not in HONORIFICS and not _printed(name, b) for name in names)


def _prints(b: Named, name: str) -> bool:
    """Whether ``b`` prints ``name`` (lower-cased), as a name or in lower case."""
    return holds(b.names, name) or holds(b.plain, name)


def _printed(name: str, b: Named) -> bool:
    """Whether ``b`` prints ``name``, or a name it is the start of or that
    starts it ("Mali" and "Malian": one country)."""
    if _prints(b, name):
        return True
    if len(name) >= MIN_NAME_FORM:
        at = bisect.bisect_left(b.names, name)
        if at < len(b.names) and b.names[at].startswith(name):
            return True
    return any(name.startswith(other) for other in b.names if len(other) >= MIN_NAME_FORM)


def holds(words: Words, word: str) -> bool:
    """Whether the sorted ``words`` hold ``word`` (a binary search)."""
    at = bisect.bisect_left(words, word)
    return at < len(words) and words[at] == word


def sorted_words(words: Iterable[str]) -> Words:
    """``words`` as ``Words``: distinct, sorted."""
    return tuple(sorted(set(words)))


def _within(part: Words, whole: Words) -> bool:
    """Whether ``whole`` holds every word of ``part`` (a subset test on ``Words``)."""
    return all(holds(whole, word) for word in part)


def word_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Adjacent word pairs, for order-aware comparison of quotes."""
    words = words_of(text)
    return frozenset(pairwise(words))


def numbers_in(text: str) -> frozenset[str]:
    """The figures in ``text``, thousands separators dropped: "1,200" → "1200"."""
    return frozenset(sys.intern(n.replace(",", "").rstrip(".")) for n in re.findall(r"\d[\d,.]*", text))


def same_figures(a: Words, a_size: int, b: Words, b_size: int) -> bool:
    """Every figure of the shorter text stands in the longer one too.

    Two outlets that report a flood with 12 and with 40 dead do not report the
    same thing, however alike the rest of the sentence is.
    """
    if a_size == b_size:
        return a == b  # neither is the shorter: the same test either way round
    shorter, longer = (a, b) if a_size < b_size else (b, a)
    return _within(shorter, longer)


def overlap(a: Collection[Hashable], b: Collection[Hashable]) -> float:
    """Overlap coefficient |a ∩ b| / min(|a|, |b|), in [0, 1]; 0 when either is empty.

    ``a`` and ``b`` are sets, or ``Words`` (distinct words, so their lengths
    are the sizes of their sets)."""
    if not a or not b:
        return 0.0
    return _shared(a, b) / min(len(a), len(b))


def _shared(a: Collection[Hashable], b: Collection[Hashable]) -> int:
    """|a ∩ b| for sets or ``Words``: one set made of ``a`` unless it is one."""
    own = a if isinstance(a, (set, frozenset)) else frozenset(a)
    return len(own.intersection(b))


def similarity(a: _Item, b: _Item, method: MergeMethod = "lexical") -> float:
    """How alike ``a`` and ``b`` are, 0.0 (not the same) to 1.0.

    Containment scores lie in [``QUOTE_THRESHOLD``, 1]; paraphrase scores,
    scaled by ``PARAPHRASE_WEIGHT``, below them.
    """
    contained = containment(a, b)
    if contained > 0:
        return contained
    return PARAPHRASE_WEIGHT * paraphrase(a, b, method)


def paraphrase(a: _Item, b: _Item, method: MergeMethod = "lexical") -> float:
    """How surely ``a`` and ``b`` report the same fact in different words; 0.0 when they do not."""
    if a.quote is not None and b.quote is not None:
        return 0.0  # two quotations are the same only word for word
    if a.topics.isdisjoint(b.topics) or min(len(a.stems), len(b.stems)) < PARAPHRASE_MIN_WORDS:
        return 0.0
    # The score first: most pairs fail it, and it is cheaper than the actors' test.
    score = _semantic(a, b) if method == "semantic" else _lexical(a, b)
    if not score or not _same_actors(a, b):
        return 0.0
    if overlap(a.words, b.words) >= NAMES_APART_SHARE and names_apart(a, b):
        return 0.0  # much the same words told of other names (``names_apart``)
    return score if same_figures(a.numbers, len(a.words), b.numbers, len(b.words)) else 0.0


def _same_quoted_names(a: _Item, b: _Item) -> bool:
    """Every name of the shorter quote is a word of the longer one (in any
    case: a quote printed in capitals, or one that opens on the word the
    other has mid-sentence, names no one new); both ways when neither is
    shorter. One formula said of two places ("Our teams have been working
    day and night in Mizeath" and "… in Triopruterk") is two quotes,
    however many of its words they share."""
    if len(a.quote_pairs) == len(b.quote_pairs):
        return _names_quoted_in(a, b) and _names_quoted_in(b, a)
    shorter, longer = (a, b) if len(a.quote_pairs) < len(b.quote_pairs) else (b, a)
    return _names_quoted_in(shorter, longer)


def _names_quoted_in(part: _Item, whole: _Item) -> bool:
    """Whether each name of ``part``'s quote is a word of ``whole``'s."""
    if _within(part.quote_names, whole.quote_names):
        return True
    return {word for pair in whole.quote_pairs for word in pair}.issuperset(part.quote_names)


def _other_speakers(a: Quote | None, b: Quote | None) -> bool:
    """Whether both quotes name who said them and the two names share no
    word: the same words from two people are two statements, each credited
    to the outlets that quote its speaker. "Ms Mwangi" and "Grace Mwangi"
    are one speaker, and a quote whose speaker is unknown may join either."""
    if a is None or b is None or not a.speaker or not b.speaker:
        return False
    names_a, names_b = _speaker_names(a.speaker), _speaker_names(b.speaker)
    return bool(names_a) and bool(names_b) and names_a.isdisjoint(names_b)


@functools.lru_cache(maxsize=4096)
def _speaker_names(speaker: str) -> frozenset[str]:
    """The names in a speaker (``names_in``); an archive has a few hundred speakers."""
    return _names(_tokens(speaker))


def _semantic(a: _Item, b: _Item) -> float:
    """The cosine of the two sentence embeddings, 0.0 below the paraphrase threshold."""
    score = round(sum(x * y for x, y in zip(a.vector, b.vector, strict=True)), 4)
    return score if score >= SEMANTIC_PARAPHRASE_THRESHOLD else 0.0


def _lexical(a: _Item, b: _Item) -> float:
    """The overlap of the two sentences' stems, 0.0 below the paraphrase thresholds."""
    shared = _shared(a.stems, b.stems)
    score = shared / min(len(a.stems), len(b.stems)) if shared else 0.0
    return score if score >= LEXICAL_PARAPHRASE_THRESHOLD and shared >= LEXICAL_PARAPHRASE_MIN_SHARED else 0.0


def containment(a: _Item, b: _Item) -> float:
    """How far the shorter of ``a`` and ``b`` is contained in the other, 0.0 to 1.0."""
    if a.quote is not None and b.quote is not None:
        if not same_figures(a.quote_numbers, len(a.quote_pairs), b.quote_numbers, len(b.quote_pairs)):
            return 0.0
        if not _same_quoted_names(a, b) or _other_speakers(a.quote, b.quote):
            return 0.0
        if min(len(a.quote_pairs), len(b.quote_pairs)) < MIN_WORDS:
            return 1.0 if a.quote_pairs == b.quote_pairs else 0.0
        score = overlap(a.quote_pairs, b.quote_pairs)
        return score if score >= QUOTE_THRESHOLD else 0.0
    if a.quote is not None or b.quote is not None:
        # A quote joins a sentence without quote marks only if that sentence
        # carries the quoted words: otherwise the statement would show words
        # as a quote that one of its sources never printed.
        quoted, other = (a, b) if a.quote is not None else (b, a)
        if not _within(quoted.quote_numbers, other.numbers):
            return 0.0
        if not all(_prints(other, name) for name in quoted.quote_names):
            return 0.0  # "… day and night in Mizeath" is not reported by "… in Triopruterk"
        shared = len(word_pairs(other.sentence.text).intersection(quoted.quote_pairs))
        score = shared / max(1, len(quoted.quote_pairs))
        return score if score >= QUOTE_THRESHOLD and len(quoted.quote_pairs) >= MIN_WORDS else 0.0
    # The words first: most pairs fail them, and they are cheaper than the actors' test.
    if min(len(a.words), len(b.words)) < MIN_WORDS:
        score = 1.0 if a.words == b.words and a.words else 0.0
    else:
        score = overlap(a.words, b.words)
        score = score if score >= FACT_THRESHOLD else 0.0
    if not score or not same_figures(a.numbers, len(a.words), b.numbers, len(b.words)):
        return 0.0
    return score if _same_actors(a, b) and not names_apart(a, b) else 0.0


def merge_method(value: object) -> MergeMethod:
    """``value`` as a merge method (a setting or option); ``ConfigError`` if it is none."""
    for method in MERGE_METHODS:
        if value == method:
            return method
    raise ConfigError(f"unknown merge method {value!r}: choose one of {', '.join(MERGE_METHODS)}")


def merge_statements(
    documents: Sequence[Document],
    assignment: TopicAssignment,
    quotes: Iterable[Quote],
    method: MergeMethod = "lexical",
    features: MutableSequence[ArticleFeatures] | None = None,
    *,
    topical_only: bool = False,
    memory: PairMemory | None = None,
    article_keys: Sequence[str] | None = None,
) -> list[Statement]:
    """Cluster the sentences of ``documents`` into statements with all their sources.

    ``method`` chooses how paraphrases are recognised (see the module's
    docstring); ``"semantic"`` needs the ``[semantic]`` extra and raises
    ``ConfigError`` without it. ``features``, when given, are each
    document's ``features_of``, already computed (or their ``feature_columns``,
    as the build keeps them); they are taken out of the list as the merge
    reads them (each becomes part of an ``_Item``).
    ``topical_only`` leaves out the statements of no topic, which no
    briefing shows (in a news archive, about half of them). ``memory``
    holds the pairs of the previous merge, to reuse where their sentences
    did not change, and takes this merge's (``PairMemory``). With it,
    ``article_keys`` (each document's content key, ``article_cache.article_key``,
    in their order) lets an article's sentences be matched to the previous
    merge's all at once where its key and their topics did not change
    (``ArticleRuns``), not one by one.

    Memory: every sentence's features are alive at once here, at the
    build's peak, so each is held once, by its item. They all go together
    when the merge returns, not as each statement is made: the statements,
    which live on, would take their places, and keep the memory they leave
    from going back to the system (measured: 35 MB more after the merge at
    5,000 articles).
    """
    method = merge_method(method)
    items = _items(documents, assignment, quotes, features)
    if method == "semantic":
        items = _with_vectors(items)
    runs = None
    if memory is not None and article_keys is not None:
        runs = _article_runs(items, documents, article_keys)
    clusters = _cluster(items, method, memory, runs)
    statements = [
        statement
        for cluster in clusters
        # A cluster no sentence of which has a topic makes only statements of none.
        if not topical_only or any(items[number].topics for number in cluster)
        for statement in _statements([items[number] for number in cluster])
        if statement.topics or not topical_only
    ]
    return _with_unique_ids(sorted(statements, key=lambda s: s.id))


def _with_unique_ids(statements: list[Statement]) -> list[Statement]:
    """``statements`` (sorted by id), each id two or more of them share made
    longer, and sorted again.

    An id is 40 bits of a hash (``_short_id``): in an archive of 350,000
    statements (20,000 articles) two shared one, which would have given a
    topic page two elements with one ``id`` and a link back to the wrong
    one. Only the statements that share an id get a longer one, so every
    other address stays as it was."""
    shared = {a.id for a, b in pairwise(statements) if a.id == b.id}
    if not shared:
        return statements
    longer = [replace(s, id=_long_id(s)) if s.id in shared else s for s in statements]
    return sorted(longer, key=lambda s: s.id)


def _short_id(first: str, salt: str) -> str:
    """A statement's id: 40 bits of a hash of its first source's sentence key
    (and of what tells apart two statements of one cluster, ``_statements``)."""
    return "st-" + hashlib.sha1((first + salt).encode()).hexdigest()[:10]


def _long_id(statement: Statement) -> str:
    """The id of a statement whose short id another statement has: 64 bits
    of a hash of that id and its first source's sentence key, which no two
    statements of a build share."""
    told_apart = f"{statement.id} {statement.sources[0].key}"
    return "st-" + hashlib.sha1(told_apart.encode()).hexdigest()[:16]


def _items(
    documents: Sequence[Document],
    assignment: TopicAssignment,
    quotes: Iterable[Quote],
    features: MutableSequence[ArticleFeatures] | None = None,
) -> list[_Item]:
    """Every compared sentence as an ``_Item``; ``features`` (if given) is emptied."""
    direct = _main_quotes(quotes)
    if features is None:
        stem = english_stemmer()
        features = [_features(document, direct, stem) for document in documents]
    if len(features) != len(documents):
        raise ValueError(f"features of {len(features)} documents for {len(documents)} documents")
    items: list[_Item] = []
    for number, document in enumerate(documents):
        of_document, features[number] = features[number], ()
        items.extend(
            _item(sentence, document, found, direct.get(sentence.key), assignment.of(sentence))
            for sentence, found in zip(_compared(document), _rows(of_document), strict=True)
        )
    return items


def _compared(document: Document) -> list[Sentence]:
    """The sentences of ``document`` that the merge compares: all but headings."""
    return [sentence for sentence in document.sentences if not sentence.is_heading]


def _main_quotes(quotes: Iterable[Quote]) -> dict[str, Quote]:
    """The longest direct quote of each sentence."""
    best: dict[str, Quote] = {}
    for quote in quotes:
        current = best.get(quote.sentence)
        if quote.is_direct and (current is None or len(quote.text) > len(current.text)):
            best[quote.sentence] = quote
    return best


def _with_vectors(items: list[_Item]) -> list[_Item]:
    from generator.embeddings import embed

    vectors = embed([i.sentence.text for i in items])
    return [replace(item, vector=vectors[item.sentence.text]) for item in items]


def features_of(document: Document, quotes: Iterable[Quote]) -> tuple[SentenceFeatures, ...]:
    """The ``SentenceFeatures`` of each compared sentence of ``document``
    (``quotes``: the quotes found in it), for ``merge_statements``."""
    return _features(document, _main_quotes(quotes), english_stemmer())


def _features(
    document: Document, direct: Mapping[str, Quote], stem: Callable[[str], str]
) -> tuple[SentenceFeatures, ...]:
    return tuple(_sentence_features(s, direct.get(s.key), stem) for s in _compared(document))


def _sentence_features(
    sentence: Sentence, quote: Quote | None, stem: Callable[[str], str]
) -> SentenceFeatures:
    """The sentence's features; its text is split into words once (``words_of``,
    lowercased) and once as printed (``_tokens``, for names)."""
    words = words_of(sentence.text)
    tokens = _tokens(sentence.text)
    return SentenceFeatures(
        words=sorted_words(_content(words)),
        numbers=sorted_words(numbers_in(sentence.text)),
        quote_pairs=tuple(sorted(word_pairs(quote.text))) if quote else (),
        quote_numbers=sorted_words(numbers_in(quote.text)) if quote else (),
        quote_names=sorted_words(_names(_tokens(quote.text))) if quote else (),
        stems=sorted_words(_stems(words, stem)),
        names=sorted_words(_names(tokens)),
        opener=next(iter(words), ""),
        plain=sorted_words(_lowercase(tokens)),
        runs=_runs(tokens),
    )


def _needed(size: int, threshold: float) -> int:
    """The fewest shared features ``k`` with ``k / size >= threshold`` (as ``overlap`` computes it)."""
    k = max(0, math.ceil(threshold * size) - 1)
    while k / size < threshold:
        k += 1
    return k


def _rarest(features: Iterable[_F], df: Mapping[_F, int], keep: int) -> list[_F]:
    """The ``keep`` rarest of ``features``: fewest sentences first, ties by the feature itself."""
    return sorted(features, key=lambda f: (df[f], f))[:keep]


def _document_frequency(sets: Iterable[Iterable[_F]]) -> Counter[_F]:
    """How many of ``sets`` hold each feature (each set holds a feature
    once). Counted in one pass over them all, not one ``update`` per set:
    each call costs more than counting a sentence's dozen words (0.45 s
    against 0.27 s for 300,000 sets)."""
    return Counter(itertools.chain.from_iterable(sets))


def _probe(
    items: Sequence[_Item],
    members: Sequence[int],
    features: Callable[[_Item], Collection[_F]],
    needed: Callable[[int], int],
    df: Mapping[_F, int],
    prefixes: Mapping[int, Sequence[_F]] | None = None,
) -> Iterator[tuple[int, list[int]]]:
    """Prefix filtering for an overlap coefficient over ``features``: each
    probing member ``x`` with its partners, if it has any.

    A pair whose smaller feature set ``x`` shares ``needed(|x|)`` features
    with the other must share one of the ``|x| - needed(|x|) + 1`` rarest
    features of ``x`` (its prefix, ``_prefix``: any ``|x| - k + 1`` of them
    meet the ``k`` shared ones). So each member looks up only the postings
    of its own prefix, and only partners at least as large (by size, then
    number) are taken: every such pair is found once, and no other pair is
    tried. Of those, only the partners that do share ``needed(|x|)``
    features are given, in ascending order of size, then number: the tier's
    own test, a necessary condition of its score. (A pair that fails it can
    still score by another tier's test, and is then that tier's to find: as
    with any pair, unless all its shared features are over ``POSTING_CAP``.)

    ``df``: how many sentences have each feature (which features are rarest
    decides only which postings are read). ``prefixes``: the members that
    probe, with their prefixes; None for every member. A member that does not
    probe still stands in the postings.
    """
    # Members are ranked by (size, number) and the postings hold ranks, in
    # ascending order: the partners at least as large are a posting's tail,
    # cut with one binary search.
    if prefixes is not None and not any(x in prefixes for x in members):
        return
    order = sorted(members, key=lambda i: (len(features(items[i])), i))
    ranked = [features(items[number]) for number in order]
    wanted = None if prefixes is None else {f for x in order if x in prefixes for f in prefixes[x]}
    index: dict[_F, list[int]] = defaultdict(list)
    for rank, feature_list in enumerate(ranked):
        # After an edit a few probe: most sets hold none of their features,
        # which one C call per set tells (not a test per feature).
        if wanted is None or not wanted.isdisjoint(feature_list):
            for feature in feature_list:
                if wanted is None or feature in wanted:
                    index[feature].append(rank)
    if wanted is not None:  # a few probe: only the sets they may meet need a signature
        indexed = {rank for postings in index.values() for rank in postings}
        ranked_signed = [found if rank in indexed else () for rank, found in enumerate(ranked)]
        signatures = _signatures(ranked_signed)
        del indexed, ranked_signed
    else:
        signatures = _signatures(ranked)
    del wanted
    for rank, x in enumerate(order):
        if prefixes is not None and x not in prefixes:
            continue
        own = frozenset(ranked[rank])  # no copy of a frozenset
        prefix = _prefix(own, needed, df) if prefixes is None else prefixes[x]
        if not prefix:
            continue
        need = needed(len(own))
        partners: set[int] = set()
        for feature in prefix:
            postings = index[feature]
            if len(postings) <= POSTING_CAP:
                partners.update(postings[bisect.bisect_right(postings, rank) :])
        # Only pairs that can pass this tier's test. Most partners share a
        # word or two: the signatures turn them away first (a bit of ``x``
        # the partner lacks is a feature it lacks), and the rest are
        # intersected, one C call each.
        signature, spare = signatures[rank], len(own) - need
        found = [
            order[partner]
            for partner in sorted(partners)
            if (signature & ~signatures[partner]).bit_count() <= spare
            and len(own.intersection(ranked[partner])) >= need
        ]
        if found:
            yield x, found


def _prefix(own: Collection[_F], needed: Callable[[int], int], df: Mapping[_F, int]) -> list[_F]:
    """The features of ``own`` that ``_probe`` looks up: its ``|x| - needed(|x|) + 1``
    rarest; none when ``needed`` is not above zero (the set does not probe)."""
    need = needed(len(own)) if own else 0
    return _rarest(own, df, len(own) - need + 1) if need > 0 else []


SIGNATURE_BITS = 128
"""Bits of the signature ``_probe`` screens partners with: enough that few of a
sentence's features share one."""


def _signatures(feature_sets: Sequence[Collection[Hashable]]) -> list[int]:
    """A Bloom-style signature of each feature set: bit ``hash(f) % SIGNATURE_BITS``
    set for each feature ``f``.

    A bit set in one signature and not the other stands for at least one
    feature the other set lacks, so ``|x| - popcount(sig(x) & ~sig(y))`` is an
    upper bound on ``|x ∩ y|``: a partner it rules out could not have
    passed, and the pairs found are exactly those found without it. (The
    hashes of strings differ between processes; the bound holds for any.)
    """
    bit_of: dict[Hashable, int] = {}
    signatures = []
    for features in feature_sets:
        signature = 0
        for feature in features:
            bit = bit_of.get(feature)
            if bit is None:
                bit = bit_of[feature] = 1 << (hash(feature) % SIGNATURE_BITS)
            signature |= bit
        signatures.append(signature)
    return signatures


@dataclass(frozen=True, slots=True)
class _Tier:
    """One prefix filter of the candidate search: the sentences it compares,
    on which features, and how many of them a pair must share."""

    name: str
    members: list[int]
    features: Callable[[_Item], Collection[Hashable]]
    needed: Callable[[int], int]
    by_topic: bool = False
    """Probe one topic's members at a time (a paraphrase must share a
    topic), with the features' frequencies counted over all members."""


def _contained(size: int) -> int:  # below MIN_WORDS only an identical set scores
    return size if size < MIN_WORDS else _needed(size, FACT_THRESHOLD)


def _quote_contained(size: int) -> int:
    return size if size < MIN_WORDS else _needed(size, QUOTE_THRESHOLD)


def _lexical_shared(size: int) -> int:
    if size < PARAPHRASE_MIN_WORDS:
        return 0
    return max(_needed(size, LEXICAL_PARAPHRASE_THRESHOLD), LEXICAL_PARAPHRASE_MIN_SHARED)


def _tiers(items: Sequence[_Item], numbers: Sequence[int], method: MergeMethod) -> list[_Tier]:
    """The prefix-filtered tiers, in this order: facts on content words (the
    sentences without a quote), quotes on word pairs (those with one), and
    (lexical method) paraphrases on stems within a topic."""
    tiers = [
        _Tier("words", [n for n in numbers if items[n].quote is None], lambda i: i.words, _contained),
        _Tier(
            "quotes",
            [n for n in numbers if items[n].quote is not None],
            lambda i: i.quote_pairs,
            _quote_contained,
        ),
    ]
    if method == "lexical":
        topical = [number for number in numbers if items[number].topics]
        tiers.append(_Tier("stems", topical, lambda i: i.stems, _lexical_shared, by_topic=True))
    return tiers


def _groups(items: Sequence[_Item], tier: _Tier) -> list[list[int]]:
    """The members ``_probe`` takes together: all, or each topic's in turn.
    One topic's index at a time, keyed by the feature alone, is a fraction
    of the memory of one index keyed by (topic, feature), and finds the
    same pairs: a posting holds the same sentences either way."""
    if not tier.by_topic:
        return [tier.members]
    members: dict[str, list[int]] = defaultdict(list)
    for number in tier.members:
        for topic in items[number].topics:
            members[topic].append(number)
    return [members[topic] for topic in sorted(members)]


def _candidates(
    items: Sequence[_Item], method: MergeMethod, numbers: Sequence[int] | None = None
) -> Iterator[tuple[int, int]]:
    """Pairs that may score above zero, each tier found by its own prefix filter.

    A pair may come twice (from two tiers, or two topics). No pair with a
    score above zero is missed, except, for the semantic method, a
    paraphrase whose shared stems each stand in more than
    ``SEMANTIC_POSTING_CAP`` sentences of a shared topic: cosines have no
    exact word filter, so that tier blocks by topic and rarer stems.
    """
    # ``numbers``: 0, 1, … as int objects for every list of item numbers to
    # share (a number above 256 is a new 32-byte object each time one is made).
    if numbers is None:
        numbers = list(range(len(items)))
    tiers = _tiers(items, numbers, method)
    for tier in tiers:
        df = _document_frequency(tier.features(items[i]) for i in tier.members)
        for group in _groups(items, tier):
            for x, partners in _probe(items, group, tier.features, tier.needed, df):
                for y in partners:
                    yield (x, y) if x < y else (y, x)
    words, quotes = tiers[:2]
    in_plain = quote_pairs_in_plain(items, quotes.members, words.members)
    yield from _quoted_in_plain(items, quotes.members, in_plain)
    if method != "lexical":
        yield from _blocked(items, [number for number in numbers if items[number].topics])


@dataclass(frozen=True, slots=True)
class QuotePairsInPlain:
    """The word pairs of quotes that each sentence without quote marks
    has, found by reading every such sentence (``quote_pairs_in_plain``).

    ``wanted``: all the quotes' pairs, sorted, and ``digest``, their
    ``_digest_of_pairs``; ``carried``: each sentence's
    pairs among them, by item number, for the sentences that have any, in
    the order of the members they were found for. A sentence's pairs are
    kept as ``wanted``'s own tuples (a tuple of two new strings takes 160
    bytes), and as a tuple (a set of one or two takes 216 bytes, a tuple
    56): at 5,000 articles, 70,000 sentences have some."""

    wanted: list[tuple[str, str]]
    digest: bytes
    carried: dict[int, Pairs]

    def kept(self) -> KeptPairsInPlain:
        """What the next merge reads (``quote_pairs_in_plain``): flat arrays
        of places in ``wanted``, a few bytes a pair."""
        place = {pair: at for at, pair in enumerate(self.wanted)}
        numbers, ends, pairs = array("l"), array("l"), array("l")
        for number, found in self.carried.items():
            numbers.append(number)
            pairs.extend(place[pair] for pair in found)
            ends.append(len(pairs))
        return KeptPairsInPlain(self.digest, numbers, ends, pairs)


@dataclass(frozen=True, slots=True)
class KeptPairsInPlain:
    """A ``QuotePairsInPlain`` kept for the next merge: a digest of its
    ``wanted``, and each sentence's pairs (``pairs[ends[k - 1]:ends[k]]``,
    places in ``wanted``) by the item ``numbers`` of that merge."""

    wanted: bytes
    numbers: array[int]
    ends: array[int]
    pairs: array[int]


def _digest_of_pairs(wanted: list[tuple[str, str]]) -> bytes:
    """What tells two merges' sorted lists of the quotes' pairs apart (``KeptPairsInPlain.wanted``)."""
    return hashlib.blake2b(repr(wanted).encode(), digest_size=16).digest()


def quote_pairs_in_plain(
    items: Sequence[_Item],
    quoted: list[int],
    plain: list[int],
    previous: KeptPairsInPlain | None = None,
    carried: _Carried | None = None,
) -> QuotePairsInPlain:
    """The pairs of the ``quoted`` items' quotes that each of the ``plain``
    items has (``QuotePairsInPlain``).

    With the ``previous`` merge's, when the quotes' pairs are the same, an
    unchanged sentence (``carried``) has the pairs it had, and only the
    others are read: reading every sentence of the archive is most of the
    work of ``_quoted_in_plain``, whose pairs then come out the same."""
    wanted = sorted({pair for i in quoted for pair in items[i].quote_pairs})
    digest = _digest_of_pairs(wanted)
    own = {pair: pair for pair in wanted}
    before: dict[int, Pairs] = {}
    if previous is not None and carried is not None:
        if previous.wanted == digest:
            for at, number in enumerate(previous.numbers):
                start = previous.ends[at - 1] if at else 0
                before[number] = tuple(wanted[place] for place in previous.pairs[start : previous.ends[at]])
        else:
            carried = None  # other quotes: every sentence is read again
    found: dict[int, Pairs] = {}
    for number in plain:
        was = carried.was[number] if carried is not None else -1
        pairs = before.get(was, ()) if was >= 0 else tuple(_pairs_among(items[number].sentence.text, own))
        if pairs:
            found[number] = pairs
    return QuotePairsInPlain(wanted, digest, found)


def _quoted_in_plain(
    items: Sequence[_Item], quoted: list[int], in_plain: QuotePairsInPlain
) -> Iterator[tuple[int, int]]:
    """Quotes and the sentences without quote marks that may carry their
    words, among those that have some of their pairs (``in_plain``).

    The score is the share of the quote's word pairs found in the sentence,
    so the sentence must have one of the quote's ``n - needed + 1`` rarest
    pairs; only those pairs are indexed.
    """
    carried = in_plain.carried
    df: Counter[tuple[str, str]] = Counter()
    for pairs in carried.values():
        df.update(pairs)
    prefixes: dict[int, list[tuple[str, str]]] = {}
    for x in quoted:
        size = len(items[x].quote_pairs)
        if size >= MIN_WORDS:
            prefixes[x] = _rarest(items[x].quote_pairs, df, size - _needed(size, QUOTE_THRESHOLD) + 1)
    probed = {pair for prefix in prefixes.values() for pair in prefix}
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, pairs in carried.items():  # in the order of ``plain``
        for pair in pairs:
            if pair in probed:  # probed ⊆ wanted
                index[pair].append(number)
    for x, prefix in prefixes.items():
        partners = {y for pair in prefix if len(index[pair]) <= POSTING_CAP for y in index[pair]}
        for y in sorted(partners):
            yield (x, y) if x < y else (y, x)


def _pairs_among(text: str, wanted: Mapping[tuple[str, str], tuple[str, str]]) -> set[tuple[str, str]]:
    """``word_pairs(text) & wanted``, as ``wanted``'s own tuples, for every
    sentence of the archive: its words are not interned (none is kept) and
    its other pairs not collected."""
    return {wanted[pair] for pair in pairwise(_spelled_words(text)) if pair in wanted}


def _blocked(items: Sequence[_Item], topical: list[int]) -> Iterator[tuple[int, int]]:
    """Paraphrase candidates for the semantic method: a shared topic and a
    stem that stands in at most ``SEMANTIC_POSTING_CAP`` of its sentences."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number in topical:
        for topic in items[number].topics:
            for stem in items[number].stems:
                index[topic, stem].append(number)
    for key in sorted(index):
        postings = index[key]
        if len(postings) > SEMANTIC_POSTING_CAP:
            continue
        for i, a in enumerate(postings):
            for b in postings[i + 1 :]:
                yield a, b


def candidate_pair_count(
    documents: Sequence[Document],
    assignment: TopicAssignment,
    quotes: Iterable[Quote],
    method: MergeMethod = "lexical",
) -> int:
    """How many distinct pairs of sentences from different articles the merge scores.

    The size of the merge's work, independent of the machine: it grows with
    the number of similar sentences, not with the square of all of them.
    """
    items = _items(documents, assignment, quotes)
    pairs = {
        (a, b)
        for a, b in _candidates(items, merge_method(method))
        if items[a].sentence.article != items[b].sentence.article
    }
    return len(pairs)


FINGERPRINT_BYTES = 16
"""Bytes of the digest that tells a sentence unchanged between two merges."""


@dataclass(frozen=True, slots=True)
class TierPairs:
    """What one tier's prefix filter found, kept for the next merge.

    ``df``: how many members had each feature. Per probing sentence, in
    ascending order of ``probers`` (item numbers): its partners that score
    above zero, ``partners[ends[k - 1]:ends[k]]``, with their ``scores``.
    Flat arrays: a few bytes a pair, where lists of tuples take a hundred.
    """

    df: dict[Hashable, int]
    probers: array[int]
    ends: array[int]
    partners: array[int]
    scores: array[float]


@dataclass(frozen=True, slots=True)
class KnownPairs:
    """The similar pairs one lexical merge found: each item's fingerprint
    (``FINGERPRINT_BYTES`` each, in item order) and each tier's pairs (which
    the next merge takes out of ``tiers`` as it reads them)."""

    fingerprints: bytes
    tiers: dict[str, TierPairs]
    in_plain: KeptPairsInPlain | None = None
    """The quotes' pairs each sentence without quote marks has (``quote_pairs_in_plain``)."""
    quoted_in_plain: array[int] = field(default_factory=lambda: array("l"))
    """The candidate pairs of quotes and sentences without quote marks
    (``_quoted_in_plain``), each as two item numbers in turn: which of them
    changed tells the next merge whose pairs may have (``_Scored.touched``)."""
    runs: ArticleRuns | None = None
    """The items' articles, if the merge was given their keys (``fingerprints``
    of an article that did not change are then taken from here)."""


@dataclass(frozen=True, slots=True)
class ArticleRuns:
    """The items of each article, as runs in item order: each run's digest
    (``RUN_DIGEST_BYTES``, ``_article_runs``) and its number of items.

    An article's content key stands for its sentences' keys and texts, so
    two runs of one digest are of items with the same fingerprints, in the
    same order: the fingerprints of the articles that did not change are
    taken from the last merge (``_fingerprints``), and their items matched
    to its items run by run (``_carried``), not one by one (0.3 s and
    0.15 s at 5,000 articles: a digest made per sentence, a dictionary of
    190,000 fingerprints)."""

    digests: bytes
    sizes: array[int]

    def each_digest(self) -> list[bytes]:
        """Each run's digest, in item order."""
        size = RUN_DIGEST_BYTES
        return [self.digests[at : at + size] for at in range(0, len(self.digests), size)]

    def starts(self) -> dict[bytes, tuple[int, int]]:
        """Each run's first item and number of items, by its digest (of two
        runs of one digest, the last: see ``unique``)."""
        starts, at = {}, 0
        for digest, size in zip(self.each_digest(), self.sizes, strict=True):
            starts[digest] = (at, size)
            at += size
        return starts

    def unique(self) -> bool:
        """Whether no two runs have one digest (two articles of one content
        key: a build refuses two articles of one slug, a caller may not)."""
        return len(set(self.each_digest())) == len(self.sizes)


RUN_DIGEST_BYTES = 16


def _article_runs(items: Sequence[_Item], documents: Sequence[Document], keys: Sequence[str]) -> ArticleRuns:
    """The ``ArticleRuns`` of ``items``: a run's digest is of its article's
    content key (``keys``, of ``documents`` in their order) and of what else
    each item's fingerprint reads (``_fingerprint``): its topics and its
    quote, which the key does not decide."""
    key_of = {id(document): key for document, key in zip(documents, keys, strict=True)}
    topics_of: dict[frozenset[str], str] = {}  # the same few sets, each written once
    digests, sizes = [], array("l")
    for document, run in itertools.groupby(items, key=lambda item: id(item.document)):
        described = [key_of[document]]
        for item in run:
            topics = topics_of.get(item.topics)
            if topics is None:
                topics = topics_of[item.topics] = NO_VALUE.join(sorted(item.topics))
            quote = item.quote
            if quote is None:
                described.append(topics)
            else:
                speaker = NO_VALUE if quote.speaker is None else quote.speaker
                described.append(NO_VALUE.join((topics, NO_VALUE, quote.text, speaker)))
        digests.append(
            hashlib.blake2b(
                FIELD_SEPARATOR.join(described).encode("utf-8", "surrogatepass"), digest_size=RUN_DIGEST_BYTES
            ).digest()
        )
        sizes.append(len(described) - 1)
    return ArticleRuns(b"".join(digests), sizes)


FEATURES_VERSION = 1
"""The format of the file a ``FeatureMemory`` keeps (read only if it says so)."""
REWRITE_SHARE = 0.05
"""A ``FeatureMemory`` is written again once the articles it lacks, and
those it holds that are gone, pass this share of a build's articles: until
then, each of those is read on its own (a quarter of a millisecond) or
read in vain, which costs less than writing the whole again (0.3 s and
40 MB at 5,000 articles)."""


@dataclass(slots=True)
class FeatureMemory:
    """Every article's merge features (``FeatureColumns``), kept between
    builds as one ``marshal`` record by each article's content key
    (``article_cache.article_key``), with a ``path`` (``load``) in that file
    of the cache folder of this code's version.

    The per-article cache holds each article's features on their own, and
    reading 5,000 of them one by one (6.8 million words, stems and names) took 0.8-1.3 s of
    every build: each article's words made again, then found interned. One
    record holds each word once (``marshal`` refers back to it), and reads
    in 0.4 s. It is written again only when it lacks too many of a build's
    articles (``REWRITE_SHARE``): after an edit, the changed article's
    features are read on their own."""

    held: dict[str, FeatureColumns] = field(default_factory=dict)
    """The features kept, by content key."""
    path: Path | None = None
    read_apart: int = 0
    """How many articles' features the last ``features`` read on their own."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The content keys of the articles whose features it holds, in the order kept."""
        return tuple(self.held)

    @classmethod
    def load(cls, path: Path) -> FeatureMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps the next ``features`` there when it must."""
        try:
            kept = marshal.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(path=path)
        except (OSError, EOFError, ValueError, TypeError) as exc:  # damaged: costs only speed
            log.warning("Ignoring the merge's features cache %s: %s", path, exc)
            return cls(path=path)
        if (
            isinstance(kept, tuple)
            and len(kept) == 3
            and kept[0] == FEATURES_VERSION
            and isinstance(kept[1], tuple)
            and isinstance(kept[2], list)
            and len(kept[1]) == len(kept[2])
        ):
            return cls(dict(zip(kept[1], kept[2], strict=True)), path)
        return cls(path=path)

    def holds(self, key: str) -> bool:
        """Whether this memory holds the features of the article of content key ``key``."""
        return key in self.held

    def features(self, keys: Sequence[str], stored: list[bytes]) -> list[ArticleFeatures]:
        """Each article's features, in the order of ``keys`` (their content
        keys): from this memory where it holds the article, else read from
        ``stored`` (each article's features in ``marshal``'s format, as its
        findings hold them; emptied as read, and their memory given back
        every thousand). Then keeps them all for the next build, if this
        memory lacked too many (``REWRITE_SHARE``)."""
        held, self.held = self.held, {}
        features: list[ArticleFeatures] = []
        used = set()
        self.read_apart = 0
        for number, key in enumerate(keys):
            found = held.get(key)
            if found is None:  # not held: its features are in ``stored``
                found = marshal.loads(stored[number])
                self.read_apart += 1
                if self.read_apart % 1000 == 0:
                    release_free_memory()
            else:
                used.add(key)
            stored[number] = b""
            features.append(found)
        stale = len(held) - len(used)
        del held
        if self.path is not None and self.read_apart + stale > REWRITE_SHARE * len(keys):
            record = marshal.dumps((FEATURES_VERSION, tuple(keys), features))
            try:
                write_atomically(self.path, lambda handle: handle.write(record))
            except OSError as exc:
                log.warning("Could not save the merge's features cache %s: %s", self.path, exc)
        return features


@dataclass(slots=True)
class PairMemory:
    """The pairs and clusters of the previous merge, handed to
    ``merge_statements``, which reuses what it can and leaves its own in
    their place (``keep``, ``keep_clusters``); ``reused`` and ``probed``
    count the members of each tier whose partners it took over and those it
    searched for anew, ``components_reused`` and ``components_joined`` the
    components whose clusters of two or more it took over and those it
    clustered anew (a component none of whose pairs joined is in neither).

    With a ``path`` (``load``), the pairs are kept in that file between
    builds, and the clusters beside it, in the cache folder of this code's
    version, so the thresholds and features are those that found them.
    """

    known: KnownPairs | None = None
    path: Path | None = None
    reused: int = 0
    probed: int = 0
    clusters: KeptClusters | None = None
    """The previous merge's clusters of two or more; kept next to ``path``."""
    components_reused: int = 0
    components_joined: int = 0

    @classmethod
    def load(cls, path: Path) -> PairMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps the next merge's pairs there."""
        known = load_pickle(path, "merge's cache")
        clusters = load_pickle(_clusters_path(path), "merge's cache")
        return cls(
            known if isinstance(known, KnownPairs) else None,
            path,
            clusters=clusters if isinstance(clusters, KeptClusters) else None,
        )

    def keep_clusters(self, clusters: KeptClusters) -> None:
        """Hold this merge's clusters for the next, as ``keep`` the pairs."""
        if self.path is None:
            self.clusters = clusters
        else:
            save_pickle(_clusters_path(self.path), clusters, "merge's cache")

    def keep(self, known: KnownPairs | None) -> None:
        """Hold ``known`` for the next merge: written to ``path`` at once, so it
        is not in memory while the merge clusters, at the build's peak; a
        failure to write only costs speed."""
        self.known = known if self.path is None else None
        if self.path is None:
            return
        if known is None:
            self.path.unlink(missing_ok=True)
        else:
            save_pickle(self.path, known, "merge's cache")


@dataclass(frozen=True, slots=True)
class KeptClusters:
    """The clusters of two or more one merge made, for the next: each as its
    item numbers in the order they joined, ``members[ends[k - 1]:ends[k]]``
    (its first is the one the cluster is known by), and ``made_from``, a
    digest of the items' fingerprints, which the next merge's memory of
    pairs must have (``_fingerprints_digest``): the two are kept in two
    files, and a cluster's numbers mean nothing beside another merge's items."""

    made_from: bytes
    members: array[int]
    ends: array[int]

    def __iter__(self) -> Iterator[array[int]]:
        start = 0
        for end in self.ends:
            yield self.members[start:end]
            start = end


def _fingerprints_digest(fingerprints: bytes) -> bytes:
    return hashlib.blake2b(fingerprints, digest_size=16).digest()


def _clusters_path(path: Path) -> Path:
    return path.with_name(path.stem + "-clusters.pickle")


def _fingerprint(item: _Item) -> bytes:
    """A digest of all the pair search and the scores read of ``item``: its
    key (and so its article), its text and its quote's, which its features
    are a function of, its quote's speaker, and its topics."""
    # Its fields joined (``model.FIELD_SEPARATOR``), not the ``repr`` of a
    # tuple of them: 0.2 s less for 187,000 sentences at 5,000 articles.
    quote, said = item.quote, (NO_VALUE, NO_VALUE)
    if quote is not None:
        said = (quote.text, NO_VALUE if quote.speaker is None else quote.speaker)
    described = FIELD_SEPARATOR.join((item.sentence.key, item.sentence.text, *said, *sorted(item.topics)))
    return hashlib.blake2b(described.encode("utf-8", "surrogatepass"), digest_size=FINGERPRINT_BYTES).digest()


@dataclass(frozen=True, slots=True)
class _Carried:
    """How the previous merge's items stand in this one."""

    now: array[int]
    """This merge's number of each previous item; -1 for one gone or changed."""
    was: array[int]
    """The previous number of each item of this merge; -1 for one new or changed."""


def _fingerprints(items: Sequence[_Item], runs: ArticleRuns | None, known: KnownPairs | None) -> bytes:
    """The ``_fingerprint`` of each item, in item order: those of an article
    whose run (``runs``) the last merge had too (``known``) taken from it."""
    if runs is None or known is None or known.runs is None:
        return b"".join(map(_fingerprint, items))
    size = FINGERPRINT_BYTES
    return b"".join(
        known.fingerprints[start * size : (start + count) * size]
        if start >= 0
        else b"".join(map(_fingerprint, items[at : at + count]))
        for at, start, count in _runs_matched(known.runs, runs)
    )


def _runs_matched(before: ArticleRuns, now: ArticleRuns) -> Iterator[tuple[int, int, int]]:
    """Each run of ``now`` as its first item, the first item of the same run
    in ``before`` (-1 if it has none: an article new, changed, or of other
    topics or quotes) and its number of items."""
    starts, at = before.starts(), 0
    for digest, count in zip(now.each_digest(), now.sizes, strict=True):
        start, was = starts.get(digest, (-1, -1))
        yield at, start if was == count else -1, count
        at += count


def _carried(
    before: bytes, now: bytes, runs_before: ArticleRuns | None = None, runs_now: ArticleRuns | None = None
) -> _Carried | None:
    """Match the previous items to these by their fingerprints (``before``
    and ``now``: ``FINGERPRINT_BYTES`` each, in item order); None when the
    unchanged items no longer stand in the same order (an article whose
    date changed): which of two sentences probes for the other depends on it.

    Given both merges' ``ArticleRuns``, an article's items whose run is in
    both are matched as a whole; only the others' are looked up one by
    one, among the previous items of no such run (an item's fingerprint
    holds its key, which is its article's)."""
    size = FINGERPRINT_BYTES
    carried = _Carried(array("l", [-1]) * (len(before) // size), array("l", [-1]) * (len(now) // size))
    apart = [(0, len(now) // size)]  # the runs of items matched one by one
    previous_apart: Iterable[int] = range(0, len(before), size)  # and the previous items' offsets
    if runs_before is not None and runs_now is not None and runs_before.unique() and runs_now.unique():
        apart, matched = [], set()
        for at, start, count in _runs_matched(runs_before, runs_now):
            if start >= 0:
                carried.now[start : start + count] = array("l", range(at, at + count))
                carried.was[at : at + count] = array("l", range(start, start + count))
                matched.add(start)
            else:
                apart.append((at, count))
        previous_apart = [
            number * size
            for start, count in runs_before.starts().values()
            if start not in matched
            for number in range(start, start + count)
        ]
    numbered = {before[at : at + size]: at // size for at in previous_apart}
    for start, count in apart:
        for number in range(start, start + count):
            previous = numbered.get(now[number * size : (number + 1) * size])
            if previous is not None:
                carried.now[previous], carried.was[number] = number, previous
    unchanged = [previous for previous in carried.was if previous >= 0]
    if any(a > b for a, b in pairwise(unchanged)):
        return None
    return carried


@dataclass(slots=True)
class _Scored:
    """What the candidate search found (``_scored_pairs``)."""

    pairs: dict[tuple[int, int], float]
    """Every pair of sentences of different articles that scores above
    zero, as (a, b) with a < b, with its score."""
    touched: set[int] | None = None
    """With the previous merge's pairs taken over: the items whose pairs may
    not be the ones they had there (a superset of them); every other item
    is unchanged and has the very partners, with the very scores, it had.
    None when nothing was taken over."""
    carried: _Carried | None = None
    """How the previous merge's items stand in this one, if any were taken over."""
    previous_digest: bytes = b""
    """Then, the digest of the previous merge's fingerprints (``_fingerprints_digest``)."""


def _scored_pairs(
    items: Sequence[_Item],
    method: MergeMethod,
    numbers: Sequence[int],
    memory: PairMemory | None,
    fingerprints: bytes = b"",
    runs: ArticleRuns | None = None,
) -> _Scored:
    """Every pair of sentences of different articles that scores above zero.

    Pairs come from the candidate search (``_candidates``) and are scored
    as they are found. With a ``memory`` (lexical method), a probing sentence
    keeps the partners it had in the previous merge when nothing it found
    them by has changed (``_reusable``), and only the others search again:
    the pairs are those a search from nothing finds (tested). The items'
    ``fingerprints`` (``_fingerprint``, in item order) tell which are
    unchanged (and their articles' ``runs``, if known, which tell it at once
    for most); which items' pairs may have changed is noted too
    (``_Scored.touched``).
    """
    article = [i.sentence.article for i in items]
    scored: dict[tuple[int, int], float] = {}

    def score(a: int, b: int) -> float:
        """``similarity`` of a pair (a < b), 0.0 within one article; each kept in ``scored``."""
        if article[a] == article[b]:
            return 0.0
        known = scored.get((a, b))
        if known is not None:
            return known
        value = similarity(items[a], items[b], method)
        if value > 0:
            scored[a, b] = value
        return value

    if memory is None or method != "lexical":
        for a, b in _candidates(items, method, numbers):
            score(a, b)
        if memory is not None:
            memory.keep(None)  # cosines have no exact filter to carry over
        return _Scored(scored)
    known = memory.known
    carried = _carried(known.fingerprints, fingerprints, known.runs, runs) if known is not None else None
    # An item that came has its pairs from a search or as a candidate: it is
    # noted there, as the partners of those gone (changed, or removed) are.
    touched: set[int] | None = set() if carried else None
    gone = [n for n, now in enumerate(carried.now) if now < 0] if carried else []
    tiers = _tiers(items, numbers, method)
    found: dict[str, TierPairs] = {}
    for tier in tiers:
        # Each tier's previous pairs are let go once read (not kept to the merge's peak).
        previous = known.tiers.pop(tier.name, None) if carried and known else None
        found[tier.name] = _tier_pairs(items, tier, score, scored, previous, carried, memory, touched, gone)
    words, quotes = tiers[:2]
    kept = known.in_plain if carried and known else None
    in_plain = quote_pairs_in_plain(items, quotes.members, words.members, kept, carried)
    quoted_in_plain = array("l")
    for a, b in _quoted_in_plain(items, quotes.members, in_plain):
        quoted_in_plain.extend((a, b))
        score(a, b)
    if touched is not None and carried is not None and known is not None:
        # A candidate pair that came or went may have brought or taken a pair.
        now = carried.now
        before = {(now[a], now[b]) for a, b in _pairs_of(known.quoted_in_plain)}
        touched.update(
            n for pair in before.symmetric_difference(_pairs_of(quoted_in_plain)) for n in pair if n >= 0
        )
    memory.keep(KnownPairs(fingerprints, found, in_plain.kept(), quoted_in_plain, runs))
    if carried is None or known is None:
        return _Scored(scored)
    return _Scored(scored, touched, carried, _fingerprints_digest(known.fingerprints))


def _tier_pairs(
    items: Sequence[_Item],
    tier: _Tier,
    score: Callable[[int, int], float],
    scored: dict[tuple[int, int], float],
    previous: TierPairs | None,
    carried: _Carried | None,
    memory: PairMemory,
    touched: set[int] | None = None,
    gone: Sequence[int] = (),
) -> TierPairs:
    """Score the pairs ``tier`` finds (``score``, which keeps them in
    ``scored``), reusing ``previous`` where it can (``_reusable``), and
    return them for the next merge.

    ``touched``, if given, takes every member whose partners may differ
    from those it had in ``previous``: each that searches again, its
    partners before (by ``carried``; ``gone``: the previous items that are
    not in this merge, whose partners lose them) and after: a member that
    does not search takes over the partners it found, and whoever else found
    it either did not search either, so found it again, or is noted with its
    partners. With no ``previous``, every member searches, and all are noted."""
    df = _document_frequency(tier.features(items[i]) for i in tier.members)
    found = TierPairs(df, array("l"), array("l"), array("l"), array("d"))

    def add(x: int, partners: Iterable[int], scores: Iterable[float]) -> None:
        found.probers.append(x)
        found.partners.extend(partners)
        found.scores.extend(scores)
        found.ends.append(len(found.partners))

    probing: dict[int, list[Hashable]] | None = None  # None: every member
    if previous is not None and carried is not None:
        probing = {}
        for x, prefix, place in _reusable(items, tier, df, previous, carried):
            if prefix:
                probing[x] = prefix
                continue
            start, end = previous.ends[place - 1] if place else 0, previous.ends[place]
            partners = [carried.now[y] for y in previous.partners[start:end]]
            for y, value in zip(partners, previous.scores[start:end], strict=True):
                scored[(x, y) if x < y else (y, x)] = value
            add(x, partners, previous.scores[start:end])
        if touched is not None:
            touched.update(probing)
            was = [carried.was[x] for x in probing]
            touched.update(_partners_before(previous, carried, [*was, *gone]))
    if probing is None and touched is not None:
        touched.update(tier.members)  # their partners before are not known
    in_order = len(found.probers)  # those taken over, in the tier's order
    searched = len(tier.members) if probing is None else len(probing)
    memory.probed += searched
    memory.reused += len(tier.members) - searched
    for group in _groups(items, tier):
        for x, candidates in _probe(items, group, tier.features, tier.needed, df, probing):
            values = [score(*((x, y) if x < y else (y, x))) for y in candidates]
            if any(values):
                partners = [y for y, v in zip(candidates, values, strict=True) if v]
                add(x, partners, [v for v in values if v])
                if touched is not None:
                    touched.update(partners)
    return _by_prober(found, in_order)


def _pairs_of(numbers: array[int]) -> set[tuple[int, int]]:
    """The pairs of a flat array of item numbers, two by two (``KnownPairs.quoted_in_plain``)."""
    return set(zip(numbers[::2], numbers[1::2], strict=True))


def _partners_before(previous: TierPairs, carried: _Carried, probers: Iterable[int]) -> Iterator[int]:
    """The partners that ``probers`` (previous item numbers; -1 for none)
    had in ``previous``, as this merge numbers them (those still in it)."""
    for before in probers:
        place = bisect.bisect_left(previous.probers, before)
        if before < 0 or place == len(previous.probers) or previous.probers[place] != before:
            continue
        start = previous.ends[place - 1] if place else 0
        now = map(carried.now.__getitem__, previous.partners[start : previous.ends[place]])
        yield from (number for number in now if number >= 0)


def _by_prober(found: TierPairs, in_order: int = 0) -> TierPairs:
    """``found`` in ascending order of its probers, each once: a sentence of
    several topics probes once in each.

    Its first ``in_order`` probers are so already, and none of them probes
    again after (the members whose partners were taken over, in the order
    of the tier): only the others are put in order, and they go in between
    those as whole runs, copied at once (after an edit, a few hundred
    probers among a hundred thousand)."""
    ordered = TierPairs(found.df, array("l"), array("l"), array("l"), array("d"))
    done = 0  # the probers in order copied so far

    def copy_in_order(until: int) -> None:
        nonlocal done
        start, end = found.ends[done - 1] if done else 0, found.ends[until - 1] if until else 0
        shift = len(ordered.partners) - start
        ordered.probers.extend(found.probers[done:until])
        ordered.partners.extend(found.partners[start:end])
        ordered.scores.extend(found.scores[start:end])
        ordered.ends.extend(map(shift.__add__, found.ends[done:until]))
        done = until

    places = sorted(range(in_order, len(found.probers)), key=found.probers.__getitem__)
    for x, same in itertools.groupby(places, key=found.probers.__getitem__):
        partners: dict[int, float] = {}
        for place in same:
            start, end = found.ends[place - 1] if place else 0, found.ends[place]
            partners.update(zip(found.partners[start:end], found.scores[start:end], strict=True))
        copy_in_order(bisect.bisect_left(found.probers, x, done, in_order))
        ordered.probers.append(x)
        ordered.partners.extend(partners)
        ordered.scores.extend(partners.values())
        ordered.ends.append(len(ordered.partners))
    copy_in_order(in_order)
    return ordered


def _reusable(
    items: Sequence[_Item],
    tier: _Tier,
    df: Mapping[Hashable, int],
    previous: TierPairs,
    carried: _Carried,
) -> Iterator[tuple[int, list[Hashable], int]]:
    """Each probing member ``x`` whose partners may have changed, with its
    prefix, to search again; and each whose partners cannot have changed and
    who had some, with no prefix but its place in ``previous``.

    A member finds its partners in the postings of its prefix's features
    (``_probe``). They are the same as before when it is unchanged (same
    fingerprint), its prefix is the same, and no feature of the prefix
    stands in a member that came or went: then each posting holds the same
    unchanged members, in the same order, and is over or under
    ``POSTING_CAP`` as it was. A member that came has its features in
    ``changed``; one that went, gone from this merge, leaves each of its
    features in fewer members (``counted``), unless one that came has it too.
    """
    old_df = previous.df
    counted = {feature for feature, count in df.items() if old_df.get(feature) != count}
    counted.update(feature for feature in old_df if feature not in df)
    changed = set(counted)
    for number in tier.members:
        if carried.was[number] < 0:
            changed.update(tier.features(items[number]))
    stored, place = previous.probers, 0  # both in ascending order of the previous numbers
    for x in tier.members:
        own = tier.features(items[x])
        before = carried.was[x]
        # Only a member with a feature that changed (``counted`` is part of
        # ``changed``) may have another prefix: most need not be sorted again.
        if before < 0 or not changed.isdisjoint(own):
            prefix = _prefix(own, tier.needed, df)
            if not prefix:
                continue  # it does not probe
            if (
                before < 0
                or not changed.isdisjoint(prefix)
                # a feature now more or less common may reorder the prefix
                or (not counted.isdisjoint(own) and _prefix(own, tier.needed, old_df) != prefix)
            ):
                yield x, prefix, -1
                continue
        while place < len(stored) and stored[place] < before:
            place += 1
        if place < len(stored) and stored[place] == before:
            start = previous.ends[place - 1] if place else 0
            if min(carried.now[y] for y in previous.partners[start : previous.ends[place]]) < 0:
                # cannot be: a partner that went had a feature of the prefix
                yield x, _prefix(own, tier.needed, df), -1
            else:
                yield x, [], place


def _cluster(
    items: Sequence[_Item],
    method: MergeMethod,
    memory: PairMemory | None = None,
    runs: ArticleRuns | None = None,
) -> list[list[int]]:
    """The clusters of ``items``, as their numbers, in order of their first member.

    Best-scoring pairs join first (``_can_join``: complete linkage). A join
    reads only the two clusters' members, so each *component* of the pairs
    (sentences linked by a chain of pairs) clusters on its own. With a
    ``memory`` (lexical method), a component none of whose items the
    candidate search touched (``_Scored.touched``) takes its clusters over
    from the previous merge, and only the others are clustered again: its
    items are unchanged and have the partners and scores they had, so it is
    a component of the previous merge, made of the same sentences with the
    same pairs, and clusters alike.

    What this keeps for every sentence of the archive at once is kept to
    flat lists of ints: the clusters of several sentences are the only lists."""
    # Pairs are scored as they are found and only those above zero kept;
    # each is then one int (``_PairKeys``) that sorts as (component, −score,
    # key rank, key rank) would: each component's pairs best first, ties in
    # the order of the two sentence keys (a key is one sentence's: unique);
    # the ranks give the sentences back (``by_key``). Every list of item
    # numbers here holds the int objects of ``numbers``: a number above 256
    # is a new 32-byte object each time one is made.
    numbers = list(range(len(items)))
    by_key = sorted(numbers, key=lambda n: items[n].sentence.key)
    rank = list(numbers)
    for place, number in zip(numbers, by_key, strict=True):
        rank[number] = place
    remembered = memory is not None and method == "lexical"  # cosines are not kept (``_scored_pairs``)
    runs = runs if remembered else None
    fingerprints = _fingerprints(items, runs, memory.known) if memory is not None and remembered else b""
    found = _scored_pairs(items, method, numbers, memory, fingerprints, runs)
    scored = found.pairs
    memory = memory if remembered else None
    component = _components(numbers, scored)
    kept = memory.clusters if memory is not None else None
    # The components to cluster again: all, unless the previous merge's
    # clusters are those of the items whose pairs were taken over.
    again: set[int] | None = None
    if found.touched is not None and kept is not None and kept.made_from == found.previous_digest:
        again = {component[number] for number in found.touched}
    if memory is not None:
        memory.clusters = None
    cluster_of = list(numbers)
    joined: dict[int, list[int]] = {}  # each cluster of two or more, by its first member
    taken_over: set[int] = set()  # the components whose clusters are taken over
    if again is not None and kept is not None and found.carried is not None:
        now = found.carried.now
        for cluster in kept:
            # One with an item gone (numbered -1 now, which no component is
            # read for) was in a component its partners, touched, are in.
            mapped = [now[before] for before in cluster]
            if min(mapped) < 0 or component[mapped[0]] in again:
                continue
            numbered = [numbers[number] for number in mapped]
            joined[numbered[0]] = numbered
            for number in numbered:
                cluster_of[number] = numbered[0]
            taken_over.add(component[mapped[0]])
    # Made once the candidate search (and its index) is done, not during it;
    # each pair let go as it is read, since this is the merge's peak of memory.
    keys = _PairKeys(len(numbers).bit_length())
    if again is None:
        order = []
        while scored:
            (a, b), score = scored.popitem()
            order.append(keys.pack(component[a], score, rank[a], rank[b]))
    else:  # the pairs of the components clustered again: few
        order = [
            keys.pack(component[a], score, rank[a], rank[b])
            for (a, b), score in scored.items()
            if component[a] in again
        ]
    del scored, found, component
    order.sort()
    for _, pairs in itertools.groupby(order, key=keys.component):
        scored_pairs = [(by_key[a], by_key[b], score) for score, a, b in map(keys.unpack, pairs)]
        _join_greedily(items, method, scored_pairs, cluster_of, joined)
        if memory is not None:
            memory.components_joined += 1
    del order
    if memory is not None:
        memory.components_reused += len(taken_over)
        made = KeptClusters(_fingerprints_digest(fingerprints), array("l"), array("l"))
        for number in numbers:
            if cluster_of[number] == number and number in joined:
                made.members.extend(joined[number])
                made.ends.append(len(made.members))
        memory.keep_clusters(made)
    return [joined.get(number) or [number] for number in numbers if cluster_of[number] == number]


@dataclass(frozen=True, slots=True)
class _PairKeys:
    """One scored pair as one int that sorts as (component, −score, rank,
    rank) would, for numbers (components, ranks) of ``width`` bits.

    At 5,000 articles the merge orders 250,000 pairs at its peak of memory;
    an int of about 120 bits takes 48 bytes, where the tuple and its float
    took 112. A score is above zero, and a positive float's IEEE 754 bits
    order as its value does, so their complement puts the best first."""

    width: int

    def pack(self, component: int, score: float, first: int, second: int) -> int:
        """The key of a pair of ``score`` between the sentences of key ranks ``first`` and ``second``."""
        bits: int = _FLOAT_BITS.unpack(_FLOAT.pack(score))[0]
        worse = _ALL_64_BITS - bits
        return (((component << 64 | worse) << self.width | first) << self.width) | second

    def component(self, key: int) -> int:
        return key >> (64 + 2 * self.width)

    def unpack(self, key: int) -> tuple[float, int, int]:
        """The score and the two ranks of ``key``."""
        mask = (1 << self.width) - 1
        worse = (key >> 2 * self.width) & _ALL_64_BITS
        score: float = _FLOAT.unpack(_FLOAT_BITS.pack(_ALL_64_BITS - worse))[0]
        return score, (key >> self.width) & mask, key & mask


_FLOAT, _FLOAT_BITS = struct.Struct("<d"), struct.Struct("<Q")
_ALL_64_BITS = (1 << 64) - 1


def _components(numbers: list[int], scored: Iterable[tuple[int, int]]) -> list[int]:
    """Each item's component: the smallest number linked to it by a chain of ``scored`` pairs."""
    root = list(numbers)

    def find(number: int) -> int:
        while root[number] != number:
            root[number] = root[root[number]]
            number = root[number]
        return number

    for a, b in scored:
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)
    return [find(number) for number in numbers]


def _join_greedily(
    items: Sequence[_Item],
    method: MergeMethod,
    pairs: Iterable[tuple[int, int, float]],
    cluster_of: list[int],
    joined: dict[int, list[int]],
) -> None:
    """Join the clusters of each of ``pairs`` in turn, best first, where
    ``_can_join`` lets them; ``cluster_of`` and ``joined`` are updated."""
    for a, b, _ in pairs:
        ca, cb = cluster_of[a], cluster_of[b]
        if ca == cb:
            continue
        left, right = joined.get(ca) or [ca], joined.get(cb) or [cb]
        if not _can_join(items, left, right, method):
            continue
        for member in right:
            cluster_of[member] = ca
        left.extend(right)
        joined[ca] = left
        joined.pop(cb, None)


def _can_join(items: Sequence[_Item], left: list[int], right: list[int], method: MergeMethod) -> bool:
    """Complete linkage: every cross pair similar, and one sentence per article.

    A group that holds a quotation printed by two or more outlets joins only
    by containment: a paraphrase in reported speech would turn the quote into
    a fact (see ``_statement``) and hide words that several outlets printed.
    """
    articles = {items[i].sentence.article for i in left}
    if any(items[j].sentence.article in articles for j in right):
        return False
    if sum(items[i].quote is not None for i in (*left, *right)) >= 2:
        return all(containment(items[i], items[j]) > 0 for i in left for j in right)
    return all(similarity(items[i], items[j], method) > 0 for i in left for j in right)


def _statements(cluster: list[_Item]) -> list[Statement]:
    """The statement of ``cluster``; and when a quotation joined it as a
    paraphrase, the quotation too, as a quote statement of its own sources.

    Such a cluster is shown in the reporter's words, which every source
    reports, never as words one of them did not print; the quotation stays a
    quote (the quotes section lists it) credited only to the outlet that
    printed it.
    """
    quoted = [i for i in cluster if i.quote is not None]
    if quoted and not _all_contained(cluster):
        return [
            _statement(cluster, as_quote=False),
            _statement(quoted, salt="#quote"),
        ]
    return [_statement(cluster)]


def _all_contained(cluster: list[_Item]) -> bool:
    """Whether every pair of ``cluster`` is contained one in the other.

    Each pair once, as containment reads its two sentences alike (tested);
    and sources with the same sentence, quote and speaker (a boilerplate line: the
    largest clusters are hundreds of copies of a few) have the same
    features, so one pair of each two such groups is compared, and one pair
    within each group of two or more."""
    alike: dict[tuple[str, str | None, str | None], list[_Item]] = {}
    for item in cluster:
        quote = item.quote
        said = (quote.text, quote.speaker) if quote is not None else (None, None)
        alike.setdefault((item.sentence.text, *said), []).append(item)
    groups = list(alike.values())
    return all(containment(group[0], group[1]) > 0 for group in groups if len(group) > 1) and all(
        containment(a[0], b[0]) > 0 for a, b in itertools.combinations(groups, 2)
    )


def _statement(cluster: list[_Item], as_quote: bool = True, salt: str = "") -> Statement:
    if len(cluster) == 1:  # most sentences: nothing to order or choose between
        shown = cluster[0]
    else:
        cluster = sorted(
            cluster, key=lambda i: (i.document.article.date, i.document.article.outlet, i.sentence.key)
        )
        ranks = _shown_ranks(cluster)
        # The first of the best, as ``max`` picks; in reported speech, of those without quote marks.
        shown = cluster[
            max((n for n, i in enumerate(cluster) if as_quote or i.quote is None), key=ranks.__getitem__)
        ]
    quoted = [i for i in cluster if i.quote is not None] if as_quote else []
    kind: StatementKind = "quote" if quoted else "fact"
    if quoted:
        shown = shown if shown.quote is not None else quoted[0]
        assert shown.quote is not None
        text = shown.quote.text
        speakers = [i.quote.speaker for i in quoted if i.quote is not None and i.quote.speaker]
        # The name most sources give; of two as often, the fuller ("Tomas Berg", not "Berg").
        speaker = max(sorted(set(speakers)), key=lambda s: (speakers.count(s), len(s))) if speakers else None
    else:
        text, speaker = shown.sentence.text, None
    given = {i.topics for i in cluster}  # each ``assignment.of`` its sentence (``_items``)
    # Mostly one set, the assignment's own: shared, not copied per statement.
    topics = given.pop() if len(given) == 1 else frozenset().union(*given)
    first = cluster[0].sentence.key
    return Statement(
        id=_short_id(first, salt),
        kind=kind,
        text=text,
        speaker=speaker,
        sources=tuple(_citation(i) for i in cluster),
        topics=topics,
        # One source: one origin, whatever the wire copies (``briefing.with_origins``).
        origins=((cluster[0].document.article.slug,),) if len(cluster) == 1 else (),
    )


def _shown_ranks(cluster: list[_Item]) -> list[tuple[bool, bool, float, int]]:
    """Which source's words to show, as a rank per source of ``cluster``: first
    one whose figures every source gives (a paraphrase may leave a figure
    out: "deployed in 2020" beside "sent 300 troops in 2020"), then one whose
    names every source gives (in any case: "late on Wednesday" is not shown
    for an outlet that gave no day), then the one best contained in the
    others, then the shorter.

    A source's figures are in every source when they are in the figures
    all sources share: one intersection, not a test per pair; likewise its
    names, among the few the cluster's sources name."""
    if len(cluster) == 1:
        return [(True, True, 1.0, -len(cluster[0].sentence.text))]
    everywhere = frozenset(cluster[0].numbers).intersection(*(i.numbers for i in cluster[1:]))
    named = {name for item in cluster for name in item.names}
    named_everywhere = {name for name in named if all(_prints(i, name) for i in cluster)}
    # Sources of the same words share their share: each set is compared once.
    sources_of = Counter(i.words for i in cluster)
    contained = {words: _contained_in_others(words, sources_of) for words in sources_of}
    return [
        (
            everywhere.issuperset(item.numbers),
            named_everywhere.issuperset(item.names),
            contained[item.words],
            -len(item.sentence.text),
        )
        for item in cluster
    ]


def _contained_in_others(words: Words, sources_of: Mapping[Words, int]) -> float:
    """How much of a source's ``words`` the other sources hold (``sources_of``:
    how many sources have each set of words): the least-contained source
    decides, as the shown text must hold in every source."""
    own = frozenset(words)
    size = max(1, len(own))
    return min(
        len(own.intersection(other)) / size
        for other, count in sources_of.items()
        if other != words or count > 1
    )


def _citation(item: _Item) -> Citation:
    return item.document.cite(item.sentence)
