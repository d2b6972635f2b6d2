"""What a reviewer sees of one release: its findings and exclusions, its packet versions (the
latest with its redaction report and page provenance), transitions, approvals and holds, and
whether the current user may approve it (and why not)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.models import Organisation
from gateway.releases.approval_errors import ReleaseNotFound
from gateway.releases.approval_models import ReleaseApproval, ReleaseHold
from gateway.releases.approval_rules import ApprovalFacts, approvals_needed, refusals
from gateway.releases.models import Packet, Release, ReleaseTransition
from gateway.releases.queue import QueueRow, queue_row
from gateway.releases.states import State


@dataclass(frozen=True, slots=True)
class ReleaseDetail:
    release: Release
    row: QueueRow
    packets: list[Packet]  # newest first
    transitions: list[ReleaseTransition]
    approvals: list[ReleaseApproval]
    holds: list[ReleaseHold]
    approvals_needed: int
    refusals: list[str]

    @property
    def latest_packet(self) -> Packet | None:
        return self.packets[0] if self.packets else None


async def load_release(session: AsyncSession, release_id: uuid.UUID) -> Release:
    release = await session.get(Release, release_id, populate_existing=True)
    if release is None:
        raise ReleaseNotFound("no such release")
    return release


async def packets_of(session: AsyncSession, release_id: uuid.UUID) -> list[Packet]:
    query = select(Packet).where(Packet.release_id == release_id).order_by(Packet.version.desc())
    return list((await session.scalars(query)).all())


async def approvals_of(
    session: AsyncSession, release_id: uuid.UUID, packet_version: int | None = None
) -> list[ReleaseApproval]:
    query = select(ReleaseApproval).where(ReleaseApproval.release_id == release_id)
    if packet_version is not None:
        query = query.where(ReleaseApproval.packet_version == packet_version)
    return list((await session.scalars(query.order_by(ReleaseApproval.at))).all())


async def read_facts(session: AsyncSession, release: Release) -> ApprovalFacts:
    """The approval facts of ``release`` as it stands in this transaction."""
    latest = await session.scalar(
        select(Packet)
        .where(Packet.release_id == release.id)
        .order_by(Packet.version.desc())
        .limit(1)
    )
    current = await approvals_of(session, release.id, release.packet_version)
    return facts_of(release, latest, current)


def facts_of(
    release: Release, latest: Packet | None, current: list[ReleaseApproval]
) -> ApprovalFacts:
    preparers = {release.opened_by} | (
        {release.plan_edited_by} if release.plan_edited_by else set()
    )
    return ApprovalFacts(
        state=State(release.state),
        sensitive=release.sensitive,
        preparers=frozenset(preparers),
        packet_version=release.packet_version,
        latest_packet_version=latest.version if latest else None,
        latest_packet_verified=bool(latest and latest.verified),
        approvers=frozenset(a.approver_id for a in current),
    )


async def read_detail(
    session: AsyncSession, release_id: uuid.UUID, user_id: uuid.UUID, *, is_staff: bool, on: date
) -> ReleaseDetail:
    release = await load_release(session, release_id)
    org_kind = None
    if release.organisation_id is not None:
        org_kind = await session.scalar(
            select(Organisation.kind).where(Organisation.id == release.organisation_id)
        )
    packets = await packets_of(session, release.id)
    approvals = await approvals_of(session, release.id)
    current = [a for a in approvals if a.packet_version == release.packet_version]
    facts = facts_of(release, packets[0] if packets else None, current)
    transitions = await session.scalars(
        select(ReleaseTransition)
        .where(ReleaseTransition.release_id == release.id)
        .order_by(ReleaseTransition.at, ReleaseTransition.id)
    )
    holds = await session.scalars(
        select(ReleaseHold).where(ReleaseHold.release_id == release.id).order_by(ReleaseHold.at)
    )
    return ReleaseDetail(
        release=release,
        row=queue_row(release, org_kind, on),
        packets=packets,
        transitions=list(transitions.all()),
        approvals=approvals,
        holds=list(holds.all()),
        approvals_needed=approvals_needed(release.sensitive),
        refusals=refusals(facts, user_id, is_staff=is_staff),
    )
