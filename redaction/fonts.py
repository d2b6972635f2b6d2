"""Font metrics for glyph positioning: simple, Type0/CID and Type3 fonts.

Only geometry matters here (where each glyph sits and how far it advances), so fonts without a
ToUnicode map work too. Widths are returned in text space per unit of font size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf

from redaction import _base14
from redaction.cmap import CMap, identity_cmap, parse_cmap
from redaction.errors import UnsupportedPdf

_ONE_BYTE = CMap(ranges=((1, b"\x00", b"\xff"),), cids={}, cid_ranges=())
_DEFAULT_CENTRE_Y = 0.25
_MAX_WIDTH_ENTRIES = 200_000


@dataclass(slots=True)
class Font:
    """Metrics of one font resource."""

    widths: dict[int, float]
    default_width: float
    cmap: CMap = field(default_factory=lambda: _ONE_BYTE)
    centre_y: float = _DEFAULT_CENTRE_Y
    simple: bool = True
    vertical: bool = False
    _table: list[float] | None = field(default=None, init=False, repr=False, compare=False)

    def width_sum(self, data: bytes) -> float:
        """The summed widths of a string of one-byte codes (simple fonts), left to right."""
        table = self._table
        if table is None:
            get, default = self.widths.get, self.default_width
            table = self._table = [get(code, default) for code in range(256)]
        return sum(map(table.__getitem__, data))

    def glyphs(self, data: bytes) -> list[tuple[bytes, float]]:
        """Split a shown string into (code bytes, glyph width) pairs in order."""
        get = self.widths.get
        default = self.default_width
        return [(chunk, get(cid, default)) for chunk, cid in self.cmap.split(data)]


def _num(obj: object, default: float = 0.0) -> float:
    try:
        return float(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def load_font(obj: pikepdf.Object | None) -> Font:
    """Metrics for the font dictionary ``obj`` (a missing font gets a 0.5 em default)."""
    if obj is None or not isinstance(obj, pikepdf.Dictionary):
        return Font(widths={}, default_width=0.5)
    subtype = obj.get("/Subtype")
    if subtype == "/Type0":
        return _type0(obj)
    if subtype == "/Type3":
        return _type3(obj)
    return _simple(obj)


def _descriptor(obj: pikepdf.Object) -> pikepdf.Dictionary | None:
    desc = obj.get("/FontDescriptor")
    return desc if isinstance(desc, pikepdf.Dictionary) else None


def _centre_y(desc: pikepdf.Dictionary | None) -> float:
    if desc is None:
        return _DEFAULT_CENTRE_Y
    ascent = _num(desc.get("/Ascent"), 0.0)
    descent = _num(desc.get("/Descent"), 0.0)
    if ascent <= 0 or ascent > 2000:  # noqa: PLR2004 - implausible metrics
        return _DEFAULT_CENTRE_Y
    return max(0.1, min(0.6, (ascent + descent) / 2000))


def _simple(obj: pikepdf.Dictionary) -> Font:
    desc = _descriptor(obj)
    missing = _num(desc.get("/MissingWidth"), 0.0) / 1000 if desc is not None else 0.0
    widths_obj = obj.get("/Widths")
    if isinstance(widths_obj, pikepdf.Array) and len(widths_obj) > 0:
        first = int(_num(obj.get("/FirstChar"), 0))
        widths = {first + i: _num(w) / 1000 for i, w in enumerate(widths_obj) if i < 256}  # noqa: PLR2004
        return Font(widths=widths, default_width=missing, centre_y=_centre_y(desc))
    return _standard14(obj, missing)


def _standard14(obj: pikepdf.Dictionary, missing: float) -> Font:
    base = str(obj.get("/BaseFont", "/Helvetica"))[1:]
    metrics = _base14.metrics_for(base)
    encoding = _base14.encoding_for(base, obj.get("/Encoding"))
    widths = {code: metrics.get(name, 0) / 1000 for code, name in enumerate(encoding) if name}
    default = missing or metrics.get(".notdef", 0) / 1000
    return Font(widths=widths, default_width=default)


def _type3(obj: pikepdf.Dictionary) -> Font:
    matrix = obj.get("/FontMatrix")
    values = [_num(v) for v in matrix] if isinstance(matrix, pikepdf.Array) else []
    scale_x = values[0] if len(values) == 6 else 0.001  # noqa: PLR2004
    scale_y = values[3] if len(values) == 6 else 0.001  # noqa: PLR2004
    first = int(_num(obj.get("/FirstChar"), 0))
    widths_obj = obj.get("/Widths")
    widths: dict[int, float] = {}
    if isinstance(widths_obj, pikepdf.Array):
        widths = {first + i: _num(w) * scale_x for i, w in enumerate(widths_obj) if i < 256}  # noqa: PLR2004
    bbox = obj.get("/FontBBox")
    centre = _DEFAULT_CENTRE_Y
    if isinstance(bbox, pikepdf.Array) and len(bbox) == 4:  # noqa: PLR2004
        mid = (_num(bbox[1]) + _num(bbox[3])) / 2 * scale_y
        centre = mid if mid != 0 else _DEFAULT_CENTRE_Y
    return Font(widths=widths, default_width=0.0, centre_y=centre)


def _type0(obj: pikepdf.Dictionary) -> Font:
    descendants = obj.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
        raise UnsupportedPdf("Type0 font without descendant", feature="type0-descendant")
    cid_font = descendants[0]
    cmap, vertical = _encoding_cmap(obj.get("/Encoding"))
    widths = _cid_widths(cid_font.get("/W"))
    default = _num(cid_font.get("/DW"), 1000) / 1000
    desc = _descriptor(cid_font)
    return Font(
        widths=widths,
        default_width=default,
        cmap=cmap,
        centre_y=_centre_y(desc),
        simple=False,
        vertical=vertical,
    )


def _encoding_cmap(encoding: object) -> tuple[CMap, bool]:
    if isinstance(encoding, pikepdf.Name):
        name = str(encoding)[1:]
        if name in {"Identity-H", "Identity-V"}:
            return identity_cmap(), name.endswith("-V")
        raise UnsupportedPdf("predefined CMap", feature="predefined-cmap")
    if isinstance(encoding, pikepdf.Stream):
        vertical = int(_num(encoding.get("/WMode"), 0)) == 1
        return parse_cmap(encoding.read_bytes()), vertical
    raise UnsupportedPdf("Type0 font without encoding", feature="type0-encoding")


def _cid_widths(w: object) -> dict[int, float]:
    """Parse a CIDFont /W array: ``c [w1 w2 ...]`` and ``c_first c_last w`` entries."""
    widths: dict[int, float] = {}
    if not isinstance(w, pikepdf.Array):
        return widths
    items = list(w)
    i = 0
    while i < len(items) and len(widths) < _MAX_WIDTH_ENTRIES:
        first = int(_num(items[i]))
        nxt: object = items[i + 1] if i + 1 < len(items) else None
        if isinstance(nxt, pikepdf.Array):
            for k, width in enumerate(nxt):
                widths[first + k] = _num(width) / 1000
            i += 2
        elif i + 2 < len(items):
            last = min(int(_num(nxt)), first + _MAX_WIDTH_ENTRIES)
            same = _num(items[i + 2]) / 1000
            for cid in range(first, last + 1):
                widths[cid] = same
            i += 3
        else:
            break
    return widths
