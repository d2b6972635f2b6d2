"""Suite-wide configuration: which backends this run exercises, and CI strictness."""

from __future__ import annotations

import os

import pytest


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


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    from tests.corpus.summary import summarise  # noqa: PLC0415 (only when the summary is printed)

    lines = summarise(config)
    if lines:
        terminalreporter.section("robustness corpus")
        for line in lines:
            terminalreporter.write_line(line)
