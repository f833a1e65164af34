"""The reader in Chromium, for long articles and real reading: streaming patches, Stop, leaving the page,
size limits, correction scope and revert, the view tools, keyboard use, themes and phones."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from chromium import CHROMIUM, WCAG_COLOURS
from recording import CountingBackend

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")

COPIES = 30
"""Seed articles in a long text: 360 sentences (176 kB, under the test reader's 200 kB limit)."""


@pytest.fixture
def counted(reader):
    """The reader's translator, counting the sentences it is asked to translate."""
    translator = reader.pool.get(reader.model)
    inner = translator.backend
    translator.backend = CountingBackend(inner)
    yield translator.backend
    translator.backend = inner


def _translate(page, text: str) -> None:
    page.locator("#tj-text textarea").fill(text)
    page.click("#tj-translate")


def _done(page, total: int, timeout: float = 120_000) -> None:
    page.wait_for_selector(f"#tj-status:has-text('{total} / {total} sentences')", timeout=timeout)
    page.wait_for_selector(".tj-en[contenteditable]")


def _download(page, fmt: str) -> list[list[str]]:
    with page.expect_download() as download:
        page.click(f"#tj-download-{fmt}")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:]]


def _slow_network(page, latency_ms: int = 300) -> None:
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_a_long_article_streams_in_as_patches_every_one_applied(open_page, reader, seed_text, seed_pairs) -> None:
    """300 sentences over a 300 ms network: every patch reaches the page in order and fills its rows."""
    page = open_page(reader.url)
    _slow_network(page)
    # Record each patch the server sends, the way the view's own script sees them.
    page.evaluate(
        """() => {
        window.seen = [];
        document.addEventListener('tj-patch', (event) => {
          window.seen.push(Number(event.detail.match(/data-seq="(\\d+)"/)[1]));
        });
        }"""
    )
    _translate(page, "\n".join([seed_text] * 25))
    page.wait_for_selector(".tj-doc[aria-busy=true] .tj-row:not(.tj-pending)", timeout=60_000)
    # Rows arrive while others wait, and the waiting rows burn no animation frames.
    assert page.locator(".tj-row.tj-pending").count() > 0
    running = "document.getAnimations().filter(a => a.playState === 'running' && a.effect.target.closest('#tj-view'))"
    assert page.evaluate(f"{running}.length") == 0
    _done(page, 300)
    seen = page.evaluate("window.seen")
    assert len(seen) >= 2 and seen == list(range(1, len(seen) + 1))  # none lost, none out of order
    # textContent: rows far off screen are not laid out (content-visibility), so they have no innerText yet.
    english = page.evaluate("[...document.querySelectorAll('.tj-en')].map((cell) => cell.textContent)")
    assert english == [en for _, en in seed_pairs] * 25
    assert page.locator(".tj-doc[aria-busy=false]").count() == 1


def test_stop_ends_a_long_translation(open_page, reader, counted, seed_text) -> None:
    page = open_page(reader.url)
    total = 12 * COPIES
    _translate(page, "\n".join([seed_text] * COPIES))
    page.wait_for_selector(".tj-row:not(.tj-pending)", timeout=60_000)
    page.click("#tj-stop")
    page.wait_for_selector("#tj-status:has-text('stopped')")
    page.wait_for_selector(".tj-doc[aria-busy=false]")  # no longer announced as loading
    time.sleep(1.0)  # the batch in flight finishes; no other starts
    asked = sum(counted.batches)
    time.sleep(2.0)
    assert sum(counted.batches) == asked < total
    assert page.locator(".tj-row:not(.tj-pending)").count() < total
    # The page still works: the next translation runs to the end.
    _translate(page, "مرحبا بكم. كيف حالك؟")
    _done(page, 2)
    assert page.locator(".tj-en").all_inner_texts() == ["Welcome.", "How are you?"]


def test_leaving_the_page_stops_its_translation(open_page, reader, counted, seed_text) -> None:
    page = open_page(reader.url)
    _translate(page, "\n".join([seed_text] * COPIES))
    page.wait_for_selector(".tj-row:not(.tj-pending)", timeout=60_000)
    page.close()
    deadline = time.monotonic() + 20
    asked = -1
    while time.monotonic() < deadline and sum(counted.batches) != asked:
        asked = sum(counted.batches)
        time.sleep(2.0)
    assert sum(counted.batches) == asked < 12 * COPIES  # stopped well before the end, not run to completion


def test_text_over_the_limit_is_refused_in_the_page(open_page, reader) -> None:
    page = open_page(reader.url)
    _translate(page, "مرحبا بكم. " * 12_000)  # 264 kB; the test reader takes 200 kB
    alert = page.wait_for_selector("#tj-status [role=alert]")
    assert "The text is 228 kB; the reader translates at most 200 kB" in alert.inner_text()
    _translate(page, "مرحبا بكم.")
    _done(page, 1)


def test_corrections_cover_the_document_stay_in_their_session_and_revert(
    open_page, shared_reader, seed_text, seed_pairs
) -> None:
    page = open_page(shared_reader.url)
    _translate(page, f"{seed_text}\n{seed_text}")
    _done(page, 24)
    scope = page.locator("#tj-scope").inner_text()
    assert "stay in this browser session" in scope
    rows = page.locator(".tj-row")
    rows.nth(2).locator(".tj-en").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("So why all this fuss?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 3 and 1 more like it)')")
    # The same sentence further down changes too, and both are corrections in the downloads.
    page.wait_for_function("document.querySelectorAll('.tj-row.tj-edited').length === 2")
    assert rows.nth(14).locator(".tj-en").inner_text() == "So why all this fuss?"
    tsv = _download(page, "tsv")
    assert [(r[0], r[3]) for r in tsv if r[4] == "1"] == [(i, "So why all this fuss?") for i in ("2", "14")]

    # Another visitor translating the same article sees the machine translation, not this correction.
    other = open_page(shared_reader.url)
    _translate(other, seed_text)
    _done(other, 12)
    assert other.locator(".tj-en").nth(2).inner_text() == seed_pairs[2][1]
    assert other.locator(".tj-row.tj-edited").count() == 0

    # Revert: back to the machine translation everywhere in the document, and out of the downloads.
    rows.nth(14).locator(".tj-revert").click()
    page.wait_for_selector("#tj-status:has-text('Sentence 15 reverted to the machine translation')")
    page.wait_for_function("document.querySelectorAll('.tj-row.tj-edited, .tj-row.tj-saving').length === 0")
    assert [rows.nth(i).locator(".tj-en").inner_text() for i in (2, 14)] == [seed_pairs[2][1]] * 2
    assert all(len(r) == 4 for r in _download(page, "tsv"))  # no corrections left: no "edited" column


def test_view_tools_keyboard_and_copy(open_page, reader, seed_text, seed_pairs) -> None:
    page = open_page(reader.url)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _translate(page, seed_text)
    _done(page, 12)
    row = page.locator(".tj-row").nth(3)
    assert row.locator(".tj-num").inner_text() == "4"

    def x(selector: str) -> float:
        return row.locator(selector).bounding_box()["x"]

    assert x(".tj-en") < x(".tj-ar")
    page.click(".tj-tools [data-tool=swap]")
    assert x(".tj-ar") < x(".tj-en")  # Arabic first
    page.click(".tj-tools [data-tool=en]")
    assert not row.locator(".tj-ar").is_visible() and row.locator(".tj-en").is_visible()
    page.click(".tj-tools [data-tool=ar]")
    assert row.locator(".tj-ar").is_visible() and not row.locator(".tj-en").is_visible()
    page.click(".tj-tools [data-tool=both]")
    page.click(".tj-tools [data-tool=swap]")
    assert x(".tj-en") < x(".tj-ar")

    page.click(".tj-tools [data-tool=copy]")
    page.wait_for_selector(".tj-tool-note:has-text('Copied the English')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.split() == " ".join(en for _, en in seed_pairs).split()

    # Pin a row from the keyboard: its number is a toggle button.
    row.locator(".tj-num").focus()
    page.keyboard.press("Enter")
    assert "tj-pinned" in row.get_attribute("class") and row.locator(".tj-num").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert "tj-pinned" not in row.get_attribute("class")
    # Tab into the English: the caret lands at the end, ready to add to the sentence.
    page.keyboard.press("Tab")
    page.keyboard.type(" Indeed.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 4)')")
    # Saving leaves the focus visible on the row's number, not lost to the page.
    assert page.evaluate("document.activeElement.closest('.tj-row')?.dataset.pair") == "3"
    assert page.evaluate("document.activeElement.className") == "tj-num"
    assert row.locator(".tj-en").inner_text().startswith(seed_pairs[3][1] + " Indeed.")


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text colour against the background it is painted on."""
    return page.evaluate(
        "(selector) => {"
        + WCAG_COLOURS
        + """
        const el = document.querySelector(selector);
        const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
        selector,
    )


@pytest.mark.parametrize(("theme", "system"), [("dark", "light"), ("light", "dark"), ("dark", "dark")])
def test_text_stays_legible_in_either_theme(open_page, reader, theme: str, system: str, tmp_path: Path) -> None:
    """Gradio's theme switch (``?__theme=``) and the system setting disagreeing must not hide text."""
    page = open_page(f"{reader.url}?__theme={theme}", color_scheme=system)
    # The theme's fonts are the system's: none fetched, and no Montserrat (its "E" reads as "Ǝ").
    font = page.evaluate("getComputedStyle(document.querySelector('#tj-translate')).fontFamily")
    assert font.startswith("system-ui") and "montserrat" not in font.lower()
    elsewhere = "performance.getEntriesByType('resource').filter(r => !r.name.startsWith(location.origin))"
    assert page.evaluate(f"{elsewhere}.length") == 0
    _translate(page, "مرحبا بكم. كيف حالك؟")
    _done(page, 2)
    page.locator(".tj-row").nth(0).hover()
    assert _contrast(page, ".tj-row.tj-hl .tj-en") >= 4.5
    assert _contrast(page, ".tj-row.tj-hl .tj-ar") >= 4.5
    page.locator(".tj-row").nth(1).locator(".tj-en").click()
    assert _contrast(page, ".tj-en:focus") >= 4.5
    for quiet in (".tj-row:not(.tj-hl) .tj-num", "#tj-scope .tj-scope"):  # small grey text is text too
        assert _contrast(page, quiet) >= 4.5, quiet
    page.screenshot(path=str(tmp_path / f"{theme}-{system}.png"))


def test_on_a_phone_the_rows_come_into_view(open_page, reader) -> None:
    page = open_page(reader.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    # Translate follows the text box; the upload box and the URL come after it.
    assert page.locator("#tj-translate").bounding_box()["y"] < page.locator("#tj-upload").bounding_box()["y"]
    page.get_by_text("Sample article: khan-tuman.ar").click()  # picking a sample translates it at once
    page.wait_for_selector(".tj-row", timeout=60_000)
    page.wait_for_function(
        "(() => { const top = document.querySelector('.tj-doc').getBoundingClientRect().top;"
        " return top >= -1 && top < window.innerHeight / 2; })()",
        timeout=5_000,
    )
    _done(page, 12)
    # One column: each English sentence above its Arabic, nothing wider than the screen.
    row = page.locator(".tj-row").nth(1)
    assert row.locator(".tj-en").bounding_box()["y"] < row.locator(".tj-ar").bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The score sits under the number, leaving the English three quarters of the row and more.
    assert row.locator(".tj-score").count() == 1
    assert row.locator(".tj-en").bounding_box()["width"] > 0.75 * row.bounding_box()["width"]


def test_the_keyboard_walks_sentences_and_their_checks(browser) -> None:
    """Tab goes from English to English; F8 and Shift+F8 to the sentences with a check or a low score, each
    saying why; Enter leaves a sentence for its number, which pins it, and Tab walks its marks back to it."""
    from translate import AlignedPair, segment_text
    from translate.align import LOW_SENTENCE_SCORE, alignment_from_links
    from translate.types import Check
    from ui.app import asset
    from ui.render import render_document

    segments = segment_text("مرحبا بكم. كيف حالك؟ أنا بخير. شكرا لك. إلى اللقاء.")
    english = ["Welcome.", "How are you?", "I am fine.", "Thank you.", "Goodbye."]
    pairs = {i: AlignedPair(i, 0, s.text, english[i]) for i, s in enumerate(segments)}
    pairs[1] = AlignedPair(1, 0, segments[1].text, english[1], truncated=True)
    low = LOW_SENTENCE_SCORE - 1.0
    doubtful = alignment_from_links(segments[2].text, english[2], [(0, 0)], word_scores=[low] * 3, score=low)
    pairs[2] = AlignedPair(2, 0, segments[2].text, english[2], alignment=doubtful)
    number = Check("number", "73 is not in the English", (0, 2), None)
    pairs[4] = AlignedPair(4, 0, segments[4].text, english[4], checks=(number,))
    page = browser.new_page()
    # The reader's own script on a rendered document, as gr.HTML runs it (element: the view; trigger: to Python).
    view = render_document(segments, pairs, editable=True)
    run = "(document.getElementById('tj-view'), () => {})"
    script = f"(function (element, trigger) {{ {asset('reader.js')} }}){run};"
    page.set_content(f"<style>{asset('reader.css')}</style><div id='tj-view'>{view}</div>")
    page.add_script_tag(content=script)

    def at() -> str | None:
        return page.evaluate("document.activeElement.closest('.tj-row')?.dataset.pair")

    def note() -> str:
        return page.inner_text(".tj-tool-note")

    page.keyboard.press("F8")
    assert at() == "1" and note() == "Sentence 2: 1 of 3 to look at."
    assert page.evaluate("document.activeElement.className") == "tj-en"
    # The reason shows under the sentence being edited, and describes it to a screen reader.
    shown = page.evaluate("getComputedStyle(document.activeElement.closest('.tj-row'), '::after').content")
    assert "stopped at its length limit" in shown
    assert page.get_attribute(".tj-row[data-pair='1'] .tj-en", "aria-describedby") == "tj-why-1"
    page.keyboard.press("F8")
    assert at() == "2" and note() == "Sentence 3: 2 of 3 to look at."  # a low score
    page.keyboard.press("F8")
    assert at() == "4"
    page.keyboard.press("F8")
    assert at() == "1" and note().endswith("(from the top again).")
    page.keyboard.press("Shift+F8")
    assert at() == "4" and note().endswith("(from the end again).")
    # Tab and Shift+Tab: the next and the previous English, whatever marks lie between.
    page.keyboard.press("Shift+Tab")
    assert at() == "3" and page.evaluate("document.activeElement.className") == "tj-en"
    page.keyboard.press("Shift+Tab")
    assert at() == "2"
    page.keyboard.press("Tab")
    assert at() == "3"
    # Enter: done with the sentence; its number has the keyboard and pins it; Tab comes back to the English.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert at() == "1" and page.evaluate("document.activeElement.className") == "tj-num"
    page.keyboard.press("Space")
    assert "tj-pinned" in page.get_attribute(".tj-row[data-pair='1']", "class")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "tj-flag"
    shown = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert "stopped at its length limit" in shown
    assert page.get_attribute(".tj-flag", "aria-label").startswith("Warning: The model stopped at its length limit")
    page.keyboard.press("Tab")
    assert at() == "1" and page.evaluate("document.activeElement.className") == "tj-en"
    page.close()


def test_typing_the_moment_a_translation_ends_lands_and_tab_walks_the_sentences(
    open_page, reader, seed_text, seed_pairs
) -> None:
    """Over a 300 ms network, a person clicks a sentence as soon as every row is editable and types; then
    corrects five more with the keyboard alone ("End, Backspace, !, Tab"): all six reach the TSV."""
    page = open_page(reader.url)
    _slow_network(page)
    _translate(page, seed_text)
    page.wait_for_selector(".tj-en[contenteditable]", timeout=120_000)
    page.locator(".tj-row").nth(1).locator(".tj-en").click()  # no wait: the translation's last updates are in flight
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("!")
    page.keyboard.press("Tab")
    for _ in range(5):  # Tab put the caret at the end of the next English
        page.keyboard.press("End")
        page.keyboard.press("Backspace")
        page.keyboard.type("!")
        page.keyboard.press("Tab")
    # The seventh sentence's English has the keyboard now, and none of the rows clicked or walked is pinned
    # but the one clicked.
    assert page.evaluate("document.activeElement.closest('.tj-row')?.dataset.pair") == "7"
    page.wait_for_function(
        "document.querySelectorAll('.tj-row.tj-saving').length === 0"
        " && document.querySelectorAll('.tj-row.tj-edited').length === 6",
        timeout=30_000,
    )
    edited = range(1, 7)
    expected = [[en[:-1] + "!", "1"] if i in edited else [en, "0"] for i, (_, en) in enumerate(seed_pairs)]
    assert [line[3:] for line in _download(page, "tsv")] == expected
