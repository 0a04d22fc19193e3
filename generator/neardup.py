"""Near-duplicate text: MinHash fingerprints of word shingles, with an LSH index.

News travels as wire copy: one agency story is published by many outlets,
each with its own headline, a paragraph cut here, a credit line ("(Reuters)")
added there. To the import stage such a copy is the same article under
another address; to a briefing it is one report, not several independent
ones. This module answers "is this text (nearly) the same as one we have?"
without comparing every pair of articles.

How:

- A text becomes the set of its word *shingles*: every run of
  ``SHINGLE_WORDS`` consecutive words, case-folded, punctuation ignored.
  Two texts' shingle sets overlap in proportion to how much running text
  they share; the Jaccard index |A ∩ B| / |A ∪ B| is the similarity we want.
- A ``Fingerprint`` keeps ``NUM_HASHES`` MinHash values of that set: for
  each of ``NUM_HASHES`` hash functions, the smallest hash of any shingle.
  The chance that two sets have the same minimum under one function is
  exactly their Jaccard index, so the share of equal positions estimates
  it (standard error about 0.045 at 128 hashes), and a fingerprint is a
  fixed size however long the article.
- ``NearDuplicateIndex`` files each fingerprint under ``BANDS`` keys (one
  per band of ``ROWS`` consecutive values, "locality-sensitive hashing").
  Texts that share any key are candidates; only those are compared. With
  64 bands of 2 rows, a pair at Jaccard 0.3 shares a key with probability
  0.998 (``1 - (1 - 0.3**2)**64``), an unrelated pair at 0.01 with 0.006,
  so a lookup among thousands of articles looks at a handful.

Everything is deterministic across runs and machines: shingles are hashed
with BLAKE2b (Python's ``hash()`` of a string changes with every process),
and the hash functions' parameters come from a fixed seed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping

SHINGLE_WORDS = 4
"""Words per shingle. Four is long enough that two different reports of one
story rarely share a shingle outside quoted words and names ("the ministry
of defence said"), short enough that a light edit (one word changed) spoils
only the four shingles around it."""

NUM_HASHES = 128
"""MinHash values per fingerprint; the estimate's standard error is
about sqrt(J(1-J)/NUM_HASHES), at most 0.044."""

ROWS = 2
BANDS = NUM_HASHES // ROWS
"""LSH bands of ``ROWS`` values each. Few rows per band make the index
generous: it finds every pair above about 0.3 and leaves the exact decision
to ``similarity``; a wrong candidate costs one comparison of 128 numbers."""

DEFAULT_THRESHOLD = 0.5
"""Estimated shingle Jaccard at or above which two texts are the same
article. Measured on the test set (tests/test_neardup.py): copies of one
wire story with a new headline, a paragraph cut or added, credit lines and
small wording changes score 0.6-0.95; different reports of the same event
by different outlets, which share names, numbers and quotes, score below
0.1. 0.5 sits in the wide gap between, and means "at least half of the
running text of the two together is shared": a copy that keeps only a
third of the story is, by this measure, a different article."""

_PRIME = (1 << 61) - 1  # a Mersenne prime, larger than any 60-bit shingle hash
_EMPTY = _PRIME  # the "minimum" of an empty set: larger than any real value
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _stable_int(data: bytes) -> int:
    """A 60-bit integer from ``data``, the same on every run and machine."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") >> 4


# (a, b) of the hash functions h(x) = (a * x + b) mod _PRIME, from a fixed
# seed: a universal family, far cheaper than hashing each shingle 128 times.
_PERMUTATIONS: tuple[tuple[int, int], ...] = tuple(
    (_stable_int(b"neardup-a-%d" % i) % (_PRIME - 1) + 1, _stable_int(b"neardup-b-%d" % i) % _PRIME)
    for i in range(NUM_HASHES)
)


def words(text: str) -> list[str]:
    """The words of ``text``: letters and digits (apostrophes inside a word
    kept, "’" read as "'"), case-folded and Unicode-normalised (NFKC), so
    that typography, Markdown escapes and punctuation do not count."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return _WORD.findall(folded)


def shingles(text: str) -> set[str]:
    """The set of ``SHINGLE_WORDS``-word runs of ``text`` (a shorter text is
    one shingle of all its words; no words, no shingles)."""
    found = words(text)
    if len(found) <= SHINGLE_WORDS:
        return {" ".join(found)} if found else set()
    return {" ".join(found[i : i + SHINGLE_WORDS]) for i in range(len(found) - SHINGLE_WORDS + 1)}


class Fingerprint:
    """MinHash signature of a text's shingle set; compare with ``similarity``."""

    __slots__ = ("hashes", "size")

    hashes: tuple[int, ...]
    """``NUM_HASHES`` minima, one per hash function."""
    size: int
    """Number of distinct shingles; 0 for a text without words."""

    def __init__(self, hashes: tuple[int, ...], size: int) -> None:
        if len(hashes) != NUM_HASHES:
            raise ValueError(f"a fingerprint has {NUM_HASHES} values, not {len(hashes)}")
        self.hashes = hashes
        self.size = size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and (self.hashes, self.size) == (other.hashes, other.size)

    def __hash__(self) -> int:
        return hash((self.hashes, self.size))

    def __repr__(self) -> str:
        return f"Fingerprint(size={self.size}, hashes=({self.hashes[0]}, ...))"

    def bands(self) -> list[tuple[int, tuple[int, ...]]]:
        """(band number, values) of every LSH band; none for an empty text."""
        if not self.size:
            return []
        return [(band, self.hashes[band * ROWS : (band + 1) * ROWS]) for band in range(BANDS)]


def fingerprint(text: str) -> Fingerprint:
    """The MinHash fingerprint of ``text``'s word shingles (deterministic)."""
    values = [_stable_int(shingle.encode("utf-8")) for shingle in sorted(shingles(text))]
    if not values:
        return Fingerprint((_EMPTY,) * NUM_HASHES, 0)
    hashes = tuple(min((a * x + b) % _PRIME for x in values) for a, b in _PERMUTATIONS)
    return Fingerprint(hashes, len(values))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard index of the two texts' shingle sets, 0.0 to 1.0.

    1.0 for texts with the same words in the same order; about 0.0 for
    unrelated texts. A text without words is similar to nothing (0.0), not
    even to another empty text: there is nothing to call a copy.
    """
    if not a.size or not b.size:
        return 0.0
    same = sum(1 for x, y in zip(a.hashes, b.hashes, strict=True) if x == y)
    return same / NUM_HASHES


class NearDuplicateIndex:
    """Fingerprints by key, filed by LSH band so lookups skip unrelated texts."""

    __slots__ = ("_buckets", "_fingerprints")

    def __init__(self) -> None:
        self._fingerprints: dict[str, Fingerprint] = {}
        self._buckets: defaultdict[tuple[int, tuple[int, ...]], list[str]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._fingerprints)

    def add(self, key: str, fp: Fingerprint) -> None:
        """File ``fp`` under ``key``; a key may be added only once."""
        if key in self._fingerprints:
            raise ValueError(f"key {key!r} is already in the index")
        self._fingerprints[key] = fp
        for band in fp.bands():
            self._buckets[band].append(key)

    def candidates(self, fp: Fingerprint) -> list[str]:
        """Keys sharing at least one LSH band with ``fp``, sorted. Every key
        whose similarity to ``fp`` is 0.3 or more is almost surely among
        them; most others are not."""
        found: set[str] = set()
        for band in fp.bands():
            found.update(self._buckets.get(band, ()))
        return sorted(found)

    def matches(self, fp: Fingerprint, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, float]]:
        """(key, similarity) of the candidates at or above ``threshold``,
        most similar first, then by key."""
        scored = [(key, similarity(fp, self._fingerprints[key])) for key in self.candidates(fp)]
        return sorted(
            ((key, score) for key, score in scored if score >= threshold), key=lambda kv: (-kv[1], kv[0])
        )


def near_duplicate_groups(
    texts: Mapping[str, str], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, ...]]:
    """Groups of keys whose texts are near-duplicates, for texts by key.

    Two texts are linked when their similarity reaches ``threshold``; a group
    is a connected set of linked texts (so a copy of a copy joins the group
    of the original). Only groups of two or more are returned; each group is
    sorted, and the list is sorted, whatever the order of ``texts``.
    """
    index = NearDuplicateIndex()
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for key in sorted(texts):
        fp = fingerprint(texts[key])
        parent[key] = key
        for other, _ in index.matches(fp, threshold):
            first, second = sorted((root(key), root(other)))
            parent[second] = first
        index.add(key, fp)
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for key in sorted(texts):
        groups[root(key)].append(key)
    return sorted(tuple(sorted(members)) for members in groups.values() if len(members) > 1)


__all__ = [
    "DEFAULT_THRESHOLD",
    "Fingerprint",
    "NearDuplicateIndex",
    "fingerprint",
    "near_duplicate_groups",
    "shingles",
    "similarity",
    "words",
]
