"""``python -m gateway.cli`` (used by tests to start the gateway as a subprocess)."""

from __future__ import annotations

from gateway.cli import main

main()
