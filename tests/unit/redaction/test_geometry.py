"""Pure helpers: rectangles and matrices, the text state, plans, specs and reports."""

from __future__ import annotations

import datetime as dt
import json

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redaction import Box, Check, PageReport, Plan, Report, StampSpec, VerifyReport
from redaction.cmap import CMap
from redaction.fonts import load_font
from redaction.geometry import IDENTITY, Matrix, Rect
from redaction.matching import NormalisedText, find_detected
from redaction.textstate import State, concat, num, set_matrix, show_string

FINITE = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


class TestRect:
    def test_of_normalises_corners(self) -> None:
        assert Rect.of(10, 20, 0, 5) == Rect(0, 5, 10, 20)

    def test_contains_includes_the_edges(self) -> None:
        r = Rect(0, 0, 10, 10)
        assert r.contains(0, 10)
        assert not r.contains(10.01, 5)

    def test_intersects_padded_union_and_rounding(self) -> None:
        a, b = Rect(0, 0, 10, 10), Rect(11, 0, 20, 10)
        assert not a.intersects(b)
        assert a.padded(1).intersects(b)
        assert a.union(b) == Rect(0, 0, 20, 10)
        assert Rect(0.123, 0, 1, 1).as_list() == [0.12, 0, 1, 1]


class TestMatrix:
    def test_composition_applies_the_left_operand_first(self) -> None:
        scale, shift = Matrix(2, 0, 0, 2, 0, 0), Matrix(1, 0, 0, 1, 5, 0)
        assert (scale @ shift).apply(1, 1) == (7, 2)
        assert (shift @ scale).apply(1, 1) == (12, 2)

    @given(a=FINITE, d=FINITE, e=FINITE, f=FINITE, x=FINITE, y=FINITE)
    def test_the_inverse_undoes_the_matrix(
        self, *, a: float, d: float, e: float, f: float, x: float, y: float
    ) -> None:
        m = Matrix(a, 0.5, -0.25, d, e, f)
        inverse = m.inverse()
        if inverse is None:
            assert abs(a * d + 0.125) < 1e-9
            return
        px, py = inverse.apply(*m.apply(x, y))
        assert px == pytest.approx(x, abs=1e-3)
        assert py == pytest.approx(y, abs=1e-3)

    def test_a_transformed_rect_is_the_bounding_box(self) -> None:
        rotate = Matrix(0, 1, -1, 0, 0, 0)
        assert rotate.transform_rect(Rect(0, 0, 2, 1)) == Rect(-1, 0, 0, 2)
        assert IDENTITY.transform_rect(Rect(1, 2, 3, 4)) == Rect(1, 2, 3, 4)


class TestTextState:
    def test_malformed_operands_are_ignored(self) -> None:
        state = State()
        set_matrix(state, [1, 2])
        concat(state, ["x"])
        assert state.tm == IDENTITY
        assert state.ctm == IDENTITY
        assert num("abc") == 0.0
        assert num(None) == 0.0

    def test_glyph_centres_follow_size_scaling_rise_and_spacing(self) -> None:
        state = State()
        state.text.font = load_font(
            pikepdf.Dictionary(FirstChar=65, Widths=pikepdf.Array([500, 1000]))
        )
        state.text.tfs, state.text.th, state.text.rise, state.text.tc = 10, 2.0, 3, 1
        state.tm = Matrix(1, 0, 0, 1, 100, 200)
        first, second = show_string(state, b"AB")
        assert (first.x, first.y) == (105, 205.5)
        assert first.advance == 12
        assert (second.x, second.advance) == (122, 22)
        assert state.tm.e == 134


def test_plans_validate_and_boxes_normalise() -> None:
    assert Box(page=0, x0=5, y0=5, x1=1, y1=1).rect == Rect(1, 1, 5, 5)
    with pytest.raises(ValueError, match="0-based"):
        Plan(boxes=(Box(page=-1, x0=0, y0=0, x1=1, y1=1),))


def test_an_empty_value_group_is_no_match() -> None:
    spans = find_detected(NormalisedText.of("MRN: x"), "mrn", r"MRN: (?P<value>\d*)")
    assert spans == []


def test_a_partial_code_at_the_end_of_a_string_is_one_byte() -> None:
    cmap = CMap(ranges=((2, b"\x80\x00", b"\xff\xff"),), cids={}, cid_ranges=((0, 0xFFFF, 0),))
    assert cmap.split(b"\x81") == [(b"\x81", 0x81)]


def test_a_report_is_json_and_never_holds_text() -> None:
    page = PageReport(page=0, source_page=2, counts={"ssn": 1}, rects={"ssn": (Rect(1, 2, 3, 4),)})
    report = Report(
        pages=(page,),
        dropped_pages=(1,),
        scrubbed=("Info",),
        verification=VerifyReport(checks=(Check("pdfium-text", ok=True),)),
        sha256="00" * 32,
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["totals"] == {"ssn": 1}
    assert data["pages"][0]["rects"] == {"ssn": [[1, 2, 3, 4]]}
    assert data["verified"] is True
    assert VerifyReport(checks=()).first_failure() is None
    assert VerifyReport(checks=(Check("walk", ok=False),)).first_failure() == (None, "walk")


def test_the_watermark_leaves_out_empty_parts() -> None:
    spec = StampSpec(recipient="Payer", release_id="", date=dt.date(2026, 5, 1))
    assert spec.watermark() == "Payer | 2026-05-01 | Redisclosure prohibited"
