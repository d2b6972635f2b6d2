"""Character maps: split shown strings into codes and map codes to CIDs (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redaction.errors import UnsupportedPdf

_MAX_BYTES = 4
_HEX = rb"<([0-9A-Fa-f\s]*)>"
_SECTION = re.compile(rb"begin(codespacerange|cidrange|cidchar)(.*?)end\1", re.DOTALL)
_TOKEN = re.compile(_HEX + rb"|(\d+)")


@dataclass(frozen=True, slots=True)
class CMap:
    """Codespace ranges (byte length, low, high) and code -> CID mappings."""

    ranges: tuple[tuple[int, bytes, bytes], ...]
    cids: dict[int, int]
    cid_ranges: tuple[tuple[int, int, int], ...]
    identity: bool = False

    def split(self, data: bytes) -> list[tuple[bytes, int]]:
        """Split ``data`` into codes by the codespace ranges; pair each with its CID."""
        out: list[tuple[bytes, int]] = []
        if self.identity:
            for i in range(0, len(data) - 1, 2):
                chunk = data[i : i + 2]
                out.append((chunk, int.from_bytes(chunk, "big")))
            if len(data) % 2:
                out.append((data[-1:], data[-1]))
            return out
        if len(self.ranges) == 1 and self.ranges[0][0] == 1 and not self.cids:
            return [(data[i : i + 1], b) for i, b in enumerate(data)]
        i = 0
        while i < len(data):
            n = self._length_at(data, i)
            chunk = data[i : i + n]
            out.append((chunk, self.cid(int.from_bytes(chunk, "big"))))
            i += n
        return out

    def _length_at(self, data: bytes, i: int) -> int:
        for n in range(1, _MAX_BYTES + 1):
            chunk = data[i : i + n]
            if len(chunk) < n:
                break
            if any(k == n and _in_range(chunk, lo, hi) for k, lo, hi in self.ranges):
                return n
        return 1

    def cid(self, code: int) -> int:
        if code in self.cids:
            return self.cids[code]
        for lo, hi, start in self.cid_ranges:
            if lo <= code <= hi:
                return start + code - lo
        return code if not (self.cids or self.cid_ranges) else 0


def _in_range(chunk: bytes, lo: bytes, hi: bytes) -> bool:
    return all(a <= c <= b for c, a, b in zip(chunk, lo, hi, strict=True))


def identity_cmap() -> CMap:
    return CMap(ranges=((2, b"\x00\x00", b"\xff\xff"),), cids={}, cid_ranges=(), identity=True)


def _tokens(body: bytes) -> list[bytes | int]:
    out: list[bytes | int] = []
    for match in _TOKEN.finditer(body):
        if match.group(1) is not None:
            out.append(bytes.fromhex(re.sub(rb"\s", b"", match.group(1)).decode("ascii")))
        else:
            out.append(int(match.group(2)))
    return out


def parse_cmap(data: bytes) -> CMap:
    """Parse an embedded CMap stream (codespacerange, cidrange, cidchar)."""
    if b"usecmap" in data:
        raise UnsupportedPdf("CMap with usecmap", feature="cmap-usecmap")
    ranges: list[tuple[int, bytes, bytes]] = []
    cids: dict[int, int] = {}
    cid_ranges: list[tuple[int, int, int]] = []
    for section in _SECTION.finditer(data):
        kind, toks = section.group(1), _tokens(section.group(2))
        if kind == b"codespacerange":
            ranges.extend(_pairs(toks))
        elif kind == b"cidrange":
            cid_ranges.extend(_triples(toks))
        else:
            cids.update(_char_pairs(toks))
    if not ranges:
        raise UnsupportedPdf("CMap without codespace", feature="cmap-codespace")
    return CMap(ranges=tuple(ranges), cids=cids, cid_ranges=tuple(cid_ranges))


def _pairs(toks: list[bytes | int]) -> list[tuple[int, bytes, bytes]]:
    out = []
    for lo, hi in zip(toks[0::2], toks[1::2], strict=False):
        if isinstance(lo, bytes) and isinstance(hi, bytes) and 0 < len(lo) == len(hi) <= _MAX_BYTES:
            out.append((len(lo), lo, hi))
    return out


def _triples(toks: list[bytes | int]) -> list[tuple[int, int, int]]:
    out = []
    for lo, hi, start in zip(toks[0::3], toks[1::3], toks[2::3], strict=False):
        if isinstance(lo, bytes) and isinstance(hi, bytes) and isinstance(start, int):
            out.append((int.from_bytes(lo, "big"), int.from_bytes(hi, "big"), start))
    return out


def _char_pairs(toks: list[bytes | int]) -> dict[int, int]:
    out = {}
    for code, cid in zip(toks[0::2], toks[1::2], strict=False):
        if isinstance(code, bytes) and isinstance(cid, int):
            out[int.from_bytes(code, "big")] = cid
    return out
