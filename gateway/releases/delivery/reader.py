"""Reads of the download path that run whole on a small pool of threads, on a synchronous
read-only engine (``gateway.db.build_sync_engine(read_only=True)``): one hop off the event loop
per read, where an async driver costs several (aiosqlite hops to its thread for the cursor, the
execute, the fetch and the close)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")
THREADS = 2


class SyncReader:
    """``engine`` is called once, on a reader thread, for the first read."""

    def __init__(self, engine: Callable[[], Engine], threads: int = THREADS) -> None:
        self._make_engine = engine
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, read: Callable[[Connection], T]) -> T:
        """``read(connection)`` on a reader thread; its result, or its exception."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="roi-reads")
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._read, read)

    def _read(self, read: Callable[[Connection], T]) -> T:
        with self._connect() as conn:
            return read(conn)

    def _connect(self) -> Connection:
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine.connect()

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown)
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
