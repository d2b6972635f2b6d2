"""Every route of the portal (each declares its access rule in ``opt``)."""

from __future__ import annotations

from gateway.web.portal import pages
from gateway.web.portal.downloads import portal_download

PORTAL_ROUTES = [
    pages.requests_page,
    pages.new_request_page,
    pages.check_request,
    pages.submit_request,
    pages.request_page,
    pages.progress_fragment,
    pages.answer_hold,
    portal_download,
]
