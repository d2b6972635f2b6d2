"""The edge of every HTTP exchange: request id, security headers and one canonical log line.

It wraps Litestar's whole ASGI handler (routing included), so 404s and framework errors get the
same headers and the same log line. The log line names the route template, never the raw path,
path parameters, query string, body or cookies.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from gateway.logs import bind_request, unbind_request

log = structlog.get_logger()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Mapping[str, str] = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": CSP,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
DEFAULT_CACHE_CONTROL = "no-store"


class EdgeMiddleware:
    """Pure ASGI middleware around the whole app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        bind_request(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_headers(message.get("headers", []), request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "http.request",
                method=scope.get("method", ""),
                route=scope.get("path_template") or "<unmatched>",
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            unbind_request()


def _with_headers(raw: object, request_id: str) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = list(raw)  # type: ignore[call-overload]
    present = {name.lower() for name, _ in headers}
    for name, value in SECURITY_HEADERS.items():
        if name.encode() not in present:
            headers.append((name.encode(), value.encode()))
    if b"cache-control" not in present:
        headers.append((b"cache-control", DEFAULT_CACHE_CONTROL.encode()))
    headers.append((b"x-request-id", request_id.encode()))
    return [(n, v) for n, v in headers if n.lower() != b"server"]
