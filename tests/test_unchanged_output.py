"""A rebuild leaves the files whose bytes did not change exactly as they were.

Deploy tools, web servers and readers' caches go by modification time; a
rebuild that rewrites every file makes them all look new. The build keeps
the previous file itself (same inode, hence same modification time) when
the new bytes are identical, and only such files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
