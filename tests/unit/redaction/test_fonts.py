"""Font metrics, CMaps and the standard 14 fonts (redaction.fonts, cmap, _base14)."""

from __future__ import annotations

import pikepdf
import pytest

from redaction._base14 import encoding_for, metrics_for, standard_name
from redaction.cmap import CMap, identity_cmap, parse_cmap
from redaction.errors import UnsupportedPdf
from redaction.fonts import _cid_widths, load_font

CMAP = b"""
/CIDInit /ProcSet findresource begin 12 dict begin begincmap
2 begincodespacerange <00> <7F> <8140> <9FFC> endcodespacerange
1 begincidrange <20> <7E> 1 endcidrange
1 begincidrange <8140> <817E> 633 endcidrange
2 begincidchar <8180> 700 <41> 5000 endcidchar
endcmap
"""


class TestCMap:
    def test_mixed_one_and_two_byte_codes_are_split_by_the_codespace(self) -> None:
        cmap = parse_cmap(CMAP)
        assert cmap.split(b"A\x81\x41 ") == [(b"A", 5000), (b"\x81\x41", 634), (b" ", 1)]

    def test_a_code_outside_every_range_maps_to_cid_zero(self) -> None:
        cmap = parse_cmap(CMAP)
        assert cmap.split(b"\x81\x80") == [(b"\x81\x80", 700)]
        assert cmap.split(b"\xff") == [(b"\xff", 0)]

    def test_identity_maps_two_bytes_to_their_value(self) -> None:
        assert identity_cmap().split(b"\x00\x41\x01\x02\x07") == [
            (b"\x00\x41", 0x41),
            (b"\x01\x02", 0x102),
            (b"\x07", 7),
        ]

    def test_a_one_byte_codespace_without_mappings_is_the_code(self) -> None:
        cmap = CMap(ranges=((1, b"\x00", b"\xff"),), cids={}, cid_ranges=())
        assert cmap.split(b"ab") == [(b"a", 97), (b"b", 98)]
        two = CMap(ranges=((2, b"\x00\x00", b"\xff\xff"),), cids={}, cid_ranges=())
        assert two.split(b"\x00\x05") == [(b"\x00\x05", 5)]

    def test_usecmap_and_a_missing_codespace_are_unsupported(self) -> None:
        with pytest.raises(UnsupportedPdf):
            parse_cmap(b"/Base usecmap")
        with pytest.raises(UnsupportedPdf):
            parse_cmap(b"1 begincidrange <00> <FF> 1 endcidrange")

    def test_malformed_entries_are_ignored(self) -> None:
        cmap = parse_cmap(
            b"2 begincodespacerange <00> <FF> <00> 5 endcodespacerange "
            b"1 begincidrange 1 2 3 endcidrange 1 begincidchar 4 <05> endcidchar"
        )
        assert cmap.ranges == ((1, b"\x00", b"\xff"),)
        assert cmap.cid_ranges == ()
        assert cmap.cids == {}


def _font(**entries: object) -> pikepdf.Dictionary:
    return pikepdf.Dictionary({f"/{k}": v for k, v in entries.items()})


class TestLoadFont:
    def test_a_missing_font_gets_a_default_width(self) -> None:
        assert load_font(None).default_width == 0.5

    def test_simple_widths_start_at_first_char_and_fall_back_to_missing_width(self) -> None:
        font = load_font(
            _font(
                Subtype=pikepdf.Name.TrueType,
                FirstChar=65,
                Widths=pikepdf.Array([600, 700]),
                FontDescriptor=_font(MissingWidth=250, Ascent=800, Descent=-200),
            )
        )
        assert font.glyphs(b"ABC") == [(b"A", 0.6), (b"B", 0.7), (b"C", 0.25)]
        assert font.centre_y == pytest.approx(0.3)

    def test_implausible_ascent_falls_back_to_the_default_centre(self) -> None:
        font = load_font(
            _font(FirstChar=0, Widths=pikepdf.Array([1]), FontDescriptor=_font(Ascent=0))
        )
        assert font.centre_y == 0.25

    @pytest.mark.parametrize(
        ("base", "encoding", "code", "width"),
        [
            ("Helvetica", None, ord("A"), 0.667),
            ("ABCDEF+Arial,Bold", pikepdf.Name.WinAnsiEncoding, ord("A"), 0.722),
            ("Courier", pikepdf.Name.MacRomanEncoding, ord("i"), 0.6),
            ("Times-Roman", None, ord("i"), 0.278),
            ("Symbol", None, ord("a"), 0.631),
        ],
    )
    def test_standard_fonts_without_widths_use_afm_metrics(
        self, base: str, encoding: object, code: int, width: float
    ) -> None:
        entries: dict[str, object] = {
            "Subtype": pikepdf.Name.Type1,
            "BaseFont": pikepdf.Name("/" + base),
        }
        if encoding is not None:
            entries["Encoding"] = encoding
        font = load_font(_font(**entries))
        assert font.glyphs(bytes([code]))[0][1] == pytest.approx(width)

    def test_type3_widths_scale_by_the_font_matrix(self) -> None:
        font = load_font(
            _font(
                Subtype=pikepdf.Name.Type3,
                FontMatrix=pikepdf.Array([0.01, 0, 0, 0.01, 0, 0]),
                FirstChar=32,
                Widths=pikepdf.Array([50]),
                FontBBox=pikepdf.Array([0, 0, 0, 0]),
            )
        )
        assert font.glyphs(b" ") == [(b" ", 0.5)]
        assert font.centre_y == 0.25

    def test_type0_needs_a_descendant_and_a_known_encoding(self) -> None:
        with pytest.raises(UnsupportedPdf):
            load_font(_font(Subtype=pikepdf.Name.Type0))
        cid = _font(Subtype=pikepdf.Name.CIDFontType2)
        for encoding in (pikepdf.Name("/UniJIS-UCS2-H"), None):
            entries = {"Subtype": pikepdf.Name.Type0, "DescendantFonts": pikepdf.Array([cid])}
            if encoding is not None:
                entries["Encoding"] = encoding
            with pytest.raises(UnsupportedPdf):
                load_font(_font(**entries))

    def test_type0_with_an_embedded_cmap_uses_cid_widths(self) -> None:
        doc = pikepdf.new()
        cmap = doc.make_stream(CMAP)
        font = load_font(
            _font(
                Subtype=pikepdf.Name.Type0,
                Encoding=cmap,
                DescendantFonts=pikepdf.Array(
                    [_font(W=pikepdf.Array([634, pikepdf.Array([500])]), DW=900)]
                ),
            )
        )
        assert font.glyphs(b"\x81\x41A") == [(b"\x81\x41", 0.5), (b"A", 0.9)]
        assert not font.simple


def test_cid_widths_read_both_forms_and_ignore_a_truncated_tail() -> None:
    widths = _cid_widths(pikepdf.Array([1, pikepdf.Array([100, 200]), 10, 12, 300, 50]))
    assert widths == {1: 0.1, 2: 0.2, 10: 0.3, 11: 0.3, 12: 0.3}
    assert _cid_widths(None) == {}


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("Helvetica-Bold", "Helvetica-Bold"),
        ("XYZABC+TimesNewRoman,BoldItalic", "Times-BoldItalic"),
        ("CourierNew-Italic", "Courier-Oblique"),
        ("Unknown-Font", "Helvetica"),
    ],
)
def test_standard_names_resolve_aliases_and_styles(base: str, expected: str) -> None:
    assert standard_name(base) == expected
    assert metrics_for(base)


def test_differences_override_the_base_encoding() -> None:
    encoding = _font(
        BaseEncoding=pikepdf.Name.WinAnsiEncoding,
        Differences=pikepdf.Array([65, pikepdf.Name.B, pikepdf.Name.C, 300, pikepdf.Name.D]),
    )
    names = encoding_for("Helvetica", encoding)
    assert names[65:67] == ["B", "C"]
    assert len(names) == 256
    assert encoding_for("Helvetica", _font())[65] == "A"


def test_a_type3_font_without_widths_or_bbox_still_loads() -> None:
    font = load_font(_font(Subtype=pikepdf.Name.Type3))
    assert font.glyphs(b"a") == [(b"a", 0.0)]
    assert font.centre_y == 0.25


def test_four_unmatched_bytes_fall_back_to_one_byte_codes() -> None:
    cmap = CMap(ranges=((2, b"\x80\x00", b"\x80\xff"),), cids={1: 9}, cid_ranges=())
    assert cmap.split(b"\x01\x01\x01\x01") == [(b"\x01", 9)] * 4
