"""The stamp, cover sheet and notices of a packet, from the release (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from redaction import PacketSpec, StampSpec

BATES_WIDTH = 6
_BATES_UNSAFE = re.compile(r"[^A-Z0-9]+")


def bates_prefix(reference: str) -> str:
    """``<reference>-`` in upper-case letters and digits (the reference is not PHI)."""
    return _BATES_UNSAFE.sub("", reference.upper())[:20] + "-"


def packet_spec(
    *,
    reference: str,
    recipient_name: str,
    basis_type: str,
    on: date,
    notices: Sequence[Mapping[str, Any]],
    de_identified: bool,
) -> PacketSpec:
    """Stamp every page with recipient, release reference, date and "Redisclosure prohibited";
    Bates numbers ``<REF>-000001`` onwards, continuous across the packet."""
    stamp = StampSpec(
        recipient=recipient_name,
        release_id=reference,
        date=on,
        bates_prefix=bates_prefix(reference),
        bates_width=BATES_WIDTH,
    )
    cover = (
        f"Release reference: {reference}",
        f"Recipient: {recipient_name}",
        f"Legal basis: {basis_type.replace('_', ' ')}",
        f"Prepared on: {on.isoformat()}",
        "De-identified under the HIPAA Safe Harbor method." if de_identified else "",
        "This information has been disclosed to you from records protected by law. "
        "Redisclosure is prohibited unless permitted by law or by the patient's authorization.",
    )
    return PacketSpec(
        stamp=stamp,
        title="Release of information",
        cover_lines=tuple(line for line in cover if line),
        notices=tuple(notice_text(n) for n in notices),
    )


def notice_text(notice: Mapping[str, Any]) -> str:
    title = str(notice.get("title") or "").strip()
    text = str(notice.get("text") or "").strip()
    if title and text:
        return f"{title}. {text}"
    return title or text or str(notice.get("id") or notice.get("code") or "Notice")


def part_label(document_type: str, service_date: date, *, de_identified: bool) -> str:
    kind = document_type.replace("_", " ")
    return kind if de_identified else f"{kind}, {service_date.isoformat()}"
