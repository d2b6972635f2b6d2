"""Per-file corpus outcomes, written by the (xdist) workers and summed up by the controller."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest


def _dir(config: pytest.Config, *, worker: bool) -> Path | None:
    cache = getattr(config, "cache", None)
    if cache is None:
        return None
    run = os.getppid() if worker else os.getpid()
    return Path(cache.mkdir("roi-corpus")) / str(run)


def record(config: pytest.Config, name: str, result: dict[str, object]) -> None:
    where = _dir(config, worker=hasattr(config, "workerinput"))
    if where is None:
        return
    where.mkdir(parents=True, exist_ok=True)
    (where / f"{name}.json").write_text(json.dumps(result), encoding="utf-8")


def summarise(config: pytest.Config) -> list[str]:
    """Lines for the terminal: outcomes counted, refusals by error type, slowest files."""
    where = _dir(config, worker=False)
    if where is None or not where.is_dir():
        return []
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in where.glob("*.json")}
    shutil.rmtree(where, ignore_errors=True)
    outcomes = Counter(str(r["outcome"]) for r in results.values())
    errors = Counter(str(r.get("error")) for r in results.values() if r["outcome"] != "verified")
    slow = sorted(results.items(), key=lambda kv: -float(kv[1].get("seconds", 0)))[:3]
    lines = [
        f"corpus: {len(results)} files: "
        + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    ]
    lines += [f"  {outcome}: {err} x{n}" for (err, n), outcome in _by_outcome(results, errors)]
    lines += [f"  slowest: {name} {r.get('seconds')} s" for name, r in slow if "seconds" in r]
    return lines + _notable(results)


def _notable(results: dict[str, dict[str, object]]) -> list[str]:
    """Files worth a look: fail-closed refusals other than encryption or damage, and failures."""
    plain = {"verified", "EncryptedPdf", "MalformedPdf"}
    lines = []
    for name, r in sorted(results.items()):
        label = str(r.get("error") or r["outcome"])
        if label not in plain or r["outcome"] not in {"verified", "refused"}:
            detail = r.get("where") or r.get("data") or ""
            lines.append(f"  {r['outcome']} {label}: {name} {detail}".rstrip())
    return lines


def _by_outcome(
    results: dict[str, dict[str, object]], errors: Counter[str]
) -> list[tuple[tuple[str, int], str]]:
    kind = {str(r.get("error")): str(r["outcome"]) for r in results.values()}
    return [((err, n), kind[err]) for err, n in errors.most_common()]
