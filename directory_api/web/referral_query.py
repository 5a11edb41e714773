"""The fast twin of ReferralArgsSchema (web/schemas_referral.py): a plainly valid
/v1/referral query parsed without webargs or marshmallow, as search_query.py does for
/v1/search (whose fast_search_args it reuses for everything but `care` and `per_care`).

`fast_referral_args` must equal `ReferralArgsSchema().load` whenever it answers; for anything
unusual it answers None and the schema parses and words the errors.
tests/web/test_referral_query.py holds the two equal on mostly valid input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import request

from directory_api.search.sheet import MAX_PER_CARE, parse_care_list
from directory_api.web.search_query import fast_search_args, plain_query

DEFAULT_PER_CARE = 3  # ReferralArgsSchema's load_default


def fast_referral_args(args: Mapping[str, str]) -> dict[str, Any] | None:
    """What ReferralArgsSchema().load gives for a plainly valid query, else None."""
    if "care" not in args or "limit" in args or "format" in args:
        return None
    rest = dict(args)
    try:
        cares = parse_care_list(rest.pop("care"))
    except ValueError:
        return None
    per_care = rest.pop("per_care", None)
    if per_care is not None and not (
        per_care.isascii() and per_care.isdigit() and 1 <= int(per_care) <= MAX_PER_CARE
    ):
        return None
    out = fast_search_args({**rest, "care": cares[0]})
    if out is None:
        return None
    del out["limit"]
    out["care"] = cares
    out["per_care"] = DEFAULT_PER_CARE if per_care is None else int(per_care)
    return out


def fast_referral_first(
    handle: Callable[[dict[str, Any]], Any],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """As search_query.fast_args_first, for the referral's arguments."""

    def decorator(documented: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(documented)
        def view(*args: Any, **kwargs: Any) -> Any:
            query = plain_query(request.environ.get("QUERY_STRING", ""))
            if query is None:
                multi = request.args
                if all(len(values) == 1 for values in multi.listvalues()):
                    query = multi.to_dict()
            parsed = None if query is None else fast_referral_args(query)
            return documented(*args, **kwargs) if parsed is None else handle(parsed)

        return view

    return decorator
