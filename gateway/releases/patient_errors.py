"""Errors of patients and source records; their HTTP statuses are registered by
``gateway/api/patients.py``. Data carries ids, codes and sizes, never PHI."""

from __future__ import annotations

from gateway.releases.errors import ReleaseError


class PatientNotFound(ReleaseError):
    code = "PATIENT_NOT_FOUND"


class MrnTaken(ReleaseError):
    """Another patient already has this MRN."""

    code = "PATIENT_MRN_TAKEN"


class RecordNotFound(ReleaseError):
    code = "RECORD_NOT_FOUND"


class RecordRejected(ReleaseError):
    """The base of the cheap refusals of an upload, checked before the PDF pool."""

    code = "RECORD_REJECTED"


class RecordTooLarge(RecordRejected):
    """The file is larger than ``max_upload_mb`` (``data["limit_bytes"]``)."""

    code = "RECORD_TOO_LARGE"


class RecordWrongType(RecordRejected):
    """The file part was not declared ``application/pdf``."""

    code = "RECORD_WRONG_TYPE"


class RecordNotPdf(RecordRejected):
    """The bytes do not start like a PDF (no ``%PDF-`` in the first KiB), or are empty."""

    code = "RECORD_NOT_PDF"


class RecordFieldInvalid(RecordRejected):
    """A field of the upload is missing or malformed: the code names it
    (``RECORD_FIELD_INVALID:service_date``), never its value."""

    code = "RECORD_FIELD_INVALID"

    def __init__(self, field: str) -> None:
        super().__init__("record field is invalid", field=field)
        self.code = f"RECORD_FIELD_INVALID:{field}"  # type: ignore[misc]  # per-instance code


class SearchTooBroad(ReleaseError):
    """A patient search needs an MRN, or a family name with a date of birth."""

    code = "PATIENT_SEARCH_TOO_BROAD"
