"""Stage 6: dated events for a topic's timeline.

Two steps, each a plain function:

* ``find_dates(document)`` finds the date expressions of every sentence and
  resolves them against the article's publication date: absolute dates
  ("14 November 2022", "November 14, 2022", "December 2020", "in 2020") and
  relative ones ("on Monday", "in June this year", "earlier in August",
  "last month", "next week", "yesterday", "three days ago", "last year").
* ``build_timeline(dated, statements)`` turns the dated sentences of a
  topic's statements into ``Event``s: one per statement and date, joined
  across statements when they give the same date and say nearly the same
  thing (with the same figures, and not each naming something the other
  does not), each with every source whose *own* sentence gives that date.

Why a small rule set rather than a date-parsing library: ``dateparser``'s
``search_dates`` takes bare words such as "may", "march" or "in three years"
for dates, gives no character offsets and no reliable precision, and knows
nothing of tense or of quotations. Trust needs the opposite: every date must
come from words we can show, with the precision those words really carry,
and anything unclear must be left out. The rules are general patterns of
news English:

* **Precision** is what the words give: "2020" a year, "December 2020" a
  month, "14 November 2022" or "on Monday" a day. A week ("next week") is
  not a day: it is given the month it falls in, or the year when it spans
  two months, or nothing when it spans two years.
* **Tense** settles which Monday or which June is meant: the nearest verb
  cue ("will", "is due to" / "said", "was", "-ed") to the expression wins;
  with no cue, the past (news reports what happened). A bare month resolves
  to the most recent such month on or before the publication month ("in
  December" in an article of 3 January 2023 is December 2022).
* **Not events**: headings, photo captions ("FILE: … on December 8, 2021")
  and date lines ("Published 14 November 2022"); bounds ("until March",
  "by 2030", "before 2015"); dates relative to an undated event ("four days
  after France decided"); relative dates inside quotation marks, which are
  relative to when the speaker spoke, not to the article's date; and words
  that are ambiguous in English ("next Monday", a bare "today"); weekdays
  in names ("Bloody Sunday", "the Sunday Times").
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from generator.captions import CAPTION_PATTERNS
from generator.merge import (
    MIN_WORDS,
    NamedText,
    content_words,
    named_text,
    names_apart,
    overlap,
    same_figures,
)
from generator.model import Citation, DatedSentence, Document, Event, Precision, Statement

JOIN_THRESHOLD = 0.6
"""Share of the shorter sentence's content words (date words left out) that
the other must have for two statements with the same date to be one event."""

Tense = Literal["past", "future"]
Resolved = tuple[str, Precision] | None

# --------------------------------------------------------------------------
# Words

_MONTHS = ("January February March April May June July August September October November December").split()
_MONTH_NUMBER = {name: i + 1 for i, name in enumerate(_MONTHS)} | {
    name[:3]: i + 1 for i, name in enumerate(_MONTHS) if name != "May"
}
_MONTH_NUMBER["Sept"] = 9
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

# Full names and abbreviations; an abbreviation's dot only before a figure,
# so a sentence's final stop is never part of the expression.
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December" \
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.(?=\s+\d))?)"  # fmt: skip
_FULL_MONTH = r"(?P<month>" + "|".join(_MONTHS) + r")(?!['’]s\b)"  # not "May's cabinet"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)(?![\d\-–%]|s\b)"
_NUMBER = r"(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + r")(?:'s|’s)?\b"
_I = "(?i:{})".format

# A word just before an expression that makes it a bound, not the event's date.
# ("from" is not one: "from 3 May" and "since 3 May" give when something began.)
_BOUND_WORDS = frozenset("before after until till by through to between ahead prior than within".split())
# Words whose "-ed" is no past-tense verb.
_NOT_VERBS = frozenset(
    "hundred indeed need seed speed feed red bed shed wed united armed limited related detailed "
    "advanced scheduled expected planned proposed".split()
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|won't|won’t|(?:is|are|was|were)\s+(?:due|set|expected|scheduled|planned|going)\s+to"
    r"|(?:is|are)\s+to|plans?\s+to|intends?\s+to|upcoming|ahead\s+of)\b|(?<=\w)(?:'ll|’ll)\b",
    re.IGNORECASE,
)
_PAST_CUE = re.compile(
    r"(?<![\w\-–])(?:was|were|had|did|said|told|met|went|came|took|gave|made|left|began|saw|won|lost"
    r"|fled|fell|held|sent|found|brought|became|chose|spoke|wrote|struck|led|ago|[a-z]{2,}ed)\b"
)
_PASSIVE = re.compile(r"\b(?:be|been|being|is|are|am)\s+$", re.IGNORECASE)
# Date lines and bylines: "Published 14 November 2022", "Updated: …".
# The date must follow at once: "Updated figures showed…" is a sentence.
_DATE_LINE = re.compile(
    r"^\W*(?:published|updated|last updated|first published|posted|modified|date)\s*(?::|on|at)?\s*"
    r"(?:\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b)",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------
# Calendar arithmetic


def _iso(value: datetime.date, precision: Precision) -> str:
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def _day(year: int, month: int, day: int) -> Resolved:
    try:
        return _iso(datetime.date(year, month, day), "day"), "day"
    except ValueError:
        return None


def _add_months(value: datetime.date, months: int) -> datetime.date:
    index = value.year * 12 + value.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _window(first: datetime.date, last: datetime.date) -> Resolved:
    """The strongest honest precision for "some day between first and last"."""
    if (first.year, first.month) == (last.year, last.month):
        return _iso(first, "month"), "month"
    if first.year == last.year:
        return _iso(first, "year"), "year"
    return None


def _week(published: datetime.date, weeks: int) -> Resolved:
    """The calendar week (Monday to Sunday) ``weeks`` from the publication week."""
    monday = published - datetime.timedelta(days=published.weekday()) + datetime.timedelta(weeks=weeks)
    return _window(monday, monday + datetime.timedelta(days=6))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


# --------------------------------------------------------------------------
# Tense


def _tense(text: str, start: int, end: int) -> Tense | None:
    """Past or future by the verb cue nearest the expression; past when there
    is none (news reports what happened); None when two cues are equally near."""
    cues: list[tuple[int, Tense]] = []
    for match in _FUTURE_CUE.finditer(text):
        cues.append((_distance(match, start, end), "future"))
    for match in _PAST_CUE.finditer(text):
        word = match.group().lower()
        if word in _NOT_VERBS or _PASSIVE.search(text[: match.start()]):
            continue  # an adjective, or a passive whose auxiliary carries the tense
        if start <= match.start() < end:
            continue
        cues.append((_distance(match, start, end), "past"))
    if not cues:
        return "past"
    cues.sort()
    if len(cues) > 1 and cues[0][0] == cues[1][0] and cues[0][1] != cues[1][1]:
        return None
    return cues[0][1]


def _distance(match: re.Match[str], start: int, end: int) -> int:
    if match.end() <= start:
        return start - match.end()
    if match.start() >= end:
        return match.start() - end
    return 0


# --------------------------------------------------------------------------
# Patterns and how each resolves


@dataclass(frozen=True, slots=True)
class _Context:
    """What a rule needs to resolve one match."""

    match: re.Match[str]
    text: str
    published: datetime.date
    quoted: bool
    """The match stands inside quotation marks."""

    def tense(self) -> Tense | None:
        return _tense(self.text, self.match.start(), self.match.end())


Rule = Callable[[_Context], Resolved]


def _absolute_day(ctx: _Context) -> Resolved:
    groups = ctx.match.groupdict()
    if groups.get("iso"):
        year, month, day = (int(part) for part in groups["iso"].split("-"))
        return _day(year, month, day)
    return _day(int(groups["year"]), _MONTH_NUMBER[groups["month"].rstrip(".")], int(groups["day"]))


def _absolute_month(ctx: _Context) -> Resolved:
    month = _MONTH_NUMBER[ctx.match["month"].rstrip(".")]
    return _iso(datetime.date(int(ctx.match["year"]), month, 1), "month"), "month"


def _year(ctx: _Context) -> Resolved:
    year = int(ctx.match["year"])
    if year > ctx.published.year + 30:
        return None
    following = ctx.match.groupdict().get("next") or ""
    if following.endswith("s") and not following.endswith(("ss", "us", "is")):
        return None  # "the 2000 troops": a count, not a year
    return f"{year:04d}", "year"


def _day_of_month(ctx: _Context) -> Resolved:
    """ "14 November", "November 14": the year by tense."""
    if ctx.quoted:
        return None
    month, day = _MONTH_NUMBER[ctx.match["month"].rstrip(".")], int(ctx.match["day"])
    tense = ctx.tense()
    published = ctx.published
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if tense == "past" and candidate <= published < _next_year(candidate):
            return _iso(candidate, "day"), "day"
        if tense == "future" and candidate >= published > _last_year(candidate):
            return _iso(candidate, "day"), "day"
    return None


def _next_year(value: datetime.date) -> datetime.date:
    return (
        value.replace(year=value.year + 1)
        if (value.month, value.day) != (2, 29)
        else value + datetime.timedelta(365)
    )


def _last_year(value: datetime.date) -> datetime.date:
    return (
        value.replace(year=value.year - 1)
        if (value.month, value.day) != (2, 29)
        else value - datetime.timedelta(366)
    )


def _month_of_relative_year(ctx: _Context) -> Resolved:
    """ "June this year", "June last year"."""
    if ctx.quoted:
        return None
    offset = {"this": 0, "last": -1, "next": 1}[ctx.match["rel"].lower()]
    month = _MONTH_NUMBER[ctx.match["month"]]
    return _iso(datetime.date(ctx.published.year + offset, month, 1), "month"), "month"


def _relative_month_name(ctx: _Context) -> Resolved:
    """ "last June" (the one before this month), "this June"; "next June" alike."""
    if ctx.quoted:
        return None
    rel, month = ctx.match["rel"].lower(), _MONTH_NUMBER[ctx.match["month"]]
    published = ctx.published
    if rel == "this":
        year = published.year
    elif rel == "last":
        year = published.year if month < published.month else published.year - 1
    else:
        year = published.year if month > published.month else published.year + 1
    return _iso(datetime.date(year, month, 1), "month"), "month"


def _bare_month(ctx: _Context) -> Resolved:
    """ "in March", "earlier in August": the nearest such month in the tense's direction."""
    if ctx.quoted:
        return None
    month = _MONTH_NUMBER[ctx.match["month"]]
    published = ctx.published
    if month == published.month:
        return _iso(published, "month"), "month"
    earlier = (ctx.match["earlier"] or "").lower().startswith("earlier")
    tense: Tense | None = "past" if earlier else ctx.tense()
    if tense is None:
        return None
    if tense == "past":
        year = published.year if month < published.month else published.year - 1
    else:
        year = published.year if month > published.month else published.year + 1
    return _iso(datetime.date(year, month, 1), "month"), "month"


def _weekday(ctx: _Context) -> Resolved:
    """ "on Monday": the most recent Monday on or before the article's date, or
    the next one after it when the sentence speaks of the future."""
    if ctx.quoted:
        return None
    rel = (ctx.match["rel"] or "").strip().lower()
    if rel == "next":
        return None  # "next Monday": the coming one, or the one after? Ambiguous.
    if _named_day(ctx, rel):
        return None
    weekday = _WEEKDAYS.index(ctx.match["weekday"])
    published = ctx.published
    if rel == "last":
        back = (published.weekday() - weekday) % 7 or 7
        return _iso(published - datetime.timedelta(days=back), "day"), "day"
    tense = "past" if rel in {"earlier", "earlier on"} else ctx.tense()
    if tense == "past":
        back = (published.weekday() - weekday) % 7
        return _iso(published - datetime.timedelta(days=back), "day"), "day"
    if tense == "future":
        ahead = (weekday - published.weekday()) % 7
        if ahead == 0:
            return None  # "will meet on Monday" in Monday's paper: today or in a week?
        return _iso(published + datetime.timedelta(days=ahead), "day"), "day"
    return None


def _named_day(ctx: _Context, rel: str) -> bool:
    """A weekday in a name, not a date: "Bloody Sunday", "Super Tuesday", "the
    Sunday Times". A bare weekday next to a capitalised word is taken for one;
    "on Monday" never is."""
    if rel:
        return False
    before, after = ctx.text[: ctx.match.start()], ctx.text[ctx.match.end() :]
    return re.search(r"\b[A-Z][\w'’\-]*\s+$", before) is not None or re.match(r"\s+[A-Z]", after) is not None


def _relative_day(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    word = (ctx.match["word"] or "today").lower()
    shift = -1 if word == "yesterday" else 1 if word == "tomorrow" else 0
    return _iso(ctx.published + datetime.timedelta(days=shift), "day"), "day"


def _days_ago(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    return _iso(ctx.published - datetime.timedelta(days=_number(ctx.match["n"])), "day"), "day"


def _relative_week(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    return _week(ctx.published, {"last": -1, "this": 0, "next": 1}[ctx.match["rel"].lower()])


def _weeks_ago(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    return _week(ctx.published, -_number(ctx.match["n"]))


def _relative_month(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    offset = {"last": -1, "this": 0, "next": 1}[ctx.match["rel"].lower()]
    return _iso(_add_months(ctx.published, offset), "month"), "month"


def _months_ago(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    return _iso(_add_months(ctx.published, -_number(ctx.match["n"])), "month"), "month"


def _relative_year(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    offset = {"last": -1, "this": 0, "next": 1}[ctx.match["rel"].lower()]
    return f"{ctx.published.year + offset:04d}", "year"


def _years_ago(ctx: _Context) -> Resolved:
    if ctx.quoted:
        return None
    return f"{ctx.published.year - _number(ctx.match['n']):04d}", "year"


_SHIFT = re.compile(
    rf"{_I(_NUMBER)}\s+(?P<unit>(?i:days?|weeks?))\s+(?P<dir>(?i:after|before|later than|earlier than))\s+"
    r"(?:(?i:on)\s+)?$"
)

_EARLIER = r"(?:(?i:earlier|later)\s+)?"
_REL = r"(?P<rel>(?i:last|this|next))"
_AGO = r"\s+(?i:ago)\b"

# In priority order: a later rule never takes words an earlier one matched.
RULES: tuple[tuple[re.Pattern[str], Rule], ...] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (r"\b(?P<iso>(?:1[89]|20)\d\d-[01]\d-[0-3]\d)\b", _absolute_day),
        (rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", _absolute_day),
        (rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}", _absolute_day),
        (rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}", _absolute_month),
        (rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?!,?\s+\d)", _day_of_month),
        (rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s+\d)(?![\d:.])", _day_of_month),
        (rf"\b(?:(?i:in)\s+)?{_FULL_MONTH}\s+{_REL}\s+(?i:year)\b", _month_of_relative_year),
        (rf"\b{_REL}\s+{_FULL_MONTH}\b", _relative_month_name),
        (rf"\b(?P<earlier>(?i:earlier|later)\s+)?(?:(?i:early|late|mid)[\s\-]+)?(?i:in|since|during)"
         rf"\s+(?:(?i:early|late|mid)[\s\-]+)?{_FULL_MONTH}\b", _bare_month),
        (rf"\b(?i:in|since|during|of)\s+(?:(?i:early|late|mid)[\s\-]+)?{_YEAR}", _year),
        (rf"\b(?i:a|an|the|its|their|his|her)\s+(?P<expr>{_YEAR})(?=\s(?P<next>[a-z]+)\b)", _year),
        (rf"\b(?:(?P<rel>(?i:last|next|this|earlier on|earlier|late on|early on|on))\s+)?{_WEEKDAY}",
         _weekday),
        (r"\b(?P<word>(?i:yesterday|tomorrow|tonight))\b"
         r"|\b(?i:earlier\s+today|later\s+today|this\s+(?:morning|afternoon|evening))\b", _relative_day),
        (rf"\b{_I(_NUMBER)}\s+(?i:days?){_AGO}", _days_ago),
        (rf"\b{_EARLIER}{_REL}\s+(?i:week)\b", _relative_week),
        (rf"\b{_I(_NUMBER)}\s+(?i:weeks?){_AGO}", _weeks_ago),
        (rf"\b{_EARLIER}{_REL}\s+(?i:month)\b", _relative_month),
        (rf"\b{_I(_NUMBER)}\s+(?i:months?){_AGO}", _months_ago),
        (rf"\b{_EARLIER}{_REL}\s+(?i:year)\b", _relative_year),
        (rf"\b{_I(_NUMBER)}\s+(?i:years?){_AGO}", _years_ago),
    )
)  # fmt: skip


# What each rule's match must hold, in the order of ``RULES``: a rule is tried
# only on a sentence that has its cue (a year, a month's name or abbreviation,
# a weekday...), as most sentences hold no date at all.
_YEAR_CUE = re.compile(r"(?:1[89]|20)\d\d")
_MONTH_CUE = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
_WEEKDAY_CUE = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_DAY_CUE = re.compile(r"(?i:yesterday|tomorrow|tonight|today|morning|afternoon|evening)")
_AGO_CUE = re.compile(r"(?i:ago)")
_WEEK_CUE = re.compile(r"(?i:week)")
_MONTH_WORD_CUE = re.compile(r"(?i:month)")
_YEAR_WORD_CUE = re.compile(r"(?i:year)")
_CUES: tuple[re.Pattern[str], ...] = (
    _YEAR_CUE, *[_MONTH_CUE] * 8, _YEAR_CUE, _YEAR_CUE, _WEEKDAY_CUE, _DAY_CUE,
    _AGO_CUE, _WEEK_CUE, _AGO_CUE, _MONTH_WORD_CUE, _AGO_CUE, _YEAR_WORD_CUE, _AGO_CUE,
)  # fmt: skip

# Every rule's match holds one of these: a figure, a month's name or
# abbreviation, or a word for a day, week, month or year. A sentence
# without any (most sentences) is passed over without trying each rule.
_MAY_DATE = re.compile(
    r"\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    r"|(?i:day|tomorrow|tonight|morning|afternoon|evening|week|month|year)"
)

# --------------------------------------------------------------------------
# Finding dates in text


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks: “…”, "…" and single quotes ‘…’ or '…'.

    An unclosed quote runs to the end, and a closing ” with no opening one
    quotes from the start (the quote opened in an earlier sentence). A single
    mark counts only where a quote can open (after a space or at the start) or
    close (before a space or punctuation), and a lone closing one is an
    apostrophe ("Kenya's", "farmers' union").
    """
    spans: list[tuple[int, int]] = []
    marks = ((r"“", r"”", True), (r"(?:^|(?<=[\s(\[]))[‘']", r"(?<=\S)[’'](?=[\s,.;:!?)\]]|$)", False))
    for opening, closing, carried_over in marks:
        opened: int | None = None
        for match in re.finditer(f"(?P<open>{opening})|(?P<close>{closing})", text):
            if match.group("open") is not None:
                opened = match.end() if opened is None else opened
            elif opened is not None or carried_over:  # a lone ’ is an apostrophe ("farmers’ union")
                spans.append((0 if opened is None else opened, match.start()))
                opened = None
        if opened is not None:
            spans.append((opened, len(text)))
    straight = [m.start() for m in re.finditer('"', text)]
    spans.extend((a + 1, b) for a, b in zip(straight[::2], straight[1::2], strict=False))
    if len(straight) % 2:
        spans.append((straight[-1] + 1, len(text)))
    return spans


def is_furniture(text: str) -> bool:
    """A photo caption, picture credit or date line: dates in it are not events."""
    stripped = text.strip()
    return _DATE_LINE.match(stripped) is not None or any(p.search(stripped) for p in CAPTION_PATTERNS)


def _bounded(text: str, start: int) -> bool:
    """The expression is a bound ("until March", "by 2030"), not a date of the event."""
    before = re.search(r"(\w+)\W*$", text[:start])
    return before is not None and before.group(1).lower() in _BOUND_WORDS


def dates_in(text: str, published: datetime.date, sentence: str = "") -> tuple[DatedSentence, ...]:
    """Every date expression of ``text`` that resolves, in text order, one per date."""
    if not _MAY_DATE.search(text):
        return ()
    quoted: list[tuple[int, int]] | None = None  # found at the first match
    cued: dict[re.Pattern[str], bool] = {}
    taken: list[tuple[int, int]] = []
    found: list[DatedSentence] = []
    absolute_days: list[tuple[int, int]] = []
    for (pattern, rule), cue in zip(RULES, _CUES, strict=True):
        if cue not in cued:
            cued[cue] = cue.search(text) is not None
        if not cued[cue]:
            continue  # the rule cannot match
        for match in pattern.finditer(text):
            if any(match.start() < b and a < match.end() for a, b in taken):
                continue
            taken.append(match.span())
            quoted = _quoted_spans(text) if quoted is None else quoted
            inside = any(a <= match.start() and match.end() <= b for a, b in quoted)
            resolved = rule(_Context(match, text, published, inside))
            # the words shown: the date itself ("2012" of "a 2012 uprising"), or
            # the whole count from it ("four days after 3 March 2022")
            start, end = match.span("expr") if "expr" in pattern.groupindex else match.span()
            lead = match.start()
            if rule is _absolute_day and resolved is not None:
                absolute_days.append(match.span())
                shift = _SHIFT.search(text[: match.start()])
                if shift is not None:
                    resolved, start = _shifted(resolved, shift), shift.start()
                    lead = start
            if resolved is None or _bounded(text, lead):
                continue
            if rule is _weekday and _names_day_of(text, end, absolute_days):
                continue
            found.append(DatedSentence(sentence, resolved[0], resolved[1], text[start:end], start))
    found.sort(key=lambda d: d.start)
    unique: dict[tuple[str, str], DatedSentence] = {}
    for dated in found:
        unique.setdefault((dated.date, dated.precision), dated)
    return tuple(unique.values())


def _shifted(resolved: tuple[str, Precision], shift: re.Match[str]) -> Resolved:
    """ "four days after 3 March 2022": 7 March 2022."""
    days = _number(shift["n"]) * (7 if shift["unit"].lower().startswith("week") else 1)
    sign = -1 if shift["dir"].lower().startswith(("before", "earlier")) else 1
    value = datetime.date.fromisoformat(resolved[0]) + datetime.timedelta(days=sign * days)
    return _iso(value, "day"), "day"


def _names_day_of(text: str, end: int, absolute_days: Iterable[tuple[int, int]]) -> bool:
    """ "Monday, 14 November 2022": the weekday only names the date that follows."""
    gap = re.match(r",?\s*(?:the\s+)?", text[end:])
    follow = end + (gap.end() if gap else 0)
    return any(start == follow for start, _ in absolute_days)


def find_dates(document: Document) -> tuple[DatedSentence, ...]:
    """The dates of every sentence of ``document`` that can be an event, in reading order."""
    published = document.article.date
    found: list[DatedSentence] = []
    for sentence in document.sentences:
        if sentence.is_heading:
            continue
        dated = dates_in(sentence.text, published, sentence.key)
        if dated and not is_furniture(sentence.text):  # the caption test only where a date is found
            found.extend(dated)
    return tuple(found)


# --------------------------------------------------------------------------
# Events


@dataclass(frozen=True, slots=True)
class _Candidate:
    """The sources of one statement that give one date."""

    date: str
    precision: Precision
    statement: Statement
    sources: tuple[tuple[Citation, DatedSentence], ...]


@dataclass(slots=True)
class _Said:
    """What a dated sentence says besides its date: the sentence with the
    date's words left out, and its content words; its figures and names are
    read when first asked for (``named``), as most pairs differ in words."""

    text: str
    words: frozenset[str]
    _named: NamedText | None = None

    def named(self) -> NamedText:
        if self._named is None:
            self._named = named_text(self.text)
        return self._named


def _said(citation: Citation, dated: DatedSentence, known: KnownWords) -> _Said:
    """What ``citation``'s sentence says besides the date ``dated`` found in
    it, made once per text (``known``): a sentence that wire copies and
    syndicated articles print word for word is one ``_Said`` for all of them."""
    text = citation.text[: dated.start] + " " + citation.text[dated.start + len(dated.expression) :]
    said = known.get(text)
    if said is None:
        said = known[text] = _Said(text, content_words(text))
    return said


def _alike(a: _Said, b: _Said) -> bool:
    """Whether two sentences of one date tell one event: most of their words
    alike, the same figures, and not each naming something the other does
    not ("Flooding in Johouvem has left at least 57 people displaced" and
    "Flooding in Drucrean has left at least 1943 people displaced", both on
    Monday, are two events)."""
    if min(len(a.words), len(b.words)) < MIN_WORDS:
        alike = a.words == b.words
    else:
        alike = overlap(a.words, b.words) >= JOIN_THRESHOLD
    if not alike:
        return False
    named_a, named_b = a.named(), b.named()
    return same_figures(named_a.numbers, len(a.words), named_b.numbers, len(b.words)) and not names_apart(
        named_a, named_b
    )


def _source_order(item: tuple[Citation, DatedSentence]) -> tuple[datetime.date, str, str, float, str]:
    citation = item[0]
    return (citation.date, citation.outlet, citation.article, citation.position, citation.sentence)


KnownWords = dict[str, _Said]
"""What each dated sentence says (``_said``), by its text without the date."""


def build_timeline(
    dated: Sequence[DatedSentence],
    statements: Sequence[Statement],
    known_words: KnownWords | None = None,
) -> tuple[Event, ...]:
    """The events of ``statements``: one per date they give, with every source whose own sentence gives it.

    ``known_words`` keeps what each dated sentence says (``_said``) for the
    next call: a statement of several topics is in each of their timelines."""
    by_sentence: dict[str, list[DatedSentence]] = defaultdict(list)
    for item in dated:
        by_sentence[item.sentence].append(item)
    candidates: dict[tuple[str, Precision], list[_Candidate]] = defaultdict(list)
    for statement in sorted(statements, key=lambda s: s.id):
        groups: dict[tuple[str, Precision], dict[str, tuple[Citation, DatedSentence]]] = defaultdict(dict)
        for citation in statement.sources:
            for found in by_sentence.get(citation.key, ()):
                groups[(found.date, found.precision)].setdefault(citation.key, (citation, found))
        for (date, precision), sources in groups.items():
            ordered = tuple(sorted(sources.values(), key=_source_order))
            candidates[(date, precision)].append(_Candidate(date, precision, statement, ordered))
    known = {} if known_words is None else known_words
    events = [_event(cluster) for key in sorted(candidates) for cluster in _join(candidates[key], known)]
    return tuple(sorted(events, key=lambda e: (e.date, e.text, e.statements)))


def _join(candidates: list[_Candidate], known: KnownWords) -> list[list[_Candidate]]:
    """Candidates with one date, joined when every pair of their sentences is
    alike; ``known``: each dated sentence's words, found as needed.

    ``_alike`` reads only the two texts, so each text is compared once: a
    candidate's sources and a cluster's are taken as their distinct texts
    (one ``_Said`` each, by ``_said``). Compared source by source, the
    clusters of the 20,000-article benchmark took 694,000 comparisons,
    631,000 of them between copies of one sentence."""
    ordered = sorted(candidates, key=lambda c: (-len(c.sources), c.statement.id))
    clusters: list[list[_Candidate]] = []
    cluster_words: list[dict[int, _Said]] = []  # each cluster's distinct texts, by identity
    for candidate in ordered:
        words = {id(said): said for said in (_said(c, found, known) for c, found in candidate.sources)}
        for cluster, others in zip(clusters, cluster_words, strict=True):
            if all(_alike(a, b) for a in words.values() for b in others.values()):
                cluster.append(candidate)
                others.update(words)
                break
        else:
            clusters.append([candidate])
            cluster_words.append(words)
    return clusters


def _event(cluster: list[_Candidate]) -> Event:
    """One event: shown with the statement's own text when that sentence gives the date."""
    lead = cluster[0]
    shown = next((item for item in lead.sources if item[0].text == lead.statement.text), lead.sources[0])
    sources: dict[str, tuple[Citation, DatedSentence]] = {}
    for candidate in cluster:
        for item in candidate.sources:
            sources.setdefault(item[0].key, item)
    return Event(
        date=lead.date,
        precision=lead.precision,
        text=shown[0].text,
        sources=tuple(c for c, _ in sorted(sources.values(), key=_source_order)),
        expression=shown[1].expression,
        statements=tuple(sorted({c.statement.id for c in cluster})),
    )
