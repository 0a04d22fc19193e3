"""Write a synthetic news archive for benchmarking: N articles over T topics and O outlets.

Real coverage is many outlets reporting the same events, each in its own
words, so the corpus is built the same way:

* every topic is a running story (a place, its officials, a subject such as
  flooding or a strike) with a topic file whose names, aliases and keywords
  really match the articles;
* every topic has a series of dated events; each event is reported by several
  outlets (3 to 7);
* an article about an event tells its facts either in the shared wire wording
  (lightly edited: a dropped clause, an added weekday) or in one of several
  paraphrases, sometimes with a different figure (which must not merge);
* officials' direct quotes are shared word for word across outlets, with
  varied attribution ("…," X said / said X / he added / saying "…");
* background sentences about the story recur across its events;
* the rest is outlet colour from a Zipf-distributed vocabulary, up to about
  600 words an article.

Everything comes from one ``random.Random(seed)``: the same arguments give
byte-identical files. The vocabulary is invented or generic, so nothing here
depends on any real article.

    python benchmarks/generate.py --articles 1000 --topics 50 --outlets 40 --out benchmarks/corpus/1000
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_ARTICLE = 600
VOCABULARY = 6000
"""Distinct content words of the colour text."""
ZIPF_OFFSET = 40
"""Word of rank r is drawn with weight 1/(r + ZIPF_OFFSET): the commonest word
stands in a few per cent of sentences, as in real news prose, not in half."""
START_DATE = datetime.date(2023, 1, 2)

_ONSETS = "b br c ch cr d dr f g gr h j k kr l m n p pr r s st t tr v z".split()
_VOWELS = "a e i o u ai ea io ou".split()
_CODAS = ["", "", "n", "r", "l", "s", "m", "th", "nd", "rk"]

FIRST_NAMES = """Amara Bela Caio Dara Elif Farid Greta Hana Ines Jonas Kemal Lena Marek Nadia Omar Petra
Rafael Sana Tomas Una Viktor Wanda Yusuf Zora Anton Beatriz Cyril Dalia Emil Freya""".split()
ROLES = """Interior Minister|Mayor|Governor|Health Minister|union leader|police chief|
Finance Minister|spokeswoman|spokesman|Environment Minister|regional commissioner|Transport Minister""".split(
    "|"
)
OUTLET_WORDS = "Herald Times Post Courier Observer Ledger Gazette Tribune Chronicle Dispatch Sentinel".split()
OUTLET_KINDS = ["", "Daily ", "Evening ", "Morning ", "Weekly "]
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


@dataclass(frozen=True, slots=True)
class Domain:
    """The kind of story a topic is: its words and its sentence patterns."""

    name: str
    """Short subject, e.g. "floods"; topic titles are "<Place> <name>"."""
    alias: str
    """Topic alias after the place name, e.g. "flood crisis"."""
    keywords: tuple[str, ...]
    event: str
    """Noun phrase for the thing that happens, e.g. "flooding"."""
    victims: str
    impact: str
    """Past participle of what the event did to the victims."""
    authority: str
    measure: str
    """What the authorities did about it."""
    cost_unit: str


DOMAINS = (
    Domain(
        "floods",
        "flood crisis",
        ("flood*", "rainfall"),
        "flooding",
        "people",
        "displaced",
        "the disaster agency",
        "evacuation orders",
        "homes",
    ),
    Domain(
        "port strike",
        "dock dispute",
        ("strike*", "walkout"),
        "the strike",
        "dock workers",
        "idled",
        "the port authority",
        "emergency talks",
        "containers",
    ),
    Domain(
        "election",
        "vote count",
        ("ballot*", "voter*"),
        "the vote",
        "voters",
        "registered",
        "the electoral commission",
        "a recount",
        "polling stations",
    ),
    Domain(
        "wildfires",
        "fire season",
        ("wildfire*", "blaze*"),
        "the wildfire",
        "residents",
        "evacuated",
        "the fire service",
        "a state of emergency",
        "hectares",
    ),
    Domain(
        "outbreak",
        "cholera outbreak",
        ("cholera", "infection*"),
        "the outbreak",
        "patients",
        "treated",
        "the health ministry",
        "vaccination drives",
        "clinics",
    ),
    Domain(
        "dam project",
        "dam scheme",
        ("reservoir*", "hydropower"),
        "construction of the dam",
        "families",
        "relocated",
        "the energy ministry",
        "an environmental review",
        "villages",
    ),
    Domain(
        "mine protest",
        "mining dispute",
        ("miner*", "protest*"),
        "the protest",
        "miners",
        "arrested",
        "the police",
        "a curfew",
        "shafts",
    ),
    Domain(
        "rail crash",
        "train disaster",
        ("derail*", "railway*"),
        "the derailment",
        "passengers",
        "injured",
        "the rail operator",
        "safety inspections",
        "carriages",
    ),
)

# Fact patterns: each kind has a wire wording and paraphrases. Slots:
# {event} {Event} {victims} {impact} {authority} {Authority} {measure} {place}
# {district} {n} {m} {speaker} {role} {unit} {day}
FACTS: tuple[tuple[str, ...], ...] = (
    (
        "{Event} in the {district} district of {place} has left at least {n} {victims} {impact}, "
        "{authority} said on {day}.",
        "At least {n} {victims} have been {impact} by {event} in the {district} district of {place}, "
        "according to {authority}.",
        "{Authority} said {n} {victims} were {impact} after {event} hit {district}, a district of {place}.",
        "{event_cap_short} has {impact} {n} {victims} in {district}, {authority} said.",
    ),
    (
        "{Authority} announced {measure} for {district} and two neighbouring districts late on {day}.",
        "{Authority} has announced {measure} for {district} and two neighbouring districts.",
        "Late on {day}, {measure} were announced for {district} and nearby districts by {authority}.",
    ),
    (
        "Officials estimate that {m} {unit} in {district} have been affected since {event} began.",
        "Some {m} {unit} in {district} have been affected since {event} began, officials estimate.",
        "Officials put the number of {unit} affected in {district} at {m}.",
    ),
    (
        "{role_cap} {speaker} visited {district} on {day} and met local officials and {victims}.",
        "{speaker}, the {role}, travelled to {district} on {day} to meet officials and {victims}.",
        "On {day}, {role} {speaker} went to {district}, where {pronoun} met {victims} and local officials.",
    ),
    (
        "Opposition lawmakers in {place} accused {authority} of reacting too slowly to {event} in "
        "{district}.",
        "{Authority} has been accused by opposition lawmakers of a slow response to {event} in {district}.",
        "Critics in {place} said {authority} was too slow to respond to {event} in {district}.",
    ),
)

QUOTE_OPENERS = (
    "We will not leave the people of {district} to face this alone",
    "Our teams have been working day and night in {district}",
    "Nobody in {district} should have to live with this uncertainty",
    "The situation in {district} remains serious but it is under control",
    "We have asked for more support from the national government for {district}",
    "What happened in {district} must never happen again",
    "Every family in {district} deserves a clear answer",
)
QUOTE_MIDDLES = (
    "and we will publish every figure as soon as it is confirmed",
    "and the first payments will reach households within {k} weeks",
    "and I have ordered a full independent inquiry",
    "and extra staff are arriving from {other} tomorrow",
    "and we expect the worst of it to be over by the end of the month",
    "and the budget for {district} has been doubled",
    "even though our resources are stretched to the limit",
)

BACKGROUND = (
    "{place} has faced repeated {name} over the past decade, and critics say little has changed.",
    "The {district_old} district was the centre of a similar crisis in {year}.",
    "{Authority} was restructured in {year} after a government review.",
    "Around {pop} people live in the province around {place}.",
    "{place} is one of the poorest regions of the country, and its economy depends on farming and trade.",
    "The national government promised new investment in {place} during the last election campaign.",
)


NOUNS = """market road bridge school clinic harbour village river office family farmer teacher
trader driver bakery warehouse factory station church square field truck shelter volunteer crowd
neighbour supplier council committee report budget price wage fuel water power line queue
meeting rumour photograph radio account ledger harvest cattle boat tent kitchen corridor hall
courtyard wall gate fence tower lamp engine generator pump pipe cable roof window door garden
orchard vineyard mill quarry depot hangar barracks archive library museum theatre stadium
canal dyke levee ferry tram bus lorry van cart bicycle""".split()

PREPOSITIONS = "in on at by for with from into over under about after before".split()


def _pseudo_word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)]
    return ("".join(parts) + rng.choice(_CODAS)).capitalize()


def _unique_words(rng: random.Random, count: int, taken: set[str], syllables: tuple[int, int]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = _pseudo_word(rng, rng.randint(*syllables))
        if word not in taken and len(word) >= 4:
            taken.add(word)
            words.append(word)
    return words


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


@dataclass(frozen=True, slots=True)
class Speaker:
    first: str
    surname: str
    role: str
    pronoun: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"


@dataclass(frozen=True, slots=True)
class TopicPlan:
    slug: str
    title: str
    place: str
    domain: Domain
    speakers: tuple[Speaker, ...]
    old_district: str
    year: int
    population: str


@dataclass(frozen=True, slots=True)
class EventPlan:
    topic: TopicPlan
    index: int
    date: datetime.date
    district: str
    facts: tuple[dict[str, str], ...]
    quotes: tuple[tuple[Speaker, str], ...]
    outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CorpusStats:
    articles: int
    topics: int
    outlets: int
    events: int
    words: int


def _topics(rng: random.Random, count: int, taken: set[str]) -> list[TopicPlan]:
    places = _unique_words(rng, count, taken, (2, 3))
    surnames = _unique_words(rng, count * 3, taken, (2, 3))
    plans = []
    for i, place in enumerate(places):
        domain = DOMAINS[i % len(DOMAINS)]
        speakers = tuple(
            Speaker(
                rng.choice(FIRST_NAMES),
                surnames[i * 3 + j],
                rng.choice(ROLES).strip(),
                rng.choice(("he", "she")),
            )
            for j in range(3)
        )
        title = f"{place} {domain.name}"
        plans.append(
            TopicPlan(
                slug=_slug(title),
                title=title,
                place=place,
                domain=domain,
                speakers=speakers,
                old_district=_unique_words(rng, 1, taken, (2, 2))[0],
                year=rng.randint(1995, 2019),
                population=f"{rng.randint(2, 40) * 50_000:,}",
            )
        )
    return plans


def _outlets(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    towns = _unique_words(rng, count, taken, (2, 3))
    return [f"The {town} {rng.choice(OUTLET_KINDS)}{rng.choice(OUTLET_WORDS)}" for town in towns]


def _quote(rng: random.Random, district: str, other: str) -> str:
    opener = rng.choice(QUOTE_OPENERS).format(district=district)
    middle = rng.choice(QUOTE_MIDDLES).format(district=district, k=rng.randint(2, 9), other=other)
    return f"{opener}, {middle}"


def _events(
    rng: random.Random, topics: list[TopicPlan], outlets: list[str], articles: int, taken: set[str]
) -> list[EventPlan]:
    events: list[EventPlan] = []
    planned = 0
    day = 0
    while planned < articles:
        topic = topics[len(events) % len(topics)]
        size = min(rng.randint(3, 7), articles - planned, len(outlets))
        district = _unique_words(rng, 1, taken, (2, 3))[0]
        facts = []
        for kind in range(len(FACTS)):
            facts.append(
                {
                    "kind": str(kind),
                    "n": str(rng.randint(12, 4800)),
                    "m": f"{rng.randint(2, 90) * 100:,}",
                    "day": rng.choice(WEEKDAYS),
                    "speaker": str(rng.randrange(len(topic.speakers))),
                }
            )
        other = rng.choice(topics).place
        quotes = tuple(
            (topic.speakers[rng.randrange(len(topic.speakers))], _quote(rng, district, other))
            for _ in range(rng.randint(2, 4))
        )
        day += rng.randint(0, 1)
        events.append(
            EventPlan(
                topic=topic,
                index=len(events),
                date=START_DATE + datetime.timedelta(days=day),
                district=district,
                facts=tuple(facts),
                quotes=quotes,
                outlets=tuple(rng.sample(outlets, size)),
            )
        )
        planned += size
    return events


def _fact_text(rng: random.Random, event: EventPlan, fact: dict[str, str]) -> str:
    topic, domain = event.topic, event.topic.domain
    variants = FACTS[int(fact["kind"])]
    # Half the outlets run the wire wording, the others paraphrase.
    wire = rng.random() < 0.5
    template = variants[0] if wire else rng.choice(variants[1:])
    n = fact["n"]
    if rng.random() < 0.15:  # a different figure: a disagreement, never a merge
        n = str(int(n) + rng.randint(3, 40))
    speaker = topic.speakers[int(fact["speaker"])]
    text = template.format(
        event=domain.event,
        Event=domain.event[:1].upper() + domain.event[1:],
        event_cap_short=domain.event[:1].upper() + domain.event[1:],
        victims=domain.victims,
        impact=domain.impact,
        authority=domain.authority,
        Authority=domain.authority[:1].upper() + domain.authority[1:],
        measure=domain.measure,
        place=topic.place,
        district=event.district,
        n=n,
        m=fact["m"],
        unit=domain.cost_unit,
        day=fact["day"],
        speaker=speaker.name,
        role=speaker.role,
        role_cap=speaker.role[:1].upper() + speaker.role[1:],
        pronoun=speaker.pronoun,
    )
    if wire and rng.random() < 0.3:  # light copy-editing of the wire text
        text = text.replace(f" late on {fact['day']}", "").replace(f" on {fact['day']}", "")
    return text


def _quote_paragraph(rng: random.Random, speaker: Speaker, quote: str, first: bool, previous: bool) -> str:
    style = rng.randrange(4)
    if previous and style == 0:
        return f"\u201c{quote},\u201d {speaker.pronoun} added."
    if style == 1:
        return f"\u201c{quote},\u201d said {speaker.name if first else speaker.surname}."
    if style == 2:
        return f"{speaker.name if first else speaker.surname} told reporters: \u201c{quote}.\u201d"
    role = speaker.role[:1].upper() + speaker.role[1:]
    name = f"{role} {speaker.name}" if first else speaker.surname
    return f"\u201c{quote},\u201d {name} said."


def _colour(rng: random.Random, vocab: list[str], weights: list[float]) -> str:
    """A sentence of outlet colour: subject, verb, object and an optional phrase.

    Every content word is drawn from the Zipf vocabulary and the glue is
    function words only, so no word stands in more sentences than common
    words do in real prose.
    """

    def word() -> str:
        return rng.choices(vocab, cum_weights=weights, k=1)[0]

    def phrase() -> str:
        shape = rng.randrange(4)
        if shape == 0:
            return f"the {word()} {word()}s"
        if shape == 1:
            return f"{rng.randint(2, 900)} {word()}s"
        if shape == 2:
            return f"the {word()} of {word().capitalize()}"
        return f"a {word()} {word()}"

    subject = phrase()
    sentence = f"{subject[:1].upper()}{subject[1:]} {word()}ed {phrase()}"
    sentence += f" {rng.choice(PREPOSITIONS)} {phrase()}"
    if rng.random() < 0.6:
        sentence += f", and {phrase()} {word()}ed {phrase()}"
    if rng.random() < 0.1:
        sentence += f" on {rng.choice(WEEKDAYS)}"
    return sentence + "."


def _article(
    rng: random.Random,
    event: EventPlan,
    outlet: str,
    vocab: list[str],
    weights: list[float],
) -> tuple[str, str, int]:
    topic, domain = event.topic, event.topic.domain
    paragraphs: list[str] = []
    facts = list(event.facts)
    lead, rest = facts[0], facts[1:]
    rng.shuffle(rest)
    paragraphs.append(_fact_text(rng, event, lead))
    seen: set[str] = set()
    previous_speaker: Speaker | None = None
    quotes = list(event.quotes)
    fact_iter = iter(rest)
    for i, (speaker, quote) in enumerate(quotes):
        if rng.random() < 0.2:  # not every outlet runs every quote
            continue
        paragraphs.append(
            _quote_paragraph(rng, speaker, quote, speaker.name not in seen, previous_speaker == speaker)
        )
        seen.add(speaker.name)
        previous_speaker = speaker
        fact = next(fact_iter, None)
        if fact is not None and (i % 2 == 0 or rng.random() < 0.7):
            paragraphs.append(_fact_text(rng, event, fact))
            previous_speaker = None
    for fact in fact_iter:
        if rng.random() < 0.8:
            paragraphs.append(_fact_text(rng, event, fact))
    if rng.random() < 0.5:
        paragraphs.append("## Background")
    fields = {
        "place": topic.place,
        "name": domain.name,
        "district_old": topic.old_district,
        "year": str(topic.year),
        "Authority": domain.authority[:1].upper() + domain.authority[1:],
        "pop": topic.population,
    }
    for template in rng.sample(BACKGROUND, 2):
        paragraphs.append(template.format(**fields))
    words = sum(len(p.split()) for p in paragraphs)
    target = WORDS_PER_ARTICLE + rng.randint(-60, 60)
    while words < target:
        sentences = [_colour(rng, vocab, weights) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.3:
            sentences[0] = f"In {topic.place}, " + sentences[0][0].lower() + sentences[0][1:]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    headline = _fact_text(rng, event, lead).rstrip(".").split(",")[0]
    return headline, "\n\n".join(paragraphs) + "\n", words


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(out: Path, *, articles: int, topics: int = 50, outlets: int = 40, seed: int = 0) -> CorpusStats:
    """Write ``articles`` articles and ``topics`` topic files under ``out`` (replaced)."""
    rng = random.Random(seed)
    taken: set[str] = set()
    topic_plans = _topics(rng, topics, taken)
    outlet_names = _outlets(rng, outlets, taken)
    vocab = NOUNS + [w.lower() for w in _unique_words(rng, VOCABULARY - len(NOUNS), taken, (2, 3))]
    rng.shuffle(vocab)
    weights = list(itertools.accumulate(1 / (rank + ZIPF_OFFSET) for rank in range(len(vocab))))
    events = _events(rng, topic_plans, outlet_names, articles, taken)
    if out.exists():
        shutil.rmtree(out)
    (out / "articles").mkdir(parents=True)
    (out / "topics").mkdir(parents=True)
    for topic in topic_plans:
        domain = topic.domain
        names = [topic.place, *(s.surname for s in topic.speakers)]
        text = (
            "---\n"
            f"title: {_yaml_text(topic.title)}\n"
            f"slug: {topic.slug}\n"
            f"names: [{', '.join(names)}]\n"
            f"aliases: [{_yaml_text(f'{topic.place} {domain.alias}')}]\n"
            f"keywords: [{', '.join(_yaml_text(k) for k in domain.keywords)}]\n"
            "exclude: []\n"
            "---\n"
            f"A running story: {domain.name} in {topic.place}. This briefing gathers what each outlet "
            "reports about it.\n"
        )
        (out / "topics" / f"{topic.slug}.md").write_text(text, encoding="utf-8")
    total_words = 0
    written = 0
    for event in events:
        for outlet in event.outlets:
            headline, body, words = _article(rng, event, outlet, vocab, weights)
            slug = f"{_slug(outlet)}-{event.index}-{_slug(event.district)}"
            date = event.date + datetime.timedelta(days=rng.randint(0, 1))
            front = (
                "---\n"
                f"title: {_yaml_text(headline)}\n"
                f"outlet: {_yaml_text(outlet)}\n"
                f"url: https://{_slug(outlet)}.example.com/news/{event.index}/{_slug(headline)[:60]}\n"
                f"date: {date.isoformat()}\n"
                "---\n\n"
            )
            (out / "articles" / f"{slug}.md").write_text(front + body, encoding="utf-8")
            total_words += words
            written += 1
    return CorpusStats(
        articles=written, topics=topics, outlets=outlets, events=len(events), words=total_words
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--outlets", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stats = generate(
        args.out, articles=args.articles, topics=args.topics, outlets=args.outlets, seed=args.seed
    )
    per_article = math.floor(stats.words / max(1, stats.articles))
    print(
        f"{stats.articles} articles ({per_article} words each on average), {stats.topics} topics, "
        f"{stats.outlets} outlets, {stats.events} events → {args.out}"
    )


if __name__ == "__main__":
    main()
