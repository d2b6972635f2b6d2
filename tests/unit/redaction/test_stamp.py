"""Watermarks and Bates numbers (redaction.stamp) and packet assembly (redaction.assemble)."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pypdfium2 as pdfium
import pytest

from redaction import (
    Box,
    PacketSpec,
    Part,
    Plan,
    StampSpec,
    VerificationFailed,
    assemble,
    find_tokens,
    redact,
    stamp,
)
from redaction.errors import PlanMismatch
from redaction.geometry import Matrix, Rect
from redaction.stamp import display_matrix, unclosed_depth
from tests.unit.redaction.builders import page_texts, raw_pdf, text_line, to_bytes

SPEC = StampSpec(
    recipient="Smith & Jones LLP",
    release_id="REL-42",
    date=dt.date(2026, 11, 27),
    bates_prefix="ROI",
    bates_start=7,
)
NOTICE = (
    "This information has been disclosed to you from records protected by federal "
    "confidentiality rules (42 CFR part 2)."
)


def _record(*lines: str) -> bytes:
    return raw_pdf([text_line(line) for line in lines])


class TestStamp:
    def test_every_page_gets_the_watermark_and_the_next_bates_number(self) -> None:
        texts = page_texts(stamp(_record("one", "two", "three"), SPEC))
        for i, text in enumerate(texts):
            assert "Smith & Jones LLP | REL-42 | 2026-11-27 | Redisclosure prohibited" in text
            assert f"ROI{7 + i:06d}" in text

    def test_without_a_prefix_there_is_no_bates_number(self) -> None:
        spec = StampSpec(recipient="Payer", release_id="R", date=dt.date(2026, 1, 2))
        (text,) = page_texts(stamp(_record("one"), spec))
        assert "Payer | R | 2026-01-02 | Redisclosure prohibited" in text
        assert spec.bates(0) is None

    def test_the_page_content_is_kept(self) -> None:
        (text,) = page_texts(stamp(_record("clinical words"), SPEC))
        assert text.startswith("clinical words")

    def test_bates_width_pads_with_zeros(self) -> None:
        spec = StampSpec(
            recipient="x",
            release_id="y",
            date=dt.date(2026, 1, 1),
            bates_prefix="B",
            bates_start=12,
            bates_width=3,
            extra="copy 1",
        )
        assert spec.bates(0) == "B012"
        assert spec.watermark().endswith("copy 1")

    @pytest.mark.parametrize("width", [0, 13])
    def test_a_bad_bates_width_is_refused(self, width: int) -> None:
        with pytest.raises(ValueError, match="bates"):
            StampSpec(recipient="x", release_id="y", date=dt.date(2026, 1, 1), bates_width=width)

    @pytest.mark.parametrize("rotate", [0, 90, 180, 270])
    def test_rotated_pages_get_an_upright_stamp_inside_the_page(self, rotate: int) -> None:
        doc = pikepdf.open(io.BytesIO(_record("rotated")))
        doc.pages[0].obj.Rotate = rotate
        (text,) = page_texts(stamp(to_bytes(doc), SPEC))
        assert "ROI000007" in text
        origin = display_matrix(Rect(0, 0, 612, 792), rotate).apply(18, 9)
        assert 0 <= origin[0] <= 612
        assert 0 <= origin[1] <= 792

    def test_the_display_matrix_of_an_unrotated_page_is_a_translation(self) -> None:
        assert display_matrix(Rect(10, 20, 100, 200), 0) == Matrix(1, 0, 0, 1, 10, 20)


class TestAssemble:
    def test_parts_follow_the_cover_and_notices_with_provenance(self) -> None:
        first = _record("visit Ann Lee", "labs", "imaging")
        second = _record("letter", "Ann Lee consent")
        packet = assemble(
            [
                Part(first, Plan(terms=("Ann Lee",)), "Discharge"),
                Part(second, Plan(terms=("Ann Lee",), drop_pages=(0,)), "Consent"),
            ],
            PacketSpec(stamp=SPEC, cover_lines=("For Smith & Jones LLP",), notices=(NOTICE,)),
        )
        assert packet.provenance == ("generated", "generated", (0, 0), (0, 1), (0, 2), (1, 1))
        assert (packet.bates_first, packet.bates_last) == ("ROI000007", "ROI000012")
        texts = page_texts(packet.pdf)
        assert texts[0].startswith("Release of information")
        assert "42 CFR part 2" in texts[1]
        assert all(f"ROI{7 + i:06d}" in t for i, t in enumerate(texts))
        assert not any("Ann" in t for t in texts[2:])
        assert "consent" in texts[5]
        assert [p.source_page for p in packet.report.pages] == [None, None, 0, 1, 2, 1]
        assert packet.report.verified

    def test_a_long_notice_spans_pages_and_no_cover_is_optional(self) -> None:
        packet = assemble(
            [Part(_record("only"), Plan())],
            PacketSpec(stamp=SPEC, notices=(NOTICE * 60,), cover=False),
        )
        assert packet.provenance[-1] == (0, 0)
        assert packet.provenance.count("generated") >= 2

    def test_the_packet_is_reverified_after_stamping(self) -> None:
        with pytest.raises(VerificationFailed) as caught:
            assemble(
                [Part(_record("visit"), Plan(terms=("Ann Lee",)))],
                PacketSpec(stamp=SPEC, cover_lines=("Records of Ann Lee",)),
            )
        assert (caught.value.page, caught.value.checker) == (0, "pdfium-text")

    def test_a_recipient_named_like_a_term_does_not_fail_the_packet(self) -> None:
        spec = StampSpec(recipient="Ann Lee", release_id="R", date=dt.date(2026, 1, 1))
        packet = assemble(
            [Part(_record("visit Ann Lee"), Plan(terms=("Ann Lee",)))],
            PacketSpec(stamp=spec, cover=False),
        )
        assert "visit" in page_texts(packet.pdf)[0]


def test_find_tokens_reports_which_tokens_are_on_which_page() -> None:
    pdf = _record("MRN 123456 Ann Lee", "nothing here", "ann lee again")
    assert find_tokens(pdf, ["Ann Lee", "123456", "Bob"]) == {
        0: frozenset({"Ann Lee", "123456"}),
        2: frozenset({"Ann Lee"}),
    }


def test_a_reviewer_box_on_a_missing_page_is_refused() -> None:
    with pytest.raises(PlanMismatch):
        redact(_record("one"), Plan(boxes=(Box(page=3, x0=0, y0=0, x1=1, y1=1),)))
    with pytest.raises(PlanMismatch):
        redact(_record("one"), Plan(drop_pages=(5,)))


def test_the_stamp_is_drawn_in_default_space_after_an_unclosed_q() -> None:
    pdf = raw_pdf([b"q 0.1 0 0 0.1 0 0 cm q " + text_line("tiny")])
    stamped = stamp(pdf, SPEC)
    with pikepdf.open(io.BytesIO(stamped)) as doc:
        assert unclosed_depth(doc.pages[0]) == 0
    bitmap = pdfium.PdfDocument(stamped)[0].render(scale=1).to_pil().convert("L")
    band = [bitmap.getpixel((x, 792 - 11)) for x in range(18, 200)]
    assert min(band) < 128
