"""Stage 1: split an article into blocks and sentences, keeping positions.

markdown-it-py parses the body into tokens; every paragraph, heading and
blockquote paragraph becomes a ``Block`` of plain text (inline markup
dropped, soft line breaks kept as "\\n"), and each block is cut into
``Sentence`` objects whose offsets satisfy ``block.text[start:end] == text``
and whose ``line`` is the line in the source file.

The splitter is rule-based and written for news text as scraped from the web,
because the usual failure cases are exactly what generic splitters get wrong:

* abbreviations and initials: "Mr. Heappey", "the U.N. mission", "J. Smith";
* a missing space after a full stop: "mercenaries.Mali's" is two sentences;
* ellipses inside quotes: "will... now be leaving" is one sentence;
* closing quotes belong to the sentence they close: ``peace.”`` and
  ``peace," he said.`` end where a reader expects;
* straight and curly quotes mixed in one text.

A short question standing alone ("Who are the Wagner Group?") or a short line
without sentence punctuation is a subheading, not a statement.
"""

from __future__ import annotations

import re
import sys

from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.model import Article, Block, BlockKind, Document, Sentence

TITLE_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Mx Dr Prof Gen Col Lt Sgt Capt Cpl Maj Adm Brig Cmdr Rev Sen Rep Gov Pres "
    "Hon St Mt Jr Sr Messrs Supt Insp Det Fr Amb Sec Atty Gen Rt".split()
)
"""Abbreviations that stand before a name: a full stop after them never ends a sentence."""

NUMBER_ABBREVIATIONS = frozenset(
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec No Nos Art Vol Fig Figs p pp para ch".split()
)
"""Abbreviations that end a sentence only when no number follows them."""

INLINE_ABBREVIATIONS = frozenset("e.g i.e cf vs viz approx est".split())
"""Abbreviations used mid-sentence whatever follows."""

SENTENCE_STARTERS = frozenset(
    "The A An He She It They We I You This That These Those There His Her Its Their Our But And "
    "In On At As After Before When While If However Meanwhile Officials Some Many Most".split()
)
"""Words that begin sentences far more often than names: after an
initialism such as "U.S." they mark a new sentence."""

OPENING_MARKS = "\"'“‘«([{"
CLOSING_MARKS = "\"'”’»)]}"
TERMINATOR = re.compile(r"(?:\.{3}|…|[.?!])+")
HEADING_MAX_WORDS = 12

MAX_NESTING = 8
"""Deepest nesting of lists and block quotes inside one another. markdown-it
stops parsing, silently dropping the rest of the text, at its ``maxNesting``
token level; a list costs two levels, so the parser's limit below is set so
that text nested deeper than this is refused before any of it could be lost."""

_PARSER = MarkdownIt("commonmark", {"html": False, "maxNesting": 2 * MAX_NESTING + 4})

_CONTAINERS = frozenset(("blockquote_open", "bullet_list_open", "ordered_list_open"))


def nesting_problem(body: str) -> tuple[int, str] | None:
    """``(0-based line in body, message)`` if lists or quotes nest deeper
    than ``MAX_NESTING``, else None."""
    depth = 0
    for token in _PARSER.parse(body):
        if token.type in _CONTAINERS:
            depth += 1
            if depth > MAX_NESTING:
                line = token.map[0] if token.map else 0
                return line, (
                    f"lists or block quotes are nested more than {MAX_NESTING} levels deep; flatten them"
                )
        elif token.type.endswith("_close") and token.type.replace("_close", "_open") in _CONTAINERS:
            depth -= 1
    return None


def segment(article: Article) -> Document:
    """Split ``article`` into blocks and sentences."""
    blocks = tuple(_blocks(_PARSER.parse(article.body), article.body_line))
    sentences: list[Sentence] = []
    for block in blocks:
        spans = split_sentences(block.text)
        is_heading = block.kind == "heading" or _looks_like_subheading(block.text, spans)
        for number, (start, end) in enumerate(spans, start=1):
            sentences.append(
                Sentence(
                    article=article.slug,
                    # Interned: "p3s2" stands in most articles, stored once.
                    id=sys.intern(f"p{block.index + 1}s{number}"),
                    index=len(sentences),
                    block=block.index,
                    start=start,
                    end=end,
                    text=block.text[start:end],
                    line=block.line + block.text.count("\n", 0, start),
                    is_heading=is_heading,
                )
            )
    return Document(article=article, blocks=blocks, sentences=tuple(sentences))


def _blocks(tokens: list[Token], first_line: int) -> list[Block]:
    """One ``Block`` per inline token that carries text."""
    blocks: list[Block] = []
    quote_depth = 0
    kind: BlockKind = "paragraph"
    for token in tokens:
        if token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "heading_open":
            kind = "heading"
        elif token.type == "paragraph_open":
            kind = "quote" if quote_depth else "paragraph"
        elif token.type == "inline" and token.map is not None:
            text = plain_text(token)
            if text.strip():
                blocks.append(Block(len(blocks), kind, text, first_line + token.map[0]))
    return blocks


def plain_text(inline: Token) -> str:
    """The text a reader sees in an inline token: markup dropped, breaks as "\\n"."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def _looks_like_subheading(text: str, spans: list[tuple[int, int]]) -> bool:
    """A lone short question, or a short line with no sentence punctuation."""
    words = text.split()
    if len(spans) != 1 or "\n" in text or len(words) > HEADING_MAX_WORDS:
        return False
    if text[0] in OPENING_MARKS:
        return False
    stripped = text.rstrip(CLOSING_MARKS)
    return stripped.endswith("?") or not re.search(r"[.!:;,…]$", stripped)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Offsets ``(start, end)`` of each sentence in ``text``.

    Sentences cover the text in order; only whitespace lies between them.
    """
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in TERMINATOR.finditer(text):
        end = _take_closers(text, match.end())
        if end <= start or not _is_boundary(text, match.start(), match.end(), end):
            continue
        spans.append((start, end))
        start = _skip_space(text, end)
    tail = text[start:].rstrip()
    if tail:
        spans.append((start, start + len(tail)))
    return spans


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _take_closers(text: str, position: int) -> int:
    """Extend past closing quotes and brackets that end the sentence."""
    while position < len(text) and text[position] in CLOSING_MARKS:
        after = text[position + 1] if position + 1 < len(text) else " "
        # A straight quote followed by a letter opens the next sentence.
        if text[position] in "\"'" and after.isalnum():
            break
        position += 1
    return position


def _is_boundary(text: str, mark_start: int, mark_end: int, end: int) -> bool:
    """Does the sentence end at ``end``, after the marks ``text[mark_start:mark_end]``?"""
    following = _skip_space(text, end)
    if following >= len(text):
        return True
    mark = text[mark_start:mark_end]
    nxt = text[following]
    if following == end:
        return _is_missing_space(text, mark_start, mark, following)
    if nxt.islower():
        return False  # "will... now", '?" he asked', "U.S. officials"
    if mark != ".":
        return True
    word = _word_before(text, mark_start)
    next_word = re.match(r"[\w'’]+", text[following:])
    next_is_number = nxt.isdigit()
    if word in TITLE_ABBREVIATIONS or word.lower() in INLINE_ABBREVIATIONS:
        return False
    if word in NUMBER_ABBREVIATIONS and next_is_number:
        return False
    if re.fullmatch(r"[A-Z]", word):
        return False  # an initial: "J. Smith"
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
        # An initialism such as U.S. or U.N.: a new sentence only before a typical opener.
        return next_word is not None and next_word.group(0) in SENTENCE_STARTERS
    return True


def _is_missing_space(text: str, mark_start: int, mark: str, following: int) -> bool:
    """ "mercenaries.Mali's": a full stop glued to the next sentence by scraping."""
    if mark not in (".", "?", "!") or following + 1 >= len(text):
        return False
    if not (text[following].isupper() and text[following + 1].islower()):
        return False
    word = _word_before(text, mark_start)
    token_start = mark_start - len(word)
    token = text[max(0, token_start - 8) : following + 8]
    if "/" in token or "www" in token.lower() or "@" in token:
        return False
    is_amount = re.fullmatch(r"\d[\d.,]*[a-z]+", word) is not None  # "$2.5bn.The"
    return len(word) >= 2 and word[-1].islower() and ("." not in word or is_amount)


def _word_before(text: str, position: int) -> str:
    """The run of word characters and inner dots that ends at ``position``."""
    start = position
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "."):
        start -= 1
    return text[start:position].lstrip(".")
