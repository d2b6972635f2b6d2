"""Worker-side PDF tasks for the pool tests. Only ``redaction/`` imports pikepdf in the product;
these helpers stand in for the engine so the pool's caps can be tried on a real PDF library."""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
from pikepdf.settings import set_qpdf_limits

from kernel.errors import DomainError

MIB = 1024 * 1024
FLATE_MAX_MEMORY = 64 * MIB  # SECURITY R29


class SampleDecodeRefused(DomainError):
    """How an engine reports a stream it refused to decode (a limit or the memory cap)."""

    code = "SAMPLE_DECODE_REFUSED"


def apply_sample_qpdf_limits() -> None:
    """Like the engine's ``apply_process_limits``: qpdf's process-wide limits (R29)."""
    set_qpdf_limits(flate_max_memory=FLATE_MAX_MEMORY, parser_max_nesting=64, max_stream_filters=4)


def decode_every_stream(pdf: bytes) -> int:
    """Open ``pdf`` and decode each stream; the decoded byte count, or a typed refusal."""
    total = 0
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    total += len(obj.read_bytes())
                except pikepdf.DataDecodingError as exc:
                    raise SampleDecodeRefused(object_number=obj.objgen[0]) from exc
    return total


def flate_bomb(inflated_mib: int, *, as_page_content: bool = False) -> bytes:
    """A PDF of about 1 KB whose one stream inflates to ``inflated_mib`` MiB of zeros through two
    FlateDecode filters (an unused object, or the content stream of its one page). Built without
    compressing the zeros: after a full flush a deflate compressor restarts from scratch, so each
    MiB of zeros compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    one_mib = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(inflated_mib):
        adler = zlib.adler32(bytes(MIB), adler)
    empty_final_block = b"\x03\x00"
    inner = b"\x78\xda" + one_mib * inflated_mib + empty_final_block + struct.pack(">I", adler)
    doc = pikepdf.new()
    stream = pikepdf.Stream(doc, zlib.compress(inner, 9))
    stream.Filter = pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    if as_page_content:
        doc.add_blank_page()
        doc.pages[0].obj.Contents = doc.make_indirect(stream)
    else:
        doc.Root.Payload = doc.make_indirect(stream)
    out = io.BytesIO()
    doc.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()
