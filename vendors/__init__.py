"""The vendor and BAA registry: who may receive PHI from us, and why."""

from __future__ import annotations

from vendors.errors import VendorsError

__all__ = ["VendorsError"]
