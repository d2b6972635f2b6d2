"""The browser UI: server-rendered Jinja pages with htmx, served with the gateway's own static
files (vendored, never a CDN) under the strict CSP of ``gateway/http.py``.

Pages call the same services as API v1 (sign-in goes through ``gateway.auth.service``); every
route names its access rule like any other.
"""

from __future__ import annotations

from gateway.web.errors import with_html_pages
from gateway.web.routes import ROUTE_HANDLERS
from gateway.web.templating import template_config

__all__ = ["ROUTE_HANDLERS", "template_config", "with_html_pages"]
