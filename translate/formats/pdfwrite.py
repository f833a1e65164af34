"""A PDF back as a PDF: the same pages, the Arabic text objects taken out, each paragraph's English set in its box.

Three steps, each with the library that does it best: PDFium removes the text
objects that stand on the Arabic lines read and writes the page's content
again (:mod:`translate.formats.pdfclear`; pikepdf first copies forms that hold
text into their pages); reportlab sets the English, left to right and in the
colour the Arabic had, in an embedded subset of a TrueType font, on pages of
the same sizes; pikepdf draws those over the pages and translates the outline
and the title. Everything else (images, drawings, links, page labels, lines
with no Arabic: an English heading, a column of numbers) is left as it was.

A paragraph's English goes in the box its Arabic lines covered on each page,
shrinking (:mod:`translate.formats.fit`) to a floor; what does not fit may
take the free space below, and what still does not is set past its box and
flagged: a note on the page, and a warning.

A scanned page (read by OCR) keeps its image as the page: its Arabic is in
the picture, so each paragraph's English is set on an opaque box of the paper's colour over
the lines OCR read there, and the page's text layer is the English alone.
Each page is either, so a PDF with some pages scanned is written page by page.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.formats.fit import ASCENT, LEADING, Fitted, fit, floor_size
from translate.formats.model import Block, Span
from translate.formats.pdf import placed_paragraphs
from translate.formats.pdfclear import Colour, Look, Looks, without_text
from translate.formats.pdflayout import Box, Line
from translate.normalize import contains_arabic
from translate.types import AlignedPair

FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",  # fonts-noto-core
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # fonts-dejavu-core
)
"""TrueType fonts the English is set in, the first one found (``TARJAMA_PDF_FONT`` names another)."""
LAYOUTS = ("side", "alternate")
"""Bilingual editions: each English page with its original to its right on one wide page, or the two in turn."""
MARGIN = 36.0
"""English that runs into the free space below its box stops this far above the page's bottom edge (points)."""
COVER = 0.25
"""The box under a scanned paragraph's English reaches this share of its size past its lines (OCR's boxes
hug the letters; the scan's ink around them, antialiased, would show at the box's edge)."""
Hidden = dict[int, list[tuple[Box, str, float]]]
"""Lines with no Arabic read on a scan, by page: their box, text and size."""
PAPER_DPI = 36
"""Resolution a scanned page is rendered at to find its paper's colour (a box's worth of pixels is plenty)."""
NOTE = "tarjama: this paragraph's English did not fit its box even at {size:.1f} pt; it runs {over:.0f} pt past it"


@dataclass(frozen=True)
class Region:
    """Where (part of) a paragraph stood on one page: its lines' boxes, their union, and its font size;
    ``scanned``: its lines are in the page's image (read by OCR), which its English covers."""

    page: int
    lines: tuple[Box, ...]
    box: Box
    size: float
    scanned: bool = False


@dataclass(frozen=True)
class Note:
    """A check shown on a page: a note (a PDF text annotation) at ``box`` saying ``text``."""

    page: int
    box: Box
    text: str


@dataclass(frozen=True)
class Placed:
    """A paragraph to set in English: its regions (one per page it is on) and each one's share of its text."""

    text: str
    regions: tuple[Region, ...]
    shares: tuple[int, ...]


class PdfDocument:
    """A PDF whose English is written as the same PDF: its paragraphs with Arabic, then the titles of its outline
    and the document's title, as blocks."""

    approximate = 0  # the English is set plain: no formatting to place
    unkept: Sequence[str] = ()  # links and the outline stay as they were; a PDF has no ids to lose

    def __init__(self, name: str, data: bytes, *, layout: str = "side") -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
        self.name = name
        self.layout = layout
        self._data = data
        self.placed, self.taken, self.occupied, self.hidden, unread = _placed(data, name)
        self.unread: Sequence[int] = unread
        self.titles = _titles(data, name)
        texts = [p.text for p in self.placed] + [text for _, text in self.titles]
        self.blocks = [Block(text, (Span(0, len(text), 0),)) for text in texts]
        self.unfitted = 0

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The PDF in English (``bilingual``: with its original pages, :attr:`layout`); :class:`InputError` if no
        font to set English in is installed."""
        english = [" ".join(p.target for p in found if p.target) for found in sentences]
        import pikepdf
        import pypdfium2 as pdfium

        try:
            cleared, looks = without_text(self._data, self.taken)
            overlay, notes = _overlay(
                self._data, self.placed, english[: len(self.placed)], self.occupied, looks, self.hidden
            )
            titles = dict(zip((key for key, _ in self.titles), english[len(self.placed) :], strict=True))
            written = _assembled(cleared, overlay, notes, titles, self._data if bilingual else None, self.layout)
        except (pikepdf.PdfError, pdfium.PdfiumError) as exc:
            raise InputError(f"{self.name}: cannot be written back as a PDF ({exc}); write it as -f docx") from None
        self.unfitted = len(notes)  # said by translate.formats.written_warnings
        return written


def _placed(
    data: bytes, name: str
) -> tuple[list[Placed], dict[int, list[Box]], dict[int, list[Box]], Hidden, tuple[int, ...]]:
    """The paragraphs to set in English, split where lines with no Arabic stand among their lines (those stay as
    they are); the boxes of the lines whose text objects go, by page; the boxes of every line read, by page
    (English may grow into the free space below its box, down to the next of these); and the lines with no
    Arabic that OCR read on a scan, by page (their text goes into the page's text layer, unseen: the scan
    shows them); and the page of each line OCR left out."""
    placed: list[Placed] = []
    taken: dict[int, list[Box]] = {}
    occupied: dict[int, list[Box]] = {}
    hidden: Hidden = {}
    read = placed_paragraphs(data, name)
    for paragraph in read:
        runs: list[list[Line]] = []
        for line in paragraph.lines:
            occupied.setdefault(line.page, []).append(line.box)
            arabic = contains_arabic(line.text)
            if line.scanned and not arabic:
                hidden.setdefault(line.page, []).append((line.box, line.text, line.size))
            if arabic and runs and contains_arabic(runs[-1][-1].text):
                runs[-1].append(line)
            else:
                runs.append([line])  # one with no Arabic stays where it is: never sent, never removed
        for run in runs:
            if not contains_arabic(run[0].text):
                continue
            regions, shares = [], []
            for page in dict.fromkeys(line.page for line in run):
                lines = [line for line in run if line.page == page]
                boxes = tuple(line.box for line in lines)
                sizes = sorted((line.size for line in lines if line.size), reverse=True)
                size = sizes[len(sizes) // 2] if sizes else 10.0
                scanned = any(line.scanned for line in lines)
                regions.append(Region(page, boxes, _union(boxes), size, scanned))
                shares.append(sum(len(line.text) for line in lines))
                taken.setdefault(page, []).extend(boxes)
            placed.append(Placed(" ".join(line.text for line in run), tuple(regions), tuple(shares)))
    return placed, taken, occupied, hidden, read.unread


def _union(boxes: Sequence[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _titles(data: bytes, name: str) -> list[tuple[tuple[int, ...], str]]:
    """The outline's titles with Arabic, each by its path in the outline, then the document's title (key ())."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            found = [(path, item.title) for path, item in _outline(pdf) if contains_arabic(item.title or "")]
            title = str(pdf.docinfo.get("/Title", ""))
    except (pikepdf.PdfError, pikepdf.OutlineStructureError) as exc:
        raise InputError(f"{name}: not a readable PDF ({exc}); save it again as PDF") from None
    return found + ([((), title)] if contains_arabic(title) else [])


def _outline(pdf: Any) -> Iterator[tuple[tuple[int, ...], Any]]:
    """Every item of ``pdf``'s outline, depth first, with its path (its place among its siblings, at each level)."""

    def walk(items: list[Any], path: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], Any]]:
        for k, item in enumerate(items):
            yield (*path, k), item
            yield from walk(item.children, (*path, k))

    with pdf.open_outline() as outline:
        yield from walk(outline.root, ())


def font_variants(regular: Path) -> dict[tuple[bool, bool], Path]:
    """The fonts English is set in by (bold, italic): ``regular``'s own bold, italic and bold italic beside it
    (``NotoSans-Bold.ttf``, ``DejaVuSans-Oblique.ttf``), or the nearest one there is (bold italic, then bold,
    then the regular itself)."""
    base = regular.stem.removesuffix("-Regular")
    names = {
        (True, False): ["Bold"],
        (False, True): ["Italic", "Oblique"],
        (True, True): ["BoldItalic", "BoldOblique"],
    }
    found = {(False, False): regular}
    for style, endings in names.items():
        there = [regular.with_name(f"{base}-{ending}{regular.suffix}") for ending in endings]
        found[style] = next((path for path in there if path.is_file()), found.get((True, False), regular))
    return found


def font_path() -> Path:
    """The TrueType font the English is set in; :class:`InputError` saying what to install if there is none."""
    named = os.environ.get("TARJAMA_PDF_FONT")
    for candidate in (named, *FONTS) if named else FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise InputError(
        "no font to set English in a PDF: install one (`apt-get install fonts-noto-core`) or name a .ttf "
        "in TARJAMA_PDF_FONT" + (f" ({named} is not a file)" if named else "")
    )


def _overlay(
    data: bytes,
    placed: Sequence[Placed],
    english: Sequence[str],
    occupied: dict[int, list[Box]],
    looks: Looks,
    hidden: Hidden,
) -> tuple[bytes, list[Note]]:
    """A PDF of the same page sizes holding only the English, each paragraph's in its regions, in the colour
    and weight most of its Arabic had (bold, italic: :func:`font_variants`), and the ``hidden`` lines unseen in
    theirs; and a note for each region whose English runs past its box."""
    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    fonts = {}
    for style, path in font_variants(font_path()).items():
        fonts[style] = f"tarjama-{path.stem}"
        if fonts[style] not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(fonts[style], str(path)))
    font = fonts[False, False]

    def measure_in(name: str) -> Any:
        return lambda text, size: float(pdfmetrics.stringWidth(text, name, size))

    measure = measure_in(font)

    on_page: dict[int, list[tuple[Region, str]]] = {}
    for paragraph, text in zip(placed, english, strict=True):
        for region, part in zip(paragraph.regions, _shared(text, paragraph.shares), strict=True):
            on_page.setdefault(region.page, []).append((region, part))
    document = pdfium.PdfDocument(data)
    try:
        boxes = [document[k].get_mediabox() for k in range(len(document))]
        paper = {
            number: _paper(document[number], [region for region, _ in found if region.scanned])
            for number, found in on_page.items()
            if any(region.scanned for region, _ in found)
        }
    finally:
        document.close()
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=1, invariant=1)
    canvas.setCreator("tarjama")
    notes = []
    for number, (x0, y0, x1, y1) in enumerate(boxes):
        canvas.setPageSize((x1 - x0, y1 - y0))
        canvas.translate(-x0, -y0)
        lines = occupied.get(number, [])  # every line read, those left as they were too
        fitted_here = []
        for region, part in on_page.get(number, []):
            seen = sum((looks.get((number, box), Counter()) for box in region.lines), Counter[Look]())
            colour, bold, italic = seen.most_common(1)[0][0] if seen else ((0.0, 0.0, 0.0), False, False)
            drawn = fonts[bold, italic]
            fitted_here.append((region, _fitted(region, part, lines, y0, measure_in(drawn)), drawn, colour))
        for box, text, size in hidden.get(number, []):
            _draw_unseen(canvas, font, box, text, size, measure)
        for region, fitted, _, _ in fitted_here:  # all boxes first: English run past its box is not covered by the next
            if region.scanned:
                _cover(canvas, region, fitted, paper[number].get(region.box, (1.0, 1.0, 1.0)))
        for region, fitted, drawn, colour in fitted_here:
            _draw(canvas, drawn, region, fitted, colour)
            if not fitted.fits:
                left, bottom, _, top = region.box
                over = NOTE.format(size=fitted.size, over=fitted.height - (top - bottom))
                notes.append(Note(number, (left - 18, top - 18, left, top), over))
        canvas.showPage()
    canvas.save()
    return out.getvalue(), notes


def _shared(text: str, shares: Sequence[int]) -> list[str]:
    """``text``'s words shared out in order, in proportion to ``shares`` (a paragraph across pages)."""
    if len(shares) == 1:
        return [text]
    words = text.split()
    total = sum(shares) or 1
    parts, at, seen = [], 0, 0
    for k, share in enumerate(shares):
        seen += share
        end = len(words) if k == len(shares) - 1 else round(len(words) * seen / total)
        parts.append(" ".join(words[at:end]))
        at = end
    return parts


def _fitted(region: Region, text: str, lines: Sequence[Box], bottom_edge: float, measure: Any) -> Fitted:
    """``text`` fitted to ``region``'s box; failing that, to the box and the free space below it."""
    left, bottom, right, top = region.box
    width = right - left
    fitted = fit(text, width, top - bottom, region.size, measure)
    if fitted.fits:
        return fitted
    below = [b[3] for b in lines if b[3] < bottom and b[0] < right and b[2] > left]
    floor = max(below, default=bottom_edge + MARGIN) + 0.25 * region.size
    if floor >= bottom:
        return fitted
    grown = fit(text, width, top - floor, region.size, measure, floor=floor_size(region.size))
    return grown if grown.fits or grown.size > fitted.size else fitted


def _paper(page: Any, regions: Sequence[Region]) -> dict[Box, Colour]:
    """The colour of the paper around each scanned region of a page: the middle colour of the lighter half of
    the pixels in the box and its margin, on the page rendered at 36 dpi (ink is the darker half; a scan's
    paper is seldom white). The page is closed."""
    scale = PAPER_DPI / 72
    try:
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        bitmap.close()
        height = page.get_height()
    finally:
        page.close()
    found: dict[Box, Colour] = {}
    for region in regions:
        left, bottom, right, top = region.box
        pad = COVER * region.size
        crop = image.crop(
            (
                max(0, int((left - pad) * scale)),
                max(0, int((height - top - pad) * scale)),
                min(image.width, int((right + pad) * scale) + 1),
                min(image.height, int((height - bottom + pad) * scale) + 1),
            )
        )
        raw = crop.tobytes()  # RGB: three bytes a pixel
        pixels = sorted((tuple(raw[k : k + 3]) for k in range(0, len(raw), 3)), key=sum)
        light = pixels[len(pixels) // 2 :] or [(255, 255, 255)]
        red, green, blue = (sorted(p[c] for p in light)[len(light) // 2] / 255 for c in range(3))
        found[region.box] = (red, green, blue)
    return found


def _cover(canvas: Any, region: Region, fitted: Fitted, paper: Colour) -> None:
    """An opaque box of the paper's colour over a scanned region's lines and wherever its English runs below
    them."""
    left, bottom, right, top = region.box
    pad = COVER * region.size
    low = min(bottom, top - fitted.height) - pad
    canvas.saveState()
    canvas.setFillColorRGB(*paper)
    canvas.rect(left - pad, low, right - left + 2 * pad, top + pad - low, stroke=0, fill=1)
    canvas.restoreState()


def _draw_unseen(canvas: Any, font: str, box: Box, text: str, size: float, measure: Any) -> None:
    """``text`` in the page's text layer over ``box``, unseen (render mode 3, as OCR layers are): the scan
    shows the line; a reader's search and copy find it, stretched to the box's width."""
    left, bottom, right, top = box
    size = max(1.0, min(size or top - bottom, top - bottom))
    width = measure(text, size)
    if width <= 0:
        return
    line = canvas.beginText()
    line.setTextRenderMode(3)
    line.setFont(font, size)
    line.setHorizScale(100 * (right - left) / width)
    line.setTextOrigin(left, bottom + 0.2 * (top - bottom))
    line.textOut(text)
    canvas.saveState()  # a text render mode outlives its text object: the English drawn next must show
    canvas.drawText(line)
    canvas.restoreState()


def _draw(canvas: Any, font: str, region: Region, fitted: Fitted, colour: Colour) -> None:
    left, _, _, top = region.box
    text = canvas.beginText()
    text.setFillColorRGB(*colour)
    text.setFont(font, fitted.size, leading=LEADING * fitted.size)
    text.setTextOrigin(left, top - ASCENT * fitted.size)
    for line in fitted.lines:
        text.textLine(line)
    canvas.drawText(text)


def _assembled(
    cleared: bytes,
    overlay: bytes,
    notes: Sequence[Note],
    titles: dict[tuple[int, ...], str],
    original: bytes | None,
    layout: str,
) -> bytes:
    """The cleared pages with the English laid over them and the notes on them (whoever reads the PDF sees
    each check), the outline and title in English; with ``original``, each page beside (or after) its original."""
    import pikepdf

    with pikepdf.open(io.BytesIO(cleared)) as pdf, pikepdf.open(io.BytesIO(overlay)) as english:
        for page, over in zip(pdf.pages, english.pages, strict=True):
            if "/Contents" in over.obj:  # reportlab gives a page with nothing on it no content
                _lay_over(pdf, page, over)
        for note in notes:
            page = pdf.pages[note.page]
            if "/Annots" not in page.obj:
                page.obj.Annots = pdf.make_indirect(pikepdf.Array())
            page.obj.Annots.append(
                pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Text,
                        Rect=list(note.box),
                        Contents=pikepdf.String(note.text),
                        Name=pikepdf.Name.Comment,
                        F=4,  # printed
                    )
                )
            )
        for path, item in _outline(pdf):
            if path in titles:
                item.title = titles[path]
        if () in titles:
            pdf.docinfo["/Title"] = titles[()]
        if original is not None:
            _bilingual(pdf, original, layout)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _lay_over(pdf: Any, page: Any, over: Any) -> None:
    """``over`` drawn over ``page``, its origin at the page's media box's corner (as drawn), whatever the page's
    ``/Rotate``: ``Page.add_overlay`` turns an overlay to match the page as shown, but this one is in the
    page's own space."""
    import pikepdf

    form = pdf.copy_foreign(over.as_form_xobject())
    name = page.add_resource(form, pikepdf.Name.XObject, prefix="Tarjama")
    x0, y0 = (float(v) for v in page.mediabox[:2])
    page.contents_add(pdf.make_stream(b"q\n"), prepend=True)  # whatever state the page leaves, undone
    page.contents_add(pdf.make_stream(f"\nQ q 1 0 0 1 {x0:g} {y0:g} cm {name} Do Q\n".encode()))


def _bilingual(pdf: Any, original: bytes, layout: str) -> None:
    """Each English page with its original: to its right on a page twice as wide (``side``: its links and
    the outline's places stay where they were), or after it (``alternate``)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(original)) as source:
        if layout == "alternate":
            for k in reversed(range(len(source.pages))):
                pdf.pages.insert(k + 1, source.pages[k])
            return
        for page, theirs in zip(pdf.pages, source.pages, strict=True):
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            wide = pikepdf.Array([x0, y0, x1 + (x1 - x0), y1])
            for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
                if key in page.obj:
                    del page.obj[key]
            page.obj.MediaBox = wide
            page.add_overlay(theirs, pikepdf.Rectangle(x1, y0, x1 + (x1 - x0), y1))
