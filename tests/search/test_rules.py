"""The care rules: the real data file, one row per care type x scheme, and broken files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from directory_api import errors
from directory_api.models import CARE_CODES, CATEGORIES, SCHEMES
from directory_api.search.rules import CareRule, Rules, Text
from directory_api.search.rules_file import default_rules_path, load_rules

SEEDS = {
    "000_9953ec890d00b27c.txt",
    "001_1ecd8cb4a0b0ed2b.txt",
    "002_d295b3039864e886.txt",
    "003_6f8e5577d2146761.txt",
    "004_9ac9ca146c080733.txt",
}
UNINSURED_RESIDENT_SEED = "003_6f8e5577d2146761.txt"

# Contract statuses: True = contracted, False = not contracted, None = unknown.
C = frozenset({True})
NOT_C = frozenset({False, None})
ALL = frozenset({True, False, None})

# Written out by hand from DOMAIN.md and the seeds, not derived from rules.yaml:
# (care, scheme, [(category, contract statuses, share_percent, basis), ...] in file order).
EXPECTED: list[tuple[str, str, list[tuple[str, frozenset[bool | None], int | None, str]]]] = [
    ("gp", "uninsurable", [("gp", ALL, 80, "cak")]),
    ("pharmacy", "uninsurable", [("pharmacy", C, None, "cak_contract")]),
    ("hospital", "uninsurable", [("hospital", C, 100, "cak_contract")]),
    (
        "emergency",
        "uninsurable",
        # Unknown status: full if contracted, 80% if not (seed 000), so no one share.
        [
            ("hospital", C, 100, "cak_contract"),
            ("hospital", frozenset({False}), 80, "cak"),
            ("hospital", frozenset({None}), None, "cak"),
        ],
    ),
    (
        "maternity",
        "uninsurable",
        [
            ("midwife", ALL, 100, "cak"),
            ("maternity_carer", ALL, 100, "cak"),
            ("gp", ALL, 100, "cak"),
            ("hospital", ALL, 100, "cak"),
        ],
    ),
    (
        "mental_health",
        "uninsurable",
        # The GP's POH-GGZ when a GGZ referral fails (seed 002), on the GP's terms.
        [("mental_health_institution", C, None, "cak_contract"), ("gp", ALL, 80, "cak")],
    ),
    ("long_term_care", "uninsurable", [("long_term_care_institution", C, None, "cak_contract")]),
    (
        "dental",
        "uninsurable",
        [
            ("dentist", ALL, 80, "cak"),
            ("dental_pool", ALL, None, "local"),
            ("friendly_network", ALL, None, "local"),
        ],
    ),
    ("paramedical", "uninsurable", [("paramedic", ALL, None, "cak")]),
    ("medical_aids", "uninsurable", [("medical_aids_supplier", C, None, "cak_contract")]),
    ("youth_health", "uninsurable", [("youth_health", ALL, None, "free")]),
    ("support", "uninsurable", [("support_organisation", ALL, None, "none")]),
    ("gp", "uninsured_resident", [("gp", ALL, None, "cak")]),
    ("pharmacy", "uninsured_resident", [("pharmacy", ALL, None, "cak")]),
    ("hospital", "uninsured_resident", [("hospital", ALL, None, "cak")]),
    ("emergency", "uninsured_resident", [("hospital", ALL, None, "cak")]),
    (
        "maternity",
        "uninsured_resident",
        [
            ("midwife", ALL, None, "cak"),
            ("maternity_carer", ALL, None, "cak"),
            ("gp", ALL, None, "cak"),
            ("hospital", ALL, None, "cak"),
        ],
    ),
    ("mental_health", "uninsured_resident", [("mental_health_institution", ALL, None, "cak")]),
    # Seed 003 names basic-package care only: Wlz institutions are listed, not CAK-paid.
    ("long_term_care", "uninsured_resident", [("long_term_care_institution", ALL, None, "none")]),
    # Dental pools and friendly networks are for undocumented people (seeds 000, 002).
    ("dental", "uninsured_resident", [("dentist", ALL, None, "cak")]),
    ("paramedical", "uninsured_resident", [("paramedic", ALL, None, "cak")]),
    ("medical_aids", "uninsured_resident", [("medical_aids_supplier", ALL, None, "cak")]),
    # Free youth health care is said for undocumented people only (seed 000).
    ("youth_health", "uninsured_resident", [("youth_health", ALL, None, "none")]),
    ("support", "uninsured_resident", [("support_organisation", ALL, None, "none")]),
]


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def all_rules(rules: Rules) -> Iterator[CareRule]:
    for care_type in rules.care_types.values():
        yield from care_type.rules.values()


def all_texts(rules: Rules) -> Iterator[tuple[str, Text | None]]:
    """(where, text) for every text in the rules."""
    for code, scheme in rules.schemes.items():
        yield f"schemes.{code}.label", scheme.label
        yield f"schemes.{code}.description", scheme.description
    for code, label in rules.categories.items():
        yield f"categories.{code}", label
    for code, care_type in rules.care_types.items():
        yield f"care_types.{code}.label", care_type.label
        yield f"care_types.{code}.description", care_type.description
    for rule in all_rules(rules):
        where = f"{rule.care}.{rule.scheme}"
        if rule.referral is not None:  # null where no seed says what to write on a referral
            yield f"{where}.referral", rule.referral
        yield from ((f"{where}.advice", t) for t in rule.advice)
        for entry in rule.eligible:
            yield from ((f"{where}.{entry.category}.conditions", t) for t in entry.conditions)
            if entry.patient_contribution is not None:
                yield f"{where}.{entry.category}.patient_contribution", entry.patient_contribution


# -- the real file --------------------------------------------------------------------------


def test_real_file_loads_with_every_code_in_canonical_order(rules: Rules) -> None:
    assert default_rules_path().parts[-3:] == ("data", "rules", "rules.yaml")
    assert default_rules_path().is_file()
    assert rules.version.strip()
    assert tuple(rules.schemes) == SCHEMES
    assert tuple(rules.categories) == CATEGORIES
    assert tuple(rules.care_types) == CARE_CODES
    for code, care_type in rules.care_types.items():
        assert care_type.code == code
        assert tuple(care_type.rules) == SCHEMES


def test_expected_table_has_one_row_per_care_type_and_scheme() -> None:
    keys = [(care, scheme) for care, scheme, _ in EXPECTED]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(care, scheme) for care in CARE_CODES for scheme in SCHEMES}


@pytest.mark.parametrize(
    ("care", "scheme", "expected"), EXPECTED, ids=[f"{c}-{s}" for c, s, _ in EXPECTED]
)
def test_eligible_entries(rules: Rules, care: str, scheme: str, expected: list[Any]) -> None:
    rule = rules.rule(care, scheme)
    assert (rule.care, rule.scheme) == (care, scheme)
    got = [(e.category, e.contract, e.share_percent, e.basis) for e in rule.eligible]
    assert got == expected


def test_every_text_has_dutch_and_english(rules: Rules) -> None:
    for where, text in all_texts(rules):
        assert text is not None, where
        assert text.nl.strip() and text.en.strip(), where


def test_every_entry_cites_known_seeds(rules: Rules) -> None:
    for code, scheme in rules.schemes.items():
        assert scheme.sources and set(scheme.sources) <= SEEDS, code
    for rule in all_rules(rules):
        assert rule.sources and set(rule.sources) <= SEEDS, (rule.care, rule.scheme)
        for entry in rule.eligible:
            # An entry's seeds are among its rule's seeds.
            assert entry.sources and set(entry.sources) <= set(rule.sources), entry


def test_uninsured_resident_rules_cite_seed_003_and_explain_the_procedure(rules: Rules) -> None:
    for care in CARE_CODES:
        rule = rules.rule(care, "uninsured_resident")
        if any(e.basis == "cak" for e in rule.eligible):
            assert UNINSURED_RESIDENT_SEED in rule.sources, care
            advice = " ".join(t.nl for t in rule.advice)
            assert "6 weken" in advice and "toerist" in advice and "GGD" in advice, care


def test_pharmacy_terms(rules: Rules) -> None:
    rule = rules.rule("pharmacy")
    terms = rule.terms_for("pharmacy", True)
    assert terms is not None and terms.contract_required
    assert terms.patient_contribution is not None
    assert "5 euro" in terms.patient_contribution.nl
    assert "weekverpakking" in terms.patient_contribution.nl
    assert "weekly packaging" in terms.patient_contribution.en
    advice = " ".join(t.nl for t in rule.advice)
    for needle in ("Noodfonds Amsterdam", "Clearing House Apothekers", "12 maanden", "gemeenten"):
        assert needle in advice
    assert rule.referral is not None and "onverzekerbare vreemdelingen" in rule.referral.nl
    assert rule.terms_for("pharmacy", False) is None
    assert rule.terms_for("pharmacy", None) is None
    assert rules.rule("pharmacy", "uninsured_resident").terms_for("pharmacy", False) is not None


def test_emergency_terms_depend_on_contract(rules: Rules) -> None:
    rule = rules.rule("emergency")
    assert rule.categories() == ("hospital",)
    shares = {status: rule.terms_for("hospital", status) for status in (True, False, None)}
    assert {s: t.share_percent if t else "-" for s, t in shares.items()} == {
        True: 100,
        False: 80,
        None: None,  # full if contracted, 80% if not (seed 000)
    }
    assert rule.terms_for("pharmacy", True) is None


def test_maternity_admits_any_provider_and_warns_about_contracted_hospitals(rules: Rules) -> None:
    rule = rules.rule("maternity")
    assert rule.categories() == ("midwife", "maternity_carer", "gp", "hospital")
    assert all(not e.contract_required for e in rule.eligible)
    assert any("gecontracteerde ziekenhuizen" in t.nl for t in rule.advice)


def test_dental_and_paramedical_conditions(rules: Rules) -> None:
    dentist = rules.rule("dental").terms_for("dentist", False)  # adult by default
    assert dentist is not None and dentist.age_groups == {"adult"}
    paid = " ".join(c.nl for c in dentist.restricted_to)
    assert "prothese" in paid and "Bijzondere tandheelkunde" in paid
    assert "volwassenen" in " ".join(c.nl for c in dentist.conditions)
    child = rules.rule("dental", age_group="child").terms_for("dentist", False)
    assert child is not None and child.share_percent == 80 and child.restricted_to == ()
    paramedic = rules.rule("paramedical").terms_for("paramedic", None)
    assert paramedic is not None
    conditions = " ".join(c.nl for c in paramedic.conditions)
    assert "20" in conditions and "bijlage 1" in conditions and "dyslexie" in conditions
    assert "verwijsbrief" in conditions
    child = rules.rule("paramedical", age_group="child").terms_for("paramedic", None)
    assert child is not None and "20" not in " ".join(c.nl for c in child.conditions)


def test_gp_conditions_mention_pregnancy_and_passantentarief(rules: Rules) -> None:
    terms = rules.rule("gp").terms_for("gp", False)
    assert terms is not None
    conditions = " ".join(c.nl for c in terms.conditions)
    assert "100%" in conditions and "passantentarief" in conditions


def test_default_scheme_is_uninsurable(rules: Rules) -> None:
    assert Rules.DEFAULT_SCHEME == "uninsurable"
    assert rules.rule("gp") is rules.rule("gp", "uninsurable")
    # Without an age group the adult entries apply (issue 11); a child gets its own.
    assert rules.rule("dental") is rules.rule("dental", "uninsurable", "adult")
    assert rules.rule("dental", age_group="child") is not rules.rule("dental")


def test_unknown_care_type_and_scheme(rules: Rules) -> None:
    with pytest.raises(errors.UnknownCareType) as care_error:
        rules.rule("nope")
    assert care_error.value.field_name == "care"
    assert "'nope'" in care_error.value.message
    with pytest.raises(errors.UnknownScheme) as scheme_error:
        rules.rule("gp", "nope")
    assert scheme_error.value.field_name == "scheme"


def test_text_get_falls_back_to_dutch() -> None:
    text = Text(nl="huisarts", en="GP")
    assert text.get("nl") == "huisarts"
    assert text.get("en") == "GP"
    assert text.get("en-GB") == "GP"
    assert text.get("fr") == "huisarts"


# -- broken files ---------------------------------------------------------------------------

SEED = "001_1ecd8cb4a0b0ed2b.txt"
T = {"nl": "tekst", "en": "text"}
RULE = "care_types.pharmacy.schemes.uninsurable"
ENTRY = f"{RULE}.eligible.0"
DELETE = object()


def minimal_document() -> dict[str, Any]:
    """A small, valid rules document built from the code lists, independent of rules.yaml."""
    entry = {
        "category": "pharmacy",
        "contract": ["contracted"],
        "share_percent": None,
        "basis": "cak_contract",
        "patient_contribution": None,
        "conditions": [],
        "source": [SEED],
    }
    rule = {"advice": [T], "referral": T, "sources": [SEED], "eligible": [entry]}
    care_type = {"label": T, "description": T, "schemes": {s: rule for s in SCHEMES}}
    doc = {
        "version": "test.1",
        "schemes": {s: {"label": T, "description": T, "sources": [SEED]} for s in SCHEMES},
        "categories": {c: T for c in CATEGORIES},
        "care_types": {c: care_type for c in CARE_CODES},
    }
    # No shared parts (deepcopy would keep the sharing): a change touches one entry only.
    return json.loads(json.dumps(doc))


def change(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets (or, with DELETE, removes) the value at a dotted path."""

    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return mutate


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def dump(tmp_path: Path, doc: dict[str, Any]) -> Path:
    return write(tmp_path, yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def test_minimal_document_loads(tmp_path: Path) -> None:
    rules = load_rules(dump(tmp_path, minimal_document()))
    assert rules.version == "test.1"
    assert rules.rule("dental", "uninsured_resident").categories() == ("pharmacy",)


BROKEN = [
    (
        "unknown-category",
        change(f"{ENTRY}.category", "apotheek"),
        f"{RULE}.eligible[0].category: unknown category 'apotheek'",
    ),
    (
        "share-too-high",
        change(f"{ENTRY}.share_percent", 120),
        f"{RULE}.eligible[0].share_percent: must be between 0 and 100",
    ),
    (
        "share-negative",
        change(f"{ENTRY}.share_percent", -1),
        f"{RULE}.eligible[0].share_percent: must be between 0 and 100",
    ),
    (
        "share-not-integer",
        change(f"{ENTRY}.share_percent", 80.5),
        f"{RULE}.eligible[0].share_percent: Not a valid integer",
    ),
    (
        "share-as-text",
        change(f"{ENTRY}.share_percent", "80"),
        f"{RULE}.eligible[0].share_percent: Not a valid integer",
    ),
    (
        "missing-care-type",
        change("care_types.dental", DELETE),
        "care_types: missing care type 'dental'",
    ),
    (
        "unknown-care-type",
        change("care_types.tandarts", minimal_document()["care_types"]["dental"]),
        "care_types.tandarts: unknown care type 'tandarts'",
    ),
    (
        "missing-scheme-in-care-type",
        change("care_types.gp.schemes.uninsured_resident", DELETE),
        "care_types.gp.schemes: missing scheme 'uninsured_resident'",
    ),
    (
        "missing-scheme",
        change("schemes.uninsurable", DELETE),
        "schemes: missing scheme 'uninsurable'",
    ),
    (
        "missing-category",
        change("categories.youth_health", DELETE),
        "categories: missing category 'youth_health'",
    ),
    (
        "bad-seed-in-rule",
        change(f"{RULE}.sources", ["cak-lijst.pdf"]),
        f"{RULE}.sources[0]: unknown seed file 'cak-lijst.pdf'",
    ),
    (
        "bad-seed-in-entry",
        change(f"{ENTRY}.source", [SEED, "1_abc.txt"]),
        f"{RULE}.eligible[0].source[1]: unknown seed file '1_abc.txt'",
    ),
    (
        "bad-seed-in-scheme",
        change("schemes.uninsured_resident.sources", ["003_6F8E5577D2146761.txt"]),
        "schemes.uninsured_resident.sources[0]: unknown seed file",
    ),
    ("no-sources", change(f"{RULE}.sources", []), f"{RULE}.sources: cite at least one seed file"),
    (
        "empty-contract",
        change(f"{ENTRY}.contract", []),
        f"{RULE}.eligible[0].contract: must list at least one of",
    ),
    (
        "unknown-contract-status",
        change(f"{ENTRY}.contract", ["contracted", "maybe"]),
        f"{RULE}.eligible[0].contract[1]: unknown contract status 'maybe'",
    ),
    (
        "status-twice",
        change(f"{ENTRY}.contract", ["contracted", "contracted"]),
        f"{RULE}.eligible[0].contract: lists a status twice",
    ),
    (
        "contract-basis-without-contract",
        change(f"{ENTRY}.contract", ["contracted", "unknown"]),
        f"{RULE}.eligible[0].contract: basis 'cak_contract' needs contract [contracted]",
    ),
    (
        "local-basis-with-share",
        lambda doc: doc["care_types"]["pharmacy"]["schemes"]["uninsurable"]["eligible"][0].update(
            basis="local", contract=["unknown"], share_percent=50
        ),
        f"{RULE}.eligible[0].share_percent: basis 'local' has no CAK share",
    ),
    (
        "unknown-basis",
        change(f"{ENTRY}.basis", "gratis"),
        "eligible[0].basis: unknown basis 'gratis'",
    ),
    ("no-eligible", change(f"{RULE}.eligible", []), f"{RULE}.eligible: list at least one"),
    (
        "unknown-age-group",
        change(f"{ENTRY}.age_group", ["adult", "senior"]),
        f"{RULE}.eligible[0].age_group[1]: unknown age group 'senior'",
    ),
    (
        "age-group-twice",
        change(f"{ENTRY}.age_group", ["child", "child"]),
        f"{RULE}.eligible[0].age_group: must list adult and/or child, each once",
    ),
    (
        "no-entry-for-children",
        change(f"{ENTRY}.age_group", ["adult"]),
        f"{RULE}.eligible: list at least one eligible category for child",
    ),
    (
        "restriction-without-english",
        change(f"{ENTRY}.restricted_to", [{"nl": "alleen dit"}]),
        f"{RULE}.eligible[0].restricted_to[0].en: Missing data for required field",
    ),
    (
        "missing-english",
        change(f"{RULE}.advice", [{"nl": "alleen Nederlands"}]),
        f"{RULE}.advice[0].en: Missing data for required field",
    ),
    (
        "blank-dutch",
        change("categories.gp", {"nl": "  ", "en": "GP"}),
        "categories.gp.nl: must not be empty",
    ),
    (
        "misspelt-field",
        change(f"{RULE}.eligibel", []),
        f"{RULE}.eligibel: Unknown field",
    ),
    ("missing-version", change("version", DELETE), "version: Missing data for required field"),
    (
        "missing-patient-contribution",
        change(f"{ENTRY}.patient_contribution", DELETE),
        f"{RULE}.eligible[0].patient_contribution: Missing data",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_document_names_the_entry(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = minimal_document()
    mutate(doc)
    path = dump(tmp_path, doc)
    with pytest.raises(errors.RulesError) as caught:
        load_rules(path)
    message = caught.value.message
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "; " not in message  # exactly the one broken entry is reported


def test_every_problem_is_reported(tmp_path: Path) -> None:
    doc = minimal_document()
    change(f"{ENTRY}.category", "apotheek")(doc)
    change("care_types.gp.schemes.uninsured_resident.eligible.0.share_percent", 101)(doc)
    with pytest.raises(errors.RulesError) as caught:
        load_rules(dump(tmp_path, doc))
    assert f"{RULE}.eligible[0].category" in caught.value.message
    assert "care_types.gp.schemes.uninsured_resident.eligible[0].share_percent" in (
        caught.value.message
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: '1'\nschemes: [unclosed\n", "invalid YAML at line 3"),
        ("version: '1'\n  schemes: {}\n", "invalid YAML at line 2"),
        ("version: '1'\nversion: '2'\n", "duplicate key 'version'"),
        ("", "(top level): Invalid input type"),
        ("- gp\n- pharmacy\n", "(top level): Invalid input type"),
    ],
    ids=["unclosed-flow", "bad-indent", "duplicate-key", "empty-file", "top-level-list"],
)
def test_unparseable_file(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(errors.RulesError) as caught:
        load_rules(path)
    assert caught.value.message.startswith(f"{path}: ")
    assert expected in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.RulesError, match="cannot read"):
        load_rules(tmp_path / "nope.yaml")


def test_path_may_be_a_string(tmp_path: Path) -> None:
    path = dump(tmp_path, minimal_document())
    assert load_rules(str(path)).version == "test.1"


def test_fragments_are_compiled_onto_the_rules_when_they_load() -> None:
    """Each rule carries its eligible index keys and per-language advice; each entry its
    terms per language (what a search serves), worked out from the rule's own data."""
    for care_type in load_rules().care_types.values():
        for rule in care_type.rules.values():
            for category in CATEGORIES:
                for status in (True, False, None):
                    assert rule.index_keys.get((category, status)) is rule.terms_for(
                        category, status
                    )
            for lang in ("nl", "en"):
                advice = json.loads(b"{%b}" % rule.advice_json[lang])
                assert advice == {
                    "advice": [t.get(lang) for t in rule.advice],
                    "referral": rule.referral.get(lang) if rule.referral else None,
                }
                for entry in rule.eligible:
                    terms = entry.reimbursement(lang)
                    assert terms is entry.terms[lang]  # one shared object per language
                    assert terms.conditions == tuple(c.get(lang) for c in entry.conditions)
                    assert json.loads(b'{"x":1%b' % entry.terms_json[lang]) == {
                        "x": 1,
                        "reimbursement": {
                            "basis": entry.basis,
                            "share_percent": entry.share_percent,
                            "patient_contribution": terms.patient_contribution,
                            "conditions": list(terms.conditions),
                            "restricted_to": list(terms.restricted_to),
                        },
                    }
