"""Time the code here against an earlier commit, build by build, on one archive.

    python benchmarks/compare.py REV [--articles 5000] [--edits 4]

The benchmark table (``run.py``) compares our build with plain Pelican in
one run; from one run to the next the machine's speed drifts by a third or
more, so two runs of it on two versions of our code tell more about the
machine than about the code. This script measures a change itself: the
code at ``REV`` (``git archive``, into ``--work``) and the code here (the
working tree, uncommitted changes included) build the same generated
archive, each in a folder of its own with its own caches, in turns:

* **cold**: both from nothing (``REV`` first);
* **edit** ``i``: the same article edited in both archives
  (``run.edit_one_article``), then both built, in turns that swap each
  round (``REV`` first in even rounds, the code here first in odd ones), so
  a machine that slows down or speeds up weighs on both alike.

It prints, per build, the seconds of each side and their ratio, the medians
of the edits, and the median of each stage (from the builds' timing
reports), and says whether the two sites are byte-identical at the end: a
change meant only to be faster should leave them so. The figures are also
written as JSON to ``--work``/``results.json``.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run as a script: the package beside it

from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import STAGE_COLUMNS, Run, edit_one_article, stage_value, timed_build  # noqa: E402

CODE = ("generator", "templates")
"""What a side's builds run: the package (its settings with it) and its theme."""

BUILD = "import sys; from generator.cli import main; sys.argv[0] = 'briefing'; main()"
"""The ``briefing`` command, run from whichever checkout is first on ``PYTHONPATH``."""


@dataclass(frozen=True, slots=True)
class Side:
    """One version of the code, and the archive, output and caches it builds."""

    name: str
    code: Path
    """Holds ``generator/`` and ``templates/``: put first on ``PYTHONPATH``."""
    folder: Path
    """Holds ``content/``, ``output/`` and the build's ``.briefing-cache/``."""

    @property
    def content(self) -> Path:
        return self.folder / "content"

    @property
    def output(self) -> Path:
        return self.folder / "output"


@dataclass(slots=True)
class Comparison:
    """Each side's runs, by kind of build ("cold", "edit 1", …)."""

    runs: dict[str, dict[str, Run]] = field(default_factory=dict)
    identical: bool | None = None
    """Whether the two sites were byte for byte the same after the last build."""


def checkout(revision: str, into: Path) -> Path:
    """The code of ``revision`` (``CODE``), extracted under ``into``; raises
    ``SystemExit`` naming the revision if git does not know it."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(f"no commit {revision!r} in {ROOT}: {found.stderr.strip()}")
    commit = found.stdout.strip()
    code = into / f"code-{commit[:12]}"
    if not (code / "generator").is_dir():
        shutil.rmtree(code, ignore_errors=True)
        code.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, *CODE],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
    return code


def build(side: Side, timeout: float) -> Run:
    """One ``briefing build`` of ``side``'s archive by ``side``'s code, with its stage times."""
    paths = [str(side.code), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)))
    # -P: the folder it runs in is not put before ``PYTHONPATH``. It runs in
    # the side's folder, too: Pelican puts the working folder first on
    # ``sys.path`` ("" in ``Pelican.init_path``), and in code before 431acd0,
    # which did not take it off again, the worker processes started after it
    # would import the package of a checkout run from.
    command = [sys.executable, "-P", "-c", BUILD, "build", "--content", str(side.content)]
    command += ["--output", str(side.output)]
    return timed_build(command, env, side.folder / "timings.json", timeout, cwd=side.folder)


def compare(sides: tuple[Side, Side], edits: int, timeout: float) -> Comparison:
    """Cold builds, then ``edits`` edit builds, of both sides in turns (see the module's docstring)."""
    result = Comparison()

    def both(kind: str, order: tuple[Side, ...]) -> None:
        for side in order:
            run = build(side, timeout)
            result.runs.setdefault(kind, {})[side.name] = run
            print(f"  {kind:8} {side.name:>12}: {run.seconds:8.2f} s  {run.failed or 'ok'}", flush=True)
            if run.failed:
                raise SystemExit(f"{side.name}'s {kind} build failed: {run.failed}")

    both("cold", sides)
    for number in range(edits):
        for side in sides:
            edit_one_article(side.content, number)
        both(f"edit {number + 1}", sides if number % 2 == 0 else sides[::-1])
    result.identical = same_files(sides[0].output, sides[1].output)
    return result


def same_files(first: Path, second: Path) -> bool:
    """Whether the two folders hold the same files with the same bytes (read
    a file at a time: a 5,000-article site is 735 MB)."""
    listed = [sorted(p.relative_to(f) for p in f.rglob("*") if p.is_file()) for f in (first, second)]
    same = (filecmp.cmp(first / name, second / name, shallow=False) for name in listed[0])
    return listed[0] == listed[1] and all(same)


def table(result: Comparison, names: tuple[str, str]) -> str:
    """The comparison as Markdown: each build, the medians of the edits, and their stages."""
    base, here = names
    lines = [f"| build | {base} | {here} | {here} / {base} |", "|---|---|---|---|"]
    for kind, runs in result.runs.items():
        lines.append(_line(kind, runs[base].seconds, runs[here].seconds))
    edits = [runs for kind, runs in result.runs.items() if kind.startswith("edit")]
    if edits:
        lines.append(
            _line(
                "**edit, median**",
                statistics.median(r[base].seconds for r in edits),
                statistics.median(r[here].seconds for r in edits),
            )
        )
        lines += ["", f"| stage (edit builds, median s) | {base} | {here} |", "|---|---|---|"]
        for column, names_of_stage in STAGE_COLUMNS.items():
            values = [[stage_value(r[side], names_of_stage) for r in edits] for side in names]
            if all(v is not None for side in values for v in side):
                medians = [statistics.median(v for v in side if v is not None) for side in values]
                lines.append(f"| {column} | {medians[0]:.2f} | {medians[1]:.2f} |")
    same = {True: "byte-identical", False: "different", None: "not compared"}[result.identical]
    lines += ["", f"The two sites after the last build: {same}."]
    return "\n".join(lines)


def _line(kind: str, base: float, here: float) -> str:
    return f"| {kind} | {base:.2f} s | {here:.2f} s | {here / base:.2f}× |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="The commit to compare with (anything git rev-parse reads).")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--edits", type=int, default=4, help="Edit builds after the cold ones.")
    parser.add_argument("--timeout", type=float, default=1800.0, help="Seconds before a build is killed.")
    parser.add_argument("--work", type=Path, default=HERE / "corpus" / "compare")
    args = parser.parse_args()
    name = args.revision if args.revision != "here" else "commit here"  # the sides need two names
    base = Side(name, checkout(args.revision, args.work), args.work / "base")
    here = Side("here", ROOT, args.work / "here")
    print(f"== {args.articles} articles: {base.name} ({base.code.name}) against the code here", flush=True)
    for side in (base, here):
        shutil.rmtree(side.folder, ignore_errors=True)
        sizes = {"articles": args.articles, "topics": args.topics, "outlets": args.outlets}
        generate(side.content, **sizes, seed=args.seed)
    result = compare((base, here), args.edits, args.timeout)
    print("\n" + table(result, (base.name, here.name)))
    raw = {
        "revision": args.revision,
        "articles": args.articles,
        "identical": result.identical,
        "runs": {
            kind: {name: {"seconds": run.seconds, "stages": run.stages} for name, run in runs.items()}
            for kind, runs in result.runs.items()
        },
    }
    (args.work / "results.json").write_text(json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()
