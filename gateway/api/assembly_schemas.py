"""Wire schemas of packet review: explicit allowlists (R26). Clients set box geometry only;
never a state, a version, a preparer or who drew a box."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from gateway.releases.assembly.review import BoxInput, Progress
from gateway.releases.models import Packet, ReviewerBox

Coordinate = Annotated[float, msgspec.Meta(ge=-14_400.0, le=14_400.0)]
PageNumber = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class ProgressOut(msgspec.Struct):
    release_state: str
    version: int
    run_state: str | None
    step: str | None
    pages_done: int
    pages_total: int
    error_code: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, progress: Progress) -> ProgressOut:
        run = progress.run
        return cls(
            release_state=progress.release_state,
            version=progress.version,
            run_state=run.state if run else None,
            step=run.step if run else None,
            pages_done=run.pages_done if run else 0,
            pages_total=run.pages_total if run else 0,
            error_code=run.error_code if run else None,
            updated_at=run.updated_at if run else None,
        )


class PacketOut(msgspec.Struct):
    version: int
    page_count: int
    size: int
    sha256: str
    bates_first: str | None
    bates_last: str | None
    verified: bool
    engine_version: str
    created_at: datetime
    totals: dict[str, int]
    provenance: list[Any]

    @classmethod
    def of(cls, packet: Packet) -> PacketOut:
        totals = packet.report.get("totals") if isinstance(packet.report, dict) else None
        return cls(
            version=packet.version,
            page_count=packet.page_count,
            size=packet.size,
            sha256=packet.sha256,
            bates_first=packet.bates_first,
            bates_last=packet.bates_last,
            verified=packet.verified,
            engine_version=packet.engine_version,
            created_at=packet.created_at,
            totals=dict(totals or {}),
            provenance=list(packet.provenance),
        )


class BoxIn(msgspec.Struct, forbid_unknown_fields=True):
    source_record_id: uuid.UUID
    page: PageNumber
    x0: Coordinate
    y0: Coordinate
    x1: Coordinate
    y1: Coordinate

    def to_domain(self) -> BoxInput:
        return BoxInput(self.source_record_id, self.page, self.x0, self.y0, self.x1, self.y1)


class BoxOut(msgspec.Struct):
    id: uuid.UUID
    source_record_id: uuid.UUID
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    created_by: uuid.UUID
    created_at: datetime

    @classmethod
    def of(cls, box: ReviewerBox) -> BoxOut:
        return cls(
            id=box.id,
            source_record_id=box.source_record_id,
            page=box.page,
            x0=box.x0,
            y0=box.y0,
            x1=box.x1,
            y1=box.y1,
            created_by=box.created_by,
            created_at=box.created_at,
        )


class ReassembleOut(msgspec.Struct):
    version: int
    release_state: str
    workflow_id: str | None
