"""Signing in to the admin pages as a role, and posting their forms with the session's token."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar

from gateway.auth.rules import Role
from kernel.clock import FixedClock
from tests.fixtures.auth import make_user, next_code
from tests.integration.web.pages import HTML, Client, csrf_of, get_page, web_sign_in


class Browser:
    """A client signed in through the web form, posting with its session's CSRF token."""

    def __init__(self, client: Client, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def get(self, path: str) -> httpx.Response:
        return await get_page(self.client, path)

    async def post(self, path: str, fields: dict[str, Any]) -> httpx.Response:
        data = {"csrf_token": self.csrf, **fields}
        return await self.client.post(path, data=data, headers=HTML, follow_redirects=False)

    async def upload(
        self, path: str, fields: dict[str, Any], files: dict[str, Any]
    ) -> httpx.Response:
        data = {"csrf_token": self.csrf, **fields}
        return await self.client.post(
            path, data=data, files=files, headers=HTML, follow_redirects=False
        )


async def browser_as(app: Litestar, clock: FixedClock, client: Client, role: Role) -> Browser:
    user = await make_user(app, clock, role=role)
    signed = await web_sign_in(client, user.email, user.password, next_code(user, clock))
    assert signed.status_code == 303, signed.text
    home = await get_page(client, "/")
    return Browser(client, csrf_of(home))
