"""Where outlets differ: one point reported with different figures, dates or roles.

A disagreement is shown to the reader as a warning, so a false one misleads;
the rules below are built to say nothing rather than something doubtful.
Statements that merely add a detail ("in December 2020" beside "in 2020",
an extra clause) are never disagreements. Three kinds are found:

* **role**: outlets give one person titles with the same head noun but
  different words, neither containing the other ("armed forces minister" and
  "Defence Minister"); a "close ally" beside a "founder" is two facts, not a
  disagreement. Roles come from ``people.find_people``.
* **number** and **date** in *parallel sentences*: two sentences of
  different outlets that share at least three content words (figures aside),
  one saying nothing the other does not, whose exact figures for the same
  thing differ: "killed 12 people" and "killed 15 people"; "£20 million" and
  "£25 million"; "in 2019" and "in 2020"; "on Monday" and "on Tuesday". A
  figure only one side gives is a detail; an approximate one ("more than
  12", "some 300") or a range can agree with anything near it, so neither
  is ever a disagreement.
* **date** by *timing frame*: the same span of time used for two different
  things in sentences of different outlets on one topic that share a content
  word: "within the next six months" (a span from now) and "six months
  earlier than planned" (an offset from a plan).

Every variant is verbatim text of its sources (a role, a clause or the whole
sentence) with the citations of the sentences that carry it; the ``about``
label is built from the sources' own words.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.files import load_pickle, save_pickle
from generator.merge import STOPWORDS, Words, content_words, english_stemmer, holds, sorted_words, words_of
from generator.model import (
    Citation,
    Disagreement,
    DisagreementKind,
    Document,
    Entity,
    Sentence,
    TopicAssignment,
    Variant,
)
from generator.people import MONTHS, WEEKDAYS, citation_order

NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER = r"(?i:\d[\d,]*(?:\.\d+)?|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
TIME_UNIT = r"(?:hour|day|week|fortnight|month|year|decade)s?"

SPAN = re.compile(
    rf"\b(?:within|in|over|for|during|inside)\s+(?:the\s+)?(?:next\s+|coming\s+|past\s+|last\s+|first\s+)?"
    rf"(?P<n>{NUMBER})\s+(?P<unit>{TIME_UNIT})\b"
    rf"|\b(?P<n2>{NUMBER})-(?P<unit2>{TIME_UNIT})\b",
    re.IGNORECASE,
)
"""A span of time: "within the next six months", "for three years", "a three-year deployment"."""
OFFSET = re.compile(
    rf"\b(?P<n>{NUMBER})\s+(?P<unit>{TIME_UNIT})\s+(?:earlier|later|sooner|ahead|early|late|ago)\b",
    re.IGNORECASE,
)
"""A shift in time: "six months earlier than planned", "two days ago". ("Two days
after the vote" is left out: its anchor is another event, not a plan or now.)"""
SPAN_BEFORE = re.compile(
    r"\b(?:within|in|over|for|during|inside)\s+(?:the\s+)?(?:(?:next|coming|past|last|first)\s+)?$",
    re.IGNORECASE,
)
"""A span preposition right before a figure: "in six hours later" is still a span."""

FIGURE = re.compile(
    rf"\b(?P<n>{NUMBER})(?:\s+(?P<times>{'|'.join(MULTIPLIERS)}))?(?:\s+|-)(?P<unit>[a-z]+)\b"
)
"""A figure and the word it counts: "12 people", "two million people", "300-strong"."""
CURRENCY = re.compile(
    r"(?P<cur>[£$€¥])\s?(?P<n>\d[\d,]*(?:\.\d+)?)(?:\s*(?P<times>thousand|million|billion|bn|m|k)\b)?"
)
"""A sum of money: "£20 million", "$1.5bn"."""
CURRENCY_TIMES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}
HEDGE = re.compile(
    r"(?:\b(?:more\s+than|fewer\s+than|less\s+than|over|under|nearly|almost|about|around|some|roughly|"
    r"approximately|up\s+to|at\s+least|at\s+most|as\s+many\s+as|estimated|between)\s+"
    r"|\d\s*(?:to|and|or)\s+|\d\s*[-–]\s*)$",
    re.IGNORECASE,
)
"""Words that make a figure approximate or part of a range: never a disagreement."""
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
COUNTED = re.compile(r"\s+(?P<unit>[a-z]+)\b")
"""The word after a year-shaped number: "1968 people" counts people."""
YEAR_BEFORE = re.compile(
    r"\b(?:in|of|since|by|until|till|from|before|after|during|the|a|an|its|their|his|her|our|this|"
    r"last|next)\s+$",
    re.IGNORECASE,
)
"""Words after which a year-shaped number is a year ("in 2020", "the 2020
elections"), whatever word follows it."""
TIME_WORDS = frozenset("hour hours day days week weeks month months year years decade decades".split())
PARALLEL_MIN_SHARED = 3
"""Parallel sentences share at least this many content words."""
CLAUSE = re.compile(r"[^,;:—–]+")
LEADING_CONJUNCTION = re.compile(r"^(?:but|and|while|although|though|yet|so)\s+", re.IGNORECASE)


Figures = tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
"""Unit ("people", "calendar year", "weekday") → each value given for it →
the figure as printed ("12 people"), in the order the sentence gives them.

Tuples, not dicts: the items of every sentence with a figure are alive
together, and a dict of one dict took 370 bytes where these take 150;
a sentence gives few units, so a lookup (``_given``) reads them all."""


@dataclass(frozen=True, slots=True)
class _Item:
    """A sentence prepared for comparison."""

    document: Document
    sentence: Sentence
    words: Words
    """Content words without figures and time units."""
    figures: Figures
    topics: frozenset[str]
    stems: Words
    """The Snowball stem of each of ``words`` (see ``_parallel_stems``).

    Both are sorted tuples of interned strings, not sets: the items of every
    sentence with a figure are alive together, and a set of a dozen words
    takes four times the memory of a tuple. The few tests that intersect
    them make a set of one side."""
    timings: tuple[TimingRow, ...] = ()
    """The spans of time the sentence gives (``_timing_rows``)."""

    @property
    def outlet(self) -> str:
        return self.document.article.outlet


TimingRow = tuple[str, int, str, str, str]
"""A span of time a sentence gives: a ``_Timing``'s frame, value, unit, clause
and expression."""

Prepared = tuple[int, Words, Figures, Words, tuple[TimingRow, ...]]
"""A sentence prepared for the figure and timing checks, from its text
alone: its index in the document, then the ``_Item``'s words, figures,
stems and timings."""


def prepare(document: Document) -> tuple[Prepared, ...]:
    """The half of the figure and timing checks that reads one article: each
    sentence with a figure or a span of time, prepared (``Prepared``); the
    others, which neither check can use, are left out. Reading one article
    only, it runs on every core and is kept between builds by the article's
    content (``article_cache``): at 5,000 articles most of this stage's time."""
    prepared = []
    for sentence in document.sentences:
        if sentence.is_heading:
            continue
        text = sentence.text
        figures = _figures(text)
        if not figures and not _TIME_CUE.search(text):
            continue
        words = frozenset(w for w in content_words(text) if _counts_as_word(w))
        prepared.append((sentence.index, sorted_words(words), figures, _stems(words), _timing_rows(text)))
    return tuple(prepared)


def find_disagreements(
    documents: Sequence[Document],
    assignment: TopicAssignment,
    entities: Iterable[Entity],
    prepared: Iterable[tuple[Prepared, ...]] | None = None,
    memory: SupersetMemory | None = None,
) -> tuple[Disagreement, ...]:
    """Every point the outlets report differently, by kind and label.

    ``prepared``: ``prepare`` of each of ``documents``, in order, if already
    made (by worker processes or from the cache); read one article at a
    time, so a copy needs memory for one article's strings only.
    ``memory``: the parallel stem sets of the last build, reused where they
    still stand, and left there for the next (``SupersetMemory``)."""
    if prepared is None:
        prepared = (prepare(document) for document in documents)
    items = [
        _item(document, document.sentences[index], words, figures, stems, timings, assignment)
        for document, found in zip(documents, prepared, strict=True)
        for index, words, figures, stems, timings in found
    ]
    found = [*_role_disagreements(entities, documents, assignment), *_figure_disagreements(items, memory)]
    seen: set[frozenset[str]] = {_keys(d) for d in found}
    for disagreement in _timing_disagreements(items):
        if _keys(disagreement) not in seen:
            seen.add(_keys(disagreement))
            found.append(disagreement)
    return tuple(sorted(found, key=lambda d: (d.kind, d.about, [citation_order(c) for c in _sources(d)])))


def _sources(disagreement: Disagreement) -> list[Citation]:
    return sorted((c for v in disagreement.variants for c in v.sources), key=citation_order)


def _keys(disagreement: Disagreement) -> frozenset[str]:
    return frozenset(c.key for c in _sources(disagreement))


# --------------------------------------------------------------------------
# Roles


def _role_disagreements(
    entities: Iterable[Entity], documents: Sequence[Document], assignment: TopicAssignment
) -> list[Disagreement]:
    sentences = {(d.article.slug, s.id): s for d in documents for s in d.sentences}
    found = []
    for entity in entities:
        if entity.kind != "person":
            continue
        by_head: dict[str, list[Variant]] = defaultdict(list)
        for role in entity.roles:
            by_head[role_head(role.text)].append(role)
        for roles in by_head.values():
            differing = [r for r in roles if any(_conflicting_roles(r, o) for o in roles if o is not r)]
            if len(differing) < 2:
                continue
            topics = frozenset().union(
                *(
                    assignment.of(sentences[(c.article, c.sentence)])
                    for role in differing
                    for c in role.sources
                )
            )
            found.append(
                Disagreement(
                    about=f"Role of {entity.name}", variants=tuple(differing), kind="role", topics=topics
                )
            )
    return found


def role_head(role: str) -> str:
    """The noun a role is built on: "armed forces minister" → "minister";
    "close ally of President Ruto" → "ally"."""
    head = re.split(r"\b(?:of|for|at|in|to|with|on|from)\b", role.lower(), maxsplit=1)[0].split()
    return head[-1] if head else ""


def _conflicting_roles(a: Variant, b: Variant) -> bool:
    """Different words for one title, neither a fuller form of the other, from different outlets."""
    words_a, words_b = set(words_of(a.text)), set(words_of(b.text))
    if words_a <= words_b or words_b <= words_a:
        return False
    return set(a.outlets) != set(b.outlets)


# --------------------------------------------------------------------------
# Figures and dates in parallel sentences


def _item(
    document: Document,
    sentence: Sentence,
    words: Words,
    figures: Figures,
    stems: Words,
    timings: tuple[TimingRow, ...],
    assignment: TopicAssignment,
) -> _Item:
    """A sentence ``prepare``d, with its topics; every string interned again
    (a copy from another process or the cache has its own), so the items
    share one copy of each word."""
    return _Item(
        document,
        sentence,
        tuple(map(sys.intern, words)),
        tuple((sys.intern(unit), values) for unit, values in figures),
        assignment.of(sentence),
        tuple(map(sys.intern, stems)),
        timings,
    )


_NOT_WORDS = frozenset(NUMBER_WORDS) | frozenset(MULTIPLIERS) | WEEKDAYS | MONTHS
"""Content words that are figures or dates, compared as figures instead."""


def _counts_as_word(word: str) -> bool:
    """Is ``word`` a content word for telling parallel sentences (no figure, time unit or date)?"""
    if word in _NOT_WORDS or word.rstrip("s") in TIME_WORDS:
        return False
    # A letter is never a digit: most words need no look at each character.
    return word.isalpha() or not any(ch.isdigit() for ch in word)


def _value(number: str) -> int | None:
    number = number.lower().replace(",", "")
    if number in NUMBER_WORDS:
        return NUMBER_WORDS[number]
    try:
        return round(float(number))
    except ValueError:
        return None


def _given(figures: Figures, unit: str) -> tuple[tuple[int, str], ...]:
    """The values ``figures`` gives for ``unit`` with their printed figures; none if none."""
    for name, values in figures:
        if name == unit:
            return values
    return ()


def _values(item: _Item, unit: str) -> frozenset[int]:
    """The exact values ``item`` gives for ``unit``."""
    return frozenset(value for value, _ in _given(item.figures, unit))


def _counts(text: str, year: re.Match[str]) -> bool:
    """Whether a year-shaped number counts the word after it: "at least 1968
    people displaced", "said 2000 troops would leave"; not "in 2020", "the
    2020 elections", "in 1997.", "2019 to 2021"."""
    after = COUNTED.match(text, year.end())
    if after is None or after.group("unit") in STOPWORDS or after.group("unit") in TIME_WORDS:
        return False
    return YEAR_BEFORE.search(text, 0, year.start()) is None


def _figures(text: str) -> Figures:
    """Unit → exact value → the figure as printed: "12 people" → people: {12: "12
    people"}; "in 2020" → calendar year; "on Monday" → weekday; "in March" →
    month. Approximate figures ("more than 12", "some 300") and ranges are left out."""
    figures: dict[str, dict[int, str]] = defaultdict(dict)
    years = {int(match.group(0)): match.group(0) for match in YEAR.finditer(text) if not _counts(text, match)}
    if years:
        figures["calendar year"] = years
    for match in CURRENCY.finditer(text):
        if HEDGE.search(text[: match.start()]):
            continue
        amount = float(match.group("n").replace(",", ""))
        value = round(amount * CURRENCY_TIMES.get(match.group("times") or "", 1))
        figures[f"amount in {match.group('cur')}"].setdefault(value, match.group(0))
    for match in FIGURE.finditer(text):
        number = _value(match.group("n"))
        unit = match.group("unit")
        if number is None or number in years or unit in STOPWORDS or HEDGE.search(text[: match.start()]):
            continue
        if text[max(0, match.start() - 2) : match.start()].strip() in tuple("£$€¥"):
            continue  # counted as a sum of money above
        if match.group("times"):
            number *= MULTIPLIERS[match.group("times")]
        figures[unit.removesuffix("s") if len(unit) > 3 else unit].setdefault(number, match.group(0))
    capitalised = _CAPITALISED.findall(text)
    for unit, names in (("weekday", _WEEKDAY_ORDER), ("month", _MONTH_ORDER)):
        for word in capitalised:
            if word.lower() in names:
                figures[unit].setdefault(names[word.lower()], word)
    # Units interned: "people" is stored once, not once per sentence.
    return tuple((sys.intern(unit), tuple(values.items())) for unit, values in figures.items())


_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_WEEKDAY_ORDER = {name: number for number, name in enumerate(sorted(WEEKDAYS))}
"""Each weekday's number (in alphabetical order: only equality counts)."""
_MONTH_ORDER = {name: number for number, name in enumerate(sorted(MONTHS - {"may"}))}
"""Each month's number, but "may" (mostly a verb), in alphabetical order."""


def _separable(a: _Item, b: _Item) -> bool:
    """Can ``a`` and ``b`` tell one point two ways: different outlets and articles?

    (Slugs are unique, so an article's sentences all come from one outlet:
    outlets alone decide, which ``_join_across_outlets`` relies on.)"""
    return a.outlet != b.outlet and a.sentence.article != b.sentence.article


def _parallel_stems(a: Words, b: Words) -> bool:
    """Do sentences with stems ``a`` and ``b`` tell the same point, figures aside?

    They must share enough content words, and one must say nothing the other
    does not: words on one side only are a detail, but words on both sides
    may be another place, group or event ("in the north" / "in the south").
    Words are compared on their Snowball stems (``english_stemmer``, as
    the merge's paraphrases), so "killing" matches "killed" but "Niger" is
    not "Nigeria", nor "Austria" "Australia". Two sentences are *parallel* when their
    stems are, they share a content word, and they are ``_separable``."""
    first, second = frozenset(a), frozenset(b)
    return len(first & second) >= PARALLEL_MIN_SHARED and not (first - second and second - first)


def _stems(words: Iterable[str]) -> Words:
    stem = english_stemmer()
    return sorted_words(sys.intern(stem(w)) for w in words)


def _share_a_word(a: Words, b: Words) -> bool:
    return not frozenset(a).isdisjoint(b)


@dataclass(frozen=True, slots=True)
class _Wording:
    """The sentences that have one set of content words.

    Boilerplate that many outlets print, each with its own figures, is one
    wording: any two of its sentences from different outlets are parallel,
    and so are any two sentences of two parallel wordings. The figure check
    reasons over wordings and over the distinct figures each gives, so its
    work grows with those rather than with the square of the number of
    outlets that print one sentence."""

    words: Words
    stems: Words
    sentences: list[_Item]
    """In reading order."""


def _wordings(items: Sequence[_Item]) -> list[_Wording]:
    """``items`` grouped by their content words, in order of first appearance."""
    wordings: dict[Words, _Wording] = {}
    for item in items:
        wording = wordings.get(item.words)
        if wording is None:
            wording = wordings[item.words] = _Wording(item.words, item.stems, [])
        wording.sentences.append(item)
    return list(wordings.values())


_Cells = dict[str, dict[frozenset[int], list[_Item]]]
"""Unit → the exact values a sentence gives for it → the sentences that give
just those, in reading order."""


def _cells(sentences: Iterable[_Item]) -> _Cells:
    cells: _Cells = {}
    for item in sentences:
        for unit, values in item.figures:
            cells.setdefault(unit, {}).setdefault(frozenset(v for v, _ in values), []).append(item)
    return cells


RAREST_STEMS = 3
"""How many of a wording's rarest stems ``_parallel_wordings`` intersects to find its supersets."""


SCAN_RATIO = 16
"""A stem's list of stem sets is scanned when at most this many times as
long as the candidates it narrows; otherwise each candidate is asked."""


def _parallel_wordings(
    wordings: Sequence[_Wording], memory: SupersetMemory | None = None
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i <= j``, sorted, of wordings whose sentences
    are parallel when they are ``_separable`` (``(i, i)`` when a wording has
    several sentences and they are), from the parallel stem sets
    (``_parallel_supersets``)."""
    by_stems: dict[Words, list[int]] = defaultdict(list)
    for number, wording in enumerate(wordings):
        by_stems[wording.stems].append(number)
    pairs: set[tuple[int, int]] = set()
    for stems, supersets in _parallel_supersets(list(by_stems), memory).items():
        for other in supersets:
            for i in by_stems[stems]:
                for j in by_stems[other]:
                    if i == j and len(wordings[i].sentences) == 1:
                        continue  # a sentence is never parallel to itself
                    if (i <= j or other != stems) and _share_a_word(wordings[i].words, wordings[j].words):
                        pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def _parallel_supersets(
    stem_sets: Sequence[Words], memory: SupersetMemory | None = None
) -> dict[Words, list[Words]]:
    """Each of the distinct ``stem_sets`` → those of them, as long or longer,
    that it is parallel to (``_parallel_stems``: then it is a subset of
    them), without comparing every two sets that share a word.

    Looking each set up under its rarest stems (the sets holding all
    ``RAREST_STEMS`` of them) finds every such superset (exact, not a
    guess), and the work grows with the number of near-parallel sets rather
    than with the square of the sets sharing a common word.

    With a ``memory`` of the last build's sets, only new sets are looked up:
    whether two sets are parallel depends on those two alone, so an old
    set's supersets are those it had, less the sets now gone, plus the new
    sets that hold it, found from the other side: each new set asks the sets
    whose rarest stem it has (a subset has every stem of the set it is in)."""
    frequency = Counter(stem for stems in stem_sets for stem in stems)
    known = memory.known if memory is not None else {}
    found_before = {stems: known[stems] for stems in stem_sets if stems in known}
    gained = _supersets_among_new(stem_sets, found_before, frequency) if found_before else {}
    # The sets holding each stem of a set to look up: lists of ints, not sets
    # (a set took 50 bytes an entry, and this index was the largest thing
    # the stage made).
    wanted = {stem for stems in stem_sets if stems not in found_before for stem in stems}
    holding: dict[str, list[int]] = defaultdict(list)
    for number, stems in enumerate(stem_sets):
        for stem in stems:
            if stem in wanted:
                holding[stem].append(number)
    now = set(stem_sets)
    supersets: dict[Words, list[Words]] = {}
    for stems in stem_sets:
        if stems in found_before:
            kept = [other for other in found_before[stems] if other in now]
            itself = [stems] if len(stems) >= PARALLEL_MIN_SHARED else []
            supersets[stems] = itself + kept + gained.get(stems, [])
        elif len(stems) >= PARALLEL_MIN_SHARED:
            supersets[stems] = _looked_up(stems, stem_sets, holding, frequency)
        else:
            supersets[stems] = []
    if memory is not None:
        memory.reused, memory.searched = len(found_before), len(stem_sets) - len(found_before)
        # Each set of three stems or more is its own superset: kept without it,
        # most sets keep the empty tuple, which is stored once.
        memory.keep(
            {stems: tuple(other for other in found if other != stems) for stems, found in supersets.items()}
        )
    return supersets


def _looked_up(
    stems: Words, stem_sets: Sequence[Words], holding: Mapping[str, list[int]], frequency: Counter[str]
) -> list[Words]:
    """The sets ``holding`` lists that are parallel supersets of ``stems``: a
    superset has every one of its stems, so the sets under the rarest,
    narrowed by the next two: by a C-level intersection with a short list,
    or, for a common stem (a long list, at 20,000 articles thousands), by
    asking each of the few candidates."""
    rarest, *others = sorted(stems, key=frequency.__getitem__)[:RAREST_STEMS]  # any ties: the same result
    found = set(holding[rarest])
    for stem in others:
        postings = holding[stem]
        if len(postings) <= SCAN_RATIO * len(found):
            found.intersection_update(postings)
        else:
            found = {j for j in found if holds(stem_sets[j], stem)}
    return [
        stem_sets[j]
        for j in sorted(found)
        if len(stem_sets[j]) >= len(stems) and _parallel_stems(stems, stem_sets[j])
    ]


def _supersets_among_new(
    stem_sets: Sequence[Words], old: Mapping[Words, object], frequency: Counter[str]
) -> dict[Words, list[Words]]:
    """Each old set (a key of ``old``) → the new sets (not in ``old``) it is
    parallel to as a subset: asked of the old sets whose rarest stem each
    new set has."""
    by_rarest: dict[str, list[Words]] = defaultdict(list)
    for stems in old:
        if len(stems) >= PARALLEL_MIN_SHARED:
            by_rarest[min(stems, key=frequency.__getitem__)].append(stems)
    gained: dict[Words, list[Words]] = defaultdict(list)
    for other in stem_sets:
        if other in old:
            continue
        for stem in other:
            for stems in by_rarest.get(stem, ()):
                if len(other) >= len(stems) and _parallel_stems(stems, other):
                    gained[stems].append(other)
    return gained


@dataclass
class SupersetMemory:
    """The parallel stem sets of the last build (``_parallel_supersets``),
    kept between builds in the cache folder of this code's version, so the
    stems are cut as they were (``_stems``). ``reused`` and ``searched``
    count the stem sets taken over and those looked up anew."""

    known: dict[Words, tuple[Words, ...]] = field(default_factory=dict)
    """Each stem set of the last build → its parallel supersets but itself."""
    path: Path | None = None
    reused: int = 0
    searched: int = 0

    @classmethod
    def load(cls, path: Path) -> SupersetMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps the next build's sets there."""
        known = load_pickle(path, "disagreements' cache")
        return cls(known if isinstance(known, dict) else {}, path)

    def keep(self, known: dict[Words, tuple[Words, ...]]) -> None:
        """Hold ``known`` for the next build: written to ``path`` at once
        (a failure to write only costs speed), else kept here."""
        if self.path is None:
            self.known = known
        else:
            self.known = {}
            save_pickle(self.path, known, "disagreements' cache")


def _figure_disagreements(items: Sequence[_Item], memory: SupersetMemory | None = None) -> list[Disagreement]:
    """For each unit, the groups of parallel sentences whose figures for it
    conflict (both give it, no value in common), joined through shared
    sentences, with the parallel sentences that agree with one of them."""
    with_figures = [item for item in items if item.figures]
    wordings = _wordings(with_figures)
    pairs = _parallel_wordings(wordings, memory)
    cells = {number: _cells(wordings[number].sentences) for pair in pairs for number in pair}
    parallel: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        parallel[i].append(j)
        if i != j:
            parallel[j].append(i)
    # Unit → the sentences with a conflicting figure for it, as a union-find forest by key.
    joined: dict[str, dict[str, str]] = defaultdict(dict)
    for i, j in pairs:
        for unit, cell in cells[i].items():
            other_cell = cells[j].get(unit)
            if other_cell is None or (i == j and len(cell) < 2):
                continue  # no figures to conflict
            for values, sentences in cell.items():
                for other_values, others in other_cell.items():
                    if not values & other_values:
                        _join_across_outlets(joined[unit], sentences, others)
    by_key = {item.sentence.key: item for item in with_figures}
    wording_of = {item.sentence.key: number for number in cells for item in wordings[number].sentences}
    found = []
    for unit, parent in sorted(joined.items()):
        for component in _components(parent, by_key):
            agreeing = _agreeing(unit, component, cells, parallel, wording_of)
            found.append(_figure_disagreement(unit, component + agreeing))
    return found


def _hubs(items: Sequence[_Item]) -> list[_Item]:
    """The first of ``items`` and the first from another outlet than it, if
    any: a sentence ``_separable`` from one of ``items`` is from one of these."""
    first = items[0]
    other = next((item for item in items if item.outlet != first.outlet), None)
    return [first] if other is None else [first, other]


def _join_across_outlets(parent: dict[str, str], sentences: Sequence[_Item], others: Sequence[_Item]) -> None:
    """Join, in ``parent``, each of ``sentences`` with each of ``others`` it is ``_separable`` from.

    Not pair by pair: each sentence is joined with the ``_hubs`` of the
    other side it is separable from (at least one of them, if any sentence
    there is), which links the same groups. Take x and y, from outlets
    c ≠ d, and h, g hubs of y's and x's side joined with x and with y. If h
    and g are separable: x–h–g–y. If not, they share an outlet e, and x is
    not separable from the other hub h′ of y's side (else joined with it
    too, and h′ is separable from g), so h′ is from c, and likewise g′ from
    d: x–h–g′–h′–g–y, each step between two outlets."""
    for side, other_side in ((sentences, others), (others, sentences)):
        for hub in _hubs(other_side):
            for item in side:
                if _separable(item, hub):
                    _join(parent, hub.sentence.key, item.sentence.key)


def _join(parent: dict[str, str], a: str, b: str) -> None:
    parent.setdefault(a, a)
    parent.setdefault(b, b)
    parent[_root(parent, b)] = _root(parent, a)


def _root(parent: dict[str, str], key: str) -> str:
    while parent[key] != key:
        parent[key] = parent[parent[key]]  # halve the path: later look-ups are shorter
        key = parent[key]
    return key


def _components(parent: dict[str, str], by_key: Mapping[str, _Item]) -> list[list[_Item]]:
    """The joined groups of sentences, each in reading order, by their first sentence."""
    groups: dict[str, list[_Item]] = defaultdict(list)
    for key in sorted(parent):
        groups[_root(parent, key)].append(by_key[key])
    return sorted(groups.values(), key=lambda group: group[0].sentence.key)


def _agreeing(
    unit: str,
    component: list[_Item],
    cells: Mapping[int, _Cells],
    parallel: Mapping[int, list[int]],
    wording_of: Mapping[str, int],
) -> list[_Item]:
    """Sentences parallel to one in ``component`` that give one of its figures:
    more sources for a variant. (``cells``: the sentences of each wording by
    figures; ``parallel``: the wordings parallel to each; ``wording_of``:
    each sentence's wording, by key.)"""
    keys = {item.sentence.key for item in component}
    values = {_values(item, unit) for item in component}
    # Wording → the sentences of ``component`` parallel to its sentences when separable.
    beside: dict[int, list[_Item]] = defaultdict(list)
    for member in component:
        for number in parallel.get(wording_of[member.sentence.key], ()):
            beside[number].append(member)
    extra: dict[str, _Item] = {}
    for number, members in beside.items():
        hubs = _hubs(members)
        by_values = cells[number].get(unit, {})
        for value in values & by_values.keys():
            for other in by_values[value]:
                key = other.sentence.key
                if key not in keys and any(_separable(other, hub) for hub in hubs):
                    extra[key] = other
    return [extra[key] for key in sorted(extra)]


def _figure_disagreement(unit: str, items: list[_Item]) -> Disagreement:
    """One variant per figure as printed ("12 people"), with every sentence that prints it."""
    by_figure: dict[tuple[frozenset[int], str], list[_Item]] = defaultdict(list)
    for item in items:
        by_figure[(_values(item, unit), _printed(item, unit).casefold())].append(item)
    variants = [_variant(_printed(group[0], unit), group) for group in by_figure.values()]
    variants.sort(key=lambda v: citation_order(v.sources[0]))
    kind: DisagreementKind = "date" if unit in ("calendar year", "weekday", "month") else "number"
    first, second = variants[0].sources[0].text, variants[1].sources[0].text
    phrase = shared_phrase(first, second)
    if unit.startswith("amount in "):
        about = f"Amount ({unit.removeprefix('amount in ')})"
    elif kind == "number":
        word = re.search(rf"\b{re.escape(unit)}\w*", first, re.IGNORECASE)
        about = f"Number of {word.group(0) if word else unit}"
    else:
        about = f"Date: “{phrase}”" if phrase else "Date"
    return Disagreement(
        about=about,
        variants=tuple(variants),
        kind=kind,
        topics=frozenset().union(*(i.topics for i in items)),
    )


def _printed(item: _Item, unit: str) -> str:
    """The figure as the sentence prints it ("12 people"); the whole sentence when
    it gives several figures for the unit."""
    values = _given(item.figures, unit)
    return values[0][1] if len(values) == 1 else item.sentence.text.strip()


def _variant(text: str, items: Iterable[_Item]) -> Variant:
    sources = tuple(sorted((i.document.cite(i.sentence) for i in items), key=citation_order))
    return Variant(text=text, sources=sources)


def shared_phrase(a: str, b: str) -> str:
    """The longest run of words ``a`` and ``b`` share (case aside) within one clause,
    as printed in ``a``; figures excluded; at least two words, one of them a
    content word, else ''."""
    tokens_a = list(re.finditer(r"[\w’'\-]+|[^\w\s]", a))
    words_a = [t.group(0).lower() for t in tokens_a]
    words_b = [t.lower() for t in re.findall(r"[\w’'\-]+|[^\w\s]", b)]

    def usable(word: str) -> bool:
        return word[:1].isalpha() and not any(ch.isdigit() for ch in word)

    best = (0, 0)
    for i in range(len(words_a)):
        for j in range(len(words_b)):
            length = 0
            while (
                i + length < len(words_a)
                and j + length < len(words_b)
                and words_a[i + length] == words_b[j + length]
                and usable(words_a[i + length])
            ):
                length += 1
            if length > best[0]:
                best = (length, i)
    length, start = best
    run = words_a[start : start + length]
    if length < 2 or all(w in STOPWORDS for w in run):
        return ""
    return a[tokens_a[start].start() : tokens_a[start + length - 1].end()]


# --------------------------------------------------------------------------
# One span of time, two frames


@dataclass(frozen=True, slots=True)
class _Timing:
    item: _Item
    frame: str
    """"span" (within / for / in N units, an N-unit …) or "offset" (N units earlier / ago)."""
    value: int
    unit: str
    clause: str
    """The clause that holds the expression, verbatim."""
    expression: str


_TIME_CUE = re.compile(r"(?i:hour|day|week|fortnight|month|year|decade)")
"""Every ``SPAN`` and ``OFFSET`` holds a time unit: a sentence without one has no timing."""


def _timings(item: _Item) -> list[_Timing]:
    return [_Timing(item, *row) for row in item.timings]


def _timing_rows(text: str) -> tuple[TimingRow, ...]:
    """The spans of time ``text`` gives, each as a ``_Timing`` without its
    item: a function of the text alone, so found in ``prepare``, one article
    at a time, and kept between builds."""
    if not _TIME_CUE.search(text):
        return ()
    found = []
    for frame, pattern in (("offset", OFFSET), ("span", SPAN)):  # offsets first: see below
        for match in pattern.finditer(text):
            if frame == "offset" and SPAN_BEFORE.search(text[: match.start()]):
                continue
            number = match.group("n") or match.groupdict().get("n2")
            unit = match.group("unit") or match.groupdict().get("unit2")
            if number is None or unit is None:
                continue
            value = _value(number)
            if value is None:
                continue
            clause = next(
                (c for c in CLAUSE.finditer(text) if c.start() <= match.start() and match.end() <= c.end()),
                None,
            )
            clause_text = LEADING_CONJUNCTION.sub("", clause.group(0).strip()).rstrip(".!?") if clause else ""
            expression = re.search(rf"{re.escape(number)}[\s-]+{re.escape(unit)}", match.group(0))
            found.append(
                (
                    frame,
                    value,
                    unit.lower().removesuffix("s"),
                    clause_text or text,
                    expression.group(0) if expression else match.group(0),
                )
            )
    # An offset expression also reads as a bare span; keep the offset only.
    offsets = {(value, unit, clause) for frame, value, unit, clause, _ in found if frame == "offset"}
    return tuple(row for row in found if row[0] == "offset" or row[1:4] not in offsets)


def _timing_disagreements(items: Sequence[_Item]) -> list[Disagreement]:
    """One disagreement per span of time ("six months") whose frames differ between
    outlets on one point; outlets that print the same clause share a variant."""
    by_amount: dict[tuple[int, str], list[_Timing]] = defaultdict(list)
    for timing in (t for item in items for t in _timings(item)):
        by_amount[(timing.value, timing.unit)].append(timing)
    found = []
    for _, group in sorted(by_amount.items()):
        # Spans by offsets only, in the order of ``group``: not every two timings.
        spans = [t for t in group if t.frame == "span"]
        offsets = [t for t in group if t.frame == "offset"]
        pairs = [(a, b) for a in spans for b in offsets if _same_point(a.item, b.item)]
        for component in _timing_components(pairs):
            by_clause: dict[str, list[_Timing]] = defaultdict(list)
            for timing in component:
                by_clause[timing.clause.casefold()].append(timing)
            variants = sorted(
                (_variant(same[0].clause, [t.item for t in same]) for same in by_clause.values()),
                key=lambda v: citation_order(v.sources[0]),
            )
            first = min(component, key=lambda t: citation_order(t.item.document.cite(t.item.sentence)))
            shared = [t.item.topics for t in component]
            found.append(
                Disagreement(
                    about=f"Timing: “{first.expression}”",
                    variants=tuple(variants),
                    kind="date",
                    topics=frozenset.intersection(*shared) or frozenset().union(*shared),
                )
            )
    return found


def _timing_components(pairs: list[tuple[_Timing, _Timing]]) -> list[list[_Timing]]:
    """Connected groups of timings, each in reading order."""
    parent: dict[int, int] = {}
    by_id: dict[int, _Timing] = {}

    def root(key: int) -> int:
        while parent[key] != key:
            key = parent[key]
        return key

    for a, b in pairs:
        for timing in (a, b):
            by_id[id(timing)] = timing
            parent.setdefault(id(timing), id(timing))
        parent[root(id(b))] = root(id(a))
    groups: dict[int, list[_Timing]] = defaultdict(list)
    for key, timing in by_id.items():
        groups[root(key)].append(timing)
    ordered = [sorted(g, key=lambda t: (t.item.sentence.key, t.clause)) for g in groups.values()]
    return sorted(ordered, key=lambda g: (g[0].item.sentence.key, g[0].clause))


def _same_point(a: _Item, b: _Item) -> bool:
    """Different outlets, one topic, and a content word in common."""
    return a.outlet != b.outlet and bool(a.topics & b.topics) and _share_a_word(a.words, b.words)
