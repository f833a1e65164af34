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
