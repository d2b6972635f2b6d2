"""SECURITY R12: canary PHI, password and token sent to the live server appear in no output line.

The gateway runs as a real uvicorn subprocess (access log off, our canonical line on); every byte
it writes to stdout and stderr is grepped."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.app import LiveGateway

pytestmark = [pytest.mark.db, pytest.mark.slow]

CANARIES = {
    "phi": "Zebulon-Quatermaine-1931",
    "password": "CanaryPassw0rd!x",
    "token": "roi_canarytoken0123456789abcdef",
}


def test_R12_no_canary_reaches_any_log_line(live_gateway: LiveGateway) -> None:
    base = live_gateway.url
    phi, password, token = CANARIES["phi"], CANARIES["password"], CANARIES["token"]
    with httpx.Client(base_url=base, timeout=5) as client:
        client.get(f"/health?patient={phi}", headers={"Authorization": f"Bearer {token}"})
        client.cookies.set("__Host-roi_session", token)
        client.get(f"/patients/{phi}")
        client.post("/api/v1/auth/login", json={"email": phi, "password": password})
        client.post("/api/v1/requests", content=f'{{"name": "{phi}"'.encode())
        response = client.get(f"/static/{phi}")
    assert response.status_code == 404
    output = live_gateway.text()
    assert '"http.request"' in output  # the log is really there
    for value in CANARIES.values():
        assert value not in output
        assert value not in response.text
