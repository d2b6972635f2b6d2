"""API v1: taking a release off hold (rule ``releases.review``: admin, specialist).

``POST /api/v1/queue/{release_id}/resume`` runs the check step again on a held release, with what
the staff member brings: the patient matched by hand (``patient_id``, only while none is matched)
and source pages to leave out (``leave_out``: record id and 0-based page, as the
``PAGE_UNIDENTIFIED`` findings name them). The release moves on to ``rejected``, ``on_hold`` or
``assembling``; the move commits, then the assembly of the next packet version is enqueued.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.queue_schemas import ReleaseStateOut, RowVersion
from gateway.auth import CurrentPrincipal
from gateway.errors import register
from gateway.releases.assembly import start_assembly
from gateway.releases.resume import (
    MAX_PAGES,
    HoldService,
    PageExclusionInvalid,
    PageRef,
    PatientAlreadyMatched,
    Resume,
)
from gateway.releases.states import State
from gateway.services import Services

register(PageExclusionInvalid, HTTPStatus.UNPROCESSABLE_ENTITY)
register(PatientAlreadyMatched, HTTPStatus.CONFLICT)

Holds = NamedDependency[HoldService]


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
        await holds.session.commit()
        if out.state == State.ASSEMBLING.value:
            sessions = async_sessionmaker(holds.session.bind, expire_on_commit=False)
            await start_assembly(sessions, release_id)
        return out


__all__ = ["HoldController"]
