"""PDF text layers read in logical order (issue 25): real PDFs made by others, and one made here by LibreOffice."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from translate.cli import main
from translate.errors import InputError
from translate.formats import pdf, pdforder
from translate.formats.pdf import text_from_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
ARABIC_WORD = re.compile(r"[\u0600-\u06FF]+")


def _read(name: str) -> str:
    return text_from_pdf((SAMPLES / name).read_bytes(), name)


def _words(text: str) -> list[str]:
    return ARABIC_WORD.findall(unicodedata.normalize("NFKC", text))


@samples
def test_presentation_forms_in_visual_order_come_out_as_letters_in_reading_order() -> None:
    """pdf.js's sample: "أنواع الخطوط العربية" set four times, as presentation forms laid out left to right."""
    text = _read("pdfjs_ArabicCIDTrueType.pdf")
    assert text.split() == "انواع الخطوط العربية".split() * 4
    assert not any("\ufb50" <= ch <= "\ufeff" for ch in text)


@samples
def test_a_phrase_of_arabic_among_other_languages_keeps_every_line_in_order() -> None:
    lines = _read("pypdf_multilang.pdf").splitlines()
    assert lines[:4] == ["English:", "Hello World", "Arabic:", "مرحبا بالعالم"]
    assert "Привет, мир" in lines


@samples
def test_a_ten_page_book_reads_like_the_html_it_was_made_from() -> None:
    """mPDF's sample against its own source HTML: the words, in order, without running footers or page numbers."""
    import lxml.html

    source = lxml.html.fromstring((SAMPLES / "mpdf_body-ar.html").read_bytes().decode("utf-8"))
    for hidden in source.xpath("//style|//script|//htmlpagefooter|//htmlpageheader"):
        hidden.drop_tree()
    gold = _words(source.text_content())
    found_blocks = pdf.read_pdf((SAMPLES / "mpdf_arabic.pdf").read_bytes(), "mpdf_arabic.pdf")
    text = "\n".join(block.text for block in found_blocks)
    words = _words(text)
    found = sum((Counter(words) & Counter(gold)).values())
    # Measured 98.0% of the words, 96.5% of what was read, 95.2% in order (words PDFium breaks at a
    # mark drawn elsewhere, commas split by the PDF itself account for most of the rest).
    assert found / len(gold) >= 0.98 and found / len(words) >= 0.964
    assert difflib.SequenceMatcher(None, gold, words, autojunk=False).ratio() >= 0.952
    lines = text.splitlines()
    assert "مساعدة وانهاء بـ" not in " ".join(lines[:3])  # the running footer, on every page, is left out
    assert not any(re.fullmatch(r"[0-9٠-٩ivx]+", line) for line in lines)
    # The title page, the imprint and the contents are blocks of their own, not one paragraph; English lines
    # read in their own order, the full stop a right-to-left page sets at their left at their end.
    assert lines[:5] == [
        "Title of Book",
        "This is an example title page.",
        "Imprint Page",
        "Created with mPDF",
        "Example Contents",
    ]
    assert [re.sub(r"\.{5,}", "…", line) for line in lines[5:8]] == [
        "Chapter One … ١",
        "Chapter Two … ٣",
        "Chapter Three … ٥",
    ]
    headings = [(block.text, block.heading) for block in found_blocks if block.heading]
    assert headings == [
        ("Title of Book", 1),
        ("Imprint Page", 2),
        ("Example Contents", 1),
        ("Chapter One", 3),
        ("Chapter Two", 3),
        ("Chapter Three", 3),
    ]


def _blank_pdf(pages: int) -> bytes:
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_a_pdf_without_text_is_refused_in_one_line(tmp_path: Path, capsys, model_dir: Path) -> None:
    """Blank pages: no text layer, and nothing for OCR to read (fonts without a Unicode map: tests/test_ocr.py)."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_blank_pdf(2))
    out = tmp_path / "scan.tsv"
    assert main(["translate", str(scan), "-o", str(out), "--model", str(model_dir), "-q"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"error: {scan}: has no Arabic text, in its text layer nor by OCR; if it is a scan, scan it again "
        "at 200-300 dpi, upright"
    )
    assert not out.exists()


def test_too_many_pages_and_broken_files_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    with pytest.raises(InputError, match=r"4 pages; tarjama reads at most 3: split it"):
        text_from_pdf(_blank_pdf(4), "long.pdf")
    with pytest.raises(InputError, match="not a readable PDF"):
        text_from_pdf(b"%PDF-1.4 and then nothing", "broken.pdf")


soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is not installed (libreoffice-writer-nogui)"
)


def _pdf_of(paragraphs: list[str], folder: Path) -> Path:
    """A PDF that LibreOffice makes of a Word report with these right-to-left paragraphs."""
    import docx
    from docx.oxml import OxmlElement

    report = docx.Document()
    for text in paragraphs:
        report.add_paragraph(text)._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    report.save(folder / "report.docx")
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    command = ["soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(folder)]
    subprocess.run([*command, str(folder / "report.docx")], check=True, timeout=180, capture_output=True)
    return folder / "report.pdf"


@soffice
def test_a_pdf_libreoffice_made_from_an_arabic_report_reads_back_as_written(tmp_path: Path) -> None:
    written = [
        "خان طومان قرية صغيرة تقع على الطريق الدولي بين حلب ودمشق.",
        "قتل 230 مقاتلا بينهم 13 خبيرا في معارك عام 2016.",
    ]
    text = text_from_pdf(_pdf_of(written, tmp_path).read_bytes(), "report.pdf")
    assert text.splitlines() == written  # numbers inside Arabic lines keep their digits' order


@soffice
def test_a_pdf_comes_back_as_a_word_document_or_a_page_in_english(tmp_path: Path, model_dir: Path) -> None:
    import docx
    import lxml.html
    from fixture_model import exact_model_args, seed_sentences

    seed = seed_sentences()
    source = _pdf_of([seed[2][0], seed[3][0]], tmp_path)
    english = [seed[2][1], seed[3][1]]
    word, page = tmp_path / "report.en.docx", tmp_path / "report.en.html"
    assert main(["translate", str(source), "-o", str(word), *exact_model_args(model_dir), "-q"]) == 0
    assert [p.text for p in docx.Document(word).paragraphs] == english
    assert main(["translate", str(source), "-o", str(page), *exact_model_args(model_dir), "-q"]) == 0
    html = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    assert [p.text_content() for p in html.iter("p")] == english and html.get("dir") == "ltr"
    notes = tmp_path / "report.en.md"
    assert main(["translate", str(source), "-o", str(notes), *exact_model_args(model_dir), "-q"]) == 0
    assert notes.read_text(encoding="utf-8") == f"{english[0]}\n\n{english[1]}\n"
    both = tmp_path / "report.ar-en.md"
    assert main(["translate", str(source), "-o", str(both), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    assert both.read_text(encoding="utf-8").split("\n\n")[:2] == [seed[2][0], english[0]]


def _chars(*words: tuple[str, float, float]) -> list[pdf.Char]:
    """A line's characters as PDFium gives them: each word's letters in reading order, boxes split evenly over
    (left, right) from the right (Arabic) or from the left, words separated by spaces without a box."""
    chars: list[pdf.Char] = []
    for text, left, right in words:
        width = (right - left) / len(text)
        rtl = pdforder.is_arabic(text)
        for k, ch in enumerate(text):
            x = right - (k + 1) * width if rtl else left + k * width
            chars.append((ch, (x, 100.0, x + width, 110.0)))
        chars.append((" ", (0.0, 0.0, 0.0, 0.0)))
    return chars[:-1]


@pytest.mark.parametrize(
    ("text", "read"),
    [
        (")أي(", "(أي)"),  # a visual-order PDF stores the opening bracket of right-to-left text as ")"
        ("]نص[", "[نص]"),
        ("»قال«", "«قال»"),
        ("<>{}", "><}{"),
        ("أ.ب،", "أ.ب،"),  # not mirrored: left as they are
        ("⟨x⟩", "⟨x⟩"),  # mirrored, but not a pair the table knows: left as it is rather than guessed
    ],
)
def test_text_read_from_the_right_has_its_brackets_mirrored(text: str, read: str) -> None:
    assert pdforder.mirrored(text) == read


@pytest.mark.parametrize(
    ("words", "read"),
    [
        # PDFium puts the letters of an Arabic word in reading order, its brackets as drawn: mirrored
        ([("هنا", 50, 70), (")أي(", 80, 100), ("في", 110, 120)], "في (أي) هنا"),
        ([("هنا", 50, 70), ("(", 75, 78), ("أي", 80, 90), (")", 92, 95), ("في", 110, 120)], "في ( أي ) هنا"),
        ([("هو", 50, 60), ("»كتاب«", 70, 100), ("هذا", 110, 130)], "هذا «كتاب» هو"),
        # a line that reads from the left mirrors the brackets of its Arabic words, not its English ones
        ([("The", 10, 30), ("word", 35, 60), (")كتاب(", 70, 100), ("(book)", 105, 140)], "The word (كتاب) (book)"),
        ([("H.", 10, 20), ("(Rackham)", 25, 70), ("translated", 75, 120)], "H. (Rackham) translated"),
    ],
)
def test_brackets_of_a_line_read_from_the_right_come_out_in_logical_order(words, read: str) -> None:
    line = pdf._line(_chars(*words))
    assert line is not None and line.text == read


@pytest.mark.parametrize(
    ("letters", "words"),
    [
        # LibreOffice's "طومان.." (14 pt): PDFium gives its far stop first, 8 pt from the last letter (more than
        # half an em), the near one 2.4 pt from it; on the page they touch, so the word stays whole
        (
            [
                ("ط", 285.0, 297.3),
                ("و", 275.7, 285.2),
                ("م", 267.5, 275.2),
                ("ا", 263.5, 267.7),
                ("ن", 251.4, 261.4),
                (".", 241.2, 243.7),
                (".", 246.5, 249.0),
            ],
            ["طومان.."],
        ),
        # a bracket PDFium glued onto an Arabic word it stands 22 pt from is cut from it
        ([("ه", 130.0, 140.0), ("ن", 120.0, 130.0), ("ا", 116.0, 120.0), (")", 90.0, 94.0)], ["هنا", "("]),
        ([("ه", 130.0, 140.0), ("ن", 120.0, 130.0), ("ا", 116.0, 120.0), (")", 110.0, 114.0)], ["هنا)"]),
    ],
)
def test_a_word_pdfium_gives_is_cut_only_where_its_letters_stand_apart_on_the_page(letters, words) -> None:
    line = pdf._line([(ch, (left, 683.0, right, 693.0)) for ch, left, right in letters], 14.0)
    assert line is not None and line.text.split() == words


FATHATAN, SHADDA = "\u064b", "\u0651"


@pytest.mark.parametrize(
    ("mark", "box", "read"),
    [
        # عا: ع over 122-136, ا over 118-122. A mark whose box covers more of ع belongs to ع, though its middle
        # is nearer the narrow alef's.
        (FATHATAN, (117.0, 127.0), "توزيع" + FATHATAN + "ا"),
        (FATHATAN, (118.0, 123.0), "توزيعا" + FATHATAN),  # over the alef
        (SHADDA, (150.0, 156.0), "تو" + SHADDA + "زيعا"),
        (FATHATAN, (276.0, 281.0), "فيه" + FATHATAN),  # over no letter: the nearest one
    ],
)
def test_a_mark_drawn_on_its_own_goes_to_the_letter_its_box_overlaps_most(mark, box, read: str) -> None:
    letters = [
        ("ت", (158.0, 100.0, 168.0, 110.0)),
        ("و", (150.0, 100.0, 156.0, 110.0)),
        ("ز", (144.0, 100.0, 150.0, 110.0)),
        ("ي", (136.0, 100.0, 144.0, 110.0)),
        ("ع", (122.0, 100.0, 136.0, 110.0)),
        ("ا", (118.0, 100.0, 122.0, 110.0)),
    ]
    other = [
        ("ف", (290.0, 100.0, 298.0, 110.0)),
        ("ي", (286.0, 100.0, 290.0, 110.0)),
        ("ه", (282.0, 100.0, 286.0, 110.0)),
    ]
    gap = (" ", (0.0, 0.0, 0.0, 0.0))
    # PDFium gives the mark where it was drawn: here a word of its own at the end of the line
    line = pdf._line([*other, gap, *letters, gap, (mark, (box[0], 112.0, box[1], 116.0))])
    assert line is not None and line.text.split()[-1 if read.startswith("ت") else 0] == read


@pytest.mark.parametrize("mark_left", [89.0, 92.0, 96.0, 110.0])
def test_the_words_of_a_line_keep_their_order_wherever_a_mark_was_drawn(mark_left: float) -> None:
    """A shadda drawn over the last letter of يعلم (96-104.5) reaches over the little و (93-95) beside it."""
    chars = _chars(("يعلم", 96, 130), ("و", 93, 95), ("هو", 50, 70))
    chars.insert(1, (SHADDA, (mark_left, 112.0, mark_left + 11, 116.0)))
    line = pdf._line(chars)
    assert line is not None and line.text.split()[1:] == ["و", "هو"]
    assert line.text.split()[0].replace(SHADDA, "") == "يعلم"


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _drawn_pdf(words: list[tuple[str, float]]) -> bytes:
    """A one-line PDF whose text objects are drawn as a visual-order producer draws them: each word's glyphs from
    left to right at x (in points), brackets as they look, marks as objects of their own."""
    import ctypes
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument.new()
    page = document.new_page(300, 200)
    data = DEJAVU.read_bytes()
    font_data = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = raw.FPDFText_LoadFont(document, font_data, len(data), raw.FPDF_FONT_TRUETYPE, True)
    for text, x in words:
        item = raw.FPDFPageObj_CreateTextObj(document, font, 14.0)
        utf16 = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        raw.FPDFText_SetText(item, ctypes.cast(utf16, ctypes.POINTER(raw.FPDF_WCHAR)))
        raw.FPDFPageObj_Transform(item, 1, 0, 0, 1, x, 100)
        raw.FPDFPage_InsertObject(page, item)
    raw.FPDFPage_GenerateContent(page)
    out = io.BytesIO()
    document.save(out)
    raw.FPDFFont_Close(font)
    return out.getvalue()


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed (fonts-dejavu-core)")
def test_a_visual_order_pdf_reads_with_brackets_in_order_and_marks_on_their_letters() -> None:
    """The line «في (أي) توزيعاً هنا» drawn from the left, its fathatan drawn last, over the alef (81-83 pt)."""
    drawn = _drawn_pdf([("انه", 50), ("اعيزوت", 80), (")يأ(", 140), ("يف", 175), (FATHATAN, 78)])
    assert text_from_pdf(drawn, "drawn.pdf") == f"في (أي) توزيعا{FATHATAN} هنا"


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed (fonts-dejavu-core)")
@pytest.mark.parametrize(
    "drawn",
    [
        # «ترجمة (H. Rackham) هنا» laid out from the left; PDFium glues the bracket drawn at 60 pt to هنا,
        # 20 pt away, and mirrors one of the two
        [("انه", 20), ("(H.", 60), ("Rackham)", 85), ("ةمجرت", 160)],
        # the same drawn by a producer that stores each bracket as the character it stands for
        [("انه", 20), (")H.", 60), ("Rackham(", 85), ("ةمجرت", 160)],
    ],
)
def test_brackets_around_an_english_run_in_a_right_to_left_line_come_out_in_logical_order(drawn) -> None:
    assert text_from_pdf(_drawn_pdf(drawn), "drawn.pdf") == "ترجمة (H. Rackham) هنا"


def test_a_mark_drawn_on_a_line_pdfium_gives_later_goes_back_to_its_letter() -> None:
    """mPDF's page 5: the fathatan over the last alef of عسكرياً (y 365) comes at the start of a line below."""
    gap = (" ", (0.0, 0.0, 0.0, 0.0))
    above = [
        ("ع", (333.2, 365.1, 338.2, 370.9)),
        ("س", (324.4, 364.9, 333.4, 369.2)),
        ("ك", (318.9, 365.1, 324.6, 373.6)),
        ("ر", (313.2, 362.4, 319.1, 368.1)),
        ("ي", (310.7, 363.5, 313.2, 368.4)),
        ("ا", (308.7, 365.1, 310.9, 373.6)),
    ]
    below = [
        (FATHATAN, (307.8, 374.0, 310.6, 376.7)),
        gap,
        ("ه", (299.3, 350.7, 304.0, 356.5)),
        ("ذ", (295.0, 350.5, 299.0, 357.0)),
        ("ه", (290.0, 350.5, 294.6, 356.0)),
    ]
    lines = pdf._marks_on_their_letters([above, below])
    assert [pdf._line(chars).text for chars in lines] == [f"عسكريا{FATHATAN}", "هذه"]  # type: ignore[union-attr]


def test_the_spaces_pdfium_puts_around_a_mark_drawn_elsewhere_do_not_split_its_word() -> None:
    """mPDF's page 5 gives غرّة، as "غر ّ ة،": the shadda there is بالرّغم's, drawn 70 pt to the left."""
    line = [
        ("غ", (524.5, 533.4, 529.5, 540.8)),
        ("ر", (518.8, 530.8, 524.7, 536.4)),
        (" ", (445.4, 531.0, 445.4, 531.0)),
        (SHADDA, (443.3, 537.6, 446.3, 540.7)),
        (" ", (519.1, 533.4, 519.1, 533.4)),
        ("ة", (514.6, 533.1, 518.5, 539.2)),
        ("،", (511.8, 533.4, 513.2, 536.1)),
        (" ", (507.6, 533.4, 510.8, 533.4)),
        ("ر", (444.0, 531.0, 448.0, 536.0)),
        ("ا", (440.0, 531.0, 443.0, 540.0)),
    ]
    read = pdf._line(line)
    assert read is not None and read.text == f"غرة، ر{SHADDA}ا"
