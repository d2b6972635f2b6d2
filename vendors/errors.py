"""Errors of the vendor and BAA registry. Messages and data carry ids and counts, never text."""

from __future__ import annotations

from kernel.errors import DomainError


class VendorsError(DomainError):
    code = "VENDORS_ERROR"


class VendorNotFound(VendorsError):
    code = "VENDOR_NOT_FOUND"


class BaaNotFound(VendorsError):
    code = "BAA_NOT_FOUND"


class VendorNameTaken(VendorsError):
    code = "VENDOR_NAME_TAKEN"


class BaaDocumentRejected(VendorsError):
    """The signed BAA document is not a PDF (its type or its first bytes)."""

    code = "BAA_DOCUMENT_NOT_PDF"


class BaaDocumentWrongType(BaaDocumentRejected):
    """The document part was sent with a content type other than ``application/pdf``."""

    code = "BAA_DOCUMENT_TYPE"


class BaaDocumentTooLarge(BaaDocumentRejected):
    code = "BAA_DOCUMENT_TOO_LARGE"


class BaaTermsInvalid(VendorsError):
    """Terms that cannot exist (an end before the start); ``data['field']`` names the field."""

    code = "BAA_TERMS_INVALID"


class BaaTerminated(VendorsError):
    """The agreement is terminated already: it can be neither amended nor terminated again."""

    code = "BAA_ALREADY_TERMINATED"


class BaaSuperseded(VendorsError):
    """Only the newest version of an agreement may be amended or terminated."""

    code = "BAA_SUPERSEDED"


class BaaRetained(VendorsError):
    """RET-01: BAA records are immutable and retained; deletion is refused."""

    code = "BAA_RETAINED"
