"""The PDF worker pool: engine calls from async code, in capped worker processes.

PDFium is not thread-safe, even across documents, and qpdf's limits are process-wide, so PDF work
runs in worker processes, one task at a time each. Two lanes of workers differ by memory cap:
``"check"`` (an uploaded file, 256 MiB, 10 s by default) and ``"assemble"`` (a packet, 512 MiB,
120 s). A task past its time limit gets its worker SIGKILLed and replaced; a worker that dies or
runs out of memory is replaced too; the caller gets a typed error (``gateway.pdfpool.errors``).
A ``DomainError`` raised by the task (the engine's ``MalformedPdf``...) reaches the caller as is.

The blocking parts (waiting for a worker, the pipe) run on the pool's own threads, so the pool
serves any event loop and never occupies the loop's default executor. A caller that is cancelled
while its task runs does not stop the task: it ends within its time limit and the worker returns
to its lane.

Workers are spawned (not forked), so the program's main module must be safe to import: guard its
entry point with ``if __name__ == "__main__":`` (the ``roi`` console script does).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Literal, TypeVar, TypeVarTuple, Unpack, cast

import structlog

from gateway.pdfpool.errors import PdfPoolUnavailable
from gateway.pdfpool.lane import Lane, Profile

if TYPE_CHECKING:
    from gateway.settings import PdfLaneSettings, Settings

log = structlog.get_logger()
T = TypeVar("T")
Ts = TypeVarTuple("Ts")
MemoryCap = Literal["check", "assemble"]
WAITING_THREADS_PER_WORKER = 2


class PdfPool:
    """Lanes of worker processes by profile; ``start()`` before use, ``close()`` at shutdown."""

    def __init__(
        self,
        profiles: Mapping[MemoryCap, Profile],
        *,
        initializer: Callable[[], None] | None = None,
        start_timeout_s: float = 30.0,
    ) -> None:
        self._profiles = dict(profiles)
        self._initializer = initializer
        self._start_timeout_s = start_timeout_s
        self._lanes: dict[str, Lane] = {}
        self._executor: ThreadPoolExecutor | None = None  # callers' blocking waits
        self._spawner: ThreadPoolExecutor | None = None  # spawns workers, lives until close
        self._closed = False
        self._starting: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    async def start(self) -> None:
        """Spawn every worker and wait until each has run the initializer (idempotent)."""
        async with self._start_lock():
            if self._executor is None and not self._closed:
                await self._start()

    def _start_lock(self) -> asyncio.Lock:
        """One start at a time; a lock per event loop (tests drive apps from several loops)."""
        loop = asyncio.get_running_loop()
        if self._starting is None or self._starting[0] is not loop:
            self._starting = (loop, asyncio.Lock())
        return self._starting[1]

    async def _start(self) -> None:
        workers = sum(p.workers for p in self._profiles.values())
        self._executor = ThreadPoolExecutor(
            max_workers=workers * (1 + WAITING_THREADS_PER_WORKER), thread_name_prefix="roi-pdf"
        )
        self._spawner = ThreadPoolExecutor(
            max_workers=len(self._profiles), thread_name_prefix="roi-pdf-spawn"
        )
        self._lanes = {
            name: Lane(
                profile,
                initializer=self._initializer,
                start_timeout_s=self._start_timeout_s,
                spawner=self._spawner,
            )
            for name, profile in self._profiles.items()
        }
        await self._fill_lanes()

    async def _fill_lanes(self) -> None:
        loop = asyncio.get_running_loop()
        spawner = self._spawner
        fills = [loop.run_in_executor(spawner, lane.fill) for lane in self._lanes.values()]
        results = await asyncio.gather(*fills, return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            await self.close()
            reason = type(failed[0]).__name__
            log.error("pdf.pool.start_failed", error_type=reason)
            raise PdfPoolUnavailable(f"PDF workers did not start ({reason})") from failed[0]
        log.info(
            "pdf.pool.started",
            workers={n: len(lane.live_pids()) for n, lane in self._lanes.items()},
        )

    async def close(self) -> None:
        """Stop every worker and wait until each is reaped; calls after this are refused."""
        self._closed = True
        executor, spawner = self._executor, self._spawner
        if executor is None or spawner is None:
            return
        self._executor = self._spawner = None
        lanes = list(self._lanes.values())
        self._lanes = {}

        def shut() -> None:
            for lane in lanes:
                lane.close()
            executor.shutdown(wait=True, cancel_futures=True)  # callers reap their killed workers
            spawner.shutdown(wait=True, cancel_futures=True)

        await asyncio.get_running_loop().run_in_executor(None, shut)
        log.info("pdf.pool.closed")

    def ready(self) -> bool:
        """Readiness probe: started, not closed, and every lane has a live worker."""
        lanes = self._lanes
        return bool(lanes) and all(lane.live_pids() for lane in lanes.values())

    def worker_pids(self, memory_cap: MemoryCap) -> list[int]:
        """The live worker processes of one lane (for probes, metrics and tests)."""
        lane = self._lanes.get(memory_cap)
        return lane.live_pids() if lane else []

    async def run(
        self,
        fn: Callable[[Unpack[Ts]], T],
        *args: *Ts,
        timeout: float | None = None,  # noqa: ASYNC109 - the task's limit in its worker
        memory_cap: MemoryCap = "check",
    ) -> T:
        """Run ``fn(*args)`` in a worker of the ``memory_cap`` lane and return its result.

        ``fn`` and ``args`` must pickle (a module-level function; bytes, dataclasses...).
        ``timeout`` may shorten the lane's time limit, never lengthen it.
        """
        if self._executor is None and not self._closed:
            await self.start()  # lazily, for a pool the composition root did not start eagerly
        executor, lane = self._executor, self._lanes.get(memory_cap)
        if executor is None or lane is None:
            raise PdfPoolUnavailable(profile=memory_cap)
        limit = min(timeout or lane.profile.time_limit_s, lane.profile.time_limit_s)
        deadline = time.monotonic() + lane.profile.queue_timeout_s
        abandoned = threading.Event()
        call = partial(lane.run, fn, tuple(args), limit, deadline, abandoned)
        try:
            result = await asyncio.get_running_loop().run_in_executor(executor, call)
        except asyncio.CancelledError:
            abandoned.set()
            raise
        except RuntimeError as exc:  # the executor shut down between the check and the submit
            if self._executor is None:
                raise PdfPoolUnavailable(profile=memory_cap) from exc
            raise
        return cast("T", result)


def build_pdf_pool(settings: Settings, initializer: Callable[[], None] | None) -> PdfPool:
    """The pool the settings describe (not started). ``initializer`` runs once in each worker:
    pass the engine's ``apply_process_limits`` (qpdf's process-wide limits)."""
    pdf = settings.pdf
    profiles: dict[MemoryCap, Profile] = {
        "check": _profile("check", pdf.check),
        "assemble": _profile("assemble", pdf.assemble),
    }
    return PdfPool(profiles, initializer=initializer, start_timeout_s=pdf.start_timeout_s)


def _profile(name: str, lane: PdfLaneSettings) -> Profile:
    return Profile(
        name=name,
        workers=lane.workers,
        memory_cap_mib=lane.memory_cap_mib,
        time_limit_s=lane.time_limit_s,
        queue_timeout_s=lane.queue_timeout_s,
    )


__all__ = ["MemoryCap", "PdfPool", "build_pdf_pool"]
