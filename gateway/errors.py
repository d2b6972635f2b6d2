"""One table from error type to HTTP status, and one problem+json shape (RFC 9457).

Every error a client sees is ``application/problem+json`` with ``type``, ``title``, ``status`` and
a stable ``code`` (the reason code). ``detail`` is a fixed sentence per code, never built from
input, so no PHI, path or token can be echoed back. Domain packages raise their own
``DomainError`` subclasses; this module is the only place that knows their status codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError

from gateway.pdfpool.errors import (
    PdfPoolBusy,
    PdfPoolUnavailable,
    PdfWorkerCrashed,
    PdfWorkFailed,
    PdfWorkTimedOut,
    PdfWorkTooLarge,
)
from gateway.ratelimit import RateLimited
from gateway.releases.errors import ReleaseChanged, TransitionRefused
from kernel.blobs import BlobIntegrityError, BlobNotFound, BlobStoreUnavailable
from kernel.errors import DomainError

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_S = "5"  # seconds, on every 503
log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Problem:
    status: int
    code: str
    title: str


class ApiError(DomainError):
    """An HTTP-level refusal raised by gateway code: carries its own status."""

    status: int = HTTPStatus.BAD_REQUEST

    def __init__(self, code: str, status: int, message: str = "", **data: object) -> None:
        super().__init__(message or code, **data)
        self.code = code  # type: ignore[misc]  # per-instance reason code
        self.status = status


# Error type -> HTTP status. Subclasses inherit their base's status unless listed themselves.
STATUS_BY_ERROR: dict[type[DomainError], int] = {
    BlobNotFound: HTTPStatus.NOT_FOUND,
    BlobIntegrityError: HTTPStatus.SERVICE_UNAVAILABLE,
    BlobStoreUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    # The PDF pool; why each status: gateway/pdfpool/errors.py.
    PdfWorkTimedOut: HTTPStatus.UNPROCESSABLE_ENTITY,
    PdfWorkTooLarge: HTTPStatus.UNPROCESSABLE_ENTITY,
    PdfWorkerCrashed: HTTPStatus.UNPROCESSABLE_ENTITY,
    PdfWorkFailed: HTTPStatus.INTERNAL_SERVER_ERROR,
    PdfPoolBusy: HTTPStatus.SERVICE_UNAVAILABLE,
    PdfPoolUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
    # Releases: a state change that the machine refuses, or that lost a race.
    TransitionRefused: HTTPStatus.CONFLICT,
    ReleaseChanged: HTTPStatus.CONFLICT,
    # Rate limits (R32): Retry-After from the error's retry_after_s.
    RateLimited: HTTPStatus.TOO_MANY_REQUESTS,
}

# Litestar's own exceptions -> reason codes.
FRAMEWORK_CODES: Mapping[type[HTTPException], str] = {
    ValidationException: "INVALID_REQUEST",
    NotAuthorizedException: "AUTH_REQUIRED",
    PermissionDeniedException: "FORBIDDEN",
    NotFoundException: "NOT_FOUND",
    MethodNotAllowedException: "METHOD_NOT_ALLOWED",
    TooManyRequestsException: "TOO_MANY_REQUESTS",
}

STATUS_CODES: Mapping[int, str] = {
    400: "INVALID_REQUEST",
    401: "AUTH_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE",
    429: "TOO_MANY_REQUESTS",
    503: "SERVICE_UNAVAILABLE",
}


def register(error: type[DomainError], status: int) -> None:
    """Add a package's error to the table (called once, at import of the adapter module)."""
    STATUS_BY_ERROR[error] = status


def status_for(error: DomainError) -> int:
    if isinstance(error, ApiError):
        return error.status
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return HTTPStatus.UNPROCESSABLE_ENTITY


def retry_headers(status: int) -> dict[str, str]:
    """What every 503 says, whatever its body: when to try again."""
    return {"Retry-After": RETRY_AFTER_S} if status == HTTPStatus.SERVICE_UNAVAILABLE else {}


def problem_response(
    status: int, code: str, extra: Mapping[str, Any] | None = None
) -> Response[dict[str, Any]]:
    title = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"urn:roi-gateway:problem:{code.lower()}",
        "title": title,
        "status": status,
        "code": code,
        **(extra or {}),
    }
    headers = {"Cache-Control": "no-store", **retry_headers(status)}
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    status = status_for(exc)
    log.info("request.refused", code=exc.code, status=status)
    response = problem_response(status, exc.code, _safe_data(exc))
    retry_after = exc.data.get("retry_after_s")
    if status == HTTPStatus.TOO_MANY_REQUESTS and isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    return response


def _safe_data(exc: DomainError) -> dict[str, Any]:
    """Only scalar ids and counts leave the server; anything else stays in the error object."""
    allowed = (int, bool)
    data = {k: v for k, v in exc.data.items() if isinstance(v, allowed) or k == "findings"}
    return {"data": data} if data else {}


def _http_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    status = exc.status_code
    code = next(
        (c for t, c in FRAMEWORK_CODES.items() if isinstance(exc, t)),
        STATUS_CODES.get(status, "HTTP_ERROR"),
    )
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR and status != HTTPStatus.SERVICE_UNAVAILABLE:
        code = "INTERNAL_ERROR"
    response = problem_response(status, code)
    if isinstance(exc, MethodNotAllowedException) and exc.headers:
        response.headers.update(exc.headers)
    return response


def _unexpected_handler(
    _request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.error("request.crashed", error_type=type(exc).__name__)
    return problem_response(HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR")


def _database_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A locked, unreachable or timed-out database: fail closed with 503, never the SQL text."""
    log.warning("request.database_unavailable", error_type=type(exc).__name__)
    return problem_response(HTTPStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE")


def _encoding_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Text that is not valid in its charset (Litestar decodes a multipart field without a
    filename as UTF-8 before any handler runs): the client's fault, 400, nothing stored."""
    log.info("request.refused", code="INVALID_ENCODING", status=400)
    return problem_response(HTTPStatus.BAD_REQUEST, "INVALID_ENCODING")


def exception_handlers() -> ExceptionHandlersMap:
    return {
        DomainError: _domain_handler,
        HTTPException: _http_handler,
        OperationalError: _database_handler,
        SATimeoutError: _database_handler,
        UnicodeDecodeError: _encoding_handler,
        Exception: _unexpected_handler,
    }
