"""Robustness over third-party PDFs: each file gives a verified output or a typed refusal.

The corpus lives outside the repository (`ROI_CORPUS_DIR`, for example ../shared/corpus); its
files are never copied in. Each file runs in its own subprocess (tests/corpus/child.py) bounded
to 512 MiB of address space and 20 s of wall time; a crash, a hang, an untyped exception, a glyph
left inside the planted band or a planted term left in the text fails the file. Under CI a
missing corpus fails; elsewhere the tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import in_ci
from tests.corpus.summary import record

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parents[2]
WALL_SECONDS = 20


def corpus_dir() -> Path | None:
    value = os.environ.get("ROI_CORPUS_DIR", "")
    return Path(value) if value and Path(value).is_dir() else None


def corpus_files() -> list[Path]:
    base = corpus_dir()
    return sorted(p for p in base.rglob("*.pdf") if p.is_file()) if base else []


def run_child(path: Path) -> dict[str, object]:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.corpus.child", str(path)],
            cwd=ROOT,
            capture_output=True,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": "hang"}
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"outcome": "crash", "returncode": done.returncode}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def require_corpus() -> None:
    """Fail under CI, skip elsewhere, when the corpus is not there."""
    if corpus_dir() is None:
        message = "ROI_CORPUS_DIR is unset or not a directory (set it to ../shared/corpus)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def test_the_corpus_is_there() -> None:
    require_corpus()
    assert len(corpus_files()) > 0


def file_params() -> list[object]:
    base = corpus_dir()
    if base is None:
        return [pytest.param(None, id="no-corpus")]
    return [pytest.param(p, id=str(p.relative_to(base))) for p in corpus_files()]


@pytest.mark.parametrize("path", file_params())
def test_a_corpus_file_is_verified_clean_or_refused_with_a_typed_error(
    path: Path | None, request: pytest.FixtureRequest
) -> None:
    if path is None:
        require_corpus()
        return
    result = run_child(path)
    record(request.config, path.name, result)
    assert result["outcome"] in {"verified", "refused"}, result
    if result["outcome"] == "verified":
        assert result["band_glyphs"] == 0, result
        assert result["term_hits"] == 0, result
