"""Form XObjects that hold text, copied into the content of the pages that draw them (pikepdf).

PDFium takes text objects out of a page's own content and writes it again,
but what it takes out of a form XObject is not written back (the form keeps
its stream). So before the Arabic text objects go, each form with text that a
page draws is put in the page's content where it was drawn, inside ``q``/``Q``
with its matrix and its box as a clip, its resources added to the page's under
new names. The form itself is left in the file for any other page that uses it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

DEPTH = 8
"""Forms inside forms copied this deep at most (a form that draws itself would never end)."""
RESOURCE_OF = {
    "Tf": ("/Font", 0),
    "Do": ("/XObject", 0),
    "gs": ("/ExtGState", 0),
    "cs": ("/ColorSpace", 0),
    "CS": ("/ColorSpace", 0),
    "sh": ("/Shading", 0),
    "scn": ("/Pattern", -1),
    "SCN": ("/Pattern", -1),
    "BDC": ("/Properties", 1),
    "DP": ("/Properties", 1),
}
"""Operators that name a resource: its kind, and which operand names it."""


def inlined(data: bytes, pages: Iterable[int]) -> bytes:
    """``data`` with the forms holding text on ``pages`` copied into their content; ``data`` itself if none."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        changed = False
        for number in pages:
            page = pdf.pages[number]
            resources = page.obj.get("/Resources")
            if resources is None or not any(_has_text(form, DEPTH) for form in _forms(resources)):
                continue
            if "/Resources" not in page.obj:  # inherited from its parent: the page gets its own
                page.obj.Resources = pikepdf.Dictionary(resources)
            operations = _expanded(pdf, pikepdf.parse_content_stream(page), resources, page.obj.Resources, {}, DEPTH)
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
            changed = True
        if not changed:
            return data
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _forms(resources: Any) -> list[Any]:
    xobjects = resources.get("/XObject", {})
    return [xobjects[key] for key in xobjects.keys() if xobjects[key].get("/Subtype") == "/Form"]


def _has_text(form: Any, depth: int) -> bool:
    if depth == 0:
        return False
    if b"BT" in form.read_bytes():
        return True
    return any(_has_text(inner, depth - 1) for inner in _forms(form.get("/Resources", {})))


def _expanded(
    pdf: Any, operations: list[Any], resources: Any, target: Any, names: dict[tuple[str, str], str], depth: int
) -> list[Any]:
    """``operations`` (drawn with ``resources``) with forms holding text copied in, their resources named as in
    ``target`` (``names``: a resource's new name, by kind and old name)."""
    import pikepdf

    out: list[Any] = []
    for operation in operations:
        if isinstance(operation, pikepdf.ContentStreamInlineImage):
            out.append(operation)
            continue
        operator = str(operation.operator)
        operands = list(operation.operands)
        if operator == "Do" and depth > 0:
            form = resources.get("/XObject", {}).get(operands[0])
            if form is not None and form.get("/Subtype") == "/Form" and _has_text(form, depth):
                out.extend(_form(pdf, form, resources, target, depth))
                continue
        if operator in RESOURCE_OF:
            kind, at = RESOURCE_OF[operator]
            if -len(operands) <= at < len(operands) and isinstance(operands[at], pikepdf.Name):
                operands[at] = pikepdf.Name(names.get((kind, str(operands[at])), str(operands[at])))
        out.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(operator)))
    return out


def _form(pdf: Any, form: Any, outer: Any, target: Any, depth: int) -> list[Any]:
    """The operations that draw ``form`` where its ``Do`` was: saved state, its matrix, its box as a clip."""
    import pikepdf

    resources = form.get("/Resources", outer)  # a form without resources uses its page's (PDF 1.1)
    names: dict[tuple[str, str], str] = {}
    for kind in resources.keys():
        if kind == "/ProcSet":
            continue
        category = target.get(kind)
        if category is None:
            category = target[kind] = pikepdf.Dictionary()
        for key in resources[kind].keys():
            new = _free(category, key)
            category[new] = resources[kind][key]
            names[(str(kind), str(key))] = new
    left, bottom, right, top = (float(v) for v in form.get("/BBox", [0, 0, 0, 0]))
    matrix = [float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]

    def op(operator: str, *operands: Any) -> Any:
        return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(operator))

    body = _expanded(pdf, pikepdf.parse_content_stream(form), resources, target, names, depth - 1)
    clip = [op("re", left, bottom, right - left, top - bottom), op("W"), op("n")]
    return [op("q"), op("cm", *matrix), *clip, *body, op("Q")]


def _free(category: Any, key: str) -> str:
    """A name for ``key`` not yet used in ``category``."""
    stem = str(key).lstrip("/")
    for n in range(1, 10_000):
        name = f"/{stem}_tj{n}"
        if name not in category:
            return name
    raise ValueError(f"no free name for {key}")
