"""Finding text with pypdfium2: page text, character boxes, term and detector matches."""

from __future__ import annotations

from collections.abc import Sequence


def find_tokens(pdf: bytes, tokens: Sequence[str]) -> dict[int, frozenset[str]]:
    """Which of ``tokens`` occur (by the term-matching rule) on which 0-based page."""
    raise NotImplementedError
