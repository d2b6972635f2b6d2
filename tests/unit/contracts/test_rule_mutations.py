"""Each rule, removed from a copy of the package, makes the tests named after its ID fail.

This proves the brief's "a test that fails when the rule is removed" mechanically: every case
below replaces one rule's code with a no-op in a temporary copy of ``contracts/`` and runs only
the tests whose names carry that rule's ID. Slow (a pytest run per rule): marked ``slow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve()

# (rule ID as it appears in test names, module, the rule's code, the same with the rule removed)
MUTATIONS: list[tuple[str, str, str, str]] = [
    ("AUTH_01", "authorization.py",
     "    return [element for element, ok in present.items() if not ok]", "    return []"),
    ("AUTH_02", "authorization.py",
     "    return past_date or auth.expiration_event_occurred", "    return False"),
    ("AUTH_03", "authorization.py",
     "for s in AuthStatement if s not in auth.statements", "for s in AuthStatement if False"),
    ("AUTH_04", "authorization.py",
     "        return bool(self.authority_description.strip()) and self.authority_document_attached",
     "        return True"),
    ("AUTH_05", "authorization.py",
     "    return auth.revoked_on is not None and auth.revoked_on <= on", "    return False"),
    ("AUTH_06", "selection.py",
     "    if not doc.is_psychotherapy_note:\n        return []", "    if True:\n        return []"),
    ("AUTH_07", "authorization.py", "    return auth.known_false or conflict", "    return False"),
    ("AUTH_08", "terms.py",
     "    if _norm(named.name) != _norm(actual.name):\n        return False",
     "    if True:\n        return True"),
    ("AUTH_08", "selection.py",
     "    if scope is None:\n        return []", "    if True:\n        return []"),
    ("ACC_01", "access.py",
     "    if not extensions:\n        return []", "    if True:\n        return []"),
    ("ACC_01", "access.py", "ACCESS_DAYS = 30", "ACCESS_DAYS = 31"),
    ("ACC_05", "access.py",
     "    return decide(finding(code) for code, failed in checks.items() if failed)",
     "    return decide([])"),
    ("LEG_01", "legal_process.py",
     "        return any(item.names(doc) for item in self.items)", "        return True"),
    ("LEG_02", "legal_process.py",
     '    if not routes:\n        return [finding("SUBPOENA_ASSURANCE_MISSING")]',
     "    if True:\n        return []"),
    ("LEG_03", "legal_process.py",
     "        return self.prohibits_use_outside_litigation and self.requires_return_or_destruction",
     "        return True"),
    ("LEG_04", "legal_process.py",
     '    return decide([*_subpoena_findings(process, on), finding("SUBPOENA_MN_REVIEW")])',
     "    return decide(_subpoena_findings(process, on))"),
    ("LEG_04", "selection.py", "    if legal is not None and consent is None:", "    if False:"),
    ("P2_01", "part2.py",
     "    if part2_court_order:\n        return decide([])",
     "    if True:\n        return decide([])"),
    ("P2_02", "selection.py",
     "        return [], ([] if order else [ctx.rules.part2_notice.id, PART2_CONSENT_COPY])",
     "        return [], []"),
    ("P2_03", "part2.py", "    if against_patient and not", "    if False and not"),
    ("ST_01", "selection.py",
     "    if released or ordered:\n        return [], [cat.notice] if cat.notice else []\n"
     "    return [finding(cat.exclusion_code, doc.id)], []",
     "    return [], []"),
    ("ST_02", "selection.py",
     "    if doc.is_minor_consented and signer_kind(ctx.basis) in PARENTAL_SIGNERS:",
     "    if False:"),
    ("ST_04", "release.py",
     "    if not isinstance(basis, Subpoena | CourtOrder):\n        return []",
     "    if True:\n        return []"),
    ("BA_01", "baa.py",
     "    if baa.terminated_on is not None and baa.terminated_on <= on:", "    if False:"),
    ("BA_01", "baa.py", "    if function not in baa.functions:", "    if False:"),
    ("BA_01", "release.py",
     "        found += check_baa(baa, on=on, function=function).findings", "        pass"),
    ("BA_02", "baa.py",
     "        return tuple(c for c in BaaClause if c not in self.clauses)", "        return ()"),
    ("BA_03", "release.py",
     '        found.append(finding("LEGAL_BASIS_MISSING"))', "        pass"),
    ("MN_01", "tpo.py",
     "    held = request.needs_justification and not request.reviewer_note.strip()",
     "    held = False"),
    ("AOD_01", "basis.py",
     '        return AccountingClass(AccountingCategory.LEGAL_PROCESS, False, "AOD-01")',
     '        return AccountingClass(AccountingCategory.TPO, True, "AOD-02")'),
    ("AOD_02", "basis.py",
     '    return AccountingClass(category, True, "AOD-02")',
     '    return AccountingClass(category, False, "AOD-01")'),
    ("RET_01", "retention.py",
     "    early = on < retain_until(created_on, last_effective_on)", "    early = False"),
]  # fmt: skip


def _copy_tree(dest: Path) -> None:
    for package in ("contracts", "kernel"):
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (dest / "gateway").mkdir()
    shutil.copy(ROOT / "gateway" / "site_rules_default.toml", dest / "gateway")
    tests = dest / "tests" / "unit" / "contracts"
    tests.mkdir(parents=True)
    for init in ("tests/__init__.py", "tests/unit/__init__.py"):
        shutil.copy(ROOT / init, dest / init)
    for path in HERE.parent.glob("*.py"):
        if path != HERE:
            shutil.copy(path, tests / path.name)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rule", "module", "original", "removed"),
    MUTATIONS,
    ids=[f"{rule}-{module}-{i}" for i, (rule, module, _, _) in enumerate(MUTATIONS)],
)
def test_removing_a_rule_fails_the_tests_named_after_it(
    tmp_path: Path, rule: str, module: str, original: str, removed: str
) -> None:
    _copy_tree(tmp_path)
    target = tmp_path / "contracts" / module
    source = target.read_text(encoding="utf-8")
    assert source.count(original) == 1, "the rule's code moved: update MUTATIONS"
    target.write_text(source.replace(original, removed), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-k", rule,
         "tests/unit/contracts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"PYTHONPATH": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )  # fmt: skip
    assert result.returncode == 1, result.stdout[-2000:]
    assert "failed" in result.stdout
