"""The signed-in bar: which pages each role reaches, and the context every signed-in page shares.

Each area of the UI adds its entry to ``NAV`` (label, path, roles); the bar shows a role only
the pages its access rules let it open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.auth.principal import Principal
from gateway.auth.rules import Role
from gateway.web.forms import AnyRequest, session_csrf

STAFF = frozenset({Role.ADMIN, Role.SPECIALIST})
ADMINS = frozenset({Role.ADMIN})
REQUESTERS = frozenset({Role.ATTORNEY, Role.PAYER})


@dataclass(frozen=True, slots=True)
class NavEntry:
    label: str
    path: str
    roles: frozenset[Role]


NAV: tuple[NavEntry, ...] = (
    NavEntry("Queue", "/queue", STAFF),
    NavEntry("Vendors", "/admin/vendors", STAFF),
    NavEntry("Accounting", "/admin/accounting", STAFF),
    NavEntry("Ledger", "/admin/ledger", STAFF),
    NavEntry("Dashboard", "/admin/dashboard", STAFF),
    NavEntry("Users", "/admin/users", ADMINS),
    NavEntry("Requests", "/portal/requests", REQUESTERS),
    NavEntry("API documentation", "/schema/swagger", STAFF),
)


def nav_for(role: Role) -> list[NavEntry]:
    return [entry for entry in NAV if role in entry.roles]


def page_context(
    request: AnyRequest, principal: Principal, title: str, **extra: Any
) -> dict[str, Any]:
    """What base.html and the signed-in bar need: the title (never PHI), the session's CSRF
    token for forms, the role and its navigation, and the path to mark the current entry."""
    return {
        "title": title,
        "csrf_token": session_csrf(request),
        "role": principal.role.value,
        "is_staff": principal.is_staff,
        "nav": nav_for(principal.role),
        "current_path": request.url.path,
        **extra,
    }
