"""Remove every glyph whose centre lies in a redaction rectangle, by rewriting content streams.

The interpreter follows the text state (:mod:`redaction.textstate`), the CTM through q/Q and cm,
and Form XObjects recursively (:mod:`redaction.xobjects`: a changed form is copied under a fresh
resource name, so pages sharing it keep theirs). Removed glyphs become one merged TJ gap with
their neighbouring adjustments (:func:`redaction.content.merge_pieces`), so the widths of single
removed glyphs do not survive in the file. Images that intersect a rectangle are painted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pikepdf

from redaction.content import (
    Instruction,
    Outcome,
    Run,
    instruction,
    merge_pieces,
    strip_alternates,
    with_xobjects,
)
from redaction.errors import MalformedPdf, UnsupportedPdf
from redaction.fonts import Font, load_font
from redaction.geometry import Matrix, Rect
from redaction.textstate import (
    Glyph,
    State,
    advance_string,
    begin_text,
    concat,
    kern,
    line_centre_y,
    move_line,
    next_line,
    num,
    set_matrix,
    show_string,
)
from redaction.xobjects import XObjects

__all__ = ["GlyphHook", "Outcome", "Remover", "merge_pieces"]

_SHOW_OPS = frozenset({"Tj", "TJ", "'", '"'})
_PARAM_OPS: dict[str, str] = {"Tc": "tc", "Tw": "tw", "TL": "tl", "Ts": "rise"}
GlyphHook = Callable[[Glyph, bool], None]


class Remover:
    """Rewrites the content of one document; fonts are loaded once per font object."""

    def __init__(
        self,
        pdf: pikepdf.Pdf,
        rects: Sequence[Rect],
        *,
        on_glyph: GlyphHook | None = None,
        fonts: dict[tuple[int, int], Any] | None = None,
    ) -> None:
        self.pdf = pdf
        self.rects = tuple(rects)
        self.on_glyph = on_glyph
        self._fonts: dict[tuple[int, int], Font] = {} if fonts is None else fonts
        self.xobjects = XObjects(pdf, self.rects, self.run, self.parse)

    def page(self, page: pikepdf.Page) -> Outcome:
        """Rewrite one page in place; return what was done."""
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        instructions = self.parse(page.obj)
        outcome = self.run(instructions, resources, Matrix(), 0)
        if outcome.instructions is not None:
            page.obj.Contents = self.pdf.make_stream(
                pikepdf.unparse_content_stream(outcome.instructions)
            )
        if outcome.added:
            page.obj.Resources = with_xobjects(resources, outcome.added)
        return outcome

    def parse(self, obj: pikepdf.Object) -> list[Instruction]:
        """Parse a content stream; refuse it if qpdf reported a problem while parsing."""
        self.pdf.get_warnings()  # qpdf hands warnings over once: drain the older ones
        try:
            instructions = list(pikepdf.parse_content_stream(obj))
        except pikepdf.PdfError as exc:
            raise MalformedPdf("content stream cannot be parsed", part="content") from exc
        if self.pdf.get_warnings():
            raise MalformedPdf("content stream parsed with errors", part="content")
        return instructions

    def run(
        self, instructions: list[Instruction], resources: pikepdf.Object, ctm: Matrix, depth: int
    ) -> Outcome:
        run = Run(resources=resources, state=State(ctm=ctm))
        for inst in instructions:
            self._step(run, inst, depth)
        if run.changed:
            run.outcome.instructions = run.out
        run.outcome.unclosed = len(run.stack)
        return run.outcome

    def _step(self, run: Run, inst: Instruction, depth: int) -> None:
        if isinstance(inst, pikepdf.ContentStreamInlineImage):
            self.xobjects.inline_image(run, inst)
            return
        op = str(inst.operator)
        operands = list(inst.operands)
        if op in _SHOW_OPS:
            self._show(run, inst, op, operands)
            return
        if op == "Do":
            self.xobjects.do(run, inst, operands, depth)
            return
        if op in {"BDC", "DP"} and strip_alternates(operands):
            inst = instruction(operands, op)
            run.changed = True
        self._state_op(run, op, operands)
        run.out.append(inst)

    def _state_op(self, run: Run, op: str, operands: list[pikepdf.Object]) -> None:
        state = run.state
        if op == "q":
            run.stack.append(state.saved())
        elif op == "Q":
            if run.stack:
                run.state = run.stack.pop()
        elif op == "cm":
            concat(state, operands)
        elif op == "BT":
            begin_text(state)
        elif op in {"Td", "TD"} and len(operands) == 2:  # noqa: PLR2004
            if op == "TD":
                state.text.tl = -num(operands[1])
            move_line(state, num(operands[0]), num(operands[1]))
        elif op == "Tm":
            set_matrix(state, operands)
        elif op == "T*":
            next_line(state)
        elif op == "Tf" and len(operands) == 2:  # noqa: PLR2004
            self._set_font(run, operands[0], num(operands[1]))
        elif op == "gs" and operands:
            self._ext_gstate(run, operands[0])
        else:
            self._param_op(state, op, operands)

    @staticmethod
    def _param_op(state: State, op: str, operands: list[pikepdf.Object]) -> None:
        if len(operands) != 1:
            return
        if op in _PARAM_OPS:
            setattr(state.text, _PARAM_OPS[op], num(operands[0]))
        elif op == "Tz":
            state.text.th = num(operands[0]) / 100
        elif op == "Tr":
            state.text.tr = int(num(operands[0]))

    def _set_font(self, run: Run, name: object, size: float) -> None:
        fonts = (
            run.resources.get("/Font") if isinstance(run.resources, pikepdf.Dictionary) else None
        )
        font_obj = fonts.get(str(name)) if isinstance(fonts, pikepdf.Dictionary) else None
        run.state.text.font = self.font(font_obj)
        run.state.text.font_name = str(name)
        run.state.text.tfs = size

    def _ext_gstate(self, run: Run, name: object) -> None:
        table = (
            run.resources.get("/ExtGState")
            if isinstance(run.resources, pikepdf.Dictionary)
            else None
        )
        gs = table.get(str(name)) if isinstance(table, pikepdf.Dictionary) else None
        font = gs.get("/Font") if isinstance(gs, pikepdf.Dictionary) else None
        if isinstance(font, pikepdf.Array) and len(font) == 2:  # noqa: PLR2004
            run.state.text.font = self.font(font[0])
            run.state.text.tfs = num(font[1])

    def font(self, obj: pikepdf.Object | None) -> Font:
        if obj is None or not obj.is_indirect:
            return load_font(obj)
        key = obj.objgen
        if key not in self._fonts:
            self._fonts[key] = load_font(obj)
        return self._fonts[key]

    def _candidates(self, state: State) -> tuple[Rect, ...]:
        """The rectangles the glyphs of the current line could fall into."""
        y = line_centre_y(state)
        if y is None:
            return self.rects
        return tuple(r for r in self.rects if r.y0 <= y <= r.y1)

    def _show(self, run: Run, inst: Instruction, op: str, operands: list[pikepdf.Object]) -> None:
        state = run.state
        if state.text.font.vertical:
            raise UnsupportedPdf("vertical writing", feature="vertical-writing")
        prefix: list[Instruction] = []
        if op == '"' and len(operands) == 3:  # noqa: PLR2004
            state.text.tw, state.text.tc = num(operands[0]), num(operands[1])
            prefix = [instruction([operands[0]], "Tw"), instruction([operands[1]], "Tc")]
        if op in {"'", '"'}:
            next_line(state)
            prefix.append(instruction([], "T*"))
        items = list(operands[0]) if op == "TJ" and operands else operands[-1:]
        new_items, removed = self._layout(state, items)
        if removed == 0:
            run.out.append(inst)
            return
        if state.text.tfs * state.text.th == 0:
            raise UnsupportedPdf("text with zero size", feature="zero-font-size")
        run.out.extend(prefix)
        run.out.append(instruction([pikepdf.Array(new_items)], "TJ"))
        run.changed = True
        run.outcome.glyphs_removed += removed

    def _layout(self, state: State, items: list[pikepdf.Object]) -> tuple[list[object], int]:
        """Lay out a TJ array; return its rewrite (removed glyphs as merged gaps) and count."""
        rects = self._candidates(state)
        if not rects and self.on_glyph is None:
            for item in items:
                if isinstance(item, pikepdf.String):
                    advance_string(state, bytes(item))
                else:
                    kern(state, num(item))
            return [], 0
        pieces: list[bytes | float] = []
        removed = 0
        scale = state.text.tfs * state.text.th
        for item in items:
            if isinstance(item, pikepdf.String):
                for glyph in show_string(state, bytes(item)):
                    x, y = glyph.x, glyph.y
                    hit = any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in rects)
                    if self.on_glyph is not None:
                        self.on_glyph(glyph, hit)
                    if hit:
                        removed += 1
                        pieces.append(-glyph.advance * 1000 / scale if scale else 0.0)
                    else:
                        pieces.append(glyph.code)
            else:
                amount = num(item)
                kern(state, amount)
                pieces.append(amount)
        return merge_pieces(pieces), removed
