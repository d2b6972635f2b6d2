"""Text and graphics state of a content stream, and where each shown glyph lands (pure math).

Follows PDF 32000-1 9.3 and 9.4: Tc, Tw, Tz, TL, Tf, Ts, Tr; Tm/Tlm under BT, Td, TD, Tm, T*;
the CTM under q/Q and cm. A glyph's centre is taken at half its advance and ``Font.centre_y``
em above the baseline, mapped through the text rendering matrix and the CTM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from redaction.fonts import Font
from redaction.geometry import IDENTITY, Matrix

_NO_FONT = Font(widths={}, default_width=0.5)


@dataclass(slots=True)
class TextParams:
    """The text-state parameters that q/Q save and restore."""

    tc: float = 0.0
    tw: float = 0.0
    th: float = 1.0
    tl: float = 0.0
    tfs: float = 0.0
    rise: float = 0.0
    tr: int = 0
    font: Font = field(default_factory=lambda: _NO_FONT)
    font_name: str = ""


@dataclass(slots=True)
class State:
    """The graphics state we follow, plus the text matrices (valid inside BT/ET)."""

    ctm: Matrix = IDENTITY
    text: TextParams = field(default_factory=TextParams)
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY

    def saved(self) -> State:
        return State(ctm=self.ctm, text=replace(self.text), tm=self.tm, tlm=self.tlm)


@dataclass(frozen=True, slots=True)
class Glyph:
    """One shown glyph: its code bytes, its advance in text space, its centre in user space."""

    code: bytes
    advance: float
    x: float
    y: float


def num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


def begin_text(state: State) -> None:
    state.tm = IDENTITY
    state.tlm = IDENTITY


def move_line(state: State, tx: float, ty: float) -> None:
    """Td: start a new line offset from the start of the current line."""
    state.tlm = Matrix(1, 0, 0, 1, tx, ty) @ state.tlm
    state.tm = state.tlm


def next_line(state: State) -> None:
    """T*: Td with (0, -TL)."""
    move_line(state, 0.0, -state.text.tl)


def set_matrix(state: State, operands: Sequence[object]) -> None:
    """Tm: replace the text matrix and the line matrix."""
    values = [num(v) for v in operands]
    if len(values) == 6:  # noqa: PLR2004
        state.tm = state.tlm = Matrix(*values)


def concat(state: State, operands: Sequence[object]) -> None:
    """cm: pre-multiply the CTM."""
    values = [num(v) for v in operands]
    if len(values) == 6:  # noqa: PLR2004
        state.ctm = Matrix(*values) @ state.ctm


def glyph_advance(params: TextParams, code: bytes, width: float) -> float:
    """The horizontal displacement of a glyph in text space (PDF 9.4.4)."""
    spacing = params.tc + (params.tw if code == b" " else 0.0)
    return (width * params.tfs + spacing) * params.th


def show_string(state: State, data: bytes) -> list[Glyph]:
    """Lay out ``data`` at the current text matrix and advance it past the string."""
    params = state.text
    font = params.font
    placement = state.tm @ state.ctm
    cy = params.rise + font.centre_y * params.tfs
    scale = params.tfs * params.th
    glyphs: list[Glyph] = []
    offset = 0.0
    for code, width in font.glyphs(data):
        advance = glyph_advance(params, code, width)
        x, y = placement.apply(offset + width * scale / 2, cy)
        glyphs.append(Glyph(code, advance, x, y))
        offset += advance
    state.tm = Matrix(1, 0, 0, 1, offset, 0) @ state.tm
    return glyphs


def advance_string(state: State, data: bytes) -> None:
    """Advance the text matrix past ``data`` without laying out each glyph (the fast path)."""
    params = state.text
    font = params.font
    if font.simple:
        widths = font.width_sum(data)
        spacing = params.tc * len(data) + params.tw * data.count(32)
    else:
        glyphs = font.glyphs(data)
        widths = sum(w for _, w in glyphs)
        spacing = params.tc * len(glyphs) + params.tw * sum(1 for c, _ in glyphs if c == b" ")
    offset = (widths * params.tfs + spacing) * params.th
    state.tm = Matrix(1, 0, 0, 1, offset, 0) @ state.tm


def line_centre_y(state: State) -> float | None:
    """The y of every glyph centre the next strings will have, if the text is upright."""
    placement = state.tm @ state.ctm
    if placement.b != 0 or placement.c != 0:
        return None
    return placement.d * (state.text.rise + state.text.font.centre_y * state.text.tfs) + placement.f


def kern(state: State, amount: float) -> float:
    """A number in a TJ array: move left by ``amount`` thousandths of text space units."""
    tx = -amount / 1000 * state.text.tfs * state.text.th
    state.tm = Matrix(1, 0, 0, 1, tx, 0) @ state.tm
    return tx
