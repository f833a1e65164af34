"""The Arabic text objects taken out of a PDF's pages (PDFium), and how they were drawn: colour, bold, italic.

A text object goes if its middle stands on one of the Arabic lines read (its
box grown a little: PDFium's object bounds reach the font's ascent and
descent, the line's the letters'). PDFium then writes the page's content
again; a form XObject that holds text is first copied into its page
(:mod:`translate.formats.pdfforms`), since PDFium would not write a form back.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections import Counter
from typing import Any

from translate.formats.pdflayout import Box

SLACK = 0.3
"""A text object stands on a line read if its middle is within the line's box grown by this share of its height."""


Colour = tuple[float, float, float]
"""Red, green and blue, each from 0 to 1."""
Look = tuple[Colour, bool, bool]
"""How a text object was drawn: its fill colour, and whether its font is bold, and italic."""
Looks = dict[tuple[int, Box], Counter[Look]]
"""How a line's text objects were drawn (by page and the line's box), and how many each way."""
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_ITALIC = re.compile(r"italic|oblique", re.IGNORECASE)
FORCE_BOLD, ITALIC = 1 << 18, 1 << 6
"""A font descriptor's flags (PDF 32000, table 123)."""


def without_text(data: bytes, taken: dict[int, list[Box]]) -> tuple[bytes, Looks]:
    """``data`` with the text objects that stand on the given lines removed (PDFium; the forms that hold text
    first copied into their pages, :mod:`translate.formats.pdfforms`), and how they were drawn."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from translate.formats.pdfforms import inlined

    document = pdfium.PdfDocument(inlined(data, taken))
    colours: Looks = {}
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


def _remove_text(page: Any, boxes: list[Box], number: int, colours: Looks) -> int:
    """Remove the text objects of ``page`` whose middle lies on one of ``boxes``, counting how they were drawn;
    return how many went."""
    import pypdfium2.raw as raw

    removed = 0
    for k in reversed(range(raw.FPDFPage_CountObjects(page))):
        item = raw.FPDFPage_GetObject(page, k)
        box = _line_of(item, boxes) if raw.FPDFPageObj_GetType(item) == raw.FPDF_PAGEOBJ_TEXT else None
        if box is not None and raw.FPDFPage_RemoveObject(page, item):
            red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
            if raw.FPDFPageObj_GetFillColor(item, red, green, blue, alpha):
                colour = (red.value / 255, green.value / 255, blue.value / 255)
                bold, italic = _style(item)
                colours.setdefault((number, box), Counter())[(colour, bold, italic)] += 1
            raw.FPDFPageObj_Destroy(item)
            removed += 1
    return removed


def _style(item: Any) -> tuple[bool, bool]:
    """Whether a text object's font is bold, and italic: by its name (``DejaVuSans-Bold``, with or without a
    subset's prefix), its weight, its descriptor's flags or italic angle, or text drawn filled and stroked (a
    bold made from a regular font). LibreOffice's bold Arabic headings say it only by their font's name."""
    import pypdfium2.raw as raw

    font = raw.FPDFTextObj_GetFont(item)
    if not font:
        return False, False
    buffer = ctypes.create_string_buffer(256)
    size = raw.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
    name = buffer.raw[: max(0, min(size, len(buffer)) - 1)].decode("latin-1")
    flags, angle = raw.FPDFFont_GetFlags(font), ctypes.c_int(0)
    raw.FPDFFont_GetItalicAngle(font, angle)
    bold = (
        raw.FPDFFont_GetWeight(font) >= 600
        or bool(flags & FORCE_BOLD)
        or bool(_BOLD.search(name))
        or raw.FPDFTextObj_GetTextRenderMode(item) == raw.FPDF_TEXTRENDERMODE_FILL_STROKE
    )
    return bold, angle.value != 0 or bool(flags & ITALIC) or bool(_ITALIC.search(name))


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
