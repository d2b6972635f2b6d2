"""API v1: the accounting of disclosures of a patient (JSON and PDF), the ledger trail of a
release, and verification of the whole ledger. Staff only (``ledger.read``).

Query strings carry dates and a flag only; the patient is an opaque id in the path (route
templates are what gets logged). The PDF's file name is fixed by the server and holds no PHI.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from typing import Annotated

import anyio.to_thread
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.accounting_schemas import AccountingOut, ReleaseLedgerOut, VerificationOut
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.db import build_session_maker
from gateway.errors import register
from gateway.ledger import verify_paged
from gateway.ratelimit import Limit
from gateway.releases.accounting import (
    Accounting,
    AccountingWindowInvalid,
    UnknownPatient,
    UnknownRelease,
    account_for_patient,
    ledger_of_release,
)
from gateway.releases.accounting_pdf import render_accounting_pdf
from gateway.services import Services

PDF_FILENAME = "accounting-of-disclosures.pdf"
PDF_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Disposition": f'attachment; filename="{PDF_FILENAME}"',
}

# Each accounting a staff account reads (page, JSON or PDF) counts against one budget shared by
# every process (SECURITY.md R32): a stolen session cannot page through every patient's
# disclosures at machine speed.
EXPORTS = Limit(events=60, window_s=3600)


async def limit_export(services: Services, principal: Principal) -> None:
    """One accounting export by ``principal``; 429 ``RATE_LIMITED`` beyond :data:`EXPORTS`.
    Called before the request's session is first used (the hit commits on its own)."""
    await services.rate_limiter.hit("export:account", principal.actor, EXPORTS)


for _error, _status in {
    UnknownPatient: HTTPStatus.NOT_FOUND,
    UnknownRelease: HTTPStatus.NOT_FOUND,
    AccountingWindowInvalid: HTTPStatus.BAD_REQUEST,
}.items():
    register(_error, _status)

Since = Annotated[date | None, QueryParameter(name="from", description="First day (YYYY-MM-DD).")]
Until = Annotated[date | None, QueryParameter(name="to", description="Last day; default today.")]
IncludeExempt = Annotated[
    bool,
    QueryParameter(
        name="include_exempt",
        description="Also list disclosures exempt under 164.528(a)(1), flagged.",
    ),
]
Sessions = NamedDependency[async_sessionmaker[AsyncSession]]
Asked = NamedDependency["AccountingQuery"]


async def provide_sessions(state: State) -> async_sessionmaker[AsyncSession]:
    """Short sessions of the app's engine, for reads that page through the ledger."""
    services: Services = state.services
    return build_session_maker(services.engine)


@dataclass(frozen=True, slots=True)
class AccountingQuery:
    """The query string of both accounting routes: dates and a flag, nothing else."""

    since: date | None
    until: date | None
    include_exempt: bool


async def provide_query(
    since: Since = None,
    until: Until = None,
    include_exempt: IncludeExempt = False,
) -> AccountingQuery:
    return AccountingQuery(since, until, include_exempt)


async def _accounting(
    db_session: AsyncSession, state: State, patient_id: uuid.UUID, query: AccountingQuery
) -> Accounting:
    services: Services = state.services
    return await account_for_patient(
        db_session,
        patient_id,
        since=query.since,
        until=query.until,
        include_exempt=query.include_exempt,
        clock=services.clock,
    )


class AccountingController(Controller):
    path = "/api/v1"
    tags = ["accounting"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {  # noqa: RUF012 - Litestar reads the class attribute
        "sessions": Provide(provide_sessions),
        "asked": Provide(provide_query),
    }

    @get("/patients/{patient_id:uuid}/accounting", opt={"rule": "ledger.read"})
    async def accounting(
        self,
        patient_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        state: State,
        asked: Asked,
        principal: CurrentPrincipal,
    ) -> AccountingOut:
        """The accounting of disclosures of a patient (45 CFR 164.528) over at most six years
        ending no later than today (default: the six years before today)."""
        await limit_export(state.services, principal)
        found = await _accounting(db_session, state, patient_id, asked)
        return AccountingOut.of(found)

    @get(
        "/patients/{patient_id:uuid}/accounting.pdf",
        opt={"rule": "ledger.read"},
        media_type="application/pdf",
    )
    async def accounting_pdf(
        self,
        patient_id: FromPath[uuid.UUID],
        db_session: NamedDependency[AsyncSession],
        state: State,
        asked: Asked,
        principal: CurrentPrincipal,
    ) -> Response[bytes]:
        """The same accounting as a PDF document, headed with the hospital's name."""
        await limit_export(state.services, principal)
        found = await _accounting(db_session, state, patient_id, asked)
        hospital = state.settings.hospital_name
        pdf = await anyio.to_thread.run_sync(
            lambda: render_accounting_pdf(found, hospital_name=hospital)
        )
        return Response(pdf, media_type="application/pdf", headers=PDF_HEADERS)

    @get("/releases/{release_id:uuid}/ledger", opt={"rule": "ledger.read"})
    async def release_ledger(
        self, release_id: FromPath[uuid.UUID], sessions: Sessions
    ) -> ReleaseLedgerOut:
        """The ledger entries of one release, each with whether the chain verifies up to it,
        and the verification of the whole chain."""
        return ReleaseLedgerOut.of(release_id, await ledger_of_release(sessions, release_id))

    @get("/ledger/verify", opt={"rule": "ledger.read"})
    async def verify_ledger(self, sessions: Sessions) -> VerificationOut:
        """Walk the whole hash chain against its head row: the entry count, or the first break
        (seq and reason code)."""
        return VerificationOut.of(await verify_paged(sessions))
