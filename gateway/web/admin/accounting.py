"""The accounting of disclosures of a patient, as a page and as the API's PDF.

The patient is found by POST (MRN, or family name with date of birth) through ``PatientService``
as ``POST /api/v1/patients/search`` does, so no identifier lands in a URL, a log line or a title;
the accounting itself is ``account_for_patient`` and the PDF ``render_accounting_pdf``, the same
calls as ``gateway/api/accounting.py``. A chosen patient travels on as an opaque id in the form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from typing import Any

import anyio.to_thread
from litestar import Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.accounting import PDF_HEADERS, limit_export
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.releases.accounting import Accounting, account_for_patient
from gateway.releases.accounting_pdf import render_accounting_pdf
from gateway.releases.patients import PatientQuery, PatientService
from gateway.services import Services
from gateway.web.admin.common import admin_page, refusal
from gateway.web.forms import AnyRequest, text_field
from kernel.errors import DomainError

TITLE = "Accounting of disclosures"
MESSAGES = {
    "PATIENT_SEARCH_TOO_BROAD": "Enter the MRN, or the family name and the date of birth.",
    "PATIENT_NOT_FOUND": "No patient matches what you entered. Check it and try again.",
    "ACCOUNTING_WINDOW_REVERSED": "The first day is after the last day.",
    "ACCOUNTING_WINDOW_TOO_LONG": "An accounting covers at most six years: "
    "choose a later first day.",
    "ACCOUNTING_WINDOW_IN_FUTURE": "The last day cannot be after today.",
    "DATE_INVALID": "Enter dates as year-month-day, for example 2026-03-04.",
}
Db = NamedDependency[AsyncSession]


@dataclass(frozen=True, slots=True)
class Asked:
    """The posted lookup: who, and which window (all optional until checked)."""

    patient_id: uuid.UUID | None
    query: PatientQuery
    since: date | None
    until: date | None
    include_exempt: bool

    def fields(self) -> dict[str, Any]:
        """The window fields to post again with the PDF button (never the identifiers)."""
        return {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "include_exempt": self.include_exempt,
        }


class FormRefused(DomainError):
    code = "DATE_INVALID"


def _day(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise FormRefused("not a date") from exc


async def read_form(request: AnyRequest) -> Asked:
    raw_id = (await text_field(request, "patient_id", 36)).strip()
    try:
        patient_id = uuid.UUID(raw_id) if raw_id else None
    except ValueError as exc:
        raise FormRefused("not an id") from exc
    mrn = (await text_field(request, "mrn", 64)).strip() or None
    family = (await text_field(request, "family_name", 200)).strip() or None
    given = (await text_field(request, "given_name", 200)).strip() or None
    birth = _day(await text_field(request, "birth_date", 10))
    since = _day(await text_field(request, "since", 10))
    until = _day(await text_field(request, "until", 10))
    exempt = (await text_field(request, "include_exempt", 8)) in {"on", "true", "True", "1"}
    return Asked(patient_id, PatientQuery(mrn, family, given, birth), since, until, exempt)


def lookup_page(
    request: AnyRequest,
    principal: Principal,
    *,
    error: str | None = None,
    status: int = 200,
    **extra: Any,
) -> Template:
    extra.setdefault("matches", [])
    extra.setdefault("accounting", None)
    extra.setdefault("asked", {"since": "", "until": "", "include_exempt": False})
    return admin_page(
        request, principal, "accounting.html", TITLE, status=status, error=error, **extra
    )


def refused(request: AnyRequest, principal: Principal, exc: DomainError, status: int) -> Template:
    message = refusal(exc.code, MESSAGES.get(exc.code, "The lookup was refused."))
    return lookup_page(request, principal, error=message, status=status)


async def _account(db_session: AsyncSession, state: State, asked: Asked) -> Accounting | list[Any]:
    """The accounting of the one patient asked for, or the patients matching the search when it
    is not exactly one (none is an empty list)."""
    services: Services = state.services
    patient_id = asked.patient_id
    if patient_id is None:
        found = await PatientService(db_session, clock=services.clock).search(asked.query)
        if len(found) != 1:
            return list(found)
        patient_id = found[0].id
    return await account_for_patient(
        db_session,
        patient_id,
        since=asked.since,
        until=asked.until,
        include_exempt=asked.include_exempt,
        clock=services.clock,
    )


def _status(exc: DomainError) -> int:
    if exc.code == "PATIENT_NOT_FOUND":
        return HTTPStatus.NOT_FOUND
    if exc.code == "PATIENT_SEARCH_TOO_BROAD":
        return HTTPStatus.UNPROCESSABLE_ENTITY
    return HTTPStatus.BAD_REQUEST


@get("/admin/accounting", opt={"rule": "ledger.read"})
async def accounting_page(request: AnyRequest, principal: CurrentPrincipal) -> Template:
    return lookup_page(request, principal)


@post("/admin/accounting", opt={"rule": "ledger.read"}, status_code=200)
async def accounting_lookup(
    request: AnyRequest, principal: CurrentPrincipal, db_session: Db, state: State
) -> Template:
    await limit_export(state.services, principal)
    try:
        asked = await read_form(request)
        found = await _account(db_session, state, asked)
    except DomainError as exc:
        return refused(request, principal, exc, _status(exc))
    if isinstance(found, list):
        if not found:
            message = refusal("PATIENT_NOT_FOUND", MESSAGES["PATIENT_NOT_FOUND"])
            return lookup_page(request, principal, error=message, status=404)
        return lookup_page(request, principal, matches=found, asked=asked.fields())
    return lookup_page(request, principal, accounting=found, asked=asked.fields())


@post("/admin/accounting/pdf", opt={"rule": "ledger.read"}, status_code=200)
async def accounting_pdf(
    request: AnyRequest, principal: CurrentPrincipal, db_session: Db, state: State
) -> Response[Any]:
    """The API's PDF of the accounting of one chosen patient (its id posted by the page)."""
    await limit_export(state.services, principal)
    try:
        asked = await read_form(request)
        if asked.patient_id is None:
            raise FormRefused("no patient chosen")
        found = await _account(db_session, state, asked)
    except DomainError as exc:
        return refused(request, principal, exc, _status(exc))
    assert isinstance(found, Accounting)  # noqa: S101 - a patient id always gives one
    hospital = state.settings.hospital_name
    pdf = await anyio.to_thread.run_sync(
        lambda: render_accounting_pdf(found, hospital_name=hospital)
    )
    return Response(pdf, media_type="application/pdf", headers=PDF_HEADERS)
