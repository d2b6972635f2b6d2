"""What to redact: terms, detectors, reviewer rectangles and pages to drop (pure values)."""

from __future__ import annotations

from dataclasses import dataclass

from redaction.geometry import Rect

DETECTORS: tuple[str, ...] = ("ssn", "phone", "email", "mrn", "date")
DEFAULT_MRN_PATTERN = r"(?<![A-Za-z0-9])MRN[\s:#.-]*(?P<value>[A-Z]{0,3}\d{5,12})(?![0-9])"


@dataclass(frozen=True, slots=True)
class Box:
    """A reviewer's rectangle on a SOURCE page (0-based) in that page's PDF user space."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def rect(self) -> Rect:
        return Rect.of(self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True, slots=True)
class Plan:
    """A redaction plan.

    ``terms`` are matched by :func:`redaction.matching.find_term` (letter and digit runs in order,
    case-insensitive). ``detectors`` name built-in patterns (see :data:`DETECTORS`);
    ``mrn_pattern`` overrides the regular expression of the ``mrn`` detector. ``boxes`` are
    reviewer rectangles; ``drop_pages`` are 0-based source pages left out of the output.
    ``pad`` (points) grows every found rectangle.
    """

    terms: tuple[str, ...] = ()
    detectors: tuple[str, ...] = ()
    boxes: tuple[Box, ...] = ()
    drop_pages: tuple[int, ...] = ()
    mrn_pattern: str | None = None
    pad: float = 0.75

    def __post_init__(self) -> None:
        unknown = sorted(set(self.detectors) - set(DETECTORS))
        if unknown:
            raise ValueError(f"unknown detectors: {', '.join(unknown)}")
        if any(not t.strip() for t in self.terms):
            raise ValueError("a term is empty")
        if any(b.page < 0 for b in self.boxes) or any(p < 0 for p in self.drop_pages):
            raise ValueError("page numbers are 0-based and non-negative")
