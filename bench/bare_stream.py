"""The baseline of bench/download_bench.py: a bare Litestar app under the same uvicorn options as
``roi serve``, streaming one file from disk in 1 MiB chunks (the download path's chunk size) on
POST, with the download headers. No auth, no database, no ledger.

    python bench/bare_stream.py PORT FILE
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import uvicorn
from litestar import Litestar, get, post
from litestar.response import Stream

CHUNK = 1024 * 1024


def build(path: Path) -> Litestar:
    size = path.stat().st_size

    async def chunks() -> AsyncIterator[bytes]:
        async with await anyio.open_file(path, "rb") as f:
            while chunk := await f.read(CHUNK):
                yield chunk

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @post("/download", status_code=200)
    async def download() -> Stream:
        headers = {
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="packet.pdf"',
            "Content-Length": str(size),
        }
        return Stream(chunks(), media_type="application/pdf", headers=headers)

    return Litestar([health, download])


if __name__ == "__main__":
    uvicorn.run(
        build(Path(sys.argv[2])),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        access_log=False,
        log_config=None,
        server_header=False,
    )
