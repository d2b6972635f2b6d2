"""What the portal pages share: rendering a page, refusing staff, and shaping refusals."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar.response import Template

from gateway.auth.principal import Principal
from gateway.errors import ApiError
from gateway.web.errors import wants_html
from gateway.web.forms import AnyRequest
from gateway.web.navigation import page_context

PORTAL_CSS = "/static/web/portal.css"
STAFF_REFUSED = "PORTAL_REQUESTERS_ONLY"

# What a requester sees of a state (DESIGN.md), as words on the page.
STATE_LABELS = {
    "received": "Received",
    "rejected": "Rejected: needs a new request",
    "on_hold": "On hold",
    "in_preparation": "In preparation",
    "in_review": "In review at the hospital",
    "released": "Released",
    "denied": "Denied",
    "expired": "Expired",
}


def portal_page(
    request: AnyRequest,
    principal: Principal,
    template: str,
    title: str,
    *,
    status: int = 200,
    **extra: Any,
) -> Template:
    """A page under templates/portal/ with the signed-in context; ``title`` never holds PHI."""
    context = page_context(request, principal, title, portal_css=PORTAL_CSS, **extra)
    context.setdefault("error", None)
    context.setdefault("notice", None)
    context.setdefault("labels", STATE_LABELS)
    return Template(template_name=f"portal/{template}", context=context, status_code=status)


def staff_refusal(request: AnyRequest, principal: Principal) -> Template | None:
    """Staff have the queue, not the portal: a 403 page naming the reason code."""
    if not principal.is_staff:
        return None
    if not wants_html(request):  # an API client: problem+json with the same reason code
        raise ApiError(STAFF_REFUSED, HTTPStatus.FORBIDDEN)
    message = refusal(
        STAFF_REFUSED,
        "The request portal is for attorneys and payers. Staff work on requests in the queue.",
    )
    return portal_page(request, principal, "refused.html", "Not allowed", status=403, error=message)


def refusal(code: str, message: str) -> str:
    """A refusal as shown on a page: the plain message, then the reason code for support."""
    return f"{message} (reason code {code})"
