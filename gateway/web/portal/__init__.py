"""The attorney and payer request portal (issue 7): the organisation's requests, submitting one
with its signed authorization, and one request's timeline with its holds and progress.

Pages call the same services as API v1 (``IntakeService``, ``AnswerService``); staff are refused
with ``PORTAL_REQUESTERS_ONLY``. URLs carry request ids only, titles never hold PHI.
"""

from __future__ import annotations

from gateway.web.portal.routes import PORTAL_ROUTES

__all__ = ["PORTAL_ROUTES"]
