"""Errors of the contracts package. A failed rule is a finding, never an exception: these are for
programming errors in the inputs (an instrument that cannot exist)."""

from __future__ import annotations

from kernel.errors import DomainError


class ContractsError(DomainError):
    code = "CONTRACTS_ERROR"
