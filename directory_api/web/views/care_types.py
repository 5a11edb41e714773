"""GET /v1/care-types: the care types and the rules that decide eligibility."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from directory_api.models import AGE_GROUPS
from directory_api.search.rules import CareRule, Eligibility, OutOfHours, Text
from directory_api.web.context import get_services
from directory_api.web.schemas import CareTypeListSchema

blp = Blueprint("care_types", __name__, url_prefix="/v1", description="Care types and their rules")

STATUS_NAMES = {True: "contracted", False: "not_contracted", None: "unknown"}


@blp.route("/care-types")
class CareTypes(MethodView):
    @blp.response(200, CareTypeListSchema)
    def get(self) -> Any:
        """Every care type with, per scheme, who is paid, what share and on what terms."""
        rules = get_services().rules
        return {
            "rules_version": rules.version,
            "schemes": [
                {
                    "code": sc.code,
                    "label": text_json(sc.label),
                    "description": text_json(sc.description),
                    "sources": list(sc.sources),
                }
                for sc in rules.schemes.values()
            ],
            "care_types": [
                {
                    "code": ct.code,
                    "label": text_json(ct.label),
                    "description": text_json(ct.description),
                    "rules": [rule_json(r) for r in ct.rules.values()],
                }
                for ct in rules.care_types.values()
            ],
        }


def text_json(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"nl": text.nl, "en": text.en}


def rule_json(rule: CareRule) -> dict[str, Any]:
    return {
        "scheme": rule.scheme,
        "eligible": [eligibility_json(e) for e in rule.eligible],
        "advice": [text_json(t) for t in rule.advice],
        "referral": text_json(rule.referral),
        "sources": list(rule.sources),
        "out_of_hours": out_of_hours_json(rule.out_of_hours),
    }


def out_of_hours_json(route: OutOfHours | None) -> dict[str, Any] | None:
    if route is None:
        return None
    return {
        "when": route.when,
        "description": text_json(route.description),
        "eligible": [eligibility_json(e) for e in route.eligible],
        "sources": list(route.sources),
    }


def eligibility_json(e: Eligibility) -> dict[str, Any]:
    return {
        "category": e.category,
        "contract": [STATUS_NAMES[s] for s in (True, False, None) if s in e.contract],
        "contract_required": e.contract_required,
        "share_percent": e.share_percent,
        "basis": e.basis,
        "patient_contribution": text_json(e.patient_contribution),
        "conditions": [text_json(c) for c in e.conditions],
        "restricted_to": [text_json(t) for t in e.restricted_to],
        "age_groups": [a for a in AGE_GROUPS if a in e.age_groups],
        "sources": list(e.sources),
    }
