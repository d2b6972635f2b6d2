"""The administrator's pages (issue 7): vendors and BAAs, the accounting of disclosures, the
ledger view of a release, the management dashboard and user administration.

Each page calls the same service as API v1 and declares its access rule; patient identifiers
travel only in POST bodies, never in a URL or a title.
"""

from __future__ import annotations

from gateway.web.admin.routes import ADMIN_ROUTES

__all__ = ["ADMIN_ROUTES"]
