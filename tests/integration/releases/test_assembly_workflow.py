"""The assembly workflow on a real database, blob store, PDF pool and DBOS: the stored packet is
redacted, stamped and Bates-numbered; a misfiled page blocks; boxes and re-assembly make a new
version; steps that run again write nothing twice."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from dbos import DBOS, SetWorkflowID
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.demo.records import DemoPatient
from gateway.releases import assembly
from gateway.releases.assembly import build_steps, deps
from gateway.releases.assembly.review import BoxInput, ReviewService
from gateway.releases.models import Patient
from gateway.settings import Settings
from gateway.workflows import ASSEMBLY_QUEUE
from kernel.blobs import BlobStore
from kernel.clock import SystemClock
from tests.builders import releases as b
from tests.integration.releases.assembly_support import (
    assemble,
    duplicate_ledger_keys,
    launched,
    ledger_events,
    ledger_ok,
    packets_of,
    pdftotext,
    pypdf_pages,
    release_row,
    runs_of,
    small_pool,
    with_session,
)

pytestmark = [pytest.mark.db, pytest.mark.timeout(300)]

UNREGISTERED_MRN = "MRN-918273"  # someone else's chart number, not a patient of this database
NOTE = replace(
    b.ED_NOTE,
    body=(*b.ED_NOTE.body, f"Collateral history from mother's chart, MRN: {UNREGISTERED_MRN}."),
)


@pytest.fixture
def settings(fresh_settings: Settings) -> Iterator[Settings]:
    with launched(small_pool(fresh_settings)) as running:
        yield running


def _seed(settings: Settings, *, misfiled: bool = False, **release: object) -> uuid.UUID:
    person = b.demo_patient()

    async def work(session: AsyncSession, blobs: BlobStore) -> uuid.UUID:
        patient = await b.create_patient(session, person)
        other = await b.create_patient(session, b.OTHER_PATIENT)
        await b.create_record(session, blobs, patient, b.record_pdf(person, NOTE), document=NOTE)
        if misfiled:
            pdf = b.misfiled_pdf(person, replace(person, mrn=other.mrn))
            await b.create_record(session, blobs, patient, pdf, document=b.LABS)
        row = await b.create_release(session, patient, **release)
        return row.id

    return with_session(settings, work)


def _content(settings: Settings, release_id: uuid.UUID, version: int = 1) -> bytes:
    async def work(session: AsyncSession, blobs: BlobStore) -> bytes:
        service = ReviewService(session, clock=SystemClock())
        return (await service.packet_content(release_id, version, blobs))[1]

    return with_session(settings, work)


def test_the_stored_packet_is_redacted_stamped_and_bates_numbered(settings: Settings) -> None:
    release_id = _seed(settings)
    assert assemble(settings, release_id) == "in_review"

    async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
        release = await release_row(session, release_id)
        packets = await packets_of(session, release_id)
        runs = await runs_of(session, release_id)
        events = await ledger_events(session, release_id)
        return release, packets, runs, events, await ledger_ok(session)

    release, packets, runs, events, verified = with_session(settings, state)
    assert release.state == "in_review"  # type: ignore[attr-defined]
    [packet] = packets  # type: ignore[misc]
    assert (packet.version, packet.verified, packet.page_count) == (1, True, 3)
    [run] = runs  # type: ignore[misc]
    assert (run.state, run.step, run.pages_done, run.pages_total) == ("succeeded", "done", 2, 2)
    assert events == ["release.in_review", "packet.assembled"]
    assert verified

    pdf = _content(settings, release_id)
    reference = release.reference  # type: ignore[attr-defined]
    prefix = reference + "-"
    for text in (pdftotext(pdf), "\n".join(pypdf_pages(pdf))):
        squashed = text.replace(" ", "")
        assert "412-55-0193" not in text
        assert "412550193" not in squashed.replace("-", "")
        assert "918273" not in text
        assert b.DEMO_PATIENT.family_name in text  # an authorised third party sees the name
        assert "Redisclosure prohibited" in text
        assert reference in text
    pages = pypdf_pages(pdf)
    assert [f"{prefix}{n:06d}" in page for n, page in enumerate(pages, start=1)] == [True] * 3
    assert "Synthetic Law LLP" in pages[1]
    assert packet.bates_first == f"{prefix}000001"
    assert packet.bates_last == f"{prefix}000003"


def test_a_misfiled_page_with_another_patients_mrn_rejects_the_release(
    settings: Settings,
) -> None:
    release_id = _seed(settings, misfiled=True)
    assert assemble(settings, release_id) == "rejected"

    async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
        release = await release_row(session, release_id)
        runs = await runs_of(session, release_id)
        return release, await packets_of(session, release_id), runs

    release, packets, runs = with_session(settings, state)
    assert release.state == "rejected"  # type: ignore[attr-defined]
    codes = [f["code"] for f in release.findings]  # type: ignore[attr-defined]
    assert codes == ["FOREIGN_PAGE"]
    assert release.findings[0]["subject"].endswith(":page:1")  # type: ignore[attr-defined]
    assert "733901" not in str(release.findings)  # type: ignore[attr-defined]
    assert packets == []
    assert [(r.state, r.error_code) for r in runs] == [("rejected", "FOREIGN_PAGE")]  # type: ignore[attr-defined]


def test_excluding_the_misfiled_page_lets_the_release_through(settings: Settings) -> None:
    release_id = _seed(settings, misfiled=True)

    async def exclude_page(session: AsyncSession, _: BlobStore) -> None:
        release = await release_row(session, release_id)
        records = await b_records(session, release)
        labs = next(r for r in records if r.document_type == "lab_result")
        release.exclusions = [{"source_record_id": str(labs.id), "pages": [1], "reasons": []}]

    with_session(settings, exclude_page)
    assert assemble(settings, release_id) == "in_review"
    text = pdftotext(_content(settings, release_id))
    assert "733901" not in text


async def b_records(session: AsyncSession, release: object) -> list[object]:
    from gateway.releases.assembly import repository  # noqa: PLC0415

    return list(await repository.records_of(session, release.patient_id))  # type: ignore[attr-defined]


def test_a_reviewer_box_and_reassembly_make_version_2_and_keep_version_1(
    settings: Settings,
) -> None:
    release_id = _seed(settings)
    assert assemble(settings, release_id) == "in_review"
    editor = uuid.uuid4()

    async def edit(session: AsyncSession, _: BlobStore) -> int:
        release = await release_row(session, release_id)
        [record] = await b_records(session, release)
        service = ReviewService(session, clock=SystemClock())
        # Over the "Chief complaint" line of page 1 (reportlab: 72 pt left, 720 - 5*16 pt up).
        box = BoxInput(record.id, 0, 60.0, 630.0, 560.0, 652.0)  # type: ignore[attr-defined]
        await service.add_box(release_id, box, by=editor)
        return await service.reassemble(release_id, by=editor, actor=f"user:{editor}")

    assert with_session(settings, edit) == 2
    assert assemble(settings, release_id) == "in_review"

    async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
        release = await release_row(session, release_id)
        return release, await packets_of(session, release_id), await ledger_ok(session)

    release, packets, verified = with_session(settings, state)
    assert [p.version for p in packets] == [1, 2]  # type: ignore[attr-defined]
    assert release.plan_edited_by == editor  # type: ignore[attr-defined]
    assert verified
    first, second = (
        pdftotext(_content(settings, release_id, 1)),
        pdftotext(_content(settings, release_id, 2)),
    )
    # The box covers the line on page 1 of the record only; page 2 keeps its copy.
    assert first.count("Chief complaint") == 2
    assert second.count("Chief complaint") == 1
    assert "Exam: swelling" in second


def test_steps_that_run_again_store_one_packet_and_one_ledger_entry(settings: Settings) -> None:
    release_id = _seed(settings)
    assert assemble(settings, release_id) == "in_review"

    async def stored(session: AsyncSession, _: BlobStore) -> dict[str, object]:
        [packet] = await packets_of(session, release_id)
        return {"blob_key": packet.blob_key, "page_count": packet.page_count}

    built = with_session(settings, stored)

    async def again() -> str:  # the commit step, run a second time after a crash
        current = deps.current()
        return await build_steps.commit_packet(current, str(release_id), 1, built, [])

    assert asyncio.run(again()) == "done"
    same_id = deps_workflow_id = assembly.workflow_id(release_id, 1)
    with SetWorkflowID(same_id):  # enqueued again: DBOS returns the finished workflow
        handle = DBOS.enqueue_workflow(
            ASSEMBLY_QUEUE, assembly.assemble_packet_workflow, str(release_id), 1
        )
    assert handle.get_result() == "in_review"
    with SetWorkflowID(f"{deps_workflow_id}:rerun"):  # every step again, from the start
        rerun = DBOS.enqueue_workflow(
            ASSEMBLY_QUEUE, assembly.assemble_packet_workflow, str(release_id), 1
        )
    assert rerun.get_result() == "done"

    async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
        return (
            await packets_of(session, release_id),
            await ledger_events(session, release_id),
            await duplicate_ledger_keys(session),
        )

    packets, events, duplicates = with_session(settings, state)
    assert len(packets) == 1  # type: ignore[arg-type]
    assert events == ["release.in_review", "packet.assembled"]
    assert duplicates == 0


def _unidentified_pdf(person: DemoPatient) -> bytes:
    """Page 1 of the patient's record, then a page with clinical text and no identifier."""
    blank = replace(b.LABS, title="Continuation sheet")
    first = PdfReader(io.BytesIO(b.record_pdf(person, b.LABS, pages=1))).pages[0]
    canvas_pdf = io.BytesIO()
    canvas = Canvas(canvas_pdf)
    canvas.drawString(72, 700, f"{blank.title}: {blank.body[0]}")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter()
    writer.add_page(first)
    writer.add_page(PdfReader(io.BytesIO(canvas_pdf.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_without_any_identifier_holds_the_release_for_review(settings: Settings) -> None:
    person = b.demo_patient()

    async def seed(session: AsyncSession, blobs: BlobStore) -> uuid.UUID:
        patient = await b.create_patient(session, person)
        await b.create_record(session, blobs, patient, _unidentified_pdf(person), document=b.LABS)
        return (await b.create_release(session, patient)).id

    release_id = with_session(settings, seed)
    assert assemble(settings, release_id) == "on_hold"

    async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
        release = await release_row(session, release_id)
        return (
            release,
            await packets_of(session, release_id),
            await ledger_events(session, release_id),
        )

    release, packets, events = with_session(settings, state)
    assert release.state == "on_hold"  # type: ignore[attr-defined]
    assert [(f["code"], f["severity"]) for f in release.findings] == [  # type: ignore[attr-defined]
        ("PAGE_UNIDENTIFIED", "hold")
    ]
    assert packets == []
    assert events == ["release.on_hold"]


def test_a_pool_refusal_holds_the_release_with_its_code(fresh_settings: Settings) -> None:
    strict = small_pool(fresh_settings)
    lane = strict.pdf.assemble.model_copy(update={"time_limit_s": 0.001})
    strict = strict.model_copy(update={"pdf": strict.pdf.model_copy(update={"assemble": lane})})
    with launched(strict) as running:
        release_id = _seed(running)
        assert assemble(running, release_id) == "on_hold"

        async def state(session: AsyncSession, _: BlobStore) -> tuple[object, ...]:
            return await release_row(session, release_id), await runs_of(session, release_id)

        release, runs = with_session(running, state)
    assert release.state == "on_hold"  # type: ignore[attr-defined]
    assert [f["code"] for f in release.findings] == ["PDF_TOO_COMPLEX"]  # type: ignore[attr-defined]
    assert [(r.state, r.error_code) for r in runs] == [("held", "PDF_TOO_COMPLEX")]  # type: ignore[attr-defined]


def test_a_de_identified_release_loses_the_safe_harbor_identifiers(settings: Settings) -> None:
    release_id = _seed(
        settings,
        recipient={"kind": "agency", "name": "Synthetic Research Registry"},
        scope={"de_identified_safe_harbor": True},
    )
    assert assemble(settings, release_id) == "in_review"
    pdf = _content(settings, release_id)
    person = b.DEMO_PATIENT

    async def mrn(session: AsyncSession, _: BlobStore) -> str:
        release = await release_row(session, release_id)
        patient = await session.get(Patient, release.patient_id)
        assert patient is not None
        return patient.mrn

    mrn_digits = with_session(settings, mrn).removeprefix("MRN-")
    for text in (pdftotext(pdf), "\n".join(pypdf_pages(pdf))):
        for leaked in (
            mrn_digits,
            person.family_name.split("-")[0],
            "412-55-0193",
            "014-2231",
            "03/14/1961",
            "2026-02-09",  # the service date: every date but the year goes
        ):
            assert leaked not in text, leaked
        assert "Chief complaint" in text
        assert "Safe Harbor" in text
