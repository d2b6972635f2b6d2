"""Checks that re-run at approval (and later at delivery): is the paper behind the release still
good today?

:func:`recheck` is the seam. For now it reads what the release row holds: the authorization's
``basis["expires_on"]`` and ``basis["revoked_on"]`` (ISO dates) and, for a vendor work order, the
vendor's BAA through ``vendors.may_receive``. When the intake converts ``basis`` into the typed
``contracts`` instruments, that conversion replaces :func:`basis_findings`; the callers keep calling
:func:`recheck`. Findings come from the one reason table (``contracts.finding``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Finding, VendorFunction
from contracts.decision import finding
from gateway.releases.models import Release
from gateway.releases.states import State
from vendors import may_receive
from vendors.models import Vendor

# A revoked authorization can never be cured under the same request; everything else (a new
# authorization, a renewed BAA) can arrive later, so the release waits on hold.
DENY_ON: frozenset[str] = frozenset({"AUTH_REVOKED"})


async def recheck(session: AsyncSession, release: Release, on: date) -> list[Finding]:
    """Every finding that stops ``release`` from going out on ``on``; empty when it may."""
    found = basis_findings(release.basis, on)
    if release.vendor_id is not None:
        found.extend(await baa_findings(session, release, on))
    return found


def basis_findings(basis: Mapping[str, Any], on: date) -> list[Finding]:
    """The stored legal basis, re-read: revoked on or before ``on``, or expired before it."""
    found: list[Finding] = []
    revoked = _date(basis.get("revoked_on"))
    if revoked is not None and revoked <= on:
        found.append(finding("AUTH_REVOKED"))
    expires = _date(basis.get("expires_on"))
    if expires is not None and expires < on:
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


def _date(value: object) -> date | None:
    """An ISO date from the stored basis; an unreadable one counts as already past."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return date.min
