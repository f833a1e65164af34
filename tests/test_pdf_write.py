"""PDFs back as PDFs (issue 35): the same pages, the Arabic text objects gone, the English in each paragraph's box.

The report is made here: a Word document with Arabic headings and paragraphs,
an image, an English heading and a line of numbers, laid out by LibreOffice
(which writes the outline from the headings and the title from the document's
properties), a link, a drawing and page labels put on it with pikepdf. The English is checked in the text
layer (pdftotext, PDFium) and on the page (poppler's render).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from translate.cli import main
from translate.formats import fit as fitting
from translate.formats.pdf import read_lines

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LINK = "https://example.org/report"
soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def _measure(text: str, size: float) -> float:
    """A made-up font: every character half as wide as the size."""
    return len(text) * size / 2


@pytest.mark.parametrize(
    ("text", "width", "height", "size", "lines", "fitted_size", "fits"),
    [
        ("one two", 100, 20, 10, ("one two",), 10, True),  # 35 pt wide at 10 pt: as it was
        ("one two three four", 60, 12, 10, ("one two three four",), 6.5, True),  # one line at 6.5 pt: 58.5 wide
        ("one two three four", 45, 30, 10, ("one two", "three four"), 9, True),  # two lines of 9 pt: 45 wide
        ("one two three four", 20, 5, 10, ("one", "two", "three", "four"), 6, False),  # the floor, nothing cut
        ("abcdefghij", 15, 100, 10, ("abc", "def", "ghi", "j"), 10, True),  # a word wider than a line: cut
    ],
)
def test_english_shrinks_to_fit_its_box_and_at_the_floor_is_kept_whole(
    text: str, width: float, height: float, size: float, lines: tuple[str, ...], fitted_size: float, fits: bool
) -> None:
    fitted = fitting.fit(text, width, height, size, _measure)
    assert (fitted.lines, fitted.size, fitted.fits) == (lines, fitted_size, fits)
    assert "".join(fitted.lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("below", "fits", "height"),
    [
        ([], True, 22.0),  # two lines of 10 pt, down into the free space to the page's margin
        ([(0.0, 50.0, 100.0, 85.0)], True, 22.0),  # the next line's top is far enough below
        ([(0.0, 50.0, 100.0, 99.0)], False, 13.2),  # no room: two lines at the floor, past the box, flagged
        ([(200.0, 50.0, 300.0, 99.0)], True, 22.0),  # a line beside the box, not below it, takes no room
    ],
)
def test_english_that_does_not_fit_takes_the_free_space_below(below: list, fits: bool, height: float) -> None:
    from translate.formats.pdfwrite import Region, _fitted

    box = (0.0, 100.0, 100.0, 112.0)  # 100 pt wide, 12 tall: one line of 10 pt holds 20 characters
    fitted = _fitted(Region(0, (box,), box, 10.0), "x" * 19 + " " + "y" * 19, below, 0.0, _measure)
    assert (fitted.fits, fitted.height) == (fits, pytest.approx(height))
    assert fitted.size == (10.0 if fits else 6.0)


@pytest.mark.parametrize(
    ("shares", "parts"),
    [
        ((10,), ["a b c d"]),
        ((30, 10), ["a b c", "d"]),  # a paragraph across a page break: its words by each page's share of its Arabic
        ((1, 1), ["a b", "c d"]),
        ((100, 1), ["a b c d", ""]),  # a share too small for a word gets none (nothing is lost, the box stays empty)
    ],
)
def test_a_paragraph_across_pages_shares_its_english_out_in_order(shares: tuple[int, ...], parts: list[str]) -> None:
    from translate.formats.pdfwrite import _shared

    assert _shared("a b c d", shares) == parts


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(), reason="no DejaVu Sans")
def test_english_grows_down_to_the_next_line_even_one_left_as_it_was() -> None:
    """The visual-order book's contents page: below the heading المحتويات stands "Chapter One ..... ٤", a line
    with no Arabic that stays on the page; a long English heading may not grow over it."""
    from visual_pdf import book_pdf

    from translate.formats.pdfwrite import _fitted, _placed

    placed, taken, occupied, _, _ = _placed(book_pdf(), "book.pdf")
    (region,) = next(p for p in placed if p.text == "المحتويات").regions
    below = [b for b in occupied[region.page] if b[3] < region.box[1] and b[0] < region.box[2] and b[2] > region.box[0]]
    kept = max(below, key=lambda b: b[3])
    assert kept not in taken[region.page]  # the English contents line, left as it was
    fitted = _fitted(region, "a heading far longer in English than its one Arabic word", below, 0.0, _measure)
    assert not fitted.fits and region.box[3] - region.box[1] < fitted.height  # past its box: flagged with a note
    assert fitted.size == fitting.floor_size(region.size)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
def test_english_starts_at_the_size_the_arabic_is_drawn_at_not_its_fonts_size() -> None:
    """pdf.js's ArabicCIDTrueType.pdf sets its lines in 1 pt fonts scaled up 36 times: their English starts at
    36 pt (shrunk to fit), not at 1 pt, a speck."""
    from translate.formats.pdfwrite import _placed

    placed, _, _, _, _ = _placed((SAMPLES / "pdfjs_ArabicCIDTrueType.pdf").read_bytes(), "cid.pdf")
    assert placed and all(region.size == pytest.approx(36.0, abs=1.0) for p in placed for region in p.regions)


def test_the_floor_keeps_headings_larger_than_body_text() -> None:
    assert fitting.floor_size(20) == 12 and fitting.floor_size(11) == 6.6 and fitting.floor_size(6) == 5
    assert fitting.floor_size(4) == 4  # text already smaller than the smallest size is never made larger


def report_pdf(folder: Path) -> Path:
    """The report of this module's docstring, as LibreOffice lays it out (the fixture model knows its sentences)."""
    import docx
    import pikepdf
    from docx.oxml import OxmlElement
    from docx.shared import Inches
    from fixture_model import seed_sentences
    from PIL import Image

    seed = seed_sentences()
    report = docx.Document()
    report.core_properties.title = seed[2][0]

    def rtl(paragraph):
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))

    rtl(report.add_heading(seed[2][0], level=1))
    rtl(report.add_paragraph(seed[0][0]))
    Image.new("RGB", (120, 60), (200, 30, 30)).save(folder / "red.png")
    report.add_picture(str(folder / "red.png"), width=Inches(1.5))
    report.add_heading("Casualties 2016", level=2)
    rtl(report.add_heading(seed[3][0], level=2))
    rtl(report.add_paragraph(seed[1][0]))
    report.add_paragraph("1234   5678")
    report.save(folder / "report.docx")
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    command = ["soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(folder)]
    subprocess.run([*command, str(folder / "report.docx")], check=True, timeout=180, capture_output=True)
    with pikepdf.open(folder / "report.pdf", allow_overwriting_input=True) as pdf:
        action = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(LINK))
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 72, 200, 90], A=action)
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
        pdf.pages[0].contents_add(pdf.make_stream(b"q 0 0.5 0 rg 400 72 60 20 re f Q"))  # a green drawing
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=[0, pikepdf.Dictionary(S=pikepdf.Name.r, St=4)])  # "iv"
        pdf.save(folder / "report.pdf")
    return folder / "report.pdf"


@pytest.fixture(scope="module")
def written(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The report and its English PDF, written by the CLI."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    from fixture_model import exact_model_args

    folder = tmp_path_factory.mktemp("pdfout")
    source = report_pdf(folder)
    english = folder / "report.en.pdf"
    assert main(["translate", str(source), "-o", str(english), *exact_model_args(model_dir), "-q"]) == 0
    return source, english


def _text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True).stdout


@soffice
@poppler
def test_the_english_pdf_has_the_same_pages_and_english_only_in_its_text_layer(written) -> None:
    import pikepdf
    from fixture_model import seed_sentences

    source, english = written
    seed = seed_sentences()
    with pikepdf.open(source) as before, pikepdf.open(english) as after:
        assert [list(p.mediabox) for p in after.pages] == [list(p.mediabox) for p in before.pages]
    assert ARABIC_LETTER.search(_text(source)) and not ARABIC_LETTER.search(_text(english))
    flowing = " ".join(_text(english).split())
    order = [seed[2][1], seed[0][1], "Casualties 2016", seed[3][1], seed[1][1], "1234 5678"]
    at = [flowing.find(" ".join(text.split())) for text in order]
    assert -1 not in at and at == sorted(at), flowing  # each paragraph whole, in reading order


@soffice
def test_each_paragraphs_english_stands_in_its_box_and_headings_stay_larger(written) -> None:
    from fixture_model import seed_sentences

    from translate.formats.pdfwrite import PdfDocument

    source, english = written
    seed = dict(seed_sentences())
    placed = PdfDocument(source.name, source.read_bytes()).placed
    lines = [line for page in read_lines(english.read_bytes(), english.name) for line in page]
    sizes = {}
    for paragraph in placed:
        ((page, left, bottom, right, top),) = [(r.page, *r.box) for r in paragraph.regions]
        inside = [
            line
            for line in lines
            if line.page == page
            and left - 1 <= line.box[0]
            and line.box[2] <= right + 1
            and bottom - 2 <= line.box[1]
            and line.box[3] <= top + 2
        ]
        assert " ".join(line.text for line in inside) == " ".join(seed[paragraph.text].split())
        sizes[paragraph.text] = max(line.size for line in inside)
    order = [arabic for arabic, _ in seed_sentences()]
    assert min(sizes[order[2]], sizes[order[3]]) > max(sizes[order[0]], sizes[order[1]])
    kept = {line.text: line.box for page in read_lines(source.read_bytes(), source.name) for line in page}
    for line in lines:  # a line with no Arabic was left where it was
        if line.text in ("Casualties 2016", "1234 5678"):
            assert line.box == pytest.approx(kept[line.text], abs=0.01)


@soffice
def test_images_links_page_labels_outline_and_title_survive_and_the_outline_and_title_are_in_english(written) -> None:
    import pikepdf
    from fixture_model import seed_sentences

    source, english = written
    seed = seed_sentences()
    with pikepdf.open(source) as before, pikepdf.open(english) as after:
        images = [
            [pikepdf.PdfImage(image).read_bytes() for image in page.get_images().values()]
            for pdf in (before, after)
            for page in pdf.pages
        ]
        assert images[0] and images[0] == images[1]
        (link,) = after.pages[0].obj.Annots
        assert str(link.A.URI) == LINK and [float(v) for v in link.Rect] == [72, 72, 200, 90]
        with after.open_outline() as outline:
            titles = [(item.title, [child.title for child in item.children]) for item in outline.root]
        assert titles == [(seed[2][1], ["Casualties 2016", seed[3][1]])]
        assert str(after.docinfo.Title) == seed[2][1]
        assert after.Root.PageLabels.Nums[1].S == "/r" and after.Root.PageLabels.Nums[1].St == 4
        assert str(after.docinfo.Producer) == str(before.docinfo.Producer)


@soffice
@poppler
def test_the_english_pdf_renders_with_its_image_and_drawing_where_they_were(written, tmp_path: Path) -> None:
    """poppler draws every page; the red picture's and the green drawing's pixels are the same in the Arabic and
    English renders."""
    from PIL import Image

    source, english = written
    renders = []
    for path in (source, english):
        prefix = tmp_path / path.stem
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(prefix)], check=True, capture_output=True)
        (png,) = tmp_path.glob(f"{path.stem}-*.png")
        renders.append(Image.open(png).convert("RGB"))
    for colour in ((200, 30, 30), (0, 128, 0)):  # the picture, the drawing
        found = [{xy for xy in _pixels(image) if image.getpixel(xy) == colour} for image in renders]
        assert len(found[0]) > 20 and found[0] == found[1]
    dark = [sum(1 for xy in _pixels(image) if sum(image.getpixel(xy)) < 200) for image in renders]
    assert dark[1] > dark[0] / 4  # the English is drawn, not only removed


@soffice
def test_the_english_takes_the_colours_of_its_arabic(written) -> None:
    """LibreOffice's headings are two blues, its paragraphs black: the English is set in each, and in no other."""
    import pikepdf

    source, english = written

    def colours(stream) -> set[tuple[float, ...]]:
        found = pikepdf.parse_content_stream(stream)
        return {tuple(round(float(v), 2) for v in op.operands) for op in found if str(op.operator) == "rg"}

    with pikepdf.open(source) as before, pikepdf.open(english) as after:
        (form,) = [f for name, f in after.pages[0].Resources.XObject.items() if name.startswith("/Tarjama")]
        drawing = (0.0, 0.5, 0.0)
        assert len(colours(form)) == 3 and colours(form) == colours(before.pages[0]) - {drawing}


def _text_by_font(path: Path) -> list[tuple[str, str]]:
    """Each text object of the first page (those in its forms too): its font's name, without a subset's prefix,
    and its text."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        textpage = page.get_textpage()
        found = []
        for item in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=4):
            name = ctypes.create_string_buffer(128)
            raw.FPDFFont_GetBaseFontName(raw.FPDFTextObj_GetFont(item.raw), name, len(name))
            count = raw.FPDFTextObj_GetText(item.raw, textpage.raw, None, 0)
            text = ctypes.create_string_buffer(count * 2)
            raw.FPDFTextObj_GetText(item.raw, textpage.raw, ctypes.cast(text, ctypes.POINTER(ctypes.c_ushort)), count)
            found.append((name.value.decode().split("+")[-1], text.raw.decode("utf-16-le").rstrip("\x00")))
        return found
    finally:
        document.close()


@soffice
def test_bold_arabic_comes_back_as_bold_english_and_the_rest_regular(written) -> None:
    """LibreOffice sets the report's headings in DejaVu Sans Bold (its weight says 400: only the name tells):
    their English is set in Noto Sans Bold, the paragraphs' in Noto Sans. The English heading, left as it
    was, keeps its own font."""
    from fixture_model import seed_sentences

    source, english = written
    seed = seed_sentences()
    before = _text_by_font(source)
    assert {font for font, text in before if ARABIC_LETTER.search(text)} == {"DejaVuSans", "DejaVuSans-Bold"}
    after = _text_by_font(english)
    by_font: dict[str, str] = {}
    for font, text in after:
        by_font[font] = by_font.get(font, "") + " " + text
    flowing = {font: " ".join(text.split()) for font, text in by_font.items()}
    bold, regular = flowing.get("NotoSans-Bold", ""), flowing.get("NotoSans-Regular", "")
    for heading in (seed[2][1], seed[3][1]):
        assert " ".join(heading.split()) in bold and " ".join(heading.split()) not in regular
    for paragraph in (seed[0][1], seed[1][1]):
        assert " ".join(paragraph.split()) in regular and " ".join(paragraph.split()) not in bold
    assert "Casualties 2016" in bold  # LibreOffice's own Noto Sans Bold, untouched


def _pixels(image):
    return ((x, y) for x in range(image.width) for y in range(image.height))


@soffice
@poppler
@pytest.mark.parametrize(("layout", "pages", "wide"), [("side", 1, 2), ("alternate", 2, 1)])
def test_a_bilingual_pdf_puts_each_page_beside_or_after_its_original(
    written, model_dir: Path, tmp_path: Path, layout: str, pages: int, wide: int
) -> None:
    import pikepdf
    from fixture_model import exact_model_args

    source, _ = written
    both = tmp_path / "report.ar-en.pdf"
    argv = ["translate", str(source), "-o", str(both), "--bilingual", "--pdf-pages", layout, "-q"]
    assert main([*argv, *exact_model_args(model_dir)]) == 0
    with pikepdf.open(source) as before, pikepdf.open(both) as after:
        assert len(after.pages) == pages * len(before.pages)
        width = float(before.pages[0].mediabox[2])
        assert float(after.pages[0].mediabox[2]) == pytest.approx(wide * width)
    english_side = ["-f", "1", "-l", "1", "-x", "0", "-y", "0", "-W", str(int(width)), "-H", "2000"]
    assert "Khan Tuman" in _text(both, *english_side) and not ARABIC_LETTER.search(_text(both, *english_side))
    assert ARABIC_LETTER.search(_text(both))  # the originals are there


@soffice
@poppler
def test_text_inside_a_form_xobject_is_taken_out_too(written, model_dir: Path, tmp_path: Path) -> None:
    """The report's page drawn as one form XObject with resources of its own, as stamping and imposition tools
    draw pages."""
    import pikepdf
    from fixture_model import exact_model_args, seed_sentences

    source, _ = written
    formed, english = tmp_path / "formed.pdf", tmp_path / "formed.en.pdf"
    with pikepdf.open(source) as pdf:
        page = pdf.pages[0]
        page.contents_coalesce()
        form = pdf.make_stream(
            page.obj.Contents.read_bytes(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=page.mediabox,
            Resources=page.obj.Resources,
        )
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx0=form))
        page.obj.Contents = pdf.make_stream(b"q /Fx0 Do Q")
        pdf.save(formed)
    assert ARABIC_LETTER.search(_text(formed))
    assert main(["translate", str(formed), "-o", str(english), *exact_model_args(model_dir), "-q"]) == 0
    laid_out = subprocess.run(["pdftotext", str(english), "-"], check=True, capture_output=True, text=True)
    assert not ARABIC_LETTER.search(laid_out.stdout) and not laid_out.stderr  # poppler finds every resource
    assert " ".join(seed_sentences()[1][1].split()) in " ".join(laid_out.stdout.split())
    with pikepdf.open(english) as pdf:
        assert len(pdf.pages[0].get_images()) == 1


@soffice
@poppler
def test_a_rotated_page_gets_its_english_turned_with_it(written, model_dir: Path, tmp_path: Path) -> None:
    import pikepdf
    from fixture_model import exact_model_args

    source, english = written
    turned, turned_english = tmp_path / "turned.pdf", tmp_path / "turned.en.pdf"
    with pikepdf.open(source) as pdf:
        pdf.pages[0].obj.Rotate = 90
        pdf.save(turned)
    assert main(["translate", str(turned), "-o", str(turned_english), *exact_model_args(model_dir), "-q"]) == 0
    # The English lines stand where they stand on the page that is not turned, in its reading order.
    assert _text(turned_english) == _text(english)
    lines, turned_lines = (
        sorted((line.text, line.box) for page in read_lines(path.read_bytes(), path.name) for line in page)
        for path in (english, turned_english)
    )
    assert [text for text, _ in turned_lines] == [text for text, _ in lines]
    for (_, box), (_, turned_box) in zip(lines, turned_lines, strict=True):
        assert turned_box == pytest.approx(box, abs=0.5)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
@poppler
@pytest.mark.parametrize("name", ["mpdf_arabic.pdf", "pypdf_multilang.pdf"])
def test_real_pdfs_come_back_with_their_pages_and_no_arabic_and_every_overflow_flagged(
    name: str, model_dir: Path, tmp_path: Path, capsys
) -> None:
    import pikepdf
    from fixture_model import exact_model_args

    english = tmp_path / name.replace(".pdf", ".en.pdf")
    assert main(["translate", str(SAMPLES / name), "-o", str(english), *exact_model_args(model_dir)]) == 0
    with pikepdf.open(SAMPLES / name) as before, pikepdf.open(english) as after:
        # PDFium writes numbers as 32-bit floats: 595.303937007874 comes back as 595.30396.
        sizes = [[float(v) for v in p.mediabox] for p in before.pages]
        assert [[float(v) for v in p.mediabox] for p in after.pages] == [pytest.approx(box, abs=1e-3) for box in sizes]
        notes = [a for page in after.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Text"]
    text = _text(english)
    assert not ARABIC_LETTER.search(text) and len(text.split()) > 0.5 * len(_text(SAMPLES / name).split())
    if name == "pypdf_multilang.pdf":  # lines in other languages are left as they were
        assert "Привет, мир" in text and "Hello World" in text
    # Every paragraph that ran past its box has a note on its page and is counted in the warning.
    said = re.search(r"(\d+) paragraph\(s\) did not fit their box", capsys.readouterr().err)
    assert len(notes) == (int(said.group(1)) if said else 0)
    assert all("did not fit its box" in str(note.Contents) for note in notes)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(english), str(tmp_path / "page")], check=True)
    with pikepdf.open(english) as after:
        assert len(list(tmp_path.glob("page-*.png"))) == len(after.pages)


def test_without_a_font_to_set_english_in_the_error_says_what_to_install(monkeypatch, tmp_path: Path) -> None:
    from translate.errors import InputError
    from translate.formats import pdfwrite

    monkeypatch.setattr(pdfwrite, "FONTS", ())
    monkeypatch.setenv("TARJAMA_PDF_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(InputError, match=r"^no font .*`apt-get install fonts-noto-core`.*none\.ttf is not a file\)$"):
        pdfwrite.font_path()


def test_a_bilingual_layout_tarjama_does_not_know_is_refused() -> None:
    from translate.formats.pdfwrite import PdfDocument

    with pytest.raises(ValueError, match="layout must be one of side, alternate"):
        PdfDocument("x.pdf", b"", layout="columns")
