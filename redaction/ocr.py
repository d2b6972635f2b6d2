"""The OCR port: word boxes for a rendered page image. Adapters: :mod:`redaction.ocr_tesseract`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A recognised word and its box in image pixels (origin top-left, y downwards)."""

    text: str
    left: int
    top: int
    width: int
    height: int


class Ocr(Protocol):
    """Recognise the words of a greyscale or RGB PNG image."""

    def words(self, png: bytes) -> list[OcrWord]: ...
