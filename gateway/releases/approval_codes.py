"""The fixed reason codes of the approval queue: why a reviewer denies or holds a release, and
why an approval is refused. Codes are stable; messages are plain sentences with no PHI."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

DENY_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "DENY_BASIS_INSUFFICIENT": "The legal basis does not permit this disclosure.",
        "DENY_AUTH_INVALID": "The authorization is invalid or defective and was not corrected.",
        "DENY_AUTH_REVOKED": "The authorization was revoked.",
        "DENY_IDENTITY_UNVERIFIED": "The requester's identity or authority could not be verified.",
        "DENY_WRONG_PATIENT": "The records found do not belong to the patient named.",
        "DENY_NO_RECORDS": "The hospital holds no records responsive to the request.",
        "DENY_UNREVIEWABLE_GROUNDS": (
            "Access is denied on a ground that is not subject to review (45 CFR 164.524(a)(2))."
        ),
        "DENY_REVIEWABLE_GROUNDS": (
            "Access is denied on a reviewable ground (45 CFR 164.524(a)(3)); the individual may"
            " ask for a review."
        ),
        "DENY_DUPLICATE": "The request duplicates another request already answered.",
        "DENY_WITHDRAWN": "The requester withdrew the request.",
    }
)

HOLD_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "HOLD_AWAITING_REQUESTER": "Waiting for information or documents from the requester.",
        "HOLD_AUTH_CLARIFICATION": "The authorization needs clarification.",
        "HOLD_IDENTITY_REVIEW": "A page needs a patient-identity review.",
        "HOLD_REDACTION_REVIEW": "The redaction needs further review.",
        "HOLD_LEGAL_REVIEW": "Waiting for review by counsel or the privacy officer.",
        "HOLD_BAA_PENDING": "Waiting for the vendor's business associate agreement.",
        "HOLD_PAYMENT": "Waiting for payment of the permitted fee.",
    }
)

# Why the current user may not approve (the detail view lists them; approve refuses with one).
NOT_IN_REVIEW = "NOT_IN_REVIEW"
PACKET_MISSING = "PACKET_MISSING"
PACKET_NOT_VERIFIED = "PACKET_NOT_VERIFIED"
APPROVER_IS_PREPARER = "APPROVER_IS_PREPARER"
SECOND_APPROVER_REQUIRED = "SECOND_APPROVER_REQUIRED"
NOT_STAFF = "APPROVER_NOT_STAFF"

REFUSALS: Mapping[str, str] = MappingProxyType(
    {
        NOT_IN_REVIEW: "Only a release in review can be approved.",
        PACKET_MISSING: "The release has no packet of its current version yet.",
        PACKET_NOT_VERIFIED: "The latest packet did not pass verification.",
        APPROVER_IS_PREPARER: "The approver opened the request or last edited its plan.",
        SECOND_APPROVER_REQUIRED: (
            "A sensitive release needs a second approval from another staff member."
        ),
        NOT_STAFF: "Only staff may approve.",
    }
)

# Bulk approval refusals (besides the ones above).
BULK_NOT_HOMOGENEOUS = "BULK_NOT_HOMOGENEOUS"
BULK_OPEN_FINDINGS = "BULK_OPEN_FINDINGS"
BULK_SENSITIVE = "BULK_SENSITIVE"
BULK_DUPLICATE = "BULK_DUPLICATE"
RECHECK_FAILED = "RECHECK_FAILED"


def reason_codes() -> dict[str, list[dict[str, str]]]:
    """The lists as data, for the API (``GET /api/v1/queue/reasons``)."""

    def rows(table: Mapping[str, str]) -> list[dict[str, str]]:
        return [{"code": code, "message": message} for code, message in table.items()]

    return {"deny": rows(DENY_REASONS), "hold": rows(HOLD_REASONS), "refusal": rows(REFUSALS)}
