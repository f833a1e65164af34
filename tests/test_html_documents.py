"""HTML pages back as HTML pages (issue 25): every block in English, left to right, inline markup on its words."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from fixture_model import exact_model_args, seed_sentences

from translate.cli import main
from translate.formats.html import HtmlDocument

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SEED = seed_sentences()
NAME = "خان طومان"


def _page() -> str:
    first = SEED[0][0]
    at = first.index(NAME)
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar"><head><meta charset="utf-8">'
        f"<title>{SEED[2][0]}</title><script>var keep = 'قرية';</script></head><body>"
        f'<h1 style="direction: rtl; color: red">{SEED[3][0]}</h1>'
        f'<p class="lead">{first[:at]}<b>{NAME}</b>{first[at + len(NAME) :]}</p>'
        f'<ul><li>{SEED[4][0]}</li><li><a href="https://example.org/a">{SEED[1][0]}</a></li></ul>'
        f'<table><tr><td lang="ar-SY">{SEED[5][0]}</td></tr></table>'
        '<p><img src="map.png" alt="map"></p>'
        "</body></html>"
    )


@pytest.fixture(scope="module")
def english(model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("html")
    source = folder / "page.html"
    source.write_text(_page(), encoding="utf-8")
    out = folder / "page.en.html"
    assert main(["translate", str(source), "-o", str(out), *exact_model_args(model_dir), "-q"]) == 0
    return lxml.html.fromstring(out.read_text(encoding="utf-8"))


def test_every_block_of_the_page_comes_back_in_english(english) -> None:
    assert english.findtext(".//title") == SEED[2][1]
    assert english.find(".//h1").text_content() == SEED[3][1]
    assert english.find(".//p").text_content() == SEED[0][1]
    assert [li.text_content() for li in english.iter("li")] == [SEED[4][1], SEED[1][1]]
    assert english.find(".//td").text_content() == SEED[5][1]
    # What is not text to translate is as it was.
    assert english.find(".//script").text == "var keep = 'قرية';"
    assert english.find(".//img").get("src") == "map.png"
    assert english.find(".//p").get("class") == "lead"


def test_the_page_is_turned_left_to_right(english) -> None:
    assert english.get("dir") == "ltr" and english.get("lang") == "en"
    assert english.find(".//td").get("lang") == "en"
    assert english.find(".//h1").get("style") == "direction: ltr; color: red"
    assert english.find(".//meta").get("charset") == "utf-8"  # as it is written


def test_inline_markup_lands_on_english_words(english) -> None:
    bold = english.find(".//p/b")
    assert bold is not None and bold.text.strip() and bold.text.strip() in SEED[0][1]
    link = english.find(".//li/a")
    assert link.get("href") == "https://example.org/a" and link.text_content().strip()


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples are not here")
def test_a_page_that_says_utf8_but_is_windows_1256_is_read_as_arabic() -> None:
    page = HtmlDocument("misleading.html", (SAMPLES / "tika_testArabicMisleadingCharset.html").read_bytes())
    assert any(block.text.startswith("في قرية من القرى") for block in page.blocks)


def test_a_bilingual_page_keeps_each_arabic_block_before_its_english(model_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "page.html"
    source.write_text(_page(), encoding="utf-8")
    out = tmp_path / "page.bilingual.html"
    assert main(["translate", str(source), "-o", str(out), "--bilingual", *exact_model_args(model_dir), "-q"]) == 0
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    arabic, english = page.findall(".//h1")
    assert (arabic.text_content(), english.text_content()) == (SEED[3][0], SEED[3][1])
    assert (arabic.get("dir"), arabic.get("lang")) == ("rtl", "ar")
    assert english.get("style") == "direction: ltr; color: red" and page.get("dir") == "ltr"
    # A paragraph's copy keeps its bold; list items and cells stay one each, the Arabic above the English.
    first = page.findall(".//p")[0]
    assert first.get("dir") == "rtl" and first.find("b").text == NAME
    items = page.findall(".//li")
    assert len(items) == 2 and items[0].find("span").text_content() == SEED[4][0]
    assert items[0].text_content() == SEED[4][0] + SEED[4][1] and items[0].find("span").get("dir") == "rtl"
    (cell,) = page.findall(".//td")
    assert cell.text_content() == SEED[5][0] + SEED[5][1]
    assert page.findtext(".//title") == SEED[2][1]  # a title holds text only: its English
    assert len(page.findall(".//img")) == 1 and page.find(".//script").text == "var keep = 'قرية';"


def test_blocks_without_arabic_and_references_stay_as_they_are() -> None:
    page = HtmlDocument(
        "page.html",
        (
            f'<html><body><nav><a href="/">Home</a></nav><p>{SEED[0][0]}<sup><a href="#n1">[1]</a></sup></p>'
            "<p>2016</p></body></html>"
        ).encode(),
    )
    (block,) = page.blocks
    assert block.text == SEED[0][0] and [s for s in block.spans if s.start == s.end]  # the reference is an object


def test_what_says_translate_no_is_moved_as_it_is() -> None:
    page = HtmlDocument(
        "post.html",
        f'<p>{SEED[1][0]} <span translate="no">:blobcat:</span> <code class="notranslate">x</code></p>'.encode(),
    )
    (block,) = page.blocks
    assert block.text.strip() == SEED[1][0] and len([s for s in block.spans if s.start == s.end]) == 2
