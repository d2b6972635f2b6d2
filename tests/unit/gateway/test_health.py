from __future__ import annotations

from litestar.testing import TestClient

from gateway.app import create_app
from gateway.settings import Settings


def test_health_answers_ok_without_touching_dependencies(tmp_path: object) -> None:
    app = create_app(Settings(data_dir=tmp_path))  # type: ignore[arg-type]
    with TestClient(app, base_url="https://testserver.local") as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
