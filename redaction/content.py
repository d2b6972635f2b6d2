"""The data of one content-stream rewrite and the helpers that build its instructions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from redaction.textstate import State

Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage


@dataclass(slots=True)
class Outcome:
    """What a rewrite did: the new instructions (``None`` if unchanged) and new XObjects."""

    instructions: list[Instruction] | None
    added: dict[str, pikepdf.Object] = field(default_factory=dict)
    glyphs_removed: int = 0
    images_painted: int = 0
    unclosed: int = 0


@dataclass(slots=True)
class Run:
    """The working state of one content stream's interpretation."""

    resources: pikepdf.Object
    state: State
    out: list[Instruction] = field(default_factory=list)
    stack: list[State] = field(default_factory=list)
    outcome: Outcome = field(default_factory=lambda: Outcome(None))
    changed: bool = False


_ALTERNATES = ("/ActualText", "/Alt", "/E")


def strip_alternates(operands: list[pikepdf.Object]) -> bool:
    """Drop replacement and alternate text from an inline marked-content property list."""
    props = operands[-1] if operands else None
    if not isinstance(props, pikepdf.Dictionary) or props.is_indirect:
        return False
    keys = [k for k in _ALTERNATES if k in props]
    for key in keys:
        del props[key]
    return bool(keys)


def instruction(operands: Sequence[Any], op: str) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(op))


def merge_pieces(pieces: Sequence[bytes | float]) -> list[object]:
    """Join adjacent code bytes into one string and adjacent numbers into one gap."""
    out: list[object] = []
    codes = bytearray()
    gap: float | None = None
    for piece in pieces:
        if isinstance(piece, bytes):
            if gap is not None:
                out.append(number(gap))
                gap = None
            codes.extend(piece)
        else:
            if codes:
                out.append(pikepdf.String(bytes(codes)))
                codes = bytearray()
            gap = piece if gap is None else gap + piece
    if codes:
        out.append(pikepdf.String(bytes(codes)))
    if gap is not None:
        out.append(number(gap))
    return out


def number(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def with_xobjects(
    resources: pikepdf.Object, added: dict[str, pikepdf.Object]
) -> pikepdf.Dictionary:
    """A copy of ``resources`` whose /XObject table also holds ``added`` (originals untouched)."""
    copy = pikepdf.Dictionary()
    if isinstance(resources, pikepdf.Dictionary):
        for key, value in resources.items():
            copy[key] = value
    table = pikepdf.Dictionary()
    old = copy.get("/XObject")
    if isinstance(old, pikepdf.Dictionary):
        for key, value in old.items():
            table[key] = value
    for key, value in added.items():
        table[key] = value
    copy.XObject = table
    return copy
