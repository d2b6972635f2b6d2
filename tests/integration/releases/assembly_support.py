"""Helpers of the assembly tests: a launched DBOS with small PDF lanes, seeding, running."""

from __future__ import annotations

import asyncio
import io
import subprocess
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from dbos import DBOS
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import ledger
from gateway.blobs import build_blob_store
from gateway.db import build_engine, build_session_maker
from gateway.ledger.models import LedgerEntry
from gateway.releases import assembly
from gateway.releases.models import AssemblyRun, Packet, Release
from gateway.settings import PdfAssembleLaneSettings, PdfLaneSettings, Settings
from gateway.workflows import destroy_workflows, launch_workflows
from kernel.blobs import BlobStore

T = TypeVar("T")
RESULT_TIMEOUT_S = 180


def small_pool(settings: Settings) -> Settings:
    """Workflows on (the suite turns them off), one worker per PDF lane (quick to spawn)."""
    pdf = settings.pdf.model_copy(
        update={
            "check": PdfLaneSettings(workers=1),
            "assemble": PdfAssembleLaneSettings(workers=1),
        }
    )
    workflow = settings.workflow.model_copy(update={"enabled": True})
    return settings.model_copy(update={"pdf": pdf, "workflow": workflow})


@contextmanager
def launched(settings: Settings) -> Iterator[Settings]:
    launch_workflows(settings)
    try:
        yield settings
    finally:
        destroy_workflows()
        asyncio.run(assembly.close())


def with_session(settings: Settings, work: Callable[[AsyncSession, BlobStore], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction on a fresh engine (its own event loop)."""

    async def run() -> T:
        engine = build_engine(settings)
        try:
            async with build_session_maker(engine)() as session, session.begin():
                return await work(session, build_blob_store(settings))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def assemble(settings: Settings, release_id: uuid.UUID) -> str:
    """Enqueue the release's assembly and wait for the workflow's outcome."""

    async def start() -> str | None:
        engine = build_engine(settings)
        try:
            return await assembly.start_assembly(build_session_maker(engine), release_id)
        finally:
            await engine.dispose()

    workflow_id = asyncio.run(start())
    assert workflow_id is not None
    return str(DBOS.retrieve_workflow(workflow_id).get_result(polling_interval_sec=0.2))


async def release_row(session: AsyncSession, release_id: uuid.UUID) -> Release:
    row = await session.get(Release, release_id, populate_existing=True)
    assert row is not None
    return row


async def packets_of(session: AsyncSession, release_id: uuid.UUID) -> list[Packet]:
    query = select(Packet).where(Packet.release_id == release_id).order_by(Packet.version)
    return list(await session.scalars(query))


async def runs_of(session: AsyncSession, release_id: uuid.UUID) -> list[AssemblyRun]:
    query = select(AssemblyRun).where(AssemblyRun.release_id == release_id)
    return list(await session.scalars(query.order_by(AssemblyRun.version)))


async def ledger_events(session: AsyncSession, release_id: uuid.UUID) -> list[str]:
    query = (
        select(LedgerEntry.event_type)
        .where(LedgerEntry.release_id == release_id)
        .order_by(LedgerEntry.seq)
    )
    return list(await session.scalars(query))


async def duplicate_ledger_keys(session: AsyncSession) -> int:
    query = (
        select(func.count())
        .select_from(LedgerEntry)
        .group_by(LedgerEntry.idempotency_key)
        .having(func.count() > 1)
    )
    return len(list(await session.scalars(query)))


async def ledger_ok(session: AsyncSession) -> bool:
    return (await ledger.verify(session)).broken is None


def pdftotext(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8", errors="replace")


def pypdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch.isspace())


def first(items: list[Any]) -> Any:
    assert items
    return items[0]
