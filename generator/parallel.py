"""Run a per-document stage on every core, with results in input order.

Some stages look at one article at a time (quotes, dates): their work
splits across processes with nothing shared, and ``Executor.map`` hands the
results back in the order of the documents, so a parallel build writes
exactly the bytes of a serial one. Processes, not threads: the stages are
pure Python and would hold the GIL.

Workers start with ``forkserver``, not ``fork``: the build may be running
threads (the progress display), and forking a process with threads can copy
a held lock into the child. A small archive stays in-process: below
``MIN_DOCUMENTS_PER_WORKER`` documents per worker, starting the workers and
shipping the documents costs more than it saves.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from generator.model import Document

MIN_DOCUMENTS_PER_WORKER = 100
"""Below this many documents per worker a stage runs in-process."""
CHUNKS_PER_WORKER = 4
"""Documents go to the workers in this many chunks each: big enough that
shipping them is cheap, small enough that a slow chunk does not leave the
other worker idle for long."""

Result = TypeVar("Result")


def available_cores() -> int:
    """The cores this process may run on (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_documents(
    function: Callable[[Document], Result], documents: Sequence[Document], workers: int
) -> list[Result]:
    """``[function(d) for d in documents]``, spread over up to ``workers`` processes.

    ``function`` must be a module-level function (the workers import it by name).
    """
    workers = min(workers, len(documents) // MIN_DOCUMENTS_PER_WORKER)
    if workers <= 1:
        return [function(document) for document in documents]
    chunk = -(-len(documents) // (workers * CHUNKS_PER_WORKER))
    try:
        context = multiprocessing.get_context("forkserver")
        # Workers, like the build, make many long-lived objects and no cycles
        # (see ``build.collector_paused``).
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.disable) as pool:
            return list(pool.map(function, documents, chunksize=chunk))
    except (OSError, BrokenProcessPool) as exc:
        # No processes here (a sandbox without semaphores, a killed worker):
        # the same results, only slower.
        logging.getLogger(__name__).warning("running in one process: %s", exc)
        return [function(document) for document in documents]
