"""Stage 5: put together one briefing per topic from the merged statements.

A topic's briefing holds every statement that belongs to the topic, most
widely reported first (distinct outlets), then in the order the articles
tell them (mean position of the sources in their articles), so the page
reads from the core of the story to its details.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from generator.model import Article, Briefing, Disagreement, Entity, Statement, Topic


def statement_rank(statement: Statement) -> tuple[int, float, str]:
    """Sort key: more outlets first, then earlier in the articles, then id."""
    position = sum(c.position for c in statement.sources) / len(statement.sources)
    return (-len(statement.outlets), round(position, 6), statement.id)


def build_briefing(
    topic: Topic,
    statements: Iterable[Statement],
    articles: Sequence[Article],
    *,
    people: Iterable[Entity] = (),
    disagreements: Iterable[Disagreement] = (),
) -> Briefing:
    """The briefing of ``topic``: its statements, ranked, and the articles they cite;
    the people and disagreements of the topic, in the order given."""
    chosen = sorted((s for s in statements if topic.slug in s.topics), key=statement_rank)
    cited = {c.article for s in chosen for c in s.sources}
    sources = tuple(a for a in articles if a.slug in cited)
    return Briefing(
        topic=topic,
        statements=tuple(chosen),
        articles=sources,
        disagreements=tuple(d for d in disagreements if topic.slug in d.topics),
        people=tuple(e for e in people if topic.slug in e.topics),
    )
