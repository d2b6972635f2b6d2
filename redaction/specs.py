"""Value types for stamping and packet assembly (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from redaction.plan import Plan
from redaction.report import Report

_MAX_BATES_WIDTH = 12
REDISCLOSURE = "Redisclosure prohibited"


@dataclass(frozen=True, slots=True)
class StampSpec:
    """A per-recipient watermark and Bates numbering.

    Every page gets one line ``"<recipient> | <release_id> | <date> | Redisclosure prohibited"``
    (plus ``extra`` if given) and, when ``bates_prefix`` is set, the number
    ``f"{bates_prefix}{n:0{bates_width}d}"`` counting from ``bates_start``.
    """

    recipient: str
    release_id: str
    date: dt.date
    bates_prefix: str | None = None
    bates_start: int = 1
    bates_width: int = 6
    extra: str | None = None
    font_size: float = 8.0

    def __post_init__(self) -> None:
        if self.bates_start < 0 or not 1 <= self.bates_width <= _MAX_BATES_WIDTH:
            raise ValueError("bates_start must be >= 0 and bates_width in 1..12")

    def watermark(self) -> str:
        parts = [self.recipient, self.release_id, self.date.isoformat(), REDISCLOSURE, self.extra]
        return " | ".join(p for p in parts if p)

    def bates(self, index: int) -> str | None:
        if self.bates_prefix is None:
            return None
        return f"{self.bates_prefix}{self.bates_start + index:0{self.bates_width}d}"


@dataclass(frozen=True, slots=True)
class Part:
    """One source document of a packet, redacted by its plan."""

    pdf: bytes
    plan: Plan
    label: str = ""


@dataclass(frozen=True, slots=True)
class PacketSpec:
    """How to assemble a packet: a cover sheet, notice pages (each a text, e.g. the 42 CFR 2.32
    notice) placed after the cover, and the stamp applied to every page."""

    stamp: StampSpec
    title: str = "Release of information"
    cover_lines: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    cover: bool = True


Provenance = tuple[int, int] | Literal["generated"]


@dataclass(frozen=True, slots=True)
class Packet:
    """An assembled, stamped, verified packet. ``provenance[i]`` tells where output page ``i``
    came from: ``(part index, source page)`` or ``"generated"`` (cover and notice pages)."""

    pdf: bytes
    report: Report
    provenance: tuple[Provenance, ...]
    bates_first: str | None = None
    bates_last: str | None = None


@dataclass(frozen=True, slots=True)
class Redacted:
    """The verified output of :func:`redaction.redact` and its report."""

    pdf: bytes
    report: Report
