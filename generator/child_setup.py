"""What every process the build starts is born with: imported by the
forkserver (``parallel.quiet_children``) before it forks any.

Ctrl-C in a terminal reaches every process of the build, and the build
stops its workers itself (``parallel``). Two of the standard library's own
messages still came through, about once in ten interrupts, under the
build's "interrupted; nothing was changed.":

* a worker forked but not yet running our code has Python's own Ctrl-C
  handler, and printed its ``KeyboardInterrupt``. The forkserver gives each
  child the handler it found when it started, which this module sets: the
  signal is ignored;
* a worker whose work the build, interrupted, never handed over printed
  "EOFError: Ran out of input". The forkserver reports a child's failure to
  start through ``sys.excepthook``; this module's stays quiet about an
  ``EOFError`` (the other end went away: nothing to report) and leaves every
  other error to the default hook.
"""

from __future__ import annotations

import signal
import sys
from types import TracebackType


def _quiet_about_a_parent_gone(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if not issubclass(kind, EOFError):
        sys.__excepthook__(kind, error, trace)


signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.excepthook = _quiet_about_a_parent_gone
