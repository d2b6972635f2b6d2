"""Refusals of the access layer, each a named fact with a stable reason code.

Messages are fixed sentences: they never say whether an account exists, and never carry an
e-mail address, password, code, token or session id. HTTP statuses are added in
``gateway/errors.py`` (registered by :func:`register_statuses`).
"""

from __future__ import annotations

from http import HTTPStatus

from kernel.errors import DomainError


class AuthError(DomainError):
    """Base of every refusal raised by ``gateway.auth``."""

    code = "AUTH_ERROR"


class AuthRequired(AuthError):
    """No valid session or integration token came with the request."""

    code = "AUTH_REQUIRED"


class Forbidden(AuthError):
    """The principal is known but its role does not hold the route's capability."""

    code = "FORBIDDEN"


class NotFound(AuthError):
    """The object does not exist or belongs to another organisation (the two look alike)."""

    code = "NOT_FOUND"


class LoginFailed(AuthError):
    """Generic sign-in refusal: wrong e-mail, password or code, disabled account, all alike."""

    code = "LOGIN_FAILED"


class Throttled(AuthError):
    """Too many failed sign-ins for this account or this address; ``retry_after_s`` says when."""

    code = "THROTTLED"


class CsrfFailed(AuthError):
    """A state-changing request authenticated by cookie without a valid CSRF token."""

    code = "CSRF_FAILED"


class SessionRequired(AuthError):
    """Credential changes are for a signed-in person, never for an integration token."""

    code = "SESSION_REQUIRED"


class PasswordChangeRequired(AuthError):
    """Signed in with a one-time password: only the password change is open until it is done."""

    code = "PASSWORD_CHANGE_REQUIRED"


class MfaEnrolmentRequired(AuthError):
    """The second factor is not enrolled yet: only the enrolment (and sign-out) are open."""

    code = "MFA_ENROLMENT_REQUIRED"


class WeakPassword(AuthError):
    """The new password does not meet the policy (length, differs from the current one)."""

    code = "WEAK_PASSWORD"


class InvalidAccount(AuthError):
    """Role, kind and organisation do not fit together (a requester needs its organisation)."""

    code = "INVALID_ACCOUNT"


class EmailTaken(AuthError):
    """An account with this e-mail address exists already (answered to administrators only)."""

    code = "EMAIL_TAKEN"


class RouteWithoutRule(AuthError):
    """Startup check: a route names no rule, an unknown rule, or is public off the allowlist."""

    code = "ROUTE_WITHOUT_RULE"


STATUSES: dict[type[DomainError], int] = {
    AuthError: HTTPStatus.FORBIDDEN,
    AuthRequired: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    NotFound: HTTPStatus.NOT_FOUND,
    LoginFailed: HTTPStatus.UNAUTHORIZED,
    Throttled: HTTPStatus.TOO_MANY_REQUESTS,
    CsrfFailed: HTTPStatus.FORBIDDEN,
    PasswordChangeRequired: HTTPStatus.FORBIDDEN,
    MfaEnrolmentRequired: HTTPStatus.FORBIDDEN,
    SessionRequired: HTTPStatus.FORBIDDEN,
    WeakPassword: HTTPStatus.UNPROCESSABLE_ENTITY,
    InvalidAccount: HTTPStatus.UNPROCESSABLE_ENTITY,
    EmailTaken: HTTPStatus.CONFLICT,
    RouteWithoutRule: HTTPStatus.INTERNAL_SERVER_ERROR,
}
