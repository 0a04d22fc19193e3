"""End to end: build the example site for real and check what a reader gets.

These tests run the whole stack (our reader and plugin inside Pelican, the
templates, the export) on the committed ``content/`` and look at the files a
user would publish.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.content import CONTROL_CHARACTERS, load_content, read_article
from generator.segment import segment
from tests.helpers import broken_anchors, file_tree, page_anchors, settings_with

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
FURNITURE = (
    "Accessibility links",
    "Breaking News",
    "FILE:",
    "Want a quick and expert briefing",
    "Source: TRT",
)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site") / "output"
    build(BuildOptions(content=CONTENT, output=output, settings_file=REPO / "pelicanconf.py"))
    return output


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_page_type_is_written(site_dir: Path) -> None:
    index = _json(site_dir / "api" / "index.json")
    assert (site_dir / "index.html").is_file()
    assert {t["slug"] for t in index["topics"]} == {"uk-withdrawal", "wagner-group", "accra-initiative"}
    for topic in index["topics"]:
        assert (site_dir / topic["page"] / "index.html").is_file()
        assert (site_dir / "api" / "briefings" / f"{topic['slug']}.json").is_file()
    assert len(index["articles"]) == 3
    for article in index["articles"]:
        assert (site_dir / article["page"] / "index.html").is_file()
        assert not article["page"].startswith("/")


def test_heappey_two_coups_quote_is_one_statement_with_three_sources(site_dir: Path) -> None:
    found = []
    for path in sorted((site_dir / "api" / "briefings").glob("*.json")):
        for statement in _json(path)["statements"]:
            if "two coups in three years" in statement["text"].lower():
                found.append(statement)
    assert found, "the two-coups quote is in no briefing"
    assert {s["id"] for s in found} == {found[0]["id"]}, "the quote was split into several statements"
    statement = found[0]
    assert statement["kind"] == "quote"
    assert statement["speaker"] == "James Heappey"
    assert {s["outlet"] for s in statement["sources"]} == {"ITV News", "Voice of America", "TRT World"}


def test_every_cited_sentence_is_verbatim_in_its_article(site_dir: Path) -> None:
    documents = {a.slug: segment(a) for a in load_content(CONTENT).articles}
    checked = 0
    for path in sorted((site_dir / "api" / "briefings").glob("*.json")):
        briefing = _json(path)
        for statement in briefing["statements"]:
            texts = []
            for source in statement["sources"]:
                document = documents[source["article"]]
                by_id = {s.id: s for s in document.sentences}
                assert source["sentence"] in by_id, source
                assert by_id[source["sentence"]].text == source["text"]
                assert source["text"] in document.blocks[by_id[source["sentence"]].block].text
                assert source["url"] == document.article.url
                assert source["outlet"] == document.article.outlet
                texts.append(source["text"])
                checked += 1
            if statement["kind"] == "quote":
                assert any(statement["text"] in text for text in texts), statement
            else:
                assert statement["text"] in texts
    assert checked > 20


def test_citation_links_land_on_existing_sentence_anchors(site_dir: Path) -> None:
    for topic_page in sorted((site_dir / "topics").glob("*/index.html")):
        links = [h for h in page_anchors(topic_page).hrefs if h.startswith("../../articles/") and "#" in h]
        assert links, f"{topic_page} links to no article sentence"
        for href in links:
            page, _, anchor = href.removeprefix("../../").partition("#")
            target = site_dir / page / "index.html"
            assert target.is_file(), href
            assert anchor in page_anchors(target).ids, href


def test_no_link_on_any_page_points_at_a_missing_anchor(site_dir: Path) -> None:
    assert broken_anchors(site_dir) == []


def test_the_anchor_check_reports_a_missing_anchor(site_dir: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(site_dir, tmp_path / "copy")
    page = copy / "topics" / "broken.html"
    page.write_text('<a href="uk-withdrawal/#no-such-anchor">x</a><a href="../articles/gone/#s1">y</a>')
    assert broken_anchors(copy) == [
        "topics/broken.html: uk-withdrawal/#no-such-anchor",
        "topics/broken.html: ../articles/gone/#s1",
    ]


def test_article_pages_link_back_to_the_briefings_that_cite_them(site_dir: Path) -> None:
    backlinks = 0
    for page in sorted((site_dir / "articles").glob("*/index.html")):
        for href in page_anchors(page).hrefs:
            if href.startswith("../../topics/") and "#" in href:
                topic, _, statement = href.removeprefix("../../").partition("#")
                assert statement in page_anchors(site_dir / topic / "index.html").ids, href
                backlinks += 1
    assert backlinks > 10


def test_no_page_furniture_reaches_a_briefing(site_dir: Path) -> None:
    for path in [*site_dir.glob("topics/*/index.html"), *site_dir.glob("api/briefings/*.json")]:
        text = path.read_text(encoding="utf-8")
        for furniture in FURNITURE:
            assert furniture not in text, f"{furniture!r} in {path}"


def test_question_subheading_is_a_heading_not_a_statement(site_dir: Path) -> None:
    for path in site_dir.glob("api/briefings/*.json"):
        for statement in _json(path)["statements"]:
            assert statement["text"] != "Who are the Wagner Group?"
    page = site_dir / "articles" / "uk-withdraws-peacekeeping-troops-from-mali-over-russian" / "index.html"
    assert "<h2>" in page.read_text(encoding="utf-8")


def test_home_lists_topics_with_counts_and_sources(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    index = _json(site_dir / "api" / "index.json")
    for topic in index["topics"]:
        assert f'href="./topics/{topic["slug"]}/"' in home or f'href="topics/{topic["slug"]}/"' in home
        assert f"{topic['counts']['statements']} statement" in home
    for article in index["articles"]:
        assert article["url"] in home


@pytest.mark.parametrize("shown", [2, 0])
def test_a_large_archive_home_lists_its_newest_sources_and_every_outlet(tmp_path: Path, shown: int) -> None:
    """The home page listed every source: 2.5 MB of a 5,000-article archive's
    home. Past ``SOURCES_ON_HOME`` (here 2, or none, of the example's 3) it
    lists the newest, and each outlet with its count, whose page lists all
    of its own."""
    settings = settings_with(tmp_path / "pelicanconf.py", SOURCES_ON_HOME=shown)
    output = tmp_path / "site"
    build(BuildOptions(content=CONTENT, output=output, settings_file=settings))
    home = (output / "index.html").read_text(encoding="utf-8")
    articles = sorted(_json(output / "api" / "index.json")["articles"], key=lambda a: (a["date"], a["slug"]))
    assert "Latest sources" in home and (f"The {shown} newest of 3 articles" in home) == (shown > 0)
    unlisted, newest = articles[: len(articles) - shown], articles[len(articles) - shown :][::-1]
    assert [a["url"] for a in newest] == re.findall(
        r'<a href="([^"]+)" rel="noopener nofollow external"', home
    )
    assert not any(a["url"] in home for a in unlisted)
    for outlet in {a["outlet"] for a in articles}:
        mine = [a for a in articles if a["outlet"] == outlet]
        link = rf'<a href="\./(outlets/[^"]+/)">{re.escape(escape(outlet))}</a>'
        listed = re.search(link + r'\s*<span class="meta">(\d+) article', home)
        assert listed is not None and int(listed[2]) == len(mine), outlet
        outlet_page = (output / listed[1] / "index.html").read_text(encoding="utf-8")
        assert all(f"articles/{a['slug']}/" in outlet_page for a in mine)


def _items(html: str) -> tuple[list[str], list[str]]:
    """What a topic or outlet page lists: its anchors (statements, events) and links, in order."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.findall(r'id="((?:st|event)-[^"]+)"', main), re.findall(r'href="([^"]+)"', main)


def test_long_lists_fold_under_their_count_and_lose_nothing(tmp_path: Path) -> None:
    """Past ``FOLD_LISTS_OVER`` (here 2) a page's long lists fold under their
    count: each page still lists every statement, event, source and link it
    lists unfolded, in the same order, each count is that of the items
    folded, and a ranked list's folded rest is numbered on from its shown
    items."""
    from benchmarks.generate import generate

    generate(tmp_path / "content", articles=40, topics=4, outlets=5, seed=3)
    whole, folded = tmp_path / "whole", tmp_path / "folded"
    for site, most in ((whole, 1_000_000), (folded, 2)):
        settings = settings_with(tmp_path / f"{site.name}.py", FOLD_LISTS_OVER=most)
        build(BuildOptions(content=tmp_path / "content", output=site, settings_file=settings))
    pages = sorted(p.relative_to(whole) for p in whole.glob("*/*/index.html") if p.parts[-3] != "articles")
    assert len(pages) >= 9
    numbered = 0
    for page in pages:
        before, after = ((site / page).read_text(encoding="utf-8") for site in (whole, folded))
        assert "<details" not in before
        assert _items(after) == _items(before), page
        for fold in re.findall(r'<details class="fold">(.*?)</details>', after, flags=re.DOTALL):
            count = re.match(r"<summary>(\d+) ", fold)
            assert count is not None and int(count[1]) == len(re.findall(r"<li[ >]", fold)) > 0, fold[:200]
        for start in re.findall(
            r'<details class="fold"><summary>\d+ more key points</summary>\s*<ol [^>]*start="(\d+)"', after
        ):
            assert start == "3"
            numbered += 1
    assert numbered > 0, "some topic has more than two key points"
    assert not broken_anchors(folded)


def test_rebuilding_gives_byte_identical_output(site_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(BuildOptions(content=CONTENT, output=again, settings_file=REPO / "pelicanconf.py"))
    assert file_tree(again) == file_tree(site_dir)


def test_plain_pelican_builds_the_same_site(site_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "pelican-output"
    subprocess.run(
        [sys.executable, "-m", "pelican", "-s", "pelicanconf.py", "-o", str(output), "content"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    assert file_tree(output) == file_tree(site_dir)


def test_failed_build_keeps_previous_output(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    output = tmp_path / "output"
    build(BuildOptions(content=content, output=output, settings_file=REPO / "pelicanconf.py"))
    (output / "CNAME").write_text("briefing.example.org\n")
    before = file_tree(output)
    broken = next((content / "articles").glob("*.md"))
    broken.write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(Exception, match=r":2: front matter is not valid YAML"):
        build(BuildOptions(content=content, output=output, settings_file=REPO / "pelicanconf.py"))
    assert file_tree(output) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".output")]


def test_hosting_files_survive_a_rebuild(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "CNAME").write_text("briefing.example.org\n")
    (output / ".nojekyll").write_text("")
    (output / "stale.html").write_text("old page")
    build(BuildOptions(content=CONTENT, output=output, settings_file=REPO / "pelicanconf.py"))
    assert (output / "CNAME").read_text() == "briefing.example.org\n"
    assert (output / ".nojekyll").exists()
    assert not (output / "stale.html").exists()


def test_base_url_makes_feed_links_absolute(tmp_path: Path) -> None:
    output = tmp_path / "output"
    base = "https://user.github.io/repo"
    build(BuildOptions(content=CONTENT, output=output, base_url=base, settings_file=REPO / "pelicanconf.py"))
    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert f"{base}/articles/" in feed
    home = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="/' not in home, "a root-absolute link breaks a project site under /repo/"


def test_every_statement_appears_once_on_its_topic_page(site_dir: Path) -> None:
    for path in sorted((site_dir / "api" / "briefings").glob("*.json")):
        briefing = _json(path)
        page = (site_dir / briefing["page"] / "index.html").read_text(encoding="utf-8")
        for statement in briefing["statements"]:
            assert page.count(f'id="{statement["id"]}"') == 1, statement["text"]


def test_each_outlet_has_a_page_listing_its_articles_and_statements(site_dir: Path) -> None:
    index = _json(site_dir / "api" / "index.json")
    outlets = {a["outlet"] for a in index["articles"]}
    pages = sorted((site_dir / "outlets").glob("*/index.html"))
    assert len(pages) == len(outlets)
    home = page_anchors(site_dir / "index.html").hrefs
    for page in pages:
        assert f"./outlets/{page.parent.name}/" in home or f"outlets/{page.parent.name}/" in home
        html = page.read_text(encoding="utf-8")
        (outlet,) = [o for o in outlets if f"<h1>{escape(o)}</h1>" in html]
        for article in index["articles"]:
            assert (f'articles/{article["slug"]}/"' in html) == (article["outlet"] == outlet)
        own_articles = {a["slug"] for a in index["articles"] if a["outlet"] == outlet}
        cited = [h for h in page_anchors(page).hrefs if h.startswith("../../articles/") and "#" in h]
        briefing_links = [h for h in page_anchors(page).hrefs if h.startswith("../../topics/") and "#" in h]
        # Each statement: the outlet's own sentence, and the statement in its briefing.
        assert len(cited) >= len(briefing_links) > 0
        for href in cited:
            target, _, anchor = href.removeprefix("../../").partition("#")
            assert target.removeprefix("articles/").rstrip("/") in own_articles, href
            assert anchor in page_anchors(site_dir / target / "index.html").ids, href


def test_the_site_feed_carries_each_article_as_written(site_dir: Path) -> None:
    """The reader keeps each article's HTML in ASCII (characters beyond it as
    references, to save memory): a feed reader must still get every curly
    quote and dash of the article's text."""
    from html import unescape

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site_dir / "feeds" / "all.atom.xml").getroot()
    contents = [e.findtext(f"{atom}content") or "" for e in feed.findall(f"{atom}entry")]
    articles = load_content(CONTENT).articles
    assert len(contents) == len(articles)
    shown = unescape(re.sub(r"<[^>]+>", "", " ".join(contents)))
    sentences = [s.text for article in articles for s in segment(article).sentences]
    assert sum(not text.isascii() for text in sentences) >= 10  # curly quotes, dashes
    for text in sentences:
        assert text in shown, text


def test_each_topic_has_an_atom_feed_with_an_entry_per_update(site_dir: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    for path in sorted((site_dir / "api" / "briefings").glob("*.json")):
        briefing = _json(path)
        feed = ElementTree.parse(site_dir / "feeds" / "topics" / f"{briefing['slug']}.atom.xml").getroot()
        assert feed.tag == f"{atom}feed"
        entries = feed.findall(f"{atom}entry")
        first_dates = {
            min(
                a["date"]
                for a in briefing["sources"]
                if a["article"] in {s["article"] for s in st["sources"]}
            )
            for st in briefing["statements"]
        }
        assert len(entries) == len(first_dates)
        listed = " ".join(e.findtext(f"{atom}content") or "" for e in entries)
        for statement in briefing["statements"]:
            assert escape(statement["text"], quote=False) in listed or statement["text"] in listed


def test_home_draws_who_covers_what(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert '<table class="coverage">' in home
    index = _json(site_dir / "api" / "index.json")
    for topic in index["topics"]:
        briefing = _json(site_dir / topic["briefing"])
        itv = sum(1 for s in briefing["statements"] if "ITV News" in {x["outlet"] for x in s["sources"]})
        table = home.split('<table class="coverage">', 1)[1]
        row = table.split(f'href="./topics/{topic["slug"]}/"', 1)[1].split("</tr>", 1)[0]
        assert f">{itv}</td>" in row


def test_topic_page_draws_and_lists_the_timeline(site_dir: Path) -> None:
    briefing = _json(site_dir / "api" / "briefings" / "uk-withdrawal.json")
    page = (site_dir / "topics" / "uk-withdrawal" / "index.html").read_text(encoding="utf-8")
    assert briefing["timeline"], "the UK withdrawal briefing has no timeline"
    assert '<svg class="timeline-chart"' in page
    assert page.count('<li id="event-') == len(briefing["timeline"])
    assert "December 2020" in page and "14 November 2022" in page
    assert 'style="' not in page, "inline style breaks under the Content-Security-Policy"


def test_topic_page_shows_where_outlets_differ_and_the_speakers_roles(site_dir: Path) -> None:
    page = (site_dir / "topics" / "uk-withdrawal" / "index.html").read_text(encoding="utf-8")
    differ = page.split('id="differ-heading"', 1)[1].split("</section>", 1)[0]
    assert "<q>armed forces minister</q>" in differ and "<q>Defence Minister</q>" in differ
    assert "within the next six months" in differ and "six months earlier than planned" in differ
    quotes = page.split('id="quotes-heading"', 1)[1].split("</section>", 1)[0]
    two_coups = quotes.split("Two coups in three years", 1)[1].split("</li>", 1)[0]
    assert "James Heappey" in two_coups
    assert 'armed forces minister</span> <span class="role-by">(per <a' in two_coups
    assert "Defence Minister" in two_coups


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))


def test_every_number_date_and_quote_in_the_export_traces_to_a_source_sentence(site_dir: Path) -> None:
    """Walk every briefing export: each text shown is verbatim in a cited
    sentence, each number in it is in that sentence, each date is given by
    its sentence's own words."""
    documents = {a.slug: segment(a) for a in load_content(CONTENT).articles}

    def sentence(source: dict) -> str:  # type: ignore[type-arg]
        by_id = {s.id: s.text for s in documents[source["article"]].sentences}
        text: str = source["text"]
        assert by_id[source["sentence"]] == text, source
        return text

    checked = {"statements": 0, "quotes": 0, "events": 0, "variants": 0, "roles": 0}
    for path in sorted((site_dir / "api" / "briefings").glob("*.json")):
        briefing = _json(path)
        for statement in briefing["statements"]:
            texts = [sentence(s) for s in statement["sources"]]
            assert any(statement["text"] in t for t in texts), statement
            if statement["kind"] == "quote":
                # Every outlet credited prints the same words (case and punctuation aside).
                assert all(_plain_words(statement["text"]) in _plain_words(t) for t in texts), statement
            for number in NUMBER.findall(statement["text"]):
                assert all(number in t for t in texts), (number, statement)
            checked["quotes" if statement["kind"] == "quote" else "statements"] += 1
        for event in briefing["timeline"]:
            texts = [sentence(s) for s in event["sources"]]
            assert event["text"] in texts
            year = event["date"][:4]
            for source, text in zip(event["sources"], texts, strict=True):
                assert event["expression"] in text, event
                article = documents[source["article"]].article
                # An explicit year is in the sentence; otherwise it comes from the article's date.
                assert year in text or abs(int(year) - article.date.year) <= 1, event
            checked["events"] += 1
        for disagreement in briefing["disagreements"]:
            assert (
                len({tuple(sorted({s["outlet"] for s in v["sources"]})) for v in disagreement["variants"]})
                > 1
            )
            for variant in disagreement["variants"]:
                assert all(variant["text"] in sentence(s) for s in variant["sources"]), variant
                checked["variants"] += 1
        for entity in briefing["people"]:
            for role in entity.get("roles", []):
                assert all(role["text"] in sentence(s) for s in role["sources"]), role
                checked["roles"] += 1
    assert all(checked.values()), checked


# Same input, same output.

HOSTILE_BASE = REPO / "tests" / "hostile" / "_base" / "content"


def _story(slug: str, title: str, body: str, *, outlet: str, date: str) -> str:
    front = {"title": title, "outlet": outlet, "url": f"https://{slug}.example.org/", "date": date}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


def test_a_site_without_articles_builds_the_same_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(HOSTILE_BASE, content)
    for article in (content / "articles").glob("*.md"):
        article.unlink()
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(BuildOptions(content=content, output=tmp_path / "one"))
    build(BuildOptions(content=content, output=tmp_path / "two"))
    assert file_tree(tmp_path / "one") == file_tree(tmp_path / "two")
    feed = (tmp_path / "one" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "<updated>1970-01-01T00:00:00+00:00</updated>" in feed
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    build(BuildOptions(content=content, output=tmp_path / "dated"))
    feed = (tmp_path / "dated" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "<updated>2030-03-17T17:46:40+00:00</updated>" in feed


@pytest.mark.parametrize("order_by", [None, "reversed-date"])
def test_articles_of_one_day_come_in_slug_order_whatever_order_they_are_found_in(
    tmp_path: Path, order_by: str | None
) -> None:
    """Pelican finds the files as a set, in an order that changes with each
    process; the site's feed (and the order pages are written and indexed
    in) must not: newest first, then by slug. So with our order, and with a
    settings file's own (Pelican's default, by date alone)."""
    settings_file = None
    if order_by is not None:
        settings_file = tmp_path / "mysettings.py"
        settings_file.write_text(
            f"from generator.settings import *  # noqa: F403\nARTICLE_ORDER_BY = {order_by!r}\n",
            encoding="utf-8",
        )
    content = tmp_path / "content"
    shutil.copytree(HOSTILE_BASE, content)
    slugs = [f"story-{letter}" for letter in "mkcxaqhzeuwb"]
    for number, slug in enumerate(slugs):
        (content / "articles" / f"{slug}.md").write_text(
            _story(
                slug,
                f"Bulletin {slug}",
                f"The harbour office said {number + 3} ferries ran late.",
                outlet="Hill Gazette",
                date="2031-06-13" if number else "2031-06-14",
            ),
            encoding="utf-8",
        )
    build(BuildOptions(content=content, output=tmp_path / "site", settings_file=settings_file))
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(tmp_path / "site" / "feeds" / "all.atom.xml").getroot()
    links = [link.get("href", "") for link in feed.findall(f"{atom}entry/{atom}link")]
    listed = [re.sub(r"^(.*/)?articles/([^/]+)/$", r"\2", link) for link in links]
    ours = [slug for slug in listed if slug.startswith("story-")]
    assert ours == [slugs[0], *sorted(slugs[1:])]
    assert listed.index(slugs[0]) == 0  # the newest article of all


def _ids(output: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Statement ids per briefing, and sentence anchors per article page."""
    statements = {
        path.stem: [s["id"] for s in _json(path)["statements"]]
        for path in sorted((output / "api" / "briefings").glob("*.json"))
    }
    anchors = {}
    for page in sorted((output / "articles").glob("*/index.html")):
        anchors[page.parent.name] = [i for i in page_anchors(page).ids if re.fullmatch(r"p\d+s\d+", i)]
    return statements, anchors


def test_adding_an_unrelated_article_keeps_every_id(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(HOSTILE_BASE, content)
    (content / "articles" / "valley-water.md").write_text(
        _story(
            "valley-water",
            "Water board warns of dry summer",
            "Reservoir levels in the northern valley fell again, the water board said. "
            "The reservoir on the east side is closed to boats.\n\n"
            '"We are asking everyone to take shorter showers," said board chair Tomas Berg.',
            outlet="Hill Gazette",
            date="2031-06-13",
        ),
        encoding="utf-8",
    )
    build(BuildOptions(content=content, output=tmp_path / "before"))
    statements, anchors = _ids(tmp_path / "before")
    assert sum(map(len, statements.values())) >= 2
    assert all(anchors.values())
    # Earlier than every other article, first by slug, about something else.
    (content / "articles" / "a-harbour-crane.md").write_text(
        _story(
            "a-harbour-crane",
            "Harbour crane collapses",
            "A crane collapsed at the harbour on Monday. Nobody was hurt, the port authority said.",
            outlet="Coast Herald",
            date="2031-01-02",
        ),
        encoding="utf-8",
    )
    build(BuildOptions(content=content, output=tmp_path / "after"))
    statements_after, anchors_after = _ids(tmp_path / "after")
    assert statements_after == statements
    assert {slug: ids for slug, ids in anchors_after.items() if slug != "a-harbour-crane"} == anchors


# Any text in any field: shown as text, exported exactly, the page still parses.

FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "</script>",
        "<b>",
        "&amp;",
        "&",
        '"',
        "'",
        "{{ x }}",
        "{% if %}",
        "]]>",
        "<!--",
        "javascript:x",
        "---",
        "...",
        "\n",
        "  ",
        "\t",
        "\u2028",
        "é",
        "🦆",
        "\\",
        "# ",
        "- ",
        "> ",
        "*",
        "_",
        "[x](y)",
        "`",
        ":",
        "%s",
    ]
)
TEXT_CHARACTERS = st.characters(blacklist_categories=["Cs"]).filter(lambda c: not CONTROL_CHARACTERS.match(c))
"""Any character a text file holds (control characters are a content error)."""
FIELD_TEXT = (
    st.lists(st.one_of(FRAGMENTS, st.text(TEXT_CHARACTERS, max_size=8)), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda text: text.strip() != "")
)
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _Balance(HTMLParser):
    """Checks that every end tag closes the innermost open element, and keeps the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=FIELD_TEXT, outlet=FIELD_TEXT, author=FIELD_TEXT, body=FIELD_TEXT)
def test_any_text_in_any_field_survives_the_build(
    tmp_path: Path, title: str, outlet: str, author: str, body: str
) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    content = root / "content"
    shutil.copytree(HOSTILE_BASE, content)
    front = {"title": title, "outlet": outlet, "url": "https://any.example.org/", "date": "2031-06-20"}
    front["author"] = author
    # Escaped, so that YAML keeps every character (it folds a raw U+0085 as a line break).
    text = "---\n" + yaml.safe_dump(front, allow_unicode=False) + "---\n" + body + "\n"
    (content / "articles" / "any-text.md").write_text(text, encoding="utf-8")
    build(BuildOptions(content=content, output=root / "output"))
    exported = {a["slug"]: a for a in _json(root / "output" / "api" / "index.json")["articles"]}
    assert (exported["any-text"]["title"], exported["any-text"]["outlet"]) == (title.strip(), outlet.strip())
    page = _Balance()
    page.feed((root / "output" / "articles" / "any-text" / "index.html").read_text(encoding="utf-8"))
    page.close()
    assert page.errors == []
    assert page.open == []
    visible = _words("".join(page.text))
    for field in (title, outlet, author):
        assert _words(field) in visible
    document = segment(read_article(content / "articles" / "any-text.md"))
    for sentence in document.sentences:
        assert _words(sentence.text) in visible
