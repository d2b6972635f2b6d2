"""The vendor and BAA API over HTTP, signed in as each role (issue 4's "Done when")."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from gateway.auth.rules import Role
from gateway.settings import Settings
from kernel.clock import FixedClock
from tests.builders.vendors import PDF, TODAY, terms_json
from tests.fixtures.auth import make_token, make_user, signed_in

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
Client = AsyncTestClient[Litestar]
VENDORS = "/api/v1/vendors"


class Api:
    """A signed-in client: JSON and multipart calls carry the session's CSRF token."""

    def __init__(self, client: Client, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(url, json=body, headers={"X-CSRF-Token": self.csrf})

    async def upload(
        self, url: str, terms: Any, document: bytes = PDF, content_type: str = "application/pdf"
    ) -> httpx.Response:
        raw = terms if isinstance(terms, str) else json.dumps(terms)
        return await self.client.post(
            url,
            files={"document": ("baa.pdf", document, content_type)},
            data={"terms": raw},
            headers={"X-CSRF-Token": self.csrf},
        )

    async def vendor(self, name: str = "Acme Copy (synthetic)", kind: str = "copy") -> str:
        response = await self.post(VENDORS, {"name": name, "kind": kind})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


async def signed_in_as(app: Litestar, clock: FixedClock, client: Client, role: Role) -> Api:
    user = await make_user(app, clock, role=role)
    return Api(client, await signed_in(client, user, clock))


@pytest.fixture
async def admin(auth_app: Litestar, clock: FixedClock, http: Client) -> Api:
    return await signed_in_as(auth_app, clock, http, Role.ADMIN)


def codes(body: dict[str, Any]) -> list[str]:
    return [f["code"] for f in body["findings"]]


class TestDoneWhen:
    async def test_BA_02_a_baa_missing_a_clause_is_incomplete_with_a_finding_naming_it(
        self, admin: Api
    ) -> None:
        vendor_id = await admin.vendor()
        clauses = [c for c in terms_json()["clauses"] if c != "return_destroy"]
        response = await admin.upload(f"{VENDORS}/{vendor_id}/baas", terms_json(clauses=clauses))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "incomplete"
        assert codes(body) == ["BAA_INCOMPLETE:return_destroy"]
        assert body["findings"][0]["rule_id"] == "BA-02"

    async def test_BA_01_the_complete_baa_is_active_and_expired_after_its_end(
        self, admin: Api, http: Client, clock: FixedClock, auth_app: Litestar
    ) -> None:
        vendor_id = await admin.vendor()
        ends = TODAY + timedelta(days=90)
        response = await admin.upload(
            f"{VENDORS}/{vendor_id}/baas", terms_json(ends_on=ends.isoformat())
        )
        assert response.status_code == 201, response.text
        assert (response.json()["status"], codes(response.json())) == ("active", [])
        assert response.json()["document_sha256"]
        clock.advance(timedelta(days=91))
        await signed_in_as(auth_app, clock, http, Role.SPECIALIST)  # the old session has ended
        compliance = await http.get(f"{VENDORS}/compliance")
        row = next(r for r in compliance.json() if r["vendor_id"] == vendor_id)
        assert (row["may_receive_phi"], row["baa_status"]) == (False, "expired")
        assert codes(row) == ["BAA_EXPIRED"]

    async def test_BA_01_a_terminated_baa_blocks_at_once(self, admin: Api, http: Client) -> None:
        vendor_id = await admin.vendor()
        baa = (await admin.upload(f"{VENDORS}/{vendor_id}/baas", terms_json())).json()
        ended = await admin.post(
            f"/api/v1/baas/{baa['id']}/termination",
            {"terminated_on": TODAY.isoformat(), "reason": "breach of contract (synthetic)"},
        )
        assert ended.status_code == 201, ended.text
        assert ended.json()["status"] == "terminated"
        row = next(r for r in (await http.get(f"{VENDORS}/compliance")).json())
        assert (row["may_receive_phi"], codes(row)) == (False, ["BAA_TERMINATED"])
        again = await admin.post(
            f"/api/v1/baas/{baa['id']}/termination",
            {"terminated_on": TODAY.isoformat(), "reason": "again"},
        )
        assert (again.status_code, again.json()["code"]) == (409, "BAA_ALREADY_TERMINATED")


async def test_an_amendment_keeps_the_history(admin: Api, http: Client) -> None:
    vendor_id = await admin.vendor()
    first = (await admin.upload(f"{VENDORS}/{vendor_id}/baas", terms_json(clauses=[]))).json()
    amended = await admin.upload(f"/api/v1/baas/{first['id']}/amendments", terms_json())
    assert amended.status_code == 201, amended.text
    body = amended.json()
    assert (body["version"], body["status"]) == (2, "active")
    assert [v["version"] for v in body["history"]] == [1, 2]
    old = (await http.get(f"/api/v1/baas/{first['id']}")).json()
    assert (old["status"], old["current"], old["clauses"]) == ("incomplete", False, [])
    detail = (await http.get(f"{VENDORS}/{vendor_id}")).json()
    assert [b["id"] for b in detail["baas"]] == [body["id"]]


async def test_R26_clients_cannot_set_status_or_findings(admin: Api, http: Client) -> None:
    vendor_id = await admin.vendor()
    forged = terms_json(clauses=[], status="active", findings=[])
    response = await admin.upload(f"{VENDORS}/{vendor_id}/baas", forged)
    assert (response.status_code, response.json()["code"]) == (422, "BAA_TERMS_INVALID")
    extra = await admin.post(VENDORS, {"name": "X (synthetic)", "kind": "copy", "id": vendor_id})
    assert extra.status_code == 400
    assert (await http.get(f"{VENDORS}/{vendor_id}")).json()["baas"] == []


async def _refused_and_nothing_stored(
    admin: Api, http: Client, settings: Settings, case: tuple[bytes, str, int, str]
) -> None:
    document, content_type, status, code = case
    vendor_id = await admin.vendor()
    url = f"{VENDORS}/{vendor_id}/baas"
    response = await admin.upload(url, terms_json(), document, content_type)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert (await http.get(f"{VENDORS}/{vendor_id}")).json()["baas"] == []
    assert _files(settings.data_dir / "blobs") == []


async def test_a_document_of_another_type_is_refused_415_and_nothing_is_stored(
    admin: Api, http: Client, fresh_settings: Settings
) -> None:
    case = (PDF, "text/plain", 415, "BAA_DOCUMENT_TYPE")
    await _refused_and_nothing_stored(admin, http, fresh_settings, case)


async def test_a_document_without_the_pdf_magic_is_refused_422_and_nothing_is_stored(
    admin: Api, http: Client, fresh_settings: Settings
) -> None:
    case = (b"GIF89a not a pdf", "application/pdf", 422, "BAA_DOCUMENT_NOT_PDF")
    await _refused_and_nothing_stored(admin, http, fresh_settings, case)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


class TestRoles:
    async def test_a_specialist_reads_but_cannot_write(
        self, auth_app: Litestar, clock: FixedClock, http: Client, admin: Api
    ) -> None:
        vendor_id = await admin.vendor()
        specialist = await signed_in_as(auth_app, clock, http, Role.SPECIALIST)
        assert (await http.get(VENDORS)).status_code == 200
        assert (await http.get(f"{VENDORS}/{vendor_id}")).status_code == 200
        assert (await http.get(f"{VENDORS}/compliance")).status_code == 200
        refused = await specialist.post(VENDORS, {"name": "Y (synthetic)", "kind": "copy"})
        assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
        upload = await specialist.upload(f"{VENDORS}/{vendor_id}/baas", terms_json())
        assert upload.status_code == 403

    async def test_unauthenticated_calls_get_401(self, http: Client) -> None:
        for url in (VENDORS, f"{VENDORS}/compliance", "/api/v1/reason-codes"):
            response = await http.get(url)
            assert (response.status_code, response.json()["code"]) == (401, "AUTH_REQUIRED")


async def test_the_reason_code_table_is_served_as_json(admin: Api, http: Client) -> None:
    table = (await http.get("/api/v1/reason-codes")).json()
    entries = {e["code"]: e for e in table} if isinstance(table, list) else table
    assert "BAA_EXPIRED" in json.dumps(entries)


async def test_the_api_is_in_the_openapi_document(http: Client) -> None:
    paths = (await http.get("/schema/openapi.json")).json()["paths"]
    assert {"/api/v1/vendors", "/api/v1/baas/{baa_id}/amendments", "/api/v1/reason-codes"} <= set(
        paths
    )


async def test_requesters_get_403_on_every_vendor_route(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    for role in (Role.ATTORNEY, Role.PAYER):
        await _requester_is_refused(auth_app, clock, http, role)


async def _requester_is_refused(
    auth_app: Litestar, clock: FixedClock, http: Client, role: Role
) -> None:
    admin_user = await make_user(auth_app, clock, role=Role.ADMIN)
    token = await make_token(auth_app, clock, admin_user, role)
    headers = {"Authorization": f"Bearer {token}"}
    for url in (VENDORS, f"{VENDORS}/compliance"):
        assert (await http.get(url, headers=headers)).status_code == 403
    post = await http.post(VENDORS, json={"name": "Z", "kind": "copy"}, headers=headers)
    assert post.status_code == 403
    assert (await http.get("/api/v1/reason-codes", headers=headers)).status_code == 200
