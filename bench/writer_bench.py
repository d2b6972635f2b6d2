"""The download path's database work alone, in process (no HTTP, no stream): a link holder's
``start_download`` (the link read, the checks, one use and ``download.started`` in the group
commit) then ``finish_download`` (``download.completed``), from ``--concurrency`` tasks at once.

    .venv/bin/python bench/writer_bench.py [--pg] [--downloads 2000] [--concurrency 8]

Reports downloads per second and the process's CPU time per download (every thread). It isolates
what ``bench/download_bench.py`` measures inside the full HTTP path, so a change to the statements
or the group commit can be compared without wrk's noise. A script, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import download_bench  # the seeding of the HTTP benchmark, beside this file
import psycopg

from gateway.db import build_engine, build_session_maker
from gateway.migrations import runner
from gateway.releases.delivery.pipeline import finish_download, start_download
from gateway.releases.sweeps import delivery_deps
from gateway.settings import Settings

WARM_UP = 20


async def measure(
    settings: Settings, token: str, downloads: int, concurrency: int
) -> dict[str, object]:
    engine = build_engine(settings)
    deps = delivery_deps(settings, build_session_maker(engine))

    async def one() -> None:
        download = await start_download(deps, token, proof=None)
        await finish_download(deps, download, "link:bench", completed=True, sent=download.size)

    async def worker(count: int) -> None:
        for _ in range(count):
            await one()

    try:
        for _ in range(WARM_UP):
            await one()
        each = downloads // concurrency
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(each) for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await deps.group.close()
        await deps.reader.close()
        await engine.dispose()
    done = each * concurrency
    return {
        "downloads": done,
        "downloads_per_s": round(done / wall, 1),
        "cpu_ms_per_download": round(cpu / done * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--downloads", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roi-writer-bench-") as name:
        settings, pg_name = download_bench.database(args.pg, Path(name))
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            runner.upgrade(settings)
            packet = b"%PDF-1.4\n" + os.urandom(1000) + b"\n%%EOF\n"
            token = asyncio.run(download_bench.seed(settings, packet))
            result = asyncio.run(measure(settings, token, args.downloads, args.concurrency))
        finally:
            if pg_name:
                with psycopg.connect(download_bench.PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    result |= {"database": "postgresql" if args.pg else "sqlite", "concurrency": args.concurrency}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
