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

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result

from generator.build import BuildOptions, _swap, build
from generator.cli import main
from generator.content import read_article
from generator.errors import ContentErrors
from tests.helpers import file_tree

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


def _endless_file(content: Path) -> None:
    """A file whose size on disk says 0 but never ends."""
    (content / "articles" / "endless.md").symlink_to("/dev/zero")


GENERATED: dict[str, Callable[[Path], None]] = {
    "endless-file": _endless_file,
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


# Nothing lost: a failed or interrupted build leaves the previous output as it was.

INTERRUPTING_PLUGIN = '''
import os
import signal
import time

from pelican import signals


def interrupt(path, context):
    """Press Ctrl-C (a real SIGINT) once Pelican has written its first page,
    and wait for it here: Python runs the handler on the main thread at a
    moment of its choosing, and the build could otherwise end first."""
    signals.content_written.disconnect(interrupt)  # once
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(10)


def register():
    # As in a terminal. A process started in the background by a shell
    # without job control inherits SIGINT ignored, and Python then installs
    # no handler of its own: the signal would do nothing.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signals.content_written.connect(interrupt)
'''


def _briefing(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command in its own process, as a user would."""
    command = [sys.executable, "-c", "from generator.cli import main; main()", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _published(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A first, successful build with the hosting files a user keeps, and its tree."""
    _lay_out([], tmp_path)
    first = _briefing("build", "--content", "content", "--output", "output", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    output = tmp_path / "output"
    (output / "CNAME").write_text("briefing.example.org\n")
    (output / ".nojekyll").write_text("")
    (output / ".git").mkdir()
    (output / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return output, file_tree(output)


def _add_article(tmp_path: Path, words: int) -> None:
    body = "Reservoir levels rose after the storm, the water board said. " * (words // 10)
    text = FRONT.format(n="storm").replace("Dry summer ahead", "Storm refills reservoirs") + body + "\n"
    (tmp_path / "content" / "articles" / "storm.md").write_text(text, encoding="utf-8")


def test_ctrl_c_during_the_build_leaves_the_previous_output(tmp_path: Path) -> None:
    output, before = _published(tmp_path)
    (tmp_path / "interrupting.py").write_text(INTERRUPTING_PLUGIN)
    (tmp_path / "interrupting_settings.py").write_text(
        "from generator.settings import *\nPLUGIN_PATHS = ['.']\nPLUGINS = [*PLUGINS, 'interrupting']\n"
    )
    _add_article(tmp_path, 100)
    result = _briefing(
        "build",
        "--content",
        "content",
        "--output",
        "output",
        "--settings",
        "interrupting_settings.py",
        cwd=tmp_path,
    )
    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == "interrupted; nothing was changed."
    assert "Traceback" not in result.stderr
    assert file_tree(output) == before
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [".briefing-cache"]  # the reader cache (README), no staging folder


def _mount_tmpfs(where: Path, kilobytes: int) -> bool:
    where.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        return False
    mount = ["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(where)]
    return subprocess.run(mount, capture_output=True, check=False).returncode == 0


def test_a_full_disk_leaves_the_previous_output(tmp_path: Path) -> None:
    _lay_out([], tmp_path)
    probe = _briefing("build", "--content", "content", "--output", "probe", cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    site_kb = sum(f.stat().st_size for f in (tmp_path / "probe").rglob("*") if f.is_file()) // 1024
    disk = tmp_path / "disk"
    # Room for the site twice over: the first build fits, the second's big article does not.
    if not _mount_tmpfs(disk, 2 * site_kb + 64):
        pytest.skip("needs root to mount a small tmpfs as a disk that fills up")
    try:
        build = ("build", "--content", "content", "--output", "disk/output")
        first = _briefing(*build, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        output = disk / "output"
        (output / "CNAME").write_text("briefing.example.org\n")
        before = file_tree(output)
        _add_article(tmp_path, 40_000)  # about 350 kB of text: its pages do not fit on the disk
        result = _briefing(*build, cwd=tmp_path)
        assert result.returncode == 1
        (message,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert message.startswith("error: could not write the site: No space left on device")
        assert message.endswith("; disk/output was left as it was")
        assert "Traceback" not in result.stderr
        assert file_tree(output) == before
        assert sorted(p.name for p in disk.iterdir()) == ["output"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_file_too_large_to_write_leaves_the_previous_output(tmp_path: Path) -> None:
    """The portable version of a full disk: a per-process file size limit."""
    resource = pytest.importorskip("resource")
    output, before = _published(tmp_path)
    _add_article(tmp_path, 40_000)

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    command = [sys.executable, "-c", "from generator.cli import main; main()"]
    result = subprocess.run(
        [*command, "build", "--content", "content", "--output", "output"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit_file_size,
    )
    assert result.returncode == 1
    assert "error: could not write the site: File too large" in result.stderr
    assert "Traceback" not in result.stderr
    assert file_tree(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".briefing-cache", "content", "output"]
    assert not [p for p in (tmp_path / ".briefing-cache").rglob(".*")], "no half-written cache file"


# Nothing leaked: article text is data, never markup.

LEAK = HOSTILE / "_leak" / "content"
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = frozenset(
    "href src action formaction xlink:href poster background srcset data cite longdesc".split()
)
UNSAFE_TAGS = frozenset("script iframe object embed svg math style base form frame frameset".split())


OUR_SCRIPTS = ("theme/search.js",)
"""The theme's own scripts, loaded from the site itself (the CSP allows 'self')."""


def _our_own(tag: str, attrs: dict[str, str | None]) -> bool:
    """The theme's script files and the timeline chart: markup the templates
    write, never built from article text (which is escaped everywhere)."""
    if tag == "script":
        src = attrs.get("src") or ""
        return any(src.endswith("/" + name) or src == name for name in OUR_SCRIPTS)
    return tag == "svg" and attrs.get("class") == "timeline-chart"


class _LiveMarkup(HTMLParser):
    """Everything in a page a browser would run: scripts, handlers, unsafe URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kinds = {name: value for name, value in attrs}
        if tag == "script" and kinds.get("type") == "application/ld+json" and "src" not in kinds:
            self._in_json_ld = True
        elif _our_own(tag, kinds):
            pass
        elif tag in UNSAFE_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and (kinds.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name in URL_ATTRIBUTES and value and _unsafe_url(value):
                self.found.append(f"{tag} {name}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)


def _unsafe_url(value: str) -> bool:
    """As a browser reads a URL: control characters and spaces around it and
    tabs and newlines inside it do not count."""
    url = re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f ")
    return url.lower().startswith(UNSAFE_SCHEMES)


def _live_markup(html: str) -> list[str]:
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    for block in parser.json_ld:
        json.loads(block)  # a "</script>" in a title would have cut it short
    return parser.found


def _scan_file(path: Path) -> list[str]:
    """Live markup in an output file; feeds are checked inside their HTML content too."""
    if path.suffix == ".html":
        return _live_markup(path.read_text(encoding="utf-8"))
    if path.suffix == ".xml":
        found = []
        for element in ElementTree.parse(path).iter():
            if element.get("type") == "html" and element.text:
                found += _live_markup(element.text)
            for name, value in element.attrib.items():
                if name in URL_ATTRIBUTES and _unsafe_url(value):
                    found.append(f"{element.tag} {name}={value!r}")
        return found
    if path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    return []


@pytest.fixture(scope="module")
def leak_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("leak")
    content = shutil.copytree(LEAK, folder / "content")  # the build's cache goes beside it, not into tests/
    build(BuildOptions(content=content, output=folder / "output"))
    return folder / "output"


def test_the_scanner_finds_live_markup() -> None:
    page = (
        '<p onclick="x()">a</p><script>alert(1)</script><a href=" java\tscript:x">b</a>'
        '<img src="DATA:text/html,x"><script type="application/ld+json">{"a": 1}</script>'
    )
    assert _live_markup(page) == [
        "p onclick='x()'",
        "<script>",
        "a href=' java\\tscript:x'",
        "img src='DATA:text/html,x'",
    ]
    assert _live_markup('<a href="https://x.example/?q=javascript:">ok</a>') == []


def test_no_output_file_carries_live_markup(leak_site: Path) -> None:
    scanned = [p for p in sorted(leak_site.rglob("*")) if p.is_file()]
    assert {p.suffix for p in scanned} >= {".html", ".xml", ".json"}
    found = {str(p.relative_to(leak_site)): _scan_file(p) for p in scanned}
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_hostile_front_matter_is_shown_as_text(leak_site: Path) -> None:
    hostile = read_article(LEAK / "articles" / "markup-in-the-front-matter.md")
    page = _text((leak_site / "articles" / hostile.slug / "index.html").read_text(encoding="utf-8"))
    visible = "".join(page.text)
    for shown in (hostile.title, hostile.outlet, str(hostile.author), str(hostile.credit)):
        assert shown in visible
    assert hostile.url in page.hrefs
    index = json.loads((leak_site / "api" / "index.json").read_text(encoding="utf-8"))
    (exported,) = [a for a in index["articles"] if a["slug"] == hostile.slug]
    assert (exported["title"], exported["outlet"], exported["url"]) == (
        hostile.title,
        hostile.outlet,
        hostile.url,
    )
    assert [t["title"] for t in index["topics"]] == ["<script>alert('topic')</script> Reservoirs & dams"]


class _Text(HTMLParser):
    """The visible text of a page and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if name == "href" and value]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _text(html_text: str) -> _Text:
    parser = _Text()
    parser.feed(html_text)
    parser.close()
    return parser


def test_markup_in_the_body_is_shown_as_text(leak_site: Path) -> None:
    page = _text((leak_site / "articles" / "markup-in-the-body" / "index.html").read_text(encoding="utf-8"))
    visible = " ".join("".join(page.text).split())
    assert 'overnight <script>alert("body")</script> to relieve pressure.' in visible
    assert '<img src="x" onerror="alert(\'img\')"> The board said the reservoir was safe.' in visible
    assert "said engineer <i>Lena Park</i>." in visible
    feed = ElementTree.parse(leak_site / "feeds" / "all.atom.xml")
    contents = [e.text or "" for e in feed.iter() if e.get("type") == "html"]
    links = [href for content in contents for href in _text(content).hrefs]
    assert "https://courier.example.org/report" in links  # safe links still work
    assert "[A reservoir link](javascript:alert('md'))" in " ".join("".join(_text(c).text) for c in contents)


def test_a_swap_that_fails_half_way_puts_the_old_output_back(tmp_path: Path) -> None:
    output, before = _published(tmp_path)
    with pytest.raises(FileNotFoundError):
        _swap(tmp_path / "staging-that-vanished", output)
    assert file_tree(output) == before


def test_an_output_left_aside_by_a_killed_build_is_recovered(tmp_path: Path) -> None:
    output, before = _published(tmp_path)
    output.rename(tmp_path / ".output-old")  # what a build killed between its two renames leaves
    build(BuildOptions(content=tmp_path / "content", output=output))
    assert (output / "CNAME").read_text() == before["CNAME"].decode()
    assert (output / ".git" / "HEAD").is_file()
    assert not (tmp_path / ".output-old").exists()


def test_what_killed_builds_left_beside_the_output_is_removed_but_not_a_live_builds(tmp_path: Path) -> None:
    """A build killed outright (SIGKILL: no clean-up runs) leaves its new
    site's folder and its folders of pages for Pagefind beside the output;
    the next build removes them, and leaves alone those of a build running
    now (one holding its folder's lock), and anything not named as ours."""
    output, before = _published(tmp_path)
    dead = tmp_path / ".output-abcd1234"
    (dead / "articles").mkdir(parents=True)
    (dead / "articles" / "index.html").write_text("half-written")
    (tmp_path / ".output-abcd1234.pagefind-efgh5678").mkdir()
    (tmp_path / ".output-gone9999.pagefind-efgh5678").mkdir()  # its site's folder already removed
    live = tmp_path / ".output-live0000"
    live.mkdir()
    (tmp_path / ".output-live0000.pagefind-ijkl0000").mkdir()
    (tmp_path / ".output-notes").mkdir()  # a user's
    claim = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(claim, fcntl.LOCK_EX)
        build(BuildOptions(content=tmp_path / "content", output=output, force=True))
    finally:
        os.close(claim)
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".output"))
    assert left == [".output-live0000", ".output-live0000.pagefind-ijkl0000", ".output-notes"]
    assert (output / "CNAME").read_text() == before["CNAME"].decode()
    assert (output / "index.html").is_file()


def test_a_build_beside_a_file_system_without_locks_still_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems (FUSE, old network mounts) refuse ``flock``: the
    build still publishes, and leaves a folder it cannot tell is abandoned."""
    import errno

    output, _ = _published(tmp_path)
    left = tmp_path / ".output-abcd1234"
    left.mkdir()

    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    article = tmp_path / "content" / "articles" / "reservoir-levels-fall.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThe board met again on Friday.\n")
    build(BuildOptions(content=tmp_path / "content", output=output))
    assert "The board met again on Friday." in (
        output / "articles" / "reservoir-levels-fall" / "index.html"
    ).read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".output")) == [".output-abcd1234"]


def test_pelican_path_settings_in_front_matter_are_ignored(tmp_path: Path) -> None:
    """Pelican obeys ``save_as`` and ``url`` metadata; ours never passes them on."""
    content = _lay_out([], tmp_path)
    text = (
        "---\ntitle: Dry summer ahead\noutlet: Lakeside Courier\nurl: https://courier.example.org/m\n"
        "date: 2031-06-13\nsave_as: ../../escaped.html\noutput_path: /tmp\ntemplate: index\n"
        "status: hidden\n---\nText.\n"
    )
    (content / "articles" / "meta-fields.md").write_text(text, encoding="utf-8")
    build(BuildOptions(content=content, output=tmp_path / "output"))
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.html"))
    assert written == [
        "output/404.html",
        "output/articles/meta-fields/index.html",
        "output/articles/reservoir-levels-fall/index.html",
        "output/index.html",
        "output/outlets/lakeside-courier/index.html",
        "output/topics/reservoirs/index.html",
    ]
