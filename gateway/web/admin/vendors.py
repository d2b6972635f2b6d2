"""Vendor and BAA pages: the list with BAA status badges, a vendor with its agreements and their
versions, registering a vendor, uploading, amending and terminating a BAA.

The handlers call ``VendorService`` exactly as ``gateway/vendors_api.py`` does, and parse the
terms with the API's own ``parse_terms`` (same checks, same reason codes); a refusal is shown on
the page with its message and code, with the API's status. A successful POST answers the page
itself (200): the request's transaction commits on a 2xx answer only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Template

from contracts import BaaClause, VendorFunction
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.auth.rules import holds
from gateway.errors import status_for
from gateway.vendors_api import (
    BAA_BODY_MAX_BYTES,
    BAA_DOCUMENT_MAX_BYTES,
    Vendors,
    parse_terms,
    provide_vendor_service,
    signed_document,
)
from gateway.web.admin.common import admin_page, refusal
from gateway.web.forms import AnyRequest, text_field
from kernel.clock import today
from kernel.errors import DomainError
from vendors import BaaView, NewVendor, VendorView

DEPENDENCIES = {"vendors": Provide(provide_vendor_service)}

MESSAGES = {
    "BAA_TERMS_INVALID": "The terms are incomplete or not valid: check the names, the dates "
    "(the end on or after the start) and choose at least one clause.",
    "BAA_TERMS_NOT_JSON": "The terms could not be read.",
    "BAA_DOCUMENT_TYPE": "The signed BAA must be a PDF file.",
    "BAA_DOCUMENT_NOT_PDF": "The file is not a readable PDF document.",
    "BAA_DOCUMENT_TOO_LARGE": f"The file is larger than {BAA_DOCUMENT_MAX_BYTES // 2**20} MB.",
    "BAA_DOCUMENT_MISSING": "Choose the signed BAA (a PDF file) to upload.",
    "BAA_ALREADY_TERMINATED": "This agreement is terminated already.",
    "BAA_SUPERSEDED": "A newer version of this agreement exists: amend the current version.",
    "VENDOR_NAME_TAKEN": "A vendor with that name is registered already.",
    "VENDOR_INVALID": "Give the vendor a name (up to 200 characters) and a kind of work.",
    "TERMINATION_INVALID": "Give the termination date and a reason (up to 500 characters).",
}
BADGES = {
    "active": "Active",
    "expiring": "Expiring soon",
    "expired": "Expired",
    "terminated": "Terminated",
    "not_yet_effective": "Not yet effective",
    "incomplete": "Incomplete",
    "none": "No BAA",
}
# The badge a vendor's list row shows: its best agreement's status.
STATUS_RANK = ("active", "expiring", "not_yet_effective", "incomplete", "expired", "terminated")
KINDS = tuple(f.value for f in VendorFunction)
CLAUSES = tuple(c.value for c in BaaClause)


class PageRefusal(DomainError):
    """A form the page refuses before calling the service (a missing file, a bad field)."""

    code = "FORM_INVALID"

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code  # type: ignore[misc]  # per-instance reason code
        self.status = status


def message_of(exc: DomainError) -> tuple[str, int]:
    status = exc.status if isinstance(exc, PageRefusal) else status_for(exc)
    return refusal(exc.code, MESSAGES.get(exc.code, "The form was refused.")), status


@dataclass(frozen=True, slots=True)
class VendorRow:
    id: uuid.UUID
    name: str
    kind: str
    status: str
    badge: str
    ends_on: date | None


def vendor_status(view: VendorView) -> tuple[str, date | None]:
    """The best status among the vendor's current agreements, or ``none``."""
    best: BaaView | None = None
    for baa in view.baas:
        if best is None or STATUS_RANK.index(baa.status.value) < STATUS_RANK.index(
            best.status.value
        ):
            best = baa
    if best is None:
        return "none", None
    return best.status.value, best.row.ends_on


async def vendor_rows(vendors: Vendors) -> list[VendorRow]:
    rows = []
    for vendor in await vendors.list_vendors():
        status, ends_on = vendor_status(await vendors.get_vendor(vendor.id))
        rows.append(VendorRow(vendor.id, vendor.name, vendor.kind, status, BADGES[status], ends_on))
    return rows


async def list_page(
    request: AnyRequest,
    principal: Principal,
    vendors: Vendors,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Template:
    return admin_page(
        request,
        principal,
        "vendors.html",
        "Vendors and BAAs",
        status=status,
        rows=await vendor_rows(vendors),
        can_write=holds(principal.role, "vendors.write"),
        kinds=KINDS,
        within_days=vendors.expiring_within_days,
        error=error,
        notice=notice,
    )


@get("/admin/vendors", opt={"rule": "vendors.read"}, dependencies=DEPENDENCIES)
async def vendors_page(
    request: AnyRequest, principal: CurrentPrincipal, vendors: Vendors
) -> Template:
    return await list_page(request, principal, vendors)


@post("/admin/vendors", opt={"rule": "vendors.write"}, dependencies=DEPENDENCIES, status_code=200)
async def register_vendor(
    request: AnyRequest, principal: CurrentPrincipal, vendors: Vendors
) -> Template:
    name = (await text_field(request, "name", 200)).strip()
    kind = await text_field(request, "kind", 16)
    if not name or kind not in KINDS:
        message = refusal("VENDOR_INVALID", MESSAGES["VENDOR_INVALID"])
        return await list_page(request, principal, vendors, error=message, status=422)
    try:
        new = NewVendor(name, VendorFunction(kind), (), ())
        await vendors.register_vendor(new, by=principal.user_id)
    except DomainError as exc:
        message, status = message_of(exc)
        return await list_page(request, principal, vendors, error=message, status=status)
    return await list_page(request, principal, vendors, notice="The vendor is registered.")


async def baa_histories(vendors: Vendors, view: VendorView) -> list[BaaView]:
    """Each current agreement with all its versions (``get_baa`` of the current version)."""
    return [await vendors.get_baa(baa.id) for baa in view.baas]


async def detail_page(
    request: AnyRequest,
    principal: Principal,
    vendors: Vendors,
    vendor_id: uuid.UUID,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Template:
    view = await vendors.get_vendor(vendor_id)
    return admin_page(
        request,
        principal,
        "vendor.html",
        "Vendor",
        status=status,
        vendor=view.vendor,
        baas=await baa_histories(vendors, view),
        badges=BADGES,
        can_write=holds(principal.role, "vendors.write"),
        kinds=KINDS,
        clauses=CLAUSES,
        today=today(vendors.clock).isoformat(),
        form=form or {},
        error=error,
        notice=notice,
    )


@get("/admin/vendors/{vendor_id:uuid}", opt={"rule": "vendors.read"}, dependencies=DEPENDENCIES)
async def vendor_page(
    request: AnyRequest,
    principal: CurrentPrincipal,
    vendors: Vendors,
    vendor_id: FromPath[uuid.UUID],
) -> Template:
    return await detail_page(request, principal, vendors, vendor_id)


async def terms_json(request: AnyRequest) -> tuple[str, dict[str, Any]]:
    """The form's terms as the JSON document the API takes in its ``terms`` field, and the
    fields as posted (to fill the form again after a refusal)."""
    form = await request.form()
    fields: dict[str, Any] = {
        key: await text_field(request, key, 200)
        for key in ("covered_entity", "business_associate", "effective_on", "ends_on")
    }
    notice_days = (await text_field(request, "breach_notice_days", 8)).strip()
    fields["breach_notice_days"] = notice_days
    fields["clauses"] = [c for c in form.getall("clauses", []) if isinstance(c, str)]
    fields["functions"] = [f for f in form.getall("functions", []) if isinstance(f, str)]
    terms: dict[str, Any] = {
        "covered_entity": fields["covered_entity"].strip(),
        "business_associate": fields["business_associate"].strip(),
        "effective_on": fields["effective_on"],
        "clauses": fields["clauses"],
        "functions": fields["functions"],
    }
    if fields["ends_on"]:
        terms["ends_on"] = fields["ends_on"]
    if notice_days:
        terms["breach_notice_days"] = int(notice_days) if notice_days.isdigit() else notice_days
    return json.dumps(terms), fields


async def posted_document(request: AnyRequest) -> UploadFile:
    document = (await request.form()).get("document")
    if not isinstance(document, UploadFile) or not document.filename:
        raise PageRefusal("BAA_DOCUMENT_MISSING", 422)
    return document


@post(
    "/admin/vendors/{vendor_id:uuid}/baas",
    opt={"rule": "vendors.write"},
    dependencies=DEPENDENCIES,
    request_max_body_size=BAA_BODY_MAX_BYTES,
    status_code=200,
)
async def upload_baa(
    request: AnyRequest,
    principal: CurrentPrincipal,
    vendors: Vendors,
    vendor_id: FromPath[uuid.UUID],
) -> Template:
    raw, fields = await terms_json(request)
    try:
        document = await signed_document(await posted_document(request))
        await vendors.upload_baa(vendor_id, parse_terms(raw), document, by=principal.user_id)
    except DomainError as exc:
        message, status = message_of(exc)
        return await detail_page(
            request, principal, vendors, vendor_id, error=message, status=status, form=fields
        )
    notice = "The BAA is uploaded and checked."
    return await detail_page(request, principal, vendors, vendor_id, notice=notice)


@post(
    "/admin/baas/{baa_id:uuid}/amendments",
    opt={"rule": "vendors.write"},
    dependencies=DEPENDENCIES,
    request_max_body_size=BAA_BODY_MAX_BYTES,
    status_code=200,
)
async def amend_baa(
    request: AnyRequest, principal: CurrentPrincipal, vendors: Vendors, baa_id: FromPath[uuid.UUID]
) -> Template:
    vendor_id = (await vendors.get_baa(baa_id)).row.vendor_id
    raw, _fields = await terms_json(request)
    try:
        document = await signed_document(await posted_document(request))
        await vendors.amend_baa(baa_id, parse_terms(raw), document, by=principal.user_id)
    except DomainError as exc:
        message, status = message_of(exc)
        return await detail_page(
            request, principal, vendors, vendor_id, error=message, status=status
        )
    notice = "The amendment is stored as a new version."
    return await detail_page(request, principal, vendors, vendor_id, notice=notice)


@post(
    "/admin/baas/{baa_id:uuid}/termination",
    opt={"rule": "vendors.write"},
    dependencies=DEPENDENCIES,
    status_code=200,
)
async def terminate_baa(
    request: AnyRequest, principal: CurrentPrincipal, vendors: Vendors, baa_id: FromPath[uuid.UUID]
) -> Template:
    vendor_id = (await vendors.get_baa(baa_id)).row.vendor_id
    reason = (await text_field(request, "reason", 500)).strip()
    try:
        terminated_on = date.fromisoformat(await text_field(request, "terminated_on", 10))
    except ValueError:
        terminated_on = None
    if terminated_on is None or not reason:
        message = refusal("TERMINATION_INVALID", MESSAGES["TERMINATION_INVALID"])
        return await detail_page(request, principal, vendors, vendor_id, error=message, status=422)
    try:
        await vendors.terminate_baa(
            baa_id, terminated_on=terminated_on, reason=reason, by=principal.user_id
        )
    except DomainError as exc:
        message, status = message_of(exc)
        return await detail_page(
            request, principal, vendors, vendor_id, error=message, status=status
        )
    notice = "The termination is recorded."
    return await detail_page(request, principal, vendors, vendor_id, notice=notice)
