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

from collections.abc import Mapping, Sequence

from generator.model import Document
from generator.neardup import DEFAULT_THRESHOLD, Fingerprint, LinkMemory, fingerprint, fingerprint_groups


def article_text(document: Document) -> str:
    """The running text of an article: its sentences, headings left out."""
    return " ".join(s.text for s in document.sentences if not s.is_heading)


def wire_fingerprint(document: Document) -> Fingerprint:
    """The MinHash fingerprint of an article's running text (one article at a time)."""
    return fingerprint(article_text(document))


def find_wire_copies(
    documents: Sequence[Document],
    threshold: float = DEFAULT_THRESHOLD,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    memory: LinkMemory | None = None,
) -> tuple[tuple[str, ...], ...]:
    """Groups of article slugs (sorted) that carry one wire story under more
    than one outlet; sorted, so the result does not depend on input order.

    ``fingerprints``: each document's ``wire_fingerprint`` by slug, if
    already computed (the pipeline computes them with the other per-article
    stages); ``memory``: the copies the last build linked, to take over
    where the articles did not change (``neardup.fingerprint_groups``)."""
    outlet = {d.article.slug: d.article.outlet for d in documents}
    if fingerprints is None:
        fingerprints = {d.article.slug: wire_fingerprint(d) for d in documents}
    groups = fingerprint_groups(fingerprints, threshold, memory)
    return tuple(g for g in groups if len({outlet[slug] for slug in g}) > 1)


def origin_of(copies: Sequence[tuple[str, ...]]) -> dict[str, str]:
    """Article slug → the slug that stands for its wire story."""
    return {slug: f"wire:{group[0]}" for group in copies for slug in group}
