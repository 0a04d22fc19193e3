"""The benchmark corpus generator: deterministic, valid, and a real workout for the merge.

Not a timed test: it checks that the corpus the benchmarks measure is what
they claim (same seed, same bytes; outlets reporting the same events in
shared and varied words), and that the timing report stays off by default.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from generator.build import BuildOptions, build
from generator.content import load_content
from generator.pipeline import build_site


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", articles=20, topics=3, outlets=8, seed=7)
    generate(tmp_path / "b", articles=20, topics=3, outlets=8, seed=7)
    generate(tmp_path / "c", articles=20, topics=3, outlets=8, seed=8)
    a, b, c = (_files(tmp_path / name) for name in "abc")
    assert len([name for name in a if name.startswith("articles/")]) == 20
    assert len([name for name in a if name.startswith("topics/")]) == 3
    assert a == b
    assert a != c


def test_articles_are_about_six_hundred_words(tmp_path: Path) -> None:
    generate(tmp_path, articles=20, topics=3, outlets=8)
    content = load_content(tmp_path)
    lengths = [len(article.body.split()) for article in content.articles]
    assert all(450 <= n <= 800 for n in lengths), lengths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder, articles=20, topics=3, outlets=8)
    return folder


def test_outlets_report_the_same_events_so_the_merge_has_work(corpus: Path) -> None:
    site = build_site(load_content(corpus))
    statements = [s for b in site.briefings for s in b.statements]
    shared = [s for s in statements if len(s.outlets) >= 2]
    shared_quotes = [s for s in shared if s.kind == "quote"]
    assert len(shared) >= 10
    assert shared_quotes, "direct quotes are shared across outlets"
    for statement in shared_quotes:
        assert statement.speaker is not None
        words = statement.text.rstrip(".,!?")
        for source in statement.sources:
            assert words in source.text, "a shared quote is verbatim in every source"
    # Every topic's rules match the articles written about it.
    assert all(b.statements for b in site.briefings)


def test_build_succeeds_and_timings_are_off_unless_asked(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFING_TIMINGS", raising=False)
    plain = build(BuildOptions(content=corpus, output=tmp_path / "plain"))
    report = tmp_path / "timings.json"
    shutil.rmtree(corpus.parent / ".briefing-cache")  # a cold build: the reader reads every article
    timed = build(BuildOptions(content=corpus, output=tmp_path / "timed", timings=report))
    assert plain.statements == timed.statements > 0
    assert _files(tmp_path / "plain") == _files(tmp_path / "timed")
    stages = json.loads(report.read_text())["stages"]
    for name in ("check.read", "check.segment", "pelican.merge", "pelican.output", "search", "total"):
        assert stages[name]["seconds"] >= 0
    assert stages["pelican.markdown"]["calls"] == 20  # every article converted once, by the reader
    # The process's peak memory so far, as each stage ended: it only grows.
    peaks = [stages[name]["peak_mb"] for name in ("check.read", "pelican.merge", "total")]
    assert peaks[0] > 0 and peaks == sorted(peaks)
    assert not list(tmp_path.glob("plain/**/timings.json"))


def test_a_plain_pelican_baseline_that_reads_no_article_is_a_failed_run(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its Markdown reader Pelican skips every article and "builds"
    in a fraction of a second; every ratio against that would be a lie. The
    real Pelican, with its ``.md`` reader turned off, stands in for a
    machine without the ``bench`` extra."""
    from benchmarks import run

    output = tmp_path / "pelican-output"
    monkeypatch.setattr(run, "PELICAN_SETTINGS", run.PELICAN_SETTINGS + 'READERS = {{"md": None}}\n')
    skipped = run.pelican_build(corpus, output, tmp_path / "pelicanconf.py", timeout=300)
    assert skipped.failed and "20 articles" in skipped.failed and "bench" in skipped.failed
    monkeypatch.undo()
    read = run.pelican_build(corpus, output, tmp_path / "pelicanconf.py", timeout=300)
    assert not read.failed
    assert len(list(output.rglob("*.html"))) >= 20


def test_pagefind_over_plain_pelicans_pages_indexes_them(corpus: Path, tmp_path: Path) -> None:
    """The floor table's search half: the real Pagefind indexes what plain Pelican wrote."""
    from benchmarks import run

    site = tmp_path / "pelican-output"
    assert not run.pelican_build(corpus, site, tmp_path / "pelicanconf.py", timeout=300).failed
    indexed = run.pagefind_over(site, tmp_path / "index", timeout=300)
    assert not indexed.failed, indexed.failed
    entry = json.loads((tmp_path / "index" / "pagefind-entry.json").read_text())
    assert sum(language["page_count"] for language in entry["languages"].values()) >= 20
    nothing = run.pagefind_over(tmp_path / "missing", tmp_path / "none", timeout=300)
    assert nothing.failed


def test_the_floor_adds_pelican_and_pagefind_medians() -> None:
    from benchmarks import run

    result = run.SizeResult(1000)
    result.runs["pelican"] = [run.Run(s, 50.0) for s in (3.0, 4.0, 9.0)]
    result.runs["pagefind"] = [run.Run(s, 50.0) for s in (2.0, 1.0, 1.5)]
    result.runs["cold"] = [run.Run(s, 50.0) for s in (11.0, 11.0, 30.0)]
    row = run.floor_table([result])[-1]
    assert row.split(" | ")[3:] == ["5.50", "1.38×", "2.00× |"]


def test_the_edit_reference_sets_our_edit_against_pelicans_own_cached_rebuild() -> None:
    from benchmarks import run

    result = run.SizeResult(1000)
    result.runs["pelican"] = [run.Run(s, 50.0) for s in (10.0, 12.0, 9.0)]
    result.runs["pelican-edit"] = [run.Run(s, 50.0) for s in (5.0, 6.0, 4.0)]
    result.runs["edit"] = [run.Run(s, 50.0) for s in (7.5, 30.0, 6.0)]
    row = run.edit_reference_table([result])[-1]
    assert row.split(" | ")[2:] == ["5.00 (4.00–6.00)", "0.50×", "7.50 (6.00–30.00)", "1.50× |"]
    assert run.edit_reference_table([run.SizeResult(10)])[-1].count("—") == 5  # nothing ran


def test_runs_go_in_rounds_of_every_kind_and_a_failed_cold_build_skips_what_starts_from_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round times Pelican and then our builds, so a machine whose speed
    drifts slows both alike; only the order is checked here (the builds
    themselves are stand-ins that note what they were asked)."""
    import argparse

    from benchmarks import run

    order: list[str] = []

    def ours(content: Path, output: Path, report: Path, timeout: float, *, force: bool = False) -> run.Run:
        cold = not output.exists()  # the cold build starts from no output
        order.append("forced" if force else "cold" if cold else "build")
        output.mkdir(parents=True, exist_ok=True)
        failed = cold and order.count("cold") == 2
        return run.Run(1.0, 10.0, failed="timed out" if failed else "")

    def other(kind: str) -> object:
        def build(*args: object, **kwargs: object) -> run.Run:
            order.append(kind)
            return run.Run(1.0, 10.0)

        return build

    monkeypatch.setattr(run, "generate", lambda content, **kwargs: content.mkdir(parents=True))
    monkeypatch.setattr(run, "edit_one_article", lambda content, number: order.append("edit"))

    def pelican(*args: object, cache: Path | None = None) -> run.Run:
        order.append("pelican" if cache is None else "pelican-cached")
        return run.Run(1.0, 10.0)

    monkeypatch.setattr(run, "pelican_build", pelican)
    monkeypatch.setattr(run, "pagefind_over", other("pagefind"))
    monkeypatch.setattr(run, "our_build", ours)
    args = argparse.Namespace(work=tmp_path, topics=2, outlets=2, seed=0, repeat=3, timeout=60.0)
    args.pairs_only = args.stages_only = False
    result = run.measure_size(args, 10)
    # A round: Pelican, Pagefind, cold, warm, forced, Pelican with its cache,
    # then an edit, our build and Pelican's (cached) after it.
    first = ["pelican", "pagefind", "cold", "build", "forced", "pelican-cached", "edit", "build"]
    first.append("pelican-cached")
    # The second cold build fails: no more builds start from one, nor an edit
    # made for them (nor Pelican's rebuild after it); Pelican goes on.
    second, third = (
        ["pelican", "pagefind", "cold", "pelican-cached"],
        ["pelican", "pagefind", "pelican-cached"],
    )
    assert order == [*first, *second, *third]
    assert {kind: len(runs) for kind, runs in result.runs.items()} == {
        "pelican": 3, "pagefind": 3, "cold": 2, "warm": 1, "forced": 1, "edit": 1,
        "pelican-cached": 3, "pelican-edit": 1,
    }  # fmt: skip


HOLDS_MEMORY = """\
import subprocess, sys, time
from pathlib import Path

block = bytearray(int(sys.argv[1]) * 2**20)
block[::4096] = b"x" * len(block[::4096])  # touched: resident, not just reserved
ready = Path(sys.argv[2])
if len(sys.argv) > 3:  # the parent: start a child holding the rest, wait until it holds it
    child = subprocess.Popen([sys.executable, __file__, sys.argv[3], str(ready)])
    while not ready.exists():
        time.sleep(0.05)
    time.sleep(1)
    child.wait()
else:
    ready.touch()
    time.sleep(2)
"""


def test_memory_of_all_the_builds_processes_is_summed(tmp_path: Path) -> None:
    """A build runs workers and Pagefind beside itself: the runner reports
    the peak of them all together, not just of the largest. Here a parent
    holds 120 MB while its child holds 160 MB, at the same time."""
    import sys

    from benchmarks import run

    script = tmp_path / "holds.py"
    script.write_text(HOLDS_MEMORY)
    measured = run.timed([sys.executable, str(script), "120", str(tmp_path / "ready"), "160"], timeout=60)
    assert not measured.failed, measured.failed
    assert 160 <= measured.rss_mb < 250  # the largest process alone
    assert measured.all_mb >= 280  # both at once


def test_timed_builds_keep_their_compiled_modules_as_on_a_users_machine(tmp_path: Path) -> None:
    """A machine that tells Python not to write compiled modules would have
    every timed build compile our (editable) package again, which a user's
    second build never does."""
    import os
    import sys

    from benchmarks import run

    told = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    check = "import sys; sys.exit(3 if sys.dont_write_bytecode else 0)"
    for env in (told, None):
        measured = run.timed([sys.executable, "-c", check], env=env, timeout=60)
        assert not measured.failed, measured.failed


def test_a_comparison_builds_each_side_with_its_own_code_in_turns(corpus: Path, tmp_path: Path) -> None:
    """``compare.py``'s two sides: the same archive and edits, each built by
    its own checkout. A copy of the code here whose theme prints one more
    comment stands in for an earlier commit: only its site carries it. The
    copy also finds no dates, in worker processes from its first article on:
    only its site has no timeline, so its workers ran its code too (they ran
    the code of the folder the comparison was started from, before)."""
    from benchmarks import compare

    root = Path(compare.__file__).resolve().parent.parent
    earlier = tmp_path / "earlier"
    for name in compare.CODE:
        shutil.copytree(root / name, earlier / name, ignore=shutil.ignore_patterns("__pycache__"))
    base_html = earlier / "templates" / "base.html"
    base_html.write_text(base_html.read_text().replace("</body>", "<!-- the earlier commit -->\n</body>"))
    _append(earlier / "generator" / "parallel.py", "MIN_DOCUMENTS_PER_WORKER = 1\n")
    _append(
        earlier / "generator" / "timeline.py",
        "def find_dates(document: Document) -> tuple[()]:\n    return ()\n",
    )
    sides = (
        compare.Side("earlier", earlier, tmp_path / "a"),
        compare.Side("here", root, tmp_path / "b"),
    )
    for side in sides:
        shutil.copytree(corpus, side.content)
    result = compare.compare(sides, edits=2, timeout=600)
    assert list(result.runs) == ["cold", "edit 1", "edit 2"]
    assert all(set(runs) == {"earlier", "here"} for runs in result.runs.values())
    assert all(run.stages["total"] > 0 for runs in result.runs.values() for run in runs.values())
    assert result.identical is False
    assert "<!-- the earlier commit -->" in (sides[0].output / "index.html").read_text()
    assert "<!-- the earlier commit -->" not in (sides[1].output / "index.html").read_text()
    assert [_events(side.output) == 0 for side in sides] == [True, False]
    # Both archives were edited alike: the same articles, the same bytes.
    assert _files(sides[0].content) == _files(sides[1].content) != _files(corpus)
    report = compare.table(result, ("earlier", "here"))
    assert "| **edit, median** |" in report and "The two sites after the last build: different." in report


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text() + "\n\n" + code)


def _events(site: Path) -> int:
    """How many timeline events the site's export lists."""
    return sum(
        len(json.loads(f.read_text())["timeline"]) for f in (site / "api" / "briefings").glob("*.json")
    )


def test_a_comparison_with_an_unknown_commit_says_which(tmp_path: Path) -> None:
    from benchmarks import compare

    with pytest.raises(SystemExit, match="no commit 'no-such-commit'"):
        compare.checkout("no-such-commit", tmp_path)


def test_a_benchmark_section_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    """``run.py`` and ``pages.py`` each write their own tables into
    BENCHMARKS.md: one's run must not drop the other's tables, nor the
    analysis written by hand below them."""
    from benchmarks.run import ANALYSIS_MARKER, write_section

    path = tmp_path / "BENCHMARKS.md"
    write_section(path, "Full builds: 1000 articles", "| a |\n|---|\n| 1 |\n")
    path.write_text(path.read_text() + "\n## Where things stand\n\nBy hand.\n")
    by_hand = path.read_text().split(ANALYSIS_MARKER)[1]
    write_section(path, "Pages in the browser: 1000 articles", "| b |\n|---|\n| 2 |\n")
    write_section(path, "Full builds: 1000 articles", "| a |\n|---|\n| 3 |\n")
    text = path.read_text()
    generated, analysis = text.split(ANALYSIS_MARKER)
    assert analysis == by_hand and "By hand." in by_hand
    assert generated.count("## Full builds: 1000 articles") == 1
    assert "| 3 |" in generated and "| 1 |" not in generated
    assert generated.index("## Full builds") < generated.index("## Pages in the browser") < len(generated)
    assert "| 2 |" in generated
