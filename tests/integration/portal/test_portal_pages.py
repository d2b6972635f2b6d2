"""The request portal in the test client: the list, the submission form and its check, the
request's timeline, answering a hold, progress polling; access (another organisation, staff)
and CSRF. Refusals create nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from litestar import Litestar

from gateway.app import MULTIPART_PART_LIMIT
from gateway.auth.rules import Role
from gateway.releases.models import Release
from gateway.web.portal import forms
from kernel.clock import FixedClock
from tests.builders.requests import add_record, create_patient
from tests.fixtures.auth import make_user, next_code, session_maker
from tests.integration.portal.helpers import Portal, form_fields, portal_as, release_id_of
from tests.integration.requests.support import release_count
from tests.integration.web.pages import HTML, Client, csrf_of, get_page, web_sign_in

pytestmark = [pytest.mark.db, pytest.mark.timeout(120)]
TITLE = "<title>"


def title_of(html: str) -> str:
    return html.split(TITLE, 1)[1].split("</title>", 1)[0]


async def set_state(app: Litestar, release_id: str, state: str) -> None:
    async with session_maker(app)() as session, session.begin():
        release = await session.get(Release, uuid.UUID(release_id))
        assert release is not None
        release.state = state


async def test_submit_then_see_it_in_the_list_and_its_timeline(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app, family="Zzyzxpatient")
    await add_record(auth_app, patient)
    portal = await portal_as(auth_app, clock, http)
    empty = await portal.get("/portal/requests")
    assert empty.status_code == 200
    assert "no requests yet" in empty.text
    form = await portal.get("/portal/requests/new")
    assert form.status_code == 200
    assert 'name="csrf_token"' in form.text
    assert 'hx-post="/portal/requests/check"' in form.text
    created = await portal.submit(form_fields(patient.mrn))
    release_id = release_id_of(created)
    listed = await portal.get("/portal/requests")
    assert f'href="/portal/requests/{release_id}"' in listed.text
    assert "In preparation" in listed.text or "In review" in listed.text
    detail = await portal.get(f"/portal/requests/{release_id}")
    assert detail.status_code == 200
    assert 'id="timeline"' in detail.text
    assert "Received" in detail.text
    assert "Due" in detail.text
    for page in (listed, detail, form):  # HTML pages, no PHI in titles
        assert page.headers["content-type"].startswith("text/html")
        assert "Zzyzxpatient" not in title_of(page.text)
        assert patient.mrn not in title_of(page.text)


async def test_check_lists_the_missing_authorization_elements(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    portal = await portal_as(auth_app, clock, http)
    fields = form_fields(expiration_date="", auth_purpose="", statements=["conditioning"])
    got = await portal.post("/portal/requests/check", fields)
    assert got.status_code == 200, got.text
    for code in (
        "AUTH_MISSING_ELEMENT:expiration",
        "AUTH_MISSING_ELEMENT:purpose",
        "AUTH_MISSING_STATEMENT:revocation_right",
        "AUTH_MISSING_STATEMENT:redisclosure",
    ):
        assert f'data-code="{code}"' in got.text
    assert 'data-code="AUTH_MISSING_STATEMENT:conditioning"' not in got.text
    complete = await portal.post("/portal/requests/check", form_fields())
    assert "every required element" in complete.text
    assert "data-code=" not in complete.text


async def test_a_submission_with_missing_elements_is_refused_next_to_the_fields(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    portal = await portal_as(auth_app, clock, http)
    before = await release_count(auth_app)
    got = await portal.submit(form_fields(patient.mrn, expiration_date="", purpose="Typed purpose"))
    assert got.status_code == 422
    assert 'id="expiration_date-error"' in got.text
    assert 'data-code="AUTH_MISSING_ELEMENT:expiration"' in got.text
    assert 'value="Typed purpose"' in got.text  # what was typed is kept
    assert f'value="{patient.mrn}"' in got.text
    assert await release_count(auth_app) == before


async def test_a_submission_needs_the_document_and_a_known_patient(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    portal = await portal_as(auth_app, clock, http)
    before = await release_count(auth_app)
    no_file = await portal.submit(form_fields(patient.mrn), evidence=None)
    assert no_file.status_code == 422
    assert 'id="evidence-error"' in no_file.text
    assert "EVIDENCE_REQUIRED" in no_file.text
    no_patient = await portal.submit(form_fields(""))
    assert no_patient.status_code == 422
    assert 'id="mrn-error"' in no_patient.text
    bad_date = await portal.submit(form_fields(patient.mrn, scope_start="yesterday"))
    assert bad_date.status_code == 422
    assert 'id="scope_start-error"' in bad_date.text
    wrong_type = await portal.post(
        "/portal/requests",
        form_fields(patient.mrn),
        {"evidence": ("notes.txt", b"plain text", "text/plain")},
    )
    assert wrong_type.status_code == 415
    assert "EVIDENCE_WRONG_TYPE" in wrong_type.text
    assert await release_count(auth_app) == before


async def test_a_hold_waiting_on_the_requester_is_answered_from_the_page(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    portal = await portal_as(auth_app, clock, http)
    unknown = form_fields(family_name="Nobody", given_name="Known", birth_date="1970-01-01")
    release_id = release_id_of(await portal.submit(unknown))
    held = await portal.get(f"/portal/requests/{release_id}")
    assert "What to correct" in held.text
    assert 'data-code="PATIENT_NOT_MATCHED"' in held.text
    assert f'action="/portal/requests/{release_id}/answer"' in held.text
    listed = await portal.get("/portal/requests")
    assert "<strong>You</strong>" in listed.text
    empty = await portal.post(f"/portal/requests/{release_id}/answer", {})
    assert empty.status_code == 400
    assert "ANSWER_EMPTY" in empty.text
    clock.advance(timedelta(minutes=1))
    answered = await portal.post(f"/portal/requests/{release_id}/answer", {"mrn": patient.mrn})
    assert answered.status_code == 303, answered.text
    after = await portal.get(f"/portal/requests/{release_id}")
    assert "What to correct" not in after.text
    assert "On hold" in after.text  # the hold stays in the timeline
    again = await portal.post(f"/portal/requests/{release_id}/answer", {"mrn": patient.mrn})
    assert again.status_code == 409
    assert "ANSWER_NOT_EXPECTED" in again.text


async def test_progress_polls_while_in_preparation_then_refreshes(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    await add_record(auth_app, patient)
    portal = await portal_as(auth_app, clock, http)
    release_id = release_id_of(await portal.submit(form_fields(patient.mrn)))
    await set_state(auth_app, release_id, "assembling")
    page = await portal.get(f"/portal/requests/{release_id}")
    assert f'hx-get="/portal/requests/{release_id}/progress"' in page.text
    polled = await portal.get(f"/portal/requests/{release_id}/progress")
    assert polled.status_code == 200
    assert 'id="progress"' in polled.text
    assert "HX-Refresh" not in polled.headers
    await set_state(auth_app, release_id, "in_review")
    done = await portal.get(f"/portal/requests/{release_id}/progress")
    assert done.headers.get("HX-Refresh") == "true"
    reviewed = await portal.get(f"/portal/requests/{release_id}")
    assert 'id="progress"' not in reviewed.text


async def test_another_organisations_request_is_not_found(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    owner = await portal_as(auth_app, clock, http)
    release_id = release_id_of(await owner.submit(form_fields(patient.mrn)))
    other = await portal_as(auth_app, clock, http, Role.PAYER)
    assert (await other.get(f"/portal/requests/{release_id}")).status_code == 404
    assert (await other.get(f"/portal/requests/{release_id}/progress")).status_code == 404
    answer = await other.post(f"/portal/requests/{release_id}/answer", {"mrn": patient.mrn})
    assert answer.status_code == 404
    assert f"/portal/requests/{release_id}" not in (await other.get("/portal/requests")).text


async def test_a_colleague_in_the_same_organisation_sees_the_request(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    owner = await portal_as(auth_app, clock, http, organisation="Shared Firm (synthetic)")
    release_id = release_id_of(await owner.submit(form_fields(patient.mrn)))
    colleague = await portal_as(auth_app, clock, http, organisation="Shared Firm (synthetic)")
    assert (await colleague.get(f"/portal/requests/{release_id}")).status_code == 200


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SPECIALIST])
async def test_staff_get_403_with_the_reason_code(
    auth_app: Litestar, clock: FixedClock, http: Client, role: Role
) -> None:
    staff = await portal_as(auth_app, clock, http, role)
    for path in ("/portal/requests", "/portal/requests/new", f"/portal/requests/{uuid.uuid4()}"):
        got = await staff.get(path)
        assert got.status_code == 403, path
        assert "PORTAL_REQUESTERS_ONLY" in got.text
    before = await release_count(auth_app)
    posted = await staff.submit(form_fields("MRN0"))
    assert posted.status_code == 403
    assert "PORTAL_REQUESTERS_ONLY" in posted.text
    assert await release_count(auth_app) == before
    home = await staff.get("/")
    assert 'href="/portal/requests"' not in home.text
    as_api = await http.get("/portal/requests", headers={"Accept": "application/json"})
    assert as_api.status_code == 403
    assert as_api.json()["code"] == "PORTAL_REQUESTERS_ONLY"


async def test_requesters_see_the_portal_in_the_bar(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    portal = await portal_as(auth_app, clock, http, Role.PAYER)
    home = await portal.get("/")
    assert 'href="/portal/requests"' in home.text


async def test_posts_without_the_csrf_token_are_refused_and_change_nothing(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    portal: Portal = await portal_as(auth_app, clock, http)
    before = await release_count(auth_app)
    fields = form_fields(patient.mrn)
    for token in ("", "not-the-token"):
        got = await http.post(
            "/portal/requests",
            data={**fields, "csrf_token": token},
            headers=HTML,
            follow_redirects=False,
        )
        assert got.status_code == 403
    check = await http.post("/portal/requests/check", data=fields, headers=HTML)
    assert check.status_code == 403
    release_id = release_id_of(
        await portal.submit(
            form_fields(family_name="Nobody", given_name="Known", birth_date="1970-01-01")
        )
    )
    before += 1
    answer = await http.post(
        f"/portal/requests/{release_id}/answer", data={"mrn": patient.mrn}, headers=HTML
    )
    assert answer.status_code == 403
    assert "What to correct" in (await portal.get(f"/portal/requests/{release_id}")).text
    assert await release_count(auth_app) == before
    assert portal.csrf  # the signed-in token itself works:
    assert (await portal.submit(fields)).status_code == 303


async def test_signed_out_visitors_go_to_sign_in(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    got = await get_page(http, "/portal/requests")
    assert (got.status_code, got.headers["location"]) == (303, "/sign-in")
    user = await make_user(auth_app, clock, role=Role.ATTORNEY)
    await web_sign_in(http, user.email, user.password, next_code(user, clock))
    assert csrf_of(await get_page(http, "/portal/requests/new"))


async def test_a_fully_ticked_form_stays_within_the_multipart_part_limit(
    auth_app: Litestar, clock: FixedClock, http: Client
) -> None:
    patient = await create_patient(auth_app)
    portal = await portal_as(auth_app, clock, http)
    every = form_fields(
        patient.mrn,
        family_name=patient.family_name,
        given_name=patient.given_name,
        birth_date=patient.birth_date.isoformat(),
        expiration_event="end of the litigation",
        record_types=list(forms.RECORD_TYPES),
    )
    parts = 2 + sum(len(v) if isinstance(v, list) else 1 for v in every.values())
    assert parts <= MULTIPART_PART_LIMIT  # csrf_token and evidence are the 2
    release_id = release_id_of(await portal.submit(every))
    assert (await portal.get(f"/portal/requests/{release_id}")).status_code == 200
