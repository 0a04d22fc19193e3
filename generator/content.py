"""Read and validate the content folder: articles and topic definitions.

Each file is Markdown with a YAML front matter block between ``---`` lines.
Every problem is reported as a ``ContentError`` naming the file and line;
``load_content`` checks every file and raises all problems at once
(``ContentErrors``), so a user fixes a whole folder in one pass.

The same ``read_article`` / ``read_topic`` functions serve ``briefing check``,
the Pelican reader and the tests, so there is one definition of a valid file.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ContentError, ContentErrors
from generator.model import Article, Topic

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""Slugs become folder names in the output: lowercase ASCII, digits and
hyphens only, so none can climb out of ``output/`` or collide by case."""

ARTICLE_REQUIRED = ("title", "outlet", "url", "date")
TOPIC_REQUIRED = ("title", "slug")
TOPIC_RULE_FIELDS = ("keywords", "aliases", "names", "exclude")


class FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay text: an impossible date
    such as 2024-02-30 is then our own error with a file and line, not a
    crash inside PyYAML."""


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A file split into its front matter and body."""

    fields: dict[str, Any]
    """Parsed YAML mapping."""
    field_lines: dict[str, int]
    """Top-level key → 1-based line in the file, for messages."""
    body: str
    body_line: int
    """1-based line of the file on which the body starts."""


@dataclass(frozen=True, slots=True)
class Content:
    """A whole content folder, read and validated."""

    articles: tuple[Article, ...]
    """By date, then slug."""
    topics: tuple[Topic, ...]
    """By file name."""


def read_text(path: Path) -> str:
    """The file's text, strictly UTF-8 (a BOM is allowed)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(str(path), line, "not valid UTF-8; re-save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``text`` into YAML front matter and Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "no front matter; the file must start with a '---' line")
    end = next((i for i, text_line in enumerate(lines) if i and text_line.strip() in ("---", "...")), 0)
    if not end:
        raise ContentError(path, 1, "front matter is not closed; add a '---' line after it")
    yaml_text = "\n".join(lines[1:end])
    try:
        node = yaml.compose(yaml_text, Loader=FrontMatterLoader)
        fields = yaml.load(yaml_text, Loader=FrontMatterLoader)
    except yaml.YAMLError as exc:
        # context_mark is where the broken construct starts (an unclosed quote);
        # problem_mark is where the parser gave up, often lines later.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line: int = (mark.line + 2) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(path, line, f"front matter is not valid YAML: {problem}") from None
    if fields is None:
        fields = {}
    if not isinstance(fields, dict) or not isinstance(node, yaml.MappingNode):
        raise ContentError(path, 2, "front matter must be a mapping of 'key: value' lines")
    field_lines = {
        str(key.value): key.start_mark.line + 2 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }
    body = "\n".join(lines[end + 1 :])
    return FrontMatter({str(k): v for k, v in fields.items()}, field_lines, body, end + 2)


def _required_text(front: FrontMatter, key: str, path: str, problems: list[ContentError]) -> str:
    line = front.field_lines.get(key, 1)
    value = front.fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        what = "is empty" if key in front.fields else "is missing"
        problems.append(ContentError(path, line, f"required field '{key}' {what}"))
        return ""
    if not isinstance(value, str | int | float | datetime.date):
        problems.append(ContentError(path, line, f"field '{key}' must be text"))
        return ""
    return str(value).strip()


def parse_date(value: object) -> datetime.date | None:
    """An ISO date (``2022-11-14``, or a timestamp's date part), else None."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _date(front: FrontMatter, path: str, problems: list[ContentError]) -> datetime.date:
    value = front.fields.get("date")
    line = front.field_lines.get("date", 1)
    date = parse_date(value)
    if date is not None:
        return date
    if value is not None:
        problems.append(ContentError(path, line, f"date {value!r} is not a date; write it as YYYY-MM-DD"))
    return datetime.date.min


def _slug(value: str, path: str, line: int, problems: list[ContentError]) -> str:
    if not SLUG_PATTERN.match(value):
        problems.append(
            ContentError(
                path,
                line,
                f"slug {value!r} is not allowed; use lowercase letters, digits and hyphens",
            )
        )
    return value


def _check(problems: list[ContentError]) -> None:
    if problems:
        raise ContentErrors(problems)


def read_article(path: Path, text: str | None = None) -> Article:
    """Read one article file; raises ``ContentErrors`` listing every problem."""
    name = str(path)
    front = split_front_matter(read_text(path) if text is None else text, name)
    problems: list[ContentError] = []
    title, outlet, url = (_required_text(front, k, name, problems) for k in ("title", "outlet", "url"))
    if "date" not in front.fields or front.fields["date"] in (None, ""):
        _required_text(front, "date", name, problems)
    date = _date(front, name, problems)
    if url and not re.match(r"^https?://", url):
        problems.append(
            ContentError(
                name, front.field_lines.get("url", 1), f"url {url!r} must start with http:// or https://"
            )
        )
    slug_value = str(front.fields.get("slug") or path.stem)
    slug = _slug(slug_value, name, front.field_lines.get("slug", 1), problems)
    author = front.fields.get("author")
    credit = front.fields.get("credit")
    language = front.fields.get("language") or "en"
    _check(problems)
    return Article(
        slug=slug,
        path=name,
        title=title,
        outlet=outlet,
        url=url,
        date=date,
        body=front.body,
        body_line=front.body_line,
        author=str(author) if author else None,
        language=str(language),
        credit=str(credit) if credit else None,
    )


def _rule_list(front: FrontMatter, key: str, path: str, problems: list[ContentError]) -> tuple[str, ...]:
    value = front.fields.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.append(
            ContentError(path, front.field_lines.get(key, 1), f"'{key}' must be a list of words or phrases")
        )
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def read_topic(path: Path, text: str | None = None) -> Topic:
    """Read one topic definition; raises ``ContentErrors`` listing every problem."""
    name = str(path)
    front = split_front_matter(read_text(path) if text is None else text, name)
    problems: list[ContentError] = []
    title = _required_text(front, "title", name, problems)
    slug_value = _required_text(front, "slug", name, problems)
    slug = _slug(slug_value, name, front.field_lines.get("slug", 1), problems) if slug_value else ""
    rules = {key: _rule_list(front, key, name, problems) for key in TOPIC_RULE_FIELDS}
    if not problems and not (rules["keywords"] or rules["aliases"] or rules["names"]):
        problems.append(ContentError(name, 1, "topic has no rules; add 'names', 'aliases' or 'keywords'"))
    _check(problems)
    return Topic(
        slug=slug,
        path=name,
        title=title,
        intro=front.body.strip(),
        keywords=rules["keywords"],
        aliases=rules["aliases"],
        names=rules["names"],
        exclude=rules["exclude"],
    )


def _collect(files: list[Path], read: Any, problems: list[ContentError]) -> list[Any]:
    items = []
    for file in files:
        try:
            items.append(read(file))
        except ContentErrors as exc:
            problems.extend(exc.problems)
        except ContentError as exc:
            problems.append(exc)
    return items


def _duplicates(items: list[Any], kind: str, problems: list[ContentError]) -> None:
    seen: dict[str, str] = {}
    for item in items:
        if item.slug in seen:
            problems.append(
                ContentError(
                    item.path, 1, f"{kind} slug '{item.slug}' is also used by {seen[item.slug]}; rename one"
                )
            )
        else:
            seen[item.slug] = item.path


def load_content(content_dir: Path) -> Content:
    """Read ``articles/`` and ``topics/`` under ``content_dir``; all or nothing."""
    problems: list[ContentError] = []
    article_files = sorted((content_dir / "articles").glob("*.md"))
    topic_files = sorted((content_dir / "topics").glob("*.md"))
    if not (content_dir / "articles").is_dir():
        problems.append(ContentError(str(content_dir / "articles"), 0, "folder not found"))
    articles: list[Article] = _collect(article_files, read_article, problems)
    topics: list[Topic] = _collect(topic_files, read_topic, problems)
    _duplicates(articles, "article", problems)
    _duplicates(topics, "topic", problems)
    _check(problems)
    articles.sort(key=lambda a: (a.date, a.slug))
    return Content(tuple(articles), tuple(topics))
