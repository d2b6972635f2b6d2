"""Builders for vendors and BAAs (synthetic names only)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import BaaClause, VendorFunction
from gateway.blobs import MemoryBlobStore
from kernel.clock import FixedClock
from vendors import BaaTerms, BaaView, NewVendor, SignedDocument, VendorService
from vendors.models import Vendor

TODAY = date(2026, 11, 27)
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ADMIN = uuid.UUID("00000000-0000-4000-8000-000000000001")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ALL_CLAUSES = frozenset(BaaClause)


def pdf_document(data: bytes = PDF, content_type: str = "application/pdf") -> SignedDocument:
    return SignedDocument(data, content_type)


def baa_terms(
    *,
    effective_on: date = TODAY - timedelta(days=30),
    ends_on: date | None = TODAY + timedelta(days=365),
    functions: frozenset[VendorFunction] = frozenset({VendorFunction.COPY}),
    missing: frozenset[BaaClause] = frozenset(),
    breach_notice_days: int | None = 30,
) -> BaaTerms:
    return BaaTerms(
        covered_entity="General Hospital (synthetic)",
        business_associate="Acme Copy Service (synthetic)",
        effective_on=effective_on,
        functions=functions,
        clauses=ALL_CLAUSES - missing,
        ends_on=ends_on,
        breach_notice_days=breach_notice_days,
    )


def terms_json(**overrides: Any) -> dict[str, Any]:
    """The wire form of a complete BAA's terms."""
    body: dict[str, Any] = {
        "covered_entity": "General Hospital (synthetic)",
        "business_associate": "Acme Copy Service (synthetic)",
        "effective_on": (TODAY - timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + timedelta(days=365)).isoformat(),
        "functions": ["copy"],
        "clauses": sorted(c.value for c in BaaClause),
        "breach_notice_days": 30,
    }
    return {**body, **overrides}


def vendor_service(session: AsyncSession, clock: FixedClock | None = None) -> VendorService:
    return VendorService(
        session, blobs=MemoryBlobStore(), clock=clock or FixedClock(NOW), max_document_bytes=4096
    )


async def create_vendor(
    service: VendorService,
    *,
    kind: VendorFunction = VendorFunction.COPY,
    name: str | None = None,
) -> Vendor:
    name = name or f"Vendor {uuid.uuid4().hex[:8]} (synthetic)"
    return await service.register_vendor(NewVendor(name, kind), by=ADMIN)


async def create_baa(service: VendorService, vendor: Vendor, **terms: Any) -> BaaView:
    return await service.upload_baa(vendor.id, baa_terms(**terms), pdf_document(), by=ADMIN)
