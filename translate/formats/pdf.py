"""PDF text layers read in logical order (pypdfium2): the paragraphs of a PDF, as text to translate.

PDF producers store Arabic in visual order, as glyphs laid out from left to
right, and often as presentation forms. PDFium maps the glyphs back to
letters, but its reading order is not to be trusted across producers (it
gives mPDF's English lines word by word backwards). So each line is laid out
again from the words' positions, left to right as on the page, and read in
logical order: a line with more Arabic letters than Latin ones reads from the
right, its runs of Latin words and numbers keeping their own order; any
other line from the left, its runs of Arabic words read from the right.
Presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, lam-alef too) are folded to
letters. Lines join into paragraphs until one ends a sentence or a wider gap
follows; a line repeated at the top or bottom of most pages (a running header
or footer, its page number aside) and a line that is only a page number are
left out.

A page with no text a person could read in its text layer (a scan, glyphs
drawn as paths, fonts without a Unicode map) is read by OCR instead
(:mod:`translate.formats.ocr`), never translated as garbage; its lines go the
same way, running heads and paragraphs included, and the words OCR was unsure
of come with the text as doubts (:class:`~translate.types.ReadText`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.types import AlignedPair, Doubt, ReadText

MAX_PAGES = 2_000
"""Pages read at most: a longer PDF is refused (its pages are read one at a time, so memory stays bounded)."""
GARBLED_WORDS = 0.2
"""A text layer where more than this share of the words mix letters of several scripts is garbage (fonts without a
Unicode map give Greek, Cyrillic and Indic letters by glyph number)."""
_ENDS_SENTENCE = re.compile(r"[.!?؟:…»\"')\]]\s*$")
_PAGE_NUMBER = re.compile(r"^[\s\-–—|•.]*([0-9٠-٩۰-۹]+|[ivxlcdm]+)[\s\-–—|•.]*$", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9٠-٩۰-۹]+")


Char = tuple[str, tuple[float, float, float, float]]
"""A character and its box on the page: (left, bottom, right, top), all 0 for one PDFium generated."""


@dataclass(frozen=True)
class _Word:
    text: str
    left: float
    right: float


@dataclass(frozen=True)
class _Line:
    text: str
    bottom: float
    read: Any = None  # the OCR line (translate.formats.ocr.Line) it was read from: its words' confidence


def text_from_pdf(data: bytes, name: str) -> ReadText:
    """The text of a PDF, a paragraph per line, in logical order: its text layer, or OCR's where that is not
    readable; :class:`InputError` if it has no Arabic. OCR's unsure words come as the text's doubts."""
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
        lines = [_page_lines(document[k]) for k in range(pages)]
        scans = [k for k, found in enumerate(lines) if not _readable(found, document, k)]
        if scans:
            from translate.formats import ocr

            read = ocr.read_pages((ocr.pdf_page(document[k]) for k in scans), total=len(scans))
            try:
                for k, page in zip(scans, read, strict=True):
                    if page or not lines[k]:  # a stamp on a page OCR finds blank is kept
                        lines[k] = _ocr_lines(page)
            except InputError as exc:
                raise InputError(f"{name}: {exc}") from None
    finally:
        document.close()
    return _read_text(lines, name)


def text_from_image(data: bytes, name: str) -> ReadText:
    """The text of a scanned page (an image file; a TIFF's pages in turn), read by OCR as a PDF's scans are."""
    from translate.formats import ocr

    try:
        lines = [_ocr_lines(page) for page in ocr.read_pages(ocr.image_file(data))]
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    return _read_text(lines, name)


def _ocr_lines(page: list[Any]) -> list[_Line]:
    return [_Line(line.text, -line.bottom, line) for line in page]  # OCR's bottoms count down from the top


def _read_text(lines: list[list[_Line]], name: str) -> ReadText:
    kept = _without_running_heads(lines)
    text = "\n".join(_paragraphs(kept))
    _check_readable(text, name)
    return ReadText(text, _doubts(text, kept))


SCANNED_BELOW = 20
"""A page covered by an image whose text layer has fewer letters than this is a scan (with a stamp, a page number
or a title in its text layer): it is read by OCR."""


def _readable(lines: list[_Line], document: Any, k: int) -> bool:
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
    from translate.formats.ocr import scan_scale

    page = document[k]
    try:
        return scan_scale(page) is None
    finally:
        page.close()


def _doubts(text: str, pages: list[list[_Line]]) -> tuple[Doubt, ...]:
    """Where OCR's unsure words stand in ``text``: each line's text is in it whole, in order."""
    from translate.formats.ocr import line_doubts

    found: list[Doubt] = []
    at = 0
    for line in (line for lines in pages for line in lines):
        place = text.find(line.text, at)
        if place >= 0:
            at = place + len(line.text)
            if line.read is not None:
                found += line_doubts(line.read, place)
    return tuple(found)


def _page_lines(page: Any) -> list[_Line]:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        chars = textpage.get_text_range(0, count) if count else ""
        found: list[list[Char]] = []
        line: list[Char] = []
        for index, ch in enumerate(chars):
            if ch in "\r\n":
                if line and (ch == "\n" or index + 1 == len(chars) or chars[index + 1] != "\n"):
                    found.append(line)
                    line = []
            else:
                line.append((ch, textpage.get_charbox(index)))
        found.append(line)
        return [read for read in map(_line, _marks_on_their_letters(found)) if read is not None]
    finally:
        textpage.close()
        page.close()


def _line(chars: list[Char]) -> _Line | None:
    """One line of a page from its characters and their boxes, its words in reading order (None: no word)."""
    (chars,) = _marks_on_their_letters([chars])
    chars = _lam_alef(chars)
    words: list[_Word] = []
    bottoms: list[float] = []
    current: list[Char] = []
    for ch, box in [*chars, (" ", (0.0, 0.0, 0.0, 0.0))]:
        if not ch.isspace():
            current.append((ch, box))
            continue
        # A word stands where its letters are, not where its marks were drawn (a mark's box can reach a neighbour).
        boxes = [b for c, b in current if b[2] > b[0] and not _is_mark(c)] or [b for _, b in current if b[2] > b[0]]
        text = _folded("".join(c for c, _ in current))
        if text and boxes:
            words.append(_Word(text, min(b[0] for b in boxes), max(b[2] for b in boxes)))
            bottoms.extend(b[1] for b in boxes)
        current = []
    if not words:
        return None
    return _Line(_logical(words), sorted(bottoms)[len(bottoms) // 2])


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


_PAIRS = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎〈〉《》「」『』【】〔〕"
_MIRRORED = {**dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True)), **dict(zip(_PAIRS[1::2], _PAIRS[::2], strict=True))}
"""Bidi_Mirrored characters and the glyph each shows in right-to-left text (the common pairs of BidiMirroring.txt)."""


def _mirrored(text: str) -> str:
    """Text read from the right, its brackets and quotes as written: a visual-order PDF stores ``(`` as ``)``."""
    return "".join(_MIRRORED.get(ch, ch) if unicodedata.mirrored(ch) else ch for ch in text)


def _folded(text: str) -> str:
    """Arabic presentation forms as the letters they show (lam-alef as two); other characters as they are."""
    if not any("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" for ch in text):
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff" else ch
        for ch in text
    )


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)


def _is_latin(text: str) -> bool:
    return any(ch.isascii() and ch.isalpha() for ch in text)


def _logical(words: list[_Word]) -> str:
    """One line's words in reading order, from where they stand on the page."""
    visual = sorted(words, key=lambda w: w.left)
    arabic = sum(1 for w in visual if _is_arabic(w.text))
    latin = sum(1 for w in visual if _is_latin(w.text))
    if arabic > latin:
        # From the right, brackets mirrored; a run of words that are not Arabic (English, numbers) keeps its
        # left-to-right order, and the full stop drawn at the left of a number that ends the sentence ends it
        # (".2016" is "2016.").
        ordered: list[str] = []
        run: list[str] = []
        for word in reversed(visual):
            if _is_arabic(word.text):
                ordered.extend(reversed(run))
                run = []
                ordered.append(_mirrored(word.text))
            elif not any(ch.isalnum() for ch in word.text):
                ordered.extend(reversed(run))  # brackets and quotes on their own read from the right too
                run = []
                ordered.append(_mirrored(word.text))
            else:
                text = word.text
                lead = len(text) - len(text.lstrip(".,:;!?،؛"))
                run.append(text[lead:] + text[:lead] if 0 < lead < len(text) else text)
        ordered.extend(reversed(run))
        return " ".join(ordered)
    # From the left; a run of Arabic words reads from the right.
    ordered, run = [], []
    for word in visual:
        if _is_arabic(word.text):
            run.append(_mirrored(word.text))
        else:
            ordered.extend(reversed(run))
            run = []
            ordered.append(word.text)
    ordered.extend(reversed(run))
    return " ".join(ordered)


def _without_running_heads(pages: list[list[_Line]]) -> list[list[_Line]]:
    """The pages without their running headers and footers, nor lines that are only a page number.

    A running head is a line among the first or last two of a page whose words, its page number aside (in
    any digits, or roman), are those of such a line on most pages (three at least).
    """
    edges: Counter[tuple[str, ...]] = Counter()
    for lines in pages:
        edges.update({_unnumbered(line.text) for line in (*lines[:2], *lines[-2:])})
    common = max(3, int(0.4 * len(pages)) + 1)
    running = {words for words, seen in edges.items() if seen >= common and words}
    kept = []
    for lines in pages:
        edge = {id(line) for line in (*lines[:2], *lines[-2:])}
        kept.append(
            [
                line
                for line in lines
                if id(line) not in edge or (_unnumbered(line.text) not in running and not _PAGE_NUMBER.match(line.text))
            ]
        )
    return kept


def _unnumbered(text: str) -> tuple[str, ...]:
    return tuple(sorted(word for word in text.split() if not _PAGE_NUMBER.match(word)))


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    """Lines joined into paragraphs: a paragraph ends with a line that ends a sentence, or before a gap wider
    than the page's usual line spacing; one that runs on to the next page goes on there."""
    paragraphs: list[list[str]] = []
    ended = True
    for lines in pages:
        steps = sorted(a.bottom - b.bottom for a, b in itertools.pairwise(lines) if a.bottom > b.bottom)
        spacing = steps[len(steps) // 2] if steps else 0.0
        for k, line in enumerate(lines):
            gap = k > 0 and spacing > 0 and lines[k - 1].bottom - line.bottom > 1.6 * spacing
            if ended or gap:
                paragraphs.append([line.text])
            else:
                paragraphs[-1].append(line.text)
            ended = bool(_ENDS_SENTENCE.search(line.text))
    return [" ".join(p) for p in paragraphs]


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
    each after its Arabic, right to left).
    """

    approximate = 0

    def __init__(self, name: str, data: bytes, target: str) -> None:
        from translate.formats.model import Block, Span

        self.name = name
        self.target = target
        read = text_from_pdf(data, name) if Path(name).suffix.lower() == ".pdf" else text_from_image(data, name)
        self.blocks = []
        at = 0
        pending = list(reversed(read.doubts))  # in order of place: each paragraph takes its own from the end
        for text in read.split("\n"):
            doubts = []
            while pending and pending[-1].start < at + len(text):
                d = pending.pop()
                doubts.append(Doubt(d.start - at, d.end - at, d.detail))
            if text.strip():
                self.blocks.append(Block(text, (Span(0, len(text), 0),), tuple(doubts)))
            at += len(text) + 1

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        english = [" ".join(p.target for p in found if p.target) for found in sentences]
        arabic = [block.text if bilingual else None for block in self.blocks]
        if self.target == "html":
            return _as_html(Path(self.name).stem, arabic, english)
        if self.target == "md":
            from translate.formats.markdown import escape_paragraph

            paragraphs = [
                escape_paragraph(text)
                for source, english_text in zip(arabic, english, strict=True)
                for text in (source, english_text)
                if text is not None
            ]
            return ("\n\n".join(paragraphs) + "\n").encode("utf-8")
        return _as_docx(arabic, english)


def _as_html(title: str, arabic: Sequence[str | None], english: Sequence[str]) -> bytes:
    from html import escape

    body = "".join(
        (f'<p dir="rtl" lang="ar">{escape(source)}</p>\n' if source else "") + f"<p>{escape(text)}</p>\n"
        for source, text in zip(arabic, english, strict=True)
    )
    page = f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
    return (page + f"</head><body>\n{body}</body></html>\n").encode("utf-8")


def _as_docx(arabic: Sequence[str | None], english: Sequence[str]) -> bytes:
    import io

    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    for source, text in zip(arabic, english, strict=True):
        if source:
            document.add_paragraph(source)._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
