"""Business associate agreements: BA-01 (active on the date, covering the function), BA-02
(all 164.504(e)(2) clauses before it can be active) and the derived status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    BaaClause,
    BaaStatus,
    InvalidInstrument,
    VendorFunction,
    baa_status,
    check_baa,
)
from tests.unit.contracts.builders import BOUNDARY, TODAY, baa

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
AROUND = st.sampled_from([-1, 0, 1])


def test_a_complete_baa_in_force_covering_the_function_allows_delivery() -> None:
    decision = check_baa(baa(), on=TODAY, function=VendorFunction.COPY)
    assert decision.allowed
    assert decision.findings == ()
    assert baa_status(baa(), on=TODAY) is BaaStatus.ACTIVE


class TestBA01:
    def test_BA_01_no_baa_blocks_with_baa_missing(self) -> None:
        decision = check_baa(None, on=TODAY, function=VendorFunction.COPY)
        assert decision.codes == ("BAA_MISSING",)
        assert not decision.allowed
        assert decision.findings[0].rule_id == "BA-01"

    @BOUNDARY
    @given(effective=DAYS, offset=AROUND)
    def test_BA_01_not_yet_effective_until_its_effective_date(
        self, effective: date, offset: int
    ) -> None:
        agreement = baa(effective_on=effective, ends_on=None)
        on = effective + timedelta(days=offset)
        decision = check_baa(agreement, on=on, function=VendorFunction.COPY)
        assert ("BAA_NOT_YET_EFFECTIVE" in decision.codes) is (offset < 0)
        assert decision.allowed is (offset >= 0)
        expected = BaaStatus.NOT_YET_EFFECTIVE if offset < 0 else BaaStatus.ACTIVE
        assert baa_status(agreement, on=on) is expected

    @BOUNDARY
    @given(ends=DAYS, offset=AROUND)
    def test_BA_01_expired_the_day_after_its_end_date(self, ends: date, offset: int) -> None:
        agreement = baa(effective_on=date(2019, 1, 1), ends_on=ends)
        on = ends + timedelta(days=offset)
        decision = check_baa(agreement, on=on, function=VendorFunction.COPY)
        assert ("BAA_EXPIRED" in decision.codes) is (offset > 0)
        assert decision.allowed is (offset <= 0)

    @BOUNDARY
    @given(terminated=DAYS, offset=AROUND)
    def test_BA_01_terminated_blocks_from_the_termination_date(
        self, terminated: date, offset: int
    ) -> None:
        agreement = baa(effective_on=date(2019, 1, 1), ends_on=None, terminated_on=terminated)
        on = terminated + timedelta(days=offset)
        decision = check_baa(agreement, on=on, function=VendorFunction.COPY)
        assert ("BAA_TERMINATED" in decision.codes) is (offset >= 0)
        expected = BaaStatus.TERMINATED if offset >= 0 else BaaStatus.ACTIVE
        assert baa_status(agreement, on=on) is expected

    def test_BA_01_a_function_the_baa_does_not_cover_blocks(self) -> None:
        decision = check_baa(baa(), on=TODAY, function=VendorFunction.TRANSCRIPTION)
        assert decision.codes == ("BAA_FUNCTION_NOT_COVERED",)
        assert decision.findings[0].subject == "transcription"
        assert not decision.allowed

    def test_BA_01_a_termination_before_the_end_date_wins(self) -> None:
        agreement = baa(terminated_on=TODAY)
        assert check_baa(agreement, on=TODAY, function=VendorFunction.COPY).codes == (
            "BAA_TERMINATED",
        )


class TestBA02:
    @pytest.mark.parametrize("clause", list(BaaClause))
    def test_BA_02_a_missing_clause_makes_the_baa_incomplete(self, clause: BaaClause) -> None:
        agreement = baa(clauses=frozenset(BaaClause) - {clause})
        decision = check_baa(agreement, on=TODAY, function=VendorFunction.COPY)
        assert decision.codes == (f"BAA_INCOMPLETE:{clause}",)
        assert decision.findings[0].rule_id == "BA-02"
        assert not decision.allowed
        assert baa_status(agreement, on=TODAY) is BaaStatus.INCOMPLETE

    def test_BA_02_an_incomplete_baa_is_never_active_whatever_the_date(self) -> None:
        agreement = baa(clauses=frozenset())
        assert baa_status(agreement, on=date(2026, 1, 1)) is BaaStatus.INCOMPLETE
        assert len(check_baa(agreement, on=TODAY, function=VendorFunction.COPY).findings) == 8

    @pytest.mark.parametrize("days", [None, 61, 90])
    def test_BA_02_breach_notice_longer_than_60_days_is_flagged(self, days: int | None) -> None:
        decision = check_baa(baa(breach_notice_days=days), on=TODAY, function=VendorFunction.COPY)
        assert decision.codes == ("BAA_BREACH_NOTICE_DAYS",)
        assert decision.allowed, "a warning does not block"

    def test_BA_02_breach_notice_of_60_days_is_fine(self) -> None:
        decision = check_baa(baa(breach_notice_days=60), on=TODAY, function=VendorFunction.COPY)
        assert decision.findings == ()


class TestStatus:
    @BOUNDARY
    @given(ends=DAYS, offset=st.sampled_from([-31, -30, -1, 0, 1]))
    def test_expiring_within_the_window_then_expired(self, ends: date, offset: int) -> None:
        agreement = baa(effective_on=date(2019, 1, 1), ends_on=ends)
        status = baa_status(agreement, on=ends + timedelta(days=offset), expiring_within_days=30)
        expected = {-31: BaaStatus.ACTIVE, 1: BaaStatus.EXPIRED}.get(offset, BaaStatus.EXPIRING)
        assert status is expected

    def test_terminated_shows_before_incomplete(self) -> None:
        agreement = baa(clauses=frozenset(), terminated_on=TODAY)
        assert baa_status(agreement, on=TODAY) is BaaStatus.TERMINATED

    def test_an_open_ended_baa_is_never_expiring(self) -> None:
        agreement = baa(ends_on=None)
        assert baa_status(agreement, on=date(2034, 1, 1), expiring_within_days=9999) is (
            BaaStatus.ACTIVE
        )

    def test_a_baa_ending_before_it_starts_cannot_exist(self) -> None:
        with pytest.raises(InvalidInstrument):
            baa(effective_on=date(2026, 1, 2), ends_on=date(2026, 1, 1))
