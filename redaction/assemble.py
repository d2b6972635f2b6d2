"""Packet assembly: cover sheet, notice pages, redacted parts in order, stamped, verified."""

from __future__ import annotations

from collections.abc import Sequence

from redaction.specs import Packet, PacketSpec, Part


def assemble(parts: Sequence[Part], spec: PacketSpec) -> Packet:
    """Redact each part by its plan, merge them after the generated pages, stamp and verify."""
    raise NotImplementedError
