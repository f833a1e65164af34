"""Scans read by OCR (issue 35 §2): image-only PDFs and images made here from mPDF's book, read back by Tesseract.

Each scan is scored against the text layer of the same pages, with the words read in order (their longest
common subsequence, tests/scans.py). The suite keeps OCR's cost to a few pages; benchmarks/documents.py reads
the whole book, clean and degraded, beside plain Tesseract.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import scans

from translate.cli import main
from translate.errors import InputError
from translate.formats import ocr, read_document
from translate.formats.ocr import Line, Word
from translate.formats.pdf import read_lines, read_pdf, text_from_image, text_from_pdf
from translate.types import Doubt, ReadText

tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed (tesseract-ocr tesseract-ocr-ara)"
)
ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
book = pytest.mark.skipif(not scans.BOOK.is_file(), reason="the shared samples are not here")


def _gold(*pages: int) -> list[str]:
    return scans.words("\n".join(scans.page_text(page) for page in pages))


def _score(text: str, *pages: int) -> tuple[float, float]:
    return scans.scored(_gold(*pages), scans.words(text))


def _first_place(text: str, gold: list[str]) -> int:
    """Where the first three words in a row of ``gold`` that OCR read as they are stand in ``text``."""
    return next(at for k in range(len(gold) - 2) if (at := text.find(" ".join(gold[k : k + 3]))) >= 0)


@pytest.fixture(scope="module")
def pages() -> list:
    """Pages 5-7 of the book (three pages of body text, each with the running footer) at 200 dpi."""
    if not scans.BOOK.is_file():
        pytest.skip("the shared samples are not here")
    return scans.rendered([4, 5, 6], 200)


@tesseract
@book
def test_a_clean_scan_reads_like_its_text_layer_without_its_running_footer(pages: list) -> None:
    text = text_from_pdf(scans.image_pdf(pages, 200), "scan.pdf")
    recall, precision = _score(text, 4, 5, 6)
    # Measured 0.878 and 0.895 (plain Tesseract, psm 6: 0.855 and 0.869 on one of these pages); the text layer's
    # answer holds the three footers and page numbers that the scan's reading rightly leaves out.
    assert recall > 0.85 and precision > 0.87
    lines = text.splitlines()
    assert not any(line.strip().isdigit() for line in lines)
    assert isinstance(text, ReadText) and text.doubts
    for doubt in text.doubts:  # every doubt points at the word it names
        assert text[doubt.start : doubt.end] in doubt.detail


@tesseract
@book
def test_a_degraded_scan_still_reads() -> None:
    """150 dpi, turned 1 degree, speckled, black and white."""
    page = scans.degraded(scans.rendered([4], 150)[0], seed=4)
    recall, precision = _score(text_from_pdf(scans.image_pdf([page], 150), "degraded.pdf"), 4)
    assert recall > 0.8 and precision > 0.82  # measured 0.842 and 0.858 (as Tesseract reads it alone: 0.776, 0.794)


@tesseract
@book
@pytest.mark.parametrize("turn", [90, 180])
def test_a_page_on_its_side_or_upside_down_is_turned_upright(pages: list, turn: int) -> None:
    scan = scans.image_pdf([pages[1].rotate(turn, expand=True)], 200)
    recall, precision = _score(text_from_pdf(scan, "turned.pdf"), 5)
    assert recall > 0.85 and precision > 0.87  # measured 0.899/0.908 (90) and 0.895/0.906 (180)


@tesseract
@book
def test_two_columns_are_read_one_after_the_other_from_the_right(pages: list) -> None:
    page = scans.columns(pages[0], pages[1])
    assert ocr._gutter(page) is not None and ocr._gutter(pages[0]) is None
    text = text_from_pdf(scans.image_pdf([page], 200), "columns.pdf")
    words = scans.words(text)
    right, left = _gold(4), _gold(5)
    assert scans.scored(right + left, words)[0] > 0.83  # measured 0.862; interleaved lines would score far less
    # The right column's opening words come before the left column's.
    assert 0 <= _first_place(text, right) < _first_place(text, left)


@tesseract
@book
def test_a_photographed_page_translates_from_the_cli_with_its_doubts_flagged(
    pages: list, tmp_path: Path, model_dir: Path, capsys
) -> None:
    photo = tmp_path / "photo.png"
    scans.photographed(pages[1]).save(photo, dpi=(200, 200))
    out = tmp_path / "photo.jsonl"
    assert main(["translate", str(photo), "-o", str(out), "--format", "jsonl", "--model", str(model_dir), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    source = "\n".join(r["translation"]["ar"] for r in records)
    assert _score(source, 5)[0] > 0.85  # measured 0.895
    flagged = [c for r in records for c in r["checks"] if c["kind"] == "ocr"]
    assert flagged and all("OCR" in c["detail"] for c in flagged)
    for record in records:  # each flag points into its own sentence, at the word it names
        for check in (c for c in record["checks"] if c["kind"] == "ocr"):
            a, b = check["source"]
            assert record["translation"]["ar"][a:b] in check["detail"]
    assert "OCR read unsure" in capsys.readouterr().err  # the summary says so too


ENGLISH_LINES = ["Source: Reuters, 12 March 2016 (see https://example.com/report).", "Chapter Two: The Siege of Aleppo"]


@pytest.fixture
def quoted(pages: list, tmp_path: Path) -> Path:
    """A scan of the book's page with two lines of English set in a band across it."""
    if not scans.NOTO_SANS.is_file():
        pytest.skip("no Noto Sans (fonts-noto-core)")
    scan = tmp_path / "quoted.pdf"
    scan.write_bytes(scans.image_pdf([scans.with_english(pages[0], ENGLISH_LINES, at=700)], 200))
    return scan


@tesseract
@book
def test_lines_of_english_on_a_scanned_page_come_back_as_written_never_translated(
    quoted: Path, tmp_path: Path, model_dir: Path
) -> None:
    """A line of English is noise to the Arabic model (it was left out of every output); read by the English
    model, it is kept, and having no Arabic it is copied as it was, in its place among the Arabic."""
    import difflib

    out = tmp_path / "quoted.jsonl"
    assert main(["translate", str(quoted), "-o", str(out), "--format", "jsonl", "--model", str(model_dir), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    latin = [r for r in records if not ARABIC_LETTER.search(r["translation"]["ar"])]
    for expected in ENGLISH_LINES:
        read = max(latin, key=lambda r: difflib.SequenceMatcher(None, r["translation"]["ar"], expected).ratio())
        assert difflib.SequenceMatcher(None, read["translation"]["ar"], expected).ratio() > 0.9  # measured: exact
        assert read["translation"]["en"] == read["translation"]["ar"]  # copied as it was, not translated
    # In its place: after the page's first lines of Arabic, before the rest.
    sources = [r["translation"]["ar"] for r in records]
    first = next(k for k, r in enumerate(latin) if "Reuters" in r["translation"]["ar"])
    at = sources.index(latin[first]["translation"]["ar"])
    assert any(ARABIC_LETTER.search(text) for text in sources[:at])
    assert any(ARABIC_LETTER.search(text) for text in sources[at + 1 :])
    assert _score("\n".join(sources), 4)[0] > 0.85  # the Arabic reads as well as without the English


@tesseract
@book
def test_a_scanned_pages_english_lines_are_in_its_pdfs_text_layer_and_its_translation_shows(
    quoted: Path, tmp_path: Path, model_dir: Path
) -> None:
    """As a PDF, the scan shows the English lines; the text layer has them too (unseen, as an OCR layer's
    text is), and the English set on white boxes over the Arabic still shows (an unseen line's render mode
    once carried over to all the English drawn after it)."""
    from fixture_model import exact_model_args

    from translate.formats.pdfwrite import PdfDocument

    english = tmp_path / "quoted.en.pdf"
    assert main(["translate", str(quoted), "-o", str(english), "-f", "pdf", *exact_model_args(model_dir), "-q"]) == 0
    text = subprocess.run(["pdftotext", str(english), "-"], check=True, capture_output=True).stdout.decode()
    assert "Reuters" in text and "Aleppo" in text and not ARABIC_LETTER.search(text)
    boxes = [r.box for p in PdfDocument(quoted.name, quoted.read_bytes()).placed for r in p.regions]
    arabic, over = _dark(quoted, 1, tmp_path, boxes), _dark(english, 1, tmp_path, boxes)
    assert len(arabic & over) < 0.3 * len(arabic) and len(over) > 0.2 * len(arabic)


@tesseract
@book
def test_lines_ocr_leaves_out_are_said_whatever_the_output(
    pages: list, tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The book's page has crop marks in its corners that read as neither Arabic nor English: they are left out,
    and every output says how many lines were and on which page (they were only logged)."""
    scan = tmp_path / "marked.pdf"
    scan.write_bytes(scans.image_pdf(pages[:1], 200))
    said = re.compile(r"marked\.pdf: OCR read (\d+) line\(s\) as neither Arabic nor English \(page 1\): marks")
    for output in ("marked.tsv", "marked.docx", "marked.en.pdf"):
        assert main(["translate", str(scan), "-o", str(tmp_path / output), "--model", str(model_dir), "-q"]) == 0
        warned = said.findall(capsys.readouterr().err)
        assert len(warned) == 1 and int(warned[0]) >= 1, output  # said once, by the reading or the writing


@tesseract
@book
def test_the_reader_says_what_reading_and_writing_an_upload_could_not_do(pages: list, tmp_path: Path, reader) -> None:
    """The written document's warnings (here: the lines OCR left out) end the reader's status, as the CLI says
    them after writing; the reader said none of them before."""
    from ui.handlers import Reader

    scan = tmp_path / "marked.pdf"
    scan.write_bytes(scans.image_pdf(pages[:1], 200))
    handler = Reader(reader.pool, downloads=tmp_path / "out")
    *_, last = handler.translate_file(str(scan), reader.model)
    status, document = last[1], last[-3]
    assert document.visible and document.label == "⬇ English PDF"
    said = r'<div class="tj-warning">⚠ marked\.pdf: OCR read \d+ line\(s\) as neither Arabic nor English \(page 1\)'
    assert re.search(said, status)  # a line of its own, after the progress


@tesseract
@book
def test_several_scans_are_read_once_each_with_the_overall_bar(
    pages: list, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several inputs the overall bar counted each file's sentences ahead by reading it: a scan was read
    by OCR twice. Scans are now counted as they come."""
    import sys

    strip = pages[0].crop((0, 300, pages[0].width, 700))  # a few lines: cheap to read
    for name in ("one.png", "two.png"):
        strip.save(tmp_path / name, dpi=(200, 200))
    reads = []
    run = ocr._run

    def counted(program: str, image, dpi: int, args: list[str], **kwargs):
        if args[:2] == ["-l", "ara"]:
            reads.append(dpi)
        return run(program, image, dpi, args, **kwargs)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(ocr, "_run", counted)
    monkeypatch.setattr(sys, "stderr", Terminal())
    files = [str(tmp_path / "one.png"), str(tmp_path / "two.png")]
    assert main(["translate", *files, "--out-dir", str(tmp_path / "out"), "--model", str(model_dir)]) == 0
    assert len(reads) == 2  # a page each (before: 4)
    assert "all files" in sys.stderr.getvalue()


@tesseract
@book
def test_a_scan_is_written_back_as_a_document_with_its_blocks_doubts(pages: list) -> None:
    data = io.BytesIO()
    pages[1].save(data, format="PNG", dpi=(200, 200))
    document = read_document("page.png", data.getvalue(), "html")
    assert document.blocks and any(block.doubts for block in document.blocks)
    for block in document.blocks:
        for doubt in block.doubts:
            assert block.text[doubt.start : doubt.end] in doubt.detail


def _mixed(scan: bytes) -> bytes:
    """A PDF of the book's page 5 as it is (a text layer), then ``scan`` (a page with none)."""
    import pikepdf

    with pikepdf.open(scans.BOOK) as book, pikepdf.open(io.BytesIO(scan)) as scanned, pikepdf.new() as mixed:
        mixed.pages.append(book.pages[4])
        mixed.pages.append(scanned.pages[0])
        out = io.BytesIO()
        mixed.save(out)
        return out.getvalue()


def _dark(pdf: Path, page: int, folder: Path, boxes: list) -> set[tuple[int, int]]:
    """The dark pixels of page ``page`` (from 1) of ``pdf`` rendered at 100 dpi, inside ``boxes`` (points)."""
    from PIL import Image

    prefix = folder / f"{pdf.stem}-{page}"
    command = ["pdftoppm", "-r", "100", "-gray", "-png", "-f", str(page), "-l", str(page), str(pdf), str(prefix)]
    subprocess.run(command, check=True, capture_output=True)
    (png,) = folder.glob(f"{prefix.name}-*.png")
    image = Image.open(png).convert("L")
    scale = 100 / 72
    found = set()
    for left, bottom, right, top in boxes:
        for x in range(int(left * scale), int(right * scale)):
            for y in range(int(image.height - top * scale), int(image.height - bottom * scale)):
                if image.getpixel((x, y)) < 128:
                    found.add((x, y))
    return found


@tesseract
@book
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_a_scanned_page_comes_back_as_a_pdf_with_its_image_and_english_over_it(
    pages: list, tmp_path: Path, model_dir: Path
) -> None:
    import pikepdf
    from fixture_model import exact_model_args

    from translate.formats.pdfwrite import PdfDocument

    source = tmp_path / "mixed.pdf"
    source.write_bytes(_mixed(scans.image_pdf(pages[1:2], 200)))  # a text page, then a scanned one
    english = tmp_path / "mixed.en.pdf"
    assert main(["translate", str(source), "-o", str(english), "-f", "pdf", *exact_model_args(model_dir), "-q"]) == 0
    with pikepdf.open(source) as before, pikepdf.open(english) as after:
        assert [list(p.mediabox) for p in after.pages] == [pytest.approx(list(p.mediabox)) for p in before.pages]
        (scan,) = [image.read_raw_bytes() for image in before.pages[1].get_images().values()]
        assert [image.read_raw_bytes() for image in after.pages[1].get_images().values()] == [scan]
    for page in (1, 2):  # each page's text layer is English alone, the scanned one's too
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(english), "-"], check=True, capture_output=True
        ).stdout.decode()
        assert len(re.findall(r"[A-Za-z]{3,}", text)) > 50 and not ARABIC_LETTER.search(text)
    regions = [r for p in PdfDocument(source.name, source.read_bytes()).placed for r in p.regions if r.page == 1]
    assert len(regions) >= 10 and all(r.scanned for r in regions)
    written = read_lines(english.read_bytes(), english.name)[1]
    assert written and not any(line.scanned for line in written)  # the English is read from the text layer
    for line in written:  # each line of English stands in the box OCR read its paragraph's Arabic in
        left, bottom, right, top = line.box
        assert any(
            r.box[0] - 1 <= left and right <= r.box[2] + 1 and r.box[1] - 2 <= bottom and top <= r.box[3] + 2
            for r in regions
        ), line
    # On the page, the scan's Arabic is covered: few of its dark pixels are dark still (English letters
    # where they fall), and the English is drawn.
    boxes = [r.box for r in regions]
    arabic, over = _dark(source, 2, tmp_path, boxes), _dark(english, 2, tmp_path, boxes)
    assert len(arabic & over) < 0.3 * len(arabic) and len(over) > 0.2 * len(arabic)


@tesseract
@book
def test_the_boxes_under_a_scans_english_are_the_colour_of_its_paper(
    pages: list, tmp_path: Path, model_dir: Path
) -> None:
    """A scan on yellowed paper: the boxes the English is set on take the paper's colour, not white."""
    from fixture_model import exact_model_args
    from PIL import Image

    from translate.formats.pdfwrite import PdfDocument

    paper = (240, 228, 196)
    tinted = Image.merge("RGB", [pages[1].point(lambda v, c=c: v * c // 255) for c in paper])
    source = tmp_path / "yellowed.pdf"
    tinted.save(source, format="PDF", resolution=200)
    english = tmp_path / "yellowed.en.pdf"
    assert main(["translate", str(source), "-o", str(english), "-f", "pdf", *exact_model_args(model_dir), "-q"]) == 0
    prefix = tmp_path / "yellowed-en"
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(english), str(prefix)], check=True, capture_output=True)
    (png,) = tmp_path.glob("yellowed-en-*.png")
    image = Image.open(png).convert("RGB")
    regions = [r for p in PdfDocument(source.name, source.read_bytes()).placed for r in p.regions]
    assert len(regions) >= 10
    scale = 100 / 72
    for region in regions:
        left, bottom, right, top = region.box
        box = (
            int(left * scale),
            int(image.height - top * scale),
            int(right * scale),
            int(image.height - bottom * scale),
        )
        raw = image.crop(box).tobytes()
        pixels = (tuple(raw[k : k + 3]) for k in range(0, len(raw), 3))
        light = sorted((p for p in pixels if sum(p) > 450), key=sum)  # not the English's ink
        middle = light[len(light) // 2]
        assert all(abs(a - b) <= 12 for a, b in zip(middle, paper, strict=True)), (region.box, middle)


@tesseract
@book
def test_ocr_lines_stand_where_the_text_layers_do_in_points_with_its_size() -> None:
    read = [p for p in read_pdf(scans.image_pdf(scans.rendered([5], 200), 200), "scan.pdf") if len(p.text) > 40]
    layer = read_lines(scans.BOOK.read_bytes(), scans.BOOK.name)[5]
    assert len(read) >= 10 and all(line.scanned and line.page == 0 for p in read for line in p.lines)
    lines = [line for p in read for line in p.lines]
    # The book's body is 11 pt; most lines' boxes within 3 pt of those of the text layer's lines (OCR may take a
    # word set apart, the book's "حل" beside a line, into its line, whose box then reaches it).
    assert all(abs(line.size - 11.0) < 1.5 for line in lines)
    placed = [
        line
        for line in lines
        if any(all(abs(a - b) < 3 for a, b in zip(line.box, other.box, strict=True)) for other in layer)
    ]
    assert len(placed) >= 0.8 * len(lines)


@pytest.fixture(scope="module")
def numbers_page(pages: list) -> ocr.PageImage:
    """Page 5 of the book, which writes ``٣٠`` eight times (and ``٠٨٠٤`` once), as a 200-dpi scan."""
    if ocr._script_model(shutil.which("tesseract") or "tesseract") is None:
        pytest.skip("Tesseract's Arabic script model is not installed (tesseract-ocr-script-arab)")
    return ocr.PageImage(pages[0], 200)


def _numbers(lines: list[Line]) -> list[Word]:
    return [word for line in lines for word in line.words if ocr._DIGIT.search(word.text)]


@tesseract
@book
def test_arabic_indic_numbers_are_read_again_by_the_script_model(numbers_page: ocr.PageImage) -> None:
    """The ``ara`` model can write no Arabic-Indic digit but ٠ and ١: it read this page's ``٣٠`` as ``١``,
    ``٠١`` or ``٠٠١``. Read again by the Arabic-script model, most come out right, and any read with less than
    high confidence is still flagged."""
    assert scans.words(scans.page_text(4)).count("٣٠") == 8
    lines = ocr.read_page(ocr.check_tesseract(), numbers_page)
    numbers = _numbers(lines)
    assert sum(scans.words(word.text) == ["٣٠"] for word in numbers) >= 4  # measured 7 of 8 (0 before)
    flagged = {word for word, _ in ocr.doubts(lines)}
    assert all(word.text in flagged for word in numbers if word.confidence < ocr.SURE_NUMBER)


@tesseract
@book
def test_without_the_script_model_numbers_stay_as_read_and_are_flagged(
    numbers_page: ocr.PageImage, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ocr, "_script_model", lambda program: None)
    lines = ocr.read_page(ocr.check_tesseract(), numbers_page)
    numbers = [word for word in _numbers(lines) if re.search("[٠-٩]", word.text)]
    assert numbers and not any("٣" in word.text for word in numbers)  # ara's own reading: it has no ٣
    # Every one flagged, the 91% ara gave a ٣٠ it read as ٠١ included.
    flagged = {word: why for word, why in ocr.doubts(lines)}
    assert all("cannot write most Arabic-Indic digits" in flagged[word.text] for word in numbers)


def test_the_script_model_missing_is_said_once_with_how_to_install_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    program = tmp_path / "tesseract"
    program.write_text('#!/bin/sh\necho "List of available languages (2):"\necho ara\necho osd\n')
    program.chmod(0o755)
    with caplog.at_level("WARNING", logger="tarjama"):
        assert ocr._script_model(str(program)) is None
        assert ocr._script_model(str(program)) is None  # asked once a program: the answer is kept
    assert [r.getMessage() for r in caplog.records].count(
        "OCR: Arabic-Indic numbers are read by Tesseract's Arabic script model, which is not installed "
        "(sudo apt-get install tesseract-ocr-script-arab); they are flagged as read"
    ) == 1


def test_running_heads_read_by_ocr_are_found_though_their_page_number_reads_as_a_letter() -> None:
    """mPDF's footer read over ten scanned pages as "مساعدة وانهاء ب" with its page number misread as و, أ or a
    digit, and a letter dropped: all one running footer, compared by the sure words of two letters or more."""
    from translate.formats.pdf import _without_running_heads
    from translate.formats.pdflayout import Line as PdfLine

    def line(text: str, bottom: float, unsure: str | None = None) -> PdfLine:
        doubts = ()
        if unsure is not None:
            at = text.index(unsure)
            doubts = (Doubt(at, at + len(unsure), f"OCR unsure of the word {unsure} (20%)"),)
        return PdfLine(text, bottom, 11.0, doubts=doubts, scanned=True)

    footers = ["مساعدة وانهاء ب و", "أ مساعدة وانهاء", "5 مساعدة وانهاء ١", "مساعدة وانهاء ب 3", "مساعدة وانهاء ب"]
    said = ["قتل", "وصل", "غادر", "عاد", "سافر", "جرح", "نجا", "هرب", "بقي", "مات"]
    bodies = [[f"{said[2 * k + j]} الوفد إلى المدينة." for j in (0, 1)] for k in range(len(footers))]
    pages = [
        [line(first, 700.0), line(second, 680.0), line(footer, 60.0, "و" if footer.endswith(" و") else None)]
        for (first, second), footer in zip(bodies, footers, strict=True)
    ]
    kept = _without_running_heads(pages)
    assert [[item.text for item in page] for page in kept] == bodies
    # A text layer's lines are compared exactly, as before: a line that differs is no running head.
    typed = [
        [PdfLine(first, 700.0, 11.0), PdfLine(footer, 60.0, 11.0)]
        for (first, _), footer in zip(bodies, footers, strict=True)
    ]
    assert sum(len(page) for page in _without_running_heads(typed)) > len(footers)


@tesseract
def test_fonts_without_a_unicode_map_are_read_by_ocr() -> None:
    sample = scans.SAMPLES / "pdfjs_ThuluthFeatures.pdf"
    if not sample.is_file():
        pytest.skip("the shared samples are not here")
    text = text_from_pdf(sample.read_bytes(), sample.name)
    assert "الإمكانات الرئيسية" in text  # its garbled text layer was refused before; OCR reads the calligraphy


@tesseract
def test_a_blank_scan_is_refused_in_one_line_that_says_what_to_do() -> None:
    from PIL import Image

    blank = scans.image_pdf([Image.new("L", (1654, 2339), 255)] * 2, 200)
    with pytest.raises(InputError, match=r"^blank.pdf: has no Arabic text, in its text layer nor by OCR; .*scan it"):
        text_from_pdf(blank, "blank.pdf")


def test_without_tesseract_a_scan_is_refused_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    monkeypatch.setenv("PATH", "")
    data = io.BytesIO()
    Image.new("L", (200, 100), 255).save(data, format="PNG")
    with pytest.raises(InputError, match=r"Tesseract is not installed: .*install tesseract-ocr tesseract-ocr-ara"):
        text_from_image(data.getvalue(), "page.png")


@pytest.mark.parametrize("side", [8_000, 40_000])  # 64 megapixels (our cap); 1.6 gigapixels (Pillow's own guard)
def test_an_image_that_claims_too_many_pixels_is_refused_before_it_is_decoded(side: int) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">L", len(body)) + kind + body + struct.pack(">L", zlib.crc32(kind + body))

    header = struct.pack(">LLBBBBB", side, side, 8, 0, 0, 0, 0)  # that many pixels of grey, in 60 bytes
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    with pytest.raises(InputError, match=r"^bomb.png: .*tarjama reads images of at most 40 megapixels by OCR: scan"):
        text_from_image(bomb, "bomb.png")


def test_an_image_that_is_not_one_is_named_for_what_it_is() -> None:
    with pytest.raises(InputError, match=r"page.png is a PDF, not an image .*rename it page.pdf"):
        read_document("page.png", b"%PDF-1.4 ...")
    with pytest.raises(InputError, match="not a readable image"):
        text_from_image(b"\x89PNG\r\n\x1a\n and then nothing", "page.png")


@pytest.mark.parametrize(
    ("word", "confidence", "flagged"),
    [
        ("الحرب", 95.0, None),
        ("الحرب", 40.0, "OCR unsure of the word الحرب (40%)"),
        ("٣٠", 89.0, "OCR read the number ٣٠ at 89% confidence"),  # a number needs more than a word
        ("30", 95.0, None),
        ("(١٢)", 70.0, "OCR read the number (١٢) at 70% confidence"),
    ],
)
def test_unsure_words_and_numbers_read_without_high_confidence_are_doubts(
    word: str, confidence: float, flagged: str | None
) -> None:
    line = Line((Word("قتل", 96.0), Word(word, confidence)), 100.0)
    found = ocr.line_doubts(line, 10)
    if flagged is None:
        assert found == []
    else:
        assert found == [Doubt(14, 14 + len(word), flagged)]


def test_a_doubt_becomes_an_ocr_check_on_its_sentence(translator) -> None:
    text = "قتل ٣٠ شخصا.\nوصل الوفد."
    where = text.index("٣٠")
    read = ReadText(text, (Doubt(where, where + 2, "OCR read the number ٣٠ at 12% confidence"),))
    pairs = translator.translate_text(read)
    first = [c for c in pairs[0].checks if c.kind == "ocr"]
    assert [(c.detail, c.source) for c in first] == [("OCR read the number ٣٠ at 12% confidence", (4, 6))]
    assert not any(c.kind == "ocr" for c in pairs[1].checks)
    assert not any(c.kind == "ocr" for c in translator.translate_text(text)[0].checks)  # plain text: no doubt


@pytest.mark.parametrize(
    ("box", "size"),
    [
        ((-10, -5, 20, 60), (20, 50)),
        ((95, 10, 120, 20), (5, 10)),
        ((100, 10, 90, 20), (1, 10)),
        ((-9, -9, -1, -1), (1, 1)),
    ],
)
def test_a_crop_for_reading_again_stays_inside_its_page(box: tuple, size: tuple) -> None:
    """A box past the page's edge is cut at it: PIL paints what lies outside black, which OCR reads as ink."""
    from PIL import Image

    page = Image.new("L", (100, 50), 255)
    crop = ocr._crop(page, box)
    assert crop.size == size and crop.getextrema() == (255, 255)
