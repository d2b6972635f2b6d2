"""The tesseract OCR adapter: the one module of the engine that runs a subprocess."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess

from redaction.errors import OcrFailed
from redaction.ocr import OcrWord

_WORD_LEVEL = "5"


class TesseractOcr:
    """Word boxes from Debian's ``tesseract`` (``OMP_THREAD_LIMIT=1``: 3x faster here)."""

    def __init__(
        self, *, lang: str = "eng", timeout: float = 120.0, binary: str = "tesseract"
    ) -> None:
        self.lang = lang
        self.timeout = timeout
        self.binary = binary

    def words(self, png: bytes) -> list[OcrWord]:
        path = shutil.which(self.binary)
        if path is None:
            raise OcrFailed("tesseract is not installed", reason="missing")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(  # noqa: S603 - fixed binary, no shell, our own arguments
                [path, "stdin", "stdout", "-l", self.lang, "--psm", "3", "tsv"],
                input=png,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env=env,
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrFailed("tesseract timed out", reason="timeout") from exc
        if done.returncode != 0:
            raise OcrFailed("tesseract failed", reason="exit", status=done.returncode)
        return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Words (level 5 rows with text) from tesseract's TSV output, in reading order."""
    words: list[OcrWord] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != _WORD_LEVEL or not text:
            continue
        try:
            box = [int(row[k]) for k in ("left", "top", "width", "height")]
        except (KeyError, TypeError, ValueError):
            continue
        words.append(OcrWord(text, *box))
    return words
