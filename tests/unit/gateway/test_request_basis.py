"""The legal basis as typed JSON: each ``basis_type`` decodes to its ``contracts`` instrument,
survives the round trip through ``releases.basis``, and refuses unknown fields."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import pytest

from contracts import (
    AccessRequest,
    Authorization,
    CourtOrder,
    Directive,
    Subpoena,
    TpoRequest,
    check_authorization,
)
from gateway.releases.basis import BasisIn, basis_type, dump_basis, load_basis, to_instrument

ON = date(2026, 11, 27)
NAMED = {"name": "Doe & Partners LLP (synthetic)", "email": "records@doe.example"}
CASES: dict[str, tuple[dict[str, Any], type]] = {
    "authorization": (
        {
            "type": "authorization",
            "description": "records of 2026",
            "discloser": "General Hospital (synthetic)",
            "recipient": NAMED,
            "purpose": "claim",
            "signed": True,
            "signature_date": "2026-11-20",
            "expiration_date": "2027-05-01",
            "statements": ["revocation_right", "conditioning", "redisclosure"],
            "scope": {"document_types": ["progress_note"], "start": "2026-01-01"},
        },
        Authorization,
    ),
    "directive": (
        {"type": "directive", "written": True, "signed_by_individual": True, "recipient": NAMED},
        Directive,
    ),
    "access_request": ({"type": "access_request", "requested_by": "guardian"}, AccessRequest),
    "subpoena": (
        {
            "type": "subpoena",
            "requesting_party": NAMED,
            "qpo": {
                "prohibits_use_outside_litigation": True,
                "requires_return_or_destruction": True,
            },
        },
        Subpoena,
    ),
    "court_order": (
        {"type": "court_order", "recipient": NAMED, "items": [{"document_type": "lab_result"}]},
        CourtOrder,
    ),
    "tpo": ({"type": "tpo", "purpose": "payment", "requester": NAMED}, TpoRequest),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_basis_type_becomes_its_instrument_and_round_trips(name: str) -> None:
    raw, instrument_type = CASES[name]
    basis = msgspec.convert(raw, type=BasisIn)
    assert basis_type(basis) == name
    instrument = to_instrument(basis, received_on=ON)
    assert isinstance(instrument, instrument_type)
    stored = dump_basis(basis)
    assert stored["type"] == name
    assert load_basis(msgspec.json.decode(msgspec.json.encode(stored))) == basis


def test_an_authorization_keeps_its_scope_and_signer() -> None:
    basis = msgspec.convert(CASES["authorization"][0], type=BasisIn)
    auth = to_instrument(basis, received_on=ON)
    assert isinstance(auth, Authorization)
    assert auth.scope.document_types == frozenset({"progress_note"})
    assert auth.scope.dates.start == date(2026, 1, 1)
    assert check_authorization(auth, on=ON).findings == ()


def test_a_missing_element_is_a_finding_not_a_shape_error() -> None:
    raw = {k: v for k, v in CASES["authorization"][0].items() if k != "expiration_date"}
    auth = to_instrument(msgspec.convert(raw, type=BasisIn), received_on=ON)
    assert isinstance(auth, Authorization)
    codes = check_authorization(auth, on=ON).codes
    assert codes == ("AUTH_MISSING_ELEMENT:expiration",)


def test_the_access_request_is_received_on_the_server_date() -> None:
    basis = msgspec.convert(CASES["access_request"][0], type=BasisIn)
    request = to_instrument(basis, received_on=ON)
    assert isinstance(request, AccessRequest)
    assert request.received_on == ON


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "authorization", "approved": True},
        {"type": "tpo", "purpose": "payment", "requester": NAMED, "reviewer_note": "ok"},
        {"type": "access_request", "received_on": "2020-01-01"},
        {"type": "court_order", "recipient": NAMED, "items": []},
        {"type": "unknown"},
        {"description": "no type"},
    ],
)
def test_unknown_fields_and_server_only_fields_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(raw, type=BasisIn)


def test_no_basis_is_none() -> None:
    assert (basis_type(None), dump_basis(None), load_basis({})) == ("none", {}, None)
