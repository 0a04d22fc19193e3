"""Stage 6: one page per outlet, from the briefings.

An outlet's page lists its articles and, per topic, the statements it is a
source of, so a reader can see what each outlet contributes to the story.
Outlet slugs come from Pelican's ``slugify`` with its default rules; two names that slugify alike
get ``-2``, ``-3`` … in name order, so every page has its own address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from generator.model import Article, Briefing, Document, Outlet, Statement, Topic


def outlet_slugs(names: Sequence[str]) -> dict[str, str]:
    """A unique URL slug for each outlet name."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        base = str(slugify(name, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])) or "outlet"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[name] = slug
    return slugs


def build_outlets(documents: Sequence[Document], briefings: Sequence[Briefing]) -> tuple[Outlet, ...]:
    """Every outlet with its articles and its statements per topic."""
    articles: dict[str, list[Article]] = defaultdict(list)
    for document in documents:
        articles[document.article.outlet].append(document.article)
    contributed: dict[str, list[tuple[Topic, tuple[Statement, ...]]]] = defaultdict(list)
    for briefing in briefings:
        by_outlet: dict[str, list[Statement]] = defaultdict(list)
        for statement in briefing.statements:
            for outlet in statement.outlets:
                by_outlet[outlet].append(statement)
        for outlet, statements in sorted(by_outlet.items()):
            contributed[outlet].append((briefing.topic, tuple(statements)))
    slugs = outlet_slugs(list(articles))
    return tuple(
        Outlet(
            name=name,
            slug=slugs[name],
            articles=tuple(sorted(articles[name], key=lambda a: (a.date, a.slug), reverse=True)),
            contributions=tuple(contributed[name]),
        )
        for name in sorted(articles)
    )
