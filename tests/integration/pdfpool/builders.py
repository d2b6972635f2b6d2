"""Builders for pools with small lanes, and a /proc view of this process's children."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from gateway.pdfpool import PdfPool, build_pdf_pool
from gateway.settings import PdfAssembleLaneSettings, PdfLaneSettings, PdfSettings, Settings
from tests.integration.pdfpool.tasks import mark_initialized


@asynccontextmanager
async def running_pool(
    *,
    check_workers: int = 1,
    time_limit_s: float = 5.0,
    queue_timeout_s: float = 15.0,  # a respawn on a loaded CI machine takes seconds
    initializer: Callable[[], None] | None = mark_initialized,
) -> AsyncIterator[PdfPool]:
    """A started pool: ``check`` lane as asked (256 MiB), one ``assemble`` worker (512 MiB)."""
    pdf = PdfSettings(
        check=PdfLaneSettings(
            workers=check_workers,
            memory_cap_mib=256,
            time_limit_s=time_limit_s,
            queue_timeout_s=queue_timeout_s,
        ),
        assemble=PdfAssembleLaneSettings(workers=1, time_limit_s=time_limit_s),
    )
    pool = build_pdf_pool(Settings(pdf=pdf), initializer)
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()


def child_processes() -> dict[int, str]:
    """This process's children (zombies included), by pid, with their command lines."""
    children: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # the process ended while we looked
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            children[int(entry.name)] = cmdline
    return children


def pool_children() -> set[int]:
    """Children other than multiprocessing's resource tracker (one per process, started by the
    first ``spawn``, not by the pool, and shared by every pool in this process)."""
    return {pid for pid, cmd in child_processes().items() if "resource_tracker" not in cmd}


def process_exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def process_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an orphan's zombie waits for init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
