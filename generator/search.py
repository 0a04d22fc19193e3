"""Full-text search: index a built site with Pagefind.

Pagefind (the ``pagefind`` package, whose ``bin`` extra ships the binary)
reads the finished HTML and writes a static index and its search UI into
``pagefind/`` beside the pages; nothing is fetched at build or search time.
Only regions marked ``data-pagefind-body`` (briefings and article pages) are
indexed. The page's script (``theme/search.js``) loads the UI, so with
JavaScript off the site simply has no search box.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.errors import BriefingError

BUNDLE_DIR = "pagefind"
NOT_INDEXED = (".backlink", ".sources", ".visually-hidden", "[data-pagefind-ignore]")
"""Page furniture inside indexed regions (links back, source lists, screen-reader
hints): indexing it would fill result excerpts with "1 outlet: … original"."""


def index_site(site: Path) -> None:
    """Write the Pagefind index of the HTML pages under ``site`` into ``site/pagefind``."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
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
