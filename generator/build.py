"""Build a site: check the content, run Pelican, publish the output atomically.

``build`` first reads and validates every content file with our own reader
(so every problem is reported, then one abort), then runs Pelican with our
plugin into a new folder beside the output folder (holding no file: the
folders of the site replaced last, emptied, so that each page's folder need
not be made again: ``SPARE_SITE``), and only when that has succeeded swaps
it into place. A failed or interrupted build leaves the
previous output exactly as it was; the hosting files users keep there
(``CNAME``, ``.nojekyll``, ``.git``) are carried over to every new build.

Files whose bytes did not change are not rewritten: before the swap, each
such file in the new folder is replaced by a hard link to the old file, so
after the swap it is the very same file (same inode, same modification
time) and rsync, a web server's cache or a deploy step sees nothing new.
Pages whose inputs did not change are not even rendered: Pelican's writer
takes them from the published site (``page_cache.py``).
Everything up to the swap happens beside the output folder, so an
interruption at any point still leaves either the old site or the new one.

A build whose inputs and output are exactly as the last build left them is
skipped (``stamp.py``): the site on disk is what it would write again.
``BuildOptions.force`` builds regardless.

Progress (``progress.py``) is announced to ``BuildOptions.progress``; the
library never prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.article_cache import DocumentCache, DocumentsKept
from generator.content import Content, load_content
from generator.errors import BriefingError, ConfigError, ContentError, ContentErrors
from generator.files import link_or_copy
from generator.memory import release_free_memory
from generator.merge import MergeMethod
from generator.model import Document, Site, Topic, TopicAssignment
from generator.page_cache import PAGE_CACHE_SETTING, PageCache, plain_setting
from generator.parallel import workers_setting
from generator.progress import NO_PROGRESS, Progress
from generator.progress import SETTING as PROGRESS_SETTING
from generator.publish import add_size, size_warning
from generator.stamp import Summary, file_digests, forget, inputs_digest, record, unchanged
from generator.timings import SETTING as TIMINGS_SETTING
from generator.timings import Timings, requested, stage, timings_of
from generator.topics import KnownAssignment, assign_topics, remember

KEPT_IN_OUTPUT = (".git", "CNAME", ".nojekyll")

SPARE_SITE = "spare-site"
"""The folder in the build's cache folder that holds the folders of the
site the last build replaced, emptied of every file (``_recycle``): the
next build builds its site in them (``_claimed_staging``), so it need not
make a folder per page again, nor remove the old site's. At 5,000
articles, the 5,150 folders took 0.5-0.8 s to make and 0.4-0.8 s to
remove; emptying them takes 0.15 s."""


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What ``briefing build`` was asked to do."""

    content: Path
    output: Path
    base_url: str = ""
    settings_file: Path | None = None
    """A Pelican settings file; None uses ``generator/settings.py``."""
    strict: bool = False
    """Fail on warnings too."""
    merge: MergeMethod | None = None
    """How paraphrases merge; None keeps the settings file's ``BRIEFING_MERGE``."""
    timings: Path | None = None
    """Write stage timings as JSON here (see ``timings.py``); None: ``$BRIEFING_TIMINGS`` or off."""
    progress: Progress = NO_PROGRESS
    """Told of each stage as the build goes (see ``progress.py``); display only."""
    force: bool = False
    """Build even if nothing changed since the last build (see ``stamp.py``)."""
    workers: int | None = None
    """Processes for the per-article stages; None keeps the settings file's
    ``BRIEFING_WORKERS`` (by default one per core). Never changes the output."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    articles: int
    topics: int
    statements: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    """HTML files written."""
    up_to_date: bool = False
    """Nothing changed since the last build, so nothing was built; the counts are that build's."""
    without_address: bool = False
    """Built without the site's public address (``--base-url``, or the
    settings' ``SITEURL`` or ``FEED_DOMAIN``): the feeds' links are then
    relative, their entries' ids name no domain ("tag:None,…"), and there
    is no ``sitemap.xml``. Fine for a preview; the command says how to
    publish. Only a build sets it: an up-to-date check says nothing more."""


def content_warnings(site: Site) -> list[ContentError]:
    """Problems that do not stop a build: topics whose rules match nothing."""
    return topic_warnings(site.topics, site.assignment)


def topic_warnings(topics: Iterable[Topic], assignment: TopicAssignment) -> list[ContentError]:
    """``content_warnings`` from the topic assignment alone (no merge needed)."""
    matched = {slug for cued in assignment.cued.values() for slug in cued}
    return [
        ContentError(
            topic.path, 1, f"topic '{topic.slug}' matches no sentence; check its rules", warning=True
        )
        for topic in topics
        if topic.slug not in matched
    ]


def _checked_content(
    content_dir: Path,
    *,
    strict: bool,
    timings: Timings | None = None,
    progress: Progress = NO_PROGRESS,
    cache: Path | None = None,
    workers: int = 1,
    files: Mapping[str, bytes] | None = None,
) -> tuple[Content, tuple[Document, ...], list[str], KnownAssignment, DocumentsKept | None]:
    """Read, segment (in up to ``workers`` processes) and assign topics:
    all a check needs to report every problem. Last, where the cache keeps
    the documents (``DocumentCache.save``), if it does. ``files``: the
    content files' digests the build read for its stamp (``DocumentCache``).

    The merge is left to the Pelican run, so a build merges once, not twice;
    the segmented documents and the assignment are handed to it too
    (``SEGMENTED_SETTING``, ``ASSIGNMENT_SETTING``), so it reads, segments
    and assigns nothing twice. ``cache``, the build's cache folder, keeps
    the segmented articles and their topics for the next build
    (``DocumentCache``).
    """
    if not content_dir.is_dir():
        raise ConfigError(f"content folder {content_dir} not found")
    progress.stage("check")
    known = DocumentCache(cache, files)
    with stage(timings, "read"):
        content = load_content(content_dir, known.read_article)
    with stage(timings, "segment"):
        documents = known.segmented(content.articles, workers, content.topics)
    with stage(timings, "assign"):
        assignment = assign_topics(documents, content.topics, known.known_topics(documents, content.topics))
    warnings = topic_warnings(content.topics, assignment)
    if strict and warnings:
        raise ContentErrors(warnings)
    # Only once the check has passed: a failed build writes nothing.
    kept = known.save(documents, content.topics, assignment)
    release_free_memory()  # the documents' pickled bytes
    known_assignment = remember(documents, content.topics, assignment)
    return content, documents, [str(w) for w in warnings], known_assignment, kept


def check_content(content_dir: Path, *, strict: bool = False) -> list[str]:
    """Validate the content folder; raises ``ContentErrors``, returns warnings."""
    return _checked_content(content_dir, strict=strict)[2]


def _pelican_settings(options: BuildOptions, output: Path) -> dict[str, object]:
    from pelican.settings import read_settings

    from generator import settings as default_settings

    settings_file = options.settings_file or Path(default_settings.__file__)
    if not settings_file.is_file():
        raise ConfigError(f"settings file {settings_file} not found")
    overrides: dict[str, object] = {
        "PATH": str(options.content.resolve()),
        "OUTPUT_PATH": str(output.resolve()),
        "CACHE_PATH": str(options.content.resolve().parent / default_settings.cache_folder()),
    }
    if options.merge:
        overrides["BRIEFING_MERGE"] = options.merge
    if options.workers is not None:
        overrides["BRIEFING_WORKERS"] = max(1, options.workers)
    if options.base_url:
        overrides["SITEURL"] = options.base_url.rstrip("/")
        overrides["FEED_DOMAIN"] = options.base_url.rstrip("/")
    pelican_log = logging.getLogger("pelican.settings")
    pelican_log.addFilter(_without_feed_domain_warning)
    try:
        settings: dict[str, object] = read_settings(str(settings_file), override=overrides)
    finally:
        pelican_log.removeFilter(_without_feed_domain_warning)
    missing = _plugins_missing(settings)
    if missing:
        raise ConfigError(
            f"{settings_file}: its PLUGINS lack {' and '.join(missing)}, which build the briefing: "
            "a settings file starts with `from generator.settings import *` and adds to its "
            "PLUGINS (`PLUGINS = [*PLUGINS, ...]`)"
        )
    return settings


def _without_feed_domain_warning(record: logging.LogRecord) -> bool:
    """False for Pelican's warning that the feeds lack a domain ("Feeds
    generated without SITEURL or FEED_DOMAIN set properly may not be
    valid"), which names settings a briefing's author never sets, on every
    build without ``--base-url`` (the README's first command included):
    ``BuildResult.without_address`` tells the command, which says what to do."""
    return not record.getMessage().startswith("Feeds generated without SITEURL or FEED_DOMAIN")


def _plugins_missing(settings: dict[str, object]) -> list[str]:
    """Our plugins (``settings.PLUGINS``) that the settings' ``PLUGINS`` lack,
    by name or as modules. Without them Pelican alone builds a site of another
    kind, and failed only at its end, on a template it lacks ("unable to load
    topic.html"): after the whole content check, a minute at 20,000 articles."""
    from generator import settings as default_settings

    listed = settings.get("PLUGINS")
    named = {getattr(p, "__name__", p) for p in listed} if isinstance(listed, list | tuple) else set()
    return [plugin for plugin in default_settings.PLUGINS if plugin not in named]


def _cache_and_workers(options: BuildOptions) -> tuple[Path | None, int]:
    """The build's cache folder (Pelican's ``CACHE_PATH``), or None if the
    settings turn the content cache off (``CACHE_CONTENT``); and how many
    processes its stages may use (``BRIEFING_WORKERS``, else one per core)."""
    if not options.content.is_dir():
        return None, 1  # the check reports it
    settings = _pelican_settings(options, options.output)
    cache = Path(str(settings["CACHE_PATH"])) if settings.get("CACHE_CONTENT") else None
    return cache, workers_setting(settings)


def build(options: BuildOptions) -> BuildResult:
    """Build the site into ``options.output``; raises ``BriefingError`` on failure."""
    try:
        with collector_paused(), HeldStops() as stops:
            result = _build(options, stops)
    except BaseException:
        options.progress.finish(ok=False)
        raise
    options.progress.finish(ok=True)
    return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a build runs.

    A build makes millions of small containers (sentences, word sets,
    statements) that live until it ends; the collector walks them again and
    again and finds next to nothing to free, since the build's data holds no
    reference cycles. Measured at 1,000 articles: 14% of a rebuild's time,
    and more when results come back from the worker processes, for the same
    peak memory. Reference counting still frees everything as usual; the
    collector is switched back on afterwards if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class HeldStops:
    """Ctrl-C and SIGTERM, held from ``hold`` until the block ends.

    A build holds them once it begins to put its new site in place
    (``_build``): it then finishes, in a second or so (two renames, the old
    site's removal, the caches and the stamp saved), rather than stopping
    half-way. Stopped there, the old site stayed set aside beside the
    published new one (``.output-old``, or the output itself missing
    between the two renames), and the command said nothing was changed.
    A stop asked for meanwhile is a warning. Only the main thread receives
    signals: a build run on another (``serve``'s) holds nothing."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}
        self.asked: list[int] = []
        """The signals received while held."""

    def hold(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._note)

    def _note(self, number: int, frame: object) -> None:
        self.asked.append(number)

    def __enter__(self) -> HeldStops:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self._previous.clear()
        if self.asked:
            name = signal.Signals(self.asked[0]).name
            logging.getLogger(__name__).warning(
                "%s came as the new site was being put in place: the build finished instead", name
            )


def _build(options: BuildOptions, stops: HeldStops) -> BuildResult:
    progress = options.progress
    started = time.perf_counter()
    timings_path = requested(options.timings)
    timings = Timings() if timings_path is not None else None
    stamp, inputs, files = _stamp(options)
    last = None if options.force else unchanged(stamp, inputs, options.output)
    if last is not None:
        if timings is not None and timings_path is not None:
            timings.add("total", time.perf_counter() - started)
            timings.write(timings_path)
        return _result(last, time.perf_counter() - started, up_to_date=True)
    forget(stamp)
    from generator import settings as default_settings
    from generator.pelican_plugin import (
        ASSIGNMENT_SETTING,
        DOCUMENTS_KEPT_SETTING,
        SEGMENTED_SETTING,
        SITE_SETTING,
    )
    from generator.publish import SEARCH_LATER_SETTING, abandon_search, finish_search
    from generator.search import BUNDLE_DIR

    cache, workers = _cache_and_workers(options)
    content, documents, warnings, known, documents_kept = _checked_content(
        options.content,
        strict=options.strict,
        timings=timings.scoped("check") if timings else None,
        progress=progress,
        cache=cache,
        workers=workers,
        files=files,
    )
    merged: dict[str, Site] = {}
    output = options.output
    spare = cache / SPARE_SITE if cache is not None else None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        _recover(output)
        _remove_abandoned(output)
        staging, claim = _claimed_staging(output, spare)
    except OSError as exc:
        raise BriefingError(f"cannot write beside {output}: {exc.strerror or exc}") from exc
    settings: dict[str, object] = {}
    try:
        settings = _pelican_settings(options, staging)
        # The top folder of the theme's static files ("" at the top: then not recycled).
        theme_folder = next(iter(Path(str(settings.get("THEME_STATIC_DIR", ""))).parts), "")
        # The staging folder holds no file, only the last site's folders, to be
        # used (``SPARE_SITE``): Pelican would remove them all.
        settings["DELETE_OUTPUT_DIRECTORY"] = False
        settings[SITE_SETTING] = merged
        settings[ASSIGNMENT_SETTING] = known
        # Under the paths Pelican reads them from (``SEGMENTED_SETTING``).
        root = options.content.resolve()
        settings[SEGMENTED_SETTING] = {
            str(root / Path(d.article.path).relative_to(options.content)): d for d in documents
        }
        settings[DOCUMENTS_KEPT_SETTING] = documents_kept
        settings[PROGRESS_SETTING] = progress
        settings[SEARCH_LATER_SETTING] = True  # finished below, while the pages are compared
        progress.stage("read", total=len(content.articles) + len(content.topics))
        if timings is not None:
            settings[TIMINGS_SETTING] = timings.scoped("pelican")
            timings.mark("pelican.start")
        pages_kept = None
        if cache is not None:
            settings_file = options.settings_file or Path(default_settings.__file__)
            environment = _environment_digest(settings, settings_file)
            pages_kept = PageCache(output, cache, environment, timings_of(settings))
        settings[PAGE_CACHE_SETTING] = pages_kept
        with stage(timings, "pelican.total"):
            _run_pelican(settings)
        if timings is not None:
            timings.mark("pelican.end")
            timings.span("pelican.context", "pelican.start", "pelican.context_done")
            timings.span("pelican.output", "pelican.context_done", "pelican.end")
        progress.stage("search")
        tally = _SiteTally()
        with stage(timings, "publish"):
            # While Pagefind finishes; the last site's folders this one left empty go.
            _keep_unchanged(output, staging, tally, leave=BUNDLE_DIR, empty_kept_in=theme_folder)
        with stage(timings, "search"):
            finish_search(settings)
        progress.stage("publish")
        with stage(timings, "publish"):
            _keep_unchanged(output / BUNDLE_DIR, staging / BUNDLE_DIR, tally, under=BUNDLE_DIR)
            _carry_over(output, staging)
            too_big = size_warning(tally.sizes)  # the pages: a deploy's ``.git`` is not published
            if too_big is not None:
                if options.strict:
                    raise BriefingError(f"{too_big}; {output} was left as it was")
                warnings.append(too_big)
            staging.chmod(0o755)  # mkdtemp makes it private; a web server must read the published folder
            stops.hold()
            recycled = spare if theme_folder else None
            _swap(staging, output, recycled, leave=(BUNDLE_DIR, theme_folder, *KEPT_IN_OUTPUT))
        if pages_kept is not None:
            pages_kept.save()
    except OSError as exc:
        # A full disk, a read-only folder: the old output was never touched.
        where = f" ({exc.filename})" if exc.filename else ""
        raise BriefingError(
            f"could not write the site: {exc.strerror or exc}{where}; {output} was left as it was"
        ) from exc
    finally:
        abandon_search(settings)  # a Pagefind run a failed build left running
        shutil.rmtree(staging, ignore_errors=True)
        os.close(claim)
    if timings is not None and timings_path is not None:
        timings.add("total", time.perf_counter() - started)
        timings.write(timings_path)
    site = merged.get("site")
    briefings = site.briefings if site is not None else ()
    summary = Summary(
        articles=len(content.articles),
        topics=len(content.topics),
        statements=len({s.id for b in briefings for s in b.statements}),
        pages=tally.pages,
        warnings=tuple(warnings),
    )
    record(stamp, inputs, output, summary)
    _forget_other_versions(cache)
    _forget_temporaries_left(cache)
    without_address = not (settings.get("SITEURL") or settings.get("FEED_DOMAIN"))
    return _result(summary, time.perf_counter() - started, up_to_date=False, without_address=without_address)


LEFT_BEHIND_SECONDS = 3600
"""Age past which a temporary file or folder in the cache is one a build
killed outright left behind (``_forget_temporaries_left``): a temporary
lives for one write, or one Pagefind run over one bundle, seconds."""


def _forget_temporaries_left(cache: Path | None) -> None:
    """Remove the temporaries (names starting with ".") in the cache folder
    that are older than ``LEFT_BEHIND_SECONDS``. Every cache file is
    written to a temporary renamed into place (``files.write_atomically``)
    and each search index made in a staging folder (``search``): a build
    killed outright (SIGKILL, the out-of-memory killer) leaves its own, the
    size of what it was writing (tens of MB for the merge's pairs), and
    nothing else ever removed them. A younger one may be another build's,
    still being written."""
    if cache is None:
        return
    oldest = time.time() - LEFT_BEHIND_SECONDS
    for folder, folders, files in os.walk(cache):
        for name in [*files, *folders]:
            if not name.startswith("."):
                continue
            path = Path(folder, name)
            with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove
                if path.lstat().st_mtime < oldest:
                    if name in folders:
                        shutil.rmtree(path)
                    else:
                        path.unlink()
        # Not into the spare site's folders (``SPARE_SITE``): thousands, and none a temporary.
        skipped = SPARE_SITE if folder == str(cache) else None
        folders[:] = [name for name in folders if not name.startswith(".") and name != skipped]


def _forget_other_versions(cache: Path | None) -> None:
    """Remove the cache folders that other versions of the code left beside
    this one's (``settings.cache_folder``): none of it can be read by this
    code, and each holds every article's results, the documents and the
    search index (about 230 MB at 5,000 articles)."""
    from generator.settings import CACHE_ROOT

    if cache is None or cache.parent.name != CACHE_ROOT:
        return
    for sibling in cache.parent.iterdir():
        if sibling.name != cache.name and sibling.is_dir() and re.fullmatch(r"[0-9a-f]{16}", sibling.name):
            shutil.rmtree(sibling, ignore_errors=True)


def _result(
    summary: Summary, seconds: float, *, up_to_date: bool, without_address: bool = False
) -> BuildResult:
    """What ``build`` reports: a build's summary (this one's, or the last one's if skipped)."""
    return BuildResult(
        articles=summary.articles,
        topics=summary.topics,
        statements=summary.statements,
        seconds=seconds,
        warnings=list(summary.warnings),
        pages=summary.pages,
        up_to_date=up_to_date,
        without_address=without_address,
    )


def _stamp(options: BuildOptions) -> tuple[Path, str, dict[str, bytes]]:
    """Where the up-to-date stamp of a build into ``options.output`` lives,
    the digest of this build's inputs ("" when the build cannot start: it
    then reports why), and the digest of each content file read for it
    (``stamp.file_digests``), for the content check."""
    from generator import settings as default_settings

    output = str(options.output.resolve())
    stamp = (
        options.content.resolve().parent
        / default_settings.cache_folder()
        / "stamps"
        / f"{hashlib.sha256(output.encode()).hexdigest()[:16]}.json"
    )
    settings_file = options.settings_file or Path(default_settings.__file__)
    if not options.content.is_dir() or not settings_file.is_file():
        return stamp, "", {}
    settings = _pelican_settings(options, options.output)
    code = _code_files(settings, settings_file)
    used = {
        "output": output,
        "strict": options.strict,
        "settings": {key: plain_setting(value) for key, value in settings.items()},
    }
    files = file_digests(options.content)
    return stamp, inputs_digest(options.content, used, code, files), files


def _code_files(settings: dict[str, object], settings_file: Path) -> list[Path]:
    """Our package, the settings file and every file of every folder the
    settings take templates, static files or plugins from: a user's own
    theme or plugin is an input too."""
    from generator import settings as default_settings

    folders = [default_settings.templates_dir()]
    for name in ("THEME_TEMPLATES_OVERRIDES", "THEME_STATIC_PATHS", "PLUGIN_PATHS"):
        value = settings.get(name) or []
        folders += [Path(str(entry)) for entry in (value if isinstance(value, list | tuple) else [value])]
    folders.append(Path(str(settings.get("THEME", ""))))
    code = [*Path(default_settings.__file__).parent.glob("*.py"), settings_file]
    code += [f for folder in folders if folder.is_dir() for f in folder.rglob("*") if f.is_file()]
    return code


def _environment_digest(settings: dict[str, object], settings_file: Path) -> bytes:
    """What every page is rendered with besides its data and the versions the
    cache folder is named by (Python, Pelican, Jinja2, MarkupSafe: see
    ``settings.cache_folder``): the code and theme files (``_code_files``:
    a filter a settings file defines is keyed by its source, not its name)."""
    digest = hashlib.sha256()
    for path in sorted(_code_files(settings, settings_file)):
        data = path.read_bytes()
        digest.update(f"\0{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.digest()


def _run_pelican(settings: dict[str, object]) -> None:
    """Run Pelican; any error it logs fails the build. Its own "Done: Processed …"
    line is silenced: the caller reports the build (library code does not print)."""
    from pelican import Pelican
    from pelican.log import console

    errors = _ErrorCollector()
    logger = logging.getLogger("pelican")
    logger.addHandler(errors)
    quiet = console.quiet
    console.quiet = True
    path = list(sys.path)
    try:
        pelican = Pelican(settings)
        # Pelican puts the working folder first on ``sys.path`` (``init_path``)
        # for a settings file's plugins, which it has imported by now. Left
        # there, it would be the worker processes' too, and they import our
        # package afresh: a ``generator`` folder of the user's in its place.
        sys.path[:] = path
        pelican.run()
    except OSError:
        raise
    except Exception as exc:  # Pelican raises plain exceptions from readers and writers.
        raise BriefingError(f"Pelican failed: {exc}") from exc
    finally:
        console.quiet = quiet
        logger.removeHandler(errors)
        _forget_pelican_memos()
    if errors.messages:
        raise BriefingError("Pelican reported errors:\n  " + "\n  ".join(errors.messages))


def _forget_pelican_memos() -> None:
    """Empty the memos of Pelican's ``Content.get_content`` and ``get_summary``.

    Pelican memoizes both (``pelican.utils.memoized``) in one dict per method
    for the life of the process, keyed by the page itself, so every article
    and page of a build outlived it, and with them the documents and
    briefings our plugin attaches: the whole merged site. ``briefing serve``
    builds again and again in one process, and kept one more site on every
    rebuild (at 5,000 articles, over a million objects each time). The memo
    only saves rendering a page's content twice within one build."""
    from pelican.contents import Content

    for method in (Content.get_content, Content.get_summary):
        memo = getattr(method, "cache", None)  # ``memoized.__get__`` hands it out
        if isinstance(memo, dict):
            memo.clear()


class _ErrorCollector(logging.Handler):
    """Keeps every error Pelican logs, so a build with errors fails."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _carry_over(output: Path, staging: Path) -> None:
    for name in KEPT_IN_OUTPUT:
        kept = output / name
        if kept.is_dir():
            shutil.copytree(
                kept, staging / name, symlinks=True, dirs_exist_ok=True, copy_function=link_or_copy
            )
        elif kept.exists():
            link_or_copy(kept, staging / name)


@dataclass(slots=True)
class _SiteTally:
    """What ``_keep_unchanged`` counts of the new site as it goes through it:
    its pages, and its bytes by top folder (``publish.add_size``)."""

    pages: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


def _keep_unchanged(
    output: Path,
    staging: Path,
    tally: _SiteTally,
    *,
    leave: str = "",
    under: str = "",
    empty_kept_in: str | None = None,
) -> None:
    """Replace each file in ``staging`` whose bytes equal the file at the same
    place in ``output`` by a hard link to that file, so the swap keeps it as
    it was (inode, modification time). Works beside the output only: an
    interruption here leaves ``output`` untouched. Where the file system
    refuses hard links the new copy stays, which is merely a rewrite.
    ``leave``: a folder of ``staging``'s top level not to look into (one
    still being written). Plain strings and ``os.walk``: 10,000 files at
    5,000 articles, where ``pathlib`` took a third of the time.

    Counts the files into ``tally`` on the way, so the site is gone through
    once (``under``: the folder of the site ``staging`` is).

    With ``empty_kept_in`` (a top folder's name), removes the folders left
    empty but in that one: the folders of the last site that this one did
    not use (``_recycle``). Nothing else makes an empty folder but Pelican's
    copy of a theme's static files, which go to the one named (the setting
    ``THEME_STATIC_DIR``), and which ``_recycle`` does not keep."""
    compare = output.is_dir()
    fileless: list[str] = []  # folders with no file of their own, each before its subfolders
    for folder, folders, files in os.walk(staging):
        relative = os.path.relpath(folder, staging)
        if relative == "." and leave:
            folders[:] = [name for name in folders if name != leave]
        top = relative.partition(os.sep)[0]
        if empty_kept_in is not None and not files and top not in (".", empty_kept_in):
            fileless.append(folder)
        folders.sort()
        in_site = os.path.normpath(os.path.join(under, relative))  # noqa: PTH118
        for name in sorted(files):
            new = os.path.join(folder, name)  # noqa: PTH118 (strings: see above)
            made = os.lstat(new)
            add_size(tally.sizes, in_site, made.st_size)
            tally.pages += name.endswith(".html")
            old = os.path.normpath(os.path.join(output, relative, name))  # noqa: PTH118
            if not compare or not _copy_of(old, new, made):
                continue
            linked = os.path.join(folder, f".{name}.unchanged")  # noqa: PTH118
            try:
                os.link(old, linked, follow_symlinks=False)
            except OSError:
                continue
            os.replace(linked, new)  # noqa: PTH105
    for folder in reversed(fileless):  # a subfolder before its folder
        with contextlib.suppress(OSError):  # one that holds a folder is not empty
            os.rmdir(folder)  # noqa: PTH106


def _copy_of(old: str, new: str, made: os.stat_result) -> bool:
    """Whether ``new`` (of ``os.lstat`` ``made``) is a copy of ``old``: two
    regular files (not links), not the same one, with the same permissions
    and bytes."""
    try:
        a, b = os.lstat(old), made
    except OSError:
        return False
    if not (stat.S_ISREG(a.st_mode) and stat.S_ISREG(b.st_mode)):
        return False
    if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):  # linked already (a page reused: ``page_cache.py``)
        return False
    if a.st_size != b.st_size or stat.S_IMODE(a.st_mode) != stat.S_IMODE(b.st_mode):
        return False
    with open(old, "rb") as one, open(new, "rb") as other:  # noqa: PTH123
        while True:
            chunk = one.read(1 << 16)
            if chunk != other.read(1 << 16):
                return False
            if not chunk:
                return True


def _retired(output: Path) -> Path:
    return output.with_name(f".{output.name}-old")


def _recover(output: Path) -> None:
    """Put back an output folder that a killed build left set aside mid-swap."""
    retired = _retired(output)
    if retired.is_dir() and not output.exists():
        retired.rename(output)


_FOLDER_TAG = re.compile(r"[a-z0-9_]{8}")
"""The random part of a name ``tempfile.mkdtemp`` makes."""


def _claimed_staging(output: Path, spare: Path | None = None) -> tuple[Path, int]:
    """A new folder beside ``output`` for the site being built, and the
    descriptor by which this build holds it locked until it closes it (or
    ends, however it ends): ``_remove_abandoned`` tells a live build's
    folder from a dead one's by that lock. The folder is ``spare`` (empty
    folders: ``_recycle``), moved there, when it exists and can be moved
    (it is on the same file system); else it is empty."""
    while True:
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
        if spare is not None:
            # Before the lock: a lock is on the folder, and this replaces it.
            with contextlib.suppress(OSError):
                spare.rename(staging)
            spare = None  # taken, or not to be taken: a second try makes an empty one
        # Another build starting at the same moment may take it for
        # abandoned before it is locked, and remove it: then another.
        with contextlib.suppress(FileNotFoundError):
            claim = os.open(staging, os.O_RDONLY)
            try:
                fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(claim)
                continue
            except OSError:  # a file system without locks: no build can tell, none removes it
                pass
            return staging, claim


def _remove_abandoned(output: Path) -> None:
    """Remove what builds into ``output`` killed outright left beside it.

    SIGKILL (the out-of-memory killer, a CI job's hard timeout) runs no
    clean-up: the new site's folder stayed for good (1 GB at 20,000
    articles), and the folders of pages given to Pagefind
    (``search.Indexing._index``, named after it). A staging folder is
    abandoned if no build holds its lock (``_claimed_staging``; the system
    drops a process's locks when it ends), a Pagefind folder if its staging
    folder is gone: a live build removes its Pagefind folders before it
    publishes or removes its staging folder."""
    prefix = f".{output.name}-"
    for entry in sorted(output.parent.iterdir()):  # a staging folder before its Pagefind folders
        tag, _, pagefind = entry.name[len(prefix) :].partition(".pagefind-")
        if not entry.name.startswith(prefix) or not _FOLDER_TAG.fullmatch(tag):
            continue
        if not pagefind:
            _remove_if_abandoned(entry)
        elif _FOLDER_TAG.fullmatch(pagefind) and not entry.with_name(prefix + tag).exists():
            shutil.rmtree(entry, ignore_errors=True)


def _remove_if_abandoned(staging: Path) -> None:
    """Remove ``staging`` if no build holds it, holding it meanwhile."""
    try:
        claim = os.open(staging, os.O_RDONLY)
    except OSError:  # gone meanwhile, or not ours to read: leave it
        return
    try:
        fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live build's
        pass
    else:
        shutil.rmtree(staging, ignore_errors=True)
    finally:
        os.close(claim)


def _swap(staging: Path, output: Path, spare: Path | None = None, leave: Collection[str] = ()) -> None:
    """Put ``staging`` where ``output`` is, as close to atomically as folders allow.

    Two renames; if the second fails or is interrupted (Ctrl-C), the first is
    undone, so ``output`` is always either the old site or the new one.
    The old site is then removed, or with a ``spare``, emptied into it
    (``_recycle``; ``leave``: its top folders not to keep)."""
    if output.exists() and not output.is_dir():
        raise ConfigError(f"output {output} exists and is not a folder")
    retired = _retired(output)
    shutil.rmtree(retired, ignore_errors=True)
    if output.exists():
        output.rename(retired)
    try:
        staging.rename(output)
    except BaseException:
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    if spare is not None and retired.is_dir() and _same_device(retired, spare.parent):
        _recycle(retired, spare, leave)
    shutil.rmtree(retired, ignore_errors=True)


def _same_device(one: Path, other: Path) -> bool:
    """Whether ``one`` and ``other`` exist on the same file system (one can be renamed into the other)."""
    try:
        return one.stat().st_dev == other.stat().st_dev
    except OSError:
        return False


def _recycle(site: Path, spare: Path, leave: Collection[str]) -> None:
    """Empty ``site`` of every file and link, and move its folders to
    ``spare`` for the next build's site (``_claimed_staging``); but its top
    folders named in ``leave``, which go whole. Only a site emptied to the
    last file becomes ``spare``, so no file of an old site is ever published
    again: on any error, it stays where it is (``_swap`` removes it).

    The next build's site is then made in folders that exist already, and
    those it left empty are removed (``_keep_unchanged``)."""

    def stop(error: OSError) -> None:
        raise error  # a folder not read is a folder not emptied

    try:
        for folder, folders, files in os.walk(site, onerror=stop):
            if folder == str(site):
                for name in sorted(set(folders) & set(leave)):
                    shutil.rmtree(os.path.join(folder, name))  # noqa: PTH118 (see ``_keep_unchanged``)
                    folders.remove(name)
            for name in [*folders]:
                path = os.path.join(folder, name)  # noqa: PTH118
                if os.path.islink(path):  # noqa: PTH114 (listed as a folder, not walked into)
                    os.unlink(path)  # noqa: PTH108
                    folders.remove(name)
            for name in files:
                os.unlink(os.path.join(folder, name))  # noqa: PTH108, PTH118
        site.rename(spare)
    except OSError:
        return
