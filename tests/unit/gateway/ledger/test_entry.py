"""Validation of new ledger entries: the first bad field is named, its value never echoed."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from gateway.ledger import InvalidEntry
from gateway.ledger.entry import validate
from tests.builders.ledger import disclosure, new_entry


def refused_field(**overrides: Any) -> object:
    with pytest.raises(InvalidEntry) as caught:
        validate(new_entry(**overrides))
    assert "secret-value" not in str(caught.value)
    return caught.value.data["field"]


def test_a_plain_event_and_a_complete_disclosure_are_valid() -> None:
    validate(new_entry())
    validate(new_entry(disclosure=disclosure(), patient_id=uuid4()))


@pytest.mark.parametrize(
    "event_type", ["released", "Release.Approved", "release.", "release approved", "a." + "b" * 70]
)
def test_event_types_are_dotted_lower_case_names(event_type: str) -> None:
    assert refused_field(event_type=event_type) == "event_type"


@pytest.mark.parametrize("actor_id", ["", "   ", "x" * 101, "a\x00b"])
def test_R22_every_entry_names_its_actor(actor_id: str) -> None:
    assert refused_field(actor_id=actor_id) == "actor_id"


@pytest.mark.parametrize("key", ["", "has space", "k" * 201, "non-ascii-é"])
def test_idempotency_keys_are_short_printable_ascii(key: str) -> None:
    assert refused_field(idempotency_key=key) == "idempotency_key"


@pytest.mark.parametrize(
    "details",
    [
        {"ratio": 0.5},
        {"nested": {"value": 1.0}},
        {1: "non-string key"},
        {"bytes": b"secret-value"},
        {"big": "x" * 5000},
    ],
)
def test_details_hold_only_json_that_survives_both_databases(details: dict[Any, Any]) -> None:
    assert refused_field(details=details) == "details"


def test_a_disclosure_names_its_patient() -> None:
    assert refused_field(disclosure=disclosure(), patient_id=None) == "patient_id"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recipient_name": " "}, "recipient_name"),
        ({"description": ""}, "description"),
        ({"recipient_address": None}, "recipient_address"),
        ({"address_unknown": True}, "recipient_address"),
        ({"purpose": None}, "purpose"),
        ({"purpose": None, "request_ref": ""}, "request_ref"),
    ],
)
def test_AOD_01_a_disclosure_carries_recipient_address_description_and_purpose(
    overrides: dict[str, Any], field: str
) -> None:
    bad = disclosure(**overrides)
    assert refused_field(disclosure=bad, patient_id=uuid4()) == field
