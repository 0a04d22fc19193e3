"""People and organisations named in the articles, their spellings and roles.

A briefing lists who is named, how each outlet spells the name, and the role
or title each outlet gives a person ("Defence Minister" in one outlet,
"armed forces minister" in another). There is no language model here, only
general patterns of news English, so a name is taken as a person or an
organisation only on positive evidence, never because it is capitalised:

* **person**: a title before the name (``Defence Minister James Heappey``,
  ``armed forces minister James Heappey``, ``Mr Heappey``); a speech verb
  (``Carla Ruiz said``); an apposition whose head is a person noun
  (``Ana Lima, the mayor of Porto,``; ``…, who is a senator``;
  ``described Ana Lima as a witness``); being the speaker of a quote;
* **organisation**: a head noun in the name (``Red Cross Council``,
  ``Ministry of Health``), a group noun beside it (``the Islamic State
  group``, ``the militia Forces Nouvelles``) or an acronym (``NATO``), but
  never a country's abbreviation.

A capitalised run that ever follows "in", "into", "across"… in any article
is a place, not a person; a sentence's first word is dropped from a name when
the articles use it in lower case elsewhere ("Earlier", "Following").

Spellings are grouped conservatively: a person's names group when the
surnames are the same and the given names differ by at most two edits
("Yevgeny"/"Yevgenny"); a surname alone ("Mr Heappey") belongs to the only
full name with that surname, in its article first, else site-wide. An
organisation's names group when they are the same but for case and a generic
head ("Wagner group", "Wagner Group"), nearly the same letters
("Stabilization"/"Stabilisation"), or one is the acronym of the other and of
no other name in the site ("EU", "European Union"). Roles are kept per
source sentence, so the roles each outlet gives are shown with the sentence
that gives them.
"""

from __future__ import annotations

import bisect
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from generator.article_cache import article_key
from generator.files import load_pickle, save_pickle
from generator.model import Citation, Document, Entity, EntityKind, Quote, Sentence, TopicAssignment, Variant
from generator.quotes import SPEECH_VERBS, masks_of

TITLE_NOUNS = frozenset(
    """minister ministers secretary president premier chancellor mp mep senator congressman
    congresswoman lawmaker legislator governor mayor ambassador envoy spokesman spokeswoman
    spokesperson general colonel commander chief leader chairman chairwoman chair director ceo
    founder king queen prince princess pope judge prosecutor official adviser advisor analyst
    professor correspondent editor reporter journalist researcher economist sheikh emir imam
    archbishop bishop coach manager owner boss deputy attorney commissioner inspector sergeant
    lieutenant admiral marshal brigadier captain superintendent president-elect""".split()
)
"""Nouns that make a role or title when they stand before a name."""

PERSON_NOUNS = TITLE_NOUNS | frozenset(
    """ally founder co-founder member head friend aide wife husband widow son daughter brother
    sister father mother cousin prisoner soldier fighter mercenary veteran resident survivor victim
    witness activist candidate lawyer doctor teacher student author writer expert scientist
    historian businessman businesswoman tycoon oligarch billionaire rival critic supporter successor
    predecessor colleague negotiator mediator representative delegate officer diplomat politician
    commentator farmer worker engineer pilot nurse owner boss""".split()
)
"""Head nouns of an apposition that describes a person ("Ana Lima, a witness,")."""

ROLE_MODIFIERS = frozenset(
    """armed forces defence defense foreign home interior justice finance health education trade
    deputy junior former acting interim prime vice state shadow senior chief affairs security
    environment energy transport economy culture veterans development international army military
    police party opposition government cabinet communications press campaign labour labor
    agriculture industry science digital housing treasury europe africa middle east regional local
    national federal provincial county city district team club company""".split()
)
"""Lower-case words that may stand in a title before its noun ("armed forces minister")."""

HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lord lady".split())
TITLES_AND_HONORIFICS = TITLE_NOUNS | HONORIFICS

ORG_HEADS = frozenset(
    """group nations council union mission center centre ministry department party press agency
    institute commission committee court bank company corporation organisation organization
    association foundation army navy police office university front movement brigade network
    service services federation alliance coalition league fund authority assembly parliament society
    congress senate cabinet board bureau forces tribunal""".split()
)
"""Capitalised words that make a name an organisation's ("Africa Center", "Ministry of …")."""

ORG_NOUNS = frozenset(
    """group organisation organization militia movement party agency company firm network alliance
    coalition""".split()
)
"""Lower-case nouns beside a name that say it is an organisation ("the Islamic State group")."""

GENERIC_HEADS = frozenset("group organisation organization".split())
"""Heads that do not tell two organisations apart: "Wagner group" is "Wagner"."""

CONNECTORS = frozenset("of for on".split())
"""Words that continue an organisation's name after its head ("Ministry of Health")."""

LOCATED_HEADS = frozenset("mission office embassy command".split())
"""Heads whose name goes on with a place: "Mission in Mali"."""

COUNTRY_ACRONYMS = frozenset("UK US USA UAE DRC CAR GB USSR PRC ROK DPRK EU27".split())
"""Abbreviations of countries: places, not organisations."""

COUNTRIES_WITH_THE = frozenset(
    """united states|united kingdom|netherlands|philippines|gambia|bahamas|united arab emirates|
    czech republic|dominican republic|central african republic|democratic republic of congo|
    republic of congo|maldives|comoros|seychelles|solomon islands|marshall islands|vatican""".replace(
        "\n", ""
    )
    .replace("    ", "")
    .split("|")
)
"""Countries whose names take "the": "the Netherlands said" is a country, not an organisation."""

NOT_ACRONYMS = frozenset("MP MPS MEP CEO TV PM AM PM II III IV VI GMT UTC BST OK ID".split())

WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)

LOCATIVES = frozenset("in into across throughout inside near towards toward".split())
"""Prepositions that put a following name in a place ("in Burkina Faso")."""

FUNCTION_WORDS = frozenset(
    """the a an and or but in on at of to for by with from as if when while after before since
    until during amid among as it this that these those there here""".split()
)

PARTICLES = "de|da|van|von|der|al|bin|ibn|le|la|del|di|du"
WORD = r"[A-Z][\w’'\-]*"
RUN = re.compile(rf"{WORD}(?:\s+(?:(?:{PARTICLES})\s+)*{WORD})*")
"""A run of capitalised words, name particles allowed inside."""

SPEECH_AFTER = re.compile(rf"^\s+(?:has\s+|had\s+|also\s+|later\s+|then\s+)?(?:{SPEECH_VERBS})\b")
SPEECH_BEFORE = re.compile(r"\b(?:said|says|added|adds|wrote|continued|insisted)\s+$")
APPOSITION = re.compile(r"^,\s+(?:(?:the|a|an)\s+)?(?P<role>[^,;:()\"“”_]{2,90}?)\s*(?=[,;.—–]|$)")
WHO_IS = re.compile(
    r"^,\s+who\s+(?:is|was|serves\s+as|served\s+as|has\s+been|had\s+been)\s+(?:(?:the|a|an)\s+)?"
    r"(?P<role>[^,;:()\"“”_]{2,90}?)\s*(?=[,;.—–]|$)"
)
DESCRIBED_AS = re.compile(r"\b(?:described|identified|named|introduced)\s+$")
AS_ROLE = re.compile(r"^\s+as\s+(?:the|a|an)\s+(?P<role>[^,;:()\"“”_]{2,60}?)\s*(?=[,;.—–]|$)")
ROLE_HEAD_END = re.compile(r"\b(?:of|for|at|in|to|with|on|from|who|whose|which|that|and)\b")

MAX_ROLE_WORDS = 10
GIVEN_NAME_EDITS = 2
"""Most edits between two spellings of a given name that are one name."""
ORG_NAME_DISTANCE = 0.1
"""Most edits, as a share of length, between two spellings of one organisation."""
ORG_FUZZY_MIN_LENGTH = 12
"""Shorter organisation names group only when equal (acronyms differ by a letter)."""


@dataclass(frozen=True, slots=True)
class _Mention:
    """One name found in one sentence."""

    document: int
    sentence: Sentence
    surface: str
    """The name as printed (roles and honorifics dropped)."""
    kind: EntityKind
    role: str | None = None
    titled: bool = False
    """A title, honorific or role stands with the name: evidence enough for a
    surname alone ("President Ruto"); a bare "Kenya said" is not."""


@dataclass(frozen=True, slots=True)
class NameClues:
    """The words that decide, site-wide, what a capitalised run is: those
    printed in lower case somewhere ("Earlier" opens a sentence but is no
    name), and the runs that follow a locative somewhere ("in Burkina
    Faso": a place). Each article's (``name_clues``) is a function of the
    article alone, so found one article at a time and kept between builds
    (``pipeline.read_one_article``); ``find_people`` reads their union
    (``joined``)."""

    lowercase: frozenset[str]
    places: frozenset[str]

    @staticmethod
    def joined(each: Iterable[NameClues]) -> NameClues:
        """The clues of all the articles of ``each`` together."""
        lowercase: set[str] = set()
        places: set[str] = set()
        for clues in each:
            lowercase |= clues.lowercase
            places |= clues.places
        return NameClues(frozenset(lowercase), frozenset(places))


@dataclass(slots=True)
class ClueMemory:
    """The articles' ``NameClues`` joined, kept between builds as how many
    articles have each word (``lowercase``) and each place (``places``),
    with each article's own clues (pickled) by its content key
    (``article_key``): after an edit only the clues of the articles that
    came or went are read, not those of every article (at 5,000 articles,
    1.5 million words of which 18,000 are distinct: 0.5 s of every build).
    With a ``path`` (``load``), kept in that file, in the cache folder of
    this code's version, so the clues are those this code finds.
    """

    clues: dict[str, bytes] = field(default_factory=dict)
    lowercase: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> ClueMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps the next ``joined``'s counts there."""
        kept = load_pickle(path, "names' cache")
        if isinstance(kept, tuple) and len(kept) == 3 and all(isinstance(part, dict) for part in kept):
            clues, lowercase, places = kept
            return cls(clues, Counter(lowercase), Counter(places), path)
        return cls(path=path)

    def joined(self, clues: Mapping[str, bytes]) -> NameClues:
        """The union of ``clues`` (each article's ``NameClues``, pickled, by its
        content key), from the counts, read for the articles that came or
        went since the counts were made; then holds ``clues`` and the counts
        for the next call."""
        gone = [key for key in self.clues if key not in clues]
        came = [key for key in clues if key not in self.clues]
        for key in gone:
            self._count(pickle.loads(self.clues[key]), -1)
        for key in came:
            self._count(pickle.loads(clues[key]), 1)
        self.clues = dict(clues)
        if (gone or came) and self.path is not None:
            counts = (self.clues, dict(self.lowercase), dict(self.places))
            save_pickle(self.path, counts, "names' cache")  # a failure only costs speed
        return NameClues(frozenset(self.lowercase), frozenset(self.places))

    def _count(self, found: NameClues, step: int) -> None:
        for counts, words in ((self.lowercase, found.lowercase), (self.places, found.places)):
            if step > 0:
                counts.update(words)  # counted in C: every article of a first build
                continue
            for word in words:
                counts[word] -= 1
                if counts[word] <= 0:
                    del counts[word]


def name_clues(document: Document, masked: Mapping[int, str] | None = None) -> NameClues:
    """The ``NameClues`` of one article (``masked``: its ``masks_of``, if already made)."""
    masked = masks_of(document) if masked is None else masked
    return NameClues(_lowercase_words(document), _places(document, masked))


def find_people(
    documents: Sequence[Document],
    quotes: Iterable[Quote],
    assignment: TopicAssignment,
    memory: MentionMemory | None = None,
    clues: NameClues | None = None,
    keys: Sequence[str] | None = None,
) -> tuple[Entity, ...]:
    """Every person and organisation the articles name on evidence, most widely named first.

    ``memory``, when given, holds each article's names from the previous
    build, reused where nothing they were found with changed
    (``MentionMemory``), and takes this build's. ``clues``, when given, are
    the articles' ``NameClues`` joined, already found; ``keys``, each
    document's ``article_key``, if already made.
    """
    if clues is None:
        clues = NameClues.joined(name_clues(document) for document in documents)
    lowercase, places = clues.lowercase, clues.places
    masks: dict[int, Mapping[int, str]] = {}

    def masked(number: int) -> Mapping[int, str]:
        """``masks_of`` the document ``number``: read only for articles read again."""
        if number not in masks:
            masks[number] = masks_of(documents[number])
        return masks[number]

    speakers: dict[str, set[str]] = defaultdict(set)
    for quote in quotes:
        if quote.speaker:
            speakers[quote.sentence.split("#")[0]].add(quote.speaker)
    if memory is None:
        keys = []
    elif keys is None:
        keys = [article_key(document) for document in documents]
    kept = memory.reusable(documents, keys, masked, lowercase, places) if memory is not None else {}
    found: dict[str, bytes] = {}
    mentions: list[_Mention] = []
    for number, document in enumerate(documents):
        pickled = kept.get(keys[number]) if kept else None
        if pickled is None:
            fresh = [
                mention
                for sentence in document.sentences
                for mention in _mentions_in(
                    number,
                    sentence,
                    masked(number)[sentence.index],
                    lowercase,
                    places,
                    speakers[document.article.slug],
                )
            ]
            mentions.extend(fresh)
            masks.pop(number, None)
            if memory is not None:
                rows: list[_Row] = [(m.sentence.index, m.surface, m.kind, m.role, m.titled) for m in fresh]
                found[keys[number]] = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            rows = pickle.loads(pickled)
            mentions.extend(
                _Mention(number, document.sentences[index], surface, kind, role, titled)
                for index, surface, kind, role, titled in rows
            )
            found[keys[number]] = pickled  # kept as it was read
    del kept
    if memory is not None:
        memory.keep(lowercase, places, found)
    del found
    people = _group_people([m for m in mentions if m.kind == "person"], documents)
    organisations = _group_organisations([m for m in mentions if m.kind == "organisation"])
    surnames = Counter(
        {m.surface.split()[-1] for m in group if len(m.surface.split()) > 1}.pop()
        for group in people
        if any(len(m.surface.split()) > 1 for m in group)
    )
    shared = frozenset(surname for surname, count in surnames.items() if count > 1)
    corpus = _corpus(documents)
    entities = [_entity(group, "person", documents, assignment, shared, corpus) for group in people]
    entities += [
        _entity(group, "organisation", documents, assignment, shared, corpus) for group in organisations
    ]
    return tuple(sorted(entities, key=lambda e: (-len(e.outlets), e.kind, e.name)))


_Row = tuple[int, str, EntityKind, str | None, bool]
"""A ``_Mention`` as kept between builds: its sentence's index and its fields."""


@dataclass(slots=True)
class MentionMemory:
    """Each article's names (``_mentions_in``) from the previous build, by
    the article's content key (``article_key``), with the site-wide words
    they were found with: those printed in lower case somewhere, and the
    places.

    An article's names read, besides the article, only the speakers of its
    own quotes (found from the article alone, as the build finds them) and
    those two sets, only by asking whether they hold a word or run of its
    own text (lower-cased for the first). So they are
    the same as before when no word that came into either set or left it
    stands in the article's text (``reusable``): after an edit that brings
    no new word into either set, only the edited articles are read again.
    With a ``path`` (``load``), they are kept in that file, in the cache
    folder of this code's version.
    """

    lowercase: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    mentions: dict[str, bytes] = field(default_factory=dict)
    """Each article's pickled list of ``_Row`` (let go by ``reusable``)."""
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> MentionMemory:
        """The memory kept at ``path`` (empty if there is none or it cannot be
        read), which keeps this build's names there."""
        kept = load_pickle(path, "names' cache")
        if isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[2], dict):
            lowercase, places, mentions = kept
            return cls(frozenset(lowercase), frozenset(places), mentions, path)
        return cls(path=path)

    def reusable(
        self,
        documents: Sequence[Document],
        keys: Sequence[str],
        masked: Callable[[int], Mapping[int, str]],
        lowercase: frozenset[str],
        places: frozenset[str],
    ) -> dict[str, bytes]:
        """The kept names (pickled) of the articles whose names cannot have
        changed, by key (``keys``: each document's ``article_key``;
        ``masked``: ``masks_of`` the document of a number)."""
        moved_words = sorted(lowercase ^ self.lowercase)
        moved_places = [run.split() for run in sorted(places ^ self.places)]
        reusable: dict[str, bytes] = {}
        for number, (document, key) in enumerate(zip(documents, keys, strict=True)):
            kept = self.mentions.get(key)
            if kept is None:
                continue
            if moved_words or moved_places:
                # What its names asked of the two sets: words and runs of its
                # own text, or of that text with quotations blanked.
                blanked = masked(number).values()
                text = "\n".join(s.text for s in document.sentences) + "\n" + "\n".join(blanked)
                lowered = text.lower()
                if any(word in lowered for word in moved_words) or any(
                    all(word in text for word in run) for run in moved_places
                ):
                    continue
            reusable[key] = kept
        self.mentions = {}
        return reusable

    def keep(self, lowercase: frozenset[str], places: frozenset[str], mentions: dict[str, bytes]) -> None:
        """Hold this build's names for the next: written to ``path`` if there is
        one (a failure to write only costs speed), else kept here."""
        if self.path is None:
            self.lowercase, self.places, self.mentions = lowercase, places, mentions
            return
        save_pickle(self.path, (sorted(lowercase), sorted(places), mentions), "names' cache")


def entity_named(entities: Iterable[Entity], name: str) -> Entity | None:
    """The person or organisation one of whose spellings is ``name`` (a full name or,
    when only one person has it, a surname), or None."""
    candidates = list(entities)
    for entity in candidates:
        if name == entity.name or any(name == v.text for v in entity.variants):
            return entity
    surname = name.split()[-1] if name.split() else name
    people = [
        e for e in candidates if e.kind == "person" and any(v.text.split()[-1] == surname for v in e.variants)
    ]
    return people[0] if len(people) == 1 else None


def roles_of(entities: Iterable[Entity], name: str) -> dict[str, tuple[str, ...]]:
    """Outlet → the roles it gives the person called ``name`` (empty if none)."""
    entity = entity_named(entities, name)
    return entity.roles_by_outlet() if entity else {}


def citation_order(citation: Citation) -> tuple[object, ...]:
    """Sources are listed by date, outlet, article, then place in the article."""
    return (citation.date, citation.outlet, citation.article, citation.position)


# --------------------------------------------------------------------------
# Finding names in one sentence


def _lowercase_words(document: Document) -> frozenset[str]:
    """Every word the article prints in lower case somewhere."""
    return frozenset(
        word for sentence in document.sentences for word in _LOWERCASE_WORD.findall(sentence.text)
    )


_LOWERCASE_WORD = re.compile(r"\b[a-z][\w’'\-]*")


def _places(document: Document, masked: Mapping[int, str]) -> frozenset[str]:
    """Capitalised runs that follow a locative preposition somewhere in the
    article ("in Burkina Faso"); ``masked`` holds its sentences with quoted
    words blanked (``masks_of``)."""
    found: set[str] = set()
    for sentence in document.sentences:
        text = masked[sentence.index]
        for match in RUN.finditer(text):
            before = [w for w in text[: match.start()].rsplit(None, 2)[-2:] if w.lower() != "the"]
            if before and before[-1] in LOCATIVES and not match.group(0).endswith(("'s", "’s")):
                found.add(match.group(0))
    return frozenset(found)


def _mentions_in(
    document: int,
    sentence: Sentence,
    masked: str,
    lowercase: frozenset[str],
    places: frozenset[str],
    speakers: set[str],
) -> list[_Mention]:
    """The names in ``sentence`` (``masked``: the sentence with quoted words blanked)."""
    found: list[_Mention] = []
    # Organisations are told by the shape of their names, inside quotations too.
    runs = [
        (start, end, _organisation_at(sentence.text, start, end))
        for start, end in _runs(sentence.text, lowercase)
    ]
    for _, _, organisation in runs:
        if organisation is not None:
            found.append(_Mention(document, sentence, organisation, "organisation"))
    # People by the words around them, which must be the outlet's, not a quotation's;
    # a sentence without a quotation is its own masked text (the same runs).
    text = masked
    if text != sentence.text:
        runs = _runs_named(text, lowercase)
    for start, end, organisation in runs:
        if organisation is not None:
            continue
        run = text[start:end]
        if text[:start].rsplit(None, 1)[-1:] in (["the"], ["The"]) and not any(
            w.lower() in TITLES_AND_HONORIFICS for w in run.split()
        ):
            # "The Red Cross said": an institution speaks; a person takes no article.
            if SPEECH_AFTER.match(text[end:]) and not _is_country(run, places):
                found.append(_Mention(document, sentence, run, "organisation"))
            continue
        person = _person(text[start:end].split(), text[:start], text[end:], speakers)
        if person is None:
            continue
        name, role, titled = person
        if name in places or not _looks_like_name(name, lowercase):
            continue
        found.append(_Mention(document, sentence, name, "person", role, titled))
    return found


def _runs_named(text: str, lowercase: frozenset[str]) -> list[tuple[int, int, str | None]]:
    """Each capitalised run of ``text`` (``_runs``) with the organisation it names, if any."""
    return [(start, end, _organisation_at(text, start, end)) for start, end in _runs(text, lowercase)]


def _is_country(run: str, places: frozenset[str]) -> bool:
    return run in places or run in COUNTRY_ACRONYMS or run.casefold() in COUNTRIES_WITH_THE


def _organisation_at(text: str, start: int, end: int) -> str | None:
    """The organisation named by the run ``text[start:end]``, as printed, if it is one."""
    words = text[start:end].split()
    if len(words) == 1 and _is_acronym(words[0]):
        return words[0]
    return _organisation(text, start, end)


def _runs(text: str, lowercase: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of capitalised runs, split after a possessive and trimmed of
    sentence-opening words, weekdays, months and hyphenated adjectives."""
    spans: list[tuple[int, int]] = []
    for match in RUN.finditer(text):
        pieces = [
            (match.start() + piece.start(), match.start() + piece.end())
            for piece in re.finditer(r"\S+", match.group(0))
        ]
        current: list[tuple[int, int]] = []
        groups: list[list[tuple[int, int]]] = []
        for start, end in pieces:
            word = text[start:end]
            bare = word.lower()
            if bare in WEEKDAYS or bare in MONTHS or re.search(r"-[a-z]", word):
                if current:
                    groups.append(current)
                current = []
                continue
            if word.endswith(("'s", "’s")):
                if current:
                    groups.append(current)
                groups.append([(start, end - 2)])
                current = []
                continue
            current.append((start, end))
        if current:
            groups.append(current)
        for group in groups:
            first_start, first_end = group[0]
            # Quoted words are blanked with "_": a name after a quotation does not open the sentence.
            head = text[:first_start]
            opens = not head.strip(" “\"'‘(") or head.rstrip(" “\"'‘(")[-1:] in ":—–"
            titled = len(group) > 1 and text[group[1][0] : group[1][1]].lower() in TITLE_NOUNS
            first = text[first_start:first_end].lower()
            if opens and not titled and (first in lowercase or first in FUNCTION_WORDS):
                group = group[1:]
            if group:
                spans.append((group[0][0], group[-1][1]))
    return spans


def _organisation(text: str, start: int, end: int) -> str | None:
    """The organisation's name if the run at ``text[start:end]`` is one, as printed."""
    words = text[start:end].split()
    tail = _CONNECTED_RUN.match(text[end:])
    continued = bool(tail and _continues(words[-1].lower(), tail.group("connector"), tail.group(0)))
    if continued or any(word.lower() in ORG_HEADS for word in words[1:]):
        if tail and continued:
            end += tail.end()
        return text[start:end]
    noun_after = _NOUN_AFTER.match(text[end:])
    if noun_after and noun_after.group(1) in ORG_NOUNS and not _is_person_shaped(words):
        return text[start : end + noun_after.end()]
    follows = text[end:].lstrip()[:1]
    if (not follows or follows in ",.;:") and not _is_person_shaped(words):
        # Looked for only here: the search runs over all the text before the name.
        noun_before = _NOUN_BEFORE.search(text[:start])
        if noun_before and noun_before.group(1) in ORG_NOUNS:
            return text[start:end]
    return None


_CONNECTED_RUN = re.compile(rf"^\s+(?P<connector>[a-z]+)\s+{RUN.pattern}")
"""A connector and another run after a name: "… of Health"."""
_NOUN_AFTER = re.compile(r"^\s+([a-z]+)\b")
_NOUN_BEFORE = re.compile(r"\b([a-z]+)\s+$")


def _continues(head: str, connector: str, tail: str) -> bool:
    """Does "<head> <connector> <Name>" go on naming the organisation ("Ministry of Health",
    "Mission in Mali"), rather than say where or when ("Council in June")?"""
    if head not in ORG_HEADS or any(w.lower() in WEEKDAYS | MONTHS for w in tail.split()):
        return False
    return connector in CONNECTORS or (connector == "in" and head in LOCATED_HEADS)


def _is_person_shaped(words: Sequence[str]) -> bool:
    return bool(words) and words[0].lower().strip(".") in HONORIFICS


def _is_acronym(word: str) -> bool:
    return (
        len(word) >= 2
        and word.isupper()
        and word.isalpha()
        and word not in COUNTRY_ACRONYMS
        and word not in NOT_ACRONYMS
    )


def _person(
    words: list[str], before: str, after: str, speakers: set[str]
) -> tuple[str, str | None, bool] | None:
    """(name, role, titled) when the context says the run names a person."""
    lowered = [w.lower().strip("’'") for w in words]
    title_at = max((i for i, w in enumerate(lowered[:-1]) if w in TITLES_AND_HONORIFICS), default=-1)
    role_words: list[str] = []
    evidence = False
    if title_at >= 0:
        evidence = True
        name_words = words[title_at + 1 :]
        role_end = title_at + 1 if lowered[title_at] in TITLE_NOUNS else title_at
        role_words = [w for w in words[:role_end] if w.lower() not in HONORIFICS]
        while role_words and (role_words[0].lower() in FUNCTION_WORDS):
            role_words.pop(0)
    else:
        name_words = list(words)
    if any(w.lower() in TITLES_AND_HONORIFICS for w in name_words):
        return None
    preceding = _lowercase_title_before(before)
    if preceding and (not role_words or title_at < 0 or lowered[title_at] in HONORIFICS):
        role_words = [*preceding, *role_words]
        evidence = True
    elif preceding:
        role_words = [*preceding, *role_words]
    name = " ".join(name_words)
    role: str | None = " ".join(role_words) if role_words else None
    if role is None:
        role = _apposition_role(after, before)
    if role is not None:
        evidence = True
    titled = evidence
    if not evidence:
        evidence = bool(SPEECH_AFTER.match(after)) or name in speakers
        evidence = evidence or (bool(SPEECH_BEFORE.search(before)) and after.lstrip()[:1] in ("", ",", "."))
    if not evidence or not name_words:
        return None
    return name, role, titled


def _lowercase_title_before(before: str) -> list[str]:
    """The lower-case title right before a name: "armed forces minister", "fire chief".

    Listed modifiers ("armed", "forces", "former") may stand anywhere in it;
    one other noun may stand right before the title noun ("fire chief"). The
    sentence's first word counts as lower case."""
    matches = list(re.finditer(r"\S+", before))
    if not before.endswith(" ") or not matches or matches[-1].group(0) not in TITLE_NOUNS:
        return []
    taken = [matches[-1].group(0)]
    for position, match in enumerate(reversed(matches[:-1])):
        word = match.group(0)
        opens = match.start() == 0 or not before[: match.start()].strip(" “\"'‘(")
        plain = word.lower() if opens else word
        listed = plain in TITLE_NOUNS or plain in ROLE_MODIFIERS
        if listed or (position == 0 and _noun_adjunct(plain)):
            taken.insert(0, word)
        else:
            break
        if len(taken) >= 4:
            break
    return taken


def _noun_adjunct(word: str) -> bool:
    """Could ``word`` be a noun naming a title's field ("fire" in "fire chief")?"""
    return (
        word.isalpha()
        and word.islower()
        and word not in FUNCTION_WORDS
        and not re.fullmatch(rf"{SPEECH_VERBS}|\w+(?:ed|ing|ly)", word)
    )


def _apposition_role(after: str, before: str) -> str | None:
    """The role in "…, the mayor of Porto," / "…, who is a senator" / "described … as a witness"."""
    for pattern in (WHO_IS, APPOSITION):
        match = pattern.match(after)
        if match and _is_role(match.group("role")):
            return match.group("role")
    if DESCRIBED_AS.search(before):
        match = AS_ROLE.match(after)
        if match and _is_role(match.group("role")):
            return match.group("role")
    return None


def _is_role(phrase: str) -> bool:
    words = phrase.split()
    if not words or len(words) > MAX_ROLE_WORDS or words[0].lower() in FUNCTION_WORDS | {"who", "he", "she"}:
        return False
    head = ROLE_HEAD_END.split(phrase, maxsplit=1)[0].split()
    if not head:
        return False
    last = head[-1].lower().strip("’'")
    singular = last[:-1] if last.endswith("s") and last[:-1] in PERSON_NOUNS else last
    return singular in PERSON_NOUNS


def _looks_like_name(name: str, lowercase: frozenset[str]) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 4:
        return False
    if any(w.lower() in ORG_HEADS or w.lower() in WEEKDAYS | MONTHS for w in words):
        return False
    if len(words) == 1 and (words[0].isupper() or words[0].lower() in lowercase):
        return False
    return not all(w.lower() in lowercase for w in words)


# --------------------------------------------------------------------------
# Grouping spellings into entities


def _group_people(mentions: list[_Mention], documents: Sequence[Document]) -> list[list[_Mention]]:
    """One list of mentions per person: full names grouped, surnames resolved."""
    full = sorted({m.surface for m in mentions if len(m.surface.split()) > 1})
    parent = {name: name for name in full}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            if _same_person(a, b):
                parent[root(b)] = root(a)
    by_root: dict[str, list[_Mention]] = defaultdict(list)
    in_document: dict[int, set[str]] = defaultdict(set)
    for mention in mentions:
        if mention.surface in parent:
            in_document[mention.document].add(mention.surface)
    for mention in mentions:
        if mention.surface in parent:
            by_root[root(mention.surface)].append(mention)
            continue
        target = _resolve_surname(mention.surface, in_document[mention.document]) or _resolve_surname(
            mention.surface, set(full)
        )
        if target is not None and len({root(t) for t in _same_surname(mention.surface, full)}) == 1:
            by_root[root(target)].append(mention)
        elif mention.titled and not _same_surname(mention.surface, full):
            by_root[mention.surface].append(mention)
    return [by_root[key] for key in sorted(by_root)]


def _same_surname(surname: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if n.split()[-1] == surname]


def _resolve_surname(surname: str, names: set[str]) -> str | None:
    """The one full name in ``names`` whose surname is ``surname``."""
    candidates = _same_surname(surname, names)
    return max(candidates, key=lambda n: (len(n), n)) if candidates else None


def _same_person(a: str, b: str) -> bool:
    """Same surname and given names within a few edits of each other."""
    *given_a, surname_a = a.split()
    *given_b, surname_b = b.split()
    if surname_a != surname_b or len(given_a) != len(given_b):
        return False
    return all(
        x[:1] == y[:1] and Levenshtein.distance(x.lower(), y.lower()) <= GIVEN_NAME_EDITS
        for x, y in zip(given_a, given_b, strict=True)
    )


def org_key(name: str) -> str:
    """An organisation's name for comparison: case folded, generic heads dropped."""
    words = [w for w in name.casefold().split() if w not in GENERIC_HEADS and w != "the"]
    return " ".join(words)


def _group_organisations(mentions: list[_Mention]) -> list[list[_Mention]]:
    keys = sorted({org_key(m.surface) for m in mentions if org_key(m.surface)})
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if min(len(a), len(b)) >= ORG_FUZZY_MIN_LENGTH and (
                Levenshtein.normalized_distance(a, b) <= ORG_NAME_DISTANCE
            ):
                parent[root(b)] = root(a)
    acronyms = {org_key(m.surface) for m in mentions if _is_acronym(m.surface)}
    for acronym in sorted(acronyms):
        expansions = sorted(
            {
                org_key(m.surface)
                for m in mentions
                if not _is_acronym(m.surface) and _initials(m.surface) == acronym
            }
        )
        if len(expansions) == 1:
            parent[root(expansions[0])] = root(acronym)
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for mention in mentions:
        key = org_key(mention.surface)
        if key:
            groups[root(key)].append(mention)
    return [groups[key] for key in sorted(groups)]


def _initials(name: str) -> str:
    """What an acronym of ``name`` spells: "European Union" → "eu"; "Ministry of Health" → "mh"."""
    return "".join(
        word[0] for word in name.casefold().split() if word not in CONNECTORS | {"in", "and", "the"}
    )


# --------------------------------------------------------------------------
# Building the entity: spellings, roles, every mention, topics


def _entity(
    group: list[_Mention],
    kind: EntityKind,
    documents: Sequence[Document],
    assignment: TopicAssignment,
    shared_surnames: frozenset[str],
    corpus: _Corpus,
) -> Entity:
    surfaces = {m.surface for m in group}
    if kind == "person":
        spellings = {s for s in surfaces if len(s.split()) > 1} or surfaces
        # A surname alone names this person only if no other person has it.
        short_forms = {s.split()[-1] for s in spellings} - shared_surnames
    else:
        # "Wagner" beside "Wagner group" is a short form, not a spelling.
        short_forms = {s for s in surfaces if any(o != s and org_key(o) == s.casefold() for o in surfaces)}
        spellings = surfaces - short_forms
    found = _find_all(corpus, spellings | short_forms)
    uses = [(d, x, form) for d, x, form in found] + [(m.document, m.sentence, m.surface) for m in group]
    variants = _variants({s: [(d, x) for d, x, form in uses if form == s] for s in spellings}, documents)
    roles: dict[str, list[_Mention]] = defaultdict(list)
    for mention in group:
        if mention.role:
            roles[mention.role.casefold()].append(mention)
    role_variants = []
    for mentions in roles.values():
        sources = _citations(((m.document, m.sentence) for m in mentions), documents)
        # One role in several cases ("Defence Minister", "defence minister"): shown as most
        # sources print it, then as the first source does.
        printed = [next(m.role for m in mentions if m.sentence.text == c.text and m.role) for c in sources]
        text = min(printed, key=lambda t: (-printed.count(t), printed.index(t)))
        role_variants.append(Variant(text=text, sources=sources))
    role_variants.sort(key=lambda v: (citation_order(v.sources[0]), v.text))
    every = {(d, x.key): (d, x) for d, x, _ in found}
    every.update({(m.document, m.sentence.key): (m.document, m.sentence) for m in group})
    topics = frozenset().union(*(assignment.of(x) for _, x in every.values()))
    first_per_article: dict[int, tuple[int, Sentence]] = {}
    for d, x in sorted(every.values(), key=lambda item: (item[0], item[1].index)):
        first_per_article.setdefault(d, (d, x))
    # The name shown: the spelling most outlets use, then the fullest.
    name = min(variants, key=lambda v: (-len(v.outlets), -len(v.text.split()), citation_order(v.sources[0])))
    return Entity(
        name=name.text,
        kind=kind,
        variants=variants,
        roles=tuple(role_variants),
        topics=topics,
        mentions=_citations(first_per_article.values(), documents),
    )


@dataclass(frozen=True, slots=True)
class _Corpus:
    """Every sentence of the site, indexed so that the few sentences that may
    hold a name are found without a test per sentence."""

    text: str
    """The sentences' texts in reading order, joined by ``CORPUS_SEPARATOR``."""
    starts: tuple[int, ...]
    """Offset in ``text`` of each sentence."""
    sentences: tuple[tuple[int, Sentence], ...]
    """Each sentence with the number of its document, in the same order."""
    capitalised: Mapping[str, tuple[int, ...]]
    """Positions (in ``sentences``) of the sentences holding each capitalised
    word: a whole run of word characters and hyphens (``_WORD_RUN``)."""

    def holding(self, form: str) -> set[int]:
        """Positions (in ``sentences``) of the sentences where ``form`` may stand
        as a whole name (``_find_all``'s test): every one of them, and few others.

        A whole-name match starts at a run of ``_WORD_RUN`` (no word character,
        hyphen or apostrophe before it) and that run is the form's first one:
        either the form goes on with another character, or the match must end
        there. So a form opening with a capitalised word is looked up under it;
        any other form is searched for in the whole text."""
        first = _WORD_RUN.match(form)
        if first is not None and first.group(0)[0].isupper():
            return set(self.capitalised.get(first.group(0), ()))
        if not form or CORPUS_SEPARATOR in form:
            return set(range(len(self.sentences)))
        found: set[int] = set()
        at = self.text.find(form)
        while at >= 0:
            found.add(bisect.bisect_right(self.starts, at) - 1)
            at = self.text.find(form, at + 1)
        return found


CORPUS_SEPARATOR = "\x00"
"""Joins sentences in a ``_Corpus``: no name holds it, so no match spans two sentences."""
_WORD_RUN = re.compile(r"[\w\-]+")
_MAYBE_CAPITALISED_RUN = re.compile(r"(?<![\w\-])[^\W\d_a-z][\w\-]*")
"""The runs of ``_WORD_RUN`` whose first character is a letter but not a
lower-case ASCII one: every capitalised run, and few others (``é…``), so
most words are never looked at one by one."""


def _corpus(documents: Sequence[Document]) -> _Corpus:
    sentences = tuple((number, s) for number, document in enumerate(documents) for s in document.sentences)
    starts: list[int] = []
    offset = 0
    capitalised: dict[str, list[int]] = defaultdict(list)
    for position, (_, sentence) in enumerate(sentences):
        starts.append(offset)
        offset += len(sentence.text) + len(CORPUS_SEPARATOR)
        for word in dict.fromkeys(_MAYBE_CAPITALISED_RUN.findall(sentence.text)):
            if word[0].isupper():
                capitalised[word].append(position)
    text = CORPUS_SEPARATOR.join(sentence.text for _, sentence in sentences)
    return _Corpus(text, tuple(starts), sentences, {word: tuple(p) for word, p in capitalised.items()})


def _find_all(corpus: _Corpus, forms: set[str]) -> list[tuple[int, Sentence, str]]:
    """Every (document, sentence, form) where one of ``forms`` stands as a whole name."""
    found = []
    ordered = sorted(forms, key=lambda f: (-len(f), f))
    patterns = [
        (form, re.compile(rf"(?<![\w’'\-]){re.escape(form)}(?![\w\-]|\s+[A-Z][a-z])")) for form in ordered
    ]
    # Only sentences that contain a form can hold a match; taken in reading order.
    holding: set[int] = set()
    for form in ordered:
        holding |= corpus.holding(form)
    for position in sorted(holding):
        number, sentence = corpus.sentences[position]
        taken: list[tuple[int, int]] = []
        for form, pattern in patterns:
            if form not in sentence.text:  # a cheap test first: most sentences hold one form at most
                continue
            for match in pattern.finditer(sentence.text):
                if any(s <= match.start() < e for s, e in taken) or _inside_name(
                    sentence.text, match.start()
                ):
                    continue
                taken.append((match.start(), match.end()))
                found.append((number, sentence, form))
    return found


def _inside_name(text: str, start: int) -> bool:
    """Does a capitalised word stand right before ``start`` ("National Park"), making the
    match part of another name? Titles and honorifics do not count ("Mr Park")."""
    before = re.search(r"([A-Z][\w’'\-]*)\s+$", text[:start])
    if before is None:
        return False
    word = before.group(1).lower()
    if word.endswith(("'s", "’s")):
        return False  # "Russia's Putin"
    opens = not text[: before.start()].strip(" “\"'‘(")
    return not (word in TITLE_NOUNS or word in HONORIFICS or (opens and word in FUNCTION_WORDS))


def _variants(
    uses: Mapping[str, list[tuple[int, Sentence]]], documents: Sequence[Document]
) -> tuple[Variant, ...]:
    variants = []
    for text, places in uses.items():
        first: dict[int, tuple[int, Sentence]] = {}
        for d, x in sorted(places, key=lambda item: (item[0], item[1].index)):
            first.setdefault(d, (d, x))
        if first:
            variants.append(Variant(text=text, sources=_citations(first.values(), documents)))
    variants.sort(key=lambda v: (-len(v.outlets), v.text))
    return tuple(variants)


def _citations(places: Iterable[tuple[int, Sentence]], documents: Sequence[Document]) -> tuple[Citation, ...]:
    """Citations of distinct sentences, in source order."""
    unique = {(d, x.key): (d, x) for d, x in places}
    return tuple(sorted((documents[d].cite(x) for d, x in unique.values()), key=citation_order))
