"""Every route of the admin pages (each declares its access rule in ``opt``)."""

from __future__ import annotations

from gateway.web.admin import accounting, dashboard, ledger, users, vendors

ADMIN_ROUTES = [
    vendors.vendors_page,
    vendors.register_vendor,
    vendors.vendor_page,
    vendors.upload_baa,
    vendors.amend_baa,
    vendors.terminate_baa,
    accounting.accounting_page,
    accounting.accounting_lookup,
    accounting.accounting_pdf,
    ledger.ledger_home,
    ledger.ledger_lookup,
    ledger.release_ledger,
    ledger.verify_ledger,
    dashboard.dashboard_page,
    users.users_page,
    users.invite_user,
    users.disable,
]
