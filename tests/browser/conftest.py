"""Fixtures for testing the published site as a reader gets it.

The example site is built twice with ``--base-url``: once for a domain root
and once for a project sub-path (``/repo/``), each served by a local HTTP
server that, like GitHub Pages, answers a missing address with ``404.html``.
Tests that need Chromium or Java skip with a reason when the tool is missing,
except under CI (``CI=true``), where they fail instead: CI must run them.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from generator.build import BuildOptions, build
from tests.helpers import settings_with

REPO = Path(__file__).resolve().parent.parent.parent
CONTENT = REPO / "content"
CHROMIUM = Path(os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip (fail under CI) when a tool these tests need is missing."""
    if available:
        return
    if UNDER_CI:
        pytest.fail(f"{reason}; under CI=true these tests must run (.ci/run installs it)")
    pytest.skip(reason)


@dataclass(frozen=True)
class ServedSite:
    """A built site and the address a local server publishes it at."""

    output: Path
    url: str
    """Public address of the site root, ending in ``/``."""

    def page_url(self, path: str) -> str:
        return self.url + path


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; a missing address gets the site's 404 page, as on GitHub Pages."""

    def __init__(self, *args: Any, not_found: Path, **kwargs: Any) -> None:
        self.not_found = not_found
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # LinkChecker only checks faster than 10 requests a second against a
        # server that opts in with this header.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def serve_folder() -> Iterator[Any]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(docroot: Path, not_found: Path) -> int:
        handler = partial(_PagesHandler, directory=str(docroot), not_found=not_found)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _build_served(
    docroot: Path, sub_path: str, start: Any, settings: Path = REPO / "pelicanconf.py"
) -> ServedSite:
    output = docroot / sub_path if sub_path else docroot
    port = start(docroot, output / "404.html")
    base = f"http://127.0.0.1:{port}" + (f"/{sub_path}" if sub_path else "")
    build(BuildOptions(content=CONTENT, output=output, base_url=base, settings_file=settings))
    return ServedSite(output=output, url=base + "/")


@pytest.fixture(scope="session")
def root_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Any) -> ServedSite:
    """The example site published at a domain root."""
    return _build_served(tmp_path_factory.mktemp("root") / "site", "", serve_folder)


@pytest.fixture(scope="session")
def sub_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Any) -> ServedSite:
    """The example site published under a project sub-path, like user.github.io/repo/,
    with its search index in bundles of two pages (as a large archive's is),
    which the search page merges."""
    docroot = tmp_path_factory.mktemp("sub")
    settings = settings_with(
        tmp_path_factory.mktemp("sub-settings") / "pelicanconf.py", BRIEFING_SEARCH_BUNDLE_PAGES=2
    )
    return _build_served(docroot, "repo", serve_folder, settings)


MANY_TOPICS = 20
"""Topics of ``many_topics_site``: more than the header lists (``TOPICS_IN_HEADER``)."""


@pytest.fixture(scope="session")
def many_topics_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Any) -> ServedSite:
    """A generated archive of 60 articles over ``MANY_TOPICS`` topics (the
    benchmark's generator), published at a domain root."""
    from benchmarks.generate import generate

    content = tmp_path_factory.mktemp("many") / "content"
    generate(content, articles=60, topics=MANY_TOPICS, outlets=6, seed=1)
    output = content.parent / "site"
    port = serve_folder(output, output / "404.html")
    base = f"http://127.0.0.1:{port}"
    build(BuildOptions(content=content, output=output, base_url=base, settings_file=REPO / "pelicanconf.py"))
    return ServedSite(output=output, url=base + "/")


@pytest.fixture(scope="session")
def folded_site(tmp_path_factory: pytest.TempPathFactory, serve_folder: Any) -> ServedSite:
    """The example site with ``FOLD_LISTS_OVER = 3``: its long lists fold, as
    a large archive's do."""
    root = tmp_path_factory.mktemp("folded")
    settings = settings_with(root / "pelicanconf.py", FOLD_LISTS_OVER=3)
    return _build_served(root / "site", "", serve_folder, settings)


@pytest.fixture(params=["root", "sub-path"], scope="session")
def site(request: pytest.FixtureRequest) -> ServedSite:
    """Each way of publishing the site, in turn."""
    name = "root_site" if request.param == "root" else "sub_site"
    served: ServedSite = request.getfixturevalue(name)
    return served


def page_types(output: Path) -> dict[str, str]:
    """One page of each kind, as paths relative to the site root: home, 404, and per
    top-level folder of pages (topics, articles, outlets…) its largest page."""
    pages = {"home": "", "404": "404.html"}
    for folder in sorted(p for p in output.iterdir() if p.is_dir()):
        candidates = sorted(folder.glob("*/index.html"))
        if candidates:
            largest = max(candidates, key=lambda p: (p.stat().st_size, str(p)))
            pages[folder.name] = largest.parent.relative_to(output).as_posix() + "/"
    return pages


def html_pages(output: Path) -> list[str]:
    """Every HTML page of a built site, relative to its root (``index.html`` dropped)."""
    pages = []
    for path in sorted(output.rglob("*.html")):
        relative = path.relative_to(output).as_posix()
        pages.append(relative.removesuffix("index.html"))
    return pages


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (which must not download a browser)."""
    require(CHROMIUM.is_file(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")
