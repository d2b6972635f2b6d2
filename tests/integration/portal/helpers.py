"""Signing in to the portal through the web form and filling its submission form."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.builders.requests import FIRM, PDF, TODAY
from tests.fixtures.auth import TestUser, make_user, next_code
from tests.integration.web.pages import HTML, Client, csrf_of, get_page, web_sign_in

RELEASE_URL = re.compile(r"^/portal/requests/([0-9a-f-]{36})$")


class Portal:
    """A client signed in through the web form, posting with its session's CSRF token."""

    def __init__(self, client: Client, csrf: str, user: TestUser) -> None:
        self.client, self.csrf, self.user = client, csrf, user

    async def get(self, path: str) -> httpx.Response:
        return await get_page(self.client, path)

    async def post(
        self, path: str, fields: dict[str, Any], files: dict[str, Any] | None = None
    ) -> httpx.Response:
        data = {"csrf_token": self.csrf, **fields}
        return await self.client.post(
            path, data=data, files=files, headers=HTML, follow_redirects=False
        )

    async def submit(self, fields: dict[str, Any], evidence: bytes | None = PDF) -> httpx.Response:
        files = {"evidence": ("signed.pdf", evidence, "application/pdf")} if evidence else None
        return await self.post("/portal/requests", fields, files)


async def portal_as(
    app: Litestar,
    clock: FixedClock,
    client: Client,
    role: Role = Role.ATTORNEY,
    organisation: str | None = None,
) -> Portal:
    user = await make_user(app, clock, role=role, organisation=organisation)
    client.cookies.clear()
    signed = await web_sign_in(client, user.email, user.password, next_code(user, clock))
    assert signed.status_code == 303, signed.text
    home = await get_page(client, "/")
    return Portal(client, csrf_of(home), user)


def form_fields(mrn: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A complete submission: the patient by MRN, the firm, a valid authorization."""
    fields: dict[str, Any] = {
        "mrn": mrn or "",
        "recipient_kind": "attorney",
        "recipient_name": FIRM,
        "recipient_email": "paralegal@doe-partners.example",
        "purpose": "personal injury claim",
        "auth_description": "All records of treatment in 2026",
        "auth_discloser": "General Hospital (synthetic)",
        "auth_recipient": FIRM,
        "auth_purpose": "personal injury claim",
        "signer_kind": "patient",
        "auth_signed": "yes",
        "signature_date": (TODAY - timedelta(days=5)).isoformat(),
        "expiration_date": (TODAY + timedelta(days=180)).isoformat(),
        "statements": ["revocation_right", "conditioning", "redisclosure"],
        "record_types": ["progress_note"],
        "scope_start": "2026-01-01",
        "scope_end": "2026-11-01",
    }
    return {k: v for k, v in {**fields, **overrides}.items() if v is not None}


def release_id_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:2000]
    found = RELEASE_URL.match(response.headers["location"])
    assert found is not None, response.headers["location"]
    return found.group(1)
