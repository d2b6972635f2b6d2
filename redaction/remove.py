"""Remove every glyph whose centre lies in a redaction rectangle, by rewriting content streams.

The interpreter follows the text state (:mod:`redaction.textstate`), the CTM through q/Q and cm,
and Form XObjects recursively. A changed Form XObject is copied (copy-on-write) under a fresh
resource name, so pages sharing it keep theirs. Removed glyphs become one merged TJ gap with their
neighbouring adjustments, so the widths of single removed glyphs do not survive in the file.
Images that intersect a rectangle are handed to :mod:`redaction.images`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from redaction import images
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

MAX_DEPTH = 12
_SHOW_OPS = frozenset({"Tj", "TJ", "'", '"'})
_PARAM_OPS: dict[str, str] = {"Tc": "tc", "Tw": "tw", "TL": "tl", "Ts": "rise"}
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage
GlyphHook = Callable[[Glyph, bool], None]


@dataclass(slots=True)
class Outcome:
    """What a rewrite did: the new instructions (``None`` if unchanged) and new XObjects."""

    instructions: list[Instruction] | None
    added: dict[str, pikepdf.Object] = field(default_factory=dict)
    glyphs_removed: int = 0
    images_painted: int = 0
    unclosed: int = 0


@dataclass(slots=True)
class _Run:
    """The working state of one content stream's interpretation."""

    resources: pikepdf.Object
    state: State
    out: list[Instruction] = field(default_factory=list)
    stack: list[State] = field(default_factory=list)
    outcome: Outcome = field(default_factory=lambda: Outcome(None))
    changed: bool = False


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
        self._names = 0
        self._active: list[tuple[int, int]] = []

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
        run = _Run(resources=resources, state=State(ctm=ctm))
        for inst in instructions:
            self._step(run, inst, depth)
        if run.changed:
            run.outcome.instructions = run.out
        run.outcome.unclosed = len(run.stack)
        return run.outcome

    def _step(self, run: _Run, inst: Instruction, depth: int) -> None:
        if isinstance(inst, pikepdf.ContentStreamInlineImage):
            self._inline_image(run, inst)
            return
        op = str(inst.operator)
        operands = list(inst.operands)
        if op in _SHOW_OPS:
            self._show(run, inst, op, operands)
            return
        if op == "Do":
            self._do(run, inst, operands, depth)
            return
        if op in {"BDC", "DP"} and _strip_alternates(operands):
            inst = _inst(operands, op)
            run.changed = True
        self._state_op(run, op, operands)
        run.out.append(inst)

    def _state_op(self, run: _Run, op: str, operands: list[pikepdf.Object]) -> None:
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

    def _set_font(self, run: _Run, name: object, size: float) -> None:
        fonts = (
            run.resources.get("/Font") if isinstance(run.resources, pikepdf.Dictionary) else None
        )
        font_obj = fonts.get(str(name)) if isinstance(fonts, pikepdf.Dictionary) else None
        run.state.text.font = self.font(font_obj)
        run.state.text.font_name = str(name)
        run.state.text.tfs = size

    def _ext_gstate(self, run: _Run, name: object) -> None:
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

    def _show(self, run: _Run, inst: Instruction, op: str, operands: list[pikepdf.Object]) -> None:
        state = run.state
        if state.text.font.vertical:
            raise UnsupportedPdf("vertical writing", feature="vertical-writing")
        prefix: list[Instruction] = []
        if op == '"' and len(operands) == 3:  # noqa: PLR2004
            state.text.tw, state.text.tc = num(operands[0]), num(operands[1])
            prefix = [_inst([operands[0]], "Tw"), _inst([operands[1]], "Tc")]
        if op in {"'", '"'}:
            next_line(state)
            prefix.append(_inst([], "T*"))
        items = list(operands[0]) if op == "TJ" and operands else operands[-1:]
        new_items, removed = self._layout(state, items)
        if removed == 0:
            run.out.append(inst)
            return
        if state.text.tfs * state.text.th == 0:
            raise UnsupportedPdf("text with zero size", feature="zero-font-size")
        run.out.extend(prefix)
        run.out.append(_inst([pikepdf.Array(new_items)], "TJ"))
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

    def _do(self, run: _Run, inst: Instruction, operands: list[pikepdf.Object], depth: int) -> None:
        table = (
            run.resources.get("/XObject") if isinstance(run.resources, pikepdf.Dictionary) else None
        )
        xobj = (
            table.get(str(operands[0]))
            if operands and isinstance(table, pikepdf.Dictionary)
            else None
        )
        if not isinstance(xobj, pikepdf.Stream):
            run.out.append(inst)
            return
        subtype = xobj.get("/Subtype")
        replacement: pikepdf.Object | None = None
        if subtype == "/Form":
            replacement = self._form(run, xobj, depth)
        elif subtype == "/Image":
            replacement = images.paint_xobject(self.pdf, xobj, run.state.ctm, self.rects)
            if replacement is not None:
                run.outcome.images_painted += 1
        if replacement is None:
            run.out.append(inst)
            return
        name = self.fresh_name(table)
        run.outcome.added[name] = replacement
        run.out.append(_inst([pikepdf.Name(name)], "Do"))
        run.changed = True

    def _form(self, run: _Run, form: pikepdf.Stream, depth: int) -> pikepdf.Object | None:
        key = form.objgen
        if depth >= MAX_DEPTH or key in self._active:
            raise MalformedPdf("Form XObjects nest too deep or loop", part="xobject")
        matrix = form.get("/Matrix")
        values = [num(v) for v in matrix] if isinstance(matrix, pikepdf.Array) else []
        form_ctm = (Matrix(*values) if len(values) == 6 else Matrix()) @ run.state.ctm  # noqa: PLR2004
        resources = form.get("/Resources", run.resources)
        self._active.append(key)
        try:
            outcome = self.run(self.parse(form), resources, form_ctm, depth + 1)
        finally:
            self._active.pop()
        run.outcome.glyphs_removed += outcome.glyphs_removed
        run.outcome.images_painted += outcome.images_painted
        if outcome.instructions is None and not outcome.added:
            return None
        return self._copy_form(form, outcome, resources)

    def _copy_form(
        self, form: pikepdf.Stream, outcome: Outcome, resources: pikepdf.Object
    ) -> pikepdf.Object:
        content = (
            pikepdf.unparse_content_stream(outcome.instructions)
            if outcome.instructions is not None
            else form.read_bytes()
        )
        copy = self.pdf.make_stream(content)
        for key, value in form.items():
            if key not in {"/Length", "/Filter", "/DecodeParms", "/Resources"}:
                copy[key] = value
        copy.Resources = with_xobjects(resources, outcome.added) if outcome.added else resources
        return self.pdf.make_indirect(copy)

    def _inline_image(self, run: _Run, inst: pikepdf.ContentStreamInlineImage) -> None:
        replacement = images.paint_inline(self.pdf, inst.iimage, run.state.ctm, self.rects)
        if replacement is None:
            run.out.append(inst)
            return
        name = self.fresh_name(
            run.resources.get("/XObject") if isinstance(run.resources, pikepdf.Dictionary) else None
        )
        run.outcome.added[name] = replacement
        run.outcome.images_painted += 1
        run.out.append(_inst([pikepdf.Name(name)], "Do"))
        run.changed = True

    def fresh_name(self, table: object) -> str:
        while True:
            self._names += 1
            name = f"/RdX{self._names}"
            if not (isinstance(table, pikepdf.Dictionary) and name in table):
                return name


_ALTERNATES = ("/ActualText", "/Alt", "/E")


def _strip_alternates(operands: list[pikepdf.Object]) -> bool:
    """Drop replacement and alternate text from an inline marked-content property list."""
    props = operands[-1] if operands else None
    if not isinstance(props, pikepdf.Dictionary) or props.is_indirect:
        return False
    keys = [k for k in _ALTERNATES if k in props]
    for key in keys:
        del props[key]
    return bool(keys)


def _inst(operands: Sequence[Any], op: str) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(op))


def merge_pieces(pieces: Sequence[bytes | float]) -> list[object]:
    """Join adjacent code bytes into one string and adjacent numbers into one gap."""
    out: list[object] = []
    codes = bytearray()
    gap: float | None = None
    for piece in pieces:
        if isinstance(piece, bytes):
            if gap is not None:
                out.append(_number(gap))
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
        out.append(_number(gap))
    return out


def _number(value: float) -> float | int:
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
