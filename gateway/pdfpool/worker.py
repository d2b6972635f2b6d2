"""The code that runs inside a worker process: limits first, then one task at a time.

A worker is a fresh interpreter (``spawn``: the gateway has threads and an event loop, which a
forked child would inherit half-way). It caps its address space (``RLIMIT_AS``) for good, writes
no core file (its memory holds records), limits OpenMP to one thread, ignores Ctrl-C (the gateway
shuts it down), dies with the gateway, calls the gateway's initializer (the engine's process-wide
qpdf limits), says it is ready, and then serves pickled ``(function, args, cpu_seconds)``
messages from its pipe until the pipe closes.

Before each task the CPU-time limit is moved to "now + the task's limit + a margin": a backstop
for the parent's wall-clock timer (if the gateway itself hangs or dies, a spinning task still
ends). A ``MemoryError`` ends the process after its reply: a heap that hit its cap is not reused.

Replies are pickled ``(kind, value, peak_rss_kib)``. A ``DomainError`` travels as its class, args
and attributes and is rebuilt without calling ``__init__``, so subclasses with their own
signatures survive the trip. Any other exception travels as its type name only: its message might
quote the document. This is a resource fence, not a sandbox against code execution: the worker
runs as the same user as the gateway.
"""

from __future__ import annotations

import ctypes
import math
import os
import pickle
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kernel.errors import DomainError

READY = "ready"
OK = "ok"
DOMAIN = "domain"
MEMORY = "memory"
FAILED = "failed"

CPU_MARGIN_S = 2
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    memory_cap_bytes: int
    parent_pid: int
    initializer: Callable[[], None] | None


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Entry point of the worker process (the ``target`` of its ``Process``)."""
    _apply_limits(config)
    try:
        if config.initializer is not None:
            config.initializer()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which gives up the spawn
        _reply(conn, FAILED, type(exc).__name__)
        return
    _reply(conn, READY, None)
    _serve(conn)


def _apply_limits(config: WorkerConfig) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    cap = config.memory_cap_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write records to disk
    _die_with_parent(config.parent_pid)


def _die_with_parent(parent_pid: int) -> None:
    """SIGKILL this worker when the thread that spawned it (a pool thread) or its process ends."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _serve(conn: Connection) -> None:
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):  # the pool closed the pipe or the gateway is gone
            return
        if not _run_one(conn, message):
            return


def _run_one(conn: Connection, message: bytes) -> bool:
    """Run one task and reply; False when this process must not serve again."""
    try:
        fn, args, cpu_s = pickle.loads(message)  # noqa: S301 - written by our own parent
        _limit_cpu(cpu_s)
        result = fn(*args)
    except MemoryError:
        _reply(conn, MEMORY, None)
        return False
    except DomainError as exc:
        _reply_domain_error(conn, exc)
    except Exception as exc:  # noqa: BLE001 - any other failure is reported by type name only
        _reply(conn, FAILED, type(exc).__name__)
    else:
        _reply_result(conn, result)
    return True


def _limit_cpu(cpu_s: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + cpu_s) + CPU_MARGIN_S
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _reply_domain_error(conn: Connection, exc: DomainError) -> None:
    try:
        _reply(conn, DOMAIN, (type(exc), exc.args, vars(exc)))
    except (pickle.PicklingError, TypeError, AttributeError):
        _reply(conn, FAILED, type(exc).__name__)


def _reply_result(conn: Connection, result: object) -> None:
    try:
        _reply(conn, OK, result)
    except MemoryError:
        _reply(conn, MEMORY, None)
    except (pickle.PicklingError, TypeError, AttributeError):
        _reply(conn, FAILED, "UnpicklableResult")


def _reply(conn: Connection, kind: str, value: object) -> None:
    conn.send_bytes(pickle.dumps((kind, value, peak_rss_kib()), pickle.HIGHEST_PROTOCOL))


def peak_rss_kib() -> int:
    """This process's peak resident set size (``VmHWM`` from /proc), in KiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rebuild_domain_error(
    cls: type[DomainError], args: tuple[object, ...], state: dict[str, object]
) -> DomainError:
    """The parent's half of the trip: the same class, args and attributes, no ``__init__``."""
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc
