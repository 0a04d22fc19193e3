"""``benchmarks/pages.py``, the page benchmark, run on a built site: it must
keep working, since BENCHMARKS.md's "Pages in the browser" comes from it."""

from __future__ import annotations

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
        for timing in cells[3:]:  # median (min–max), in milliseconds
            low, high = (float(n.replace(",", "")) for n in re.findall(r"\((.*)–(.*)\)", timing)[0])
            assert 0 < low <= float(timing.split(" ")[0].replace(",", "")) <= high, row
