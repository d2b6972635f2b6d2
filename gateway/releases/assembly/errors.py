"""Errors of packet review and assembly; statuses are registered by ``gateway/api/assembly.py``."""

from __future__ import annotations

from gateway.releases.errors import ReleaseError


class ReleaseNotFound(ReleaseError):
    code = "RELEASE_NOT_FOUND"


class PacketNotFound(ReleaseError):
    code = "PACKET_NOT_FOUND"


class BoxNotFound(ReleaseError):
    code = "BOX_NOT_FOUND"


class BoxInvalid(ReleaseError):
    """A box outside its page, on a record of another patient, or empty."""

    code = "BOX_INVALID"


class ReviewNotOpen(ReleaseError):
    """Boxes are edited, and assembly re-run, only while the release is in review."""

    code = "REVIEW_NOT_OPEN"
