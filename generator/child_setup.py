"""What every process the build starts is born with: imported by the
forkserver (``parallel.quiet_children``) before it forks any.

Ctrl-C in a terminal reaches every process of the build, and the build
stops its workers itself (``parallel``). Now and then (2 of about 230
interrupts at random moments of a cold build) the standard library's own
traceback still came through under the build's "interrupted; nothing was
changed.":

* a worker forked but not yet running our code has Python's own Ctrl-C
  handler, and printed its ``KeyboardInterrupt``. The forkserver gives each
  child the handler it found when it started, which this module sets: the
  signal is ignored;
* a worker started as the build stopped could not get its work: the build,
  interrupted, never handed it over ("EOFError: Ran out of input"), or had
  already let go of the pool it was for, and with it the pool's semaphores
  ("FileNotFoundError" as one is opened). The forkserver reports a child
  that fails to start through ``sys.excepthook``; this module's stays quiet
  about those two (``_parent_gone``) and leaves every other failure to
  start, a real one, to the default hook.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import TracebackType


def _parent_gone(error: BaseException, trace: TracebackType | None) -> bool:
    """Whether a child failed to start because its parent is done with it:
    the end of what the parent sent, or a semaphore of the parent's gone."""
    if isinstance(error, EOFError):
        return True
    if not isinstance(error, FileNotFoundError) or trace is None:
        return False
    while trace.tb_next is not None:  # the innermost frame: where it was raised
        trace = trace.tb_next
    return Path(trace.tb_frame.f_code.co_filename).parts[-2:] == ("multiprocessing", "synchronize.py")


def _quiet_about_a_parent_gone(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if not _parent_gone(error, trace):
        sys.__excepthook__(kind, error, trace)


signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.excepthook = _quiet_about_a_parent_gone
