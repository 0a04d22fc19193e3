"""The Pelican plugin: hands Pelican's articles to our pipeline.

Pelican stays the engine (reading, URLs, feeds, templates, writing); this
module only uses its extension points:

* ``readers_init``: a reader for ``.md`` files that parses front matter and
  body with our own ``content``/``segment`` modules (markdown-it-py with raw
  HTML off), for articles and topic definitions alike;
* ``all_generators_finalized``: once every article and topic is read, runs
  the merge pipeline and hangs the results on Pelican's objects
  (``page.briefing``, ``article.document``) and on the shared context
  (``briefing_site``), where the templates find them;
* ``get_generators``: a small generator that writes, with Pelican's own
  writer, the outlet pages, one Atom feed per topic (an entry per update:
  the statements an article date added) and the JSON export;
* ``get_writer``: Pelican's writer with reproducible feeds (``feeds.py``);
* ``generator_init``: our template filters, and Jinja's own bytecode cache
  for each generator's templates (``cache_compiled_templates``).

Only ``.md`` files are read (Pelican's HTML reader would publish markup as it
is), and Markdown links may only be web, mail or relative addresses.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import re
import tempfile
from functools import partial
from html import escape
from pathlib import Path, PurePath
from typing import Any, ClassVar

from jinja2 import FileSystemBytecodeCache
from jinja2.bccache import Bucket
from markdown_it import MarkdownIt
from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.readers import BaseReader
from pelican.urlwrappers import Author

from generator.article_cache import DocumentsKept
from generator.charts import describe, timeline_chart
from generator.content import read_article, read_topic
from generator.export import write_export
from generator.feeds import BriefingWriter
from generator.files import link_or_copy
from generator.merge import merge_method
from generator.model import Briefing, Document, Site, Statement, Topic, Update
from generator.page_cache import PAGE_CACHE_SETTING, PageCache, plain_setting
from generator.parallel import workers_setting
from generator.pipeline import merge_site
from generator.progress import progress_of
from generator.segment import segment
from generator.timings import stage, timings_of
from generator.topics import KnownAssignment

SITE_SETTING = "BRIEFING_MERGED_SITE"
"""Setting holding a dict into which the merged ``Site`` is put (key "site"),
so ``briefing build`` can report on it without merging a second time."""

ASSIGNMENT_SETTING = "BRIEFING_KNOWN_ASSIGNMENT"
"""Setting holding a ``KnownAssignment`` from ``briefing build``'s content
check, so topics are assigned once per build; without it (plain
``pelican``), or when the content differs from what was checked, the plugin
assigns them itself."""

SEGMENTED_SETTING = "BRIEFING_SEGMENTED"
"""Setting holding the documents ``briefing build``'s content check has
already read and segmented, by the source path Pelican gives each article
(its ``PATH``, which the build resolves, joined with the article's path in
the content folder): the reader takes them instead of reading each article
a second time."""

DOCUMENTS_KEPT_SETTING = "BRIEFING_DOCUMENTS_KEPT"
"""Setting holding where ``briefing build``'s content check kept those
documents (``DocumentCache.save``: a ``DocumentsKept``), for the second
process of the merge to read them there (``pipeline.merge_site``)."""

_SAFE_SCHEMES = frozenset(("http", "https", "mailto"))


def _is_safe_link(url: str) -> bool:
    """Links and images in Markdown: web addresses, mail and relative links
    only; never ``javascript:``, ``vbscript:`` or ``data:`` (markdown-it lets
    ``data:image/...`` through by default)."""
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_MARKDOWN.validateLink = _is_safe_link  # type: ignore[method-assign]


def ascii_html(html: str) -> str:
    """``html`` with every character beyond ASCII as a character reference (``&#8217;``).

    The article's HTML is kept by Pelican for the whole build (only the
    feed shows it) and pickled into its reader cache. One curly quote makes
    CPython store a text at two bytes a character, and pickling it keeps its
    UTF-8 form beside it: at 5,000 articles, 63 MB held to the build's peak
    of memory where the ASCII text takes 21. A browser or feed reader reads
    the references as the characters."""
    return html if html.isascii() else html.encode("ascii", "xmlcharrefreplace").decode("ascii")


class BriefingReader(BaseReader):  # type: ignore[misc]
    """Reads articles and topic definitions (Markdown + YAML front matter)."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        # Pelican's reader cache pickles what ``read`` returns, and an
        # ``Author`` keeps the settings it was made with. It reads only
        # settings of plain data (its URL patterns and slug rules), so only
        # those are kept: not our build-time hand-overs (``BRIEFING_*``: the
        # merged site, the known assignment, timings), and not a function or
        # class a settings file defines (a Jinja filter), which pickles as a
        # name in that file's module: a build with another settings file
        # could not load the cache ("No module named 'mysettings'").
        self._author_settings = {
            key: value
            for key, value in settings.items()
            if not key.startswith("BRIEFING_") and _plain_data(value)
        }

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = Path(source_path)
        if path.parent.name == "topics":
            return self._read_topic(path)
        timings = timings_of(self.settings)
        article = document_of(path, self.settings).article
        metadata: dict[str, Any] = {
            "title": self.process_metadata("title", article.title),
            "date": self.process_metadata("date", article.date.isoformat()),
            "slug": article.slug,
            "outlet": article.outlet,
            "original_url": article.url,
            "lang": article.language,
        }
        if article.author:
            metadata["author"] = Author(article.author, self._author_settings)
        with stage(timings, "markdown"):
            html = ascii_html(_MARKDOWN.render(article.body))
        progress_of(self.settings).advance()
        return html, metadata

    def _read_topic(self, path: Path) -> tuple[str, dict[str, Any]]:
        topic = read_topic(path)
        metadata: dict[str, Any] = {
            "title": self.process_metadata("title", topic.title),
            "slug": topic.slug,
            "template": "topic",
            "topic": topic,
        }
        progress_of(self.settings).advance()
        return _MARKDOWN.render(topic.intro), metadata


_PLAIN_SCALARS = frozenset({str, bytes, int, float, bool, type(None), datetime.date, datetime.datetime})


def _plain_data(value: object) -> bool:
    """Whether ``value`` pickles as data alone, with no function, class or
    module of a file another process might not import: scalars, dates and
    paths of their own types (not subclasses), and lists, tuples, sets and
    dicts of them."""
    kind = type(value)
    if kind in _PLAIN_SCALARS or (isinstance(value, PurePath) and kind.__module__ == "pathlib"):
        return True
    if isinstance(value, list | tuple | set | frozenset) and kind in (list, tuple, set, frozenset):
        return all(map(_plain_data, value))
    if isinstance(value, dict) and kind is dict:
        return all(_plain_data(key) and _plain_data(item) for key, item in value.items())
    return False


def document_of(path: Path, settings: dict[str, Any]) -> Document:
    """The segmented document of the article at ``path``: the one
    ``briefing build``'s content check made (``SEGMENTED_SETTING``), or,
    without it (plain ``pelican``), read and segmented here and kept there
    for the next ask."""
    documents = settings.setdefault(SEGMENTED_SETTING, {})
    key = str(path)  # as Pelican made it: not resolved again, a few system calls for each article
    document = documents.get(key)
    if not isinstance(document, Document):
        timings = timings_of(settings)
        with stage(timings, "read"):
            article_file = read_article(path)
        with stage(timings, "segment"):
            document = documents[key] = segment(article_file)
    return document


def attach_document(content: Any) -> None:
    """``article.document`` for every Pelican article, set when the article
    is made (``content_object_init``) rather than returned by the reader as
    metadata: Pelican's reader cache pickles what ``read`` returns, and a
    document there would be pickled on every build (with a UTF-8 copy left
    behind in each non-ASCII string it holds) and, on the next build,
    unpickled as a second copy of every unchanged article beside the one the
    content check made."""
    if isinstance(content, Article):
        content.document = document_of(Path(content.source_path), content.settings)


class TopicUpdateEntry:
    """One entry of a topic's feed, in the shape Pelican's feed writer reads
    (``title``, ``url``, ``date``, ``summary``, ``get_content``)."""

    def __init__(self, briefing: Briefing, update: Update) -> None:
        count = len(update.statements)
        self.title = f"{briefing.topic.title}: {count} new statement{'s' if count != 1 else ''}"
        self.url = f"topics/{briefing.topic.slug}/#update-{update.date.isoformat()}"
        self.date = datetime.datetime.combine(update.date, datetime.time(), tzinfo=datetime.UTC)
        self.summary = escape(update.statements[0].text, quote=False)
        self._html = "<ul>" + "".join(_feed_item(s) for s in update.statements) + "</ul>"

    def get_content(self, site_url: str) -> str:
        return self._html


def _feed_item(statement: Statement) -> str:
    outlets = ", ".join(statement.outlets)
    text = f"“{statement.text}”" if statement.kind == "quote" else statement.text
    return f"<li>{escape(text, quote=False)} <em>({escape(outlets, quote=False)})</em></li>"


class BriefingGenerator(Generator):  # type: ignore[misc]
    """Writes what Pelican has no generator for: outlet pages, topic feeds
    and ``api/`` (the JSON export)."""

    def generate_output(self, writer: Any) -> None:
        site: Site | None = self.context.get("briefing_site")
        if site is None:
            return
        template = self.get_template("outlet")
        for outlet in site.outlets:
            writer.write_file(
                f"outlets/{outlet.slug}/index.html",
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                outlet=outlet,
                url=f"outlets/{outlet.slug}/",
            )
        kept = self.settings.get(PAGE_CACHE_SETTING)
        pages = kept if isinstance(kept, PageCache) else None
        feed_path = self.settings.get("TOPIC_FEED_ATOM")
        if feed_path:
            for briefing in site.briefings:
                self._write_topic_feed(writer, briefing, feed_path.format(slug=briefing.topic.slug), pages)
        with stage(timings_of(self.settings), "export"):
            write_export(site, Path(self.output_path), pages)

    def _write_topic_feed(self, writer: Any, briefing: Briefing, path: str, pages: PageCache | None) -> None:
        """Write the Atom feed of ``briefing``'s updates to ``path``; with
        ``pages``, the published feed is taken over if what it is made
        from did not change (``PageCache.file``, timed as "feed.reuse"
        and "feed.make"): the settings (the site's
        address among them), the version of the feed library, the date an
        empty feed gets, and the updates it lists."""
        title = f"{briefing.topic.title}: updates"
        # Pelican lists the first ``FEED_MAX_ITEMS`` only: the rest need no entry.
        updates = briefing.updates[: self.settings.get("FEED_MAX_ITEMS")]

        def write() -> None:
            entries = [TopicUpdateEntry(briefing, update) for update in updates]
            writer.write_feed(entries, self.context, path, feed_title=title)

        if pages is None:
            write()
            return

        def make() -> str:
            """The feed written, and its text for the cache's manifest."""
            write()
            return (Path(self.output_path) / path).read_text(encoding="utf-8")

        inputs = [
            pages.shared(self.context),
            self.context.get("SITEURL"),
            importlib.metadata.version("feedgenerator"),
            os.environ.get("SOURCE_DATE_EPOCH"),
            title,
            briefing.topic.slug,
            updates,
        ]
        made = pages.file(path, inputs, make, kind="feed")
        if isinstance(made, Path):  # the published feed, unchanged
            target = Path(self.output_path) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(made, target)


def add_reader(readers: Any) -> None:
    """Our reader for ``.md``, and no other: Pelican's HTML and reST readers
    would publish a file's markup as it is."""
    readers.reader_classes.clear()
    readers.reader_classes["md"] = BriefingReader
    readers.save_cache = partial(_save_cache_atomically, readers)


def _save_cache_atomically(cacher: Any) -> None:
    """Pelican's ``FileDataCacher.save_cache``, but written to a temporary
    file and renamed into place: a build killed mid-write, a full disk or
    two builds at once never leave a truncated cache, which Pelican would
    fail to load (``EOFError``) on every later build."""
    if not cacher._cache_data_policy:
        return
    path = Path(cacher._cache_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}-", delete=False) as raw:
            temporary = Path(raw.name)
        try:
            with cacher._cache_open(temporary, "wb") as handle:
                pickle.dump(cacher._cache, handle)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError) as exc:
        # As Pelican does: no cache is a slower build, not a failed one.
        logging.getLogger(__name__).warning("Could not save cache %s: %s", path, exc)


def attach_briefings(generators: list[Any]) -> None:
    """Run the merge over everything Pelican read; attach results for the templates."""
    articles = next(g for g in generators if isinstance(g, ArticlesGenerator))
    pages = next(g for g in generators if isinstance(g, PagesGenerator))
    documents: list[Document] = [a.document for a in articles.articles if hasattr(a, "document")]
    documents.sort(key=lambda d: (d.article.date, d.article.slug))
    topic_pages = sorted((p for p in pages.pages if hasattr(p, "topic")), key=lambda p: p.source_path)
    topics: list[Topic] = [p.topic for p in topic_pages]
    method = merge_method(articles.settings.get("BRIEFING_MERGE", "lexical"))
    timings = timings_of(articles.settings)
    known = articles.settings.get(ASSIGNMENT_SETTING)
    assignment = known.reuse(documents, topics) if isinstance(known, KnownAssignment) else None
    progress_of(articles.settings).stage("merge")
    workers = workers_setting(articles.settings)
    cache = Path(articles.settings["CACHE_PATH"]) if articles.settings.get("CACHE_CONTENT") else None
    kept = articles.settings.get(DOCUMENTS_KEPT_SETTING)
    site = merge_site(
        tuple(documents),
        tuple(topics),
        method,
        timings,
        assignment,
        workers,
        cache,
        documents_kept=kept if isinstance(kept, DocumentsKept) else None,
    )
    by_slug = {b.topic.slug: b for b in site.briefings}
    for page in topic_pages:
        page.briefing = by_slug[page.topic.slug]
    articles.context["briefing_site"] = site
    articles.context["topic_titles"] = {t.slug: t.title for t in topics}
    articles.context["outlet_slugs"] = {o.name: o.slug for o in site.outlets}
    sink = articles.settings.get(SITE_SETTING)
    if isinstance(sink, dict):
        sink["site"] = site
    if timings is not None:
        timings.mark("context_done")
    progress_of(articles.settings).stage("write")


def drop_empty_caches(pelican: Any) -> None:
    """Remove empty reader-cache files before Pelican loads them: it rejects
    a damaged cache with a warning, but an empty file (a write cut short
    before ours were atomic, or by another tool) makes it fail outright."""
    folder = Path(pelican.settings.get("CACHE_PATH") or "")
    if pelican.settings.get("LOAD_CONTENT_CACHE") and folder.is_dir():
        for cache in sorted(folder.iterdir()):
            if cache.is_file() and cache.stat().st_size == 0:
                cache.unlink(missing_ok=True)


def get_generators(pelican: Any) -> type[Generator]:
    return BriefingGenerator


def add_template_filters(generator: Generator) -> None:
    """Drawing helpers the templates call (data in, coordinates out)."""
    generator.env.filters["timeline_chart"] = timeline_chart
    generator.env.filters["describe_date"] = describe


TEMPLATES_CACHE = "templates"
"""The folder, in the reader cache's, of the compiled templates (``cache_compiled_templates``)."""


class _TemplatesCache(FileSystemBytecodeCache):
    """Jinja's bytecode cache, which a damaged or unwritable file never fails:
    as with every cache of the build, no cache is a slower build, not a
    failed one. (Jinja checks the magic and the source's checksum, but a
    file cut short after them stops the load with an error.)"""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # whatever the damage: compiled from the source, and written again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_compiled_templates(generator: Generator) -> None:
    """Keep each template compiled between builds (Jinja's bytecode cache),
    beside Pelican's reader cache: every generator has a Jinja environment of
    its own and compiled each template it uses on every build (0.2-0.3 s
    of an edit at 5,000 articles). Jinja compiles a template again when its
    source changes (it keeps the source's checksum) or Python's version
    does; the folder is named after the environment's options
    (``JINJA_ENVIRONMENT``), which the compiled code also depends on, and
    lies in the reader cache's, which is one per version of our code,
    Jinja's and Python's (``settings.cache_folder``)."""
    settings = generator.settings
    if not settings.get("CACHE_CONTENT") or not settings.get("CACHE_PATH"):
        return
    options = json.dumps(plain_setting(settings.get("JINJA_ENVIRONMENT") or {}), sort_keys=True)
    name = hashlib.sha256(options.encode()).hexdigest()[:16]
    folder = Path(settings["CACHE_PATH"], TEMPLATES_CACHE, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # compiled on every build, as without a cache
    generator.env.bytecode_cache = _TemplatesCache(str(folder))


def forget_disabled_markdown_reader(generator: Generator) -> None:
    """Without the ``markdown`` package Pelican keeps its Markdown reader as
    "disabled" and warns about every ``.md`` file that it "would have"
    read; ours reads them, so that reader is no one's concern here."""
    for extension in BriefingReader.file_extensions:
        generator.readers.disabled_readers.pop(extension, None)


def get_writer(pelican: Any) -> type[BriefingWriter]:
    return BriefingWriter


def register() -> None:
    signals.initialized.connect(drop_empty_caches)
    signals.generator_init.connect(add_template_filters)
    signals.generator_init.connect(cache_compiled_templates)
    signals.generator_init.connect(forget_disabled_markdown_reader)
    signals.get_writer.connect(get_writer)
    signals.readers_init.connect(add_reader)
    signals.content_object_init.connect(attach_document)
    signals.all_generators_finalized.connect(attach_briefings)
    signals.get_generators.connect(get_generators)
