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
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ContentError, ContentErrors
from generator.model import Article, Topic
from generator.segment import nesting_problem

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""Slugs become folder names in the output: lowercase ASCII, digits and
hyphens only, so none can climb out of ``output/`` or collide by case."""

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Largest content file read (2 MiB), checked before reading it. A long news
article is under 100 kB; parsing hostile Markdown costs about 10 µs per
character, so this keeps the worst single file to about twenty seconds."""

MAX_LINES = 20_000
"""Most lines in one content file (a long article has a few hundred)."""

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (the feed is XML) and no text needs."""
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 pair, which a YAML escape (``"\\ud800"``) can put in a
field and no UTF-8 file can hold: writing the page would fail."""

MAX_YAML_DEPTH = 20
"""Deepest nesting of lists and mappings allowed in front matter; PyYAML
builds nested values recursively and would overflow Python's stack."""

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

_LOADERS: tuple[type[Any], ...] = (FrontMatterLoader,)
"""Loaders to try in turn. Where PyYAML has libyaml (its wheels do), its C
parser goes first, about ten times faster, with the same resolvers; on an
error the pure-Python parser runs again for its clearer message ("expected
',' or ']', but got '<stream end>'")."""
if hasattr(yaml, "CSafeLoader"):

    class _FastFrontMatterLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = FrontMatterLoader.yaml_implicit_resolvers

    _LOADERS = (_FastFrontMatterLoader, FrontMatterLoader)


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
    """The file's text, strictly UTF-8 (a BOM is allowed); size checked before reading."""
    return _read_text(path)[0]


def read_text_and_digest(path: Path) -> tuple[str, bytes]:
    """``read_text`` of ``path``, and the SHA-256 of the bytes read (what
    ``stamp.file_digests`` gives for the file as it was then)."""
    text, data = _read_text(path)
    return text, hashlib.sha256(data).digest()


def _read_text(path: Path) -> tuple[str, bytes]:
    """The file's text (``read_text``) and the bytes it was decoded from."""
    name = str(path)
    size = path.stat().st_size
    with path.open("rb") as file:
        # Never more than the limit: the size on disk can lie (a device, a growing file).
        data = file.read(MAX_FILE_BYTES + 1) if size <= MAX_FILE_BYTES else b""
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        how_big = f"{size / 2**20:.1f} MiB, more" if size > MAX_FILE_BYTES else "more"
        raise ContentError(
            name,
            1,
            f"file is {how_big} than the limit of {MAX_FILE_BYTES / 2**20:g} MiB "
            "per file; is it the right file?",
        )
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise ContentError(
            name, line, "binary file (NUL byte), not text; content holds only Markdown (.md) text files"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            name,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02X} at column {column}); re-save the file as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n"), data


def _check_text(text: str, path: str) -> None:
    """Limits that hold for a file's whole text: line count, no control characters."""
    if not text.strip():
        raise ContentError(path, 1, "file is empty; write front matter between '---' lines, then the text")
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise ContentError(
            path,
            MAX_LINES + 1,
            f"file has {lines:,} lines, more than the limit of {MAX_LINES:,}; is it the right file?",
        )
    control = CONTROL_CHARACTERS.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        raise ContentError(
            path,
            line,
            f"control character U+{ord(control.group()):04X} at column {column} is not text; remove it",
        )


def _check_yaml_shape(yaml_text: str, path: str, loader: type[Any]) -> None:
    """Refuse anchors and aliases (an alias bomb expands a few lines into
    billions of values), explicit tags (``!!python/object``: the safe loader
    refuses them too, but with a message about constructors) and nesting
    deep enough to overflow the stack.

    Walks PyYAML's event stream, which is built without recursion or expansion.
    """
    depth = 0
    for event in yaml.parse(yaml_text, Loader=loader):
        line = (event.start_mark.line if event.start_mark else 0) + 2
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ContentError(
                path,
                line,
                "front matter uses a YAML anchor or alias ('&name' or '*name'); write the value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag:
            raise ContentError(
                path, line, f"front matter uses the YAML tag {tag!r}; write the value as plain text"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ContentError(
                    path, line, f"front matter nests lists or mappings more than {MAX_YAML_DEPTH} deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``text`` into YAML front matter and Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, "no front matter; the file must start with a '---' line")
    end = next((i for i, text_line in enumerate(lines) if i and text_line.rstrip() in ("---", "...")), 0)
    if not end:
        raise ContentError(path, 1, "front matter is not closed; add a '---' line after it")
    yaml_text = "\n".join(lines[1:end])
    node, fields = _parse_front_matter(yaml_text, path)
    if fields is None:
        fields = {}
    if not isinstance(fields, dict) or not isinstance(node, yaml.MappingNode):
        raise ContentError(path, 2, "front matter must be a mapping of 'key: value' lines")
    field_lines = {
        str(key.value): key.start_mark.line + 2 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }
    body = "\n".join(lines[end + 1 :])
    return FrontMatter({str(k): v for k, v in fields.items()}, field_lines, body, end + 2)


def _parse_front_matter(yaml_text: str, path: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers) and the values of ``yaml_text``."""
    for loader in _LOADERS:
        try:
            _check_yaml_shape(yaml_text, path, loader)
            return yaml.compose(yaml_text, Loader=loader), yaml.load(yaml_text, Loader=loader)
        except yaml.YAMLError as exc:
            error = exc
    # context_mark is where the broken construct starts (an unclosed quote);
    # problem_mark is where the parser gave up, often lines later.
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line: int = (mark.line + 2) if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    raise ContentError(
        path, line, f"front matter is not valid YAML: {problem}; check quotes, brackets and indentation"
    ) from None


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
    return _text_field(str(value).strip(), key, line, path, problems)


def _text_field(value: str, key: str, line: int, path: str, problems: list[ContentError]) -> str:
    """``value``, or a problem if a YAML escape put a control character or
    half a UTF-16 pair in it."""
    control = CONTROL_CHARACTERS.search(value)
    if control:
        problems.append(
            ContentError(
                path,
                line,
                f"field '{key}' contains control character U+{ord(control.group()):04X}; remove it",
            )
        )
    surrogate = LONE_SURROGATE.search(value)
    if surrogate:
        problems.append(
            ContentError(
                path,
                line,
                f"field '{key}' contains U+{ord(surrogate.group()):04X}, half of a UTF-16 pair, which is "
                "not a character; write the character itself (or its \\U escape, in double quotes)",
            )
        )
    return value


def parse_date(value: object) -> datetime.date | None:
    """An ISO date (``2022-11-14``, or a timestamp's date part), else None."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.datetime.fromisoformat(text).date() if len(text) > 10 else None
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
    if "/" in value or "\\" in value or ".." in value:
        problems.append(
            ContentError(
                path,
                line,
                f"slug {value!r} would write outside the output folder; "
                "use lowercase letters, digits and hyphens",
            )
        )
    elif not SLUG_PATTERN.match(value):
        problems.append(
            ContentError(
                path,
                line,
                f"slug {value!r} is not allowed; use lowercase letters, digits and hyphens",
            )
        )
    return value


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the link to the original article, or None.

    It becomes an ``href``: only web addresses, so no ``javascript:`` or
    ``data:`` link can reach a page, and no characters that could end the
    attribute or hide a different address."""
    parts = urllib.parse.urlsplit(url)
    if not re.match(r"https?://", url, re.IGNORECASE):
        return f"url {url!r} must start with http:// or https://"
    if not parts.netloc or any(c.isspace() or ord(c) < 32 or c in "<>\"'`\\" for c in url):
        return f"url {url!r} is not a valid web address; percent-encode spaces, quotes and angle brackets"
    return None


def _check(problems: list[ContentError]) -> None:
    if problems:
        raise ContentErrors(problems)


def read_article(path: Path, text: str | None = None) -> Article:
    """Read one article file; raises ``ContentErrors`` listing every problem."""
    name = str(path)
    text = read_text(path) if text is None else text
    _check_text(text, name)
    front = split_front_matter(text, name)
    problems: list[ContentError] = []
    title, outlet, url = (_required_text(front, k, name, problems) for k in ("title", "outlet", "url"))
    if "date" not in front.fields or front.fields["date"] in (None, ""):
        _required_text(front, "date", name, problems)
    date = _date(front, name, problems)
    url_problem = _url_problem(url) if url else None
    if url_problem:
        problems.append(ContentError(name, front.field_lines.get("url", 1), url_problem))
    slug_value = str(front.fields.get("slug") or path.stem)
    slug = _slug(slug_value, name, front.field_lines.get("slug", 1), problems)
    author, credit, language = (
        _text_field(str(front.fields[key]).strip(), key, front.field_lines.get(key, 1), name, problems)
        if front.fields.get(key)
        else None
        for key in ("author", "credit", "language")
    )
    nesting = nesting_problem(front.body)
    if nesting is not None:
        problems.append(ContentError(name, front.body_line + nesting[0], nesting[1]))
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
        author=author or None,
        language=language or "en",
        credit=credit or None,
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
    text = read_text(path) if text is None else text
    _check_text(text, name)
    front = split_front_matter(text, name)
    problems: list[ContentError] = []
    title = _required_text(front, "title", name, problems)
    slug_value = _required_text(front, "slug", name, problems)
    slug = _slug(slug_value, name, front.field_lines.get("slug", 1), problems) if slug_value else ""
    rules = {key: _rule_list(front, key, name, problems) for key in TOPIC_RULE_FIELDS}
    nesting = nesting_problem(front.body)
    if nesting is not None:
        problems.append(ContentError(name, front.body_line + nesting[0], nesting[1]))
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
        except OSError as exc:
            problems.append(ContentError(str(file), 1, f"cannot be read: {exc.strerror}"))
    return items


def _duplicates(items: list[Any], kind: str, problems: list[ContentError]) -> None:
    seen: dict[str, str] = {}
    for item in items:
        if item.slug in seen:
            problems.append(
                ContentError(
                    item.path,
                    _slug_line(Path(item.path)),
                    f"{kind} slug '{item.slug}' is also used by {seen[item.slug]}; rename one",
                )
            )
        else:
            seen[item.slug] = item.path


def _slug_line(path: Path) -> int:
    """The line of the ``slug:`` field, or 1 when the slug is the file name."""
    try:
        return split_front_matter(read_text(path), str(path)).field_lines.get("slug", 1)
    except ContentError:
        return 1


def _markdown_files(folder: Path, problems: list[ContentError]) -> list[Path]:
    """The ``.md`` files directly in ``folder``; any other file is a problem.

    Pelican reads subfolders and has readers for other formats (HTML, reST)
    that would publish a file's markup as it is, so nothing but our own
    Markdown files may stand here. Hidden files (``.DS_Store``) are ignored,
    as Pelican ignores them, except hidden ``.md`` files, which were surely
    meant to be read.
    """
    if not folder.is_dir():
        return []
    files: list[Path] = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            if path.suffix == ".md":  # Pelican skips it too: text the user meant to publish
                problems.append(
                    ContentError(
                        str(path), 1, "hidden file (its name starts with '.') is not read; rename it"
                    )
                )
        elif path.parent != folder:
            problems.append(
                ContentError(str(path), 1, f"files in subfolders are not read; move it into {folder}")
            )
        elif path.suffix != ".md":
            with path.open("rb") as head:
                binary = b"\0" in head.read(8192)
            what = "binary file, not text" if binary else "not a Markdown file"
            problems.append(
                ContentError(str(path), 1, f"{what}; only .md files belong in {folder}, move it elsewhere")
            )
        else:
            files.append(path)
    return files


def load_content(content_dir: Path, read: Callable[[Path], Article] = read_article) -> Content:
    """Read ``articles/`` and ``topics/`` under ``content_dir``; all or nothing.
    ``read`` reads one article file (``read_article``, or a cache's stand-in for it)."""
    problems: list[ContentError] = []
    if not (content_dir / "articles").is_dir():
        problems.append(ContentError(str(content_dir / "articles"), 0, "folder not found"))
    article_files = _markdown_files(content_dir / "articles", problems)
    topic_files = _markdown_files(content_dir / "topics", problems)
    articles: list[Article] = _collect(article_files, read, problems)
    topics: list[Topic] = _collect(topic_files, read_topic, problems)
    _duplicates(articles, "article", problems)
    _duplicates(topics, "topic", problems)
    _check(problems)
    articles.sort(key=lambda a: (a.date, a.slug))
    return Content(tuple(articles), tuple(topics))
