"""Time ``briefing build`` against plain Pelican on generated archives; write BENCHMARKS.md.

    python benchmarks/run.py --articles 1000 5000 20000 [--topics 50 --outlets 40 --repeat 3]

Per size it generates a corpus (``benchmarks/generate.py``, seed 0) under
``--work`` (gitignored), then runs ``--repeat`` rounds, each of these
builds in this order (one kind after another in every round, not every
run of one kind first: on a shared machine whose speed drifts, timing all
of Pelican's runs before ours skewed the ratios):

* **pelican**: plain Pelican (no plugin, its default Markdown reader, the
  simple theme) on the same articles, fresh output: the baseline;
* **pagefind**: Pagefind (the search indexer our build runs) over the
  pages that plain Pelican wrote, into a fresh folder. Plain Pelican builds
  no search; a site with one does at least both kinds of work, so their sum
  is a floor for our cold build, whatever the merge costs (the "floor"
  table);
* **cold**: our build into a fresh output folder, reader cache removed (no caches exist);
* **warm**: our build again with nothing changed (the up-to-date check skips it);
* **forced**: the same with ``--force``: a full build from the caches;
* **pelican-cached**: plain Pelican again, into its own output folder, with
  its content cache on (``CACHE_CONTENT``, ``LOAD_CONTENT_CACHE``): in
  the first round it fills the cache, later it finds nothing changed. It
  prepares the next kind and is not reported;
* **edit**: our build after one article's text changed (a different one each round);
* **pelican-edit**: plain Pelican with its content cache after the same
  edit: what Pelican itself does to rebuild after one edit, reading the
  other articles from its cache but rendering and writing every page (the
  "edit reference" table).

Every build runs as its own subprocess, in a session of its own; wall time
is measured around it, once the disks have written back what earlier runs
wrote (``timed``). Memory is measured twice: the peak RSS of its
largest process (``ru_maxrss`` from ``os.wait4``: the build's own, a worker's
or Pagefind's), and the peak of **all its processes together**, sampled
every ``MEMORY_SAMPLE_SECONDS`` (``session_memory_mb``: each process's
proportional set size, so pages two processes share count once; a peak
shorter than the interval can be missed). Stage times come
from the build's own timing report (``BRIEFING_TIMINGS``). Each figure is the
median of the runs, with min and max. A build that exceeds ``--timeout`` is
killed and reported as such, and the remaining runs of that kind are
skipped (after a failed cold build, the round's warm, forced and edit
builds too).

``--stages-only`` runs just the pipeline (``generator.pipeline.build_site``:
read, segment, assign, quotes, merge, briefing) at each size, for the merge
scaling figure at sizes where a whole build takes too long.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run as a script: the package beside it

from benchmarks.generate import generate  # noqa: E402

PELICAN_SETTINGS = """\
# Plain Pelican: no plugin, default Markdown reader, simple theme.
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = "Baseline"
SITEURL = ""
TIMEZONE = "UTC"
PLUGINS = []
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["topics"]
THEME = "simple"
RELATIVE_URLS = True
SLUGIFY_SOURCE = "basename"  # generated headlines repeat; file names are unique
DELETE_OUTPUT_DIRECTORY = True
FEED_ALL_ATOM = "feeds/all.atom.xml"
"""

PELICAN_CACHE_SETTINGS = """\
# Pelican's own content cache, as its users turn it on for faster rebuilds.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = {cache!r}
"""

STAGES_SCRIPT = """\
import json, sys, time
from pathlib import Path
from generator.content import load_content
from generator.pipeline import build_site
from generator.timings import Timings
timings = Timings()
with timings.stage("read"):
    content = load_content(Path(sys.argv[1]))
build_site(content, timings=timings)
print(json.dumps(timings.report()))
"""


@dataclass(slots=True)
class Run:
    seconds: float
    rss_mb: float
    """Peak RSS of the build's largest process (ours, a worker or Pagefind)."""
    stages: dict[str, float] = field(default_factory=dict)
    failed: str = ""
    own_mb: float = 0.0
    """Peak RSS of the build's own Python process (its timing report)."""
    all_mb: float = 0.0
    """Peak of the memory of all the build's processes together (``session_memory_mb``, sampled)."""


@dataclass(slots=True)
class SizeResult:
    articles: int
    runs: dict[str, list[Run]] = field(default_factory=dict)


MEMORY_SAMPLE_SECONDS = 0.2


def session_memory_mb(session: int) -> float:
    """The memory (MB) of every process in ``session`` together: each one's
    proportional set size (its own pages, and its share of those it shares
    with others) where Linux gives it (``smaps_rollup``), else its RSS; 0
    where ``/proc`` cannot be read."""
    total_kb = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
                # Fields after the command's closing parenthesis: state, ppid, pgrp, session, ...
                if int(stat[stat.rindex(")") + 2 :].split()[3]) != session:
                    continue
                total_kb += _process_kb(Path(entry.path))
            except (OSError, ValueError, IndexError):
                continue  # ended while being read
    return total_kb / 1024


def _process_kb(proc: Path) -> int:
    """The memory (kB) of the process whose ``/proc`` folder is ``proc``: its PSS, else its RSS."""
    with contextlib.suppress(OSError):
        for line in (proc / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return int((proc / "statm").read_text().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def timed(
    command: list[str], *, env: dict[str, str] | None = None, timeout: float, cwd: Path | None = None
) -> Run:
    """Run ``command`` (in ``cwd``, if given); wall seconds, the peak RSS (MB)
    of its largest process and the peak of all its processes together, or
    why it failed.

    The disks' write-back of what earlier runs wrote is finished first
    (``os.sync``): Linux writes a file's pages out about 30 s after they
    were written, so one build's hundreds of MB could otherwise be written
    out while the next build is being timed, and its figure carry part of
    what the run before it wrote.

    Python writes the modules it compiles (``__pycache__``), as on a
    user's machine, even where the environment says not to
    (``PYTHONDONTWRITEBYTECODE``, which the machine of these figures sets):
    installed packages (Pelican, Jinja) were compiled once by pip, but our
    package, installed editable, would be compiled again by every build
    (0.15-0.2 s at any size)."""
    os.sync()
    started = time.perf_counter()
    environment = dict(os.environ if env is None else env)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    process = subprocess.Popen(
        command,
        env=environment,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    output = b""
    all_mb, sampled = 0.0, 0.0
    while True:
        if time.perf_counter() - sampled >= MEMORY_SAMPLE_SECONDS:
            all_mb, sampled = max(all_mb, session_memory_mb(process.pid)), time.perf_counter()
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        chunk = process.stdout.read()
        if chunk:
            output += chunk
        if pid:
            break
        if time.perf_counter() - started > timeout:
            os.killpg(process.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(process.pid, 0)
            return Run(
                time.perf_counter() - started,
                usage.ru_maxrss / 1024,
                failed=f"timeout {timeout:.0f}s",
                all_mb=all_mb,
            )
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    rest = process.stdout.read()
    output += rest or b""
    run = Run(seconds, usage.ru_maxrss / 1024, all_mb=all_mb)
    if process.returncode != 0:
        run.failed = f"exit {process.returncode}: " + output.decode(errors="replace")[-300:]
    return run


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def our_build(content: Path, output: Path, report: Path, timeout: float, *, force: bool = False) -> Run:
    command = [_tool("briefing"), "build", "--content", str(content), "--output", str(output)]
    if force:
        command.append("--force")
    return timed_build(command, dict(os.environ), report, timeout)


def timed_build(
    command: list[str], env: dict[str, str], report: Path, timeout: float, cwd: Path | None = None
) -> Run:
    """``timed`` of a ``briefing build`` command, with the stage times and
    peak memory its timing report (``BRIEFING_TIMINGS``, at ``report``) gives."""
    report.unlink(missing_ok=True)
    run = timed(command, env=dict(env, BRIEFING_TIMINGS=str(report)), timeout=timeout, cwd=cwd)
    if not run.failed and report.exists():
        stages = json.loads(report.read_text())["stages"]
        run.stages = {name: value["seconds"] for name, value in stages.items()}
        run.own_mb = float(stages.get("total", {}).get("peak_mb", 0.0))
    return run


def pelican_build(
    content: Path, output: Path, settings: Path, timeout: float, cache: Path | None = None
) -> Run:
    """Plain Pelican's build; failed unless it wrote a page per article.
    ``cache``: with Pelican's content cache in that folder.

    Without its Markdown reader (the ``markdown`` package, in the ``bench``
    extra) Pelican skips every ``.md`` file and "builds" in a fraction of
    a second: a baseline that would make every ratio meaningless."""
    text = PELICAN_SETTINGS.format(content=str(content), output=str(output))
    if cache is not None:
        text += PELICAN_CACHE_SETTINGS.format(cache=str(cache))
    settings.write_text(text)
    run = timed([_tool("pelican"), "-s", str(settings), "-q"], timeout=timeout)
    articles = sum(1 for _ in (content / "articles").glob("*.md"))
    pages = sum(1 for _ in output.rglob("*.html")) if output.is_dir() else 0
    if not run.failed and pages < articles:
        run.failed = (
            f"plain Pelican wrote {pages} pages for {articles} articles; "
            "is its Markdown reader installed? (pip install -e '.[bench]')"
        )
    return run


def pagefind_over(site: Path, output: Path, timeout: float) -> Run:
    """Pagefind's index of every page under ``site`` (all of each page: the
    simple theme marks no region), written fresh into ``output``; failed
    unless it indexed a page."""
    _fresh(output)
    run = timed(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(output), "--silent"],
        timeout=timeout,
    )
    if not run.failed and not (output / "pagefind-entry.json").is_file():
        run.failed = f"Pagefind wrote no index into {output}"
    return run


def stages_only(content: Path, timeout: float) -> Run:
    script = content.parent / "stages.py"
    script.write_text(STAGES_SCRIPT)
    started = time.perf_counter()
    command = [sys.executable, str(script), str(content)]
    result_file = content.parent / "stages.json"
    shell = f"{' '.join(map(_quote, command))} > {_quote(str(result_file))}"
    run = timed(["sh", "-c", shell], timeout=timeout)
    run.seconds = time.perf_counter() - started
    if not run.failed:
        stages = json.loads(result_file.read_text())["stages"]
        run.stages = {name: value["seconds"] for name, value in stages.items()}
        run.own_mb = float(stages.get("total", {}).get("peak_mb", 0.0))
    return run


def candidate_pair_bound(content: Path) -> tuple[int, int]:
    """Sentences, and the pairs the merge's word index would generate (Σ df(df−1)/2).

    Deterministic: the size of the merge's work, whatever the machine's load.
    """
    from collections import Counter

    from generator.content import load_content
    from generator.merge import COMMON_WORD_SHARE, content_words
    from generator.segment import segment

    df: Counter[str] = Counter()
    sentences = 0
    for article in load_content(content).articles:
        for sentence in segment(article).sentences:
            if not sentence.is_heading:
                sentences += 1
                df.update(content_words(sentence.text))
    limit = max(50, int(sentences * COMMON_WORD_SHARE))
    return sentences, sum(n * (n - 1) // 2 for n in df.values() if n <= limit)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def edit_one_article(content: Path, number: int) -> None:
    """Add a one-sentence paragraph at the end of one article, as an editor
    noting an update would (the article, and so the sentence's text, differs
    with ``number``)."""
    articles = sorted((content / "articles").glob("*.md"))
    path = articles[(number * 7919) % len(articles)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nThis article was updated (revision {number + 1}).\n")


def measure_size(args: argparse.Namespace, articles: int) -> SizeResult:
    work = args.work / str(articles)
    content = work / "content"
    print(f"\n== {articles} articles: generating corpus", flush=True)
    generate(content, articles=articles, topics=args.topics, outlets=args.outlets, seed=args.seed)
    result = SizeResult(articles)
    output, report = work / "output", work / "timings.json"
    if args.pairs_only:
        sentences, pairs = candidate_pair_bound(content)
        print(f"| {articles:,} | {sentences:,} | {pairs:,} |", flush=True)
        return result
    if args.stages_only:
        result.runs["stages"] = _repeat(args, "stages", lambda i: stages_only(content, args.timeout))
        return result

    def plain_pelican(i: int) -> Run:
        _fresh(work / "pelican-output")
        return pelican_build(content, work / "pelican-output", work / "pelicanconf.py", args.timeout)

    def cold(i: int) -> Run:
        _fresh(output)
        _fresh(work / ".briefing-cache")  # our caches and Pelican's reader cache (generator/settings.py)
        return our_build(content, output, report, args.timeout)

    def pagefind(i: int) -> Run:
        return pagefind_over(work / "pelican-output", work / "pelican-pagefind", args.timeout)

    def edited(i: int) -> Run:
        edit_one_article(content, i)
        return our_build(content, output, report, args.timeout)

    def pelican_cached(i: int) -> Run:
        return pelican_build(
            content, work / "pelican-cached-output", work / "pelicanconf-cached.py", args.timeout,
            cache=work / "pelican-cache",
        )  # fmt: skip

    # One round after another, each of every kind: on a machine whose speed
    # drifts, timing every Pelican run first and ours after skewed the ratios.
    kinds: list[tuple[str, Callable[[int], Run]]] = [
        ("pelican", plain_pelican),
        ("pagefind", pagefind),
        ("cold", cold),
        ("warm", lambda i: our_build(content, output, report, args.timeout)),
        ("forced", lambda i: our_build(content, output, report, args.timeout, force=True)),
        ("pelican-cached", pelican_cached),
        ("edit", edited),
        ("pelican-edit", pelican_cached),
    ]
    failed: set[str] = set()
    for i in range(args.repeat):
        ran: set[str] = set()
        for kind, once in kinds:
            after = AFTER.get(kind)
            if kind in failed or (after is not None and (after in failed or after not in ran)):
                continue
            ran.add(kind)
            run = once(i)
            result.runs.setdefault(kind, []).append(run)
            _report(kind, i, run)
            if run.failed:
                if kind == "pelican":
                    raise SystemExit(f"plain Pelican failed: {run.failed}")
                failed.add(kind)
    return result


AFTER = {"warm": "cold", "forced": "cold", "edit": "cold", "pelican-edit": "edit"}
"""The kinds that follow another in a round, and run only where it did and
did not fail: our builds that start from the output of the round's cold
build, and plain Pelican's rebuild after the round's edit."""


def _fresh(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _repeat(args: argparse.Namespace, kind: str, once: Callable[[int], Run]) -> list[Run]:
    runs: list[Run] = []
    for i in range(args.repeat):
        run = once(i)
        runs.append(run)
        _report(kind, i, run)
        if run.failed:
            break
    return runs


def _report(kind: str, i: int, run: Run) -> None:
    status = run.failed or "ok"
    print(
        f"  {kind:8} run {i + 1}: {run.seconds:8.2f} s  {run.rss_mb:7.0f} MB"
        f"  (all processes {run.all_mb:5.0f} MB)  {status}",
        flush=True,
    )


# Stages of the issue, from the stage names in the timing report.
STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "read": ("read", "check.read", "pelican.read"),
    "segment": ("segment", "check.segment", "pelican.segment"),
    "assign": ("assign", "check.assign", "pelican.assign"),
    "per-article": ("per-article", "pelican.per-article", "pelican.quotes+dates"),
    "merge": ("merge", "check.merge", "pelican.merge"),
    "people": ("people", "pelican.people"),
    "disagree": ("disagree", "pelican.disagree", "pelican.disagree.prepare"),
    "wire": ("wire", "pelican.wire"),
    "briefing": ("briefing", "check.briefing", "pelican.briefing"),
    "markdown→HTML": ("pelican.markdown",),
    "render+write": ("pelican.output",),
    "export (JSON)": ("pelican.export",),
    "search index": ("pelican.search", "search"),
    "publish": ("publish",),
}


def _row(cells: list[str]) -> str:
    """One row of a Markdown table."""
    return "| " + " | ".join(cells) + " |"


def _stat(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def _fmt(values: list[float], unit: str = "s") -> str:
    if not values:
        return "—"
    median, low, high = _stat(values)
    digits = 0 if unit == "MB" else 2
    return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def _ok(runs: list[Run]) -> list[Run]:
    return [r for r in runs if not r.failed]


def _cell(runs: list[Run]) -> str:
    good = _ok(runs)
    failed = [r.failed for r in runs if r.failed]
    if not good and failed:
        return f"did not finish ({failed[0].split(':')[0]})"
    return _fmt([r.seconds for r in good])


def stage_value(run: Run, names: tuple[str, ...]) -> float | None:
    """A ``STAGE_COLUMNS`` column of ``run``: its stages summed, None if it has none."""
    found = [run.stages[n] for n in names if n in run.stages]
    if not found:
        return None
    value = sum(found)
    if names == ("pelican.output",):
        # pelican.output spans everything after the merge; show the export
        # and the search index in their own columns.
        value -= run.stages.get("pelican.export", 0.0) + run.stages.get("pelican.search", 0.0)
    return value


def tables(results: list[SizeResult], stages_only_mode: bool) -> str:
    lines: list[str] = []
    if stages_only_mode:
        lines += ["| articles | pipeline total (s) | peak RSS (MB) | " + " | ".join(STAGE_COLUMNS) + " |"]
        lines += ["|---" * (3 + len(STAGE_COLUMNS)) + "|"]
        for res in results:
            runs = res.runs.get("stages", [])
            good = _ok(runs)
            row = [str(res.articles), _cell(runs), _fmt([r.rss_mb for r in runs], "MB")]
            for names in STAGE_COLUMNS.values():
                values = [v for r in good if (v := stage_value(r, names)) is not None]
                row.append(_fmt(values))
            lines.append(_row(row))
        return "\n".join(lines)
    lines += [
        "| articles | Pelican cold (s) | our cold (s) | cold ratio | our warm (s) | warm ratio "
        "| forced warm (s) | forced ratio | one edit (s) | edit ratio | our peak RSS, any process (MB) "
        "| our Python process peak (MB) | our processes together, peak (MB) | Pelican peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for res in results:
        pelican = _ok(res.runs.get("pelican", []))
        base = statistics.median([r.seconds for r in pelican]) if pelican else None

        def ratio(kind: str, base: float | None = base, res: SizeResult = res) -> str:
            good = _ok(res.runs.get(kind, []))
            if not good or not base:
                return "—"
            return f"{statistics.median([r.seconds for r in good]) / base:.2f}×"

        ours = [r for kind in ("cold", "warm", "forced", "edit") for r in res.runs.get(kind, [])]
        built = [r for kind in ("cold", "forced", "edit") for r in _ok(res.runs.get(kind, []))]
        lines.append(
            _row(
                [
                    f"{res.articles:,}",
                    _cell(res.runs.get("pelican", [])),
                    _cell(res.runs.get("cold", [])),
                    ratio("cold"),
                    _cell(res.runs.get("warm", [])),
                    ratio("warm"),
                    _cell(res.runs.get("forced", [])),
                    ratio("forced"),
                    _cell(res.runs.get("edit", [])),
                    ratio("edit"),
                    _fmt([r.rss_mb for r in ours], "MB"),
                    _fmt([r.own_mb for r in built], "MB"),
                    _fmt([r.all_mb for r in built], "MB"),
                    _fmt([r.rss_mb for r in res.runs.get("pelican", [])], "MB"),
                ]
            )
        )
    lines += floor_table(results)
    lines += edit_reference_table(results)
    lines += [
        "",
        "Stage times of our cold build (seconds; both passes summed where the build runs a stage twice; "
        "people and disagree run in a second process beside the merge, so their times overlap it):",
        "",
    ]
    lines += ["| articles | " + " | ".join(STAGE_COLUMNS) + " |", "|---" * (1 + len(STAGE_COLUMNS)) + "|"]
    for res in results:
        good = _ok(res.runs.get("cold", []))
        row = [f"{res.articles:,}"]
        for names in STAGE_COLUMNS.values():
            values = [v for r in good if (v := stage_value(r, names)) is not None]
            row.append(_fmt(values) if good else "—")
        lines.append(_row(row))
    return "\n".join(lines)


def floor_table(results: list[SizeResult]) -> list[str]:
    """The floor of a cold build with search: plain Pelican's build, then
    Pagefind over the pages it wrote (medians), against our cold build."""
    lines = [
        "",
        "Floor of a cold build with a search index: plain Pelican, then Pagefind over the pages it wrote "
        "(our cold build does both kinds of work, and the merge besides):",
        "",
        "| articles | Pelican cold (s) | Pagefind over Pelican's pages (s) | together (s) "
        "| together vs Pelican | our cold vs together |",
        "|---|---|---|---|---|---|",
    ]
    for res in results:
        medians = _medians(res, ("pelican", "pagefind", "cold"))
        pelican, pagefind, cold = medians["pelican"], medians["pagefind"], medians["cold"]
        together = pelican + pagefind if pelican is not None and pagefind is not None else None
        lines.append(
            _row(
                [
                    f"{res.articles:,}",
                    _cell(res.runs.get("pelican", [])),
                    _cell(res.runs.get("pagefind", [])),
                    f"{together:.2f}" if together is not None else "—",
                    _times(together, pelican),
                    _times(cold, together),
                ]
            )
        )
    return lines


def edit_reference_table(results: list[SizeResult]) -> list[str]:
    """What plain Pelican itself takes to rebuild after the same edit, with
    its content cache on (medians), against its cold build and our edit."""
    lines = [
        "",
        "Plain Pelican's own rebuild after the same edit, with its content cache on "
        "(it reads the other articles from the cache, renders and writes every page):",
        "",
        "| articles | Pelican cold (s) | Pelican after the edit, cached (s) | vs Pelican cold "
        "| our edit (s) | our edit vs Pelican's cached rebuild |",
        "|---|---|---|---|---|---|",
    ]
    for res in results:
        medians = _medians(res, ("pelican", "pelican-edit", "edit"))
        pelican, cached, edit = medians["pelican"], medians["pelican-edit"], medians["edit"]
        lines.append(
            _row(
                [
                    f"{res.articles:,}",
                    _cell(res.runs.get("pelican", [])),
                    _cell(res.runs.get("pelican-edit", [])),
                    _times(cached, pelican),
                    _cell(res.runs.get("edit", [])),
                    _times(edit, cached),
                ]
            )
        )
    return lines


def _times(part: float | None, whole: float | None) -> str:
    """``part`` as a multiple of ``whole`` ("1.23×"); "—" if either is missing."""
    return f"{part / whole:.2f}×" if part is not None and whole else "—"


def _medians(res: SizeResult, kinds: tuple[str, ...]) -> dict[str, float | None]:
    """The median seconds of each kind's runs that did not fail (None: none did)."""
    return {
        kind: statistics.median([r.seconds for r in good]) if (good := _ok(res.runs.get(kind, []))) else None
        for kind in kinds
    }


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if "model name" in line
            ),
            "",
        )
    versions = []
    for package in ("pelican", "markdown-it-py", "markdown", "jinja2", "briefing"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    load = ", load average (1/5/15 min) {:.1f}/{:.1f}/{:.1f} when written".format(*os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model or platform.processor()}){memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; " + ", ".join(versions) + load
    )


ANALYSIS_MARKER = "<!-- analysis: kept by run.py -->"


def write_markdown(path: Path, args: argparse.Namespace, results: list[SizeResult], table: str) -> None:
    sizes = " ".join(str(r.articles) for r in results)
    mode = " --stages-only" if args.stages_only else ""
    write_section(
        path,
        f"{'Pipeline stages only' if args.stages_only else 'Full builds'}: {sizes} articles",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.\n\n"
        f"Reproduce: `python benchmarks/run.py --articles {sizes} --topics {args.topics} "
        f"--outlets {args.outlets} --repeat {args.repeat} --timeout {args.timeout:.0f}{mode}` "
        f"(corpus seed {args.seed}). Figures: median (min–max) of {args.repeat} runs.\n\n{table}",
    )


HEADER = (
    "# Benchmarks\n\n"
    "How fast `briefing build` is on a generated news archive, against plain Pelican on the same "
    "articles, and how fast its pages open in a browser. Everything here is produced by "
    "`benchmarks/run.py` and `benchmarks/pages.py` (see their docstrings for what each figure is); "
    "the analysis below the tables is written by hand.\n\n"
    "Setup: `pip install -e '.[test,bench]'` (`bench` adds `markdown`, plain Pelican's reader; `test` "
    "Playwright, which `pages.py` drives Debian's Chromium with). "
    "Corpora and outputs go to `benchmarks/corpus/` (gitignored); raw per-run figures to "
    "`benchmarks/corpus/results*.json`. A build's stage times: "
    "`BRIEFING_TIMINGS=timings.json briefing build --content DIR`.\n\n"
    "The effect of one change, apart from the machine's drift: `python benchmarks/compare.py REV "
    "--articles 5000 --edits 4` builds one archive with the code of commit `REV` and with the code "
    "here, in turns, and says whether the two sites are byte-identical.\n\n"
)


def write_section(path: Path, title: str, body: str) -> None:
    """Put ``## title`` with ``body`` into the generated part of the file at
    ``path`` (above ``ANALYSIS_MARKER``), in place of a section of that
    title; the other sections, in order of title, and the hand-written
    analysis below the marker are kept."""
    kept = ""
    sections: dict[str, str] = {}
    if path.exists():
        text = path.read_text()
        if ANALYSIS_MARKER in text:
            text, kept = text.split(ANALYSIS_MARKER, 1)
        for chunk in text.split("\n## ")[1:]:
            sections[chunk.split("\n", 1)[0]] = "## " + chunk.rstrip() + "\n"
    sections[title] = f"## {title}\n\n{body.strip()}\n"
    text = HEADER + "\n".join(sections[k] for k in sorted(sections)) + "\n" + ANALYSIS_MARKER + kept
    path.write_text(text if kept else text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="Seconds before a build is killed.")
    parser.add_argument("--stages-only", action="store_true", help="Time only the pipeline stages.")
    parser.add_argument(
        "--pairs-only",
        action="store_true",
        help="Print the merge's candidate-pair count per size; no timing.",
    )
    parser.add_argument("--work", type=Path, default=HERE / "corpus", help="Where corpora and outputs go.")
    parser.add_argument("--markdown", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    args = parser.parse_args()
    if args.pairs_only:
        print("| articles | sentences | candidate pairs (upper bound) |\n|---|---|---|")
    results = [measure_size(args, n) for n in args.articles]
    if args.pairs_only:
        return
    table = tables(results, args.stages_only)
    print("\n" + table)
    raw = args.work / ("results-stages.json" if args.stages_only else "results.json")
    raw.write_text(
        json.dumps(
            [
                {"articles": r.articles, "runs": {k: [vars_of(x) for x in v] for k, v in r.runs.items()}}
                for r in results
            ],
            indent=1,
        )
    )
    if not args.no_write:
        write_markdown(args.markdown, args, results, table)
        print(f"\nwrote {args.markdown}")


def vars_of(run: Run) -> dict[str, object]:
    return {
        "seconds": run.seconds,
        "rss_mb": run.rss_mb,
        "own_mb": run.own_mb,
        "all_mb": run.all_mb,
        "stages": run.stages,
        "failed": run.failed,
    }


if __name__ == "__main__":
    main()
