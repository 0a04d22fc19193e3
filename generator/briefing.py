"""Stage 5: put together one briefing per topic from the merged statements.

A topic's briefing holds every statement that belongs to the topic, most
widely reported first (distinct outlets), then in the order the articles
tell them (mean position of the sources in their articles), so the page
reads from the core of the story to its details. Its timeline holds the
dated events of those statements (``timeline.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from generator.model import Article, Briefing, DatedSentence, Statement, Topic
from generator.timeline import build_timeline


def statement_rank(statement: Statement) -> tuple[int, float, str]:
    """Sort key: more outlets first, then earlier in the articles, then id."""
    position = sum(c.position for c in statement.sources) / len(statement.sources)
    return (-len(statement.outlets), round(position, 6), statement.id)


def build_briefing(
    topic: Topic,
    statements: Iterable[Statement],
    articles: Sequence[Article],
    dated: Sequence[DatedSentence] = (),
) -> Briefing:
    """The briefing of ``topic``: its statements, ranked, the articles they cite,
    and the timeline of the dates (``dated``) its statements give."""
    chosen = sorted((s for s in statements if topic.slug in s.topics), key=statement_rank)
    cited = {c.article for s in chosen for c in s.sources}
    sources = tuple(a for a in articles if a.slug in cited)
    timeline = build_timeline(dated, chosen)
    return Briefing(topic=topic, statements=tuple(chosen), articles=sources, timeline=timeline)
