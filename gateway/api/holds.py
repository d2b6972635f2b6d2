"""API v1: taking a release off hold.

``POST /api/v1/queue/{release_id}/resume`` (rule ``releases.review``: admin, specialist) runs the
check step again on a held release, with what the staff member brings: the patient matched by
hand (``patient_id``, only while none is matched) and source pages to leave out (``leave_out``:
record id and 0-based page, as the ``PAGE_UNIDENTIFIED`` findings name them). The release moves
on to ``rejected``, ``on_hold`` or ``assembling``; the move commits, then the assembly of the next
packet version is enqueued.

``POST /api/v1/requests/{release_id}/answer`` (rule ``requests.submit``; a requester's own
organisation only) answers a hold that waits on the requester: multipart, the ``answer`` part is
JSON with corrected ``patient`` identifiers and/or a corrected ``basis`` (typed as at submission),
the ``evidence`` part its signed document. The check runs again; the body is the request as
``GET /api/v1/requests/{id}`` shows it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Controller, post
from litestar.datastructures import State as AppState
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, MultipartBody
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.queue_schemas import ReleaseStateOut, RowVersion
from gateway.api.request_schemas import PatientIn, render
from gateway.api.requests import parse_part, read_evidence
from gateway.auth import CurrentPrincipal
from gateway.errors import register
from gateway.releases.answers import Answer, AnswerEmpty, AnswerNotExpected, AnswerService
from gateway.releases.assembly import start_after_commit
from gateway.releases.basis import BasisIn
from gateway.releases.resume import (
    MAX_PAGES,
    HoldService,
    PageExclusionInvalid,
    PageRef,
    PatientAlreadyMatched,
    Resume,
)
from gateway.releases.states import State
from gateway.releases.views import request_view
from gateway.services import Services

register(PageExclusionInvalid, HTTPStatus.UNPROCESSABLE_ENTITY)
register(PatientAlreadyMatched, HTTPStatus.CONFLICT)
register(AnswerNotExpected, HTTPStatus.CONFLICT)
register(AnswerEmpty, HTTPStatus.BAD_REQUEST)

Holds = NamedDependency[HoldService]
Answers = NamedDependency[AnswerService]


class PageIn(msgspec.Struct, forbid_unknown_fields=True):
    source_record_id: uuid.UUID
    page: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class ResumeIn(msgspec.Struct, forbid_unknown_fields=True):
    row_version: RowVersion
    patient_id: uuid.UUID | None = None
    leave_out: Annotated[list[PageIn], msgspec.Meta(max_length=MAX_PAGES)] = []

    def to_domain(self) -> Resume:
        pages = tuple(PageRef(p.source_record_id, p.page) for p in self.leave_out)
        return Resume(self.row_version, self.patient_id, pages)


async def provide_holds(db_session: NamedDependency[AsyncSession], state: AppState) -> HoldService:
    services: Services = state.services
    return HoldService(db_session, clock=services.clock, site_rules=state.site_rules)


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    """The ``answer`` part: what the requester corrects (at least one of the two)."""

    patient: PatientIn | None = None
    basis: BasisIn | None = None


@dataclass
class AnswerUpload:
    answer: str
    evidence: UploadFile | None = None


async def provide_answers(
    db_session: NamedDependency[AsyncSession], state: AppState
) -> AnswerService:
    services: Services = state.services
    return AnswerService(
        db_session,
        blobs=services.blobs,
        clock=services.clock,
        site_rules=state.site_rules,
        evidence_limit=state.settings.requests.evidence_max_mb * 1024 * 1024,
    )


async def commit_then_assemble(session: AsyncSession, release_id: uuid.UUID, state: str) -> None:
    """Commit the move, then enqueue the assembly if the release went to ``assembling`` (a crash
    or a database failure in between is covered by the sweep of ``gateway.releases.sweeps``)."""
    await session.commit()
    if state == State.ASSEMBLING.value:
        sessions = async_sessionmaker(session.bind, expire_on_commit=False)
        await start_after_commit(sessions, release_id)


class HoldController(Controller):
    path = "/api/v1/queue"
    tags = ["queue"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"holds": Provide(provide_holds)}  # noqa: RUF012

    @post("/{release_id:uuid}/resume", opt={"rule": "releases.review"}, status_code=HTTPStatus.OK)
    async def resume(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[ResumeIn],
        holds: Holds,
        principal: CurrentPrincipal,
    ) -> ReleaseStateOut:
        """Check a held release again (the missing piece arrived); it moves to ``rejected``,
        ``on_hold`` or ``assembling`` (then a new packet version is assembled)."""
        release = await holds.resume(release_id, principal, data.to_domain())
        out = ReleaseStateOut.of(release)
        await commit_then_assemble(holds.session, release_id, out.state)
        return out


class AnswerController(Controller):
    path = "/api/v1/requests"
    tags = ["requests"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"answers": Provide(provide_answers)}  # noqa: RUF012

    @post("/{release_id:uuid}/answer", opt={"rule": "requests.submit"}, status_code=HTTPStatus.OK)
    async def answer(
        self,
        release_id: FromPath[uuid.UUID],
        data: MultipartBody[AnswerUpload],
        answers: Answers,
        principal: CurrentPrincipal,
    ) -> dict[str, Any]:
        """Answer a hold that waits on the requester: corrected identifiers and/or a corrected
        basis with its signed document; the request is checked again."""
        body, evidence = parse_part(data.answer, AnswerIn), await read_evidence(data.evidence)
        patient = body.patient.to_domain() if body.patient else None
        ask = Answer(patient, body.basis, evidence)
        release = await answers.answer(principal, release_id, ask)
        view = await request_view(answers.session, release)
        await commit_then_assemble(answers.session, release_id, release.state)
        return render(view, principal)


__all__ = ["AnswerController", "HoldController"]
