"""The one reason-code table: complete, consistent with RULES.md, and safe to show."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from contracts import (
    AuthElement,
    AuthStatement,
    BaaClause,
    ContractsError,
    Part2Element,
    Severity,
    reason,
    reason_table,
    reason_table_json,
)
from contracts.decision import finding
from contracts.reasons import AUTH_ELEMENTS, AUTH_STATEMENTS, BAA_CLAUSES, P2_ELEMENTS, REASONS
from tests.unit.contracts.builders import ROOT

RULES_MD = ROOT.parent / "shared" / "RULES.md"
CONTRACTS = ROOT / "contracts"
CODE_SHAPE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+(:[a-z_0-9]+)?$")


def rule_ids_in_rules_md() -> set[str]:
    text = RULES_MD.read_text(encoding="utf-8")
    return set(re.findall(r"\*\*([A-Z]+[0-9]?-[0-9]{2})\*\*", text))


def string_literals_in_contracts() -> set[str]:
    """String literals of the rule modules (the table, errors.py and __all__ left out)."""
    found: set[str] = set()
    for path in CONTRACTS.glob("*.py"):
        if path.name in {"reasons.py", "errors.py", "__init__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            if isinstance(node, ast.JoinedStr):  # f"AUTH_MISSING_ELEMENT:{e}": check the prefix
                head = node.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    found.add(head.value)
    return found


def test_rules_md_is_beside_the_repository_and_lists_ids() -> None:
    assert len(rule_ids_in_rules_md()) >= 40


def test_every_reason_names_a_rule_id_that_exists_in_rules_md() -> None:
    known = rule_ids_in_rules_md()
    unknown = {r.code: r.rule_id for r in REASONS.values() if r.rule_id not in known}
    assert unknown == {}


def test_every_code_literal_in_the_package_is_in_the_table() -> None:
    literals = {s for s in string_literals_in_contracts() if CODE_SHAPE.match(s.rstrip(":"))}
    codes = {s for s in literals if not s.endswith(":")}
    prefixes = {s for s in literals if s.endswith(":")}
    assert codes - set(REASONS) == set()
    assert all(any(code.startswith(p) for code in REASONS) for p in prefixes)
    assert codes, "the scan found no codes at all: it is broken"


@pytest.mark.parametrize(
    ("prefix", "members", "texts"),
    [
        ("AUTH_MISSING_ELEMENT", AuthElement, AUTH_ELEMENTS),
        ("AUTH_MISSING_STATEMENT", AuthStatement, AUTH_STATEMENTS),
        ("BAA_INCOMPLETE", BaaClause, BAA_CLAUSES),
        ("P2_CONSENT_MISSING_ELEMENT", Part2Element, P2_ELEMENTS),
    ],
)
def test_each_element_has_exactly_one_code(
    prefix: str, members: type[AuthElement], texts: dict[str, str]
) -> None:
    assert {m.value for m in members} == set(texts)
    assert {c for c in REASONS if c.startswith(f"{prefix}:")} == {f"{prefix}:{m}" for m in texts}


def test_entries_have_a_citation_a_severity_and_a_plain_sentence() -> None:
    for entry in REASONS.values():
        assert CODE_SHAPE.match(entry.code), entry.code
        assert entry.citation.strip()
        assert entry.severity in set(Severity)
        assert entry.message.endswith("."), entry.code
        assert "{" not in entry.message
        assert not re.search(r"\d{3}-\d{2}-\d{4}|@", entry.message), entry.code


def test_the_table_exports_as_json_with_the_five_fields() -> None:
    rows = json.loads(reason_table_json())
    assert rows == reason_table()
    assert [row["code"] for row in rows] == sorted(REASONS)
    assert {frozenset(row) for row in rows} == {
        frozenset({"code", "rule_id", "citation", "severity", "message"})
    }
    expired = next(row for row in rows if row["code"] == "AUTH_EXPIRED")
    assert expired["rule_id"] == "AUTH-02"
    assert expired["severity"] == "block"


def test_a_finding_carries_its_table_entry_and_a_subject() -> None:
    made = finding("SCOPE_DATE", "doc-9")
    entry = reason("SCOPE_DATE")
    assert (made.rule_id, made.citation, made.severity, made.message) == (
        entry.rule_id,
        entry.citation,
        entry.severity,
        entry.message,
    )
    assert made.subject == "doc-9"


def test_an_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(ContractsError) as caught:
        reason("NOT_A_CODE")
    assert caught.value.code == "CONTRACTS_UNKNOWN_REASON"


def test_the_issue_codes_are_all_present() -> None:
    for code in [
        "AUTH_MISSING_ELEMENT:expiration",
        "AUTH_EXPIRED",
        "AUTH_REVOKED",
        "AUTH_REP_AUTHORITY",
        "AUTH_FALSE_INFO",
        "PN_EXCLUDED",
        "SCOPE_RECIPIENT",
        "SCOPE_DOCUMENT_TYPE",
        "SCOPE_DATE",
        "BAA_MISSING",
        "BAA_NOT_YET_EFFECTIVE",
        "BAA_EXPIRED",
        "BAA_TERMINATED",
        "BAA_FUNCTION_NOT_COVERED",
        "BAA_INCOMPLETE:termination",
        "QPO_INVALID",
        "SUBPOENA_ASSURANCE_MISSING",
        "COURT_ORDER_ITEM_NOT_NAMED",
        "P2_CONSENT_REQUIRED",
        "P2_PROCEEDINGS_AGAINST_PATIENT",
        "ST_HIV_RELEASE_REQUIRED",
        "MINOR_CONSENTED_EXCLUDED",
        "MN_JUSTIFICATION_REQUIRED",
    ]:
        assert reason(code).code == code


def test_the_rules_md_path_is_where_ci_puts_it() -> None:
    assert Path(RULES_MD).is_file()
