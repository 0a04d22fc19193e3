"""Plain helper functions shared by the unit tests (no fixtures, no conftest magic)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.content import Content, load_content
from generator.model import Article, Citation, Document, Quote, Sentence, Site, Statement, Topic
from generator.pipeline import merge_site
from generator.quotes import find_quotes
from generator.segment import segment

DEFAULT_DATE = datetime.date(2024, 3, 1)


def make_article(
    body: str,
    *,
    slug: str = "article",
    outlet: str = "Example Outlet",
    date: datetime.date = DEFAULT_DATE,
    title: str | None = None,
    url: str | None = None,
    body_line: int = 1,
) -> Article:
    """An ``Article`` whose Markdown body is ``body``."""
    return Article(
        slug=slug,
        path=f"content/articles/{slug}.md",
        title=title or f"Headline of {slug}",
        outlet=outlet,
        url=url or f"https://{slug}.example.org/story",
        date=date,
        body=body,
        body_line=body_line,
    )


def make_document(body: str, **kwargs: object) -> Document:
    """The segmented ``Document`` of an article with Markdown body ``body``."""
    return segment(make_article(body, **kwargs))  # type: ignore[arg-type]


def make_topic(
    slug: str,
    *,
    names: Iterable[str] = (),
    aliases: Iterable[str] = (),
    keywords: Iterable[str] = (),
    exclude: Iterable[str] = (),
    title: str | None = None,
    intro: str = "",
) -> Topic:
    """A ``Topic`` with the given rules."""
    return Topic(
        slug=slug,
        path=f"content/topics/{slug}.md",
        title=title or slug.replace("-", " ").title(),
        intro=intro,
        keywords=tuple(keywords),
        aliases=tuple(aliases),
        names=tuple(names),
        exclude=tuple(exclude),
    )


def texts(document: Document) -> list[str]:
    """The text of every sentence of ``document``, in order."""
    return [s.text for s in document.sentences]


def sentence_containing(document: Document, fragment: str) -> Sentence:
    """The one sentence of ``document`` that contains ``fragment``."""
    found = [s for s in document.sentences if fragment in s.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} sentences: {texts(document)}"
    return found[0]


def quotes_of(body: str, **kwargs: object) -> list[Quote]:
    """The quotes found in an article with Markdown body ``body``."""
    return find_quotes(make_document(body, **kwargs))


def article_file(
    body: str,
    *,
    title: str = "A headline",
    outlet: str = "Example Outlet",
    url: str = "https://example.org/story",
    date: str = "2024-03-01",
    extra: Mapping[str, str] | None = None,
) -> str:
    """The text of an article file: YAML front matter, then ``body``."""
    lines = ["---", f"title: {title}", f"outlet: {outlet}", f"url: {url}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in (extra or {}).items()]
    lines += ["---", ""]
    return "\n".join(lines) + "\n" + body


def topic_file(slug: str, title: str, rules: Mapping[str, Sequence[str]], intro: str = "Intro.") -> str:
    """The text of a topic file."""
    lines = ["---", f"title: {title}", f"slug: {slug}"]
    lines += [f"{key}: [{', '.join(values)}]" for key, values in rules.items()]
    lines += ["---", intro]
    return "\n".join(lines) + "\n"


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path → text) under ``root``; returns ``root``."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "topics").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def content_from_texts(root: Path, files: Mapping[str, str]) -> Content:
    """Write ``files`` under ``root`` and load them as a content folder."""
    return load_content(write_tree(root, files))


def site_of(documents: Sequence[Document], topics: Sequence[Topic]) -> Site:
    """Run every stage after segmentation."""
    return merge_site(tuple(documents), tuple(topics))


def make_citation(
    article: str,
    *,
    outlet: str | None = None,
    position: int = 5,
    sentence: str = "p1s1",
    text: str = "Some sentence.",
    date: datetime.date = DEFAULT_DATE,
) -> Citation:
    """A ``Citation`` of sentence ``sentence`` of ``article``."""
    return Citation(
        article=article,
        outlet=outlet or f"Outlet of {article}",
        url=f"https://{article}.example.org/story",
        sentence=sentence,
        text=text,
        date=date,
        position=position,
    )


def make_statement(
    statement_id: str, sources: Sequence[Citation], topics: Iterable[str] = (), text: str = "Some sentence."
) -> Statement:
    """A fact ``Statement`` with the given sources and topics."""
    return Statement(
        id=statement_id,
        kind="fact",
        text=text,
        speaker=None,
        sources=tuple(sources),
        topics=frozenset(topics),
    )


def documents_from(specs: Sequence[tuple[list[str], str, int]]) -> list[Document]:
    """Documents built from (paragraphs, outlet, day of March 2024) specs, as
    the property tests' strategies generate them."""
    return [
        make_document("\n\n".join(lines), slug=f"story-{n}", outlet=outlet, date=datetime.date(2024, 3, day))
        for n, (lines, outlet, day) in enumerate(specs)
    ]


class PageAnchors(HTMLParser):
    """The ids an HTML page defines and the hrefs it links to."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name == "href" and value:
                self.hrefs.append(value)


def page_anchors(path: Path) -> PageAnchors:
    parser = PageAnchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_anchors(site_dir: Path, site_path: str = "/") -> list[str]:
    """Every internal link in a built site whose ``#fragment`` names no id on its target page.

    ``site_path`` is the URL path the site is published under (``/repo/`` for a
    project page), so root-relative links resolve too. LinkChecker's AnchorCheck
    plugin misses broken anchors at random (its cache keys a page without the
    fragment; upstream disabled the plugin as unreliable, linkchecker PR #575),
    so anchors are checked here, on the files.
    """
    pages = {path: page_anchors(path) for path in sorted(site_dir.rglob("*.html"))}
    broken = []
    for page, anchors in pages.items():
        base = site_path + page.relative_to(site_dir).as_posix()
        for href in anchors.hrefs:
            link = urlsplit(urljoin(base, href))
            if link.scheme or link.netloc or not link.fragment or not link.path.startswith(site_path):
                continue
            target = site_dir / unquote(link.path).removeprefix(site_path)
            if link.path.endswith("/"):
                target = target / "index.html"
            found = pages.get(target) if target.suffix == ".html" else None
            if found is None or unquote(link.fragment) not in found.ids:
                broken.append(f"{page.relative_to(site_dir)}: {href}")
    return broken


def file_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes: two builds compare equal
    exactly when they wrote the same files with the same bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def settings_with(path: Path, **overrides: object) -> Path:
    """The repository's ``pelicanconf.py`` with ``overrides`` appended (as
    ``NAME = repr(value)``), written to ``path``: a test's own settings file."""
    base = (Path(__file__).resolve().parent.parent / "pelicanconf.py").read_text(encoding="utf-8")
    lines = "".join(f"\n{name} = {value!r}" for name, value in overrides.items())
    path.write_text(base + lines + "\n", encoding="utf-8")
    return path
