"""Delivery links: issue, open, download, revoke, expire (DESIGN.md step 6; ADR 0004)."""

from __future__ import annotations

from gateway.releases.delivery.errors import (
    CodeRefused,
    LinkNotFound,
    LinkRefused,
    NotDeliverable,
)
from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.pipeline import (
    DeliveryDeps,
    code_mail,
    deliver_release,
    finish_download,
    notify,
    recipient_address,
    start_download,
    start_requester_download,
    sweep_delivery,
)
from gateway.releases.delivery.reader import SyncReader
from gateway.releases.delivery.service import (
    DeliveryPolicy,
    DeliveryService,
    Download,
    link_id_of,
    link_live,
    proof_ok,
)
from gateway.releases.delivery.writer import GroupWriter

__all__ = [
    "CodeRefused",
    "DeliveryDeps",
    "DeliveryLink",
    "DeliveryPolicy",
    "DeliveryService",
    "Download",
    "GroupWriter",
    "LinkNotFound",
    "LinkRefused",
    "NotDeliverable",
    "SyncReader",
    "code_mail",
    "deliver_release",
    "finish_download",
    "link_id_of",
    "link_live",
    "notify",
    "proof_ok",
    "recipient_address",
    "start_download",
    "start_requester_download",
    "sweep_delivery",
]
