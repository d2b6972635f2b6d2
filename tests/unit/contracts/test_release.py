"""The combined release decision: AUTH-06, AUTH-08, BA-01, BA-03, MN-01, AOD-01, AOD-02 and the
sensitive flag (DESIGN.md's second approver)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    AccountingCategory,
    Basis,
    DateRange,
    Demographics,
    NamedRecipient,
    OrderItem,
    Outcome,
    Recipient,
    RecipientKind,
    Scope,
    TpoPurpose,
    VendorFunction,
    decide_release,
)
from tests.unit.contracts.builders import (
    BOUNDARY,
    PATIENT,
    TODAY,
    access_request,
    authorization,
    baa,
    court_order,
    directive,
    document,
    no_state_rules,
    part2_consent,
    patient_recipient,
    payer_recipient,
    recipient,
    subpoena,
    tpo_request,
    vendor,
    years,
)

PN = document("pn", document_type="psychotherapy_note")
RULES = no_state_rules()


class TestAUTH06:
    def test_AUTH_06_psychotherapy_notes_are_stripped_under_a_general_authorization(self) -> None:
        release = decide_release(
            authorization(), recipient(), [PN, document("ds")], on=TODAY, site_rules=RULES
        )
        assert release.allowed
        assert release.included == ("ds",)
        reasons = release.excluded[0].reasons
        assert [r.code for r in reasons] == ["PN_EXCLUDED"]
        assert reasons[0].rule_id == "AUTH-06"

    def test_AUTH_06_a_pn_specific_authorization_releases_them(self) -> None:
        auth = authorization(psychotherapy_notes=True)
        release = decide_release(auth, recipient(), [PN], on=TODAY, site_rules=RULES)
        assert release.included == ("pn",)
        assert release.sensitive

    def test_AUTH_06_a_compounded_pn_authorization_does_not(self) -> None:
        auth = authorization(psychotherapy_notes=True, compounded=True)
        release = decide_release(auth, recipient(), [PN], on=TODAY, site_rules=RULES)
        assert release.included == ()

    def test_AUTH_06_a_pn_label_on_another_type_counts_too(self) -> None:
        labelled = document("pn2", labels=frozenset({"psychotherapy_note"}))
        release = decide_release(
            authorization(), recipient(), [labelled], on=TODAY, site_rules=RULES
        )
        assert release.included == ()

    @pytest.mark.parametrize(
        ("basis", "to"),
        [
            (access_request(), patient_recipient()),
            (tpo_request(), payer_recipient()),
            (directive(), recipient()),
            (court_order(OrderItem(document_type="psychotherapy_note")), recipient()),
        ],
    )
    def test_AUTH_06_no_other_basis_releases_psychotherapy_notes(
        self, basis: Basis, to: Recipient
    ) -> None:
        release = decide_release(basis, to, [PN], on=TODAY, site_rules=RULES)
        assert [r.code for r in release.excluded[0].reasons] == ["PN_EXCLUDED"]


class TestAUTH08:
    def test_AUTH_08_a_different_email_domain_blocks_with_scope_recipient(self) -> None:
        other = recipient(email="paralegal@elsewhere.test")
        release = decide_release(authorization(), other, [document()], on=TODAY, site_rules=RULES)
        assert not release.allowed
        assert [f.code for f in release.findings] == ["SCOPE_RECIPIENT"]
        assert release.findings[0].rule_id == "AUTH-08"
        assert release.outcome is Outcome.REJECTED

    def test_AUTH_08_another_address_at_the_named_domain_is_the_same_recipient(self) -> None:
        same = recipient(email="Intake@EXAMPLE-LAW.test")
        assert decide_release(
            authorization(), same, [document()], on=TODAY, site_rules=RULES
        ).allowed

    def test_AUTH_08_a_different_recipient_name_blocks(self) -> None:
        other = recipient(name="Other Firm LLP")
        release = decide_release(authorization(), other, [document()], on=TODAY, site_rules=RULES)
        assert [f.code for f in release.findings] == ["SCOPE_RECIPIENT"]

    def test_AUTH_08_a_postal_delivery_must_go_to_the_named_address(self) -> None:
        named = NamedRecipient("Example Law Group LLP", address="1 Main St., Springfield")
        auth = authorization(recipient=named)
        same = recipient(email=None, address="1 main st springfield")
        other = recipient(email=None, address="9 Elm St, Springfield")
        by_mail = recipient(email="paralegal@example-law.test")
        results = [
            decide_release(auth, r, [document()], on=TODAY, site_rules=RULES).allowed
            for r in (same, other, by_mail)
        ]
        assert results == [True, False, False]

    def test_AUTH_08_a_named_email_does_not_allow_postal_delivery(self) -> None:
        postal = recipient(email=None, address="1 Main St, Springfield")
        release = decide_release(authorization(), postal, [document()], on=TODAY, site_rules=RULES)
        assert not release.allowed

    def test_AUTH_08_a_recipient_named_only_by_name_matches_on_the_name(self) -> None:
        auth = authorization(recipient=NamedRecipient("Example Law Group, LLP"))
        release = decide_release(auth, recipient(), [document()], on=TODAY, site_rules=RULES)
        assert release.allowed

    def test_AUTH_08_types_outside_the_scope_are_excluded(self) -> None:
        auth = authorization(scope=Scope(document_types=frozenset({"discharge_summary"})))
        docs = [document("ds"), document("lab", document_type="lab_result")]
        release = decide_release(auth, recipient(), docs, on=TODAY, site_rules=RULES)
        assert release.included == ("ds",)
        assert [r.code for r in release.excluded[0].reasons] == ["SCOPE_DOCUMENT_TYPE"]

    @BOUNDARY
    @given(offset=st.sampled_from([-1, 0, 1]), edge=st.sampled_from(["start", "end"]))
    def test_AUTH_08_dates_outside_the_scope_are_excluded(self, offset: int, edge: str) -> None:
        scope = Scope(dates=years(2024, 2025))
        boundary = date(2024, 1, 1) if edge == "start" else date(2025, 12, 31)
        day = boundary + timedelta(days=offset)
        outside = (edge == "start" and offset < 0) or (edge == "end" and offset > 0)
        release = decide_release(
            authorization(scope=scope),
            recipient(),
            [document(service_date=day)],
            on=TODAY,
            site_rules=RULES,
        )
        assert (release.included == ()) is outside
        if outside:
            assert [r.code for r in release.excluded[0].reasons] == ["SCOPE_DATE"]

    def test_AUTH_08_a_missing_recipient_is_an_element_finding_not_a_mismatch(self) -> None:
        release = decide_release(
            authorization(recipient=None), recipient(), [document()], on=TODAY, site_rules=RULES
        )
        assert [f.code for f in release.findings] == ["AUTH_MISSING_ELEMENT:recipient"]


class TestBA01InRelease:
    def test_BA_01_a_vendor_without_a_baa_is_blocked(self) -> None:
        release = decide_release(None, vendor(), [document()], on=TODAY, site_rules=RULES)
        assert [f.code for f in release.findings] == ["BAA_MISSING"]
        assert not release.allowed

    def test_BA_01_a_vendor_with_an_active_baa_covering_the_function_may_receive(self) -> None:
        release = decide_release(
            None, vendor(), [document()], on=TODAY, site_rules=RULES, baa=baa()
        )
        assert release.allowed
        assert release.accounting.accounting_exempt

    @pytest.mark.parametrize("function", list(VendorFunction))
    def test_BA_01_every_vendor_kind_needs_a_baa(self, function: VendorFunction) -> None:
        release = decide_release(None, vendor(function), [document()], on=TODAY, site_rules=RULES)
        assert [f.code for f in release.findings] == ["BAA_MISSING"]

    def test_BA_01_a_vendor_outside_its_covered_functions_is_blocked(self) -> None:
        release = decide_release(
            None,
            vendor(VendorFunction.SCANNING),
            [document()],
            on=TODAY,
            site_rules=RULES,
            baa=baa(),
        )
        assert [f.code for f in release.findings] == ["BAA_FUNCTION_NOT_COVERED"]

    @BOUNDARY
    @given(offset=st.sampled_from([-1, 0, 1]))
    def test_BA_01_the_baa_is_judged_on_the_release_date(self, offset: int) -> None:
        agreement = baa(ends_on=date(2026, 6, 30))
        on = date(2026, 6, 30) + timedelta(days=offset)
        release = decide_release(
            None, vendor(), [document()], on=on, site_rules=RULES, baa=agreement
        )
        assert release.allowed is (offset <= 0)


class TestBA03:
    @pytest.mark.parametrize(
        "kind", [RecipientKind.ATTORNEY, RecipientKind.INSURER, RecipientKind.PATIENT_DESIGNEE]
    )
    def test_BA_03_these_recipients_never_need_a_baa(self, kind: RecipientKind) -> None:
        to = recipient(kind=kind)
        release = decide_release(authorization(), to, [document()], on=TODAY, site_rules=RULES)
        assert release.allowed
        assert not any(f.code.startswith("BAA_") for f in release.findings)

    @pytest.mark.parametrize(
        "kind", [RecipientKind.ATTORNEY, RecipientKind.INSURER, RecipientKind.PATIENT_DESIGNEE]
    )
    def test_BA_03_but_they_need_a_legal_basis(self, kind: RecipientKind) -> None:
        release = decide_release(
            None, recipient(kind=kind), [document()], on=TODAY, site_rules=RULES, baa=baa()
        )
        assert [f.code for f in release.findings] == ["LEGAL_BASIS_MISSING"]
        assert release.findings[0].rule_id == "BA-03"
        assert not release.allowed


class TestMN01:
    def test_MN_01_a_payer_asking_for_the_complete_record_is_held(self) -> None:
        release = decide_release(
            tpo_request(complete_record=True),
            payer_recipient(),
            [document()],
            on=TODAY,
            site_rules=RULES,
        )
        assert [f.code for f in release.findings] == ["MN_JUSTIFICATION_REQUIRED"]
        assert release.findings[0].rule_id == "MN-01"
        assert release.outcome is Outcome.ON_HOLD
        assert release.reviewer_note_required

    def test_MN_01_a_reviewer_note_releases_the_hold(self) -> None:
        request = tpo_request(complete_record=True, reviewer_note="Audit of the whole stay")
        release = decide_release(
            request, payer_recipient(), [document()], on=TODAY, site_rules=RULES
        )
        assert release.allowed
        assert release.reviewer_note_required

    @pytest.mark.parametrize("purpose", list(TpoPurpose))
    def test_MN_01_only_payment_and_operations_are_held(self, purpose: TpoPurpose) -> None:
        request = tpo_request(purpose=purpose, complete_record=True)
        release = decide_release(
            request, payer_recipient(), [document()], on=TODAY, site_rules=RULES
        )
        assert release.allowed is (purpose is TpoPurpose.TREATMENT)

    def test_MN_01_a_scoped_request_is_not_held(self) -> None:
        request = tpo_request(scope=Scope(dates=DateRange(date(2025, 1, 1), None)))
        release = decide_release(
            request, payer_recipient(), [document()], on=TODAY, site_rules=RULES
        )
        assert release.allowed
        assert not release.reviewer_note_required


class TestAOD:
    def test_AOD_01_subpoena_and_court_order_releases_are_accounted_for(self) -> None:
        for basis in (subpoena(), court_order()):
            release = decide_release(basis, recipient(), [document()], on=TODAY, site_rules=RULES)
            assert not release.accounting.accounting_exempt
            assert release.accounting.category is AccountingCategory.LEGAL_PROCESS
            assert release.accounting.rule_id == "AOD-01"

    @pytest.mark.parametrize(
        ("basis", "to", "category"),
        [
            (authorization(), recipient(), AccountingCategory.AUTHORIZATION),
            (tpo_request(), payer_recipient(), AccountingCategory.TPO),
            (access_request(), patient_recipient(), AccountingCategory.TO_INDIVIDUAL),
            (directive(), recipient(), AccountingCategory.TO_INDIVIDUAL),
        ],
    )
    def test_AOD_02_authorization_tpo_and_individual_releases_are_exempt(
        self, basis: Basis, to: Recipient, category: AccountingCategory
    ) -> None:
        release = decide_release(basis, to, [document()], on=TODAY, site_rules=RULES)
        assert release.accounting.accounting_exempt
        assert release.accounting.category is category
        assert release.accounting.rule_id == "AOD-02"


class TestSensitive:
    @pytest.mark.parametrize("label", ["hiv", "genetic", "reproductive", "minor_consented"])
    def test_a_sensitive_label_on_an_included_record_makes_the_release_sensitive(
        self, label: str
    ) -> None:
        doc = document(labels=frozenset({label}))
        release = decide_release(authorization(), recipient(), [doc], on=TODAY, site_rules=RULES)
        assert release.sensitive

    def test_a_part2_record_included_under_consent_is_sensitive(self) -> None:
        release = decide_release(
            authorization(),
            recipient(),
            [document(part2=True)],
            on=TODAY,
            site_rules=RULES,
            part2_consent=part2_consent(),
        )
        assert release.sensitive

    def test_a_subpoena_basis_is_sensitive_whatever_the_records(self) -> None:
        release = decide_release(subpoena(), recipient(), [document()], on=TODAY, site_rules=RULES)
        assert release.sensitive

    def test_an_ordinary_release_is_not_sensitive(self) -> None:
        release = decide_release(
            authorization(), recipient(), [document()], on=TODAY, site_rules=RULES
        )
        assert not release.sensitive

    def test_an_excluded_sensitive_record_does_not_make_the_packet_sensitive(self) -> None:
        release = decide_release(authorization(), recipient(), [PN], on=TODAY, site_rules=RULES)
        assert not release.sensitive


class TestCombined:
    def test_an_expired_authorization_blocks_the_whole_release(self) -> None:
        auth = authorization(expiration_date=TODAY - timedelta(days=1))
        release = decide_release(auth, recipient(), [document()], on=TODAY, site_rules=RULES)
        assert [f.code for f in release.findings] == ["AUTH_EXPIRED"]
        assert not release.allowed

    def test_an_mpi_conflict_holds_the_release(self) -> None:
        mpi = Demographics("Someone Else", PATIENT.birth_date)
        release = decide_release(
            authorization(), recipient(), [document()], on=TODAY, site_rules=RULES, mpi=mpi
        )
        assert release.outcome is Outcome.ON_HOLD

    def test_a_vendor_acting_on_an_authorization_must_be_its_named_recipient(self) -> None:
        release = decide_release(
            authorization(), vendor(), [document()], on=TODAY, site_rules=RULES, baa=baa()
        )
        assert [f.code for f in release.findings] == ["SCOPE_RECIPIENT"]

    def test_every_document_gets_a_decision_in_input_order(self) -> None:
        docs = [document("a"), PN, document("c", part2=True)]
        release = decide_release(authorization(), recipient(), docs, on=TODAY, site_rules=RULES)
        assert [d.document_id for d in release.documents] == ["a", "pn", "c"]
        assert [d.included for d in release.documents] == [True, False, False]
        assert all(d.reasons for d in release.excluded)

    def test_a_vendor_under_its_baa_gets_no_part2_records_without_consent(self) -> None:
        release = decide_release(
            None, vendor(), [document(part2=True)], on=TODAY, site_rules=RULES, baa=baa()
        )
        assert [r.code for r in release.excluded[0].reasons] == ["P2_CONSENT_REQUIRED"]

    def test_a_court_order_names_its_recipient(self) -> None:
        order = court_order(recipient=NamedRecipient("County Court Clerk"))
        release = decide_release(order, recipient(), [document()], on=TODAY, site_rules=RULES)
        assert [f.code for f in release.findings] == ["SCOPE_RECIPIENT"]
