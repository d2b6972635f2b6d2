"""Errors of the release workflow; their HTTP statuses are registered in ``gateway/errors.py``."""

from __future__ import annotations

from gateway.releases.states import TransitionRefused
from kernel.errors import DomainError


class ReleaseError(DomainError):
    code = "RELEASE_ERROR"


class ReleaseChanged(ReleaseError):
    """The release changed since it was read (another request or step moved it first)."""

    code = "RELEASE_CHANGED"


__all__ = ["ReleaseChanged", "ReleaseError", "TransitionRefused"]
