"""Pelican settings for a briefing site.

This file is itself a Pelican settings file (module-level UPPER_CASE names),
so ``briefing build`` can run without one of the user's; the repo's
``pelicanconf.py`` imports everything from here and adds the site's own
names, and plain ``pelican -s pelicanconf.py`` builds the same site.

Pelican reads ``content/articles`` as its articles and ``content/topics`` as
its pages (one briefing page per topic); our plugin does the rest.
"""

from __future__ import annotations

import hashlib
import sys
from importlib.metadata import version
from pathlib import Path

from jinja2 import StrictUndefined

from generator import search
from generator.formatting import time_tag
from generator.publish import article_jsonld, briefing_jsonld, page_path


def templates_dir() -> Path:
    """Our theme: inside the installed package, or at the top of the repo."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def cache_folder() -> str:
    """Where Pelican's reader cache goes, relative to the settings file (or,
    in ``briefing build``, to the folder holding the content folder): one
    subfolder per version of Python, our code, Pelican, markdown-it, Jinja2
    and MarkupSafe, so a cache
    written by other code (which might read or segment differently) is
    never loaded; a build deletes the subfolders of other versions."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    digest.update(f"python={sys.version}".encode())
    for package in ("pelican", "markdown-it-py", "jinja2", "markupsafe"):
        digest.update(f"{package}={version(package)}".encode())
    return f"{CACHE_ROOT}/{digest.hexdigest()[:16]}"


CACHE_ROOT = ".briefing-cache"
"""The folder holding one cache folder per version (``cache_folder``)."""


SITENAME = "Briefing"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

PLUGINS = ["generator.pelican_plugin", "generator.publish"]
THEME = "simple"
THEME_TEMPLATES_OVERRIDES = [str(templates_dir())]
THEME_STATIC_PATHS = [str(templates_dir() / "static")]
THEME_STATIC_DIR = "theme"
STATIC_PATHS: list[str] = []
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = [".git", "CNAME", ".nojekyll"]

JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    "undefined": StrictUndefined,
    "extensions": [],
}

# Warm rebuilds: Pelican keeps what our reader returned for each file (the
# rendered body and the segmented ``Document``) and reads again only files
# whose contents changed. Outside the output folder; never in the output.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "sha256"
CACHE_PATH = cache_folder()
GZIP_CACHE = False

# Source articles are Pelican articles; topics are Pelican pages.
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["topics"]
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
PAGE_URL = "topics/{slug}/"
PAGE_SAVE_AS = "topics/{slug}/index.html"
SLUGIFY_SOURCE = "basename"
ARTICLE_ORDER_BY = "reversed-date"
ARTICLE_TRANSLATION_ID = None
"""No article is a translation of another: each has a slug of its own
(``content`` refuses two alike). Pelican's default, ``"slug"``, groups the
articles by slug to find translations, then scans the list once per article
for the originals: 0.12 s at 5,000 articles and 2.0 s at 20,000, quadratic.
That grouping also sorted the articles by slug, which
``publish.keep_ties_in_slug_order`` now does: Pelican finds the files as a
set, in an order that changes with each process."""
DEFAULT_PAGINATION = False

# Only the pages a briefing site needs.
DIRECT_TEMPLATES = ["index", "404"]
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

TOPICS_IN_HEADER = 8
"""Topics the header lists on every page; with more, they fold into a
"Topics (N)" menu there (``templates/base.html``), and the home page lists
them all. A setting the templates read, so it keys every page (``page_cache``)."""

SOURCES_ON_HOME = 50
"""Source articles the home page lists, newest first; with more, it lists
these and links each outlet's page, which lists all of that outlet's."""

FOLD_LISTS_OVER = 50
"""How many items a list of a topic or outlet page shows before the rest
is folded under their count (a ``<details>`` disclosure, which a click or
a key opens):

* a topic's key points and quotes, ranked: the first 50 are shown;
* its timeline's events (the chart above shows them all), the statements
  only one outlet reports (one list per outlet, folded when they are more
  than this together) and its sources: all folded when more;
* an outlet's articles, and its statements (one list per topic, likewise).

At 5,000 articles a topic page lists 2,600 statements, 470 events and 750
sources, and a phone took seconds to lay them out before it answered
(BENCHMARKS.md, "Pages in the browser"). A link to the anchor of a folded
statement or event (an article page's link back, a mark of the chart),
and finding in the page, open its list. A setting the templates read, so
it keys every page."""

FEED_ALL_ATOM = "feeds/all.atom.xml"
TOPIC_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
"""One feed per topic (written by our plugin): an entry per update."""
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# How sentences that report the same fact in other words are merged:
# "lexical" (default, no model) or "semantic" (needs the [semantic] extra).
BRIEFING_MERGE = "lexical"
# Processes for the per-article stages (generator/parallel.py), and Pagefind
# runs at once when only the search index is left to make (generator/search.py);
# 0: one per available core. The output is the same for any number.
BRIEFING_WORKERS = 0
# Search (generator/search.py): pages per Pagefind bundle. Pagefind needs about
# 0.33 MB a page while it indexes a bundle, and the search page merges the
# bundles: a lower figure saves memory, a higher one requests.
BRIEFING_SEARCH_BUNDLE_PAGES = search.MAX_BUNDLE_PAGES
# Publishing (generator/publish.py): structured data for the templates,
# robots.txt and, when SITEURL is an absolute address, sitemap.xml.
JINJA_FILTERS = {
    "briefing_jsonld": briefing_jsonld,
    "article_jsonld": article_jsonld,
    "page_path": page_path,
    "time_tag": time_tag,
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
