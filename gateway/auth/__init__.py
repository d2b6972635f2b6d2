"""Users and access: roles as data, sessions, MFA sign-in, CSRF, throttling, integration tokens.

Other packages use :class:`Principal` (handler parameter ``principal``), the rule names of
:data:`CAPABILITIES` in ``opt={"rule": ...}``, and :func:`ensure_same_organisation` for
object-level checks.
"""

from __future__ import annotations

from gateway.auth.accounts import NewToken, NewUser, create_token, create_user
from gateway.auth.plugin import AuthPlugin
from gateway.auth.principal import CurrentPrincipal, Principal, Via, ensure_same_organisation
from gateway.auth.rules import CAPABILITIES, Role, holds, is_public_path

__all__ = [
    "CAPABILITIES",
    "AuthPlugin",
    "CurrentPrincipal",
    "NewToken",
    "NewUser",
    "Principal",
    "Role",
    "Via",
    "create_token",
    "create_user",
    "ensure_same_organisation",
    "holds",
    "is_public_path",
]
