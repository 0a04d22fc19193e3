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
indexed in *bundles* of at most ``MAX_BUNDLE_PAGES`` pages and
``MAX_BUNDLE_BYTES`` of HTML (``plan_bundles``), one Pagefind run after
another, and the search page merges them (Pagefind's ``mergeIndex``): the
first bundle is ``pagefind/`` itself, the others ``pagefind/part-2/`` and
on, listed in ``pagefind/bundles.json`` for ``theme/search.js``. Memory then
stays that of one bundle whatever the size of the archive, and the time is
the same. Each run reads a folder of hard links to its pages (copies where
links fail), so no file name has to be written as a glob.

The runs go on in a thread of their own, started as soon as the indexed pages
are written (``start_indexing``), so Pagefind works while the build writes
the rest. The page's script loads the UI, so with JavaScript off the site
simply has no search box.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.errors import BriefingError, ConfigError
from generator.files import link_or_copy

BUNDLE_DIR = "pagefind"
BUNDLES_FILE = "bundles.json"
"""In the first bundle: the folders of the others, for ``mergeIndex``."""
MAX_BUNDLE_PAGES = 1000
"""Pages a bundle holds at most (the setting ``BRIEFING_SEARCH_BUNDLE_PAGES``):
Pagefind then needs about 330 MB."""
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
"""HTML a bundle holds at most (large briefing pages fill a bundle first)."""
NOT_INDEXED = (".backlink", ".sources", ".visually-hidden", "[data-pagefind-ignore]")
"""Page furniture inside indexed regions (links back, source lists, screen-reader
hints): indexing it would fill result excerpts with "1 outlet: … original"."""

ALL_PAGES = ("**/*.html",)
"""Pagefind's own default: every HTML file."""


def page_patterns(save_as: Iterable[str]) -> tuple[str, ...]:
    """Glob patterns of the files saved by Pelican's ``*_SAVE_AS`` patterns
    ``save_as`` (empty ones write nothing): each ``{placeholder}`` stands for
    one path segment, or for as many as its date format has."""

    def wildcard(placeholder: re.Match[str]) -> str:
        return "/".join("*" * (placeholder.group(0).count("/") + 1))

    patterns = sorted({re.sub(r"\{[^}]*\}", wildcard, pattern) for pattern in save_as if pattern})
    return tuple(patterns) or ALL_PAGES


def indexed_pages(site: Path, patterns: Sequence[str] = ALL_PAGES) -> list[tuple[str, int]]:
    """The files under ``site`` that ``patterns`` match: path (relative, with
    ``/``) and size, sorted by path."""
    found = {path for pattern in patterns for path in site.glob(pattern) if path.is_file()}
    return sorted((path.relative_to(site).as_posix(), path.stat().st_size) for path in found)


def plan_bundles(
    pages: Sequence[tuple[str, int]],
    max_pages: int = MAX_BUNDLE_PAGES,
    max_bytes: int = MAX_BUNDLE_BYTES,
) -> list[list[str]]:
    """``pages`` (path, size), in order, cut into bundles of at most
    ``max_pages`` pages and ``max_bytes`` bytes (a larger page has a bundle
    of its own). There is always one bundle, empty if there are no pages."""
    bundles: list[list[str]] = [[]]
    size = 0
    for path, page_size in pages:
        if bundles[-1] and (len(bundles[-1]) >= max_pages or size + page_size > max_bytes):
            bundles.append([])
            size = 0
        bundles[-1].append(path)
        size += page_size
    return bundles


def bundle_folder(number: int) -> str:
    """Where bundle ``number`` (from 0) goes, relative to the first bundle's folder."""
    return "" if number == 0 else f"part-{number + 1}/"


class Indexing:
    """A Pagefind run under way, started by ``start_indexing``: its bundles
    are indexed one after another on a thread of their own."""

    def __init__(self, site: Path, bundles: list[list[str]]) -> None:
        self.site = site
        self.bundles = bundles
        self.error: str | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._index_all, name="pagefind", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        self._thread.join()

    def stop(self) -> None:
        """Kill the Pagefind run under way, start no other, and wait."""
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
        self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _index_all(self) -> None:
        try:
            for number, pages in enumerate(self.bundles):
                self.error = self._index(pages, self.site / BUNDLE_DIR / bundle_folder(number))
                if self.error is not None or self._stopped:
                    return
            others = [bundle_folder(number) for number in range(1, len(self.bundles))]
            manifest = json.dumps({"merge": others}, indent=1) + "\n"
            (self.site / BUNDLE_DIR / BUNDLES_FILE).write_text(manifest, encoding="utf-8")
        except Exception as exc:  # on this thread nobody else would see it: finish_indexing raises it
            self.error = f"could not index the site for search: {exc}"

    def _index(self, pages: list[str], output: Path) -> str | None:
        """Index ``pages`` into ``output``: None, or what went wrong."""
        try:
            folder = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.site.parent))
        except OSError as exc:
            return f"could not prepare Pagefind's pages: {exc}"
        try:
            for page in pages:
                (folder / page).parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(self.site / page, folder / page)
            command = [
                sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(output),
                *(arg for selector in NOT_INDEXED for arg in ("--exclude-selectors", selector)),
                "--silent",
            ]  # fmt: skip
            with tempfile.TemporaryFile() as messages:  # not a pipe, which a chatty Pagefind could fill
                with self._lock:
                    if self._stopped:
                        return None
                    try:
                        self._process = subprocess.Popen(command, stdout=messages, stderr=subprocess.STDOUT)
                    except OSError as exc:
                        return f"could not run Pagefind: {exc}"
                returncode = self._process.wait()
                messages.seek(0)
                detail = messages.read().decode("utf-8", errors="replace").strip()
        except OSError as exc:
            return f"could not prepare Pagefind's pages: {exc}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if returncode != 0 and not self._stopped:
            return f"Pagefind could not index the site: {detail}"
        return None


def start_indexing(
    site: Path, patterns: Sequence[str] = ALL_PAGES, *, max_pages: int = MAX_BUNDLE_PAGES
) -> Indexing:
    """Start indexing the pages under ``site`` that ``patterns`` match, in
    bundles of at most ``max_pages`` pages (``plan_bundles``), and return at
    once: the build goes on writing the pages Pagefind does not read while it
    works on the other core."""
    if max_pages < 1:
        raise ConfigError(f"BRIEFING_SEARCH_BUNDLE_PAGES must be at least 1, not {max_pages}")
    pages = indexed_pages(site, patterns) if site.is_dir() else []
    return Indexing(site, plan_bundles(pages, max_pages))


def finish_indexing(indexing: Indexing) -> None:
    """Wait for ``indexing`` to end; raises ``BriefingError`` if Pagefind failed."""
    indexing.wait()
    if indexing.error is not None:
        raise BriefingError(indexing.error)


def abandon_indexing(indexing: Indexing) -> None:
    """Stop ``indexing`` (the build failed; its folder is about to go)."""
    indexing.stop()
