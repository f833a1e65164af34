"""Word documents back as Word documents (issue 25): structure, direction, formatting on the aligned words."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fixture_model import EXACT_COMPUTE_TYPE, exact_model_args, seed_sentences

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.errors import InputError
from translate.formats import package as zip_package
from translate.formats.docx import DocxDocument

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SEED = seed_sentences()
NAME = "خان طومان"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _rtl(paragraph, *, align_right: bool = True) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(OxmlElement("w:bidi"))
    if align_right:
        jc = OxmlElement("w:jc")
        jc.set(qn("w:val"), "right")
        ppr.append(jc)


def _arabic_run(paragraph, text: str, *, bold: bool = False):
    """A run as Arabic Word documents write it: right to left, Arabic language, bold only for complex script."""
    run = paragraph.add_run(text)
    rpr = run._r.get_or_add_rPr()
    if bold:
        rpr.append(OxmlElement("w:bCs"))
    rpr.append(OxmlElement("w:rtl"))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    return run


def _link(paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.append(_arabic_run(paragraph, text)._r)  # moved from the paragraph into the link
    paragraph._p.append(link)


def _report(path: Path) -> Path:
    """A small Arabic report: a right-to-left paragraph naming Khan Tuman in bold, with a bookmark; a paragraph of
    two sentences with a link on one word; a right-to-left table; a right-to-left section."""
    document = docx.Document()
    first = document.add_paragraph()
    _rtl(first)
    arabic = SEED[0][0]
    at = arabic.index(NAME)
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "7")
    start.set(qn("w:name"), "village")
    first._p.append(start)
    _arabic_run(first, arabic[:at])
    _arabic_run(first, NAME, bold=True)
    _arabic_run(first, arabic[at + len(NAME) :])
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "7")
    first._p.append(end)
    second = document.add_paragraph()
    _rtl(second, align_right=False)
    words = SEED[3][0].split()
    _arabic_run(second, SEED[2][0] + " " + " ".join(words[:2]) + " ")
    _link(second, words[2], "https://example.org/war")
    _arabic_run(second, " " + " ".join(words[3:]))
    table = document.add_table(rows=1, cols=2)
    table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
    _arabic_run(table.cell(0, 0).paragraphs[0], SEED[4][0])
    _arabic_run(table.cell(0, 1).paragraphs[0], SEED[1][0])
    document.sections[0]._sectPr.append(OxmlElement("w:bidi"))
    document.save(path)
    return path


@pytest.fixture(scope="module")
def english(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("docx")
    source = _report(folder / "report.docx")
    out = folder / "report.en.docx"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    return source, out


def test_a_report_comes_back_in_english_sentence_for_sentence(english) -> None:
    _, out = english
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts == [SEED[0][1], f"{SEED[2][1]} {SEED[3][1]}"]
    cells = [c.text for c in document.tables[0].rows[0].cells]
    assert cells == [SEED[4][1], SEED[1][1]]


def test_right_to_left_becomes_left_to_right(english) -> None:
    _, out = english
    body = _part(out, "word/document.xml")
    paragraphs = [p for p in body.iter(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert len(paragraphs) == 4
    for p in paragraphs:
        assert p.find(f"{W}pPr/{W}bidi").get(f"{W}val") == "0"  # said outright: a style may say otherwise
        assert p.find(f"{W}pPr/{W}jc") is None  # aligned right only because it was right to left
        for run in p.iter(f"{W}r"):
            assert run.find(f"{W}rPr/{W}rtl") is None
            assert run.find(f"{W}rPr/{W}lang").get(f"{W}val") == "en-US"
            assert run.find(f"{W}rPr/{W}lang").get(f"{W}bidi") is None
    assert not list(body.iter(f"{W}bidiVisual"))
    assert body.find(f".//{W}sectPr/{W}bidi") is None


def test_bold_and_links_land_on_the_aligned_english_words(english, model_dir: Path) -> None:
    _, out = english
    document = docx.Document(out)
    first = document.paragraphs[0]
    bold = [run.text for run in first.runs if run.bold]
    assert len(bold) == 1 and bold[0].strip()  # one stretch: complex-script bold (w:bCs) became w:b
    # The bold English words are those the alignment links to خان طومان, and what lies between them.
    translator = Translator(model_dir, TranslationOptions(compute_type=EXACT_COMPUTE_TYPE, alignments=True))
    (pair,) = translator.translate_text(SEED[0][0])
    alignment = pair.alignment
    assert alignment is not None
    name_words = {k for k, (a, _) in enumerate(alignment.source_words) if a < len(NAME)}
    linked = sorted({t for s, t in alignment.links if s in name_words})
    start = first.text.index(bold[0])
    bold_words = [t for t, (a, b) in enumerate(alignment.target_words) if start <= a and b <= start + len(bold[0])]
    assert bold_words and set(bold_words) <= set(range(linked[0], linked[-1] + 1))
    assert bold_words[0] in linked and bold_words[-1] in linked
    # The link keeps its target and wraps English words; the bookmark is still there.
    body = _part(out, "word/document.xml")
    (link,) = body.iter(f"{W}hyperlink")
    assert "".join(t.text for t in link.iter(f"{W}t")).strip()
    rels = _part(out, "word/_rels/document.xml.rels")
    rid = link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    assert [r.get("Target") for r in rels if r.get("Id") == rid] == ["https://example.org/war"]
    assert [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")] == ["village"]
    assert len(list(body.iter(f"{W}bookmarkEnd"))) == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (libreoffice-writer-nogui)")
def test_libreoffice_opens_the_english_document_and_lays_it_out_left_to_right(english, tmp_path: Path) -> None:
    _, out = english
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"  # not the user's own LibreOffice profile
    command = ["soffice", "--headless", profile, "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)]
    subprocess.run(command, check=True, timeout=180, capture_output=True)
    pdf = tmp_path / "report.en.pdf"
    laid_out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    lines = [line for line in laid_out.stdout.splitlines() if line.strip()]
    # The first line starts at the left margin with the first English words, as left-to-right text does.
    assert lines[0].startswith(" ".join(SEED[0][1].split()[:4]))
    assert " ".join(SEED[0][1].split()) in " ".join(" ".join(lines).split())


def test_every_part_the_translation_does_not_touch_is_copied_byte_for_byte(english) -> None:
    source, out = english
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        assert before.namelist() == after.namelist()
        for name in before.namelist():
            if name != "word/document.xml":
                assert before.read(name) == after.read(name), name


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
def test_real_arabic_word_files_are_read_with_their_table_and_footnotes() -> None:
    data = (SAMPLES / "docx4j_arabic_align.docx").read_bytes()
    texts = [b.text for b in DocxDocument("arabic_align.docx", data).blocks]
    assert "ONEالمدينة" in texts and "TWOالبريد" in texts  # a table's cells that mix English and Arabic
    assert "وثيقة تجربة : 123456789" in texts  # Arabic followed by digits
    # The same Arabic line under different run properties reads the same every time.
    data = (SAMPLES / "docx4j_arabic_numbering.docx").read_bytes()
    lines = [b.text for b in DocxDocument("arabic_numbering.docx", data).blocks if "وثيقة تجربة :" in b.text]
    assert len(lines) >= 4 and set(lines) == {"وثيقة تجربة : 123456789"}


def _package(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()


BODY = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"
)


def test_hostile_packages_are_refused_in_one_line(tmp_path: Path, monkeypatch) -> None:
    climbing = _package({"word/document.xml": BODY.format("نص").encode(), "../../etc/evil": b"x"})
    with pytest.raises(InputError, match="points outside the package"):
        DocxDocument("evil.docx", climbing)
    with pytest.raises(InputError, match="not a zip package"):
        DocxDocument("fake.docx", b"PK\x03\x04 not really")
    with pytest.raises(InputError, match=r"no word/document\.xml"):
        DocxDocument("empty.docx", _package({"other.xml": b"<x/>"}))
    with pytest.raises(InputError, match="not well-formed XML"):
        DocxDocument("broken.docx", _package({"word/document.xml": b"<w:document"}))
    damaged = bytearray(_package({"word/document.xml": BODY.format("نص").encode()}))
    at = damaged.index("نص".encode())
    damaged[at] ^= 0xFF  # the bytes no longer match the member's checksum
    with pytest.raises(InputError, match=r"word/document\.xml cannot be unpacked"):
        DocxDocument("damaged.docx", bytes(damaged))
    monkeypatch.setattr(zip_package, "MAX_UNPACKED", 1_000)
    big = _package({"word/document.xml": BODY.format("نص " * 500).encode()})
    with pytest.raises(InputError, match="zip bomb"):
        DocxDocument("bomb.docx", big)


def test_entities_are_never_expanded_nor_fetched() -> None:
    declared = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY big "EXPANDED"> '
        '<!ENTITY file SYSTEM "file:///etc/hostname">]>' + BODY.format("نص &big;&file;")
    )
    (block,) = DocxDocument("entities.docx", _package({"word/document.xml": declared.encode()})).blocks
    assert "EXPANDED" not in block.text and block.text.startswith("نص")
    assert not re.search(r"[a-z]", block.text)  # nothing of /etc/hostname either


def test_docx_output_needs_docx_inputs(tmp_path: Path, capsys, model_dir: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("مرحبا بكم.", encoding="utf-8")
    assert main(["translate", str(text), "-f", "docx", "-o", str(tmp_path / "a.docx"), "--model", str(model_dir)]) == 2
    err = capsys.readouterr().err
    assert "a.txt is none of these" in err and err.count("\n") == 1


def _part(path: Path, name: str):
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def test_a_bilingual_edition_keeps_each_arabic_paragraph_before_its_english(english, model_dir: Path) -> None:
    source, _ = english
    out = source.with_name("report.bilingual.docx")
    assert main(["translate", str(source), "-o", str(out), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    texts = [p.text for p in docx.Document(out).paragraphs if p.text]
    assert texts == [SEED[0][0], SEED[0][1], f"{SEED[2][0]} {SEED[3][0]}", f"{SEED[2][1]} {SEED[3][1]}"]
    body = _part(out, "word/document.xml")
    arabic, first = [p for p in body.iter(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t"))][:2]
    assert arabic.find(f"{W}pPr/{W}bidi").get(f"{W}val") is None  # the Arabic as it was: right to left
    assert first.find(f"{W}pPr/{W}bidi").get(f"{W}val") == "0"
    # What a document holds once (the bookmark) stays once, with the English.
    assert [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")] == ["village"]
    cells = [c.text for c in docx.Document(out).tables[0].rows[0].cells]
    assert cells == [f"{SEED[4][0]}\n{SEED[4][1]}", f"{SEED[1][0]}\n{SEED[1][1]}"]
    # Pairs outputs hold both languages already: --bilingual is for documents.
    assert main(["translate", str(source), "-o", str(out.with_suffix(".tsv")), "--bilingual", "-q"]) == 2


@pytest.mark.parametrize("bilingual", [False, True])
def test_english_paragraphs_and_their_links_stay_exactly_as_they_were(
    model_dir: Path, tmp_path: Path, bilingual: bool
) -> None:
    # Issue 33: a Word file about bidi rules had all its English paragraphs sent to the model and overwritten,
    # a hyperlink's text with them; in a bilingual edition an English list item gained a twin.
    document = docx.Document()
    document.add_paragraph("From http://www.w3.org/International/articles/inline-bidi-markup/")
    arabic = document.add_paragraph()
    _arabic_run(arabic, SEED[0][0])
    see = document.add_paragraph("See ")
    rid = see.part.relate_to("https://example.com/report", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.append(see.add_run("https://example.com/report")._r)
    see._p.append(link)
    see.add_run(" for details.")
    document.add_paragraph("rFonts hint only", style="List Bullet")
    document.add_paragraph("2016 – 17")
    source = tmp_path / "bidi.docx"
    document.save(source)
    out = tmp_path / "bidi.en.docx"
    extra = ["--bilingual"] if bilingual else []
    assert main(["translate", str(source), "-o", str(out), *extra, *exact_model_args(model_dir), "-q"]) == 0
    from lxml import etree

    def english_paragraphs(path: Path) -> list[bytes]:
        body = _part(path, "word/document.xml")
        paragraphs = [p for p in body.iter(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t"))]
        return [etree.tostring(p) for p in paragraphs if not re.search("[\u0600-\u06ff]", "".join(p.itertext()))]

    written = english_paragraphs(out)
    arabic_english = 1  # the Arabic paragraph's English is a paragraph without Arabic too
    assert written[:1] + written[1 + arabic_english :] == english_paragraphs(source)  # once each, as they were
    texts = [p.text for p in docx.Document(out).paragraphs]
    assert texts.count("See https://example.com/report for details.") == 1
    assert texts.count("rFonts hint only") == 1
    assert (SEED[0][0] in texts) is bilingual and SEED[0][1] in [" ".join(t.split()) for t in texts]
