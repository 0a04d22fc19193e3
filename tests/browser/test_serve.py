"""``briefing serve`` in a browser: an open page reloads itself after a rebuild."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from generator.build import BuildOptions, build
from tests.browser.conftest import CONTENT, REPO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    output = tmp_path / "preview"
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from generator.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--content",
            str(content),
            "--output",
            str(output),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield url, content, output
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_an_open_page_reloads_when_a_rebuild_finishes(chromium: Any, preview: tuple[str, Path, Path]) -> None:
    url, content, output = preview
    page = chromium.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url + "topics/wagner-group/", wait_until="networkidle")
        assert page.locator("h1").inner_text() == "Wagner Group"
        topic = content / "topics" / "wagner-group.md"
        topic.write_text(
            topic.read_text(encoding="utf-8").replace(
                "title: Wagner Group", "title: Wagner Group renamed", 1
            ),
            encoding="utf-8",
        )
        expect(page.locator("h1")).to_have_text("Wagner Group renamed", timeout=30_000)
        assert errors == []
    finally:
        page.close()
    # What the preview serves from disk is exactly what `briefing build` writes.
    built = build(
        BuildOptions(content=content, output=output.parent / "built", settings_file=REPO / "pelicanconf.py")
    )
    assert built.topics == 3
    tree = {p.relative_to(output): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}
    again = output.parent / "built"
    assert tree == {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
