"""Score a built ``Site`` against the hand annotation in ``seeds.yaml``.

The annotation names sentences by article slug and a verbatim snippet; a
snippet is located in the site by finding the one sentence of that article
whose text contains it (whitespace normalised, nothing else). A snippet that
no sentence contains was cut by the segmenter, and one sentence that contains
two annotated sentences was not split: both are reported as mistakes.

Scores:

* ``score_segmentation``: annotated sentences found whole and alone (recall)
  and site sentences that are exactly one annotated sentence (precision);
* ``score_topics``: micro P/R/F1 over (sentence, topic) pairs;
* ``score_merging``: pairwise P/R/F1 over unordered pairs of sentences that
  share a statement, plus recall on the verbatim groups and the ``not_same``
  violations;
* ``score_quotes``: direct quotes found (recall) and correct (precision),
  speakers right, and quotes of no person that were given a speaker.

``report(site)`` prints them all; ``python -m tests.eval.score`` builds the
site from ``content/`` and prints the report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import yaml

from generator.model import Sentence, Site

ANNOTATION_PATH = Path(__file__).with_name("seeds.yaml")
MAX_MISTAKES_SHOWN = 25
"""Per score, in ``report``; the dataclasses keep all of them."""

GroupKind = Literal["verbatim", "paraphrase"]


# --------------------------------------------------------------------------
# The annotation


@dataclass(frozen=True, slots=True)
class Ref:
    """A sentence of the annotation: an article and a snippet of it."""

    article: str
    text: str

    def __str__(self) -> str:
        return f"{self.article}: “{_shorten(self.text)}”"


@dataclass(frozen=True, slots=True)
class SentenceLabel:
    ref: Ref
    topics: frozenset[str]


@dataclass(frozen=True, slots=True)
class Group:
    """Sentences of different articles that report the same thing."""

    kind: GroupKind
    refs: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class QuoteLabel:
    article: str
    text: str
    """The quoted words, verbatim, without the quotation marks."""
    speaker: str | None
    """Canonical full name; None when no person is speaking (a title, a name)."""
    direct: bool

    def __str__(self) -> str:
        return f"{self.article}: “{_shorten(self.text)}”"


@dataclass(frozen=True, slots=True)
class NotSame:
    """Two sentences that must never share a statement."""

    a: Ref
    b: Ref
    why: str


@dataclass(frozen=True, slots=True)
class Annotation:
    sentences: tuple[SentenceLabel, ...]
    headings: tuple[Ref, ...]
    groups: tuple[Group, ...]
    quotes: tuple[QuoteLabel, ...]
    not_same: tuple[NotSame, ...]

    @property
    def articles(self) -> frozenset[str]:
        return frozenset(label.ref.article for label in self.sentences)

    def refs(self) -> list[Ref]:
        """Every sentence reference, each once, in annotation order."""
        found: dict[Ref, None] = {}
        for label in self.sentences:
            found[label.ref] = None
        for heading in self.headings:
            found[heading] = None
        for group in self.groups:
            for ref in group.refs:
                found[ref] = None
        for pair in self.not_same:
            found[pair.a] = None
            found[pair.b] = None
        return list(found)


class AnnotationError(ValueError):
    """The annotation file is malformed."""


def _ref(item: Any, where: str) -> Ref:
    if (
        not isinstance(item, dict)
        or not isinstance(item.get("article"), str)
        or not isinstance(item.get("text"), str)
    ):
        raise AnnotationError(f"{where}: expected {{article: <slug>, text: <snippet>}}, got {item!r}")
    if not item["text"].strip():
        raise AnnotationError(f"{where}: empty snippet")
    return Ref(item["article"], item["text"])


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise AnnotationError(f"'{key}' must be a list")
    return value


def parse_annotation(data: Any) -> Annotation:
    """Build an ``Annotation`` from the parsed YAML mapping."""
    if not isinstance(data, dict):
        raise AnnotationError("the annotation must be a mapping")
    sentences: list[SentenceLabel] = []
    for number, item in enumerate(_list(data, "sentences")):
        topics = item.get("topics") if isinstance(item, dict) else None
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            raise AnnotationError(f"sentences[{number}]: 'topics' must be a list of slugs")
        sentences.append(SentenceLabel(_ref(item, f"sentences[{number}]"), frozenset(topics)))
    headings = tuple(_ref(item, f"headings[{n}]") for n, item in enumerate(_list(data, "headings")))
    groups: list[Group] = []
    for number, item in enumerate(_list(data, "same_statement")):
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in ("verbatim", "paraphrase"):
            raise AnnotationError(f"same_statement[{number}]: kind must be verbatim or paraphrase")
        refs = tuple(_ref(r, f"same_statement[{number}]") for r in item.get("refs") or [])
        if len(refs) < 2:
            raise AnnotationError(f"same_statement[{number}]: a group needs 2 or more refs")
        groups.append(Group(kind, refs))
    quotes: list[QuoteLabel] = []
    for number, item in enumerate(_list(data, "quotes")):
        ref = _ref(item, f"quotes[{number}]")
        speaker = item.get("speaker")
        direct = item.get("direct")
        if speaker is not None and not isinstance(speaker, str):
            raise AnnotationError(f"quotes[{number}]: speaker must be a name or null")
        if not isinstance(direct, bool):
            raise AnnotationError(f"quotes[{number}]: direct must be true or false")
        quotes.append(QuoteLabel(ref.article, ref.text, speaker, direct))
    not_same: list[NotSame] = []
    for number, item in enumerate(_list(data, "not_same")):
        pair = item.get("refs") if isinstance(item, dict) else None
        if not isinstance(pair, list) or len(pair) != 2:
            raise AnnotationError(f"not_same[{number}]: needs exactly two refs")
        a, b = (_ref(r, f"not_same[{number}]") for r in pair)
        not_same.append(NotSame(a, b, str(item.get("why") or "")))
    return Annotation(tuple(sentences), headings, tuple(groups), tuple(quotes), tuple(not_same))


def load_annotation(path: Path = ANNOTATION_PATH) -> Annotation:
    """Read and check an annotation file (by default ``seeds.yaml``)."""
    return parse_annotation(yaml.safe_load(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------
# Text helpers


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to one space; strip the ends."""
    return " ".join(text.split())


_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Words for comparing quotes: case, quote marks and punctuation ignored.

    Apostrophes are dropped inside words, so "nation's" and "nation’s" agree.
    """
    return _TOKEN.findall(re.sub(r"['’‘`]", "", text.casefold()))


def overlaps(a: str, b: str, threshold: float = 0.5) -> bool:
    """Do two quote texts share at least ``threshold`` of the longer's words?"""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    common = sum((Counter(ta) & Counter(tb)).values())
    return common / max(len(ta), len(tb)) >= threshold


def surname(name: str) -> str:
    """Last word of a name, lower case: "Mr Heappey" and "James Heappey" agree."""
    words = tokens(name)
    return words[-1] if words else ""


def _shorten(text: str, width: int = 90) -> str:
    text = normalise_space(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------
# Locating annotated sentences in a site


@dataclass(frozen=True, slots=True)
class Location:
    """Where each annotated ref stands in a site."""

    keys: dict[Ref, str]
    """Ref → key of the one site sentence containing it (located refs only)."""
    sentences: dict[str, Sentence]
    """Key → sentence, for every sentence of the site."""
    errors: tuple[str, ...]
    """Refs that no sentence (or more than one) contains."""

    def key(self, ref: Ref) -> str | None:
        return self.keys.get(ref)

    def describe(self, key: str) -> str:
        sentence = self.sentences.get(key)
        return f"{key} “{_shorten(sentence.text)}”" if sentence else key


def locate(site: Site, annotation: Annotation) -> Location:
    """Find the site sentence of every annotated ref."""
    by_article: dict[str, list[Sentence]] = {}
    sentences: dict[str, Sentence] = {}
    for document in site.documents:
        by_article.setdefault(document.article.slug, []).extend(document.sentences)
        for sentence in document.sentences:
            sentences[sentence.key] = sentence
    keys: dict[Ref, str] = {}
    errors: list[str] = []
    for ref in annotation.refs():
        if ref.article not in by_article:
            errors.append(f"article not in site: {ref}")
            continue
        snippet = normalise_space(ref.text)
        hits = [s for s in by_article[ref.article] if snippet in normalise_space(s.text)]
        if not hits:
            errors.append(f"no one sentence contains it (split by the segmenter?): {ref}")
        elif len(hits) > 1:
            errors.append(f"snippet is in {len(hits)} sentences, took the first: {ref}")
            keys[ref] = hits[0].key
        else:
            keys[ref] = hits[0].key
    return Location(keys, sentences, tuple(errors))


# --------------------------------------------------------------------------
# Scores


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 of one metric, with every mistake spelt out."""

    name: str
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    mistakes: tuple[str, ...]


def _prf(name: str, tp: int, fp: int, fn: int, mistakes: Iterable[str]) -> Score:
    """Precision is 0 when nothing is predicted but something is expected."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(name, precision, recall, f1, tp, fp, fn, tuple(mistakes))


@dataclass(frozen=True, slots=True)
class MergeScore(Score):
    verbatim_recall: float = 1.0
    """Recall over the pairs of ``kind: verbatim`` groups only."""
    verbatim_mistakes: tuple[str, ...] = ()
    not_same_violations: tuple[str, ...] = ()

    @property
    def violations(self) -> int:
        return len(self.not_same_violations)


@dataclass(frozen=True, slots=True)
class QuoteScore(Score):
    """``recall`` is the fraction of annotated direct quotes found."""

    speaker_accuracy: float = 1.0
    """Fraction of annotated direct quotes found with the right speaker."""
    speaker_mistakes: tuple[str, ...] = ()
    non_person_with_speaker: tuple[str, ...] = ()
    """Quotes of no person (titles, names, a government's words) given a speaker."""
    partial_speaker_accuracy: float = 1.0
    """For information only: partial quotes of a person (a word or phrase)
    found with the right speaker."""

    @property
    def found(self) -> float:
        return self.recall


def score_segmentation(site: Site, annotation: Annotation, location: Location | None = None) -> Score:
    """Are the annotated sentences the site's sentences, one to one?

    Recall: annotated sentences and headings that stand alone in one site
    sentence of the right kind. Precision: sentences of the annotated articles
    that hold exactly one annotated sentence, of the right kind.
    """
    location = location or locate(site, annotation)
    mistakes = list(location.errors)
    expected_heading: dict[Ref, bool] = {label.ref: False for label in annotation.sentences}
    expected_heading.update({ref: True for ref in annotation.headings})
    holders: dict[str, list[Ref]] = {}
    for ref in expected_heading:
        key = location.key(ref)
        if key is not None:
            holders.setdefault(key, []).append(ref)
    tp = 0
    good_keys: set[str] = set()
    for key, refs in holders.items():
        sentence = location.sentences[key]
        if len(refs) > 1:
            mistakes.append(f"not split: {len(refs)} annotated sentences in {location.describe(key)}")
            continue
        wanted = expected_heading[refs[0]]
        if sentence.is_heading != wanted:
            what = "a heading" if wanted else "a statement"
            mistakes.append(f"should be {what}: {location.describe(key)}")
            continue
        tp += 1
        good_keys.add(key)
    fn = len(expected_heading) - tp
    site_keys = [
        s.key
        for document in site.documents
        if document.article.slug in annotation.articles
        for s in document.sentences
    ]
    for key in site_keys:
        if key not in holders:
            mistakes.append(f"not an annotated sentence (furniture or a fragment): {location.describe(key)}")
    fp = sum(1 for key in site_keys if key not in good_keys)
    return _prf("segmentation", tp, fp, fn, mistakes)


def score_topics(site: Site, annotation: Annotation, location: Location | None = None) -> Score:
    """Micro P/R/F1 over (sentence, topic) pairs; headings are not scored."""
    location = location or locate(site, annotation)
    tp = fp = fn = 0
    mistakes: list[str] = []
    for label in annotation.sentences:
        key = location.key(label.ref)
        if key is None:
            fn += len(label.topics)
            if label.topics:
                mistakes.append(f"unlocated, topics {sorted(label.topics)} not found: {label.ref}")
            continue
        got = site.assignment.of(location.sentences[key])
        tp += len(got & label.topics)
        for topic in sorted(label.topics - got):
            fn += 1
            mistakes.append(f"missing {topic}: {label.ref}")
        for topic in sorted(got - label.topics):
            fp += 1
            mistakes.append(f"extra {topic}: {label.ref}")
    return _prf("topics", tp, fp, fn, mistakes)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def statement_pairs(site: Site) -> set[tuple[str, str]]:
    """Unordered pairs of sentence keys that share a statement."""
    seen: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for briefing in site.briefings:
        for statement in briefing.statements:
            if statement.id in seen:
                continue
            seen.add(statement.id)
            keys = sorted({f"{c.article}#{c.sentence}" for c in statement.sources})
            pairs.update(_pair(a, b) for a, b in combinations(keys, 2))
    return pairs


def _gold_pairs(
    groups: Sequence[Group], location: Location, mistakes: list[str]
) -> tuple[set[tuple[str, str]], int]:
    """Pairs implied by the groups, and how many pairs could not be located."""
    pairs: set[tuple[str, str]] = set()
    unlocated = 0
    for group in groups:
        for a, b in combinations(group.refs, 2):
            key_a, key_b = location.key(a), location.key(b)
            if key_a is None or key_b is None or key_a == key_b:
                unlocated += 1
                mistakes.append(f"pair not scorable (unlocated ref): {a} + {b}")
            else:
                pairs.add(_pair(key_a, key_b))
    return pairs, unlocated


def score_merging(site: Site, annotation: Annotation, location: Location | None = None) -> MergeScore:
    """Pairwise P/R/F1 of statement merging against the ``same_statement`` groups."""
    location = location or locate(site, annotation)
    predicted = statement_pairs(site)
    mistakes: list[str] = []
    gold, unlocated = _gold_pairs(annotation.groups, location, mistakes)
    tp = len(predicted & gold)
    for a, b in sorted(gold - predicted):
        mistakes.append(f"not merged: {location.describe(a)} + {location.describe(b)}")
    for a, b in sorted(predicted - gold):
        mistakes.append(f"wrongly merged: {location.describe(a)} + {location.describe(b)}")
    fn = len(gold - predicted) + unlocated
    fp = len(predicted - gold)
    base = _prf("merging", tp, fp, fn, mistakes)

    verbatim_mistakes: list[str] = []
    verbatim_gold, verbatim_unlocated = _gold_pairs(
        [g for g in annotation.groups if g.kind == "verbatim"], location, verbatim_mistakes
    )
    verbatim_found = len(verbatim_gold & predicted)
    verbatim_total = len(verbatim_gold) + verbatim_unlocated
    for a, b in sorted(verbatim_gold - predicted):
        verbatim_mistakes.append(f"verbatim not merged: {location.describe(a)} + {location.describe(b)}")

    violations: list[str] = []
    for pair in annotation.not_same:
        key_a, key_b = location.key(pair.a), location.key(pair.b)
        if key_a is None or key_b is None:
            continue  # reported by locate()
        if key_a == key_b:
            violations.append(f"in one site sentence ({pair.why}): {location.describe(key_a)}")
        elif _pair(key_a, key_b) in predicted:
            violations.append(f"merged ({pair.why}): {location.describe(key_a)} + {location.describe(key_b)}")
    return MergeScore(
        base.name,
        base.precision,
        base.recall,
        base.f1,
        base.true_positives,
        base.false_positives,
        base.false_negatives,
        base.mistakes,
        verbatim_recall=verbatim_found / verbatim_total if verbatim_total else 1.0,
        verbatim_mistakes=tuple(verbatim_mistakes),
        not_same_violations=tuple(violations),
    )


def _article_of(sentence_key: str) -> str:
    return sentence_key.split("#", 1)[0]


def score_quotes(site: Site, annotation: Annotation) -> QuoteScore:
    """Direct quotes found, their speakers, and speakers given to no one's words.

    A site quote matches an annotated one when it stands in the same article
    and their words overlap (``overlaps``: case, quote marks and punctuation
    ignored). Speakers are compared by surname, case-insensitively.
    """
    articles = annotation.articles
    site_quotes = [q for q in site.quotes if _article_of(q.sentence) in articles]
    direct_labels = [label for label in annotation.quotes if label.direct]
    mistakes: list[str] = []
    speaker_mistakes: list[str] = []
    found = right_speaker = 0
    for label in direct_labels:
        matches = [
            q
            for q in site_quotes
            if q.is_direct and _article_of(q.sentence) == label.article and overlaps(q.text, label.text)
        ]
        if not matches:
            partial = [
                q
                for q in site_quotes
                if _article_of(q.sentence) == label.article and overlaps(q.text, label.text)
            ]
            why = "found but not marked direct" if partial else "not found"
            mistakes.append(f"direct quote {why}: {label}")
            continue
        found += 1
        wanted = surname(label.speaker) if label.speaker else ""
        speakers = [q.speaker for q in matches]
        if any(s is not None and surname(s) == wanted for s in speakers) or (
            label.speaker is None and all(s is None for s in speakers)
        ):
            right_speaker += 1
        else:
            speaker_mistakes.append(f"speaker {speakers} instead of {label.speaker!r}: {label}")
    fp = 0
    for quote in site_quotes:
        if quote.is_direct and not any(
            label.article == _article_of(quote.sentence) and overlaps(quote.text, label.text)
            for label in direct_labels
        ):
            fp += 1
            mistakes.append(f"not a direct quote: {quote.sentence} “{_shorten(quote.text)}”")
    non_person: list[str] = []
    for label in annotation.quotes:
        if label.speaker is not None:
            continue
        for quote in site_quotes:
            if (
                _article_of(quote.sentence) == label.article
                and quote.speaker is not None
                and overlaps(quote.text, label.text)
            ):
                non_person.append(f"given speaker {quote.speaker!r}: {label}")
    partial_labels = [label for label in annotation.quotes if not label.direct and label.speaker]
    partial_right = sum(
        1
        for label in partial_labels
        if any(
            _article_of(q.sentence) == label.article
            and overlaps(q.text, label.text)
            and q.speaker is not None
            and surname(q.speaker) == surname(label.speaker or "")
            for q in site_quotes
        )
    )
    base = _prf("quotes", found, fp, len(direct_labels) - found, mistakes + speaker_mistakes)
    return QuoteScore(
        base.name,
        base.precision,
        base.recall,
        base.f1,
        base.true_positives,
        base.false_positives,
        base.false_negatives,
        base.mistakes,
        speaker_accuracy=right_speaker / len(direct_labels) if direct_labels else 1.0,
        speaker_mistakes=tuple(speaker_mistakes),
        non_person_with_speaker=tuple(non_person),
        partial_speaker_accuracy=partial_right / len(partial_labels) if partial_labels else 1.0,
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """All scores of one site."""

    location: Location
    segmentation: Score
    topics: Score
    merging: MergeScore
    quotes: QuoteScore


def score_site(site: Site, annotation: Annotation | None = None) -> Scores:
    annotation = annotation or load_annotation()
    location = locate(site, annotation)
    return Scores(
        location=location,
        segmentation=score_segmentation(site, annotation, location),
        topics=score_topics(site, annotation, location),
        merging=score_merging(site, annotation, location),
        quotes=score_quotes(site, annotation),
    )


def _row(name: str, score: Score, notes: str) -> str:
    return f"{name:<14} {score.precision:>6.3f} {score.recall:>6.3f} {score.f1:>6.3f}  {notes}"


def _listing(title: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    lines = [f"{title} ({len(items)}):"]
    lines += [f"  - {item}" for item in items[:MAX_MISTAKES_SHOWN]]
    if len(items) > MAX_MISTAKES_SHOWN:
        lines.append(f"  … and {len(items) - MAX_MISTAKES_SHOWN} more")
    return lines


def report(site: Site, annotation: Annotation | None = None) -> str:
    """All scores as a small table, followed by the mistakes of each."""
    scores = score_site(site, annotation)
    seg, top, merge, quotes = scores.segmentation, scores.topics, scores.merging, scores.quotes
    lines = [
        f"{'metric':<14} {'P':>6} {'R':>6} {'F1':>6}  notes",
        "-" * 72,
        _row("segmentation", seg, f"{len(scores.location.errors)} refs not located"),
        _row("topics", top, f"tp={top.true_positives} fp={top.false_positives} fn={top.false_negatives}"),
        _row(
            "merging",
            merge,
            f"verbatim recall={merge.verbatim_recall:.3f} not_same violations={merge.violations}",
        ),
        _row(
            "quotes",
            quotes,
            f"speaker={quotes.speaker_accuracy:.3f} "
            f"non-person with speaker={len(quotes.non_person_with_speaker)} "
            f"(partial quotes' speaker={quotes.partial_speaker_accuracy:.3f})",
        ),
        "",
    ]
    lines += _listing("segmentation mistakes", seg.mistakes)
    lines += _listing("topic mistakes", top.mistakes)
    lines += _listing("merging mistakes", merge.mistakes)
    lines += _listing("not_same violations", merge.not_same_violations)
    lines += _listing("quote mistakes", quotes.mistakes)
    lines += _listing("non-person quotes given a speaker", quotes.non_person_with_speaker)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Build the site from ``content/`` and print the report.

    ``--merge semantic`` scores the optional embedding-based merge method.
    """
    import argparse

    from generator.content import load_content
    from generator.pipeline import build_site  # type: ignore[import-not-found,unused-ignore]

    parser = argparse.ArgumentParser(prog="python -m tests.eval.score")
    parser.add_argument("--merge", choices=["lexical", "semantic"], default="lexical")
    arguments = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    site: Site = build_site(load_content(root / "content"), arguments.merge)
    print(report(site))


if __name__ == "__main__":
    main()
