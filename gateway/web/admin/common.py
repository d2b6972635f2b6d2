"""What the admin pages share: rendering a signed-in page and turning a refusal into a message."""

from __future__ import annotations

from typing import Any

from litestar.response import Template

from gateway.auth.principal import Principal
from gateway.web.forms import AnyRequest
from gateway.web.navigation import page_context

ADMIN_CSS = "/static/web/admin.css"


def admin_page(
    request: AnyRequest,
    principal: Principal,
    template: str,
    title: str,
    *,
    status: int = 200,
    **extra: Any,
) -> Template:
    """A page under templates/admin/ with the signed-in context; ``title`` never holds PHI."""
    context = page_context(request, principal, title, admin_css=ADMIN_CSS, **extra)
    context.setdefault("error", None)
    context.setdefault("notice", None)
    return Template(template_name=f"admin/{template}", context=context, status_code=status)


def refusal(code: str, message: str) -> str:
    """A refusal as shown on a page: the plain message, then the reason code for support."""
    return f"{message} (reason code {code})"
