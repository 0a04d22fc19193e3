"""Stage 5a: find articles that are copies of one wire story.

Agencies (AFP, AP, Reuters) sell one story to many outlets, which print it
nearly word for word under their own names. Three outlets carrying one
agency's copy are one source, not three: when statements are ranked by how
widely they are reported, such copies must count once, and the page says
so ("carried by VOA and 2 others from the same wire copy").

Two articles are copies when their running text is near-identical
(``neardup``: MinHash of word shingles, with an LSH index, so a large
archive is not compared pair by pair). Only articles of *different*
outlets form a wire group: one outlet's own articles already count once
(see ``briefing.with_origins``).
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.model import Document
from generator.neardup import DEFAULT_THRESHOLD, near_duplicate_groups


def article_text(document: Document) -> str:
    """The running text of an article: its sentences, headings left out."""
    return " ".join(s.text for s in document.sentences if not s.is_heading)


def find_wire_copies(
    documents: Sequence[Document], threshold: float = DEFAULT_THRESHOLD
) -> tuple[tuple[str, ...], ...]:
    """Groups of article slugs (sorted) that carry one wire story under more
    than one outlet; sorted, so the result does not depend on input order."""
    outlet = {d.article.slug: d.article.outlet for d in documents}
    groups = near_duplicate_groups({d.article.slug: article_text(d) for d in documents}, threshold)
    return tuple(g for g in groups if len({outlet[slug] for slug in g}) > 1)


def origin_of(copies: Sequence[tuple[str, ...]]) -> dict[str, str]:
    """Article slug → the slug that stands for its wire story."""
    return {slug: f"wire:{group[0]}" for group in copies for slug in group}
