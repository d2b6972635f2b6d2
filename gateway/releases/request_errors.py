"""Refusals of request intake, work orders and extensions; HTTP statuses are registered by
``gateway/api/requests.py``. Messages are fixed sentences: never a name, an identifier or text
from the request."""

from __future__ import annotations

from gateway.releases.errors import ReleaseError


class IntakeError(ReleaseError):
    code = "INTAKE_ERROR"


class RequestNotFound(IntakeError):
    """No such request, or one of another organisation (the two look alike)."""

    code = "NOT_FOUND"


class BasisInvalid(IntakeError):
    """The basis holds values no instrument can (a date range ending before it starts)."""

    code = "BASIS_INVALID"


class PatientIdentifiersMissing(IntakeError):
    """Neither an MRN nor a name with a date of birth was given."""

    code = "PATIENT_IDENTIFIERS_MISSING"


class PatientNotFound(IntakeError):
    """A work order names a patient id that does not exist (staff only)."""

    code = "PATIENT_NOT_FOUND"


class EvidenceRequired(IntakeError):
    """This basis type needs its signed document attached."""

    code = "EVIDENCE_REQUIRED"


class EvidenceWrongType(IntakeError):
    code = "EVIDENCE_WRONG_TYPE"


class EvidenceTooLarge(IntakeError):
    code = "EVIDENCE_TOO_LARGE"


class EvidenceNotRecognised(IntakeError):
    """The bytes are not what the declared type says (magic bytes)."""

    code = "EVIDENCE_NOT_RECOGNISED"


class IdempotencyKeyInvalid(IntakeError):
    code = "IDEMPOTENCY_KEY_INVALID"


class IdempotencyKeyReused(IntakeError):
    """The same ``Idempotency-Key`` came with a different body."""

    code = "IDEMPOTENCY_KEY_REUSED"


class StateFilterInvalid(IntakeError):
    code = "STATE_FILTER_INVALID"


class RequestClosed(IntakeError):
    """The request is in a final state (or released): nothing more to extend."""

    code = "RELEASE_CLOSED"


class ExtensionRefused(IntakeError):
    """ACC-01: one extension, made on or before the due date, with reasons. ``code`` is the
    reason code of the first failed check (``ACC_EXTENSION_REPEATED``, ``ACC_EXTENSION_LATE``)."""

    code = "ACC_EXTENSION_REFUSED"

    def __init__(self, code: str, **data: object) -> None:
        super().__init__("the extension is refused", **data)
        self.code = code  # type: ignore[misc]  # per-instance reason code
