"""Per-article results kept between builds: reused only for the very same
article, and a build from them writes what a build without them writes."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.generate import generate
from generator import article_cache
from generator.article_cache import FOLDER, DocumentCache, article_key, cache_share, cached_map
from generator.build import BuildOptions, build
from generator.content import load_content, read_text_and_digest
from generator.errors import ContentErrors
from generator.model import Document, TopicAssignment
from generator.parallel import MIN_DOCUMENTS_PER_WORKER
from generator.segment import segment
from generator.stamp import file_digests
from generator.topics import assign_topics
from tests.helpers import file_tree, make_document

REPO = Path(__file__).resolve().parent.parent

computed: list[str] = []
"""Slugs ``_sentence_count`` ran on, in this process (the tests use one worker)."""


def _sentence_count(document: Document) -> int:
    computed.append(document.article.slug)
    return len(document.sentences)


def _documents(content: Path) -> list[Document]:
    return [segment(article) for article in load_content(content).articles]


def _copy_of_example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "content", tmp_path / "content"))


def _edit_first_article(content: Path) -> str:
    article = sorted((content / "articles").glob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text + "\nThe harbour authority said on Friday that 14 ferries would resume.\n", encoding="utf-8"
    )
    return article.stem


def test_only_new_or_edited_articles_are_computed_again(tmp_path: Path) -> None:
    content = _copy_of_example(tmp_path)
    cache = tmp_path / "cache"
    documents = _documents(content)
    computed.clear()
    first = cached_map(_sentence_count, documents, 1, cache)
    assert sorted(computed) == sorted(d.article.slug for d in documents)

    computed.clear()
    assert cached_map(_sentence_count, documents, 1, cache) == first
    assert computed == []  # nothing changed: every result from the last run

    edited = _edit_first_article(content)
    computed.clear()
    again = cached_map(_sentence_count, _documents(content), 1, cache)
    assert computed == [edited]
    assert again == [len(d.sentences) for d in _documents(content)]
    assert again != first  # the edit added a sentence, and the result says so


def _generated_with_keys(content: Path) -> tuple[list[Document], list[str]]:
    """The documents of an archive generated into ``content``, enough for two
    worker processes, and each one's ``article_key``."""
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=2, outlets=4, seed=3)
    documents = _documents(content)
    return documents, [article_key(document) for document in documents]


def test_a_share_made_ahead_is_kept_with_what_was_kept_and_not_made_again(tmp_path: Path) -> None:
    """``cache_share`` makes the first half of what the cache lacks and keeps
    what it held; the ``cached_map`` after it (in the build, in the second
    process) makes only the rest, and gives what it gives from nothing."""
    documents, keys = _generated_with_keys(tmp_path / "content")
    cache = tmp_path / "cache"
    cached_map(_sentence_count, documents[:20], 1, cache)  # kept by the last build

    assert cache_share(_sentence_count, documents, 2, cache, keys, 0.5) == MIN_DOCUMENTS_PER_WORKER
    computed.clear()
    assert cached_map(_sentence_count, documents, 1, cache) == [len(d.sentences) for d in documents]
    assert computed == [d.article.slug for d in documents[20 + MIN_DOCUMENTS_PER_WORKER :]]


def test_a_share_leaves_the_other_process_at_least_what_it_is_asked_to(tmp_path: Path) -> None:
    documents, keys = _generated_with_keys(tmp_path / "content")
    cache = tmp_path / "cache"
    cached_map(_sentence_count, documents[:20], 1, cache)  # 200 missing: half would be 100

    assert cache_share(_sentence_count, documents, 2, cache, keys, 0.5, leave=150) == 50
    assert cache_share(_sentence_count, documents, 2, tmp_path / "all left", keys, 0.5, leave=220) == 0
    computed.clear()
    cached_map(_sentence_count, documents, 1, cache)
    assert computed == [d.article.slug for d in documents[70:]]


def test_a_share_too_small_to_spread_over_processes_is_left_whole(tmp_path: Path) -> None:
    documents, keys = _generated_with_keys(tmp_path / "content")
    cache = tmp_path / "cache"
    cached_map(_sentence_count, documents[:-MIN_DOCUMENTS_PER_WORKER], 1, cache)  # all but 100 kept

    computed.clear()
    assert cache_share(_sentence_count, documents, 2, cache, keys, 0.5) == 0
    assert cache_share(_sentence_count, documents, 1, tmp_path / "empty", keys, 0.5) == 0  # one core
    assert computed == []
    cached_map(_sentence_count, documents, 1, cache)
    assert computed == [d.article.slug for d in documents[-MIN_DOCUMENTS_PER_WORKER:]]


def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    documents = _documents(REPO / "content")
    cache = tmp_path / "cache"
    expected = cached_map(_sentence_count, documents, 1, cache)
    (stored,) = (cache / FOLDER).iterdir()
    stored.write_bytes(b"\x80\x05 not a pickle")
    computed.clear()
    assert cached_map(_sentence_count, documents, 1, cache) == expected
    assert len(computed) == len(documents)
    computed.clear()
    assert cached_map(_sentence_count, documents, 1, cache) == expected
    assert computed == []  # rewritten whole


def test_the_cache_holds_only_the_articles_of_the_last_run(tmp_path: Path) -> None:
    documents = _documents(REPO / "content")
    cache = tmp_path / "cache"
    cached_map(_sentence_count, documents, 1, cache)
    cached_map(_sentence_count, documents[:1], 1, cache)
    computed.clear()
    cached_map(_sentence_count, documents, 1, cache)
    assert sorted(computed) == sorted(d.article.slug for d in documents[1:])


def test_a_rebuild_after_an_edit_writes_what_a_build_from_scratch_writes(tmp_path: Path) -> None:
    content = _copy_of_example(tmp_path)
    build(BuildOptions(content=content, output=tmp_path / "before"))
    assert list((tmp_path / ".briefing-cache").glob(f"*/{FOLDER}/*.pickle"))
    _edit_first_article(content)
    incremental = build(BuildOptions(content=content, output=tmp_path / "incremental"))

    fresh_root = tmp_path / "fresh"
    shutil.copytree(content, fresh_root / "content")  # no cache beside this copy yet: all computed
    scratch = build(BuildOptions(content=fresh_root / "content", output=fresh_root / "output"))
    assert incremental.statements == scratch.statements
    assert file_tree(tmp_path / "incremental") == file_tree(fresh_root / "output")
    assert file_tree(tmp_path / "incremental") != file_tree(tmp_path / "before")


def test_on_several_cores_a_rebuild_from_every_cache_writes_what_a_build_from_scratch_writes(
    tmp_path: Path,
) -> None:
    """Large enough for the worker processes: per-article results, prepared
    disagreement sentences, documents, topic shares and search bundles all
    come from the cache for every article but the edited one."""
    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 20, topics=4, outlets=6, seed=3)
    build(BuildOptions(content=content, output=tmp_path / "before", workers=2))
    article = sorted((content / "articles").glob("*.md"))[7]
    article.write_text(article.read_text(encoding="utf-8") + "\nSix ferries stayed in port on Monday.\n")
    report = tmp_path / "timings.json"
    incremental = BuildOptions(content=content, output=tmp_path / "incremental", workers=2, timings=report)
    build(incremental)
    stages = json.loads(report.read_text())["stages"]
    assert stages["pelican.markdown"]["calls"] == 1  # the edited article only

    fresh_root = tmp_path / "fresh"
    shutil.copytree(content, fresh_root / "content")  # no cache beside this copy
    build(BuildOptions(content=fresh_root / "content", output=fresh_root / "output", workers=2))
    assert file_tree(tmp_path / "incremental") == file_tree(fresh_root / "output")
    assert file_tree(tmp_path / "incremental") != file_tree(tmp_path / "before")


def _cached_documents(content: Path, cache: Path) -> tuple[list[Document], int]:
    """The articles under ``content`` read and segmented through a
    ``DocumentCache`` in ``cache`` (then saved), and how many it reused."""
    known = DocumentCache(cache)
    documents = [known.segment(article) for article in load_content(content, known.read_article).articles]
    known.save()
    return documents, known.reused


def test_read_and_segmented_articles_come_back_from_the_cache_as_they_would_be_made(tmp_path: Path) -> None:
    content = _copy_of_example(tmp_path)
    cache = tmp_path / "cache"
    first, reused = _cached_documents(content, cache)
    assert reused == 0 and first == _documents(content)

    again, reused = _cached_documents(content, cache)
    assert reused == len(first) and again == _documents(content)

    _edit_first_article(content)
    edited, reused = _cached_documents(content, cache)
    assert reused == len(first) - 1
    assert edited == _documents(content) != first


def test_an_article_the_build_read_for_its_stamp_is_not_read_again_unless_it_is_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp reads every content file (``stamp.file_digests``); the check
    reads again only the articles the cache has no document of, and keeps
    each by the digest of what it read, even if the file changed since the
    stamp read it."""
    content = _copy_of_example(tmp_path)
    cache = tmp_path / "cache"
    read: list[Path] = []
    reading = read_text_and_digest

    def counted(path: Path) -> tuple[str, bytes]:
        read.append(path)
        return reading(path)

    monkeypatch.setattr(article_cache, "read_text_and_digest", counted)

    def check(files: dict[str, bytes]) -> list[Document]:
        read.clear()
        known = DocumentCache(cache, files)
        documents = [known.segment(article) for article in load_content(content, known.read_article).articles]
        known.save()
        return documents

    articles = sorted((content / "articles").glob("*.md"))
    assert check(file_digests(content)) == _documents(content) and len(read) == len(articles)
    assert check(file_digests(content)) == _documents(content) and read == []
    _edit_first_article(content)
    assert check(file_digests(content)) == _documents(content) and read == [articles[0]]
    # Edited again after the stamp read it: the build shows each file as the
    # stamp read it where the cache holds that, and is stamped with it...
    files, as_read = file_digests(content), _documents(content)
    text = articles[0].read_text(encoding="utf-8")
    articles[0].write_text(text.replace("troops", "soldiers"), encoding="utf-8")
    assert check(files) == as_read and read == []
    # ... else as the check reads it, kept by the digest of what it read.
    files = file_digests(content)
    articles[0].write_text(text.replace("troops", "forces"), encoding="utf-8")
    assert check(files) == _documents(content) and read == [articles[0]]
    assert check(file_digests(content)) == _documents(content) and read == []


def test_articles_segmented_in_other_processes_are_those_segmented_here(tmp_path: Path) -> None:
    """And each document holds the article read, not a copy of it."""
    content = tmp_path / "content"
    generate(content, articles=2 * MIN_DOCUMENTS_PER_WORKER + 5, topics=3, outlets=5, seed=11)
    cache = tmp_path / "cache"
    known = DocumentCache(cache)
    loaded = load_content(content, known.read_article)
    articles = loaded.articles
    documents = known.segmented(articles, workers=2, topics=loaded.topics)
    assert list(documents) == [segment(article) for article in articles]
    assert all(document.article is article for document, article in zip(documents, articles, strict=True))
    # The topics those processes found are the ones found here.
    shares = known.known_topics(documents, loaded.topics)
    assert known.reused_topics == 0 and all(share is not None for share in shares)
    assert assign_topics(documents, loaded.topics, shares) == assign_topics(documents, loaded.topics)
    assert assign_topics(documents, loaded.topics).topics
    known.save()
    again, reused = _cached_documents(content, cache)
    assert reused == len(articles) and again == list(documents)


def test_a_cached_article_broken_by_an_edit_is_reported_as_ever(tmp_path: Path) -> None:
    content = _copy_of_example(tmp_path)
    cache = tmp_path / "cache"
    _cached_documents(content, cache)
    article = sorted((content / "articles").glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        _cached_documents(content, cache)
    assert [problem.path for problem in raised.value.problems] == [str(article)]


def _cached_assignment(content: Path, cache: Path) -> tuple[TopicAssignment, TopicAssignment, int]:
    """The topic assignment of the articles under ``content`` through a
    ``DocumentCache`` in ``cache`` (then saved), the one made from scratch,
    and how many articles' shares the cache gave."""
    known = DocumentCache(cache)
    loaded = load_content(content, known.read_article)
    documents = [known.segment(article) for article in loaded.articles]
    assignment = assign_topics(documents, loaded.topics, known.known_topics(documents, loaded.topics))
    known.save(documents, loaded.topics, assignment)
    return assignment, assign_topics(_documents(content), loaded.topics), known.reused_topics


def test_topic_assignments_come_back_from_the_cache_only_for_the_same_article_and_rules(
    tmp_path: Path,
) -> None:
    content = _copy_of_example(tmp_path)
    cache = tmp_path / "cache"
    articles = len(list((content / "articles").glob("*.md")))
    first, fresh, reused = _cached_assignment(content, cache)
    assert reused == 0 and first == fresh and first.topics

    again, fresh, reused = _cached_assignment(content, cache)
    assert reused == articles and again == fresh

    _edit_first_article(content)
    edited, fresh, reused = _cached_assignment(content, cache)
    assert reused == articles - 1 and edited == fresh
    # Kept again as they were read, the others' shares come back as well.
    kept, fresh, reused = _cached_assignment(content, cache)
    assert reused == articles and kept == fresh == edited

    topic = sorted((content / "topics").glob("*.md"))[0]
    topic.write_text(topic.read_text(encoding="utf-8").replace("keywords: []", "keywords: [troop*]", 1))
    changed, fresh, reused = _cached_assignment(content, cache)
    assert reused == 0 and changed == fresh != edited


def test_every_model_object_comes_back_from_a_pickle_as_it_went_in() -> None:
    """The caches and the worker processes pickle the model by position
    (``model._pickled_by_position``): each field must come back to its own
    name, for every kind of object a site is made of."""
    import dataclasses
    import pickle

    from generator import model
    from generator.pipeline import build_site, read_one_article

    site = build_site(load_content(REPO / "content"))
    seen: dict[type, object] = {}

    def visit(value: object) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value) in seen:
                return
            seen[type(value)] = value
            for item in dataclasses.fields(value):
                visit(getattr(value, item.name))
        elif isinstance(value, tuple | list | set | frozenset):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    visit(site)
    visit([read_one_article(document) for document in site.documents])
    kept = {model.Article, model.Document, model.Block, model.Sentence, model.Topic, model.Quote}
    assert kept | {model.DatedSentence, model.Statement, model.Citation, model.Briefing} <= set(seen)
    for value in seen.values():
        copy = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(copy) is type(value)
        assert dataclasses.asdict(copy) == dataclasses.asdict(value), type(value).__qualname__  # type: ignore[call-overload]


def test_pickling_an_article_leaves_no_second_copy_of_its_body() -> None:
    """Pickle writes a text beyond ASCII from its UTF-8 form, which CPython
    then keeps beside the text (``sys.getsizeof`` counts it). The cache and
    the worker processes pickle every article: its body must not double in
    memory for the rest of the build, and must come back as it was."""
    import pickle
    import sys

    article = load_content(REPO / "content").articles[0]
    body = article.body.replace("'", "\u2019") + " \u201cquoted\u201d \u2014 \U0001f600"
    article = dataclasses.replace(article, body=body)
    size = sys.getsizeof(article.body)
    copy = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
    assert sys.getsizeof(article.body) == size
    assert copy == article and copy.body == body


def test_an_articles_content_key_changes_with_each_of_its_fields_and_only_with_them() -> None:
    """Every per-article cache is keyed by ``article_key``: a change to any
    field of the article (an author named "None" is not no author; a date,
    a line number) must give another key, and the same article the same key."""
    document = make_document("Troops left on Tuesday.", slug="one", outlet="Outlet")
    article = document.article
    changed = [
        dataclasses.replace(article, slug="two"),
        dataclasses.replace(article, path=article.path + "x"),
        dataclasses.replace(article, title=article.title + "!"),
        dataclasses.replace(article, outlet="Other"),
        dataclasses.replace(article, url=article.url + "/"),
        dataclasses.replace(article, date=article.date.replace(day=article.date.day % 28 + 1)),
        dataclasses.replace(article, body=article.body + " "),
        dataclasses.replace(article, body_line=article.body_line + 1),
        dataclasses.replace(article, author="None"),
        dataclasses.replace(article, author=""),
        dataclasses.replace(article, language="fr"),
        dataclasses.replace(article, credit="None"),
    ]
    assert {field.name for field in dataclasses.fields(article)} == {
        "slug",
        "path",
        "title",
        "outlet",
        "url",
        "date",
        "body",
        "body_line",
        "author",
        "language",
        "credit",
    }  # a field added must be added above
    keys = {article_key(dataclasses.replace(document, article=other)) for other in changed}
    assert len(keys) == len(changed) and article_key(document) not in keys
    assert article_key(make_document("Troops left on Tuesday.", slug="one", outlet="Outlet")) == article_key(
        document
    )
