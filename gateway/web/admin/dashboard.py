"""The management dashboard: the figures of ``gateway.releases.dashboard`` as server-drawn SVG
charts with their tables. Staff only (``releases.review``); no patient data on the page."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.principal import CurrentPrincipal
from gateway.releases.dashboard import DEFAULT_WEEKS, dashboard
from gateway.services import Services
from gateway.web.admin.charts import bar_chart, line_chart
from gateway.web.admin.common import admin_page
from gateway.web.forms import AnyRequest
from kernel.clock import today


@get("/admin/dashboard", opt={"rule": "releases.review"})
async def dashboard_page(
    request: AnyRequest,
    principal: CurrentPrincipal,
    db_session: NamedDependency[AsyncSession],
    state: State,
) -> Template:
    services: Services = state.services
    figures = await dashboard(db_session, on=today(services.clock), weeks=DEFAULT_WEEKS)
    weeks = [w.week_of.strftime("%d %b") for w in figures.turnaround]
    return admin_page(
        request,
        principal,
        "dashboard.html",
        "Dashboard",
        figures=figures,
        by_type=bar_chart(figures.by_type),
        by_requester=bar_chart(figures.by_requester),
        denials=bar_chart(figures.denials),
        turnaround=line_chart(
            weeks,
            [w.median_days for w in figures.turnaround],
            [w.p90_days for w in figures.turnaround],
        ),
    )
