"""Every route of the web UI, each naming its access rule; pages stay out of the OpenAPI
document (it describes API v1)."""

from __future__ import annotations

from litestar import Router

from gateway.web.account import change_password, confirm_totp, password_page, totp_page
from gateway.web.admin import ADMIN_ROUTES
from gateway.web.links import link_download, link_page, send_code, verify_code
from gateway.web.pages import home, sign_in, sign_in_page, sign_out
from gateway.web.portal import PORTAL_ROUTES
from gateway.web.staff.routes import STAFF_HANDLERS

ROUTE_HANDLERS = [
    Router(
        path="/",
        include_in_schema=False,
        route_handlers=[
            sign_in_page,
            sign_in,
            sign_out,
            home,
            password_page,
            change_password,
            totp_page,
            confirm_totp,
            link_page,
            link_download,
            send_code,
            verify_code,
            *ADMIN_ROUTES,
            *PORTAL_ROUTES,
            *STAFF_HANDLERS,
        ],
    )
]
