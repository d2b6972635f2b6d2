"""The PDF engine: find -> remove glyphs -> paint boxes -> scrub -> stamp -> verify."""

from __future__ import annotations

from redaction.errors import RedactionError

__all__ = ["RedactionError"]
