"""HIPAA authorizations (45 CFR 164.508): AUTH-01..05 and AUTH-07 on the instrument itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    AuthElement,
    AuthStatement,
    Demographics,
    NamedRecipient,
    Outcome,
    Signer,
    SignerKind,
    check_authorization,
)
from tests.unit.contracts.builders import BOUNDARY, PATIENT, TODAY, authorization

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
AROUND = st.sampled_from([-1, 0, 1])


def test_a_complete_current_authorization_is_allowed_with_no_findings() -> None:
    decision = check_authorization(authorization(), on=TODAY, mpi=PATIENT)
    assert decision.allowed
    assert decision.findings == ()
    assert decision.outcome is Outcome.ALLOWED


MISSING: dict[AuthElement, dict[str, object]] = {
    AuthElement.DESCRIPTION: {"description": "  "},
    AuthElement.DISCLOSER: {"discloser": ""},
    AuthElement.RECIPIENT: {"recipient": None},
    AuthElement.PURPOSE: {"purpose": ""},
    AuthElement.EXPIRATION: {"expiration_date": None, "expiration_event": " "},
    AuthElement.SIGNATURE: {"signed": False},
    AuthElement.SIGNATURE_DATE: {"signature_date": None},
}


class TestAUTH01:
    @pytest.mark.parametrize("element", list(AuthElement))
    def test_AUTH_01_missing_core_element_is_defective(self, element: AuthElement) -> None:
        decision = check_authorization(authorization(**MISSING[element]), on=TODAY)
        assert not decision.allowed
        assert decision.outcome is Outcome.REJECTED
        assert decision.codes == (f"AUTH_MISSING_ELEMENT:{element}",)
        assert decision.findings[0].rule_id == "AUTH-01"

    def test_AUTH_01_missing_expiration_is_defective(self) -> None:
        auth = authorization(expiration_date=None)
        assert check_authorization(auth, on=TODAY).codes == ("AUTH_MISSING_ELEMENT:expiration",)

    def test_AUTH_01_an_expiration_event_instead_of_a_date_is_enough(self) -> None:
        auth = authorization(expiration_date=None, expiration_event="End of the litigation")
        assert check_authorization(auth, on=TODAY).allowed

    def test_AUTH_01_a_recipient_with_a_blank_name_is_missing(self) -> None:
        auth = authorization(recipient=NamedRecipient("  ", email="x@example-law.test"))
        assert check_authorization(auth, on=TODAY).codes == ("AUTH_MISSING_ELEMENT:recipient",)

    def test_AUTH_01_every_missing_element_is_listed(self) -> None:
        auth = authorization(description="", purpose="", signed=False)
        assert set(check_authorization(auth, on=TODAY).codes) == {
            "AUTH_MISSING_ELEMENT:description",
            "AUTH_MISSING_ELEMENT:purpose",
            "AUTH_MISSING_ELEMENT:signature",
        }


class TestAUTH02:
    @BOUNDARY
    @given(expires=DAYS, offset=AROUND)
    def test_AUTH_02_expiry_is_judged_on_the_release_date(self, expires: date, offset: int) -> None:
        release_on = expires + timedelta(days=offset)
        decision = check_authorization(authorization(expiration_date=expires), on=release_on)
        expired = offset > 0
        assert ("AUTH_EXPIRED" in decision.codes) is expired
        assert decision.allowed is not expired

    def test_AUTH_02_an_authorization_valid_at_intake_blocks_at_a_later_release(self) -> None:
        auth = authorization(expiration_date=date(2026, 3, 1))
        assert check_authorization(auth, on=date(2026, 2, 1)).allowed
        assert check_authorization(auth, on=date(2026, 3, 2)).codes == ("AUTH_EXPIRED",)

    def test_AUTH_02_an_expiration_event_that_occurred_blocks(self) -> None:
        auth = authorization(
            expiration_date=None, expiration_event="Claim settled", expiration_event_occurred=True
        )
        decision = check_authorization(auth, on=TODAY)
        assert decision.codes == ("AUTH_EXPIRED",)
        assert decision.findings[0].rule_id == "AUTH-02"


class TestAUTH03:
    @pytest.mark.parametrize("statement", list(AuthStatement))
    def test_AUTH_03_missing_required_statement_is_defective(
        self, statement: AuthStatement
    ) -> None:
        auth = authorization(statements=frozenset(AuthStatement) - {statement})
        decision = check_authorization(auth, on=TODAY)
        assert not decision.allowed
        assert decision.codes == (f"AUTH_MISSING_STATEMENT:{statement}",)
        assert decision.findings[0].rule_id == "AUTH-03"


class TestAUTH04:
    @pytest.mark.parametrize(
        "signer",
        [
            Signer(SignerKind.PERSONAL_REPRESENTATIVE),
            Signer(SignerKind.PERSONAL_REPRESENTATIVE, authority_description="Health care POA"),
            Signer(SignerKind.GUARDIAN, authority_document_attached=True),
            Signer(SignerKind.PARENT, "  ", authority_document_attached=True),
        ],
    )
    def test_AUTH_04_representative_without_stated_and_documented_authority_blocks(
        self, signer: Signer
    ) -> None:
        decision = check_authorization(authorization(signer=signer), on=TODAY)
        assert decision.codes == ("AUTH_REP_AUTHORITY",)
        assert not decision.allowed

    def test_AUTH_04_representative_with_description_and_document_is_accepted(self) -> None:
        signer = Signer(SignerKind.PERSONAL_REPRESENTATIVE, "Durable POA for health care", True)
        assert check_authorization(authorization(signer=signer), on=TODAY).allowed


class TestAUTH05:
    @BOUNDARY
    @given(revoked=DAYS, offset=AROUND)
    def test_AUTH_05_a_revocation_blocks_releases_from_its_date_on(
        self, revoked: date, offset: int
    ) -> None:
        release_on = revoked + timedelta(days=offset)
        auth = authorization(expiration_date=date(2040, 1, 1), revoked_on=revoked)
        decision = check_authorization(auth, on=release_on)
        assert ("AUTH_REVOKED" in decision.codes) is (offset >= 0)

    def test_AUTH_05_a_release_completed_before_revocation_stays_valid(self) -> None:
        auth = authorization(revoked_on=date(2026, 3, 1))
        assert check_authorization(auth, on=date(2026, 2, 27)).allowed
        assert check_authorization(auth, on=date(2026, 3, 1)).codes == ("AUTH_REVOKED",)


class TestAUTH07:
    def test_AUTH_07_a_name_conflicting_with_the_mpi_is_held_for_review(self) -> None:
        mpi = Demographics("Pat Exampel", PATIENT.birth_date)
        decision = check_authorization(authorization(), on=TODAY, mpi=mpi)
        assert decision.codes == ("AUTH_FALSE_INFO",)
        assert decision.outcome is Outcome.ON_HOLD
        assert decision.on_hold
        assert not decision.allowed

    def test_AUTH_07_a_birth_date_conflicting_with_the_mpi_is_held(self) -> None:
        mpi = Demographics(PATIENT.name, date(1980, 4, 2))
        assert check_authorization(authorization(), on=TODAY, mpi=mpi).codes == ("AUTH_FALSE_INFO",)

    def test_AUTH_07_case_and_spacing_differences_are_not_conflicts(self) -> None:
        mpi = Demographics("  PAT   example ", PATIENT.birth_date)
        assert check_authorization(authorization(), on=TODAY, mpi=mpi).allowed

    def test_AUTH_07_information_known_to_be_false_is_held(self) -> None:
        decision = check_authorization(authorization(known_false=True), on=TODAY)
        assert decision.codes == ("AUTH_FALSE_INFO",)
