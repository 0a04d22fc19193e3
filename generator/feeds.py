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
(``page_cache.py``). The plugin hands this class to Pelican through the
``get_writer`` signal.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from typing import Any

from pelican.writers import Writer

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

    def write_file(
        self, name: str, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> None:
        pages = self.settings.get(PAGE_CACHE_SETTING)
        if isinstance(pages, PageCache):
            template = pages.template(template)
        super().write_file(name, template, context, *args, **kwargs)

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
