"""Scrubbing everything outside the page content that could carry identifiers.

Document info and XMP metadata, outlines, the names tree (named destinations, attachments,
JavaScript), the catalog /AF array and every other /AF, open and additional actions,
AcroForm (widgets flattened into the page first, then the form dropped; XFA dropped),
annotations, the structure tree (/Alt, /ActualText), /PieceInfo, thumbnails, page labels,
article threads and web-capture data.
"""

from __future__ import annotations

import contextlib

import pikepdf

_CATALOG_KEYS = (
    "/Metadata",
    "/Outlines",
    "/Names",
    "/Dests",
    "/OpenAction",
    "/AA",
    "/AcroForm",
    "/StructTreeRoot",
    "/MarkInfo",
    "/PageLabels",
    "/Threads",
    "/SpiderInfo",
    "/Collection",
    "/URI",
    "/AF",
    "/PieceInfo",
    "/Legal",
    "/Perms",
    "/Requirements",
)
_PAGE_KEYS = ("/Annots", "/B", "/StructParents", "/Thumb", "/AA", "/PieceInfo", "/AF", "/Metadata")
_ANY_KEYS = (
    "/Metadata",
    "/PieceInfo",
    "/AF",
    "/AA",
    "/StructParent",
    "/StructParents",
    "/ActualText",
    "/Alt",
)


def has_form_content(pdf: pikepdf.Pdf) -> bool:
    """Whether any page has widget annotations whose appearance must be flattened first."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", pikepdf.Array()):
            if isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == "/Widget":
                return True
    return False


def flatten_forms(pdf: pikepdf.Pdf) -> None:
    """Keep only widget annotations, generate their appearances and flatten them into the
    page content (so field values are found and redacted like any text); drop XFA."""
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            widgets = [a for a in annots if _is_widget(a)]
            page.obj.Annots = pdf.make_indirect(pikepdf.Array(widgets))
    if isinstance(acroform, pikepdf.Dictionary):
        with contextlib.suppress(pikepdf.PdfError):
            # fields without a usable appearance are dropped with the form, never shown
            pdf.generate_appearance_streams()
    pdf.flatten_annotations("all")
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]


def _is_widget(annot: object) -> bool:
    return isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == "/Widget"


def scrub(pdf: pikepdf.Pdf) -> tuple[str, ...]:
    """Remove every scrub target; return the names of what was present and removed."""
    removed: set[str] = set()
    _drop_keys(pdf.Root, _CATALOG_KEYS, removed)
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
        removed.add("/Info")
    for page in pdf.pages:
        _drop_keys(page.obj, _PAGE_KEYS, removed)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            _drop_keys(obj, _ANY_KEYS, removed)
    return tuple(sorted(k.lstrip("/") for k in removed))


def _drop_keys(obj: pikepdf.Object, keys: tuple[str, ...], removed: set[str]) -> None:
    for key in keys:
        if key in obj:
            del obj[key]
            removed.add(key)
