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

The hash functions are h(x) = (a * x + b) mod p with p = 2**61 - 1, a
Mersenne prime. Python would compute them exactly with its big integers,
but one at a time: 128 functions times every shingle of every article.
``_minhash`` computes all of them at once with numpy, exactly, in 64-bit
unsigned integers, which cannot hold a * x (up to 122 bits) but can hold
its pieces:

- a and x (both below 2**61) are split into 31-bit halves,
  a = a1 * 2**31 + a0 and x = x1 * 2**31 + x0, so a * x =
  a1*x1 * 2**62 + (a1*x0 + a0*x1) * 2**31 + a0*x0, and each partial
  product is below 2**62;
- since 2**61 = p + 1, 2**61 ≡ 1 (mod p): so 2**62 ≡ 2, and the middle
  term m * 2**31, with m = m1 * 2**30 + m0, is ≡ m1 + m0 * 2**31;
- the folded terms plus b add up to less than 2**64 (bounds in
  ``_affine_mod_prime``), and such a sum s is ≡ (s mod 2**61) + (s >> 61)
  (s mod 2**61 is s & p, p being 61 one bits), which is below 2 * p, so
  one conditional subtraction of p leaves the residue itself.

Every step is exact integer arithmetic, so the values are the very ones
``min((a * x + b) % p for x in shingle_hashes)`` gives (the tests check
this against that formula).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from generator.files import load_pickle, save_pickle

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

_U64 = np.uint64
_Array = npt.NDArray[np.uint64]
_MASK31 = _U64((1 << 31) - 1)
_MASK30 = _U64((1 << 30) - 1)
_P = _U64(_PRIME)
# The parameters as arrays, a split into 31-bit halves, for ``_minhash``.
_A_LOW = np.array([a & ((1 << 31) - 1) for a, _ in _PERMUTATIONS], dtype=np.uint64)
_A_HIGH = np.array([a >> 31 for a, _ in _PERMUTATIONS], dtype=np.uint64)
_B = np.array([b for _, b in _PERMUTATIONS], dtype=np.uint64)
_CHUNK = 128
"""Shingles hashed at once. Small blocks (128 x 128 values of 8 bytes,
128 KiB per temporary array) stay in the processor's cache, which makes
them faster than larger ones, and bound the memory however long the text."""


def _affine_mod_prime(x: _Array, a_low: _Array, a_high: _Array, b: _Array) -> _Array:
    """(a * x + b) mod ``_PRIME`` for every x of the column ``x`` (shape
    (n, 1)) and every function (a, b) (shape (m,), with a = a_high * 2**31 +
    a_low): an (n, m) array, exact for every x, a and b below 2**61.

    No step overflows 64 bits: with a_high, x_high < 2**30 and a_low, x_low
    < 2**31, the 2**62 term 2 * a_high * x_high is < 2**61; ``middle`` is
    < 2**62, so its fold (middle >> 30) + (middle mod 2**30) * 2**31 is
    < 2**32 + 2**61; a_low * x_low < 2**62; b < 2**61. The total is below
    2**63 + 2**61 + 2**32 < 2**64. The operations work in place on two
    arrays: this is the hot loop of the build's wire stage.
    """
    x_low = x & _MASK31
    x_high = x >> _U64(31)
    middle = a_high * x_low  # a * x = a_high*x_high * 2**62 + middle * 2**31 + a_low*x_low
    middle += a_low * x_high
    total = a_high * x_high
    total <<= _U64(1)  # 2**62 ≡ 2 (mod p)
    total += b
    total += middle >> _U64(30)  # middle * 2**31 = (middle >> 30) * 2**61 + ..., and 2**61 ≡ 1
    middle &= _MASK30
    middle <<= _U64(31)
    total += middle
    np.multiply(a_low, x_low, out=middle)
    total += middle
    # total ≡ (total mod 2**61) + (total >> 61) (mod p), which is < 2 * p.
    np.bitwise_and(total, _P, out=middle)
    total >>= _U64(61)
    total += middle
    # The residue is total - p if total >= p, else total; in the latter case
    # total - p wraps around to above 2**64 - p > total, so the minimum of
    # the two is the residue either way.
    np.subtract(total, _P, out=middle)
    np.minimum(total, middle, out=total)
    return total


def _shingle_hashes(found: Iterable[str]) -> _Array:
    """``_stable_int`` of each shingle's UTF-8 bytes, as an array (the
    64-bit digests read big-endian all at once, then shifted to 60 bits)."""
    digests = b"".join([hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in found])
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64) >> _U64(4)


def _minhash(values: _Array) -> tuple[int, ...]:
    """For each hash function (a, b) of ``_PERMUTATIONS``, the smallest
    (a * x + b) mod ``_PRIME`` over ``values`` (non-empty, each below
    2**61): the same integers as the plain formula, computed with numpy."""
    column = values[:, np.newaxis]
    minima = np.full(NUM_HASHES, _P, dtype=np.uint64)
    for start in range(0, len(column), _CHUNK):
        hashed = _affine_mod_prime(column[start : start + _CHUNK], _A_LOW, _A_HIGH, _B)
        np.minimum(minima, hashed.min(axis=0), out=minima)
    return tuple(int(value) for value in minima.tolist())


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


_LAYOUT = np.dtype("<u8")
"""How a fingerprint's values are packed: little-endian 64-bit integers."""


class Fingerprint:
    """MinHash signature of a text's shingle set; compare with ``similarity``.

    The values are kept packed in ``NUM_HASHES * 8`` bytes: as a tuple of
    Python integers (61-bit, 40 bytes each with the tuple's slot) a
    fingerprint took 6 KB, and the build keeps one per article."""

    __slots__ = ("_packed", "size")

    _packed: bytes
    size: int
    """Number of distinct shingles; 0 for a text without words."""

    def __init__(self, hashes: Sequence[int], size: int) -> None:
        if len(hashes) != NUM_HASHES:
            raise ValueError(f"a fingerprint has {NUM_HASHES} values, not {len(hashes)}")
        self._packed = np.asarray(hashes, dtype=_LAYOUT).tobytes()
        self.size = size

    @property
    def hashes(self) -> tuple[int, ...]:
        """``NUM_HASHES`` minima, one per hash function."""
        return tuple(self.values().tolist())

    def values(self) -> npt.NDArray[np.uint64]:
        """The minima as a (read-only) array, without a copy."""
        return np.frombuffer(self._packed, dtype=_LAYOUT)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and (self._packed, self.size) == (other._packed, other.size)

    def __hash__(self) -> int:
        return hash((self._packed, self.size))

    def __repr__(self) -> str:
        return f"Fingerprint(size={self.size}, hashes=({self.hashes[0]}, ...))"

    def digest(self) -> bytes:
        """A digest of the values and size: the same for equal fingerprints only."""
        return hashlib.blake2b(self._packed + self.size.to_bytes(8, "little"), digest_size=16).digest()

    def bands(self) -> list[bytes]:
        """The values of each LSH band, packed, in band order; none for an empty text."""
        if not self.size:
            return []
        packed, width = self._packed, ROWS * _LAYOUT.itemsize
        return [packed[start : start + width] for start in range(0, BANDS * width, width)]


def fingerprint(text: str) -> Fingerprint:
    """The MinHash fingerprint of ``text``'s word shingles (deterministic)."""
    found = shingles(text)
    if not found:
        return Fingerprint((_EMPTY,) * NUM_HASHES, 0)
    # A minimum does not depend on order: the set need not be sorted.
    return Fingerprint(_minhash(_shingle_hashes(found)), len(found))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard index of the two texts' shingle sets, 0.0 to 1.0.

    1.0 for texts with the same words in the same order; about 0.0 for
    unrelated texts. A text without words is similar to nothing (0.0), not
    even to another empty text: there is nothing to call a copy.
    """
    if not a.size or not b.size:
        return 0.0
    same = int(np.count_nonzero(a.values() == b.values()))
    return same / NUM_HASHES


class NearDuplicateIndex:
    """Fingerprints by key, filed by LSH band so lookups skip unrelated texts.

    The fingerprints' values are also kept as rows of one array, so a lookup
    compares all its candidates at once (``matches``): the articles of one
    topic share background sentences, so each has a hundred or more
    candidates in a large archive (2.2 million in all at 20,000 articles),
    and one comparison at a time took 5 s there."""

    __slots__ = ("_added", "_buckets", "_keys", "_values")

    def __init__(self, capacity: int = 64) -> None:
        self._keys: list[str] = []
        """Each row's key, in the order they were added."""
        self._added: set[str] = set()
        self._values = np.empty((max(1, capacity), NUM_HASHES), dtype=_LAYOUT)
        """Row ``n``: the values of the fingerprint added ``n``-th (there are
        more rows than fingerprints: ``capacity`` is how many are expected)."""
        self._buckets: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]
        """Per band, the rows by their values in that band."""

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, fp: Fingerprint) -> None:
        """File ``fp`` under ``key``; a key may be added only once."""
        self._add(key, fp, fp.bands())

    def candidates(self, fp: Fingerprint) -> list[str]:
        """Keys sharing at least one LSH band with ``fp``, sorted. Every key
        whose similarity to ``fp`` is 0.3 or more is almost surely among
        them; most others are not."""
        return sorted(self._keys[row] for row in self._candidate_rows(fp.bands()))

    def matches(self, fp: Fingerprint, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, float]]:
        """(key, similarity) of the candidates at or above ``threshold``,
        most similar first, then by key."""
        return self._matches(fp, fp.bands(), threshold)

    def _add(self, key: str, fp: Fingerprint, bands: list[bytes]) -> None:
        if key in self._added:
            raise ValueError(f"key {key!r} is already in the index")
        row = len(self._keys)
        if row == len(self._values):
            self._values = np.concatenate([self._values, np.empty_like(self._values)])
        self._values[row] = fp.values()
        self._keys.append(key)
        self._added.add(key)
        for bucket, values in zip(self._buckets, bands, strict=False):
            rows = bucket.get(values)
            if rows is None:
                bucket[values] = [row]
            else:
                rows.append(row)

    def _matches(self, fp: Fingerprint, bands: list[bytes], threshold: float) -> list[tuple[str, float]]:
        """``matches``, given ``fp.bands()``. The similarities are
        ``similarity``'s: the same count of equal values, divided the same way."""
        rows = self._candidate_rows(bands)
        if not rows:
            return []
        chosen = np.fromiter(rows, dtype=np.intp, count=len(rows))
        scores = np.count_nonzero(self._values[chosen] == fp.values(), axis=1) / NUM_HASHES
        kept = np.flatnonzero(scores >= threshold)
        found = [(self._keys[rows[i]], float(scores[i])) for i in kept.tolist()]
        return sorted(found, key=lambda kv: (-kv[1], kv[0]))

    def _candidate_rows(self, bands: list[bytes]) -> list[int]:
        """Rows sharing at least one LSH band with a fingerprint of ``bands``
        (an empty text has none, and is filed under none: nobody's candidate)."""
        found: set[int] = set()
        for bucket, values in zip(self._buckets, bands, strict=False):
            rows = bucket.get(values)
            if rows:
                found.update(rows)
        return list(found)


def near_duplicate_groups(
    texts: Mapping[str, str], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[str, ...]]:
    """Groups of keys whose texts are near-duplicates, for texts by key.

    Two texts are linked when their similarity reaches ``threshold``; a group
    is a connected set of linked texts (so a copy of a copy joins the group
    of the original). Only groups of two or more are returned; each group is
    sorted, and the list is sorted, whatever the order of ``texts``.
    """
    return fingerprint_groups({key: fingerprint(text) for key, text in texts.items()}, threshold)


def fingerprint_groups(
    fingerprints: Mapping[str, Fingerprint],
    threshold: float = DEFAULT_THRESHOLD,
    memory: LinkMemory | None = None,
) -> list[tuple[str, ...]]:
    """``near_duplicate_groups`` of texts whose fingerprints are given by key
    (computed elsewhere: in worker processes, or kept from the last build).

    A group is a connected set of *links*: pairs of texts that share an LSH
    band and reach ``threshold``, each a function of the two fingerprints
    alone. So with a ``memory`` of the previous call's links, only the texts
    whose fingerprint is new or changed are looked up; the links between the
    others are taken over, and the groups are those a call from nothing
    finds (tested). The lookups of a whole archive grow with the square of
    its size, as the articles of one topic share background sentences and
    so LSH bands: 3.3 s of a rebuild at 20,000 articles, 0.36 s at 5,000."""
    # What a memory keeps and compares: none without one.
    digests = {key: fp.digest() for key, fp in fingerprints.items()} if memory is not None else {}
    before = memory.known if memory is not None else None
    if before is not None and before.threshold != threshold:
        before = None
    kept = before.digests if before is not None else {}
    unchanged = {key for key, value in digests.items() if kept.get(key) == value}
    links = [(a, b) for a, b in before.links if a in unchanged and b in unchanged] if before else []
    looked_up = sorted(set(fingerprints) - unchanged)
    if looked_up:
        index = NearDuplicateIndex(capacity=len(fingerprints))
        for key in sorted(unchanged):
            index.add(key, fingerprints[key])
        for key in looked_up:
            fp = fingerprints[key]
            bands = fp.bands()
            links.extend((other, key) for other, _ in index._matches(fp, bands, threshold))
            index._add(key, fp, bands)
    if memory is not None:
        memory.looked_up = len(looked_up)
        memory.keep(KnownLinks(threshold, digests, links))
    parent = {key: key for key in fingerprints}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in links:
        first, second = sorted((root(a), root(b)))
        parent[second] = first
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for key in sorted(fingerprints):
        groups[root(key)].append(key)
    return sorted(tuple(sorted(members)) for members in groups.values() if len(members) > 1)


@dataclass(frozen=True, slots=True)
class KnownLinks:
    """The links one ``fingerprint_groups`` found, and the fingerprints (by
    ``Fingerprint.digest``) and threshold it found them with."""

    threshold: float
    digests: dict[str, bytes]
    links: list[tuple[str, str]]


@dataclass(slots=True)
class LinkMemory:
    """The links of the previous ``fingerprint_groups``, handed to the next,
    which takes over those it can and leaves its own (``keep``); with a
    ``path`` (``load``), kept in that file between builds. ``looked_up``:
    how many texts the last call looked up."""

    known: KnownLinks | None = None
    path: Path | None = None
    looked_up: int = 0

    @classmethod
    def load(cls, path: Path) -> LinkMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be read)."""
        known = load_pickle(path, "wire copies' cache")
        return cls(known if isinstance(known, KnownLinks) else None, path)

    def keep(self, known: KnownLinks) -> None:
        """Hold ``known`` for the next call (and write it to ``path``: a
        failure to write only costs speed)."""
        self.known = known
        if self.path is not None:
            save_pickle(self.path, known, "wire copies' cache")


__all__ = [
    "DEFAULT_THRESHOLD",
    "Fingerprint",
    "KnownLinks",
    "LinkMemory",
    "NearDuplicateIndex",
    "fingerprint",
    "fingerprint_groups",
    "near_duplicate_groups",
    "shingles",
    "similarity",
    "words",
]
