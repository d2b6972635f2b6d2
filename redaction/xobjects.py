"""XObjects met while removing glyphs: Form XObjects are rewritten recursively (copy-on-write,
under a fresh resource name, so pages sharing one keep theirs); images that intersect a
rectangle are handed to :mod:`redaction.images` and replaced by painted copies."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pikepdf

from redaction import images
from redaction.content import Instruction, Outcome, Run, instruction, with_xobjects
from redaction.errors import MalformedPdf
from redaction.geometry import Matrix, Rect
from redaction.textstate import num

MAX_DEPTH = 12
Interpret = Callable[[list[Instruction], pikepdf.Object, Matrix, int], Outcome]
Parse = Callable[[pikepdf.Object], list[Instruction]]


class XObjects:
    """Rewrites the XObjects of one document; ``interpret`` runs a form's content stream."""

    def __init__(
        self, pdf: pikepdf.Pdf, rects: Sequence[Rect], interpret: Interpret, parse: Parse
    ) -> None:
        self.pdf = pdf
        self.rects = tuple(rects)
        self._interpret = interpret
        self._parse = parse
        self._names = 0
        self._active: list[tuple[int, int]] = []

    def do(self, run: Run, inst: Instruction, operands: list[pikepdf.Object], depth: int) -> None:
        """The ``Do`` operator: keep it, or point it at a rewritten copy of its XObject."""
        table = _table(run.resources)
        xobj = table.get(str(operands[0])) if operands and table is not None else None
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
        self._use(run, replacement, table)

    def inline_image(self, run: Run, inst: pikepdf.ContentStreamInlineImage) -> None:
        """An inline image under a rectangle becomes a painted image XObject."""
        replacement = images.paint_inline(self.pdf, inst.iimage, run.state.ctm, self.rects)
        if replacement is None:
            run.out.append(inst)
            return
        run.outcome.images_painted += 1
        self._use(run, replacement, _table(run.resources))

    def fresh_name(self, table: object) -> str:
        while True:
            self._names += 1
            name = f"/RdX{self._names}"
            if not (isinstance(table, pikepdf.Dictionary) and name in table):
                return name

    def _use(self, run: Run, replacement: pikepdf.Object, table: object) -> None:
        name = self.fresh_name(table)
        run.outcome.added[name] = replacement
        run.out.append(instruction([pikepdf.Name(name)], "Do"))
        run.changed = True

    def _form(self, run: Run, form: pikepdf.Stream, depth: int) -> pikepdf.Object | None:
        key = form.objgen
        if depth >= MAX_DEPTH or key in self._active:
            raise MalformedPdf("Form XObjects nest too deep or loop", part="xobject")
        matrix = form.get("/Matrix")
        values = [num(v) for v in matrix] if isinstance(matrix, pikepdf.Array) else []
        form_ctm = (Matrix(*values) if len(values) == 6 else Matrix()) @ run.state.ctm  # noqa: PLR2004
        resources = form.get("/Resources", run.resources)
        self._active.append(key)
        try:
            outcome = self._interpret(self._parse(form), resources, form_ctm, depth + 1)
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


def _table(resources: pikepdf.Object) -> pikepdf.Dictionary | None:
    table = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    return table if isinstance(table, pikepdf.Dictionary) else None
