"""Module-level task functions the pool tests send to worker processes (they must pickle)."""

from __future__ import annotations

import ctypes
import os
import resource
import time

from kernel.errors import DomainError

MIB = 1024 * 1024
INITIALIZED_ENV = "ROI_TEST_PDF_WORKER_INITIALIZED"


class SampleRefusal(DomainError):
    """A domain error whose constructor differs from DomainError's, like an engine error."""

    code = "SAMPLE_REFUSED"

    def __init__(self, page: int) -> None:
        super().__init__("sample refusal", page=page)
        self.page = page


def mark_initialized() -> None:
    """The initializer hook under test (stands in for the engine's ``apply_process_limits``)."""
    os.environ[INITIALIZED_ENV] = "yes"


def failing_initializer() -> None:
    raise RuntimeError("initializer failed")


def add(a: int, b: int) -> int:
    return a + b


def echo(data: bytes) -> bytes:
    return data


def worker_facts() -> dict[str, object]:
    """What the worker's environment looks like from inside."""
    return {
        "pid": os.getpid(),
        "rlimit_as": resource.getrlimit(resource.RLIMIT_AS),
        "rlimit_cpu": resource.getrlimit(resource.RLIMIT_CPU),
        "rlimit_core": resource.getrlimit(resource.RLIMIT_CORE),
        "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT"),
        "initialized": os.environ.get(INITIALIZED_ENV),
    }


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def spin_forever() -> None:
    while True:
        pass


def allocate(mib: int) -> int:
    block = bytearray(mib * MIB)
    return len(block)


def refuse(page: int) -> None:
    raise SampleRefusal(page=page)


def fail_with_bug() -> None:
    raise KeyError("patient name would be here")


def segfault() -> None:
    ctypes.string_at(0)


def return_unpicklable() -> object:
    return lambda: None


def peak_rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
