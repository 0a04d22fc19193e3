"""Build progress: which stage a build is in, for a person watching a terminal.

A build is a fixed sequence of stages (``STAGES``). The build code announces
each stage and, where the amount of work is known, each unit of it (an
article segmented, an article read) to a ``Progress`` it is handed; it never
prints. ``NO_PROGRESS`` (the default) ignores everything, so a library call,
a test, CI or a pipe sees no difference. ``RichProgress`` is what the
``briefing build`` command shows on a terminal: a line per finished stage
with its time, and a live bar for the current one (removed when it ends, so
a scrolled-back log stays readable).

Progress is display only: a build writes the same bytes with or without it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # rich is imported only when a terminal shows progress
    from rich.console import Console
    from rich.progress import TaskID

STAGES: dict[str, str] = {
    "check": "Checking content (read, segment, assign topics)",
    "read": "Pelican: reading articles",
    "merge": "Pelican: merging statements",
    "write": "Pelican: rendering and writing pages",
    "search": "Indexing for search",
    "publish": "Publishing the output folder",
}
"""Stage names in build order, with what a person is told about each."""

SETTING = "BRIEFING_PROGRESS"
"""Pelican setting under which ``build`` hands the plugins its ``Progress``
(absent in a plain ``pelican`` run)."""


@runtime_checkable
class Progress(Protocol):
    """What a build reports as it goes. Stages come in ``STAGES`` order;
    starting one ends the one before."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Stage ``name`` (a key of ``STAGES``) begins; ``total`` units of work if known."""

    def advance(self, units: int = 1) -> None:
        """``units`` more units of the current stage are done."""

    def finish(self, ok: bool) -> None:
        """The build is over: end the current stage, which failed unless ``ok``."""


class NoProgress:
    """Reports nothing: the default for library calls, tests, CI and pipes."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, units: int = 1) -> None:
        pass

    def finish(self, ok: bool) -> None:
        pass


NO_PROGRESS = NoProgress()


def progress_of(settings: object) -> Progress:
    """The ``Progress`` a build put into Pelican's settings, or ``NO_PROGRESS``."""
    value = settings.get(SETTING) if isinstance(settings, dict) else None
    return value if isinstance(value, Progress) else NO_PROGRESS


class RichProgress:
    """Shows stages on ``console`` with rich: a live bar (or spinner) for the
    current stage, and a line ``✓ <stage> 0.4 s`` once it is done (``✗`` for
    the stage a failed build stopped in).

    Mutable on purpose: one instance follows one build and lives no longer.
    """

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            Task,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichBar
        from rich.text import Text

        class Count(MofNCompleteColumn):
            """``3/17`` for a stage whose size is known, nothing otherwise."""

            def render(self, task: Task) -> Text:
                return super().render(task) if task.total is not None else Text("")

        self._console = console
        self._bar = RichBar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            Count(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._name = ""
        self._started = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        self._end_stage()
        if self._task is None and not self._bar.live.is_started:
            self._bar.start()
        self._name = name
        self._started = time.perf_counter()
        self._task = self._bar.add_task(STAGES.get(name, name), total=total)

    def advance(self, units: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, units)

    def finish(self, ok: bool) -> None:
        self._end_stage(ok)
        self._bar.stop()

    def _end_stage(self, ok: bool = True) -> None:
        if self._task is None:
            return
        self._bar.remove_task(self._task)
        self._task = None
        seconds = time.perf_counter() - self._started
        label = STAGES.get(self._name, self._name)
        mark = "[green]✓[/green]" if ok else "[red]✗[/red]"
        self._console.print(f"{mark} {label} [dim]{seconds:.1f} s[/dim]", highlight=False)
