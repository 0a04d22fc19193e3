"""``benchmarks/pages.py``, the page benchmark, run on a built site: it must
keep working, since BENCHMARKS.md's "Pages in the browser" comes from it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.browser.conftest import REPO, ServedSite


def test_page_benchmark_times_each_kind_of_page_and_writes_its_table(
    many_topics_site: ServedSite, tmp_path: Path
) -> None:
    markdown = tmp_path / "BENCHMARKS.md"
    site = many_topics_site.output
    script = REPO / "benchmarks" / "pages.py"
    subprocess.run(
        [sys.executable, str(script), "--site", str(site), "--repeat", "2", "--markdown", str(markdown)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = markdown.read_text()
    articles = len(list((site / "articles").glob("*/index.html")))
    assert f"## Pages in the browser: {articles} articles" in text
    rows = {row.split(" ")[1]: row for row in re.findall(r"^\| \w+ \(`.*$", text, flags=re.MULTILINE)}
    assert sorted(rows) == ["articles", "home", "outlets", "topics"]
    largest_topic = max((site / "topics").glob("*/index.html"), key=lambda p: p.stat().st_size)
    assert f"`topics/{largest_topic.parent.name}/`" in rows["topics"]
    for row in rows.values():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        size_kb, elements = (float(cell.replace(",", "")) for cell in cells[1:3])
        assert size_kb > 0 and elements > 20, row
        for timing in cells[3:]:
            _assert_timing(timing, row)
    # The search: as many bundles as the site has, the largest briefing's
    # last word typed, a result shown on each reader after some files fetched.
    (search,) = re.findall(r"^\| \d+ \| \w+ \|.*$", text, flags=re.MULTILINE)
    bundles, word, desktop, desktop_files, phone, phone_files = (
        cell.strip() for cell in search.strip("|").split("|")
    )
    merged = json.loads((site / "pagefind" / "bundles.json").read_text())["merge"]
    assert int(bundles) == 1 + len(merged)
    title = re.search(r"<h1>(.*?)</h1>", largest_topic.read_text()).group(1)  # type: ignore[union-attr]
    assert word == title.split()[-1].lower()
    for timing, files in ((desktop, desktop_files), (phone, phone_files)):
        _assert_timing(timing, search)
        assert int(files) >= 3, search  # at least the index's entry, its metadata and a result


def _assert_timing(timing: str, row: str) -> None:
    """``timing`` is a median (min–max) in milliseconds, the median within its range."""
    low, high = (float(n.replace(",", "")) for n in re.findall(r"\((.*)–(.*)\)", timing)[0])
    assert 0 < low <= float(timing.split(" ")[0].replace(",", "")) <= high, row
