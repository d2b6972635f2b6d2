"""Blob keys are made by the store from a strict prefix, a date and a random UUID."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.blobs.keys import check_key, check_prefix, new_key
from kernel.blobs import BlobKeyRejected
from kernel.clock import FixedClock

CLOCK = FixedClock(datetime(2027, 1, 31, 23, 59, tzinfo=UTC))


@pytest.mark.parametrize("prefix", ["records", "packets/rel-1", "a/b/c/d", "x_y", "0"])
def test_a_prefix_of_one_to_four_lower_case_segments_is_accepted(prefix: str) -> None:
    assert check_prefix(prefix) == prefix


def test_a_new_key_is_prefix_year_month_and_uuid_hex() -> None:
    key = new_key("records", CLOCK)

    prefix, year, month, name = key.split("/")
    assert (prefix, year, month) == ("records", "2027", "01")
    assert len(name) == 32
    assert int(name, 16) >= 0
    assert check_key(key) == key


def test_new_keys_do_not_repeat() -> None:
    assert len({new_key("records", CLOCK) for _ in range(1000)}) == 1000


def test_a_trailing_newline_does_not_slip_past_the_pattern() -> None:
    with pytest.raises(BlobKeyRejected):
        check_prefix("records\n")
    with pytest.raises(BlobKeyRejected):
        check_key(new_key("records", CLOCK) + "\n")


def test_the_rejection_carries_no_part_of_the_input() -> None:
    with pytest.raises(BlobKeyRejected) as caught:
        check_prefix("../patient-jane-doe")

    assert "jane" not in str(caught.value)
    assert "jane" not in repr(caught.value)
