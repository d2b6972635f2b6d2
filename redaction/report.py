"""The JSON-serialisable record of a redaction: counts, rectangles, checks. Never any text."""

from __future__ import annotations

from dataclasses import dataclass, field

from redaction.geometry import Rect

ENGINE_VERSION = "roi-redaction/0.1"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of the output: the checker's ``name``, ``ok``, and the pages that failed."""

    name: str
    ok: bool
    pages_failed: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "pages_failed": list(self.pages_failed)}


@dataclass(frozen=True, slots=True)
class PageReport:
    """What happened on one output page (``source_page`` is the 0-based page it came from)."""

    page: int
    source_page: int | None
    counts: dict[str, int] = field(default_factory=dict)
    rects: dict[str, tuple[Rect, ...]] = field(default_factory=dict)
    glyphs_removed: int = 0
    images_painted: int = 0
    ocr: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "page": self.page,
            "source_page": self.source_page,
            "counts": dict(sorted(self.counts.items())),
            "rects": {k: [r.as_list() for r in v] for k, v in sorted(self.rects.items())},
            "glyphs_removed": self.glyphs_removed,
            "images_painted": self.images_painted,
            "ocr": self.ocr,
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of :func:`redaction.verify`: every check run, and whether all passed."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def first_failure(self) -> tuple[int | None, str] | None:
        for check in self.checks:
            if not check.ok:
                return (check.pages_failed[0] if check.pages_failed else None, check.name)
        return None

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": [c.to_dict() for c in self.checks]}


@dataclass(frozen=True, slots=True)
class Report:
    """The record of one redaction (or packet). JSON-safe via :meth:`to_dict`."""

    pages: tuple[PageReport, ...]
    dropped_pages: tuple[int, ...]
    scrubbed: tuple[str, ...]
    verification: VerifyReport | None
    sha256: str
    engine_version: str = ENGINE_VERSION

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.ok

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for page in self.pages:
            for kind, n in page.counts.items():
                out[kind] = out.get(kind, 0) + n
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, object]:
        return {
            "engine_version": self.engine_version,
            "sha256": self.sha256,
            "verified": self.verified,
            "totals": self.totals(),
            "pages": [p.to_dict() for p in self.pages],
            "dropped_pages": list(self.dropped_pages),
            "scrubbed": list(self.scrubbed),
            "verification": None if self.verification is None else self.verification.to_dict(),
        }
