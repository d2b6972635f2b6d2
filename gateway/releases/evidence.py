"""The signed document of a legal basis, stored as evidence: a PDF or an image, checked by its
declared type, its magic bytes and its size, never parsed (DESIGN.md: no PDF parsing of
authorizations). Stored under a server-generated key before any row points at it."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.releases.request_errors import (
    EvidenceNotRecognised,
    EvidenceRequired,
    EvidenceTooLarge,
    EvidenceWrongType,
)
from gateway.releases.submissions import Evidence
from kernel.blobs import BlobStore

BLOB_PREFIX = "evidence"
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    key: str
    sha256: str
    size: int


def check_evidence(evidence: Evidence, *, limit: int) -> str:
    """The normalised content type, or a refusal with its reason code."""
    content_type = evidence.content_type.split(";")[0].strip().lower()
    if content_type not in MAGIC:
        raise EvidenceWrongType("evidence must be a PDF, PNG, JPEG or TIFF")
    if len(evidence.data) > limit:
        raise EvidenceTooLarge("evidence too large", size=len(evidence.data))
    if not evidence.data.startswith(MAGIC[content_type]):
        raise EvidenceNotRecognised("evidence is not of its declared type")
    return content_type


async def store_evidence(
    blobs: BlobStore, evidence: Evidence | None, *, required: bool, limit: int
) -> StoredEvidence | None:
    if evidence is None:
        if required:
            raise EvidenceRequired("this basis needs its signed document")
        return None
    content_type = check_evidence(evidence, limit=limit)
    stored = await blobs.put(evidence.data, content_type=content_type, prefix=BLOB_PREFIX)
    return StoredEvidence(stored.key, stored.sha256, stored.size)
