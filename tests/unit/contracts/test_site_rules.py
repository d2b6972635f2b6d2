"""Site rules: the shipped TOML validates; a broken file is refused with every problem listed."""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Any

import pytest

from contracts import RecipientKind, RequestType, SiteRules, SiteRulesInvalid, validate_site_rules
from tests.unit.contracts.builders import default_rules_dict


def problems_of(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(SiteRulesInvalid) as caught:
        validate_site_rules(data)
    assert caught.value.code == "SITE_RULES_INVALID"
    problems = caught.value.data["problems"]
    assert isinstance(problems, tuple)
    return problems


def rules_with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(default_rules_dict())
    data.update(changes)
    return data


def category(**changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = copy.deepcopy(default_rules_dict()["sensitive_categories"][0])
    table.update(changes)
    return table


def test_the_shipped_default_parses_with_tomllib_and_validates() -> None:
    rules = validate_site_rules(default_rules_dict())
    assert rules.part2_statement == "statement_2"
    assert rules.part2_notice.rule_id == "P2-02"
    assert [c.label for c in rules.categories] == ["hiv"]
    hiv = rules.categories[0]
    assert hiv.exempt_recipients == {RecipientKind.PATIENT, RecipientKind.PERSONAL_REPRESENTATIVE}
    assert hiv.effective.covers(date(2026, 1, 1))
    assert rules.attestations[0].request_types == set(RequestType)


def test_categories_and_attestations_are_filtered_by_date() -> None:
    rules = validate_site_rules(default_rules_dict())
    assert rules.attestations_on(date(2025, 6, 17)) == ()
    assert len(rules.attestations_on(date(2025, 6, 18))) == 1
    assert rules.categories_on(date(1989, 1, 31)) == ()


def test_an_effective_to_date_ends_a_rule_after_that_day() -> None:
    data = rules_with(sensitive_categories=[category(effective_to=date(2026, 1, 31))])
    rules = validate_site_rules(data)
    assert len(rules.categories_on(date(2026, 1, 31))) == 1
    assert rules.categories_on(date(2026, 2, 1)) == ()


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"version": 2}, "version"),
        ({"part2_statement": "statement_3"}, "part2_statement"),
        ({"part2_statement": "statement_1"}, "notices"),
        ({"notices": []}, "notices"),
        ({"sensitive_categories": {"label": "hiv"}}, "sensitive_categories"),
        ({"attestations": "none"}, "attestations"),
    ],
)
def test_top_level_problems_are_reported(changes: dict[str, Any], path: str) -> None:
    assert any(p.startswith(path) for p in problems_of(rules_with(**changes)))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"label": ""}, "sensitive_categories[0].label: must be a non-empty string"),
        ({"exclusion_code": "AUTH_EXPIRED"}, "sensitive_categories[0].exclusion_code"),
        ({"exclusion_code": "NOT_A_CODE"}, "sensitive_categories[0].exclusion_code"),
        ({"exclusion_code": "ST_ATTESTATION_REQUIRED"}, "sensitive_categories[0].exclusion_code"),
        ({"notice": "no_such_notice"}, "sensitive_categories[0].notice"),
        ({"exempt_recipients": ["patient", "nobody"]}, "unknown value 'nobody'"),
        ({"exempt_recipients": "patient"}, "must be a list of strings"),
        ({"effective_from": "2020-01-01"}, "effective_from: must be a date"),
        ({"effective_from": datetime(2020, 1, 1)}, "effective_from: must be a date"),  # noqa: DTZ001
        ({"effective_to": date(1900, 1, 1)}, "effective_to: is before effective_from"),
    ],
)
def test_category_problems_name_their_path(changes: dict[str, Any], expected: str) -> None:
    problems = problems_of(rules_with(sensitive_categories=[category(**changes)]))
    assert any(expected in p for p in problems), problems


def test_attestation_problems_are_reported() -> None:
    attestation = copy.deepcopy(default_rules_dict()["attestations"][0])
    empty = {**attestation, "request_types": []}
    problems = problems_of(rules_with(attestations=[attestation, attestation, empty]))
    assert "attestations: ids must be unique" in problems
    assert "attestations[2].request_types: must name at least one request type" in problems


def test_notice_problems_are_reported() -> None:
    notices = copy.deepcopy(default_rules_dict()["notices"])
    notices["bad_rule"] = {"rule_id": "state one", "title": "T", "text": "Text."}
    notices["not_a_table"] = "text"
    notices["blank"] = {"rule_id": "ST-01", "title": "", "text": ""}
    problems = problems_of(rules_with(notices=notices))
    assert "notices.bad_rule.rule_id: must look like ST-01" in problems
    assert "notices.not_a_table: must be a table" in problems
    assert "notices.blank.title: must be a non-empty string" in problems


def test_every_problem_is_listed_at_once_and_carries_no_values() -> None:
    data = rules_with(version=3, sensitive_categories=[category(label="", notice="secret-name")])
    problems = problems_of(data)
    assert len(problems) == 3
    assert not any("secret-name" in p for p in problems)


def test_site_rules_built_in_code_must_carry_the_chosen_notice() -> None:
    with pytest.raises(SiteRulesInvalid):
        SiteRules(part2_statement="statement_1", notices={})
