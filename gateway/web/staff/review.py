"""``/queue/{id}``: the review screen of one release, and its actions.

The legal basis (typed fields, the signed document, the findings) beside the packet preview
(pdf.js draws the pages; ``/queue/{id}/boxes.json`` gives the reviewer boxes per packet page). The
reviewer adds or removes boxes and re-assembles (a new packet version; ``/queue/{id}/progress``
is the fragment htmx polls meanwhile), approves, denies with a reason code, holds with a
follow-up date, or resumes a hold; the two-person rule is shown. A released release lists its
delivery links with a Revoke button. Every action is a form POST with the session's CSRF token;
a refusal shows its message on the page with the 4xx status of API v1."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import State as AppState
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.holds import commit_then_assemble
from gateway.api.links import REVOKE_REASONS, RevokeReasonUnknown
from gateway.api.queue import deliver_after
from gateway.auth.models import User
from gateway.auth.principal import CurrentPrincipal, Principal
from gateway.errors import status_for
from gateway.releases.approval_codes import DENY_REASONS, HOLD_REASONS, REFUSALS
from gateway.releases.approval_errors import RecheckFailed
from gateway.releases.assembly.review import BoxInput, reassemble_and_start
from gateway.releases.delivery import LinkNotFound, link_live
from gateway.releases.evidence import MAGIC
from gateway.releases.resume import Resume
from gateway.web.forms import AnyRequest, text_field
from gateway.web.navigation import page_context
from gateway.web.staff.common import (
    RULE,
    SEE_OTHER,
    band,
    countdown,
    holds_of,
    message_for,
    parse_date,
    queue_of,
    review_of,
    services_of,
)
from kernel.errors import DomainError

DbSession = NamedDependency[AsyncSession]
NO_STORE = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
DONE = {
    "approved": "Approved. The delivery link is being issued and mailed to the recipient.",
    "first_approval": "Your approval is recorded. A second staff member must approve too.",
    "denied": "Denied.",
    "held": "Put on hold.",
    "resumed": "Checked again.",
    "reassembling": "Re-assembly started: a new packet version is being built.",
    "revoked": "The link was revoked.",
    "box_added": "Box added. Re-assemble to apply it.",
    "box_removed": "Box removed. Re-assemble to apply it.",
}


async def emails(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    return {r[0]: r[1] for r in rows.all()}


def shown(value: Any) -> str:
    """A typed basis field as text: nested fields as ``key: value``, lists comma-separated."""
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {shown(v)}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(shown(v).replace("_", " ") for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def link_status(link: Any, now: Any) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link_live(link, now):
        return "live"
    return "expired"


async def render_review(
    request: AnyRequest,
    principal: Principal,
    session: AsyncSession,
    state: AppState,
    release_id: uuid.UUID,
    *,
    done: Annotated[str | None, QueryParameter(max_length=20)] = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    services = services_of(state)
    detail = await queue_of(session, state).detail(release_id, principal)
    release = detail.release
    current = [a for a in detail.approvals if a.packet_version == release.packet_version]
    people = await emails(
        session,
        {release.opened_by}
        | ({release.plan_edited_by} if release.plan_edited_by else set())
        | {a.approver_id for a in current},
    )
    review = review_of(session, state)
    progress = await review.progress(release_id)
    boxes = await review.boxes(release_id)
    now = services.clock.now()
    links = await services.delivery.service(session).links_of(release_id)
    context = page_context(
        request,
        principal,
        f"Release {release.reference}",
        detail=detail,
        release=release,
        basis_fields=[(k.replace("_", " "), shown(v)) for k, v in release.basis.items()],
        row=detail.row,
        band=band(detail.row.days_left),
        countdown=countdown(detail.row.days_left),
        packet=detail.latest_packet,
        preparer=people.get(release.opened_by, "unknown"),
        plan_editor=people.get(release.plan_edited_by) if release.plan_edited_by else None,
        approvals=[(people.get(a.approver_id, "unknown"), a.at) for a in current],
        is_preparer=principal.user_id in {release.opened_by, release.plan_edited_by},
        refusals=[(code, REFUSALS.get(code, code)) for code in detail.refusals],
        deny_reasons=sorted(DENY_REASONS.items()),
        hold_reasons=sorted(HOLD_REASONS.items()),
        revoke_reasons=sorted(REVOKE_REASONS),
        progress=progress,
        release_id=release.id,
        boxes=boxes,
        links=[(link, link_status(link, now)) for link in links],
        done=DONE.get(done or ""),
        error=error,
        today=queue_of(session, state).today,
    )
    return Template(template_name="staff/review.html", context=context, status_code=status)


@get("/queue/{release_id:uuid}", opt=RULE)
async def review_page(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
    done: Annotated[str | None, QueryParameter(max_length=20)] = None,
) -> Template:
    return await render_review(request, principal, db_session, state, release_id, done=done)


async def refused(
    request: AnyRequest,
    principal: Principal,
    session: AsyncSession,
    state: AppState,
    *,
    release_id: uuid.UUID,
    exc: DomainError,
) -> Template:
    """The page again with the refusal's message and the status API v1 gives it; the
    action's changes are rolled back first."""
    await session.rollback()
    return await render_review(
        request,
        principal,
        session,
        state,
        release_id,
        error=message_for(exc.code),
        status=status_for(exc),
    )


async def after(session: AsyncSession, release_id: uuid.UUID, done: str) -> Redirect:
    """Commit the action (the app's autocommit keeps only 2xx), then back to the page."""
    await session.commit()
    return Redirect(f"/queue/{release_id}?done={done}", status_code=SEE_OTHER)


async def row_version(request: AnyRequest) -> int | None:
    text = await text_field(request, "row_version", 12)
    return int(text) if text.isdigit() else None


def form_invalid(message: str) -> DomainError:
    error = DomainError(message)
    error.code = "FORM_INVALID"  # type: ignore[misc]  # per-instance code
    return error


@post("/queue/{release_id:uuid}/approve", opt=RULE, status_code=SEE_OTHER)
async def approve(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    version = await row_version(request)
    if version is None:
        return await refused(
            request,
            principal,
            db_session,
            state,
            release_id=release_id,
            exc=form_invalid("row version"),
        )
    try:
        outcome = await queue_of(db_session, state).approve(release_id, principal, version)
    except RecheckFailed as exc:  # the move it caused is committed; show it
        return await render_review(
            request,
            principal,
            db_session,
            state,
            release_id,
            error=message_for(exc.code),
            status=status_for(exc),
        )
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    if outcome.outcome == "approved":
        redirect = await after(db_session, release_id, "approved")
        redirect.background = deliver_after(state, [release_id])
        return redirect
    return await after(db_session, release_id, "first_approval")


@post("/queue/{release_id:uuid}/deny", opt=RULE, status_code=SEE_OTHER)
async def deny(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    version = await row_version(request)
    reason = await text_field(request, "reason_code", 80)
    note = (await text_field(request, "note", 2000)).strip() or None
    try:
        if version is None:
            raise form_invalid("row version")
        await queue_of(db_session, state).deny(release_id, principal, version, reason, note)
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "denied")


@post("/queue/{release_id:uuid}/hold", opt=RULE, status_code=SEE_OTHER)
async def hold(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    version = await row_version(request)
    reason = await text_field(request, "reason_code", 80)
    follow_up = parse_date(await text_field(request, "follow_up_on", 10))
    note = (await text_field(request, "note", 2000)).strip() or None
    try:
        if version is None or follow_up is None:
            raise form_invalid("row version or follow-up date")
        await queue_of(db_session, state).hold(
            release_id,
            principal,
            row_version=version,
            reason_code=reason,
            follow_up_on=follow_up,
            note=note,
        )
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "held")


@post("/queue/{release_id:uuid}/resume", opt=RULE, status_code=SEE_OTHER)
async def resume(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    version = await row_version(request)
    try:
        if version is None:
            raise form_invalid("row version")
        release = await holds_of(db_session, state).resume(release_id, principal, Resume(version))
        moved_to = release.state
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    await commit_then_assemble(db_session, release_id, moved_to)
    return await after(db_session, release_id, "resumed")


@post("/queue/{release_id:uuid}/reassemble", opt=RULE, status_code=SEE_OTHER)
async def reassemble(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    review = review_of(db_session, state)
    try:
        await reassemble_and_start(review, release_id, by=principal.user_id, actor=principal.actor)
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "reassembling")


def coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


@post("/queue/{release_id:uuid}/boxes", opt=RULE, status_code=SEE_OTHER)
async def add_box(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    """A box on a source page (the viewer posts the page's provenance and the box in PDF
    points); it takes effect at the next assembly."""
    fields = {
        name: await text_field(request, name, 40)
        for name in ("source_record_id", "page", "x0", "y0", "x1", "y1")
    }
    values = [coordinate(fields[k]) for k in ("x0", "y0", "x1", "y1")]
    try:
        record = uuid.UUID(fields["source_record_id"])
    except ValueError:
        record = None
    try:
        if record is None or not fields["page"].isdigit() or None in values:
            raise form_invalid("box")
        x0, y0, x1, y1 = (v for v in values if v is not None)
        box = BoxInput(record, int(fields["page"]), x0, y0, x1, y1)
        await review_of(db_session, state).add_box(release_id, box, by=principal.user_id)
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "box_added")


@post("/queue/{release_id:uuid}/boxes/{box_id:uuid}/remove", opt=RULE, status_code=SEE_OTHER)
async def remove_box(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    box_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    try:
        await review_of(db_session, state).remove_box(release_id, box_id, by=principal.user_id)
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "box_removed")


@post(
    "/queue/{release_id:uuid}/links/{link_id:uuid}/revoke",
    opt={"rule": "links.revoke"},
    status_code=SEE_OTHER,
)
async def revoke_link(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    link_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[Any]:
    reason = await text_field(request, "reason_code", 80)
    service = services_of(state).delivery.service(db_session)
    try:
        if reason not in REVOKE_REASONS:
            raise RevokeReasonUnknown("unknown revoke reason")
        if link_id not in {link.id for link in await service.links_of(release_id)}:
            raise LinkNotFound("no such link of this release")
        await service.revoke(link_id, actor=principal.actor, reason=reason)
    except DomainError as exc:
        return await refused(request, principal, db_session, state, release_id=release_id, exc=exc)
    return await after(db_session, release_id, "revoked")


@get("/queue/{release_id:uuid}/progress", opt=RULE)
async def progress_fragment(
    request: AnyRequest,
    *,
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Template:
    """The assembly progress fragment htmx polls while a packet version is being built."""
    progress = await review_of(db_session, state).progress(release_id)
    context = page_context(request, principal, "Progress", progress=progress, release_id=release_id)
    return Template(template_name="staff/_progress.html", context=context)


@get("/queue/{release_id:uuid}/packet.pdf", opt=RULE, media_type="application/pdf")
async def packet_pdf(
    release_id: FromPath[uuid.UUID], db_session: DbSession, state: AppState, version: FromQuery[int]
) -> Response[bytes]:
    """A packet version for the preview: never cached, no PHI in the address."""
    review = review_of(db_session, state)
    _, pdf = await review.packet_content(release_id, version, services_of(state).blobs)
    return Response(pdf, media_type="application/pdf", headers=NO_STORE)


@get("/queue/{release_id:uuid}/basis-document", opt=RULE)
async def basis_document(
    release_id: FromPath[uuid.UUID],
    principal: CurrentPrincipal,
    db_session: DbSession,
    state: AppState,
) -> Response[bytes]:
    """The signed legal-basis document as submitted (typed by its magic bytes), never cached."""
    detail = await queue_of(db_session, state).detail(release_id, principal)
    key = detail.release.evidence_key
    if key is None:
        return Response(b"", status_code=404, headers=NO_STORE)
    data = await services_of(state).blobs.get(key)
    kind = next(
        (t for t, magics in MAGIC.items() if any(data.startswith(m) for m in magics)),
        "application/octet-stream",
    )
    headers = NO_STORE | {"Content-Disposition": 'inline; filename="basis-document"'}
    return Response(data, media_type=kind, headers=headers)


@get("/queue/{release_id:uuid}/boxes.json", opt=RULE)
async def boxes_json(
    release_id: FromPath[uuid.UUID], db_session: DbSession, state: AppState, version: FromQuery[int]
) -> Response[dict[str, Any]]:
    """For the viewer: each packet page's source (record and page, or generated) and the
    reviewer boxes in force on that source page, in PDF points."""
    review = review_of(db_session, state)
    packets = {p.version: p for p in await review.packets(release_id)}
    packet = packets.get(version)
    if packet is None:
        return Response({"code": "PACKET_NOT_FOUND"}, status_code=404, headers=NO_STORE)
    boxes = await review.boxes(release_id)
    pages: list[dict[str, Any]] = []
    for number, source in enumerate(packet.provenance):
        if not isinstance(source, dict):
            pages.append({"page": number + 1, "source": None, "boxes": []})
            continue
        on_page = [
            {"id": str(b.id), "x0": b.x0, "y0": b.y0, "x1": b.x1, "y1": b.y1}
            for b in boxes
            if str(b.source_record_id) == str(source["source_record_id"])
            and b.page == source["page"]
        ]
        pages.append({"page": number + 1, "source": source, "boxes": on_page})
    body = {"version": packet.version, "page_count": packet.page_count, "pages": pages}
    return Response(body, headers=NO_STORE)
