"""Scans read by OCR (Tesseract): a page image's lines of Arabic, each word with how sure Tesseract was of it.

Pages are read as plain Tesseract reads them best, measured on a 200-dpi
image-only copy of mPDF's Arabic book (README: Documents): the ``ara`` model
alone (``ara+eng`` adds spurious Latin words), ``--psm 6`` (one block of
text); a page in columns, which psm 6 would interleave, is cut at its gutter
and each column read so, from the right. A page is rendered at its scan's own
resolution (a page of vector glyphs at :data:`RENDER_DPI`), enlarged to
:data:`READ_DPI`, and turned upright by Tesseract's orientation detection
when it reads nothing as it stands. Each Tesseract runs one thread (``OMP_THREAD_LIMIT=1``: its OpenMP
threads only fight each other on few cores); pages run in parallel, one
process per core, and at most two page images per process are held at once,
so a 2,000-page scan costs the memory of a few pages.

The ``ara`` model can write no Arabic-Indic digit but ``٠`` and ``١``
(``٣٠`` came out as ``١``): each number it read is read again by the
Arabic-script model (:func:`_numbers_read`). The words Tesseract was unsure
of, and every number not read with high confidence, become :class:`Doubt` s
that the translator turns into ``ocr`` checks on their sentences.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from translate.errors import InputError
from translate.types import Doubt

if TYPE_CHECKING:
    from PIL.Image import Image

logger = logging.getLogger("tarjama")

RENDER_DPI = 200
"""Resolution a page without a scanned image (glyphs drawn as paths, fonts without a Unicode map) is rendered at:
Tesseract read mPDF's book best rendered at 200 dpi (0.920 of the words in order; 0.875 at 300), then cleaned and
enlarged to :data:`READ_DPI`."""
READ_DPI = 300
"""A page of a lower resolution is enlarged to this once its specks are cleaned, before Tesseract reads it
(Tesseract's own advice: it reads best at 300 dpi). On mPDF's book a clean 200-dpi scan read 0.927 → 0.936
of the words in order, for 1.5 times the time; a degraded 150-dpi one 0.899 → 0.892 (no better, no worse
than the ±0.5 such a page moves by). Enlarged after the scan is rendered at its own resolution: rendering
a 200-dpi scan at 300 dpi instead read 0.875."""
MIN_DPI, MAX_DPI = 150, 400
"""A scan's own resolution is used within these bounds (a thumbnail is enlarged, a 1200-dpi scan reduced)."""
MAX_PIXELS = 40_000_000
"""A page image larger than this (a poster, a decompression bomb) is refused rather than read for minutes."""
PAGE_TIMEOUT = 180.0
"""Seconds Tesseract may spend on one page (OCRmyPDF's default). Past it the document is refused with a message
saying so, rather than translated with a page missing."""
SURE = 60.0
"""Words Tesseract gives a confidence below this (0-100) are flagged on their sentence."""
SURE_NUMBER = 90.0
"""Numbers need more: the ``ara`` model read none of 48 Arabic-Indic numbers of mPDF's book right."""
NOISE = 50.0
"""A line whose words' mean and median confidence are both below this is not text Tesseract's Arabic model can
read: crop marks and rules read as letters (mPDF's came out as "| له |"), dotted leaders, a line of English or a
picture. On mPDF's book no line of Arabic text came below 74 and no such line above 42. It is read again by
the English model (:func:`_english_read`); what that model is not sure of either is left out, and every output
says how many lines were (:func:`translate.formats.pdf.unread_warning`)."""
ENGLISH = 75.0
"""A line that is noise to the Arabic model is kept as English when the English model reads it with its words'
mean and median confidence at least this (mPDF's crop marks read by it came under 50; lines of English set in
the test at 11 pt, over 90)."""
INSTALL = (
    "install Tesseract with its Arabic data: "
    "`sudo apt-get install tesseract-ocr tesseract-ocr-ara tesseract-ocr-script-arab` "
    "(macOS: `brew install tesseract tesseract-lang`)"
)
_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")  # Tesseract puts bidi marks around numbers: not text
_TOO_BIG = f"tarjama reads images of at most {MAX_PIXELS // 1_000_000} megapixels by OCR: scan it at 200-300 dpi"
_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")
_ARA_DIGITS = re.compile(r"[٠١]")  # the only Arabic-Indic digits the ``ara`` model can write
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[A-Za-z]")
_NUMERALS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬/-"
"""What a number read again may hold: Arabic-Indic and Persian digits, the Arabic decimal and thousands signs,
slashes and dashes (dates, ranges)."""
_SAME_DIGITS = str.maketrans("۰۱۲۳۷۸۹", "٠١٢٣٧٨٩")  # Persian digits drawn as the Arabic ones are: Arabic text
_NUMBER_CORE = re.compile(r"[0-9٠-٩۰-۹][0-9٠-٩۰-۹٫٬/.,:\-]*[0-9٠-٩۰-۹]|[0-9٠-٩۰-۹]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")


@dataclass(frozen=True)
class Word:
    """A word as Tesseract read it, and its confidence (0-100)."""

    text: str
    confidence: float
    doubt: str | None = None
    """Why the word is in doubt whatever its confidence (a number the ``ara`` model could not have read right)."""


@dataclass(frozen=True)
class Line:
    """A line of a page in reading order, and where its bottom stands (pixels from the top at the page's dpi).

    ``box``: its words' box, (left, bottom, right, top) in points from the page's bottom left as a PDF's
    (:data:`translate.formats.pdflayout.Box`; in pixels from the top left until :func:`read_page` is done; on a
    page OCR turned upright, in the turned page); ``height``: its words' middle height (points, the same), what
    its font size is estimated from (a line's box grows with the dots and descenders of a few letters).
    """

    words: tuple[Word, ...]
    bottom: float
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    height: float = 0.0
    noise: bool = False
    """Whether its words read as no text Tesseract's Arabic model can read (:data:`NOISE`), nor its English one:
    a page upside down reads as such lines, so they count when the page's orientation is judged; then they are
    left out, and counted (:func:`translate.formats.pdf.unread_warning`)."""

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class PageImage:
    """A page to read: its image (grayscale) and its resolution."""

    image: Image
    dpi: int


def check_tesseract() -> str:
    """The path of the ``tesseract`` program; :class:`InputError` saying how to install it, or its Arabic data."""
    program = shutil.which("tesseract")
    if program is None:
        raise InputError(f"this is a scan, read by OCR, and Tesseract is not installed: {INSTALL}")
    if "ara" not in _models(program):
        _models.cache_clear()  # installed while this runs (a server), it is found next time
        raise InputError(f"this is a scan, read by OCR, and Tesseract has no Arabic data (ara): {INSTALL}")
    return program


def doubts(lines: Iterable[Line]) -> list[tuple[str, str]]:
    """The doubtful words of ``lines``, in order: (word, why)."""
    found = []
    for line in lines:
        for word in line.words:
            if word.doubt is not None:
                found.append((word.text, word.doubt))
            elif _DIGIT.search(word.text) and word.confidence < SURE_NUMBER:
                found.append((word.text, f"OCR read the number {word.text} at {word.confidence:.0f}% confidence"))
            elif word.confidence < SURE:
                found.append((word.text, f"OCR unsure of the word {word.text} ({word.confidence:.0f}%)"))
    return found


def line_doubts(line: Line, at: int) -> list[Doubt]:
    """The doubts of one line whose text stands at ``at`` in a text."""
    out, cursor = [], 0
    text = line.text
    for word, why in doubts([line]):
        start = text.find(word, cursor)
        cursor = start + len(word)
        out.append(Doubt(at + start, at + cursor, why))
    return out


PageProgress = Callable[[int, int | None], None]
"""Told (pages read so far, pages to read if known) after each page: how a command shows OCR's progress."""
_progress: ContextVar[PageProgress | None] = ContextVar("tarjama_ocr_progress", default=None)


@contextmanager
def page_progress(report: PageProgress) -> Iterator[None]:
    """Within this block, OCR tells ``report`` of each page it has read (the library itself never prints)."""
    token = _progress.set(report)
    try:
        yield
    finally:
        _progress.reset(token)


def read_pages(
    pages: Iterable[PageImage], *, total: int | None = None, workers: int | None = None
) -> Iterator[list[Line]]:
    """Each page's lines, in page order, read ``workers`` pages at a time (default: one per core).

    Pages are taken from ``pages`` only as workers free up, so at most about
    ``2 * workers`` page images are alive at once, whatever the page count.
    Each page read is told to the :func:`page_progress` report in force.
    """
    program = check_tesseract()
    workers = workers or os.cpu_count() or 1
    report = _progress.get()
    queued: list[Future[list[Line]]] = []
    done = [0]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tarjama-ocr") as pool:

        def finished() -> list[Line]:
            lines = queued.pop(0).result()
            done[0] += 1
            if report is not None:
                report(done[0], total)
            return lines

        for page in pages:
            queued.append(pool.submit(read_page, program, page))
            while len(queued) >= 2 * workers:
                yield finished()
        while queued:
            yield finished()


def read_page(program: str, page: PageImage) -> list[Line]:
    """One page's lines, its columns read one after the other from the right; turned upright first if it does
    not read as it stands (Tesseract's orientation detection says how, else each turn is tried). Their boxes and
    heights in points (the PDF writer and the layout's sizes work in points). Lines read as neither Arabic nor
    English come too, marked ``noise``: the reader leaves them out, and says how many it did."""
    lines, height = _read_page(program, page)
    points = 72 / page.dpi
    return [
        dataclasses.replace(
            line,
            box=(
                line.box[0] * points,
                (height - line.box[3]) * points,
                line.box[2] * points,
                (height - line.box[1]) * points,
            ),
            height=line.height * points,
        )
        for line in lines
    ]


def _read_page(program: str, page: PageImage) -> tuple[list[Line], int]:
    """:func:`read_page`'s lines, boxes in pixels, and the height in pixels of the image they were read on."""
    image = page.image
    if image.width * image.height > MAX_PIXELS:
        raise InputError(
            f"a page of {image.width}x{image.height} pixels is larger than tarjama reads by OCR "
            f"({MAX_PIXELS // 1_000_000} megapixels): scan it at {MIN_DPI}-300 dpi"
        )
    if not _has_ink(image):
        return [], image.height
    from PIL.Image import Resampling

    image = _cleaned(image, page.dpi)
    scale = max(1.0, READ_DPI / page.dpi)
    if scale > 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Resampling.LANCZOS)
    read, height, upright = _upright_read(program, image, round(page.dpi * scale))
    lines = _english_read(program, upright, round(page.dpi * scale), read)
    if scale == 1:
        return lines, height
    return [_scaled(line, 1 / scale) for line in lines], round(height / scale)


def _scaled(line: Line, by: float) -> Line:
    """A line read on an enlarged page, with its box, bottom and height on the page as it was given."""
    box = (line.box[0] * by, line.box[1] * by, line.box[2] * by, line.box[3] * by)
    return dataclasses.replace(line, box=box, bottom=line.bottom * by, height=line.height * by)


def _upright_read(program: str, image: Image, dpi: int) -> tuple[list[Line], int, Image]:
    """A page's lines read upright, the height of the image they were read on, and that image (turned if the
    page was)."""
    lines = _columns_read(program, image, dpi)
    if _reads_well(lines):
        return lines, image.height, image
    turn = _orientation(program, image, dpi)
    if turn == 0:
        # Upright, says OSD: a page of English, a picture, a table; turning it would not help.
        return lines, image.height, image
    upright = image
    for angle in [turn] if turn else [180, 90, 270]:
        # Tesseract's "Rotate" is the clockwise turn that makes the page upright; PIL turns anticlockwise.
        turned = image.rotate(-angle, expand=True, fillcolor=255)
        again = _columns_read(program, turned, dpi)
        if _sure_words(again) > _sure_words(lines):
            logger.info("OCR: a page read upright after turning it %d degrees", angle)
            lines, upright = again, turned
        if _reads_well(again):
            break
    return lines, upright.height, upright


def _english_read(program: str, image: Image, dpi: int, lines: list[Line]) -> list[Line]:
    """``lines`` with each that read as noise to the Arabic model read again, as one line, by the English one
    (``eng``, which Tesseract comes with), and kept as English where that model was sure of it.

    A line of English on an Arabic page (a source, a title, an address) is noise to the ``ara`` model, which
    has no Latin letters; before, it was left out of every output. Kept, it has no Arabic: it is copied as it
    was and never sent to the model. A line is English when its words' mean and median confidence are at least
    :data:`ENGLISH` and it has Latin letters; crop marks and rules read by ``eng`` stay noise.
    """
    wanted = [k for k, line in enumerate(lines) if line.noise]
    if not wanted or "eng" not in _models(program):
        return lines
    pad = [0.2 * max(1.0, lines[k].height) for k in wanted]
    crops = [
        _crop(image, (lines[k].box[0] - p, lines[k].box[1] - p, lines[k].box[2] + p, lines[k].box[3] + p))
        for k, p in zip(wanted, pad, strict=True)
    ]
    out = list(lines)
    for k, words in zip(wanted, _read_words(program, crops, dpi, ["-l", "eng", "--psm", "7"]), strict=True):
        if words and _is_english(words):
            out[k] = dataclasses.replace(lines[k], words=tuple(words), noise=False)
    return out


def _is_english(words: list[Word]) -> bool:
    confidences = sorted(w.confidence for w in words)
    sure = sum(confidences) / len(words) >= ENGLISH and confidences[len(words) // 2] >= ENGLISH
    return sure and sum(len(_LATIN.findall(w.text)) for w in words) >= 3


def _sure_words(lines: list[Line]) -> int:
    return _sure([word for line in lines for word in line.words])


def _sure(words: list[Word]) -> int:
    return sum(1 for w in words if w.confidence >= SURE and _ARABIC.search(w.text))


def _reads_well(lines: list[Line]) -> bool:
    return _reads_well_words([word for line in lines for word in line.words])


def _reads_well_words(words: list[Word]) -> bool:
    """Whether a page read as text: most of its words (three at least) are Arabic read with confidence.

    A page on its side still gives a few confident "words"; never half of them.
    """
    return _sure(words) >= max(3, len(words) // 2)


def _columns_read(program: str, image: Image, dpi: int, depth: int = 2) -> list[Line]:
    """A page's lines, column by column from the right (Arabic's order), each column one block (``--psm 6``).

    psm 6 reads a page as one block, which interleaves columns line by line; psm 3 (full layout analysis)
    keeps them apart but read mPDF's book worse (0.896 of the words against 0.920). So a page is cut at the
    blank gutter between its columns, and each column read as one block.
    """
    gutter = _gutter(image) if depth else None
    if gutter is None:
        return _tesseract(program, image, dpi, 6)
    right = image.crop((gutter, 0, image.width, image.height))
    left = image.crop((0, 0, gutter, image.height))
    moved = [_moved(line, gutter) for line in _columns_read(program, right, dpi, depth - 1)]
    return moved + _columns_read(program, left, dpi, depth - 1)


def _moved(line: Line, by: float) -> Line:
    """A line read in a column cut ``by`` pixels from the page's left edge, with its box on the page."""
    left, top, right, bottom = line.box
    return dataclasses.replace(line, box=(left + by, top, right + by, bottom))


def _cleaned(image: Image, dpi: int) -> Image:
    """The page without lone specks (a dark pixel with no ink around it, a light one inside ink), softened by a
    blur of a pixel at 150 dpi: Tesseract's model reads smooth strokes better than a scanner's jagged 1-bit ones.

    On mPDF's book (page 5) this read 0.855 → 0.873 of the words of a clean 200-dpi scan and 0.776 → 0.842 of a
    degraded 150-dpi one (1 bit, speckled, turned 1 degree).
    """
    from PIL import ImageChops, ImageFilter

    ink = image.point(lambda v: 255 if v < 128 else 0)
    near = ink.filter(ImageFilter.Kernel((3, 3), [1, 1, 1, 1, 0, 1, 1, 1, 1], scale=8))
    lone = ImageChops.multiply(ink, near.point(lambda v: 255 if v == 0 else 0))
    holes = ImageChops.multiply(ink.point(lambda v: 255 - v), near.point(lambda v: 255 if v == 255 else 0))
    clean = ImageChops.subtract(ImageChops.add(image, lone), holes)
    return clean.filter(ImageFilter.GaussianBlur(dpi / 150))


def _has_ink(image: Image) -> bool:
    """Whether the page has anything printed on it (a blank page is not sent to Tesseract)."""
    dark = sum(image.point(lambda v: 255 if v < 128 else 0).histogram()[255:])
    return dark > 0.0005 * image.width * image.height


def _gutter(image: Image) -> int | None:
    """Where a blank gutter runs down the middle half of the text, between two columns that both have a fifth
    of the ink at least (its middle, in the image's pixels); None for a page of one column.

    The top and bottom tenth are left out: a running head spans both columns, and crop marks stand at the
    page's middle (mPDF's do).
    """
    factor = 4 if image.width > 800 else 1
    small = image.reduce(factor) if factor > 1 else image
    width, height = small.size
    body = small.crop((0, height // 10, width, height - height // 10)).point(lambda v: 1 if v < 128 else 0)
    pixels = body.load()
    assert pixels is not None
    profile = [sum(1 for y in range(0, body.height, 2) if pixels[x, y]) for x in range(width)]
    inked = [x for x in range(width) if profile[x] > 1]
    if not inked:
        return None
    left, right = inked[0], inked[-1]
    span = right - left
    run = best = start = best_start = 0
    for x in range(left + span // 4, right - span // 4):
        run = run + 1 if profile[x] <= 1 else 0
        start = x - run + 1
        if run > best:
            best, best_start = run, start
    if best < max(3, span // 50):
        return None
    middle = best_start + best // 2
    total = sum(profile)
    if sum(profile[left:middle]) < 0.2 * total or sum(profile[middle : right + 1]) < 0.2 * total:
        return None
    return middle * factor


def _pnm(image: Image) -> bytes:
    out = io.BytesIO()
    image.convert("L").save(out, format="PPM")  # an uncompressed grayscale P5: nothing to deflate
    return out.getvalue()


def _run(program: str, image: Image | None, dpi: int, args: list[str], *, source: str = "stdin") -> str:
    """Tesseract's output for ``image`` (or the images the file ``source`` lists, one a line)."""
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [program, source, "stdout", "--dpi", str(dpi), *args],
            input=_pnm(image) if image is not None else None,
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(
            f"a page took Tesseract over {PAGE_TIMEOUT:.0f} s: the scan may be mostly a picture; "
            "crop it to its text and try again"
        ) from None
    return done.stdout.decode("utf-8", errors="replace")


def _tesseract(program: str, image: Image, dpi: int, mode: int) -> list[Line]:
    """The page's lines from Tesseract's TSV: words in reading order, as Tesseract gives them, with confidence;
    Arabic-Indic numbers read again (:func:`_numbers_read`)."""
    table = _run(program, image, dpi, ["-l", "ara", "--psm", str(mode), "tsv"])
    lines: dict[tuple[str, str, str], list[Word]] = {}
    bottoms: dict[tuple[str, str, str], float] = {}
    boxes: dict[tuple[str, str, str], list[tuple[float, float, float, float]]] = {}
    for cells, text in _word_rows(table):
        key = (cells[2], cells[3], cells[4])
        if text:
            lines.setdefault(key, []).append(Word(text, max(0.0, float(cells[10]))))
        bottoms[key] = max(bottoms.get(key, 0.0), float(cells[7]) + float(cells[9]))
        if text:
            left, top, width, height = (float(cells[k]) for k in (6, 7, 8, 9))
            boxes.setdefault(key, []).append((left, top, left + width, top + height))
    if _reads_well_words([w for words in lines.values() for w in words]):  # not a page on its side
        _numbers_read(program, image, dpi, [(words, boxes[key]) for key, words in lines.items()])
    return [
        Line(tuple(words), bottoms[key], *_line_box(boxes[key]), noise=_is_noise(words))
        for key, words in lines.items()
        if words
    ]


def _numbers_read(
    program: str, image: Image, dpi: int, lines: list[tuple[list[Word], list[tuple[float, float, float, float]]]]
) -> None:
    """Reads each Arabic-Indic number of ``lines`` again, in place, with Tesseract's Arabic-script model.

    The ``ara`` model can write no Arabic-Indic digit but ``٠`` and ``١`` (they are all its charset has), so it
    read every ``٣٠`` of mPDF's book as ``١``, ``٠١`` or ``٠٠١``. A word it read with one of them is cut out
    of the page, just past its box (half way to its neighbours at most), and read again as one line
    (``--psm 7``) by the ``Arabic`` script model (Debian's ``tesseract-ocr-script-arab``), allowed only
    digits and the signs numbers are written with: 30 of its 39 ``٣٠`` came out right (none before). Each
    number costs a crop, and a page's numbers one more Tesseract, which loads its model once for all of them.
    The number keeps what the first reading had around it (a comma, a bracket) and the new reading's
    confidence, so a number still in doubt is flagged. Without the script model each stays as read, and is
    flagged whatever its confidence.
    """
    wanted = [
        (words, boxes, k)
        for words, boxes in lines
        for k, word in enumerate(words)
        if _ARA_DIGITS.search(word.text) and not _ARABIC_LETTER.search(word.text)
    ]
    model = _script_model(program) if wanted else None
    if model is None:
        for words, _, k in wanted:  # ara gave one 91%: its confidence says nothing of digits it cannot write
            why = f"OCR read the number {words[k].text} with a model that cannot write most Arabic-Indic digits"
            words[k] = dataclasses.replace(words[k], doubt=why)
        return
    crops = [_number_crop(image, boxes, k) for _, boxes, k in wanted]
    found = _read_words(program, crops, dpi, ["-l", model, "--psm", "7", "-c", f"tessedit_char_whitelist={_NUMERALS}"])
    for (words, _, k), read in zip(wanted, found, strict=True):
        digits = "".join(word.text for word in read).translate(_SAME_DIGITS)
        if not _DIGIT.search(digits):
            continue
        old = words[k].text
        core = _NUMBER_CORE.search(old)
        assert core is not None
        words[k] = Word(old[: core.start()] + digits + old[core.end() :], min(word.confidence for word in read))


def _number_crop(image: Image, boxes: list[tuple[float, float, float, float]], k: int) -> Image:
    """Word ``k`` of a line cut from its page: a fifth of its line's height around its box, or half way to the
    words beside it where they are nearer (what stands between words belongs to neither)."""
    left, top, right, bottom = boxes[k]
    height = sorted(b[3] - b[1] for b in boxes)[len(boxes) // 2]
    pad = 0.25 * height
    before = [b[2] for b in boxes if b[2] <= left]
    after = [b[0] for b in boxes if b[0] >= right]
    low = max(left - pad, (left + max(before)) / 2) if before else left - pad
    high = min(right + pad, (right + min(after)) / 2) if after else right + pad
    return _crop(image, (low, top - 0.15 * height, high, bottom + 0.15 * height))


def _crop(image: Image, box: tuple[float, float, float, float]) -> Image:
    """``box`` (left, top, right, bottom in pixels) cut from ``image``, within its edges (past them PIL would
    paint black, which OCR reads as ink)."""
    left, top = min(max(0, round(box[0])), image.width - 1), min(max(0, round(box[1])), image.height - 1)
    right, bottom = min(image.width, max(left + 1, round(box[2]))), min(image.height, max(top + 1, round(box[3])))
    return image.crop((left, top, right, bottom))


def _read_words(program: str, crops: list[Image], dpi: int, args: list[str]) -> list[list[Word]]:
    """Each crop's words, read by one Tesseract (a list of image files is one run: its model is loaded once)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tarjama-ocr-") as folder:
        names = []
        for k, crop in enumerate(crops):
            names.append(os.path.join(folder, f"{k}.pgm"))
            crop.convert("L").save(names[-1])
        listing = os.path.join(folder, "crops.txt")
        with open(listing, "w", encoding="utf-8") as out:
            out.write("\n".join(names) + "\n")
        table = _run(program, None, dpi, [*args, "tsv"], source=listing)
    found: list[list[Word]] = [[] for _ in crops]
    for cells, text in _word_rows(table):
        k = int(cells[1]) - 1 if cells[1].isdigit() else -1  # its page: the crop's place in the list
        if text and 0 <= k < len(crops):
            found[k].append(Word(text, max(0.0, float(cells[10]))))
    return found


def _word_rows(table: str) -> Iterator[tuple[list[str], str]]:
    """The word rows of Tesseract's TSV (level 5): their cells, and their text without its bidi marks."""
    for row in table.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[0] == "5":
            yield cells, cells[11].translate(_MARKS).strip()


@functools.cache
def _models(program: str) -> frozenset[str]:
    """The models (languages, scripts) Tesseract has."""
    found = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return frozenset(found.stdout.split())


@functools.cache
def _script_model(program: str) -> str | None:
    """The name Tesseract knows its Arabic-script model by (Debian: ``Arabic``; elsewhere ``script/Arabic``),
    None if it is not installed (then numbers are not read again, and the log says how to install it)."""
    for name in ("Arabic", "script/Arabic"):
        if name in _models(program):
            return name
    logger.warning(
        "OCR: Arabic-Indic numbers are read by Tesseract's Arabic script model, which is not installed "
        "(sudo apt-get install tesseract-ocr-script-arab); they are flagged as read"
    )
    return None


def _line_box(boxes: list[tuple[float, float, float, float]]) -> tuple[tuple[float, float, float, float], float]:
    """The box of a line's words, and their middle height."""
    heights = sorted(bottom - top for _, top, _, bottom in boxes)
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return box, heights[len(heights) // 2]


def _is_noise(words: list[Word]) -> bool:
    confidences = sorted(w.confidence for w in words)
    return sum(confidences) / len(words) < NOISE and confidences[len(words) // 2] < NOISE


def _orientation(program: str, image: Image, dpi: int) -> int | None:
    """The clockwise turn Tesseract's orientation detection (``--psm 0``) says makes the page upright (0: it is);
    None if it cannot tell (too few letters)."""
    found = re.search(r"Rotate:\s*(\d+)", _run(program, image, dpi, ["--psm", "0"]))
    return int(found.group(1)) % 360 if found else None


def scan_scale(page: Any) -> float | None:
    """Pixels per point of the image that covers most of a PDF page (half of it at least): a scan; None if none."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        if right > left and (right - left) * (top - bottom) > 0.5 * width * height:
            # One pixel of the page image per pixel of the scan, a quarter pixel less: else PDFium rounds up to
            # one pixel more and resamples every line of text, which cost 2% of the words of mPDF's book.
            return float((max(image.get_px_size()) - 0.25) / max(right - left, top - bottom))
    return None


def pdf_page(page: Any) -> PageImage:
    """A PDF page (pypdfium2) as an image at its scan's own resolution (:data:`RENDER_DPI` if it has no scan).

    PDFium applies the page's rotation and its images' transformations: a page stored upside down comes out
    upright, as it is shown. The page is closed once rendered.
    """
    width, height = page.get_size()
    scale = min(MAX_DPI / 72, max(MIN_DPI / 72, scan_scale(page) or RENDER_DPI / 72))
    dpi = round(scale * 72)
    try:
        if width * height * scale * scale > MAX_PIXELS:
            raise InputError(
                f"a page of {width / 72:.0f}x{height / 72:.0f} inches is larger than tarjama reads by OCR "
                f"({MAX_PIXELS // 1_000_000} megapixels at {dpi} dpi): split or scale it first"
            )
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return PageImage(bitmap.to_pil().convert("L"), dpi)
        finally:
            bitmap.close()
    finally:
        page.close()


def image_file(data: bytes) -> Iterator[PageImage]:
    """The pages of an image file (a TIFF may hold several), grayscale, at their stated resolution."""
    from PIL import Image as PIL
    from PIL import ImageOps, UnidentifiedImageError

    try:
        opened = PIL.open(io.BytesIO(data))  # the header only: nothing is decoded yet
    except PIL.DecompressionBombError:
        raise InputError(_TOO_BIG) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"not a readable image ({type(exc).__name__}); save it again as PNG") from None
    with opened:
        for k in range(getattr(opened, "n_frames", 1)):
            opened.seek(k)
            if opened.width * opened.height > MAX_PIXELS:  # a decompression bomb says so before it is decoded
                raise InputError(f"an image of {opened.width}x{opened.height} pixels; {_TOO_BIG}")
            dpi = opened.info.get("dpi", (0, 0))[0] or RENDER_DPI
            # A photo's EXIF orientation says how it is shown; the pixels are stored as the camera held it.
            page = ImageOps.exif_transpose(opened.convert("L")) or opened.convert("L")
            yield PageImage(page, min(MAX_DPI, max(MIN_DPI, round(float(dpi)))))
