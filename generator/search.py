"""Full-text search: index a built site with Pagefind.

Pagefind (the ``pagefind`` package, whose ``bin`` extra ships the binary)
reads the finished HTML and writes a static index and its search UI into
``pagefind/`` beside the pages; nothing is fetched at build or search time.
Only regions marked ``data-pagefind-body`` (briefings and article pages) are
indexed, and only the files those pages are saved as are read: Pagefind
would otherwise parse every other page (outlet pages, the home page) only
to skip it, a fifth of its time at 5,000 articles. The page's script
(``theme/search.js``) loads the UI, so with JavaScript off the site simply
has no search box.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

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


def index_site(site: Path, glob: str = ALL_PAGES) -> None:
    """Write the Pagefind index of the HTML pages under ``site`` (those that
    ``glob`` matches) into ``site/pagefind``."""
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
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BriefingError(f"could not run Pagefind: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BriefingError(f"Pagefind could not index the site: {detail}")
