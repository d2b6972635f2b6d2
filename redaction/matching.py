"""Term matching and detectors over extracted page text (pure).

A term is split into its letter runs and digit runs. It matches where those runs appear in
order, ignoring case, with only separators (whitespace, line breaks, hyphens, punctuation: any
character that is neither a letter nor a digit) between them, and where a letter run at either
end does not touch another letter outside the match, nor a digit run another digit. Text is
compared after NFKC normalisation (ligatures, full-width forms), mapped back to the original
character indices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from redaction.plan import DEFAULT_MRN_PATTERN

_RUN = re.compile(r"[^\W\d_]+|\d+")
_SEP = r"[\W_]{0,12}?"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DETECTOR_PATTERNS: dict[str, str] = {
    "ssn": r"(?<!\d)\d{3}[ .\-]?\d{2}[ .\-]?\d{4}(?!\d)",
    "phone": (
        r"(?<![\d\w])(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-]?)\d{3}[\s.\-]?\d{4}(?!\d)"
    ),
    "email": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}",
    "date": (
        r"(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?!\d)"
        rf"|(?<![a-z]){_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?!\d)"
        rf"|(?<!\d)\d{{1,2}}\s+{_MONTH}\s+\d{{4}}(?!\d)"
    ),
}


@dataclass(frozen=True, slots=True)
class Span:
    """A match in the original text: characters ``start`` (inclusive) to ``end`` (exclusive)."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """NFKC text and, for each of its characters, the index of the source character
    (``index`` is ``None`` when the source was ASCII: the identity).

    ``lower`` is the lower-cased text when it is all ASCII (``None`` otherwise): a cheap
    pre-check that rules out terms whose runs are not in the text at all.
    """

    text: str
    index: tuple[int, ...] | None
    lower: str | None = None

    @classmethod
    def of(cls, source: str) -> NormalisedText:
        if source.isascii():
            return cls(source, None, source.lower())
        chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(source):
            norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch  # noqa: PLR2004
            chars.append(norm)
            index.extend([i] * len(norm))
        text = "".join(chars)
        return cls(text, tuple(index), text.lower() if text.isascii() else None)

    def span(self, start: int, end: int, kind: str) -> Span:
        if self.index is None:
            return Span(start, end, kind)
        return Span(self.index[start], self.index[end - 1] + 1, kind)


def term_runs(term: str) -> list[str]:
    """The letter runs and digit runs of ``term`` in order (after NFKC)."""
    return _RUN.findall(unicodedata.normalize("NFKC", term))


@lru_cache(maxsize=512)
def term_regex(term: str) -> re.Pattern[str] | None:
    """The compiled pattern for ``term``, or ``None`` if it has no letters or digits."""
    runs = term_runs(term)
    if not runs:
        return None
    body = _SEP.join(re.escape(run) for run in runs)
    before = r"(?<!\d)" if runs[0][0].isdigit() else _NOT_LETTER_BEFORE
    after = r"(?!\d)" if runs[-1][0].isdigit() else _NOT_LETTER_AFTER
    return re.compile(before + body + after, re.IGNORECASE)


@lru_cache(maxsize=512)
def _ascii_needles(term: str) -> tuple[str, ...] | None:
    """The lower-cased runs of ``term`` if they are all ASCII (else ``None``)."""
    runs = term_runs(term)
    if not runs or not all(run.isascii() for run in runs):
        return None
    return tuple(run.lower() for run in runs)


def _may_match(lower: str | None, term: str) -> bool:
    """``False`` only if ``term`` cannot match: the text is ASCII and lacks one of its runs.

    In ASCII text, ``re.IGNORECASE`` on an ASCII run is exactly equality after ``lower()``, and
    every run must occur in a match, so this never rules out a real match.
    """
    if lower is None:
        return True
    needles = _ascii_needles(term)
    return needles is None or all(needle in lower for needle in needles)


def find_term(text: NormalisedText, term: str, kind: str = "term") -> list[Span]:
    """Every match of ``term`` in ``text`` (non-overlapping, left to right)."""
    pattern = term_regex(term)
    if pattern is None or not _may_match(text.lower, term):
        return []
    lower = text.lower
    needles = _ascii_needles(term) if lower is not None else None
    if needles is None or lower is None:
        return [text.span(m.start(), m.end(), kind) for m in pattern.finditer(text.text)]
    # In ASCII text every match starts where the first run does: try the pattern only there
    # (the same leftmost, non-overlapping matches as finditer, without a scan per position).
    spans: list[Span] = []
    first = needles[0]
    pos = lower.find(first)
    while pos >= 0:
        match = pattern.match(text.text, pos)
        if match is None:
            pos = lower.find(first, pos + 1)
            continue
        spans.append(text.span(match.start(), match.end(), kind))
        pos = lower.find(first, match.end())
    return spans


@lru_cache(maxsize=64)
def detector_regex(name: str, mrn_pattern: str | None = None) -> re.Pattern[str]:
    if name == "mrn":
        return re.compile(mrn_pattern or DEFAULT_MRN_PATTERN, re.IGNORECASE)
    return re.compile(DETECTOR_PATTERNS[name], re.IGNORECASE)


def find_detected(text: NormalisedText, name: str, mrn_pattern: str | None = None) -> list[Span]:
    """Matches of the built-in detector ``name``. If the pattern has a group named ``value``
    only that group is returned (so ``MRN: 123456`` can keep its label)."""
    pattern = detector_regex(name, mrn_pattern)
    spans: list[Span] = []
    for m in pattern.finditer(text.text):
        start, end = m.span("value") if "value" in pattern.groupindex else m.span()
        if end > start:
            spans.append(text.span(start, end, name))
    return spans


def contains_term(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` by the matching rule."""
    return contains_any(text, (term,))


def contains_any(text: str, terms: Iterable[str]) -> bool:
    """Whether any of ``terms`` occurs in ``text`` (normalised once for all of them)."""
    norm = NormalisedText.of(text) if not text.isascii() else None
    body = norm.text if norm is not None else text
    lower = norm.lower if norm is not None else text.lower()
    for term in terms:
        pattern = term_regex(term)
        if pattern is not None and _may_match(lower, term) and pattern.search(body):
            return True
    return False
