"""The download path's row objects (``usage._loaded``): instances of the models holding a row's
values without ``__init__``, which must work in a fresh process where no query has configured
the mappers yet (the first request of a server is a download)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime

from sqlalchemy import inspect

from gateway.releases.delivery.models import DeliveryLink
from gateway.releases.delivery.usage import LINK_COLUMNS, _loaded
from gateway.releases.models import Release


def test_a_loaded_link_reads_back_its_values_and_stays_transient() -> None:
    values = dict.fromkeys(LINK_COLUMNS) | {
        "id": uuid.uuid4(),
        "uses": 2,
        "max_uses": 5,
        "expires_at": datetime(2026, 12, 6, tzinfo=UTC),
    }
    link = _loaded(DeliveryLink, values.items())
    assert isinstance(link, DeliveryLink)
    assert (link.id, link.uses, link.max_uses, link.revoked_at) == (
        values["id"],
        2,
        5,
        None,
    )
    assert inspect(link).transient


def test_it_works_before_any_query_configured_the_mappers() -> None:
    script = textwrap.dedent(
        """
        import uuid
        from gateway.releases.delivery.usage import _loaded
        from gateway.releases.models import Release
        rid = uuid.uuid4()
        release = _loaded(Release, [("id", rid), ("reference", "R-1"), ("state", "released")])
        assert (release.id, release.reference, release.state) == (rid, "R-1", "released")
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_a_release_is_a_model_instance() -> None:
    assert isinstance(_loaded(Release, [("reference", "R-2")]), Release)
