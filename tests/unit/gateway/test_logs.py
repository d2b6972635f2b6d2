"""The log filter drops keys that can hold PHI or secrets, whatever the event."""

from __future__ import annotations

import pytest
import structlog

from gateway.logs import safe_fields
from tests.fixtures.logs import CapturedLogs


@pytest.mark.parametrize(
    "key",
    [
        "password", "new_password", "token", "access_token", "otp", "session_id", "cookie",
        "patient_name", "first_name", "dob", "date_of_birth", "mrn", "ssn", "email", "phone",
        "address", "body", "query_string", "raw_path", "url", "filename", "subject",
    ],
)  # fmt: skip
def test_sensitive_keys_are_dropped(key: str) -> None:
    assert safe_fields({"event": "x.happened", key: "CANARY"}) == {"event": "x.happened"}


def test_ids_codes_and_templates_are_kept() -> None:
    fields = {"event": "release.approved", "release_id": "r1", "route": "/a/{id}", "code": "X"}
    assert safe_fields(fields) == fields


def test_a_logged_event_carries_no_canary(captured_logs: CapturedLogs) -> None:
    structlog.get_logger().info("user.signed_in", user_id="u-1", password="CANARY-PW")
    assert "u-1" in captured_logs.text
    assert "CANARY-PW" not in captured_logs.text
