"""``/queue``: tabs with counts, filters in the URL (no PHI), due bands, the overdue count,
the patient search by POST, bulk approval with a result per row, access and CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.releases.models import Patient
from tests.builders.approval import TODAY, create_organisation
from tests.fixtures.auth import TestUser, make_user
from tests.integration.web.pages import HTML, get_page, post_form
from tests.integration.web.staff.conftest import Staff

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]


def count_of(page: str, tab: str) -> int:
    found = re.search(rf'tab={tab}[^"]*"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    assert found is not None, tab
    return int(found.group(1))


async def test_the_queue_shows_tabs_counts_bands_and_the_overdue_count(staff: Staff) -> None:
    preparer = await staff.user()
    reviewer = await staff.user(Role.ADMIN)
    soon = await staff.release(opened_by=preparer.id, due_on=TODAY + timedelta(days=5))
    late = await staff.release(opened_by=preparer.id, due_on=TODAY - timedelta(days=3))
    far = await staff.release(opened_by=preparer.id, due_on=TODAY + timedelta(days=20))
    await staff.release(opened_by=preparer.id, state="on_hold", packet=None)
    await staff.sign_in(reviewer)
    page = await get_page(staff.client, "/queue")
    assert page.status_code == 200
    assert "<title>Approval queue · ROI Gateway</title>" in page.text
    assert count_of(page.text, "in_review") >= 3
    assert count_of(page.text, "on_hold") >= 1
    assert re.search(r"<strong>(\d+)</strong> open releases? overdue", page.text)
    body = page.text
    assert body.index(late.reference) < body.index(soon.reference) < body.index(far.reference)
    assert 'class="due due-overdue">3 days overdue' in body
    assert 'class="due due-soon">5 days left' in body
    assert 'class="due due-later">20 days left' in body


async def test_filters_are_in_the_url_and_narrow_the_list(staff: Staff) -> None:
    preparer = await staff.user()
    org = await staff.run(create_organisation)
    sensitive = await staff.release(opened_by=preparer.id, sensitive=True, organisation_id=org.id)
    plain = await staff.release(opened_by=preparer.id)
    urgent = await staff.release(opened_by=preparer.id, due_on=TODAY + timedelta(days=1))
    await staff.sign_in(await staff.user())
    only_sensitive = await get_page(staff.client, "/queue?tab=in_review&sensitive=yes")
    assert sensitive.reference in only_sensitive.text
    assert plain.reference not in only_sensitive.text
    by_org = await get_page(staff.client, f"/queue?tab=all&organisation={org.id}")
    assert sensitive.reference in by_org.text
    assert plain.reference not in by_org.text
    due_soon = await get_page(staff.client, "/queue?tab=all&due=2")
    assert urgent.reference in due_soon.text
    assert plain.reference not in due_soon.text
    newest = await get_page(staff.client, "/queue?tab=all&sort=-created_at")
    assert newest.status_code == 200
    assert f'value="{org.id}" selected' in by_org.text  # the form shows the filter in force


async def test_a_bad_filter_is_a_clear_400_page(staff: Staff) -> None:
    await staff.sign_in(await staff.user())
    page = await get_page(staff.client, "/queue?sensitive=maybe")
    assert page.status_code == 400
    assert "Request not understood" in page.text
    bad_cursor = await get_page(staff.client, "/queue?cursor=not-a-cursor")
    assert bad_cursor.status_code == 400
    assert "no longer exists" in bad_cursor.text


async def test_the_patient_search_goes_by_post_and_finds_the_release(staff: Staff) -> None:
    preparer = await staff.user()
    release = await staff.release(opened_by=preparer.id)
    csrf = await staff.sign_in(await staff.user())
    mrn = await staff.run(lambda s: _mrn_of(s, release.patient_id))
    found = await post_form(staff.client, "/queue/search", csrf_token=csrf, mrn=mrn)
    assert found.status_code == 200
    assert release.reference in found.text
    assert mrn not in found.headers.get("location", "")
    empty = await post_form(staff.client, "/queue/search", csrf_token=csrf)
    assert empty.status_code == 422
    assert "Search by MRN" in empty.text


async def _mrn_of(session: AsyncSession, patient_id: uuid.UUID | None) -> str:
    patient = await session.get(Patient, patient_id)
    assert patient is not None
    return patient.mrn


async def test_bulk_approval_shows_a_result_per_row(staff: Staff) -> None:
    preparer = await staff.user()
    org = await staff.run(create_organisation)
    first = await staff.release(opened_by=preparer.id, organisation_id=org.id)
    second = await staff.release(opened_by=preparer.id, organisation_id=org.id)
    other_org = await staff.release(opened_by=preparer.id)
    findings = [{"code": "AUTH_MISSING_ELEMENT:purpose", "severity": "warning", "message": "m"}]
    with_findings = await staff.release(
        opened_by=preparer.id, organisation_id=org.id, findings=findings
    )
    csrf = await staff.sign_in(await staff.user())
    picks = [first, second, other_org, with_findings]
    response = await staff.client.post(
        "/queue/bulk-approve",
        data={"csrf_token": csrf, "release": [f"{r.id}:{r.row_version}" for r in picks]},
        headers=HTML,
    )
    assert response.status_code == 200, response.text[:500]
    rows = re.findall(r'<tr class="result-(\w+)"><td><a href="/queue/([^"]+)">', response.text)
    assert rows == [
        ("approved", str(first.id)),
        ("approved", str(second.id)),
        ("refused", str(other_org.id)),
        ("refused", str(with_findings.id)),
    ]
    assert "BULK_NOT_HOMOGENEOUS" in response.text
    assert "BULK_OPEN_FINDINGS" in response.text
    assert (await staff.reload(first)).state == "approved"
    assert (await staff.reload(other_org)).state == "in_review"


async def test_bulk_approval_without_a_tick_is_a_422_that_changes_nothing(staff: Staff) -> None:
    csrf = await staff.sign_in(await staff.user())
    response = await post_form(staff.client, "/queue/bulk-approve", csrf_token=csrf)
    assert response.status_code == 422
    assert "Tick between 1 and" in response.text


async def test_requesters_are_refused_the_queue(staff: Staff) -> None:
    attorney = await make_attorney(staff)
    csrf = await staff.sign_in(attorney)
    assert (await get_page(staff.client, "/queue")).status_code == 403
    searched = await post_form(staff.client, "/queue/search", csrf_token=csrf, mrn="X1")
    assert searched.status_code == 403
    home = await get_page(staff.client, "/")
    assert 'href="/queue"' not in home.text


async def make_attorney(staff: Staff) -> TestUser:
    return await make_user(staff.app, staff.clock, role=Role.ATTORNEY)


async def test_staff_see_queue_in_the_navigation(staff: Staff) -> None:
    await staff.sign_in(await staff.user())
    home = await get_page(staff.client, "/")
    assert '<a href="/queue">Queue</a>' in home.text


async def test_a_post_without_the_csrf_token_is_refused(staff: Staff) -> None:
    preparer = await staff.user()
    release = await staff.release(opened_by=preparer.id)
    await staff.sign_in(await staff.user())
    response = await post_form(
        staff.client, "/queue/bulk-approve", release=f"{release.id}:{release.row_version}"
    )
    assert response.status_code == 403
    assert (await staff.reload(release)).state == "in_review"


async def test_signed_out_visitors_go_to_the_sign_in_page(staff: Staff) -> None:
    staff.client.cookies.clear()
    page = await get_page(staff.client, "/queue")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in"


async def test_the_list_pages_with_an_opaque_cursor_and_keeps_the_filters(staff: Staff) -> None:
    preparer = await staff.user()
    made = [
        await staff.release(opened_by=preparer.id, due_on=TODAY + timedelta(days=30 + n))
        for n in range(27)
    ]
    await staff.sign_in(await staff.user())
    first = await get_page(staff.client, "/queue?tab=in_review&due=&sort=-due_on")
    assert first.status_code == 200
    found = re.search(r'<a href="(/queue\?[^"]+)" rel="next">Next page</a>', first.text)
    assert found is not None
    next_url = found.group(1).replace("&amp;", "&")
    assert "sort=-due_on" in next_url
    assert "cursor=" in next_url
    second = await get_page(staff.client, next_url)
    assert second.status_code == 200
    shown_first = {r.reference for r in made if r.reference in first.text}
    shown_second = {r.reference for r in made if r.reference in second.text}
    assert len(shown_first) == 25
    assert shown_first.isdisjoint(shown_second)
    assert shown_first | shown_second == {r.reference for r in made}
    assert "First page" in second.text
