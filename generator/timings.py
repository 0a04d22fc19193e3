"""Stage timings of one build, for the benchmarks; off unless asked for.

``briefing build`` with ``BRIEFING_TIMINGS=report.json`` in the environment
(or ``BuildOptions.timings``) writes how long each stage took, summed over
its calls, as JSON. Without it no ``Timings`` exists and every stage runs
exactly as before: timing never changes what a build writes.

Each stage also records the process's peak memory (RSS) when it ended, so
the stage that raises the peak is visible (``peak_mb``; POSIX only).

Stage names are ``<pass>.<stage>``: the content check (``check.*``) and the
Pelican run (``pelican.*``) each read and merge the articles, and the report
shows both so duplicated work is visible.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "BRIEFING_TIMINGS"
"""Environment variable naming the JSON file to write the timings to."""
SETTING = "BRIEFING_TIMINGS"
"""Pelican setting under which ``build`` hands the plugin its ``Timings``
(present only when timing)."""


def timings_of(settings: object) -> Timings | None:
    """The ``Timings`` a build put into Pelican's settings, if it is timing."""
    value = settings.get(SETTING) if isinstance(settings, dict) else None
    return value if isinstance(value, Timings) else None


@dataclass(slots=True)
class Timings:
    """Seconds and calls per stage, accumulated while a build runs.

    Mutable on purpose: one recorder is handed down to the stages of one
    build, which add to it; it lives no longer than that build.
    """

    prefix: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    """The process's peak RSS (MB) when each stage last ended."""
    marks: dict[str, float] = field(default_factory=dict)
    """Moments (``perf_counter``) between which a phase is measured, for
    phases that start and end in different modules (Pelican's run)."""

    def scoped(self, prefix: str) -> Timings:
        """The same recorder, naming stages ``<prefix>.<name>``."""
        return Timings(f"{self.prefix}{prefix}.", self.seconds, self.calls, self.peak_mb, self.marks)

    def mark(self, name: str) -> None:
        self.marks[self.prefix + name] = time.perf_counter()

    def span(self, name: str, start: str, end: str) -> None:
        """Record the time from mark ``start`` to mark ``end`` as stage ``name``, if both were set."""
        if start in self.marks and end in self.marks:
            self.add(name, self.marks[end] - self.marks[start])

    def add(self, name: str, seconds: float) -> None:
        key = self.prefix + name
        self.seconds[key] = self.seconds.get(key, 0.0) + seconds
        self.calls[key] = self.calls.get(key, 0) + 1
        peak = peak_rss_mb()
        if peak is not None:
            self.peak_mb[key] = round(peak, 1)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def report(self) -> dict[str, object]:
        return {
            "version": 1,
            "stages": {
                name: {"seconds": round(self.seconds[name], 6), "calls": self.calls[name]}
                | ({"peak_mb": self.peak_mb[name]} if name in self.peak_mb else {})
                for name in sorted(self.seconds)
            },
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.report(), indent=2) + "\n", encoding="utf-8")


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far, in MB (None where unknown)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes there, KiB on Linux


def stage(timings: Timings | None, name: str) -> AbstractContextManager[None]:
    """Time ``name`` on ``timings``, or do nothing when timings are off."""
    return timings.stage(name) if timings is not None else nullcontext()


def requested(explicit: Path | None) -> Path | None:
    """Where to write timings: the explicit path, else ``$BRIEFING_TIMINGS``, else nowhere."""
    if explicit is not None:
        return explicit
    value = os.environ.get(ENV_VAR, "")
    return Path(value) if value else None
