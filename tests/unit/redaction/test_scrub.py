"""Everything outside the page content that could carry identifiers is scrubbed."""

from __future__ import annotations

import io

import pikepdf
import pytest

from redaction import Plan, redact
from redaction.scrub import scrub
from tests.unit.redaction.builders import helvetica, page_texts, raw_pdf, text_line, to_bytes

SECRET = "Ann Lee"


def _trap_pdf() -> bytes:
    """A page saying "visit notes", with SECRET planted in every scrub target."""
    doc = pikepdf.open(io.BytesIO(raw_pdf([text_line("visit notes")])))
    page = doc.pages[0]
    doc.docinfo["/Title"] = SECRET
    with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = SECRET
    with doc.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem(SECRET, 0))
    doc.attachments["notes.txt"] = pikepdf.AttachedFileSpec(doc, SECRET.encode())
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(f"app.alert('{SECRET}')"))
    doc.Root.OpenAction = js
    doc.Root.AF = pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=SECRET)])
    doc.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(P=SECRET)]))
    doc.Root.PieceInfo = pikepdf.Dictionary(App=pikepdf.Dictionary(Private=SECRET))
    doc.Root.StructTreeRoot = pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot,
        K=pikepdf.Dictionary(S=pikepdf.Name.Figure, Alt=SECRET, ActualText=SECRET),
    )
    page.obj.AA = pikepdf.Dictionary(O=js)
    page.obj.Thumb = doc.make_stream(SECRET.encode())
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=pikepdf.Array([10, 10, 30, 30]),
        Contents=SECRET,
    )
    field = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Widget,
        FT=pikepdf.Name.Tx,
        T="name",
        V=SECRET,
        DA="/Helv 12 Tf 0 g",
        Rect=pikepdf.Array([72, 500, 300, 520]),
        P=page.obj,
    )
    field = doc.make_indirect(field)
    page.obj.Annots = doc.make_indirect(pikepdf.Array([doc.make_indirect(note), field]))
    doc.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array([field]),
        DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=helvetica())),
        DA="/Helv 12 Tf 0 g",
        NeedAppearances=True,
        XFA=pikepdf.Array([pikepdf.String("template"), doc.make_stream(SECRET.encode())]),
    )
    return to_bytes(doc)


@pytest.fixture(scope="module")
def scrubbed() -> bytes:
    return redact(_trap_pdf(), Plan(terms=(SECRET,))).pdf


@pytest.mark.parametrize(
    "key",
    [
        "/Metadata",
        "/Outlines",
        "/Names",
        "/OpenAction",
        "/AF",
        "/PageLabels",
        "/PieceInfo",
        "/StructTreeRoot",
        "/AcroForm",
    ],
)
def test_catalog_targets_are_removed(scrubbed: bytes, key: str) -> None:
    with pikepdf.open(io.BytesIO(scrubbed)) as doc:
        assert key not in doc.Root


@pytest.mark.parametrize("key", ["/Annots", "/AA", "/Thumb"])
def test_page_targets_are_removed(scrubbed: bytes, key: str) -> None:
    with pikepdf.open(io.BytesIO(scrubbed)) as doc:
        assert key not in doc.pages[0].obj


def test_document_info_is_removed(scrubbed: bytes) -> None:
    with pikepdf.open(io.BytesIO(scrubbed)) as doc:
        assert "/Info" not in doc.trailer
        assert not doc.attachments


def test_form_field_values_are_flattened_then_redacted(scrubbed: bytes) -> None:
    (text,) = page_texts(scrubbed)
    assert "visit notes" in text
    assert "Ann" not in text
    assert SECRET.encode() not in scrubbed


def test_the_report_names_what_was_scrubbed() -> None:
    result = redact(_trap_pdf(), Plan(terms=(SECRET,)))
    assert {"Info", "Outlines", "Names", "OpenAction", "AcroForm"} <= set(result.report.scrubbed)
    assert result.report.verified


def test_a_clean_file_reports_nothing_scrubbed() -> None:
    with pikepdf.open(io.BytesIO(raw_pdf([text_line("plain")]))) as doc:
        assert scrub(doc) == ()
