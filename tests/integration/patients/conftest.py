from __future__ import annotations

from tests.fixtures.auth import clock
from tests.integration.patients.support import records_app, records_settings, staff

__all__ = ["clock", "records_app", "records_settings", "staff"]
