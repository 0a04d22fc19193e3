"""Up-to-date check: skip a build whose inputs and output are as the last one left them.

A build is a pure function of its inputs: the content files, the settings
file and every setting it resolves to, the build options, a few environment
variables, our code and templates, the theme, template and plugin folders
the settings name, and the versions of the libraries that shape the output. After a
successful build, ``record`` writes a *stamp* beside the content (in the
build cache, never in the published site) holding a digest of those inputs,
a listing of the output folder (path, size, modification time and inode of
every file) and the build's summary. The next build calls ``unchanged``
first: if the inputs hash to the same digest and the output folder lists
the same files, unchanged, the site on disk is exactly what the build would
write again (builds are deterministic), so there is nothing to do, as with
``make``. Any difference at all (one byte of one article, a file deleted or
edited in the output, another library version) and the build runs in full.

The digest reads every content file once (a few milliseconds per thousand
articles); the listing only stats the output. ``briefing build --force``
builds regardless.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ENVIRONMENT = ("BRIEFING_MERGE", "SOURCE_DATE_EPOCH")
"""Environment variables a build reads; their values are inputs too."""
LIBRARIES = ("pelican", "markdown-it-py", "jinja2", "pagefind", "pyyaml", "rapidfuzz", "snowballstemmer")
"""Libraries whose version can change what a build writes."""
STAMP_VERSION = 2


@dataclass(frozen=True, slots=True)
class Summary:
    """What the skipped build would report: the summary of the build that wrote the output."""

    articles: int
    topics: int
    statements: int
    pages: int
    warnings: tuple[str, ...]


def file_digests(content: Path) -> dict[str, bytes]:
    """The SHA-256 of every file under ``content``, by its path (as
    ``content.rglob`` gives it, as text), in order of path.

    Read once a build: for the stamp (``inputs_digest``), and for the content
    check, which then reads again only the articles it has no document of
    (``article_cache.DocumentCache``: 0.4 s of an edit at 5,000 articles)."""
    digests: dict[str, bytes] = {}
    for path in sorted(p for p in content.rglob("*") if p.is_file()):
        with path.open("rb") as handle:
            digests[str(path)] = hashlib.file_digest(handle, "sha256").digest()
    return digests


def inputs_digest(
    content: Path,
    options: Mapping[str, object],
    code: Iterable[Path],
    files: Mapping[str, bytes],
) -> str:
    """SHA-256 over everything a build's output depends on.

    ``options`` are the build options that reach the output (base URL, merge
    method, strictness, the settings file's path); ``code`` the files of our
    package and theme, which go in by name and bytes; ``files``, the content's
    ``file_digests``, which go in by relative path and digest.
    """
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("stamp", str(STAMP_VERSION).encode())
    add("python", sys.version.encode())
    add("options", json.dumps(options, sort_keys=True, default=str).encode())
    for name in ENVIRONMENT:
        add(f"env:{name}", os.environ.get(name, "\0unset").encode())
    for library in LIBRARIES:
        add(f"lib:{library}", _version(library).encode())
    for path in sorted(code):
        add(f"code:{path.name}", path.read_bytes())
    for name, file_digest in files.items():
        add(f"content:{Path(name).relative_to(content).as_posix()}", file_digest)
    return digest.hexdigest()


def output_listing(output: Path) -> list[list[object]]:
    """Every file under ``output``: relative path, size, modification time
    (ns), inode; a folder's files by name, then each of its folders by name
    (as ``os.walk`` goes, top down, not into linked folders). Read with
    ``os.scandir`` and kept as text, not ``Path``: at 5,000 articles, 10,800
    files in 0.06 s, not 0.15-0.18 s (this runs at the end of every build and
    the start of a warm one)."""
    listing: list[list[object]] = []
    _list_folder(os.fspath(output), "", listing)
    return listing


def _list_folder(folder: str, prefix: str, listing: list[list[object]]) -> None:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda entry: entry.name)
    except OSError:  # as ``os.walk``: a folder that cannot be read lists nothing
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            folders.append(entry)
            continue
        info = entry.stat(follow_symlinks=False)
        listing.append([prefix + entry.name, info.st_size, info.st_mtime_ns, info.st_ino])
    for entry in folders:
        if not entry.is_symlink():
            _list_folder(entry.path, f"{prefix}{entry.name}/", listing)


def unchanged(stamp: Path, inputs: str, output: Path) -> Summary | None:
    """The last build's summary if ``output`` is what it wrote from the same ``inputs``."""
    try:
        recorded: dict[str, Any] = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("inputs") != inputs or not output.is_dir():
            return None
        if recorded.get("output") != output_listing(output):
            return None
        summary = recorded["summary"]
        return Summary(**{**summary, "warnings": tuple(summary["warnings"])})
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no stamp, or one we cannot read: build


def record(stamp: Path, inputs: str, output: Path, summary: Summary) -> None:
    """Write the stamp for a build of ``inputs`` that just wrote ``output``."""
    stamp.parent.mkdir(parents=True, exist_ok=True)
    data = {"inputs": inputs, "output": output_listing(output), "summary": asdict(summary)}
    partial = stamp.with_suffix(".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(stamp)


def forget(stamp: Path) -> None:
    """Remove the stamp (before a build changes the output)."""
    stamp.unlink(missing_ok=True)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"
