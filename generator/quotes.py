"""Stage 3: find direct quotes and resolve who said them.

A *quotation* runs from an opening mark to its closing mark; it may cover
several sentences and several paragraphs (news style leaves the closing mark
off at the end of a paragraph and opens the next paragraph with a fresh
opening mark). Straight and curly marks are both understood, mixed freely.

The speaker of a quotation is found in the words around it, in any sentence
the quotation touches:

* ``Heappey added``, ``Defence Minister James Heappey told parliament``,
  ``"…," said Heappey``: a name next to a speech verb (roles and honorifics
  are dropped: the name is "James Heappey");
* ``he said``, ``she told MPs``: the most recent speaker of the article;
* ``Mr Heappey blamed Mali's government, saying "…"``: the subject before
  "saying";
* a quotation paragraph with no attribution of its own that follows a
  quoted speaker belongs to that speaker.

Short quoted phrases inside a reported sentence ("undiminished") are partial
quotes, and quoted titles of videos, reports or operations are not speech at
all: neither is ever shown as someone's quote. Surnames are resolved to the
fullest form of the name seen in the same article ("Mr Heappey" → "James
Heappey").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.model import Document, Quote, Sentence
from generator.segment import TITLE_ABBREVIATIONS

SPEECH_VERBS = (
    "said|says|say|added|adds|told|tells|noted|notes|insisted|insists|stated|states|warned|warns|"
    "explained|explains|argued|argues|claimed|claims|wrote|writes|declared|declares|announced|"
    "announces|continued|continues|asked|asks|replied|replies|responded|acknowledged|admitted|"
    "stressed|stresses|urged|urges|commented|recalled|concluded|tweeted|posted"
)
NAME_WORD = r"[A-Z][\w’'\-]*"
NAME = rf"{NAME_WORD}(?:\s+(?:{NAME_WORD}|de|da|van|von|al|bin|ibn|le|la))*"

NAME_BEFORE_VERB = re.compile(rf"(?P<name>{NAME})\s+(?:has\s+|had\s+|also\s+|later\s+)?(?:{SPEECH_VERBS})\b")
PLACE_OR_TIME_WORDS = ("in", "on", "at", "from", "during", "after")
"""The prepositions of a place or a time after a speech verb or a name."""
PLACE_OR_TIME_BEFORE = "".join(rf"(?<!\b{word}\s)" for word in PLACE_OR_TIME_WORDS)
"""Not after a preposition: '…," the minister said in London.' names a place."""
AFTER_THE_QUOTE = r"[\"”’,]\s*(?:[–—-]\s*)?"
"""Right after the quotation (its closing mark, or a comma, and a dash): the
verb comes first only where nothing else is its subject ('…?" he asked Macron.')."""
CLAUSE_END = rf"(?=\s*(?:[.,;:!?]|$)|\s+(?:{'|'.join(PLACE_OR_TIME_WORDS)})\b)"
"""Where the speaker's name ends: the clause, or a place or time after it
('…," said Ben Wallace in New York.')."""
VERB_BEFORE_NAME = re.compile(
    rf"{AFTER_THE_QUOTE}(?:said|says|added|adds|asked|wrote|continued|insisted)\s+(?:[\w’'\-]+\s+){{0,4}}?"
    rf"{PLACE_OR_TIME_BEFORE}(?P<name>{NAME}){CLAUSE_END}"
)
"""'…," said Acme chairman Peter Lund.': the name ends the clause."""
SPEECH_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
PRONOUN_SPEAKER = re.compile(rf"\b(?:he|she|He|She)\s+(?:also\s+|later\s+)?(?:{SPEECH_VERBS})\b")
SAYING = re.compile(r"\bsaying\b")
ATTRIBUTION_AFTER = re.compile(
    rf"^[\s,]*(?:(?:he|she|they|it|{NAME})\s+(?:{SPEECH_VERBS})|(?:{SPEECH_VERBS})\b)", re.IGNORECASE
)
TITLE_CUE = re.compile(
    r"\b(?:title[ds]?|entitled|called|named|dubbed|headlined|captioned|video|film|documentary|report|"
    r"book|song|album|programme|program|operation|hashtag|slogan|motto|banner)\W*$",
    re.IGNORECASE,
)

ROLE_WORDS = frozenset(
    """the a an mr mrs ms miss mx dr prof sir dame lord lady minister ministers secretary president
    prime defence defense foreign armed forces chief general gen spokesman spokeswoman spokesperson
    senator sen rep representative governor mayor ambassador commander colonel col captain officer
    director chairman chair head leader mp mps lib dem labour conservative tory republican democrat
    deputy vice state interior home justice finance junior shadow former ex acting veteran
    judge prosecutor attorney lawyer police commissioner inspector detective chairwoman ceo
    founder union professor analyst coach manager editor correspondent
    un uk us eu british french german russian malian american ukrainian african european in on at
    when while after before but and as if said told added""".split()
) | {abbreviation.lower() for abbreviation in TITLE_ABBREVIATIONS}
"""Words of a capitalised run that are a role, honorific or sentence opener, not the name."""

PRONOUNS = frozenset("he she it they we i you this that there who".split())
"""Capitalised at the start of a sentence, but never a name."""

TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning
    afternoon evening night""".split()
)
"""Capitalised where they name a day ('the minister said Monday'), but never
the one who speaks: dropped from either end of a run of names, so a run
made only of these names no one. (Not the months: "May said" is Theresa
May; "said in May" is a preposition's.)"""

_NOT_A_NAME_BEFORE = ROLE_WORDS | TIME_WORDS
"""Words a run of capitals may start with that are not the name: "On Monday
Defence Secretary Ben Wallace" is Ben Wallace."""

DIRECT_MIN_WORDS = 6
"""Fewer quoted words than this is a partial quote ("undiminished")."""

TITLE_DOT = re.compile(r"\b(" + "|".join(sorted(TITLE_ABBREVIATIONS)) + r")\.")

OPENING = "“«„"
CLOSING = "”»"


@dataclass(slots=True)
class _Span:
    sentence: Sentence
    start: int
    end: int


@dataclass(slots=True)
class _Quotation:
    """One quotation from its opening to its closing mark."""

    spans: list[_Span] = field(default_factory=list)
    closed: bool = False


def find_quotes(document: Document, masked: dict[int, str] | None = None) -> list[Quote]:
    """Every quote in ``document``, with speakers resolved where the text allows
    (``masked``: its ``masks_of``, if already made)."""
    quotations = _quotations(document.sentences)
    masked = masks_of(document) if masked is None else masked
    names = _names_in(document.sentences, masked)
    attributed = [(s.index, _attributed_person(masked[s.index], names)) for s in document.sentences]
    quotes: list[Quote] = []
    history: list[tuple[int, str]] = [(index, name) for index, name in attributed if name]
    previous_block_speaker: dict[int, str | None] = {}
    for quotation in quotations:
        first = quotation.spans[0]
        earlier = [entry for entry in history if entry[0] < first.sentence.index]
        last_speaker = max(earlier)[1] if earlier else None
        is_title = _is_title(first)
        words = sum(len(_text(span).split()) for span in quotation.spans)
        speaker = None
        if not is_title:
            speaker = _speaker(quotation, last_speaker, masked)
            if speaker is None and _stands_alone(quotation, masked):
                speaker = previous_block_speaker.get(first.sentence.block - 1)
            speaker = _full_name(speaker, names) if speaker else None
        for span in quotation.spans:
            text = _text(span)
            if not text:
                continue
            direct = not is_title and words >= DIRECT_MIN_WORDS and not _is_embedded(span)
            offset = span.sentence.text.index(text, span.start)
            quotes.append(Quote(span.sentence.key, text, offset, speaker, direct))
            previous_block_speaker[span.sentence.block] = speaker
        if speaker:
            history.append((quotation.spans[-1].sentence.index, speaker))
    order = {s.key: s.index for s in document.sentences}
    quotes.sort(key=lambda q: (order[q.sentence], q.start))
    return quotes


def _text(span: _Span) -> str:
    """The quoted words of a span, without marks, edge spaces or a trailing comma."""
    return span.sentence.text[span.start : span.end].strip().rstrip(",").strip()


def _quotations(sentences: Iterable[Sentence]) -> list[_Quotation]:
    """Group quoted spans into quotations, across sentences and paragraphs."""
    quotations: list[_Quotation] = []
    current: _Quotation | None = None
    previous_block = -1
    for sentence in sentences:
        if sentence.is_heading:
            current = None
            continue
        text = sentence.text
        new_block = sentence.block != previous_block
        previous_block = sentence.block
        position = 0
        if current is not None and not current.closed:
            reopens = text[:1] in OPENING or (text[:1] == '"' and text[1:2].strip() != "")
            if reopens:
                position = 1  # news style re-opens a running quotation with a fresh mark
            elif new_block:
                current = None  # a quotation continues into a new paragraph only if it re-opens there
            if current is not None:
                close = _find_close(text, position)
                end = close if close is not None else len(text)
                current.spans.append(_Span(sentence, position, end))
                if close is None:
                    continue
                current.closed = True
                position = close + 1
                current = None
        while True:
            opening = _find_open(text, position)
            if opening is None:
                break
            current = _Quotation()
            quotations.append(current)
            close = _find_close(text, opening + 1)
            end = close if close is not None else len(text)
            current.spans.append(_Span(sentence, opening + 1, end))
            if close is None:
                break
            current.closed = True
            current = None
            position = close + 1
    return [q for q in quotations if q.spans]


_OPEN_MARK = re.compile(f'[{OPENING}"]')
_CLOSE_MARK = re.compile(f'[{CLOSING}"]')


def _find_open(text: str, position: int) -> int | None:
    """Where the next quotation opens at or after ``position``: an opening mark, or a
    straight mark that does not follow a letter and is followed by a word."""
    for mark in _OPEN_MARK.finditer(text, position):
        index = mark.start()
        if mark.group() in OPENING:
            return index
        opens_word = index + 1 < len(text) and not text[index + 1].isspace()
        if (index == 0 or not text[index - 1].isalnum()) and opens_word:
            return index
    return None


def _find_close(text: str, position: int) -> int | None:
    """Where the quotation open at ``position`` closes: a closing mark, or a straight
    mark after ``position``."""
    for mark in _CLOSE_MARK.finditer(text, position):
        if mark.group() in CLOSING or mark.start() > position:
            return mark.start()
    return None


def _plain(text: str) -> str:
    """``text`` with the full stop after an honorific blanked ("Dr. Reyes" →
    "Dr  Reyes"), positions unchanged, so names read as one run of words."""
    return TITLE_DOT.sub(lambda m: m.group(1) + " ", text)


_MARK = re.compile(f'[{OPENING}{CLOSING}"]')


def mask_quoted(sentence: Sentence) -> str:
    """The sentence alone with quoted words blanked out, positions unchanged
    (a heading's: in the body, ``masks_of`` follows quotations across sentences).

    Only the quote marks are visited: the text between two marks is copied
    or blanked whole.
    """
    text = _plain(sentence.text)
    pieces: list[str] = []
    inside = False
    last = 0
    for mark in _MARK.finditer(text):
        index = mark.start()
        pieces.append("_" * (index - last) if inside else text[last:index])
        pieces.append(mark.group())
        inside = mark.group() in OPENING or (mark.group() == '"' and not inside)
        last = index + 1
    pieces.append("_" * (len(text) - last) if inside else text[last:])
    return "".join(pieces)


def masks_of(document: Document) -> dict[int, str]:
    """Each sentence of ``document`` with the words of its quotations blanked
    out, positions unchanged, by its index: made once per article for every
    rule that reads the outlet's own words.

    The quoted words are those of the quotations (``_quotations``), which run
    across sentences: in '"Talks failed. We leave," said Ines Obi.' the
    second sentence's straight mark closes the quotation the first opened,
    so "said Ines Obi" stays readable. (A sentence masked alone would take
    that mark for an opening one and blank the attribution.)
    """
    quoted: dict[int, list[_Span]] = {}
    for quotation in _quotations(document.sentences):
        for span in quotation.spans:
            quoted.setdefault(span.sentence.index, []).append(span)
    masks: dict[int, str] = {}
    for sentence in document.sentences:
        if sentence.is_heading:
            masks[sentence.index] = mask_quoted(sentence)
            continue
        text = _plain(sentence.text)
        for span in quoted.get(sentence.index, ()):
            text = text[: span.start] + "_" * (span.end - span.start) + text[span.end :]
        masks[sentence.index] = text
    return masks


def _sentences_of(quotation: _Quotation) -> list[Sentence]:
    seen: dict[str, Sentence] = {}
    for span in quotation.spans:
        seen.setdefault(span.sentence.key, span.sentence)
    return list(seen.values())


def _speaker(quotation: _Quotation, last_speaker: str | None, masks: dict[int, str]) -> str | None:
    for sentence in _sentences_of(quotation):
        masked = _mask_spans(sentence, quotation, masks)
        name = _attribution(masked)
        if name:
            return name
        if PRONOUN_SPEAKER.search(masked) and last_speaker:
            return last_speaker
        saying = SAYING.search(masked)
        if saying:
            subject = _subject_before(masked[: saying.start()])
            if subject:
                return subject
            if last_speaker:
                return last_speaker
    return None


def _mask_spans(sentence: Sentence, quotation: _Quotation, masks: dict[int, str]) -> str:
    """The sentence with this quotation's words (and any other quoted words) blanked;
    ``masks`` holds ``mask_quoted`` of each sentence by index."""
    chars = list(masks[sentence.index])
    for span in quotation.spans:
        if span.sentence.key == sentence.key:
            for index in range(span.start, span.end):
                chars[index] = "_"
    return "".join(chars)


def _attribution(masked: str) -> str | None:
    for pattern in (NAME_BEFORE_VERB, VERB_BEFORE_NAME):
        for match in pattern.finditer(masked):
            name = clean_name(match.group("name"))
            if name:
                return name
    return None


def _subject_before(text: str) -> str | None:
    """The last name in ``text`` that is followed by a lowercase word (its verb)."""
    for match in reversed(list(re.finditer(rf"(?P<name>{NAME})\s+[a-z]", text))):
        name = clean_name(match.group("name"))
        if name:
            return name
    return None


def clean_name(run: str) -> str | None:
    """The person or organisation name in a capitalised run, roles dropped.

    "Defence Minister James Heappey" → "James Heappey"; "Mr Heappey" →
    "Heappey"; "He" → None.
    """
    words = run.split()
    while words and words[0].lower().strip("’'") in _NOT_A_NAME_BEFORE:
        words.pop(0)
    while words and words[-1].lower().strip("’'") in TIME_WORDS:  # "said Wallace Monday"
        words.pop()
    words = [w for w in words if not w.endswith(("’s", "'s"))]
    if not words or words[0].lower() in ROLE_WORDS:
        return None
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return None
    return " ".join(words)


def _names_in(sentences: Iterable[Sentence], masks: dict[int, str]) -> list[str]:
    """Every name the article attributes speech or action to, in order."""
    names: list[str] = []
    for sentence in sentences:
        masked = masks[sentence.index]
        for pattern in (NAME_BEFORE_VERB, VERB_BEFORE_NAME):
            for match in pattern.finditer(masked):
                name = clean_name(match.group("name"))
                if name:
                    names.append(name)
        for match in re.finditer(
            rf"\b(?:minister|secretary|president|spokesman|spokeswoman)\s+({NAME})", masked
        ):
            name = clean_name(match.group(1))
            if name:
                names.append(name)
    return names


def _full_name(name: str, names: list[str]) -> str:
    """The fullest form of ``name`` the article uses: same surname, more words."""
    surname = name.split()[-1]
    candidates = [n for n in names if n.split()[-1] == surname and len(n) > len(name)]
    return max(candidates, key=lambda n: (len(n.split()), n)) if candidates else name


def _attributed_person(masked: str, names: list[str]) -> str | None:
    """The full name of the person a sentence (quoted words blanked) attributes speech to."""
    name = _attribution(masked)
    return _full_name(name, names) if name else None


def _is_title(span: _Span) -> bool:
    """Is the quotation the title of a work, e.g. 'posted under the title "…"'?"""
    before = span.sentence.text[: max(0, span.start - 1)]
    return bool(TITLE_CUE.search(before.rstrip(" :,")))


def _is_embedded(span: _Span) -> bool:
    """Is the quoted phrase part of a reported sentence that goes on after it?"""
    after = _plain(span.sentence.text)[span.end + 1 :]
    if not after.strip() or after.lstrip()[:1] in ",.;:!?—–-)":
        return False
    return not ATTRIBUTION_AFTER.match(after)


def _stands_alone(quotation: _Quotation, masks: dict[int, str]) -> bool:
    """Does the quotation open its paragraph, with no words of attribution?"""
    first = quotation.spans[0]
    if first.start > 1 or not first.sentence.id.endswith("s1"):
        return False
    return not any(SPEECH_VERB.search(_mask_spans(s, quotation, masks)) for s in _sentences_of(quotation))
