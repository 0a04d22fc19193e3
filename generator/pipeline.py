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
from generator.merge import MergeMethod, merge_statements
from generator.model import Document, Site, Topic
from generator.quotes import find_quotes
from generator.segment import segment
from generator.topics import assign_topics


def build_site(content: Content, merge: MergeMethod = "lexical") -> Site:
    """Run every stage over ``content``."""
    return merge_site(tuple(segment(article) for article in content.articles), content.topics, merge)


def merge_site(
    documents: tuple[Document, ...], topics: tuple[Topic, ...], merge: MergeMethod = "lexical"
) -> Site:
    """Run the stages after segmentation (the Pelican reader segments each file).

    ``merge`` is how paraphrases are found (``generator.merge``).
    """
    assignment = assign_topics(documents, topics)
    quotes = tuple(quote for document in documents for quote in find_quotes(document))
    statements = merge_statements(documents, assignment, quotes, merge)
    articles = tuple(d.article for d in documents)
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
