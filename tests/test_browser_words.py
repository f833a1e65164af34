"""Word level in a real browser: pointing at a word lights the words it was linked to, both ways.

The fixture model was trained to align its synthetic sentences (``tests/synthetic.py``),
so the links the page shows can be checked against gold links as well as
against what the server sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import synthetic
from chromium import CHROMIUM
from gradio_client import Client

from translate.align import LOW_WORD_LOGPROB, parse_pharaoh

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install -y chromium fonts-noto-core)"
)

GIBBERISH = "\n\n".join(
    [
        "مرحبا بكم في الاجتماع الكبير",
        "شجرة زرقاء تطير فوق المحيط",
        "الطقس جميل اليوم في بيروت",
        "يلعب الأطفال كرة القدم في الشارع",
        "زرقاء زرقاء زرقاء زرقاء",
    ]
)
"""Arabic the fixture model never saw: it guesses, often confidently (as small models do), and on some
of these says so in its word scores."""


def _translate(page, text: str, total: int) -> None:
    page.locator("#tj-text textarea").fill(text)
    page.click("#tj-translate")
    page.wait_for_selector(f"#tj-status:has-text('{total} / {total} sentences')", timeout=60_000)
    page.wait_for_selector(".tj-doc[aria-busy='false'] .tj-en[contenteditable]")


def _lit(row, side: str) -> set[int]:
    return {int(w) for w in row.locator(f".tj-{side} .tj-w.tj-lit").evaluate_all("ws => ws.map(w => w.dataset.w)")}


def test_pointing_at_a_word_lights_exactly_its_partners(page) -> None:
    gold = synthetic.training_pairs()[:6]
    _translate(page, "\n\n".join(pair.arabic for pair in gold), len(gold))
    matches = total = 0
    for r, pair in enumerate(gold):
        row = page.locator(f".tj-row[data-pair='{r}']")
        links = set(parse_pharaoh(row.get_attribute("data-links")))
        assert row.locator(".tj-en .tj-w").count() == len(pair.english.split())
        row.locator(".tj-ar").hover()  # wraps the Arabic words on first use
        assert row.locator(".tj-ar").inner_text() == pair.arabic  # wrapping changed no text
        for k in range(len(pair.arabic.split())):
            row.locator(f".tj-ar .tj-w[data-w='{k}']").hover()
            lit = _lit(row, "en")
            assert lit == {t for s, t in links if s == k}  # exactly the words the server linked
            assert _lit(row, "ar") == {k}
            matches += lit == {t for s, t in pair.sure if s == k}
            total += 1
        for t in range(len(pair.english.split())):
            row.locator(f".tj-en .tj-w[data-w='{t}']").hover()
            assert _lit(row, "ar") == {s for s, u in links if u == t}
            assert _lit(row, "en") == {t}
    # The links are the model's; the guided fixture gets (nearly) all of them right.
    assert matches >= 0.9 * total
    page.mouse.move(5, 5)
    page.locator(".tj-doc").dispatch_event("mouseleave")
    assert page.locator(".tj-w.tj-lit").count() == 0


def test_words_stay_linked_after_a_correction(page) -> None:
    gold = synthetic.training_pairs()[:3]
    _translate(page, "\n\n".join(pair.arabic for pair in gold), len(gold))
    row = page.locator(".tj-row[data-pair='1']")
    before = row.get_attribute("data-links")
    cell = row.locator(".tj-en")
    cell.click()
    page.keyboard.press("Control+A")
    corrected = "and so " + gold[1].english
    page.keyboard.type(corrected)
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 2)')")
    page.wait_for_function(
        "before => document.querySelector(\".tj-row[data-pair='1']\").dataset.links !== before", arg=before
    )
    links = parse_pharaoh(row.get_attribute("data-links"))
    assert sorted(t for _, t in links) == list(range(len(corrected.split())))
    assert row.locator(".tj-en .tj-w").count() == len(corrected.split())
    assert row.locator(".tj-en").inner_text().strip() == corrected
    row.locator(".tj-ar").hover()
    row.locator(".tj-ar .tj-w[data-w='0']").hover()
    assert _lit(row, "en") == {t for s, t in links if s == 0}


def test_the_caret_lights_words_for_the_keyboard(page) -> None:
    gold = synthetic.training_pairs()[:1]
    _translate(page, gold[0].arabic, 1)
    row = page.locator(".tj-row[data-pair='0']")
    links = parse_pharaoh(row.get_attribute("data-links"))
    row.locator(".tj-num").focus()
    page.keyboard.press("Tab")  # into the English, caret at its end: the last word
    last = len(gold[0].english.split()) - 1
    page.wait_for_function("() => document.querySelectorAll('.tj-en .tj-w.tj-lit').length > 0")
    assert _lit(row, "en") == {last}
    assert _lit(row, "ar") == {s for s, t in links if t == last}
    page.keyboard.press("Home")
    page.wait_for_function("() => document.querySelector('.tj-en .tj-w.tj-lit')?.dataset.w === '0'")
    assert _lit(row, "ar") == {s for s, t in links if t == 0}


def test_low_confidence_words_are_marked_with_their_score(page, reader) -> None:
    """The page marks exactly the words the model scored under the threshold, and says how sure it was."""
    served = Client(reader.url, verbose=False).predict(GIBBERISH, reader.model, api_name="/translate")
    _translate(page, GIBBERISH, len(served))
    low_anywhere = 0
    for pair in served:
        row = page.locator(f".tj-row[data-pair='{pair['index']}']")
        expected = {i for i, score in enumerate(pair["alignment"]["word_scores"]) if score < LOW_WORD_LOGPROB}
        marked = row.locator(".tj-en .tj-w.tj-low")
        assert {int(w) for w in marked.evaluate_all("ws => ws.map(w => w.dataset.w)")} == expected
        for i in range(marked.count()):
            assert "% chance" in marked.nth(i).get_attribute("title")
        low_anywhere += len(expected)
        score = row.locator(".tj-score")
        assert score.inner_text().endswith("%") and "Model confidence" in score.get_attribute("title")
    assert low_anywhere > 0, json.dumps(served, ensure_ascii=False)
    style = page.locator(".tj-w.tj-low").first.evaluate("el => getComputedStyle(el).textDecorationStyle")
    assert style == "dotted"
