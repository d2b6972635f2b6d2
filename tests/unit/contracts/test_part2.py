"""42 CFR Part 2 records: P2-01 (a 2.31 consent, not a general authorization), P2-02 (2.32
notice and consent copy first in the packet), P2-03 (no use against the patient)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import Part2Element, RecipientKind, check_part2, decide_release
from tests.unit.contracts.builders import (
    BOUNDARY,
    TODAY,
    access_request,
    authorization,
    court_order,
    default_rules_dict,
    document,
    no_state_rules,
    part2_consent,
    patient_recipient,
    recipient,
    site_rules,
    subpoena,
)

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
SUD = document("sud", part2=True)


class TestP201:
    def test_P2_01_a_general_hipaa_authorization_alone_is_not_enough(self) -> None:
        release = decide_release(
            authorization(),
            recipient(),
            [SUD, document("ds")],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert release.allowed, "the rest of the record still goes"
        assert release.included == ("ds",)
        reasons = release.excluded[0].reasons
        assert [r.code for r in reasons] == ["P2_CONSENT_REQUIRED"]
        assert reasons[0].rule_id == "P2-01"

    def test_P2_01_a_ds4p_part2_label_counts_like_the_source_program_flag(self) -> None:
        labelled = document("eth", labels=frozenset({"part2"}))
        release = decide_release(
            authorization(), recipient(), [labelled], on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ()

    def test_P2_01_a_complete_consent_allows_part2_records(self) -> None:
        decision = check_part2(part2_consent(), on=TODAY)
        assert decision.allowed
        assert decision.findings == ()

    def test_P2_01_no_consent_is_p2_consent_required(self) -> None:
        assert check_part2(None, on=TODAY).codes == ("P2_CONSENT_REQUIRED",)

    @pytest.mark.parametrize("element", list(Part2Element))
    def test_P2_01_a_consent_missing_a_2_31_element_does_not_count(
        self, element: Part2Element
    ) -> None:
        consent = part2_consent(elements=frozenset(Part2Element) - {element})
        decision = check_part2(consent, on=TODAY)
        assert decision.codes == (f"P2_CONSENT_MISSING_ELEMENT:{element}",)
        assert not decision.allowed

    @BOUNDARY
    @given(expires=DAYS, offset=st.sampled_from([-1, 0, 1]))
    def test_P2_01_a_consent_expires_the_day_after_its_date(
        self, expires: date, offset: int
    ) -> None:
        decision = check_part2(
            part2_consent(expiration_date=expires), on=expires + timedelta(days=offset)
        )
        assert ("P2_CONSENT_EXPIRED" in decision.codes) is (offset > 0)

    def test_P2_01_an_expiration_event_that_occurred_ends_the_consent(self) -> None:
        consent = part2_consent(expiration_date=None, expiration_event_occurred=True)
        assert check_part2(consent, on=TODAY).codes == ("P2_CONSENT_EXPIRED",)

    @BOUNDARY
    @given(revoked=DAYS, offset=st.sampled_from([-1, 0, 1]))
    def test_P2_01_a_revoked_consent_stops_from_its_revocation_date(
        self, revoked: date, offset: int
    ) -> None:
        consent = part2_consent(expiration_date=None, revoked_on=revoked)
        decision = check_part2(consent, on=revoked + timedelta(days=offset))
        assert ("P2_CONSENT_REVOKED" in decision.codes) is (offset >= 0)

    def test_P2_01_the_patient_receives_own_part2_records_without_consent(self) -> None:
        release = decide_release(
            access_request(), patient_recipient(), [SUD], on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ("sud",)
        assert release.notices == ()


class TestP202:
    def test_P2_02_a_consent_based_disclosure_carries_the_notice_and_consent_copy_first(
        self,
    ) -> None:
        rules = site_rules()
        release = decide_release(
            authorization(special_releases=frozenset({"hiv"})),
            recipient(),
            [document("hiv", labels=frozenset({"hiv"})), SUD],
            on=TODAY,
            site_rules=rules,
            part2_consent=part2_consent(),
        )
        assert release.included == ("hiv", "sud")
        ids = [n.id for n in release.notices]
        assert ids == ["part2_statement_2", "part2_consent_copy", "ny_hiv_redisclosure"]
        assert [n.first_pages for n in release.notices] == [True, True, False]
        assert release.notices[0].text == rules.part2_notice.text
        assert {n.rule_id for n in release.notices[:2]} == {"P2-02"}

    def test_P2_02_the_statement_is_the_one_the_site_chose(self) -> None:
        rules = site_rules(
            part2_statement="statement_1",
            notices={
                **default_rules_dict()["notices"],
                "part2_statement_1": {
                    "rule_id": "P2-02",
                    "title": "Notice (42 CFR 2.32)",
                    "text": "Synthetic statement one text for the test.",
                },
            },
        )
        release = decide_release(
            authorization(),
            recipient(),
            [SUD],
            on=TODAY,
            site_rules=rules,
            part2_consent=part2_consent(),
        )
        assert release.notices[0].id == "part2_statement_1"
        assert release.notices[0].text == "Synthetic statement one text for the test."

    def test_P2_02_notices_appear_once_however_many_part2_records(self) -> None:
        docs = [document("a", part2=True), document("b", part2=True)]
        release = decide_release(
            authorization(),
            recipient(),
            docs,
            on=TODAY,
            site_rules=no_state_rules(),
            part2_consent=part2_consent(),
        )
        assert [n.id for n in release.notices] == ["part2_statement_2", "part2_consent_copy"]

    def test_P2_02_no_notice_when_no_part2_record_is_included(self) -> None:
        release = decide_release(
            authorization(), recipient(), [SUD], on=TODAY, site_rules=no_state_rules()
        )
        assert release.notices == ()


class TestP203:
    def test_P2_03_part2_records_never_go_to_proceedings_against_the_patient(self) -> None:
        process = subpoena(proceedings_against_patient=True)
        release = decide_release(process, recipient(), [SUD], on=TODAY, site_rules=no_state_rules())
        codes = [r.code for r in release.excluded[0].reasons]
        assert codes == ["LEGAL_PROCESS_P2_EXCLUDED", "P2_PROCEEDINGS_AGAINST_PATIENT"]

    def test_P2_03_an_ordinary_consent_does_not_cover_proceedings_against_the_patient(
        self,
    ) -> None:
        decision = check_part2(part2_consent(), on=TODAY, against_patient=True)
        assert decision.codes == ("P2_PROCEEDINGS_AGAINST_PATIENT",)
        assert decision.findings[0].rule_id == "P2-03"

    def test_P2_03_consent_to_that_use_allows_it(self) -> None:
        consent = part2_consent(permits_proceedings_against_patient=True)
        assert check_part2(consent, on=TODAY, against_patient=True).allowed

    def test_P2_03_a_2_64_court_order_allows_it(self) -> None:
        order = court_order(
            court_order().items[0], part2_order=True, proceedings_against_patient=True
        )
        release = decide_release(
            order,
            recipient(),
            [document("sud", part2=True)],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert release.included == ("sud",)

    def test_P2_03_a_court_order_without_2_64_findings_does_not(self) -> None:
        order = court_order(proceedings_against_patient=True)
        release = decide_release(
            order,
            recipient(),
            [SUD],
            on=TODAY,
            site_rules=no_state_rules(),
            part2_consent=part2_consent(),
        )
        assert [r.code for r in release.excluded[0].reasons] == ["P2_PROCEEDINGS_AGAINST_PATIENT"]


def test_a_personal_representative_receives_part2_records_under_access() -> None:
    release = decide_release(
        access_request(),
        patient_recipient(RecipientKind.PERSONAL_REPRESENTATIVE),
        [SUD],
        on=TODAY,
        site_rules=no_state_rules(),
    )
    assert release.included == ("sud",)
