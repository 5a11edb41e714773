"""Reading the rules file (data/rules/rules.yaml): strict YAML, marshmallow validation that
names the entry path of every mistake, and the build of the frozen `rules` objects. No Flask."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from directory_api import errors
from directory_api.hours.evaluate import HoursError, compile_hours
from directory_api.models import (
    AGE_GROUPS,
    CARE_CODES,
    CATEGORIES,
    FACILITY_TYPES,
    SCHEMES,
    SERVICES,
)
from directory_api.search.rules import (
    BASES,
    CONTRACT_STATUSES,
    NO_CAK_SHARE,
    OUT_OF_HOURS_ROUTE,
    CareRule,
    CareType,
    Eligibility,
    FacilityRule,
    OutOfHours,
    Rules,
    Scheme,
    Text,
)

SEED_NAME = r"^\d{3}_[0-9a-f]{16}\.txt\Z"
PERCENT = validate.Range(0, 100, error="must be between 0 and 100, not {input}")
NOT_BLANK = validate.Regexp(r"\s*\S", error="must not be empty")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _one_of(choices: tuple[str, ...], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what} {{input!r}}")


def _code_map(codes: tuple[str, ...], what: str, schema: type[Schema]) -> fields.Dict:
    """A mapping keyed by exactly `codes`."""

    def has_all(value: Mapping[str, Any]) -> None:
        if missing := [code for code in codes if code not in value]:
            raise ValidationError(f"missing {what} " + ", ".join(map(repr, missing)))

    key = fields.String(validate=_one_of(codes, what))
    return fields.Dict(keys=key, values=fields.Nested(schema), required=True, validate=has_all)


def _sources(data_key: str | None = None) -> fields.List:
    seed = fields.String(validate=validate.Regexp(SEED_NAME, error="unknown seed file {input!r}"))
    not_empty = validate.Length(min=1, error="cite at least one seed file")
    return fields.List(seed, required=True, validate=not_empty, data_key=data_key)


def _unique_age_groups(value: list[str]) -> None:
    if not value or len(set(value)) != len(value):
        raise ValidationError("must list " + " and/or ".join(AGE_GROUPS) + ", each once")


def _age_groups() -> fields.List:
    return fields.List(
        fields.String(validate=_one_of(AGE_GROUPS, "age group")),
        data_key="age_group",
        load_default=lambda: list(AGE_GROUPS),
        validate=_unique_age_groups,
    )


def _unique_statuses(value: list[str]) -> None:
    if not value:
        raise ValidationError("must list at least one of: " + ", ".join(CONTRACT_STATUSES))
    if len(set(value)) != len(value):
        raise ValidationError("lists a status twice")


class _Base(Schema):
    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Any:
        """Lists become tuples: the dataclasses are frozen."""
        return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


class TextSchema(_Base):
    nl = fields.String(required=True, validate=NOT_BLANK)
    en = fields.String(required=True, validate=NOT_BLANK)

    @post_load
    def make(self, data: dict[str, str], **_: Any) -> Text:
        return Text(nl=data["nl"].strip(), en=data["en"].strip())


class EligibilitySchema(_Base):
    category = fields.String(required=True, validate=_one_of(CATEGORIES, "category"))
    contract = fields.List(
        fields.String(validate=_one_of(tuple(CONTRACT_STATUSES), "contract status")),
        required=True,
        validate=_unique_statuses,
    )
    share_percent = fields.Integer(strict=True, required=True, allow_none=True, validate=PERCENT)
    basis = fields.String(required=True, validate=_one_of(BASES, "basis"))
    patient_contribution = fields.Nested(TextSchema, required=True, allow_none=True)
    conditions = fields.List(fields.Nested(TextSchema), required=True)
    sources = _sources(data_key="source")
    restricted_to = fields.List(fields.Nested(TextSchema), load_default=list)
    age_groups = _age_groups()

    @validates_schema
    def consistent(self, data: dict[str, Any], **_: Any) -> None:
        if data["basis"] == "cak_contract" and data["contract"] != ["contracted"]:
            raise ValidationError("basis 'cak_contract' needs contract [contracted]", "contract")
        if data["basis"] in NO_CAK_SHARE and data["share_percent"] is not None:
            msg = f"basis {data['basis']!r} has no CAK share, so it must be null"
            raise ValidationError(msg, "share_percent")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Eligibility:
        contract = frozenset(CONTRACT_STATUSES[s] for s in data["contract"])
        ages = frozenset(data["age_groups"])
        return Eligibility(**{**super().make(data), "contract": contract, "age_groups": ages})


class FacilityRuleSchema(_Base):
    """Which locations of a category suit the care, per age group (issue 11)."""

    category = fields.String(required=True, validate=_one_of(CATEGORIES, "category"))
    exclude_facility_types = fields.List(
        fields.String(validate=_one_of(FACILITY_TYPES, "facility type")), load_default=list
    )
    requires_service = fields.String(
        load_default=None, allow_none=True, validate=_one_of(SERVICES, "service")
    )
    sources = _sources(data_key="source")
    age_groups = _age_groups()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FacilityRule:
        data = super().make(data)
        return FacilityRule(
            **{
                **data,
                "exclude_facility_types": frozenset(data["exclude_facility_types"]),
                "age_groups": frozenset(data["age_groups"]),
            }
        )


def _opening_hours(value: str) -> None:
    try:
        compile_hours(value)
    except HoursError as exc:
        raise ValidationError(f"not OSM opening_hours syntax: {exc}") from None


class OutOfHoursSchema(_Base):
    when = fields.String(required=True, validate=_opening_hours)
    description = fields.Nested(TextSchema, required=True)
    eligible = fields.List(
        fields.Nested(EligibilitySchema),
        required=True,
        validate=validate.Length(min=1, error="list at least one eligible category"),
    )
    sources = _sources()

    @validates_schema
    def route_terms(self, data: dict[str, Any], **_: Any) -> None:
        if any(e.basis != OUT_OF_HOURS_ROUTE for e in data.get("eligible") or ()):
            raise ValidationError(f"every entry needs basis {OUT_OF_HOURS_ROUTE!r}", "eligible")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OutOfHours:
        return OutOfHours(**super().make(data))


class CareRuleSchema(_Base):
    advice = fields.List(fields.Nested(TextSchema), required=True)
    referral = fields.Nested(TextSchema, required=True, allow_none=True)
    sources = _sources()
    eligible = fields.List(
        fields.Nested(EligibilitySchema),
        required=True,
        validate=validate.Length(min=1, error="list at least one eligible category"),
    )
    out_of_hours = fields.Nested(OutOfHoursSchema, load_default=None)

    facilities = fields.List(fields.Nested(FacilityRuleSchema), load_default=list)

    @validates_schema
    def one_facility_rule_per_age(self, data: dict[str, Any], **_: Any) -> None:
        seen: set[tuple[str, str]] = set()
        for rule in data.get("facilities") or ():
            for age in rule.age_groups:
                if (rule.category, age) in seen:
                    msg = f"two facility rules for {rule.category} and age group {age}"
                    raise ValidationError(msg, "facilities")
                seen.add((rule.category, age))

    @validates_schema
    def every_age_group(self, data: dict[str, Any], **_: Any) -> None:
        for age in AGE_GROUPS:
            if not any(age in e.age_groups for e in data.get("eligible") or ()):
                raise ValidationError(f"list at least one eligible category for {age}", "eligible")


class CareTypeSchema(Schema):
    label = fields.Nested(TextSchema, required=True)
    description = fields.Nested(TextSchema, required=True)
    schemes = _code_map(SCHEMES, "scheme", CareRuleSchema)


class SchemeSchema(_Base):
    label = fields.Nested(TextSchema, required=True)
    description = fields.Nested(TextSchema, required=True)
    sources = _sources()


class RulesSchema(Schema):
    version = fields.String(required=True, validate=NOT_BLANK)
    schemes = _code_map(SCHEMES, "scheme", SchemeSchema)
    categories = _code_map(CATEGORIES, "category", TextSchema)
    care_types = _code_map(CARE_CODES, "care type", CareTypeSchema)


def _flatten(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(entry path, message) pairs from marshmallow's nested error messages."""
    if isinstance(messages, dict):
        for key, sub in messages.items():
            if key in ("key", "value", "_schema"):  # Dict key/value wrappers, schema-level
                sub_path = path
            elif isinstance(key, int):
                sub_path = f"{path}[{key}]"
            else:
                sub_path = f"{path}.{key}" if path else str(key)
            yield from _flatten(sub, sub_path)
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path or "(top level)", str(messages)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key given twice."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[str] = set()
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            if key.value in seen:
                msg = f"duplicate key {key.value!r}"
                raise yaml.constructor.ConstructorError(None, None, msg, key.start_mark)
            seen.add(key.value)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def default_rules_path() -> Path:
    """<repo>/data/rules/rules.yaml."""
    return REPO_ROOT / "data" / "rules" / "rules.yaml"


def _read(path: Path, shown: str) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # a SafeLoader subclass
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.RulesError(f"{shown}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise errors.RulesError(f"{shown}: invalid YAML{where}: {problem}") from exc


def _care_type(code: str, raw: dict[str, Any]) -> CareType:
    rules = {s: CareRule(care=code, scheme=s, **raw["schemes"][s]) for s in SCHEMES}
    by_age = {}
    for scheme, rule in rules.items():
        for age in AGE_GROUPS:
            entries = tuple(e for e in rule.eligible if age in e.age_groups)
            suits = tuple(f for f in rule.facilities if age in f.age_groups)
            same = entries == rule.eligible and suits == rule.facilities
            by_age[(scheme, age)] = (
                rule if same else replace(rule, eligible=entries, facilities=suits)
            )
    return CareType(
        code, raw["label"], raw["description"], MappingProxyType(rules), MappingProxyType(by_age)
    )


def _build(data: dict[str, Any]) -> Rules:
    """Validated data -> Rules, every mapping in the canonical code order."""
    return Rules(
        version=data["version"].strip(),
        schemes=MappingProxyType({c: Scheme(code=c, **data["schemes"][c]) for c in SCHEMES}),
        categories=MappingProxyType({c: data["categories"][c] for c in CATEGORIES}),
        care_types=MappingProxyType({c: _care_type(c, data["care_types"][c]) for c in CARE_CODES}),
    )


def load_rules(path: Path | str | None = None) -> Rules:
    """Read and validate the rules file (default: data/rules/rules.yaml); raise RulesError."""
    path = Path(path) if path is not None else default_rules_path()
    inside = path.resolve().is_relative_to(REPO_ROOT)  # name it as in the repo, if it is there
    shown = str(path.resolve().relative_to(REPO_ROOT)) if inside else str(path)
    try:
        data = RulesSchema().load(_read(path, shown))
    except ValidationError as exc:
        problems = "; ".join(f"{where}: {msg}" for where, msg in _flatten(exc.messages))
        raise errors.RulesError(f"{shown}: {problems}") from exc
    return _build(data)
