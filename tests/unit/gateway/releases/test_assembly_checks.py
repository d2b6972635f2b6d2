"""The page identity verdict (QA-01) and the document selection, as pure functions."""

from __future__ import annotations

from datetime import date

from gateway.releases.assembly.identity import FOREIGN_PAGE, PAGE_UNIDENTIFIED, check_document
from gateway.releases.assembly.selection import RecordRef, select_records

OWN = ["MRN-400117", "Okonkwo-Halvorsen, Ann"]
FOREIGN = ["MRN-733901"]


class TestIdentity:
    def test_a_page_with_the_patients_tokens_passes(self) -> None:
        hits = {0: {"MRN-400117"}, 1: {"Okonkwo-Halvorsen, Ann"}}
        assert check_document("r1", 2, hits, own=OWN, foreign=FOREIGN) == []

    def test_a_page_with_another_patients_mrn_is_foreign_even_with_ours(self) -> None:
        hits = {0: {"MRN-400117"}, 1: {"MRN-400117", "MRN-733901"}}
        issues = check_document("r1", 2, hits, own=OWN, foreign=FOREIGN)
        assert [(i.code, i.page) for i in issues] == [(FOREIGN_PAGE, 1)]

    def test_a_page_without_any_identifier_is_held(self) -> None:
        issues = check_document("r1", 3, {0: {"MRN-400117"}}, own=OWN, foreign=FOREIGN)
        assert [(i.code, i.page) for i in issues] == [
            (PAGE_UNIDENTIFIED, 1),
            (PAGE_UNIDENTIFIED, 2),
        ]

    def test_an_excluded_page_is_not_checked(self) -> None:
        hits = {0: {"MRN-400117"}, 1: {"MRN-733901"}}
        assert check_document("r1", 2, hits, own=OWN, foreign=FOREIGN, excluded_pages=[1]) == []

    def test_findings_name_the_page_and_never_the_token(self) -> None:
        issue = check_document("r1", 1, {0: {"MRN-733901"}}, own=OWN, foreign=FOREIGN)[0]
        finding = issue.finding()
        assert finding["code"] == FOREIGN_PAGE
        assert finding["subject"] == "r1:page:0"
        assert "733901" not in str(finding)


def _ref(rid: str, day: int, kind: str = "clinical_note", pages: int = 2) -> RecordRef:
    return RecordRef(rid, kind, date(2026, 2, day), pages)


class TestSelection:
    def test_records_come_in_service_date_order_minus_exclusions(self) -> None:
        records = [_ref("b", 9), _ref("a", 3), _ref("c", 5)]
        exclusions = [{"source_record_id": "c", "reasons": [{"code": "PN_SEPARATE_AUTH"}]}]
        chosen = select_records(records, scope={}, exclusions=exclusions)
        assert [c.id for c in chosen.chosen] == ["a", "b"]
        assert chosen.excluded == ({"source_record_id": "c", "reasons": ["PN_SEPARATE_AUTH"]},)

    def test_page_exclusions_drop_pages_and_keep_the_record(self) -> None:
        exclusions = [{"source_record_id": "a", "pages": [1]}]
        chosen = select_records([_ref("a", 3)], scope={}, exclusions=exclusions)
        assert chosen.chosen[0].drop_pages == (1,)
        assert chosen.pages_total == 2

    def test_scope_dates_and_types_leave_records_out(self) -> None:
        records = [_ref("a", 1), _ref("b", 20), _ref("c", 10, kind="lab_result")]
        scope = {"start": "2026-02-05", "end": "2026-02-28", "document_types": ["clinical_note"]}
        chosen = select_records(records, scope=scope, exclusions=[])
        assert [c.id for c in chosen.chosen] == ["b"]
        assert {e["reasons"][0] for e in chosen.excluded} == {"SCOPE_DATES", "SCOPE_DOCUMENT_TYPE"}

    def test_an_explicit_inclusion_list_wins(self) -> None:
        chosen = select_records(
            [_ref("a", 1), _ref("b", 2)], scope={"selected": ["b"]}, exclusions=[]
        )
        assert [c.id for c in chosen.chosen] == ["b"]
