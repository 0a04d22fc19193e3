"""Pelican's writer, with feeds that are data-exact and reproducible.

Two small corrections to how Pelican's own ``Writer`` fills a feed:

* a feed with no entries gets the time of the build as its ``updated`` date,
  so two builds of the same content differ; here it is the time
  ``SOURCE_DATE_EPOCH`` names (https://reproducible-builds.org/specs/source-date-epoch/),
  else the Unix epoch;
* Pelican reads an entry's title as markup and strips the tags, so a headline
  about "<b>" or "a < b" loses words; here the title is the article's text
  as it is, and the feed library escapes it.

The writer also renders the pages a ``PageCache`` covers through it
(``page_cache.py``); a page the cache reuses is not written again but
hard-linked from the published site (``_open_w``, the one place Pelican's
writer opens a file: its own method, for the version pinned). The plugin
hands this class to Pelican through the ``get_writer`` signal.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pelican.writers import Writer

from generator.files import link_or_copy
from generator.page_cache import PAGE_CACHE_SETTING, PageCache

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def source_date(environ: Mapping[str, str]) -> datetime.datetime:
    """The date ``SOURCE_DATE_EPOCH`` sets (seconds since 1970, UTC), else the epoch."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    return EPOCH


class BriefingWriter(Writer):  # type: ignore[misc]
    """Pelican's ``Writer``, with stable feed dates and exact entry titles, and
    pages kept between builds where ``briefing build`` hands it a ``PageCache``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: Path | None = None
        """The published file of the page being written, when it is reused."""
        self._linked: set[str] = set()
        """The pages written as links to published files."""

    def write_file(
        self, name: str, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> None:
        pages = self.settings.get(PAGE_CACHE_SETTING)
        if isinstance(pages, PageCache):
            template = pages.template(template, self._keep)
        try:
            super().write_file(name, template, context, *args, **kwargs)
        finally:
            self._kept = None

    def _keep(self, published: Path) -> None:
        self._kept = published

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Pelican's opening of a file to write, where a page the
        ``PageCache`` reused becomes a hard link to its published file (a
        copy where links are refused), and what Pelican writes goes nowhere.
        A linked page written again is unlinked first: the published file
        must not change. A page's first write keeps Pelican's record of what
        it wrote (``_written_files``, ``_overridden_files``: Pelican 4.12's,
        as ``pyproject.toml`` pins it) as its own ``_open_w`` would."""
        kept, self._kept = self._kept, None
        if filename in self._linked:
            Path(filename).unlink()
            self._linked.discard(filename)
        if kept is not None and filename not in self._written_files:
            # A page's first write, which Pelican's own checks let through:
            # its bookkeeping, then the link, with no file made and removed
            # first (0.3-0.7 s of an edit at 5,000 articles).
            if override:
                self._overridden_files.add(filename)
            self._written_files.add(filename)
            return self._linked_to(kept, filename, encoding)
        handle = super()._open_w(filename, encoding, override)
        if kept is None or handle.name == os.devnull:
            return handle
        handle.close()
        Path(filename).unlink()
        return self._linked_to(kept, filename, encoding)

    def _linked_to(self, kept: Path, filename: str, encoding: str) -> Any:
        """``filename`` made the file ``kept`` is, and a handle for what Pelican writes, to nowhere."""
        link_or_copy(kept, filename)
        self._linked.add(filename)
        return open(os.devnull, "w", encoding=encoding)  # noqa: PTH123 (Pelican closes it)

    def _create_new_feed(self, feed_type: str, feed_title: str, context: dict[str, Any]) -> Any:
        feed = super()._create_new_feed(feed_type, feed_title, context)
        fallback = source_date(os.environ)

        def latest_post_date() -> datetime.datetime:
            dates = [d for item in feed.items for d in (item["updateddate"], item["pubdate"]) if d]
            return max(dates, default=fallback)

        feed.latest_post_date = latest_post_date
        return feed

    def _add_item_to_the_feed(self, feed: Any, item: Any) -> None:
        super()._add_item_to_the_feed(feed, item)
        feed.items[-1]["title"] = str(item.title)
