"""API v1 of patients and their source records (staff: ``records.manage``, admin and specialist).

Patient search goes by POST body, never by URL query, so no identifier lands in a URL or a log.
A record upload is multipart: the PDF in ``file``, and the fields ``document_type``,
``service_date`` (ISO date) and ``labels`` (comma-separated sensitivity labels, may be empty).
Each handler validates its input, makes one service call and maps the result to a wire schema.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus

from litestar import Controller, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, MultipartBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.patients_schemas import PatientIn, PatientOut, PatientSearchIn, RecordOut
from gateway.auth import CurrentPrincipal
from gateway.errors import register
from gateway.releases.patient_errors import (
    MrnTaken,
    PatientNotFound,
    RecordFieldInvalid,
    RecordNotFound,
    RecordNotPdf,
    RecordTooLarge,
    RecordWrongType,
    SearchTooBroad,
)
from gateway.releases.patients import PatientService
from gateway.releases.records import PDF_TYPE, NewRecord, RecordService
from gateway.services import Services

MIB = 1024 * 1024

for _error, _status in {
    PatientNotFound: HTTPStatus.NOT_FOUND,
    RecordNotFound: HTTPStatus.NOT_FOUND,
    MrnTaken: HTTPStatus.CONFLICT,
    SearchTooBroad: HTTPStatus.UNPROCESSABLE_ENTITY,
    RecordTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    RecordWrongType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    RecordNotPdf: HTTPStatus.UNPROCESSABLE_ENTITY,
    RecordFieldInvalid: HTTPStatus.UNPROCESSABLE_ENTITY,
}.items():
    register(_error, _status)


@dataclass
class RecordUpload:
    """The multipart form of a record upload."""

    file: UploadFile
    document_type: str
    service_date: str
    labels: str = ""


Patients = NamedDependency[PatientService]
Records = NamedDependency[RecordService]


async def provide_patient_service(
    db_session: NamedDependency[AsyncSession], state: State
) -> PatientService:
    services: Services = state.services
    return PatientService(db_session, clock=services.clock)


async def provide_record_service(
    db_session: NamedDependency[AsyncSession], state: State
) -> RecordService:
    """Over the request's session and the app's blob store, PDF pool and clock (built once in
    ``create_app``); the file cap is the app's ``max_upload_mb``."""
    services: Services = state.services
    return RecordService(
        db_session,
        blobs=services.blobs,
        pdf_pool=services.pdf_pool,
        clock=services.clock,
        max_bytes=services.settings.max_upload_mb * MIB,
    )


async def new_record(form: RecordUpload) -> NewRecord:
    try:
        service_date = date.fromisoformat(form.service_date.strip())
    except ValueError:
        raise RecordFieldInvalid("service_date") from None
    labels = frozenset(part.strip() for part in form.labels.split(",") if part.strip())
    data = await form.file.read()
    return NewRecord(
        data, form.file.content_type or "", form.document_type.strip(), service_date, labels
    )


class PatientController(Controller):
    path = "/api/v1/patients"
    tags = ["patients"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {  # noqa: RUF012
        "patients": Provide(provide_patient_service),
        "records": Provide(provide_record_service),
    }

    @post("/", opt={"rule": "records.manage"})
    async def register_patient(
        self, data: JSONBody[PatientIn], patients: Patients, principal: CurrentPrincipal
    ) -> PatientOut:
        """Register a patient: MRN, name, date of birth and further typed identifiers."""
        patient = await patients.register(
            data.to_domain(), by=principal.user_id, actor=principal.actor
        )
        return PatientOut.of(patient)

    @post("/search", opt={"rule": "records.manage"}, status_code=HTTPStatus.OK)
    async def search_patients(
        self, data: JSONBody[PatientSearchIn], patients: Patients
    ) -> list[PatientOut]:
        """Patients by MRN, or by family name and date of birth (criteria in the body only)."""
        return [PatientOut.of(p) for p in await patients.search(data.to_domain())]

    @get("/{patient_id:uuid}", opt={"rule": "records.manage"})
    async def get_patient(self, patient_id: FromPath[uuid.UUID], patients: Patients) -> PatientOut:
        """One patient with their identifiers."""
        return PatientOut.of(await patients.get(patient_id))

    @get("/{patient_id:uuid}/records", opt={"rule": "records.manage"})
    async def list_records(
        self, patient_id: FromPath[uuid.UUID], patients: Patients
    ) -> list[RecordOut]:
        """The patient's source records, newest service date first."""
        return [RecordOut.of(r) for r in await patients.records(patient_id)]

    @post("/{patient_id:uuid}/records", opt={"rule": "records.manage"})
    async def upload_record(
        self,
        patient_id: FromPath[uuid.UUID],
        data: MultipartBody[RecordUpload],
        records: Records,
        principal: CurrentPrincipal,
    ) -> RecordOut:
        """Upload a source record (PDF), checked by the engine before anything is stored."""
        record = await records.upload(
            patient_id, await new_record(data), by=principal.user_id, actor=principal.actor
        )
        return RecordOut.of(record)


class RecordController(Controller):
    path = "/api/v1/records"
    tags = ["patients"]  # noqa: RUF012 - Litestar reads the class attribute
    dependencies = {"records": Provide(provide_record_service)}  # noqa: RUF012

    @get("/{record_id:uuid}", opt={"rule": "records.manage"})
    async def get_record(self, record_id: FromPath[uuid.UUID], records: Records) -> RecordOut:
        """One source record with the engine's check."""
        return RecordOut.of(await records.get(record_id))

    @get(
        "/{record_id:uuid}/content",
        opt={"rule": "records.manage"},
        media_type=PDF_TYPE,
        responses=None,
    )
    async def get_record_content(self, record_id: FromPath[uuid.UUID], records: Records) -> Stream:
        """The original PDF as uploaded (staff only; never cached)."""
        record, chunks = await records.content(record_id)
        headers = {
            "Content-Disposition": f'attachment; filename="record-{record.id}.pdf"',
            "Cache-Control": "no-store",
            "Content-Length": str(record.size),
        }
        return Stream(chunks, media_type=PDF_TYPE, headers=headers)
