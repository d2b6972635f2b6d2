"""SECURITY R12 over the delivery flow (in process, every log line captured): canary PHI in the
patient's names and MRN, a canary password at sign-in, an integration token, approval, a
delivery link bound to a recipient code (ROI_DELIVERY__CODE_REQUIRED), a wrong code, the right
code, the download and the accounting. No canary value appears in any captured log line, any
response header or any error body. (The link token is the one value that legitimately travels:
the link page redirects to its own URL, so ``Location`` may carry it; nothing else may.)"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.releases.models import Release
from gateway.settings import DeliverySettings, Settings
from kernel.clock import FixedClock
from tests.builders.approval import create_patient, create_release, packet_row
from tests.fixtures.auth import BASE_URL, LOGIN, build_app, clock
from tests.fixtures.logs import CapturedLogs
from tests.integration.links.test_delivery_flow import PDF, _mailed_tokens
from tests.integration.queue.conftest import World

__all__ = ["clock"]
pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]
CANARY = {
    "family": "Quatermaine-Zebulonic",
    "given": "Xanthippe-Canary",
    "mrn": "CANARYMRN77123",
    "password": "CanaryPassw0rd!x-Flow",
    "wrong_code": "918273",
    "totp": "737373",
}
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
async def world(fresh_settings: Settings, clock: FixedClock) -> AsyncIterator[World]:
    settings = fresh_settings.model_copy(update={"delivery": DeliverySettings(code_required=True)})
    app: Litestar = build_app(settings, clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield World(app, clock, client)


async def _release(world: World, preparer_id: object) -> Release:
    stored = await world.app.state.services.blobs.put(
        PDF, content_type="application/pdf", prefix="packets"
    )

    async def seed(session: AsyncSession) -> Release:
        patient = await create_patient(
            session, mrn=CANARY["mrn"], family_name=CANARY["family"], given_name=CANARY["given"]
        )
        release = await create_release(
            session,
            opened_by=preparer_id,  # type: ignore[arg-type]
            patient=patient,
            recipient_email="records@synthetic-law.example",
            packet=None,
        )
        release.packet_version = 1
        packet = packet_row(release)
        packet.blob_key, packet.sha256, packet.size = stored.key, stored.sha256, stored.size
        session.add(packet)
        await session.flush()
        return release

    return await world.run(seed)


def _mailed_code(world: World) -> str:
    outbox = world.app.state.services.settings.data_dir / "outbox"
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        found = CODE.findall(body.get_content())
        if found and "/l/" not in body.get_content():
            return str(found[0])
    pytest.fail("no code mail in the outbox")


async def test_R12_the_delivery_flow_leaks_no_canary(
    world: World, captured_logs: CapturedLogs
) -> None:
    responses: list[httpx.Response] = []
    preparer = await world.person(Role.SPECIALIST)
    approver = await world.person(Role.SPECIALIST)
    secrets = dict(CANARY, token=approver.token)
    responses.append(
        await world.client.post(
            LOGIN,
            json={
                "email": preparer.user.email,
                "password": CANARY["password"],
                "code": CANARY["totp"],
            },
        )
    )
    assert responses[-1].status_code in {400, 401}
    right_password = {"email": preparer.user.email, "password": preparer.user.password}
    responses.append(
        await world.client.post(LOGIN, json={**right_password, "code": CANARY["totp"]})
    )
    assert responses[-1].status_code in {400, 401}
    release = await _release(world, preparer.user.id)
    responses.append(await approver.act(release, "approve"))
    assert responses[-1].status_code == 200, responses[-1].text
    (link,) = _mailed_tokens(world.app.state.services.settings.data_dir / "outbox")
    url = f"/l/{link}"
    page = await world.client.get(url, headers={"Accept": "text/html"})
    responses.append(page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    form = {"csrf_token": csrf.group(1)}
    responses.append(await world.client.post(url, data=form))  # no code yet: refused
    assert responses[-1].status_code != 200
    responses.append(await world.client.post(f"{url}/code", data=form))
    code = _mailed_code(world)
    secrets["code"] = code
    wrong = CANARY["wrong_code"] if code != CANARY["wrong_code"] else "000000"
    responses.append(await world.client.post(f"{url}/verify", data={**form, "code": wrong}))
    assert responses[-1].status_code == 403
    responses.append(await world.client.post(f"{url}/verify", data={**form, "code": code}))
    assert responses[-1].status_code in {200, 303}, responses[-1].text
    got = await world.client.post(url, data=form)
    assert got.status_code == 200, got.text[:300]
    assert got.content == PDF
    responses.append(await approver.get(f"/api/v1/patients/{release.patient_id}/accounting"))
    assert responses[-1].status_code == 200
    responses.append(await world.client.post(url, data=form))  # spent or refused: an error body

    logs = captured_logs.text
    assert '"http.request"' in logs  # the log is really there
    for name, value in secrets.items():
        assert value not in logs, name
        for response in [*responses, got]:
            for header, header_value in response.headers.items():
                assert value not in header_value, (name, header)
            if not response.is_success:
                assert value not in response.text, (name, response.status_code)
    assert link not in logs
    for response in [*responses, got]:
        for header, header_value in response.headers.items():
            if header != "location":
                assert link not in header_value, header
