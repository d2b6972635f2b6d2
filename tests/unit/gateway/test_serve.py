"""``roi serve``: the server freezes its start-up heap out of the collector's sight as its last
start-up hook (``gateway.app.settle_heap``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from litestar import Litestar

import gateway.app
from gateway.app import settle_heap
from gateway.cli import server


def test_serve_runs_settle_heap_after_every_other_start_up_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def started() -> None:
        return None

    served: list[Any] = []
    monkeypatch.setattr(server, "load_settings", _Settings)
    monkeypatch.setattr(gateway.app, "create_app", lambda _s: Litestar([], on_startup=[started]))
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: served.append(app))

    result = CliRunner().invoke(server.serve, ["--port", "8123"])

    assert result.exit_code == 0, result.output
    assert served[0].on_startup == [started, settle_heap]


def test_settle_heap_freezes_what_is_alive() -> None:
    """In a process of its own: a frozen object is never freed."""
    code = textwrap.dedent(
        """
        import gc
        from gateway.app import settle_heap
        assert gc.get_freeze_count() == 0
        settle_heap()
        print(gc.get_freeze_count())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(out.stdout) > 10_000  # the imported modules alone are tens of thousands


class _Settings:
    host = "127.0.0.1"
    port = 8000
