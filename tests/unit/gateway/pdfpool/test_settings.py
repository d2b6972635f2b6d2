"""The ``pdf`` settings group: lanes with the caps of SECURITY R29 unless configured."""

from __future__ import annotations

import pytest

from gateway.pdfpool.pool import build_pdf_pool
from gateway.settings import Settings


def test_the_default_lanes_cap_checks_at_256_mib_and_assembly_at_512_mib() -> None:
    pdf = Settings().pdf
    assert (pdf.check.memory_cap_mib, pdf.check.time_limit_s) == (256, 10)
    assert (pdf.assemble.memory_cap_mib, pdf.assemble.time_limit_s) == (512, 120)
    assert pdf.check.workers == pdf.assemble.workers == 2


def test_lanes_are_configured_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROI_PDF__CHECK__WORKERS", "3")
    monkeypatch.setenv("ROI_PDF__ASSEMBLE__TIME_LIMIT_S", "90")
    pdf = Settings().pdf
    assert pdf.check.workers == 3
    assert pdf.assemble.time_limit_s == 90
    assert pdf.assemble.memory_cap_mib == 512


def test_an_unbuilt_pool_is_not_ready_and_has_no_workers() -> None:
    pool = build_pdf_pool(Settings(), None)
    assert not pool.ready()
    assert pool.worker_pids("check") == []
