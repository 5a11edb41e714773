"""Words as lists write them, read to the codes the directory uses: yes/no (contract status),
categories (Dutch and English), and for hospitals facility types and services
(models.FACILITY_TYPES, models.SERVICES; issue 11: hospitals that fit the care). The cells
that use them are in imports/cells.py."""

from __future__ import annotations

import re

from directory_api.models import CATEGORIES, FACILITY_TYPES, SERVICES


def _show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


_TRUE = frozenset({"true", "ja", "yes", "j", "y", "1", "waar"})
_FALSE = frozenset({"false", "nee", "no", "n", "0", "onwaar"})


def parse_contracted(value: str) -> bool | None:
    """'ja'/'Yes'/'1'/'waar' -> True, 'nee'/'no'/'0'/'onwaar' -> False, '' -> None."""
    text = value.strip().casefold()
    if not text:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"not a yes/no value: {value!r}")


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


_DUTCH_CATEGORIES = {
    "ziekenhuis": "hospital",
    "apotheek": "pharmacy",
    "ggz": "mental_health_institution",
    "ggz-instelling": "mental_health_institution",
    "wlz": "long_term_care_institution",
    "wlz-instelling": "long_term_care_institution",
    "hulpmiddelenleverancier": "medical_aids_supplier",
    "tandartsenpool": "dental_pool",
    "huisarts": "gp",
    "verloskundige": "midwife",
    "kraamzorg": "maternity_carer",
    "kraamverzorgende": "maternity_carer",
    "tandarts": "dentist",
    "fysiotherapeut": "paramedic",
    "paramedicus": "paramedic",
    "jgz": "youth_health",
    "steunorganisatie": "support_organisation",
    "vriendennetwerk": "friendly_network",
}
_CATEGORY_WORDS = {_key(c): c for c in CATEGORIES} | {
    _key(word): code for word, code in _DUTCH_CATEGORIES.items()
}


def category_code(text: str) -> str | None:
    """'Apotheek' -> 'pharmacy', 'GGZ-instelling' -> 'mental_health_institution'."""
    return _CATEGORY_WORDS.get(_key(text))


# Facility types as lists write them: the codes, the RIVM hospital list's Dutch types
# ("Havenziekenhuis", the port hospital, is a general hospital) and English words.
_FACILITY_WORDS = {_key(code): code for code in FACILITY_TYPES} | {
    _key(word): code
    for code, words in {
        "general": ("algemeen ziekenhuis", "algemeen", "havenziekenhuis", "general hospital"),
        "academic": ("academisch ziekenhuis", "academisch", "umc", "academic hospital",
                     "university hospital"),
        "childrens": ("kinderziekenhuis", "children's hospital", "childrens hospital",
                      "children", "kinder"),
        "categorical": ("categoraal ziekenhuis", "categoraal", "categorale instelling",
                        "categorical hospital", "specialist hospital", "specialist"),
        "outpatient_clinic": ("buitenpolikliniek", "polikliniek", "outpatient clinic",
                              "outpatient"),
    }.items()
    for word in words
}  # fmt: skip


def facility_type_code(text: str) -> str | None:
    """'Kinderziekenhuis' -> 'childrens', 'Buitenpolikliniek' -> 'outpatient_clinic'."""
    return _FACILITY_WORDS.get(_key(text))


# Services as lists write them, Dutch and English, each to its code in models.SERVICES.
_SERVICE_WORDS = {_key(code): code for code in SERVICES} | {
    _key(word): code
    for code, words in {
        "seh": ("spoedeisende hulp", "spoedeisendehulp", "spoed", "eerste hulp", "emergency",
                "emergency department", "emergency care", "ed", "a&e", "er"),
        "verloskunde": ("verloskunde", "verloskundige zorg", "bevalling", "geboortezorg",
                        "obstetrics", "maternity", "childbirth", "delivery"),
    }.items()
    for word in words
}  # fmt: skip
_SERVICE_SPLIT = re.compile(r"\s*[,;|/]\s*")


def services_codes(text: str) -> str | None:
    """'SEH; Verloskunde' -> 'seh,verloskunde' (the codes in models.SERVICES order, each
    once); None if nothing is listed; ValueError naming a service it does not know."""
    codes = set()
    for word in _SERVICE_SPLIT.split(text.strip()):
        if not word:
            continue
        code = _SERVICE_WORDS.get(_key(word))
        if code is None:
            raise ValueError(f"unknown service {_show(word)} (use: " + ", ".join(SERVICES) + ")")
        codes.add(code)
    return ",".join(code for code in SERVICES if code in codes) or None
