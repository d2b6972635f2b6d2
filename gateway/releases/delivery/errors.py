"""Errors of delivery. Every refusal of a link holder is one ``LinkRefused`` with one message:
a forged, expired, revoked, spent, locked or unknown link all look the same from outside."""

from __future__ import annotations

from gateway.releases.errors import ReleaseError


class LinkRefused(ReleaseError):
    code = "LINK_REFUSED"

    def __init__(self) -> None:
        super().__init__("This link cannot be used.")


class LinkNotFound(ReleaseError):
    """Staff or a requester named a link or a released packet that is not theirs or not there."""

    code = "LINK_NOT_FOUND"


class NotDeliverable(ReleaseError):
    """A link was asked for a release that is not approved with a verified, stored packet."""

    code = "NOT_DELIVERABLE"


class CodeRefused(ReleaseError):
    """A recipient code that is wrong, expired or spent (the link locks after too many)."""

    code = "CODE_REFUSED"

    def __init__(self, attempts_left: int) -> None:
        super().__init__("The code is not right or has expired.", attempts_left=attempts_left)
