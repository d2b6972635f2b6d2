"""Shared terms: date ranges, scope, recipients and documents."""

from __future__ import annotations

from datetime import date

import pytest

from contracts import (
    DateRange,
    InvalidInstrument,
    NamedRecipient,
    Recipient,
    RecipientKind,
    Scope,
    VendorFunction,
)
from contracts.terms import recipient_matches
from tests.unit.contracts.builders import document


def test_a_date_range_is_inclusive_and_may_be_open() -> None:
    span = DateRange(date(2025, 1, 1), date(2025, 1, 31))
    assert date(2025, 1, 1) in span
    assert date(2025, 1, 31) in span
    assert date(2025, 2, 1) not in span
    assert date(1900, 1, 1) in DateRange()
    assert date(2024, 12, 31) not in DateRange(start=date(2025, 1, 1))


def test_only_dates_are_in_a_date_range() -> None:
    assert "2025-01-01" not in DateRange()


def test_a_date_range_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidInstrument):
        DateRange(date(2025, 1, 2), date(2025, 1, 1))


def test_an_empty_scope_covers_every_type() -> None:
    assert Scope().covers_type("anything")
    assert not Scope(document_types=frozenset({"lab_result"})).covers_type("imaging")


def test_vendor_recipients_carry_their_function() -> None:
    assert Recipient(RecipientKind.SCANNING, "Scan Co").vendor_function is VendorFunction.SCANNING
    assert Recipient(RecipientKind.ATTORNEY, "Firm").vendor_function is None
    assert {RecipientKind(f.value) for f in VendorFunction} <= set(RecipientKind)


def test_a_named_recipient_with_email_and_address_accepts_either_channel() -> None:
    named = NamedRecipient("Firm", email="a@firm.test", address="1 Main St")
    assert recipient_matches(named, Recipient(RecipientKind.ATTORNEY, "Firm", email="b@firm.test"))
    assert recipient_matches(named, Recipient(RecipientKind.ATTORNEY, "Firm", address="1 main st"))
    assert not recipient_matches(
        named, Recipient(RecipientKind.ATTORNEY, "Firm", address="2 Main St")
    )


def test_document_flags_imply_their_labels() -> None:
    doc = document(part2=True, minor=True, document_type="psychotherapy_note")
    assert doc.effective_labels == {"part2", "minor_consented", "psychotherapy_note"}
    assert document(labels=frozenset({"hiv"})).effective_labels == {"hiv"}
