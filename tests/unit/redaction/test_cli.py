"""``roi redact``: exit 0 with a verified output; otherwise non-zero, one line, no output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from tests.unit.redaction.builders import page_texts, raw_pdf, text_line


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.pdf"
    path.write_bytes(raw_pdf([text_line("Ann Lee SSN 412-55-0193 stable"), text_line("page two")]))
    return path


def test_a_verified_output_and_report_are_written(source: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out.pdf", tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "redact",
            str(source),
            str(out),
            "--term",
            "Ann Lee",
            "--detect",
            "ssn",
            "--watermark",
            "Smith LLP",
            "--bates",
            "ROI",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    texts = page_texts(out.read_bytes())
    assert "Ann" not in texts[0]
    assert "412" not in texts[0]
    assert "stable" in texts[0]
    assert "ROI000002" in texts[1]
    data = json.loads(report.read_text())
    assert data["totals"] == {"ssn": 1, "term": 1}
    assert data["verified"] is True
    assert "Ann Lee" not in report.read_text()


def test_a_refused_input_exits_non_zero_with_one_line_and_no_output(tmp_path: Path) -> None:
    bad, out = tmp_path / "bad.pdf", tmp_path / "out.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = CliRunner().invoke(main, ["redact", str(bad), str(out), "--term", "x"])
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == ["Error: PDF_MALFORMED: not a PDF"]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_a_verification_failure_leaves_no_output(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(
        main, ["redact", str(source), str(out), "--term", "Ann Lee", "--watermark", "x Ann Lee"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: PDF_VERIFICATION_FAILED: verification failed: object-walk"
    ]
    assert not out.exists()


def test_an_unknown_detector_is_a_usage_error(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(main, ["redact", str(source), str(out), "--detect", "iban"])
    assert result.exit_code == 2
    assert "unknown detectors" in result.output


def test_a_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["redact", str(tmp_path / "nope.pdf"), str(tmp_path / "o.pdf")]
    )
    assert result.exit_code == 1
    assert "cannot read input" in result.output


def test_without_stamp_or_report_only_the_output_is_written(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(main, ["redact", str(source), str(out), "--term", "Ann Lee"])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf", "out.pdf"]


def test_a_failed_write_leaves_no_temporary_file(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "out.pdf"
    result = CliRunner().invoke(main, ["redact", str(source), str(out), "--term", "Ann Lee"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: cannot write output (No such file or directory)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf"]
