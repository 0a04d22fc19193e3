"""Warm rebuilds: Pelican's reader cache and the single topic assignment per build.

What a user cares about: a rebuild with nothing changed gives the same bytes
and does not read the articles again; after one article is edited only that
article is read again, and the site is what a build from scratch would give;
the cache lives beside the content, never in what gets published.

Reads are counted by the build's own stage timings (``BRIEFING_TIMINGS``):
Pelican's reader records a "markdown" per article it actually converts, and
would record a "read" and a "segment" for an article the content check had
not already read and segmented (it never should).
"""

from __future__ import annotations

import gc
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from jinja2.bccache import bc_magic

from generator.build import SPARE_SITE, BuildOptions, build
from generator.content import read_article
from generator.errors import BriefingError
from generator.model import Document
from generator.segment import segment
from tests.helpers import file_tree

ARTICLES = {
    "harbour-strike-begins": (
        "Dockers walk out at Port Kessel",
        "Kessel Gazette",
        "2031-04-02",
        "Dockers at Port Kessel walked out on Monday over night-shift pay.\n\n"
        "The strike halted ferry crossings to the islands, the harbour authority said.\n\n"
        "## What the union wants\n\n"
        "The union wants a 6% rise and two more rest days a month.",
    ),
    "harbour-strike-talks": (
        "Talks to end Port Kessel strike",
        "Coastal Courier",
        "2031-04-03",
        "Talks to end the dockers' strike at Port Kessel resumed on Tuesday.\n\n"
        "Ferry crossings stayed cancelled for a second day, the harbour authority said.",
    ),
    "quarry-permit": (
        "Quarry permit refused",
        "Upland Post",
        "2031-04-03",
        "The county refused a permit for the Brackwater quarry on Tuesday.\n\n"
        "Residents had objected to blasting near the school.",
    ),
}
TOPICS = {
    "harbour-strike": (
        "Harbour strike",
        {"names": ["Port Kessel"], "keywords": ["docker", "ferry", "strike"]},
    ),
    "quarry": ("Brackwater quarry", {"names": ["Brackwater"], "keywords": ["quarr*"]}),
}


def _write_content(root: Path) -> Path:
    content = root / "content"
    (content / "articles").mkdir(parents=True)
    (content / "topics").mkdir()
    for slug, (title, outlet, date, body) in ARTICLES.items():
        front: dict[str, object] = {
            "title": title,
            "outlet": outlet,
            "url": f"https://news.example.org/{slug}",
            "date": date,
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + body + "\n"
        (content / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    for slug, (title, rules) in TOPICS.items():
        front = {"title": title, "slug": slug, "exclude": [], "aliases": [], **rules}
        text = "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\nWhat the outlets report.\n"
        (content / "topics" / f"{slug}.md").write_text(text, encoding="utf-8")
    return content


def _build(content: Path, output: Path, report: Path) -> dict[str, int]:
    """Build (even if nothing changed: these tests are about the reader cache);
    the number of calls per stage, from the build's timing report."""
    build(BuildOptions(content=content, output=output, timings=report, force=True))
    stages = json.loads(report.read_text())["stages"]
    return {name: value["calls"] for name, value in stages.items()}


def test_unchanged_rebuild_reads_nothing_again_and_gives_the_same_bytes(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    cold = _build(content, tmp_path / "site", tmp_path / "cold.json")
    first = file_tree(tmp_path / "site")
    assert cold["pelican.markdown"] == len(ARTICLES)
    assert cold["check.read"] == 1 and "pelican.read" not in cold and "pelican.segment" not in cold

    warm = _build(content, tmp_path / "site", tmp_path / "warm.json")
    assert "pelican.markdown" not in warm
    assert file_tree(tmp_path / "site") == first


def test_content_named_by_a_relative_path_through_a_link_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pelican reads the articles under the content folder's real path; the
    content check read them under the name given (here relative, through a
    symbolic link). Pelican's reader takes each document the check made,
    and reads and segments none again."""
    content = _write_content(tmp_path / "real")
    (tmp_path / "linked").symlink_to(content.parent, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    calls = _build(Path("linked/content"), tmp_path / "site", tmp_path / "cold.json")
    assert calls["check.read"] == 1 and calls["pelican.markdown"] == len(ARTICLES)
    assert "pelican.read" not in calls and "pelican.segment" not in calls


def test_after_one_edit_only_that_article_is_read_and_the_site_matches_a_fresh_build(
    tmp_path: Path,
) -> None:
    content = _write_content(tmp_path)
    _build(content, tmp_path / "site", tmp_path / "cold.json")
    edited = content / "articles" / "harbour-strike-talks.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("second day", "third day"), encoding="utf-8")

    calls = _build(content, tmp_path / "site", tmp_path / "edit.json")
    assert calls["pelican.markdown"] == 1
    page = (tmp_path / "site" / "articles" / "harbour-strike-talks" / "index.html").read_text()
    assert "third day" in page and "second day" not in page

    shutil.rmtree(tmp_path / ".briefing-cache")
    fresh = _build(content, tmp_path / "fresh", tmp_path / "fresh.json")
    assert fresh["pelican.markdown"] == len(ARTICLES)
    assert file_tree(tmp_path / "site") == file_tree(tmp_path / "fresh")


def test_a_rebuild_with_nothing_changed_is_skipped_and_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    first = build(BuildOptions(content=content, output=tmp_path / "site"))
    files = {p: p.stat() for p in (tmp_path / "site").rglob("*") if p.is_file()}

    again = build(BuildOptions(content=content, output=tmp_path / "site"))
    assert again.up_to_date and not first.up_to_date
    assert (again.articles, again.statements, again.pages) == (first.articles, first.statements, first.pages)
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in files.items()} == {
        p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (tmp_path / "site").rglob("*") if p.is_file()
    }
    assert not build(BuildOptions(content=content, output=tmp_path / "site", force=True)).up_to_date


def _edit_article(content: Path) -> None:
    edited = content / "articles" / "quarry-permit.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Tuesday", "Wednesday"), encoding="utf-8")


def _delete_a_page(output: Path) -> None:
    (output / "articles" / "quarry-permit" / "index.html").unlink()


def _edit_a_page(output: Path) -> None:
    page = output / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited by hand -->", encoding="utf-8")


@pytest.mark.parametrize(
    "change",
    [
        lambda content, output, monkeypatch: _edit_article(content),
        lambda content, output, monkeypatch: (content / "articles" / "harbour-strike-talks.md").unlink(),
        lambda content, output, monkeypatch: _delete_a_page(output),
        lambda content, output, monkeypatch: _edit_a_page(output),
        lambda content, output, monkeypatch: (output / "articles" / "quarry-permit" / "stray.html").touch(),
        lambda content, output, monkeypatch: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000"),
    ],
    ids=[
        "article edited",
        "article removed",
        "page deleted",
        "page edited",
        "file added",
        "environment changed",
    ],
)
def test_any_change_to_the_inputs_or_the_output_builds_again(
    tmp_path: Path, change: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = _write_content(tmp_path)
    site = tmp_path / "site"
    build(BuildOptions(content=content, output=site))
    change(content, site, monkeypatch)
    result = build(BuildOptions(content=content, output=site))
    assert not result.up_to_date
    shutil.rmtree(tmp_path / ".briefing-cache")
    build(BuildOptions(content=content, output=tmp_path / "fresh"))
    assert file_tree(site) == file_tree(tmp_path / "fresh")


def test_editing_a_template_of_the_users_own_theme_builds_again(tmp_path: Path) -> None:
    """A settings file may add template folders; their files are inputs too."""
    content = _write_content(tmp_path)
    overrides = tmp_path / "my-theme"
    overrides.mkdir()
    (overrides / "404.html").write_text("<!DOCTYPE html><title>Gone</title><p>Not here.</p>\n")
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(
        "from generator.settings import *  # noqa: F403\n"
        f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}, *THEME_TEMPLATES_OVERRIDES]  # noqa: F405\n"
    )
    options = BuildOptions(content=content, output=tmp_path / "site", settings_file=settings)
    build(options)
    assert "Not here." in (tmp_path / "site" / "404.html").read_text()
    assert build(options).up_to_date

    (overrides / "404.html").write_text("<!DOCTYPE html><title>Gone</title><p>Moved away.</p>\n")
    assert not build(options).up_to_date
    assert "Moved away." in (tmp_path / "site" / "404.html").read_text()


def test_the_cache_lives_beside_the_content_not_in_the_published_site(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "site"))
    caches = [p for p in (tmp_path / ".briefing-cache").rglob("*") if p.is_file()]
    assert caches, "the reader cache was not written"
    assert not any("cache" in name.lower() for name in file_tree(tmp_path / "site"))
    assert not any("cache" in p.name.lower() for p in content.rglob("*"))


@pytest.mark.parametrize("kept", [0.0, 0.5])
def test_a_truncated_cache_is_not_fatal(tmp_path: Path, kept: float) -> None:
    content = _write_content(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "site"))
    first = file_tree(tmp_path / "site")
    for cache in (p for p in (tmp_path / ".briefing-cache").rglob("*") if p.is_file()):
        # as a write cut short would leave it
        cache.write_bytes(cache.read_bytes()[: int(cache.stat().st_size * kept)])
    calls = _build(content, tmp_path / "site", tmp_path / "again.json")
    assert calls["pelican.markdown"] == len(ARTICLES)
    assert file_tree(tmp_path / "site") == first


def test_a_cache_written_with_the_default_settings_is_read_with_a_settings_file_of_ones_own(
    tmp_path: Path,
) -> None:
    """Pelican's reader cache holds the settings: a build with no settings
    file (ours, loaded by its path) and one with a file that imports ours
    and defines a function of its own (a Jinja filter), each a command of
    its own, must each read what the other wrote."""
    content = _write_content(tmp_path)
    first = next((content / "articles").glob("*.md"))  # an author: Pelican keeps the settings in it
    first.write_text(first.read_text(encoding="utf-8").replace("---\n", "---\nauthor: Ana Sousa\n", 1))
    own = tmp_path / "conf" / "mysettings.py"  # not in the working folder, which ``python -c`` imports from
    own.parent.mkdir()
    own.write_text(
        "from generator.settings import *  # noqa: F403\n"
        "SITENAME = 'Mine'\n"
        "def shout(text):\n"
        "    return str(text).upper()\n"
        "JINJA_FILTERS = {**JINJA_FILTERS, 'shout': shout}  # noqa: F405\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-c", "from generator.cli import main; main()", "build"]
    command += ["--content", str(content)]
    for number, options in enumerate(
        (["--output", "site"], ["--output", "mine", "--settings", str(own)], ["--output", "site"])
    ):
        # Read again by each build, so each writes its own entry for it.
        first.write_text(f"{first.read_text(encoding='utf-8')}\nThe talks went on into day {number}.\n")
        done = subprocess.run([*command, *options], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert "Mine" in (tmp_path / "mine" / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_compiles_no_template_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each generator's templates are kept compiled (Jinja's bytecode cache),
    so a rebuild reads them rather than compiling them again, and gives the
    same bytes."""
    compiled: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any, **kw: Any) -> Any:
        compiled.append(name)
        return compile_template(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    content = _write_content(tmp_path)
    _build(content, tmp_path / "site", tmp_path / "cold.json")
    assert "topic.html" in compiled
    first = file_tree(tmp_path / "site")
    compiled.clear()
    _build(content, tmp_path / "site", tmp_path / "warm.json")
    assert compiled == []
    assert file_tree(tmp_path / "site") == first


def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path) -> None:
    """A compiled template cut short after Jinja's own checks (its magic and
    the start of the source's checksum) does not fail the build."""
    content = _write_content(tmp_path)
    _build(content, tmp_path / "site", tmp_path / "cold.json")
    first = file_tree(tmp_path / "site")
    compiled = list((tmp_path / ".briefing-cache").rglob("__jinja2_*.cache"))
    assert compiled
    for path in compiled:
        path.write_bytes(bc_magic + pickle.dumps("0" * 40, 2)[:5])
    _build(content, tmp_path / "site", tmp_path / "again.json")
    assert file_tree(tmp_path / "site") == first


def test_templates_compiled_with_other_jinja_options_are_not_reused(tmp_path: Path) -> None:
    """The compiled code depends on the environment's options as well as on
    the template: a settings file that changes them (here, whitespace
    control) gets the site a build from nothing gives it, not one made with
    the templates the default options compiled."""
    content = _write_content(tmp_path)
    own = tmp_path / "mysettings.py"
    own.write_text(
        "from generator.settings import *  # noqa: F403\n"
        "JINJA_ENVIRONMENT = {**JINJA_ENVIRONMENT, 'trim_blocks': False}  # noqa: F405\n",
        encoding="utf-8",
    )
    build(BuildOptions(content=content, output=tmp_path / "default"))
    build(BuildOptions(content=content, output=tmp_path / "site", settings_file=own))
    shutil.rmtree(tmp_path / ".briefing-cache")
    build(BuildOptions(content=content, output=tmp_path / "fresh", settings_file=own))
    assert file_tree(tmp_path / "site") == file_tree(tmp_path / "fresh")
    assert file_tree(tmp_path / "site") != file_tree(tmp_path / "default")


def test_the_topic_assignment_runs_once_per_build(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    calls = _build(content, tmp_path / "site", tmp_path / "timings.json")
    assert calls["check.assign"] == 1
    assert "pelican.assign" not in calls
    briefing = json.loads((tmp_path / "site" / "api" / "briefings" / "harbour-strike.json").read_text())
    assert any("Port Kessel" in s["text"] for s in briefing["statements"])


def test_the_reader_cache_keeps_the_rendered_body_not_the_segmented_article(tmp_path: Path) -> None:
    """Pelican pickles its reader cache on every build and unpickles it on the
    next: a segmented article in it was a second copy of every unchanged one."""
    content = _write_content(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "site"))
    (cache,) = (tmp_path / ".briefing-cache").rglob("ArticlesGenerator-Readers")
    with cache.open("rb") as handle:
        entries = pickle.load(handle)
    assert len(entries) == len(ARTICLES)
    for _stamp, (html, metadata) in entries.values():
        assert "<p>" in html
        assert "document" not in metadata and not any(isinstance(v, Document) for v in metadata.values())


def test_plain_pelican_builds_the_same_briefings_from_scratch_and_from_its_cache(tmp_path: Path) -> None:
    """Without ``briefing build``'s content check, the plugin reads and segments
    each article itself, also when Pelican takes the body from its cache."""
    from pelican import Pelican
    from pelican.settings import read_settings

    content = _write_content(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "site"))
    expected = file_tree(tmp_path / "site" / "api")
    settings = Path(__file__).parent.parent / "pelicanconf.py"
    for run in ("cold", "cached"):
        output = tmp_path / f"pelican-{run}"
        overrides = {"PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_PATH": str(tmp_path / "pc")}
        Pelican(read_settings(str(settings), override=overrides)).run()
        assert file_tree(output / "api") == expected, run
    assert any((tmp_path / "pc").rglob("ArticlesGenerator-Readers"))


def test_a_segmented_article_survives_the_cache_round_trip(tmp_path: Path) -> None:
    content = _write_content(tmp_path)
    document = segment(read_article(content / "articles" / "harbour-strike-begins.md"))
    assert pickle.loads(pickle.dumps(document)) == document


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path, enabled: bool) -> None:
    """The build pauses the cyclic collector (``build.collector_paused``); a
    program that calls ``build`` gets its own setting back, even after an error."""
    content = _write_content(tmp_path)
    (gc.enable if enabled else gc.disable)()
    try:
        _build(content, tmp_path / "site", tmp_path / "timings.json")
        assert gc.isenabled() is enabled
        broken = content / "articles" / "broken.md"
        broken.write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
        with pytest.raises(BriefingError):
            build(BuildOptions(content=content, output=tmp_path / "site"))
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_a_build_keeps_nothing_of_its_site_alive_once_it_returns(tmp_path: Path) -> None:
    """``briefing serve`` builds again and again in one process: once a build
    returns, its pages and documents (and the briefings they hold) must be
    free to go, not kept by Pelican's memo of every page's content."""
    from pelican.contents import Content

    content = _write_content(tmp_path)
    for _ in range(2):
        build(BuildOptions(content=content, output=tmp_path / "site", force=True))
    gc.collect()
    ours = str(tmp_path)
    alive = [
        o
        for o in gc.get_objects()
        if (isinstance(o, Content) and ours in str(o.source_path))
        or (isinstance(o, Document) and ours in str(o.article.path))
    ]
    assert alive == []


def test_a_build_removes_what_builds_killed_outright_left_in_the_cache(tmp_path: Path) -> None:
    """A build killed outright (SIGKILL, the out-of-memory killer) leaves the
    temporary file it was writing a cache file through, or the staging folder
    of a search index, in the cache; nothing removed them, so they piled up.
    The next build removes those over an hour old, and leaves younger ones,
    which may be another build's at work, and the cache itself, alone."""
    import os
    import time

    content = _write_content(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "site"))
    [cache] = (tmp_path / ".briefing-cache").iterdir()
    stale_file = cache / ".merge-pairs.pickle-k1ll3d"
    stale_file.write_bytes(b"half a pickle")
    stale_folder = cache / "search" / ".staging.site.pagefind-k1ll3d"
    (stale_folder / "fragment").mkdir(parents=True)
    (stale_folder / "fragment" / "en_1.pf_fragment").write_bytes(b"half an index")
    young = cache / "per-article" / ".results.pickle-at-work"
    young.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    for path in (stale_file, stale_folder):
        os.utime(path, (two_hours_ago, two_hours_ago))
    kept = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))

    calls = _build(content, tmp_path / "site", tmp_path / "again.json")  # forced
    assert not stale_file.exists() and not stale_folder.exists()
    assert young.read_bytes() == b"being written"
    assert "pelican.markdown" not in calls  # the cache was read, not rebuilt
    left = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))
    assert [name for name in left if name != SPARE_SITE] == kept  # and the replaced site's folders


def test_a_build_removes_the_caches_of_other_versions_and_keeps_its_own(tmp_path: Path) -> None:
    """Each version of the code has its own cache folder, which nothing else
    can read; a build deletes the others' instead of letting them pile up."""
    content = _write_content(tmp_path)
    old = tmp_path / ".briefing-cache" / "0123456789abcdef"
    (old / "per-article").mkdir(parents=True)
    (old / "per-article" / "documents.pickle").write_bytes(b"from another version")
    mine = tmp_path / ".briefing-cache" / "notes-of-mine"
    mine.mkdir()
    build(BuildOptions(content=content, output=tmp_path / "site"))
    kept = sorted(p.name for p in (tmp_path / ".briefing-cache").iterdir())
    assert "0123456789abcdef" not in kept and "notes-of-mine" in kept
    assert len(kept) == 2  # this version's folder and the user's own

    calls = _build(content, tmp_path / "site", tmp_path / "again.json")
    assert "pelican.markdown" not in calls  # this version's cache was kept
