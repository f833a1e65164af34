"""EPUB books in and out (issue 25): chapters in spine order, the book back in English, left to right."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fixture_model import exact_model_args, seed_sentences
from lxml import etree

from translate.cli import main
from translate.errors import InputError
from translate.formats import package as zip_package
from translate.formats.epub import EpubDocument
from translate.sources import text_from_file

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SEED = seed_sentences()
NAME = "خان طومان"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
    "</container>"
)


def _chapter(body: str, title: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ar" lang="ar" dir="rtl">'
        f'<head><title>{title}</title><link rel="stylesheet" href="style.css" type="text/css"/></head>'
        f"<body>{body}</body></html>"
    )


def _opf(spine: str = '<itemref idref="c2"/><itemref idref="c1"/>', title: str = SEED[3][0]) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id" xml:lang="ar" dir="rtl">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">test</dc:identifier>'
        f"<dc:title>{title}</dc:title><dc:language>ar</dc:language></metadata>"
        '<manifest><item id="c1" href="one.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="c2" href="two%20b.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="css" href="style.css" media-type="text/css"/>'
        '<item id="img" href="map.png" media-type="image/png"/>'
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/></manifest>'
        f'<spine toc="ncx" page-progression-direction="rtl">{spine}</spine></package>'
    )


NCX = (
    '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
    f"<docTitle><text>{SEED[2][0]}</text></docTitle><navMap>"
    f'<navPoint id="n1" playOrder="1"><navLabel><text>Map</text></navLabel><content src="one.xhtml"/></navPoint>'
    "</navMap></ncx>"
)


def _book(members: dict[str, bytes | str] | None = None) -> bytes:
    """An EPUB as the standard lays it out: ``mimetype`` first and stored, then the container, OPF and chapters."""
    first = SEED[0][0]
    at = first.index(NAME)
    parts: dict[str, bytes | str] = {
        "META-INF/container.xml": CONTAINER,
        "OEBPS/content.opf": _opf(),
        "OEBPS/one.xhtml": _chapter(
            f"<h1>{SEED[3][0]}</h1>"
            f"<p>{first[:at]}<b>{NAME}</b>{first[at + len(NAME) :]}"
            '<a href="#note" id="ref">[1]</a></p>'
            f'<ol><li><a href="two%20b.xhtml">{SEED[1][0]}</a></li></ol>'
            '<p><img src="map.png" alt="map"/></p>'
            "<p>English stays English</p>"
            f'<aside id="note"><p>{SEED[5][0]}</p></aside>',
            title=SEED[2][0],
        ),
        "OEBPS/two b.xhtml": _chapter(f"<p>{SEED[4][0]}</p>"),
        "OEBPS/style.css": "body { direction: rtl; text-align: right }\n",
        "OEBPS/map.png": b"\x89PNG\r\n\x1a\n not really a picture",
        "OEBPS/toc.ncx": NCX,
    }
    parts.update(members or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            book.writestr(name, data)
    return out.getvalue()


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read(name)


def _xml(data: bytes, name: str):
    return etree.fromstring(_member(data, name))


@pytest.fixture(scope="module")
def book(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("epub")
    source = folder / "book.epub"
    source.write_bytes(_book())
    out = folder / "book.en.epub"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    return source.read_bytes(), out.read_bytes()


def test_the_chapters_are_read_in_spine_order() -> None:
    blocks = [block.text for block in EpubDocument("book.epub", _book()).blocks]
    # Chapter two comes first in the spine; then chapter one's title and blocks; the NCX's and the OPF's Arabic.
    assert blocks[0] == SEED[4][0]
    assert blocks[1:5] == [SEED[2][0], SEED[3][0], SEED[0][0], SEED[1][0]]  # the "[1]" reference is no words
    assert blocks[5] == SEED[5][0]
    assert blocks[6:] == [SEED[2][0], SEED[3][0]]  # the NCX title ("Map" is not Arabic) and dc:title
    assert "English stays English" not in blocks


def test_the_book_comes_back_in_english(book) -> None:
    _, english = book
    one = _xml(english, "OEBPS/one.xhtml")
    assert one.findtext(f"{XHTML}head/{XHTML}title") == SEED[2][1]
    assert "".join(one.find(f".//{XHTML}h1").itertext()) == SEED[3][1]
    first = one.find(f".//{XHTML}p")
    assert "".join(first.itertext()).replace("[1]", "").strip() == SEED[0][1]
    assert "".join(one.find(f".//{XHTML}li").itertext()) == SEED[1][1]
    assert "".join(one.find(f".//{XHTML}aside/{XHTML}p").itertext()) == SEED[5][1]
    assert "".join(_xml(english, "OEBPS/two b.xhtml").find(f".//{XHTML}p").itertext()) == SEED[4][1]
    assert [t.text for t in _xml(english, "OEBPS/toc.ncx").iter("{*}text")] == [SEED[2][1], "Map"]


def test_inline_markup_and_references_land_on_english_words(book) -> None:
    _, english = book
    one = _xml(english, "OEBPS/one.xhtml")
    bold = one.find(f".//{XHTML}p/{XHTML}b")
    assert bold is not None and bold.text.strip() and bold.text.strip() in SEED[0][1]
    (reference,) = [a for a in one.iter(f"{XHTML}a") if a.get("id") == "ref"]
    assert reference.text == "[1]" and reference.get("href") == "#note"
    link = one.find(f".//{XHTML}li/{XHTML}a")
    assert link.get("href") == "two%20b.xhtml" and "".join(link.itertext()).strip()
    assert one.find(f".//{XHTML}img").get("src") == "map.png"


def test_the_book_is_turned_left_to_right(book) -> None:
    source, english = book
    one = _xml(english, "OEBPS/one.xhtml")
    assert (one.get("dir"), one.get("lang"), one.get("{http://www.w3.org/XML/1998/namespace}lang")) == (
        "ltr",
        "en",
        "en",
    )
    opf = _xml(english, "OEBPS/content.opf")
    assert opf.find(f"{OPF}spine").get("page-progression-direction") == "ltr"
    assert opf.findtext(f".//{DC}language") == "en" and opf.get("dir") == "ltr"
    assert opf.findtext(f".//{DC}title") == SEED[3][1]
    assert _member(english, "OEBPS/style.css") == b"body { direction: ltr; text-align: start }\n"
    assert _member(source, "OEBPS/style.css") != _member(english, "OEBPS/style.css")


def test_what_is_not_translated_is_copied_byte_for_byte(book) -> None:
    source, english = book
    with zipfile.ZipFile(io.BytesIO(english)) as out, zipfile.ZipFile(io.BytesIO(source)) as original:
        first = out.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert [i.filename for i in out.infolist()] == [i.filename for i in original.infolist()]
        for name in ("mimetype", "META-INF/container.xml", "OEBPS/map.png"):
            assert out.read(name) == original.read(name)


def test_a_bilingual_book_keeps_each_arabic_paragraph_before_its_english(book, model_dir: Path, tmp_path) -> None:
    source, _ = book
    path = tmp_path / "book.epub"
    path.write_bytes(source)
    out = tmp_path / "book.bilingual.epub"
    assert main(["translate", str(path), "-o", str(out), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    one = _xml(out.read_bytes(), "OEBPS/one.xhtml")
    heads = one.findall(f".//{XHTML}h1")
    assert ["".join(h.itertext()) for h in heads] == [SEED[3][0], SEED[3][1]]
    assert heads[0].get("dir") == "rtl" and heads[1].get("dir") is None
    # A list item keeps one item: the Arabic above the English inside it, so the numbering does not change.
    (item,) = one.findall(f".//{XHTML}li")
    arabic = item.find(f"{XHTML}span")
    assert "".join(arabic.itertext()) == SEED[1][0] and arabic.get("dir") == "rtl"
    # Ids stay once (with the English), and so do pictures.
    assert [a.get("id") for a in one.iter(f"{XHTML}a") if a.get("id")] == ["ref"]
    assert len(one.findall(f".//{XHTML}img")) == 1


@pytest.mark.parametrize(
    ("members", "error"),
    [
        ({"META-INF/container.xml": "<container/>"}, "names no package document"),
        ({"OEBPS/content.opf": _opf(spine="")}, "spine has no chapter"),
        ({"OEBPS/content.opf": _opf(spine='<itemref idref="gone"/>')}, "'gone', which is not in the manifest"),
        ({"OEBPS/content.opf": _opf().replace('href="one.xhtml"', 'href="../../etc/passwd"')}, "outside the package"),
        ({"OEBPS/../../evil.xhtml": "x"}, "points outside the package"),
        ({"OEBPS/one.xhtml": "<html><body><p>غير مغلق"}, r"OEBPS/one\.xhtml: not well-formed XML"),
    ],
)
def test_damaged_and_hostile_books_are_refused_in_one_line(members, error) -> None:
    with pytest.raises(InputError, match=error) as caught:
        EpubDocument("book.epub", _book(members))
    assert "\n" not in str(caught.value)


def test_a_missing_chapter_and_a_zip_bomb_are_refused(monkeypatch) -> None:
    data = _book()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as book, zipfile.ZipFile(out, "w") as new:
        for info in book.infolist():
            if info.filename != "OEBPS/one.xhtml":
                new.writestr(info, book.read(info))
    with pytest.raises(InputError, match=r"the chapter OEBPS/one\.xhtml is missing"):
        EpubDocument("book.epub", out.getvalue())
    with pytest.raises(InputError, match=r"not a readable \.epub file"):
        EpubDocument("book.epub", b"not a zip")
    monkeypatch.setattr(zip_package, "MAX_UNPACKED", 1_000)
    with pytest.raises(InputError, match="zip bomb"):
        EpubDocument("book.epub", data)


def test_entities_are_never_expanded_nor_fetched() -> None:
    chapter = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY big "EXPANDED"> '
        '<!ENTITY file SYSTEM "file:///etc/hostname">]>'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{SEED[4][0]} &big;&file;</p></body></html>'
    )
    blocks = EpubDocument("book.epub", _book({"OEBPS/two b.xhtml": chapter})).blocks
    assert blocks[0].text.strip() == SEED[4][0]  # the entities are left unexpanded: no text, nothing read


def test_a_book_can_be_translated_to_pairs_too(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    path.write_bytes(_book())
    assert text_from_file(path).splitlines()[:2] == [SEED[4][0], SEED[2][0]]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
def test_a_real_arabic_book_is_read_in_reading_order_and_written_back() -> None:
    data = (SAMPLES / "idpf_regime-anticancer-arabic.epub").read_bytes()
    book = EpubDocument("book.epub", data)
    texts = [block.text for block in book.blocks]
    assert texts[:3] == ["السرطان من للوقاية الصحيح الغذائي النظام"] * 3  # the cover's, title page's, chapter's title
    assert texts[3:6] == ["الفصل الثاني", "ما هو السرطان؟", "من أين تأتي الحياة؟"]
    assert texts[6].endswith("كيف «يعمل» السرطان.")  # its footnote reference is moved as it is, not translated
    assert sum(1 for t in texts if "«" in t) >= 5 and not any("Commencer" in t for t in texts)
    # Every block put back as it was read (the Arabic as its own "English"): the references are all there.
    from translate.formats import by_block, document_text
    from translate.types import AlignedPair

    _, starts = document_text(book.blocks)
    pairs = []
    for block, start in zip(book.blocks, starts, strict=True):
        pairs.append(
            AlignedPair(len(pairs), len(pairs), block.text, block.text, start=start, end=start + len(block.text))
        )
    out = book.render(by_block(pairs, starts, book.blocks))
    chapter = etree.fromstring(_member(out, "EPUB/Content/C_content.xhtml"))
    original = etree.fromstring(_member(data, "EPUB/Content/C_content.xhtml"))
    assert [a.get("href") for a in chapter.iter(f"{XHTML}a")] == [a.get("href") for a in original.iter(f"{XHTML}a")]
    assert chapter.get("dir") == "ltr"
    assert (
        etree.fromstring(_member(out, "EPUB/package.opf")).find(f"{OPF}spine").get("page-progression-direction")
        == "ltr"
    )
