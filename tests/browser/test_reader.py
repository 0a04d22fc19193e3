"""The site in a real browser (Chromium through Playwright), as a reader uses it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import MANY_TOPICS, ServedSite, html_pages, page_types

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe(page: Any) -> Any:
    """axe's WCAG 2.1 AA checks of the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})


def _open(browser: Any, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    page.problems = []
    page.on(
        "console",
        lambda m: page.problems.append(f"{m.location.get('url')}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    return page


def _close(page: Any) -> None:
    page.context.close()


def test_every_page_renders_without_console_errors(chromium: Any, site: ServedSite) -> None:
    page = _open(chromium)
    try:
        for path in html_pages(site.output):
            response = page.goto(site.page_url(path), wait_until="load")
            assert response is not None and response.ok, path
            page.wait_for_load_state("networkidle")
            assert page.locator("h1").count() >= 1, path
            # Stylesheet applied: the skip link is moved off screen by it.
            assert page.locator(".skip-link").bounding_box()["y"] < 0, f"{path}: stylesheet not applied"
        assert page.problems == []
    finally:
        _close(page)


def test_screenshots_of_every_page_type_at_phone_and_desktop_widths(
    chromium: Any, sub_site: ServedSite, screenshots: Any
) -> None:
    for width, height, name in ((375, 812, "phone"), (1280, 900, "desktop")):
        page = _open(chromium, viewport={"width": width, "height": height})
        try:
            for kind, path in page_types(sub_site.output).items():
                page.goto(sub_site.page_url(path), wait_until="networkidle")
                target = screenshots / f"{kind}-{name}.png"
                page.screenshot(path=str(target), full_page=True)
                assert target.stat().st_size > 1000
            assert page.problems == []
        finally:
            _close(page)


def test_no_horizontal_scroll_at_320_px(chromium: Any, sub_site: ServedSite) -> None:
    page = _open(chromium, viewport={"width": 320, "height": 640})
    try:
        too_wide = []
        for path in html_pages(sub_site.output):
            page.goto(sub_site.page_url(path), wait_until="networkidle")
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if widths[0] > widths[1]:
                too_wide.append((path, widths))
        assert too_wide == []
    finally:
        _close(page)


def _background(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_citation_lands_on_its_sentence_highlighted_with_a_way_back(
    chromium: Any, sub_site: ServedSite, javascript: bool
) -> None:
    topic = page_types(sub_site.output)["topics"]
    page = _open(chromium, java_script_enabled=javascript)
    try:
        page.goto(sub_site.page_url(topic))
        citation = page.locator('main a[href*="articles/"][href*="#"]').first
        sentence_id = citation.get_attribute("href").rsplit("#", 1)[1]
        citation.click()
        page.wait_for_url(re.compile(rf".*/articles/[^/]+/#{re.escape(sentence_id)}$"))
        target = page.locator(":target")
        assert target.get_attribute("id") == sentence_id
        assert target.is_visible() and target.inner_text().strip()
        box = target.evaluate("e => [e.getBoundingClientRect().top, innerHeight, scrollY]")
        assert 0 <= box[0] < box[1], box
        other = page.locator(f'main [id]:not([id="{sentence_id}"]):not(h1):not(h2)').first
        assert _background(page, ":target") != other.evaluate("e => getComputedStyle(e).backgroundColor")

        back = page.locator(f'[id="{sentence_id}"] ~ a[href*="topics/"]').first
        back.click()
        page.wait_for_url(re.compile(rf".*/{re.escape(topic)}#.+"))
        assert page.locator(":target").count() == 1
        assert page.problems == []
    finally:
        _close(page)


def test_without_javascript_every_page_reads_and_no_search_box_shows(
    chromium: Any, sub_site: ServedSite
) -> None:
    page = _open(chromium, java_script_enabled=False)
    try:
        for path in html_pages(sub_site.output):
            page.goto(sub_site.page_url(path))
            assert page.locator("main").inner_text().strip(), path
            assert page.locator("#search").is_hidden(), path
            assert page.locator("input").count() == 0, path
    finally:
        _close(page)


def _a_statement(site: ServedSite) -> tuple[str, str]:
    """The text of a statement of the largest briefing, and that briefing's page."""
    index = json.loads((site.output / "api" / "index.json").read_text(encoding="utf-8"))
    topic = max(index["topics"], key=lambda t: t["counts"]["statements"])
    briefing = json.loads((site.output / topic["briefing"]).read_text(encoding="utf-8"))
    facts = [s["text"] for s in briefing["statements"] if s["kind"] == "fact"]
    return max(facts, key=len), topic["page"]


def test_search_finds_a_statement(chromium: Any, site: ServedSite) -> None:
    statement, briefing_page = _a_statement(site)
    words = re.findall(r"[A-Za-z]{5,}", statement)[:4]
    page = _open(chromium)
    try:
        page.goto(site.url, wait_until="networkidle")
        search = page.locator("#search input")
        search.fill(" ".join(words))
        results = page.locator(".pagefind-ui__result-link")
        results.first.wait_for(timeout=15_000)
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        site_path = re.sub(r"^https?://[^/]+", "", site.url)
        assert any(h.startswith(site_path + briefing_page) for h in hrefs), hrefs
        assert all(h.startswith(site_path) for h in hrefs), hrefs
        page.locator(f'.pagefind-ui__result-link[href^="{site_path + briefing_page}"]').first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(site.url + briefing_page)
        assert statement[:40] in page.locator("main").inner_text()
        assert page.problems == []
    finally:
        _close(page)


def test_a_missing_address_gets_a_working_404_page(chromium: Any, sub_site: ServedSite) -> None:
    page = _open(chromium)
    try:
        response = page.goto(sub_site.page_url("topics/no-such-topic/deeper/"))
        assert response is not None and response.status == 404
        assert "not found" in page.locator("h1").inner_text().lower()
        assert page.locator(".skip-link").bounding_box()["y"] < 0, "stylesheet not loaded at depth"
        page.locator("main a").first.click()
        page.wait_for_load_state("load")
        assert page.url == sub_site.url
    finally:
        _close(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_21_aa_violations(chromium: Any, sub_site: ServedSite, scheme: str) -> None:
    page = _open(chromium, color_scheme=scheme)
    try:
        reports = {}
        for kind, path in page_types(sub_site.output).items():
            page.goto(sub_site.page_url(path), wait_until="networkidle")
            results = _axe(page)
            if results.violations_count:
                reports[kind] = results.generate_report()
        assert not reports, "\n".join(f"{kind}:\n{report}" for kind, report in reports.items())
    finally:
        _close(page)


def test_axe_reports_a_violation_when_there_is_one(chromium: Any) -> None:
    """The check above can fail: an unlabelled field and an image without text are reported."""
    page = _open(chromium)
    try:
        page.set_content(
            '<!DOCTYPE html><html lang="en"><title>t</title><main><input><img src="data:,"></main>'
        )
        results = _axe(page)
        assert results.violations_count >= 2
    finally:
        _close(page)


@pytest.mark.parametrize(("width", "height", "scheme"), [(390, 844, "light"), (1280, 800, "dark")])
def test_many_topics_fold_into_a_menu_so_each_page_opens_on_its_content(
    chromium: Any, many_topics_site: ServedSite, width: int, height: int, scheme: str
) -> None:
    """Every page's header listed every topic: with 50, half a desktop screen
    and several phone screens came before the briefing. Past
    ``TOPICS_IN_HEADER`` they fold into a "Topics (N)" menu that a keyboard
    opens, listing them all, the page's own marked as current."""
    slug = sorted(p.name for p in (many_topics_site.output / "topics").iterdir())[0]
    page = _open(chromium, viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page.goto(many_topics_site.page_url(f"topics/{slug}/"), wait_until="networkidle")
        heading = page.locator("main h1").bounding_box()
        assert heading is not None and heading["y"] < 0.4 * height, heading
        topics = page.locator("header nav a[href*='/topics/']")
        assert topics.count() == MANY_TOPICS
        assert not topics.first.is_visible()

        page.locator("header nav summary").focus()
        page.keyboard.press("Enter")
        assert [topics.nth(n).is_visible() for n in range(MANY_TOPICS)] == [True] * MANY_TOPICS
        current = page.locator("header nav a[aria-current='page']")
        assert current.count() == 1 and current.get_attribute("href").rstrip("/").endswith(slug)
        results = _axe(page)
        assert results.violations_count == 0, results.generate_report()
        # Its home, which lists the newest sources and every outlet (``SOURCES_ON_HOME``).
        page.goto(many_topics_site.url, wait_until="networkidle")
        assert page.locator("#sources-heading").inner_text() == "Latest sources"
        results = _axe(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.problems == []
    finally:
        _close(page)


def test_a_few_topics_stay_listed_in_the_header(chromium: Any, root_site: ServedSite) -> None:
    """The example's three topics need no menu: each is a link in view."""
    page = _open(chromium, viewport={"width": 390, "height": 844})
    try:
        page.goto(root_site.page_url("topics/wagner-group/"), wait_until="networkidle")
        assert page.locator("header nav details").count() == 0
        topics = page.locator("header nav a")
        assert topics.count() == 3
        assert all(topics.nth(n).is_visible() for n in range(3))
        current = page.locator("header nav a[aria-current='page']")
        assert current.count() == 1 and current.inner_text() == "Wagner Group"
    finally:
        _close(page)


def _folded_targets(site: ServedSite) -> tuple[str, str, str]:
    """An article page's link back to a statement folded on its topic page:
    (article page, topic page, statement id)."""
    for article in sorted((site.output / "articles").glob("*/index.html")):
        for topic, statement in re.findall(
            r'class="backlink" href="[^"]*/(topics/[^/]+/)#([^"]+)"', article.read_text()
        ):
            html = (site.output / topic / "index.html").read_text()
            folds = re.findall(r'<details class="fold">.*?</details>', html, flags=re.DOTALL)
            if any(f'id="{statement}"' in fold for fold in folds):
                return article.parent.relative_to(site.output).as_posix() + "/", topic, statement
    raise AssertionError("no link back to a folded statement")


def test_long_lists_fold_under_their_count_and_open_from_it(chromium: Any, folded_site: ServedSite) -> None:
    """At 5,000 articles a topic page lists 2,600 statements, 470 events and
    750 sources; a phone took 5.8 s to lay them out. Past ``FOLD_LISTS_OVER``
    (3 here) each long list folds under its count, a disclosure that a
    click or a key opens, that axe finds nothing wrong with, and that
    prints open."""
    page = _open(chromium, viewport={"width": 390, "height": 844})
    try:
        for path in ("topics/uk-withdrawal/", page_types(folded_site.output)["outlets"]):
            page.goto(folded_site.page_url(path), wait_until="networkidle")
            folds = page.locator("details.fold")
            assert folds.count() >= 2, path
            for n in range(folds.count()):
                fold = folds.nth(n)
                assert fold.get_attribute("open") is None
                count = re.match(r"\d+", fold.locator("summary").inner_text())
                items = fold.locator(":scope > ol > li, :scope > ul > li")
                assert count is not None and items.count() == int(count[0]) > 0
                assert not items.first.is_visible()
            results = _axe(page)
            assert results.violations_count == 0, results.generate_report()
            page.emulate_media(media="print")
            assert all(folds.nth(n).locator("li").first.is_visible() for n in range(folds.count()))
            page.emulate_media(media="screen")
            folds.first.locator("summary").focus()
            page.keyboard.press("Enter")
            assert folds.first.locator("li").first.is_visible()
            results = _axe(page)
            assert results.violations_count == 0, results.generate_report()
        # A ranked list shows its first items, the most widely reported, and folds the rest.
        page.goto(folded_site.page_url("topics/uk-withdrawal/"), wait_until="networkidle")
        quotes = page.locator("section[aria-labelledby='quotes-heading']")
        assert quotes.locator(":scope > ul > li").count() == 3
        assert all(quotes.locator(":scope > ul > li").nth(n).is_visible() for n in range(3))
        assert quotes.locator("details.fold summary").inner_text() == "3 more quotes"
        assert page.problems == []
    finally:
        _close(page)


def test_a_link_into_a_folded_list_opens_it_and_lands_on_its_item(
    chromium: Any, folded_site: ServedSite
) -> None:
    """Every source article links back to the statements it supports, and
    the timeline's chart to its events: folded, they must still be reached."""
    article, topic, statement = _folded_targets(folded_site)
    page = _open(chromium, viewport={"width": 1280, "height": 800})
    try:
        page.goto(folded_site.page_url(article), wait_until="networkidle")
        page.locator(f'a.backlink[href$="{topic}#{statement}"]').first.click()
        page.wait_for_url(f"**/{topic}#{statement}")
        target = page.locator(f"[id='{statement}']")
        target.wait_for(state="visible", timeout=5000)
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < 800, box
        # The chart's mark of the last event, folded in the list below it.
        mark = page.locator(".timeline-chart a").last
        event = (mark.get_attribute("href") or "").lstrip("#")
        assert page.locator(f"[id='{event}']").evaluate("e => !e.closest('details').open")
        mark.click()
        page.locator(f"[id='{event}']").wait_for(state="visible", timeout=5000)
        assert page.problems == []
    finally:
        _close(page)


def test_search_lands_on_the_outlet_whose_folded_list_holds_the_statement(
    chromium: Any, folded_site: ServedSite
) -> None:
    """A statement only one outlet reports is folded under that outlet's
    heading: a search for its words links to the heading itself (Pagefind
    links a match to the heading above it that has an id), right above the
    list to open, not to the top of the section."""
    html = (folded_site.output / "topics/uk-withdrawal/index.html").read_text(encoding="utf-8")
    section = html[html.index('id="single-heading"') :]
    found = re.search(
        r'<h3 id="([^"]+)">.*?</h3>\s*(<details class="fold">.*?</details>)', section, re.DOTALL
    )
    assert found is not None, "a folded list under an outlet's heading"
    heading, fold = found.groups()
    statement = max(re.findall(r'<p class="statement-text">([^<]+)</p>', fold), key=len)
    page = _open(chromium)
    try:
        page.goto(folded_site.url, wait_until="networkidle")
        page.locator("#search input").fill(" ".join(re.findall(r"[A-Za-z]{5,}", statement)[:5]))
        links = page.locator(".pagefind-ui__result-link")
        links.first.wait_for(timeout=15_000)
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert any(h.endswith(f"topics/uk-withdrawal/#{heading}") for h in hrefs), hrefs
        assert page.problems == []
    finally:
        _close(page)
