"""RET-01: instruments are kept six years from creation or last effective date."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts import check_deletion, retain_until
from tests.unit.contracts.builders import BOUNDARY

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


class TestRET01:
    def test_RET_01_six_years_from_the_last_effective_date_when_it_is_later(self) -> None:
        assert retain_until(date(2020, 5, 1), date(2023, 4, 30)) == date(2029, 4, 30)

    def test_RET_01_six_years_from_creation_when_never_in_effect_later(self) -> None:
        assert retain_until(date(2020, 5, 1)) == date(2026, 5, 1)
        assert retain_until(date(2020, 5, 1), date(2019, 1, 1)) == date(2026, 5, 1)

    def test_RET_01_a_leap_day_is_kept_until_the_first_of_march(self) -> None:
        assert retain_until(date(2024, 2, 29)) == date(2030, 3, 1)

    @BOUNDARY
    @given(created=DAYS, offset=st.sampled_from([-1, 0, 1]))
    def test_RET_01_deletion_is_refused_before_the_retention_date(
        self, created: date, offset: int
    ) -> None:
        on = retain_until(created) + timedelta(days=offset)
        decision = check_deletion(created, None, on=on)
        assert decision.allowed is (offset >= 0)
        if offset < 0:
            assert decision.codes == ("RETENTION_NOT_ELAPSED",)
            assert decision.findings[0].rule_id == "RET-01"

    @BOUNDARY
    @given(created=DAYS)
    def test_RET_01_never_less_than_six_years(self, created: date) -> None:
        assert (retain_until(created) - created).days >= 6 * 365
