"""Per-article stages on several cores: same results, in the same order, as in one process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchmarks.generate import generate
from generator.build import BuildOptions, build
from generator.parallel import MIN_DOCUMENTS_PER_WORKER, map_documents
from tests.helpers import file_tree


def _process_and_square(value: Any) -> tuple[int, int]:
    return os.getpid(), value * value


def test_results_come_back_in_input_order_from_other_processes() -> None:
    values = list(range(2 * MIN_DOCUMENTS_PER_WORKER + 7))
    results = map_documents(_process_and_square, values, workers=2)  # type: ignore[arg-type]
    assert [square for _, square in results] == [v * v for v in values]
    assert os.getpid() not in {pid for pid, _ in results}


def test_a_small_archive_stays_in_this_process() -> None:
    values = list(range(MIN_DOCUMENTS_PER_WORKER))
    results = map_documents(_process_and_square, values, workers=4)  # type: ignore[arg-type]
    assert {pid for pid, _ in results} == {os.getpid()}


def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(tmp_path: Path) -> None:
    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    serial = build(BuildOptions(content=content, output=tmp_path / "serial", workers=1))
    parallel = build(BuildOptions(content=content, output=tmp_path / "parallel", workers=2))
    assert serial.statements == parallel.statements > 100
    assert file_tree(tmp_path / "serial") == file_tree(tmp_path / "parallel")


def test_without_worker_processes_the_stage_still_runs_in_this_one(monkeypatch: Any) -> None:
    """Where processes cannot start (e.g. a sandbox without POSIX semaphores)."""

    def refuse(method: str) -> Any:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr("generator.parallel.multiprocessing.get_context", refuse)
    values = list(range(2 * MIN_DOCUMENTS_PER_WORKER))
    results = map_documents(_process_and_square, values, workers=2)  # type: ignore[arg-type]
    assert results == [(os.getpid(), v * v) for v in values]
