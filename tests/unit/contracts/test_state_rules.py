"""State-law and sensitive categories, as site data: ST-01 (HIV release and NY statement),
ST-02 (minor-consented care), ST-04 (configurable attestations, none federal)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    OrderItem,
    Outcome,
    RecipientKind,
    RequestType,
    Signer,
    SignerKind,
    decide_release,
)
from tests.unit.contracts.builders import (
    BOUNDARY,
    TODAY,
    access_request,
    authorization,
    court_order,
    document,
    no_state_rules,
    patient_recipient,
    recipient,
    site_rules,
    subpoena,
)

HIV_DOC = document("hiv", document_type="lab_result", labels=frozenset({"hiv"}))
REPRO_DOC = document("repro", labels=frozenset({"reproductive"}))
PARENT = Signer(SignerKind.PARENT, "Mother of the minor patient", True)


def attestation_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "wa_shield",
        "label": "reproductive",
        "request_types": ["judicial", "law_enforcement"],
        "jurisdiction": "US-WA",
        "effective_from": date(2026, 1, 1),
    }
    rule.update(overrides)
    return rule


class TestST01:
    def test_ST_01_hiv_records_need_the_state_hiv_release(self) -> None:
        release = decide_release(
            authorization(),
            recipient(),
            [HIV_DOC, document("ds")],
            on=TODAY,
            site_rules=site_rules(),
        )
        assert release.included == ("ds",)
        reasons = release.excluded[0].reasons
        assert [r.code for r in reasons] == ["ST_HIV_RELEASE_REQUIRED"]
        assert reasons[0].rule_id == "ST-01"
        assert release.notices == ()

    def test_ST_01_with_the_hiv_release_the_packet_gets_the_ny_statement(self) -> None:
        release = decide_release(
            authorization(special_releases=frozenset({"hiv"})),
            recipient(),
            [HIV_DOC],
            on=TODAY,
            site_rules=site_rules(),
        )
        assert release.included == ("hiv",)
        assert [n.id for n in release.notices] == ["ny_hiv_redisclosure"]
        assert "NOT sufficient" in release.notices[0].text
        assert release.notices[0].rule_id == "ST-01"
        assert release.sensitive

    def test_ST_01_releases_to_the_patient_need_neither_release_nor_statement(self) -> None:
        release = decide_release(
            access_request(), patient_recipient(), [HIV_DOC], on=TODAY, site_rules=site_rules()
        )
        assert release.included == ("hiv",)
        assert release.notices == ()

    def test_ST_01_a_court_order_with_the_state_findings_releases_hiv_records(self) -> None:
        order = court_order(
            OrderItem(document_type="lab_result"), special_categories=frozenset({"hiv"})
        )
        release = decide_release(order, recipient(), [HIV_DOC], on=TODAY, site_rules=site_rules())
        assert release.included == ("hiv",)
        assert [n.id for n in release.notices] == ["ny_hiv_redisclosure"]

    def test_ST_01_without_the_category_in_site_rules_nothing_is_added(self) -> None:
        release = decide_release(
            authorization(), recipient(), [HIV_DOC], on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ("hiv",)

    @BOUNDARY
    @given(offset=st.sampled_from([-1, 0, 1]))
    def test_ST_01_the_category_applies_from_its_effective_date(self, offset: int) -> None:
        start = date(2026, 3, 1)
        rules = site_rules(
            sensitive_categories=[
                {
                    "label": "hiv",
                    "jurisdiction": "US-NY",
                    "release": "hiv",
                    "exclusion_code": "ST_HIV_RELEASE_REQUIRED",
                    "notice": "ny_hiv_redisclosure",
                    "exempt_recipients": ["patient"],
                    "effective_from": start,
                    "effective_to": start + timedelta(days=10),
                }
            ]
        )
        on = start + timedelta(days=offset)
        release = decide_release(authorization(), recipient(), [HIV_DOC], on=on, site_rules=rules)
        assert (release.included == ()) is (offset >= 0)

    def test_ST_01_another_state_category_is_excluded_with_the_generic_code(self) -> None:
        genetic = {
            "label": "genetic",
            "jurisdiction": "US-XX",
            "release": "genetic",
            "exclusion_code": "ST_SPECIAL_RELEASE_REQUIRED",
            "exempt_recipients": [],
            "effective_from": date(2020, 1, 1),
        }
        rules = site_rules(sensitive_categories=[genetic])
        doc = document("dna", labels=frozenset({"genetic"}))
        release = decide_release(authorization(), recipient(), [doc], on=TODAY, site_rules=rules)
        assert [r.code for r in release.excluded[0].reasons] == ["ST_SPECIAL_RELEASE_REQUIRED"]
        special = authorization(special_releases=frozenset({"genetic"}))
        allowed = decide_release(special, recipient(), [doc], on=TODAY, site_rules=rules)
        assert allowed.included == ("dna",)
        assert allowed.notices == (), "this category has no notice"


class TestST02:
    def test_ST_02_minor_consented_records_are_excluded_when_a_parent_authorizes(self) -> None:
        docs = [document("teen", minor=True), document("ds")]
        release = decide_release(
            authorization(signer=PARENT), recipient(), docs, on=TODAY, site_rules=no_state_rules()
        )
        assert release.included == ("ds",)
        reasons = release.excluded[0].reasons
        assert [r.code for r in reasons] == ["MINOR_CONSENTED_EXCLUDED"]
        assert reasons[0].rule_id == "ST-02"
        assert reasons[0].subject == "teen"

    def test_ST_02_a_guardian_access_request_does_not_reach_them_either(self) -> None:
        request = access_request(requested_by=SignerKind.GUARDIAN)
        release = decide_release(
            request,
            patient_recipient(RecipientKind.PERSONAL_REPRESENTATIVE),
            [document("teen", labels=frozenset({"minor_consented"}))],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert release.included == ()

    def test_ST_02_the_minor_patient_s_own_authorization_covers_them(self) -> None:
        release = decide_release(
            authorization(),
            recipient(),
            [document("teen", minor=True)],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert release.included == ("teen",)
        assert release.sensitive

    def test_ST_02_a_court_order_is_not_a_parental_release(self) -> None:
        order = court_order(OrderItem(document_type="discharge_summary"))
        release = decide_release(
            order,
            recipient(),
            [document("teen", minor=True)],
            on=TODAY,
            site_rules=no_state_rules(),
        )
        assert release.included == ("teen",)


class TestST04:
    def test_ST_04_there_is_no_federal_reproductive_attestation(self) -> None:
        release = decide_release(
            subpoena(), recipient(), [REPRO_DOC], on=TODAY, site_rules=no_state_rules()
        )
        assert release.allowed
        assert "ST_ATTESTATION_REQUIRED" not in [f.code for f in release.findings]

    def test_ST_04_a_configured_attestation_holds_a_judicial_request(self) -> None:
        rules = site_rules(attestations=[attestation_rule()])
        release = decide_release(subpoena(), recipient(), [REPRO_DOC], on=TODAY, site_rules=rules)
        held = [f for f in release.findings if f.code == "ST_ATTESTATION_REQUIRED"]
        assert [f.subject for f in held] == ["wa_shield"]
        assert held[0].rule_id == "ST-04"
        assert release.outcome is Outcome.ON_HOLD

    def test_ST_04_a_supplied_attestation_releases_the_hold(self) -> None:
        rules = site_rules(attestations=[attestation_rule()])
        process = subpoena(attestations=frozenset({"wa_shield"}))
        release = decide_release(process, recipient(), [REPRO_DOC], on=TODAY, site_rules=rules)
        assert release.allowed

    def test_ST_04_request_types_outside_the_rule_are_not_held(self) -> None:
        rules = site_rules(attestations=[attestation_rule(request_types=["coroner"])])
        release = decide_release(subpoena(), recipient(), [REPRO_DOC], on=TODAY, site_rules=rules)
        assert release.allowed
        coroner = subpoena(request_type=RequestType.CORONER)
        held = decide_release(coroner, recipient(), [REPRO_DOC], on=TODAY, site_rules=rules)
        assert not held.allowed

    def test_ST_04_records_without_the_label_need_no_attestation(self) -> None:
        rules = site_rules(attestations=[attestation_rule()])
        release = decide_release(subpoena(), recipient(), [document()], on=TODAY, site_rules=rules)
        assert release.allowed

    def test_ST_04_authorizations_are_not_attestation_request_types(self) -> None:
        rules = site_rules(attestations=[attestation_rule()])
        release = decide_release(
            authorization(), recipient(), [REPRO_DOC], on=TODAY, site_rules=rules
        )
        assert release.allowed

    @BOUNDARY
    @given(offset=st.sampled_from([-1, 0, 1]))
    def test_ST_04_an_attestation_rule_applies_from_its_effective_date(self, offset: int) -> None:
        start = date(2026, 3, 1)
        rules = site_rules(attestations=[attestation_rule(effective_from=start)])
        on = start + timedelta(days=offset)
        release = decide_release(subpoena(), recipient(), [REPRO_DOC], on=on, site_rules=rules)
        assert release.allowed is (offset < 0)

    def test_ST_04_the_shipped_rule_asks_for_an_attestation_on_reproductive_records(
        self,
    ) -> None:
        release = decide_release(
            subpoena(), recipient(), [REPRO_DOC], on=TODAY, site_rules=site_rules()
        )
        assert [f.subject for f in release.findings if f.code == "ST_ATTESTATION_REQUIRED"] == [
            "reproductive_health_attestation"
        ]
