"""Redaction benchmark: our engine against PyMuPDF, in one run. Not a test. See bench/README.md.

    .venv/bin/python bench/redaction_bench.py [--pages 300] [--rss-pages 500]
        [--pymupdf-python PATH] [--profile] [--repeat N]

``--repeat N`` runs the whole comparison N times, interleaved, and reports the median of each
row; 1-process rows also report CPU seconds (steadier than wall time on a shared machine).

PyMuPDF (AGPL) runs only in its own virtualenv (bench/.venv-pymupdf, created on first use, or
the interpreter given by --pymupdf-python), as a separate process (bench/pymupdf_side.py).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pikepdf
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

import redaction

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV = HERE / ".venv-pymupdf"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NAME, MRN, SSN, PHONE = "Amara Okonkwo-Halvorsen", "00482917", "412-55-0193", "(617) 555-0142"
TERMS = [NAME, MRN, SSN, PHONE]
DETECTORS = ("ssn", "phone")
TARGETS = {"unverified": 3.0, "verified": 1.5}
PEAK_TARGET_MIB = 512
FILLER = (
    "patient reports mild exertional dyspnea without orthopnea; lungs clear to auscultation; "
    "regular rate and rhythm; no murmurs; abdomen soft nontender; extremities without edema; "
    "hypertension controlled on lisinopril; metformin continued; creatinine stable; potassium "
    "within range; echocardiogram ordered; return visit in six weeks; counselled on diet and "
    "exercise; blood pressure measured twice; heart rate seventy two; temperature normal"
)
rl_config.invariant = 1

# --- the record --------------------------------------------------------------------------------


def make_record(path: Path, pages: int, seed: int = 7) -> None:
    """Letter pages: base-14 header and footer, TrueType-subset body, 6 identifier hits a page."""
    pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
    rng = random.Random(seed)  # noqa: S311 (filler text, not security)
    words = FILLER.split()
    c = Canvas(str(path), pagesize=LETTER)
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 10)
        c.drawString(54, 750, f"Patient: {NAME}    MRN: {MRN}    Progress note, page {n}")
        text = c.beginText(54, 720)
        text.setFont("DejaVuSans", 9.5, leading=14)
        text.textLine(f"SSN {SSN}; preferred phone {PHONE}; visit {n % 28 + 1:02d}/03/2025.")
        for _ in range(44):
            text.textLine(" ".join(rng.choice(words) for _ in range(13)).capitalize() + ".")
        c.drawText(text)
        c.setFont("Helvetica", 8)
        c.drawString(54, 40, f"{NAME}  call-back {PHONE}  confidential")
        c.showPage()
    c.save()


def split(path: Path, parts: int) -> list[Path]:
    """The record cut into `parts` consecutive documents (the unit a process pool gets)."""
    out = []
    with pikepdf.open(path) as src:
        size = -(-len(src.pages) // parts)
        for i in range(parts):
            chunk = pikepdf.Pdf.new()
            chunk.pages.extend(src.pages[i * size : (i + 1) * size])
            target = path.with_name(f"{path.stem}.part{i}.pdf")
            chunk.save(target)
            out.append(target)
    return out


# --- our engine --------------------------------------------------------------------------------


def plan() -> redaction.Plan:
    return redaction.Plan(terms=tuple(TERMS), detectors=DETECTORS)


def spec() -> redaction.StampSpec:
    day = dt.date(2026, 1, 5)
    return redaction.StampSpec("Bench & Co LLP", "REL-BENCH-1", day, bates_prefix="BENCH")


def ours(path: str, verify: bool) -> int:
    """Redact + stamp one file (verified or not); write the output; return its page count."""
    data = Path(path).read_bytes()
    out = redaction.redact(data, plan(), verify=verify)
    stamped = redaction.stamp(out.pdf, spec())
    Path(path).with_suffix(".ours.out.pdf").write_bytes(stamped)
    return len(pikepdf.open(io.BytesIO(stamped)).pages)


def ours_timed(chunks: list[Path], verify: bool, processes: int) -> dict[str, float]:
    """Wall seconds (and, in one process, CPU seconds) of our engine over ``chunks``."""
    if processes == 1:
        cpu, start = time.process_time(), time.perf_counter()
        for chunk in chunks:
            ours(str(chunk), verify)
        return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}
    with ProcessPoolExecutor(processes, initializer=redaction.apply_process_limits) as pool:
        list(pool.map(abs, range(processes)))  # workers started and imported before the clock
        start = time.perf_counter()
        list(pool.map(ours, [str(c) for c in chunks], [verify] * len(chunks)))
        return {"seconds": time.perf_counter() - start}


# --- PyMuPDF, in its own environment and process ----------------------------------------------


def pymupdf_python(given: str | None) -> str:
    if given:
        return given
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} (PyMuPDF is AGPL: bench-only, never a project dependency)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "pymupdf"], check=True)
    return str(python)


def pymupdf_timed(python: str, chunks: list[Path], processes: int) -> dict[str, object]:
    cmd = [python, str(HERE / "pymupdf_side.py"), "--terms-json", json.dumps(TERMS)]
    cmd += ["--processes", str(processes), *map(str, chunks)]
    done = subprocess.run(cmd, check=True, capture_output=True, timeout=1800)
    result: dict[str, object] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


# --- peak memory and profile ------------------------------------------------------------------


def peak_rss_mib(path: Path) -> float:
    """Peak RSS of a fresh process that redacts (verified) and stamps the record."""
    code = (
        "import resource, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import redaction_bench as b; b.ours(sys.argv[3], True);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    root = str(HERE.parent)
    done = subprocess.run(
        [sys.executable, "-c", code, str(HERE), root, str(path)],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    return int(done.stdout.decode().split()[-1]) / 1024


def profile(path: Path, verify: bool, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    ours(str(path), verify)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    return buf.getvalue()


# --- the run -----------------------------------------------------------------------------------


def measure(record: Path, pages: int, python: str, repeat: int = 1) -> dict[str, dict[str, float]]:
    """Every row ``repeat`` times, interleaved (PyMuPDF, ours unverified, ours verified, per
    process count), then the median of each measure."""
    runs: dict[str, list[dict[str, float]]] = {}
    chunked = {1: [record], 2: split(record, 2)}
    for _ in range(repeat):
        for processes, chunks in chunked.items():
            theirs = pymupdf_timed(python, chunks, processes)
            row = {k: float(str(theirs[k])) for k in ("seconds", "cpu_seconds") if k in theirs}
            runs.setdefault(f"pymupdf p{processes}", []).append(row)
            for mode in ("unverified", "verified"):
                timed = ours_timed(chunks, mode == "verified", processes)
                runs.setdefault(f"ours {mode} p{processes}", []).append(timed)
    rows: dict[str, dict[str, float]] = {}
    for name, samples in runs.items():
        rows[name] = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
        rows[name]["pages_per_s"] = pages / rows[name]["seconds"]
    return rows


def report(rows: dict[str, dict[str, float]], peak: float) -> list[str]:
    lines = [f"{'run':<22} {'seconds':>8} {'pages/s':>9} {'cpu s':>7}"]
    lines += [
        f"{k:<22} {v['seconds']:>8.2f} {v['pages_per_s']:>9.1f} {v.get('cpu_seconds', 0):>7.2f}"
        for k, v in rows.items()
    ]
    for processes in (1, 2):
        base = rows[f"pymupdf p{processes}"]["pages_per_s"]
        for mode, target in TARGETS.items():
            ratio = rows[f"ours {mode} p{processes}"]["pages_per_s"] / base
            verdict = "ok" if ratio >= target else "MISSED"
            lines.append(f"ratio {mode} p{processes}: {ratio:.2f}x (target >= {target}x) {verdict}")
    theirs = rows["pymupdf p1"].get("cpu_seconds")
    for mode, target in TARGETS.items():
        mine = rows[f"ours {mode} p1"].get("cpu_seconds")
        if theirs and mine:
            lines.append(f"CPU-time ratio {mode} p1: {theirs / mine:.2f}x (target >= {target}x)")
    verdict = "ok" if peak < PEAK_TARGET_MIB else "MISSED"
    lines.append(
        f"peak RSS (500-page record): {peak:.0f} MiB (target < {PEAK_TARGET_MIB}) {verdict}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rss-pages", type=int, default=500)
    parser.add_argument("--pymupdf-python")
    parser.add_argument("--profile", action="store_true", help="cProfile the 1-process runs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; medians reported")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    record, big = OUT / "record.pdf", OUT / "record-500.pdf"
    make_record(record, args.pages)
    make_record(big, args.rss_pages)
    python = pymupdf_python(args.pymupdf_python)
    rows = measure(record, args.pages, python, max(1, args.repeat))
    peak = peak_rss_mib(big)
    lines = report(rows, peak)
    print("\n".join(lines))
    (OUT / "results.json").write_text(json.dumps({"rows": rows, "peak_mib": peak}, indent=2))
    if args.profile:
        for verify in (False, True):
            print(f"\n--- cProfile, {'verified' if verify else 'unverified'}, 1 process ---")
            print(profile(record, verify, 30))


if __name__ == "__main__":
    main()
