"""The model of ``content/urgent.yaml``: danger signs that get an immediate referral before any FAQ
matching, the words people use for them, the emergency numbers and the referral reply.

Each sign names who it happens to (``who``: groups of ``subjects`` such as a pregnant woman or a
newborn), the words that describe it (``phrases``; ``with_any`` when the sign needs two things at once,
"bengkak" with "sakit kepala"), and the named public reference that lists it. ``not_now`` are the words
of a question about danger signs in general or in the past ("apa saja tanda bahaya", "dulu"), which
is not an emergency unless ``now`` words say it is happening ("sekarang", "tolong"). Matching lives in
:mod:`bot.matching.urgency`; this module only declares the shape.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bot.content.models import ReferenceSource

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DangerSign(_Strict):
    id: Slug
    name: Text = Field(description="Shown in the referral: 'perdarahan saat hamil'.")
    who: list[Slug] = Field(min_length=1, description="Subject groups it happens to (any one is enough).")
    phrases: list[Phrase] = Field(min_length=1, description="Words describing the sign, with informal variants.")
    with_any: list[Phrase] = Field(
        default_factory=list, description="When set, one of these must be there too (bengkak … sakit kepala)."
    )
    reference: ReferenceSource


class EmergencyNumber(_Strict):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,6}$")]
    name: Text = Field(description="What the number is, as shown: 'layanan gawat darurat kesehatan'.")
    reference: ReferenceSource


class UrgentRules(_Strict):
    references: dict[Slug, ReferenceSource] = Field(default_factory=dict, description="Named once, cited by signs.")
    same: dict[Phrase, list[Phrase]] = Field(default_factory=dict, description="Spellings read as their key.")
    subjects: dict[Slug, list[Phrase]] = Field(min_length=1)
    not_now: list[Phrase] = Field(default_factory=list)
    resolved: list[Phrase] = Field(
        default_factory=list, description="Words saying it is over ('sudah sembuh'): never an emergency."
    )
    now: list[Phrase] = Field(default_factory=list)
    signs: list[DangerSign] = Field(min_length=1)
    numbers: list[EmergencyNumber] = Field(min_length=1)
    reply: Text = Field(description="The referral, with {signs} (the signs recognised) and {numbers}.")
    number_line: Text = Field(description="One emergency number: {number} and {name}.")
    source_line: Text = Field(description="One reference: {title}, {issuer}, {year}.")

    @model_validator(mode="after")
    def _known_subjects(self) -> UrgentRules:
        unknown = sorted({group for sign in self.signs for group in sign.who} - set(self.subjects))
        if unknown:
            raise ValueError(f"signs name unknown subject groups {unknown}; known: {sorted(self.subjects)}")
        ids = [sign.id for sign in self.signs]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"sign ids used twice: {repeated}")
        return self
