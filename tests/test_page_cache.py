"""Pages kept between builds: only a page whose inputs changed is rendered again.

What a user cares about: a rebuild gives exactly the site a build from
scratch gives, whatever the cache holds; and it renders again only the pages
an edit touched. Pages rendered and reused are counted by the build's own
stage timings ("pelican.render", "pelican.reuse").
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import locale
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from pelican.writers import FileOverwriteFailedError

from generator import page_cache
from generator.build import BuildOptions, build
from generator.feeds import BriefingWriter
from generator.model import Article, Citation, Event, Statement
from generator.page_cache import MANIFEST, digest
from tests.helpers import file_tree
from tests.test_build_cache import ARTICLES, TOPICS, _write_content

EXAMPLE = Path(__file__).resolve().parent.parent / "content"
"""The example site's articles and topics."""

ARTICLE_PAGES = len(ARTICLES)


def _build(content: Path, output: Path, report: Path, **options: object) -> dict[str, int]:
    """Build even if nothing changed; how many covered pages were rendered and reused."""
    build(BuildOptions(content=content, output=output, timings=report, force=True, **options))  # type: ignore[arg-type]
    stages = json.loads(report.read_text())["stages"]
    return {kind: stages.get(f"pelican.{kind}", {}).get("calls", 0) for kind in ("render", "reuse")}


def _fresh(content: Path, tmp_path: Path) -> dict[str, bytes]:
    """The site a build with no cache at all gives."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copy = elsewhere / "content"
    for path in content.rglob("*.md"):
        target = copy / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    build(BuildOptions(content=copy, output=elsewhere / "site"))
    return file_tree(elsewhere / "site")


def test_a_forced_rebuild_renders_no_page_again_and_writes_the_same_bytes(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    first = file_tree(site)
    assert cold["reuse"] == 0 and cold["render"] >= ARTICLE_PAGES + 2  # articles, topics, outlets

    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": 0, "reuse": cold["render"]}
    assert file_tree(site) == first


def test_after_one_edit_the_untouched_pages_are_reused_and_the_site_is_a_fresh_builds(
    tmp_path: Path,
) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    quarry_page = site / "articles" / "quarry-permit" / "index.html"
    quarry_before = quarry_page.read_bytes()
    edited = content / "articles" / "harbour-strike-talks.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("second day", "third day"), encoding="utf-8")

    edit = _build(content, site, tmp_path / "edit.json")
    assert 0 < edit["render"] < cold["render"]
    assert edit["render"] + edit["reuse"] == cold["render"]
    assert "third day" in (site / "articles" / "harbour-strike-talks" / "index.html").read_text()
    assert quarry_page.read_bytes() == quarry_before
    assert file_tree(site) == _fresh(content, tmp_path)


@pytest.mark.parametrize("article", sorted(path.name for path in (EXAMPLE / "articles").glob("*.md")))
def test_a_note_added_at_the_end_of_an_article_moves_no_statement_of_a_briefing(
    tmp_path: Path, article: str
) -> None:
    """A correction appended to an article of the example site moves none of
    its other sentences: every statement keeps its place in each briefing
    (the note may join a briefing as a statement of its own), and a briefing
    the note did not join is neither changed nor made again."""
    content = Path(shutil.copytree(EXAMPLE, tmp_path / "content"))
    site = tmp_path / "site"
    _build(content, site, tmp_path / "cold.json")
    first = file_tree(site)
    exports = sorted(f"api/briefings/{path.name}" for path in (site / "api" / "briefings").glob("*.json"))
    edited = content / "articles" / article
    correction = "An earlier version of this article misspelt a name."
    edited.write_text(f"{edited.read_text(encoding='utf-8')}\n{correction}\n", encoding="utf-8")

    again = _build(content, site, tmp_path / "again.json")
    now = file_tree(site)
    joined = 0
    for export in exports:
        before, after = (_statement_ids(tree[export]) for tree in (first, now))
        assert [id_ for id_ in after if id_ in before] == before, export
        if after == before:
            topic = f"topics/{Path(export).stem}/index.html"
            assert now[topic] == first[topic] and now[export] == first[export]
        joined += after != before
    # The article's page; each briefing the note joined, and then its outlet's page, which lists it.
    assert again["render"] == 1 + joined + (joined > 0)
    assert now == _fresh(content, tmp_path)


def _statement_ids(export: bytes) -> list[str]:
    return [statement["id"] for statement in json.loads(export)["statements"]]


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_a_published_page_changed_by_hand_is_rendered_again(tmp_path: Path, damage: str) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    first = file_tree(site)
    page = site / "topics" / "quarry" / "index.html"
    if damage == "edit":
        page.write_text(page.read_text().replace("Brackwater", "Elsewhere"))
    else:
        page.unlink()

    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": 1, "reuse": cold["render"] - 1}
    assert file_tree(site) == first


def test_a_published_page_replaced_by_a_link_is_rendered_again_as_a_file(tmp_path: Path) -> None:
    # Even a link to the very same bytes: a reused page goes into the new
    # site as the published file itself, and a link there would be published.
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    first = file_tree(site)
    page = site / "topics" / "quarry" / "index.html"
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_bytes(page.read_bytes())
    page.unlink()
    page.symlink_to(elsewhere)

    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": 1, "reuse": cold["render"] - 1}
    assert not page.is_symlink()
    assert file_tree(site) == first


def _built_then_aged(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    """Build, make every file of the site a minute old, and build again,
    which notes the signature of each page settled by then: the content,
    the site, and the first build's counts."""
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    then = time.time() - 60
    for path in site.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (then, then))
    _build(content, site, tmp_path / "noted.json")
    return content, site, cold


def _never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, a published page read to check it never matches."""
    monkeypatch.setattr(page_cache, "_sha256_of", lambda path: None)


def test_a_settled_page_is_reused_without_reading_it_but_one_edited_by_hand_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, site, cold = _built_then_aged(tmp_path)
    first = file_tree(site)
    page = site / "topics" / "quarry" / "index.html"
    page.write_text(page.read_text().replace("Brackwater", "Brackwatex"))  # same size, new bytes

    _never_read(monkeypatch)
    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": 1, "reuse": cold["render"] - 1}
    assert file_tree(site) == first


def test_a_page_modified_just_before_its_signature_would_be_noted_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A page changed again within the same tick of a coarse clock would keep
    # its time: until it settles it is checked by its bytes. (A day stands in
    # for the two seconds, which a slow test machine could let pass.)
    monkeypatch.setattr(page_cache, "SETTLED_NS", 86_400 * 10**9)
    content, site, cold = _built_then_aged(tmp_path)

    _never_read(monkeypatch)
    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": cold["render"], "reuse": 0}


def test_a_changed_topic_title_renders_every_page_again(tmp_path: Path) -> None:
    # Every page lists the topics in its navigation.
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    topic = content / "topics" / "quarry.md"
    topic.write_text(topic.read_text().replace("Brackwater quarry", "The Brackwater quarry"))

    again = _build(content, site, tmp_path / "again.json")
    assert again == {"render": cold["render"], "reuse": 0}
    assert file_tree(site) == _fresh(content, tmp_path)


def test_a_changed_setting_renders_every_page_again(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json")
    again = _build(content, site, tmp_path / "again.json", base_url="https://briefs.example.org")
    assert again == {"render": cold["render"], "reuse": 0}
    assert (
        "https://briefs.example.org/topics/quarry/" in (site / "topics" / "quarry" / "index.html").read_text()
    )


def test_a_theme_that_overrides_our_templates_is_always_rendered(tmp_path: Path) -> None:
    # Its templates may read anything in Pelican's context: no key covers that.
    content = _write_content(tmp_path)
    theme = tmp_path / "my-theme"
    theme.mkdir()
    (theme / "article.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>{{ articles | length }} articles</p>{% endblock %}\n'
    )
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(
        "from generator.settings import *  # noqa: F403\n"
        f"THEME_TEMPLATES_OVERRIDES = [{str(theme)!r}, *THEME_TEMPLATES_OVERRIDES]  # noqa: F405\n"
    )
    site = tmp_path / "site"
    cold = _build(content, site, tmp_path / "cold.json", settings_file=settings)
    assert "3 articles" in (site / "articles" / "quarry-permit" / "index.html").read_text()
    added = content / "articles" / "quarry-permit-appeal.md"
    added.write_text((content / "articles" / "quarry-permit.md").read_text().replace("refused", "appealed"))

    again = _build(content, site, tmp_path / "again.json", settings_file=settings)
    assert "4 articles" in (site / "articles" / "quarry-permit" / "index.html").read_text()
    assert cold["reuse"] == 0 and again["reuse"] > 0  # our topic and outlet pages still are


def test_a_manifest_naming_files_outside_the_site_is_not_followed(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    _build(content, site, tmp_path / "cold.json")
    manifest = next((tmp_path / ".briefing-cache").rglob(MANIFEST))
    entries = json.loads(manifest.read_text())
    entries["../outside.html"] = entries["topics/quarry/index.html"]
    manifest.write_text(json.dumps(entries))
    first = file_tree(site)

    _build(content, site, tmp_path / "again.json")
    assert file_tree(site) == first
    assert "../outside.html" not in json.loads(manifest.read_text())


def _statement(text: str, topics: frozenset[str]) -> Statement:
    source = Citation(
        article="a",
        outlet="Kessel Gazette",
        url="https://x.example/a",
        sentence="s-1",
        text=text,
        date=datetime.date(2031, 4, 2),
        position=5,
    )
    return Statement(id="st-1", kind="fact", text=text, speaker=None, sources=(source,), topics=topics)


def test_a_digest_tells_apart_what_a_page_would_show_differently() -> None:
    base = _statement("Dockers walked out.", frozenset({"strike", "harbour"}))
    assert digest(base) == digest(_statement("Dockers walked out.", frozenset({"harbour", "strike"})))
    others = [
        _statement("Dockers walked out!", base.topics),
        _statement("Dockers walked out.", frozenset({"strike"})),
        ("ab", "c"),
        ("a", "bc"),
        (1,),
        ("1",),
        (True,),
        (None,),
        ((),),
        (("ab",), "c"),
        ("ab", ("c",)),
        (("ab", "c"),),
        (Markup("<b>"),),
        ("<b>",),
        (datetime.date(2031, 4, 2),),
        ("2031-04-02",),
        dataclasses.replace(base, origins=(("a", "b"),)),
        dataclasses.replace(base, origins=(("a",), ("b",))),
        dataclasses.replace(base, origins=(("b", "a"),)),
    ]
    digests = [digest(value) for value in [base, *others]]
    assert len(set(digests)) == len(digests)


def _changed(value: object) -> Any:
    """Another value of the same shape as ``value``."""
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    if isinstance(value, float):
        return value / 2
    if isinstance(value, frozenset):
        return value | {"another"}
    if isinstance(value, tuple):
        return (*value, ("another",)) if not value or isinstance(value[0], tuple) else value + value
    if value is None:
        return "someone"
    raise AssertionError(f"no other value for {value!r}")


def _with_sources(value: Any) -> list[Any]:
    """``value`` with each of its fields changed in turn, and each field of its first source."""
    from generator.page_cache import NOT_SHOWN

    source = value.sources[0]
    return [
        dataclasses.replace(value, **{field.name: _changed(getattr(value, field.name))})
        for field in dataclasses.fields(value)
    ] + [
        dataclasses.replace(value, sources=(dataclasses.replace(source, **{field.name: _changed(shown)}),))
        for field in dataclasses.fields(Citation)
        if field.name not in NOT_SHOWN[Citation] and (shown := getattr(source, field.name)) is not None
    ]


def test_every_field_a_page_shows_of_a_statement_or_event_and_their_sources_changes_its_digest() -> None:
    """Statements and timeline events are digested in forms of their own
    (``page_cache._FLAT_FORMS``): a field added to one of them or to
    ``Citation`` and left out of its form would leave the pages showing it
    unchanged after an edit."""
    statement = _statement("Dockers walked out.", frozenset({"strike"}))
    statement = dataclasses.replace(statement, origins=(("a",),))
    event = Event(
        date="2031-04",
        precision="month",
        text=statement.text,
        sources=statement.sources,
        expression="in April",
        statements=(statement.id,),
    )
    for base in (statement, event):
        changed = _with_sources(base)
        assert len(changed) == len(dataclasses.fields(base)) + len(dataclasses.fields(Citation)) - 1
        assert len({digest(value) for value in [base, *changed]}) == len(changed) + 1, type(base)
        hidden = dataclasses.replace(base, sources=(dataclasses.replace(base.sources[0], position=2),))
        assert digest(hidden) == digest(base)


def test_a_digest_is_the_same_in_every_process() -> None:
    # String hashes, and so the order of a set, differ between processes.
    program = (
        "from tests.test_page_cache import _statement; from generator.page_cache import digest; "
        "print(digest(_statement('x', frozenset(map(str, range(40))))).hex())"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(seen) == 1


def test_an_article_whose_statements_change_elsewhere_is_rendered_again(tmp_path: Path) -> None:
    # An earlier report of the same sentence becomes the statement's first
    # source, so the statement's anchor changes, and with it the backlinks
    # on the page of an article that was not touched.
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    _build(content, site, tmp_path / "cold.json")
    untouched = site / "articles" / "harbour-strike-begins" / "index.html"
    before = untouched.read_text()
    earlier = (content / "articles" / "harbour-strike-begins.md").read_text()
    earlier = earlier.replace("2031-04-02", "2031-04-01").replace("Kessel Gazette", "Island Herald")
    eve = content / "articles" / "harbour-strike-eve.md"
    eve.write_text(earlier.replace("Dockers walk out", "On the eve"))

    _build(content, site, tmp_path / "again.json")
    assert untouched.read_text() != before
    assert file_tree(site) == _fresh(content, tmp_path)


def test_a_topic_page_is_rendered_again_when_an_outlet_it_names_gets_another_slug(tmp_path: Path) -> None:
    # A new outlet, on no topic, whose name makes the same slug and sorts
    # first: the harbour strike's briefing is the same, but the slug of the
    # outlet it names under "Only in one outlet" (its heading's id) becomes
    # "coastal-courier-2".
    content = _write_content(tmp_path)
    talks = content / "articles" / "harbour-strike-talks.md"
    # More than the lead takes of the strike: the rest is "Only in one outlet".
    more = "Pickets gathered at the ferry terminal at dawn, the union said.\n\nDockers blocked the ramp.\n"
    talks.write_text(f"{talks.read_text()}\n{more}")
    site = tmp_path / "site"
    _build(content, site, tmp_path / "cold.json")
    strike = site / "topics" / "harbour-strike" / "index.html"
    assert 'id="only-coastal-courier"' in strike.read_text()
    front = (content / "articles" / "harbour-strike-talks.md").read_text().split("---\n")[1]
    front = front.replace("Coastal Courier", "Coastal (Courier)").replace("Talks to end", "Rain over")
    body = "Rain is forecast across the county on Friday, the weather service said.\n"
    (content / "articles" / "rain-on-friday.md").write_text(f"---\n{front}---\n{body}")

    _build(content, site, tmp_path / "again.json")
    assert 'id="only-coastal-courier-2"' in strike.read_text()
    assert file_tree(site) == _fresh(content, tmp_path)


def _made_and_reused(report: Path, kind: str) -> dict[str, int]:
    """How many files of ``kind`` ("file": the export; "feed") a build made and took over."""
    stages = json.loads(report.read_text())["stages"]
    return {what: stages.get(f"pelican.{kind}.{what}", {}).get("calls", 0) for what in ("make", "reuse")}


def _edited_by_hand_and_built_again(tmp_path: Path, name: str) -> tuple[Path, Path, dict[str, bytes], Path]:
    """Build, change the published file ``name`` by hand, and build again:
    the content, the site, the site first built, and the second build's timings."""
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    build(BuildOptions(content=content, output=site, force=True))
    first = file_tree(site)
    published = site / name
    published.write_text(published.read_text().replace("Brackwater", "Elsewhere"))
    report = tmp_path / "again.json"
    build(BuildOptions(content=content, output=site, timings=report, force=True))
    return content, site, first, report


def test_the_export_of_an_unchanged_briefing_is_reused_and_an_edited_one_restored(tmp_path: Path) -> None:
    _, site, first, report = _edited_by_hand_and_built_again(tmp_path, "api/briefings/quarry.json")
    assert _made_and_reused(report, "file") == {"make": 1, "reuse": len(TOPICS) - 1}
    assert file_tree(site) == first


def test_a_topic_feed_is_taken_over_unless_it_or_what_it_is_made_from_changed(tmp_path: Path) -> None:
    content, site, first, again = _edited_by_hand_and_built_again(tmp_path, "feeds/topics/quarry.atom.xml")
    assert _made_and_reused(again, "feed") == {"make": 1, "reuse": len(TOPICS) - 1}
    assert file_tree(site) == first
    feed = site / "feeds" / "topics" / "quarry.atom.xml"

    # An edit makes again the feeds of the topics whose updates it changes, and
    # gives the feeds a build from nothing gives.
    edited = content / "articles" / "quarry-permit.md"
    edited.write_text(edited.read_text().replace("refused", "turned down"))
    later = tmp_path / "later.json"
    build(BuildOptions(content=content, output=site, timings=later))
    assert 1 <= _made_and_reused(later, "feed")["make"] < len(TOPICS)
    feeds = {name: data for name, data in file_tree(site).items() if name.startswith("feeds/topics/")}
    assert len(feeds) == len(TOPICS)
    assert feeds == {name: data for name, data in _fresh(content, tmp_path).items() if name in feeds}

    # The feeds hold absolute addresses: another site address makes each again.
    moved = tmp_path / "moved.json"
    build(BuildOptions(content=content, output=site, timings=moved, base_url="https://briefs.example.org"))
    assert _made_and_reused(moved, "feed") == {"make": len(TOPICS), "reuse": 0}
    assert "https://briefs.example.org/topics/quarry/" in feed.read_text()


def test_a_filter_the_settings_file_redefines_renders_every_page_again(tmp_path: Path) -> None:
    # Settings are keyed by value, and a function's value is its source.
    content = _write_content(tmp_path)
    settings = tmp_path / "pelicanconf.py"

    def write_settings(version: int) -> None:
        settings.write_text(
            "from generator.settings import *  # noqa: F403\n"
            "def page_path(output_file):\n"
            f"    return output_file.removesuffix('index.html') + '?v={version}'\n"
            "JINJA_FILTERS = {**JINJA_FILTERS, 'page_path': page_path}  # noqa: F405\n"
        )

    site = tmp_path / "site"
    options = {"settings_file": settings, "base_url": "https://briefs.example.org"}
    write_settings(1)
    cold = _build(content, site, tmp_path / "cold.json", **options)
    write_settings(2)
    again = _build(content, site, tmp_path / "again.json", **options)
    assert again == {"render": cold["render"], "reuse": 0}
    assert (
        "https://briefs.example.org/topics/quarry/?v=2"
        in (site / "topics" / "quarry" / "index.html").read_text()
    )


def test_another_locale_renders_every_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Month names are the locale's; by default Pelican takes it from the environment.
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    before = locale.setlocale(locale.LC_ALL)
    try:
        monkeypatch.setenv("LC_ALL", "C.UTF-8")
        cold = _build(content, site, tmp_path / "cold.json")
        monkeypatch.setenv("LC_ALL", "C")
        again = _build(content, site, tmp_path / "again.json")
    finally:
        locale.setlocale(locale.LC_ALL, before)
    assert again == {"render": cold["render"], "reuse": 0}


def _double_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every citation's position doubled: the same order, other values."""
    from generator.model import Document

    real_cite = Document.cite

    def cite(document: Document, sentence: Any) -> Citation:
        citation = real_cite(document, sentence)
        return dataclasses.replace(citation, position=citation.position * 2)

    monkeypatch.setattr(Document, "cite", cite)


def _hide_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article's body replaced once it is segmented: the same sentences."""
    import generator.article_cache
    import generator.pelican_plugin
    from generator.model import Document
    from generator.segment import segment as real_segment

    def segment(article: Article) -> Document:
        document = real_segment(article)
        return dataclasses.replace(document, article=dataclasses.replace(article, body="Not shown."))

    monkeypatch.setattr(generator.article_cache, "segment", segment)
    monkeypatch.setattr(generator.pelican_plugin, "segment", segment)


@pytest.mark.parametrize("change", [_double_positions, _hide_bodies])
def test_no_page_or_export_shows_what_page_keys_leave_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[pytest.MonkeyPatch], None]
) -> None:
    """``NOT_SHOWN`` fields are left out of page keys, so a page that showed
    one would not be rendered again when it changed. Changing them must
    change no page and no export file (the Atom feed of all articles shows
    each body, and is not kept between builds)."""
    from generator.page_cache import NOT_SHOWN

    assert {Citation: frozenset({"position"}), Article: frozenset({"body"})} == NOT_SHOWN
    content = _write_content(tmp_path / "plain")
    build(BuildOptions(content=content, output=tmp_path / "plain" / "site", workers=1))
    change(monkeypatch)
    changed = _write_content(tmp_path / "changed")
    build(BuildOptions(content=changed, output=tmp_path / "changed" / "site", workers=1))

    def shown(site: Path) -> dict[str, bytes]:
        return {name: data for name, data in file_tree(site).items() if not name.startswith("feeds/")}

    plain, other = shown(tmp_path / "plain" / "site"), shown(tmp_path / "changed" / "site")
    assert plain == other


def _reused_page(tmp_path: Path) -> tuple[Path, Path, BriefingWriter]:
    """A published page, and the writer of a new site that has just reused
    it (as the page cache has it do): the published file, the new site's
    page, and the writer."""
    published = tmp_path / "site" / "page.html"
    published.parent.mkdir()
    published.write_text("as published", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    page = staging / "page.html"
    writer = BriefingWriter(str(staging), settings={})
    writer._keep(published)
    with writer._open_w(str(page), "utf-8") as handle:
        handle.write("")  # what a reused page renders as
    return published, page, writer


def test_a_reused_page_is_the_published_file_and_writing_it_again_leaves_that_file_alone(
    tmp_path: Path,
) -> None:
    # The writer puts a reused page in the new site as a hard link to the
    # published file. Pelican lets one later write override a page; that
    # write must make a new file, not write through the link into the site
    # being served.
    published, page, writer = _reused_page(tmp_path)
    assert page.samefile(published)

    with writer._open_w(str(page), "utf-8", override=True) as handle:
        handle.write("written again")
    assert page.read_text(encoding="utf-8") == "written again"
    assert published.read_text(encoding="utf-8") == "as published"


def test_a_reused_page_written_twice_is_refused_as_pelican_refuses_any_page_written_twice(
    tmp_path: Path,
) -> None:
    # A reused page is linked without Pelican opening it, so the writer keeps
    # Pelican's record of what it wrote itself: two pages at one address
    # (two slugs alike) must still fail the build, not leave one of them.
    published, page, writer = _reused_page(tmp_path)
    assert page.samefile(published)
    writer._keep(published)
    with pytest.raises(FileOverwriteFailedError):
        writer._open_w(str(page), "utf-8")
    assert published.read_text(encoding="utf-8") == "as published"


def test_digests_taken_over_from_the_last_build_are_the_ones_made_now(tmp_path: Path) -> None:
    """The pages' keys read every statement and briefing; a build takes over
    the last build's digest of each made from what it was made from then
    (``Site.statement_keys``, ``Site.briefing_keys``): after an edit, every
    digest taken over must be the statement's or briefing's own, and those
    the edit changed digested again, or a page showing one would be taken
    for unchanged."""
    from benchmarks.generate import generate
    from generator.briefing import with_people_and_disagreements
    from generator.content import load_content
    from generator.page_cache import PageCache
    from generator.pipeline import merge_site
    from generator.segment import segment

    generate(tmp_path / "content", articles=60, topics=5, outlets=6, seed=11)
    content = load_content(tmp_path / "content")
    documents = tuple(segment(article) for article in content.articles)
    cache = tmp_path / "cache"
    cache.mkdir()
    site = merge_site(documents, content.topics, cache=cache)
    pages = PageCache(tmp_path / "published", cache, b"")
    assert pages.take_over_digests(site) == (0, 0)  # nothing kept yet
    made = pages.digest(site.briefings)
    pages.save()
    # One article's sentences all reworded: its statements are others.
    first = documents[0].article
    reworded = dataclasses.replace(first, body=first.body.replace(" the ", " a "))
    edited = merge_site((segment(reworded), *documents[1:]), content.topics, cache=cache)
    pages = PageCache(tmp_path / "published", cache, b"")
    statements = {s.id for b in edited.briefings for s in b.statements}
    taken, briefings = pages.take_over_digests(edited)
    assert 0 < taken < len(statements) and 0 < briefings < len(edited.briefings)
    assert pages.digest(edited.briefings) == digest(edited.briefings) != made
    pages.save()
    # A topic's rules changed: the topics of many statements with them.
    topic = content.topics[0]
    topics = (dataclasses.replace(topic, keywords=(*topic.keywords, "said")), *content.topics[1:])
    retopiced = merge_site(edited.documents, topics, cache=cache)
    pages = PageCache(tmp_path / "published", cache, b"")
    pages.take_over_digests(retopiced)
    assert pages.digest(retopiced.briefings) == digest(retopiced.briefings)
    pages.save()
    # The people and disagreements found elsewhere in the archive, added to
    # briefings made from what they were made from: their pages change too.
    assert any(b.people or b.disagreements for b in retopiced.briefings)
    bare = with_people_and_disagreements(retopiced.briefings, (), ())
    without = dataclasses.replace(retopiced, briefings=bare)
    pages = PageCache(tmp_path / "published", cache, b"")
    assert pages.take_over_digests(without)[1] < len(without.briefings)
    assert pages.digest(without.briefings) == digest(without.briefings)
