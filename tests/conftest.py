"""Suite-wide configuration: which backends this run exercises, and CI strictness."""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.fixtures.asyncio_backend",
    "tests.fixtures.faults",
    "tests.fixtures.s3",
    "tests.fixtures.smtp",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test_database_backend() -> str:
    return os.environ.get("ROI_TEST_DB", "sqlite")


test_database_backend.__test__ = False  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> list[str]:
    backends = [test_database_backend(), "local-files", "memory"]
    markexpr = config.getoption("markexpr", "") or ""
    if "not s3" not in markexpr and markexpr != "db":
        backends.append("s3")
    return [f"backends: {', '.join(backends)}", f"ci: {in_ci()}"]
