"""Small typed builders for contracts test data: valid by default, one keyword away from a defect.

Every name and address here is synthetic.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import settings

from contracts import (
    AccessRequest,
    Authorization,
    AuthStatement,
    Baa,
    BaaClause,
    CourtOrder,
    DateRange,
    Demographics,
    Directive,
    DocumentRef,
    NamedRecipient,
    NoticeAssurance,
    OrderItem,
    Part2Consent,
    Part2Element,
    QualifiedProtectiveOrder,
    Recipient,
    RecipientKind,
    Scope,
    Signer,
    SiteRules,
    Subpoena,
    TpoPurpose,
    TpoRequest,
    VendorFunction,
    validate_site_rules,
)

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_RULES_FILE = ROOT / "gateway" / "site_rules_default.toml"

BOUNDARY = settings(deadline=None, max_examples=50)
"""For date-boundary properties: no per-example deadline (CI machines are busy)."""

TODAY = date(2026, 3, 2)
SIGNED = date(2026, 1, 5)
EXPIRES = date(2026, 12, 31)

FIRM = NamedRecipient("Example Law Group LLP", email="records@example-law.test")
PAYER = NamedRecipient("Example Health Plan", address="1 Audit Way, Springfield")
PATIENT = Demographics("Pat Example", date(1980, 4, 1))


def recipient(
    kind: RecipientKind = RecipientKind.ATTORNEY,
    name: str = FIRM.name,
    email: str | None = "paralegal@example-law.test",
    address: str | None = None,
) -> Recipient:
    return Recipient(kind, name, email=email, address=address)


def vendor(function: VendorFunction = VendorFunction.COPY) -> Recipient:
    return Recipient(RecipientKind(function.value), "Example Copy Co", email="ops@copy.test")


def patient_recipient(kind: RecipientKind = RecipientKind.PATIENT) -> Recipient:
    return Recipient(kind, PATIENT.name, email="pat@mail.test")


def authorization(**overrides: Any) -> Authorization:
    fields: dict[str, Any] = {
        "description": "Discharge summaries and lab results, 2024-2025",
        "discloser": "Example General Hospital",
        "recipient": FIRM,
        "purpose": "Personal injury claim",
        "signer": Signer(),
        "signed": True,
        "signature_date": SIGNED,
        "expiration_date": EXPIRES,
        "statements": frozenset(AuthStatement),
        "scope": Scope(),
        "patient": PATIENT,
    }
    fields.update(overrides)
    return Authorization(**fields)


def baa(**overrides: Any) -> Baa:
    fields: dict[str, Any] = {
        "covered_entity": "Example General Hospital",
        "business_associate": "Example Copy Co",
        "effective_on": date(2025, 1, 1),
        "ends_on": date(2027, 12, 31),
        "functions": frozenset({VendorFunction.COPY, VendorFunction.MAILING}),
        "clauses": frozenset(BaaClause),
        "breach_notice_days": 30,
    }
    fields.update(overrides)
    return Baa(**fields)


def document(
    doc_id: str = "doc-1",
    document_type: str = "discharge_summary",
    service_date: date = date(2025, 6, 1),
    labels: frozenset[str] = frozenset(),
    *,
    part2: bool = False,
    minor: bool = False,
) -> DocumentRef:
    return DocumentRef(doc_id, document_type, service_date, labels, part2, minor)


def assurance(**overrides: Any) -> NoticeAssurance:
    fields: dict[str, Any] = {
        "notice_copy": True,
        "proof_of_mailing": True,
        "objection_deadline": date(2026, 2, 20),
    }
    fields.update(overrides)
    return NoticeAssurance(**fields)


def qpo(*, prohibits: bool = True, returns: bool = True) -> QualifiedProtectiveOrder:
    return QualifiedProtectiveOrder(prohibits, returns)


def subpoena(**overrides: Any) -> Subpoena:
    fields: dict[str, Any] = {"requesting_party": FIRM, "assurance": assurance()}
    fields.update(overrides)
    return Subpoena(**fields)


def court_order(*items: OrderItem, **overrides: Any) -> CourtOrder:
    fields: dict[str, Any] = {
        "recipient": FIRM,
        "items": items or (OrderItem(document_type="discharge_summary"),),
    }
    fields.update(overrides)
    return CourtOrder(**fields)


def part2_consent(**overrides: Any) -> Part2Consent:
    fields: dict[str, Any] = {"elements": frozenset(Part2Element), "expiration_date": EXPIRES}
    fields.update(overrides)
    return Part2Consent(**fields)


def directive(**overrides: Any) -> Directive:
    fields: dict[str, Any] = {
        "written": True,
        "signed_by_individual": True,
        "recipient": FIRM,
        "electronic_copy": True,
        "ehr_only": True,
    }
    fields.update(overrides)
    return Directive(**fields)


def access_request(**overrides: Any) -> AccessRequest:
    fields: dict[str, Any] = {"received_on": date(2026, 2, 1)}
    fields.update(overrides)
    return AccessRequest(**fields)


def tpo_request(**overrides: Any) -> TpoRequest:
    fields: dict[str, Any] = {"purpose": TpoPurpose.PAYMENT, "requester": PAYER}
    fields.update(overrides)
    return TpoRequest(**fields)


def payer_recipient() -> Recipient:
    return Recipient(RecipientKind.INSURER, PAYER.name, address=PAYER.address)


def default_rules_dict() -> dict[str, Any]:
    with DEFAULT_RULES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def site_rules(**overrides: Any) -> SiteRules:
    """The shipped defaults, with top-level keys replaced by ``overrides``."""
    data = default_rules_dict()
    data.update(overrides)
    return validate_site_rules(data)


def no_state_rules() -> SiteRules:
    """Only the 2.32 notice: no sensitive categories, no attestations."""
    return site_rules(sensitive_categories=[], attestations=[])


def years(start: int, end: int) -> DateRange:
    return DateRange(date(start, 1, 1), date(end, 12, 31))
