"""Error pages for browsers: the same statuses and reason codes as problem+json, shown as HTML.

Each of the app's exception handlers is wrapped: the JSON handler runs first (so the log line,
status and reason code are decided in one place, ``gateway/errors.py``), then a browser asking
for HTML outside the API gets a page instead. A missing session sends it to the sign-in page,
and a pending password change or TOTP enrolment to that page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import MediaType, Request, Response
from litestar.types import ExceptionHandler, ExceptionHandlersMap

from gateway.web.templating import render

NOT_HTML_PREFIXES = ("/api/", "/schema", "/static/")
KEPT_HEADERS = ("retry-after", "allow")
REDIRECTS: Mapping[str, str] = {
    "AUTH_REQUIRED": "/sign-in",
    "PASSWORD_CHANGE_REQUIRED": "/account/password",
    "MFA_ENROLMENT_REQUIRED": "/account/totp",
}
PAGES: Mapping[int, tuple[str, str]] = {
    400: ("Request not understood", "The form could not be read. Go back and try again."),
    403: (
        "Not allowed",
        "You cannot open this page, or the form had expired. Reload the page and try again.",
    ),
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "What was sent is larger than allowed."),
    429: ("Too many attempts", "Wait a moment, then try again."),
    500: ("Something went wrong", "The error has been recorded. Try again in a moment."),
    503: ("Service unavailable", "A part of the service is not answering. Try again shortly."),
}


def wants_html(request: Request[Any, Any, Any]) -> bool:
    path: str = request.scope.get("path", "")
    if path.startswith(NOT_HTML_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def with_html_pages(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    return {key: _html_first(handler) for key, handler in handlers.items()}


def _html_first(handler: ExceptionHandler[Any]) -> ExceptionHandler[Any]:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        response: Response[Any] = handler(request, exc)
        if not wants_html(request):
            return response
        content = response.content
        code = content.get("code") if isinstance(content, dict) else None
        if isinstance(code, str) and code in REDIRECTS:
            return Response(None, status_code=303, headers={"Location": REDIRECTS[code]})
        kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        return html_error(response.status_code or 500, kept)

    return handle


def html_error(status: int, headers: Mapping[str, str] | None = None) -> Response[str]:
    default = PAGES[500] if status >= 500 else PAGES[400]  # noqa: PLR2004 - status classes
    heading, message = PAGES.get(status, default)
    page = render("error.html", title=heading, heading=heading, message=message, status=status)
    return Response(
        page, status_code=status, media_type=MediaType.HTML, headers=dict(headers or {})
    )
