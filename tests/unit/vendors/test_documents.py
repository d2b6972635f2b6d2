"""The signed BAA document: a PDF by declared type and magic bytes, within the size limit."""

from __future__ import annotations

import pytest

from tests.builders.vendors import PDF, pdf_document
from vendors import BaaDocumentRejected, BaaDocumentTooLarge, BaaDocumentWrongType, check_document


def test_a_small_pdf_passes() -> None:
    check_document(pdf_document(), max_bytes=1024)


def test_a_pdf_sent_with_parameters_in_its_type_passes() -> None:
    check_document(pdf_document(content_type="Application/PDF; name=x"), max_bytes=1024)


def test_another_content_type_is_refused_as_the_wrong_type() -> None:
    with pytest.raises(BaaDocumentWrongType) as caught:
        check_document(pdf_document(content_type="text/plain"), max_bytes=1024)
    assert caught.value.code == "BAA_DOCUMENT_TYPE"


def test_bytes_without_the_pdf_magic_are_refused() -> None:
    with pytest.raises(BaaDocumentRejected) as caught:
        check_document(pdf_document(b"MZ\x90\x00 not a pdf"), max_bytes=1024)
    assert caught.value.code == "BAA_DOCUMENT_NOT_PDF"


def test_a_document_over_the_limit_is_refused() -> None:
    with pytest.raises(BaaDocumentTooLarge):
        check_document(pdf_document(PDF + b"x" * 2048), max_bytes=1024)
