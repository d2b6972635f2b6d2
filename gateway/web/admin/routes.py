"""Every route of the admin pages (each declares its access rule in ``opt``)."""

from __future__ import annotations

from gateway.web.admin import vendors

ADMIN_ROUTES = [
    vendors.vendors_page,
    vendors.register_vendor,
    vendors.vendor_page,
    vendors.upload_baa,
    vendors.amend_baa,
    vendors.terminate_baa,
]
