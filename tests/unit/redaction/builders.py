"""Small synthetic PDFs for the redaction tests, built with pikepdf and reportlab."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import reportlab
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
from reportlab.pdfgen import canvas

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
LETTER = (612, 792)


def helvetica(encoding: object = None) -> pikepdf.Dictionary:
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    if encoding is not None:
        font.Encoding = encoding
    return font


def raw_pdf(
    contents: Sequence[bytes],
    *,
    fonts: dict[str, pikepdf.Object] | None = None,
    xobjects: dict[str, pikepdf.Object] | None = None,
    pdf: pikepdf.Pdf | None = None,
) -> bytes:
    """One page per content stream, sharing one resource dictionary (default font /F1 Helvetica)."""
    doc = pdf or pikepdf.new()
    font_table = pikepdf.Dictionary({f"/{k}": v for k, v in (fonts or {"F1": helvetica()}).items()})
    resources = pikepdf.Dictionary(Font=font_table)
    if xobjects:
        resources.XObject = pikepdf.Dictionary({f"/{k}": v for k, v in xobjects.items()})
    shared = doc.make_indirect(resources)
    for content in contents:
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, *LETTER]),
            Resources=shared,
            Contents=doc.make_stream(content),
        )
        doc.pages.append(pikepdf.Page(page))
    return to_bytes(doc)


def to_bytes(doc: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_line(
    text: str, *, x: float = 72, y: float = 700, size: float = 12, ops: str = ""
) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf {ops} {x} {y} Td ({escaped}) Tj ET\n".encode()


def reportlab_pdf(pages: Sequence[Sequence[str]], *, font: str = "Helvetica") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    if font == "Vera":
        pdfmetrics.registerFont(TTFont("Vera", str(VERA)))
    for lines in pages:
        y = 700
        for line in lines:
            c.setFont(font, 12)
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


def type0_pdf(lines: Sequence[str]) -> bytes:
    """Vera embedded as a CIDFontType2 under Identity-H (two-byte glyph-id codes), with /W."""
    ttf = TTFontFile(str(VERA))
    doc = pikepdf.new()
    chars = sorted({ord(c) for line in lines for c in line})
    gids = {c: ttf.charToGlyph[c] for c in chars}
    widths = pikepdf.Array()
    for c in chars:
        widths.extend([gids[c], pikepdf.Array([round(ttf.charWidths[c])])])
    bfchar = "".join(f"<{gids[c]:04X}> <{c:04X}>\n" for c in chars)
    tounicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}endbfchar\nendcmap CMapName currentdict /CMap "
        "defineresource pop end end\n"
    ).encode()
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name.Vera,
        Flags=32,
        FontBBox=pikepdf.Array([-183, -236, 1287, 928]),
        ItalicAngle=0,
        Ascent=760,
        Descent=-240,
        CapHeight=729,
        StemV=80,
        FontFile2=doc.make_stream(VERA.read_bytes()),
    )
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.Vera,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor,
        W=widths,
        DW=1000,
        CIDToGIDMap=pikepdf.Name.Identity,
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name.Vera,
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([cid_font]),
        ToUnicode=doc.make_stream(tounicode),
    )
    content = b""
    y = 700
    for line in lines:
        hexcodes = "".join(f"{gids[ord(c)]:04X}" for c in line)
        content += f"BT /F1 12 Tf 72 {y} Td <{hexcodes}> Tj ET\n".encode()
        y -= 16
    return raw_pdf([content], fonts={"F1": font}, pdf=doc)


def type3_pdf(text: str) -> bytes:
    """A Type3 font whose glyphs are boxes, glyph space 1/1000 em via FontMatrix."""
    doc = pikepdf.new()
    chars = sorted(set(text))
    procs = pikepdf.Dictionary(
        {f"/g{ord(c)}": doc.make_stream(b"500 0 0 0 450 700 d1 0 0 450 700 re f") for c in chars}
    )
    differences = pikepdf.Array()
    for c in chars:
        differences.extend([ord(c), pikepdf.Name(f"/g{ord(c)}")])
    first, last = min(map(ord, chars)), max(map(ord, chars))
    bfchar = "".join(f"<{ord(c):02X}> <{ord(c):04X}>\n" for c in chars)
    tounicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}endbfchar\nendcmap CMapName currentdict /CMap "
        "defineresource pop end end\n"
    ).encode()
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type3,
        FontBBox=pikepdf.Array([0, 0, 450, 700]),
        FontMatrix=pikepdf.Array([0.001, 0, 0, 0.001, 0, 0]),
        CharProcs=procs,
        Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding, Differences=differences),
        FirstChar=first,
        LastChar=last,
        Widths=pikepdf.Array([500] * (last - first + 1)),
        Resources=pikepdf.Dictionary(),
        ToUnicode=doc.make_stream(tounicode),
    )
    escaped = text.replace("(", "\\(").replace(")", "\\)")
    return raw_pdf(
        [f"BT /F1 12 Tf 72 700 Td ({escaped}) Tj ET".encode()], fonts={"F1": font}, pdf=doc
    )


def gray_image(doc: pikepdf.Pdf, width: int, height: int, value: int = 200) -> pikepdf.Stream:
    image = doc.make_stream(zlib.compress(bytes([value]) * (width * height)))
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.ColorSpace = pikepdf.Name.DeviceGray
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Name.FlateDecode
    return image


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def char_boxes(
    pdf: bytes, page_index: int = 0
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(char, loose box) of every non-generated character on a page."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[page_index]
        textpage = page.get_textpage()
        out = []
        for i in range(textpage.count_chars()):
            if pdfium.raw.FPDFText_IsGenerated(textpage, i) == 1:
                continue
            out.append(
                (
                    chr(pdfium.raw.FPDFText_GetUnicode(textpage, i)),
                    textpage.get_charbox(i, loose=True),
                )
            )
        textpage.close()
        page.close()
        return out
    finally:
        doc.close()
