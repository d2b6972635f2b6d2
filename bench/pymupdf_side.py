"""The PyMuPDF half of the redaction benchmark. Runs ONLY in bench/.venv-pymupdf.

PyMuPDF is AGPL: it is never a dependency of the project, never imported by it, and this file
is only ever started as a separate process by bench/redaction_bench.py:

    PYTHON bench/pymupdf_side.py --terms-json TERMS --processes N CHUNK.pdf [CHUNK.pdf ...]

For each chunk: every term and every ssn/phone match is searched with `page.search_for`, each hit
gets a redaction annotation, `apply_redactions`, then `scrub` and
`save(garbage=4, deflate=True)`. It prints one JSON line: pages, seconds, hits (and, with one
process, cpu_seconds).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pymupdf

DETECTORS = [
    re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),  # ssn
    re.compile(r"(?<!\d)\(?\d{3}\)?[ .-]?\d{3}-\d{4}(?!\d)"),  # phone
]


def redact_file(path: str, terms: list[str]) -> tuple[int, int]:
    doc = pymupdf.open(path)
    hits = 0
    for page in doc:
        textpage = page.get_textpage()  # one text page per page, shared by every search
        text = textpage.extractText()
        needles = set(terms) | {m.group(0) for d in DETECTORS for m in d.finditer(text)}
        for needle in needles:
            for rect in page.search_for(needle, textpage=textpage):
                page.add_redact_annot(rect, fill=(0, 0, 0))
                hits += 1
        page.apply_redactions()
    doc.scrub()
    out = Path(path).with_suffix(".pymupdf.out.pdf")
    doc.save(out, garbage=4, deflate=True)
    pages = doc.page_count
    doc.close()
    return pages, hits


def warm(_: int) -> int:
    return pymupdf.TOOLS.mupdf_display_errors() is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--terms-json", required=True)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("chunks", nargs="+")
    args = parser.parse_args()
    terms = json.loads(args.terms_json)
    cpu = time.process_time()
    if args.processes == 1:
        start = time.perf_counter()
        results = [redact_file(c, terms) for c in args.chunks]
    else:
        with ProcessPoolExecutor(args.processes) as pool:
            list(pool.map(warm, range(args.processes)))
            start = time.perf_counter()
            results = list(pool.map(redact_file, args.chunks, [terms] * len(args.chunks)))
    seconds = time.perf_counter() - start
    pages = sum(p for p, _ in results)
    record = {"pages": pages, "seconds": seconds, "hits": sum(h for _, h in results)}
    if args.processes == 1:  # CPU time of this process: steadier than wall time on a busy machine
        record["cpu_seconds"] = time.process_time() - cpu
    sys.stdout.write(json.dumps({**record, "version": list(pymupdf.version[:2])}) + "\n")


if __name__ == "__main__":
    main()
