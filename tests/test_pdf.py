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
from translate.formats import pdf
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
    text = _read("mpdf_arabic.pdf")
    words = _words(text)
    found = sum((Counter(words) & Counter(gold)).values())
    # Measured 97.3% of the words, 95.2% of what was read, 94.4% in order (diacritics placed on a
    # neighbouring letter, commas split by the PDF itself account for most of the rest).
    assert found / len(gold) > 0.95 and found / len(words) > 0.93
    assert difflib.SequenceMatcher(None, gold, words, autojunk=False).ratio() > 0.92
    lines = text.splitlines()
    assert "مساعدة وانهاء بـ" not in " ".join(lines[:3])  # the running footer, on every page, is left out
    assert not any(re.fullmatch(r"[0-9٠-٩ivx]+", line) for line in lines)
    assert text.startswith("Title of Book")  # an English line of a right-to-left book, in its own order


@samples
def test_fonts_without_a_unicode_map_are_refused_as_needing_ocr() -> None:
    with pytest.raises(InputError, match=r"not readable text .* fonts without a Unicode map.*ocrmypdf -l ara"):
        _read("pdfjs_ThuluthFeatures.pdf")


def _blank_pdf(pages: int) -> bytes:
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_pdf_without_a_text_layer_is_refused_in_one_line(tmp_path: Path, capsys, model_dir: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_blank_pdf(2))
    out = tmp_path / "scan.tsv"
    assert main(["translate", str(scan), "-o", str(out), "--model", str(model_dir), "-q"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"error: {scan}: has no Arabic text layer tarjama can read; it needs OCR first, "
        f"e.g. `ocrmypdf -l ara {scan} ocr.pdf`, then translate ocr.pdf"
    )
    assert not out.exists()


def test_too_many_pages_and_broken_files_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)
    with pytest.raises(InputError, match=r"4 pages; tarjama reads at most 3: split it"):
        text_from_pdf(_blank_pdf(4), "long.pdf")
    with pytest.raises(InputError, match="not a readable PDF"):
        text_from_pdf(b"%PDF-1.4 and then nothing", "broken.pdf")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (libreoffice-writer-nogui)")
def test_a_pdf_libreoffice_made_from_an_arabic_report_reads_back_as_written(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement

    written = [
        "خان طومان قرية صغيرة تقع على الطريق الدولي بين حلب ودمشق.",
        "قتل 230 مقاتلا بينهم 13 خبيرا في معارك عام 2016.",
    ]
    report = docx.Document()
    for sentence in written:
        paragraph = report.add_paragraph(sentence)
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:bidi"))
    report.save(tmp_path / "report.docx")
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = ["soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(tmp_path)]
    subprocess.run([*command, str(tmp_path / "report.docx")], check=True, timeout=180, capture_output=True)
    text = text_from_pdf((tmp_path / "report.pdf").read_bytes(), "report.pdf")
    assert text.splitlines() == written  # numbers inside Arabic lines keep their digits' order
