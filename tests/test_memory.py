"""Tests for ``generator.memory``: freed memory goes back to the system.

A user cares because the build's peak memory decides whether it runs on a
small CI machine: without this, memory one stage freed stayed resident
under every later stage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.memory import can_release, release_free_memory

STATUS = Path("/proc/self/status")


def _resident_mb() -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not (can_release() and STATUS.exists()), reason="needs glibc and /proc")
def test_memory_a_stage_freed_is_returned_to_the_system() -> None:
    # Blocks of the size of an article's pickled results (C malloc, not
    # Python's small-object arenas), with smaller ones kept between them as
    # the build's data is, so the C library cannot just shrink its heap.
    freed = []
    kept = []
    for _ in range(8000):
        freed.append(bytes(12_000))
        kept.append(bytes(600))
    del freed
    before = _resident_mb()
    release_free_memory()
    after = _resident_mb()
    assert before - after > 60, (before, after)
    assert len(kept) == 8000
