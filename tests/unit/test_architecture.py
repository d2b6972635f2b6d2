"""The import rules of DESIGN.md are enforced by import-linter; these tests prove the gate bites."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["kernel", "contracts", "redaction", "vendors", "gateway"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_tree(dest: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_repository_keeps_its_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("contracts/_leak.py", "import gateway.settings\n"),
        ("contracts/_leak2.py", "import kernel.db\n"),
        ("redaction/_leak.py", "import contracts\n"),
        ("redaction/_leak2.py", "import sqlalchemy\n"),
        ("vendors/_leak.py", "import litestar\n"),
        ("gateway/_leak.py", "import pikepdf\n"),
        ("kernel/_leak.py", "import gateway\n"),
        ("gateway/_leak.py", "from jose import jwt\n"),
        ("gateway/access_tokens/_leak.py", "import jose.jws\n"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, source: str) -> None:
    _copy_tree(tmp_path)
    (tmp_path / module).write_text(source)
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_kernel_init_stays_empty() -> None:
    assert (ROOT / "kernel" / "__init__.py").read_text().strip() == ""
