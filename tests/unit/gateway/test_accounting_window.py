"""AOD-03: the window an accounting of disclosures covers, as a pure rule over dates."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.releases.accounting import (
    AccountingWindowInFuture,
    AccountingWindowInvalid,
    AccountingWindowReversed,
    AccountingWindowTooLong,
    Window,
    accounting_period,
)

ON = date(2026, 11, 27)


def test_AOD_03_by_default_the_six_years_before_the_request() -> None:
    assert accounting_period(ON, None, None) == Window(date(2020, 11, 27), ON)


def test_AOD_03_a_shorter_window_is_kept_as_asked() -> None:
    window = accounting_period(ON, date(2024, 1, 1), date(2024, 6, 30))
    assert window == Window(date(2024, 1, 1), date(2024, 6, 30))


def test_AOD_03_without_from_the_window_is_six_years_back_from_to() -> None:
    assert accounting_period(ON, None, date(2019, 3, 1)) == Window(
        date(2013, 3, 1), date(2019, 3, 1)
    )


def test_AOD_03_one_day_more_than_six_years_is_refused() -> None:
    assert accounting_period(ON, date(2020, 11, 27), ON).since == date(2020, 11, 27)
    with pytest.raises(AccountingWindowTooLong) as caught:
        accounting_period(ON, date(2020, 11, 26), ON)
    assert caught.value.code == "ACCOUNTING_WINDOW_TOO_LONG"


def test_AOD_03_a_window_ending_on_29_february_goes_back_to_28_february() -> None:
    leap = date(2028, 2, 29)
    assert accounting_period(leap, None, None) == Window(date(2022, 2, 28), leap)
    with pytest.raises(AccountingWindowTooLong):
        accounting_period(leap, date(2022, 2, 27), None)


@pytest.mark.parametrize(
    ("since", "until", "error"),
    [
        (date(2026, 5, 2), date(2026, 5, 1), AccountingWindowReversed),
        (date(2026, 11, 28), None, AccountingWindowReversed),
        (None, date(2026, 11, 28), AccountingWindowInFuture),
        (date(2026, 1, 1), date(2027, 1, 1), AccountingWindowInFuture),
    ],
)
def test_AOD_03_reversed_and_future_windows_are_refused(
    since: date | None, until: date | None, error: type[AccountingWindowInvalid]
) -> None:
    with pytest.raises(error):
        accounting_period(ON, since, until)


def test_a_single_day_is_a_window() -> None:
    assert accounting_period(ON, ON, ON) == Window(ON, ON)


def test_a_window_at_the_start_of_the_calendar_is_not_an_error() -> None:
    first = date(3, 1, 1)
    assert accounting_period(ON, None, first) == Window(date.min, first)
    assert accounting_period(ON, date.min, date(6, 12, 31)).since == date.min
