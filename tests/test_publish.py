"""What publishing needs, checked on the built example site without a browser:
links that work under any base path, page weight, security policy, structured
data, sitemap, robots.txt, feeds, search index, the Pages workflow and the
preview server's reload script."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml

from generator.build import BuildOptions, build
from generator.errors import BriefingError
from generator.publish import add_size, page_path, robots_txt, size_warning
from generator.serve import RELOAD_TAG, inject_reload
from tests.helpers import file_tree, settings_with

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
BASE = "https://example.github.io/briefing-repo"
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
PAGE_WEIGHT_LIMIT = 60_000


def _build(output: Path, base_url: str = "", content: Path = CONTENT) -> Path:
    build(
        BuildOptions(content=content, output=output, base_url=base_url, settings_file=REPO / "pelicanconf.py")
    )
    return output


@pytest.fixture(scope="module")
def local_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("local") / "output")


@pytest.fixture(scope="module")
def public_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("public") / "output", BASE)


class _Page(HTMLParser):
    """Links, meta tags and script elements of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action"):
            if values.get(name):
                self.urls.append((tag, name, str(values[name])))
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("http-equiv")
            if key:
                self.meta[key.lower()] = str(values.get("content"))
        if tag == "link" and values.get("rel"):
            self.links[str(values["rel"])] = str(values.get("href"))
        if tag == "script":
            self._script, self._data = values, []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._data.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._data)))
            self._script = None


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("which", ["local_site", "public_site"])
def test_no_root_absolute_link_survives_in_any_page(which: str, request: pytest.FixtureRequest) -> None:
    site: Path = request.getfixturevalue(which)
    offending = [
        (str(path.relative_to(site)), url)
        for path in _html_pages(site)
        for _tag, _attr, url in _parse(path).urls
        if url.startswith("/")
    ]
    assert offending == [], "a root-absolute link breaks a project site under /repo/"
    css = (site / "theme" / "briefing.css").read_text(encoding="utf-8")
    assert "url(/" not in css.replace(" ", "")


def test_page_links_stay_relative_and_only_addresses_for_machines_use_the_base_url(public_site: Path) -> None:
    page = _parse(public_site / "topics" / "wagner-group" / "index.html")
    internal = [url for tag, _a, url in page.urls if tag == "a" and url.startswith(BASE)]
    assert internal == [], "page-to-page links must work wherever the folder is served"
    assert page.links["canonical"] == f"{BASE}/topics/wagner-group/"


def test_a_briefing_page_with_its_css_weighs_under_60_kb(local_site: Path) -> None:
    css = (local_site / "theme" / "briefing.css").stat().st_size
    weights = {
        path.parent.name: path.stat().st_size + css for path in (local_site / "topics").glob("*/index.html")
    }
    assert weights and max(weights.values()) < PAGE_WEIGHT_LIMIT, weights


def folder_sizes(site: Path) -> dict[str, int]:
    """The bytes of ``site``'s files by top folder, as the build counts them."""
    sizes: dict[str, int] = {}
    for folder, _, files in os.walk(site):
        files_size = sum((Path(folder) / name).lstat().st_size for name in files)
        add_size(sizes, os.path.relpath(folder, site), files_size)
    return sizes


def test_a_site_too_big_for_github_pages_is_named_with_its_largest_folders(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name, size in [("topics/a/index.html", 600), ("topics/b/index.html", 500), ("api/x.json", 300)]:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(b"x" * size)
    (site / "index.html").write_bytes(b"x" * 100)
    assert size_warning(folder_sizes(site), limit=1500) is None  # exactly at the limit still deploys
    warning = size_warning(folder_sizes(site), limit=1499)
    assert warning is not None
    assert warning.startswith("the site is 1.5 kB, more than the 1.5 kB GitHub Pages publishes")
    assert "(largest: topics/ 1.1 kB, api/ 0.3 kB, the top folder 0.1 kB)" in warning
    assert size_warning(folder_sizes(site)) is None
    with (site / "api" / "big.json").open("wb") as big:
        big.truncate(1_200_000_000)  # sparse: its size on disk is nothing, what it publishes is not
    warning = size_warning(folder_sizes(site))
    assert warning is not None and warning.startswith(
        "the site is 1.20 GB, more than the 1.00 GB GitHub Pages"
    )
    assert "(largest: api/ 1.20 GB, topics/ 1.1 kB, the top folder 0.1 kB)" in warning


def test_a_build_too_big_to_publish_warns_and_under_strict_keeps_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example site is about 300 kB: with a limit of 100 kB the build
    says so, and ``--strict`` refuses to publish it at all."""
    monkeypatch.setattr("generator.build.size_warning", lambda sizes: size_warning(sizes, limit=100_000))
    output = tmp_path / "output"
    result = build(BuildOptions(content=CONTENT, output=output, settings_file=REPO / "pelicanconf.py"))
    (warning,) = [w for w in result.warnings if "GitHub Pages" in w]
    sizes: dict[str, int] = {}
    for path in output.rglob("*"):
        if path.is_file() and len(path.relative_to(output).parts) > 1:
            top = path.relative_to(output).parts[0]
            sizes[top] = sizes.get(top, 0) + path.stat().st_size
    largest = sorted(sizes, key=lambda name: -sizes[name])[0]
    assert f"(largest: {largest}/ " in warning
    before = file_tree(output)
    strict = BuildOptions(
        content=CONTENT, output=output, settings_file=REPO / "pelicanconf.py", strict=True, force=True
    )
    with pytest.raises(BriefingError, match=r"GitHub Pages publishes .*was left as it was"):
        build(strict)
    assert file_tree(output) == before


def test_every_page_has_a_strict_content_security_policy_and_no_inline_script(public_site: Path) -> None:
    for path in _html_pages(public_site):
        page = _parse(path)
        policy = page.meta.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "default-src 'self'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        for attrs, body in page.scripts:
            executable = attrs.get("type") not in ("application/ld+json",)
            assert not (executable and body.strip()), f"{path}: inline script"
        fetched = [u for t, _a, u in page.urls if t in ("link", "script", "img") and "//" in u]
        assert [u for u in fetched if not u.startswith(BASE)] == [], f"{path}: fetches from another host"


def _jsonld(path: Path) -> dict:  # type: ignore[type-arg]
    blocks = [body for attrs, body in _parse(path).scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1, path
    data: dict = json.loads(blocks[0])  # type: ignore[type-arg]
    return data


def test_briefing_json_ld_describes_the_briefing_and_each_source_article(public_site: Path) -> None:
    index = json.loads((public_site / "api" / "index.json").read_text(encoding="utf-8"))
    for topic in index["topics"]:
        export = json.loads((public_site / topic["briefing"]).read_text(encoding="utf-8"))
        data = _jsonld(public_site / topic["page"] / "index.html")
        assert data["@context"] == "https://schema.org"
        assert data["headline"] == topic["title"]
        assert data["url"] == f"{BASE}/{topic['page']}"
        assert [s["url"] for s in data["isBasedOn"]] == [s["url"] for s in export["sources"]]
        assert [s["publisher"]["name"] for s in data["isBasedOn"]] == [s["outlet"] for s in export["sources"]]
    for article in index["articles"]:
        data = _jsonld(public_site / article["page"] / "index.html")
        assert (data["@type"], data["headline"], data["url"]) == (
            "NewsArticle",
            article["title"],
            article["url"],
        )
        assert data["datePublished"] == article["date"]


def test_json_ld_cannot_be_broken_out_of_by_a_title(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    hostile = "Coups </script><script>alert(1)</script> & <!-- more"
    topic = content / "topics" / "wagner-group.md"
    text = topic.read_text(encoding="utf-8")
    topic.write_text(
        text.replace("title: Wagner Group", f"title: {json.dumps(hostile)}", 1), encoding="utf-8"
    )
    site = _build(tmp_path / "output", BASE, content)
    page = site / "topics" / "wagner-group" / "index.html"
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw
    assert _jsonld(page)["headline"] == hostile
    assert _parse(page).meta["og:title"].startswith(hostile)


def test_canonical_and_open_graph_addresses_are_absolute_and_match_the_page(public_site: Path) -> None:
    for path in _html_pages(public_site):
        page = _parse(path)
        relative = path.relative_to(public_site).as_posix()
        assert page.meta["og:title"] and page.meta["og:description"] and page.meta["og:site_name"], path
        if relative == "404.html":
            assert "canonical" not in page.links
            continue
        expected = f"{BASE}/{page_path(relative)}"
        assert page.links["canonical"] == expected
        assert page.meta["og:url"] == expected


def test_without_a_base_url_no_page_claims_an_address(local_site: Path) -> None:
    for path in _html_pages(local_site):
        page = _parse(path)
        assert "canonical" not in page.links and "og:url" not in page.meta, path
    assert not (local_site / "sitemap.xml").exists(), "a sitemap needs absolute addresses"
    assert (local_site / "robots.txt").read_text(encoding="utf-8") == robots_txt("")


def test_sitemap_lists_every_page_and_robots_txt_points_to_it(public_site: Path) -> None:
    tree = ET.parse(public_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = [loc.text or "" for loc in tree.getroot().findall("s:url/s:loc", ns)]
    pages = [p.relative_to(public_site).as_posix() for p in _html_pages(public_site)]
    expected = sorted(f"{BASE}/{page_path(p)}" for p in pages if p != "404.html")
    assert sorted(listed) == expected
    assert f"{BASE}/topics/wagner-group/" in listed and f"{BASE}/" in listed
    robots = (public_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots
    assert "Disallow: /" not in robots


def test_the_404_page_links_to_the_public_address(public_site: Path) -> None:
    page = _parse(public_site / "404.html")
    stylesheets = [u for t, a, u in page.urls if t == "link" and u.endswith(".css")]
    assert stylesheets == [f"{BASE}/theme/briefing.css"], "served at any depth, it needs absolute links"
    assert all(u.startswith((BASE, "data:", "#")) or (t == "a" and "://" in u) for t, _a, u in page.urls)


def test_every_feed_parses_as_atom_with_absolute_links(public_site: Path) -> None:
    feeds = sorted((public_site / "feeds").rglob("*.xml"))
    assert any(p.parent.name == "topics" for p in feeds), "no per-topic feed"
    assert feeds
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10", path
        assert feed.entries, path
        assert all(e.link.startswith(BASE) for e in feed.entries), path


def _bundle_page_counts(site: Path) -> list[int]:
    """How many pages each search bundle of ``site`` holds, first bundle first."""
    bundle = site / "pagefind"
    merged = json.loads((bundle / "bundles.json").read_text(encoding="utf-8"))["merge"]
    counts = []
    for folder in ["", *merged]:
        entry = json.loads((bundle / folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        counts.append(sum(language["page_count"] for language in entry["languages"].values()))
    return counts


def test_search_index_covers_briefings_and_articles(local_site: Path) -> None:
    articles = len(list(local_site.glob("articles/*/index.html")))
    briefings = len(list(local_site.glob("topics/*/index.html")))
    # Each of them, and no other page; the articles apart from the topic
    # pages, so Pagefind can index them while the topic pages are rendered.
    assert _bundle_page_counts(local_site) == [articles, briefings]
    assert (local_site / "pagefind" / "pagefind-ui.js").is_file()
    for page in ("index.html", "404.html"):
        assert "data-pagefind-body" not in (local_site / page).read_text(encoding="utf-8")


def test_pages_workflow_validates_against_githubs_schema() -> None:
    check = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which(
        "check-jsonschema"
    )
    assert check, "check-jsonschema is a test dependency"
    result = subprocess.run(
        [check, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_workflow_builds_for_the_project_address_and_deploys() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "briefing build" in runs and "--base-url" in runs
    steps = workflow["jobs"]["build"]["steps"]
    kept = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache"))
    built = next(i for i, step in enumerate(steps) if "briefing build" in step.get("run", ""))
    assert kept < built and set(steps[kept]["with"]["path"].split()) == {".briefing-cache", "output"}


def test_preview_reload_script_is_added_when_served_never_written(local_site: Path) -> None:
    page = (local_site / "index.html").read_bytes()
    served = inject_reload(page)
    assert served.count(RELOAD_TAG.encode()) == 1 and served.index(RELOAD_TAG.encode()) < served.index(
        b"</head>"
    )
    assert inject_reload(b"not html") == b"not html"
    assert all(b"__reload" not in p.read_bytes() for p in _html_pages(local_site))


def test_search_reads_only_the_files_pelican_saves_articles_and_topics_as() -> None:
    from generator.search import ALL_PAGES, page_patterns

    assert page_patterns(["articles/{slug}/index.html", "", "topics/{slug}/index.html"]) == (
        "articles/*/index.html",
        "topics/*/index.html",
    )
    # A date format with slashes spans several folders.
    assert page_patterns(["{date:%Y/%m}/{slug}.html"]) == ("*/*/*.html",)
    assert page_patterns(["", ""]) == ALL_PAGES  # nothing configured: every page, as Pagefind does


@pytest.mark.parametrize(
    "patterns",
    [("articles/*/index.html", "topics/*/index.html"), ("*/*/*.html",), ("**/*.html",), ("*.html",)],
)
def test_a_page_written_is_taken_for_search_if_the_patterns_glob_it(
    local_site: Path, patterns: tuple[str, ...]
) -> None:
    """What ``Indexing.written`` takes as the pages are written is what
    ``Indexing.add`` finds by globbing the site afterwards."""
    from generator.search import matching

    every = [p.relative_to(local_site).as_posix() for p in local_site.rglob("*") if p.is_file()]
    globbed = {p.relative_to(local_site).as_posix() for pattern in patterns for p in local_site.glob(pattern)}
    assert globbed and {path for path in every if matching(patterns).fullmatch(path)} == globbed


def test_search_bundles_keep_the_pages_in_order_within_their_limits() -> None:
    from generator.search import plan_bundles

    pages = [(f"articles/{n:03}/index.html", 10 + n % 7) for n in range(300)]
    for max_pages, max_bytes in ((3, 1000), (50, 1000), (1000, 200)):
        bundles = plan_bundles(pages, max_pages=max_pages, max_bytes=max_bytes)
        assert [page for bundle in bundles for page in bundle] == [path for path, _ in pages]
        sizes = dict(pages)
        assert all(0 < len(b) <= max_pages and sum(sizes[page] for page in b) <= max_bytes for b in bundles)
    # Large briefing pages fill a bundle by bytes first; one larger than the
    # limit still gets indexed, alone.
    big = [("topics/a/index.html", 60), ("topics/b/index.html", 50), ("topics/c/index.html", 500)]
    assert plan_bundles(big, max_pages=10, max_bytes=100) == [
        ["topics/a/index.html"],
        ["topics/b/index.html"],
        ["topics/c/index.html"],
    ]
    assert plan_bundles([], max_pages=3, max_bytes=100) == [[]]


def test_a_search_bundle_holds_a_few_large_briefing_pages_so_an_edit_indexes_few_again() -> None:
    """Nearly every edit changes its topics' briefing pages, and each bundle
    holding one is indexed again whole: large pages are capped per bundle,
    whatever room their bytes leave; the small pages around them are not."""
    from generator.search import LARGE_PAGE_BYTES, MAX_BUNDLE_LARGE_PAGES, plan_bundles

    articles = [(f"articles/{n:03}/index.html", 20_000) for n in range(40)]
    briefings = [(f"topics/{n:02}/index.html", 4 * LARGE_PAGE_BYTES) for n in range(50)]
    bundles = plan_bundles(articles + briefings)
    assert [page for bundle in bundles for page in bundle] == [path for path, _ in articles + briefings]
    large = [sum(page.startswith("topics/") for page in bundle) for bundle in bundles]
    assert max(large) <= MAX_BUNDLE_LARGE_PAGES
    assert sum(large) == 50 and len([n for n in large if n]) >= 50 // MAX_BUNDLE_LARGE_PAGES
    assert bundles[0] == [path for path, _ in articles] + bundles[0][40:]  # the articles stay together
    # Pages just under the size count as small ones (20 MB: far from any limit).
    small = [(f"topics/{n:02}/index.html", LARGE_PAGE_BYTES - 1) for n in range(20)]
    assert plan_bundles(small) == [[path for path, _ in small]]


def test_an_article_added_or_removed_changes_one_search_bundle_not_the_ones_after_it() -> None:
    """A rebuild indexes again only the bundles whose pages changed: adding
    an article must not shift every later bundle's pages."""
    import random

    from generator.search import MAX_BUNDLE_PAGES, plan_bundles

    draw = random.Random(6)
    paths = sorted(f"articles/{draw.getrandbits(48):012x}/index.html" for _ in range(6000))
    pages = [(path, 24_000) for path in paths]
    before = {tuple(bundle) for bundle in plan_bundles(pages)}
    assert len(before) <= 6000 / MAX_BUNDLE_PAGES * 1.4  # still close to full, on average
    for _ in range(20):
        added = (f"articles/{draw.getrandbits(48):012x}/index.html", 24_000)
        removed = draw.randrange(len(pages))
        for changed in (sorted([*pages, added]), pages[:removed] + pages[removed + 1 :]):
            after = {tuple(bundle) for bundle in plan_bundles(changed)}
            assert len(after - before) <= 2


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with its search index cut into bundles of two pages."""
    return _build_in_bundles(tmp_path_factory.mktemp("bundled"), pages=2)


def _build_in_bundles(folder: Path, pages: int) -> Path:
    """The example site built into ``folder``/output, its search index cut
    into bundles of ``pages`` pages (its settings file beside it)."""
    settings = settings_with(folder / "pelicanconf.py", BRIEFING_SEARCH_BUNDLE_PAGES=pages)
    output = folder / "output"
    build(BuildOptions(content=CONTENT, output=output, settings_file=settings))
    return output


def test_a_search_index_in_bundles_covers_each_page_once(bundled_site: Path) -> None:
    counts = _bundle_page_counts(bundled_site)
    articles = len(list(bundled_site.glob("articles/*/index.html")))
    briefings = len(list(bundled_site.glob("topics/*/index.html")))
    assert len(counts) == (articles + 1) // 2 + (briefings + 1) // 2 and max(counts) == 2
    assert sum(counts) == articles + briefings
    # The folders of hard links Pagefind read are gone.
    assert sorted(p.name for p in bundled_site.parent.iterdir()) == ["output", "pelicanconf.py"]


def _index(site: Path, cache: Path | None, workers: int = 1) -> dict[str, bytes]:
    """Index ``site`` afresh in bundles of one page (with ``cache``, if
    given; with up to ``workers`` Pagefind runs at once); its search files
    by path, with their bytes."""
    from generator.search import finish_indexing, start_indexing

    shutil.rmtree(site / "pagefind", ignore_errors=True)
    finish_indexing(start_indexing(site, max_pages=1, cache=cache, workers=workers))
    return file_tree(site / "pagefind")


def test_each_search_bundle_is_queued_as_soon_as_its_pages_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind need not wait for the last article page: with bundles of one
    page, each article's bundle is queued once its page is written, while
    the build has the next ones still to write."""
    from generator.search import Indexing

    written_when_queued: list[tuple[list[str], int]] = []
    queue = Indexing._queue

    def queued(indexing: Indexing, pages: list[str]) -> None:
        written_when_queued.append((pages, len(list(indexing.site.glob("articles/*/index.html")))))
        queue(indexing, pages)

    monkeypatch.setattr(Indexing, "_queue", queued)
    site = _build_in_bundles(tmp_path, pages=1)
    articles = sorted(p.relative_to(site).as_posix() for p in site.glob("articles/*/index.html"))
    queued_articles = [(pages, written) for pages, written in written_when_queued if pages[0] in articles]
    assert sorted(page for pages, _ in queued_articles for page in pages) == articles
    assert [written for _, written in queued_articles] == list(range(1, len(articles) + 1))


def test_after_an_edit_article_bundles_are_queued_before_any_page_is_written_into_the_same_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Pagefind reads of an article page does not depend on the merge
    (``publish.search_articles_ahead``). After an edit, the article bundles
    are queued before any page is written; a first build, which has a copy
    to make for every article, queues them as their pages are written. The
    index is the one Pagefind makes from the pages themselves, as a build
    without a cache indexes them."""
    from generator.search import Indexing

    queued: list[tuple[str, int]] = []
    """The article bundles queued, each with how many article pages were written then."""
    indexed: list[str] = []
    """The first page of each bundle Pagefind indexed."""
    queue, index_pages = Indexing._queue, Indexing._index

    def noted(indexing: Indexing, pages: list[str]) -> None:
        if pages[0].startswith("articles/"):
            queued.append((pages[0], len(list(indexing.site.glob("articles/*/index.html")))))
        queue(indexing, pages)

    def ran(indexing: Indexing, pages: list[str], *args: Any) -> str | None:
        indexed.append(pages[0])
        return index_pages(indexing, pages, *args)

    monkeypatch.setattr(Indexing, "_queue", noted)
    monkeypatch.setattr(Indexing, "_index", ran)
    content = shutil.copytree(CONTENT, tmp_path / "content")
    cached = settings_with(tmp_path / "cached.py", BRIEFING_SEARCH_BUNDLE_PAGES=1)
    uncached = settings_with(tmp_path / "uncached.py", BRIEFING_SEARCH_BUNDLE_PAGES=1, CACHE_CONTENT=False)

    def index(output: Path, settings: Path) -> dict[str, bytes]:
        build(BuildOptions(content=content, output=output, settings_file=settings))
        return file_tree(output / "pagefind")

    first = index(tmp_path / "site", cached)
    assert len(queued) == 3 and all(written > 0 for _, written in queued)
    assert first == index(tmp_path / "plain", uncached)

    article = content / "articles" / "uk-pulling-mali-troop-deployment.md"
    added = "\nThe ministry said the last of the troops would be home by the spring.\n"
    article.write_text(article.read_text(encoding="utf-8") + added, encoding="utf-8")
    queued.clear()
    indexed.clear()
    edited = index(tmp_path / "site", cached)
    assert len(queued) == 3 and all(written == 0 for _, written in queued)
    assert [page for page in indexed if page.startswith("articles/")] == [
        "articles/uk-pulling-mali-troop-deployment/index.html"
    ]
    assert edited == index(tmp_path / "plain", uncached) != first

    # A topic renamed changes every article page (its menu, its links back's
    # titles), not what search reads of one: no article bundle is indexed again.
    topic = content / "topics" / "accra-initiative.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title: Accra", "title: The Accra"), "utf-8")
    pages_before = _indexed_pages(tmp_path / "site")
    indexed.clear()
    renamed = index(tmp_path / "site", cached)
    assert all(pages_before[path] != data for path, data in _indexed_pages(tmp_path / "site").items())
    assert indexed and not [page for page in indexed if page.startswith("articles/")]
    assert renamed == index(tmp_path / "plain", uncached) != edited


def test_pagefind_runs_side_by_side_write_the_index_one_run_at_a_time_writes(
    tmp_path: Path, local_site: Path
) -> None:
    site = shutil.copytree(local_site, tmp_path / "site")
    alone = _index(site, None)
    assert len(json.loads(alone["bundles.json"])["merge"]) >= 5
    assert _index(site, None, workers=3) == alone
    assert _index(site, tmp_path / "cache", workers=3) == alone
    assert _index(site, tmp_path / "cache", workers=3) == alone  # each bundle from the cache


def test_pagefind_reads_the_pages_without_what_it_skips_and_writes_the_same_index(
    tmp_path: Path, local_site: Path
) -> None:
    from generator.search import NOT_INDEXED, indexed_pages, without_skipped_markup

    site = shutil.copytree(local_site, tmp_path / "site")
    for page in site.glob("topics/*/index.html"):
        html = page.read_bytes()
        read = without_skipped_markup(html)
        # The source lists, the list of source articles and JSON-LD are cut,
        # every statement's text is kept.
        assert b'class="sources"' in html and b'class="sources"' not in read
        assert b'id="sources-heading"' in html and b'id="sources-heading"' not in read
        assert b"application/ld+json" not in read
        assert b'<nav aria-label="Topics">' in html and b'<nav aria-label="Topics">' not in read
        texts = re.findall(rb'<p class="statement-text">.*?</p>', html)
        assert texts and texts == re.findall(rb'<p class="statement-text">.*?</p>', read)
    # Pagefind itself, over the whole pages and over what it is given of them.
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for name, _ in indexed_pages(site, ("articles/*/index.html", "topics/*/index.html")):
        html = (site / name).read_bytes()
        for folder, given in ((whole, html), (cut, without_skipped_markup(html))):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(given)
    indexes = []
    for folder in (whole, cut):
        excluded = [arg for selector in NOT_INDEXED for arg in ("--exclude-selectors", selector)]
        command = [sys.executable, "-m", "pagefind", "--site", str(folder), *excluded, "--silent"]
        subprocess.run(command, check=True)
        indexes.append(file_tree(folder / "pagefind"))
    assert indexes[0] == indexes[1] and len(indexes[0]) > 5


def test_markup_pagefind_skips_is_cut_only_where_a_browser_ends_it_too() -> None:
    from generator.search import without_skipped_markup

    sources = b'<p class="sources"><span class="count">1 outlet:</span> <a href="a/">A</a></p>'
    backlink = b'<a class="backlink" href="t/#s">\xe2\x86\xa9<span class="visually-hidden"> used</span></a>'
    assert without_skipped_markup(b"<li>" + sources + b"<p>Kept.</p>" + backlink + b"</li>") == (
        b"<li><p>Kept.</p></li>"
    )
    # A <div> ends a <p> before its </p>: what follows it is read, so it stays.
    ended_early = b'<p class="sources"><span>1</span><div>Indexed.</div></p>'
    unclosed = b'<p>Text.</p><a class="backlink" href="t/">back'
    for html in (ended_early, unclosed, b'<p class="sourced">Kept.</p>'):
        assert without_skipped_markup(html) == html


def test_pages_queued_for_search_twice_are_indexed_once_in_the_order_queued(
    tmp_path: Path, local_site: Path
) -> None:
    from generator.search import Indexing

    site = shutil.copytree(local_site, tmp_path / "site")
    shutil.rmtree(site / "pagefind")
    articles = sorted(p.relative_to(site).as_posix() for p in site.glob("articles/*/index.html"))
    briefings = sorted(p.relative_to(site).as_posix() for p in site.glob("topics/*/index.html"))
    indexing = Indexing(site, max_pages=2, workers=2)
    indexing.add(("articles/*/index.html",))
    indexing.add(("articles/*/index.html", "topics/*/index.html"))
    indexing.finish()
    queued = [page for bundle in indexing.bundles for page in bundle]
    assert queued == articles + briefings  # each once, the articles' bundles first
    assert _bundle_page_counts(site) == [len(bundle) for bundle in indexing.bundles]


def _kept_bundles(cache: Path) -> dict[str, int]:
    """The bundles kept in the search cache ``cache``: each one's name, with
    the inode of its digests file (a new inode: the bundle was indexed again)."""
    from generator.search import DIGESTS_FILE

    return {entry.name: (entry / DIGESTS_FILE).stat().st_ino for entry in cache.iterdir() if entry.is_dir()}


def test_a_rebuild_indexes_again_only_the_search_bundles_whose_pages_changed(
    tmp_path: Path, local_site: Path
) -> None:
    site = shutil.copytree(local_site, tmp_path / "site")
    cache = tmp_path / "cache"
    first = _index(site, cache)
    made = _kept_bundles(cache)
    assert len(made) == len(json.loads(first["bundles.json"])["merge"]) + 1
    assert _index(site, None) == first  # the cache changes nothing in what is written

    page = site / "articles" / "uk-pulling-mali-troop-deployment" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Mali", "Niger"), encoding="utf-8")
    edited = _index(site, cache)
    now = _kept_bundles(cache)
    assert len(now) == len(made) and len(set(now) - set(made)) == 1  # the stale bundle went
    # The unchanged bundles were not indexed again: their indexes are the ones the first run kept.
    assert all(now[entry] == made[entry] for entry in set(now) & set(made))
    assert edited == _index(site, None) != first


def test_a_search_file_changed_in_place_in_the_site_is_not_taken_from_the_cache_again(
    tmp_path: Path, local_site: Path
) -> None:
    """A bundle restored from the cache is the cache's files, linked: the
    build then compares them by inode. A file of the published index
    changed in place (an editor, a deploy script) changes the kept one too:
    the next build must find it by its digest and index that bundle again."""
    site = shutil.copytree(local_site, tmp_path / "site")
    cache = tmp_path / "cache"
    first = _index(site, cache)
    restored = _index(site, cache)
    assert restored == first
    entry = site / "pagefind" / "pagefind-entry.json"
    kept = [path for path in cache.rglob("pagefind-entry.json") if path.samefile(entry)]
    assert len(kept) == 1  # linked, not copied
    with entry.open("r+b") as published:  # in place: the same file
        published.write(b"{}")
    assert kept[0].read_bytes().startswith(b"{}")
    assert _index(site, cache) == first
    assert not kept[0].read_bytes().startswith(b"{}")  # indexed again, and kept anew


def test_a_published_search_index_of_copies_is_kept_as_it_is_and_taken_into_the_cache(tmp_path: Path) -> None:
    """A site whose index files are not the cache's own (copied by an older
    build, or by hand) keeps them as they are (same file, same time) when
    they did not change, and the cache takes them over, so the build after
    links them rather than reading them."""
    content = shutil.copytree(CONTENT, tmp_path / "content")
    output = tmp_path / "output"
    build(BuildOptions(content=content, output=output))
    for path in (output / "pagefind").rglob("*"):
        if path.is_file():
            shutil.copy2(path, tmp_path / "copy")
            (tmp_path / "copy").replace(path)
    index = {path: path.stat() for path in (output / "pagefind").rglob("*") if path.is_file()}
    cached = [path for path in (content.parent / ".briefing-cache").rglob("*") if path.is_file()]

    def linked_to_cache(path: Path) -> bool:
        return any(path.samefile(other) for other in cached if other.name == path.name)

    assert index and not any(map(linked_to_cache, index))
    for _ in range(2):
        build(BuildOptions(content=content, output=output, force=True))
        assert {path: (info.st_ino, info.st_mtime_ns) for path, info in index.items()} == {
            path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in index
        }
    # All but the list of bundles, which the build writes (and compares) itself.
    assert [path.name for path in index if not linked_to_cache(path)] == ["bundles.json"]


def test_a_bundle_indexed_again_keeps_the_published_files_it_has_alike_in_site_and_cache_as_one(
    tmp_path: Path,
) -> None:
    """After an edit, a bundle indexed again has most of its files alike
    with the published ones (every other page's). The site keeps those as
    they were, and the cache takes those very files, so the build after
    finds the site and the cache one, not two to compare and make one (at
    5,000 articles, 800 files while the build waited for the search index)."""
    content = shutil.copytree(CONTENT, tmp_path / "content")
    settings = settings_with(tmp_path / "pelicanconf.py", BRIEFING_SEARCH_BUNDLE_PAGES=2)
    options = BuildOptions(content=content, output=tmp_path / "output", settings_file=settings)
    build(options)
    article = sorted((content / "articles").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nThe ferry resumed on Friday.\n", encoding="utf-8")
    build(options)
    index = [path for path in (options.output / "pagefind").rglob("*") if path.is_file()]
    cache = [path.stat() for path in (tmp_path / ".briefing-cache").rglob("*")]
    kept = {(info.st_dev, info.st_ino) for info in cache}
    apart = [path.name for path in index if (path.stat().st_dev, path.stat().st_ino) not in kept]
    assert apart == ["bundles.json"]  # written by the build itself


def test_a_rebuild_indexes_a_changed_bundle_at_once_and_copies_the_kept_ones_at_the_end(
    tmp_path: Path, local_site: Path
) -> None:
    """While the build still writes, Pagefind indexes the bundle an edit
    changed without waiting for the bundles before it to be copied from the
    cache; those are copied once the build only waits (``finish``)."""
    from generator.search import ALL_PAGES, Indexing, bundle_folder, indexed_pages

    site = shutil.copytree(local_site, tmp_path / "site")
    cache = tmp_path / "cache"
    _index(site, cache)
    last, _ = indexed_pages(site)[-1]  # its bundle is queued after every other
    page = site / last
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "<p>An edit.</p></main>"))
    shutil.rmtree(site / "pagefind")

    indexing = Indexing(site, cache, max_pages=1)
    indexing.add(ALL_PAGES)
    changed = len(indexing.bundles) - 1
    assert indexing.bundles[changed] == [last]

    def entry(number: int) -> Path:
        return site / "pagefind" / bundle_folder(number) / "pagefind-entry.json"

    deadline = time.monotonic() + 120
    while not entry(changed).is_file():
        assert time.monotonic() < deadline, "the changed bundle was not indexed"
        time.sleep(0.05)
    assert not any(entry(number).exists() for number in range(changed))
    indexing.finish()
    assert all(entry(number).is_file() for number in range(len(indexing.bundles)))
    assert file_tree(site / "pagefind") == _index(site, None)


def test_pagefind_runs_have_one_core_while_the_build_writes_and_every_core_after(
    tmp_path: Path, local_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While Pelican writes pages, a Pagefind run leaves the build a core;
    once Pelican is done (``take_every_core``, called by ``publish.finish``),
    the runs that start, up to ``workers`` at once, take every core."""
    from generator import search

    site = shutil.copytree(local_site, tmp_path / "site")
    shutil.rmtree(site / "pagefind")
    first, *others = sorted(p.relative_to(site).as_posix() for p in site.glob("articles/*/index.html"))
    threads: list[str | None] = []
    popen = subprocess.Popen

    def noted(*args: object, **kwargs: object) -> object:
        environment = kwargs.get("env")
        assert isinstance(environment, dict)
        threads.append(environment.get("RAYON_NUM_THREADS"))
        return popen(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "Popen", noted)  # as generator.search starts it
    indexing = search.Indexing(site, max_pages=1, workers=2)
    indexing.add((first,))
    deadline = time.monotonic() + 60
    while not threads:
        assert time.monotonic() < deadline, "Pagefind did not start"
        time.sleep(0.01)
    indexing.take_every_core()
    indexing.add(tuple(others))
    indexing.finish()
    assert threads == ["1"] + [None] * len(others)
    assert _bundle_page_counts(site) == [1] * (1 + len(others))


def _indexed_pages(site: Path) -> dict[str, bytes]:
    return {path: data for path, data in file_tree(site).items() if path.startswith(("articles/", "topics/"))}


def test_a_rebuild_cuts_for_pagefind_only_the_pages_that_changed(tmp_path: Path) -> None:
    """What Pagefind reads of each page is kept in the cache: the bundle an
    edit changed is indexed again from the kept copies of its other pages,
    into the index a build from nothing writes. A topic page's copy is cut
    from the page and kept by the page's digest; an article page's is made
    before the page, from the article (``publish.search_articles_ahead``),
    and kept by its key: only the edited article's is made again."""
    from generator.search import COPIES_DIR

    def kept_copies() -> dict[str, int]:
        """The name (a page's digest, or a copy's key) of each copy kept, with its inode."""
        copies = next((tmp_path / ".briefing-cache").rglob(COPIES_DIR))
        return {path.name.split("-")[0]: path.stat().st_ino for path in copies.iterdir()}

    def digests(pages: dict[str, bytes], under: str) -> set[str]:
        return {hashlib.sha256(data).hexdigest() for path, data in pages.items() if path.startswith(under)}

    content = shutil.copytree(CONTENT, tmp_path / "content")
    site = _build(tmp_path / "site", content=content)
    before, copies_before = _indexed_pages(site), kept_copies()
    assert len(copies_before) == len(before) and digests(before, "topics/") <= set(copies_before)

    article = content / "articles" / "uk-pulling-mali-troop-deployment.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("Wagner", "Wagner Group"), encoding="utf-8"
    )
    _build(site, content=content)
    after, copies_after = _indexed_pages(site), kept_copies()
    changed = {path: data for path, data in after.items() if before.get(path) != data}
    assert changed
    # The copies of the pages before the edit went.
    assert len(copies_after) == len(after) and digests(after, "topics/") <= set(copies_after)
    # Only the changed topic pages were cut again, and the edited article's
    # copy made; the other copies are the files kept.
    made = {name for name, inode in copies_after.items() if copies_before.get(name) != inode}
    assert digests(changed, "topics/") <= made and len(made - digests(changed, "topics/")) == 1

    fresh = _build(
        tmp_path / "elsewhere" / "site", content=shutil.copytree(content, tmp_path / "elsewhere" / "content")
    )
    assert file_tree(site / "pagefind") == file_tree(fresh / "pagefind")


def test_an_index_kept_from_another_pagefind_version_is_not_reused(
    tmp_path: Path, local_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The binary writes the index, and may be upgraded on its own: its
    reported version is part of each bundle's key."""
    import generator.search
    from generator.search import pagefind_version

    assert pagefind_version().startswith("pagefind ")  # the real binary, asked
    site = shutil.copytree(local_site, tmp_path / "site")
    cache = tmp_path / "cache"
    first = _index(site, cache)
    made = _kept_bundles(cache)

    monkeypatch.setattr(generator.search, "pagefind_version", lambda: "pagefind 0.0.0-another")
    assert _index(site, cache) == first
    now = _kept_bundles(cache)
    assert len(now) == len(made) and not set(now) & set(made)  # every bundle indexed again

    monkeypatch.setattr(generator.search, "pagefind_version", lambda: "")
    assert _index(site, cache) == first
    assert {entry.name for entry in cache.iterdir()} == set(now)  # a version unknown: nothing kept


def test_a_search_cache_that_cannot_be_written_only_costs_speed(tmp_path: Path, local_site: Path) -> None:
    site = shutil.copytree(local_site, tmp_path / "site")
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    assert _index(site, blocked) == _index(site, None)


def test_a_search_cache_entry_naming_files_outside_its_folder_is_not_used(
    tmp_path: Path, local_site: Path
) -> None:
    from generator.search import DIGESTS_FILE

    site = shutil.copytree(local_site, tmp_path / "site")
    cache = tmp_path / "cache"
    first = _index(site, cache)
    secret = cache / "secret.txt"
    secret.write_text("not part of any index", encoding="utf-8")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    for entry in cache.iterdir():
        if entry.is_dir():
            (entry / DIGESTS_FILE).write_text(json.dumps({"../secret.txt": digest}), encoding="utf-8")
    assert _index(site, cache) == first  # each bundle indexed again
    assert not (site / "secret.txt").exists()


def test_a_search_bundle_size_below_one_is_refused(tmp_path: Path) -> None:
    from generator.search import start_indexing

    with pytest.raises(BriefingError, match="BRIEFING_SEARCH_BUNDLE_PAGES"):
        start_indexing(tmp_path, max_pages=0)


def test_a_pagefind_failure_is_reported_with_its_own_words(tmp_path: Path) -> None:
    from generator.search import finish_indexing, start_indexing

    with pytest.raises(BriefingError, match=r"(?s)Pagefind could not index the site: .*html files"):
        finish_indexing(start_indexing(tmp_path / "no-site-here"))


def test_an_error_on_the_indexing_thread_fails_the_build_with_its_words(
    tmp_path: Path, local_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.search
    from generator.search import finish_indexing, start_indexing

    def broken(*_: object) -> None:
        raise ValueError("no such luck")

    monkeypatch.setattr(generator.search.Indexing, "_plan", broken)
    site = shutil.copytree(local_site, tmp_path / "site")
    with pytest.raises(BriefingError, match="could not index the site for search: no such luck"):
        finish_indexing(start_indexing(site))


def test_a_failed_build_leaves_no_pagefind_running(tmp_path: Path, local_site: Path) -> None:
    """Pagefind starts while the build still writes; if the build then fails,
    it is stopped, not left writing into a folder that is being removed."""
    from generator.search import abandon_indexing, start_indexing

    site = shutil.copytree(local_site, tmp_path / "site")
    shutil.rmtree(site / "pagefind")
    indexing = start_indexing(site, max_pages=1)
    abandon_indexing(indexing)
    assert not indexing.running
    assert _pagefind_children() == []
    assert not (site / "pagefind" / "bundles.json").exists()  # no later bundle was started
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_run_stopped_while_pagefind_writes_leaves_nothing_in_the_cache(
    tmp_path: Path, local_site: Path
) -> None:
    from generator.search import abandon_indexing, start_indexing

    site = shutil.copytree(local_site, tmp_path / "site")
    shutil.rmtree(site / "pagefind")
    cache = tmp_path / "cache"
    indexing = start_indexing(site, max_pages=1, cache=cache)
    deadline = time.monotonic() + 120
    while not list(cache.glob(".staging*")):  # a run is writing the index it will keep
        assert time.monotonic() < deadline and indexing.running, "no run was seen writing"
        time.sleep(0.002)
    abandon_indexing(indexing)
    assert _pagefind_children() == []
    assert not list(cache.glob(".*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]


def _pagefind_children() -> list[int]:
    """This process's child processes that run Pagefind (Linux: /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"pagefind" in command and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_build_that_fails_after_pagefind_started_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.pelican_plugin

    def broken_export(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(generator.pelican_plugin, "write_export", broken_export)
    content = shutil.copytree(REPO / "content", tmp_path / "content")
    with pytest.raises(BriefingError, match="disk on fire"):
        build(BuildOptions(content=content, output=tmp_path / "output"))
    assert _pagefind_children() == []
    assert not (tmp_path / "output").exists()
