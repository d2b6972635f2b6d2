"""The app starts DBOS with itself, reports it in ``/ready``, and stops it on shutdown."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from gateway.app import create_app
from gateway.workflows import current_executor_id, destroy_workflows, workflows_ready
from tests.fixtures.app import BASE_URL
from tests.integration.workflows.conftest import WorkflowBackend

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]


@pytest.fixture
def served(workflow_backend: WorkflowBackend) -> Litestar:
    return create_app(workflow_backend.settings)


def test_the_app_runs_workflows_while_it_serves_and_stops_them_after(served: Litestar) -> None:
    with TestClient(served, base_url=BASE_URL) as client:
        assert current_executor_id() is not None
        assert client.get("/ready").status_code == 200
    assert current_executor_id() is None
    assert not workflows_ready()


def test_ready_answers_503_when_the_workflow_runtime_is_down(served: Litestar) -> None:
    with TestClient(served, base_url=BASE_URL) as client:
        destroy_workflows()
        response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
