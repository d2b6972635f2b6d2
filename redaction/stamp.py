"""Per-recipient watermark and Bates numbers on every page."""

from __future__ import annotations

from redaction.specs import StampSpec


def stamp(pdf: bytes, spec: StampSpec) -> bytes:
    """Return ``pdf`` with the watermark line and Bates number drawn on every page."""
    raise NotImplementedError
