"""Handing freed memory back to the system between the build's stages.

CPython keeps small objects in arenas of its own, but larger blocks (each
article's per-article results as pickled bytes, article bodies, the merge's
big lists and tables) come from the C library's ``malloc``. glibc keeps the
blocks a stage frees for later reuse instead of returning them, so the
resident memory of one stage stays on top of every later one: the build
peaked well above what it held at any one time. ``release_free_memory``
asks glibc (``malloc_trim``) to return the free pages; ``pipeline.merge_site``
calls it after each stage that frees much. Measured at 5,000 articles: the
build's peak 712 → 654 MB, for a few milliseconds a call.

Where there is no glibc (macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


def can_release() -> bool:
    """Whether this C library can return freed memory on request (glibc)."""
    return _malloc_trim() is not None


def release_free_memory() -> None:
    """Return the C library's free memory to the system, where it can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
