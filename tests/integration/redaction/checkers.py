"""Independent checkers for redacted PDFs: each turns a PDF into text in its own way.

None of them uses the engine. `pdftotext` (poppler) runs as a separate command; pypdf, pypdfium2
and a pikepdf walk of every object and decoded stream run in process; `ocr` renders the pages
and reads them back with tesseract.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2 as pdfium

Checker = Callable[[bytes], str]


def normalise(text: str) -> str:
    """Lower-case letters and digits only: separators, line breaks and hyphens vanish."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", text).lower())


def needles(identifiers: list[str], fragments: list[str]) -> list[str]:
    return sorted({normalise(x) for x in [*identifiers, *fragments]})


def leaks(text: str, wanted: list[str]) -> list[str]:
    flat = normalise(text)
    return [n for n in wanted if n in flat]


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.pdf"
        src.write_bytes(pdf)
        done = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", str(src), "-"],
            capture_output=True,
            timeout=60,
            check=False,
        )
    return done.stdout.decode("utf-8", "replace")


def pypdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdfium_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        parts = []
        for i in range(len(doc)):
            textpage = doc[i].get_textpage()
            parts.append(textpage.get_text_range())
        return "\n".join(parts)
    finally:
        doc.close()


def _strings(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[str]:
    if isinstance(obj, pikepdf.String):
        yield str(obj)
        yield bytes(obj).decode("latin-1")
    elif isinstance(obj, pikepdf.Name):
        yield str(obj)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            yield from _walk(item, seen)
    elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in obj.keys():  # noqa: SIM118 (pikepdf objects iterate differently)
            yield key
            yield from _walk(obj[key], seen)


def _walk(obj: object, seen: set[tuple[int, int]]) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
        return
    if not isinstance(obj, pikepdf.Object):
        return  # numbers, booleans, null
    if obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, pikepdf.Stream):
        yield _stream_text(obj)
    yield from _strings(obj, seen)


def _stream_text(stream: pikepdf.Stream) -> str:
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:
        data = stream.read_raw_bytes()
    if stream.get("/Subtype") == pikepdf.Name.Image:
        return ""  # pixels are checked by `ocr`, not by byte search
    return data.decode("latin-1")


def object_walk(pdf: bytes) -> str:
    """Every string, name and decoded stream reachable in the file, plus the raw file bytes."""
    parts = [pdf.decode("latin-1")]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        seen: set[tuple[int, int]] = set()
        parts.extend(_walk(doc.trailer, seen))
        for obj in doc.objects:
            parts.extend(_walk(obj, seen))
    return "\n".join(parts)


def ocr(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    texts = []
    try:
        with tempfile.TemporaryDirectory() as d:
            for i in range(len(doc)):
                png = Path(d) / f"p{i}.png"
                doc[i].render(scale=150 / 72, grayscale=True).to_pil().save(png)
                done = subprocess.run(
                    ["tesseract", str(png), "-", "-l", "eng"],
                    capture_output=True,
                    timeout=120,
                    check=True,
                    env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
                )
                texts.append(done.stdout.decode("utf-8", "replace"))
    finally:
        doc.close()
    return "\n".join(texts)


CHECKERS: dict[str, Checker] = {
    "pdftotext": pdftotext,
    "pypdf": pypdf_text,
    "pypdfium2": pdfium_text,
    "object-walk": object_walk,
}
