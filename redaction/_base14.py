"""The standard 14 fonts: which metrics a /BaseFont name uses, and its encoding with
/Differences applied."""

from __future__ import annotations

import pikepdf

from redaction._base14_data import (
    MACROMANENCODING,
    STANDARDENCODING,
    SYMBOLENCODING,
    WIDTHS,
    WINANSIENCODING,
    ZAPFDINGBATSENCODING,
)

_ALIASES = {
    "arial": "Helvetica",
    "arialmt": "Helvetica",
    "helvetica": "Helvetica",
    "timesnewroman": "Times-Roman",
    "timesnewromanps": "Times-Roman",
    "timesnewromanpsmt": "Times-Roman",
    "times": "Times-Roman",
    "couriernew": "Courier",
    "couriernewpsmt": "Courier",
    "courier": "Courier",
    "symbol": "Symbol",
    "zapfdingbats": "ZapfDingbats",
}
_STYLE = {
    ("Helvetica", "bold"): "Helvetica-Bold",
    ("Helvetica", "italic"): "Helvetica-Oblique",
    ("Helvetica", "bolditalic"): "Helvetica-BoldOblique",
    ("Times-Roman", "bold"): "Times-Bold",
    ("Times-Roman", "italic"): "Times-Italic",
    ("Times-Roman", "bolditalic"): "Times-BoldItalic",
    ("Courier", "bold"): "Courier-Bold",
    ("Courier", "italic"): "Courier-Oblique",
    ("Courier", "bolditalic"): "Courier-BoldOblique",
}
_BASE_ENCODINGS = {
    "/StandardEncoding": STANDARDENCODING,
    "/WinAnsiEncoding": WINANSIENCODING,
    "/MacRomanEncoding": MACROMANENCODING,
}


def standard_name(base_font: str) -> str:
    """Map a /BaseFont (maybe subset-tagged or a common alias) to a standard-14 name."""
    name = base_font.split("+", 1)[-1]
    if name in WIDTHS:
        return name
    family, _, style = name.replace("-", ",").partition(",")
    family_key = family.lower().replace(" ", "")
    base = _ALIASES.get(family_key, "Helvetica")
    style_key = style.lower().replace(",", "").replace("oblique", "italic")
    return _STYLE.get((base, style_key), base)


def metrics_for(base_font: str) -> dict[str, int]:
    return WIDTHS[standard_name(base_font)]


def encoding_for(base_font: str, encoding: object) -> list[str | None]:
    """The 256 glyph names of a simple font: base encoding, then /Differences."""
    std = standard_name(base_font)
    builtin = {"Symbol": SYMBOLENCODING, "ZapfDingbats": ZAPFDINGBATSENCODING}.get(
        std, STANDARDENCODING
    )
    names: list[str | None] = list(builtin)
    if isinstance(encoding, pikepdf.Name):
        names = list(_BASE_ENCODINGS.get(str(encoding), builtin))
    elif isinstance(encoding, pikepdf.Dictionary):
        names = list(_BASE_ENCODINGS.get(str(encoding.get("/BaseEncoding", "")), builtin))
        _apply_differences(names, encoding.get("/Differences"))
    return names


def _apply_differences(names: list[str | None], differences: object) -> None:
    if not isinstance(differences, pikepdf.Array):
        return
    code = 0
    for item in differences:
        if isinstance(item, pikepdf.Name):
            if 0 <= code < len(names):
                names[code] = str(item)[1:]
            code += 1
        else:
            code = int(item)
