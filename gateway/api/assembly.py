"""API v1 of packet review: assembly progress, packet versions and their content (staff
preview), reviewer boxes, and re-assembly. Every route: rule ``releases.review`` (staff only).
Each handler makes one service call and maps the result to a wire schema."""

from __future__ import annotations

import uuid
from http import HTTPStatus

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.assembly_schemas import BoxIn, BoxOut, PacketOut, ProgressOut, ReassembleOut
from gateway.auth import CurrentPrincipal
from gateway.errors import register
from gateway.releases.assembly.errors import (
    BoxInvalid,
    BoxNotFound,
    PacketNotFound,
    ReleaseNotFound,
    ReviewNotOpen,
)
from gateway.releases.assembly.review import ReviewService, reassemble_and_start
from gateway.services import Services

RULE = {"rule": "releases.review"}
for _error, _status in {
    ReleaseNotFound: HTTPStatus.NOT_FOUND,
    PacketNotFound: HTTPStatus.NOT_FOUND,
    BoxNotFound: HTTPStatus.NOT_FOUND,
    BoxInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
    ReviewNotOpen: HTTPStatus.CONFLICT,
}.items():
    register(_error, _status)

Review = NamedDependency[ReviewService]


async def provide_review(db_session: NamedDependency[AsyncSession], state: State) -> ReviewService:
    services: Services = state.services
    return ReviewService(db_session, clock=services.clock)


class AssemblyController(Controller):
    path = "/api/v1/releases/{release_id:uuid}"
    tags = ["packet review"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"review": Provide(provide_review)}  # noqa: RUF012

    @get("/progress", opt=RULE)
    async def progress(self, release_id: FromPath[uuid.UUID], review: Review) -> ProgressOut:
        """Where the assembly of the current packet version is (step, pages done of total)."""
        return ProgressOut.of(await review.progress(release_id))

    @get("/packets", opt=RULE)
    async def packets(self, release_id: FromPath[uuid.UUID], review: Review) -> list[PacketOut]:
        """Every packet version of the release, oldest first (old versions are kept)."""
        return [PacketOut.of(p) for p in await review.packets(release_id)]

    @get("/packets/{version:int}/content", opt=RULE, media_type="application/pdf")
    async def content(
        self, release_id: FromPath[uuid.UUID], version: FromPath[int], review: Review, state: State
    ) -> Response[bytes]:
        """The packet PDF, for the staff preview (never cached)."""
        services: Services = state.services
        packet, pdf = await review.packet_content(release_id, version, services.blobs)
        headers = {
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="packet-v{packet.version}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        return Response(pdf, media_type="application/pdf", headers=headers)

    @get("/boxes", opt=RULE)
    async def boxes(self, release_id: FromPath[uuid.UUID], review: Review) -> list[BoxOut]:
        """The reviewer boxes in force (source-page coordinates)."""
        return [BoxOut.of(b) for b in await review.boxes(release_id)]

    @post("/boxes", opt=RULE, status_code=HTTPStatus.CREATED)
    async def add_box(
        self,
        release_id: FromPath[uuid.UUID],
        data: JSONBody[BoxIn],
        review: Review,
        principal: CurrentPrincipal,
    ) -> BoxOut:
        """Add a box on a source page (in review only); takes effect at the next assembly."""
        box = await review.add_box(release_id, data.to_domain(), by=principal.user_id)
        return BoxOut.of(box)

    @delete("/boxes/{box_id:uuid}", opt=RULE, status_code=HTTPStatus.NO_CONTENT)
    async def remove_box(
        self,
        release_id: FromPath[uuid.UUID],
        box_id: FromPath[uuid.UUID],
        review: Review,
        principal: CurrentPrincipal,
    ) -> None:
        """Remove a box (the row is kept, marked removed)."""
        await review.remove_box(release_id, box_id, by=principal.user_id)

    @post("/reassemble", opt=RULE, status_code=HTTPStatus.ACCEPTED)
    async def reassemble(
        self, release_id: FromPath[uuid.UUID], review: Review, principal: CurrentPrincipal
    ) -> ReassembleOut:
        """Back to ``assembling`` for the next packet version with the current boxes."""
        version, workflow_id = await reassemble_and_start(
            review, release_id, by=principal.user_id, actor=principal.actor
        )
        return ReassembleOut(version=version, release_state="assembling", workflow_id=workflow_id)
