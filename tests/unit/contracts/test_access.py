"""Right of access (45 CFR 164.524): ACC-01 due dates and the one extension; ACC-05 directives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    Extension,
    NamedRecipient,
    Outcome,
    Route,
    check_access_deadline,
    check_directive,
    check_extensions,
    decide_release,
    due_date,
    original_due,
)
from tests.unit.contracts.builders import (
    BOUNDARY,
    TODAY,
    access_request,
    directive,
    document,
    no_state_rules,
    patient_recipient,
    recipient,
)

RECEIVED = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def letter(received: date, *, on_day: int = 20, extra: int = 30, reasons: str = "x") -> Extension:
    return Extension(
        letter_on=received + timedelta(days=on_day),
        new_due=original_due(received) + timedelta(days=extra),
        reasons=reasons,
    )


class TestACC01:
    @BOUNDARY
    @given(received=RECEIVED)
    def test_ACC_01_due_is_received_plus_30_calendar_days(self, received: date) -> None:
        assert due_date(received) == received + timedelta(days=30)
        assert (due_date(received) - received).days == 30

    def test_ACC_01_a_known_date_falls_due_thirty_days_later(self) -> None:
        assert due_date(date(2026, 2, 1)) == date(2026, 3, 3)

    @BOUNDARY
    @given(received=RECEIVED, day=st.sampled_from([29, 30, 31]))
    def test_ACC_01_the_extension_letter_must_be_made_within_the_original_period(
        self, received: date, day: int
    ) -> None:
        extension = letter(received, on_day=day)
        decision = check_extensions(received, [extension])
        late = day > 30
        assert ("ACC_EXTENSION_LATE" in decision.codes) is late
        assert due_date(received, [extension]) == (
            original_due(received) if late else extension.new_due
        )

    @BOUNDARY
    @given(received=RECEIVED, extra=st.sampled_from([29, 30, 31]))
    def test_ACC_01_an_extension_adds_at_most_30_days(self, received: date, extra: int) -> None:
        decision = check_extensions(received, [letter(received, extra=extra)])
        assert ("ACC_EXTENSION_TOO_LONG" in decision.codes) is (extra > 30)
        assert decision.allowed is (extra <= 30)

    def test_ACC_01_a_second_extension_is_rejected(self) -> None:
        received = date(2026, 2, 1)
        first = letter(received)
        second = letter(received, on_day=45, extra=20)
        decision = check_extensions(received, [first, second])
        assert decision.codes == ("ACC_EXTENSION_REPEATED",)
        assert decision.findings[0].rule_id == "ACC-01"
        assert due_date(received, [first, second]) == original_due(received)

    def test_ACC_01_an_extension_letter_states_its_reasons(self) -> None:
        decision = check_extensions(date(2026, 2, 1), [letter(date(2026, 2, 1), reasons=" ")])
        assert decision.codes == ("ACC_EXTENSION_REASON_MISSING",)

    def test_ACC_01_no_extension_means_no_findings(self) -> None:
        assert check_extensions(date(2026, 2, 1), []).findings == ()

    @BOUNDARY
    @given(received=RECEIVED, offset=st.sampled_from([-1, 0, 1]))
    def test_ACC_01_overdue_the_day_after_the_due_date(self, received: date, offset: int) -> None:
        request = access_request(received_on=received)
        on = due_date(received) + timedelta(days=offset)
        decision = check_access_deadline(request, on=on)
        assert ("ACC_OVERDUE" in decision.codes) is (offset > 0)
        assert decision.allowed, "being overdue is a warning, never a reason to withhold"

    def test_ACC_01_a_valid_extension_moves_the_overdue_day(self) -> None:
        received = date(2026, 2, 1)
        request = access_request(received_on=received, extensions=(letter(received),))
        assert check_access_deadline(request, on=date(2026, 3, 10)).findings == ()


class TestACC05:
    def test_ACC_05_a_written_signed_directive_for_electronic_ehr_copies_is_honoured(
        self,
    ) -> None:
        decision = check_directive(directive())
        assert decision.allowed
        assert directive().route is Route.DIRECTIVE

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [
            ({"written": False}, "DIRECTIVE_NOT_WRITTEN"),
            ({"signed_by_individual": False}, "DIRECTIVE_NOT_SIGNED"),
            ({"recipient": NamedRecipient(" ", email="a@b.test")}, "DIRECTIVE_RECIPIENT_MISSING"),
            ({"recipient": NamedRecipient("Dr. Example")}, "DIRECTIVE_DESTINATION_MISSING"),
        ],
    )
    def test_ACC_05_a_directive_lacking_an_element_is_rejected(
        self, overrides: dict[str, object], code: str
    ) -> None:
        decision = check_directive(directive(**overrides))
        assert decision.codes == (code,)
        assert decision.outcome is Outcome.REJECTED

    def test_ACC_05_no_recipient_at_all_lacks_both_recipient_and_destination(self) -> None:
        assert check_directive(directive(recipient=None)).codes == (
            "DIRECTIVE_RECIPIENT_MISSING",
            "DIRECTIVE_DESTINATION_MISSING",
        )

    @pytest.mark.parametrize("overrides", [{"electronic_copy": False}, {"ehr_only": False}])
    def test_ACC_05_paper_or_non_ehr_copies_are_routed_as_an_authorization(
        self, overrides: dict[str, object]
    ) -> None:
        held = directive(**overrides)
        decision = check_directive(held)
        assert held.route is Route.AUTHORIZATION
        assert decision.codes == ("DIRECTIVE_ROUTED_AS_AUTHORIZATION",)
        assert decision.outcome is Outcome.ON_HOLD

    def test_ACC_05_a_directive_release_goes_only_to_the_named_recipient(self) -> None:
        ok = decide_release(
            directive(), recipient(), [document()], on=TODAY, site_rules=no_state_rules()
        )
        assert ok.allowed
        assert ok.accounting.accounting_exempt
        other = decide_release(
            directive(),
            recipient(name="Another Firm LLP"),
            [document()],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert [f.code for f in other.findings] == ["SCOPE_RECIPIENT"]


def test_an_access_request_goes_to_the_individual_only() -> None:
    to_patient = decide_release(
        access_request(), patient_recipient(), [document()], on=TODAY, site_rules=no_state_rules()
    )
    assert to_patient.allowed
    to_firm = decide_release(
        access_request(), recipient(), [document()], on=TODAY, site_rules=no_state_rules()
    )
    assert [f.code for f in to_firm.findings] == ["SCOPE_RECIPIENT"]
