"""PDF text layers read in logical order (pypdfium2): the paragraphs of a PDF, as text to translate.

PDF producers store Arabic in visual order, as glyphs laid out from left to
right, and often as presentation forms. PDFium maps the glyphs back to
letters, but its reading order is not to be trusted across producers (it
gives mPDF's English lines word by word backwards). So each line is laid out
again from the words' positions, left to right as on the page, and read in
logical order (:mod:`~translate.formats.pdforder`): every line of a
right-to-left document, and a line with more Arabic words than Latin ones in
any, reads from the right, its runs of Latin words and numbers keeping their
own order; any other line from the left, its runs of Arabic words read from
the right. Presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, lam-alef too) are
folded to letters. Lines become paragraphs and headings by their layout
(:mod:`~translate.formats.pdflayout`: sentence ends, gaps, page breaks, sizes);
a line repeated at the top or bottom of most pages at the same height (a
running header or footer, its page number aside) and a line that is only a
page number are left out. Each line keeps its page, its box and its size, so
the PDF writer (:func:`placed_paragraphs`) sets each block's English where its
Arabic stood.

A page with no text a person could read in its text layer (a scan, glyphs
drawn as paths, fonts without a Unicode map) is read by OCR instead
(:mod:`translate.formats.ocr`), never translated as garbage; its lines go the
same way, running heads and paragraphs included, and the words OCR was unsure
of come with the text as doubts (:class:`~translate.types.ReadText`).
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.formats.pdflayout import Box, Line, Paragraph, paragraphs
from translate.formats.pdforder import Word as _Word
from translate.formats.pdforder import is_arabic as _is_arabic
from translate.formats.pdforder import logical as _logical
from translate.formats.pdforder import mostly_arabic
from translate.formats.pdforder import touching as _touching
from translate.types import AlignedPair, Doubt, ReadText

UNREAD_PAGES_SHOWN = 10
"""Pages a warning of lines OCR left out names (the rest are counted)."""
MAX_PAGES = 2_000
"""Pages read at most: a longer PDF is refused (its pages are read one at a time, so memory stays bounded)."""
GARBLED_WORDS = 0.2
"""A text layer where more than this share of the words mix letters of several scripts is garbage (fonts without a
Unicode map give Greek, Cyrillic and Indic letters by glyph number)."""
_BRACKETS = "()[]{}"
_PAGE_NUMBER = re.compile(r"^[\s\-–—|•.]*([0-9٠-٩۰-۹]+|[ivxlcdm]+)[\s\-–—|•.]*$", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9٠-٩۰-۹]+")
_LETTERS = re.compile(r"[^\W\d_]")


Char = tuple[str, tuple[float, float, float, float]]
"""A character and its box on the page: (left, bottom, right, top), all 0 for one PDFium generated."""


class Paragraphs(list[Paragraph]):
    """A document's paragraphs, and where OCR left out a line it could read neither as Arabic nor as English:
    ``unread``, its page (from 0) for each such line."""

    unread: tuple[int, ...] = ()


def unread_warning(name: str, unread: Sequence[int]) -> str | None:
    """The warning for the lines OCR left out (:attr:`Paragraphs.unread`), None if it left none out."""
    if not unread:
        return None
    pages = sorted({page + 1 for page in unread})
    shown = ", ".join(str(page) for page in pages[:UNREAD_PAGES_SHOWN]) + (
        f" and {len(pages) - UNREAD_PAGES_SHOWN} more" if len(pages) > UNREAD_PAGES_SHOWN else ""
    )
    return (
        f"{name}: OCR read {len(unread)} line(s) as neither Arabic nor English (page {shown}): marks, "
        "pictures, dotted leaders or faint text; they are left out"
    )


def text_from_pdf(data: bytes, name: str) -> ReadText:
    """The text of a PDF, a paragraph per line, in logical order: its text layer, or OCR's where that is not
    readable; :class:`InputError` if it has no Arabic. OCR's unsure words come as the text's doubts, the lines it
    left out as its note."""
    return _as_text(read_pdf(data, name), name)


def text_from_image(data: bytes, name: str) -> ReadText:
    """The text of a scanned page (an image file; a TIFF's pages in turn), read by OCR as a PDF's scans are."""
    return _as_text(read_image(data, name), name)


def _as_text(found: Paragraphs, name: str) -> ReadText:
    doubts: list[Doubt] = []
    at = 0
    for paragraph in found:
        doubts += [dataclasses.replace(d, start=at + d.start, end=at + d.end) for d in _doubts(paragraph)]
        at += len(paragraph.text) + 1
    note = unread_warning(name, found.unread)
    return ReadText("\n".join(paragraph.text for paragraph in found), tuple(doubts), (note,) if note else ())


def read_pdf(data: bytes, name: str) -> Paragraphs:
    """A PDF's paragraphs and headings in logical order (:mod:`~translate.formats.pdflayout`), each with the lines
    it was read from (OCR's on a scanned page, with their doubts); :class:`InputError` if it has no Arabic."""
    unread: list[int] = []
    return _read(read_lines(data, name, unread=unread), name, unread)


def read_image(data: bytes, name: str) -> Paragraphs:
    """The paragraphs of a scanned page (an image file; a TIFF's pages in turn), read by OCR as a PDF's scans are."""
    import translate.formats.ocr as ocr

    unread: list[int] = []
    try:
        pages = [_ocr_lines(page, k, unread) for k, page in enumerate(ocr.read_pages(ocr.image_file(data)))]
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    return _read(pages, name, unread)


def _read(pages: list[list[Line]], name: str, unread: list[int]) -> Paragraphs:
    found = Paragraphs(paragraphs(_without_running_heads(pages)))
    found.unread = tuple(unread)
    _check_readable("\n".join(paragraph.text for paragraph in found), name)
    return found


def placed_paragraphs(data: bytes, name: str) -> Paragraphs:
    """The paragraphs and headings :func:`read_pdf` reads, then the running heads it leaves out, a paragraph
    each (the PDF writer puts their English where they stand, on every page)."""
    unread: list[int] = []
    pages = read_lines(data, name, every_page=False, unread=unread)
    kept = _without_running_heads(pages)
    placed = Paragraphs(paragraphs(kept))
    kept_ids = {id(line) for lines in kept for line in lines}
    placed += [Paragraph(line.text, 0, (line,)) for lines in pages for line in lines if id(line) not in kept_ids]
    placed.unread = tuple(unread)
    _check_readable("\n".join(paragraph.text for paragraph in placed), name)
    return placed


def read_lines(data: bytes, name: str, *, every_page: bool = True, unread: list[int] | None = None) -> list[list[Line]]:
    """Each page's lines in reading order, with their sizes, pages and boxes (running heads included); a page
    with no readable text layer read by OCR (:mod:`translate.formats.ocr`), its lines marked ``scanned``.

    ``every_page=False`` (the PDF writer): a page with nothing in its text layer and no scan on it (blank, or
    drawings) is not read by OCR but written back as it is. ``unread`` is told the page of each line OCR read
    as neither Arabic nor English (left out).
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(f"{name}: not a readable PDF ({str(exc).rstrip('.')}); save it again as PDF") from None
    try:
        pages = len(document)
        if pages > MAX_PAGES:
            raise InputError(
                f"{name}: {pages:,} pages; tarjama reads at most {MAX_PAGES:,}: split it, e.g. "
                f"`qpdf {name} --pages . 1-{MAX_PAGES} -- part1.pdf`"
            )
        read = [_page_lines(document[k], k) for k in range(pages)]
        scanned_pages = [k for k, page in enumerate(read) if not _readable(page.lines[0], document, k)]
        scanned: dict[int, list[Line]] = {}
        if not every_page:
            scanned_pages = [k for k in scanned_pages if read[k].lines[0] or _is_scan(document, k)]
        if scanned_pages:
            import translate.formats.ocr as ocr

            found = ocr.read_pages((ocr.pdf_page(document[k]) for k in scanned_pages), total=len(scanned_pages))
            try:
                for k, page_read in zip(scanned_pages, found, strict=True):
                    if page_read or not read[k].lines[0]:  # a stamp on a page OCR finds blank is kept
                        scanned[k] = _ocr_lines(page_read, k, unread if unread is not None else [])
            except InputError as exc:
                raise InputError(f"{name}: {exc}") from None
    finally:
        document.close()
    layer = [page for k, page in enumerate(read) if k not in scanned]
    arabic, latin = sum(page.arabic for page in layer), sum(page.latin for page in layer)
    # A right-to-left document: each of its lines reads from the right, those with no Arabic too (a table of
    # contents' "Chapter One ..... ١", an English sentence whose full stop the page sets at its left).
    rtl = arabic >= latin > 0 or arabic > latin
    return [
        scanned[k]
        if k in scanned
        else [
            dataclasses.replace(line, text=other) if rtl and other else line
            for line, other in zip(*page.lines, strict=True)
        ]
        for k, page in enumerate(read)
    ]


OCR_LARGER = 1.5
"""An OCR line is set larger than its page's usual line (a heading) only if its words stand this much taller: on
mPDF's book at 200 dpi, lines of its 11 pt body text measure 9.4-14.4 pt by their words' middle height (letters
with dots, shadda and descenders), a crop mark 15.5; below this a line is taken as set in the usual size."""


def _ocr_lines(read: list[Any], number: int, unread: list[int]) -> list[Line]:
    """OCR's lines of page ``number`` as the layout's (:class:`~translate.formats.ocr.Line`: boxes in points),
    each its size estimated from its words' height, its doubts with it; ``unread`` told of each line left out
    as noise."""
    from translate.formats.ocr import line_doubts

    page = [line for line in read if not line.noise]
    unread += [number] * (len(read) - len(page))
    heights = sorted(line.height for line in page if line.height > 0)
    usual = heights[len(heights) // 2] if heights else 0.0
    lines = []
    for line in page:
        height = usual if usual and line.height < OCR_LARGER * usual else line.height
        doubts = tuple(line_doubts(line, 0))
        lines.append(Line(line.text, line.box[1], height, number, line.box, doubts, scanned=True))
    return lines


SCANNED_BELOW = 20
"""A page covered by an image whose text layer has fewer letters than this is a scan (with a stamp, a page number
or a title in its text layer): it is read by OCR."""


def _readable(lines: list[Line], document: Any, k: int) -> bool:
    """Whether a page's text layer has words a person could read: not a scan (no letters, or a few over a page's
    image), not glyphs drawn as paths, not fonts without a Unicode map (letters of several scripts in a word)."""
    text = " ".join(line.text for line in lines)
    words = text.split()
    garbled = sum(1 for w in words if len(_scripts(w)) > 1 or any(unicodedata.category(c) in ("Co", "Cc") for c in w))
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters or garbled > GARBLED_WORDS * len(words):
        return False
    if letters >= SCANNED_BELOW:
        return True
    return not _is_scan(document, k)


def _is_scan(document: Any, k: int) -> bool:
    """Whether page ``k`` is covered by an image (half of it at least)."""
    from translate.formats.ocr import scan_scale

    page = document[k]
    try:
        return scan_scale(page) is not None
    finally:
        page.close()


@dataclass(frozen=True)
class _Page:
    """A page's lines, each line's text read from the right where that differs ("": it does not), and how many
    Arabic and Latin letters the page has."""

    lines: tuple[list[Line], list[str]]
    arabic: int
    latin: int


def _page_lines(page: Any, number: int) -> _Page:
    import pypdfium2 as pdfium

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        chars = textpage.get_text_range(0, count) if count else ""
        found: list[list[Char]] = []
        sizes: list[list[float]] = []
        line: list[Char] = []
        size: list[float] = []
        for index, ch in enumerate(chars):
            if ch in "\r\n":
                if line and (ch == "\n" or index + 1 == len(chars) or chars[index + 1] != "\n"):
                    found.append(line)
                    sizes.append(size)
                    line, size = [], []
            else:
                line.append((ch, textpage.get_charbox(index)))
                if ch.isalnum() and len(size) < _SIZES_READ:
                    size.append(_font_size(pdfium.raw, textpage, index))
        found.append(line)
        sizes.append(size)
        lines: list[Line] = []
        other: list[str] = []
        for chars_of_line, sizes_of_line in zip(_marks_on_their_letters(found), sizes, strict=True):
            size_of_line = sorted(sizes_of_line)[len(sizes_of_line) // 2] if sizes_of_line else 0.0
            words = _words(chars_of_line, size_of_line)
            if words is not None:
                text = _logical(words.words)
                lines.append(Line(text, words.bottom, size_of_line, number, words.box))
                from_the_right = "" if mostly_arabic(words.words) else _logical(words.words, rtl=True)
                other.append("" if from_the_right == text else from_the_right)
        arabic = sum(1 for ch in chars if ch.isalpha() and _is_arabic(ch))
        latin = sum(1 for ch in chars if ch.isascii() and ch.isalpha())
        return _Page((lines, other), arabic, latin)
    finally:
        textpage.close()
        page.close()


_SIZES_READ = 16
"""A line's size is the middle one of its first letters' (reading every letter's costs a third of the time)."""


def _font_size(raw: Any, textpage: Any, index: int) -> float:
    """The size a character is set in, in points: its font's size scaled as drawn (a producer may set a 1 pt
    font scaled up 36 times)."""
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(textpage, index, matrix)
    return float(raw.FPDFText_GetFontSize(textpage, index)) * math.hypot(matrix.c, matrix.d)


def _line(chars: list[Char], size: float = 0.0, rtl: bool | None = None) -> Line | None:
    """One line of a page from its characters and their boxes, its words in reading order (None: no word).

    ``rtl``: read it from the right whatever its letters (the document is right to left); None: by its letters.
    """
    words = _words(chars, size)
    return None if words is None else Line(_logical(words.words, rtl), words.bottom, size, box=words.box)


@dataclass(frozen=True)
class _Words:
    words: list[_Word]
    bottom: float
    box: Box


def _words(chars: list[Char], size: float) -> _Words | None:
    """A line's words where they stand on the page, and where the line stands (None: no word)."""
    (chars,) = _marks_on_their_letters([chars])
    chars = _lam_alef(chars)
    heights = sorted(b[3] - b[1] for c, b in chars if b[2] > b[0] and c.isalpha())
    height = heights[len(heights) // 2] if heights else 0.0
    words: list[_Word] = []
    bottoms: list[float] = []
    tops: list[float] = []
    current: list[Char] = []
    for ch, box in [*chars, (" ", (0.0, 0.0, 0.0, 0.0))]:
        if not ch.isspace():
            current.append((ch, box))
            continue
        for piece in _apart_on_the_page(current, max(size, height)):
            # A word stands where its letters are, not where its marks were drawn (a mark's box can reach a
            # neighbour).
            boxes = [b for c, b in piece if b[2] > b[0] and not _is_mark(c)] or [b for _, b in piece if b[2] > b[0]]
            text = _folded("".join(c for c, _ in piece))
            if text and boxes:
                words.append(_Word(text, min(b[0] for b in boxes), max(b[2] for b in boxes)))
                bottoms.extend(b[1] for b in boxes)
                tops.extend(b[3] for b in boxes)
        current = []
    if not words:
        return None
    box = (min(w.left for w in words), min(bottoms), max(w.right for w in words), max(tops))
    # Glyphs closer than a space (a quarter of an em, less in narrow fonts) touch.
    return _Words(_touching(words, 0.22 * max(size, height)), sorted(bottoms)[len(bottoms) // 2], box)


def _apart_on_the_page(chars: list[Char], em: float) -> list[list[Char]]:
    """A word as PDFium gives it, cut where its letters stand apart on the page (a gap of half an ``em`` between
    neighbours, left to right; a bracket a space away); a word of Latin letters in the order they stand.

    PDFium reorders a line by its own reckoning and can glue a bracket drawn beside an English word onto an
    Arabic word a space or 20 pt away ("(إن", "هنا)"): the boxes say where each character really is. Gaps are
    measured between neighbours on the page, not in PDFium's order: it gives "طومان.." drawn from the right
    with its far stop first, 8 pt from the last letter, the near one 2 pt.
    """
    placed = sorted(
        (k for k, (ch, box) in enumerate(chars) if box[2] > box[0] and not _is_mark(ch)),
        key=lambda k: chars[k][1][0],
    )
    group: dict[int, int] = {}
    number, right, previous = 0, -math.inf, ""
    for k in placed:
        ch, box = chars[k]
        apart = box[0] - right
        if em > 0 and (apart > 0.5 * em or ((ch in _BRACKETS or previous in _BRACKETS) and apart > 0.2 * em)):
            number += bool(group)
        group[k] = number
        right, previous = max(right, box[2]), ch
    pieces: list[list[Char]] = [[]]
    at: int | None = None
    for k, char in enumerate(chars):
        if k in group:
            if at is not None and group[k] != at:
                pieces.append([])
            at = group[k]
        pieces[-1].append(char)
    return [_left_to_right(piece) for piece in pieces if piece]


def _left_to_right(chars: list[Char]) -> list[Char]:
    """Characters of a word with no Arabic by where they stand (PDFium gives "This." for ".This" drawn so), each
    mark after its letter; any other word as it came."""
    if _is_arabic("".join(c for c, _ in chars)) or any(b[2] <= b[0] for c, b in chars if not _is_mark(c)):
        return chars
    clusters: list[list[Char]] = []
    for char in chars:
        if _is_mark(char[0]) and clusters:
            clusters[-1].append(char)
        else:
            clusters.append([char])
    return [char for cluster in sorted(clusters, key=lambda c: c[0][1][0]) for char in cluster]


def _lam_alef(chars: list[Char]) -> list[Char]:
    """A lam-alef ligature's two letters in reading order: PDFium can give them alef first, from one glyph's box."""
    out = list(chars)
    for k in range(len(out) - 1):
        (first, box), (second, other) = out[k], out[k + 1]
        if first in "اأإآ" and second == "ل" and box == other:
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


def _marks_on_their_letters(lines: list[list[Char]]) -> list[list[Char]]:
    """Vowel signs and tanween (shadda, fatha, fathatan...) right after the letter they are drawn on.

    PDFium gives a mark where the producer drew it: as a word of its own, at the end of its line, or on the next
    line (mPDF's fathatan above a line's last alef comes two lines down). Its letter is on the line whose letter
    below or above it is nearest, and there the one whose box overlaps its box most (the nearest if none does),
    so a word comes out whole and in place wherever its marks were drawn.
    """
    marks = [
        (n, k) for n, chars in enumerate(lines) for k, (ch, box) in enumerate(chars) if _has_box(ch, box, mark=True)
    ]
    if not marks:
        return lines
    letters = [[k for k, (ch, box) in enumerate(chars) if _has_box(ch, box, mark=False)] for chars in lines]
    after: dict[tuple[int, int], list[Char]] = {}
    moved: set[tuple[int, int]] = set()
    spans = {
        m: (min(lines[m][j][1][1] for j in found), max(lines[m][j][1][3] for j in found))
        for m, found in enumerate(letters)
        if found
    }
    for n, k in marks:
        mark = lines[n][k][1]
        # Only lines within a line's height of the mark are looked at: a page has thousands of letters.
        near = [m for m, (low, high) in spans.items() if max(low - mark[3], mark[1] - high) <= high - low] or list(
            spans
        )
        home = min(
            near,
            key=lambda m: (min(_apart(mark, lines[m][j][1]) for j in letters[m]), m != n),
            default=None,
        )
        if home is None:
            continue
        base = max(letters[home], key=lambda j: _overlap(mark, lines[home][j][1]))
        after.setdefault((home, base), []).append(lines[n][k])
        moved.add((n, k))
        moved.update(_spaces_around(lines[n], k, n))
    out: list[list[Char]] = []
    for n, chars in enumerate(lines):
        out.append([])
        for k, char in enumerate(chars):
            if (n, k) not in moved:
                out[-1].append(char)
                out[-1].extend(after.get((n, k), []))
    return out


def _spaces_around(chars: list[Char], k: int, n: int) -> set[tuple[int, int]]:
    """The spaces PDFium made (no width) on both sides of a mark drawn away from its place, where the letters on
    either side touch: "غر ّ ة" is one word, غرة."""
    if not 2 <= k < len(chars) - 2 or any(
        chars[j][0] != " " or chars[j][1][2] > chars[j][1][0] for j in (k - 1, k + 1)
    ):
        return set()
    left, right = chars[k - 2][1], chars[k + 2][1]
    if min(left[2], right[2]) <= max(left[0], right[0]) - 1 or left[2] == left[0] or right[2] == right[0]:
        return set()
    return {(n, k - 1), (n, k + 1)}


def _has_box(ch: str, box: tuple[float, float, float, float], *, mark: bool) -> bool:
    return box[2] > box[0] and (_is_mark(ch) if mark else ch.isalpha())


def _apart(mark: tuple[float, float, float, float], letter: tuple[float, float, float, float]) -> tuple[float, float]:
    """How far a letter is from a mark: up or down first (0 for one whose box reaches its height), then across."""
    across = max(0.0, letter[0] - mark[2], mark[0] - letter[2])
    return (max(0.0, letter[1] - mark[3], mark[1] - letter[3]) if across == 0 else float("inf"), across)


def _overlap(mark: tuple[float, float, float, float], letter: tuple[float, float, float, float]) -> tuple[float, float]:
    """How much of a mark's width a letter's box covers, then (for none) how near their middles are."""
    return (min(mark[2], letter[2]) - max(mark[0], letter[0]), -abs(letter[0] + letter[2] - mark[0] - mark[2]))


def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) > 0 or unicodedata.category(ch) == "Mn"


def _folded(text: str) -> str:
    """Arabic presentation forms as the letters they show (lam-alef as two); other characters as they are."""
    if not any("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" for ch in text):
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" else ch
        for ch in text
    )


def _without_running_heads(pages: list[list[Line]]) -> list[list[Line]]:
    """The pages without their running headers and footers, nor lines that are only a page number.

    A running head is a line among the first or last two of a page whose words, its page number aside (in
    any digits, or roman), are those of such a line on most pages (three at least), set at the same height:
    a title page's title that is also the running footer's stays.
    """
    edges: dict[tuple[str, ...], list[float]] = {}
    for lines in pages:
        once = {_unnumbered(line): line.bottom for line in (*lines[:2], *lines[-2:])}  # a page counts once
        for words, bottom in once.items():
            edges.setdefault(words, []).append(bottom)
    common = max(3, int(0.4 * len(pages)) + 1)
    running = {words: sorted(seen)[len(seen) // 2] for words, seen in edges.items() if len(seen) >= common and words}
    kept = []
    for lines in pages:
        edge = {id(line) for line in (*lines[:2], *lines[-2:])}
        kept.append(
            [
                line
                for line in lines
                if id(line) not in edge or not (_PAGE_NUMBER.match(line.text) or _running(line, running))
            ]
        )
    return kept


def _running(line: Line, running: dict[tuple[str, ...], float]) -> bool:
    at = running.get(_unnumbered(line))
    return at is not None and abs(line.bottom - at) <= max(3.0, 0.5 * line.size)


def _unnumbered(line: Line) -> tuple[str, ...]:
    """A line's words as running heads are compared: its page number aside, and for a line read by OCR, only
    the words of two letters or more it was sure of (a page number OCR misread as a letter, ``و`` or ``أ``,
    changes from page to page: mPDF's footer came out in four spellings over ten pages)."""
    words = [word for word in line.text.split() if not _PAGE_NUMBER.match(word)]
    if line.scanned:
        unsure = [line.text[d.start : d.end] for d in line.doubts]
        words = [word for word in words if len(_LETTERS.findall(word)) >= 2 and word not in unsure]
    return tuple(sorted(words))


def _doubts(paragraph: Paragraph) -> tuple[Doubt, ...]:
    """OCR's doubts of a paragraph's lines, as offsets into its text (its lines joined by a space)."""
    found: list[Doubt] = []
    at = 0
    for line in paragraph.lines:
        found += [Doubt(at + d.start, at + d.end, d.detail) for d in line.doubts]
        at += len(line.text) + 1
    return tuple(found)


def _check_readable(text: str, name: str) -> None:
    if not _is_arabic(text):
        raise InputError(
            f"{name}: has no Arabic text, in its text layer nor by OCR; if it is a scan, scan it again "
            "at 200-300 dpi, upright"
        )


def _scripts(word: str) -> set[str]:
    """The scripts of a word's letters, by the first word of their Unicode names (ARABIC, LATIN, GREEK...)."""
    found = set()
    for ch in word:
        if ch.isalpha():
            try:
                found.add(unicodedata.name(ch).split()[0])
            except ValueError:
                found.add("?")
    return found


class PdfText:
    """A PDF's (or a scanned image's) paragraphs as blocks, written back as a new document of ``target``
    (``docx``, ``html`` or ``md``).

    A PDF's layout is not rewritten: its English comes as a Word document or a
    web page with one paragraph per paragraph read, left to right (bilingual:
    each after its Arabic, right to left); a line set larger than the body
    text comes as a heading (Word's Heading 1, 2..., ``<h1>``, ``#``).
    """

    approximate = 0
    unkept: Sequence[str] = ()  # a PDF's text comes with no ids or links
    unfitted = 0  # nothing is set in a box

    def __init__(self, name: str, data: bytes, target: str) -> None:
        from translate.formats.model import Block, Span

        self.name = name
        self.target = target
        read = read_pdf(data, name) if Path(name).suffix.lower() == ".pdf" else read_image(data, name)
        self.unread: Sequence[int] = read.unread
        found = [paragraph for paragraph in read if paragraph.text.strip()]
        self.blocks = [Block(p.text, (Span(0, len(p.text), 0),), doubts=_doubts(p)) for p in found]
        self.headings = [p.heading for p in found]
        """Each block's heading level (0: a paragraph)."""

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        english = [" ".join(p.target for p in found if p.target) for found in sentences]
        # a block copied as it was (no Arabic: an English heading, a contents' line) is written once
        arabic = [
            block.text if bilingual and block.text != text else None
            for block, text in zip(self.blocks, english, strict=True)
        ]
        if self.target == "html":
            return _as_html(Path(self.name).stem, arabic, english, self.headings)
        if self.target == "md":
            from translate.formats.markdown import escape_paragraph

            paragraphs = [
                "#" * level + " " * bool(level) + escape_paragraph(text)
                for source, english_text, level in zip(arabic, english, self.headings, strict=True)
                for text in (source, english_text)
                if text is not None
            ]
            return ("\n\n".join(paragraphs) + "\n").encode("utf-8")
        return _as_docx(arabic, english, self.headings)


def _as_html(title: str, arabic: Sequence[str | None], english: Sequence[str], headings: Sequence[int]) -> bytes:
    from html import escape

    tags = [f"h{level}" if level else "p" for level in headings]
    body = "".join(
        (f'<{tag} dir="rtl" lang="ar">{escape(source)}</{tag}>\n' if source else "")
        + f"<{tag}>{escape(text)}</{tag}>\n"
        for source, text, tag in zip(arabic, english, tags, strict=True)
    )
    page = f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
    return (page + f"</head><body>\n{body}</body></html>\n").encode("utf-8")


def _as_docx(arabic: Sequence[str | None], english: Sequence[str], headings: Sequence[int]) -> bytes:
    import io

    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    for source, text, level in zip(arabic, english, headings, strict=True):
        for written, rtl in ((source, True), (text, False)):
            if written is None or (rtl and not written):
                continue
            paragraph = document.add_heading(written, level) if level else document.add_paragraph(written)
            if rtl:
                paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
