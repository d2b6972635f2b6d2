"""A gateway stand-in for the orphan test: starts a pool, keeps one worker spinning, prints the
worker pids as one JSON line, and waits to be killed. Run as ``python -m`` from the repo root."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

from tests.integration.pdfpool import tasks
from tests.integration.pdfpool.builders import running_pool

PIDS_MARKER = "worker-pids: "


async def main() -> None:
    async with running_pool(time_limit_s=60) as pool:
        spinning = asyncio.create_task(pool.run(tasks.spin_forever))
        await asyncio.sleep(0.5)
        pids = pool.worker_pids("check") + pool.worker_pids("assemble")
        sys.stdout.write(PIDS_MARKER + json.dumps(pids) + "\n")
        sys.stdout.flush()
        await asyncio.sleep(60)
        spinning.cancel()
        with contextlib.suppress(BaseException):
            await spinning


if __name__ == "__main__":
    asyncio.run(main())
