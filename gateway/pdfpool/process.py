"""The parent's handle on one worker process: spawn it, hand it one task, kill it.

Every method blocks; the pool calls them from its own threads, never from the event loop. One
thread at a time uses a handle (the pool hands a worker to one caller), so the pipe needs no lock.
A worker is spawned from a pool thread, and ``PR_SET_PDEATHSIG`` ties it to that thread: the pool's
threads live until ``close()``, after which no worker is left anyway.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from gateway.pdfpool.worker import FAILED, READY, WorkerConfig, worker_main

CONTEXT = multiprocessing.get_context("spawn")
TIMED_OUT = "timed_out"
CRASHED = "crashed"
STOP_GRACE_S = 2.0
REAP_TIMEOUT_S = 5.0
_START_LOCK = threading.Lock()  # Process.start() keeps module-level state: one spawn at a time


class WorkerStartFailed(Exception):
    """A worker did not report ready: its initializer failed, it died, or it was too slow."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back from one task: a worker reply kind, ``TIMED_OUT`` or ``CRASHED``."""

    kind: str
    value: object = None
    peak_rss_kib: int = 0


class WorkerProcess:
    """One spawned worker and the parent's end of its pipe."""

    def __init__(self, config: WorkerConfig) -> None:
        self._conn, child_conn = CONTEXT.Pipe(duplex=True)
        self._process: BaseProcess = CONTEXT.Process(
            target=worker_main, args=(child_conn, config), name="roi-pdf-worker", daemon=True
        )
        with _START_LOCK:
            self._process.start()
        child_conn.close()
        self.pid: int = self._process.pid or 0
        self.tasks = 0
        self.exit_code: int | None = None
        self._reaped = False
        self._reaping = threading.Lock()  # a reaped pid may be reused: never signal it after

    def wait_ready(self, timeout_s: float) -> None:
        reply = self._receive(timeout_s)
        if reply.kind != READY:
            self.kill()
            raise WorkerStartFailed(f"worker did not start: {reply.kind} {reply.value}")

    @property
    def alive(self) -> bool:
        with self._reaping:
            return not self._reaped and self._process.is_alive()

    def call(self, payload: bytes, timeout_s: float) -> Reply:
        """Send one pickled task and wait for its reply, at most ``timeout_s`` seconds."""
        self.tasks += 1
        try:
            self._conn.send_bytes(payload)
        except OSError:
            return Reply(CRASHED)
        return self._receive(timeout_s)

    def _receive(self, timeout_s: float) -> Reply:
        try:
            if not self._conn.poll(timeout_s):
                return Reply(TIMED_OUT)
            data = self._conn.recv_bytes()
        except (EOFError, OSError):
            return Reply(CRASHED)
        try:
            kind, value, peak = pickle.loads(data)  # noqa: S301 - written by our own worker
        except Exception:  # noqa: BLE001 - e.g. an error class the parent cannot import
            return Reply(FAILED, "UnreadableReply")
        return Reply(kind, value, peak)

    def kill(self) -> None:
        """SIGKILL the worker (a hung task cannot be interrupted any other way) and reap it."""
        if self._reaped:
            return
        if self._process.exitcode is None:
            self.signal_kill()
        self._reap()

    def signal_kill(self) -> None:
        """Only send SIGKILL: the thread that uses the pipe reaps the worker and closes it."""
        with self._reaping, contextlib.suppress(ProcessLookupError):
            if not self._reaped and self._process.exitcode is None:
                os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Close the pipe (an idle worker exits on EOF); kill it if it does not go in time."""
        self._conn.close()
        self._process.join(STOP_GRACE_S)
        self.kill()

    def _reap(self) -> None:
        with self._reaping:
            self._process.join(REAP_TIMEOUT_S)
            if not self._conn.closed:
                self._conn.close()
            if self._process.exitcode is not None:
                self.exit_code = self._process.exitcode
                self._process.close()
                self._reaped = True
