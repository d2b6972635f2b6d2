"""Wires the access layer into a Litestar app: routes, the deny-by-default guard, the startup
rule check, dependencies and the error statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Litestar, Request, Response
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins import InitPluginProtocol
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gateway.auth.endpoints import ROUTE_HANDLERS
from gateway.auth.errors import STATUSES as AUTH_STATUSES
from gateway.auth.errors import AuthRequired, Throttled
from gateway.auth.guards import AUTH_STATE, PRINCIPAL_STATE, access_guard, check_routes
from gateway.auth.passwords import Passwords
from gateway.auth.principal import Principal
from gateway.auth.service import AuthConfig, AuthService
from gateway.auth.sessions import SessionPolicy
from gateway.auth.throttle import LoginThrottler, ThrottlePolicy
from gateway.db import build_engine, build_session_maker
from gateway.errors import problem_response, register
from gateway.settings import Settings
from kernel.clock import Clock, SystemClock

log = structlog.get_logger()

for _error, _status in AUTH_STATUSES.items():
    register(_error, _status)


class AuthPlugin(InitPluginProtocol):
    """Users and access. ``session_maker`` defaults to an engine of its own built from the
    settings at start; ``clock`` and ``passwords`` are parameters for tests."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        session_maker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.passwords = passwords
        self.session_maker = session_maker
        self._engine: AsyncEngine | None = None

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(ROUTE_HANDLERS)
        app_config.guards.append(access_guard)
        app_config.dependencies.update(
            {
                "principal": Provide(provide_principal, sync_to_thread=False),
                "auth": Provide(provide_auth_service),
            }
        )
        app_config.exception_handlers[Throttled] = throttled_response
        app_config.on_startup.append(self._start)
        app_config.on_shutdown.append(self._stop)
        return app_config

    async def _start(self, app: Litestar) -> None:
        check_routes(app)
        session_maker = self.session_maker
        if session_maker is None:
            shared = app.state.get("db_engine")  # the app's engine, when the app built one
            engine = shared if isinstance(shared, AsyncEngine) else self._own_engine()
            session_maker = build_session_maker(engine)
        app.state[AUTH_STATE] = self.config(session_maker)

    def _own_engine(self) -> AsyncEngine:
        self._engine = build_engine(self.settings)
        return self._engine

    def config(self, session_maker: async_sessionmaker[AsyncSession]) -> AuthConfig:
        security = self.settings.security
        policy = ThrottlePolicy(account_max_failures=security.login_max_failures)
        return AuthConfig(
            session_maker=session_maker,
            passwords=self.passwords or Passwords(),
            throttler=LoginThrottler(session_maker, policy, self.clock),
            session_policy=SessionPolicy.from_settings(security),
            clock=self.clock,
        )

    async def _stop(self, _app: Litestar) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None


def throttled_response(
    _request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    """429 as problem+json with a ``Retry-After`` header (seconds)."""
    retry_after = exc.data.get("retry_after_s", 1) if isinstance(exc, Throttled) else 1
    response = problem_response(
        HTTPStatus.TOO_MANY_REQUESTS, Throttled.code, {"data": {"retry_after_s": retry_after}}
    )
    response.headers["Retry-After"] = str(retry_after)
    log.info("request.refused", code=Throttled.code, status=HTTPStatus.TOO_MANY_REQUESTS)
    return response


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = request.state.get(PRINCIPAL_STATE)
    if not isinstance(principal, Principal):
        raise AuthRequired
    return principal


async def provide_auth_service(state: State) -> AsyncIterator[AuthService]:
    """One transaction per request, committed at its edge when the handler succeeds."""
    config: Any = state[AUTH_STATE]
    async with config.session_maker() as session:
        try:
            yield AuthService(session, config)
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
