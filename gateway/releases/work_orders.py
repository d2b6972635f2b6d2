"""The recipient of a vendor work order, and the vendor's BAA that governs it (BA-01)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Baa, Recipient, RecipientKind, VendorFunction, check_baa
from vendors import VendorNotFound
from vendors import repository as vendor_repo
from vendors.views import contract_of


async def governing_baa(
    session: AsyncSession, vendor_id: uuid.UUID, function: VendorFunction, on: date
) -> Baa | None:
    """The vendor's agreement that allows ``function`` on ``on``, else its most recent one (whose
    findings say why not), else ``None`` (``BAA_MISSING``)."""
    rows = await vendor_repo.current_baas(session, vendor_id)
    ended = await vendor_repo.terminations(session, [r.agreement_id for r in rows])
    baas = [contract_of(r, ended.get(r.agreement_id)) for r in rows]
    allowed = [b for b in baas if check_baa(b, on=on, function=function).allowed]
    found = allowed or baas
    return found[0] if found else None


async def vendor_recipient(
    session: AsyncSession, vendor_id: uuid.UUID, function: VendorFunction, on: date
) -> tuple[Recipient, Baa | None]:
    vendor = await vendor_repo.get_vendor(session, vendor_id)
    if vendor is None:
        raise VendorNotFound("no such vendor", vendor_id=str(vendor_id))
    email = next((c.get("email") for c in vendor.contacts if c.get("email")), None)
    recipient = Recipient(RecipientKind(function.value), vendor.name, email=email)
    return recipient, await governing_baa(session, vendor_id, function, on)
