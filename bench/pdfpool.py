"""Overheads of the PDF worker pool on this machine (not a test): start, round trip, kill, respawn.

Run from the repository root: ``.venv/bin/python -m bench.pdfpool``.
"""

from __future__ import annotations

import asyncio
import os
import time

from gateway.pdfpool import PdfPool, PdfWorkTimedOut, build_pdf_pool
from gateway.settings import PdfLaneSettings, PdfSettings, Settings
from tests.integration.pdfpool import tasks

CALLS = 500


async def main() -> None:
    settings = Settings(pdf=PdfSettings(check=PdfLaneSettings(workers=2)))
    pool = build_pdf_pool(settings, tasks.mark_initialized)
    started = time.monotonic()
    await pool.start()
    print(f"start (2 check + 2 assemble workers): {time.monotonic() - started:.2f} s")
    try:
        await measure(pool)
    finally:
        await pool.close()


async def measure(pool: PdfPool) -> None:
    started = time.monotonic()
    for _ in range(CALLS):
        await pool.run(tasks.add, 1, 2)
    print(f"round trip, tiny call: {(time.monotonic() - started) / CALLS * 1000:.2f} ms")
    data = os.urandom(16 * 1024 * 1024)
    started = time.monotonic()
    await pool.run(tasks.echo, data)
    print(f"round trip, 16 MiB there and back: {(time.monotonic() - started) * 1000:.0f} ms")
    started = time.monotonic()
    try:
        await pool.run(tasks.spin_forever, timeout=1.0)
    except PdfWorkTimedOut:
        print(f"spin with 1 s limit -> PdfWorkTimedOut after {time.monotonic() - started:.2f} s")
    started = time.monotonic()
    while len(pool.worker_pids("check")) < 2:  # noqa: ASYNC110 - polling the pool is the point
        await asyncio.sleep(0.01)
    print(f"replacement worker ready after {time.monotonic() - started:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
