"""The care rules (data/rules/rules.yaml): who is paid for which care, per CAK scheme. No Flask."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

from directory_api import errors
from directory_api.hours.evaluate import compile_hours, is_open, local_time
from directory_api.models import (
    AGE_GROUPS,
    LANGUAGES,
    Reimbursement,
)

BASES: tuple[str, ...] = ("cak_contract", "cak", "out_of_hours_route", "free", "local", "none")
OUT_OF_HOURS_ROUTE = "out_of_hours_route"  # billed through a contracted provider (waarneming)
NO_CAK_SHARE: tuple[str, ...] = ("free", "local", "none")  # bases where share_percent is null
CONTRACT_STATUSES: Mapping[str, bool | None] = MappingProxyType(
    {"contracted": True, "not_contracted": False, "unknown": None}
)
STATUSES: tuple[bool | None, ...] = (True, False, None)
IndexKey = tuple[str, bool | None]  # (category, cak_contracted), as search.directory indexes


def encode(value: Any) -> bytes:
    """UTF-8 JSON, as every response of the app."""
    return json.dumps(value, ensure_ascii=False).encode()


def _compiled() -> Any:
    """A field worked out from the others when the object is made (not compared or shown)."""
    return field(init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        """The text in `lang` ("en", "en-GB", ...); Dutch for anything else."""
        return self.en if lang.split("-")[0].lower() == "en" else self.nl


@dataclass(frozen=True)
class Eligibility:
    category: str
    contract: frozenset[bool | None]  # True=contracted, False=not_contracted, None=unknown
    share_percent: int | None
    basis: str
    patient_contribution: Text | None
    conditions: tuple[Text, ...]
    sources: tuple[str, ...]
    restricted_to: tuple[Text, ...] = ()  # what alone is paid; empty: all care of the kind
    age_groups: frozenset[str] = frozenset(AGE_GROUPS)  # whose terms these are
    # Per language, compiled when the rules load: the terms, and their JSON as a search
    # result ends: ',"reimbursement":{...}}'.
    terms: Mapping[str, Reimbursement] = _compiled()
    terms_json: Mapping[str, bytes] = _compiled()

    def __post_init__(self) -> None:
        terms = {lang: self._terms(lang) for lang in LANGUAGES}
        encoded = {
            lang: b',"reimbursement":%b}'
            % encode(
                {
                    "basis": r.basis,
                    "share_percent": r.share_percent,
                    "patient_contribution": r.patient_contribution,
                    "conditions": list(r.conditions),
                    "restricted_to": list(r.restricted_to),
                }
            )
            for lang, r in terms.items()
        }
        # Plain dicts, read on every search; nothing writes to them after this.
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "terms_json", encoded)

    def reimbursement(self, lang: str) -> Reimbursement:
        """The terms in one language (the compiled object for the API's languages)."""
        return self.terms.get(lang) or self._terms(lang)

    def _terms(self, lang: str) -> Reimbursement:
        contribution = self.patient_contribution
        return Reimbursement(
            basis=self.basis,
            share_percent=self.share_percent,
            patient_contribution=contribution.get(lang) if contribution else None,
            conditions=tuple(c.get(lang) for c in self.conditions),
            restricted_to=tuple(t.get(lang) for t in self.restricted_to),
        )

    @property
    def contract_required(self) -> bool:
        """True when only providers with a CAK contract qualify."""
        return self.contract == frozenset({True})

    def admits(self, cak_contracted: bool | None) -> bool:
        """Whether a provider with this contract status qualifies."""
        return cak_contracted in self.contract


@dataclass(frozen=True)
class FacilityRule:
    """Which locations of a category suit a care type for an age group: none of the
    excluded facility types, and, where a list says which services a location offers, one
    that offers `requires_service`. A location whose list says nothing qualifies."""

    category: str
    exclude_facility_types: frozenset[str]
    requires_service: str | None
    sources: tuple[str, ...]
    age_groups: frozenset[str] = frozenset(AGE_GROUPS)

    def admits(self, facility_type: str | None, services: str | None) -> bool:
        """Whether a location with this facility type and services column suits the care."""
        if facility_type in self.exclude_facility_types:
            return False
        need = self.requires_service
        return need is None or services is None or need in services.split(",")


@dataclass(frozen=True)
class OutOfHours:
    """A route that applies only at certain hours, as the rules file gives it: at `when`
    (OSM opening_hours syntax, Europe/Amsterdam) the `eligible` entries are paid too, on
    their terms, if they are open then (e.g. waarneming for pharmacies, seed 001)."""

    when: str
    description: Text
    eligible: tuple[Eligibility, ...]
    sources: tuple[str, ...]
    hours: Any = _compiled()  # `when`, compiled when the rules load

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", compile_hours(self.when))

    def applies(self, at: datetime) -> bool:
        """Is `at` (with a UTC offset) within `when`? (Its state only: is_open.)"""
        return is_open(self.hours, local_time(at))


@dataclass(frozen=True)
class CareRule:
    care: str
    scheme: str
    eligible: tuple[Eligibility, ...]
    advice: tuple[Text, ...]
    referral: Text | None
    sources: tuple[str, ...]
    facilities: tuple[FacilityRule, ...] = ()  # for the age group (Rules.rule) or all ages
    out_of_hours: OutOfHours | None = None
    # Compiled when the rules load: (category, contract status) -> the terms the rule gives
    # it (first entry wins), and per language '"advice":[...],"referral":...' as served.
    index_keys: Mapping[IndexKey, Eligibility] = _compiled()
    # Each of those keys with the facility rule for its category (None without one): the
    # shortlists a search reads (search.ranking.nearest).
    shortlists: tuple[tuple[IndexKey, FacilityRule | None], ...] = _compiled()
    advice_json: Mapping[str, bytes] = _compiled()
    # The rule with the out-of-hours entries added after its own (None without them).
    with_out_of_hours: CareRule | None = _compiled()

    def __post_init__(self) -> None:
        keys: dict[IndexKey, Eligibility] = {}
        for entry in self.eligible:
            for contract in STATUSES:
                if entry.admits(contract):
                    keys.setdefault((entry.category, contract), entry)
        object.__setattr__(self, "index_keys", keys)
        shortlists = tuple((key, self.facility_rule(key[0])) for key in keys)
        object.__setattr__(self, "shortlists", shortlists)
        wider = None
        if self.out_of_hours is not None:
            extra = self.out_of_hours.eligible
            wider = CareRule(
                self.care, self.scheme, self.eligible + extra, self.advice, self.referral,
                self.sources,
            )  # fmt: skip
        object.__setattr__(self, "with_out_of_hours", wider)
        advice = {}
        for lang in LANGUAGES:
            referral = self.referral.get(lang) if self.referral else None
            texts = [t.get(lang) for t in self.advice]
            advice[lang] = b'"advice":%b,"referral":%b' % (encode(texts), encode(referral))
        object.__setattr__(self, "advice_json", advice)

    def facility_rule(self, category: str) -> FacilityRule | None:
        """The facility rule for a category (the first that names it), if any."""
        return next((f for f in self.facilities if f.category == category), None)

    def admits(self, provider: Any) -> bool:
        """Whether a provider of an eligible category suits the care (its facility rule)."""
        rule = self.facility_rule(provider.category)
        return rule is None or rule.admits(provider.facility_type, provider.services)

    def categories(self) -> tuple[str, ...]:
        """The provider categories that can qualify, distinct, in file order."""
        return tuple(dict.fromkeys(e.category for e in self.eligible))

    def terms_for(self, category: str, cak_contracted: bool | None) -> Eligibility | None:
        """The first entry that admits this category and contract status, if any."""
        for entry in self.eligible:
            if entry.category == category and entry.admits(cak_contracted):
                return entry
        return None


@dataclass(frozen=True)
class Scheme:
    code: str
    label: Text
    description: Text
    sources: tuple[str, ...]


@dataclass(frozen=True)
class CareType:
    code: str
    label: Text
    description: Text
    rules: Mapping[str, CareRule]  # by scheme code, every entry
    by_age: Mapping[tuple[str, str], CareRule]  # (scheme, age group): that group's entries


@dataclass(frozen=True)
class Rules:
    version: str
    schemes: Mapping[str, Scheme]
    categories: Mapping[str, Text]
    care_types: Mapping[str, CareType]

    DEFAULT_SCHEME: ClassVar[str] = "uninsurable"
    DEFAULT_AGE_GROUP: ClassVar[str] = "adult"  # without an age group the adult terms apply

    def rule(
        self, care: str, scheme: str = DEFAULT_SCHEME, age_group: str | None = None
    ) -> CareRule:
        """The rule for one care type under one scheme, with only the entries for the age
        group (adult when not given); unknown codes raise a DirectoryError."""
        if care not in self.care_types:
            msg = f"unknown care type {care!r}; use one of: {', '.join(self.care_types)}"
            raise errors.UnknownCareType(msg, field_name="care")
        if scheme not in self.schemes:
            msg = f"unknown scheme {scheme!r}; use one of: {', '.join(self.schemes)}"
            raise errors.UnknownScheme(msg, field_name="scheme")
        return self.care_types[care].by_age[(scheme, age_group or self.DEFAULT_AGE_GROUP)]
