"""The redaction plan follows the basis, the recipient and the patient (pure)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from gateway.releases.assembly.plan import (
    Audience,
    DocumentPlanInput,
    PatientIdentity,
    date_forms,
    foreign_mrn_pattern,
    identity_tokens,
    name_forms,
    plan_for,
    policy_for,
)
from redaction import Box
from redaction.matching import NormalisedText, contains_term, find_detected

PATIENT = PatientIdentity(
    mrn="MRN-400117",
    family_name="Okonkwo-Halvorsen",
    given_name="Ann",
    birth_date=date(1970, 1, 2),
    identifiers=(
        ("ssn", "412-55-0193"),
        ("phone", "(555) 014-2231"),
        ("email", "ann.oh@example.test"),
        ("address", "12 Synthetic Lane, Springfield"),
    ),
)
ATTORNEY = Audience("attorney", "authorization")
PATIENT_HERSELF = Audience("patient", "access_request")
DEID = Audience("researcher", "authorization", de_identified=True)


def _detected(text: str, pattern: str) -> list[str]:
    norm = NormalisedText.of(text)
    return [text[s.start : s.end] for s in find_detected(norm, "mrn", pattern)]


class TestWrittenForms:
    def test_a_date_of_birth_is_written_in_the_usual_formats(self) -> None:
        forms = date_forms(date(1970, 1, 2))
        for written in ("01/02/1970", "1/2/1970", "1970-01-02", "Jan 2, 1970", "2 January 1970"):
            assert written in forms
        assert "January 2, 1970" in forms

    def test_names_come_as_last_first_first_last_and_initial_with_surname(self) -> None:
        forms = name_forms("Ann", "Okonkwo-Halvorsen")
        assert forms[:2] == ["Okonkwo-Halvorsen, Ann", "Ann Okonkwo-Halvorsen"]
        assert "A. Okonkwo-Halvorsen" in forms
        assert "Okonkwo-Halvorsen, A." in forms

    def test_each_form_matches_its_written_variants_by_the_engine_rule(self) -> None:
        forms = date_forms(date(1970, 1, 2))
        assert any(contains_term("DOB: 01-02-1970", f) for f in forms)
        assert any(contains_term("born 2 Jan 1970 at", f) for f in forms)
        assert not any(contains_term("seen 01/02/1971", f) for f in forms)

    def test_identity_tokens_hold_mrn_name_and_birth_date(self) -> None:
        tokens = identity_tokens(PATIENT)
        assert tokens[0] == "MRN-400117"
        assert "Okonkwo-Halvorsen, Ann" in tokens
        assert "01/02/1970" in tokens


class TestOtherPatients:
    def test_another_patients_mrn_is_detected_and_the_patients_own_is_kept(self) -> None:
        pattern = foreign_mrn_pattern("MRN-400117")
        text = "Patient MRN: MRN-400117; lab slip MRN: MRN-733901; MRN 4001170"
        assert _detected(text, pattern) == ["733901", "4001170"]

    def test_a_bare_numeric_mrn_is_kept_too(self) -> None:
        assert _detected("MRN: 00482917 and MRN: 00739105", foreign_mrn_pattern("00482917")) == [
            "00739105"
        ]

    @pytest.mark.parametrize("audience", [ATTORNEY, PATIENT_HERSELF, DEID])
    def test_every_recipient_gets_other_patients_mrns_redacted(self, audience: Audience) -> None:
        policy = policy_for(PATIENT, audience)
        assert "mrn" in policy.detectors
        assert re.compile(policy.mrn_pattern)


class TestThirdParties:
    def test_an_attorney_never_gets_a_social_security_number(self) -> None:
        policy = policy_for(PATIENT, ATTORNEY)
        assert "ssn" in policy.detectors
        assert "412-55-0193" in policy.terms
        assert "third_party_ssn" in policy.reasons

    def test_the_patient_gets_her_own_record_without_ssn_redaction(self) -> None:
        policy = policy_for(PATIENT, PATIENT_HERSELF)
        assert "ssn" not in policy.detectors
        assert "412-55-0193" not in policy.terms

    def test_a_personal_representative_is_not_a_third_party(self) -> None:
        assert not Audience("personal_representative", "authorization").third_party
        assert Audience("insurer", "authorization").third_party

    def test_a_third_party_plan_keeps_the_patients_name_and_birth_date(self) -> None:
        policy = policy_for(PATIENT, ATTORNEY)
        assert "Okonkwo-Halvorsen, Ann" not in policy.terms
        assert "date" not in policy.detectors


class TestDeIdentified:
    def test_safe_harbor_removes_names_dates_contacts_and_the_mrn(self) -> None:
        policy = policy_for(PATIENT, DEID)
        assert set(policy.detectors) == {"ssn", "phone", "email", "mrn", "date"}
        for term in (
            "Okonkwo-Halvorsen, Ann",
            "Ann Okonkwo-Halvorsen",
            "A. Okonkwo-Halvorsen",
            "Okonkwo-Halvorsen",
            "01/02/1970",
            "2 January 1970",
            "MRN-400117",
            "(555) 014-2231",
            "ann.oh@example.test",
            "12 Synthetic Lane, Springfield",
        ):
            assert term in policy.terms, term

    def test_safe_harbor_redacts_the_patients_own_mrn_too(self) -> None:
        policy = policy_for(PATIENT, DEID)
        assert _detected("MRN: MRN-400117", policy.mrn_pattern) == ["400117"]


class TestPlanPerDocument:
    def test_reviewer_boxes_and_excluded_pages_reach_the_engine_plan(self) -> None:
        box = Box(page=1, x0=10, y0=20, x1=110, y1=40)
        plan = plan_for(policy_for(PATIENT, ATTORNEY), DocumentPlanInput((box,), (3, 1, 3)))
        assert plan.boxes == (box,)
        assert plan.drop_pages == (1, 3)
        assert plan.mrn_pattern == foreign_mrn_pattern("MRN-400117")
