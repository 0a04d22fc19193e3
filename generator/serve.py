"""Preview server: build, serve, rebuild on change, and reload the reader's page.

``briefing serve`` builds the site with ``generator.build`` (so the preview
is exactly what ``briefing build`` publishes), serves the output folder on
localhost, and watches the content, settings and theme. When a rebuild
finishes, every open page reloads itself.

The reload works under the site's strict Content-Security-Policy (no inline
script): the server adds one external ``<script src="/__reload/reload.js">``
to each HTML page *as it serves it*, and that script polls the build number
at ``/__reload/build``. Nothing of this is ever written to the built files.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.build import BuildOptions, BuildResult, build
from generator.errors import BriefingError

RELOAD_PREFIX = "/__reload/"
RELOAD_TAG = f'<script src="{RELOAD_PREFIX}reload.js" defer></script>'
RELOAD_JS = """(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__reload/build", {cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (build) {
        if (seen !== null && build !== seen) { location.reload(); }
        seen = build;
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
"""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What ``briefing serve`` was asked to do."""

    build: BuildOptions
    watch: tuple[Path, ...]
    """Files and folders whose changes trigger a rebuild."""
    host: str = "127.0.0.1"
    port: int = 8000
    interval: float = 0.5
    """Seconds between two looks at the watched files."""


Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(paths: tuple[Path, ...]) -> Snapshot:
    """Name, modification time and size of every file under ``paths``, in a stable order."""
    files: list[tuple[str, int, int]] = []
    for root in paths:
        candidates = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in candidates:
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(files)


def inject_reload(page: bytes) -> bytes:
    """``page`` with the reload script added at the end of its ``<head>`` (or unchanged)."""
    tag = RELOAD_TAG.encode()
    return page.replace(b"</head>", tag + b"</head>", 1) if b"</head>" in page else page


class _BuildCounter:
    """How many builds have finished; shared by the watcher and the request handlers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def bump(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def count(self) -> int:
        with self._lock:
            return self._count


class _PreviewHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, counter: _BuildCounter, directory: str, **kwargs: Any) -> None:
        self.counter = counter
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == f"{RELOAD_PREFIX}build":
            self._send(str(self.counter.count).encode(), "text/plain; charset=utf-8")
        elif path == f"{RELOAD_PREFIX}reload.js":
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
        else:
            page = Path(self.translate_path(self.path))
            if page.is_dir() and path.endswith("/"):
                page = page / "index.html"
            if page.suffix == ".html" and page.is_file():
                self._send(inject_reload(page.read_bytes()), "text/html; charset=utf-8")
            else:
                super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _watch(
    options: ServeOptions,
    counter: _BuildCounter,
    on_build: Callable[[BuildResult | BriefingError], None],
    stop: threading.Event,
) -> None:
    seen = snapshot(options.watch)
    while not stop.wait(options.interval):
        now = snapshot(options.watch)
        if now == seen:
            continue
        seen = now
        try:
            result = build(options.build)
        except BriefingError as exc:
            on_build(exc)
            continue
        counter.bump()
        on_build(result)


def serve(
    options: ServeOptions,
    on_build: Callable[[BuildResult | BriefingError], None],
    on_ready: Callable[[str], None],
) -> None:
    """Build, then serve ``options.build.output`` until interrupted, rebuilding on change.

    The first build's errors are raised; later ones go to ``on_build`` and the
    previous output keeps being served.
    """
    on_build(build(options.build))
    counter = _BuildCounter()
    handler = partial(_PreviewHandler, counter=counter, directory=str(options.build.output.resolve()))
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(options, counter, on_build, stop), daemon=True)
    with http.server.ThreadingHTTPServer((options.host, options.port), handler) as server:
        watcher.start()
        on_ready(f"http://{options.host}:{server.server_address[1]}/")
        try:
            server.serve_forever()
        finally:
            stop.set()
            watcher.join(timeout=5)
