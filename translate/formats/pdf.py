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

A PDF with no Arabic a person could read in its text layer (scanned pages,
fonts without a Unicode map) is refused with what to do, never translated as
garbage.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.formats.pdflayout import Line, Paragraph, paragraphs
from translate.types import AlignedPair

MAX_PAGES = 2_000
"""Pages read at most: a longer PDF is refused (its pages are read one at a time, so memory stays bounded)."""
GARBLED_WORDS = 0.2
"""A text layer where more than this share of the words mix letters of several scripts is garbage (fonts without a
Unicode map give Greek, Cyrillic and Indic letters by glyph number)."""
OCR = "it needs OCR first, e.g. `ocrmypdf -l ara {name} ocr.pdf`, then translate ocr.pdf"
_PAGE_NUMBER = re.compile(r"^[\s\-–—|•.]*([0-9٠-٩۰-۹]+|[ivxlcdm]+)[\s\-–—|•.]*$", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9٠-٩۰-۹]+")


Char = tuple[str, tuple[float, float, float, float]]
"""A character and its box on the page: (left, bottom, right, top), all 0 for one PDFium generated."""


@dataclass(frozen=True)
class _Word:
    text: str
    left: float
    right: float


def text_from_pdf(data: bytes, name: str) -> str:
    """The text of a PDF's text layer, a paragraph per line, in logical order; :class:`InputError` if it has none."""
    return "\n".join(paragraph.text for paragraph in read_pdf(data, name))


def read_pdf(data: bytes, name: str) -> list[Paragraph]:
    """A PDF's paragraphs and headings in logical order (:mod:`~translate.formats.pdflayout`); :class:`InputError`
    if it has no Arabic text layer."""
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
        rtl = _reads_from_the_right(document)
        lines = [_page_lines(document[k], rtl) for k in range(pages)]
    finally:
        document.close()
    found = paragraphs(_without_running_heads(lines))
    _check_readable("\n".join(paragraph.text for paragraph in found), name)
    return found


def _reads_from_the_right(document: Any) -> bool | None:
    """True for a document with as many Arabic letters as Latin ones or more: each of its lines reads from the
    right, those with no Arabic too (a table of contents' "Chapter One ..... ١", an English sentence whose full stop a
    right-to-left page sets at its left). None: each line by its own letters."""
    arabic = latin = 0
    for k in range(len(document)):
        page = document[k]
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range(0, textpage.count_chars())
        finally:
            textpage.close()
            page.close()
        arabic += sum(1 for ch in text if _is_arabic(ch) and ch.isalpha())
        latin += sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return True if arabic >= latin > 0 or arabic > latin else None


def _page_lines(page: Any, rtl: bool | None = None) -> list[Line]:
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
                if ch.isalnum():
                    size.append(pdfium.raw.FPDFText_GetFontSize(textpage, index))
        found.append(line)
        sizes.append(size)
        read = [
            _line(chars, sorted(size)[len(size) // 2] if size else 0.0, rtl)
            for chars, size in zip(_marks_on_their_letters(found), sizes, strict=True)
        ]
        return [line for line in read if line is not None]
    finally:
        textpage.close()
        page.close()


def _line(chars: list[Char], size: float = 0.0, rtl: bool | None = None) -> Line | None:
    """One line of a page from its characters and their boxes, its words in reading order (None: no word).

    ``rtl``: read it from the right whatever its letters (the document is right to left); None: by its letters.
    """
    (chars,) = _marks_on_their_letters([chars])
    chars = _lam_alef(chars)
    heights = sorted(b[3] - b[1] for c, b in chars if b[2] > b[0] and c.isalpha())
    height = heights[len(heights) // 2] if heights else 0.0
    words: list[_Word] = []
    bottoms: list[float] = []
    current: list[Char] = []
    for ch, box in [*chars, (" ", (0.0, 0.0, 0.0, 0.0))]:
        if not ch.isspace():
            current.append((ch, box))
            continue
        for piece in _apart_on_the_page(current, 0.5 * (size or height)):
            # A word stands where its letters are, not where its marks were drawn (a mark's box can reach a
            # neighbour).
            boxes = [b for c, b in piece if b[2] > b[0] and not _is_mark(c)] or [b for _, b in piece if b[2] > b[0]]
            text = _folded("".join(c for c, _ in piece))
            if text and boxes:
                words.append(_Word(text, min(b[0] for b in boxes), max(b[2] for b in boxes)))
                bottoms.extend(b[1] for b in boxes)
        current = []
    if not words:
        return None
    # Glyphs closer than a space (a quarter of an em, less in narrow fonts) touch.
    touch = 0.22 * size if size > 0 else 0.3 * height
    return Line(_logical(_touching(words, touch), rtl), sorted(bottoms)[len(bottoms) // 2], size)


def _apart_on_the_page(chars: list[Char], apart: float) -> list[list[Char]]:
    """A word as PDFium gives it, cut where two of its letters stand more than ``apart`` from each other on the
    page (half an em); a word of Latin letters in the order they stand, left to right.

    PDFium reorders a line by its own reckoning and can glue a bracket drawn beside an English word onto an
    Arabic word 20 pt away ("هنا)"): the boxes say where each character really is.
    """
    pieces: list[list[Char]] = [[]]
    last: tuple[float, float, float, float] | None = None
    for ch, box in chars:
        if box[2] > box[0] and not _is_mark(ch):
            if last is not None and apart > 0 and max(box[0] - last[2], last[0] - box[2]) > apart:
                pieces.append([])
            last = box
        pieces[-1].append((ch, box))
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


def _touching(words: list[_Word], touch: float) -> list[_Word]:
    """Words with a bracket or stop that touches a Latin word or number on the page (closer than ``touch``)
    joined to it, as drawn."""
    visual = sorted(words, key=lambda w: w.left)
    out: list[_Word] = []
    for word in visual:
        if out and word.left - out[-1].right <= touch and _glues(out[-1], word):
            out[-1] = _Word(out[-1].text + word.text, out[-1].left, max(out[-1].right, word.right))
        else:
            out.append(word)
    return out


def _glues(left: _Word, right: _Word) -> bool:
    """Whether two words that touch are one: a lone bracket or stop and a word of Latin letters or digits."""

    def latin(word: _Word) -> bool:
        return not _is_arabic(word.text) and any(ch.isalnum() for ch in word.text)

    def lone(word: _Word) -> bool:
        return not any(ch.isalnum() for ch in word.text) and not _is_arabic(word.text)

    return (lone(left) and latin(right)) or (latin(left) and lone(right))


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


def _logical(words: list[_Word], rtl: bool | None = None) -> str:
    """One line's words in reading order, from where they stand on the page (``rtl``: see :func:`_line`)."""
    visual = sorted(words, key=lambda w: w.left)
    arabic = sum(1 for w in visual if _is_arabic(w.text))
    latin = sum(1 for w in visual if _is_latin(w.text))
    if rtl or arabic > latin:
        return " ".join(_balanced(_from_the_right(visual)))
    # From the left; a run of Arabic words reads from the right.
    ordered: list[str] = []
    run: list[str] = []
    for word in visual:
        if _is_arabic(word.text):
            run.append(_mirrored(word.text))
        else:
            ordered.extend(reversed(run))
            run = []
            ordered.append(word.text)
    ordered.extend(reversed(run))
    return " ".join(ordered)


def _from_the_right(visual: list[_Word]) -> list[str]:
    """A line's words read from the right, brackets mirrored; a run of words that are not Arabic (English,
    numbers, and a lone dash or bracket between two English words) keeps its left-to-right order."""
    ordered: list[str] = []
    run: list[str] = []
    for k in range(len(visual) - 1, -1, -1):
        text = visual[k].text
        inside = 0 < k < len(visual) - 1 and _is_latin(visual[k - 1].text) and _is_latin(visual[k + 1].text)
        if _is_arabic(text) or not (any(ch.isalnum() for ch in text) or inside):
            ordered.extend(_run(run))  # brackets and quotes on their own read from the right too
            run = []
            ordered.append(_mirrored(text))
        else:
            run.append(text)
    ordered.extend(_run(run))
    return ordered


_STOPS = ".,:;!?،؛…"


def _run(run: list[str]) -> list[str]:
    """A run of words that are not Arabic (gathered from the right) in its own order. A full stop a right-to-left
    line sets at the run's left, as it ends the run's sentence, ends it (".2016" is "2016.", ".This is it" is
    "This is it.")."""
    if not run:
        return []
    words = run[::-1]
    lead = len(words[0]) - len(words[0].lstrip(_STOPS))
    if 0 < lead < len(words[0]):
        stop, words[0] = words[0][:lead], words[0][lead:]
        words[-1] += stop
    return words


def _balanced(words: list[str]) -> list[str]:
    """Brackets beside the English of a line read from the right put the right way round ("H. )Rackham )" is
    "H. (Rackham )"): PDFium mirrors a bracket it takes for right to left, and one beside an English run in a
    right-to-left line is. A closing bracket that starts a word opens it, an opening one that ends a word closes
    it; brackets standing alone then pair up with the fewest turns, or stay as they are ("1)" is a list's)."""
    out = list(words)
    k = 0
    while k < len(out):
        end = k
        while end < len(out) and not _is_arabic(out[end]):
            end += 1
        for opening, closing in ("()", "[]", "{}"):
            for at in range(k, end):
                word = out[at]
                if len(word) > 1 and word[0] == closing and word[1].isalnum():
                    word = opening + word[1:]
                if len(word) > 1 and word[-1] == opening and word[-2].isalnum():
                    word = word[:-1] + closing
                out[at] = word
            _pair_lone(out, k, end, opening, closing)
        k = end + 1
    return out


def _pair_lone(words: list[str], start: int, end: int, opening: str, closing: str) -> None:
    """Brackets standing alone in ``words[start:end]`` turned so that all its brackets pair up, if any do not and
    some way does (the first ones opening); otherwise left as they are."""
    found = [(at, ch) for at in range(start, end) for ch in words[at] if ch in (opening, closing)]
    if _pairs_up(ch for _, ch in found):
        return
    free = [at for at in range(start, end) if words[at] in (opening, closing)]
    opens = len(found) // 2 - sum(1 for at, ch in found if ch == opening and at not in free)
    if len(found) % 2 or not 0 <= opens <= len(free):
        return
    turned = {at: opening if n < opens else closing for n, at in enumerate(free)}
    if _pairs_up(turned.get(at, ch) for at, ch in found):
        for at, ch in turned.items():
            words[at] = ch


def _pairs_up(brackets: Iterable[str]) -> bool:
    depth = 0
    for ch in brackets:
        depth += 1 if ch in "([{" else -1
        if depth < 0:
            return False
    return depth == 0


def _without_running_heads(pages: list[list[Line]]) -> list[list[Line]]:
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


def _check_readable(text: str, name: str) -> None:
    words = text.split()
    if not words or not _is_arabic(text):
        raise InputError(f"{name}: has no Arabic text layer tarjama can read; {OCR.format(name=name)}")
    garbled = sum(1 for w in words if len(_scripts(w)) > 1 or any(unicodedata.category(c) in ("Co", "Cc") for c in w))
    if garbled > GARBLED_WORDS * len(words):
        raise InputError(
            f"{name}: its text layer is not readable text ({garbled} of {len(words)} words mix scripts: "
            f"fonts without a Unicode map); {OCR.format(name=name)}"
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
    """A PDF's paragraphs as blocks, written back as a new document of ``target`` (``docx``, ``html`` or ``md``).

    A PDF's layout is not rewritten: its English comes as a Word document or a
    web page with one paragraph per paragraph read, left to right (bilingual:
    each after its Arabic, right to left); a line set larger than the body
    text comes as a heading (Word's Heading 1, 2..., ``<h1>``, ``#``).
    """

    approximate = 0

    def __init__(self, name: str, data: bytes, target: str) -> None:
        from translate.formats.model import Block, Span

        self.name = name
        self.target = target
        found = [paragraph for paragraph in read_pdf(data, name) if paragraph.text.strip()]
        self.blocks = [Block(p.text, (Span(0, len(p.text), 0),)) for p in found]
        self.headings = [p.heading for p in found]
        """Each block's heading level (0: a paragraph)."""

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        english = [" ".join(p.target for p in found if p.target) for found in sentences]
        arabic = [block.text if bilingual else None for block in self.blocks]
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
