"""The care rules (data/rules/rules.yaml): who is paid for which care, per CAK scheme. No Flask."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import yaml
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from directory_api import errors
from directory_api.models import CARE_CODES, CATEGORIES, LANGUAGES, SCHEMES, Reimbursement

REPO_ROOT = Path(__file__).resolve().parents[2]
BASES: tuple[str, ...] = ("cak_contract", "cak", "free", "local", "none")
NO_CAK_SHARE: tuple[str, ...] = ("free", "local", "none")  # bases where share_percent is null
CONTRACT_STATUSES: Mapping[str, bool | None] = MappingProxyType(
    {"contracted": True, "not_contracted": False, "unknown": None}
)
SEED_NAME = r"^\d{3}_[0-9a-f]{16}\.txt\Z"
PERCENT = validate.Range(0, 100, error="must be between 0 and 100, not {input}")
NOT_BLANK = validate.Regexp(r"\s*\S", error="must not be empty")
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
        )

    @property
    def contract_required(self) -> bool:
        """True when only providers with a CAK contract qualify."""
        return self.contract == frozenset({True})

    def admits(self, cak_contracted: bool | None) -> bool:
        """Whether a provider with this contract status qualifies."""
        return cak_contracted in self.contract


@dataclass(frozen=True)
class CareRule:
    care: str
    scheme: str
    eligible: tuple[Eligibility, ...]
    advice: tuple[Text, ...]
    referral: Text | None
    sources: tuple[str, ...]
    # Compiled when the rules load: (category, contract status) -> the terms the rule gives
    # it (first entry wins), and per language '"advice":[...],"referral":...' as served.
    index_keys: Mapping[IndexKey, Eligibility] = _compiled()
    advice_json: Mapping[str, bytes] = _compiled()

    def __post_init__(self) -> None:
        keys: dict[IndexKey, Eligibility] = {}
        for entry in self.eligible:
            for status in STATUSES:
                if entry.admits(status):
                    keys.setdefault((entry.category, status), entry)
        object.__setattr__(self, "index_keys", keys)
        advice = {}
        for lang in LANGUAGES:
            referral = self.referral.get(lang) if self.referral else None
            texts = [t.get(lang) for t in self.advice]
            advice[lang] = b'"advice":%b,"referral":%b' % (encode(texts), encode(referral))
        object.__setattr__(self, "advice_json", advice)

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
    rules: Mapping[str, CareRule]  # by scheme code


@dataclass(frozen=True)
class Rules:
    version: str
    schemes: Mapping[str, Scheme]
    categories: Mapping[str, Text]
    care_types: Mapping[str, CareType]

    DEFAULT_SCHEME: ClassVar[str] = "uninsurable"

    def rule(self, care: str, scheme: str = DEFAULT_SCHEME) -> CareRule:
        """The rule for one care type under one scheme; unknown codes raise a DirectoryError."""
        if care not in self.care_types:
            msg = f"unknown care type {care!r}; use one of: {', '.join(self.care_types)}"
            raise errors.UnknownCareType(msg, field_name="care")
        if scheme not in self.schemes:
            msg = f"unknown scheme {scheme!r}; use one of: {', '.join(self.schemes)}"
            raise errors.UnknownScheme(msg, field_name="scheme")
        return self.care_types[care].rules[scheme]


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
        return Eligibility(**{**super().make(data), "contract": contract})


class CareRuleSchema(_Base):
    advice = fields.List(fields.Nested(TextSchema), required=True)
    referral = fields.Nested(TextSchema, required=True, allow_none=True)
    sources = _sources()
    eligible = fields.List(
        fields.Nested(EligibilitySchema),
        required=True,
        validate=validate.Length(min=1, error="list at least one eligible category"),
    )


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
    return CareType(code, raw["label"], raw["description"], MappingProxyType(rules))


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
