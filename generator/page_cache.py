"""Pages kept between builds: a page whose inputs did not change is not rendered again.

Rendering every page took about a quarter of a rebuild at 5,000 articles
(16 s for 741 MB of HTML), though after one edit nearly every page comes out
byte for byte as before: 43 of 5,090 pages changed in the benchmark's edit.
``briefing build`` hands Pelican's writer a ``PageCache``
(``PAGE_CACHE_SETTING``); for the three kinds of page that make up the site
(source articles, topic briefings, outlets) the writer asks it for each
page's text (``PageCache.template``) instead of rendering it.

A page's **key** is a SHA-256 of everything its template reads:

* what renders every page: the templates and code (every file of our
  package, of the settings file and of the theme and plugin folders the
  settings name), the locale (month names), and the settings the
  templates see (every
  upper-case name but the per-page ``SITEURL``, which is keyed with the
  page's own path);
* what every page shows: the topics' slugs and titles (the navigation);
* the page's own data, by a digest of its value (``digest``): an
  article page's article (its file's fields, from which the document is
  segmented by this version of the code: the cache folder is per version;
  by the content key the build made of them, ``Site.article_keys``, where it did)
  and the briefings that cite each of its sentences; a topic page's
  briefing, title and intro, and the slugs of the outlets that name its
  "Only in one outlet" headings; an outlet page's outlet. A field no output
  shows (``NOT_SHOWN``) is left out, and so is one made of other fields of
  its value alone (``DERIVED``: a briefing's sections, of its statements).

The JSON export's per-topic files are kept the same way (``file``), keyed
by their briefing.

A statement's own digest, which the keys of the topic pages, the outlet
pages and the export read, is kept between builds too (``DIGESTS_KEPT``),
under a digest of what the statement is made from (``Site.statement_keys``:
its sources' sentences, the content of their articles, its origins and the
topics' rules; ``briefing.made_from``): a build takes over the digest of
each statement made from what it was made from then, and digests only the
others (``take_over_digests``). So is a briefing's, which the keys of its
topic page and export file read, under a digest of what it is made from
(``Site.briefing_keys``) and of its people and disagreements, which the
build adds to it after.

The versions of Python, Pelican, Jinja2 and MarkupSafe are not in the key:
they name the cache folder the manifest lives in (``settings.cache_folder``).

The page's text is not stored twice: the manifest (``pages.json`` in the
cache folder) holds, per written path, the key it was rendered from and the
SHA-256 of its bytes, and a page is reused from the *published* site only
when both still match; a page edited or deleted by hand, or a manifest from
a build that never published, is rendered again. A page reused goes into the
new site as a hard link to the published file (``feeds.BriefingWriter``), so
it is neither read back as text nor written again. The manifest is saved only
after a build published its site (``save``).

To know a published page is still the one noted without reading it (700 MB
at 5,000 articles: 0.7-0.9 s of an edit build), the manifest also notes
each file's *signature* once the file has settled: its size, modification
time and inode (``_signature``), which an edit by hand changes, as git and
make rely on. A file whose signature is noted and the same is taken as it
was; any other is read and its SHA-256 compared. Only a file last modified
at least ``SETTLED_NS`` before the signature is noted gets one (git's rule
for "racy" files): one changed again within the same tick of the file
system's clock would keep its modification time.

Only our own templates are covered: a theme that overrides one of them may
read anything in Pelican's context, so with it every page is rendered.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import json
import locale
import operator
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from generator.briefing import Sections
from generator.files import load_pickle, save_pickle, stays_inside, write_atomically
from generator.model import (
    FIELD_SEPARATOR,
    NO_VALUE,
    Article,
    Briefing,
    Citation,
    Disagreement,
    Entity,
    Event,
    Statement,
)
from generator.settings import templates_dir
from generator.timings import Timings, stage

Made = TypeVar("Made", str, bytes)
"""What a file is made as: text (a page, a feed) or bytes (the JSON export)."""

PAGE_CACHE_SETTING = "BRIEFING_PAGE_CACHE"
"""Setting holding the build's ``PageCache`` (absent: every page is rendered)."""

MANIFEST = "pages.json"
DIGESTS_KEPT = "page-digests.pickle"
"""In the cache folder: the digest (``digest``) of each statement and each
briefing of the last build, by the digest of what it is made from
(``take_over_digests``)."""
SETTLED_NS = 2_000_000_000
"""How long before its signature is noted a published file must have been
last modified (two seconds: the coarsest clock of a common file system, FAT's)."""

_PER_BUILD = frozenset({"SITEURL", "OUTPUT_PATH"})
"""Settings left out of the shared part of a key: ``SITEURL`` is keyed per
page, and ``briefing build`` writes each build into a new staging folder
(``OUTPUT_PATH``), which no template shows."""

_COVERED = ("article.html", "topic.html", "outlet.html")
_SHARED = ("base.html", "_macros.html")


class NotDigestible(TypeError):
    """A value ``digest`` has no stable form for (the page is rendered, not reused)."""


def digest(value: object, memo: dict[int, bytes] | None = None) -> bytes:
    """A SHA-256 of ``value`` that is the same in every process: built from
    ``None``, booleans, numbers, strings, bytes, dates, tuples, lists, dicts (in
    their order), sets (in sorted order) and dataclasses (by their fields).

    ``memo`` keeps the digest of each statement, article, briefing, person
    and disagreement by identity, so a statement shown on a topic page and
    on three outlet pages is read once, a briefing's export is keyed
    without reading it again, and a person or a disagreement is read once,
    not on each topic page it is shown on (at 5,000 articles, 150 people
    shown 723 times). Its caller keeps those objects alive while it uses
    the memo (an identity is only unique among living objects): here, the
    merged site the pages show, which lives until Pelican's writer is done.
    Only those types, shared between pages, are kept: keeping every
    citation's digest too took about 40 MB at 5,000 articles."""
    memo = {} if memo is None else memo
    parts: list[bytes] = []
    _feed(value, parts, memo)
    return hashlib.sha256(b"".join(parts)).digest()


NOT_SHOWN: Mapping[type, frozenset[str]] = {
    Citation: frozenset({"position"}),
    Article: frozenset({"body"}),
}
"""Fields no topic page, outlet page or export file shows, left out of every
digest (tested: changing them changes none of those files).

* A citation's place in its article moves for every later sentence of an
  article that gains or loses one, and with it the key of every topic and
  outlet page citing the article; but it only orders sources and
  statements, and that order is in the digest already, as the order of the
  lists that hold them.
* An article's Markdown body, held by every source article a topic or outlet
  page lists, is shown on the article's own page only, by its sentences:
  that page's key holds it, through the article's content key where the
  build made one (``PageCache._key``)."""


DERIVED: Mapping[type, frozenset[str]] = {Briefing: Sections.__required_keys__}
"""Fields that pages show, left out of every digest as they are made of
other fields of the same value alone, which the digest holds: a briefing's
sections made of its statements and articles (``briefing.briefing_sections``:
tested to give them again). The topic pages' keys read every statement
once, and each section again (0.27 s of an edit at 5,000 articles)."""


def _statement_form(statement: Statement) -> str:
    """A statement as one text that tells statements apart (its fields
    joined: ``model.FIELD_SEPARATOR``): its digest's text, made by one
    ``join`` rather than field by field or by a ``repr``. The statements
    are most of what the pages' keys read (80,000 at 5,000 articles: 1.1 s
    field by field, 0.5 s as a ``repr`` of their values, about half that
    so)."""
    return FIELD_SEPARATOR.join(
        [
            statement.id,
            statement.kind,
            statement.text,
            NO_VALUE if statement.speaker is None else statement.speaker,
            str(len(statement.topics)),
            *sorted(statement.topics),
            str(len(statement.origins)),
            *map(_IN_GROUP.join, statement.origins),
            *_citations_form(statement.sources),
        ]
    )


def _event_form(event: Event) -> str:
    """A timeline's event as one text (as ``_statement_form``)."""
    return FIELD_SEPARATOR.join(
        [
            event.date,
            event.precision,
            event.text,
            event.expression,
            str(len(event.statements)),
            *event.statements,
            *_citations_form(event.sources),
        ]
    )


def _citations_form(sources: tuple[Citation, ...]) -> list[str]:
    """The fields a page shows of each of ``sources``, after their number:
    all of a citation's but its place in the article (``NOT_SHOWN``)."""
    fields = [str(len(sources))]
    for source in sources:
        fields += (source.article, source.outlet, source.url, source.sentence, source.text, str(source.date))
    return fields


_DIGEST_BYTES = hashlib.sha256().digest_size
"""The size of a digest (``digest``): what a statement's kept digest must be."""

_IN_GROUP = "\1"
"""What joins the article slugs of one group of a statement's origins, in its form."""


_FLAT_FORMS: Mapping[type, Callable[[Any], str]] = {
    Statement: _statement_form,
    Event: _event_form,
}
"""Per type, its values as one text (see ``_statement_form``); every field a
page shows must be in it (tested)."""

_SHARED_TYPES = (Statement, Article, Briefing, Entity, Disagreement)
_SCALARS = frozenset({str, int, float, bool, type(None), datetime.date, datetime.datetime})
"""Types whose ``repr`` is the same in every process and tells values apart."""
_FIELDS: dict[type, Callable[[object], tuple[object, ...]] | None] = {}
"""Per type, a getter of its fields' values as a tuple (None: not a dataclass)."""


def _fields_of(cls: type) -> Callable[[object], tuple[object, ...]] | None:
    """The field getter of dataclass type ``cls``; None for any other type."""
    if cls in _FIELDS:
        return _FIELDS[cls]
    getter = None
    if dataclasses.is_dataclass(cls):
        hidden = NOT_SHOWN.get(cls, frozenset()) | DERIVED.get(cls, frozenset())
        names = [field.name for field in dataclasses.fields(cls) if field.name not in hidden]
        many = operator.attrgetter(*names)
        getter = many if len(names) > 1 else lambda value: (many(value),)
    _FIELDS[cls] = getter
    return getter


def _feed_rows(values: tuple[object, ...] | list[object], parts: list[bytes]) -> bool:
    """A sequence of dataclasses of one type that hold only scalars (a
    statement's or a person's citations), as one ``repr`` of their rows;
    False (nothing fed) for any other sequence."""
    if not values:
        return False
    cls = type(values[0])
    fields = _fields_of(cls)
    if fields is None or issubclass(cls, _SHARED_TYPES) or any(type(v) is not cls for v in values):
        return False
    rows = list(map(fields, values))
    if not _SCALARS.issuperset(map(type, itertools.chain.from_iterable(rows))):
        return False
    parts.append(b"R" + cls.__qualname__.encode() + b":")
    parts.append(repr(rows).encode("utf-8", "surrogatepass"))
    return True


def _feed_each(values: Iterable[object], parts: list[bytes], memo: dict[int, bytes]) -> None:
    """``_feed`` of each of ``values``; a scalar as its ``repr`` and a NUL (which
    no ``repr`` holds), without a call per value; a string as ``_feed`` feeds
    it, its length then its UTF-8 (an article's body, on its page's key: 4-5
    KB that ``repr`` took six times as long to read)."""
    for item in values:
        if type(item) is str:
            data = item.encode("utf-8", "surrogatepass")
            parts.append(b"s%d:" % len(data))
            parts.append(data)
        elif type(item) in _SCALARS:
            parts.append(repr(item).encode("utf-8", "surrogatepass") + b"\0")
        elif (known := memo.get(id(item))) is not None:
            # Read already (``_feed``): a briefing holds each of its statements
            # in four of its lists on average, and an article in every list of
            # sources it is in (at 5,000 articles, most of 600,000 reads).
            parts.append(b"D")
            parts.append(known)
        else:
            _feed(item, parts, memo)


def _feed(value: object, parts: list[bytes], memo: dict[int, bytes]) -> None:
    cls = type(value)
    fields = _fields_of(cls)
    if fields is not None:
        shared = isinstance(value, _SHARED_TYPES)
        known = memo.get(id(value)) if shared else None
        if known is None:
            inner = [cls.__qualname__.encode()]
            flat = _FLAT_FORMS.get(cls)
            if flat is not None:  # a statement, an event: one text
                inner += (b"t", flat(value).encode("utf-8", "surrogatepass"))
            elif _SCALARS.issuperset(map(type, values := fields(value))):
                # Most other dataclasses here (a citation, an article) hold
                # only scalars: one ``repr`` reads them all.
                inner += (b"r", repr(values).encode("utf-8", "surrogatepass"))
            else:
                inner.append(b"{")
                _feed_each(values, inner, memo)
            known = hashlib.sha256(b"".join(inner)).digest()
            if shared:
                memo[id(value)] = known
        parts.append(b"D")
        parts.append(known)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        # A ``str`` subclass may render otherwise (Jinja does not escape ``Markup``).
        parts.append(
            b"s%d:" % len(data) if cls is str else b"S%s:%d:" % (cls.__qualname__.encode(), len(data))
        )
        parts.append(data)
    elif isinstance(value, bytes):
        parts.append(b"b%d:" % len(value))
        parts.append(value)
    elif value is None or isinstance(value, bool):
        parts.append(b"c" + repr(value).encode())
    elif isinstance(value, int):
        parts.append(b"i%d;" % value)
    elif isinstance(value, float):
        parts.append(b"f" + repr(value).encode() + b";")
    elif isinstance(value, tuple | list):
        if not _feed_rows(value, parts):
            parts.append(b"(")
            _feed_each(value, parts, memo)
            parts.append(b")")
    elif isinstance(value, datetime.date):  # and datetime.datetime
        parts.append(b"d" + value.isoformat().encode() + b";")
    elif isinstance(value, frozenset | set):
        if all(type(item) is str for item in value):
            parts.append(b"{s")
            parts.append(repr(sorted(value)).encode("utf-8", "surrogatepass"))
        else:
            parts.append(b"{")
            parts.extend(sorted(digest(item, memo) for item in value))
        parts.append(b"}")
    elif isinstance(value, Mapping):
        parts.append(b"<")
        for key, item in value.items():
            _feed(key, parts, memo)
            _feed(item, parts, memo)
        parts.append(b">")
    else:
        raise NotDigestible(f"no stable digest for {cls.__qualname__}")


class PageCache:
    """The pages of the last published build, reused where their key did not change.

    ``published``: the site folder the last build published (pages are read
    from there); ``cache``: the build's cache folder (the manifest);
    ``environment``: a digest of what renders every page besides its data
    (the templates, the code and settings files: ``build._environment_digest``;
    the versions of Python and the libraries name the cache folder, so a
    manifest is never read by another);
    ``timings``: where each page's key ("key"), and each page rendered
    ("render") or reused ("reuse"), is timed and counted."""

    def __init__(
        self, published: Path, cache: Path, environment: bytes, timings: Timings | None = None
    ) -> None:
        self._published = published
        self._environment = environment
        self._timings = timings
        self._manifest = cache / MANIFEST
        self._last = _load(self._manifest)
        self._written: dict[str, list[str]] = {}
        self._memo: dict[int, bytes] = {}
        self._covered: dict[str, bool] = {}
        """Whether each template name is one of ours that the cache covers."""
        self._shared: bytes | None = None
        self._rendering: bytes | None = None
        self._cited: tuple[object, Mapping[str, str]] | None = None
        """The site's citations, and each article's back-links as one text (``_back_links``)."""
        self._digests_kept = cache / DIGESTS_KEPT
        self._site: Any = None
        """The merged site whose statements' and briefings' digests were taken
        from the last build's (``take_over_digests``)."""

    @property
    def published(self) -> Path:
        """The site folder the last build published, where pages are reused from."""
        return self._published

    def template(self, template: Any, keep: Callable[[Path], None]) -> Any:
        """``template``, or when it is one of ours that this cache covers, a
        stand-in that renders each page through the cache. A page reused
        from the published site renders as "", and ``keep`` is called with
        its file, for the writer to put in its place
        (``feeds.BriefingWriter``): 700 MB of pages at 5,000 articles are
        then neither read back as text nor written again."""
        return _CachedTemplate(self, template, keep) if self.covers(template) else template

    def covers(self, template: Any) -> bool:
        """Whether ``template`` is one of ours that this cache covers: what
        it reads is known (a theme's own may read anything)."""
        covered = self._covered.get(template.name)
        if covered is None:
            covered = self._covered[template.name] = template.name in _COVERED and _ours(template)
        return covered

    def page(self, template: Any, context: Mapping[str, Any]) -> str | Path:
        """The page ``context`` is for (``output_file``): the published file,
        if its key and bytes match the manifest, else the text rendered (and
        noted for the manifest)."""
        name = str(context["output_file"])
        try:
            with stage(self._timings, "key"):
                key = self._key(name, template.name, context)
        except NotDigestible:
            return str(template.render(context))
        return self._published_or_made(name, key, lambda: str(template.render(context)), "")

    def file(self, name: str, inputs: object, make: Callable[[], Made], kind: str = "file") -> Made | Path:
        """The site's file ``name`` (a path under the site root), which
        ``make`` makes from ``inputs`` alone: the published file if
        ``inputs`` are what they were when it was written (timed as
        "<kind>.reuse"), else the text made (timed as "<kind>.make")."""
        try:
            key = self.digest([name, inputs]).hex()
        except NotDigestible:
            return make()
        return self._published_or_made(name, key, make, f"{kind}.")

    def _published_or_made(self, name: str, key: str, make: Callable[[], Made], label: str) -> Made | Path:
        """The published file ``name`` if it was made from ``key`` and its
        bytes are those noted then (timed as "reuse"), else the text or
        bytes ``make`` makes (timed as "make", or "render" for a page)."""
        last = self._last.get(name)
        if last is not None and last[0] == key:
            started = time.perf_counter()
            published = self._published / name
            if _still(published, last):
                if self._timings is not None:
                    self._timings.add(f"{label}reuse", time.perf_counter() - started)
                self._written[name] = last[:2]
                return published
        with stage(self._timings, f"{label}make" if label else "render"):
            made = make()
        data = made.encode("utf-8", "surrogatepass") if isinstance(made, str) else made
        self._written[name] = [key, hashlib.sha256(data).hexdigest()]
        return made

    def written_digest(self, name: str) -> bytes | None:
        """The SHA-256 of the file this build wrote as ``name`` (a path under
        the site root), if it went through this cache; else None. It is the
        digest of the text made, or of the published file reused, checked
        this build (``_published_or_made``)."""
        entry = self._written.get(name)
        return bytes.fromhex(entry[1]) if entry is not None else None

    def save(self) -> None:
        """Write the manifest of this build's pages, with the signature of
        each that has settled (call once the site is published)."""
        now = time.time_ns()
        for name, entry in self._written.items():
            signature = _signature(self._published / name, settled_before=now - SETTLED_NS)
            if signature is not None:
                entry.append(signature)
        manifest = json.dumps(self._written, sort_keys=True).encode("utf-8")
        with contextlib.suppress(OSError):  # no manifest: the next build renders every page
            write_atomically(self._manifest, lambda handle: handle.write(manifest))
        self._keep_digests()

    def take_over_digests(self, site: Any) -> tuple[int, int]:
        """Take over the last build's digest of each statement and each
        briefing of ``site`` made from what it was made from then: it is the
        same statement, the same briefing. How many statements and how many
        briefings were taken over. (Done when a page of ``site`` is first
        keyed.)

        The topic pages' keys read every statement (80,000 at 5,000
        articles: 0.7 s of every build) and then every briefing's timeline,
        updates and people (0.3 s more); after an edit, all but those of the
        edited article and its topics are taken over. The digests are kept
        for the next build once the site is published (``save``).

        A statement's are kept by the digest of what it is made from
        (``Site.statement_keys``); a briefing's by that of what it is made
        from (``Site.briefing_keys``), its people and its disagreements
        (``_briefing_key``)."""
        if self._site is not None and site is not self._site:
            # The memo's identities are the last site's objects, which may be
            # gone and their ids another object's now.
            self._memo.clear()
        self._site = site
        kept = load_pickle(self._digests_kept, "page cache's digests")
        if not isinstance(kept, tuple) or len(kept) != 2 or not all(isinstance(k, dict) for k in kept):
            return 0, 0
        statements, briefings = kept
        keys = getattr(site, "statement_keys", None) or {}
        memo, statements_taken, briefings_taken = self._memo, 0, 0
        for briefing in site.briefings:
            for statement in briefing.statements:
                known = statements.get(keys.get(statement.id))
                if type(known) is bytes and len(known) == _DIGEST_BYTES:
                    statements_taken += id(statement) not in memo
                    memo[id(statement)] = known
            known = briefings.get(self._briefing_key(site, briefing))
            if type(known) is bytes and len(known) == _DIGEST_BYTES:
                briefings_taken += 1
                memo[id(briefing)] = known
        return statements_taken, briefings_taken

    def _briefing_key(self, site: Any, briefing: Briefing) -> bytes | None:
        """What ``briefing`` of ``site`` is made from: the digest of what the
        build made it from (``Site.briefing_keys``), then the digests of its
        people and its disagreements, added after; None without the first."""
        made_from = (getattr(site, "briefing_keys", None) or {}).get(briefing.topic.slug)
        if made_from is None:
            return None
        added = self.digest([briefing.people, briefing.disagreements])
        return hashlib.sha256(made_from + added).digest()

    def digest(self, value: object) -> bytes:
        """``digest`` of ``value``, with what this cache has digested already."""
        return digest(value, self._memo)

    def _keep_digests(self) -> None:
        """Keep the digest of each statement and each briefing of the site
        this build showed (``take_over_digests``), by the digest of what it
        is made from, for the next."""
        site = self._site
        if site is None:
            return
        keys = getattr(site, "statement_keys", None) or {}
        memo, statements, briefings = self._memo, {}, {}
        for briefing in site.briefings:
            for statement in briefing.statements:
                found, key = memo.get(id(statement)), keys.get(statement.id)
                if found is not None and key is not None:
                    statements[key] = found
            found, made_from = memo.get(id(briefing)), self._briefing_key(site, briefing)
            if found is not None and made_from is not None:
                briefings[made_from] = found
        save_pickle(self._digests_kept, (statements, briefings), "page cache's digests")

    def shared(self, context: Mapping[str, Any]) -> bytes:
        """A digest of what every page shows besides its data: the templates
        and code, the locale, the settings (but ``SITEURL``) and the
        navigation (made once, from the first ``context`` asked with)."""
        if self._shared is None:
            site = context.get("briefing_site")
            navigation = [(b.topic.slug, b.topic.title) for b in site.briefings] if site is not None else []
            titles = sorted(dict(context.get("topic_titles") or {}).items())
            self._shared = digest([self.rendering(context), navigation, titles])
        return self._shared

    def rendering(self, context: Mapping[str, Any]) -> bytes:
        """A digest of what renders every page: the templates and code, the
        locale and the settings but ``SITEURL`` (made once, from the first
        ``context`` asked with)."""
        if self._rendering is None:
            self._rendering = self._rendering_digest(context)
        return self._rendering

    def _key(self, name: str, template_name: str, context: Mapping[str, Any]) -> str:
        site = context.get("briefing_site")
        if site is not None and site is not self._site:
            self.take_over_digests(site)
        shared = self.shared(context)
        parts: list[bytes] = []
        own: list[object] = [name, context.get("SITEURL"), template_name]
        if template_name == "article.html":
            article, site = context["article"], context["briefing_site"]
            shown = article.document.article
            # Its file's content key, which the build made for its caches,
            # stands for every field (its 4-5 KB body too): none read again here.
            content_key = getattr(site, "article_keys", {}).get(shown.slug)
            own += [
                article.title,
                article.outlet,
                *((shown, shown.body) if content_key is None else (content_key,)),
                self._back_links(site.citations).get(shown.slug, ""),
            ]
        elif template_name == "topic.html":
            page = context["page"]
            briefing = getattr(page, "briefing", None)
            own += [page.title, page.content, briefing]
            if briefing is not None:
                # Its headings' ids under "Only in one outlet": the site's
                # slugs of those outlets, which another outlet's name can change.
                slugs = context.get("outlet_slugs") or {}
                own.append([slugs.get(group.outlet) for group in briefing.single_outlet])
        else:
            own.append(context["outlet"])
        _feed(own, parts, self._memo)
        return hashlib.sha256(shared + b"".join(parts)).hexdigest()

    def _back_links(self, citations: Mapping[str, tuple[tuple[str, str], ...]]) -> Mapping[str, str]:
        """Each article's back-links (``Site.citations``: its cited sentences'
        keys, each with its topic slugs and statement ids) as one text, by
        article slug, made in one pass over the site's citations (for the
        last ``citations`` asked of). The article's sentences are its page's
        key already (its text), so its cited sentences' keys and their pairs
        tell its back-links apart; looked up sentence by sentence, they took
        more than half of the article pages' keys (0.3 s at 5,000 articles).

        The text is each key, then its pairs, each a slug and an id joined
        by U+0001, all joined by ``model.FIELD_SEPARATOR``: a key holds a
        "#" and no U+0001, a pair one U+0001 and no "#" (neither a slug
        nor an id holds either)."""
        if self._cited is None or self._cited[0] is not citations:
            pair = _IN_GROUP.join
            by_article: dict[str, list[str]] = {}
            for key, pairs in citations.items():
                slug = key[: key.index("#")]
                cited = by_article.get(slug)
                if cited is None:
                    cited = by_article[slug] = []
                cited.append(key)
                cited += map(pair, pairs)
            self._cited = (citations, {slug: FIELD_SEPARATOR.join(c) for slug, c in by_article.items()})
        return self._cited[1]

    def _rendering_digest(self, context: Mapping[str, Any]) -> bytes:
        """The templates, the code, the locale and the settings: the same for every page."""
        settings = {
            key: plain_setting(value)
            for key, value in sorted(context.items())
            if key.isupper() and key not in _PER_BUILD and not key.startswith("BRIEFING_")
        }
        # Month names are the locale's, which Pelican sets from ``LOCALE`` or,
        # by default, from the environment (``LANG``): read it as set.
        month_names = locale.setlocale(locale.LC_TIME)
        settings_json = json.dumps(settings, sort_keys=True)
        return digest([self._environment, month_names, settings_json])


class _CachedTemplate:
    """What Pelican's writer calls ``render`` on: one page, through the cache.
    A page reused from the published site renders as "", and ``keep`` is
    given its file, for the writer to put in its place."""

    def __init__(self, cache: PageCache, template: Any, keep: Callable[[Path], None]) -> None:
        self._cache, self._template, self._keep = cache, template, keep

    def render(self, context: Mapping[str, Any]) -> str:
        page = self._cache.page(self._template, context)
        if isinstance(page, str):
            return page
        self._keep(page)
        return ""


def _still(published: Path, entry: list[str]) -> bool:
    """Whether ``published`` is the file the manifest's ``entry`` noted: the
    same signature, if one was noted, or else the same bytes."""
    if len(entry) > 2 and _signature(published) == entry[2]:
        return True
    return _sha256_of(published) == entry[1]


def _signature(path: Path, settled_before: int | None = None) -> str | None:
    """The size, modification time and inode of the regular file at
    ``path``; None for a link or a file that cannot be read, or, given
    ``settled_before`` (nanoseconds since the epoch), for one modified since."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    if settled_before is not None and found.st_mtime_ns >= settled_before:
        return None
    return f"{found.st_size}:{found.st_mtime_ns}:{found.st_dev}:{found.st_ino}"


def _sha256_of(path: Path) -> str | None:
    """The SHA-256 of the file at ``path`` (hex); None if it cannot be read,
    or is a symbolic link (the writer would put the link itself in the site)."""
    try:
        if path.is_symlink():
            return None
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _ours(template: Any) -> bool:
    """Whether ``template`` and the templates it builds on are our theme's files."""
    environment = template.environment
    ours = templates_dir().resolve()
    names = (template.name, *_SHARED)
    return all(
        (filename := environment.get_template(n).filename) is not None
        and Path(filename).resolve().parent == ours
        for n in names
    )


def plain_setting(value: object) -> object:
    """A setting as JSON-able data that is the same on every run."""
    if isinstance(value, dict):
        return {str(k): plain_setting(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_setting(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return f"{type(value).__module__}.{getattr(value, '__qualname__', type(value).__qualname__)}"


def _load(manifest: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        name: entry
        for name, entry in data.items()
        if isinstance(name, str) and _is_entry(entry) and stays_inside(name)
    }


def _is_entry(entry: object) -> bool:
    """A key and a SHA-256, and maybe a signature."""
    return isinstance(entry, list) and len(entry) in (2, 3) and all(isinstance(x, str) for x in entry)
