"""The roles table of DESIGN.md as data, and the anchored public allowlist.

Every route handler names one rule in ``opt={"rule": ...}``; a rule is a capability below.
Anything not granted here is denied. Requester capabilities are organisation-scoped: the route
lets the requester in, and the service narrows every query to the requester's organisation
(``principal.ensure_same_organisation`` for single objects: another organisation's id looks
missing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SPECIALIST = "specialist"
    ATTORNEY = "attorney"
    PAYER = "payer"


class Kind(StrEnum):
    STAFF = "staff"
    REQUESTER = "requester"


STAFF_ROLES = frozenset({Role.ADMIN, Role.SPECIALIST})
REQUESTER_ROLES = frozenset({Role.ATTORNEY, Role.PAYER})
ALL_ROLES = STAFF_ROLES | REQUESTER_ROLES


def kind_of(role: Role) -> Kind:
    return Kind.STAFF if role in STAFF_ROLES else Kind.REQUESTER


@dataclass(frozen=True, slots=True)
class Capability:
    """Who may use routes naming this rule.

    ``anonymous``: no principal needed (the path must also be on the public allowlist).
    ``before_password_change``: open to a session that still has to replace its one-time password
    or enrol its second factor.
    ``organisation_scoped``: requester roles get it for their own organisation's objects only.
    """

    name: str
    roles: frozenset[Role]
    anonymous: bool = False
    before_password_change: bool = False
    organisation_scoped: bool = False


def _cap(name: str, *roles: Role, scoped: bool = False) -> Capability:
    return Capability(name, frozenset(roles), organisation_scoped=scoped)


A, S, AT, P = Role.ADMIN, Role.SPECIALIST, Role.ATTORNEY, Role.PAYER

CAPABILITIES: Mapping[str, Capability] = {
    c.name: c
    for c in (
        Capability("public", ALL_ROLES, anonymous=True, before_password_change=True),
        # A link holder has no account: the signed token in the path is the authority.
        Capability("link.holder", ALL_ROLES, anonymous=True, before_password_change=True),
        Capability("auth.self", ALL_ROLES, before_password_change=True),
        _cap("authenticated", *ALL_ROLES),
        _cap("users.manage", A),
        _cap("settings.view", A),
        _cap("vendors.read", A, S),
        _cap("vendors.write", A),
        _cap("records.manage", A, S),
        _cap("requests.submit", A, S, AT, P, scoped=True),
        _cap("requests.read", A, S, AT, P, scoped=True),
        _cap("releases.review", A, S),
        _cap("links.revoke", A, S),
        _cap("packets.download", AT, P, scoped=True),
        _cap("ledger.read", A, S),
    )
}


def capability(rule: str) -> Capability | None:
    return CAPABILITIES.get(rule)


def holds(role: Role, rule: str) -> bool:
    """Whether ``role`` holds the capability named ``rule`` (unknown rules: nobody)."""
    cap = CAPABILITIES.get(rule)
    return cap is not None and role in cap.roles


# The anonymous surface, anchored: an exact path, or a prefix that ends with "/" and so cannot
# match a sibling such as /healthz or /api/v1/health-export. Litestar's auth ``exclude`` takes
# unanchored regexes (``/health`` matches ``/api/v1/health-export``): it is not used.
PUBLIC_EXACT = frozenset({"/health", "/ready", "/schema", "/api/v1/auth/login", "/sign-in"})
PUBLIC_PREFIXES = ("/schema/", "/static/", "/l/")


def is_public_path(path: str) -> bool:
    """Whether a request path or route template lies on the anchored public allowlist."""
    if path in PUBLIC_EXACT:
        return True
    return any(path.startswith(prefix) and _clean(path) for prefix in PUBLIC_PREFIXES)


_TRAVERSAL = re.compile(r"(^|/)\.{1,2}(/|$)|//")


def _clean(path: str) -> bool:
    """No dot segments or empty segments that a server could normalise out of the prefix."""
    return _TRAVERSAL.search(path) is None
