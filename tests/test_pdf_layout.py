"""A PDF's layout read as a person reads it (issue 33): paragraphs across page breaks, headings by size, English
lines and table of contents' lines as blocks of their own (copied, never sent to the model), the stops and
brackets around English runs in right-to-left lines; and a visual-order book made here, read back as written."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from visual_pdf import DEJAVU, book_pdf, logical_text

from translate.cli import main
from translate.formats import pdforder
from translate.formats.pdf import read_pdf
from translate.formats.pdflayout import Line, paragraphs

dejavu = pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed (fonts-dejavu-core)")
ENGLISH_LINES = [
    "The Nicomachean Ethics",
    "Published by Example Press, London 2016.",
    "Chapter One",
]


def _page(*texts: str, top: float = 700.0, step: float = 15.0, size: float = 11.0) -> list[Line]:
    return [Line(text, top - k * step, size) for k, text in enumerate(texts)]


BODY = "وكل بحث وكل فعل وكل اختيار يقصد إلى خير ما، ولذلك قيل إن الخير هو ما يقصد إليه كل شيء."
FULL = 40  # lines that fill a page down to where the body text ends (700 - 39 * 15 = 115)


@pytest.mark.parametrize(
    ("last", "lines_on_page", "first", "joined"),
    [
        ("and the war went", FULL, "on for six more years.", True),  # lower case, no stop, a full page: goes on
        ("وقد استمرت الحرب", FULL, "ست سنوات أخرى.", True),  # Arabic has no case: no stop and a full page
        ("and the war went on.", FULL, "but not for long.", False),  # a stop ends it
        ("وقد استمرت الحرب.", FULL, "ست سنوات أخرى.", False),
        ("and the war went", FULL, "Imprint Page", False),  # a capital starts afresh
        ("Title of Book", 3, "created with mPDF", False),  # a page that ends high up (a title page) ends it
        ("عنوان الكتاب", 3, "دار النشر", False),
        ("وقد استمرت الحرب", FULL, "Chapter One", False),  # English never rides along with Arabic
        ("and the war went", FULL - 2, "on for six more years.", True),  # two lines short: widow control
        ("and the war went", FULL - 4, "on for six more years.", False),  # four: the page ends there
    ],
)
def test_a_page_break_ends_a_paragraph_unless_its_sentence_visibly_goes_on(
    last: str, lines_on_page: int, first: str, joined: bool
) -> None:
    body = ["and the war went on, year after year, with no end in sight"] * (FULL - 1)
    other = _page(*body, "and so it ended.")  # a full page: the body text goes down to 115 pt
    other.append(Line("1. A footnote, set smaller, lower down.", 60.0, 8.0))
    page = _page(*body[: lines_on_page - 1], last)
    found = [p.text for p in paragraphs([other, page, _page(first, "And more after it.")])]
    assert any(f"{last} {first}" in text for text in found) is joined
    assert any(text.startswith(first) for text in found) is not joined


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a table of contents: every line with a leader is a block of its own, copied as it is
        (
            _page("Chapter One ........ ١", "Chapter Two ........ ٣", "الفصل الثالث ....... ٥"),
            [("Chapter One ........ ١", 0), ("Chapter Two ........ ٣", 0), ("الفصل الثالث ....... ٥", 0)],
        ),
        # an English line between Arabic ones, no stop anywhere: three blocks
        (
            _page("قال المؤلف في كتابه", "Nicomachean Ethics", "إن كل فن يقصد إلى خير"),
            [("قال المؤلف في كتابه", 0), ("Nicomachean Ethics", 0), ("إن كل فن يقصد إلى خير", 0)],
        ),
        # two English lines of one sentence stay one block; numbers go with the Arabic line they end
        (
            _page("Published by Example Press,", "London and New York", "وقد طبع سنة", "١٩٩٠."),
            [("Published by Example Press, London and New York", 0), ("وقد طبع سنة ١٩٩٠.", 0)],
        ),
        # larger type is a heading, its level by its size; a heading that wraps stays one
        (
            [
                Line("كتاب الأخلاق", 700, 22),
                Line("Chapter One", 670, 16),
                Line("الفصل الأول في الخير", 650, 16),
                Line("والسعادة", 634, 16),
                Line("قال أرسطو إن كل فن", 615, 11),
                Line(BODY, 600, 11),
                Line("ثم قال", 585, 11.5),  # not larger enough to be a heading: body text
            ],
            [
                ("كتاب الأخلاق", 1),
                ("Chapter One", 2),
                ("الفصل الأول في الخير والسعادة", 2),
                (
                    "قال أرسطو إن كل فن " + BODY,
                    0,
                ),
                ("ثم قال", 0),
            ],
        ),
    ],
)
def test_lines_become_blocks_and_headings_by_what_they_hold_and_their_size(lines, expected) -> None:
    assert [(p.text, p.heading) for p in paragraphs([lines])] == expected


@pytest.mark.parametrize(
    ("run", "read"),
    [
        # gathered from the right, as a right-to-left line is read: [rightmost, ..., leftmost]
        (["page", "title", ".This"], ["This", "title", "page."]),  # the stop a right-to-left page sets at left
        (["%3.5"], ["3.5%"]),
        ([".2016"], ["2016."]),
        (["Rackham)", "(H."], ["(H.", "Rackham)"]),  # brackets drawn as they look, at both ends
        ([".H)"], ["(H."]),  # a line that breaks inside the brackets: "(H." then "Rackham)" on the next
        (["Loeb", "Classical", "Library"], ["Library", "Classical", "Loeb"]),  # inside a run: as it stands
    ],
)
def test_the_signs_at_either_end_of_an_english_run_belong_to_the_right_to_left_line(run, read) -> None:
    assert pdforder._run(run) == read


@pytest.mark.parametrize(
    ("words", "read"),
    [
        (["ترجمة", "H.", ")Rackham", ")", "هنا"], ["ترجمة", "H.", "(Rackham", ")", "هنا"]),  # issue 33's case
        (["ترجمة", ")H.", "Rackham(", "هنا"], ["ترجمة", "(H.", "Rackham)", "هنا"]),  # PDFium mirrored both
        (["رذيلتين", ")كما", "يقول", "أرسطو(،"], ["رذيلتين", "(كما", "يقول", "أرسطو)،"]),
        (["في", "(", "أي", ")", "هنا"], ["في", "(", "أي", ")", "هنا"]),  # already pairing: left alone
        (["اليونسكو", "(", "UNESCO", "(", "إنها"], ["اليونسكو", "(", "UNESCO", ")", "إنها"]),
        (["أ)", "نص", "ب)", "نص"], ["أ)", "نص", "ب)", "نص"]),  # a list's letters: as they are
        (["1)", "first", "2)", "second"], ["1)", "first", "2)", "second"]),
        (["f(x)", "[1]"], ["f(x)", "[1]"]),
    ],
)
def test_brackets_of_a_right_to_left_line_come_out_the_way_round_their_words_say(words, read) -> None:
    assert pdforder._balanced(words) == read


def _tokens(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).split()


@dejavu
@pytest.mark.parametrize("justified", [False, True], ids=["a string per line", "a string per word, justified"])
def test_a_visual_order_book_reads_back_as_written(justified: bool) -> None:
    """The book of tests/visual_pdf.py: presentation forms in visual order, English runs, numbers, brackets, a
    title page, an imprint, a table of contents with leaders, headings set larger and a paragraph that goes on
    over a page break. Measured: every word, stop and bracket in place (before issue 33: 7 blocks of 16, the
    title lost as a running footer, ".Published", "Nicomachean (Ethics )إن")."""
    found = read_pdf(book_pdf(justified=justified), "book.pdf")
    gold = logical_text().splitlines()
    read = [p.text for p in found]
    words, expected = _tokens("\n".join(read)), _tokens("\n".join(gold))
    same = sum((Counter(words) & Counter(expected)).values())
    assert same / len(expected) >= 0.95 and same / len(words) >= 0.95  # words with their stops and brackets
    assert difflib.SequenceMatcher(None, expected, words, autojunk=False).ratio() >= 0.95
    assert read == gold  # and in fact every block as written
    headings = {p.text: p.heading for p in found if p.heading}
    assert headings == {
        "كتاب الأخلاق": 1,
        "The Nicomachean Ethics": 2,
        "الطبعة الأولى": 2,
        "المحتويات": 2,
        "Chapter One": 2,
        "الفصل الأول: في الخير والسعادة": 2,
        "الفصل الثاني": 2,
    }
    assert re.fullmatch(r"Chapter One \.{20,} ٤", read[7])


@dejavu
def test_english_lines_and_a_table_of_contents_come_back_as_written(tmp_path: Path, model_dir: Path) -> None:
    from fixture_model import exact_model_args

    book = tmp_path / "book.pdf"
    book.write_bytes(book_pdf())
    out = tmp_path / "book.jsonl"
    assert main(["translate", str(book), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    pairs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kept = {p["translation"]["ar"]: p["translation"]["en"] for p in pairs if p["copied"]}
    toc = [line for line in logical_text().splitlines() if "....." in line and line.startswith("Chapter")]
    assert len(toc) == 2
    for line in [*ENGLISH_LINES, *toc]:
        assert kept[line] == line  # byte for byte, never sent to the model
    assert all(not p["copied"] for p in pairs if p["translation"]["ar"].startswith("كتاب"))


@dejavu
@pytest.mark.parametrize(
    ("ending", "heading"),
    [
        ("docx", lambda path: _docx_headings(path)),
        ("html", lambda path: re.findall(r"<h(\d)>([^<]*)</h\d>", path.read_text(encoding="utf-8"))),
        ("md", lambda path: re.findall(r"^(#+) (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)),
    ],
)
def test_a_pdf_heading_is_a_heading_of_the_document_written(tmp_path: Path, model_dir: Path, ending, heading):
    from fixture_model import exact_model_args

    book = tmp_path / "book.pdf"
    book.write_bytes(book_pdf())
    out = tmp_path / f"book.en.{ending}"
    assert main(["translate", str(book), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    found = [(str(len(level)) if ending == "md" else str(level), text) for level, text in heading(out)]
    assert len(found) == 7  # the title, six headings
    assert found[0][0] == "1" and {level for level, _ in found[1:]} == {"2"}
    assert ("2", "The Nicomachean Ethics") in found and ("2", "Chapter One") in found  # copied as written


@dejavu
def test_a_bilingual_document_writes_a_line_with_no_arabic_once(tmp_path: Path, model_dir: Path) -> None:
    from fixture_model import exact_model_args

    book = tmp_path / "book.pdf"
    book.write_bytes(book_pdf())
    out = tmp_path / "book.ar-en.md"
    assert main(["translate", str(book), "-o", str(out), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    blocks = out.read_text(encoding="utf-8").split("\n\n")
    assert blocks[0] == "# كتاب الأخلاق" and blocks[1].startswith("# ") and blocks[1] != blocks[0]
    assert blocks.count("## Chapter One") == 1 and blocks.count("## The Nicomachean Ethics") == 1


def _docx_headings(path: Path) -> list[tuple[str, str]]:
    import docx

    return [
        (p.style.name.removeprefix("Heading "), p.text)
        for p in docx.Document(path).paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]
