"""The link holder's pages (rule ``link.holder``: the signed token in the path is the authority).

- ``GET /l/{token}``: what the link is (release reference, recipient, expiry, downloads left) and
  a Download button. It changes nothing: mail scanners open links (SECURITY.md R10).
- ``POST /l/{token}``: the download (CSRF-protected): one use, then the packet.
- ``POST /l/{token}/code`` and ``/verify``: the recipient code of a bound link (R11).

Every refusal of the token is the same 403 ``LINK_REFUSED``. The visitor has no session: the
forms carry a CSRF token derived from a nonce in a cookie scoped to ``/l/`` (double submit,
``SameSite=Strict``); the code's proof is a cookie of its own.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.datastructures import Cookie
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.downloads import stream_download
from gateway.api.links import download_limits
from gateway.auth import tokens
from gateway.auth.endpoints import client_address
from gateway.auth.errors import CsrfFailed
from gateway.ratelimit import Limit
from gateway.releases.delivery import (
    CodeRefused,
    DeliveryLink,
    code_mail,
    link_id_of,
    proof_ok,
    recipient_address,
    start_download,
)
from gateway.releases.models import Release
from gateway.services import Services
from gateway.web.forms import AnyRequest, policy_of, text_field

RULE = {"rule": "link.holder"}
CODE_SENDS = Limit(events=3, window_s=600)  # per link and per address, 10 minutes
CODE_TRIES_PER_ADDRESS = Limit(events=20, window_s=600)
COOKIE_PATH = "/l/"


def _cookie_name(request: AnyRequest, name: str) -> str:
    return f"__Secure-roi_{name}" if policy_of(request).secure else f"roi_{name}"


def _cookie(request: AnyRequest, name: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=_cookie_name(request, name),
        value=value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=policy_of(request).secure,
        httponly=True,
        samesite="strict",
    )


async def _csrf_ok(request: AnyRequest) -> bool:
    nonce = request.cookies.get(_cookie_name(request, "link_csrf"), "")
    presented = await text_field(request, "csrf_token", 128)
    return bool(nonce) and tokens.csrf_matches(nonce, presented)


async def _checked_post(request: AnyRequest, state: AppState) -> Services:
    """Every POST of the link holder starts with the CSRF pair."""
    if not await _csrf_ok(request):
        raise CsrfFailed
    return _services(state)


async def _limited(
    services: Services, request: AnyRequest, scope: str, limit: Limit, token: str | None = None
) -> None:
    """The shared rate limits of a code action: per client address, and per link when
    ``token`` is given (its id from the signature alone). Each hit commits on its own connection,
    so it runs before the request's session begins (on SQLite that transaction would hold the
    write lock the hit waits for)."""
    await services.rate_limiter.hit(f"{scope}:address", client_address(request), limit)
    if token is not None:
        link_id = link_id_of(services.delivery.tokens, token)
        await services.rate_limiter.hit(f"{scope}:link", str(link_id), limit)


def _services(state: AppState) -> Services:
    services: Services = state.services
    return services


def _page(
    request: AnyRequest,
    token: str,
    link: DeliveryLink,
    release: Release,
    *,
    services: Services,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Template:
    nonce = request.cookies.get(_cookie_name(request, "link_csrf")) or tokens.new_session_secret()
    proof = request.cookies.get(_cookie_name(request, "link_proof"))
    needs_code = link.code_required and not proof_ok(link, proof, services.clock.now())
    context: dict[str, Any] = {
        "title": "Records for you",
        "token": token,
        "csrf_token": tokens.csrf_token(nonce),
        "reference": release.reference,
        "recipient": (release.recipient or {}).get("name") or "the named recipient",
        "expires_iso": link.expires_at.isoformat(),
        "expires_text": link.expires_at.strftime("%d %B %Y, %H:%M UTC"),
        "uses_left": link.max_uses - link.uses,
        "max_uses": link.max_uses,
        "needs_code": needs_code,
        "error": error,
        "notice": notice,
    }
    return Template(
        template_name="links/link.html",
        context=context,
        status_code=status,
        cookies=[_cookie(request, "link_csrf", nonce, 3600)],
        headers={"Cache-Control": "no-store"},
    )


@get("/l/{token:str}", opt=RULE)
async def link_page(
    request: AnyRequest,
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    state: AppState,
) -> Template:
    services = _services(state)
    link, release = await services.delivery.service(db_session).open(token)
    notice = (
        "A code is on its way to the address on file." if request.query_params.get("sent") else None
    )
    return _page(request, token, link, release, services=services, notice=notice)


@post("/l/{token:str}", opt=RULE, status_code=200, media_type="application/pdf")
async def link_download(request: AnyRequest, token: FromPath[str], state: AppState) -> Stream:
    """No request session here: the link's read, its checks and the use run as one piece of
    work in the downloads' group commit (gateway/releases/delivery/writer.py)."""
    per_link, per_address = download_limits(_services(state))
    services = await _checked_post(request, state)
    limiter = services.download_limiter
    limiter.hit("download:address", client_address(request), per_address)
    started = await start_download(
        services.delivery,
        token,
        proof=request.cookies.get(_cookie_name(request, "link_proof")),
        on_link=lambda link: limiter.hit("download:link", str(link.id), per_link),
    )
    return await stream_download(services.delivery, started, f"link:{started.link_id}")


@post("/l/{token:str}/code", opt=RULE, status_code=303)
async def send_code(
    request: AnyRequest,
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    state: AppState,
) -> Response[Any]:
    services = await _checked_post(request, state)
    await _limited(services, request, "code", CODE_SENDS, token)
    service = services.delivery.service(db_session)
    link, release = await service.open(token)
    if not link.code_required:
        return Redirect(f"/l/{token}", status_code=303)
    to = await recipient_address(db_session, release)
    if to is not None:
        code = await service.new_code(link)
        await services.mailer.send(code_mail(to, release, code))
    await db_session.commit()
    return Redirect(f"/l/{token}?sent=1", status_code=303)


@post("/l/{token:str}/verify", opt=RULE, status_code=303)
async def verify_code(
    request: AnyRequest,
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    state: AppState,
) -> Response[Any]:
    services = await _checked_post(request, state)
    await _limited(services, request, "verify", CODE_TRIES_PER_ADDRESS)
    service = services.delivery.service(db_session)
    link, release = await service.open(token)
    code = await text_field(request, "code", 16)
    try:
        proof = await service.redeem_code(link, code)
    except CodeRefused as exc:
        await db_session.commit()  # the failed attempt counts, whatever happens next
        left = exc.data.get("attempts_left", 0)
        message = f"The code is not right or has expired. {left} attempts left."
        if not left:
            message = "Too many wrong codes: this link is locked. Ask the sender for a new one."
        return _page(request, token, link, release, services=services, error=message, status=403)
    await db_session.commit()
    return Redirect(
        f"/l/{token}", status_code=303, cookies=[_cookie(request, "link_proof", proof, 1800)]
    )
