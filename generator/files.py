"""File operations the build shares: the output folder's swap (``build``),
the folders of pages Pagefind reads (``search``), and the cache files that
must never be left half written or lead outside their folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """``target`` becomes the file ``source`` is (a hard link), or a copy where links are refused."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Make ``path`` hold what ``write`` writes to the open file it is
    given, through a temporary file beside it renamed into place: a build
    cut short, a full disk or two builds at once never leave half a file
    (a temporary one left by a failed write is removed). Raises what the
    write raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def stays_inside(name: object) -> bool:
    """Whether ``name``, read from a cache file, is a relative path that stays
    inside the folder it is relative to (a planted ``../`` or absolute path
    never makes the build read or write elsewhere)."""
    if not isinstance(name, str):
        return False
    path = Path(name)
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts
