"""Full-text search: index a built site with Pagefind.

Pagefind (the ``pagefind`` package, whose ``bin`` extra ships the binary)
reads the finished HTML and writes a static index and its search UI into
``pagefind/`` beside the pages; nothing is fetched at build or search time.
Only regions marked ``data-pagefind-body`` (briefings and article pages) are
indexed, and only the files those pages are saved as are read: Pagefind
would otherwise parse every other page (outlet pages, the home page) only
to skip it, a fifth of its time at 5,000 articles. Pagefind runs in its
own process, started as soon as those pages are written
(``start_indexing``), so it works while the build writes the rest. The
page's script (``theme/search.js``) loads the UI, so with JavaScript off
the site simply has no search box.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from generator.errors import BriefingError

BUNDLE_DIR = "pagefind"
NOT_INDEXED = (".backlink", ".sources", ".visually-hidden", "[data-pagefind-ignore]")
"""Page furniture inside indexed regions (links back, source lists, screen-reader
hints): indexing it would fill result excerpts with "1 outlet: … original"."""


ALL_PAGES = "**/*.{html}"
"""Pagefind's own default: every HTML file."""


def pages_glob(save_as: Iterable[str]) -> str:
    """The Pagefind glob of the files saved by Pelican's ``*_SAVE_AS``
    patterns ``save_as`` (empty ones write nothing): each ``{placeholder}``
    stands for one path segment, or for as many as its date format has."""

    def wildcard(placeholder: re.Match[str]) -> str:
        return "/".join("*" * (placeholder.group(0).count("/") + 1))

    patterns = sorted({re.sub(r"\{[^}]*\}", wildcard, pattern) for pattern in save_as if pattern})
    if not patterns:
        return ALL_PAGES
    return patterns[0] if len(patterns) == 1 else "{" + ",".join(patterns) + "}"


@dataclass(frozen=True, slots=True)
class Indexing:
    """A Pagefind run under way, started by ``start_indexing``."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]
    """Where its messages go: a file, not a pipe, which a chatty Pagefind
    could fill and stall on while nobody reads it."""


def start_indexing(site: Path, glob: str = ALL_PAGES) -> Indexing:
    """Start indexing the pages under ``site`` that ``glob`` matches, in
    Pagefind's own process, and return at once: the build goes on writing
    the pages Pagefind does not read while it works on the other core."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--glob",
        glob,
        "--output-subdir",
        BUNDLE_DIR,
        *(arg for selector in NOT_INDEXED for arg in ("--exclude-selectors", selector)),
        "--silent",
    ]
    output = tempfile.TemporaryFile()  # noqa: SIM115 (outlives this call: closed by finish_indexing)
    try:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    except OSError as exc:
        output.close()
        raise BriefingError(f"could not run Pagefind: {exc}") from exc
    return Indexing(process, output)


def finish_indexing(indexing: Indexing) -> None:
    """Wait for ``indexing`` to end; raises ``BriefingError`` if Pagefind failed."""
    with indexing.output as output:
        returncode = indexing.process.wait()
        output.seek(0)
        detail = output.read().decode("utf-8", errors="replace").strip()
    if returncode != 0:
        raise BriefingError(f"Pagefind could not index the site: {detail}")


def abandon_indexing(indexing: Indexing) -> None:
    """Stop ``indexing`` (the build failed; its folder is about to go)."""
    with indexing.output:
        if indexing.process.poll() is None:
            indexing.process.kill()
        indexing.process.wait()
