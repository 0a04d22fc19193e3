"""What a published site needs besides its pages: addresses, structured data, crawler files.

A second, small Pelican plugin, kept apart from the merge plugin because it
is about hosting, not content:

* ``initialized``: keeps the site's public address as ``PUBLIC_SITEURL``
  for the templates. With ``RELATIVE_URLS`` Pelican hands each template a
  relative ``SITEURL`` (so links work at a domain root and under a project
  sub-path alike); canonical URLs, Open Graph tags and the sitemap need the
  absolute one.
* ``article_generator_finalized``: once the articles are read, before the
  merge, make what Pagefind reads of each article page
  (``search_articles_ahead``); after an edit, the article bundles are
  queued once the merge is done (``all_generators_finalized``), before
  any page is written;
* ``all_generators_finalized``, ``content_written``: take each other
  article and topic page into a search bundle (``generator.search``) as
  soon as it is written, and queue each bundle once full, so Pagefind
  indexes the first bundles while the build writes the rest;
  ``article_writer_finalized``, ``page_writer_finalized``: queue the last
  bundle of article pages, then of topic pages (a bundle holds one kind).
* ``finalized``: writes ``robots.txt`` and, when the public address is known
  (``briefing build --base-url``), ``sitemap.xml`` listing every HTML page
  but the 404 page. A sitemap must hold absolute addresses, so without one
  there is none rather than a wrong one. Then waits for the search index
  to be finished (``briefing build`` waits after Pelican's run instead,
  comparing the new pages with the published ones meanwhile:
  ``SEARCH_LATER_SETTING``). Doing this inside Pelican's run means
  ``briefing build`` (into its staging folder, before the swap), plain
  ``pelican`` and ``briefing serve`` all produce the same complete site.

The template filters ``briefing_jsonld`` and ``article_jsonld`` describe a
briefing and its source articles in schema.org terms; templates serialise
them with Jinja's ``tojson``, which escapes ``<``, ``>`` and ``&`` so no
title can close the ``<script>`` element that holds them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pelican import signals
from pelican.utils import order_content

from generator.model import Article, Briefing
from generator.parallel import workers_setting
from generator.progress import progress_of
from generator.search import (
    COPIES_DIR,
    MAX_BUNDLE_PAGES,
    Indexing,
    KeptCopies,
    abandon_indexing,
    finish_indexing,
    matching,
    page_patterns,
    saved_patterns,
)
from generator.timings import stage, timings_of

NOT_IN_SITEMAP = frozenset({"404.html"})


def public_siteurl(siteurl: str) -> str:
    """The absolute address of the site root without a trailing slash, or "" if not absolute."""
    siteurl = siteurl.strip().rstrip("/")
    return siteurl if siteurl.startswith(("https://", "http://")) else ""


def page_path(output_file: str) -> str:
    """The address of a written file relative to the site root: ``topics/x/index.html`` → ``topics/x/``."""
    path = output_file.replace("\\", "/").lstrip("/")
    if path == "index.html":
        return ""
    return path.removesuffix("/index.html") + "/" if path.endswith("/index.html") else path


def _source(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "url": article.url,
        "datePublished": article.date.isoformat(),
        "inLanguage": article.language,
        "publisher": {"@type": "Organization", "name": article.outlet},
    }
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    return data


def article_jsonld(article: Article, url: str = "") -> dict[str, Any]:
    """schema.org data for a source article's page: the article itself, at its original address."""
    data: dict[str, Any] = {"@context": "https://schema.org", **_source(article)}
    if url:
        data["mainEntityOfPage"] = url
    return data


def briefing_jsonld(briefing: Briefing, url: str = "") -> dict[str, Any]:
    """schema.org data for a briefing page: a report based on its source articles."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "headline": briefing.topic.title,
        "about": briefing.topic.title,
        "isBasedOn": [_source(article) for article in briefing.articles],
    }
    summary = briefing.topic.summary
    if summary:
        data["description"] = summary
    if briefing.updated is not None:
        data["dateModified"] = briefing.updated.isoformat()
    if url:
        data["url"] = url
    return data


def robots_txt(siteurl: str) -> str:
    """Allow everything; point at the sitemap when the site's address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if siteurl:
        lines.append(f"Sitemap: {siteurl}/sitemap.xml")
    return "\n".join(lines) + "\n"


def sitemap_xml(siteurl: str, pages: list[str]) -> str:
    """A sitemap of ``pages`` (paths relative to the root, as ``page_path`` gives them)."""
    entries = "".join(f"  <url><loc>{escape(f'{siteurl}/{page}')}</loc></url>\n" for page in sorted(pages))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )


def html_pages(output: Path) -> list[str]:
    """Every HTML page written under ``output`` that belongs in a sitemap, as a page path."""
    return sorted(
        page_path(path.relative_to(output).as_posix())
        for path in output.rglob("*.html")
        if path.relative_to(output).as_posix() not in NOT_IN_SITEMAP
    )


PAGES_SITE_LIMIT = 1_000_000_000
"""The largest site GitHub Pages publishes: "Published GitHub Pages sites may
be no larger than 1 GB" (its documented limits). The benchmark's archive
takes about 145 kB of site a source article (its page, and its share of the
briefings, outlet pages, export and search index): some 6,900 articles."""


def add_size(sizes: dict[str, int], relative: str, size: int) -> None:
    """Count ``size`` bytes of files in the folder ``relative`` (to the
    site) in its top folder's (``"name/"``, or "the top folder" for those at
    its root), as ``size_warning`` reads them."""
    top = Path(relative).parts[:1]
    where = f"{top[0]}/" if top else "the top folder"
    sizes[where] = sizes.get(where, 0) + size


def size_warning(sizes: Mapping[str, int], limit: int = PAGES_SITE_LIMIT) -> str | None:
    """Why a site of files of ``sizes`` bytes (by top folder: ``add_size``)
    may not deploy to GitHub Pages, naming its largest folders; None when it
    is no larger than ``limit`` bytes."""
    total = sum(sizes.values())
    if total <= limit:
        return None
    largest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:3]
    listed = ", ".join(f"{name} {_readable(size)}" for name, size in largest)
    return (
        f"the site is {_readable(total)}, more than the {_readable(limit)} GitHub Pages "
        f"publishes (largest: {listed}); a deploy there may fail"
    )


def _readable(size: int) -> str:
    """``size`` bytes in GB, MB or kB (decimal, as GitHub states its limits)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size / 1e3:.1f} kB"


def write_crawler_files(output: Path, siteurl: str) -> None:
    """Write ``robots.txt`` and, for an absolute ``siteurl``, ``sitemap.xml`` into ``output``."""
    (output / "robots.txt").write_text(robots_txt(siteurl), encoding="utf-8")
    if siteurl:
        (output / "sitemap.xml").write_text(sitemap_xml(siteurl, html_pages(output)), encoding="utf-8")


def keep_public_siteurl(pelican: Any) -> None:
    pelican.settings["PUBLIC_SITEURL"] = public_siteurl(str(pelican.settings.get("SITEURL", "")))


INDEXED_ARTICLES = ("ARTICLE_SAVE_AS", "ARTICLE_LANG_SAVE_AS")
INDEXED_PAGES = ("PAGE_SAVE_AS", "PAGE_LANG_SAVE_AS")
"""Pelican's settings naming the files of the pages the theme marks for search
(``data-pagefind-body``: articles and topic pages, drafts never)."""
SEARCH_CACHE = "search"
"""Subfolder of the build's cache folder holding the search bundles' indexes."""
SEARCH_SETTING = "BRIEFING_SEARCH_INDEXING"
"""Pelican setting holding the site's ``Indexing``, from the first pages
queued to ``finish`` (absent when none was started)."""


def _indexing(settings: dict[str, Any], output_path: str) -> Indexing:
    """The build's ``Indexing``, made on first use. With Pelican's content
    cache on, the bundles' indexes are kept in the build's cache folder
    (``SEARCH_CACHE``) and reused where their pages are the same; the page
    cache, if any, gives the digests of the pages it wrote."""
    from generator.page_cache import PAGE_CACHE_SETTING, PageCache  # it imports the settings, which import us

    indexing = settings.get(SEARCH_SETTING)
    if not isinstance(indexing, Indexing):
        cache = Path(settings["CACHE_PATH"]) / SEARCH_CACHE if settings.get("CACHE_CONTENT") else None
        pages = settings.get(PAGE_CACHE_SETTING)
        indexing = settings[SEARCH_SETTING] = Indexing(
            Path(output_path),
            cache,
            max_pages=int(settings.get("BRIEFING_SEARCH_BUNDLE_PAGES", MAX_BUNDLE_PAGES)),
            workers=workers_setting(settings),
            page_digests=pages.written_digest if isinstance(pages, PageCache) else None,
            published=pages.published if isinstance(pages, PageCache) else None,
        )
    return indexing


SEARCH_MAIN = '<main id="main" class="wrap" data-pagefind-body tabindex="-1">'
"""The start of the region Pagefind indexes, as ``base.html`` writes it."""


def search_articles_ahead(generator: Any) -> None:
    """Once the articles are read, before the merge: make what Pagefind is
    to read of each article page (``search_copy``) and hand them to the
    search index (``Indexing.copied``). After an edit, the article bundles
    are then queued as soon as the merge is done (``search_pages_as_written``),
    before any page is written, instead of each once its last page is: at
    5,000 articles an edit's bundle of 700-950 pages kept Pagefind busy
    3.2-3.7 s, most of it after the build had written its last page.
    (Queued before the merge, it took the core the merge's second process
    has, and the build took as long as before.) The article pages whose
    links back an edit changed no longer change their bundles either.

    An article page shows the merge only in its links back to the
    briefings, which search does not read: the copy is the page's "lang"
    and "content" blocks rendered before there is a site
    (``templates/article.html``), and Pagefind writes the same index from
    it as from the page (tested). Each copy is kept in the search cache
    under a key of what it is made from (the rendering's templates, code,
    locale and settings, ``PageCache.rendering``; the page's path and
    template; the article's title, outlet and content key): after an
    edit, only the edited article's is made.

    Only with the search cache (the copies are kept there) and where the
    page cache covers every article page's template (``PageCache.covers``:
    a theme's own may show anything); else every page is indexed as
    written."""
    from generator.article_cache import content_key  # it imports the settings, which import us
    from generator.page_cache import PAGE_CACHE_SETTING, PageCache

    settings = generator.settings
    pages = settings.get(PAGE_CACHE_SETTING)
    patterns = saved_patterns(str(settings.get(name, "")) for name in INDEXED_ARTICLES)
    if not isinstance(pages, PageCache) or not patterns:
        return
    indexing = _indexing(settings, generator.output_path)
    if indexing.cache is None:  # the content cache is off: so is the search cache
        return
    indexed = matching(patterns)
    listed = []
    for article in chain(
        generator.translations, generator.articles, generator.hidden_translations, generator.hidden_articles
    ):
        path = os.path.normpath(article.save_as).replace(os.sep, "/") if article.save_as else ""
        if not indexed.fullmatch(path):
            continue
        template = generator.get_template(article.template)
        if not pages.covers(template) or not hasattr(article, "document"):
            return
        listed.append((path, template, article))
    with stage(timings_of(settings), "search.ahead"):
        copies, rendering = KeptCopies(indexing.cache / COPIES_DIR), pages.rendering(generator.context)
        queued, new = [], set()
        for path, template, article in listed:
            shown = article.document.article
            made_from = [path, template.name, article.title, article.outlet, content_key(shown)]
            key = hashlib.sha256(rendering + json.dumps(made_from).encode("utf-8")).hexdigest()

            def make(template: Any = template, article: Any = article, path: str = path) -> bytes:
                return search_copy(template, generator.context, article=article, output_file=path)

            size, made = copies.add(key, make)
            queued.append((path, key, size))
            if made:
                new.add(path)
        indexing.copied(queued, new)


def search_copy(template: Any, context: Mapping[str, Any], **page: Any) -> bytes:
    """What Pagefind reads of the page ``template`` renders from ``context``
    and ``page``: its "lang" and "content" blocks alone, in the ``<html>``
    and ``<main>`` ``base.html`` puts them in. Pagefind reads nothing else
    of a page: not its head (the title it shows is the page's ``<h1>``),
    nor what lies outside the region it indexes."""
    rendering = template.new_context({**context, **page})
    lang = "".join(template.blocks["lang"](rendering))
    content = "".join(template.blocks["content"](rendering))
    html = f'<!DOCTYPE html>\n<html lang="{lang}">\n<body>\n{SEARCH_MAIN}\n{content}\n</main>\n</body>\n'
    return (html + "</html>\n").encode("utf-8", "surrogatepass")


def search_pages_as_written(generators: list[Any]) -> None:
    """Once every page is read and merged, before the first is written:
    start the search index (with the article bundles, if their pages'
    copies were made ahead and few changed: ``Indexing.queue_copied``),
    and hand it to every page Pelican writes (each page's context is a
    copy of the one its generators share), for ``search_written_page``."""
    if generators:
        generator = generators[0]
        indexing = generator.context[SEARCH_SETTING] = _indexing(generator.settings, generator.output_path)
        indexing.queue_copied()


def search_written_page(path: str, context: dict[str, Any]) -> None:
    """Take each article or topic page into a search bundle as soon as Pelican
    has written it: Pagefind starts on the first bundle of articles while
    the build writes the others (``Indexing.written``)."""
    indexing = context.get(SEARCH_SETTING)
    if isinstance(indexing, Indexing):
        names = (*INDEXED_ARTICLES, *INDEXED_PAGES)
        indexing.written(path, saved_patterns(str(context.get(name, "")) for name in names))


def search_written_articles(generator: Any, writer: Any = None) -> None:
    """Queue the last bundle of article pages for search once Pelican has
    written them all: Pagefind indexes it while the topic pages are rendered."""
    _search_written(generator, INDEXED_ARTICLES)


def search_written_pages(generator: Any, writer: Any = None) -> None:
    """Queue the last bundle of topic pages for search once Pelican has written them."""
    _search_written(generator, INDEXED_PAGES)


def _search_written(generator: Any, names: tuple[str, ...]) -> None:
    patterns = saved_patterns(str(generator.settings.get(name, "")) for name in names)
    if patterns:
        _indexing(generator.settings, generator.output_path).add(patterns)


def abandon_search(settings: dict[str, Any]) -> None:
    """Stop the Pagefind runs under way, if any (the build failed)."""
    indexing = settings.pop(SEARCH_SETTING, None)
    if isinstance(indexing, Indexing):
        abandon_indexing(indexing)


SEARCH_LATER_SETTING = "BRIEFING_SEARCH_LATER"
"""Setting: when true, ``finish`` leaves the search index under way for the
caller to wait for after Pelican's run (``finish_search``): ``briefing
build`` compares the new pages with the published ones meanwhile."""


def finish(pelican: Any) -> None:
    output = Path(pelican.output_path)
    write_crawler_files(output, str(pelican.settings.get("PUBLIC_SITEURL", "")))
    # Whatever the patterns match that was not queued as it was written
    # (every page, when no setting names the indexed pages).
    names = (*INDEXED_ARTICLES, *INDEXED_PAGES)
    indexing = _indexing(pelican.settings, str(output))
    indexing.add(page_patterns(str(pelican.settings.get(name, "")) for name in names))
    indexing.take_every_core()  # Pelican is done: Pagefind may have both cores
    if not pelican.settings.get(SEARCH_LATER_SETTING):
        progress_of(pelican.settings).stage("search")
        # Timed: the wait for Pagefind after everything else was written.
        with stage(timings_of(pelican.settings), "search"):
            finish_search(pelican.settings)


def finish_search(settings: dict[str, Any]) -> None:
    """Wait for the search index under way, if any; raises ``BriefingError``
    if Pagefind failed. Until it has ended, it stays in ``settings`` for
    ``abandon_search``: a build stopped while it waited here (Ctrl-C,
    SIGTERM) left its Pagefind runs going, writing into the new site's
    folder after the build had removed it."""
    indexing = settings.get(SEARCH_SETTING)
    if isinstance(indexing, Indexing):
        finish_indexing(indexing)
    settings.pop(SEARCH_SETTING, None)


def keep_ties_in_slug_order(generator: Any) -> None:
    """Articles in the order ``ARTICLE_ORDER_BY`` gives (ours: Pelican's
    "reversed-date", newest first), and those it ranks alike by slug.
    Pelican finds the files as a set, in an order that changes with each
    process, and sorts them stably: without this, the feed and the order
    the article pages are written in, and so cut into search bundles, would
    change from build to build. (Pelican's translation grouping, which
    sorted them by slug first, is off: ``settings.ARTICLE_TRANSLATION_ID``.)"""
    order_by = generator.settings.get("ARTICLE_ORDER_BY")
    for listed in ("articles", "hidden_articles", "drafts"):
        by_slug = sorted(getattr(generator, listed), key=attrgetter("slug"))
        setattr(generator, listed, order_content(by_slug, order_by))


def register() -> None:
    signals.initialized.connect(keep_public_siteurl)
    signals.article_generator_pretaxonomy.connect(keep_ties_in_slug_order)
    signals.article_generator_finalized.connect(search_articles_ahead)
    signals.all_generators_finalized.connect(search_pages_as_written)
    signals.content_written.connect(search_written_page)
    signals.article_writer_finalized.connect(search_written_articles)
    signals.page_writer_finalized.connect(search_written_pages)
    signals.finalized.connect(finish)
