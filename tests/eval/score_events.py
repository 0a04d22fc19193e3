"""Score the timeline of a built ``Site`` against the hand annotation in ``events.yaml``.

The annotation names each dated sentence by its key (``slug#pXsY``) and a
snippet of its text; when the key no longer points at a sentence holding the
snippet (the segmenter changed), the one sentence of that article holding it
is used instead, and a snippet no sentence holds is reported as a mistake.

A dated event is a (sentence, date, precision) triple. Two levels are scored,
each as precision and recall over those triples:

* **extraction**: what ``find_dates`` gives over every sentence of every
  article, before topics and statements;
* **timeline**: the sources of the events shown on the briefing pages
  (every topic's timeline), which is what a reader sees.

Besides: dates that must never be shown (``must_not``), sentences that must
give no date (``no_event``), and the required events (``required``), each of
which must be on some timeline with the annotated date and precision and that
sentence among its sources.

``python -m tests.eval.score_events`` builds the site from ``content/`` and
prints the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.model import Document, Site
from generator.timeline import find_dates

ANNOTATION_PATH = Path(__file__).with_name("events.yaml")

Triple = tuple[str, str, str]
"""(sentence key, date, precision)."""


@dataclass(frozen=True, slots=True)
class EventLabel:
    sentence: str
    snippet: str
    date: str
    precision: str
    required: bool


@dataclass(frozen=True, slots=True)
class EventAnnotation:
    events: tuple[EventLabel, ...]
    must_not: frozenset[str]
    no_event: tuple[tuple[str, str], ...]
    """(sentence key, snippet) of sentences that give no date."""


@dataclass(frozen=True, slots=True)
class PR:
    """Precision and recall over triples, with the mistakes."""

    found: int
    expected: int
    correct: int
    missed: tuple[Triple, ...]
    wrong: tuple[Triple, ...]

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass(frozen=True, slots=True)
class EventScores:
    extraction: PR
    timeline: PR
    must_not_shown: tuple[Triple, ...]
    """Timeline sources (or extracted dates) with a date that must never appear."""
    no_event_dated: tuple[Triple, ...]
    required_missing: tuple[EventLabel, ...]
    unlocated: tuple[str, ...]
    """Annotated snippets no sentence holds."""


def load_annotation(path: Path = ANNOTATION_PATH) -> EventAnnotation:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    events = tuple(
        EventLabel(
            sentence=item["sentence"],
            snippet=item["snippet"],
            date=str(item["date"]),
            precision=item["precision"],
            required=bool(item.get("required", False)),
        )
        for item in data["events"]
    )
    return EventAnnotation(
        events=events,
        must_not=frozenset(str(d) for d in data.get("must_not", ())),
        no_event=tuple((item["sentence"], item["snippet"]) for item in data.get("no_event", ())),
    )


def _locate(documents: Iterable[Document], key: str, snippet: str) -> str | None:
    """The key of the sentence holding ``snippet``: ``key`` itself when it still does."""
    article = key.split("#", 1)[0]
    sentences = [s for d in documents if d.article.slug == article for s in d.sentences]
    by_key = {s.key: s for s in sentences}
    if key in by_key and snippet in " ".join(by_key[key].text.split()):
        return key
    holding = [s.key for s in sentences if snippet in " ".join(s.text.split())]
    return holding[0] if len(holding) == 1 else None


def _pr(found: set[Triple], expected: set[Triple]) -> PR:
    return PR(
        found=len(found),
        expected=len(expected),
        correct=len(found & expected),
        missed=tuple(sorted(expected - found)),
        wrong=tuple(sorted(found - expected)),
    )


def score_events(site: Site, annotation: EventAnnotation | None = None) -> EventScores:
    annotation = annotation or load_annotation()
    unlocated: list[str] = []
    expected: set[Triple] = set()
    required: list[tuple[EventLabel, str]] = []
    for label in annotation.events:
        key = _locate(site.documents, label.sentence, label.snippet)
        if key is None:
            unlocated.append(f"{label.sentence}: {label.snippet}")
            continue
        expected.add((key, label.date, label.precision))
        if label.required:
            required.append((label, key))
    no_event: set[str] = set()
    for sentence, snippet in annotation.no_event:
        key = _locate(site.documents, sentence, snippet)
        if key is None:
            unlocated.append(f"{sentence}: {snippet}")
        else:
            no_event.add(key)

    extracted: set[Triple] = {
        (d.sentence, d.date, d.precision) for doc in site.documents for d in find_dates(doc)
    }
    events = [event for briefing in site.briefings for event in briefing.timeline]
    shown: set[Triple] = {
        (f"{c.article}#{c.sentence}", event.date, event.precision) for event in events for c in event.sources
    }
    missing = tuple(
        label
        for label, key in required
        if not any(
            e.date == label.date
            and e.precision == label.precision
            and key in {f"{c.article}#{c.sentence}" for c in e.sources}
            for e in events
        )
    )
    return EventScores(
        extraction=_pr(extracted, expected),
        timeline=_pr(shown, expected),
        must_not_shown=tuple(sorted(t for t in extracted | shown if t[1] in annotation.must_not)),
        no_event_dated=tuple(sorted(t for t in extracted | shown if t[0] in no_event)),
        required_missing=missing,
        unlocated=tuple(unlocated),
    )


def report(site: Site) -> str:
    scores = score_events(site)
    lines = []
    for name, pr in (("extraction", scores.extraction), ("timeline", scores.timeline)):
        lines.append(
            f"events ({name}): precision {pr.precision:.3f} ({pr.correct}/{pr.found}), "
            f"recall {pr.recall:.3f} ({pr.correct}/{pr.expected})"
        )
        lines += [f"  missed: {t}" for t in pr.missed]
        lines += [f"  wrong:  {t}" for t in pr.wrong]
    lines.append(f"must-not dates shown: {len(scores.must_not_shown)}")
    lines += [f"  {t}" for t in scores.must_not_shown]
    lines.append(f"sentences that give no date but were dated: {len(scores.no_event_dated)}")
    lines += [f"  {t}" for t in scores.no_event_dated]
    lines.append(f"required events missing: {len(scores.required_missing)}")
    lines += [f"  {label.sentence} {label.date} {label.precision}" for label in scores.required_missing]
    lines += [f"unlocated snippet: {text}" for text in scores.unlocated]
    return "\n".join(lines)


def main() -> None:
    from generator.content import load_content
    from generator.pipeline import build_site

    print(report(build_site(load_content(Path("content")))))


if __name__ == "__main__":
    main()
