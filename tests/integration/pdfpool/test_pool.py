"""The PDF worker pool with real worker processes: results, limits, failures and recovery."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.pdfpool import (
    PdfPoolBusy,
    PdfPoolUnavailable,
    PdfWorkerCrashed,
    PdfWorkFailed,
    PdfWorkTimedOut,
    PdfWorkTooLarge,
)
from tests.integration.pdfpool import tasks
from tests.integration.pdfpool.builders import (
    pool_children,
    process_exists,
    process_running,
    running_pool,
)
from tests.integration.pdfpool.orphan_host import PIDS_MARKER

MIB = 1024 * 1024


class TestResults:
    async def test_a_call_returns_the_functions_result(self) -> None:
        async with running_pool() as pool:
            assert await pool.run(tasks.add, 2, 3) == 5
            data = os.urandom(2 * MIB)
            assert await pool.run(tasks.echo, data, memory_cap="assemble") == data

    async def test_each_lane_runs_with_its_memory_cap_and_the_initializer(self) -> None:
        async with running_pool() as pool:
            check = await pool.run(tasks.worker_facts)
            assemble = await pool.run(tasks.worker_facts, memory_cap="assemble")
        assert check["rlimit_as"] == (256 * MIB, 256 * MIB)
        assert assemble["rlimit_as"] == (512 * MIB, 512 * MIB)
        for facts in (check, assemble):
            assert facts["initialized"] == "yes"
            assert facts["omp_thread_limit"] == "1"
            assert facts["rlimit_core"] == (0, 0)
            soft_cpu, _ = facts["rlimit_cpu"]  # type: ignore[misc]
            assert soft_cpu != resource.RLIM_INFINITY
        assert check["pid"] != assemble["pid"] != os.getpid()

    async def test_parallel_calls_run_on_separate_workers(self) -> None:
        async with running_pool(check_workers=2) as pool:
            started = time.monotonic()
            pids = await asyncio.gather(
                pool.run(tasks.pid_after, 0.6), pool.run(tasks.pid_after, 0.6)
            )
            elapsed = time.monotonic() - started
        assert len(set(pids)) == 2
        assert elapsed < 1.1


class TestRefusals:
    async def test_domain_errors_pass_through_unchanged(self) -> None:
        async with running_pool() as pool:
            with pytest.raises(tasks.SampleRefusal) as caught:
                await pool.run(tasks.refuse, 7)
            assert await pool.run(tasks.add, 1, 1) == 2
        assert type(caught.value) is tasks.SampleRefusal
        assert caught.value.code == "SAMPLE_REFUSED"
        assert caught.value.page == 7
        assert caught.value.data == {"page": 7}

    async def test_other_exceptions_become_work_failed_without_their_message(self) -> None:
        async with running_pool() as pool:
            with pytest.raises(PdfWorkFailed) as caught:
                await pool.run(tasks.fail_with_bug)
            assert await pool.run(tasks.add, 1, 1) == 2
        assert caught.value.data == {"error_type": "KeyError"}
        assert "patient" not in f"{caught.value} {caught.value!r}"

    async def test_a_function_that_does_not_pickle_is_refused_before_it_takes_a_worker(
        self,
    ) -> None:
        async with running_pool() as pool:
            with pytest.raises((pickle.PicklingError, AttributeError)):
                await pool.run(lambda: 1)
            assert await pool.run(tasks.add, 1, 1) == 2

    async def test_an_unpicklable_result_is_a_work_failure_and_the_worker_serves_on(
        self,
    ) -> None:
        async with running_pool() as pool:
            pid = pool.worker_pids("check")
            with pytest.raises(PdfWorkFailed):
                await pool.run(tasks.return_unpicklable)
            assert await pool.run(tasks.add, 1, 1) == 2
            assert pool.worker_pids("check") == pid


@pytest.mark.slow
class TestFailures:
    async def test_allocating_past_the_cap_is_too_large_and_the_worker_stays_under_it(
        self,
    ) -> None:
        async with running_pool() as pool:
            [old_pid] = pool.worker_pids("check")
            with pytest.raises(PdfWorkTooLarge) as caught:
                await pool.run(tasks.allocate, 300)
            assert await pool.run(tasks.allocate, 300, memory_cap="assemble") == 300 * MIB
            facts = await pool.run(tasks.worker_facts)
        assert caught.value.code == "PDF_TOO_LARGE"
        assert caught.value.data["cap_mib"] == 256
        peak_mib = caught.value.data["peak_rss_mib"]
        assert isinstance(peak_mib, int)
        assert 0 < peak_mib < 256
        assert facts["pid"] != old_pid  # a worker that hit its cap is replaced
        assert not process_exists(old_pid)

    async def test_a_hung_task_is_killed_within_its_limit_and_replaced(self) -> None:
        async with running_pool(time_limit_s=10) as pool:
            [old_pid] = pool.worker_pids("check")
            started = time.monotonic()
            with pytest.raises(PdfWorkTimedOut) as caught:
                await pool.run(tasks.spin_forever, timeout=1.0)
            elapsed = time.monotonic() - started
            assert not process_exists(old_pid)  # killed and reaped before the caller heard
            new_pid = await pool.run(tasks.pid_after, 0)
        assert 1.0 <= elapsed < 3.0
        assert caught.value.code == "PDF_TOO_COMPLEX"
        assert new_pid != old_pid

    async def test_a_timeout_longer_than_the_lanes_limit_is_cut_to_it(self) -> None:
        async with running_pool(time_limit_s=1) as pool:
            started = time.monotonic()
            with pytest.raises(PdfWorkTimedOut):
                await pool.run(tasks.spin_forever, timeout=60)
            assert time.monotonic() - started < 3.0

    async def test_a_crashing_worker_is_replaced_and_the_pool_serves_on(self) -> None:
        async with running_pool() as pool:
            [old_pid] = pool.worker_pids("check")
            with pytest.raises(PdfWorkerCrashed) as caught:
                await pool.run(tasks.segfault)
            assert await pool.run(tasks.add, 2, 2) == 4
            assert pool.worker_pids("check") != [old_pid]
        assert caught.value.code == "PDF_REJECTED"

    async def test_after_a_hang_and_a_crash_the_next_call_succeeds(self) -> None:
        async with running_pool() as pool:
            with pytest.raises(PdfWorkTimedOut):
                await pool.run(tasks.spin_forever, timeout=0.5)
            with pytest.raises(PdfWorkerCrashed):
                await pool.run(tasks.segfault)
            assert await pool.run(tasks.add, 20, 22) == 42
            assert pool.ready()

    async def test_a_worker_killed_from_outside_mid_task_gives_crashed(self) -> None:
        async with running_pool() as pool:
            [pid] = pool.worker_pids("check")
            call = asyncio.create_task(pool.run(tasks.pid_after, 5))
            await asyncio.sleep(0.5)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(PdfWorkerCrashed):
                await call
            assert await pool.run(tasks.pid_after, 0) != pid

    async def test_an_idle_worker_killed_from_outside_is_replaced_without_an_error(
        self,
    ) -> None:
        async with running_pool() as pool:
            [pid] = pool.worker_pids("check")
            os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.2)
            assert await pool.run(tasks.pid_after, 0) not in (pid, os.getpid())


@pytest.mark.slow
class TestCapacity:
    async def test_a_caller_that_waits_past_the_queue_deadline_gets_busy(self) -> None:
        async with running_pool(check_workers=1, queue_timeout_s=0.3) as pool:
            first = asyncio.create_task(pool.run(tasks.pid_after, 1.5))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            with pytest.raises(PdfPoolBusy) as caught:
                await pool.run(tasks.add, 1, 1)
            waited = time.monotonic() - started
            await first
            assert await pool.run(tasks.add, 1, 1) == 2
        assert 0.25 <= waited < 1.0
        assert caught.value.code == "PDF_POOL_BUSY"

    async def test_a_cancelled_caller_leaves_the_worker_serving(self) -> None:
        async with running_pool() as pool:
            [pid] = pool.worker_pids("check")
            call = asyncio.create_task(pool.run(tasks.pid_after, 0.5))
            await asyncio.sleep(0.1)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            assert await pool.run(tasks.pid_after, 0) == pid


class TestLifecycle:
    async def test_a_started_pool_is_ready_and_a_closed_one_is_not(self) -> None:
        async with running_pool() as pool:
            assert pool.ready()
            assert len(pool.worker_pids("check")) == 1
        assert not pool.ready()
        with pytest.raises(PdfPoolUnavailable):
            await pool.run(tasks.add, 1, 1)

    async def test_close_leaves_no_child_process(self) -> None:
        before = pool_children()
        async with running_pool(check_workers=2) as pool:
            pids = pool.worker_pids("check") + pool.worker_pids("assemble")
            call = asyncio.create_task(pool.run(tasks.pid_after, 30))
            await asyncio.sleep(0.3)
            assert set(pids) <= pool_children()
        with pytest.raises(PdfPoolUnavailable):
            await call
        assert pool_children() == before
        assert not any(process_exists(pid) for pid in pids)

    async def test_a_failing_initializer_fails_start_and_leaves_no_child(self) -> None:
        before = pool_children()
        with pytest.raises(PdfPoolUnavailable):
            async with running_pool(initializer=tasks.failing_initializer):
                pass
        assert pool_children() == before


@pytest.mark.slow
def test_workers_die_with_a_gateway_that_is_killed() -> None:
    """The crash harness SIGKILLs the gateway: its workers, a busy one included, must not stay
    behind as orphans holding memory (PR_SET_PDEATHSIG)."""
    repo = Path(__file__).resolve().parents[3]
    host = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.pdfpool.orphan_host"],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert host.stdout is not None
    try:
        line = next(line for line in host.stdout if line.startswith(PIDS_MARKER))
        pids = json.loads(line.removeprefix(PIDS_MARKER))
        assert len(pids) == 2
        assert all(process_running(pid) for pid in pids)
    finally:
        host.kill()
        host.wait()
        host.stdout.close()
    deadline = time.monotonic() + 2.0
    while any(process_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process_running(pid) for pid in pids)
