"""The dashboard's figures on seeded releases (SQLite and PostgreSQL), and its page: SVG charts
drawn on the server with attributes only, the overdue count, staff only."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar import Litestar

from gateway.auth.models import Organisation
from gateway.auth.rules import Role
from gateway.releases.dashboard import Dashboard, WeekTurnaround, dashboard, median, percentile
from gateway.releases.models import Release, ReleaseTransition
from kernel.clock import FixedClock
from tests.fixtures.auth import session_maker
from tests.integration.web.admin.helpers import browser_as
from tests.integration.web.pages import Client

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
TODAY = date(2026, 11, 27)  # tests.fixtures.auth.START, a Friday
STAFF = uuid.uuid4()


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


async def seed(app: Litestar) -> None:
    """Seven releases: two released and two denied in the window, two open (one overdue), and
    one released long before the window."""
    async with session_maker(app)() as session, session.begin():
        orgs = {}
        for kind in ("attorney", "payer"):
            org = Organisation(name=f"{kind} org {uuid.uuid4().hex[:6]} (synthetic)", kind=kind)
            org.created_at = at("2026-01-01")
            session.add(org)
            orgs[kind] = org
        await session.flush()

        def release(basis: str, org: str | None, created: str, state: str, due: date) -> Release:
            row = Release(
                reference=f"R-{uuid.uuid4().hex[:8]}",
                kind="request",
                state=state,
                organisation_id=orgs[org].id if org else None,
                recipient={"kind": org or "individual", "name": "Synthetic Recipient"},
                basis_type=basis,
                purpose="synthetic",
                due_on=due,
                opened_by=STAFF,
                created_at=at(created),
                updated_at=at(created),
            )
            session.add(row)
            return row

        def moved(row: Release, to: str, when: datetime, code: str | None = None) -> None:
            session.add(
                ReleaseTransition(
                    release_id=row.id, to_state=to, reason_code=code, actor_id="user-x", at=when
                )
            )

        due = TODAY + timedelta(days=20)
        a = release("subpoena", "attorney", "2026-11-16", "released", due)
        b = release("authorization", "payer", "2026-11-17", "released", due)
        c = release("authorization", None, "2026-11-18", "denied", due)
        release("access_request", None, "2026-11-10", "in_review", date(2026, 11, 20))
        release("tpo", None, "2026-11-25", "received", due)
        old = release("authorization", "payer", "2025-01-01", "released", date(2025, 1, 30))
        g = release("court_order", "attorney", "2026-11-01", "denied", due)
        await session.flush()
        moved(a, "approved", at("2026-11-19"))
        moved(a, "released", at("2026-11-20"))  # 4 days, week of 16 Nov
        moved(b, "released", at("2026-11-19"))  # 2 days, week of 16 Nov
        moved(c, "denied", at("2026-11-24"), "AUTH_INCOMPLETE")  # 6 days, week of 23 Nov
        moved(old, "released", at("2025-01-05"))
        moved(g, "denied", at("2026-11-03"), "BASIS_EXPIRED")  # 2 days, week of 2 Nov


async def test_the_figures_of_seeded_releases(auth_app: Litestar, http: Client) -> None:
    assert http is not None  # the app's lifespan has opened its database
    await seed(auth_app)
    async with session_maker(auth_app)() as session:
        figures = await dashboard(session, on=TODAY)
    assert figures == Dashboard(
        since=date(2026, 9, 7),
        until=TODAY,
        by_type=(
            ("authorization", 2),
            ("access_request", 1),
            ("court_order", 1),
            ("subpoena", 1),
            ("tpo", 1),
        ),
        by_requester=(("individual", 3), ("attorney", 2), ("payer", 1)),
        turnaround=(
            WeekTurnaround(date(2026, 11, 2), 1, 2.0, 2.0),
            WeekTurnaround(date(2026, 11, 16), 2, 3.0, 4.0),
            WeekTurnaround(date(2026, 11, 23), 1, 6.0, 6.0),
        ),
        overdue=1,
        open=2,
        denials=(("AUTH_INCOMPLETE", 1), ("BASIS_EXPIRED", 1)),
    )


async def test_an_empty_database_has_zero_figures(auth_app: Litestar, http: Client) -> None:
    assert http is not None
    async with session_maker(auth_app)() as session:
        figures = await dashboard(session, on=TODAY, weeks=4)
    assert (figures.by_type, figures.turnaround, figures.overdue, figures.denials) == (
        (),
        (),
        0,
        (),
    )


def test_median_and_nearest_rank_percentile() -> None:
    assert median([5.0, 1.0, 3.0]) == 3.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.9) == 9.0
    assert percentile([7.0], 0.9) == 7.0


async def test_the_page_draws_svg_charts_without_inline_style_or_script(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    await seed(auth_app)
    admin = await browser_as(auth_app, clock, http, Role.ADMIN)
    page = await admin.get("/admin/dashboard")
    assert page.status_code == 200, page.text
    assert "<title>Dashboard · ROI Gateway</title>" in page.text
    for chart in ("chart-type", "chart-requester", "chart-turnaround", "chart-denials"):
        assert f'<svg class="chart" id="{chart}"' in page.text
    overdue = re.search(r'id="overdue-count">Overdue <strong>(\d+)</strong>', page.text)
    assert overdue is not None
    assert overdue.group(1) == "1"
    assert "AUTH_INCOMPLETE" in page.text
    assert page.text.count('class="bar-fill"') == 5 + 3 + 2
    assert "style=" not in page.text
    assert "<script>" not in page.text
    assert 'class="line-median" points="' in page.text


async def test_a_specialist_opens_the_dashboard_and_requesters_cannot(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    specialist = await browser_as(auth_app, clock, http, Role.SPECIALIST)
    assert (await specialist.get("/admin/dashboard")).status_code == 200
    await http.post("/sign-out", data={"csrf_token": specialist.csrf})
    attorney = await browser_as(auth_app, clock, http, Role.ATTORNEY)
    assert (await attorney.get("/admin/dashboard")).status_code == 403
