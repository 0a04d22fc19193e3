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
* ``get_writer``: Pelican's writer with reproducible feeds (``feeds.py``).

Only ``.md`` files are read (Pelican's HTML reader would publish markup as it
is), and Markdown links may only be web, mail or relative addresses.
"""

from __future__ import annotations

import datetime
import re
from html import escape
from pathlib import Path
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.readers import BaseReader

from generator.charts import describe, timeline_chart
from generator.content import read_article, read_topic
from generator.export import write_export
from generator.feeds import BriefingWriter
from generator.merge import merge_method
from generator.model import Briefing, Document, Site, Statement, Topic, Update
from generator.pipeline import merge_site
from generator.progress import progress_of
from generator.segment import segment
from generator.timings import SETTING as TIMINGS_SETTING
from generator.timings import Timings, stage


def _timings(settings: Any) -> Timings | None:
    value = settings.get(TIMINGS_SETTING) if isinstance(settings, dict) else None
    return value if isinstance(value, Timings) else None


SITE_SETTING = "BRIEFING_MERGED_SITE"
"""Setting holding a dict into which the merged ``Site`` is put (key "site"),
so ``briefing build`` can report on it without merging a second time."""

_SAFE_SCHEMES = frozenset(("http", "https", "mailto"))


def _is_safe_link(url: str) -> bool:
    """Links and images in Markdown: web addresses, mail and relative links
    only; never ``javascript:``, ``vbscript:`` or ``data:`` (markdown-it lets
    ``data:image/...`` through by default)."""
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_MARKDOWN.validateLink = _is_safe_link  # type: ignore[method-assign]


class BriefingReader(BaseReader):  # type: ignore[misc]
    """Reads articles and topic definitions (Markdown + YAML front matter)."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = Path(source_path)
        if path.parent.name == "topics":
            return self._read_topic(path)
        timings = _timings(self.settings)
        with stage(timings, "read"):
            article_file = read_article(path)
        with stage(timings, "segment"):
            document = segment(article_file)
        article = document.article
        metadata: dict[str, Any] = {
            "title": self.process_metadata("title", article.title),
            "date": self.process_metadata("date", article.date.isoformat()),
            "slug": article.slug,
            "outlet": article.outlet,
            "original_url": article.url,
            "lang": article.language,
            "document": document,
        }
        if article.author:
            metadata["author"] = self.process_metadata("author", article.author)
        with stage(timings, "markdown"):
            html = _MARKDOWN.render(article.body)
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


class TopicUpdateEntry:
    """One entry of a topic's feed, in the shape Pelican's feed writer reads
    (``title``, ``url``, ``date``, ``summary``, ``get_content``)."""

    def __init__(self, briefing: Briefing, update: Update, settings: dict[str, Any]) -> None:
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
        feed_path = self.settings.get("TOPIC_FEED_ATOM")
        if feed_path:
            for briefing in site.briefings:
                writer.write_feed(
                    [TopicUpdateEntry(briefing, update, self.settings) for update in briefing.updates],
                    self.context,
                    feed_path.format(slug=briefing.topic.slug),
                    feed_title=f"{briefing.topic.title}: updates",
                )
        with stage(_timings(self.settings), "export"):
            write_export(site, Path(self.output_path))


def add_reader(readers: Any) -> None:
    """Our reader for ``.md``, and no other: Pelican's HTML and reST readers
    would publish a file's markup as it is."""
    readers.reader_classes.clear()
    readers.reader_classes["md"] = BriefingReader


def attach_briefings(generators: list[Any]) -> None:
    """Run the merge over everything Pelican read; attach results for the templates."""
    articles = next(g for g in generators if isinstance(g, ArticlesGenerator))
    pages = next(g for g in generators if isinstance(g, PagesGenerator))
    documents: list[Document] = [a.document for a in articles.articles if hasattr(a, "document")]
    documents.sort(key=lambda d: (d.article.date, d.article.slug))
    topic_pages = sorted((p for p in pages.pages if hasattr(p, "topic")), key=lambda p: p.source_path)
    topics: list[Topic] = [p.topic for p in topic_pages]
    method = merge_method(articles.settings.get("BRIEFING_MERGE", "lexical"))
    timings = _timings(articles.settings)
    progress_of(articles.settings).stage("merge")
    site = merge_site(tuple(documents), tuple(topics), method, timings)
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


def get_generators(pelican: Any) -> type[Generator]:
    return BriefingGenerator


def add_template_filters(generator: Generator) -> None:
    """Drawing helpers the templates call (data in, coordinates out)."""
    generator.env.filters["timeline_chart"] = timeline_chart
    generator.env.filters["describe_date"] = describe


def get_writer(pelican: Any) -> type[BriefingWriter]:
    return BriefingWriter


def register() -> None:
    signals.generator_init.connect(add_template_filters)
    signals.get_writer.connect(get_writer)
    signals.readers_init.connect(add_reader)
    signals.all_generators_finalized.connect(attach_briefings)
    signals.get_generators.connect(get_generators)
