"""Reading and validating the content folder: every problem at once, with ``path:line:``."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from generator.content import load_content, parse_date, read_article, read_topic
from generator.errors import ContentError, ContentErrors
from tests.helpers import article_file, content_from_texts, topic_file, write_tree

FLOOD_TOPIC = topic_file("flood", "Valley floods", {"keywords": ["flood*", "levee"], "names": ["Severn"]})


def problems_of(root: Path, files: dict[str, str]) -> list[str]:
    """Every message ``load_content`` reports, as ``<file name>:<line>: <message>``."""
    with pytest.raises(ContentErrors) as caught:
        content_from_texts(root, files)
    messages = [str(p) for p in caught.value.problems]
    assert str(caught.value) == "\n".join(messages)
    return [m.replace(str(root) + "/", "") for m in messages]


def test_valid_files_load(tmp_path: Path) -> None:
    content = content_from_texts(
        tmp_path,
        {
            "articles/levee-breach.md": article_file(
                "The levee failed at dawn.\n\nHundreds fled.",
                title='"Levee breach: hundreds flee"',
                outlet="Valley Times",
                url="https://valley.example.org/levee",
                date="2024-02-03",
                extra={"author": "Jo Bloggs", "credit": "Valley Times and agencies"},
            ),
            "articles/early.md": article_file("Rain fell.", date="2024-01-15", outlet="River Post"),
            "topics/flood.md": FLOOD_TOPIC,
        },
    )
    assert [a.slug for a in content.articles] == ["early", "levee-breach"]  # by date
    levee = content.articles[1]
    assert levee.title == "Levee breach: hundreds flee"
    assert levee.outlet == "Valley Times"
    assert levee.url == "https://valley.example.org/levee"
    assert levee.date == datetime.date(2024, 2, 3)
    assert levee.author == "Jo Bloggs"
    assert levee.credit == "Valley Times and agencies"
    assert levee.body.strip() == "The levee failed at dawn.\n\nHundreds fled."
    text = (tmp_path / "articles/levee-breach.md").read_text().split("\n")
    assert text[levee.body_line - 1 :] == levee.body.split("\n")
    (topic,) = content.topics
    assert (topic.slug, topic.title, topic.keywords, topic.names) == (
        "flood",
        "Valley floods",
        ("flood*", "levee"),
        ("Severn",),
    )
    assert topic.intro == "Intro."


def test_article_slug_comes_from_the_file_name_unless_given(tmp_path: Path) -> None:
    content = content_from_texts(
        tmp_path,
        {
            "articles/from-name.md": article_file("Body."),
            "articles/other.md": article_file("Body.", extra={"slug": "chosen-slug"}),
        },
    )
    assert sorted(a.slug for a in content.articles) == ["chosen-slug", "from-name"]


def test_every_problem_in_the_folder_is_reported_at_once(tmp_path: Path) -> None:
    files = {
        "articles/good.md": article_file("Body."),
        "articles/no-date.md": "---\ntitle: No date\noutlet: Valley Times\nurl: https://x.example.org/\n---\nBody.\n",
        "articles/bad-date.md": article_file("Body.", date="3rd of February"),
        "articles/Bad_Slug.md": article_file("Body."),
        "articles/broken.md": article_file("Body.", extra={"author": "[unclosed"}),
        "articles/no-front-matter.md": "The river burst its banks.\n",
        "articles/ftp.md": article_file("Body.", url="ftp://x.example.org/"),
        "topics/flood.md": FLOOD_TOPIC,
        "topics/no-rules.md": "---\ntitle: Nothing\nslug: nothing\n---\n",
    }
    assert sorted(problems_of(tmp_path, files)) == sorted(
        [
            "articles/no-date.md:1: required field 'date' is missing",
            "articles/bad-date.md:5: date '3rd of February' is not a date; write it as YYYY-MM-DD",
            "articles/Bad_Slug.md:1: slug 'Bad_Slug' is not allowed; "
            "use lowercase letters, digits and hyphens",
            "articles/broken.md:6: front matter is not valid YAML: "
            "expected ',' or ']', but got '<stream end>'; check quotes, brackets and indentation",
            "articles/no-front-matter.md:1: no front matter; the file must start with a '---' line",
            "articles/ftp.md:4: url 'ftp://x.example.org/' must start with http:// or https://",
            "topics/no-rules.md:1: topic has no rules; add 'names', 'aliases' or 'keywords'",
        ]
    )


def test_several_problems_of_one_file_are_all_reported(tmp_path: Path) -> None:
    text = (
        "---\ntitle: ''\noutlet: Valley Times\nurl: www.valley.example.org\n"
        "date: soon\nslug: Über\n---\nBody.\n"
    )
    problems = problems_of(tmp_path, {"articles/many.md": text})
    assert sorted(problems) == sorted(
        [
            "articles/many.md:2: required field 'title' is empty",
            "articles/many.md:4: url 'www.valley.example.org' must start with http:// or https://",
            "articles/many.md:5: date 'soon' is not a date; write it as YYYY-MM-DD",
            "articles/many.md:6: slug 'Über' is not allowed; use lowercase letters, digits and hyphens",
        ]
    )


@pytest.mark.parametrize("field", ["title", "outlet", "url", "date"])
def test_missing_required_article_field(tmp_path: Path, field: str) -> None:
    lines = article_file("Body.").split("\n")
    text = "\n".join(line for line in lines if not line.startswith(f"{field}:"))
    (problem,) = problems_of(tmp_path, {"articles/story.md": text})
    assert problem == f"articles/story.md:1: required field '{field}' is missing"


def test_missing_topic_title_and_slug(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, {"topics/anon.md": "---\nkeywords: [flood]\n---\nIntro.\n"})
    assert sorted(problems) == [
        "topics/anon.md:1: required field 'slug' is missing",
        "topics/anon.md:1: required field 'title' is missing",
    ]


def test_bad_topic_slug_and_rules_point_at_their_lines(tmp_path: Path) -> None:
    text = "---\ntitle: Floods\nslug: ../floods\nkeywords:\n  nested: mapping\n---\nIntro.\n"
    problems = problems_of(tmp_path, {"topics/floods.md": text})
    assert sorted(problems) == [
        "topics/floods.md:3: slug '../floods' would write outside the output folder; "
        "use lowercase letters, digits and hyphens",
        "topics/floods.md:4: 'keywords' must be a list of words or phrases",
    ]


def test_duplicate_slugs_are_reported(tmp_path: Path) -> None:
    files = {
        "articles/levee.md": article_file("Body."),
        "articles/levee-again.md": article_file("Body.", extra={"slug": "levee"}),
        "topics/flood.md": FLOOD_TOPIC,
        "topics/flood-again.md": topic_file("flood", "Floods again", {"names": ["Severn"]}),
    }
    problems = problems_of(tmp_path, files)
    assert len(problems) == 2
    assert re.fullmatch(
        r"articles/levee(-again)?\.md:\d+: article slug 'levee' is also used by "
        r".*levee(-again)?\.md; rename one",
        problems[0],
    )
    assert re.fullmatch(
        r"topics/flood(-again)?\.md:\d+: topic slug 'flood' is also used by .*flood(-again)?\.md; rename one",
        problems[1],
    )


@pytest.mark.parametrize(
    ("yaml_lines", "line"),
    [
        (
            [
                "title: Flood",
                "outlet: Valley: Times: Daily",
                "url: https://x.example.org/",
                "date: 2024-01-01",
            ],
            3,
        ),
        (["title: Flood", "outlet: Valley Times", "  url: https://x.example.org/", "date: 2024-01-01"], 4),
        (["title: Flood", "outlet: Valley Times", "url: https://x.example.org/", "\tdate: 2024-01-01"], 5),
        (
            [
                "title: Flood",
                "outlet: Valley Times",
                "url: https://x.example.org/",
                "date: 2024-01-01",
                "author: [a",
            ],
            6,
        ),
    ],
)
def test_broken_yaml_points_at_the_right_line(tmp_path: Path, yaml_lines: list[str], line: int) -> None:
    text = "\n".join(["---", *yaml_lines, "---", "Body."]) + "\n"
    (problem,) = problems_of(tmp_path, {"articles/broken.md": text})
    assert problem.startswith(f"articles/broken.md:{line}: front matter is not valid YAML")


def test_unclosed_quote_in_yaml_points_at_the_line_that_opens_it(tmp_path: Path) -> None:
    text = (
        '---\ntitle: "Flood hits\noutlet: Valley Times\n'
        "url: https://x.example.org/\ndate: 2024-01-01\n---\nBody.\n"
    )
    (problem,) = problems_of(tmp_path, {"articles/broken.md": text})
    assert problem.startswith("articles/broken.md:2: front matter is not valid YAML")


def test_impossible_calendar_date_is_a_content_error(tmp_path: Path) -> None:
    files = {
        "articles/leap.md": article_file("Body.", date="2024-02-30"),
        "articles/other.md": "no front matter",
    }
    problems = problems_of(tmp_path, files)
    assert "articles/leap.md:5: date '2024-02-30' is not a date; write it as YYYY-MM-DD" in problems[0]
    assert len(problems) == 2


def test_front_matter_that_is_not_closed(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, {"articles/open.md": "---\ntitle: Flood\noutlet: Valley Times\n"})
    assert problem == "articles/open.md:1: front matter is not closed; add a '---' line after it"


def test_front_matter_that_is_a_list(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, {"articles/list.md": "---\n- flood\n- levee\n---\nBody.\n"})
    assert problem == "articles/list.md:2: front matter must be a mapping of 'key: value' lines"


def test_invalid_utf8_points_at_its_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {})
    data = (
        article_file("The levee failed.\nCaf\xe9 owners fled.\n")
        .encode("utf-8")
        .replace("Caf\xe9".encode(), b"Caf\xe9")
    )
    (tmp_path / "articles/latin1.md").write_bytes(data)
    with pytest.raises(ContentErrors) as caught:
        load_content(tmp_path)
    (problem,) = caught.value.problems
    assert (Path(problem.path).name, problem.line) == ("latin1.md", 9)
    assert "UTF-8" in problem.message


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + article_file("The levee failed.\n\nHundreds fled.\n").replace("\n", "\r\n")
    path = tmp_path / "crlf.md"
    path.write_bytes(text.encode("utf-8"))
    article = read_article(path)
    assert article.title == "A headline"
    assert "\r" not in article.body


def test_read_article_and_read_topic_raise_content_errors(tmp_path: Path) -> None:
    with pytest.raises(ContentErrors) as caught:
        read_article(tmp_path / "story.md", article_file("Body.", url="mailto:desk@example.org"))
    assert [p.line for p in caught.value.problems] == [4]
    with pytest.raises(ContentError) as single:
        read_topic(tmp_path / "topic.md", "no front matter\n")
    assert str(single.value).endswith("topic.md:1: no front matter; the file must start with a '---' line")


def test_missing_articles_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics/flood.md").write_text(FLOOD_TOPIC)
    with pytest.raises(ContentErrors) as caught:
        load_content(tmp_path)
    assert [p.message for p in caught.value.problems] == ["folder not found"]
    assert caught.value.problems[0].path.endswith("articles")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2031-06-13", datetime.date(2031, 6, 13)),
        (" 2031-06-13 ", datetime.date(2031, 6, 13)),
        ("2031-06-13T09:30:00+02:00", datetime.date(2031, 6, 13)),
        ("2031-06-13 09:30", datetime.date(2031, 6, 13)),
        ("2031-06-13garbage", None),
        ("2031-06-13 and more", None),
        ("2031-13-01", None),
        ("13/06/2031", None),
        ("", None),
        (20310613, None),
    ],
)
def test_a_date_is_a_whole_iso_date_or_timestamp(value: object, expected: datetime.date | None) -> None:
    assert parse_date(value) == expected


def test_a_yaml_line_that_only_looks_like_a_fence_does_not_end_the_front_matter(tmp_path: Path) -> None:
    text = article_file("Body.", title="'Levee breach\n\n  ---\n\n  hundreds flee'")
    article = read_article(tmp_path / "fence.md", text)
    assert article.title == "Levee breach\n---\nhundreds flee"
    assert article.body.strip() == "Body."


def test_half_a_utf16_pair_from_a_yaml_escape_is_refused_where_it_stands(tmp_path: Path) -> None:
    """Pelican failed on it as it wrote the page, naming neither file nor line."""
    files = {"articles/half.md": article_file("Body.", outlet='"Daily \\ud83d Post"')}
    assert problems_of(tmp_path, files) == [
        "articles/half.md:3: field 'outlet' contains U+D83D, half of a UTF-16 pair, which is not a "
        "character; write the character itself (or its \\U escape, in double quotes)"
    ]


def test_control_characters_are_refused_where_they_stand(tmp_path: Path) -> None:
    files = {
        "articles/bell.md": article_file("The levee\x07 failed."),
        "articles/escaped.md": article_file("Body.", title='"Levee\\x1b failed"'),
    }
    assert sorted(problems_of(tmp_path, files)) == [
        "articles/bell.md:8: control character U+0007 at column 10 is not text; remove it",
        "articles/escaped.md:2: field 'title' contains control character U+001B; remove it",
    ]
