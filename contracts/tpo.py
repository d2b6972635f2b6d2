"""Treatment, payment and operations requests and minimum necessary (MN-01)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contracts.decision import Decision, decide, finding
from contracts.terms import NamedRecipient, Scope


class TpoPurpose(StrEnum):
    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "operations"


@dataclass(frozen=True, slots=True)
class TpoRequest:
    """A request under 164.506 (a payer audit, a provider's treatment request).

    ``reviewer_note``: the reviewer's minimum-necessary justification, once given.
    """

    purpose: TpoPurpose
    requester: NamedRecipient
    complete_record: bool = False
    scope: Scope = field(default_factory=Scope)
    reviewer_note: str = ""

    @property
    def needs_justification(self) -> bool:
        """MN-01: payment or operations asking for the complete record (treatment is exempt
        from minimum necessary, 164.502(b)(2)(i))."""
        return self.complete_record and self.purpose is not TpoPurpose.TREATMENT


def check_minimum_necessary(request: TpoRequest) -> Decision:
    """MN-01: a complete-record payment/operations request is held until a reviewer note
    justifies it."""
    held = request.needs_justification and not request.reviewer_note.strip()
    return decide([finding("MN_JUSTIFICATION_REQUIRED")] if held else [])
