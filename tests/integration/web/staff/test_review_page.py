"""``/queue/{id}``: the review screen and its actions (approve with the two-person rule, deny,
hold, boxes, re-assembly refusals, the packet and basis document served with no-store, link
revocation), access (requesters 403) and CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth.rules import Role
from gateway.releases.approval_models import ReleaseApproval
from gateway.releases.models import Release, ReviewerBox, SourceRecord
from gateway.services import Services
from tests.builders.approval import NOW, TODAY, packet_row
from tests.fixtures.auth import make_user
from tests.integration.web.pages import HTML, get_page, post_form
from tests.integration.web.staff.conftest import Staff

pytestmark = [pytest.mark.db, pytest.mark.timeout(180)]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def services(staff: Staff) -> Services:
    found: Services = staff.app.state.services
    return found


async def approvals(staff: Staff, release: Release) -> list[ReleaseApproval]:
    async def read(session: AsyncSession) -> list[ReleaseApproval]:
        query = select(ReleaseApproval).where(ReleaseApproval.release_id == release.id)
        return list((await session.scalars(query)).all())

    return await staff.run(read)


async def test_the_page_shows_basis_findings_preview_and_the_two_person_rule(staff: Staff) -> None:
    preparer = await staff.user()
    findings = [
        {"code": "AUTH_MISSING_ELEMENT:purpose", "rule_id": "AUTH-01", "severity": "warning"}
        | {"message": "The purpose is missing."}
    ]
    release = await staff.release(opened_by=preparer.id, sensitive=True, findings=findings)
    await staff.sign_in(await staff.user())
    page = await get_page(staff.client, f"/queue/{release.id}")
    assert page.status_code == 200
    assert f"<title>Release {release.reference} · ROI Gateway</title>" in page.text
    assert "AUTH_MISSING_ELEMENT:purpose" in page.text
    assert "The purpose is missing." in page.text
    assert "{" not in page.text.split('class="basis-fields"')[1].split("</dl>")[0]  # readable
    assert preparer.email in page.text  # who prepared it
    assert "a second approver is needed" in page.text
    assert f'data-pdf="/queue/{release.id}/packet.pdf?version=1"' in page.text
    assert '<script type="module" src="/static/web/staff/review.js"></script>' in page.text
    assert "<script>" not in page.text
    assert re.search(r'<button type="submit" id="approve">Approve</button>', page.text)


async def test_the_preparer_sees_the_approve_button_disabled_and_why(staff: Staff) -> None:
    preparer = await staff.user()
    release = await staff.release(opened_by=preparer.id)
    csrf = await staff.sign_in(preparer)
    page = await get_page(staff.client, f"/queue/{release.id}")
    assert 'id="approve" disabled aria-describedby="approve-why"' in page.text
    assert "APPROVER_IS_PREPARER" in page.text
    assert "You prepared this release" in page.text
    refused = await post_form(
        staff.client,
        f"/queue/{release.id}/approve",
        csrf_token=csrf,
        row_version=str(release.row_version),
    )
    assert refused.status_code == 403
    assert "opened the request or last edited its plan" in refused.text
    assert (await staff.reload(release)).state == "in_review"


async def test_another_staff_member_approves_and_the_page_says_the_link_follows(
    staff: Staff,
) -> None:
    preparer = await staff.user()
    release = await staff.release(opened_by=preparer.id)
    csrf = await staff.sign_in(await staff.user())
    done = await post_form(
        staff.client,
        f"/queue/{release.id}/approve",
        csrf_token=csrf,
        row_version=str(release.row_version),
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/queue/{release.id}?done=approved"
    assert (await staff.reload(release)).state in {"approved", "released"}
    page = await get_page(staff.client, done.headers["location"])
    assert "delivery link is being issued and mailed" in page.text
    assert "Delivery links" in page.text


async def test_a_sensitive_release_needs_a_second_approver(staff: Staff) -> None:
    preparer = await staff.user()
    release = await staff.release(opened_by=preparer.id, sensitive=True)
    first = await staff.user()
    csrf = await staff.sign_in(first)
    one = await post_form(
        staff.client, f"/queue/{release.id}/approve", csrf_token=csrf, row_version="1"
    )
    assert one.headers["location"] == f"/queue/{release.id}?done=first_approval"
    assert (await staff.reload(release)).state == "in_review"
    page = await get_page(staff.client, f"/queue/{release.id}")
    assert f"Approved (version 1) by <strong>{first.email}</strong>" in page.text
    assert "SECOND_APPROVER_REQUIRED" in page.text  # the first approver cannot approve again
    second = await staff.user(Role.ADMIN)
    csrf = await staff.sign_in(second)
    version = (await staff.reload(release)).row_version
    two = await post_form(
        staff.client, f"/queue/{release.id}/approve", csrf_token=csrf, row_version=str(version)
    )
    assert two.headers["location"] == f"/queue/{release.id}?done=approved"
    assert len(await approvals(staff, release)) == 2


async def test_a_stale_row_version_is_a_409_with_a_clear_message(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    csrf = await staff.sign_in(await staff.user())
    stale = await post_form(
        staff.client, f"/queue/{release.id}/approve", csrf_token=csrf, row_version="99"
    )
    assert stale.status_code == 409
    assert "Someone changed this release" in stale.text


async def test_deny_needs_a_reason_code_from_the_list(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    csrf = await staff.sign_in(await staff.user())
    path = f"/queue/{release.id}/deny"
    bad = await post_form(staff.client, path, csrf_token=csrf, row_version="1", reason_code="NOPE")
    assert bad.status_code == 422
    assert "Choose a reason from the list." in bad.text
    assert (await staff.reload(release)).state == "in_review"
    ok = await post_form(
        staff.client, path, csrf_token=csrf, row_version="1", reason_code="DENY_NO_RECORDS"
    )
    assert ok.headers["location"] == f"/queue/{release.id}?done=denied"
    assert (await staff.reload(release)).state == "denied"


async def test_hold_takes_a_reason_and_a_follow_up_date(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    csrf = await staff.sign_in(await staff.user())
    path = f"/queue/{release.id}/hold"
    fields: dict[str, Any] = {"csrf_token": csrf, "row_version": "1"}
    no_date = await post_form(staff.client, path, **fields, reason_code="HOLD_PAYMENT")
    assert no_date.status_code == 422
    assert "The form was not filled in correctly." in no_date.text
    follow_up = (TODAY + timedelta(days=5)).isoformat()
    ok = await post_form(
        staff.client, path, **fields, reason_code="HOLD_PAYMENT", follow_up_on=follow_up
    )
    assert ok.headers["location"] == f"/queue/{release.id}?done=held"
    assert (await staff.reload(release)).state == "on_hold"
    page = await get_page(staff.client, f"/queue/{release.id}")
    assert f'action="/queue/{release.id}/resume"' in page.text  # a held release can be resumed


async def test_resume_of_a_release_not_on_hold_is_refused_with_its_status(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    csrf = await staff.sign_in(await staff.user())
    response = await post_form(
        staff.client, f"/queue/{release.id}/resume", csrf_token=csrf, row_version="1"
    )
    assert response.status_code == 409
    assert "not in a state that allows this action" in response.text


async def with_packet(staff: Staff, release: Release, **fields: Any) -> None:
    """Version 1 of the packet of a release seeded without one (packets are immutable)."""

    async def build(session: AsyncSession) -> None:
        row = await session.get(Release, release.id)
        assert row is not None
        packet = packet_row(row)
        for name, value in fields.items():
            setattr(packet, name, value)
        session.add(packet)
        row.packet_version = 1

    await staff.run(build)


async def test_packet_and_basis_document_are_served_with_no_store(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id, packet=None)
    blobs = services(staff).blobs
    packet_blob = await blobs.put(PDF, content_type="application/pdf", prefix="packets")
    evidence_blob = await blobs.put(PDF, content_type="application/pdf", prefix="evidence")
    await with_packet(staff, release, blob_key=packet_blob.key)

    async def point(session: AsyncSession) -> None:
        row = await session.get(Release, release.id)
        assert row is not None
        row.evidence_key = evidence_blob.key

    await staff.run(point)
    await staff.sign_in(await staff.user())
    pdf = await get_page(staff.client, f"/queue/{release.id}/packet.pdf?version=1")
    assert pdf.status_code == 200
    assert pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    basis = await get_page(staff.client, f"/queue/{release.id}/basis-document")
    assert basis.status_code == 200
    assert basis.headers["content-type"] == "application/pdf"
    assert basis.headers["cache-control"] == "no-store"
    missing = await get_page(staff.client, f"/queue/{release.id}/packet.pdf?version=7")
    assert missing.status_code == 404


async def add_record(staff: Staff, release: Release) -> SourceRecord:
    """A two-page source record of the patient; packet page 1 comes from its page 1."""

    async def build(session: AsyncSession) -> SourceRecord:
        assert release.patient_id is not None
        record = SourceRecord(
            patient_id=release.patient_id,
            document_type="ed_note",
            service_date=date(2026, 1, 5),
            labels=[],
            blob_key="records/synthetic",
            sha256="b" * 64,
            size=10,
            page_count=2,
            check={},
            created_at=NOW,
            created_by=release.opened_by,
        )
        session.add(record)
        await session.flush()
        return record

    record = await staff.run(build)
    provenance = [{"source_record_id": str(record.id), "page": 1}, "generated"]
    await with_packet(staff, release, provenance=provenance, page_count=2)
    return record


async def test_boxes_are_added_listed_per_packet_page_and_removed(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id, packet=None)
    record = await add_record(staff, release)
    csrf = await staff.sign_in(await staff.user())
    box = {"source_record_id": str(record.id), "page": "1", "x0": "10", "y0": "20"}
    added = await post_form(
        staff.client, f"/queue/{release.id}/boxes", csrf_token=csrf, **box, x1="110", y1="70"
    )
    assert added.headers["location"] == f"/queue/{release.id}?done=box_added"
    layout = await staff.client.get(f"/queue/{release.id}/boxes.json?version=1")
    assert layout.status_code == 200
    assert layout.headers["cache-control"] == "no-store"
    pages = layout.json()["pages"]
    assert [len(p["boxes"]) for p in pages] == [1, 0]
    assert pages[1]["source"] is None  # a generated page
    assert pages[0]["boxes"][0] | {"id": ""} == {"id": "", "x0": 10, "y0": 20, "x1": 110, "y1": 70}
    bad = await post_form(
        staff.client, f"/queue/{release.id}/boxes", csrf_token=csrf, **box, x1="5", y1="70"
    )
    assert bad.status_code == 422
    assert "not on a page of this release" in bad.text
    box_id = pages[0]["boxes"][0]["id"]
    removed = await post_form(
        staff.client, f"/queue/{release.id}/boxes/{box_id}/remove", csrf_token=csrf
    )
    assert removed.headers["location"] == f"/queue/{release.id}?done=box_removed"
    again = await post_form(
        staff.client, f"/queue/{release.id}/boxes/{box_id}/remove", csrf_token=csrf
    )
    assert again.status_code == 404

    async def live(session: AsyncSession) -> int:
        rows = await session.scalars(
            select(ReviewerBox).where(
                ReviewerBox.release_id == release.id, ReviewerBox.removed_at.is_(None)
            )
        )
        return len(list(rows))

    assert await staff.run(live) == 0


async def test_boxes_cannot_change_once_the_release_left_review(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id, state="approved")
    csrf = await staff.sign_in(await staff.user())
    response = await post_form(staff.client, f"/queue/{release.id}/reassemble", csrf_token=csrf)
    assert response.status_code == 409
    assert "only be changed while the release is in review" in response.text


async def test_revoke_needs_a_known_reason_and_a_link_of_this_release(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id, state="released")
    csrf = await staff.sign_in(await staff.user())
    path = f"/queue/{release.id}/links/{uuid.uuid4()}/revoke"
    unknown = await post_form(staff.client, path, csrf_token=csrf, reason_code="BECAUSE")
    assert unknown.status_code == 422
    assert "Choose a revoke reason" in unknown.text
    no_link = await post_form(staff.client, path, csrf_token=csrf, reason_code="SECURITY")
    assert no_link.status_code == 404
    assert "There is no such link." in no_link.text


async def test_requesters_get_403_on_every_staff_page(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    attorney = await make_user(staff.app, staff.clock, role=Role.ATTORNEY)
    csrf = await staff.sign_in(attorney)
    for path in (
        f"/queue/{release.id}",
        f"/queue/{release.id}/packet.pdf?version=1",
        f"/queue/{release.id}/boxes.json?version=1",
        f"/queue/{release.id}/basis-document",
        f"/queue/{release.id}/progress",
    ):
        assert (await get_page(staff.client, path)).status_code == 403, path
    for action in ("approve", "deny", "hold", "resume", "reassemble"):
        response = await post_form(
            staff.client, f"/queue/{release.id}/{action}", csrf_token=csrf, row_version="1"
        )
        assert response.status_code == 403, action
    assert (await staff.reload(release)).state == "in_review"


async def test_actions_without_the_csrf_token_are_refused(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id)
    await staff.sign_in(await staff.user())
    for action in ("approve", "deny", "hold"):
        response = await staff.client.post(
            f"/queue/{release.id}/{action}",
            data={"row_version": "1", "reason_code": "DENY_NO_RECORDS"},
            headers=HTML,
        )
        assert response.status_code == 403, action
        assert "Not allowed" in response.text
    assert (await staff.reload(release)).state == "in_review"


async def test_an_unknown_release_is_a_404_page(staff: Staff) -> None:
    await staff.sign_in(await staff.user())
    page = await get_page(staff.client, f"/queue/{uuid.uuid4()}")
    assert page.status_code == 404
    assert "Page not found" in page.text


async def test_an_assembling_release_shows_a_progress_fragment_htmx_polls(staff: Staff) -> None:
    release = await staff.release(opened_by=(await staff.user()).id, state="assembling")
    await staff.sign_in(await staff.user())
    page = await get_page(staff.client, f"/queue/{release.id}")
    assert page.status_code == 200
    poll = f'hx-get="/queue/{release.id}/progress" hx-trigger="every 2s"'
    assert poll in page.text
    fragment = await get_page(staff.client, f"/queue/{release.id}/progress")
    assert fragment.status_code == 200
    assert poll in fragment.text
    assert "Assembling packet version 1" in fragment.text
    assert 'id="approve"' not in page.text  # no decision while assembling
