"""The staff pages (issue 7): the approval queue and the review screen of one release.

Every route has rule ``releases.review`` (admin, specialist) except the link revocation
(``links.revoke``); each calls the same services as API v1 (``gateway.api.queue``,
``gateway.releases.queue_service``, ``gateway.releases.assembly.review``,
``gateway.releases.resume``, ``gateway.releases.delivery``)."""
