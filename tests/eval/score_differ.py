"""Score people, roles and disagreements of a built ``Site`` against ``disagreements.yaml``.

A found entity *matches* an annotated one when one of its spellings (or its
name) is one of the annotated spellings, case aside. Scores:

* ``entities``: annotated entities found with the right kind (recall) and
  found entities that are annotated (precision); a found entity named in
  ``not_entities`` is listed as such among the mistakes;
* ``grouping``: annotated entities split over several found ones, found ones
  that join several annotated ones, and ``not_same`` pairs joined;
* ``spellings``: (spelling, outlet) pairs, P/R, over matched entities;
* ``roles``: (person, outlet, role) triples, case aside, P/R; and the people
  whose roles per outlet are exactly right;
* ``disagreements``: annotated disagreements found (each variant matched by
  a found variant with the same articles whose text, or every source
  sentence, contains the annotated snippet) and found ones that match none.

``python -m tests.eval.score_differ`` builds the site from ``content/`` and
prints the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.model import Disagreement, Entity, Site

ANNOTATION_PATH = Path(__file__).with_name("disagreements.yaml")


class AnnotationError(ValueError):
    """The annotation file is malformed."""


@dataclass(frozen=True, slots=True)
class GoldEntity:
    name: str
    kind: str
    spellings: dict[str, frozenset[str]]
    """Spelling → outlets."""
    roles: dict[str, frozenset[str]]
    """Outlet → roles, case folded."""


@dataclass(frozen=True, slots=True)
class GoldVariant:
    text: str
    articles: frozenset[str]


@dataclass(frozen=True, slots=True)
class GoldDisagreement:
    about: str
    kind: str
    variants: tuple[GoldVariant, ...]


@dataclass(frozen=True, slots=True)
class DifferAnnotation:
    entities: tuple[GoldEntity, ...]
    not_same: tuple[tuple[str, str], ...]
    not_entities: frozenset[str]
    disagreements: tuple[GoldDisagreement, ...]


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise AnnotationError(f"{where}: expected a mapping, got {value!r}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnnotationError(f"{where}: expected a list of strings, got {value!r}")
    return value


def parse_annotation(data: Any) -> DifferAnnotation:
    data = _mapping(data, "annotation")
    entities = []
    for number, item in enumerate(data.get("entities") or []):
        where = f"entities[{number}]"
        item = _mapping(item, where)
        if item.get("kind") not in ("person", "organisation") or not isinstance(item.get("name"), str):
            raise AnnotationError(f"{where}: needs a name and kind person|organisation")
        spellings = {
            k: frozenset(_strings(v, f"{where}.spellings"))
            for k, v in _mapping(item.get("spellings"), where).items()
        }
        if not spellings:
            raise AnnotationError(f"{where}: needs at least one spelling")
        roles = {
            k: frozenset(r.casefold() for r in _strings(v, f"{where}.roles"))
            for k, v in _mapping(item.get("roles"), where).items()
        }
        entities.append(GoldEntity(item["name"], item["kind"], spellings, roles))
    not_same = []
    for pair in data.get("not_same") or []:
        names = _strings(pair, "not_same")
        if len(names) != 2:
            raise AnnotationError(f"not_same: needs two names, got {pair!r}")
        not_same.append((names[0], names[1]))
    disagreements = []
    for number, item in enumerate(data.get("disagreements") or []):
        where = f"disagreements[{number}]"
        item = _mapping(item, where)
        variants = tuple(
            GoldVariant(str(_mapping(v, where).get("text")), frozenset(_strings(v.get("articles"), where)))
            for v in item.get("variants") or []
        )
        if len(variants) < 2:
            raise AnnotationError(f"{where}: needs two or more variants")
        disagreements.append(GoldDisagreement(str(item.get("about")), str(item.get("kind")), variants))
    return DifferAnnotation(
        tuple(entities),
        tuple(not_same),
        frozenset(_strings(data.get("not_entities") or [], "not_entities")),
        tuple(disagreements),
    )


def load_annotation(path: Path = ANNOTATION_PATH) -> DifferAnnotation:
    return parse_annotation(yaml.safe_load(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------
# Scores


@dataclass(frozen=True, slots=True)
class PR:
    name: str
    tp: int
    fp: int
    fn: int
    mistakes: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass(frozen=True, slots=True)
class DifferScores:
    entities: PR
    spellings: PR
    roles: PR
    disagreements: PR
    splits: tuple[str, ...]
    """Annotated entities spread over several found entities."""
    joins: tuple[str, ...]
    """Found entities that join annotated entities or a ``not_same`` pair."""
    roles_exact: tuple[str, ...] = field(default=())
    """Annotated people whose roles per outlet are exactly right."""
    roles_wrong: tuple[str, ...] = field(default=())


def _spellings(entity: Entity) -> set[str]:
    return {entity.name.casefold(), *(v.text.casefold() for v in entity.variants)}


def _gold_of(entity: Entity, gold: Iterable[GoldEntity]) -> list[GoldEntity]:
    names = _spellings(entity)
    return [g for g in gold if names & {s.casefold() for s in g.spellings}]


def _articles(variant_sources: Iterable[Any]) -> frozenset[str]:
    return frozenset(c.article for c in variant_sources)


def _matches(found: Disagreement, gold: GoldDisagreement) -> bool:
    if found.kind != gold.kind or len(found.variants) != len(gold.variants):
        return False
    unused = list(found.variants)
    for variant in gold.variants:
        hit = next(
            (
                v
                for v in unused
                if _articles(v.sources) == variant.articles
                and (
                    variant.text.casefold() in v.text.casefold()
                    or all(variant.text.casefold() in c.text.casefold() for c in v.sources)
                )
            ),
            None,
        )
        if hit is None:
            return False
        unused.remove(hit)
    return True


def score_differ(site: Site, annotation: DifferAnnotation | None = None) -> DifferScores:
    annotation = annotation or load_annotation()
    gold = annotation.entities
    found = site.people
    matched: dict[str, list[Entity]] = {g.name: [] for g in gold}
    false_entities: list[str] = []
    joins: list[str] = []
    for entity in found:
        golds = _gold_of(entity, gold)
        if not golds:
            note = " (annotated as not an entity)" if entity.name in annotation.not_entities else ""
            false_entities.append(f"{entity.kind} {entity.name}{note}")
            continue
        if len(golds) > 1:
            joins.append(f"{entity.name} joins {', '.join(g.name for g in golds)}")
        for g in golds:
            matched[g.name].append(entity)
        for a, b in annotation.not_same:
            if {a.casefold(), b.casefold()} <= _spellings(entity):
                joins.append(f"{entity.name} joins {a} and {b}")
    wrong_kind = [
        f"{g.name}: {g.kind} found as another kind"
        for g in gold
        if matched[g.name] and all(e.kind != g.kind for e in matched[g.name])
    ]
    missed = [f"{g.name} not found" for g in gold if not matched[g.name]]
    entity_tp = sum(1 for g in gold if any(e.kind == g.kind for e in matched[g.name]))
    entities = PR(
        "entities",
        entity_tp,
        len(false_entities) + len(wrong_kind),
        len(gold) - entity_tp,
        tuple(missed + wrong_kind + [f"false: {f}" for f in false_entities]),
    )
    splits = tuple(
        f"{g.name} split into {[e.name for e in matched[g.name]]}" for g in gold if len(matched[g.name]) > 1
    )

    gold_pairs = {
        (g.name, s.casefold(), o) for g in gold for s, outlets in g.spellings.items() for o in outlets
    }
    found_pairs = {
        (g.name, v.text.casefold(), o)
        for g in gold
        for e in matched[g.name]
        for v in e.variants
        for o in v.outlets
    }
    spellings = PR(
        "spellings",
        len(gold_pairs & found_pairs),
        len(found_pairs - gold_pairs),
        len(gold_pairs - found_pairs),
        tuple(
            [f"missed {p}" for p in sorted(gold_pairs - found_pairs)]
            + [f"false {p}" for p in sorted(found_pairs - gold_pairs)]
        ),
    )

    gold_roles = {(g.name, o, r) for g in gold for o, roles in g.roles.items() for r in roles}
    found_roles = {
        (g.name, o, r.casefold())
        for g in gold
        for e in matched[g.name]
        for o, roles in e.roles_by_outlet().items()
        for r in roles
    }
    roles = PR(
        "roles",
        len(gold_roles & found_roles),
        len(found_roles - gold_roles),
        len(gold_roles - found_roles),
        tuple(
            [f"missed {t}" for t in sorted(gold_roles - found_roles)]
            + [f"false {t}" for t in sorted(found_roles - gold_roles)]
        ),
    )
    exact: list[str] = []
    wrong: list[str] = []
    for g in gold:
        if g.kind != "person" or not matched[g.name]:
            continue
        mine = {(o, r) for (name, o, r) in found_roles if name == g.name}
        theirs = {(o, r) for (name, o, r) in gold_roles if name == g.name}
        (exact if mine == theirs else wrong).append(g.name)

    found_disagreements = [d for b in site.briefings for d in b.disagreements]
    unique = list(
        {(d.kind, d.about, tuple(v.text for v in d.variants)): d for d in found_disagreements}.values()
    )
    hits = [g for g in annotation.disagreements if any(_matches(d, g) for d in unique)]
    false = [d for d in unique if not any(_matches(d, g) for g in annotation.disagreements)]
    disagreements = PR(
        "disagreements",
        len(hits),
        len(false),
        len(annotation.disagreements) - len(hits),
        tuple(
            [f"missed: {g.about}" for g in annotation.disagreements if g not in hits]
            + [f"false: {d.about}: {[v.text for v in d.variants]}" for d in false]
        ),
    )
    return DifferScores(
        entities, spellings, roles, disagreements, splits, tuple(joins), tuple(exact), tuple(wrong)
    )


def report(site: Site, annotation: DifferAnnotation | None = None) -> str:
    scores = score_differ(site, annotation)
    lines = []
    for pr in (scores.entities, scores.spellings, scores.roles, scores.disagreements):
        lines.append(
            f"{pr.name:14} P {pr.precision:.3f}  R {pr.recall:.3f}  (tp {pr.tp}, fp {pr.fp}, fn {pr.fn})"
        )
        lines.extend(f"    {m}" for m in pr.mistakes)
    lines.append(
        f"roles exact per outlet: {len(scores.roles_exact)} people; wrong: {list(scores.roles_wrong)}"
    )
    lines.append(f"splits: {list(scores.splits)}")
    lines.append(f"joins: {list(scores.joins)}")
    return "\n".join(lines)


def main() -> None:
    from generator.content import load_content
    from generator.pipeline import build_site

    print(report(build_site(load_content(Path("content")))))


if __name__ == "__main__":
    main()
