"""File operations the build shares: the output folder's swap (``build``)
and the folders of pages Pagefind reads (``search``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """``target`` becomes the file ``source`` is (a hard link), or a copy where links are refused."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
