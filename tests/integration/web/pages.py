"""Helpers for driving the web pages through the test client like a browser does."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

HTML = {"Accept": "text/html,application/xhtml+xml"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
Client = AsyncTestClient[Any]


def csrf_of(page: httpx.Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


async def get_page(client: Client, path: str) -> httpx.Response:
    return await client.get(path, headers=HTML, follow_redirects=False)


async def post_form(client: Client, path: str, **fields: str) -> httpx.Response:
    return await client.post(path, data=fields, headers=HTML, follow_redirects=False)


async def web_sign_in(client: Client, email: str, password: str, code: str = "") -> httpx.Response:
    form = await get_page(client, "/sign-in")
    assert form.status_code == 200
    token = csrf_of(form)
    return await post_form(
        client, "/sign-in", csrf_token=token, email=email, password=password, code=code
    )
