"""Terms that are also PDF syntax (name tokens, dictionary keys) are redacted, not refused.

A patient may be called Page (or Last, Rose, Black...): the object walk must look for the term in
strings and text, not in the keys and names every PDF is made of.
"""

from __future__ import annotations

import pytest

import redaction
from tests.integration.redaction import checkers
from tests.integration.redaction.fixtures import FIXTURES


@pytest.mark.parametrize("term", ["Page", "First", "Length", "Font"])
def test_a_term_that_is_also_a_pdf_name_is_redacted_not_refused(term: str) -> None:
    source = FIXTURES["reportlab_ttf.pdf"].pdf
    result = redaction.redact(source, redaction.Plan(terms=(term,)))
    assert result.report.verified
    assert checkers.leaks(checkers.pdfium_text(result.pdf), [term.lower()]) == []
