"""The hash chain of the disclosure ledger, as pure functions over values (no I/O).

Each entry's hash is SHA-256 over the canonical JSON of its content, its ``seq`` and the hash of
the entry before it (``prev_hash``; the first entry links to :data:`GENESIS_HASH`). Canonical JSON
is UTF-8, keys sorted, no insignificant whitespace; contents hold only strings, integers,
booleans, ``None`` and lists and objects of those (no floats: their text differs between
databases), so the bytes are the same after a round trip through SQLite or PostgreSQL.

:class:`ChainVerifier` walks the entries in ``seq`` order and stops at the first one that breaks
the chain, then checks the walk against *anchors*: (seq, hash) pairs recorded elsewhere. The
``ledger_head`` row is one anchor (it catches a truncated tail and a re-hashed tail that left the
head alone); signed checkpoints exported off-host (SECURITY.md R40) will be more of them, and are
the only thing that catches a forger who also rewrote the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

GENESIS_HASH = "0" * 64
HASH_VERSION = 1

JsonValue: TypeAlias = "str | int | bool | list[JsonValue] | dict[str, JsonValue] | None"


class BreakReason(StrEnum):
    """Why an entry breaks the chain (stable codes, printed by ``roi ledger verify``)."""

    ENTRY_MISSING = "entry missing: seq gap"
    OUT_OF_ORDER = "seq out of order or repeated"
    HASH_MISMATCH = "entry hash does not match its content"
    LINK_MISMATCH = "prev_hash does not match the entry before"
    UNREADABLE = "entry cannot be read"
    TAIL_MISSING = "entries missing at the tail: the head records more"
    BEYOND_HEAD = "entries beyond the recorded head"
    ANCHOR_MISMATCH = "entry hash differs from the recorded head or checkpoint"
    HEAD_MISSING = "the chain head row is missing"


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One entry as the chain sees it: position, links and the hashed content."""

    seq: int
    prev_hash: str
    entry_hash: str
    content: Mapping[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A (seq, hash) pair recorded outside the entries: the head row or a checkpoint."""

    seq: int
    entry_hash: str
    source: str = "head"


@dataclass(frozen=True, slots=True)
class Break:
    seq: int
    reason: BreakReason

    def describe(self) -> str:
        return f"seq={self.seq} ({self.reason.value})"


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of a walk: how many entries held, and the first break if any."""

    entries: int
    last_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def canonical_json(value: Mapping[str, JsonValue]) -> bytes:
    """The one byte form of a content mapping that hashes are taken over."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def compute_hash(seq: int, prev_hash: str, content: Mapping[str, JsonValue]) -> str:
    """SHA-256 (hex) of the canonical JSON of the content, its seq and the previous hash."""
    envelope: dict[str, JsonValue] = {
        "v": HASH_VERSION,
        "seq": seq,
        "prev_hash": prev_hash,
        "content": dict(content),
    }
    return hashlib.sha256(canonical_json(envelope)).hexdigest()


def link(seq: int, prev_hash: str, content: Mapping[str, JsonValue]) -> ChainRecord:
    """A new record that extends an entry of ``seq - 1`` whose hash is ``prev_hash``."""
    return ChainRecord(seq, prev_hash, compute_hash(seq, prev_hash, content), content)


def build_chain(contents: Iterable[Mapping[str, JsonValue]]) -> list[ChainRecord]:
    """A chain from seq 1 over the given contents (for tests and tools)."""
    records: list[ChainRecord] = []
    prev_hash = GENESIS_HASH
    for seq, content in enumerate(contents, start=1):
        record = link(seq, prev_hash, content)
        records.append(record)
        prev_hash = record.entry_hash
    return records


class ChainVerifier:
    """Walks records in seq order, one at a time (so callers can stream pages from a database).

    Memory stays constant: only the hashes at anchor positions are kept.
    """

    def __init__(self, anchors: Sequence[Anchor] = ()) -> None:
        self._anchors = tuple(anchors)
        self._wanted = {anchor.seq for anchor in self._anchors}
        self._hash_at: dict[int, str] = {0: GENESIS_HASH}
        self._expected_seq = 1
        self._prev_hash = GENESIS_HASH
        self.broken: Break | None = None

    @property
    def count(self) -> int:
        return self._expected_seq - 1

    def feed(self, record: ChainRecord) -> Break | None:
        """Check one record; after the first break every later record is ignored."""
        if self.broken is None:
            self.broken = self._check(record)
            if self.broken is None:
                self._advance(record)
        return self.broken

    def fail_unreadable(self) -> Break:
        """The next entry could not be read from storage (a tampered value of the wrong type)."""
        if self.broken is None:
            self.broken = Break(self._expected_seq, BreakReason.UNREADABLE)
        return self.broken

    def finish(self) -> Verification:
        """Close the walk: the earliest break, counting those only the anchors reveal."""
        found = (self.broken, *(self._check_anchor(anchor) for anchor in self._anchors))
        breaks = [b for b in found if b is not None]
        first = min(breaks, key=lambda b: b.seq) if breaks else None
        return Verification(self.count, self._prev_hash, first)

    def _check(self, record: ChainRecord) -> Break | None:
        if record.seq > self._expected_seq:
            return Break(self._expected_seq, BreakReason.ENTRY_MISSING)
        if record.seq < self._expected_seq:
            return Break(self._expected_seq, BreakReason.OUT_OF_ORDER)
        if compute_hash(record.seq, record.prev_hash, record.content) != record.entry_hash:
            return Break(record.seq, BreakReason.HASH_MISMATCH)
        if record.prev_hash != self._prev_hash:
            return Break(record.seq, BreakReason.LINK_MISMATCH)
        return None

    def _advance(self, record: ChainRecord) -> None:
        if record.seq in self._wanted:
            self._hash_at[record.seq] = record.entry_hash
        self._prev_hash = record.entry_hash
        self._expected_seq += 1

    def _check_anchor(self, anchor: Anchor) -> Break | None:
        """An anchor past the walked entries means entries are missing at the tail; a different
        hash, a rewritten entry at or before it; walked entries past the head, unrecorded ones."""
        seen = self._hash_at.get(anchor.seq)
        if seen is None:
            if self.broken is None and anchor.seq > self.count:
                return Break(self.count + 1, BreakReason.TAIL_MISSING)
            return None
        if seen != anchor.entry_hash:
            return Break(max(anchor.seq, 1), BreakReason.ANCHOR_MISMATCH)
        if anchor.source == "head" and self.broken is None and self.count > anchor.seq:
            return Break(anchor.seq + 1, BreakReason.BEYOND_HEAD)
        return None


def verify_chain(records: Iterable[ChainRecord], anchors: Sequence[Anchor] = ()) -> Verification:
    """Verify a whole sequence of records (in seq order) against optional anchors."""
    verifier = ChainVerifier(anchors)
    for record in records:
        if verifier.feed(record) is not None:
            break
    return verifier.finish()
