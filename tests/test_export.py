"""The JSON export under ``api/``: documented keys, relative pages, the same bytes every time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.export import write_export
from generator.model import Site
from generator.pipeline import build_site
from tests.helpers import article_file, content_from_texts, make_document, make_topic, site_of, topic_file

FILES = {
    "articles/valley-times.md": article_file(
        "The river flooded the lower town on Sunday night. Hundreds of residents were evacuated.\n\n"
        '"We have never seen floodwater rise this fast in forty years," said Mayor Carla Ruiz.\n\n'
        "## In other news\n\n"
        "Acme and Globex confirmed their merger talks on Monday.",
        title="Levee fails as river floods town",
        outlet="Valley Times",
        url="https://valley.example.org/levee",
        date="2024-05-01",
    ),
    "articles/river-post.md": article_file(
        "The river flooded the lower town on Sunday night, officials said.\n\n"
        "“We have never seen floodwater rise this fast in forty years,” Carla Ruiz told reporters.\n\n"
        "Schools will stay closed\nuntil the water recedes.",
        title="Town under water",
        outlet="River Post",
        url="https://riverpost.example.com/town",
        date="2024-05-02",
    ),
    "articles/business-wire.md": article_file(
        "Acme and Globex confirmed their merger talks on Monday, sending shares higher.",
        title="Acme and Globex in talks",
        outlet="Business Wire",
        url="https://wire.example.net/acme",
        date="2024-04-30",
    ),
    "topics/flood.md": topic_file("flood", "Valley floods", {"keywords": ["flood*", "levee", "evacuat*"]}),
    "topics/merger.md": topic_file("merger", "Acme–Globex merger", {"names": ["Acme", "Globex"]}),
}


def export(root: Path, output: Path) -> tuple[Site, list[Path]]:
    site = build_site(content_from_texts(root, FILES))
    return site, write_export(site, output)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_files_written(tmp_path: Path) -> None:
    _, written = export(tmp_path / "content", tmp_path / "out")
    api = tmp_path / "out" / "api"
    assert written == [
        api / "index.json",
        api / "briefings" / "flood.json",
        api / "briefings" / "merger.json",
    ]
    assert all(path.is_file() for path in written)


def test_index_has_the_documented_keys(tmp_path: Path) -> None:
    export(tmp_path / "content", tmp_path / "out")
    index = load(tmp_path / "out/api/index.json")
    assert {"topics", "articles"} <= set(index)
    assert [t["slug"] for t in index["topics"]] == ["flood", "merger"]
    for topic in index["topics"]:
        assert {"slug", "title", "page", "counts"} <= set(topic)
        assert {"statements", "quotes", "articles", "outlets"} <= set(topic["counts"])
    flood = index["topics"][0]
    assert flood["title"] == "Valley floods"
    assert flood["page"] == "topics/flood/"
    assert flood["counts"]["quotes"] == 1
    assert flood["counts"]["outlets"] == 2
    merger = index["topics"][1]
    assert merger["title"] == "Acme–Globex merger"
    assert merger["counts"] == {"statements": 1, "quotes": 0, "articles": 2, "outlets": 2}
    assert index["articles"] == [
        {
            "slug": "business-wire",
            "title": "Acme and Globex in talks",
            "outlet": "Business Wire",
            "url": "https://wire.example.net/acme",
            "date": "2024-04-30",
            "page": "articles/business-wire/",
        },
        {
            "slug": "valley-times",
            "title": "Levee fails as river floods town",
            "outlet": "Valley Times",
            "url": "https://valley.example.org/levee",
            "date": "2024-05-01",
            "page": "articles/valley-times/",
        },
        {
            "slug": "river-post",
            "title": "Town under water",
            "outlet": "River Post",
            "url": "https://riverpost.example.com/town",
            "date": "2024-05-02",
            "page": "articles/river-post/",
        },
    ]


def test_briefing_has_the_documented_keys(tmp_path: Path) -> None:
    export(tmp_path / "content", tmp_path / "out")
    briefing = load(tmp_path / "out/api/briefings/flood.json")
    assert {"slug", "title", "sources", "statements", "timeline", "disagreements"} <= set(briefing)
    assert briefing["slug"] == "flood"
    assert briefing["title"] == "Valley floods"
    assert briefing["disagreements"] == []
    # Both outlets (Wednesday 1 and Thursday 2 May 2024): "on Sunday night" is 28 April.
    [event] = briefing["timeline"]
    assert {"date", "precision", "text", "sources", "expression", "statements"} <= set(event)
    assert (event["date"], event["precision"], event["expression"]) == ("2024-04-28", "day", "on Sunday")
    assert event["text"] == "The river flooded the lower town on Sunday night."
    assert [(s["article"], s["sentence"]) for s in event["sources"]] == [
        ("valley-times", "p1s1"),
        ("river-post", "p1s1"),
    ]
    assert [s["article"] for s in briefing["sources"]] == ["valley-times", "river-post"]
    for statement in briefing["statements"]:
        assert {"id", "kind", "text", "speaker", "sources"} <= set(statement)
        assert statement["kind"] in ("fact", "quote")
        for source in statement["sources"]:
            assert {"article", "outlet", "url", "sentence", "text"} <= set(source)
    quote = next(s for s in briefing["statements"] if s["kind"] == "quote")
    assert quote["text"].startswith("We have never seen floodwater rise this fast")
    assert quote["speaker"] == "Carla Ruiz"
    assert {s["outlet"] for s in quote["sources"]} == {"Valley Times", "River Post"}
    facts = [s for s in briefing["statements"] if s["kind"] == "fact"]
    assert all(s["speaker"] is None for s in facts)
    # Most widely reported first.
    counts = [len({c["outlet"] for c in s["sources"]}) for s in briefing["statements"]]
    assert counts == sorted(counts, reverse=True)


def test_sections_show_every_statement_once_and_sources_count_their_sentences(tmp_path: Path) -> None:
    export(tmp_path / "content", tmp_path / "out")
    briefing = load(tmp_path / "out/api/briefings/flood.json")
    sections = briefing["sections"]
    shown = sections["lead"] + sections["key_points"] + sections["quotes"]
    shown += [i for ids in sections["only_in_one_outlet"].values() for i in ids]
    assert sorted(shown) == sorted(s["id"] for s in briefing["statements"])
    by_id = {s["id"]: s for s in briefing["statements"]}
    for outlet, ids in sections["only_in_one_outlet"].items():
        assert all({c["outlet"] for c in by_id[i]["sources"]} == {outlet} for i in ids)
    for source in briefing["sources"]:
        cited = {
            c["sentence"]
            for s in briefing["statements"]
            for c in s["sources"]
            if c["article"] == source["article"]
        }
        assert source["sentences_used"] == len(cited) > 0
    # Two article dates: what came after the first is marked new.
    assert briefing["new_since"] == "2024-05-01"
    in_updates = [(u["date"], i) for u in briefing["updates"] for i in u["statements"]]
    assert sorted(i for _, i in in_updates) == sorted(by_id)
    assert all(by_id[i]["first_reported"] == d for d, i in in_updates)


def test_pages_are_relative(tmp_path: Path) -> None:
    export(tmp_path / "content", tmp_path / "out")
    api = tmp_path / "out/api"
    index = load(api / "index.json")
    pages = [t["page"] for t in index["topics"]] + [a["page"] for a in index["articles"]]
    pages += [load(api / f"briefings/{t['slug']}.json")["page"] for t in index["topics"]]
    pages += [t["briefing"] for t in index["topics"] if "briefing" in t]
    assert pages
    for page in pages:
        assert not page.startswith("/") and "://" not in page and ".." not in page
    for topic in index["topics"]:
        if "briefing" in topic:
            assert (tmp_path / "out" / topic["briefing"]).is_file()


def test_source_texts_are_verbatim_sentences_of_the_articles(tmp_path: Path) -> None:
    site, _ = export(tmp_path / "content", tmp_path / "out")
    sentences = {s.key: s.text for d in site.documents for s in d.sentences}
    bodies = {d.article.slug: d.article.body for d in site.documents}
    checked = 0
    for path in sorted((tmp_path / "out/api/briefings").glob("*.json")):
        for statement in load(path)["statements"]:
            for source in statement["sources"]:
                assert sentences[f"{source['article']}#{source['sentence']}"] == source["text"]
                assert source["text"] in bodies[source["article"]]  # plain prose: verbatim in the file too
                checked += 1
            assert any(statement["text"] in source["text"] for source in statement["sources"])
    assert checked >= 5


def test_source_urls_and_outlets_match_the_cited_article(tmp_path: Path) -> None:
    site, _ = export(tmp_path / "content", tmp_path / "out")
    articles = {d.article.slug: d.article for d in site.documents}
    for path in sorted((tmp_path / "out/api/briefings").glob("*.json")):
        for statement in load(path)["statements"]:
            for source in statement["sources"]:
                article = articles[source["article"]]
                assert (source["outlet"], source["url"]) == (article.outlet, article.url)


def test_export_is_deterministic(tmp_path: Path) -> None:
    _, first = export(tmp_path / "content-1", tmp_path / "out-1")
    _, second = export(tmp_path / "content-2", tmp_path / "out-2")
    assert [p.relative_to(tmp_path / "out-1") for p in first] == [
        p.relative_to(tmp_path / "out-2") for p in second
    ]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes().endswith(b"\n")


def test_export_keeps_non_ascii_text_readable(tmp_path: Path) -> None:
    export(tmp_path / "content", tmp_path / "out")
    index = (tmp_path / "out/api/index.json").read_text(encoding="utf-8")
    assert '"title":"Acme–Globex merger"' in index


def test_topic_slug_cannot_write_outside_the_export(tmp_path: Path) -> None:
    site = site_of(
        [make_document("The river flooded the town.")], [make_topic("../escape", keywords=["flood*"])]
    )
    with pytest.raises(ValueError, match="outside"):
        write_export(site, tmp_path / "out")
    assert not (tmp_path / "out" / "escape.json").exists()
