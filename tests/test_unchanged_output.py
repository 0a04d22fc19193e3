"""A rebuild leaves the files whose bytes did not change exactly as they were.

Deploy tools, web servers and readers' caches go by modification time; a
rebuild that rewrites every file makes them all look new. The build keeps
the previous file itself (same inode, hence same modification time) when
the new bytes are identical, and only such files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.build import SPARE_SITE, BuildOptions, build

REPO = Path(__file__).resolve().parent.parent


def _files(output: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        path.relative_to(output).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(output.rglob("*"))
        if path.is_file()
    }


def _site(tmp_path: Path) -> BuildOptions:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    return BuildOptions(content=content, output=tmp_path / "output")


def test_a_second_build_of_the_same_content_keeps_every_file(tmp_path: Path) -> None:
    options = _site(tmp_path)
    build(options)
    (options.output / "CNAME").write_text("briefing.example.org\n")
    before = _files(options.output)
    build(options)
    after = _files(options.output)
    assert after.keys() == before.keys()
    for name, (inode, mtime, data) in before.items():
        assert after[name] == (inode, mtime, data), name


def test_after_an_edit_only_files_whose_bytes_changed_are_new(tmp_path: Path) -> None:
    options = _site(tmp_path)
    build(options)
    before = _files(options.output)
    article = sorted((options.content / "articles").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text + "\nThe harbour authority said the ferry would resume on Friday.\n", encoding="utf-8"
    )
    build(options)
    after = _files(options.output)
    changed = [name for name in before.keys() & after.keys() if before[name][2] != after[name][2]]
    kept = [name for name in before.keys() & after.keys() if before[name][2] == after[name][2]]
    assert changed and kept  # the edit changed some pages, not the theme or the other articles
    for name in changed:
        assert after[name][0] != before[name][0], f"{name} changed but was not replaced"
    for name in kept:
        assert after[name][:2] == before[name][:2], f"{name} did not change but was rewritten"


def test_a_file_no_longer_produced_is_gone(tmp_path: Path) -> None:
    options = _site(tmp_path)
    build(options)
    article = sorted((options.content / "articles").glob("*.md"))[0]
    (options.output / "stray.html").write_text("<p>left over</p>\n")
    built = {p.name for p in (options.output / "articles").iterdir()}
    article.unlink()
    build(options)
    assert not (options.output / "stray.html").exists()
    assert {p.name for p in (options.output / "articles").iterdir()} < built


def _edit_first_article(options: BuildOptions) -> None:
    article = sorted((options.content / "articles").glob("*.md"))[0]
    added = "\nDock workers said the strike would end on Monday.\n"
    article.write_text(article.read_text(encoding="utf-8") + added, encoding="utf-8")


def test_an_interruption_while_keeping_unchanged_files_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _site(tmp_path)
    build(options)
    before = _files(options.output)
    _edit_first_article(options)
    calls: list[str] = []
    link = os.link

    def interrupted(source: str, target: str, **options: bool) -> None:
        if str(target).endswith(".unchanged"):  # the links that keep unchanged files
            calls.append(target)
            if len(calls) == 3:
                raise KeyboardInterrupt
        link(source, target, **options)

    monkeypatch.setattr(os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(options)
    assert len(calls) == 3
    assert _files(options.output) == before
    # No staging folder is left (the reader cache beside the content is meant to stay).
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".briefing-cache") == ["content", "output"]


def test_without_hard_links_the_build_still_publishes_the_new_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = _site(tmp_path)
    build(options)
    _edit_first_article(options)

    def refused(self: Path, target: Path) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "hardlink_to", refused)
    monkeypatch.setattr("os.link", lambda *args, **kwargs: refused(Path(), Path()))
    build(options)
    fresh = BuildOptions(content=options.content, output=tmp_path / "fresh")
    monkeypatch.undo()
    build(fresh)
    assert {k: v[2] for k, v in _files(options.output).items()} == {
        k: v[2] for k, v in _files(fresh.output).items()
    }


def _tree(site: Path) -> dict[str, bytes | None]:
    """Every folder (None) and file (its bytes) under ``site``, by path."""
    return {
        path.relative_to(site).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(site.rglob("*"))
    }


def test_a_rebuild_is_made_in_the_last_sites_folders_and_publishes_what_a_fresh_build_does(
    tmp_path: Path,
) -> None:
    """A rebuild builds its site in the folders of the one it replaced last,
    emptied (``build.SPARE_SITE``: making and removing a folder per article
    took about 1 s of an edit at 5,000 articles); those it does not use,
    such as a deleted article's, are not published."""
    options = _site(tmp_path)
    build(options)
    (options.output / "CNAME").write_text("briefing.example.org\n")
    (options.output / ".git" / "refs").mkdir(parents=True)
    (options.output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    _edit_first_article(options)
    build(options)  # the first site's folders, emptied, are kept for the next
    [cache] = (tmp_path / ".briefing-cache").iterdir()
    spare = cache / SPARE_SITE
    assert [p for p in spare.rglob("*") if not p.is_dir() or p.is_symlink()] == []
    assert sorted(p.name for p in spare.iterdir()) == sorted(
        p.name for p in options.output.iterdir() if p.is_dir() and p.name not in ("pagefind", "theme", ".git")
    )
    gone, kept = sorted((options.content / "articles").glob("*.md"))[:2]
    folder_of = {p.name: p.stat().st_ino for p in (spare / "articles").iterdir()}
    gone.unlink()
    build(options)

    slugs = {p.name for p in (options.output / "articles").iterdir()}
    assert gone.stem not in slugs and kept.stem in slugs
    assert (options.output / "articles" / kept.stem).stat().st_ino == folder_of[kept.stem]
    assert (options.output / ".git" / "refs").is_dir()  # the hosting files, carried over as ever
    elsewhere = tmp_path / "elsewhere"  # content with a cache of its own: no folder of any other site
    shutil.copytree(options.content, elsewhere / "content")
    fresh = BuildOptions(content=elsewhere / "content", output=elsewhere / "output")
    build(fresh)
    built = {k: v for k, v in _tree(options.output).items() if k != "CNAME" and not k.startswith(".git")}
    assert built == _tree(fresh.output)


def test_a_themes_empty_folder_is_published_by_every_build(tmp_path: Path) -> None:
    """The only folders a build removes are the last site's it did not use:
    an empty folder of the theme's static files is copied, and stays."""
    from generator import settings as default_settings

    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    (static / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    own = tmp_path / "mysettings.py"
    paths = [*default_settings.THEME_STATIC_PATHS, str(static)]
    own.write_text(f"from generator.settings import *\nTHEME_STATIC_PATHS = {paths!r}\n")
    options = _site(tmp_path)
    options = BuildOptions(content=options.content, output=options.output, settings_file=own)
    for _ in range(3):  # the third in the folders of the first
        build(options)
        assert (options.output / "theme" / "fonts").is_dir()
        _edit_first_article(options)


def test_an_old_site_not_emptied_to_the_last_file_is_removed_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folders of a replaced site are kept for the next build only once
    every file in them is gone: else a page of it could be published again."""
    options = _site(tmp_path)
    build(options)
    (options.output / "stray.html").write_text("<p>left over</p>\n")
    unlink = os.unlink

    def refused(path: str, *args: object, **kwargs: object) -> None:
        if str(path).endswith("stray.html") and "-old" in str(path):
            raise PermissionError(1, "Operation not permitted", path)
        unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", refused)
    build(options)
    monkeypatch.undo()
    [cache] = (tmp_path / ".briefing-cache").iterdir()
    assert not (cache / SPARE_SITE).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".briefing-cache") == ["content", "output"]
    _edit_first_article(options)
    build(options)
    assert not (options.output / "stray.html").exists()
