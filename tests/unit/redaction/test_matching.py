"""Term matching and detectors (redaction.matching): the issue's examples, verbatim."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redaction.matching import (
    NormalisedText,
    contains_any,
    contains_term,
    find_detected,
    find_term,
    term_regex,
    term_runs,
)


@pytest.mark.parametrize(
    "text", ["412-55-0193", "412 55 0193", "412.55.0193", "SSN412-55-0193", "ssn: 412-55-0193."]
)
def test_an_ssn_term_matches_with_any_separators(text: str) -> None:
    assert contains_term(text, "412-55-0193")


@pytest.mark.parametrize("text", ["1412-55-01934", "1412-55-0193", "412-55-01934", "412-55-019"])
def test_an_ssn_term_does_not_match_inside_longer_digit_runs(text: str) -> None:
    assert not contains_term(text, "412-55-0193")


@pytest.mark.parametrize("text", ["ANN LEE", "Ann\nLee", "Ann\r\nLee", "Ann-Lee", "ann, lee"])
def test_a_name_matches_ignoring_case_and_line_breaks(text: str) -> None:
    assert contains_term(text, "Ann Lee")


@pytest.mark.parametrize("text", ["Annual Leeway", "Joann Lee", "Ann Leeds", "Ann"])
def test_a_name_does_not_match_inside_other_words(text: str) -> None:
    assert not contains_term(text, "Ann Lee")


def test_a_hyphenated_name_matches_across_a_line_end_hyphen() -> None:
    assert contains_term("seen by Okonkwo-\nHalvorsen today", "Okonkwo-Halvorsen")
    assert contains_term("Okonkwo-\r\nHalvorsen", "Okonkwo-Halvorsen")
    assert contains_term("Okonkwo\x02\r\nHalvorsen", "Okonkwo-Halvorsen")


def test_a_letter_run_may_touch_digits_and_a_digit_run_letters() -> None:
    assert contains_term("MRN12345", "12345")
    assert contains_term("12345abc", "12345")
    assert contains_term("Lee2", "Lee")


def test_matching_sees_through_ligatures_and_full_width_forms() -> None:
    source = "Dr. Gri\ufb03th saw \uff21\uff4e\uff4e Lee"
    text = NormalisedText.of(source)
    spans = find_term(text, "Griffith")
    assert [source[s.start : s.end] for s in spans] == ["Gri\ufb03th"]
    assert len(find_term(text, "Ann Lee")) == 1


def test_spans_point_into_the_original_text() -> None:
    source = "Patient: Ann Lee, SSN 412-55-0193"
    spans = find_term(NormalisedText.of(source), "412 55 0193")
    assert [(source[s.start : s.end], s.kind) for s in spans] == [("412-55-0193", "term")]


def test_a_term_without_letters_or_digits_matches_nothing() -> None:
    assert term_regex("--") is None
    assert find_term(NormalisedText.of("-- --"), "--") == []
    assert not contains_term("-- --", "--")


def test_term_runs_split_letters_from_digits() -> None:
    assert term_runs("SSN412-55-0193") == ["SSN", "412", "55", "0193"]


def test_every_occurrence_is_found() -> None:
    assert len(find_term(NormalisedText.of("Ann Lee and ann lee"), "Ann Lee")) == 2


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("ssn", "SSN 412-55-0193 on file", ["412-55-0193"]),
        ("ssn", "id 1234567890", []),
        ("phone", "call (555) 123-4567 or 555.987.6543", ["(555) 123-4567", "555.987.6543"]),
        ("phone", "+1 555 123 4567", ["+1 555 123 4567"]),
        ("email", "mail ann.lee@example.org now", ["ann.lee@example.org"]),
        ("mrn", "MRN: 00123456 admitted", ["00123456"]),
        ("mrn", "MRN#AB1234567", ["AB1234567"]),
        ("date", "seen 03/14/2024 and 2024-03-15", ["03/14/2024", "2024-03-15"]),
        ("date", "born March 3, 1970 or 3 Mar 1970", ["March 3, 1970", "3 Mar 1970"]),
    ],
)
def test_detectors_find_their_values(name: str, text: str, expected: list[str]) -> None:
    spans = find_detected(NormalisedText.of(text), name)
    assert [text[s.start : s.end] for s in spans] == expected
    assert all(s.kind == name for s in spans)


def test_the_mrn_pattern_is_configurable() -> None:
    text = "Chart H-778899 and MRN 123456"
    spans = find_detected(NormalisedText.of(text), "mrn", r"H-\d{6}")
    assert [text[s.start : s.end] for s in spans] == ["H-778899"]


def test_a_value_group_narrows_the_match() -> None:
    text = "Chart: H-778899"
    spans = find_detected(NormalisedText.of(text), "mrn", r"Chart: (?P<value>H-\d+)")
    assert [text[s.start : s.end] for s in spans] == ["H-778899"]


def _reference(text: str, term: str) -> bool:
    """The matching rule without the ASCII pre-check: the regex over the normalised text."""
    pattern = term_regex(term)
    return pattern is not None and pattern.search(NormalisedText.of(text).text) is not None


_CHARS = "aAnNlLeEkKsS0123456789 -._\n\u212a\u017f\ufb01\u0130\u00e9\uff21"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=_CHARS, max_size=40),
    terms=st.lists(st.text(alphabet=_CHARS, min_size=1, max_size=8), min_size=1, max_size=3),
)
def test_the_ascii_pre_check_never_changes_a_result(text: str, terms: list[str]) -> None:
    expected = any(_reference(text, term) for term in terms)
    assert contains_any(text, terms) == expected
    norm = NormalisedText.of(text)
    for term in terms:
        pattern = term_regex(term)
        found = [] if pattern is None else list(pattern.finditer(norm.text))
        assert find_term(norm, term) == [norm.span(m.start(), m.end(), "term") for m in found]


def test_a_term_absent_from_ascii_text_is_ruled_out_and_one_present_is_found() -> None:
    assert contains_any("seen by ANN\nlee", ["Bob Roe", "Ann Lee"])
    assert not contains_any("seen by Ann Leeway", ["Bob Roe", "Ann Lee"])
    assert contains_any("seen by \u212aate Lee", ["kate lee"])  # Kelvin sign: NFKC, no pre-check
