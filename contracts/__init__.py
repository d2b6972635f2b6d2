"""Pure rules over legal instruments: values in, a Decision out. No I/O, no settings, no clock.

Checks return a :class:`Decision` (or a :class:`ReleaseDecision`); a failed rule is a
:class:`Finding` whose code comes from the one reason table (:func:`reason_table_json`).
"""

from __future__ import annotations

from contracts.access import (
    AccessRequest,
    Directive,
    Extension,
    Route,
    check_access_deadline,
    check_directive,
    check_extensions,
    due_date,
    original_due,
)
from contracts.authorization import (
    AuthElement,
    Authorization,
    AuthStatement,
    Demographics,
    Signer,
    SignerKind,
    check_authorization,
)
from contracts.baa import Baa, BaaClause, BaaStatus, baa_status, check_baa
from contracts.basis import AccountingCategory, AccountingClass, Basis, classify_accounting
from contracts.decision import Decision, Finding, Outcome
from contracts.documents import SENSITIVE_LABELS, DocumentRef
from contracts.errors import ContractsError, InvalidInstrument, SiteRulesInvalid
from contracts.legal_process import (
    CourtOrder,
    NoticeAssurance,
    Objections,
    OrderItem,
    QualifiedProtectiveOrder,
    RequestType,
    Subpoena,
    check_legal_process,
    check_qpo,
)
from contracts.part2 import Part2Consent, Part2Element, check_part2
from contracts.reasons import Reason, Severity, reason, reason_table, reason_table_json
from contracts.release import Notice, ReleaseDecision, decide_release
from contracts.retention import check_deletion, retain_until
from contracts.selection import DocumentDecision
from contracts.site_rules import SiteRules, validate_site_rules
from contracts.terms import (
    DateRange,
    NamedRecipient,
    Recipient,
    RecipientKind,
    Scope,
    VendorFunction,
)
from contracts.tpo import TpoPurpose, TpoRequest, check_minimum_necessary

__all__ = [
    "SENSITIVE_LABELS",
    "AccessRequest",
    "AccountingCategory",
    "AccountingClass",
    "AuthElement",
    "AuthStatement",
    "Authorization",
    "Baa",
    "BaaClause",
    "BaaStatus",
    "Basis",
    "ContractsError",
    "CourtOrder",
    "DateRange",
    "Decision",
    "Demographics",
    "Directive",
    "DocumentDecision",
    "DocumentRef",
    "Extension",
    "Finding",
    "InvalidInstrument",
    "NamedRecipient",
    "Notice",
    "NoticeAssurance",
    "Objections",
    "OrderItem",
    "Outcome",
    "Part2Consent",
    "Part2Element",
    "QualifiedProtectiveOrder",
    "Reason",
    "Recipient",
    "RecipientKind",
    "ReleaseDecision",
    "RequestType",
    "Route",
    "Scope",
    "Severity",
    "Signer",
    "SignerKind",
    "SiteRules",
    "SiteRulesInvalid",
    "Subpoena",
    "TpoPurpose",
    "TpoRequest",
    "VendorFunction",
    "baa_status",
    "check_access_deadline",
    "check_authorization",
    "check_baa",
    "check_deletion",
    "check_directive",
    "check_extensions",
    "check_legal_process",
    "check_minimum_necessary",
    "check_part2",
    "check_qpo",
    "classify_accounting",
    "decide_release",
    "due_date",
    "original_due",
    "reason",
    "reason_table",
    "reason_table_json",
    "retain_until",
    "validate_site_rules",
]
