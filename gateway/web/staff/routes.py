"""The staff pages' route handlers, for ``gateway.web.routes``."""

from __future__ import annotations

from gateway.web.staff.queue import queue_bulk_approve, queue_page, queue_search
from gateway.web.staff.review import (
    add_box,
    approve,
    basis_document,
    boxes_json,
    deny,
    hold,
    packet_pdf,
    progress_fragment,
    reassemble,
    remove_box,
    resume,
    review_page,
    revoke_link,
)

STAFF_HANDLERS = [
    queue_page,
    queue_search,
    queue_bulk_approve,
    review_page,
    approve,
    deny,
    hold,
    resume,
    reassemble,
    add_box,
    remove_box,
    revoke_link,
    progress_fragment,
    packet_pdf,
    basis_document,
    boxes_json,
]
