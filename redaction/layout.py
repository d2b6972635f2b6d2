"""Laying out our own text (stamps, cover and notice pages) in base-14 Helvetica (pure)."""

from __future__ import annotations

import pikepdf

from redaction._base14_data import WIDTHS, WINANSIENCODING

FONT = "Helvetica"
BOLD = "Helvetica-Bold"


def encode(text: str) -> bytes:
    """WinAnsi bytes for ``text`` (characters it cannot show become ``?``)."""
    return text.encode("cp1252", errors="replace")


def text_width(text: str, size: float, font: str = FONT) -> float:
    metrics = WIDTHS[font]
    total = 0
    for byte in encode(text):
        name = WINANSIENCODING[byte]
        total += metrics.get(name, 0) if name else 0
    return total * size / 1000


def wrap(text: str, width: float, size: float, font: str = FONT) -> list[str]:
    """Greedy word wrap of each paragraph of ``text`` to ``width`` points."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, size, font) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def font_dict(font: str = FONT) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name("/" + font),
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )


def show(text: str, x: float, y: float, font: str, size: float) -> bytes:
    """Content-stream operators drawing one line of text at (x, y)."""
    string = pikepdf.unparse_content_stream(
        [pikepdf.ContentStreamInstruction([pikepdf.String(encode(text))], pikepdf.Operator("Tj"))]
    )
    return f"BT /{font} {size:g} Tf {x:.2f} {y:.2f} Td ".encode() + string + b" ET\n"
