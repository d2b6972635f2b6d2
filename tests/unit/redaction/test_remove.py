"""Glyph removal by content-stream interpretation (redaction.remove, textstate, fonts, cmap)."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redaction import Box, Plan, redact
from redaction.errors import MalformedPdf, UnsupportedPdf
from redaction.geometry import Rect
from redaction.remove import Remover, merge_pieces
from tests.unit.redaction.builders import (
    char_boxes,
    helvetica,
    page_texts,
    raw_pdf,
    reportlab_pdf,
    text_line,
    to_bytes,
    type0_pdf,
    type3_pdf,
)

NAME = Plan(terms=("Ann Lee",))


def content_of(pdf: bytes, page: int = 0) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return b"".join(
            pikepdf.unparse_content_stream([i]) + b"\n"
            for i in pikepdf.parse_content_stream(doc.pages[page])
        )


def boxes_of(pdf: bytes, char: str) -> list[float]:
    return [v for c, box in char_boxes(pdf) if c == char for v in box]


def redacted_text(pdf: bytes, plan: Plan = NAME) -> str:
    return page_texts(redact(pdf, plan).pdf)[0]


class TestTextOperators:
    def test_tj_glyphs_inside_the_match_are_removed_and_neighbours_kept(self) -> None:
        pdf = raw_pdf([text_line("Seen: Ann Lee today")])
        assert redacted_text(pdf) == "Seen: today"

    def test_tj_arrays_split_across_strings_and_kerning_are_followed(self) -> None:
        content = b"BT /F1 12 Tf 72 700 Td [(Seen: A) -20 (nn L) 15 (ee today)] TJ ET"
        assert redacted_text(raw_pdf([content])) == "Seen: today"

    def test_a_removed_run_becomes_one_merged_gap(self) -> None:
        content = b"BT /F1 12 Tf 72 700 Td [(Seen: A) -20 (nn L) 15 (ee today)] TJ ET"
        out = content_of(redact(raw_pdf([content]), NAME).pdf)
        assert b"(Seen: ) -" in out
        tj = next(line for line in out.splitlines() if line.endswith(b"TJ"))
        numbers = [t for t in tj.split() if t.lstrip(b"-").replace(b".", b"").isdigit()]
        assert len(numbers) == 1

    def test_the_quote_operators_move_to_the_next_line_and_set_spacing(self) -> None:
        content = (
            b"BT /F1 12 Tf 14 TL 72 700 Td (Seen by) Tj (Ann Lee) ' 1 0.5 (Ann Lee twice) \" "
            b"(after) ' ET"
        )
        pdf = raw_pdf([content])
        result = redact(pdf, NAME).pdf
        text = page_texts(result)[0]
        assert "Ann" not in text
        assert "Lee" not in text
        assert all(word in text for word in ("Seen by", "twice", "after"))
        kept = char_boxes(result)
        before = char_boxes(pdf)
        assert [b for c, b in before if c in "after"][-5:] == [b for c, b in kept if c in "after"][
            -5:
        ]

    @pytest.mark.parametrize(
        "ops",
        [
            "2 Tc",
            "3 Tw",
            "150 Tz",
            "4 Ts",
            "0.5 0 0 2 0 0 Tm",
            "3 Tr",
        ],
    )
    def test_text_state_parameters_are_followed(self, ops: str) -> None:
        content = f"BT /F1 12 Tf {ops} 72 700 Td (Seen: Ann Lee today) Tj ET".encode()
        pdf = raw_pdf([content])
        result = redact(pdf, NAME).pdf
        assert page_texts(result)[0].split() == ["Seen:", "today"]
        assert boxes_of(result, "y") == pytest.approx(boxes_of(pdf, "y"), abs=0.01)

    def test_td_tstar_and_leading_are_followed_across_lines(self) -> None:
        content = (
            b"BT /F1 12 Tf 72 700 Td (first line) Tj 0 -14 TD (Ann Lee second) Tj "
            b"T* (third Ann Lee) Tj ET"
        )
        text = redacted_text(raw_pdf([content]))
        assert text.split() == ["first", "line", "second", "third"]

    def test_the_ctm_is_followed_through_q_q_and_cm(self) -> None:
        content = (
            b"q 2 0 0 2 0 0 cm BT /F1 6 Tf 36 350 Td (Ann Lee scaled) Tj ET Q "
            b"q 0 1 -1 0 500 100 cm BT /F1 12 Tf 0 0 Td (rotated Ann Lee) Tj ET Q "
            b"BT /F1 12 Tf 72 600 Td (plain Ann Lee) Tj ET"
        )
        text = redacted_text(raw_pdf([content]))
        assert "Ann" not in text
        assert "Lee" not in text
        assert {"scaled", "rotated", "plain"} <= set(text.split())


class TestFonts:
    def test_simple_font_with_differences_uses_the_mapped_glyph_widths(self) -> None:
        encoding = pikepdf.Dictionary(
            Type=pikepdf.Name.Encoding, Differences=pikepdf.Array([88, pikepdf.Name.W])
        )
        content = b"BT /F1 12 Tf 72 700 Td (XXXX Ann Lee XXXX tail) Tj ET"
        pdf = raw_pdf([content], fonts={"F1": helvetica(encoding)})
        result = redact(pdf, Plan(terms=("Ann Lee",))).pdf
        assert page_texts(result)[0].split()[-1] == "tail"
        assert page_texts(result)[0].split() == ["WWWW", "WWWW", "tail"]
        assert boxes_of(result, "t") == pytest.approx(boxes_of(pdf, "t"), abs=0.01)

    def test_embedded_truetype_subsets_work(self) -> None:
        pdf = reportlab_pdf([["Seen: Ann Lee in Vera"]], font="Vera")
        assert redacted_text(pdf) == "Seen: in Vera"

    def test_type0_identity_h_fonts_use_two_byte_codes_and_w_widths(self) -> None:
        pdf = type0_pdf(["Patient Ann Lee SSN 412-55-0193", "next line"])
        plan = Plan(terms=("Ann Lee", "412-55-0193"))
        assert page_texts(redact(pdf, plan).pdf)[0] == "Patient SSN \r\nnext line"

    def test_type3_fonts_use_their_font_matrix(self) -> None:
        assert redacted_text(type3_pdf("ab Ann Lee cd")) == "ab cd"


class TestFormXObjects:
    def _form(self, doc: pikepdf.Pdf, text: bytes) -> pikepdf.Stream:
        form = doc.make_stream(text)
        form.Type = pikepdf.Name.XObject
        form.Subtype = pikepdf.Name.Form
        form.BBox = pikepdf.Array([0, 0, 612, 792])
        return form

    def test_text_inside_a_form_is_removed_recursively(self) -> None:
        doc = pikepdf.new()
        inner = self._form(doc, b"BT /F1 12 Tf 72 600 Td (inner Ann Lee) Tj ET")
        inner.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=helvetica()))
        outer = self._form(doc, b"q 1 0 0 1 0 50 cm /Fi Do Q")
        outer.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fi=inner))
        pdf = raw_pdf([b"/Fx Do"], xobjects={"Fx": outer}, pdf=doc)
        assert redacted_text(pdf).split() == ["inner"]

    def test_a_form_shared_between_pages_is_copied_on_write(self) -> None:
        doc = pikepdf.new()
        form = self._form(doc, b"BT /F1 12 Tf 72 600 Td (shared Ann Lee) Tj ET")
        pdf = raw_pdf([b"/Fx Do", b"/Fx Do"], xobjects={"Fx": form}, pdf=doc)
        plan = Plan(boxes=(Box(page=0, x0=113, y0=590, x1=200, y1=620),))
        texts = page_texts(redact(pdf, plan).pdf)
        assert texts[0].split() == ["shared"]
        assert texts[1] == "shared Ann Lee"

    def test_a_form_that_draws_itself_is_refused(self) -> None:
        doc = pikepdf.new()
        form = self._form(doc, b"/Fx Do BT /F1 12 Tf 72 600 Td (Ann Lee) Tj ET")
        form = doc.make_indirect(form)
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx=form))
        pdf = raw_pdf([b"/Fx Do"], xobjects={"Fx": form}, pdf=doc)
        with pytest.raises(MalformedPdf):
            redact(pdf, Plan(boxes=(Box(page=0, x0=0, y0=0, x1=612, y1=792),)))


class TestMergePieces:
    def test_adjacent_codes_join_and_adjacent_gaps_sum(self) -> None:
        merged = merge_pieces([b"a", b"b", -10.0, -5.5, b"c", 3.0])
        assert [bytes(m) if isinstance(m, pikepdf.String) else m for m in merged] == [
            b"ab",
            -15.5,
            b"c",
            3,
        ]


LINE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=5, max_size=40).filter(
    lambda s: s.strip() == s and "  " not in s
)
STATE = st.fixed_dictionaries(
    {
        "tc": st.sampled_from([0, 0.5, 1.5]),
        "tz": st.sampled_from([80, 100, 130]),
        "size": st.sampled_from([9, 12, 17]),
        "tw": st.sampled_from([0, 2]),
    }
)


def _state_pdf(line: str, state: dict[str, float]) -> bytes:
    ops = f"{state['tc']} Tc {state['tz']} Tz {state['tw']} Tw"
    return raw_pdf([text_line(line, x=40, size=state["size"], ops=ops)])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=LINE, state=STATE)
def test_removing_nothing_leaves_the_text_unchanged(line: str, state: dict[str, float]) -> None:
    pdf = _state_pdf(line, state)
    plan = Plan(boxes=(Box(page=0, x0=0, y0=0, x1=10, y1=10),))
    assert page_texts(redact(pdf, plan, verify=False).pdf) == page_texts(pdf)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=LINE, state=STATE, data=st.data())
def test_removing_a_rect_removes_exactly_the_glyphs_whose_centres_lie_inside(
    line: str, state: dict[str, float], data: st.DataObject
) -> None:
    pdf = _state_pdf(line, state)
    boxes = char_boxes(pdf)
    centres = [((b[0] + b[2]) / 2, c) for c, b in boxes]
    i = data.draw(st.integers(0, len(centres) - 1))
    j = data.draw(st.integers(i + 1, len(centres)))
    left = (centres[i - 1][0] + centres[i][0]) / 2 if i > 0 else 0
    right = (centres[j - 1][0] + centres[j][0]) / 2 if j < len(centres) else 612
    plan = Plan(boxes=(Box(page=0, x0=left + 0.01, y0=650, x1=right - 0.01, y1=750),), pad=0)
    result = redact(pdf, plan, verify=False).pdf
    kept = "".join(c for c, _ in char_boxes(result) if c != " ")
    expected = "".join(c for k, (_, c) in enumerate(centres) if not i <= k < j and c != " ")
    assert kept == expected


class TestEdgeCases:
    def test_a_font_set_through_an_ext_gstate_is_followed(self) -> None:
        doc = pikepdf.open(io.BytesIO(raw_pdf([b"BT /GS1 gs 72 700 Td (Seen Ann Lee) Tj ET"])))
        font = doc.pages[0].Resources.Font.F1
        doc.pages[0].Resources.ExtGState = pikepdf.Dictionary(
            GS1=pikepdf.Dictionary(Font=pikepdf.Array([font, 12]))
        )
        pdf = to_bytes(doc)
        assert redacted_text(pdf) == "Seen "

    def test_text_with_zero_size_under_a_match_is_unsupported(self) -> None:
        content = b"BT /F1 12 Tf 72 700 Td (Seen Ann Lee) Tj 0 Tz (Ann Lee) Tj ET"
        with pytest.raises(UnsupportedPdf) as caught:
            redact(raw_pdf([content]), Plan(boxes=(Box(page=0, x0=0, y0=0, x1=612, y1=792),)))
        assert caught.value.data["feature"] == "zero-font-size"

    def test_the_glyph_hook_sees_every_glyph_and_whether_it_was_hit(self) -> None:
        seen: list[tuple[bytes, bool]] = []
        doc = pikepdf.open(io.BytesIO(raw_pdf([b"BT /F1 10 Tf 0 0 Td [(ab) -100 (c)] TJ ET"])))
        remover = Remover(
            doc, [Rect(0, 0, 4, 20)], on_glyph=lambda g, hit: seen.append((g.code, hit))
        )
        outcome = remover.page(doc.pages[0])
        assert seen == [(b"a", True), (b"b", False), (b"c", False)]
        assert outcome.glyphs_removed == 1

    def test_unknown_resources_and_unbalanced_q_are_tolerated(self) -> None:
        content = (
            b"Q Q /Missing Do BT /Nope 12 Tf 72 700 Td (x) Tj ET "
            b"BT /F1 12 Tf 72 680 Td (Ann Lee gone) Tj ET"
        )
        assert redacted_text(raw_pdf([content])).split() == ["x", "gone"]

    def test_a_page_without_content_is_fine(self) -> None:
        doc = pikepdf.new()
        doc.add_blank_page()
        pdf = to_bytes(doc)
        result = redact(pdf, Plan(boxes=(Box(page=0, x0=0, y0=0, x1=10, y1=10),)))
        assert result.report.pages[0].glyphs_removed == 0

    def test_a_form_without_resources_inherits_the_page_fonts(self) -> None:
        doc = pikepdf.new()
        form = doc.make_stream(b"BT /F1 12 Tf 72 600 Td (inherit Ann Lee) Tj ET")
        form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        form.BBox = pikepdf.Array([0, 0, 612, 792])
        form.Matrix = pikepdf.Array([1, 0, 0, 1, 0, 10])
        pdf = raw_pdf([b"/Fx Do /Fx Do"], xobjects={"Fx": form}, pdf=doc)
        assert redacted_text(pdf).split() == ["inherit", "inherit"]


def test_actual_text_on_a_redacted_page_is_dropped_with_the_glyphs() -> None:
    content = (
        b"BT /F1 12 Tf 72 700 Td (Seen ) Tj /Span <</ActualText (Ann Lee)>> BDC (XYZ) Tj EMC "
        b"/P <</MCID 0>> BDC ( ok) Tj EMC ET"
    )
    pdf = raw_pdf([content])
    assert page_texts(pdf)[0] == "Seen Ann Lee ok"
    result = redact(pdf, NAME)
    assert page_texts(result.pdf)[0].split() == ["Seen", "ok"]
    assert b"ActualText" not in content_of(result.pdf)
    assert b"MCID" in content_of(result.pdf)


def test_boxes_are_drawn_in_default_space_even_after_an_unclosed_q() -> None:
    content = b"q 0.5 0 0 0.5 0 0 cm q 1 0 0 1 0 0 cm BT /F1 24 Tf 144 1400 Td (Ann Lee) Tj ET"
    pdf = raw_pdf([content])
    result = redact(pdf, NAME)
    (rect,) = result.report.pages[0].rects["term"]
    bitmap = pdfium.PdfDocument(result.pdf)[0].render(scale=1).to_pil().convert("L")
    centre = ((rect.x0 + rect.x1) / 2, 792 - (rect.y0 + rect.y1) / 2)
    assert bitmap.getpixel(centre) == 0
    assert content_of(result.pdf).count(b"Q\n") >= 3
