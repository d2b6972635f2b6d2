"""API v1 of the vendor and BAA registry, and the reason-code table.

Staff read (``vendors.read``: admin, specialist); admins write (``vendors.write``). Each handler
validates its input, makes one service call and maps the result to a wire schema. A BAA upload is
multipart: the signed PDF in ``document`` and the terms as JSON in ``terms``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, MultipartBody
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import reason_table_json
from gateway.auth import CurrentPrincipal
from gateway.errors import ApiError, register
from gateway.services import Services
from gateway.vendors_schemas import (
    BaaOut,
    BaaTermsIn,
    ComplianceOut,
    TerminationIn,
    VendorDetailOut,
    VendorIn,
    VendorOut,
)
from vendors import (
    BaaDocumentRejected,
    BaaDocumentTooLarge,
    BaaDocumentWrongType,
    BaaNotFound,
    BaaRetained,
    BaaSuperseded,
    BaaTerminated,
    BaaTerms,
    BaaTermsInvalid,
    SignedDocument,
    VendorNameTaken,
    VendorNotFound,
    VendorService,
)

BAA_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The whole multipart body: the document plus the terms and the form's framing.
BAA_BODY_MAX_BYTES = BAA_DOCUMENT_MAX_BYTES + 256 * 1024

for _error, _status in {
    VendorNotFound: HTTPStatus.NOT_FOUND,
    BaaNotFound: HTTPStatus.NOT_FOUND,
    VendorNameTaken: HTTPStatus.CONFLICT,
    BaaTerminated: HTTPStatus.CONFLICT,
    BaaSuperseded: HTTPStatus.CONFLICT,
    BaaRetained: HTTPStatus.CONFLICT,
    BaaDocumentWrongType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    BaaDocumentTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    BaaDocumentRejected: HTTPStatus.UNPROCESSABLE_ENTITY,
    BaaTermsInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
}.items():
    register(_error, _status)


@dataclass
class BaaUpload:
    """The multipart form of a BAA upload or amendment."""

    document: UploadFile
    terms: str


Multipart = MultipartBody[BaaUpload]
Vendors = NamedDependency[VendorService]


async def provide_vendor_service(
    db_session: NamedDependency[AsyncSession], state: State
) -> VendorService:
    """The service over the request's session and the app's blob store and clock (built once
    in ``create_app``; a Protocol-typed dependency cannot be validated by Litestar)."""
    services: Services = state.services
    settings = state.settings
    return VendorService(
        db_session,
        blobs=services.blobs,
        clock=services.clock,
        expiring_within_days=settings.vendors.expiring_within_days,
        max_document_bytes=BAA_DOCUMENT_MAX_BYTES,
    )


def parse_terms(raw: str) -> BaaTerms:
    """The ``terms`` field: JSON with exactly the allowed keys; a bad one is 422 with a code."""
    try:
        return msgspec.json.decode(raw, type=BaaTermsIn).to_domain()
    except msgspec.ValidationError as exc:
        raise ApiError("BAA_TERMS_INVALID", HTTPStatus.UNPROCESSABLE_ENTITY) from exc
    except msgspec.DecodeError as exc:
        raise ApiError("BAA_TERMS_NOT_JSON", HTTPStatus.UNPROCESSABLE_ENTITY) from exc


async def signed_document(upload: UploadFile) -> SignedDocument:
    return SignedDocument(await upload.read(), upload.content_type or "")


class VendorController(Controller):
    path = "/api/v1"
    tags = ["vendors"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"vendors": Provide(provide_vendor_service)}  # noqa: RUF012

    @get("/vendors", opt={"rule": "vendors.read"})
    async def list_vendors(self, vendors: Vendors) -> list[VendorOut]:
        """Every registered vendor, by name."""
        return [VendorOut.of(v) for v in await vendors.list_vendors()]

    @post("/vendors", opt={"rule": "vendors.write"})
    async def register_vendor(
        self, data: JSONBody[VendorIn], vendors: Vendors, principal: CurrentPrincipal
    ) -> VendorOut:
        """Register a vendor (copy, transcription, scanning, storage, mailing, redaction)."""
        return VendorOut.of(await vendors.register_vendor(data.to_domain(), by=principal.user_id))

    @get("/vendors/compliance", opt={"rule": "vendors.read"})
    async def compliance(self, vendors: Vendors) -> list[ComplianceOut]:
        """Every vendor: may it receive PHI today for its kind of work, and if not, why not."""
        return [ComplianceOut.of(row) for row in await vendors.compliance()]

    @get("/vendors/{vendor_id:uuid}", opt={"rule": "vendors.read"})
    async def get_vendor(self, vendor_id: FromPath[uuid.UUID], vendors: Vendors) -> VendorDetailOut:
        """A vendor with the newest version of each of its BAAs and their status today."""
        return VendorDetailOut.of(await vendors.get_vendor(vendor_id))

    @post(
        "/vendors/{vendor_id:uuid}/baas",
        opt={"rule": "vendors.write"},
        request_max_body_size=BAA_BODY_MAX_BYTES,
    )
    async def upload_baa(
        self,
        vendor_id: FromPath[uuid.UUID],
        data: Multipart,
        vendors: Vendors,
        principal: CurrentPrincipal,
    ) -> BaaOut:
        """Upload a signed BAA (PDF) with its terms; the checks run and their findings are kept."""
        terms, document = parse_terms(data.terms), await signed_document(data.document)
        view = await vendors.upload_baa(vendor_id, terms, document, by=principal.user_id)
        return BaaOut.of(view)

    @get("/baas/{baa_id:uuid}", opt={"rule": "vendors.read"})
    async def get_baa(self, baa_id: FromPath[uuid.UUID], vendors: Vendors) -> BaaOut:
        """One BAA version with its status today, its termination and all versions."""
        return BaaOut.of(await vendors.get_baa(baa_id))

    @post(
        "/baas/{baa_id:uuid}/amendments",
        opt={"rule": "vendors.write"},
        request_max_body_size=BAA_BODY_MAX_BYTES,
    )
    async def amend_baa(
        self,
        baa_id: FromPath[uuid.UUID],
        data: Multipart,
        vendors: Vendors,
        principal: CurrentPrincipal,
    ) -> BaaOut:
        """A new version with the amended terms in full and the signed amendment; the old
        version is kept."""
        terms, document = parse_terms(data.terms), await signed_document(data.document)
        return BaaOut.of(await vendors.amend_baa(baa_id, terms, document, by=principal.user_id))

    @post("/baas/{baa_id:uuid}/termination", opt={"rule": "vendors.write"})
    async def terminate_baa(
        self,
        baa_id: FromPath[uuid.UUID],
        data: JSONBody[TerminationIn],
        vendors: Vendors,
        principal: CurrentPrincipal,
    ) -> BaaOut:
        """Record the termination of the agreement; it blocks from its date on."""
        view = await vendors.terminate_baa(
            baa_id, terminated_on=data.terminated_on, reason=data.reason, by=principal.user_id
        )
        return BaaOut.of(view)


@get("/api/v1/reason-codes", opt={"rule": "authenticated"}, tags=["vendors"])
async def reason_codes() -> Response[Any]:
    """The one reason-code table ``{code, rule_id, citation, severity, message}``."""
    return Response(reason_table_json(), media_type="application/json")
