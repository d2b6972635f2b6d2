"""Errors of the vendor and BAA registry."""

from __future__ import annotations

from kernel.errors import DomainError


class VendorsError(DomainError):
    code = "VENDORS_ERROR"
