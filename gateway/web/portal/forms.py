"""The submission form of the portal: posted fields to API v1's ``RequestIn`` (the same shapes
the service takes), with an error per field, and the missing HIPAA authorization elements
(AUTH-01) as the check of the service finds them.

The form keeps under the app's multipart part limit (``gateway.app.MULTIPART_PART_LIMIT``): the
CSRF guard reads the form before any handler, so a handler cannot raise that limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict, UploadFile

from contracts import Authorization, InvalidInstrument
from contracts.authorization import authorization_findings
from gateway.api.request_schemas import RecipientKindIn, RequestIn
from gateway.releases.basis import AuthorizationIn, to_instrument
from gateway.releases.submissions import PatientClaim

TEXT_FIELDS: dict[str, int] = {
    "mrn": 32,
    "family_name": 100,
    "given_name": 100,
    "birth_date": 10,
    "recipient_kind": 40,
    "recipient_name": 300,
    "recipient_email": 320,
    "purpose": 500,
    "auth_description": 2000,
    "auth_discloser": 500,
    "auth_recipient": 300,
    "auth_purpose": 500,
    "signer_kind": 40,
    "signature_date": 10,
    "expiration_date": 10,
    "expiration_event": 500,
    "scope_start": 10,
    "scope_end": 10,
}
STATEMENTS = {
    "revocation_right": "The right to revoke the authorization in writing",
    "conditioning": "Treatment or payment is not conditioned on signing",
    "redisclosure": "Information may be redisclosed by the recipient",
}
RECORD_TYPES = {
    "clinical_note": "Clinical notes",
    "progress_note": "Progress notes",
    "discharge_summary": "Discharge summaries",
    "lab_result": "Lab results",
    "imaging": "Imaging reports",
}
RECIPIENT_KINDS = {
    "attorney": "Attorney or law firm",
    "insurer": "Insurer or payer",
    "patient": "The patient",
    "personal_representative": "Personal representative",
    "patient_designee": "Someone the patient designated",
    "provider": "Another provider",
}
SIGNER_KINDS = {
    "patient": "The patient",
    "parent": "A parent",
    "guardian": "A guardian",
    "personal_representative": "A personal representative",
}
# Where each AUTH-01 element is entered on the form, so its message shows next to that field.
ELEMENT_FIELDS = {
    "description": "auth_description",
    "discloser": "auth_discloser",
    "recipient": "auth_recipient",
    "purpose": "auth_purpose",
    "expiration": "expiration_date",
    "signature": "auth_signed",
    "signature_date": "signature_date",
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class PostedForm:
    """What was typed (to show again) and the checks' messages, keyed by field name."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    missing: list[dict[str, str]] = field(default_factory=list)


def read_form(form: FormMultiDict) -> PostedForm:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXT_FIELDS.items():
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        if len(value) > limit or "\x00" in value:
            errors[name] = f"At most {limit} characters."
            value = ""
        values[name] = value
    values["auth_signed"] = form.get("auth_signed") == "yes"
    values["statements"] = [s for s in form.getall("statements", []) if s in STATEMENTS]
    values["record_types"] = [t for t in form.getall("record_types", []) if t in RECORD_TYPES]
    return PostedForm(values, errors)


def evidence_of(form: FormMultiDict) -> UploadFile | None:
    upload = form.get("evidence")
    if isinstance(upload, UploadFile) and upload.filename:
        return upload
    return None


def _date(posted: PostedForm, name: str) -> date | None:
    raw = posted.values[name]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        posted.errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def _optional(value: str) -> str | None:
    return value or None


def authorization_in(posted: PostedForm) -> AuthorizationIn:
    """The authorization as typed; an element left empty stays empty (the check reports it)."""
    v = posted.values
    recipient = {"name": v["auth_recipient"]} if v["auth_recipient"] else None
    body = {
        "type": "authorization",
        "description": v["auth_description"],
        "discloser": v["auth_discloser"],
        "recipient": recipient,
        "purpose": v["auth_purpose"],
        "signer": {"kind": v["signer_kind"] if v["signer_kind"] in SIGNER_KINDS else "patient"},
        "signed": v["auth_signed"],
        "signature_date": _date(posted, "signature_date"),
        "expiration_date": _date(posted, "expiration_date"),
        "expiration_event": v["expiration_event"],
        "statements": v["statements"],
    }
    return msgspec.convert({k: x for k, x in body.items() if x is not None}, AuthorizationIn)


def missing_elements(basis: AuthorizationIn, *, on: date) -> list[dict[str, str]]:
    """The AUTH-01 findings (missing core elements and required statements) and whether it has
    expired (AUTH-02), as the check of the service finds them on ``on``."""
    try:
        instrument = to_instrument(basis, received_on=on)
    except InvalidInstrument:
        return [{"code": "BASIS_INVALID", "message": "The dates of the authorization conflict."}]
    if not isinstance(instrument, Authorization):  # pragma: no cover - always one here
        return []
    found = authorization_findings(instrument, on=on)
    wanted = ("AUTH_MISSING_ELEMENT:", "AUTH_MISSING_STATEMENT:", "AUTH_EXPIRED")
    return [
        {"code": f.code, "message": f.message, "field": _field_of(f.code)}
        for f in found
        if f.code.startswith(wanted)
    ]


def _field_of(code: str) -> str:
    if code.startswith("AUTH_MISSING_ELEMENT:"):
        return ELEMENT_FIELDS.get(code.split(":", 1)[1], "")
    if code.startswith("AUTH_MISSING_STATEMENT:"):
        return "statements"
    return "expiration_date" if code == "AUTH_EXPIRED" else ""


def check_basis(posted: PostedForm, *, on: date) -> None:
    """Fill ``posted.missing`` and the per-field messages from the authorization check."""
    posted.missing = missing_elements(authorization_in(posted), on=on)
    for item in posted.missing:
        if item["field"] and item["field"] not in posted.errors:
            posted.errors[item["field"]] = item["message"]


def request_in(posted: PostedForm, *, on: date) -> RequestIn | None:
    """The whole request as API v1 takes it, or ``None`` with ``posted.errors`` filled."""
    v, errors = posted.values, posted.errors
    if not v["mrn"] and not (v["family_name"] and v["given_name"] and v["birth_date"]):
        errors.setdefault(
            "mrn", "Give the medical record number, or the family name, given name and birth date."
        )
    birth = _date(posted, "birth_date")
    if v["recipient_kind"] not in RECIPIENT_KINDS:
        errors["recipient_kind"] = "Choose who receives the records."
    if not v["recipient_name"]:
        errors["recipient_name"] = "Name who receives the records."
    if v["recipient_email"] and not EMAIL.match(v["recipient_email"]):
        errors["recipient_email"] = "Enter an e-mail address like name@example.com."
    if not v["purpose"]:
        errors["purpose"] = "Say what the records are for."
    start, end = _date(posted, "scope_start"), _date(posted, "scope_end")
    if start and end and start > end:
        errors["scope_end"] = "The end of the date range comes before its start."
    check_basis(posted, on=on)
    if errors:
        return None
    kind: RecipientKindIn = v["recipient_kind"]
    body = {
        "patient": {
            "mrn": _optional(v["mrn"]),
            "family_name": _optional(v["family_name"]),
            "given_name": _optional(v["given_name"]),
            "birth_date": birth,
        },
        "recipient": {"kind": kind, "name": v["recipient_name"]}
        | ({"email": v["recipient_email"]} if v["recipient_email"] else {}),
        "basis": authorization_in(posted),
        "purpose": v["purpose"],
        "scope": {"document_types": v["record_types"], "start": start, "end": end},
    }
    try:
        return msgspec.convert(msgspec.to_builtins(body), RequestIn)
    except msgspec.ValidationError:
        errors["form"] = "Some fields could not be read; check them and send again."
        return None


def patient_claim(posted: PostedForm) -> PatientClaim | None:
    """Corrected identifiers of a hold's answer, or ``None`` when none were typed."""
    v = posted.values
    if not (v["mrn"] or v["family_name"] or v["given_name"] or v["birth_date"]):
        return None
    return PatientClaim(
        _optional(v["mrn"]),
        _optional(v["family_name"]),
        _optional(v["given_name"]),
        _date(posted, "birth_date"),
    )
