"""Review of assembled packets: progress, packet versions, reviewer boxes, re-assembly.

Boxes are kept in source-page coordinates, so a re-assembly after an edit is stable. Editing
boxes and re-assembling are allowed only in ``in_review``; re-assembly moves the release back to
``assembling`` (``move()``), names the editor as a preparer (``plan_edited_by``: they may not
approve) and asks for the next packet version; older versions stay for the ledger.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.releases import transitions
from gateway.releases.assembly import repository as repo
from gateway.releases.assembly.errors import (
    BoxInvalid,
    BoxNotFound,
    PacketNotFound,
    ReleaseNotFound,
    ReviewNotOpen,
)
from gateway.releases.assembly.start import start_assembly
from gateway.releases.models import AssemblyRun, Packet, Release, ReviewerBox
from gateway.releases.states import State
from kernel.blobs import BlobStore
from kernel.clock import Clock

MAX_COORDINATE = 14_400.0  # the largest PDF page side (200 inches) in points
BOXES_EDITED = "BOXES_EDITED"


@dataclass(frozen=True, slots=True)
class BoxInput:
    source_record_id: uuid.UUID
    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Progress:
    release_state: str
    version: int
    run: AssemblyRun | None


class ReviewService:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def _release(self, release_id: uuid.UUID) -> Release:
        release = await repo.release(self.session, release_id)
        if release is None:
            raise ReleaseNotFound("no such release")
        return release

    async def progress(self, release_id: uuid.UUID) -> Progress:
        release = await self._release(release_id)
        run = await repo.run(self.session, release_id, release.packet_version)
        return Progress(release.state, release.packet_version, run)

    async def packets(self, release_id: uuid.UUID) -> list[Packet]:
        await self._release(release_id)
        return await repo.packets(self.session, release_id)

    async def packet_content(
        self, release_id: uuid.UUID, version: int, blobs: BlobStore
    ) -> tuple[Packet, bytes]:
        await self._release(release_id)
        packet = await repo.packet(self.session, release_id, version)
        if packet is None:
            raise PacketNotFound("no such packet version")
        return packet, await blobs.get(packet.blob_key)

    async def boxes(self, release_id: uuid.UUID) -> list[ReviewerBox]:
        await self._release(release_id)
        return await repo.live_boxes(self.session, release_id)

    async def add_box(self, release_id: uuid.UUID, box: BoxInput, *, by: uuid.UUID) -> ReviewerBox:
        release = await self._open_for_review(release_id)
        records = await repo.records_by_id(self.session, [box.source_record_id])
        record = records.get(box.source_record_id)
        if record is None or record.patient_id != release.patient_id:
            raise BoxInvalid("the box is not on a record of this release", reason="record")
        if not 0 <= box.page < record.page_count or not _sane(box):
            raise BoxInvalid("the box is not on the page", reason="geometry")
        row = ReviewerBox(
            release_id=release_id,
            source_record_id=box.source_record_id,
            page=box.page,
            x0=box.x0,
            y0=box.y0,
            x1=box.x1,
            y1=box.y1,
            created_by=by,
            created_at=self.clock.now(),
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def remove_box(self, release_id: uuid.UUID, box_id: uuid.UUID, *, by: uuid.UUID) -> None:
        await self._open_for_review(release_id)
        row = await self.session.get(ReviewerBox, box_id)
        if row is None or row.release_id != release_id or row.removed_at is not None:
            raise BoxNotFound("no such box")
        row.removed_at = self.clock.now()
        row.removed_by = by
        await self.session.flush()

    async def reassemble(self, release_id: uuid.UUID, *, by: uuid.UUID, actor: str) -> int:
        """``in_review -> assembling`` and the next packet version; returns that version."""
        release = await self._open_for_review(release_id)
        version = release.packet_version + 1
        await self.session.execute(  # before the move: its ledger append comes last
            update(Release)
            .where(Release.id == release_id, Release.state == State.IN_REVIEW)
            .values(packet_version=version, plan_edited_by=by)
            .execution_options(synchronize_session=False)
        )
        step = transitions.Move(
            State.ASSEMBLING, actor, reason_code=BOXES_EDITED, details={"version": version}
        )
        await transitions.move(self.session, release, step, clock=self.clock)
        return version

    async def _open_for_review(self, release_id: uuid.UUID) -> Release:
        release = await self._release(release_id)
        if release.state != State.IN_REVIEW:
            raise ReviewNotOpen("the release is not in review", state=release.state)
        return release


def _sane(box: BoxInput) -> bool:
    values = (box.x0, box.y0, box.x1, box.y1)
    if not all(math.isfinite(v) and -MAX_COORDINATE <= v <= MAX_COORDINATE for v in values):
        return False
    return box.x1 > box.x0 and box.y1 > box.y0


async def reassemble_and_start(
    review: ReviewService, release_id: uuid.UUID, *, by: uuid.UUID, actor: str
) -> tuple[int, str | None]:
    """Re-assembly from the API: the move commits first, then the workflow is enqueued (a crash
    in between is covered by the start-up sweep). Returns the version and the workflow id."""
    version = await review.reassemble(release_id, by=by, actor=actor)
    await review.session.commit()
    sessions = async_sessionmaker(review.session.bind, expire_on_commit=False)
    return version, await start_assembly(sessions, release_id)
