"""Enqueue an assembly, and the sweep that re-enqueues releases left in ``assembling``.

``start_assembly`` is called after the transaction that moved a release to ``assembling`` has
committed. Enqueueing is idempotent by workflow id (``assemble:<release id>:<version>``): DBOS
returns the existing workflow. A crash between that commit and the enqueue leaves a release in
``assembling`` with no workflow: :func:`sweep_assembling` (at start-up) enqueues it. With
workflows off in this process (``ROI_WORKFLOW__ENABLED=false``) nothing is enqueued here; the
sweep of the next process that runs workflows picks the release up.
"""

from __future__ import annotations

import uuid

import structlog
from dbos import DBOS, SetWorkflowID
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.releases.assembly import repository as repo
from gateway.releases.assembly.workflow import assemble_packet_workflow
from gateway.releases.states import State

log = structlog.get_logger(__name__)


async def start_assembly(
    sessions: async_sessionmaker[AsyncSession], release_id: uuid.UUID
) -> str | None:
    """Enqueue the assembly of the release's current packet version; its workflow id, or None
    when the release is not ``assembling`` or workflows do not run in this process."""
    async with sessions() as session, session.begin():
        await repo.claim_first_version(session, release_id)
        release = await repo.release(session, release_id)
        if release is None or release.state != State.ASSEMBLING:
            return None
        version = release.packet_version
    # the workflow registry imports this package: import the runtime when used.
    from gateway.workflows.registry import ASSEMBLY_QUEUE  # noqa: PLC0415
    from gateway.workflows.runtime import current_executor_id  # noqa: PLC0415

    if current_executor_id() is None:
        log.info("assembly.enqueue_deferred", release_id=str(release_id), version=version)
        return None
    workflow_id = repo.workflow_id(release_id, version)
    with SetWorkflowID(workflow_id):
        await DBOS.enqueue_workflow_async(
            ASSEMBLY_QUEUE, assemble_packet_workflow, str(release_id), version
        )
    log.info("assembly.enqueued", release_id=str(release_id), version=version)
    return workflow_id


async def start_after_commit(
    sessions: async_sessionmaker[AsyncSession], release_id: uuid.UUID
) -> str | None:
    """:func:`start_assembly` for a handler whose transaction has committed: the committed
    release is the answer, so a database that fails during the enqueue is logged and left to
    the sweep, never an error for a request that was stored (a client retrying it would do it
    twice)."""
    try:
        return await start_assembly(sessions, release_id)
    except (OperationalError, SATimeoutError) as exc:
        log.warning(
            "assembly.enqueue_failed", release_id=str(release_id), error_type=type(exc).__name__
        )
        return None


async def sweep_assembling(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """Enqueue every release in ``assembling`` (idempotent: a workflow that exists is found,
    not started twice). Runs at start-up, after DBOS launched."""
    async with sessions() as session:
        ids = [r.id for r in await repo.assembling_releases(session)]
    started = [wid for rid in ids if (wid := await start_assembly(sessions, rid)) is not None]
    if started:
        log.info("assembly.swept", count=len(started))
    return started
