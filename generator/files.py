"""File operations the build shares: the output folder's swap (``build``),
the folders of pages Pagefind reads (``search``), and the cache files that
must never be left half written or lead outside their folder."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)


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


def load_pickle(path: Path, what: str) -> object | None:
    """The object kept at ``path`` (a cache file); None if there is none, or,
    with a warning naming ``what``, if it cannot be read: a damaged or
    foreign cache file costs only speed."""
    try:
        with path.open("rb") as handle:
            kept: object = pickle.load(handle)
            return kept
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file: unpickling can raise anything
        log.warning("Ignoring the %s %s: %s", what, path, exc)
        return None


def save_pickle(path: Path, value: object, what: str) -> bool:
    """Keep ``value`` at ``path`` (``write_atomically``); a failure to write is
    a warning naming ``what``: it costs only speed. Whether it was written."""
    try:
        write_atomically(path, lambda handle: pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError) as exc:
        log.warning("Could not save the %s %s: %s", what, path, exc)
        return False
    return True
