"""Cross-reference checks over a parsed content set (pure).

Shape problems come from :func:`bot.content.loader.parse`; this module checks
what needs the whole set: topics, related ids, quotes against the seed
articles, answer length, glossary ids and the messages the code needs. A
published draft is checked as an FAQ entry and must have a source; a draft not
yet published only gets a warning.

Trust guards (issue #13): a number, percentage or year in an answer, clarification or glossary
meaning that none of its sources gives is an error; a capitalised name that none of its quotes holds
is a warning; so is an answer naming a person in office or a figure without an ``as_of`` date, an
``as_of`` that is not its sources' date, and an answer that does not say its ``as_of`` date.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.content.knowledge import GLOSSARY_TOPIC, glossary_id
from bot.content.loader import (
    CALENDAR_FILE,
    GLOSSARY_FILE,
    MESSAGES_FILE,
    REGION_ALIASES_FILE,
    SEED_INDEX_FILE,
    TIME_ZONES_FILE,
    ContentSet,
)
from bot.content.message_keys import REQUIRED_MESSAGES
from bot.content.models import (
    ANSWER_SOFT_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    DraftEntry,
    FaqEntry,
    Lexicon,
    ReferenceSource,
    SeedArticle,
    SeedSource,
    Source,
)
from bot.content.problems import Problem
from bot.content.regions import region_problems


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space: quotes match whitespace-insensitively."""
    return " ".join(text.split())


def check(content: ContentSet) -> list[Problem]:
    problems: list[Problem] = []
    topics = {topic.id for topic in content.topics}
    if GLOSSARY_TOPIC not in topics:
        problems.append(Problem(content.file_of("topics.yaml"), None, None, f"topic {GLOSSARY_TOPIC!r} is required"))
    seed_texts = {seed: squash(text) for seed, text in content.seed_texts.items()}

    faq_ids = {entry.id for entry in content.faq}
    glossary_ids: dict[str, str] = {}
    glossary_file = content.file_of(GLOSSARY_FILE)
    for term in content.glossary:
        gid = glossary_id(term.term)
        if gid in glossary_ids or gid in faq_ids:
            other = glossary_ids.get(gid, "an FAQ entry")
            problems.append(Problem(glossary_file, term.term, "term", f"id {gid!r} is already used by {other!r}"))
        glossary_ids[gid] = term.term
    known_ids = faq_ids | set(glossary_ids)

    for entry in content.faq:
        file = content.faq_files[entry.id]
        if entry.topic not in topics:
            problems.append(Problem(file, entry.id, "topic", f"unknown topic {entry.topic!r}; known: {sorted(topics)}"))
        problems += _related_problems(file, entry.id, entry.id, entry.related, known_ids)
        problems += _source_problems(file, entry.id, "sources", entry.sources, content, seed_texts)
        problems += _answer_problems(file, entry.id, entry.answer)
        # a draft lists the question as it was asked among its alternates (it needs one)
        listed = isinstance(entry, DraftEntry)
        problems += _alternate_problems(file, entry.id, entry.question, entry.alternates, question_listed=listed)
    problems += _draft_problems(content)
    problems += trust_problems(content)

    for term in content.glossary:
        problems += _related_problems(glossary_file, term.term, glossary_id(term.term), term.related, known_ids)
        for number, meaning in enumerate(term.meanings):
            field = f"meanings.{number}.sources"
            problems += _source_problems(glossary_file, term.term, field, meaning.sources, content, seed_texts)

    problems += _seed_index_problems(content)
    problems += _message_problems(content)
    problems += region_problems(
        content.regions, content.region_aliases, content.time_zones,
        (content.file_of(REGION_ALIASES_FILE), content.file_of(TIME_ZONES_FILE)),
    )  # fmt: skip
    problems += _calendar_problems(content)
    return problems


def _draft_problems(content: ContentSet) -> list[Problem]:
    """A published draft must name a source; a draft not published waits for an admin (a warning)."""
    problems = []
    for draft in content.drafts:
        file = content.draft_files[draft.id]
        if not draft.publish:
            problems.append(
                Problem(file, draft.id, "publish", "draft not published yet: add a source, then set publish: true", "warning")
            )
        elif not draft.sources:
            problems.append(Problem(
                file, draft.id, "sources",
                "a published draft needs at least one source (a seed quote or a named public reference) "
                "before it is served, and every claim of its answer must lie inside that source",
            ))  # fmt: skip
    return problems


def _related_problems(
    file: str, name: str, own_id: str, related: Iterable[str], known_ids: set[str]
) -> list[Problem]:
    problems = []
    for rid in related:
        if rid == own_id:
            problems.append(Problem(file, name, "related", "an entry cannot be related to itself"))
        elif rid not in known_ids:
            problems.append(Problem(file, name, "related", f"unknown entry id {rid!r}"))
    return problems


def _source_problems(
    file: str, name: str, field: str, sources: Iterable[Source], content: ContentSet, seed_texts: dict[str, str]
) -> list[Problem]:
    problems = []
    for number, source in enumerate(sources):
        if not isinstance(source, SeedSource):
            continue
        where = f"{field}.{number}"
        if source.seed not in seed_texts:
            problems.append(Problem(file, name, f"{where}.seed", f"unknown seed {source.seed!r}"))
        elif squash(source.quote) not in seed_texts[source.seed]:
            problems.append(
                Problem(file, name, f"{where}.quote", f"quote does not occur in seed {source.seed!r}: {source.quote[:60]!r}")
            )
        elif source.seed not in content.seeds:
            problems.append(Problem(file, name, f"{where}.seed", f"seed {source.seed!r} is missing from the seed index"))
    return problems


def _answer_problems(file: str, name: str, answer: str) -> list[Problem]:
    if len(answer) > TELEGRAM_TEXT_LIMIT:
        return [Problem(file, name, "answer", f"{len(answer)} characters; Telegram allows {TELEGRAM_TEXT_LIMIT}")]
    if len(answer) > ANSWER_SOFT_LIMIT * 3 // 2:
        return [
            Problem(file, name, "answer", f"{len(answer)} characters; aim for {ANSWER_SOFT_LIMIT} or fewer", "warning")
        ]
    return []


def _alternate_problems(
    file: str, name: str, question: str, alternates: list[str], *, question_listed: bool = False
) -> list[Problem]:
    """Alternates repeating the question or each other (``question_listed``: it may be one of them once)."""
    seen = set() if question_listed else {squash(question).casefold()}
    problems = []
    for number, alternate in enumerate(alternates):
        key = squash(alternate).casefold()
        if key in seen:
            problems.append(Problem(file, name, f"alternates.{number}", "repeats another phrasing of this entry", "warning"))
        seen.add(key)
    return problems


def _seed_index_problems(content: ContentSet) -> list[Problem]:
    index_file = f"{content.seeds_label}/{SEED_INDEX_FILE}"
    problems = []
    for seed_id in content.seeds:
        if seed_id not in content.seed_texts:
            problems.append(Problem(index_file, seed_id, "id", "no original article file with this id"))
    for seed_id in content.seed_texts:
        if seed_id not in content.seeds:
            problems.append(Problem(index_file, seed_id, None, "original article is not listed in the index"))
    return problems


def _message_problems(content: ContentSet) -> list[Problem]:
    file = content.file_of(MESSAGES_FILE)
    problems = [
        Problem(file, key, None, "the bot never uses this message", "warning")
        for key in sorted(content.messages.keys() - REQUIRED_MESSAGES.keys())
    ]
    for key, fields in sorted(REQUIRED_MESSAGES.items()):
        if key not in content.messages.keys():  # noqa: SIM118 - Messages is no dict: keys() is its listing
            problems.append(Problem(file, key, None, "message is missing"))
            continue
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(content.messages.get(key)) if name}
        except ValueError as exc:
            problems.append(Problem(file, key, None, f"malformed template: {exc}"))
            continue
        unknown = used - set(fields)
        if unknown:
            problems.append(
                Problem(file, key, None, f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(fields)}")
            )
    return problems


def _calendar_problems(content: ContentSet) -> list[Problem]:
    """The zones people may type after a time are the zones of time_zones.yaml, with the same IANA zone."""
    if content.calendar is None or content.time_zones is None:
        return []
    known = {zone.name: zone.tz for zone in content.time_zones.zones}
    return [
        Problem(content.file_of(CALENDAR_FILE), zone.name, "zones",
                f"zone {zone.name!r} ({zone.tz}) is not in time_zones.yaml as such (there: {known})")
        for zone in content.calendar.zones
        if known.get(zone.name) != zone.tz
    ]  # fmt: skip



# --- Trust guards: the figures, names and dates of an answer lie inside its sources (issue #13) ---

# A number written with digits, not inside a word (P2K2, BP3S), with what follows it: a percent sign or
# word, or a scale word ("40 ribu" is 40.000). "Rp" may stand right before it.
_NUMBER = re.compile(
    r"(?:(?<=\brp)|(?<=\brp\.)|(?<![^\W_]))(\d+(?:[.,]\d+)*)(?![^\W_])"
    r"(?:\s*(%|persen\b|ribu\b|rb\b|juta\b|jt\b|miliar\b|triliun\b))?",
    re.IGNORECASE,
)
_SCALES = {"ribu": 1000, "rb": 1000, "juta": 10**6, "jt": 10**6, "miliar": 10**9, "triliun": 10**12}
# Numbers written as words. "satu" alone is left out: "salah satu" is no figure.
_DIGIT_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "sebelas": 11,
}  # fmt: skip
_WHOLE_WORDS = {"seratus": 100, "seribu": 1000, "sejuta": 10**6}
_NUMBER_WORDS = {*_DIGIT_WORDS, *_WHOLE_WORDS, "belas", "puluh", "ratus", *_SCALES}
_WORD = re.compile(r"[^\W\d_]+")
# Dates: "5/10", "20/2/2020"; month names come from content/calendar.yaml.
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])")
_QUOTE_CHARS = "\"“‘'«"
_LIST_MARKER = re.compile(r"\d{1,2}\)")


@dataclass(frozen=True)
class Figures:
    """The numbers a text states, each by value (40 ribu = 40.000 = 40000; 14% = 14 persen = 14), the
    month of each written date as its number, and the dates written in full."""

    values: frozenset[Decimal]
    figures: frozenset[Decimal]  # the values that are neither a year nor part of a date: amounts, counts
    dates: frozenset[date]
    years: frozenset[int]


def _decimal(digits: str) -> Decimal:
    """'40.000' and '40000' are 40000, '9,41' and '9.41' are 9.41, '1.234,5' is 1234.5."""
    seps = re.findall(r"[.,]", digits)
    groups = re.split(r"[.,]", digits)
    if not seps:
        return Decimal(digits)
    if len(set(seps)) == 2:  # "1.234,5" / "1,234.5": the last separator is the decimal one
        whole, fraction = "".join(groups[:-1]), groups[-1]
        return Decimal(f"{whole}.{fraction}")
    if seps[0] == "." and all(len(g) == 3 for g in groups[1:]):  # Indonesian thousands: 40.000
        return Decimal("".join(groups))
    if len(seps) == 1:
        return Decimal(f"{groups[0]}.{groups[1]}")
    return Decimal("".join(groups))  # "1,000,000"


def _spelled(words: Sequence[str]) -> int | None:
    """The value of a run of number words ("dua puluh lima" 25, "empat belas" 14, "seratus dua puluh" 120)."""
    if not any(w in _DIGIT_WORDS or w in _WHOLE_WORDS for w in words) or list(words) == ["satu"]:
        return None
    total = group = small = 0
    for word in words:
        if word in _DIGIT_WORDS:
            small += _DIGIT_WORDS[word]
        elif word == "seratus":
            group += 100
        elif word in _WHOLE_WORDS:  # seribu, sejuta
            total += _WHOLE_WORDS[word]
        elif word == "belas":
            small += 10
        elif word == "puluh":
            group, small = group + small * 10, 0
        elif word == "ratus":
            group, small = group + small * 100, 0
        elif word in _SCALES:
            total, group, small = total + (group + small or 1) * _SCALES[word], 0, 0
    return total + group + small


def figures(text: str, months: Mapping[str, int] | None = None) -> Figures:
    """Every number in a text, normalised: digits with their scale word ("40 ribu"), percentages
    ("14%", "14 persen"), numbers written as words ("delapan"), years, and dates ("28 Agustus 2020",
    "20/2/2020": the day, the month's number and the year)."""
    months = months or {}
    lowered = text.casefold()
    values: set[Decimal] = set()
    in_dates: set[Decimal] = set()
    dates: set[date] = set()
    years: set[int] = set()
    for match in _NUMBER.finditer(lowered):
        if _LIST_MARKER.match(lowered, match.start()) and not lowered[: match.start()][-1:].strip():
            continue  # "1) analisis situasi; 2) …" numbers a list
        value = _decimal(match.group(1))
        unit = (match.group(2) or "").strip()
        if unit in _SCALES:
            value *= _SCALES[unit]
        values.add(value)
        if not unit and value == value.to_integral_value() and 1900 <= value <= 2100:
            years.add(int(value))
    words = list(_WORD.finditer(lowered))
    run: list[str] = []
    ends: list[re.Match[str] | None] = [*words, None]  # None: the end, which closes the last run
    for number, word_match in enumerate(ends):
        word = word_match.group(0) if word_match is not None else None
        adjacent = word_match is not None and run and not lowered[words[number - 1].end() : word_match.start()].strip()
        if word in _NUMBER_WORDS and (not run or adjacent):
            run.append(word)
            continue
        if run and (spelled := _spelled(run)) is not None:
            values.add(Decimal(spelled))
        run = [word] if word in _NUMBER_WORDS else []
    if months:
        names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
        for match in re.finditer(rf"(?<!\w)(?:(\d{{1,2}})\s+)?({names})(?:\s+(\d{{4}}))?(?!\w)", lowered):
            day, month_number, year = match.group(1), months[match.group(2)], match.group(3)
            if not (day or year):
                continue  # a month name alone ("bulan Maret") is no date
            values.add(Decimal(month_number))
            in_dates.update(Decimal(part) for part in (day, month_number, year) if part)
            if day and year:
                with suppress(ValueError):
                    dates.add(date(int(year), month_number, int(day)))
    for match in _SLASH_DATE.finditer(lowered):
        day, month, year = match.groups()
        in_dates.update(Decimal(part) for part in (day, month, year) if part)
        if year:
            with suppress(ValueError):
                dates.add(date(int(year), int(month), int(day)))
    plain = {v for v in values if v not in in_dates and not (v == v.to_integral_value() and int(v) in years)}
    return Figures(frozenset(values), frozenset(plain), frozenset(dates), frozenset(years))


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


def capitalised_names(text: str) -> list[str]:
    """The capitalised words of a text that do not open a sentence or a quotation (names, acronyms)."""
    found = []
    for match in re.finditer(r"[^\W_]+", text):
        word = match.group(0)
        if not word[0].isupper():
            continue
        start = match.start()
        if start and text[start - 1] in _QUOTE_CHARS:
            continue  # opens a quotation
        if start and text[start - 1] == "-":
            head = re.search(r"[^\W_]+-$", text[:start])  # inside a compound: judged by where it starts
            if head is not None:
                start = head.start()
        before = text[:start].rstrip()
        if not before or before[-1] in ".!?" or before[-1] in _QUOTE_CHARS and before[:-1].rstrip()[-1:] in ".!?:":
            continue  # opens a sentence
        found.append(word)
    return found


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W_]+", text)}


def parse_article_date(text: str | None, months: Mapping[str, int]) -> date | None:
    """An article's date as seeds/index.yaml states it ("Jumat, 28 Agustus 2020"), if it has a year."""
    if not text:
        return None
    found = figures(text, months).dates
    return min(found) if len(found) == 1 else None


def _months(content: ContentSet) -> dict[str, int]:
    if content.calendar is None:
        return {}
    return {spelling.casefold(): n for n, month in enumerate(content.calendar.months, 1) for spelling in month.spellings}


def _office(text: str, lexicon: Lexicon) -> str | None:
    """The first office title of the lexicon the text names as a title, capitalised ("Wali Kota
    Jakarta Pusat", "Sekda Kukar", "Mensos"): "menteri yang menyelenggarakan urusan …" names no one."""
    for title in lexicon.office_titles:
        pattern = r"\s+".join(re.escape(word) for word in title.split())
        for match in re.finditer(rf"(?<![^\W_]){pattern}(?![^\W_])", text, re.IGNORECASE):
            if match.group(0)[0].isupper():
                return title
    return None


def _glossed(text: str, content: ContentSet, own: str | None = None) -> str:
    """The text without the glossary's expansions of the terms it uses ("KPM … Kader Pembangunan
    Manusia", "Kementerian Sosial (Kemensos)"): explaining its own acronyms is the bot's vocabulary,
    and the glossary entry sources the expansion. A term's own meaning (``own``) must source its
    expansion itself."""
    for term in content.glossary:
        if term.term == own:
            continue
        # the term, or a one-word form of it (HPK, FDS), shows the text uses it
        names = [term.term, *(a for a in term.aliases if len(a.split()) == 1)]
        if not any(re.search(rf"(?<![^\W_]){re.escape(n)}(?![^\W_])", text, re.IGNORECASE) for n in names):
            continue
        # its expansions, and the longer aliases that spell one out ("BBPPKS Bandung" names a place: kept)
        spelled = {m.expansion for m in term.meanings} | {
            a for a in term.aliases if len(a.split()) > 1 and term.term.casefold() not in a.casefold()
        }
        for expansion in sorted(spelled, key=len, reverse=True):
            text = re.sub(rf"(?<![^\W_]){re.escape(expansion)}(?![^\W_])", " ", text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True)
class _Backing:
    """What an entry's sources let its answer say: their figures, their words, their dates."""

    values: frozenset[Decimal]
    words: frozenset[str]
    dates: frozenset[date]  # the dates of the cited articles that state one with its year
    years: frozenset[int]  # the years of the cited references
    undated: bool  # some cited article states no date, or no year
    cited: frozenset[Decimal]  # the numbers of the cited references' titles and years ("Nomor 72 Tahun 2021")
    # the dates and years the quotes themselves give a fact for ("pada Maret 2019 sebesar 9,41"): a figure
    # holds for the date it is given for, which may be before its article's
    stated_dates: frozenset[date] = frozenset()
    stated_years: frozenset[int] = frozenset()


def _backing(sources: Iterable[Source], content: ContentSet, months: Mapping[str, int]) -> _Backing:
    texts: list[str] = []
    names: list[str] = []
    quotes: list[str] = []
    dates: set[date] = set()
    years: set[int] = set()
    undated = False
    for source in sources:
        if isinstance(source, SeedSource):
            texts.append(source.quote)
            quotes.append(source.quote)
            article: SeedArticle | None = content.seeds.get(source.seed)
            if article is not None:
                texts += [article.title, article.date or ""]  # both shown in the source line
                dated = parse_article_date(article.date, months)
                if dated is None:
                    undated = True
                else:
                    dates.add(dated)
        elif isinstance(source, ReferenceSource):
            texts += [source.title, source.issuer, str(source.year), *source.states]
            names += [source.title, str(source.year)]
            years.add(source.year)
    joined = "\n".join(texts)
    cited = figures("\n".join(names), months).values
    stated = figures("\n".join(quotes), months)
    return _Backing(
        figures(joined, months).values, frozenset(_words(joined)), frozenset(dates), frozenset(years), undated, cited,
        stated.dates, stated.years,
    )


def _figure_problems(
    file: str, name: str, field: str, text: str, backing: _Backing, months: Mapping[str, int]
) -> list[Problem]:
    missing = sorted(figures(text, months).values - backing.values)
    if not missing:
        return []
    shown = ", ".join(_show(v) for v in missing)
    return [Problem(
        file, name, field,
        f"number(s) {shown} occur in none of the entry's quotes nor in its references' title, year or "
        "states: quote the passage that gives them, or remove them",
    )]  # fmt: skip


def _name_problems(
    file: str, name: str, field: str, text: str, backing: _Backing, content: ContentSet, months: Mapping[str, int],
    own: str | None = None,
) -> list[Problem]:
    known = backing.words | {w.casefold() for w in content.lexicon.answer_vocabulary} | set(months)
    names = capitalised_names(_glossed(text, content, own))
    missing = list(dict.fromkeys(w for w in names if w.casefold() not in known))
    if not missing:
        return []
    return [Problem(
        file, name, field,
        f"name(s) {', '.join(missing)} occur in none of the entry's quotes: quote the passage that names them "
        "(or, for a word that is the bot's own vocabulary, list it under answer_vocabulary in lexicon.yaml)",
        "warning",
    )]  # fmt: skip


def _as_of_problems(
    file: str, entry: FaqEntry, backing: _Backing, lexicon: Lexicon, months: Mapping[str, int]
) -> list[Problem]:
    text = "\n".join(filter(None, [entry.answer, entry.clarification]))
    found = figures(text, months)
    as_of = entry.as_of
    if as_of is None:
        office = _office(text, lexicon)
        amounts = found.figures - backing.cited  # "Perpres Nomor 72 Tahun 2021" names a document, not a figure
        if office is None and not amounts:
            return []
        what = f"a person in office ({office!r})" if office else f"a figure ({_show(min(amounts))})"
        return [Problem(
            file, entry.id, "as_of",
            f"the answer names {what}, which may have changed since: add as_of, the date of its article "
            "(seeds/index.yaml), and say that date in the answer",
            "warning",
        )]  # fmt: skip
    if as_of == "unknown":
        if backing.undated:
            return []
        return [Problem(
            file, entry.id, "as_of",
            f"as_of is unknown, but the cited sources are dated ({_dates_shown(backing)}): use that date", "warning",
        )]  # fmt: skip
    if isinstance(as_of, date):
        if as_of not in backing.dates | backing.stated_dates:
            return [Problem(
                file, entry.id, "as_of",
                f"as_of {as_of.isoformat()} is the date of none of the cited articles nor a date their quotes give "
                f"({_dates_shown(backing)})",
                "warning",
            )]  # fmt: skip
        if as_of not in found.dates:
            return [Problem(
                file, entry.id, "answer",
                f"the answer does not say its date (as_of {as_of.isoformat()}): write it, e.g. \"Menurut berita "
                f"{as_of.day} <bulan> {as_of.year}, …\"",
                "warning",
            )]  # fmt: skip
        return []
    if as_of not in backing.years | backing.stated_years | {d.year for d in backing.dates}:
        return [Problem(
            file, entry.id, "as_of",
            f"as_of {as_of} is the year of none of the cited sources nor a year their quotes give ({_dates_shown(backing)})",
            "warning",
        )]  # fmt: skip
    if as_of not in found.years:
        return [Problem(file, entry.id, "answer", f"the answer does not say its year (as_of {as_of})", "warning")]
    return []


def _dates_shown(backing: _Backing) -> str:
    shown = [d.isoformat() for d in sorted(backing.dates)] + [str(y) for y in sorted(backing.years)]
    return ", ".join(shown) or "none dated"


def trust_problems(content: ContentSet) -> list[Problem]:
    """The trust guards over every FAQ entry (answer and clarification) and glossary meaning."""
    months = _months(content)
    lexicon = content.lexicon
    problems: list[Problem] = []
    for entry in content.faq:  # published drafts included; unpublished ones never reach content.faq
        file = content.faq_files[entry.id]
        backing = _backing(entry.sources, content, months)
        for field in ("answer", "clarification"):
            text = getattr(entry, field)
            if text:
                problems += _figure_problems(file, entry.id, field, text, backing, months)
                problems += _name_problems(file, entry.id, field, text, backing, content, months)
        problems += _as_of_problems(file, entry, backing, lexicon, months)
    glossary_file = content.file_of(GLOSSARY_FILE)
    for term in content.glossary:
        for number, meaning in enumerate(term.meanings):
            backing = _backing(meaning.sources, content, months)
            field = f"meanings.{number}.meaning"
            text = f"{meaning.expansion}. {meaning.meaning}"
            problems += _figure_problems(glossary_file, term.term, field, text, backing, months)
            problems += _name_problems(glossary_file, term.term, field, text, backing, content, months, term.term)
    return problems
