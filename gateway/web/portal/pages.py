"""The portal's pages and their htmx fragments (rules ``requests.read`` and ``requests.submit``,
as API v1; a requester sees its own organisation's requests only, another's id is 404)."""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Response, get, post
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.holds import commit_then_assemble, provide_answers
from gateway.api.request_schemas import RequestOut
from gateway.api.requests import hand_to_assembly, provide_intake, read_evidence, renderer
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.errors import retry_headers, status_for
from gateway.releases.answers import Answer, AnswerService
from gateway.releases.intake import IntakeService
from gateway.releases.states import REQUESTER_VIEW, State
from gateway.releases.submissions import Evidence, NewRequest
from gateway.releases.views import waiting_on
from gateway.web.forms import AnyRequest
from gateway.web.portal import forms
from gateway.web.portal.common import STATE_LABELS, portal_page, refusal, staff_refusal
from gateway.web.portal.downloads import live_link
from kernel.clock import today
from kernel.errors import DomainError

Intake = NamedDependency[IntakeService]
Answers = NamedDependency[AnswerService]
Db = NamedDependency[AsyncSession]
INTAKE = {"intake": Provide(provide_intake)}
ANSWERS = {"answers": Provide(provide_answers)}
# The signed document (the service's evidence limit is 20 MB by default) and the form around it.
BODY_MAX_BYTES = 20 * 1024 * 1024 + 256 * 1024
IN_PROGRESS = frozenset({"received", "in_preparation"})
POLL_SECONDS = 3

MESSAGES: dict[str, str] = {
    "PATIENT_NOT_FOUND": "The hospital has no patient with those identifiers. Check them.",
    "PATIENT_IDENTIFIERS_MISSING": "Give the medical record number, or the name and birth date.",
    "EVIDENCE_REQUIRED": "Attach the signed authorization (PDF or image).",
    "EVIDENCE_WRONG_TYPE": "The signed authorization must be a PDF, PNG, JPEG or TIFF file.",
    "EVIDENCE_TOO_LARGE": "The signed authorization file is too large.",
    "EVIDENCE_NOT_RECOGNISED": "The file could not be read as a PDF or image.",
    "BASIS_INVALID": "The authorization's details conflict; check its dates.",
    "SCOPE_INVALID": "The date range of the records is not valid.",
    "ANSWER_NOT_EXPECTED": "This request is not waiting on you any more.",
    "ANSWER_EMPTY": "Send corrected patient identifiers or a corrected authorization.",
    "REQUEST_NOT_FOUND": "There is no such request.",
    "BLOB_STORE_UNAVAILABLE": "The document store did not answer, so nothing was saved. "
    "Try again in a minute.",
}
UNAVAILABLE = "A part of the service is not answering, so nothing was saved. Try again in a minute."
REFUSED = "The request was refused."
FIELD_OF_CODE = {
    "PATIENT_NOT_FOUND": "mrn",
    "PATIENT_IDENTIFIERS_MISSING": "mrn",
    "EVIDENCE_REQUIRED": "evidence",
    "EVIDENCE_WRONG_TYPE": "evidence",
    "EVIDENCE_TOO_LARGE": "evidence",
    "EVIDENCE_NOT_RECOGNISED": "evidence",
}


def _code_status(exc: DomainError) -> tuple[str, int]:
    """The reason code and the status API v1 answers for the same refusal."""
    return exc.code, status_for(exc)


def _message(code: str, status: int = HTTPStatus.UNPROCESSABLE_ENTITY) -> str:
    unavailable = status == HTTPStatus.SERVICE_UNAVAILABLE
    return refusal(code, MESSAGES.get(code, UNAVAILABLE if unavailable else REFUSED))


def _refused_page(page: Template, status: int) -> Template:
    """A form shown again after a refusal; a 503 says when to retry, as API v1's does."""
    page.headers.update(retry_headers(status))
    return page


def _on(state: AppState) -> Any:
    return today(state.services.clock)


def _row(release: Any) -> dict[str, Any]:
    seen = REQUESTER_VIEW[State(release.state)]
    return {
        "id": release.id,
        "reference": release.reference,
        "state": seen,
        "basis_type": release.basis_type,
        "due_on": release.due_on,
        "created_on": release.created_at.date(),
        "waiting_on": waiting_on(release),
    }


@get(
    "/portal/requests",
    opt={"rule": "requests.read"},
    media_type=MediaType.HTML,
    dependencies=INTAKE,
)
async def requests_page(request: AnyRequest, principal: CurrentPrincipal, intake: Intake) -> Any:
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    rows = await intake.list(principal, state=None, kind="request", limit=100, offset=0)
    return portal_page(request, principal, "list.html", "Your requests", rows=map(_row, rows))


def _form_page(
    request: AnyRequest, principal: Principal, posted: forms.PostedForm, *, status: int = 200
) -> Template:
    return portal_page(
        request,
        principal,
        "new.html",
        "New request",
        status=status,
        form=posted,
        statements=forms.STATEMENTS,
        record_types=forms.RECORD_TYPES,
        recipient_kinds=forms.RECIPIENT_KINDS,
        signer_kinds=forms.SIGNER_KINDS,
    )


def _blank() -> forms.PostedForm:
    values: dict[str, Any] = dict.fromkeys(forms.TEXT_FIELDS, "")
    values |= {"auth_signed": False, "statements": [], "record_types": []}
    values |= {"recipient_kind": "attorney", "signer_kind": "patient"}
    return forms.PostedForm(values)


@get("/portal/requests/new", opt={"rule": "requests.submit"}, media_type=MediaType.HTML)
async def new_request_page(request: AnyRequest, principal: CurrentPrincipal) -> Any:
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    return _form_page(request, principal, _blank())


@post(
    "/portal/requests/check",
    opt={"rule": "requests.submit"},
    media_type=MediaType.HTML,
    status_code=200,
)
async def check_request(request: AnyRequest, principal: CurrentPrincipal, state: AppState) -> Any:
    """The htmx check: the missing HIPAA authorization elements, as the service finds them."""
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    posted = forms.read_form(await request.form())
    forms.check_basis(posted, on=_on(state))
    return Template(template_name="portal/_missing.html", context={"form": posted})


@post(
    "/portal/requests",
    opt={"rule": "requests.submit"},
    media_type=MediaType.HTML,
    dependencies=INTAKE,
    request_max_body_size=BODY_MAX_BYTES,
    status_code=200,
)
async def submit_request(
    request: AnyRequest,
    principal: CurrentPrincipal,
    intake: Intake,
    db_session: Db,
    state: AppState,
) -> Any:
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    form = await request.form()
    posted = forms.read_form(form)
    upload = forms.evidence_of(form)
    if upload is None:
        posted.errors["evidence"] = _message("EVIDENCE_REQUIRED")
    body = forms.request_in(posted, on=_on(state))
    if body is None or upload is None:
        return _form_page(request, principal, posted, status=int(HTTPStatus.UNPROCESSABLE_ENTITY))
    evidence = Evidence(await upload.read(), upload.content_type or "")
    new = NewRequest(
        body.patient.to_domain(),
        body.recipient.to_domain(),
        body.basis,
        body.scope.to_domain(),
        body.purpose,
        evidence,
    )
    try:
        submitted = await intake.submit_request(principal, new, None, renderer(principal))
    except DomainError as exc:
        code, status = _code_status(exc)
        posted.errors[FIELD_OF_CODE.get(code, "form")] = _message(code, status)
        return _refused_page(_form_page(request, principal, posted, status=status), status)
    await hand_to_assembly(db_session, submitted)
    return Redirect(f"/portal/requests/{submitted.body['id']}", status_code=303)


async def _detail(
    request: AnyRequest,
    principal: Principal,
    intake: IntakeService,
    release_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> Template:
    view = RequestOut.of(await intake.get(principal, release_id), principal)
    holds = [f for f in view.findings if f.severity == "hold"]
    download = None
    if view.state == State.RELEASED.value:
        download = await live_link(request.app.state.services, release_id)
    return portal_page(
        request,
        principal,
        "detail.html",
        f"Request {view.reference}",
        status=status,
        error=error,
        r=view,
        holds=holds,
        blocks=[f for f in view.findings if f.severity == "block"],
        in_progress=view.state in IN_PROGRESS,
        poll_seconds=POLL_SECONDS,
        statements=forms.STATEMENTS,
        signer_kinds=forms.SIGNER_KINDS,
        form=_blank(),
        download=download,
    )


@get(
    "/portal/requests/{release_id:uuid}",
    opt={"rule": "requests.read"},
    media_type=MediaType.HTML,
    dependencies=INTAKE,
)
async def request_page(
    request: AnyRequest,
    principal: CurrentPrincipal,
    intake: Intake,
    release_id: FromPath[uuid.UUID],
) -> Any:
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    return await _detail(request, principal, intake, release_id)


@get(
    "/portal/requests/{release_id:uuid}/progress",
    opt={"rule": "requests.read"},
    media_type=MediaType.HTML,
    dependencies=INTAKE,
)
async def progress_fragment(
    request: AnyRequest,
    principal: CurrentPrincipal,
    intake: Intake,
    release_id: FromPath[uuid.UUID],
) -> Any:
    """Polled by htmx while the request is received or in preparation; once it moves on, the
    page reloads (``HX-Refresh``) to show the new step of the timeline."""
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    view = RequestOut.of(await intake.get(principal, release_id), principal)
    if view.state not in IN_PROGRESS:
        return Response("", status_code=200, headers={"HX-Refresh": "true"})
    context = {"r": view, "labels": STATE_LABELS, "poll_seconds": POLL_SECONDS}
    return Template(template_name="portal/_progress.html", context=context)


@post(
    "/portal/requests/{release_id:uuid}/answer",
    opt={"rule": "requests.submit"},
    media_type=MediaType.HTML,
    dependencies=INTAKE | ANSWERS,
    request_max_body_size=BODY_MAX_BYTES,
    status_code=200,
)
async def answer_hold(  # noqa: PLR0917 - Litestar injects each dependency by name
    request: AnyRequest,
    principal: CurrentPrincipal,
    intake: Intake,
    answers: Answers,
    db_session: Db,
    state: AppState,
    release_id: FromPath[uuid.UUID],
) -> Any:
    """Answer a hold that waits on the requester, through ``AnswerService`` as API v1 does."""
    if (refused := staff_refusal(request, principal)) is not None:
        return refused
    form = await request.form()
    posted = forms.read_form(form)
    patient = forms.patient_claim(posted)
    basis = None
    if form.get("correct_basis") == "yes":
        forms.check_basis(posted, on=_on(state))
        basis = forms.authorization_in(posted)
    if posted.errors:
        messages = "; ".join(sorted(set(posted.errors.values())))
        return await _detail(
            request,
            principal,
            intake,
            release_id,
            status=422,
            error=refusal("FORM_INVALID", messages),
        )
    evidence = await read_evidence(forms.evidence_of(form))
    try:
        release = await answers.answer(principal, release_id, Answer(patient, basis, evidence))
    except DomainError as exc:
        code, status = _code_status(exc)
        await db_session.rollback()
        page = await _detail(
            request, principal, intake, release_id, status=status, error=_message(code, status)
        )
        return _refused_page(page, status)
    await commit_then_assemble(db_session, release.id, release.state)
    return Redirect(f"/portal/requests/{release_id}", status_code=303)
