"""Time how the built site's pages open in a real browser; write BENCHMARKS.md.

    python benchmarks/pages.py [--articles 5000] [--repeat 5] [--site DIR]

The build benchmark (``run.py``) says how fast the site is *made*; this one
says how fast a reader can *use* it, on the pages that grow with the
archive. Per kind of page (the home page; the largest topic briefing,
outlet page and source article, as the browser tests pick them) it gives
the page's size, its number of elements, and, opened ``--repeat`` times in
Debian's Chromium driven by Playwright, each over a local HTTP server:

* **parsed**: ``domInteractive``, when the browser has read the whole
  document (it grows with the bytes);
* **ready**: ``loadEventEnd``, when the page is laid out, its styles and
  scripts loaded and the load event handled: until then a phone is busy
  with the page and scrolls or answers a tap late.

Two readers: a desktop (1280 × 800), and a phone (Playwright's "Pixel 5":
its screen, touch and user agent) whose processor is slowed four times
(Chrome's CPU throttling, as Lighthouse's mobile runs do). Figures are the
median with min–max.

It also times the site's **search** (``time_search``): on the home page,
opened afresh each time, from typing a word to the first result shown, and
how many files the browser fetched for it. The word is put in the box
whole (one input, as a paste), the moment the box is there: Pagefind's UI
starts loading its index when the box takes the focus, each search bundle
(``generator/search.py``) with its own files, and searches once the
typing pauses (300 ms). At 20,000 articles a reader typing the word key by
key at once waited longer (1.34 s against 0.84 s on the desktop), one who
paused 1.5 s after clicking the box about as long (0.86 s). The word is
the last of the largest briefing's title (``search_query``), which many
pages hold.

Without ``--site`` it generates the benchmark corpus (seed 0, as
``run.py``) under ``--work`` and builds it there once (``site-pages``).
Needs the test extra (Playwright) and Chromium (``BRIEFING_CHROMIUM``,
default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run as a script: the package beside it

from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import machine, write_section  # noqa: E402
from generator.search import BUNDLE_DIR, BUNDLES_FILE  # noqa: E402

CHROMIUM = Path(os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium"))
PHONE_SLOWDOWN = 4
"""How many times slower the phone's processor is than this machine's (Chrome's CPU throttling)."""


@dataclass
class PageResult:
    kind: str
    path: str
    bytes: int
    elements: int = 0
    parsed: dict[str, list[float]] = field(default_factory=dict)
    """Per reader ("desktop", "phone"), ``domInteractive`` of each opening (ms)."""
    ready: dict[str, list[float]] = field(default_factory=dict)
    """Per reader, ``loadEventEnd`` of each opening (ms)."""


@dataclass
class SearchResult:
    query: str
    bundles: int
    first_result: dict[str, list[float]] = field(default_factory=dict)
    """Per reader, the milliseconds from typing ``query`` to the first result shown."""
    requests: dict[str, list[int]] = field(default_factory=dict)
    """Per reader, the files fetched meanwhile."""


def pages_to_time(site: Path) -> dict[str, str]:
    """The home page, and the largest page of each folder of pages (topics,
    outlets, articles), as paths under the site root."""
    pages = {"home": ""}
    for folder in ("topics", "outlets", "articles"):
        candidates = sorted((site / folder).glob("*/index.html"))
        if candidates:
            largest = max(candidates, key=lambda p: (p.stat().st_size, str(p)))
            pages[folder] = largest.parent.relative_to(site).as_posix() + "/"
    return pages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """``site`` over HTTP on a free local port: its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def search_query(site: Path) -> str:
    """The word ``time_search`` types: the last of the title of the
    site's largest briefing page (``pages_to_time``), in lower case."""
    largest = site / pages_to_time(site).get("topics", "topics/") / "index.html"
    if not largest.is_file():
        raise SystemExit(f"no briefing page in {site} to take a word to search for from")
    title = re.search(r"<h1>(.*?)</h1>", largest.read_text(encoding="utf-8"), flags=re.DOTALL)
    words = re.findall(r"\w+", html.unescape(title.group(1)) if title else "")
    if not words:
        raise SystemExit(f"no title to search for in {largest}")
    return str(words[-1]).lower()


@contextmanager
def _browser() -> Iterator[tuple[Any, dict[str, dict[str, Any]]]]:
    """Debian's Chromium through Playwright, and the readers' context options."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        readers = {
            "desktop": {"viewport": {"width": 1280, "height": 800}},
            "phone": playwright.devices["Pixel 5"],
        }
        try:
            yield browser, readers
        finally:
            browser.close()


@contextmanager
def _fresh_page(browser: Any, reader: str, options: dict[str, Any]) -> Iterator[Any]:
    """A page in a context of its own (no cache, nothing warm), the phone's processor slowed."""
    context = browser.new_context(**options)
    try:
        page = context.new_page()
        if reader == "phone":
            session = context.new_cdp_session(page)
            session.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_SLOWDOWN})
        yield page
    finally:
        context.close()


def time_pages(site: Path, repeat: int) -> list[PageResult]:
    """Each page of ``pages_to_time(site)`` opened ``repeat`` times per
    reader, each time in a fresh browser context (no cache, no warm page),
    with the timings of each opening."""
    results = [
        PageResult(kind, path, (site / path / "index.html").stat().st_size)
        for kind, path in pages_to_time(site).items()
    ]
    with served(site) as base, _browser() as (browser, readers):
        for result in results:
            for reader, options in readers.items():
                for _ in range(repeat):
                    with _fresh_page(browser, reader, options) as page:
                        page.goto(base + result.path, wait_until="load")
                        timing = json.loads(
                            page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])")
                        )
                        result.parsed.setdefault(reader, []).append(timing["domInteractive"])
                        result.ready.setdefault(reader, []).append(timing["loadEventEnd"])
                        result.elements = page.evaluate("document.getElementsByTagName('*').length")
            print(f"  {result.kind}: {result.path}", flush=True)
    return results


def time_search(site: Path, repeat: int) -> SearchResult:
    """``search_query(site)`` typed into the home page's search box
    ``repeat`` times per reader, each on a page opened afresh (once it has
    loaded and the search box is there): the time to the first result
    shown, and the files fetched meanwhile."""
    manifest = site / BUNDLE_DIR / BUNDLES_FILE
    bundles = 1 + len(json.loads(manifest.read_text())["merge"]) if manifest.exists() else 1
    result = SearchResult(search_query(site), bundles)
    with served(site) as base, _browser() as (browser, readers):
        for reader, options in readers.items():
            for _ in range(repeat):
                with _fresh_page(browser, reader, options) as page:
                    page.goto(base, wait_until="load")
                    page.wait_for_selector(".pagefind-ui__search-input")
                    fetched: list[str] = []
                    page.on("request", functools.partial(_note_request, fetched))
                    started = time.perf_counter()
                    page.fill(".pagefind-ui__search-input", result.query)
                    page.wait_for_selector(".pagefind-ui__result-link", timeout=120_000)
                    result.first_result.setdefault(reader, []).append((time.perf_counter() - started) * 1000)
                    result.requests.setdefault(reader, []).append(len(fetched))
    print(f"  search: {result.query!r}", flush=True)
    return result


def chromium_version() -> str:
    try:
        return subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return f"Chromium at {CHROMIUM}"


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def table(results: list[PageResult]) -> str:
    rows = [
        "| page | size (KB) | elements | desktop: parsed (ms) | desktop: ready (ms) "
        f"| phone, CPU ÷{PHONE_SLOWDOWN}: parsed (ms) | phone: ready (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r.kind} (`{r.path or '/'}`) | {r.bytes / 1024:,.0f} | {r.elements:,} "
            f"| {_ms(r.parsed['desktop'])} | {_ms(r.ready['desktop'])} "
            f"| {_ms(r.parsed['phone'])} | {_ms(r.ready['phone'])} |"
        )
    return "\n".join(rows) + "\n"


def _note_request(fetched: list[str], request: Any) -> None:
    fetched.append(request.url)


def search_table(result: SearchResult) -> str:
    return (
        f"| search bundles | word typed | desktop: first result (ms) | files fetched "
        f"| phone, CPU ÷{PHONE_SLOWDOWN}: first result (ms) | files fetched |\n"
        "|---|---|---|---|---|---|\n"
        f"| {result.bundles} | {result.query} | {_ms(result.first_result['desktop'])} "
        f"| {statistics.median(result.requests['desktop']):.0f} "
        f"| {_ms(result.first_result['phone'])} | {statistics.median(result.requests['phone']):.0f} |\n"
    )


def built_site(args: argparse.Namespace) -> Path:
    """The site ``--site`` names, or the benchmark corpus of ``--articles`` built under ``--work``."""
    if args.site is not None:
        return Path(args.site)
    work = Path(args.work) / str(args.articles)
    content, site = work / "content", work / "site-pages"
    print(f"== {args.articles} articles: generating and building the corpus", flush=True)
    generate(content, articles=args.articles, topics=args.topics, outlets=args.outlets, seed=args.seed)
    briefing = str(Path(sys.executable).parent / "briefing")
    subprocess.run([briefing, "build", "--content", str(content), "--output", str(site)], check=True)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site", type=Path, help="A built site to time, instead of building the corpus.")
    parser.add_argument("--work", type=Path, default=HERE / "corpus", help="Where corpora and outputs go.")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    args = parser.parse_args()
    site = built_site(args)
    results = time_pages(site, args.repeat)
    text = table(results)
    if (site / BUNDLE_DIR / "pagefind-entry.json").is_file():
        text += "\nSearch, from the home page:\n\n" + search_table(time_search(site, args.repeat))
    else:
        print(f"no search index in {site / BUNDLE_DIR}: the search is not timed", flush=True)
    print("\n" + text)
    if args.no_write:
        return
    articles = sum(1 for _ in (site / "articles").glob("*/index.html"))
    reproduce = (
        f"python benchmarks/pages.py --site {args.site} --repeat {args.repeat}` (a site built beforehand)"
        if args.site is not None
        else f"python benchmarks/pages.py --articles {args.articles} --topics {args.topics} "
        f"--outlets {args.outlets} --repeat {args.repeat}` (corpus seed {args.seed}, built by this code)"
    )
    write_section(
        args.markdown,
        f"Pages in the browser: {articles} articles",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"{chromium_version()}.\n\n"
        f"Reproduce: `{reproduce}. Figures: median (min–max) of {args.repeat} openings; "
        "see `benchmarks/pages.py` for what each is.\n\n"
        f"{text}",
    )
    print(f"\nwrote {args.markdown}")


if __name__ == "__main__":
    main()
