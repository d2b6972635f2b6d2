"""Checks that re-run at approval (and later at delivery): is the paper behind the release still
good today?

:func:`recheck` is the seam. It rebuilds the legal basis that intake stored in ``releases.basis``
(``gateway.releases.basis.load_basis``, the same typed shape the API took in) and asks
``contracts`` again whether an authorization has expired (AUTH-02) or was revoked (AUTH-05); for a
vendor work order it asks ``vendors.may_receive`` about the vendor's BAA (BA-01). A stored basis
that no longer loads fails closed (``LEGAL_BASIS_MISSING``). Findings come from the one reason
table (``contracts.finding``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Finding, VendorFunction
from contracts.authorization import is_expired, is_revoked
from contracts.decision import finding
from gateway.releases.basis import AuthorizationIn, load_basis
from gateway.releases.models import Release
from gateway.releases.states import State
from vendors import may_receive
from vendors.models import Vendor

# A revoked authorization can never be cured under the same request; everything else (a new
# authorization, a renewed BAA) can arrive later, so the release waits on hold.
DENY_ON: frozenset[str] = frozenset({"AUTH_REVOKED"})


async def recheck(session: AsyncSession, release: Release, on: date) -> list[Finding]:
    """Every finding that stops ``release`` from going out on ``on``; empty when it may."""
    found = basis_findings(release.basis_type, release.basis, on)
    if release.vendor_id is not None:
        found.extend(await baa_findings(session, release, on))
    return found


def basis_findings(basis_type: str, stored: Mapping[str, Any], on: date) -> list[Finding]:
    """The stored legal basis, re-read: an authorization revoked on or before ``on``, or
    expired by then. Only a work order under its BAA alone (``none``) has no basis."""
    if not stored:
        return [] if basis_type == "none" else [finding("LEGAL_BASIS_MISSING")]
    try:
        typed = load_basis(dict(stored))
    except msgspec.ValidationError:
        return [finding("LEGAL_BASIS_MISSING")]
    if not isinstance(typed, AuthorizationIn):
        return []
    auth = typed.to_domain(on)
    found: list[Finding] = []
    if is_revoked(auth, on):
        found.append(finding("AUTH_REVOKED"))
    if is_expired(auth, on):
        found.append(finding("AUTH_EXPIRED"))
    return found


async def baa_findings(session: AsyncSession, release: Release, on: date) -> list[Finding]:
    """BA-01 for the vendor of a work order, for the vendor's kind of work."""
    vendor = await session.get(Vendor, release.vendor_id)
    if vendor is None:
        return [finding("BAA_MISSING")]
    decision = await may_receive(session, vendor.id, VendorFunction(vendor.kind), on)
    return [] if decision.allowed else list(decision.findings)


def target_after(findings: Sequence[Finding]) -> State:
    """Where a failed re-check sends the release (DESIGN.md: approved -> on_hold or denied)."""
    return State.DENIED if any(f.code in DENY_ON for f in findings) else State.ON_HOLD
