"""Pages per second of packet assembly through the PDF pool (not a test).

The benchmark record: the demo patient's synthetic record (``gateway/demo/records.py``), one
document of ``--pages`` pages (default 80) plus a 2-page one, each page with name, MRN, date of
birth, SSN and phone. The plan is the one an attorney's authorization gets (SSNs and other
patients' MRNs redacted); the packet gets a cover sheet, one notice, the stamp and Bates
numbers, and is verified, all in one task on the pool's ``assemble`` lane (512 MiB).

Run from the repository root: ``.venv/bin/python -m bench.assembly_bench [--pages 80 --runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

import redaction
from gateway.demo.records import DEMO_DOCUMENTS, DEMO_PATIENT, render_document
from gateway.pdfpool import build_pdf_pool
from gateway.releases.assembly.plan import (
    Audience,
    DocumentPlanInput,
    PatientIdentity,
    plan_for,
    policy_for,
)
from gateway.releases.assembly.spec import packet_spec
from gateway.settings import PdfAssembleLaneSettings, PdfLaneSettings, PdfSettings, Settings


def parts(pages: int) -> list[redaction.Part]:
    patient = PatientIdentity(
        DEMO_PATIENT.mrn,
        DEMO_PATIENT.family_name,
        DEMO_PATIENT.given_name,
        DEMO_PATIENT.birth_date,
        (("ssn", DEMO_PATIENT.ssn), ("phone", DEMO_PATIENT.phone)),
    )
    policy = policy_for(patient, Audience("attorney", "authorization"))
    plan = plan_for(policy, DocumentPlanInput())
    big = render_document(DEMO_PATIENT, DEMO_DOCUMENTS[0], pages=pages)
    small = render_document(DEMO_PATIENT, DEMO_DOCUMENTS[1], pages=2)
    return [redaction.Part(big, plan, "clinical note"), redaction.Part(small, plan, "lab result")]


async def main(pages: int, runs: int) -> None:
    settings = Settings(
        pdf=PdfSettings(
            check=PdfLaneSettings(workers=1),
            assemble=PdfAssembleLaneSettings(workers=1, time_limit_s=600, queue_timeout_s=600),
        )
    )
    pool = build_pdf_pool(settings, redaction.apply_process_limits)
    await pool.start()
    spec = packet_spec(
        reference="RBENCH01",
        recipient_name="Synthetic Law LLP",
        basis_type="authorization",
        on=date(2026, 12, 4),
        notices=[{"title": "Notice", "text": "Redisclosure is prohibited (synthetic notice)."}],
        de_identified=False,
    )
    inputs = parts(pages)
    source_pages = pages + 2
    seconds: list[float] = []
    try:
        for _ in range(runs):
            started = time.monotonic()
            packet = await pool.run(redaction.assemble, inputs, spec, memory_cap="assemble")
            seconds.append(time.monotonic() - started)
            if not packet.report.verified:
                raise SystemExit("the packet did not verify")
    finally:
        await pool.close()
    best, median = min(seconds), statistics.median(seconds)
    print(f"source pages: {source_pages}; packet pages: {len(packet.provenance)}")
    print(f"redactions: {packet.report.totals()}")
    print(f"runs: {', '.join(f'{s:.2f}' for s in seconds)} s")
    print(f"assembly through the pool: {source_pages / median:.1f} pages/s (median),")
    print(f"  {source_pages / best:.1f} pages/s (best)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Pages/s of packet assembly through the pool.")
    parser.add_argument("--pages", type=int, default=80)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.pages, args.runs))
