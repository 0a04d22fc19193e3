"""The ``briefing`` command as a user runs it: exit codes and messages."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from generator.build import BuildOptions, build
from generator.cli import Terminated, _reports_errors, main
from generator.errors import BriefingError
from generator.progress import STAGES, RichProgress

REPO = Path(__file__).resolve().parent.parent


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    return content


def test_check_accepts_the_example_content() -> None:
    result = CliRunner().invoke(main, ["check", "--content", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_check_reports_every_problem_with_path_and_line(tmp_path: Path) -> None:
    content = _content(tmp_path)
    articles = sorted((content / "articles").glob("*.md"))
    articles[0].write_text(
        "---\ntitle: A title\noutlet: X\nurl: https://x.example/a\ndate: someday\n---\nText.\n"
    )
    articles[1].write_text(
        "---\ntitle: Other\noutlet: ''\nurl: https://x.example/b\ndate: 2022-01-02\n---\nText.\n"
    )
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert f"{articles[0]}:5: date 'someday' is not a date" in result.output
    assert f"{articles[1]}:3: required field 'outlet' is empty" in result.output
    assert "Traceback" not in result.output


def test_check_warns_about_a_topic_that_matches_nothing_and_fails_under_strict(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "topics" / "volcanoes.md").write_text(
        "---\ntitle: Volcanoes\nslug: volcanoes\nkeywords: [volcano, lava]\n---\nEruptions.\n"
    )
    relaxed = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert relaxed.exit_code == 0
    assert "volcanoes.md:1: topic 'volcanoes' matches no sentence" in relaxed.output
    strict = CliRunner().invoke(main, ["check", "--strict", "--content", str(content)])
    assert strict.exit_code == 1


def test_build_writes_the_site_and_a_summary(tmp_path: Path) -> None:
    output = tmp_path / "site"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--content",
            str(REPO / "content"),
            "--output",
            str(output),
            "--settings",
            str(REPO / "pelicanconf.py"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Built 3 articles, 3 topics" in result.output
    assert (output / "topics" / "wagner-group" / "index.html").is_file()


def test_a_build_without_base_url_says_how_to_publish_in_our_words(tmp_path: Path) -> None:
    """Without ``--base-url`` (the README's first command) Pelican warned
    "Feeds generated without SITEURL or FEED_DOMAIN set properly may not be
    valid": settings a briefing's author never sets. The command says what
    is missing and which option gives it; with the address, nothing."""
    _content(tmp_path)
    previewed = _started_build(tmp_path)
    out, err = previewed.communicate(timeout=120)
    assert previewed.returncode == 0, err
    assert "SITEURL" not in err and "FEED_DOMAIN" not in err
    assert out.startswith("Built 3 articles")
    assert "note: no --base-url, so the feeds" in err and "--base-url https://" in err
    assert not (tmp_path / "site" / "sitemap.xml").exists()  # as the note says

    published = _started_build(tmp_path, "--base-url", "https://user.github.io/repo", "--force")
    out, err = published.communicate(timeout=120)
    assert published.returncode == 0, err
    assert out.startswith("Built 3 articles") and err == ""
    assert (tmp_path / "site" / "sitemap.xml").is_file()


def test_build_with_broken_content_fails_cleanly(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "topics" / "bad.md").write_text("no front matter here\n")
    result = CliRunner().invoke(main, ["build", "--content", str(content), "--output", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.md:1: no front matter" in result.output
    assert not (tmp_path / "o").exists()


def test_a_settings_file_without_our_plugins_fails_at_once_and_says_why(tmp_path: Path) -> None:
    """A plain Pelican settings file (no ``from generator.settings import *``)
    built another kind of site and failed only at its end, on a missing
    template ("unable to load topic.html"), after the whole content check.
    It now fails before reading any article, naming the file and what it
    lacks, and writes nothing."""
    content = _content(tmp_path)
    settings = tmp_path / "pelicanconf.py"
    settings.write_text('SITENAME = "Mine"\nPLUGINS = ["generator.publish"]\nTHEME = "simple"\n')
    result = CliRunner().invoke(
        main,
        ["build", "--content", str(content), "--output", str(tmp_path / "o"), "--settings", str(settings)],
    )
    assert result.exit_code == 1
    assert f"{settings}: its PLUGINS lack generator.pelican_plugin" in result.output
    assert "from generator.settings import *" in result.output
    assert not (tmp_path / "o").exists() and not (tmp_path / ".briefing-cache").exists()


def test_import_one_file_from_the_command_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "Breaking News\nFloods closed the main road on Tuesday.The council said repairs would take a week.\n"
    )
    args = [
        "import",
        str(raw),
        "--outlet",
        "Daily Example",
        "--url",
        "https://daily.example/floods",
        "--date",
        "2024-03-05",
        "--title",
        "Floods close road",
        "--content",
        str(tmp_path / "content"),
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    written = tmp_path / "content" / "articles" / "floods-close-road.md"
    text = written.read_text()
    assert "Breaking News" not in text
    assert "Tuesday. The council" in text
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 1
    assert "--force" in second.output
    assert written.read_text() == text


def test_import_rejects_a_bad_date(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text("Some text.\n")
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(raw),
            "--outlet",
            "X",
            "--url",
            "https://x.example",
            "--date",
            "5 March",
            "--title",
            "T",
            "--content",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "--date '5 March' is not a date" in result.output


def test_serve_builds_and_serves_the_site_on_localhost(tmp_path: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from generator.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--output",
            str(tmp_path / "preview"),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                url = f"http://127.0.0.1:{port}/topics/wagner-group/"
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "<h1>Wagner Group</h1>" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _statement_ids(output: Path) -> set[str]:
    """Statement ids as the published JSON export lists them."""
    import json

    return {
        statement["id"]
        for path in (output / "api" / "briefings").glob("*.json")
        for statement in json.loads(path.read_text(encoding="utf-8"))["statements"]
    }


def test_build_in_a_pipe_prints_only_a_summary_with_true_counts(tmp_path: Path) -> None:
    output = tmp_path / "site"
    args = ["build", "--content", str(REPO / "content"), "--output", str(output)]
    result = CliRunner(env={"CI": None, "TTY_COMPATIBLE": None, "FORCE_COLOR": None}).invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line]
    assert len(lines) == 1, lines
    match = re.fullmatch(
        r"Built (\d+) articles, (\d+) topics, (\d+) statements, (\d+) pages into (.+) in \d+\.\d s\.",
        lines[0],
    )
    assert match is not None, lines[0]
    articles, topics, statements, pages = (int(match.group(i)) for i in range(1, 5))
    assert articles == len(list((REPO / "content" / "articles").glob("*.md")))
    assert topics == len(list((REPO / "content" / "topics").glob("*.md")))
    assert statements == len(_statement_ids(output)) > 0
    assert pages == len(list(output.rglob("*.html"))) > 0
    assert match.group(5) == str(output)
    for stage in STAGES.values():
        assert stage not in result.output
    assert "\x1b[" not in result.output
    assert "Done: Processed" not in result.output  # Pelican's own line: our summary replaces it


def test_a_second_build_with_nothing_changed_says_the_site_is_up_to_date(tmp_path: Path) -> None:
    args = ["build", "--content", str(REPO / "content"), "--output", str(tmp_path / "site")]
    runner = CliRunner(env={"CI": None, "TTY_COMPATIBLE": None, "FORCE_COLOR": None})
    first = runner.invoke(main, args)
    again = runner.invoke(main, args)
    forced = runner.invoke(main, [*args, "--force"])
    assert first.exit_code == again.exit_code == forced.exit_code == 0, again.output
    counts = re.search(r"Built (\d+) articles, (\d+) topics, (\d+) statements, (\d+) pages", first.stdout)
    assert counts is not None
    assert again.stdout.startswith(
        f"{tmp_path / 'site'} is up to date ({counts[1]} articles, {counts[2]} topics, "
        f"{counts[3]} statements, {counts[4]} pages): nothing changed since the last build"
    )
    assert forced.stdout.startswith("Built ")


def test_build_on_a_terminal_shows_each_stage(tmp_path: Path) -> None:
    """Rich decides what is a terminal; TTY_COMPATIBLE=1 tells it this one is."""
    args = ["build", "--content", str(REPO / "content"), "--output", str(tmp_path / "site")]
    result = CliRunner(env={"CI": None, "TTY_COMPATIBLE": "1"}).invoke(main, args)
    assert result.exit_code == 0, result.output
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)  # colours and cursor moves
    shown = [screen.find(f"✓ {stage}") for stage in STAGES.values()]
    assert -1 not in shown, screen
    assert shown == sorted(shown)  # in build order
    assert "Built 3 articles" in result.stdout


def test_build_in_ci_shows_no_progress_even_on_a_terminal(tmp_path: Path) -> None:
    args = ["build", "--content", str(REPO / "content"), "--output", str(tmp_path / "site")]
    result = CliRunner(env={"CI": "true", "TTY_COMPATIBLE": "1"}).invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "✓" not in result.output
    assert result.stdout.startswith("Built 3 articles")


def _files(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


def test_progress_shown_on_a_forced_terminal_names_every_stage_and_changes_no_byte(tmp_path: Path) -> None:
    screen = io.StringIO()
    shown = BuildOptions(
        content=REPO / "content",
        output=tmp_path / "shown",
        progress=RichProgress(Console(file=screen, force_terminal=True, width=100)),
    )
    quiet = BuildOptions(content=REPO / "content", output=tmp_path / "quiet")
    assert build(shown).pages == build(quiet).pages
    for stage in STAGES.values():
        assert stage in screen.getvalue()
    files = sorted(p.relative_to(tmp_path / "quiet") for p in (tmp_path / "quiet").rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(tmp_path / "shown") for p in (tmp_path / "shown").rglob("*") if p.is_file()
    )
    for name in files:
        assert (tmp_path / "quiet" / name).read_bytes() == (tmp_path / "shown" / name).read_bytes(), name


def test_a_failed_build_on_a_terminal_marks_the_stage_that_failed(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (content / "topics" / "bad.md").write_text("no front matter here\n")
    args = ["build", "--content", str(content), "--output", str(tmp_path / "o")]
    result = CliRunner(env={"CI": None, "TTY_COMPATIBLE": "1"}).invoke(main, args)
    assert result.exit_code == 1
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert f"✗ {STAGES['check']}" in screen
    assert "✓" not in screen
    assert "bad.md:1: no front matter" in screen


def test_a_build_without_the_markdown_package_does_not_warn_about_every_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Pelican warns about each .md file when its own Markdown reader is disabled
    (the markdown package is not a dependency); ours reads them, so no warning."""
    from pelican.readers import MarkdownReader

    monkeypatch.setattr(MarkdownReader, "enabled", False)
    with caplog.at_level(logging.WARNING):
        build(BuildOptions(content=REPO / "content", output=tmp_path / "site"))
    assert (tmp_path / "site" / "topics" / "wagner-group" / "index.html").is_file()
    assert [r.getMessage() for r in caplog.records if "markdown" in r.getMessage().lower()] == []


@pytest.mark.parametrize("broken", [False, True])
def test_the_console_command_flushes_its_report_and_exit_status_as_it_ends_at_once(
    tmp_path: Path, broken: bool
) -> None:
    """``briefing`` (``cli.run``) ends the process without Python's clean-up,
    with ``main``'s exit status: its report arrives through a pipe, the site
    is complete, and a failed build exits 1 with its error."""
    import subprocess
    import sys

    content = _content(tmp_path)
    if broken:
        (content / "articles" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n")
    finished = subprocess.run(
        [
            sys.executable,
            "-c",
            "from generator.cli import run; run()",
            "build",
            "--content",
            str(content),
            "--output",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if broken:
        assert finished.returncode == 1
        assert "broken.md" in finished.stderr and "nothing was written" in finished.stderr
        assert not (tmp_path / "out").exists()
    else:
        assert finished.returncode == 0, finished.stderr
        assert re.fullmatch(
            r"Built 3 articles, 3 topics, \d+ statements, \d+ pages into .* s\.\n", finished.stdout
        )
        assert (tmp_path / "out" / "index.html").is_file()
        assert (tmp_path / "out" / "pagefind" / "pagefind.js").is_file()


def _processes_under(pid: int) -> dict[int, int]:
    """Each living process descended from ``pid``, with its depth below it (1: a child)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # ended while read
    found: dict[int, int] = {}
    level, depth = {pid}, 0
    while level:
        depth += 1
        level = {child for child, parent in parents.items() if parent in level and child not in found}
        found.update(dict.fromkeys(level, depth))
    return found


FOREGROUND = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
"""What a terminal's foreground job starts with: Ctrl-C's default action. A
shell without job control starts a background job with SIGINT ignored,
which its processes inherit, and Python then installs no handler of its
own: a test suite run so would press a Ctrl-C the build never feels."""


def _started_build(folder: Path, *args: str, own_group: bool = False) -> subprocess.Popen[str]:
    """``briefing build --output site`` (and ``args``) started in ``folder``,
    as a shell starts it (``own_group``: in a process group of its own, as a
    terminal's foreground job, which Ctrl-C reaches whole)."""
    start = (FOREGROUND if own_group else "") + "from generator.cli import run; run()"
    return subprocess.Popen(
        [sys.executable, "-c", start, "build", "--output", "site", *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=own_group,
    )


def _stop_once(
    running: subprocess.Popen[str],
    ready: Callable[[], bool],
    number: int = signal.SIGTERM,
    *,
    whole_group: bool = False,
) -> None:
    """Send ``running`` signal ``number`` (to its whole process group if
    ``whole_group``) as soon as ``ready()``; fail if it ends first (on a
    machine much faster than those the tests were tuned on)."""
    deadline = time.monotonic() + 240
    while running.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.001)
    assert running.poll() is None, "the build ended before it could be stopped"
    if whole_group:
        os.killpg(running.pid, number)
    else:
        running.send_signal(number)


def _build_stopped_by(
    tmp_path: Path, number: int, *, staged: bool = True, whole_group: bool = False
) -> tuple[int, str, list[int]]:
    """Start a cold build of 220 generated articles, send it signal ``number``
    once worker processes (the forkserver's children) run, and, if
    ``staged``, its new site's folder exists (the Pelican stage; else the
    content check's pool may be the one running), and wait for it and its
    output; its exit status, its error output, and the processes seen under
    it that are still alive after up to 10 s. ``whole_group``: the signal
    goes to every process of the build, as Ctrl-C in a terminal sends it."""
    from benchmarks.generate import generate
    from generator.parallel import MIN_DOCUMENTS_PER_WORKER

    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    running = _started_build(tmp_path, own_group=whole_group)
    seen: dict[int, int] = {}

    def workers_run() -> bool:
        now = _processes_under(running.pid)
        seen.update(now)
        return (bool(list(tmp_path.glob(".site-*"))) or not staged) and max(now.values(), default=0) >= 2

    try:
        _stop_once(running, workers_run, number, whole_group=whole_group)
        # Returns once every process holding the build's pipes has ended.
        _, errors = running.communicate(timeout=120)
        for _ in range(100):  # the forkserver ends just after the build
            alive = [pid for pid in seen if Path(f"/proc/{pid}").exists()]
            if not alive:
                break
            time.sleep(0.1)
        return running.returncode, errors, alive
    finally:
        running.kill()
        for pid in seen:  # left behind: the test fails, but leaves no process running
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_a_stop_while_the_new_site_is_put_in_place_lets_the_build_finish(tmp_path: Path) -> None:
    """SIGTERM as the new site replaced the old one stopped the build half-way:
    the old site was left set aside beside the new one (``.site-old``) and
    the command said nothing was changed, though the new site was published.
    Now the build finishes, says so, and exits 0. (The old site holds a
    large ``.git``, carried over, so its removal takes long enough to land
    in.)"""
    _content(tmp_path)
    first = _started_build(tmp_path)
    assert first.wait(timeout=240) == 0, first.communicate()[1]
    for number in range(20_000):
        objects = tmp_path / "site" / ".git" / "objects" / f"{number % 256:02x}"
        objects.mkdir(parents=True, exist_ok=True)
        (objects / f"{number:038x}").write_bytes(b"x")
    article = sorted((tmp_path / "content" / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence added for this build.\n")
    running = _started_build(tmp_path)
    _stop_once(running, (tmp_path / ".site-old").exists)
    _, errors = running.communicate(timeout=120)
    assert running.returncode == 0, errors
    assert "SIGTERM came as the new site was being put in place: the build finished instead" in errors
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []
    pages = (tmp_path / "site" / "articles").rglob("index.html")
    assert any("A sentence added for this build." in page.read_text(encoding="utf-8") for page in pages)
    assert len(list((tmp_path / "site" / ".git" / "objects").rglob("*"))) == 20_000 + 256


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_a_build_stopped_while_it_waits_for_its_search_index_leaves_nothing(tmp_path: Path) -> None:
    """Stopped while it waited for Pagefind at the end, a build left its
    Pagefind runs going: they wrote their index into the new site's folder
    after the build had removed it, and the folder came back for good."""
    from benchmarks.generate import generate
    from generator.parallel import MIN_DOCUMENTS_PER_WORKER

    generate(tmp_path / "content", articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    running = _started_build(tmp_path)
    seen: dict[int, int] = {}
    pelican_done: list[float] = []

    def waiting_for_pagefind() -> bool:
        """Pelican's stage ended (it writes ``robots.txt`` last) a moment
        ago, so the build waits for Pagefind, and a Pagefind run still works."""
        seen.update(_processes_under(running.pid))
        if not pelican_done and any(
            (staging / "robots.txt").exists() for staging in tmp_path.glob(".site-*")
        ):
            pelican_done.append(time.monotonic())
        return (
            bool(pelican_done)
            and time.monotonic() > pelican_done[0] + 0.3
            and any(_is_pagefind_run(pid) for pid in seen)
        )

    _stop_once(running, waiting_for_pagefind)
    _, errors = running.communicate(timeout=120)
    assert running.returncode == 128 + signal.SIGTERM, errors
    time.sleep(3)  # what a Pagefind run left going would write meanwhile
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []
    assert [pid for pid in seen if _is_pagefind_run(pid)] == []


def _is_pagefind_run(pid: int) -> bool:
    """Whether process ``pid`` is a living Pagefind run's helper (``search._run_pagefind``)."""
    try:
        return b"generator.search" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_an_error_raised_as_a_build_stops_is_reported_as_the_stop() -> None:
    """Seen in CI: SIGTERM landed while a process pool was starting its
    manager thread; the pool then failed to shut down ("cannot join thread
    before it is started"), the Pelican stage reported that as "Pelican
    failed" and the command exited 1. Whoever sent the signal stopped the
    build: the command says so and exits 143, whatever failed on the way."""

    @click.command()
    @_reports_errors
    def stopping() -> None:
        try:
            raise Terminated(signal.SIGTERM)
        except KeyboardInterrupt:
            try:
                raise RuntimeError("cannot join thread before it is started")
            except RuntimeError as exc:
                raise BriefingError(f"Pelican failed: {exc}") from exc

    result = CliRunner().invoke(stopping, [])
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.output == "interrupted; nothing was changed.\n"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_a_build_stopped_by_sigterm_cleans_up_and_ends_with_its_workers(tmp_path: Path) -> None:
    """A cancelled CI job, ``timeout`` or ``docker stop`` sends SIGTERM: the
    build stops as on Ctrl-C (exit 143, no half-written site left beside the
    output), and its worker processes end with it, so a caller reading its
    output is not left waiting on pipes they hold open."""
    status, errors, alive = _build_stopped_by(tmp_path, signal.SIGTERM)
    assert status == 128 + signal.SIGTERM, errors
    assert "interrupted; nothing was changed." in errors
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((".site", "site"))) == []
    assert alive == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_ctrl_c_in_a_terminal_stops_a_build_and_every_process_ends(tmp_path: Path) -> None:
    """Ctrl-C in a terminal interrupts every process of the build, not only
    the build: it stops as interrupted, and every process ends. (What else
    the standard library's processes may print when the signal lands
    mid-way, as the forkserver does, is not asserted: that is a race.)"""
    status, errors, alive = _build_stopped_by(tmp_path, signal.SIGINT, staged=False, whole_group=True)
    assert status == 128 + signal.SIGINT, errors
    assert "interrupted; nothing was changed." in errors
    assert alive == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_the_workers_of_a_build_killed_outright_end_with_it(tmp_path: Path) -> None:
    """SIGKILL (the out-of-memory killer) runs no clean-up, but the worker
    processes must still end with the build, not wait for ever holding the
    caller's pipes open; and no half-made site is published."""
    status, _, alive = _build_stopped_by(tmp_path, signal.SIGKILL, staged=False)
    assert status == -signal.SIGKILL
    assert alive == []
    assert not (tmp_path / "site").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the processes in /proc")
def test_the_next_build_removes_what_a_build_killed_outright_left(tmp_path: Path) -> None:
    """A build killed outright leaves its half-written site beside the
    output (1 GB at 20,000 articles): the next build removes it."""
    status, _, alive = _build_stopped_by(tmp_path, signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert alive == []
    assert list(tmp_path.glob(".site-*")) != []  # what the killed build left
    result = CliRunner().invoke(
        main, ["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    assert list(tmp_path.glob(".site-*")) == []
    assert (tmp_path / "site" / "index.html").is_file()


def test_a_build_starts_without_the_importers_libraries() -> None:
    """Every build starts a Python process (and more for its workers) that
    imports the build's modules: the importer's web-page extraction
    (trafilatura and what it brings) took 0.2 s of each start, for nothing
    a build does."""
    modules = "generator.cli, generator.build, generator.pipeline, generator.pelican_plugin, generator.search"
    program = (
        f"import sys, {modules}; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('trafilatura', 'courlan') "
        "or m == 'generator.importer')))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []
