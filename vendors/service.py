"""Registry operations: register vendors; upload, amend and terminate BAAs (checks run and their
findings stored); the compliance view; and the release workflow's question, :func:`may_receive`.

The service flushes, never commits: the caller's transaction commits at its edge. The signed
document is written to the blob store before the row that points at it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Decision, VendorFunction, baa_status, check_baa, check_deletion, retain_until
from kernel.blobs import BlobStore
from kernel.clock import Clock, today
from vendors import repository as repo
from vendors.errors import (
    BaaDocumentRejected,
    BaaDocumentTooLarge,
    BaaDocumentWrongType,
    BaaNotFound,
    BaaRetained,
    BaaSuperseded,
    BaaTerminated,
    VendorNameTaken,
    VendorNotFound,
)
from vendors.models import BaaTermination, BaaVersion, Vendor
from vendors.terms import BaaTerms, NewVendor
from vendors.views import (
    BaaView,
    ComplianceRow,
    ExpiringBaa,
    VendorView,
    contract_of,
    finding_to_json,
)

PDF_MAGIC = b"%PDF-"
PDF_TYPE = "application/pdf"
BLOB_PREFIX = "baas"
DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """The signed BAA as uploaded: its bytes and the content type it was sent with."""

    data: bytes
    content_type: str


def check_document(document: SignedDocument, *, max_bytes: int) -> None:
    """A PDF by its declared type and its magic bytes, within the size limit (deep checks of
    the PDF belong to the PDF pool, not here)."""
    if document.content_type.split(";")[0].strip().lower() != PDF_TYPE:
        raise BaaDocumentWrongType("BAA document must be application/pdf")
    if len(document.data) > max_bytes:
        raise BaaDocumentTooLarge("BAA document too large", size=len(document.data))
    if not document.data.startswith(PDF_MAGIC):
        raise BaaDocumentRejected("BAA document is not a PDF")


async def may_receive(
    session: AsyncSession, vendor_id: uuid.UUID, function: VendorFunction, on: date
) -> Decision:
    """BA-01: may the vendor receive records for ``function`` on ``on``? Allowed if any of its
    agreements (newest version, with its termination) allows it; otherwise the decision of its
    most recent agreement, or ``BAA_MISSING`` when it has none."""
    rows = await repo.current_baas(session, vendor_id)
    ended = await repo.terminations(session, [r.agreement_id for r in rows])
    decisions = [
        check_baa(contract_of(r, ended.get(r.agreement_id)), on=on, function=function) for r in rows
    ]
    allowed = [d for d in decisions if d.allowed]
    if allowed:
        return allowed[0]
    return decisions[0] if decisions else check_baa(None, on=on, function=function)


async def baa_ends_on(
    session: AsyncSession, vendor_id: uuid.UUID, function: VendorFunction, on: date
) -> date | None:
    """The last day the vendor may receive records for ``function`` under the agreements that
    allow it on ``on`` (None: an agreement without an end date). A delivery link never outlives
    it (DESIGN.md: never past a vendor's BAA end). Raises ``LookupError`` when none allows it."""
    rows = await repo.current_baas(session, vendor_id)
    ended = await repo.terminations(session, [r.agreement_id for r in rows])
    ends = [
        r.ends_on
        for r in rows
        if check_baa(contract_of(r, ended.get(r.agreement_id)), on=on, function=function).allowed
    ]
    if not ends:
        raise LookupError("no agreement allows the vendor to receive records")
    if any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


async def expiring_baas(session: AsyncSession, on: date, within_days: int) -> list[ExpiringBaa]:
    """Agreements in force on ``on`` (complete, not terminated) that end within
    ``within_days`` days: what the expiry notice lists (vendor names and end dates)."""
    rows = await repo.ending_between(session, on, on + timedelta(days=within_days))
    ended = await repo.terminations(session, [r.agreement_id for r in rows])
    found: list[ExpiringBaa] = []
    for row in rows:
        baa = contract_of(row, ended.get(row.agreement_id))
        if row.ends_on is None or not any(
            check_baa(baa, on=on, function=f).allowed for f in baa.functions
        ):
            continue
        vendor = await repo.get_vendor(session, row.vendor_id)
        if vendor is not None:
            found.append(ExpiringBaa(row.id, vendor.id, vendor.name, row.ends_on))
    return found


class VendorService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        blobs: BlobStore,
        clock: Clock,
        expiring_within_days: int = 30,
        max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    ) -> None:
        self.session = session
        self.blobs = blobs
        self.clock = clock
        self.expiring_within_days = expiring_within_days
        self.max_document_bytes = max_document_bytes

    # vendors

    async def register_vendor(self, new: NewVendor, *, by: uuid.UUID) -> Vendor:
        if await repo.vendor_by_name(self.session, new.name) is not None:
            raise VendorNameTaken("a vendor of that name exists")
        vendor = Vendor(
            id=uuid.uuid4(),
            name=new.name,
            kind=new.kind.value,
            contacts=[_contact_json(c) for c in new.contacts],
            subcontractors=list(new.subcontractors),
            created_at=self.clock.now(),
            created_by=by,
        )
        self.session.add(vendor)
        await self.session.flush()
        return vendor

    async def list_vendors(self) -> list[Vendor]:
        return await repo.list_vendors(self.session)

    async def get_vendor(self, vendor_id: uuid.UUID) -> VendorView:
        vendor = await self._vendor(vendor_id)
        rows = await repo.current_baas(self.session, vendor_id)
        ended = await repo.terminations(self.session, [r.agreement_id for r in rows])
        views = tuple(self._view(r, ended.get(r.agreement_id), current=True) for r in rows)
        return VendorView(vendor, views)

    # BAAs

    async def upload_baa(
        self,
        vendor_id: uuid.UUID,
        terms: BaaTerms,
        document: SignedDocument,
        *,
        by: uuid.UUID,
    ) -> BaaView:
        """Store a new agreement (version 1): document first, then the row with its findings."""
        vendor = await self._vendor(vendor_id)
        check_document(document, max_bytes=self.max_document_bytes)
        row = await self._store(
            vendor, terms, document, agreement_id=uuid.uuid4(), version=1, by=by
        )
        return self._view(row, None, current=True)

    async def amend_baa(
        self, baa_id: uuid.UUID, terms: BaaTerms, document: SignedDocument, *, by: uuid.UUID
    ) -> BaaView:
        """A new version of the agreement with the amended terms in full; the old one stays."""
        row, termination, versions = await self._current(baa_id)
        if termination is not None:
            raise BaaTerminated("agreement is terminated", baa_id=str(baa_id))
        check_document(document, max_bytes=self.max_document_bytes)
        vendor = await self._vendor(row.vendor_id)
        new = await self._store(
            vendor, terms, document, agreement_id=row.agreement_id, version=row.version + 1, by=by
        )
        return self._view(new, None, current=True, history=(*versions, new))

    async def terminate_baa(
        self, baa_id: uuid.UUID, *, terminated_on: date, reason: str, by: uuid.UUID
    ) -> BaaView:
        """Record the termination of the agreement; from ``terminated_on`` on it blocks."""
        row, termination, versions = await self._current(baa_id)
        if termination is not None:
            raise BaaTerminated("agreement is terminated", baa_id=str(baa_id))
        ended = BaaTermination(
            agreement_id=row.agreement_id,
            baa_id=row.id,
            terminated_on=terminated_on,
            reason=reason,
            created_at=self.clock.now(),
            created_by=by,
        )
        self.session.add(ended)
        await self.session.flush()
        return self._view(row, ended, current=True, history=tuple(versions))

    async def get_baa(self, baa_id: uuid.UUID) -> BaaView:
        row = await self._baa(baa_id)
        versions = await repo.versions_of(self.session, row.agreement_id)
        termination = await repo.termination_of(self.session, row.agreement_id)
        current = versions[-1].id == row.id
        return self._view(row, termination, current=current, history=tuple(versions))

    async def delete_baa(self, baa_id: uuid.UUID) -> NoReturn:
        """RET-01: BAA records are never deleted; the refusal names the retention date."""
        row = await self._baa(baa_id)
        termination = await repo.termination_of(self.session, row.agreement_id)
        last = termination.terminated_on if termination else row.ends_on
        created = row.created_at.date()
        decision = check_deletion(created, last, on=today(self.clock))
        raise BaaRetained(
            "BAA records are retained",
            baa_id=str(baa_id),
            retain_until=retain_until(created, last).isoformat(),
            codes=list(decision.codes),
        )

    # questions

    async def may_receive(
        self, vendor_id: uuid.UUID, function: VendorFunction, on: date
    ) -> Decision:
        await self._vendor(vendor_id)
        return await may_receive(self.session, vendor_id, function, on)

    async def compliance(self, on: date | None = None) -> list[ComplianceRow]:
        """Every vendor: may it receive PHI for its own kind of work on ``on`` (default today)?"""
        day = on or today(self.clock)
        rows: list[ComplianceRow] = []
        for vendor in await repo.list_vendors(self.session):
            decision = await may_receive(self.session, vendor.id, VendorFunction(vendor.kind), day)
            rows.append(ComplianceRow(vendor, day, decision, await self._governing(vendor, day)))
        return rows

    async def expiring(self, on: date, within_days: int) -> list[ExpiringBaa]:
        return await expiring_baas(self.session, on, within_days)

    # internals

    async def _store(
        self,
        vendor: Vendor,
        terms: BaaTerms,
        document: SignedDocument,
        *,
        agreement_id: uuid.UUID,
        version: int,
        by: uuid.UUID,
    ) -> BaaVersion:
        if not terms.functions:
            terms = _with_functions(terms, frozenset({VendorFunction(vendor.kind)}))
        checked_on = today(self.clock)
        stored = await self.blobs.put(document.data, content_type=PDF_TYPE, prefix=BLOB_PREFIX)
        row = BaaVersion(
            id=uuid.uuid4(),
            vendor_id=vendor.id,
            agreement_id=agreement_id,
            version=version,
            document_key=stored.key,
            document_sha256=stored.sha256,
            document_size=stored.size,
            covered_entity=terms.covered_entity,
            business_associate=terms.business_associate,
            effective_on=terms.effective_on,
            ends_on=terms.ends_on,
            functions=sorted(f.value for f in terms.functions),
            clauses=sorted(c.value for c in terms.clauses),
            breach_notice_days=terms.breach_notice_days,
            subcontractors=list(terms.subcontractors),
            findings=_stored_findings(terms, checked_on),
            checked_on=checked_on,
            created_at=self.clock.now(),
            created_by=by,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def _governing(self, vendor: Vendor, day: date) -> BaaView | None:
        rows = await repo.current_baas(self.session, vendor.id)
        if not rows:
            return None
        ended = await repo.terminations(self.session, [r.agreement_id for r in rows])
        views = [self._view(r, ended.get(r.agreement_id), current=True, on=day) for r in rows]
        usable = [v for v in views if v.status.value in {"active", "expiring"}]
        return (usable or views)[0]

    def _view(
        self,
        row: BaaVersion,
        termination: BaaTermination | None,
        *,
        current: bool,
        history: tuple[BaaVersion, ...] = (),
        on: date | None = None,
    ) -> BaaView:
        day = on or today(self.clock)
        status = baa_status(
            contract_of(row, termination), on=day, expiring_within_days=self.expiring_within_days
        )
        return BaaView(row, status, day, termination, current, history)

    async def _vendor(self, vendor_id: uuid.UUID) -> Vendor:
        vendor = await repo.get_vendor(self.session, vendor_id)
        if vendor is None:
            raise VendorNotFound("no such vendor", vendor_id=str(vendor_id))
        return vendor

    async def _baa(self, baa_id: uuid.UUID) -> BaaVersion:
        row = await repo.get_baa(self.session, baa_id)
        if row is None:
            raise BaaNotFound("no such BAA", baa_id=str(baa_id))
        return row

    async def _current(
        self, baa_id: uuid.UUID
    ) -> tuple[BaaVersion, BaaTermination | None, list[BaaVersion]]:
        row = await self._baa(baa_id)
        versions = await repo.versions_of(self.session, row.agreement_id)
        if versions[-1].id != row.id:
            raise BaaSuperseded("amend or terminate the newest version", baa_id=str(baa_id))
        return row, await repo.termination_of(self.session, row.agreement_id), versions


def _with_functions(terms: BaaTerms, functions: frozenset[VendorFunction]) -> BaaTerms:
    return BaaTerms(
        covered_entity=terms.covered_entity,
        business_associate=terms.business_associate,
        effective_on=terms.effective_on,
        functions=functions,
        clauses=terms.clauses,
        ends_on=terms.ends_on,
        breach_notice_days=terms.breach_notice_days,
        subcontractors=terms.subcontractors,
    )


def _stored_findings(terms: BaaTerms, on: date) -> list[dict[str, Any]]:
    """The findings of ``check_baa`` for every covered function on the day of storing, once
    each (BA-02's clause findings name the missing clause)."""
    baa = terms.to_contract()
    seen: dict[tuple[str, str | None], dict[str, Any]] = {}
    for function in sorted(baa.functions):
        for found in check_baa(baa, on=on, function=function).findings:
            seen.setdefault((found.code, found.subject), finding_to_json(found))
    return list(seen.values())


def _contact_json(contact: Any) -> dict[str, Any]:
    return {k: getattr(contact, k) for k in ("name", "email", "phone", "role")}
