"""The Arabic text objects taken out of a PDF's pages (PDFium), and the colours they were drawn in.

A text object goes if its middle stands on one of the Arabic lines read (its
box grown a little: PDFium's object bounds reach the font's ascent and
descent, the line's the letters'). PDFium then writes the page's content
again; a form XObject that holds text is first copied into its page
(:mod:`translate.formats.pdfforms`), since PDFium would not write a form back.
"""

from __future__ import annotations

import ctypes
import io
from collections import Counter
from typing import Any

from translate.formats.pdflayout import Box

SLACK = 0.3
"""A text object stands on a line read if its middle is within the line's box grown by this share of its height."""


Colour = tuple[float, float, float]
"""Red, green and blue, each from 0 to 1."""
Colours = dict[tuple[int, Box], Counter[Colour]]
"""The colours a line's text objects were filled with (by page and the line's box), and how many of each."""


def without_text(data: bytes, taken: dict[int, list[Box]]) -> tuple[bytes, Colours]:
    """``data`` with the text objects that stand on the given lines removed (PDFium; the forms that hold text
    first copied into their pages, :mod:`translate.formats.pdfforms`), and the colours they had."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from translate.formats.pdfforms import inlined

    document = pdfium.PdfDocument(inlined(data, taken))
    colours: Colours = {}
    try:
        for number, boxes in taken.items():
            page = document[number]
            if _remove_text(page.raw, boxes, number, colours):
                raw.FPDFPage_GenerateContent(page.raw)
            page.close()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue(), colours
    finally:
        document.close()


def _remove_text(page: Any, boxes: list[Box], number: int, colours: Colours) -> int:
    """Remove the text objects of ``page`` whose middle lies on one of ``boxes``, counting their colours; return
    how many went."""
    import pypdfium2.raw as raw

    removed = 0
    for k in reversed(range(raw.FPDFPage_CountObjects(page))):
        item = raw.FPDFPage_GetObject(page, k)
        box = _line_of(item, boxes) if raw.FPDFPageObj_GetType(item) == raw.FPDF_PAGEOBJ_TEXT else None
        if box is not None and raw.FPDFPage_RemoveObject(page, item):
            red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
            if raw.FPDFPageObj_GetFillColor(item, red, green, blue, alpha):
                colour = (red.value / 255, green.value / 255, blue.value / 255)
                colours.setdefault((number, box), Counter())[colour] += 1
            raw.FPDFPageObj_Destroy(item)
            removed += 1
    return removed


def _line_of(item: Any, boxes: list[Box]) -> Box | None:
    """The line (of ``boxes``) a text object stands on, if any."""
    import pypdfium2.raw as raw

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not raw.FPDFPageObj_GetBounds(item, left, bottom, right, top):
        return None
    x, y = (left.value + right.value) / 2, (bottom.value + top.value) / 2
    for box in boxes:
        grow = SLACK * (box[3] - box[1])
        if box[0] - grow <= x <= box[2] + grow and box[1] - grow <= y <= box[3] + grow:
            return box
    return None
