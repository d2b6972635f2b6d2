"""Source records: upload (checked by the engine in the PDF pool), read, download.

An upload is refused before anything is stored when it is too large, not declared as a PDF, does
not start like one, or when the engine's check in the pool's ``check`` lane refuses it (damaged,
encrypted, a decompression bomb, too complex, or its worker ran out of memory or time). Then the
blob is written (server-generated key), then the row and a ``record.uploaded`` ledger entry in
the caller's transaction; if the row or the entry cannot be written, the blob is deleted again.
``SourceRecord.check`` keeps the engine's findings as page numbers and counts, never text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

import redaction
from gateway import ledger
from gateway.pdfpool import PdfPool
from gateway.releases.models import SENSITIVITY_LABELS, Patient, SourceRecord
from gateway.releases.patient_errors import (
    PatientNotFound,
    RecordFieldInvalid,
    RecordNotFound,
    RecordNotPdf,
    RecordTooLarge,
    RecordWrongType,
)
from kernel.blobs import BlobStore
from kernel.clock import Clock

log = structlog.get_logger()
PDF_TYPE = "application/pdf"
BLOB_PREFIX = "records/source"
PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the engine's own header window (redaction/pdfio.py)
DOCUMENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MRN_OTHER = "mrn_other"


@dataclass(frozen=True, slots=True)
class NewRecord:
    data: bytes
    content_type: str
    document_type: str
    service_date: date
    labels: frozenset[str] = frozenset()


class RecordService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        blobs: BlobStore,
        pdf_pool: PdfPool,
        clock: Clock,
        max_bytes: int,
    ) -> None:
        self.session = session
        self.blobs = blobs
        self.pdf_pool = pdf_pool
        self.clock = clock
        self.max_bytes = max_bytes

    async def upload(
        self, patient_id: uuid.UUID, new: NewRecord, *, by: uuid.UUID, actor: str
    ) -> SourceRecord:
        self._check_fields(new)
        self._check_file(new)
        patient = await self.session.get(Patient, patient_id)
        if patient is None:
            raise PatientNotFound("no such patient", patient_id=str(patient_id))
        scan = await self.pdf_pool.run(redaction.scan_source, new.data, _tokens(patient))
        stored = await self.blobs.put(new.data, content_type=PDF_TYPE, prefix=BLOB_PREFIX)
        record = SourceRecord(
            id=uuid.uuid4(),
            patient_id=patient.id,
            document_type=new.document_type,
            service_date=new.service_date,
            labels=sorted(new.labels),
            blob_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
            page_count=scan.page_count,
            check=check_of(scan),
            created_at=self.clock.now(),
            created_by=by,
        )
        try:
            self.session.add(record)
            await self.session.flush()
            await self._ledger(record, actor)
        except BaseException:
            await self._forget(stored.key)
            raise
        return record

    async def get(self, record_id: uuid.UUID) -> SourceRecord:
        record = await self.session.get(SourceRecord, record_id)
        if record is None:
            raise RecordNotFound("no such record", record_id=str(record_id))
        return record

    async def content(self, record_id: uuid.UUID) -> tuple[SourceRecord, AsyncIterator[bytes]]:
        """The record and its original bytes as a stream (checked against the stored SHA-256)."""
        record = await self.get(record_id)
        await self.blobs.stat(record.blob_key)  # a missing blob fails here, before any byte is sent
        return record, self.blobs.stream(record.blob_key)

    # checks before the pool ----------------------------------------------------------------

    def _check_fields(self, new: NewRecord) -> None:
        if DOCUMENT_TYPE.fullmatch(new.document_type) is None:
            raise RecordFieldInvalid("document_type")
        if not new.labels <= frozenset(SENSITIVITY_LABELS):
            raise RecordFieldInvalid("labels")

    def _check_file(self, new: NewRecord) -> None:
        if len(new.data) > self.max_bytes:
            raise RecordTooLarge("the file is too large", limit_bytes=self.max_bytes)
        if new.content_type.split(";")[0].strip().lower() != PDF_TYPE:
            raise RecordWrongType("the file is not declared as a PDF")
        if PDF_MAGIC not in new.data[:MAGIC_WINDOW]:
            raise RecordNotPdf("the file does not start like a PDF")

    # writes ---------------------------------------------------------------------------------

    async def _ledger(self, record: SourceRecord, actor: str) -> None:
        entry = ledger.NewEntry(
            idempotency_key=f"record:{record.id}:uploaded",
            actor_id=actor,
            event_type="record.uploaded",
            patient_id=record.patient_id,
            details={
                "record_id": str(record.id),
                "page_count": record.page_count,
                "size": record.size,
                "pages_without_mrn": len(record.check["pages_without_mrn"]),
            },
        )
        await ledger.append(self.session, entry, clock=self.clock)

    async def _forget(self, key: str) -> None:
        try:
            await self.blobs.delete(key)
        except Exception as exc:  # noqa: BLE001 - the original error is what the caller needs
            log.warning("record.blob_orphaned", error_type=type(exc).__name__)


def _tokens(patient: Patient) -> tuple[str, ...]:
    """The MRN first, then the patient's other MRNs."""
    others = [str(i["value"]) for i in patient.identifiers if i.get("kind") == MRN_OTHER]
    return (patient.mrn, *others)


def check_of(scan: redaction.SourceScan) -> dict[str, Any]:
    """What the engine's check found, as 0-based page numbers and counts (no text, no MRN).
    ``mrn_pages``: pages carrying the patient's MRN or one of their other MRNs."""
    with_mrn = [page for page, found in enumerate(scan.hits) if found]
    return {
        "engine_version": scan.engine_version,
        "page_count": scan.page_count,
        "mrn_pages": with_mrn,
        "pages_without_mrn": [p for p in range(scan.page_count) if p not in with_mrn],
        "textless_pages": list(scan.textless),
    }
