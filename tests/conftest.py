"""Suite-wide configuration: which backends this run exercises, and CI strictness."""

from __future__ import annotations

import inspect
import os

import pytest

# In-process apps built by tests neither launch DBOS (one global instance per process: the
# workflow tests manage it themselves) nor spawn PDF workers up front (the pool starts on first
# use). Subprocess gateways get neither variable (see tests/fixtures/app.py: settings_env).
os.environ.setdefault("ROI_WORKFLOW__ENABLED", "false")
os.environ.setdefault("ROI_PDF__EAGER_START", "false")

pytest_plugins = [
    "tests.fixtures.asyncio_backend",
    "tests.fixtures.db",
    "tests.fixtures.logs",
    "tests.fixtures.app",
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


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Every ``async def`` test runs under anyio on asyncio. The mark goes on the function before
    parametrisation, so parametrised async tests get their ``anyio_backend`` too."""
    if collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj):  # type: ignore[attr-defined]
        pytest.mark.anyio(obj)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests for another database backend are deselected (not skipped: the other pass runs them)."""
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        only = item.get_closest_marker("only_backend")
        (dropped if only and only.args[0] != test_database_backend() else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    from tests.corpus.summary import summarise  # noqa: PLC0415 (only when the summary is printed)

    lines = summarise(config)
    if lines:
        terminalreporter.section("robustness corpus")
        for line in lines:
            terminalreporter.write_line(line)
