"""Per-article stages on several cores: same results, in the same order, as in one process."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import generate
from generator.build import BuildOptions, build
from generator.errors import ContentError
from generator.parallel import MIN_DOCUMENTS_PER_WORKER, SENT_TOGETHER, Alongside, map_documents
from tests.helpers import file_tree


def _process_and_square(value: Any) -> tuple[int, int]:
    return os.getpid(), value * value


def _process_and_sizes(numbers: tuple[int, ...], names: list[str], label: str) -> tuple[int, object]:
    return os.getpid(), (type(numbers).__name__, sum(numbers), numbers[-1], names[:2], len(names), label)


def _refuse(reason: str) -> None:
    raise ValueError(reason)


def _die(value: int) -> int:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # killed, as by the kernel's OOM killer
    return value + 1


def test_alongside_runs_in_a_second_process_and_hands_back_its_result() -> None:
    """Arguments longer than is pickled at once arrive whole, in order, as the type they were."""
    numbers = tuple(range(3 * SENT_TOGETHER + 7))
    names = [f"n{i}" for i in range(SENT_TOGETHER + 1)]
    with Alongside(_process_and_sizes, second_process=True) as later:
        later.start(numbers, names, "label")
        pid, sizes = later.result()
    assert pid != os.getpid()
    assert sizes == _process_and_sizes(numbers, names, "label")[1]
    with Alongside(_process_and_sizes, second_process=False) as here:
        here.start(numbers, names, "label")
        assert here.result() == (os.getpid(), sizes)


def test_what_the_second_process_raises_is_raised_here() -> None:
    with Alongside(_refuse, second_process=True) as later:
        later.start("no topics")
        with pytest.raises(ValueError, match="no topics"):
            later.result()


def _report_a_content_error(path: str) -> None:
    raise ContentError(path, 3, "broken front matter")


def test_an_error_that_cannot_travel_back_is_raised_as_it_is_here() -> None:
    """``ContentError`` needs its path and line to be made again: unpickled as
    pickling leaves it, it would be a ``TypeError`` naming neither."""
    with Alongside(_report_a_content_error, second_process=True) as later:
        later.start("articles/a.md")
        with pytest.raises(ContentError) as raised:
            later.result()
    assert (raised.value.path, raised.value.line) == ("articles/a.md", 3)


def test_without_its_arguments_the_second_process_is_not_waited_for() -> None:
    """``result`` before ``start``: the function runs here (it takes none)."""
    with Alongside(os.getpid, second_process=True) as later:
        assert later.result() == os.getpid()


def test_a_second_process_that_dies_leaves_the_work_to_this_one() -> None:
    with Alongside(_die, second_process=True) as later:
        later.start(41)
        assert later.result() == 42


def test_a_second_process_left_without_its_result_is_ended() -> None:
    later = Alongside(_refuse, second_process=True)
    process = later._process
    with later:
        pass  # the caller failed before handing it anything
    assert process is not None and not process.is_alive()


def test_results_come_back_in_input_order_from_other_processes() -> None:
    values = list(range(2 * MIN_DOCUMENTS_PER_WORKER + 7))
    results = map_documents(_process_and_square, values, workers=2)
    assert [square for _, square in results] == [v * v for v in values]
    assert os.getpid() not in {pid for pid, _ in results}


_INTERRUPTED_AS_A_WORKER_STARTS = """
import multiprocessing.context, time
from generator.parallel import MIN_DOCUMENTS_PER_WORKER, map_documents

start = multiprocessing.context.ForkServerProcess.start
started = []

def start_then_interrupted(process):
    start(process)
    started.append(process.pid)
    if len(started) == 2:  # as Ctrl-C or SIGTERM would, before the pool notes its second worker
        raise KeyboardInterrupt

multiprocessing.context.ForkServerProcess.start = start_then_interrupted
try:
    # The first worker sleeps on its first document while the second, done
    # with its own, waits: it takes the first signal to end.
    map_documents(time.sleep, [1.0] + [0.0] * (4 * MIN_DOCUMENTS_PER_WORKER - 1), workers=2)
except KeyboardInterrupt:
    print(*started)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_an_interrupt_as_a_worker_starts_ends_every_worker_and_waits_for_none() -> None:
    """An interrupt (Ctrl-C; SIGTERM, see ``cli.run``) lands wherever the
    build is: one that landed as the pool started its second worker left a
    worker the pool did not know of, which took the first worker's signal
    to end, and the pool then waited for the first for ever (seen once in
    the test suite: a build stopped by SIGTERM that never ended). Here it
    stops promptly, every worker ends, and the process exits normally."""
    import time

    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_AS_A_WORKER_STARTS], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) == 2
    for _ in range(50):
        if not any(Path(f"/proc/{pid}").exists() for pid in workers):
            break
        time.sleep(0.1)
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []


_WORK_NEVER_HANDED_OVER = """
import os, sys
from multiprocessing import forkserver
from generator.parallel import quiet_children

if sys.argv[1] == "quiet":
    quiet_children()
forkserver.ensure_running()
# A process asked of the forkserver, then left before its work is handed
# over: what an interrupt as the build starts a worker does.
sentinel, to_child = forkserver.connect_to_new_process([])
forkserver.read_signed(sentinel)  # its pid
os.close(to_child)
print(forkserver.read_signed(sentinel))  # its exit status
"""


@pytest.mark.parametrize("setup", ["quiet", "python's own"])
def test_a_process_the_build_never_handed_its_work_ends_without_a_word(setup: str) -> None:
    """Ctrl-C as the build started a worker printed the standard library's
    "EOFError: Ran out of input" traceback under the build's message. With
    ``quiet_children``, as the command
    runs it, such a process ends with nothing said; without, the traceback
    is there (this test would see it)."""
    done = subprocess.run(
        [sys.executable, "-c", _WORK_NEVER_HANDED_OVER, setup], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() != "0"  # the process did end for want of its work
    if setup == "quiet":
        assert done.stderr == ""
    else:
        assert "EOFError" in done.stderr


_FAILED_TO_START = """
import sys
import multiprocessing.synchronize
import generator.child_setup  # as the forkserver imports it

def report_as_the_forkserver_does(start):
    try:
        start()
    except Exception:
        sys.excepthook(*sys.exc_info())
        sys.stderr.flush()

# A semaphore of a pool its parent already let go of, opened by a worker
# that was starting: as a process object holding it is unpickled.
lock = object.__new__(multiprocessing.synchronize.Lock)
report_as_the_forkserver_does(lambda: lock.__setstate__((0, 1, 1, "/briefing-pool-gone")))
print("---", file=sys.stderr, flush=True)
# Any other failure to start is real, and shown.
report_as_the_forkserver_does(lambda: open("/no/such/main/module.py"))
"""


def test_a_process_started_as_the_build_let_go_of_its_pool_ends_without_a_word() -> None:
    """Ctrl-C as the build started a worker could also show the worker
    failing to open a semaphore of the pool the build had already shut
    down ("FileNotFoundError", from the standard library's own code). That
    is quiet; a failure to start for any other reason is still shown in
    full, the only place its cause is printed."""
    done = subprocess.run(
        [sys.executable, "-c", _FAILED_TO_START], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    semaphore, other = done.stderr.split("---\n")
    assert semaphore == ""
    assert "FileNotFoundError" in other and "/no/such/main/module.py" in other


_HANDLER_AT_BIRTH = """
import multiprocessing, signal, sys
from generator.parallel import quiet_children

def report(connection):
    connection.send(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)

if __name__ == "__main__":
    quiet_children()
    context = multiprocessing.get_context("forkserver")
    ours, theirs = context.Pipe()
    process = context.Process(target=report, args=(theirs,))
    process.start()
    print(ours.recv())
    process.join()
"""


def test_the_build_s_processes_are_born_deaf_to_ctrl_c(tmp_path: Path) -> None:
    """A worker forked but not yet running our code (whose initializer
    ignores Ctrl-C) had Python's own handler, and printed its
    ``KeyboardInterrupt`` when Ctrl-C reached the whole build. With
    ``quiet_children`` every process the forkserver starts ignores it from
    its first instruction."""
    script = tmp_path / "born.py"
    script.write_text(_HANDLER_AT_BIRTH, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_a_small_archive_stays_in_this_process() -> None:
    values = list(range(MIN_DOCUMENTS_PER_WORKER))
    results = map_documents(_process_and_square, values, workers=4)
    assert {pid for pid, _ in results} == {os.getpid()}


def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(tmp_path: Path) -> None:
    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    serial = build(BuildOptions(content=content, output=tmp_path / "serial", workers=1))
    parallel = build(BuildOptions(content=content, output=tmp_path / "parallel", workers=2))
    assert serial.statements == parallel.statements > 100
    assert file_tree(tmp_path / "serial") == file_tree(tmp_path / "parallel")


def test_a_generator_folder_of_the_users_does_not_stand_in_for_ours(tmp_path: Path) -> None:
    """``briefing build`` run in a project folder that holds a package called
    ``generator`` (or a module called ``pagefind``): the second process, the
    worker processes and the search index's helper still run our code. Had
    one imported the user's, the build would go on in one process, warning,
    or fail to index; the site is the one built from anywhere else."""
    for place in ("elsewhere", "project"):  # each with its own cache, beside its content
        content = tmp_path / place / "content"
        generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    build(BuildOptions(content=tmp_path / "elsewhere" / "content", output=tmp_path / "elsewhere" / "site"))
    project = tmp_path / "project"
    (project / "generator").mkdir()
    (project / "generator" / "__init__.py").write_text('raise ImportError("the user\'s generator")\n')
    (project / "pagefind.py").write_text('raise ImportError("the user\'s pagefind")\n')
    (project / "pelicanconf.py").write_text(
        "from generator.settings import *  # noqa: F403\nBRIEFING_WORKERS = 2\n"
    )
    command = [str(Path(sys.executable).with_name("briefing")), "build", "--output", "site"]
    built = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    assert "Error" not in built.stderr and "one process" not in built.stderr, built.stderr
    assert file_tree(project / "site") == file_tree(tmp_path / "elsewhere" / "site")


@pytest.mark.parametrize(
    "refusal",
    [
        OSError(38, "Function not implemented"),  # a sandbox without POSIX semaphores
        ValueError("cannot find context for 'forkserver'"),  # a system without forkserver
    ],
)
def test_without_worker_processes_the_stage_still_runs_in_this_one(
    monkeypatch: Any, refusal: Exception
) -> None:
    """Where processes cannot start."""

    def refuse(method: str) -> Any:
        raise refusal

    monkeypatch.setattr("generator.parallel.multiprocessing.get_context", refuse)
    values = list(range(2 * MIN_DOCUMENTS_PER_WORKER))
    results = map_documents(_process_and_square, values, workers=2)
    assert results == [(os.getpid(), v * v) for v in values]
    with Alongside(_process_and_square, second_process=True) as later:
        later.start(7)
        assert later.result() == (os.getpid(), 49)


def _kept_documents(content: Path, cache: Path) -> tuple[tuple[Any, ...], tuple[Any, ...], Any]:
    """The documents and topics of ``content``, read and segmented as the
    content check does, and where ``cache`` now keeps them (``DocumentsKept``)."""
    from generator.article_cache import DocumentCache
    from generator.content import load_content

    known = DocumentCache(cache)
    loaded = load_content(content, known.read_article)
    documents = known.segmented(loaded.articles, workers=1)
    kept = known.save(documents)
    assert kept is not None and kept.path.is_file()
    return documents, loaded.topics, kept


def test_documents_kept_by_the_check_are_read_back_the_same_and_in_order(tmp_path: Path) -> None:
    from generator.article_cache import DocumentsKept, DocumentsNotKept

    content = tmp_path / "content"
    generate(content, articles=30, topics=3, outlets=4, seed=5)
    documents, _, kept = _kept_documents(content, tmp_path / "cache")
    assert kept.load() == documents
    keys = tuple(reversed(kept.keys))
    assert DocumentsKept(kept.path, keys).load() == tuple(reversed(documents))
    with pytest.raises(DocumentsNotKept):
        DocumentsKept(kept.path, (*keys, "0" * 64)).load()


@pytest.mark.parametrize("still_there", [True, False])
def test_the_second_process_reads_the_documents_where_the_check_kept_them(
    tmp_path: Path, still_there: bool
) -> None:
    """Its people and disagreements are the same as with the documents sent,
    and the same again when another build replaced the file meanwhile (then
    they are found here, from this process's documents)."""
    from generator.pipeline import merge_site

    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    documents, topics, kept = _kept_documents(content, tmp_path / "cache")
    if not still_there:
        kept.path.write_bytes(pickle.dumps({}))
    sent = merge_site(documents, topics, workers=2, cache=tmp_path / "sent")
    read = merge_site(documents, topics, workers=2, cache=tmp_path / "read", documents_kept=kept)
    assert read.people and read.people == sent.people
    assert read.briefings == sent.briefings and any(b.disagreements for b in read.briefings)


def test_disagreements_prepared_partly_before_and_partly_beside_the_merge_are_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two cores and nothing kept, the articles' ``disagree.prepare``
    is made partly before the second process starts and the rest in it
    (``pipeline.PREPARED_HERE``), or all in it (as at this size: fewer than
    ``PREPARED_BESIDE_AT_LEAST``): the people, disagreements and briefings
    are those one process makes alone, and so are they again from the caches."""
    from generator import pipeline

    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    documents, topics, _ = _kept_documents(content, tmp_path / "documents")
    alone = pipeline.merge_site(documents, topics, workers=1, cache=tmp_path / "alone")
    assert any(b.disagreements for b in alone.briefings) and alone.people
    beside = pipeline.merge_site(documents, topics, workers=2, cache=tmp_path / "beside")
    assert beside.briefings == alone.briefings and beside.people == alone.people
    monkeypatch.setattr(pipeline, "PREPARED_BESIDE_AT_LEAST", 0)
    split = pipeline.merge_site(documents, topics, workers=2, cache=tmp_path / "split")
    assert split.briefings == alone.briefings and split.people == alone.people
    again = pipeline.merge_site(documents, topics, workers=2, cache=tmp_path / "split")
    assert again.briefings == alone.briefings
