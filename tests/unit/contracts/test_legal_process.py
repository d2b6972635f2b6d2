"""Subpoenas, court orders and QPOs (45 CFR 164.512(e)): LEG-01..04."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    DateRange,
    Objections,
    OrderItem,
    Outcome,
    check_legal_process,
    check_qpo,
    decide_release,
)
from tests.unit.contracts.builders import (
    BOUNDARY,
    TODAY,
    assurance,
    court_order,
    document,
    no_state_rules,
    part2_consent,
    qpo,
    recipient,
    subpoena,
)

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


class TestLEG01:
    def test_LEG_01_documents_the_order_does_not_name_are_excluded(self) -> None:
        order = court_order(
            OrderItem(
                document_type="discharge_summary",
                dates=DateRange(date(2025, 1, 1), date(2025, 12, 31)),
            )
        )
        docs = [
            document("named"),
            document("other-type", document_type="lab_result"),
            document("other-date", service_date=date(2024, 12, 31)),
        ]
        release = decide_release(order, recipient(), docs, on=TODAY, site_rules=no_state_rules())
        assert release.allowed
        assert release.included == ("named",)
        excluded = {d.document_id: [r.code for r in d.reasons] for d in release.excluded}
        assert excluded == {
            "other-type": ["COURT_ORDER_ITEM_NOT_NAMED"],
            "other-date": ["COURT_ORDER_ITEM_NOT_NAMED"],
        }
        assert release.excluded[0].reasons[0].rule_id == "LEG-01"

    def test_LEG_01_an_item_may_name_a_document_by_id(self) -> None:
        order = court_order(OrderItem(document_id="doc-7"))
        docs = [document("doc-7", document_type="imaging"), document("doc-8")]
        release = decide_release(order, recipient(), docs, on=TODAY, site_rules=no_state_rules())
        assert release.included == ("doc-7",)

    def test_LEG_01_a_court_order_needs_no_notice_assurance(self) -> None:
        assert check_legal_process(court_order(), on=TODAY).findings == ()


class TestLEG02:
    def test_LEG_02_a_subpoena_without_assurance_or_qpo_is_held(self) -> None:
        decision = check_legal_process(subpoena(assurance=None), on=TODAY)
        assert "SUBPOENA_ASSURANCE_MISSING" in decision.codes
        assert decision.outcome is Outcome.ON_HOLD

    def test_LEG_02_complete_notice_assurance_satisfies_the_subpoena(self) -> None:
        decision = check_legal_process(subpoena(), on=TODAY)
        assert decision.allowed
        assert decision.codes == ("SUBPOENA_MN_REVIEW",)

    def test_LEG_02_a_valid_qpo_alone_satisfies_the_subpoena(self) -> None:
        decision = check_legal_process(subpoena(assurance=None, qpo=qpo()), on=TODAY)
        assert decision.allowed

    def test_LEG_02_a_valid_qpo_makes_up_for_incomplete_assurance(self) -> None:
        process = subpoena(assurance=assurance(proof_of_mailing=False), qpo=qpo())
        assert check_legal_process(process, on=TODAY).allowed

    def test_LEG_02_assurance_missing_the_notice_copy_and_mailing_proof_is_held(self) -> None:
        process = subpoena(assurance=assurance(notice_copy=False, proof_of_mailing=False))
        decision = check_legal_process(process, on=TODAY)
        assert decision.on_hold
        assert set(decision.codes) == {
            "SUBPOENA_ASSURANCE_INCOMPLETE:notice_copy",
            "SUBPOENA_ASSURANCE_INCOMPLETE:proof_of_mailing",
            "SUBPOENA_MN_REVIEW",
        }

    @BOUNDARY
    @given(deadline=DAYS, offset=st.sampled_from([-1, 0, 1]))
    def test_LEG_02_held_until_the_objection_deadline_has_passed(
        self, deadline: date, offset: int
    ) -> None:
        process = subpoena(assurance=assurance(objection_deadline=deadline))
        decision = check_legal_process(process, on=deadline + timedelta(days=offset))
        assert ("SUBPOENA_OBJECTION_PERIOD_OPEN" in decision.codes) is (offset <= 0)
        assert decision.allowed is (offset > 0)

    def test_LEG_02_a_pending_objection_holds_and_a_resolved_one_does_not(self) -> None:
        pending = subpoena(assurance=assurance(objections=Objections.PENDING))
        resolved = subpoena(assurance=assurance(objections=Objections.RESOLVED))
        assert "SUBPOENA_OBJECTION_PENDING" in check_legal_process(pending, on=TODAY).codes
        assert check_legal_process(resolved, on=TODAY).allowed

    def test_LEG_02_both_routes_failing_lists_both(self) -> None:
        process = subpoena(assurance=assurance(notice_copy=False), qpo=qpo(returns=False))
        codes = check_legal_process(process, on=TODAY).codes
        assert "SUBPOENA_ASSURANCE_INCOMPLETE:notice_copy" in codes
        assert "QPO_INVALID" in codes


class TestLEG03:
    def test_LEG_03_a_qpo_without_the_use_restriction_is_invalid(self) -> None:
        decision = check_qpo(qpo(prohibits=False))
        assert decision.codes == ("QPO_INVALID",)
        assert decision.findings[0].rule_id == "LEG-03"

    def test_LEG_03_a_qpo_without_return_or_destruction_is_invalid(self) -> None:
        assert check_qpo(qpo(returns=False)).codes == ("QPO_INVALID",)

    def test_LEG_03_a_qpo_with_both_clauses_is_valid(self) -> None:
        assert check_qpo(qpo()).allowed

    def test_LEG_03_an_invalid_qpo_does_not_release_a_subpoena(self) -> None:
        decision = check_legal_process(subpoena(assurance=None, qpo=qpo(returns=False)), on=TODAY)
        assert not decision.allowed
        assert "QPO_INVALID" in decision.codes


class TestLEG04:
    def test_LEG_04_a_subpoena_release_needs_the_minimum_necessary_reviewer(self) -> None:
        release = decide_release(
            subpoena(), recipient(), [document()], on=TODAY, site_rules=no_state_rules()
        )
        assert release.allowed
        assert release.reviewer_note_required
        assert [f.code for f in release.findings] == ["SUBPOENA_MN_REVIEW"]
        assert release.findings[0].rule_id == "LEG-04"

    def test_LEG_04_psychotherapy_notes_are_excluded_from_subpoena_releases(self) -> None:
        docs = [document("pn", document_type="psychotherapy_note"), document("ds")]
        release = decide_release(
            subpoena(), recipient(), docs, on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ("ds",)
        assert [r.code for r in release.excluded[0].reasons] == ["PN_EXCLUDED"]

    def test_LEG_04_part2_records_are_excluded_from_subpoena_releases(self) -> None:
        docs = [document("sud", part2=True), document("ds")]
        release = decide_release(
            subpoena(), recipient(), docs, on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ("ds",)
        reasons = release.excluded[0].reasons
        assert [r.code for r in reasons] == ["LEGAL_PROCESS_P2_EXCLUDED"]
        assert reasons[0].rule_id == "LEG-04"
        assert reasons[0].subject == "sud"

    def test_LEG_04_part2_records_need_a_part2_order_even_under_a_court_order(self) -> None:
        docs = [document("sud", part2=True)]
        plain = decide_release(
            court_order(), recipient(), docs, on=TODAY, site_rules=no_state_rules()
        )
        assert [r.code for r in plain.excluded[0].reasons] == ["LEGAL_PROCESS_P2_EXCLUDED"]
        ordered = decide_release(
            court_order(part2_order=True), recipient(), docs, on=TODAY, site_rules=no_state_rules()
        )
        assert ordered.included == ("sud",)
        assert ordered.notices == (), "2.32 notices go with consent-based disclosures"

    def test_LEG_04_a_part2_consent_lets_part2_records_go_with_a_subpoena(self) -> None:
        release = decide_release(
            subpoena(),
            recipient(),
            [document("sud", part2=True)],
            on=TODAY,
            site_rules=no_state_rules(),
            part2_consent=part2_consent(),
        )
        assert release.included == ("sud",)

    def test_LEG_04_a_court_order_release_needs_no_extra_reviewer_note(self) -> None:
        release = decide_release(
            court_order(), recipient(), [document()], on=TODAY, site_rules=no_state_rules()
        )
        assert not release.reviewer_note_required
