"""A lane: the workers of one profile (one memory cap), handed out one task at a time.

All methods block and run on the pool's threads. A worker that timed out, crashed or ran out of
memory is killed (SIGKILL) and reaped before its caller hears about it; its replacement is
spawned on the pool's spawner threads, and callers wait for it within their queue deadline.
Workers are only ever spawned on spawner threads: those live until the pool closes, and a worker
dies with the thread that spawned it (``PR_SET_PDEATHSIG``); callers' threads never spawn.
"""

from __future__ import annotations

import math
import os
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from itertools import chain, repeat
from typing import cast

import structlog

from gateway.pdfpool.errors import (
    PdfPoolBusy,
    PdfPoolUnavailable,
    PdfWorkerCrashed,
    PdfWorkFailed,
    PdfWorkTimedOut,
    PdfWorkTooLarge,
)
from gateway.pdfpool.process import CRASHED, TIMED_OUT, Reply, WorkerProcess, WorkerStartFailed
from gateway.pdfpool.worker import DOMAIN, MEMORY, OK, WorkerConfig, rebuild_domain_error
from kernel.errors import DomainError

log = structlog.get_logger()
DomainErrorParts = tuple[type[DomainError], tuple[object, ...], dict[str, object]]
MIB = 1024 * 1024
RESPAWN_BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    workers: int
    memory_cap_mib: int
    time_limit_s: float
    queue_timeout_s: float


class Lane:
    def __init__(
        self,
        profile: Profile,
        *,
        initializer: Callable[[], None] | None,
        start_timeout_s: float,
        spawner: Executor,
    ) -> None:
        self.profile = profile
        self._config = WorkerConfig(profile.memory_cap_mib * MIB, os.getpid(), initializer)
        self._start_timeout_s = start_timeout_s
        self._spawner = spawner
        self._idle: deque[WorkerProcess] = deque()
        self._live: set[WorkerProcess] = set()
        self._changed = threading.Condition()
        self._closed = threading.Event()

    # lifecycle ---------------------------------------------------------------------------

    def fill(self) -> None:
        """Spawn every worker of the lane (in parallel) and wait until all are ready."""
        started = [WorkerProcess(self._config) for _ in range(self.profile.workers)]
        try:
            for worker in started:
                worker.wait_ready(self._start_timeout_s)
        except WorkerStartFailed:
            for worker in started:
                worker.kill()
            raise
        for worker in started:
            self._add(worker)

    def close(self) -> None:
        """Stop idle workers, kill busy ones, and wake every caller that waits for a worker."""
        with self._changed:
            self._closed.set()
            idle, busy = list(self._idle), self._live - set(self._idle)
            self._idle.clear()
            self._live -= set(idle)
            self._changed.notify_all()
        for worker in busy:  # their caller's thread sees EOF, reaps them and does not respawn
            worker.signal_kill()
        for worker in idle:
            worker.stop()

    def live_pids(self) -> list[int]:
        with self._changed:
            return sorted(w.pid for w in self._live if w.alive)

    # one task ----------------------------------------------------------------------------

    def run(
        self,
        fn: Callable[..., object],
        args: tuple[object, ...],
        timeout_s: float,
        deadline: float,
        abandoned: threading.Event,
    ) -> object:
        """Run ``fn(*args)`` on a free worker; ``deadline`` bounds the wait for one."""
        payload = pickle.dumps((fn, args, timeout_s), pickle.HIGHEST_PROTOCOL)
        worker = self._acquire(deadline)
        if abandoned.is_set():  # the caller was cancelled while waiting: nobody wants the result
            self._release(worker)
            raise PdfPoolUnavailable("call abandoned")
        started = time.monotonic()
        reply = worker.call(payload, timeout_s)
        return self._settle(worker, reply, timeout_s, time.monotonic() - started)

    def _acquire(self, deadline: float) -> WorkerProcess:
        with self._changed:
            while True:
                if self._closed.is_set():
                    raise PdfPoolUnavailable(profile=self.profile.name)
                if self._idle:
                    worker = self._idle.popleft()
                    if worker.alive:
                        return worker
                    self._retire(worker, "died_idle")
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PdfPoolBusy(profile=self.profile.name)
                self._changed.wait(remaining)

    def _release(self, worker: WorkerProcess) -> None:
        with self._changed:
            if self._closed.is_set():
                self._live.discard(worker)
            else:
                self._idle.append(worker)
                self._changed.notify()
        if self._closed.is_set():
            worker.stop()

    def _settle(self, worker: WorkerProcess, reply: Reply, timeout_s: float, took: float) -> object:
        if reply.kind in (TIMED_OUT, CRASHED, MEMORY):
            self._retire(worker, reply.kind)
        else:
            self._release(worker)
        self._log(worker, reply, took)
        if reply.kind == OK:
            return reply.value
        raise self._error(reply, timeout_s)

    def _error(self, reply: Reply, timeout_s: float) -> Exception:
        if reply.kind == DOMAIN:
            cls, args, state = cast("DomainErrorParts", reply.value)  # shape set by the worker
            return rebuild_domain_error(cls, args, state)
        if reply.kind == TIMED_OUT:
            return PdfWorkTimedOut(limit_s=math.ceil(timeout_s))
        if reply.kind == CRASHED and self._closed.is_set():
            return PdfPoolUnavailable(profile=self.profile.name)
        if reply.kind == CRASHED:
            return PdfWorkerCrashed(profile=self.profile.name)
        if reply.kind == MEMORY:
            peak = reply.peak_rss_kib // 1024
            return PdfWorkTooLarge(cap_mib=self.profile.memory_cap_mib, peak_rss_mib=peak)
        return PdfWorkFailed(error_type=str(reply.value))

    def _log(self, worker: WorkerProcess, reply: Reply, took: float) -> None:
        log.info(
            "pdf.task.finished",
            profile=self.profile.name,
            worker_pid=worker.pid,
            outcome=reply.kind,
            error_type=reply.value if reply.kind not in (OK, DOMAIN) else None,
            duration_ms=round(took * 1000),
            peak_rss_mib=reply.peak_rss_kib // 1024,
            exit_code=worker.exit_code,
        )

    # replacement -------------------------------------------------------------------------

    def _retire(self, worker: WorkerProcess, reason: str) -> None:
        """Kill and reap ``worker`` now; spawn its replacement on another pool thread."""
        worker.kill()
        with self._changed:
            self._live.discard(worker)
        log.warning(
            "pdf.worker.retired",
            profile=self.profile.name,
            worker_pid=worker.pid,
            reason=reason,
            exit_code=worker.exit_code,
        )
        if not self._closed.is_set():
            self._spawner.submit(self._respawn)

    def _respawn(self) -> None:
        for backoff in chain(RESPAWN_BACKOFF_S, repeat(RESPAWN_BACKOFF_S[-1])):
            if self._closed.is_set():
                return
            try:
                worker = WorkerProcess(self._config)
                worker.wait_ready(self._start_timeout_s)
            except (WorkerStartFailed, OSError) as exc:
                log.warning("pdf.worker.spawn_failed", profile=self.profile.name, error=str(exc))
                self._closed.wait(backoff)
                continue
            self._add(worker)
            return

    def _add(self, worker: WorkerProcess) -> None:
        with self._changed:
            closed = self._closed.is_set()
            if not closed:
                self._live.add(worker)
                self._idle.append(worker)
                self._changed.notify()
        if closed:
            worker.stop()
        else:
            log.info("pdf.worker.started", profile=self.profile.name, worker_pid=worker.pid)
