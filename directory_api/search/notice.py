"""Why a search found nothing, and what to do (issue 11: an empty answer says why). No Flask.

`empty_notice` is the domain function: the search response and the referral sheet both ask
it. The CAK's number is from `000_9953ec890d00b27c.txt` ("Centraal Administratie Kantoor
(CAK) 0800 – 5028").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from directory_api.search.directory import Directory
from directory_api.search.rules import CareRule, Text

CAK_PHONE = "0800-5028"  # 000_9953ec890d00b27c.txt
CODES: tuple[str, ...] = ("no_list_loaded", "none_within_max_km", "none_found")

MESSAGES: dict[str, Text] = {
    "no_list_loaded": Text(
        nl="Er is nog geen lijst geladen met zorgaanbieders die hiervoor vergoed worden "
        "(met de vereiste contractstatus). Importeer de lijst van het CAK "
        "(directory-api import), of vraag het CAK welke aanbieders gecontracteerd zijn: "
        f"{CAK_PHONE} (bron: 000_9953ec890d00b27c.txt).",
        en="No list of providers that are paid for this care (with the required contract "
        "status) is loaded yet. Import the CAK list (directory-api import), or ask the CAK "
        f"which providers are contracted: {CAK_PHONE} (source: 000_9953ec890d00b27c.txt).",
    ),
    "none_within_max_km": Text(
        nl="Geen zorgaanbieder binnen {max_km} km. Zoek verder weg (een grotere of geen "
        "max_km); er zijn wel aanbieders verder weg.",
        en="No provider within {max_km} km. Search farther (a larger max_km, or none): "
        "there are providers farther away.",
    ),
    "none_found": Text(
        nl="Geen zorgaanbieder gevonden die hiervoor vergoed wordt. Vraag het CAK: "
        f"{CAK_PHONE} (bron: 000_9953ec890d00b27c.txt).",
        en="No provider found that is paid for this care. Ask the CAK: "
        f"{CAK_PHONE} (source: 000_9953ec890d00b27c.txt).",
    ),
}


@dataclass(frozen=True)
class Notice:
    code: str  # one of CODES
    message: str  # in the language asked

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def list_loaded(directory: Directory, rule: CareRule) -> bool:
    """Whether any provider of an eligible category with an admitted contract status is
    in the directory at all."""
    return any(len(directory.indexes[key]) for key in rule.index_keys if key in directory.indexes)


def empty_notice(
    directory: Directory,
    rule: CareRule,
    *,
    found: int,
    max_km: float | None = None,
    lang: str = "nl",
) -> Notice | None:
    """Why `found` results is none (None when there are results): no list of an eligible
    category and contract status loaded; none within max_km (there are some farther: a
    search without max_km always finds a loaded provider); or none found at all."""
    if found:
        return None
    if not rule.index_keys:
        code = "none_found"
    elif not list_loaded(directory, rule):
        code = "no_list_loaded"
    elif max_km is not None:
        code = "none_within_max_km"
    else:
        code = "none_found"
    text = MESSAGES[code].get(lang)
    if code == "none_within_max_km":
        text = text.format(max_km=f"{max_km:g}")
    return Notice(code, text)
