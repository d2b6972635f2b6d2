"""API v1 of requests and vendor work orders.

- ``POST /api/v1/requests`` (``requests.submit``): multipart, with the request as JSON in the
  ``request`` part and the signed document of the basis (PDF, PNG, JPEG or TIFF) in ``evidence``
  (required for authorizations, directives, subpoenas and court orders).
- ``POST /api/v1/work-orders`` (``releases.review``, staff): JSON.
- ``GET /api/v1/requests`` and ``GET /api/v1/requests/{release_id}`` (``requests.read``): a
  requester sees its own organisation's requests only; another organisation's id is 404.
- ``POST /api/v1/requests/{release_id}/extension`` (``releases.review``): the one extension.

Submissions take an ``Idempotency-Key`` header: a retry with the same key and body gets the first
response (with ``Idempotent-Replayed: true``); the same key with another body is 422
``IDEMPOTENCY_KEY_REUSED``.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any, Literal, TypeVar

import msgspec
import structlog
from litestar import Controller, Response, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import (
    FromPath,
    HeaderParameter,
    JSONBody,
    MultipartBody,
    QueryParameter,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import InvalidInstrument
from gateway.api.request_schemas import (
    ExtensionIn,
    RequestIn,
    RequestOut,
    RequestSummaryOut,
    WorkOrderIn,
    render,
)
from gateway.auth import CurrentPrincipal, Principal
from gateway.errors import ApiError, register
from gateway.releases import request_errors as e
from gateway.releases.assembly import start_after_commit
from gateway.releases.intake import IntakeService, Submitted
from gateway.releases.submissions import Evidence, Idempotency, NewRequest, NewWorkOrder
from gateway.services import Services

for _error, _status in {
    e.RequestNotFound: HTTPStatus.NOT_FOUND,
    e.PatientNotFound: HTTPStatus.NOT_FOUND,
    e.BasisInvalid: HTTPStatus.BAD_REQUEST,
    e.PatientIdentifiersMissing: HTTPStatus.BAD_REQUEST,
    e.EvidenceRequired: HTTPStatus.BAD_REQUEST,
    e.EvidenceWrongType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    e.EvidenceTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    e.EvidenceNotRecognised: HTTPStatus.UNPROCESSABLE_ENTITY,
    e.IdempotencyKeyInvalid: HTTPStatus.BAD_REQUEST,
    e.IdempotencyKeyReused: HTTPStatus.UNPROCESSABLE_ENTITY,
    e.RequestClosed: HTTPStatus.CONFLICT,
    e.StateFilterInvalid: HTTPStatus.BAD_REQUEST,
    e.ExtensionRefused: HTTPStatus.CONFLICT,
    InvalidInstrument: HTTPStatus.BAD_REQUEST,
}.items():
    register(_error, _status)

log = structlog.get_logger(__name__)
Part = TypeVar("Part", bound=msgspec.Struct)
IdempotencyKey = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=200)
]


@dataclass
class RequestUpload:
    """The multipart form of a submission."""

    request: str
    evidence: UploadFile | None = None


Intake = NamedDependency[IntakeService]


async def provide_intake(db_session: NamedDependency[AsyncSession], state: State) -> IntakeService:
    services: Services = state.services
    return IntakeService(
        db_session,
        blobs=services.blobs,
        clock=services.clock,
        settings=state.settings.requests,
        site_rules=state.site_rules,
    )


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul(body: msgspec.Struct) -> None:
    """No NUL characters in any text (PostgreSQL text cannot hold them): 400, nothing stored."""
    if _has_nul(msgspec.to_builtins(body)):
        raise ApiError("TEXT_INVALID", HTTPStatus.BAD_REQUEST)


def parse_request(raw: str) -> RequestIn:
    """The ``request`` part: exactly the allowed keys; a bad shape is 400 with a code that says
    whether the basis or the rest is wrong (never the value)."""
    return parse_part(raw, RequestIn)


def parse_part(raw: str, shape: type[Part]) -> Part:
    """A JSON part of a multipart form as ``shape``, or 400 ``BASIS_INVALID``,
    ``REQUEST_INVALID`` or ``REQUEST_NOT_JSON`` (never the value); no NUL characters."""
    try:
        body = msgspec.json.decode(raw, type=shape)
    except msgspec.ValidationError as exc:
        code = "BASIS_INVALID" if "`$.basis" in str(exc) else "REQUEST_INVALID"
        raise ApiError(code, HTTPStatus.BAD_REQUEST) from exc
    except msgspec.DecodeError as exc:
        raise ApiError("REQUEST_NOT_JSON", HTTPStatus.BAD_REQUEST) from exc
    refuse_nul(body)
    return body


def fingerprint(route: str, body: msgspec.Struct, evidence: Evidence | None = None) -> str:
    """SHA-256 of what was submitted: the canonical JSON of the parsed body and the evidence."""
    digest = hashlib.sha256(route.encode() + b"\0" + msgspec.json.encode(body))
    if evidence is not None:
        digest.update(b"\0" + evidence.content_type.encode() + b"\0")
        digest.update(hashlib.sha256(evidence.data).digest())
    return digest.hexdigest()


def new_request(data: RequestIn, evidence: Evidence | None) -> NewRequest:
    try:
        scope = data.scope.to_domain()
    except InvalidInstrument as exc:
        raise ApiError("SCOPE_INVALID", HTTPStatus.BAD_REQUEST) from exc
    return NewRequest(
        data.patient.to_domain(),
        data.recipient.to_domain(),
        data.basis,
        scope,
        data.purpose,
        evidence,
    )


def new_work_order(data: WorkOrderIn) -> NewWorkOrder:
    try:
        scope = data.scope.to_domain()
    except InvalidInstrument as exc:
        raise ApiError("SCOPE_INVALID", HTTPStatus.BAD_REQUEST) from exc
    return NewWorkOrder(
        data.vendor_id, data.vendor_function, data.patient_id, scope, data.purpose, data.basis
    )


async def read_evidence(upload: UploadFile | None) -> Evidence | None:
    if upload is None:
        return None
    return Evidence(await upload.read(), upload.content_type or "")


async def hand_to_assembly(session: AsyncSession, submitted: Submitted) -> None:
    """Commit a new release, then enqueue its assembly if the check sent it to ``assembling``
    (``start_assembly`` looks; a crash between the commit and the enqueue is covered by the
    sweep of ``gateway.releases.sweeps``). Once committed the release is the answer: a database
    that fails during the enqueue is logged and left to that sweep, never a 503 for a request
    that was stored (a client retrying it would submit it twice)."""
    if submitted.replayed or "id" not in submitted.body:
        return
    await session.commit()
    sessions = async_sessionmaker(session.bind, expire_on_commit=False)
    await start_after_commit(sessions, uuid.UUID(str(submitted.body["id"])))


def answer(submitted: Submitted) -> Response[dict[str, Any]]:
    headers = {"Idempotent-Replayed": "true"} if submitted.replayed else {}
    return Response(submitted.body, status_code=submitted.status_code, headers=headers)


def renderer(principal: Principal) -> Any:
    return lambda view: render(view, principal)


class RequestController(Controller):
    path = "/api/v1"
    tags = ["requests"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"intake": Provide(provide_intake)}  # noqa: RUF012

    @post("/requests", opt={"rule": "requests.submit"})
    async def submit(
        self,
        data: MultipartBody[RequestUpload],
        intake: Intake,
        principal: CurrentPrincipal,
        db_session: NamedDependency[AsyncSession],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        """Submit a request: patient identifiers, recipient, legal basis, scope, purpose, and the
        signed document as evidence. Answers the release with its state and findings."""
        body, evidence = parse_request(data.request), await read_evidence(data.evidence)
        idem = Idempotency.of(idempotency_key, fingerprint("requests", body, evidence))
        submitted = await intake.submit_request(
            principal, new_request(body, evidence), idem, renderer(principal)
        )
        await hand_to_assembly(db_session, submitted)
        return answer(submitted)

    @post("/work-orders", opt={"rule": "releases.review"})
    async def open_work_order(
        self,
        data: JSONBody[WorkOrderIn],
        intake: Intake,
        principal: CurrentPrincipal,
        db_session: NamedDependency[AsyncSession],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        """Open a vendor work order: records of a patient to a vendor for one function, checked
        against the vendor's BAA (``BAA_EXPIRED`` and the other BA-01 codes block)."""
        refuse_nul(data)
        idem = Idempotency.of(idempotency_key, fingerprint("work-orders", data))
        submitted = await intake.open_work_order(
            principal, new_work_order(data), idem, renderer(principal)
        )
        await hand_to_assembly(db_session, submitted)
        return answer(submitted)

    @get("/requests", opt={"rule": "requests.read"})
    async def list_requests(
        self,
        intake: Intake,
        principal: CurrentPrincipal,
        *,
        state_filter: Annotated[str | None, QueryParameter(name="state", max_length=20)] = None,
        kind: Annotated[Literal["request", "work_order"] | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    ) -> list[RequestSummaryOut]:
        """Requests, newest first: staff see all (``state`` is the release state); a requester
        sees its organisation's (``state`` is what it sees, e.g. ``in_preparation``)."""
        rows = await intake.list(
            principal, state=state_filter, kind=kind, limit=limit, offset=offset
        )
        return [RequestSummaryOut.of(r, principal) for r in rows]

    @get("/requests/{release_id:uuid}", opt={"rule": "requests.read"})
    async def get_request(
        self, release_id: FromPath[uuid.UUID], intake: Intake, principal: CurrentPrincipal
    ) -> RequestOut:
        """One request: its state, findings, exclusions, due date and timeline."""
        return RequestOut.of(await intake.get(principal, release_id), principal)

    @post("/requests/{release_id:uuid}/extension", opt={"rule": "releases.review"})
    async def extend(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[ExtensionIn],
        intake: Intake,
        principal: CurrentPrincipal,
    ) -> RequestOut:
        """The one extension of the due date (ACC-01), with the reasons for the letter."""
        refuse_nul(data)
        view = await intake.extend(principal, release_id, data.reasons)
        return RequestOut.of(view, principal)
