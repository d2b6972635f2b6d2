"""Hostile and damaged uploads, made from real bytes: each is refused before anything is stored."""

from __future__ import annotations

import re

from tests.integration.patients.support import fixture_pdf
from tests.integration.pdfpool.pdf_tasks import flate_bomb

# The first bytes of an x86-64 ELF executable (what `file` calls "ELF 64-bit LSB executable").
ELF_HEADER = bytes.fromhex("7f454c4602010100000000000000000002003e0001000000")


def pdf_bomb() -> bytes:
    """About 1 KB whose page content inflates to 512 MiB (past the check lane's 256 MiB cap)."""
    return flate_bomb(inflated_mib=512, as_page_content=True)


def deeply_nested(depth: int = 100_000) -> bytes:
    """A one-page PDF whose catalog holds an array nested ``depth`` deep (a parser stack bomb)."""
    body = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Nested " + body + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    return _assemble(objects)


def broken_xref() -> bytes:
    """A real record whose cross-reference table, trailer and object headers are overwritten:
    nothing left from which a reader could rebuild the page tree."""
    pdf = fixture_pdf()
    start = pdf.rfind(b"xref")
    cut = pdf[:start] + b"xref\n0 9999\nthis is not a cross-reference table\n%%EOF\n"
    return re.sub(rb"\d+ 0 obj", b"garbage", cut)


def wrong_startxref() -> bytes:
    """A real record whose ``startxref`` points at the wrong offset (qpdf recovers it)."""
    pdf = fixture_pdf()
    head, _, tail = pdf.rpartition(b"startxref")
    offset = tail.split()[0]
    return head + b"startxref" + tail.replace(offset, b"17", 1)


def executable_named_pdf() -> bytes:
    return ELF_HEADER + bytes(4096)


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
