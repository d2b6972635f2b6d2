"""Errors of the contracts package. A failed rule is a finding, never an exception: these are for
programming errors in the inputs (an instrument that cannot exist) and for invalid site rules."""

from __future__ import annotations

from kernel.errors import DomainError


class ContractsError(DomainError):
    code = "CONTRACTS_ERROR"


class UnknownReasonCode(ContractsError):
    """A finding was made with a code that is not in the reason table."""

    code = "CONTRACTS_UNKNOWN_REASON"


class InvalidInstrument(ContractsError):
    """An instrument whose terms contradict each other (an end before its start)."""

    code = "CONTRACTS_INVALID_INSTRUMENT"


class SiteRulesInvalid(ContractsError):
    """The site rules do not validate; ``data['problems']`` lists paths and what is wrong."""

    code = "SITE_RULES_INVALID"
