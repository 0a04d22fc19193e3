"""Bad input: every case in ``tests/hostile/`` gets its exact message.

Each folder ``tests/hostile/<case>/`` holds the files of one problem under
``content/`` (laid over the small valid site in ``tests/hostile/_base/``),
an optional ``args`` file with extra options, and ``expected.txt``: exactly
what ``briefing check`` prints on stderr. Cases too big to commit (50 MB,
a million lines, 100,000 nested lists) are written at run time by the
generators below. Every case must exit 1 on errors (0 on warnings only) with
no traceback, from ``briefing check`` and ``briefing build`` alike, and
``check`` must report the problems of all cases in a single run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.errors import ContentErrors

HOSTILE = Path(__file__).resolve().parent / "hostile"
BASE = HOSTILE / "_base" / "content"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir() and not p.name.startswith("_"))

FRONT = (
    "---\ntitle: Dry summer ahead\noutlet: Lakeside Courier\n"
    "url: https://courier.example.org/{n}\ndate: 2031-06-13\n---\n"
)


def _binary_file(content: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    (content / "articles" / "binary-file-photo.png").write_bytes(png)
    (content / "articles" / "binary-file.md").write_bytes(
        FRONT.format(n="bin").encode() + b"Text\n\x00\x01\x02"
    )


def _huge_file(content: Path) -> None:
    line = "The water board met again on Thursday and said little that was new.\n"
    body = line * (50_000_000 // len(line))
    (content / "articles" / "huge-file.md").write_text(FRONT.format(n="huge") + body, encoding="utf-8")


def _million_lines(content: Path) -> None:
    body = "x\n" * 1_000_000
    (content / "articles" / "million-lines.md").write_text(FRONT.format(n="lines") + body, encoding="utf-8")


def _deep_nesting(content: Path) -> None:
    lists = "Text.\n\n" + "- " * 100_000 + "water\n"
    quotes = "Text.\n\n" + "> " * 100_000 + "water\n"
    (content / "articles" / "deep-lists.md").write_text(FRONT.format(n="dl") + lists, encoding="utf-8")
    (content / "articles" / "deep-quotes.md").write_text(FRONT.format(n="dq") + quotes, encoding="utf-8")


def _deep_yaml(content: Path) -> None:
    text = FRONT.format(n="dy").replace("---\n", "---\nauthor: " + "[" * 100_000 + "]" * 100_000 + "\n", 1)
    (content / "articles" / "deep-yaml.md").write_text(text + "Text.\n", encoding="utf-8")


def _backslash_file_name(content: Path) -> None:
    for name in ("..\\escaped.md", "up\\..\\..\\escaped.md"):
        (content / "articles" / name).write_text(FRONT.format(n="bs") + "Text.\n", encoding="utf-8")


GENERATED: dict[str, Callable[[Path], None]] = {
    "binary-file": _binary_file,
    "huge-file": _huge_file,
    "million-lines": _million_lines,
    "deep-nesting": _deep_nesting,
    "deep-yaml": _deep_yaml,
    "backslash-file-name": _backslash_file_name,
}


def _lay_out(cases: list[str], root: Path) -> Path:
    """The base site plus the files of ``cases``, as ``root/content``."""
    content = root / "content"
    shutil.copytree(BASE, content)
    for case in cases:
        if (HOSTILE / case / "content").is_dir():
            shutil.copytree(HOSTILE / case / "content", content, dirs_exist_ok=True)
        if case in GENERATED:
            GENERATED[case](content)
    return content


def _args(case: str) -> list[str]:
    path = HOSTILE / case / "args"
    return path.read_text().split() if path.is_file() else []


def _expected(case: str) -> str:
    return (HOSTILE / case / "expected.txt").read_text(encoding="utf-8")


def _run(root: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(root)
    return CliRunner().invoke(main, args)


def test_every_case_has_an_expected_message() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        assert (HOSTILE / case / "expected.txt").is_file(), case
        assert (HOSTILE / case / "content").is_dir() or case in GENERATED, case
    assert set(GENERATED) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_check_prints_the_exact_message(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lay_out([case], tmp_path)
    result = _run(tmp_path, ["check", "--content", "content", *_args(case)], monkeypatch)
    expected = _expected(case)
    assert result.stderr == expected
    assert result.exit_code == (1 if "error:" in expected else 0)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("case", [c for c in CASES if "error:" in _expected(c)])
def test_build_fails_with_the_same_message_and_writes_nothing(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lay_out([case], tmp_path)
    result = _run(
        tmp_path, ["build", "--content", "content", "--output", "output", *_args(case)], monkeypatch
    )
    assert result.exit_code == 1
    assert result.stderr == _expected(case)
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lay_out(["not-a-date"], tmp_path)
    result = _run(tmp_path, ["--debug", "check", "--content", "content"], monkeypatch)
    assert isinstance(result.exception, ContentErrors)


def test_check_reports_every_case_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [c for c in CASES if "error:" in _expected(c) and not _args(c)]
    _lay_out(cases, tmp_path)
    result = _run(tmp_path, ["check", "--content", "content"], monkeypatch)
    assert result.exit_code == 1
    wanted = sorted(
        line for case in cases for line in _expected(case).splitlines() if line.startswith("error:")
    )
    got = result.stderr.splitlines()
    assert sorted(line for line in got if line.startswith("error:")) == wanted
    assert got[-1] == f"{len(wanted)} problem(s); nothing was written."
