"""SECURITY R29: a Flate bomb opened in a ``check`` worker is refused fast, under the cap."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import redaction
from tests.integration.pdfpool.builders import running_pool
from tests.integration.pdfpool.pdf_tasks import (
    SampleDecodeRefused,
    apply_sample_qpdf_limits,
    decode_every_stream,
    flate_bomb,
)

CAP_MIB = 256


def peak_rss_mib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if "VmHWM" in line) // 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    pdf = flate_bomb(inflated_mib=512)
    assert len(pdf) < 4096
    return pdf


@pytest.mark.slow
class TestFlateBomb:
    async def test_with_the_qpdf_limits_a_bomb_is_refused_within_2_cpu_s_under_the_cap(
        self, bomb: bytes
    ) -> None:
        """R29 says 2 s; CPU time is the machine-independent measure of it (a loaded CI box
        stretches wall time), and the wall time stays within the lane's limit."""
        async with running_pool(initializer=apply_sample_qpdf_limits, time_limit_s=10) as pool:
            [pid] = pool.worker_pids("check")
            cpu_before, started = cpu_seconds(pid), time.monotonic()
            with pytest.raises(SampleDecodeRefused):
                await pool.run(decode_every_stream, bomb)
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(pid) - cpu_before
            peak = peak_rss_mib(pid)  # the same worker: a refusal does not replace it
            assert pool.worker_pids("check") == [pid]
        assert cpu < 2.0, f"cpu {cpu:.2f} s, wall {elapsed:.2f} s"
        assert elapsed < 10.0
        assert peak < CAP_MIB

    async def test_without_them_the_memory_cap_alone_stops_the_bomb(self, bomb: bytes) -> None:
        async with running_pool(initializer=None, time_limit_s=10) as pool:
            [pid] = pool.worker_pids("check")
            with pytest.raises(SampleDecodeRefused):  # qpdf turns std::bad_alloc into an error
                await pool.run(decode_every_stream, bomb)
            assert peak_rss_mib(pid) < CAP_MIB
            assert await pool.run(decode_every_stream, flate_bomb(inflated_mib=1)) == 1024 * 1024

    async def test_an_honest_stream_decodes_in_the_same_lane(self) -> None:
        async with running_pool(initializer=apply_sample_qpdf_limits, time_limit_s=10) as pool:
            pdf = flate_bomb(inflated_mib=32)
            assert await pool.run(decode_every_stream, pdf) == 32 * 1024 * 1024


@pytest.mark.slow
async def test_the_engine_refuses_a_bomb_page_in_a_check_worker_within_2_cpu_s() -> None:
    """The real wiring: the engine's ``apply_process_limits`` as the initializer and its
    ``find_tokens`` as the task; the engine's own typed refusal reaches the caller unchanged."""
    bomb = flate_bomb(inflated_mib=512, as_page_content=True)
    async with running_pool(initializer=redaction.apply_process_limits, time_limit_s=10) as pool:
        [pid] = pool.worker_pids("check")
        cpu_before = cpu_seconds(pid)
        with pytest.raises(redaction.PdfTooLarge):
            await pool.run(redaction.find_tokens, bomb, ["412-55-0193"])
        cpu = cpu_seconds(pid) - cpu_before
        assert pool.worker_pids("check") == [pid]
        assert peak_rss_mib(pid) < CAP_MIB
    assert cpu < 2.0
