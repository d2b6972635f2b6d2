"""Delivery links: issue, open, download, revoke, expire (DESIGN.md step 6; ADR 0004)."""

from __future__ import annotations

from gateway.releases.delivery.errors import (
    CodeRefused,
    LinkNotFound,
    LinkRefused,
    NotDeliverable,
    RateLimited,
)
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.pipeline import (
    DeliveryDeps,
    code_mail,
    deliver_release,
    notify,
    recipient_address,
    sweep_delivery,
)
from gateway.releases.delivery.ratelimit import Limit, RateLimiter
from gateway.releases.delivery.service import (
    DeliveryPolicy,
    DeliveryService,
    Download,
    link_live,
    proof_ok,
)

__all__ = [
    "CodeRefused",
    "DeliveryDeps",
    "DeliveryLink",
    "DeliveryPolicy",
    "DeliveryService",
    "Download",
    "Limit",
    "LinkNotFound",
    "LinkRefused",
    "NotDeliverable",
    "RateLimited",
    "RateLimiter",
    "code_mail",
    "deliver_release",
    "link_live",
    "notify",
    "proof_ok",
    "recipient_address",
    "sweep_delivery",
]
