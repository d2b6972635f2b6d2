"""The vendor and BAA registry: who may receive PHI from us, and why."""

from __future__ import annotations

from vendors.errors import (
    BaaDocumentRejected,
    BaaDocumentTooLarge,
    BaaDocumentWrongType,
    BaaNotFound,
    BaaRetained,
    BaaSuperseded,
    BaaTerminated,
    BaaTermsInvalid,
    VendorNameTaken,
    VendorNotFound,
    VendorsError,
)
from vendors.service import (
    SignedDocument,
    VendorService,
    baa_ends_on,
    check_document,
    expiring_baas,
    may_receive,
)
from vendors.terms import BaaTerms, Contact, NewVendor
from vendors.views import BaaView, ComplianceRow, ExpiringBaa, VendorView

__all__ = [
    "BaaDocumentRejected",
    "BaaDocumentTooLarge",
    "BaaDocumentWrongType",
    "BaaNotFound",
    "BaaRetained",
    "BaaSuperseded",
    "BaaTerminated",
    "BaaTerms",
    "BaaTermsInvalid",
    "BaaView",
    "ComplianceRow",
    "Contact",
    "ExpiringBaa",
    "NewVendor",
    "SignedDocument",
    "VendorNameTaken",
    "VendorNotFound",
    "VendorService",
    "VendorView",
    "VendorsError",
    "baa_ends_on",
    "check_document",
    "expiring_baas",
    "may_receive",
]
