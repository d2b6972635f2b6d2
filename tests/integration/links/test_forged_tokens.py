"""Forged and spoiled tokens through ``/l/{token}``: every one gets the same plain 403, with the
same body, on the page and on the download, and nothing changes (SECURITY.md R1-R7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.access_tokens import MAX_TOKEN_BYTES
from gateway.releases.delivery.service import AUDIENCE
from gateway.services import Services
from tests.fixtures.auth import auth_app, clock, http
from tests.integration.links.conftest import csrf_form, ledger_count, link_of, refused, released
from tests.integration.queue.conftest import World, world
from tests.unit.gateway.access_tokens.forge import Rig, b64, encode, hs256, unb64
from tests.unit.gateway.access_tokens.test_forgery import PUBLIC_KEYS

__all__ = ["auth_app", "clock", "http", "world"]


def _flip(token: str, segment: int) -> str:
    parts = token.split(".")
    raw = bytearray(unb64(parts[segment]))
    raw[len(raw) // 2] ^= 0x01
    parts[segment] = b64(bytes(raw))
    return ".".join(parts)


def _forgeries(rig: Rig, sub: str) -> dict[str, Callable[[], str]]:
    def payload(**changes: Any) -> dict[str, Any]:
        return rig.payload(**({"sub": sub, "aud": AUDIENCE} | changes))

    now = int(rig.clock.now().timestamp())
    cases: dict[str, Callable[[], str]] = {
        "alg-none": lambda: encode(rig.header(alg="none"), payload(), None),
        "alg-none-signed": lambda: rig.forge(rig.header(alg="none"), payload()),
        "hs512": lambda: rig.forge(rig.header(alg="HS512"), payload()),
        "kid-unknown": lambda: rig.forge(rig.header(kid="0123456789abcdef"), payload()),
        "kid-missing": lambda: rig.forge(rig.header(kid=None), payload()),
        "jku": lambda: rig.forge(rig.header(jku="https://attacker.example/jwks"), payload()),
        "crit": lambda: rig.forge(rig.header(crit=["exp"]), payload()),
        "wrong-key": lambda: rig.forge(rig.header(), payload(), key=b"k" * 32),
        "expired": lambda: rig.forge(
            rig.header(), payload(iat=now - 7200, nbf=now - 7200, exp=now - 60)
        ),
        "not-yet-valid": lambda: rig.forge(rig.header(), payload(nbf=now + 3600, exp=now + 7200)),
        "wrong-audience": lambda: rig.forge(rig.header(), payload(aud="roi-gateway:other")),
        "oversize": lambda: rig.forge(rig.header(), payload(pad="x" * MAX_TOKEN_BYTES)),
        "flip-header": lambda: _flip(rig.forge(rig.header(), payload()), 0),
        "flip-payload": lambda: _flip(rig.forge(rig.header(), payload()), 1),
        "flip-signature": lambda: _flip(rig.forge(rig.header(), payload()), 2),
        "garbage": lambda: "not-a-token",
    }
    for claim in ("iss", "sub", "aud", "jti", "iat", "nbf", "exp"):
        cases[f"missing-{claim}"] = lambda claim=claim: rig.forge(  # type: ignore[misc]
            rig.header(), {k: v for k, v in payload().items() if k != claim}
        )
    for form, key in PUBLIC_KEYS.items():
        cases[f"hs256-{form}"] = lambda key=key: encode(  # type: ignore[misc]
            rig.header(), payload(), hs256(key)
        )
    return cases


def _rig(world: World) -> Rig:
    services: Services = world.app.state.services
    keyring = services.access_tokens._keys.keyring()
    return Rig(world.clock, keyring, services.access_tokens)


async def test_the_rig_forges_a_token_the_link_page_accepts(world: World) -> None:
    """The control: a well-formed token made by the rig with the app's key opens the page, so
    each refusal below is the spoiled part's doing."""
    release, _ = await released(world)
    link = await link_of(world, release.id)
    rig = _rig(world)
    token = rig.forge(rig.header(), rig.payload(sub=str(link.id), aud=AUDIENCE))
    assert (await world.client.get(f"/l/{token}")).status_code == 200


CASES = sorted(_forgeries(Rig.build(), "x"))


@pytest.mark.parametrize("case", CASES)
async def test_a_forged_token_gets_the_one_plain_refusal(world: World, case: str) -> None:
    release, url = await released(world)
    link = await link_of(world, release.id)
    form = await csrf_form(world.client, url)
    token = _forgeries(_rig(world), str(link.id))[case]()
    entries = await ledger_count(world, release.id)
    page = await world.client.get(f"/l/{token}")
    download = await world.client.post(f"/l/{token}", data=form)
    refused(page)
    refused(download)
    assert page.content == download.content
    assert (await link_of(world, release.id)).uses == 0
    assert await ledger_count(world, release.id) == entries
