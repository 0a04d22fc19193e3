"""The merge pipeline, stage by stage, from content to a ``Site``.

Each stage is a plain function over the model in ``model.py``; this module
only runs them in order, in plain sight:

1. ``segment``: Article → Document (blocks and sentences with positions);
2. ``assign_topics``: Documents + Topics → TopicAssignment;
3. ``find_quotes``: Document → Quotes with speakers;
4. ``merge_statements``: sentences of all documents → Statements;
5. ``build_briefing``: Statements → one Briefing per topic.

Nothing here imports Pelican: the plugin hands Pelican's articles to
``build_site``, and the tests call it directly.
"""

from __future__ import annotations

from generator.briefing import build_briefing
from generator.content import Content
from generator.merge import merge_statements
from generator.model import Document, Site, Topic
from generator.quotes import find_quotes
from generator.segment import segment
from generator.timings import Timings, stage
from generator.topics import assign_topics


def build_site(content: Content, timings: Timings | None = None) -> Site:
    """Run every stage over ``content`` (timing each on ``timings`` if given)."""
    with stage(timings, "segment"):
        documents = tuple(segment(article) for article in content.articles)
    return merge_site(documents, content.topics, timings)


def merge_site(
    documents: tuple[Document, ...], topics: tuple[Topic, ...], timings: Timings | None = None
) -> Site:
    """Run the stages after segmentation (the Pelican reader segments each file)."""
    with stage(timings, "assign"):
        assignment = assign_topics(documents, topics)
    with stage(timings, "quotes"):
        quotes = tuple(quote for document in documents for quote in find_quotes(document))
    with stage(timings, "merge"):
        statements = merge_statements(documents, assignment, quotes)
    articles = tuple(d.article for d in documents)
    with stage(timings, "briefing"):
        briefings = tuple(build_briefing(topic, statements, articles) for topic in topics)
    citations: dict[str, list[tuple[str, str]]] = {}
    for briefing in briefings:
        for statement in briefing.statements:
            for source in statement.sources:
                key = f"{source.article}#{source.sentence}"
                citations.setdefault(key, []).append((briefing.topic.slug, statement.id))
    return Site(
        documents=documents,
        topics=topics,
        briefings=briefings,
        assignment=assignment,
        quotes=quotes,
        citations={key: tuple(value) for key, value in sorted(citations.items())},
    )
