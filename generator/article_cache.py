"""Per-article results kept between builds, keyed by the article's content.

The stages that read one article at a time (quotes, dates, the wire
fingerprint: ``pipeline.read_one_article``) give the same result for the
same article. A rebuild after one article changed, or a ``--force`` build
of an unchanged archive, takes the others' results from the last build
and computes only what is new: at 5,000 articles that is most of a stage
which otherwise costs seconds per thousand articles.

* **Key**: the SHA-256 of the article as read (``repr`` of the ``Article``:
  slug, path, every front-matter field, the body), so any edit to the file
  is a new key, and renaming a file is too.
* **Code version**: the file lives in the build's cache folder, which is
  named by a digest of our code and of Pelican's and markdown-it's versions
  (``settings.cache_folder``): results of other code are never loaded.
* **One file per stage function**, rewritten (atomically: temporary file,
  then rename) only when something was computed or an article left; it
  holds the current articles only, so it never grows with old edits.
* **Never trusted blindly**: a file that cannot be read is ignored (the
  stage runs on every article) and replaced, as Pelican does with its own
  cache. A result from the cache is the pickled result of the same
  function on the same article, so the build's output is the same with or
  without it (tested).
* **Pickled once, where it is made**: each result is pickled by the process
  that computes it (a worker, usually), kept as those bytes, saved as
  they are and unpickled once for the build. Pickling every result again to
  save the file took seconds, and its memo held a reference to every object
  of every result: at 5,000 articles, hundreds of MB at the build's peak.
"""

from __future__ import annotations

import functools
import hashlib
import math
import pickle
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from generator.content import read_article, read_text_and_digest
from generator.files import load_pickle, save_pickle
from generator.model import FIELD_SEPARATOR, NO_VALUE, Article, Document, Topic, TopicAssignment
from generator.parallel import map_documents, processes_for
from generator.segment import segment
from generator.topics import DocumentTopics, document_topics, index_of, rules_of, share_of

Result = TypeVar("Result")
FOLDER = "per-article"
"""Subfolder of the build's cache folder holding these files."""
DOCUMENTS_FILE = "documents.pickle"
"""In ``FOLDER``: the read and segmented articles (``DocumentCache``)."""
TOPICS_FILE = "topics.pickle"
"""In ``FOLDER``: each article's share of the topic assignment (``DocumentCache``)."""


def article_key(document: Document) -> str:
    """The content key of a document's article (``content_key``)."""
    return content_key(document.article)


def content_key(article: Article) -> str:
    """The content key of an article: any change to its file changes it.

    Its fields joined (``model.FIELD_SEPARATOR``), each text as it is, no
    value as ``NO_VALUE`` (no author is not an author named "None") and any
    other (a date, a line number) as its ``repr``: a quarter of the time of
    the ``repr`` of the whole article (0.26 s against 0.07 s at 5,000
    articles)."""
    values = (getattr(article, name) for name in _ARTICLE_FIELDS)
    described = FIELD_SEPARATOR.join(
        value if isinstance(value, str) else NO_VALUE if value is None else repr(value) for value in values
    )
    return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()


_ARTICLE_FIELDS = tuple(field.name for field in fields(Article))


def cached_map(
    function: Callable[[Document], Result],
    documents: Sequence[Document],
    workers: int,
    cache: Path | None,
) -> list[Result]:
    """``[function(d) for d in documents]`` (as ``parallel.map_documents``),
    reusing the results stored under ``cache`` for articles seen before.

    ``cache`` is the build's cache folder, or None to keep nothing.
    """
    if cache is None:
        return map_documents(function, documents, workers)
    return [pickle.loads(result) for result in cached_pickles(function, documents, workers, cache)]


def cached_pickles(
    function: Callable[[Document], Any],
    documents: Sequence[Document],
    workers: int,
    cache: Path | None,
    keys: Sequence[str] | None = None,
) -> list[bytes]:
    """``cached_map``'s results still pickled, for a caller that unpickles
    them its own way (``pipeline.per_article_findings``). ``keys``: each
    document's ``article_key``, if the caller has them already (0.17 s for
    5,000 articles, and a build asks for them four times)."""
    if cache is None:
        return map_documents(functools.partial(_pickled, function), documents, workers)
    path = _cache_file(cache, function)
    stored = _load(path)
    keys = list(keys) if keys is not None else [article_key(document) for document in documents]
    missing = _missing(keys, stored)
    fresh = map_documents(
        functools.partial(_pickled, function), [documents[number] for number in missing], workers
    )
    results: dict[str, bytes] = {key: stored[key] for key in keys if key in stored}
    results.update((keys[number], result) for number, result in zip(missing, fresh, strict=True))
    if missing or stored.keys() != results.keys():
        _save(path, results)
    return [results[key] for key in keys]


def cache_share(
    function: Callable[[Document], Any],
    documents: Sequence[Document],
    workers: int,
    cache: Path,
    keys: Sequence[str],
    share: float,
    leave: int = 0,
) -> int:
    """Make ``function``'s results for the first ``share`` (0 to 1) of the
    ``documents`` the cache lacks, but for the last ``leave`` of them at
    least, in up to ``workers`` processes, and add them to the cache,
    keeping every entry it holds; how many were made.
    For a ``cached_pickles`` over the same documents that follows in another
    process, which finds these made, makes the rest and drops the entries
    of articles gone (``pipeline.merge_site``). Nothing is made when so few
    are missing that ``map_documents`` would not spread them over
    processes: they are left to the other process whole."""
    path = _cache_file(cache, function)
    stored = _load(path)
    missing = _missing(keys, stored)
    count = min(math.ceil(len(missing) * share), len(missing) - leave)
    if processes_for(len(missing), workers) <= 1 or count <= 0:
        return 0
    made = missing[:count]
    chosen = [documents[number] for number in made]
    fresh = map_documents(functools.partial(_pickled, function), chosen, workers)
    stored.update((keys[number], result) for number, result in zip(made, fresh, strict=True))
    _save(path, stored)
    return len(made)


def _cache_file(cache: Path, function: Callable[[Document], Any]) -> Path:
    """The file of ``function``'s results in the build's cache folder ``cache``."""
    return cache / FOLDER / f"{function.__module__}.{function.__qualname__}.pickle"


def _missing(keys: Sequence[str], stored: dict[str, bytes]) -> list[int]:
    """The numbers of the documents whose ``keys`` are not ``stored``, in order,
    each key once (two copies of one article are made once)."""
    return sorted({key: number for number, key in enumerate(keys) if key not in stored}.values())


def _segmented(topics: tuple[Topic, ...], article: Article) -> tuple[bytes, DocumentTopics | None]:
    """``segment(article)``, pickled as ``DocumentCache`` keeps it, and its
    share of the assignment by ``topics`` (None without topics)."""
    document = segment(article)
    share = document_topics(document, index_of(topics)) if topics else None
    return pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL), share


def _pickled(function: Callable[[Document], Any], document: Document) -> bytes:
    """``function(document)``, pickled as the cache keeps it."""
    return pickle.dumps(function(document), protocol=pickle.HIGHEST_PROTOCOL)


def _unpickled(pickled: bytes | None) -> object:
    """``pickled`` unpickled, or None if there is nothing or it cannot be read."""
    if pickled is None:
        return None
    try:
        return pickle.loads(pickled)
    except Exception:  # a damaged entry: unpickling can raise anything
        return None


def _load(path: Path) -> dict[str, bytes]:
    stored = load_pickle(path, "per-article cache")
    if not isinstance(stored, dict) or not all(isinstance(result, bytes) for result in stored.values()):
        return {}
    return stored


def _save(path: Path, results: dict[str, bytes]) -> bool:
    """Write ``results`` to ``path`` through a temporary file, so a build cut
    short never leaves half a file; a failure to write only costs speed.
    Whether it was written."""
    return save_pickle(path, results, "per-article cache")


class DocumentsNotKept(LookupError):
    """A document ``DocumentsKept.load`` looked for is not in the file (another
    build replaced it since): the caller has them, and goes on with its own."""


@dataclass(frozen=True)
class DocumentsKept:
    """Where the content check kept this build's documents
    (``DocumentCache.save``), and each one's key there, in order: what a
    second process is handed to read the documents there
    (``pipeline.people_and_disagreements``) rather than be sent them.
    Sending them through a pipe took the build's own process about 1 s at
    5,000 articles, in pickling and in waiting for the other to read.

    The keys are the cache's own (each file's path and text), and the file
    is in the cache folder of this version of the code, so the document
    kept under a key is the one this code makes of that file."""

    path: Path
    keys: tuple[str, ...]

    def load(self) -> tuple[Document, ...]:
        """The documents, in order; raises ``DocumentsNotKept`` if one is missing."""
        stored = _load(self.path)
        found = (_unpickled(stored.get(key)) for key in self.keys)
        documents = tuple(document for document in found if isinstance(document, Document))
        if len(documents) != len(self.keys):
            missing = len(self.keys) - len(documents)
            raise DocumentsNotKept(f"{missing} documents are no longer in {self.path}")
        return documents


class DocumentCache:
    """Read and segmented articles kept between builds, keyed by each file's
    path and text: ``briefing build``'s content check reads and segments
    every article on every build it does not skip, which at 5,000 articles
    takes about 8 s against 1.5 s to unpickle the same documents.

    ``read_article`` stands in for ``content.read_article`` (so a file's
    problems are found and reported as ever: only a file that was read
    without a problem is kept) and ``segment`` for ``segment.segment``;
    ``save`` writes the documents of this build, and only those, when any
    was new. The key is the SHA-256 of the path and of the file's bytes'
    SHA-256, and the file lives in the cache folder of this code's version,
    so a document from the cache is the one ``segment(read_article(path))``
    would give (tested).

    ``files``: each content file's digest, by path (``stamp.file_digests``),
    where the build has read them already for its stamp. An article of a
    known digest is then taken from the cache without reading its file
    again; any other is read, and keyed by the digest of what was read.

    Each document's share of the topic assignment is kept too, under its
    key and a digest of the topic rules (``known_topics``, ``save``): about
    3 s more at 5,000 articles.
    """

    def __init__(self, cache: Path | None, files: Mapping[str, bytes] | None = None) -> None:
        self._path = cache / FOLDER / DOCUMENTS_FILE if cache is not None else None
        self._files = files or {}
        self._stored = _load(self._path) if self._path is not None else {}
        self._kept: dict[str, bytes] = {}
        """This build's documents, pickled, by key."""
        self._keys: dict[str, str] = {}
        """Each article file's key, by path."""
        self._found: dict[str, Document] = {}
        """The documents taken from the cache, by path."""
        self.reused = 0
        """How many articles came from the cache, not from reading and segmenting."""
        self.reused_topics = 0
        """How many articles' topic assignments came from the cache."""
        self._stored_topics: Set[str] = frozenset()
        """The keys of the topic assignments the last build kept."""
        self._readable_topics: dict[str, bytes] = {}
        """Those of them that could be read, pickled: kept again as they are."""
        self._shares: dict[str, DocumentTopics] = {}
        """The shares of the assignment found where new articles were segmented, by path."""
        self._shares_by: tuple[Topic, ...] = ()
        """The topics those shares are of."""

    def read_article(self, path: Path) -> Article:
        known = self._files.get(str(path))
        if known is not None:
            found = self._stored_article(path, known)
            if found is not None:
                return found
        text, read = read_text_and_digest(path)
        if read != known:
            found = self._stored_article(path, read)
            if found is not None:
                return found
        return read_article(path, text)

    def _stored_article(self, path: Path, file_digest: bytes) -> Article | None:
        """The article of the document the cache keeps for ``path`` with bytes
        of ``file_digest``, if any (a damaged one is none); the key is noted
        either way, for the document made in its place."""
        key = hashlib.sha256(f"{path}\0".encode("utf-8", "surrogatepass") + file_digest).hexdigest()
        self._keys[str(path)] = key
        pickled = self._stored.get(key)
        document = _unpickled(pickled)  # damaged or missing: read the file as if it were new
        if isinstance(document, Document) and pickled is not None and document.article.path == str(path):
            self._found[str(path)] = document
            self._kept[key] = pickled
            return document.article
        return None

    def segment(self, article: Article) -> Document:
        return self.segmented([article], workers=1)[0]

    def segmented(
        self, articles: Sequence[Article], workers: int, topics: Sequence[Topic] = ()
    ) -> tuple[Document, ...]:
        """``segment.segment`` of each of ``articles``: from the cache where
        it can, the others in up to ``workers`` processes (``map_documents``),
        each pickled by the process that made it, as the cache keeps it.
        Those processes also find each new document's share of the
        assignment by ``topics`` (``topics.document_topics``), for
        ``known_topics`` to give."""
        found: list[Document | None] = []
        for article in articles:
            document = self._found.pop(article.path, None)
            found.append(document if document is not None and document.article is article else None)
        self.reused += sum(document is not None for document in found)
        missing = [article for article, document in zip(articles, found, strict=True) if document is None]
        elsewhere = processes_for(len(missing), workers) > 1
        rules = tuple(topics)
        made = iter(
            map_documents(functools.partial(_segmented, rules), missing, workers) if elsewhere else ()
        )
        self._shares, self._shares_by = {}, rules
        documents: list[Document] = []
        for article, document in zip(articles, found, strict=True):
            if document is None:
                key = self._keys.get(article.path) if self._path is not None else None
                if elsewhere:
                    pickled, share = next(made)
                    if share is not None:
                        self._shares[article.path] = share
                    # The article itself, not the copy that came back with it.
                    document = replace(pickle.loads(pickled), article=article)
                else:
                    document = segment(article)
                    pickled = (
                        pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL) if key is not None else b""
                    )
                if key is not None:
                    self._kept[key] = pickled
            documents.append(document)
        return tuple(documents)

    def known_topics(
        self, documents: Sequence[Document], topics: Sequence[Topic]
    ) -> list[DocumentTopics | None]:
        """Each of ``documents``' share of the topic assignment by ``topics``
        as the last build kept it, or None where it did not (for
        ``topics.assign_topics``)."""
        stored = _load(self._path.with_name(TOPICS_FILE)) if self._path is not None else {}
        self._stored_topics = frozenset(stored)
        known: list[DocumentTopics | None] = []
        for key in self._topic_keys(documents, topics):
            share = _unpickled(stored.get(key) if key is not None else None)  # damaged: assign it again
            known.append(share if isinstance(share, tuple) else None)
            if key is not None and known[-1] is not None:
                self._readable_topics[key] = stored[key]
        self.reused_topics = sum(share is not None for share in known)
        if self._shares and tuple(topics) == self._shares_by:  # found by the processes that segmented
            known = [
                self._shares.get(document.article.path) if share is None else share
                for document, share in zip(documents, known, strict=True)
            ]
        self._shares = {}
        return known

    def _topic_keys(self, documents: Sequence[Document], topics: Sequence[Topic]) -> list[str | None]:
        rules = hashlib.sha256(repr(rules_of(topics)).encode()).hexdigest()
        keys = (self._keys.get(document.article.path) for document in documents)
        return [None if key is None else f"{key}-{rules}" for key in keys]

    def save(
        self,
        documents: Sequence[Document] = (),
        topics: Sequence[Topic] = (),
        assignment: TopicAssignment | None = None,
    ) -> DocumentsKept | None:
        """Keep this build's documents (and, given the ``assignment`` of
        ``documents`` by ``topics``, each one's share of it) for the next
        build if any changed, and let go of the old ones. Returns where
        ``documents`` are kept (``DocumentsKept``): None without a cache, if
        the file could not be written, or if one of them was not read here."""
        if self._path is not None and assignment is not None:
            keyed = [
                (key, document)
                for key, document in zip(self._topic_keys(documents, topics), documents, strict=True)
                if key is not None
            ]
            if {key for key, _ in keyed} != self._stored_topics:
                # Each share kept as it was read where it was (a share is a
                # function of its key: the article and the rules): after an
                # edit, only the edited articles' are pickled.
                readable = self._readable_topics
                shares = {
                    key: readable.get(key)
                    or pickle.dumps(share_of(document, assignment), protocol=pickle.HIGHEST_PROTOCOL)
                    for key, document in keyed
                }
                _save(self._path.with_name(TOPICS_FILE), shares)
        self._readable_topics = {}
        path, kept = self._path, self._kept
        written = path is not None and (kept.keys() == self._stored.keys() or _save(path, kept))
        self._stored, self._kept, self._found = {}, {}, {}
        keys = tuple(self._keys.get(document.article.path, "") for document in documents)
        if path is None or not written or not all(key in kept for key in keys):
            return None
        return DocumentsKept(path, keys)
