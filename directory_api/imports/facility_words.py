"""Facility types and services as hospital lists write them (Dutch and English words), read
to the codes of models.FACILITY_TYPES and models.SERVICES (issue 11: hospitals that fit the
care). The cells that use them are imports/cells.py's FacilityType and Services."""

from __future__ import annotations

import re

from directory_api.models import FACILITY_TYPES, SERVICES


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


def _show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


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
