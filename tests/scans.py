"""Scans made here from mPDF's Arabic book (the shared sample): image-only PDFs, clean and degraded, and pages set
in columns, turned, or photographed, with the text layer of the same pages as the answer they should read back.

Nothing here is committed as a file: every scan is made when a test or the benchmark asks for it.
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageFilter

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
BOOK = SAMPLES / "mpdf_arabic.pdf"
ARABIC_WORD = re.compile(r"[\u0600-\u06FF]+")


def words(text: str) -> list[str]:
    """The Arabic words of a text, as tests/test_pdf.py scores mPDF's book."""
    return ARABIC_WORD.findall(unicodedata.normalize("NFKC", text))


def scored(gold: Sequence[str], read: Sequence[str]) -> tuple[float, float]:
    """(recall, precision) of the words read in order: their longest common subsequence, over each side.

    Exact, not difflib's greedy matching, which pairs a run of one page with the same run of a later page when
    a book repeats its text (mPDF's does, page after page) and then scores the rest as lost.
    """
    return (found := in_order(gold, read)) / max(1, len(gold)), found / max(1, len(read))


def in_order(a: Sequence[str], b: Sequence[str]) -> int:
    """The length of the longest common subsequence of two word lists (bit-parallel, Hyyrö 2004)."""
    masks: dict[str, int] = {}
    for i, word in enumerate(a):
        masks[word] = masks.get(word, 0) | 1 << i
    full = (1 << len(a)) - 1
    v = full
    for word in b:
        u = v & masks.get(word, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def book_gold() -> list[str]:
    """The words of the HTML the book was made from (its running footers and hidden parts left out)."""
    import lxml.html

    source = lxml.html.fromstring((SAMPLES / "mpdf_body-ar.html").read_bytes().decode("utf-8"))
    for hidden in source.xpath("//style|//script|//htmlpagefooter|//htmlpageheader"):
        hidden.drop_tree()
    return words(source.text_content())


def page_text(page: int) -> str:
    """The text layer of one page of the book, read by tarjama's PDF reader: the answer for a scan of it."""
    from translate.formats.pdf import read_lines

    return "\n".join(line.text for line in read_lines(BOOK.read_bytes(), BOOK.name)[page])


def rendered(pages: Sequence[int], dpi: int) -> list[Image.Image]:
    """Pages of the book as grayscale images at ``dpi``, as a scanner would give them."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(BOOK)
    try:
        return [document[k].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for k in pages]
    finally:
        document.close()


def degraded(image: Image.Image, *, seed: int = 0) -> Image.Image:
    """A worse scan of a 150-dpi page: turned 1 degree, speckled, cut to black and white (1 bit)."""
    turned = image.rotate(1.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    noisy = turned.copy()
    spots = random.Random(seed)
    pixels = noisy.load()
    assert pixels is not None
    for _ in range(noisy.width * noisy.height // 400):  # 0.25% of the pixels flipped to dark or light
        x, y = spots.randrange(noisy.width), spots.randrange(noisy.height)
        pixels[x, y] = 0 if spots.random() < 0.5 else 255
    return noisy.point(lambda v: 255 if v > 150 else 0).convert("1")


def photographed(image: Image.Image) -> Image.Image:
    """A page as a phone photographs it: soft, lit unevenly (darker to one side), on a grey background."""
    soft = image.filter(ImageFilter.GaussianBlur(0.8))
    light = Image.linear_gradient("L").rotate(90).resize(soft.size)  # 255 at the left, 0 at the right
    shade = Image.eval(light, lambda v: 200 + v * 55 // 255)
    lit = Image.composite(soft, Image.new("L", soft.size, 0), shade)  # paper from 200 to 255: ink stays dark
    frame = Image.new("L", (soft.width + 80, soft.height + 80), 120)
    frame.paste(lit, (40, 40))
    return frame


NOTO_SANS = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")


def with_english(page: Image.Image, lines: Sequence[str], *, at: int, dpi: int = 200) -> Image.Image:
    """A page with ``lines`` of English set in 11 pt Noto Sans in a band opened across it ``at`` pixels from
    its top (where a book quotes its source, or a title stands)."""
    from PIL import ImageDraw, ImageFont

    size, left = round(11 * dpi / 72), page.width // 7
    band = len(lines) * 2 * size + size
    out = Image.new("L", (page.width, page.height + band), 255)
    out.paste(page.crop((0, 0, page.width, at)), (0, 0))
    out.paste(page.crop((0, at, page.width, page.height)), (0, at + band))
    draw, font = ImageDraw.Draw(out), ImageFont.truetype(str(NOTO_SANS), size)
    for k, line in enumerate(lines):
        draw.text((left, at + size // 2 + 2 * size * k), line, font=font, fill=0)
    return out


def columns(right: Image.Image, left: Image.Image) -> Image.Image:
    """One wide page in two columns: ``right``'s text block on the right (read first), ``left``'s on the left."""
    boxes = [_text_block(image) for image in (right, left)]
    parts = [image.crop(box) for image, box in zip((right, left), boxes, strict=True)]
    gutter, margin = 120, 100
    width = margin * 2 + gutter + sum(part.width for part in parts)
    page = Image.new("L", (width, max(part.height for part in parts) + 2 * margin), 255)
    page.paste(parts[1], (margin, margin))
    page.paste(parts[0], (margin + parts[1].width + gutter, margin))
    return page


def _text_block(image: Image.Image) -> tuple[int, int, int, int]:
    """The body text of a book page: inside its crop marks, above its footer."""
    width, height = image.size
    box = image.crop((width // 10, height // 10, width - width // 10, height * 89 // 100))
    ink = box.point(lambda v: 255 if v < 128 else 0).getbbox() or (0, 0, box.width, box.height)
    return (width // 10 + ink[0], height // 10 + ink[1], width // 10 + ink[2], height // 10 + ink[3])


def image_pdf(images: Sequence[Image.Image], dpi: int) -> bytes:
    """An image-only PDF, a page per image at ``dpi`` (Pillow writes it: no text layer at all)."""
    out = io.BytesIO()
    first, *rest = [image.convert("L") if image.mode not in ("1", "L") else image for image in images]
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=dpi)
    return out.getvalue()
