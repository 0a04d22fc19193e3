"""Full-text search: index a built site with Pagefind, in bundles of bounded size.

Pagefind (the ``pagefind`` package, whose ``bin`` extra ships the binary)
reads the finished HTML and writes a static index and its search UI into
``pagefind/`` beside the pages; nothing is fetched at build or search time.
Only regions marked ``data-pagefind-body`` (briefings and article pages) are
indexed, and only the files those pages are saved as are read
(``page_patterns``): Pagefind would otherwise parse every other page (outlet
pages, the home page) only to skip it.

Pagefind holds a whole index in memory while it builds it, about 0.3 MB per
article page: 1.6 GB for 5,000 articles, 7 GB for 20,000. So the pages are
indexed in *bundles* of at most ``MAX_BUNDLE_PAGES`` pages,
``MAX_BUNDLE_BYTES`` of HTML and ``MAX_BUNDLE_LARGE_PAGES`` large briefing
pages (``plan_bundles``: an edit indexes again each bundle holding a page
it changed, and it changes its topics' briefings), one Pagefind run after
another, and the search page merges them (Pagefind's ``mergeIndex``): the
first bundle is ``pagefind/`` itself, the others ``pagefind/part-2/`` and
on, listed in ``pagefind/bundles.json`` for ``theme/search.js``. Memory then
stays that of one bundle whatever the size of the archive, and the time is
the same. Each run reads a folder of its own pages, so no file name has to
be written as a glob: each page there is a copy without the markup Pagefind
would read only to skip (``SKIPPED_MARKUP``: source lists, links back,
JSON-LD), or a hard link to it where it has none.

The runs go on in threads of their own (``Indexing``), each of which only
starts a helper process (``_run_pagefind``) and waits for it: the helper
copies the pages, runs Pagefind and keeps the index, so none of the files
a run touches waits for the build's interpreter. The pages are cut into
bundles in the order they are written (``Indexing.written``: the article
pages, then the topic pages), each bundle queued as soon as its last page
is, and indexed one at a time while the build writes the rest, so Pagefind
has one core and the build the other. (Queued only once every article
page was written, the bundles of the benchmark's 5,000 articles kept
Pagefind busy 5.5 s after the build had written its last page; queued as
written, 2.7 s.) Once the build has nothing left but to wait
(``finish_indexing``), up to ``BRIEFING_WORKERS`` Pagefind runs go at
once. Which run ends first changes nothing: each bundle has its folder. A
bundle whose index the cache (below) holds is copied into the site only
then, so it never delays a bundle that needs Pagefind.

Given a cache folder, each bundle's index is kept there under a digest of
its pages (their paths and bytes) and of Pagefind's version (as its binary
reports it) and options
(``bundle_key``): a rebuild indexes again only the bundles whose pages
changed and links the others' files from the cache (after checking their
digests: a damaged copy is made again). Pagefind writes the
same index for the same pages wherever its output goes, so a site built
from the cache is byte-identical to one indexed from scratch (tested). The
cache keeps only the bundles of the last build.

What Pagefind reads of each page is kept there too (in ``COPIES_DIR``,
under the page's SHA-256, where the build knows it: ``PageDigests``), so a
bundle indexed again because one of its pages changed cuts only that page:
the others are hard links to their copies. Cutting the 700-1,000 pages of
an article bundle took about 1 s of a core; a topic bundle's 10-13 pages,
0.4-0.6 s. The copies take about a sixth of the site's bytes (120 MB at
5,000 articles); those of pages no longer in the site go when the build
ends.

An article page's copy is made before the page, from the article
(``publish.search_articles_ahead``: search does not read the links back
that the merge gives the page), and kept under a key of what it is made
from (``Indexing.copied``). So the article pages whose links back an edit
changed keep their bundles' indexes, and after an edit the article
bundles are queued as soon as the merge is done, not each once its last
page is written: at 5,000 articles, the wait for the search index after
an edit went from 1.46 s to 0.69 s (medians of 8 edits).

The page's script loads the UI, so with JavaScript off the site simply has
no search box.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence, Set
from pathlib import Path

from generator.errors import BriefingError, ConfigError
from generator.files import link_or_copy, stays_inside, write_atomically

BUNDLE_DIR = "pagefind"
BUNDLES_FILE = "bundles.json"
"""In the first bundle: the folders of the others, for ``mergeIndex``."""
DIGESTS_FILE = "digests.json"
"""In a bundle's index kept in the cache: each file's SHA-256, checked before reuse."""
PLAN_FILE = "plan.json"
"""In the folder of a Pagefind run's pages: what its helper is to do (``Indexing._plan``)."""
COPIES_DIR = "pages"
"""In the cache folder, beside the bundles' indexes (each named by a
64-digit digest): what Pagefind read of each page (``KeptCopies``)."""
MAX_BUNDLE_PAGES = 1000
"""Pages a bundle holds at most (the setting ``BRIEFING_SEARCH_BUNDLE_PAGES``):
Pagefind then needs about 330 MB."""
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
"""HTML a bundle holds at most (large briefing pages fill a bundle first)."""
LARGE_PAGE_BYTES = 1024 * 1024
"""A page at least this large (a briefing of a large archive: 4.4 MB at
5,000 articles; an article page is 20-50 KB) counts towards ``MAX_BUNDLE_LARGE_PAGES``."""
MAX_BUNDLE_LARGE_PAGES = 6
"""Large pages a bundle holds at most. Nearly every edit changes the
briefing pages of the edited article's topics, and each bundle holding one
is indexed again whole: at 5,000 articles a bundle of 12-16 briefing pages
(64 MB) took 1.9 s of Pagefind on one core, one of 5 pages 0.85 s. The
bundles then hold about 5 briefing pages (15 bundles instead of 11 at
5,000 articles); at 20,000 articles, where 3 briefing pages fill
``MAX_BUNDLE_BYTES``, nothing changes. Each bundle adds files a reader
fetches before a first search result (``benchmarks/pages.py``): 15 bundles
instead of 11 showed no difference at 5,000 articles."""
AHEAD_AT_MOST = 1
"""Bundles of pages whose copies were made before the pages
(``Indexing.copied``) are queued before any page is written only if at
most this many of them hold a page whose copy is new (after an edit, the
edited article's). Else (a first build) they are queued as their pages
are written, as other pages are."""
SETTLED = 0.7
"""How full a bundle is, by pages, bytes or large pages, before a page's
path may end it (``plan_bundles``)."""
NOT_INDEXED = (".backlink", ".sources", ".visually-hidden", "[data-pagefind-ignore]")
"""Page furniture inside indexed regions (links back, source lists, screen-reader
hints): indexing it would fill result excerpts with "1 outlet: … original"."""

SKIPPED_MARKUP: tuple[tuple[bytes, bytes, tuple[bytes, ...] | None], ...] = (
    (b'<p class="sources">', b"</p>", (b"<span", b"</span>", b"<a ", b"</a>")),
    (b'<a class="backlink"', b"</a>", (b"<span", b"</span>")),
    (b'<script type="application/ld+json">', b"</script>", None),
    (
        b'<header class="site-header">',
        b"</header>",
        (b"<div", b"</div>", b"<a ", b"</a>", b"<nav", b"</nav>", b"<ul", b"</ul>", b"<li", b"</li>"),
    ),
    (
        b'<section aria-labelledby="sources-heading" data-pagefind-ignore>',
        b"</section>",
        (
            *(b"<h2", b"</h2>", b"<ul", b"</ul>", b"<li", b"</li>", b"<a ", b"</a>"),
            *(b"<span", b"</span>", b"<time", b"</time>", b"<details", b"</details>"),
            *(b"<summary", b"</summary>"),
        ),
    ),
)
"""Elements our pages print that Pagefind reads but indexes nothing of, cut
from the copy of each page it is given (``_copy_for_pagefind``): each as
its start, its end, and the only tags it may hold (None: none is read as a
tag, as in a script). A topic page's source lists (``.sources``, in
``NOT_INDEXED``) are most of its bytes, and Pagefind's time on it was mostly
reading them: one bundle of 12 topic pages of the benchmark (55 MB) took 6.2 s
on one core, 3.7 s without them; 1,000 article pages (their links back and
JSON-LD), 5.5 s and 4.9 s. The index is the same byte for byte (tested).

A topic page's list of its source articles (``data-pagefind-ignore``: a
search for an article's title or outlet finds the article's own page, not
every briefing that lists it) was then 45% of what was left of the page:
11 topic pages of the benchmark, 16 MB with it and 8.5 MB without, took
2.2-2.8 s and 1.9-2.1 s on one core.

The site's header, outside the indexed region, lists every topic: with 50
topics, 5 KB of an article page's 14 KB that Pagefind reads (960 article
pages of the benchmark: 3.0 s on one core with it, 2.7-3.0 s without)."""

ALL_PAGES = ("**/*.html",)
"""Pagefind's own default: every HTML file."""


def saved_patterns(save_as: Iterable[str]) -> tuple[str, ...]:
    """Glob patterns of the files saved by Pelican's ``*_SAVE_AS`` patterns
    ``save_as`` (empty ones write nothing): each ``{placeholder}`` stands for
    one path segment, or for as many as its date format has."""
    return _saved_patterns(tuple(save_as))


@functools.cache
def _saved_patterns(save_as: tuple[str, ...]) -> tuple[str, ...]:
    """``saved_patterns``, made once per setting (asked for every page written)."""

    def wildcard(placeholder: re.Match[str]) -> str:
        return "/".join("*" * (placeholder.group(0).count("/") + 1))

    return tuple(sorted({re.sub(r"\{[^}]*\}", wildcard, pattern) for pattern in save_as if pattern}))


def page_patterns(save_as: Iterable[str]) -> tuple[str, ...]:
    """``saved_patterns``, or every HTML file (``ALL_PAGES``) when none is saved."""
    return saved_patterns(save_as) or ALL_PAGES


def indexed_pages(site: Path, patterns: Sequence[str] = ALL_PAGES) -> list[tuple[str, int]]:
    """The files under ``site`` that ``patterns`` match: path (relative, with
    ``/``) and size, sorted by path."""
    found = {path for pattern in patterns for path in site.glob(pattern) if path.is_file()}
    return sorted((path.relative_to(site).as_posix(), path.stat().st_size) for path in found)


@functools.cache
def matching(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One expression that matches the paths (relative, with ``/``) that
    ``patterns`` match, as ``Path.glob`` reads them: ``*`` and ``?`` within
    one segment, ``**`` for any number of folders."""

    def segment(part: str) -> str:
        return "[^/]*".join(re.escape(piece).replace(r"\?", "[^/]") for piece in part.split("*"))

    def whole(pattern: str) -> str:
        *folders, name = pattern.split("/")
        within = ("(?:[^/]+/)*" if part == "**" else segment(part) + "/" for part in folders)
        return "".join(within) + segment(name)

    return re.compile("|".join(f"(?:{whole(pattern)})" for pattern in patterns))


def plan_bundles(
    pages: Sequence[tuple[str, int]],
    max_pages: int = MAX_BUNDLE_PAGES,
    max_bytes: int = MAX_BUNDLE_BYTES,
) -> list[list[str]]:
    """``pages`` (path, size), in order, cut into bundles of at most
    ``max_pages`` pages, ``max_bytes`` bytes (a larger page has a bundle of
    its own) and ``MAX_BUNDLE_LARGE_PAGES`` large pages. There is always
    one bundle, empty if there are no pages.

    Once a bundle is ``SETTLED`` full, it also ends after any page whose
    path marks an end (``_marks_end``). So where bundles end depends on the
    pages there, not on how many came before: an article added or removed
    changes its own bundle (seldom the next one too), and a rebuild indexes
    that bundle again, not every bundle after it. Bundles are then about
    0.83 full on average."""
    plan = BundlePlan(max_pages, max_bytes)
    bundles = [bundle for path, size in pages for bundle in plan.add(path, size)]
    last = plan.close()
    return [*bundles, last] if last or not bundles else bundles


class BundlePlan:
    """``plan_bundles``, one page at a time: ``add`` gives the bundles a page
    ends (none, mostly), ``close`` the one left open."""

    def __init__(self, max_pages: int = MAX_BUNDLE_PAGES, max_bytes: int = MAX_BUNDLE_BYTES) -> None:
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self._open: list[str] = []
        self._size = 0
        self._large = 0
        """Pages of at least ``LARGE_PAGE_BYTES`` in the open bundle."""

    def add(self, path: str, size: int) -> list[list[str]]:
        ended = []
        large = int(size >= LARGE_PAGE_BYTES)
        full = (
            len(self._open) >= self.max_pages
            or self._size + size > self.max_bytes
            or self._large + large > MAX_BUNDLE_LARGE_PAGES
        )
        if self._open and full:
            ended.append(self.close())
        self._open.append(path)
        self._size += size
        self._large += large
        filled = max(
            len(self._open) / self.max_pages,
            self._size / self.max_bytes,
            self._large / MAX_BUNDLE_LARGE_PAGES,
        )
        share = max(1 / self.max_pages, size / self.max_bytes, large / MAX_BUNDLE_LARGE_PAGES)
        if filled >= SETTLED and _marks_end(path, share):
            ended.append(self.close())
        return ended

    def close(self) -> list[str]:
        """The open bundle (empty if no page was added since the last one ended)."""
        bundle, self._open, self._size, self._large = self._open, [], 0, 0
        return bundle


def _marks_end(path: str, share: float) -> bool:
    """Whether a settled bundle ends after the page at ``path``, which fills
    ``share`` of a bundle: chosen by a digest of the path (the same in every
    build), as often as one page in each seventh of a bundle, so a settled
    bundle goes on for a seventh of one on average, and seldom reaches its
    limits (which would cut it where the pages before it decide)."""
    draw = int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big")
    return draw < 7 * share * 2**64


@functools.cache
def pagefind_version() -> str:
    """The version the Pagefind binary reports: it, not the Python package
    that finds it (which may be of another version), writes the index.
    Empty if it cannot be asked."""
    try:
        reported = subprocess.run(
            [sys.executable, "-P", "-m", "pagefind", "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout.split("\n", 1)[0]
    except (OSError, subprocess.SubprocessError):
        return ""
    return reported.strip() if reported.startswith("pagefind ") else ""


PageDigests = Callable[[str], bytes | None]
"""The SHA-256 of the bytes of a page of the site being built (its path
under the site, with ``/``), if the build knows it without reading the
page; else None (``page_cache.PageCache.written_digest``)."""


def bundle_key(site: Path, pages: Sequence[str], known: PageDigests | None = None) -> str:
    """The digest a bundle's index is kept under in the cache: Pagefind's
    version and options, and each page's path and bytes, in order (each
    page's SHA-256 from ``known`` where it has it, or the key of the copy
    Pagefind reads of it where that was made ahead: ``Indexing.copied``;
    else the SHA-256 of the page)."""
    digest = hashlib.sha256(json.dumps([pagefind_version(), NOT_INDEXED]).encode("utf-8"))
    for page in pages:
        digest.update(page.encode("utf-8") + b"\0")
        page_digest = known(page) if known is not None else None
        digest.update(page_digest or hashlib.sha256((site / page).read_bytes()).digest())
    return digest.hexdigest()


def without_skipped_markup(html: bytes) -> bytes:
    """``html`` without the elements of ``SKIPPED_MARKUP`` (``_kept_parts``)."""
    return b"".join(_kept_parts(html))


def _kept_parts(html: bytes) -> list[memoryview]:
    """The parts of ``html`` around the elements of ``SKIPPED_MARKUP``, as
    views of it: the page is not copied (a topic page is up to 5.5 MB, and
    runs may copy two at once beside the build's peak). An element is cut
    only when it holds no other tag than those listed, so its end tag is
    where a browser ends it too (a ``<div>`` would end a ``<p>`` before its
    ``</p>``); any other is left as it is, for Pagefind to skip."""
    cut: list[tuple[int, int]] = []
    for start, end, inner_tags in SKIPPED_MARKUP:
        at = html.find(start)
        while at >= 0:
            inside = at + len(start)
            close = html.find(end, inside)
            if close < 0:
                break
            inner = html[inside:close]
            if inner_tags is None or inner.count(b"<") == sum(map(inner.count, inner_tags)):
                cut.append((at, close + len(end)))
                at = html.find(start, close + len(end))
            else:
                at = html.find(start, inside)
    view, kept, done = memoryview(html), [], 0
    for at, after in sorted(cut):  # one inside another (a link back in a source list) goes with it
        if at >= done:
            kept.append(view[done:at])
        done = max(done, after)
    kept.append(view[done:])
    return kept


def _copy_for_pagefind(
    page: Path, copy: Path, copies: KeptCopies | None = None, page_digest: str | None = None
) -> None:
    """``copy`` becomes what Pagefind reads of ``page``: a link to its copy
    kept in ``copies``, if given with the page's SHA-256 (hex); else the
    page without its skipped markup, or where it has none, the page itself
    (``link_or_copy``)."""
    if copies is not None and page_digest is not None:
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs speed
            copies.link(page, page_digest, copy)
            return
    parts = _kept_parts(page.read_bytes())
    if len(parts) == 1:
        link_or_copy(page, copy)
    else:
        with copy.open("wb") as handle:
            handle.writelines(parts)


class KeptCopies:
    """What Pagefind read of each page in earlier builds (``_kept_parts``),
    kept in ``folder`` as ``<the page's SHA-256>-<the copy's size>``, or,
    for a copy made before its page (``add``), ``<the copy's key>-<its
    size>``: a copy whose size is not the one its name says (a write cut
    short) is made again. The folder is listed once, on first use, by the
    one process that uses it: a helper (``_run_pagefind``), or the build
    making copies ahead (``publish.search_articles_ahead``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names: dict[str, str] | None = None
        """Each kept copy's file name, by its page's SHA-256 or its own key (hex)."""

    def link(self, page: Path, page_digest: str, copy: Path) -> None:
        """``copy`` becomes a link to the kept copy of ``page``, whose SHA-256
        is ``page_digest`` (hex): made first if none is kept."""
        name = self._listed().get(page_digest)
        if name is None:
            parts = _kept_parts(page.read_bytes())
            name = f"{page_digest}-{sum(map(len, parts))}"
            write_atomically(self.folder / name, lambda handle: handle.writelines(parts))
            self._listed()[page_digest] = name
        link_or_copy(self.folder / name, copy)

    def add(self, key: str, make: Callable[[], bytes]) -> tuple[int, bool]:
        """Keep the copy ``make`` makes under ``key`` (hex), unless one is
        kept already: the copy's size, and whether it was made now. For a
        copy made before its page is written (``Indexing.copied``), under a
        key of what it is made from."""
        name = self._listed().get(key)
        if name is not None:
            return int(name.rsplit("-", 1)[1]), False
        data = make()
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / f"{key}-{len(data)}", lambda handle: handle.write(data))
        self._listed()[key] = f"{key}-{len(data)}"
        return len(data), True

    def forget_all_but(self, page_digests: Iterable[str]) -> None:
        """Remove every file of the folder but the copies of ``page_digests`` (hex)."""
        wanted = set(page_digests)
        with contextlib.suppress(OSError):  # left for the next build to forget
            for entry in os.scandir(self.folder):
                named = _COPY_NAME.fullmatch(entry.name)
                if named is None or named[1] not in wanted:
                    Path(entry.path).unlink(missing_ok=True)

    def _listed(self) -> dict[str, str]:
        if self._names is None:
            self._names = {}
            with contextlib.suppress(OSError):  # no folder yet
                for entry in os.scandir(self.folder):
                    named = _COPY_NAME.fullmatch(entry.name)
                    if named and entry.stat(follow_symlinks=False).st_size == int(named[2]):
                        self._names[named[1]] = entry.name
        return self._names


_COPY_NAME = re.compile(r"([0-9a-f]{64})-([0-9]+)")


def bundle_folder(number: int) -> str:
    """Where bundle ``number`` (from 0) goes, relative to the first bundle's folder."""
    return "" if number == 0 else f"part-{number + 1}/"


class Indexing:
    """Pagefind runs for one site: bundles are queued as their pages are
    written (``add``), then indexed on threads of their own, numbered in the
    order they were queued: bundle ``n`` goes to ``bundle_folder(n)``, so the
    index does not depend on which run ends first.

    Each bundle queued is first *checked* (one thread, in order): given a
    cache, its key is computed and a bundle kept there from an earlier build
    is set aside, to be copied into the site by ``finish``; any other bundle
    goes to the *runs* of Pagefind, one at a time while the build still
    works, then up to ``workers`` at once when it only waits (``finish``).
    So a rebuild starts Pagefind on the one bundle an edit changed as soon
    as it is queued, not after copying every bundle before it; and the
    copies, about 900 small files per bundle, are made once the build only
    waits: while it works, a thread copying competes with it for the
    interpreter, and a copy took 1-1.8 s instead of 0.06 s."""

    def __init__(
        self,
        site: Path,
        cache: Path | None = None,
        *,
        max_pages: int = MAX_BUNDLE_PAGES,
        max_bytes: int = MAX_BUNDLE_BYTES,
        workers: int = 1,
        page_digests: PageDigests | None = None,
        published: Path | None = None,
    ) -> None:
        if max_pages < 1:
            raise ConfigError(f"BRIEFING_SEARCH_BUNDLE_PAGES must be at least 1, not {max_pages}")
        self.site = site
        self._site_prefix = os.path.join(os.path.normpath(site), "")  # noqa: PTH118 (see ``written``)
        self.cache = cache
        """Where each bundle's index is kept between builds (None: nowhere)."""
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self.workers = max(1, workers)
        self.page_digests = page_digests
        """The digests of pages the build wrote, for the bundles' keys (None:
        each page is read). At 5,000 articles, reading the 5,050 pages again
        took 370 MB of reads and hashing, on a thread beside the build."""
        self.published = published
        """The site the last build published, whose index files a bundle
        restored from the cache takes where they are the same (``_restore``)."""
        self._ahead: list[tuple[str, int]] = []
        """The pages ``copied`` found few to index again, to queue (``queue_copied``)."""
        self._copied: dict[str, tuple[bytes, int]] = {}
        """The key and size of each page's copy made before the page was written (``copied``), by path."""
        self.error: str | None = None
        self.bundles: list[list[str]] = []
        self._queued: set[str] = set()
        """The pages taken into a bundle: queued, or in the one ``_filling`` holds open."""
        self._filling = BundlePlan(max_pages, max_bytes)
        self._checks: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._runs: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._kept: list[int] = []
        """The bundles kept in the cache, to be copied into the site by ``finish``."""
        self._keys: dict[int, str] = {}
        """Each bundle's key in the cache, once checked."""
        self._lock = threading.Lock()
        self._stopped = False
        self._finishing = False
        """Set by ``finish``: the build only waits, so Pagefind may take every core."""
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._folders: list[Path] = []
        """The folders of pages given to Pagefind, to remove once it is done."""
        self._checker = self._started(self._check)
        self._runners = [self._started(self._run)]

    def written(self, page: str, patterns: tuple[str, ...]) -> None:
        """Take the file ``page`` just written into the bundle being filled,
        if ``patterns`` match it (relative to the site), and queue that
        bundle if the page ends it (``BundlePlan``): Pagefind starts on the
        first bundle of articles while the build writes the others. Paths as
        strings: called for every page of the site (0.3 s of ``pathlib`` at
        5,000 articles)."""
        page = os.path.normpath(page)
        if not page.startswith(self._site_prefix):
            return
        path = page[len(self._site_prefix) :].replace(os.sep, "/")
        if path not in self._queued and matching(patterns).fullmatch(path):
            copied = self._copied.get(path)
            self._take([(path, copied[1] if copied is not None else os.stat(page).st_size)])  # noqa: PTH116

    def copied(self, pages: Sequence[tuple[str, str, int]], new: Set[str]) -> None:
        """Take note of pages whose copies for Pagefind were made before the
        pages themselves (``publish.search_articles_ahead``): each as its
        path, the key its copy is kept under in the cache's ``COPIES_DIR``
        (``KeptCopies.add``) and the copy's size; ``new``, the paths whose
        copies this build made. Their bundles are keyed by the copies' keys,
        and cut by the copies' sizes, whenever they are queued: by
        ``queue_copied`` if at most ``AHEAD_AT_MOST`` of them hold a new
        copy (an edit), else each page as it is written (``written``)."""
        for path, key, size in pages:
            self._copied[path] = (bytes.fromhex(key), size)
        bundles = plan_bundles([(path, size) for path, _, size in pages], self.max_pages, self.max_bytes)
        few = sum(not new.isdisjoint(bundle) for bundle in bundles) <= AHEAD_AT_MOST
        self._ahead = [(path, size) for path, _, size in pages] if few else []

    def queue_copied(self) -> None:
        """Queue the bundles of the pages ``copied`` found few to index
        again, before any of them is written: the pages, once written, are
        not taken again."""
        pages, self._ahead = self._ahead, []
        if not pages:
            return
        self._take([page for page in pages if page[0] not in self._queued])
        if bundle := self._filling.close():
            self._queue(bundle)

    def _copy_key(self, page: str) -> bytes | None:
        """What the copy Pagefind reads of ``page`` is kept under: its key,
        if it was made ahead (``copied``), else the page's own SHA-256 if
        the build knows it (``page_digests``)."""
        copied = self._copied.get(page)
        if copied is not None:
            return copied[0]
        return self.page_digests(page) if self.page_digests is not None else None

    def add(self, patterns: Sequence[str]) -> None:
        """Queue, in bundles (``BundlePlan``), the pages under the site that
        ``patterns`` match and no earlier ``add`` or ``written`` took, after
        those ``written`` took into the bundle still open, which ends here."""
        found = indexed_pages(self.site, patterns) if self.site.is_dir() else []
        self._take([page for page in found if page[0] not in self._queued])
        if bundle := self._filling.close():
            self._queue(bundle)

    def _take(self, pages: list[tuple[str, int]]) -> None:
        for path, size in pages:
            self._queued.add(path)
            for bundle in self._filling.add(path, size):
                self._queue(bundle)

    def finish(self) -> None:
        """Wait for every queued bundle, indexing up to ``workers`` at once
        and copying the kept ones meanwhile, then write the list of bundles
        the search page merges; raises ``BriefingError`` if a run failed."""
        if (bundle := self._filling.close()) or not self.bundles:
            # With no pages at all, Pagefind itself says what is wrong with the site.
            self._queue(bundle)
        self.take_every_core()
        self._checks.put(None)
        self._checker.join()
        for number in self._kept:
            if self._stopped or self.error is not None:
                break
            stored = self._stored(number)
            if stored is None or not _restore(stored, self._output(number), self._published(number)):
                self._runs.put(number)  # damaged since it was checked: indexed again
        self._runs.put(None)
        for thread in self._runners:
            thread.join()
        self._remove_folders()
        if self.error is None:
            try:
                if self.cache is not None and len(self._keys) == len(self.bundles):
                    _forget_all_but(self.cache, {*self._keys.values(), COPIES_DIR})
                if self.cache is not None and (self.page_digests is not None or self._copied):
                    pages = (page for bundle in self.bundles for page in bundle)
                    kept = (known.hex() for known in map(self._copy_key, pages) if known)
                    KeptCopies(self.cache / COPIES_DIR).forget_all_but(kept)
                others = [bundle_folder(number) for number in range(1, len(self.bundles))]
                manifest = json.dumps({"merge": others}, indent=1) + "\n"
                (self.site / BUNDLE_DIR / BUNDLES_FILE).write_text(manifest, encoding="utf-8")
            except OSError as exc:
                self.error = f"could not index the site for search: {exc}"
        if self.error is not None:
            raise BriefingError(self.error)

    def take_every_core(self) -> None:
        """From now on, run up to ``workers`` bundles at once, each Pagefind
        run with every core: the build has only light work left (comparing
        its pages with the published ones), or only waits. A run started
        earlier keeps the one core it was given."""
        self._finishing = True
        while len(self._runners) < self.workers:
            self._runners.append(self._started(self._run))

    def stop(self) -> None:
        """Kill the Pagefind runs under way, start no other, and wait."""
        with self._lock:
            self._stopped = True
            for process in self._processes:
                if process.poll() is None:
                    with contextlib.suppress(OSError):  # ended meanwhile
                        os.killpg(process.pid, signal.SIGKILL)
        self._checks.put(None)
        self._runs.put(None)
        for thread in (self._checker, *self._runners):
            thread.join()
        self._remove_folders()

    def _remove_folders(self) -> None:
        """Remove the folders of pages the runs gave Pagefind (call once none is left)."""
        while self._folders:
            shutil.rmtree(self._folders.pop(), ignore_errors=True)

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in (self._checker, *self._runners))

    def _queue(self, pages: list[str]) -> None:
        self._queued.update(pages)
        self.bundles.append(pages)
        self._checks.put(len(self.bundles) - 1)

    def _started(self, work: Callable[[], None]) -> threading.Thread:
        thread = threading.Thread(target=work, name="pagefind", daemon=True)
        thread.start()
        return thread

    def _check(self) -> None:
        """Each bundle queued: set aside if kept in the cache, else sent to the runs."""
        while (number := self._checks.get()) is not None:
            if self._stopped or self.error is not None:
                continue
            try:
                if self.cache is not None and pagefind_version():  # an index of unknown make is not kept
                    self._keys[number] = bundle_key(self.site, self.bundles[number], self._copy_key)
                    if self._stored(number) is not None:
                        self._kept.append(number)
                        continue
            except Exception as exc:  # on this thread nobody else would see it: ``finish`` raises it
                with self._lock:
                    self.error = self.error or f"could not index the site for search: {exc}"
                continue
            self._runs.put(number)

    def _run(self) -> None:
        """Index each bundle sent to the runs (through the cache, if any)."""
        while (number := self._runs.get()) is not None:
            if self._stopped or self.error is not None:
                continue
            try:
                error = self._index_bundle(number)
            except Exception as exc:  # as in ``_check``
                error = f"could not index the site for search: {exc}"
            if error is not None:
                with self._lock:
                    self.error = self.error or error
        self._runs.put(None)  # the end, for the other runners too

    def _output(self, number: int) -> Path:
        return self.site / BUNDLE_DIR / bundle_folder(number)

    def _published(self, number: int) -> Path | None:
        """The folder bundle ``number`` has in the published site, if there is one."""
        return self.published / BUNDLE_DIR / bundle_folder(number) if self.published else None

    def _stored(self, number: int) -> Path | None:
        """Where bundle ``number``'s index is kept in the cache, if a build kept it there."""
        key = self._keys.get(number)
        if self.cache is None or key is None or not (self.cache / key / DIGESTS_FILE).is_file():
            return None
        return self.cache / key

    def _index_bundle(self, number: int) -> str | None:
        """Index bundle ``number`` into its folder (through the cache, if
        it was checked against one): None, or what went wrong."""
        pages, output = self.bundles[number], self._output(number)
        key = self._keys.get(number)
        if self.cache is None or key is None:
            return self._index(pages, output)
        return self._index_cached(pages, output, self.cache / key, self._published(number))

    def _index_cached(
        self, pages: list[str], output: Path, stored: Path, published: Path | None = None
    ) -> str | None:
        """Index ``pages`` into ``stored`` unless an intact copy is there from
        an earlier build, then copy its files into ``output``: None, or what
        went wrong (``_index_and_keep``). ``published``: the bundle's folder
        in the published site (see ``_restore``)."""
        if _restore(stored, output, published):
            return None
        return self._index(pages, output, stored, published)

    def _plan(
        self,
        pages: list[str],
        folder: Path,
        output: Path,
        stored: Path | None,
        staging: Path | None,
        published: Path | None = None,
    ) -> dict[str, object]:
        """What the helper process of a Pagefind run is told (``_run_pagefind``)."""
        kept = self.cache is not None and (self.page_digests is not None or bool(self._copied))
        copies = self.cache / COPIES_DIR if self.cache is not None and kept else None
        return {
            "site": str(self.site),
            "folder": str(folder),
            "copies": str(copies) if copies is not None else None,
            "pages": [[page, key.hex() if (key := self._copy_key(page)) else None] for page in pages],
            "output": str(output),
            "stored": str(stored) if stored is not None else None,
            "staging": str(staging) if staging is not None else None,
            "published": str(published) if published is not None else None,
        }

    def _index(
        self, pages: list[str], output: Path, stored: Path | None = None, published: Path | None = None
    ) -> str | None:
        """Index ``pages`` into ``output`` (through ``stored`` in the cache,
        if given; ``published``: see ``_restore``): None, or what went wrong. The run is a helper process of
        its own (``_run_pagefind``), which this thread only waits for: it
        copies the pages for Pagefind, runs it and keeps its index. Done
        here, on a thread beside a build that holds the interpreter, each of
        the thousands of files it touches waited for the interpreter: 4 s
        before Pagefind started on 836 pages, and 1.8 s after it ended."""
        try:
            # Named after the site's folder: a build killed outright leaves both,
            # and the next removes them together (``build._remove_abandoned``).
            folder = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.pagefind-", dir=self.site.parent))
        except OSError as exc:
            return f"could not prepare Pagefind's pages: {exc}"
        # Where the helper makes the index it keeps, named here so that a
        # helper killed midway leaves nothing behind (``_remove_folders``).
        staging = stored.parent / f".staging{folder.name}" if stored is not None else None
        try:
            plan = folder / PLAN_FILE
            planned = self._plan(pages, folder, output, stored, staging, published)
            plan.write_text(json.dumps(planned), encoding="utf-8")
            # The helper imports this very package, wherever it was imported
            # from; ``-P``: not a ``generator`` folder of the user's (``python
            # -m`` would put the working folder first on ``sys.path``).
            command = [sys.executable, "-P", "-m", "generator.search", str(plan)]
            paths = [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
            environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
            if not self._finishing:
                # While the build works, Pagefind gets one core (its thread pool
                # takes every core otherwise, and slows the build as much as it gains).
                environment["RAYON_NUM_THREADS"] = "1"
            with tempfile.TemporaryFile() as messages:  # not a pipe, which a chatty Pagefind could fill
                with self._lock:
                    if self._stopped:
                        return None
                    try:
                        process = subprocess.Popen(
                            command,
                            stdout=messages,
                            stderr=subprocess.STDOUT,
                            env=environment,
                            process_group=0,  # with Pagefind, its child: ``stop`` kills both
                        )
                    except OSError as exc:
                        return f"could not run Pagefind: {exc}"
                    self._processes.add(process)
                returncode = process.wait()
                with self._lock:
                    self._processes.discard(process)
                messages.seek(0)
                detail = messages.read().decode("utf-8", errors="replace").strip()
        except OSError as exc:
            return f"could not prepare Pagefind's pages: {exc}"
        finally:
            self._folders += [folder] if staging is None else [folder, staging]  # the helper removes them
        if returncode != 0 and not self._stopped:
            return f"Pagefind could not index the site: {detail}"
        return None


def _restore(stored: Path, output: Path, published: Path | None = None) -> bool:
    """Put the bundle index kept in ``stored`` in ``output`` if it is intact
    (every file has the digest noted when it was made); False, writing
    nothing, if it is not. ``published``: where the published site has this
    bundle's folder, if it has one.

    Hard links (copies where links are refused), not copies: the bundle is
    then the very file the published site has (``_adopted``), which the
    build compares by inode, not byte for byte (at 5,000 articles, 5,700
    files of 50 MB written and read twice after every edit). A published
    file changed in place changes the kept one too, which this check then
    finds: that bundle is indexed again."""
    try:
        digests = json.loads((stored / DIGESTS_FILE).read_text(encoding="utf-8"))
        if not isinstance(digests, dict) or not digests or not all(map(stays_inside, digests)):
            return False
        if any(_sha256_of(stored / name) != digest for name, digest in digests.items()):
            return False
    except (OSError, ValueError, TypeError):
        return False
    linked: list[Path] = []
    folders: set[Path] = set()  # made already: a bundle's thousands of files are in a few
    try:
        for name, digest in digests.items():
            kept, target = stored / name, output / name
            if published is not None:
                _adopted(published / name, kept, digest)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            link_or_copy(kept, target)
            linked.append(target)
    except OSError:
        for path in linked:  # nothing half restored
            path.unlink(missing_ok=True)
        return False
    return True


def _sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _adopted(published: Path, kept: Path, digest: str) -> None:
    """Make the cache's file ``kept`` (of SHA-256 ``digest``, checked) the
    very file ``published`` is, where that holds the same bytes: a site
    published by a build that copied its index, or indexed it again, then
    keeps its files (inode, modification time) by a link, not a comparison,
    from the next build on. A failure only costs that comparison."""
    with contextlib.suppress(OSError):
        own, other = published.lstat(), kept.stat()
        if not stat.S_ISREG(own.st_mode) or os.path.samestat(own, other) or own.st_size != other.st_size:
            return
        if _sha256_of(published) == digest:
            temporary = kept.with_name(f".{kept.name}.adopted")
            temporary.unlink(missing_ok=True)
            os.link(published, temporary, follow_symlinks=False)
            temporary.replace(kept)


def _forget_all_but(cache: Path, kept: set[str]) -> None:
    """Remove the bundles in ``cache`` that the build just made did not use,
    so the cache holds one site's index, not every index it ever had."""
    with contextlib.suppress(OSError):  # no cache folder: nothing to forget
        for entry in cache.iterdir():
            if entry.name not in kept and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)


def start_indexing(
    site: Path,
    patterns: Sequence[str] = ALL_PAGES,
    *,
    max_pages: int = MAX_BUNDLE_PAGES,
    cache: Path | None = None,
    workers: int = 1,
) -> Indexing:
    """Start indexing the pages under ``site`` that ``patterns`` match, in
    bundles of at most ``max_pages`` pages (``plan_bundles``), and return at
    once. ``cache``: a folder where each bundle's index is kept for the next
    build, which reuses those whose pages are the same. More pages may be
    queued (``Indexing.add``) until ``finish_indexing``."""
    indexing = Indexing(site, cache, max_pages=max_pages, workers=workers)
    indexing.add(patterns)
    return indexing


def finish_indexing(indexing: Indexing) -> None:
    """Wait for ``indexing`` to end, with all its workers; raises
    ``BriefingError`` if Pagefind failed."""
    indexing.finish()


def abandon_indexing(indexing: Indexing) -> None:
    """Stop ``indexing`` (the build failed; its folder is about to go)."""
    indexing.stop()


def _run_pagefind(plan_file: Path) -> int:
    """The helper process of a Pagefind run (``Indexing._index``), told what
    to do by ``plan_file``: copies the pages into the plan's folder as
    Pagefind is to read them (``_copy_for_pagefind``, through the kept
    copies if the plan has them), runs Pagefind on them and, given a place
    in the cache, keeps the index there (``_index_and_keep``); then removes
    the folder. Returns Pagefind's exit status, or 1 (and says why)."""
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    site, folder, output = Path(plan["site"]), Path(plan["folder"]), Path(plan["output"])
    copies = KeptCopies(Path(plan["copies"])) if plan["copies"] else None
    try:
        try:
            for page, page_digest in plan["pages"]:
                (folder / page).parent.mkdir(parents=True, exist_ok=True)
                _copy_for_pagefind(site / page, folder / page, copies, page_digest)
        except OSError as exc:
            print(f"could not prepare Pagefind's pages: {exc}", file=sys.stderr)
            return 1
        if plan["stored"] is None:
            return _pagefind(folder, output)
        published = Path(plan["published"]) if plan.get("published") else None
        return _index_and_keep(folder, output, Path(plan["stored"]), Path(plan["staging"]), published)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _pagefind(site: Path, output: Path) -> int:
    """Run Pagefind over the pages in ``site``, writing the index to ``output``: its exit status."""
    command = [
        sys.executable, "-P", "-m", "pagefind", "--site", str(site), "--output-path", str(output),
        *(arg for selector in NOT_INDEXED for arg in ("--exclude-selectors", selector)),
        "--silent",
    ]  # fmt: skip
    sys.stdout.flush()
    return subprocess.run(command, check=False).returncode


def _index_and_keep(
    site: Path, output: Path, stored: Path, staging: Path, published: Path | None = None
) -> int:
    """Index the pages in ``site`` into ``stored``, in the cache, with each
    file's digest (made in ``staging``, beside it, then renamed), then copy
    the index into ``output``: Pagefind's exit status. A cache that cannot
    be written only costs speed.

    The files the new index has alike with the published bundle's
    (``published``: most of them, after an edit of one page) are made those
    very files at once (``_restore``): else the site kept the published
    files and the cache the new ones, and the next build found them apart
    and made them one then (at 5,000 articles, 800 files, 0.3-0.8 s while
    it waited for the search index)."""
    shutil.rmtree(stored, ignore_errors=True)  # damaged, or never made
    try:
        staging.mkdir(parents=True)
    except OSError:
        return _pagefind(site, output)
    try:
        status = _pagefind(site, staging)
        if status != 0:
            return status
        digests = {
            path.relative_to(staging).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        with contextlib.suppress(OSError):  # a full disk, or another build stored it meanwhile
            (staging / DIGESTS_FILE).write_text(json.dumps(digests, indent=0), encoding="utf-8")
            staging.rename(stored)
        if _restore(stored, output, published) or _restore(staging, output):
            return 0
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _pagefind(site, output)


if __name__ == "__main__":
    sys.exit(_run_pagefind(Path(sys.argv[1])))
