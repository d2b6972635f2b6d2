"""The committed fixture PDFs (tests/fixtures/pdfs) and their manifest, as test data."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import redaction
from redaction.ocr_tesseract import TesseractOcr
from tests.integration.redaction.checkers import needles

PDFS = Path(__file__).resolve().parents[2] / "fixtures" / "pdfs"
DETECTORS = ("ssn", "phone")


@dataclass(frozen=True)
class Fixture:
    file: str
    producer: str
    features: tuple[str, ...]
    identifiers: tuple[str, ...]
    fragments: tuple[str, ...]
    clinical: tuple[str, ...]
    expect: str

    @property
    def pdf(self) -> bytes:
        return (PDFS / self.file).read_bytes()

    @property
    def scanned(self) -> bool:
        return "scanned-image" in self.features

    @property
    def image_only(self) -> bool:
        return "image-only" in self.features

    @property
    def needles(self) -> list[str]:
        return needles(list(self.identifiers), list(self.fragments))

    def plan(self) -> redaction.Plan:
        return redaction.Plan(terms=self.identifiers, detectors=DETECTORS)


def load() -> list[Fixture]:
    data = json.loads((PDFS / "manifest.json").read_text(encoding="utf-8"))
    return [
        Fixture(
            file=f["file"],
            producer=f["producer"],
            features=tuple(f["features"]),
            identifiers=tuple(f["identifiers"]),
            fragments=tuple(f["fragments"]),
            clinical=tuple(f["clinical"]),
            expect=f["expect"],
        )
        for f in data["fixtures"]
    ]


FIXTURES = {f.file: f for f in load()}
REDACTABLE = [f.file for f in FIXTURES.values() if f.expect == "verified"]
REFUSED = [f.file for f in FIXTURES.values() if f.expect != "verified"]


@functools.cache
def redacted(name: str) -> redaction.Redacted:
    """One redaction per fixture per test process, shared by the tests that inspect it."""
    fixture = FIXTURES[name]
    ocr = TesseractOcr() if fixture.scanned else None
    return redaction.redact(fixture.pdf, fixture.plan(), ocr=ocr)
