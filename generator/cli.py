"""The ``briefing`` command: build, serve, import, check.

Commands are thin: they parse options, call the package's functions and
turn ``BriefingError`` into a message and an exit status. Nothing below the
CLI prints or exits.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.build import BuildOptions, BuildResult, build, check_content
from generator.content import parse_date
from generator.errors import BriefingError, ConfigError, ContentErrors
from generator.merge import MERGE_METHODS, merge_method
from generator.parallel import quiet_children
from generator.progress import NO_PROGRESS, Progress, RichProgress

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(KeyboardInterrupt):
    """The command was asked to stop by a signal other than Ctrl-C's: it
    stops as Ctrl-C stops it (``run``)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def _terminated(number: int, frame: object) -> None:
    raise Terminated(number)


def _interrupt_behind(error: BaseException) -> KeyboardInterrupt | None:
    """The interrupt (Ctrl-C, or ``Terminated``) that ``error`` is, or was
    raised while handling, if any.

    An interrupt lands wherever the build is, even inside the standard
    library: one arriving while a process pool starts its manager thread
    left the pool unable to shut down ("cannot join thread before it is
    started"), and that error, not the interrupt, reached the command
    (seen in CI: a SIGTERM that ended in "Pelican failed" and exit 1)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _reports_errors(command: F) -> F:
    """Print ``BriefingError`` as ``path:line: message`` lines and exit 1;
    on an interrupt (``_interrupt_behind``), say so and exit 128 + the
    signal's number, as a shell reports a command a signal ended."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except (KeyboardInterrupt, Exception) as exc:
            if (interrupt := _interrupt_behind(exc)) is not None:
                click.echo("interrupted; nothing was changed.", err=True)
                code = 128 + (interrupt.number if isinstance(interrupt, Terminated) else signal.SIGINT)
            elif isinstance(exc, ContentErrors):
                for problem in exc.problems:
                    click.echo(f"error: {problem}", err=True)
                click.echo(f"{len(exc.problems)} problem(s); nothing was written.", err=True)
                code = 1
            elif isinstance(exc, BriefingError):
                click.echo(f"error: {exc}", err=True)
                code = 1
            else:
                raise
            if debug:
                raise
            sys.exit(code)

    return wrapper  # type: ignore[return-value]


def _terminal_progress() -> Progress:
    """Rich progress on stderr when a person is watching: stdout and stderr are
    terminals (rich's test, which ``FORCE_COLOR``/``TTY_COMPATIBLE`` can force)
    and ``CI`` is not set. Otherwise nothing, so logs and pipes get only the
    summary line."""
    from rich.console import Console

    if os.environ.get("CI"):
        return NO_PROGRESS
    console = Console(stderr=True)
    if not (console.is_terminal and Console().is_terminal):
        return NO_PROGRESS
    return RichProgress(console)


def _settings_option(value: str | None) -> Path | None:
    if value:
        return Path(value)
    default = Path("pelicanconf.py")
    return default if default.is_file() else None


@click.group()
@click.option("--debug", is_flag=True, help="Show tracebacks and Pelican's debug log.")
def main(debug: bool) -> None:
    """Build a briefing site from a folder of news articles and topics."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s: %(message)s"
    )


def run() -> None:
    """The ``briefing`` command (the console script): ``main``, then an exit
    that skips the interpreter's clean-up.

    At exit, Python frees every object the process still holds, one by one:
    after a build of 5,000 articles, 1.7 s spent returning memory that the
    system takes back at once anyway. So once the command is done, its
    output is flushed and the process ends (``os._exit``); nothing the
    build wrote is left pending (it closes its files, and its worker
    processes and threads have ended). ``main`` itself exits as usual, for
    callers in the same process (the tests).

    For the same reason Python's cyclic collector stays off for the whole
    command, and a build (``build.collector_paused``) leaves it off: switched
    back on as the build returned, its first pass walked every object the
    build had made, to free memory that ``os._exit`` gives back at once
    (1.1 s after one edit at 5,000 articles). ``serve``, which runs on and
    builds again and again, switches it back on.

    SIGTERM (a cancelled CI job, ``timeout``, ``docker stop``) stops the
    command as Ctrl-C does, the build cleaning up after itself. Python's own
    default ended the process on the spot: the new site's half-written
    folder stayed beside the output, and the worker processes lived on, idle
    for good, holding the caller's pipes open, so whatever waited for the
    command's output waited for ever.

    The processes the build starts are born deaf to Ctrl-C, and say nothing
    if the build stops before handing them their work
    (``parallel.quiet_children``)."""
    gc.disable()
    signal.signal(signal.SIGTERM, _terminated)
    quiet_children()
    code: object = 0
    try:
        main()
    except SystemExit as exc:  # ``main`` ends with one, as a click command does
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as ``sys.exit`` does with a message
        code = 1
    if code:
        # A failed or stopped command's objects are still held, in cycles
        # through its exception's frames, among them a process pool's; the
        # collector frees them, and with them the pool's semaphores, which
        # the resource tracker otherwise reported as leaked under the
        # command's message.
        gc.collect()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


@main.command("build")
@click.option("--content", "content", default="content", show_default=True, help="Content folder.")
@click.option("--output", "output", default="output", show_default=True, help="Output folder.")
@click.option("--base-url", default="", help="Public address, e.g. https://user.github.io/repo")
@click.option("--settings", default=None, help="Pelican settings file [default: ./pelicanconf.py if any].")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--merge",
    type=click.Choice(MERGE_METHODS),
    default=None,
    help="How paraphrases merge: lexical, or semantic with the [semantic] extra [default: BRIEFING_MERGE].",
)
@click.option("--force", is_flag=True, help="Build even if nothing changed since the last build.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for the per-article stages [default: one per core]; the output is the same.",
)
@_reports_errors
def build_command(
    content: str,
    output: str,
    base_url: str,
    settings: str | None,
    strict: bool,
    merge: str | None,
    force: bool,
    jobs: int | None,
) -> None:
    """Build the site into the output folder (replaced only on success)."""
    options = BuildOptions(
        content=Path(content),
        output=Path(output),
        base_url=base_url,
        settings_file=_settings_option(settings),
        strict=strict,
        merge=merge_method(merge) if merge else None,
        progress=_terminal_progress(),
        force=force,
        workers=jobs,
    )
    result = build(options)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.up_to_date:
        click.echo(
            f"{options.output} is up to date ({result.articles} articles, {result.topics} topics, "
            f"{result.statements} statements, {result.pages} pages): nothing changed since the last "
            f"build; checked in {result.seconds:.1f} s. --force rebuilds."
        )
        return
    click.echo(
        f"Built {result.articles} articles, {result.topics} topics, {result.statements} statements, "
        f"{result.pages} pages into {options.output} in {result.seconds:.1f} s."
    )
    if result.without_address:
        click.echo(
            "note: no --base-url, so the feeds hold no address of the site (their links are relative) "
            "and there is no sitemap.xml: fine for a preview. To publish, give the site's address "
            "(--base-url https://user.github.io/repo).",
            err=True,
        )


@main.command("check")
@click.option("--content", "content", default="content", show_default=True, help="Content folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_reports_errors
def check_command(content: str, strict: bool) -> None:
    """Validate articles and topics; report every problem as path:line: message."""
    warnings = check_content(Path(content), strict=strict)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{content}: OK" + (f" ({len(warnings)} warning(s))" if warnings else ""))


@main.command("serve")
@click.option("--content", "content", default="content", show_default=True)
@click.option("--output", "output", default="output", show_default=True)
@click.option("--settings", default=None, help="Pelican settings file [default: ./pelicanconf.py if any].")
@click.option("--port", default=8000, show_default=True)
@_reports_errors
def serve_command(content: str, output: str, settings: str | None, port: int) -> None:
    """Preview on http://127.0.0.1:PORT/: rebuild on change, then reload open pages."""
    from generator.serve import ServeOptions, serve
    from generator.settings import templates_dir

    gc.enable()  # ``run`` switched it off for commands that end with their work

    settings_file = _settings_option(settings)
    options = BuildOptions(content=Path(content), output=Path(output), settings_file=settings_file)
    watched = (options.content, templates_dir(), *((settings_file,) if settings_file else ()))

    def report(result: BuildResult | BriefingError) -> None:
        if isinstance(result, BriefingError):
            click.echo(f"error: {result}", err=True)
        else:
            click.echo(f"Built {result.statements} statements in {result.seconds:.1f} s.")

    serve(
        ServeOptions(build=options, watch=watched, port=port),
        on_build=report,
        on_ready=lambda url: click.echo(f"Serving {url} (Ctrl-C to stop)"),
    )


@main.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="YAML list of files."
)
@click.option("--outlet", help="Outlet name, e.g. 'Voice of America' [default: from an HTML page].")
@click.option("--url", help="Address of the original article [default: from an HTML page].")
@click.option("--date", "date_text", help="Publication date, YYYY-MM-DD [default: from an HTML page].")
@click.option("--title", help="Headline [default: from an HTML page].")
@click.option("--author", default=None, help="Byline.")
@click.option("--language", default=None, help="Language tag [default: en].")
@click.option("--slug", default=None, help="File name to use (default: from the title).")
@click.option("--encoding", default=None, help="Encoding of the files, e.g. cp1252 [default: detected].")
@click.option("--content", "content", default="content", show_default=True, help="Content folder.")
@click.option("--force", is_flag=True, help="Overwrite articles that already exist.")
@click.option("--allow-duplicate", is_flag=True, help="Import articles already in the content folder.")
@_reports_errors
def import_command(
    files: tuple[Path, ...],
    manifest: Path | None,
    outlet: str | None,
    url: str | None,
    date_text: str | None,
    title: str | None,
    author: str | None,
    language: str | None,
    slug: str | None,
    encoding: str | None,
    content: str,
    force: bool,
    allow_duplicate: bool,
) -> None:
    """Turn scraped text (.txt), Markdown (.md) or saved web pages (.html)
    into articles under CONTENT/articles/."""
    from generator.importer import PartialMeta, import_files, import_manifest

    articles_dir = Path(content) / "articles"
    if manifest is not None:
        if files:
            raise ConfigError("give either FILES with metadata options or --manifest, not both")
        written = import_manifest(
            manifest, articles_dir, force=force, allow_duplicate=allow_duplicate, encoding=encoding
        )
    else:
        if not files:
            raise ConfigError("import needs FILES (or --manifest)")
        date = None
        if date_text:
            date = parse_date(date_text)
            if date is None:
                raise ConfigError(f"--date {date_text!r} is not a date; write it as YYYY-MM-DD")
        given = PartialMeta(
            title=title, outlet=outlet, url=url, date=date, author=author, language=language, slug=slug
        )
        written = import_files(
            list(files), given, articles_dir, force=force, allow_duplicate=allow_duplicate, encoding=encoding
        )
    for path in written:
        click.echo(f"wrote {path}")
