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

from generator.build import BuildOptions, build

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
