"""Run a per-document stage on every core, with results in input order;
run one stage in a second process while this one runs another (``Alongside``).

Some stages look at one article at a time (quotes, dates): their work
splits across processes with nothing shared, and the results are read back
in the order of the documents, so a parallel build writes exactly the bytes
of a serial one. Processes, not threads: the stages are
pure Python and would hold the GIL.

Workers start with ``forkserver``, not ``fork``: the build may be running
threads (the progress display), and forking a process with threads can copy
a held lock into the child. A small archive stays in-process: below
``MIN_DOCUMENTS_PER_WORKER`` documents per worker, starting the workers and
shipping the documents costs more than it saves.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Generic, TypeVar

MIN_DOCUMENTS_PER_WORKER = 100
"""Below this many documents per worker a stage runs in-process."""
CHUNKS_PER_WORKER = 4
"""Documents go to the workers in this many chunks each: big enough that
shipping them is cheap, small enough that a slow chunk does not leave the
other worker idle for long."""

Result = TypeVar("Result")
Item = TypeVar("Item")


def available_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_setting(settings: Mapping[str, Any]) -> int:
    """How many processes a build may use: the ``BRIEFING_WORKERS`` setting, else one per core."""
    return int(settings.get("BRIEFING_WORKERS") or 0) or available_cores()


def processes_for(count: int, workers: int) -> int:
    """How many processes ``map_documents`` runs ``count`` documents in (1: this one)."""
    return max(1, min(workers, count // MIN_DOCUMENTS_PER_WORKER))


CHILD_SETUP = "generator.child_setup"
"""The module the forkserver imports before it starts any of the build's processes."""


def quiet_children() -> None:
    """Have the forkserver that starts the build's processes import
    ``CHILD_SETUP`` first, so each is born deaf to Ctrl-C and quiet if the
    build stops before handing it its work. For the command, which owns its
    process: it replaces any list of modules to preload set before, and
    holds only for a forkserver not yet running."""
    multiprocessing.get_context("forkserver").set_forkserver_preload([CHILD_SETUP])


def map_documents(
    function: Callable[[Item], Result], documents: Sequence[Item], workers: int
) -> list[Result]:
    """``[function(d) for d in documents]``, spread over up to ``workers`` processes
    (documents, or articles to segment).

    ``function`` must be a module-level function (the workers import it by name).
    """
    workers = processes_for(len(documents), workers)
    if workers <= 1:
        return _mapped(function, documents)
    chunk = -(-len(documents) // (workers * CHUNKS_PER_WORKER))
    try:
        context = multiprocessing.get_context("forkserver")
        lifeline, held = context.Pipe(duplex=False)
        try:
            pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=_worker_started, initargs=(lifeline,)
            )
            try:
                # Not ``pool.map``, which cancels what is left on an interrupt:
                # the pool, finding its workers gone, then failed on the
                # cancelled work and printed its own traceback.
                starts = range(0, len(documents), chunk)
                parts = [pool.submit(_mapped, function, documents[at : at + chunk]) for at in starts]
                results = [result for part in parts for result in part.result()]
            except BaseException:
                # Every worker ends now, and the pool is waited for only so long.
                # An interrupt (Ctrl-C, SIGTERM) lands wherever the pool is, and
                # can leave it waiting for ever: on a worker it started but had
                # not noted when the signal came, which took the signal to end
                # meant for another; or on work sent to workers no longer there
                # (both seen in the test suite and when stopping builds at random).
                held.close()
                _shut_down_within(pool, POOL_END_SECONDS)
                raise
            pool.shutdown()
            return results
        finally:  # the workers have ended: nothing reads the lifeline any more
            held.close()
            lifeline.close()
    except (OSError, ValueError, BrokenProcessPool) as exc:
        # No processes here (a sandbox without semaphores, a system without
        # ``forkserver``, a killed worker): the same results, only slower.
        logging.getLogger(__name__).warning("running in one process: %s", exc)
        return _mapped(function, documents)


POOL_END_SECONDS = 1.0
"""How long a failed or stopped ``map_documents`` waits for its pool to end.
Ended as it should, a pool takes 0.01-0.15 s (builds stopped by Ctrl-C at
random: 8 of 10). A worker ended while it sent its result leaves the pool
waiting for the rest of the message for ever (2 of 10): then the build
waits this long in vain, and the resource tracker reports the pool's
semaphores, which it removes, as leaked."""


def _shut_down_within(pool: ProcessPoolExecutor, seconds: float) -> None:
    """Shut ``pool`` down, waiting for it at most ``seconds``. It ends at once
    when its workers have ended, and lets go of its queues, whose semaphores
    the resource tracker otherwise reports as leaked; stuck, it is left to
    end with the process."""
    waiting = threading.Thread(target=pool.shutdown, daemon=True)
    waiting.start()
    waiting.join(seconds)


def _mapped(function: Callable[[Item], Result], documents: Sequence[Item]) -> list[Result]:
    """``function`` of each of ``documents``, in order: in a worker of
    ``map_documents``, one part of its documents; or all of them here."""
    return [function(document) for document in documents]


def _worker_started(lifeline: Connection) -> None:
    """A worker of ``map_documents``, starting. Like the build, it makes many
    long-lived objects and no cycles: the collector is off (see
    ``build.collector_paused``). And it ends with the build: ``lifeline`` is
    the reading end of a pipe whose writing end only the build holds.

    A build killed outright (SIGKILL, the out-of-memory killer) runs no
    clean-up, and its idle workers, which wait on a queue they hold both
    ends of, lived on for good, and with them the forkserver; they hold the
    caller's pipes open, so whatever waited for the build's output waited
    for ever. The system closes a killed process's files, so the pipe's end
    tells a worker at once.

    Ctrl-C in a terminal reaches every process of the build, and each
    worker printed its own interrupted traceback under the build's message:
    a worker ignores it, and the build, which it reaches too, ends them."""
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_the_build, args=(lifeline,), daemon=True).start()


def _end_with_the_build(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()  # nothing is ever sent: this returns only at the pipe's end
    os._exit(1)


MIN_DOCUMENTS_ALONGSIDE = 2 * MIN_DOCUMENTS_PER_WORKER
"""Below this many documents ``Alongside`` runs its stage in this process:
starting a process and shipping the documents would cost more than it saves."""


SENT_TOGETHER = 500
"""Items of a sequence ``Alongside`` pickles at once: 500 articles' documents take about 7 MB."""


class Alongside(Generic[Result]):
    """``function``, run in a second process while this one goes on with
    other work: ``start`` hands it its arguments, ``result`` waits for what
    it returns (or raises what it raised). With ``second_process`` False, or
    where no process can start or it dies, ``result`` runs it here instead:
    the same result, later.

    The process starts with ``forkserver`` (see ``map_documents``) as soon
    as this is made, so it has imported our code by the time ``start``
    sends the arguments, and ``start`` returns once it has them all: their
    pickled bytes and the pickler's memo (about 100 MB for 5,000 articles)
    are gone before this process goes on to work that raises its memory. A
    stage that writes files (its cache) writes them from whichever process
    runs it. Use as a context manager: on the way out the process is ended,
    whether or not ``result`` was asked for."""

    def __init__(self, function: Callable[..., Result], *, second_process: bool) -> None:
        self._function = function
        self._args: tuple[Any, ...] = ()
        self._process: Any = None
        self._connection: Any = None
        self._sent = False
        """Whether ``start`` sent the arguments (without them, ``result`` runs here)."""
        if second_process:
            try:
                context = multiprocessing.get_context("forkserver")
                self._connection, theirs = context.Pipe()
                self._process = context.Process(target=_serve, args=(function, theirs), daemon=True)
                self._process.start()
                theirs.close()
            except (OSError, ValueError) as exc:  # as in ``map_documents``
                logging.getLogger(__name__).warning("running in one process: %s", exc)
                self.close()

    def start(self, *args: Any) -> None:
        """Hand ``function`` its arguments (kept here too, to run it here if the
        process dies): one message each, a tuple or list in messages of at
        most ``SENT_TOGETHER`` items, so no more than that is pickled at once."""
        self._args = args
        if self._connection is not None:
            self._sent = True
            try:
                self._connection.send(len(args))
                for arg in args:  # each as (parts, is a tuple), then its parts or itself
                    if isinstance(arg, tuple | list) and len(arg) > SENT_TOGETHER:
                        self._connection.send((-(-len(arg) // SENT_TOGETHER), type(arg) is tuple))
                        for at in range(0, len(arg), SENT_TOGETHER):
                            self._connection.send(arg[at : at + SENT_TOGETHER])
                    else:
                        self._connection.send((0, False))
                        self._connection.send(arg)
            except OSError as exc:  # the process is gone
                logging.getLogger(__name__).warning("running in one process: %s", exc)
                self.close()

    def result(self) -> Result:
        """What ``function(*args)`` returns (or the exception it raised)."""
        try:
            if self._connection is not None and self._sent:
                try:
                    done, value = self._connection.recv()
                except Exception as exc:  # killed, or what it sent cannot be read here: run it here
                    logging.getLogger(__name__).warning("running in one process: %s", exc)
                else:
                    if done:
                        return value  # type: ignore[no-any-return]
                    raise value
            return self._function(*self._args)
        finally:
            self._args = ()
            self.close()

    def close(self) -> None:
        """End the second process (at once if its result was not taken)."""
        process, connection, self._process, self._connection = self._process, self._connection, None, None
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join()
        if connection is not None:
            connection.close()

    def __enter__(self) -> Alongside[Result]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _received(connection: Any) -> Any:
    """One argument as ``Alongside.start`` sent it."""
    parts, as_tuple = connection.recv()
    if not parts:
        return connection.recv()
    items = [item for _ in range(parts) for item in connection.recv()]
    return tuple(items) if as_tuple else items


def _serve(function: Callable[..., Any], connection: Any) -> None:
    """In the second process: run ``function`` on the arguments received and
    send back (True, its result) or (False, what it raised)."""
    gc.disable()  # as in the workers of ``map_documents``, and Ctrl-C too
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        args = tuple(_received(connection) for _ in range(connection.recv()))
    except EOFError:  # the caller went on without it
        return
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except Exception as exc:  # handed to the caller, which raises it
        outcome = (False, exc)
    del args
    try:
        connection.send(outcome)
    except Exception as exc:  # an exception or result that cannot be pickled
        connection.send((False, RuntimeError(f"{function.__qualname__} failed in a second process: {exc!r}")))
    connection.close()
