"""Every response carries the security headers and a request id; every request logs one line that
names its route template and nothing from the raw request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy.exc import OperationalError

from gateway.app import create_app
from gateway.errors import exception_handlers
from gateway.settings import Settings
from tests.fixtures.app import BASE_URL
from tests.fixtures.logs import CapturedLogs

CANARY_MRN = "MRN-CANARY-77123"


@pytest.fixture
def edge_client(tmp_path: Path) -> TestClient:  # type: ignore[type-arg]
    return TestClient(create_app(Settings(data_dir=tmp_path)), base_url=BASE_URL)


@pytest.mark.parametrize("path", ["/health", "/does-not-exist", "/schema/openapi.json"])
def test_security_headers_are_on_every_response(edge_client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    with edge_client as client:
        response = client.get(path)
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert len(headers["x-request-id"]) == 32
    assert "server" not in headers


def test_the_request_line_names_the_template_not_the_path(
    edge_client: TestClient,  # type: ignore[type-arg]
    captured_logs: CapturedLogs,
) -> None:
    with edge_client as client:
        client.cookies.set("c", CANARY_MRN)
        client.get(f"/static/{CANARY_MRN}.js?patient={CANARY_MRN}")
        client.get(f"/nowhere/{CANARY_MRN}")
    request_lines = [json.loads(x) for x in captured_logs.lines if '"http.request"' in x]
    routes = [line["route"] for line in request_lines]
    assert routes == ["/static/{file_path}", "<unmatched>"]
    assert CANARY_MRN not in captured_logs.text
    assert all(len(line["request_id"]) == 32 for line in request_lines)


def test_unknown_routes_get_problem_json_with_a_reason_code(edge_client: TestClient) -> None:  # type: ignore[type-arg]
    with edge_client as client:
        response = client.post(f"/api/v1/{CANARY_MRN}", content=b"{broken")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "NOT_FOUND"
    assert CANARY_MRN not in response.text


def test_swagger_ui_is_served_from_vendored_files(edge_client: TestClient) -> None:  # type: ignore[type-arg]
    with edge_client as client:
        page = client.get("/schema/swagger")
        bundle = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
        favicon = client.get("/static/vendor/swagger-ui/favicon-32x32.png")
    assert page.status_code == 200
    assert "http" not in page.text.replace("charset", "")  # no CDN or absolute URL
    assert "<script>" not in page.text  # no inline script under the strict CSP
    assert bundle.status_code == 200
    assert favicon.status_code == 200


def test_a_locked_database_answers_503_without_sql_text() -> None:
    """SECURITY R42: a database failure fails closed with a reason code, not a 500 or a trace."""
    error = OperationalError("UPDATE secret_table SET x = 1", {}, Exception("database is locked"))
    handler = exception_handlers()[OperationalError]
    response = handler(None, error)  # type: ignore[arg-type,operator]
    assert response.status_code == 503
    assert response.content["code"] == "DATABASE_UNAVAILABLE"
    assert "secret_table" not in str(response.content)
