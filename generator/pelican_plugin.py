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
* ``get_generators``: a small generator that writes the JSON export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.readers import BaseReader

from generator.content import read_article, read_topic
from generator.export import write_export
from generator.model import Document, Topic
from generator.pipeline import merge_site
from generator.segment import segment
from generator.timings import SETTING as TIMINGS_SETTING
from generator.timings import Timings, stage


def _timings(settings: Any) -> Timings | None:
    value = settings.get(TIMINGS_SETTING) if isinstance(settings, dict) else None
    return value if isinstance(value, Timings) else None


SITE_SETTING = "BRIEFING_MERGED_SITE"
"""Setting holding a dict into which the merged ``Site`` is put (key "site"),
so ``briefing build`` can report on it without merging a second time."""

_MARKDOWN = MarkdownIt("commonmark", {"html": False})


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
        return html, metadata

    def _read_topic(self, path: Path) -> tuple[str, dict[str, Any]]:
        topic = read_topic(path)
        metadata: dict[str, Any] = {
            "title": self.process_metadata("title", topic.title),
            "slug": topic.slug,
            "template": "topic",
            "topic": topic,
        }
        return _MARKDOWN.render(topic.intro), metadata


class ExportGenerator(Generator):  # type: ignore[misc]
    """Writes ``api/`` (the JSON export) from the merged site."""

    def generate_output(self, writer: Any) -> None:
        site = self.context.get("briefing_site")
        if site is not None:
            with stage(_timings(self.settings), "export"):
                write_export(site, Path(self.output_path))


def add_reader(readers: Any) -> None:
    readers.reader_classes["md"] = BriefingReader


def attach_briefings(generators: list[Any]) -> None:
    """Run the merge over everything Pelican read; attach results for the templates."""
    articles = next(g for g in generators if isinstance(g, ArticlesGenerator))
    pages = next(g for g in generators if isinstance(g, PagesGenerator))
    documents: list[Document] = [a.document for a in articles.articles if hasattr(a, "document")]
    documents.sort(key=lambda d: (d.article.date, d.article.slug))
    topic_pages = sorted((p for p in pages.pages if hasattr(p, "topic")), key=lambda p: p.source_path)
    topics: list[Topic] = [p.topic for p in topic_pages]
    timings = _timings(articles.settings)
    site = merge_site(tuple(documents), tuple(topics), timings)
    by_slug = {b.topic.slug: b for b in site.briefings}
    for page in topic_pages:
        page.briefing = by_slug[page.topic.slug]
    articles.context["briefing_site"] = site
    articles.context["topic_titles"] = {t.slug: t.title for t in topics}
    sink = articles.settings.get(SITE_SETTING)
    if isinstance(sink, dict):
        sink["site"] = site
    if timings is not None:
        timings.mark("context_done")


def get_generators(pelican: Any) -> type[Generator]:
    return ExportGenerator


def register() -> None:
    signals.readers_init.connect(add_reader)
    signals.all_generators_finalized.connect(attach_briefings)
    signals.get_generators.connect(get_generators)
