"""The reader as people use it: a click puts the caret in a sentence and keeps it there, Stop leaves what
was translated usable, focus is visible and lands where the keys are, reasons fit a phone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from chromium import CHROMIUM, WCAG_COLOURS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


def _slow_network(page, latency_ms: int = 300) -> None:
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def _download(page, fmt: str) -> Path:
    with page.expect_download() as download:
        page.click(f"#tj-download-{fmt}")
    return Path(download.value.path())


def _in_row(page) -> str | None:
    """The sentence whose English has the keyboard, or None."""
    return page.evaluate(
        "document.activeElement?.matches?.('.tj-en') ? document.activeElement.closest('.tj-row').dataset.pair : null"
    )


@pytest.mark.parametrize("latency", [0, 300])
def test_a_click_puts_the_caret_in_the_sentence_and_it_stays(open_page, reader, seed_pairs, latency: int) -> None:
    """Pick the sample, press Translate, wait until every row is editable, click row 2's English: the caret is
    there 300 ms and 2 s later, and six corrections typed as "End, Backspace, !, Tab" from that click reach
    the TSV.

    Picking the sample translates it at once; Translate, pressed while it runs, waited its turn and then
    rendered the same article again under the caret (every row waiting, none editable): the focus went to
    the page. Translate on the article on screen now leaves it as it is.
    """
    page = open_page(reader.url)
    if latency:
        _slow_network(page, latency)
    page.get_by_text("Sample article: khan-tuman.ar").click()
    page.click("#tj-translate")
    page.wait_for_function(
        "document.querySelectorAll('.tj-row').length === 12"
        " && document.querySelectorAll('.tj-en[contenteditable]').length === 12",
        timeout=120_000,
    )
    page.locator('[data-pair="2"] .tj-en').click()
    time.sleep(0.3)
    assert _in_row(page) == "2"
    time.sleep(1.7)
    assert _in_row(page) == "2"
    assert page.evaluate("window.getSelection().anchorNode?.parentElement?.closest('.tj-en') !== null")
    for _ in range(6):
        page.keyboard.press("End")
        page.keyboard.press("Backspace")
        page.keyboard.type("!")
        page.keyboard.press("Tab")
    assert _in_row(page) == "8"
    page.wait_for_function(
        "document.querySelectorAll('.tj-row.tj-saving').length === 0"
        " && document.querySelectorAll('.tj-row.tj-edited').length === 6",
        timeout=30_000,
    )
    edited = range(2, 8)
    expected = [[en[:-1] + "!", "1"] if i in edited else [en, "0"] for i, (_, en) in enumerate(seed_pairs)]
    # The row is marked saved when the server's status confirms it; the download button's file comes in the
    # same answer, which the page may apply a moment later: a download is asked again for up to 5 s, never
    # longer (a correction that never reaches the TSV still fails).
    deadline = time.monotonic() + 5
    while True:
        lines = _download(page, "tsv").read_text(encoding="utf-8").splitlines()[1:]
        found = [line.split("\t")[3:5] for line in lines]
        if found == expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert found == expected


COPIES = 10
"""Seed articles in a long text: 120 sentences."""


@pytest.fixture
def counted(reader):
    """The reader's translator, recording the sentences it is asked to translate, in small batches each a little
    slower (the fixture model is quick: a person has time to press Stop in a long article with a real one)."""
    from recording import CountingBackend

    class Slower(CountingBackend):
        def __init__(self, inner) -> None:
            super().__init__(inner)
            self.batch_size = 8  # many batches: Stop comes between two of them

        def translate_batch(self, texts, controls=None):
            time.sleep(0.3)
            return super().translate_batch(texts, controls)

    translator = reader.pool.get(reader.model)
    inner = translator.backend
    translator.backend = Slower(inner)
    yield translator.backend
    translator.backend = inner


def _first_passes(counted) -> int:
    """Sentences (pieces) sent to the model a first time (retries carry decoding controls); a batch may hold
    two alike once."""
    return sum(len(texts) for texts, controls, _ in counted.calls if controls is None)


def test_after_stop_what_was_translated_is_usable_and_translate_finishes_the_rest(
    open_page, reader, counted, seed_text, seed_pairs
) -> None:
    """Stop part way through a long article: the rows translated are editable, those not are marked in the
    page and in every download (TSV, JSONL, TMX, TXT, the checks); Translate then translates only those."""
    import json

    total = 12 * COPIES
    english = [en for _, en in seed_pairs] * COPIES
    page = open_page(reader.url)
    page.locator("#tj-text textarea").fill("\n".join([seed_text] * COPIES))
    page.click("#tj-translate")
    page.wait_for_function("document.querySelectorAll('.tj-row:not(.tj-pending)').length >= 12", timeout=60_000)
    page.click("#tj-stop")
    page.wait_for_selector("#tj-status:has-text('stopped')")
    page.wait_for_selector(".tj-doc[aria-busy=false]")
    time.sleep(1.0)  # a patch of the cancelled translation still on its way must not undo Stop
    done = page.locator(".tj-row:not(.tj-pending)").count()
    missing = page.locator(".tj-row.tj-untranslated").count()
    assert 0 < done < total and done + missing == total
    assert page.locator(".tj-en[contenteditable]").count() == done
    assert page.locator(".tj-row.tj-pending:not(.tj-untranslated)").count() == 0  # none left looking "on its way"
    assert f"stopped: {missing} sentences not translated" in page.inner_text("#tj-status")
    last = page.locator(".tj-row.tj-untranslated").last
    assert "Not translated" in last.locator(".tj-flag").get_attribute("data-reason")
    # The downloads: every sentence in its place, those not translated said so.
    tsv = [line.split("\t") for line in _download(page, "tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert len(tsv) == total and [row[3] for row in tsv[:done]] == english[:done]
    assert all(row[3] == "" for row in tsv[done:])
    records = [json.loads(line) for line in _download(page, "jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["checks"][0]["kind"] for r in records[done:]] == ["not-translated"] * missing
    assert all("not-translated" not in json.dumps(r["checks"]) for r in records[:done])
    tmx = _download(page, "tmx").read_text(encoding="utf-8")
    assert tmx.count("not-translated: the translation was stopped") == missing
    text = _download(page, "txt").read_text(encoding="utf-8")
    assert f"[sentence {total} not translated]" in text and text.count("not translated]") == missing
    checks = _download(page, "checks").read_text(encoding="utf-8").splitlines()
    assert sum("not-translated:" in line for line in checks) == missing

    # A row translated before Stop takes a correction.
    page.locator('[data-pair="1"] .tj-en').click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Indeed.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 2')")

    # Translate finishes only the rest: the model is asked for the sentences not translated, no others.
    asked = _first_passes(counted)
    # Every status shown from here on, recorded as it comes: "translating the N sentences…" may last less
    # than a poll (waiting for it to be visible raced the end of the translation and timed out once in CI).
    page.evaluate(
        """() => {
          window.tjStatuses = [];
          const note = () => window.tjStatuses.push(document.querySelector('#tj-status').innerText);
          new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.click("#tj-translate")
    page.wait_for_selector("#tj-status:has-text('done')", timeout=120_000)
    page.wait_for_selector(".tj-doc[aria-busy=false]", timeout=120_000)
    assert any("translating the" in status for status in page.evaluate("window.tjStatuses"))
    assert f"{total} / {total} sentences" in page.inner_text("#tj-status")
    assert page.locator(".tj-en[contenteditable]").count() == total
    assert 0 < _first_passes(counted) - asked <= missing  # all of them again without it
    assert page.locator(".tj-row.tj-untranslated").count() == 0
    tsv = [line.split("\t") for line in _download(page, "tsv").read_text(encoding="utf-8").splitlines()[1:]]
    # The correction stays, in every occurrence of its sentence (those not translated at Stop included).
    assert [row[3] for row in tsv] == [en + " Indeed." if i % 12 == 1 else en for i, en in enumerate(english)]


def _ring(page, selector: str) -> dict:
    """The focus outline of an element and its contrast against the background around it."""
    return page.evaluate(
        "(selector) => {"
        + WCAG_COLOURS
        + """
        const el = document.querySelector(selector);
        const style = getComputedStyle(el);
        const a = lum(rgb(style.outlineColor)), b = lum(background(el.parentElement));
        return {
          focused: document.activeElement === el,
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
        };
        }""",
        selector,
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_control_shows_where_the_keyboard_is(open_page, reader, theme: str) -> None:
    """Translate, the Arabic box and the URL box show a ring of 3:1 against their background when focused."""
    page = open_page(f"{reader.url}?__theme={theme}")
    page.locator("#tj-text textarea").focus()
    page.keyboard.press("Shift+Tab")  # a key pressed: the browser shows focus as it does for the keyboard
    for selector in ("#tj-translate", "#tj-text textarea", "#tj-url input", "#tj-stop"):
        page.locator(selector).focus()
        time.sleep(0.5)  # Gradio's buttons ease into their focus style (0.2 s)
        ring = _ring(page, selector)
        assert ring["focused"] and ring["style"] != "none" and ring["width"] >= 2, (selector, ring)
        assert ring["contrast"] >= 3, (selector, ring)


def test_from_translate_two_keys_reach_the_first_sentence_in_full_view(open_page, reader, seed_text) -> None:
    """Enter on Translate hands the keyboard to the document; Tab goes to sentence 1's English, all in view."""
    page = open_page(reader.url, viewport={"width": 1280, "height": 700})
    page.locator("#tj-text textarea").fill(seed_text)
    page.locator("#tj-translate").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('12 / 12 sentences')", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 12")
    assert page.evaluate("document.activeElement.matches('.tj-doc')")
    page.keyboard.press("Tab")
    assert _in_row(page) == "0"
    time.sleep(0.3)
    box = page.evaluate(
        "(() => { const r = document.activeElement.closest('.tj-row').getBoundingClientRect();"
        " return [r.top, r.bottom, window.innerHeight]; })()"
    )
    assert 0 <= box[0] and box[1] <= box[2], box


def _static_view(browser, pairs_count: int, flagged: int, viewport: dict):
    """The reader's own script on a rendered document of ``pairs_count`` sentences, one of them flagged and
    long, as gr.HTML runs it (element: the view; trigger: to Python)."""
    from translate import AlignedPair, segment_text
    from translate.types import Check
    from ui.app import asset
    from ui.render import render_document

    segments = segment_text(" ".join(["مرحبا بكم."] * pairs_count))
    pairs = {i: AlignedPair(i, 0, s.text, "Welcome.") for i, s in enumerate(segments)}
    long = " ".join(["A sentence long enough to take several lines of the window."] * 6)
    reason = Check("number", "73 is not in the English, " + "and this reason runs long " * 8, (0, 2), None)
    pairs[flagged] = AlignedPair(flagged, 0, segments[flagged].text, long, checks=(reason,))
    page = browser.new_page(viewport=viewport)
    view = render_document(segments, pairs, editable=True)
    run = "(document.getElementById('tj-view'), () => {})"
    script = f"(function (element, trigger) {{ {asset('reader.js')} }}){run};"
    page.set_content(f"<style>{asset('reader.css')}</style><div id='tj-view'>{view}</div>")
    page.add_script_tag(content=script)
    return page


def test_f8_shows_the_whole_row_and_its_reason(browser) -> None:
    """F8 lands on a tall flagged row near the bottom: it is scrolled fully into view, reason line included."""
    page = _static_view(browser, 40, 14, {"width": 900, "height": 600})
    page.keyboard.press("F8")
    time.sleep(0.3)
    assert page.evaluate("document.activeElement.closest('.tj-row').dataset.pair") == "14"
    box = page.evaluate(
        "(() => { const row = document.activeElement.closest('.tj-row'); const r = row.getBoundingClientRect();"
        " return [r.top, r.bottom, window.innerHeight, row.dataset.why || '']; })()"
    )
    assert box[3].startswith("Number: 73 is not in the English")
    assert 0 <= box[0] and box[1] <= box[2], box
    page.close()


@pytest.mark.parametrize("width", [390, 700, 1280])
def test_a_reason_stays_inside_the_window(open_page, reader, width: int) -> None:
    """Tapped or focused, a ⚠'s reason shows whole inside the window and the document's column (Gradio's
    containers clip what overflows them), on a phone (390 px) and wider."""
    page = open_page(reader.url, viewport={"width": width, "height": 844}, is_mobile=width < 720, has_touch=True)
    page.get_by_text("Sample article: khan-tuman.ar").click()
    page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 12", timeout=60_000)
    flag = page.locator(".tj-flag").first
    flag.scroll_into_view_if_needed()
    flag.tap()
    box = page.evaluate(
        """(() => { const flag = document.activeElement; const popup = getComputedStyle(flag, '::after');
        const left = flag.offsetParent.getBoundingClientRect().left + parseFloat(popup.left);
        const column = flag.closest('.tj-doc').getBoundingClientRect();
        return [left, left + parseFloat(popup.width), column.left, column.right, popup.content]; })()"""
    )
    assert "dropped" in box[4] or "Number" in box[4], box  # the reason itself is what shows
    assert 0 <= box[2] <= box[0] and box[1] <= box[3] <= width, box


def test_the_arabic_shows_while_a_model_loads_for_the_first_time(browser, model_dir, seed_text) -> None:
    """First use: the model takes seconds to load (4 s for opus-mt); the Arabic rows are there meanwhile."""
    from conftest import _checked_page, _serve_reader

    with _serve_reader(model_dir) as running:
        pool = running.pool
        load = pool.get

        def slow_first_load(name: str):
            if not pool.loaded(name):
                time.sleep(3.0)
            return load(name)

        pool.get = slow_first_load
        with _checked_page(browser, running.url) as page:
            page.locator("#tj-text textarea").fill(seed_text)
            page.click("#tj-translate")
            page.wait_for_selector("#tj-status:has-text('Loading')", timeout=5_000)
            assert page.locator(".tj-row").count() == 12  # while the status still says it is loading
            assert "Loading" in page.inner_text("#tj-status")
            page.wait_for_selector("#tj-status:has-text('12 / 12 sentences')", timeout=60_000)
            page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 12")


def test_swap_says_what_it_does(open_page, reader) -> None:
    page = open_page(reader.url)
    page.locator("#tj-text textarea").fill("مرحبا بكم. كيف حالك؟")
    page.click("#tj-translate")
    page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 2", timeout=60_000)
    swap = page.locator(".tj-tools [data-tool=swap]")
    assert "on the left" in swap.get_attribute("title")
    swap.click()
    row = page.locator(".tj-row").nth(1)
    assert row.locator(".tj-ar").bounding_box()["x"] < row.locator(".tj-en").bounding_box()["x"]  # as it says


def test_leaving_with_a_sentence_typed_and_not_saved_asks_first(open_page, reader) -> None:
    """Reloading the page with a sentence typed and not saved: the browser asks first (beforeunload)."""
    page = open_page(reader.url)
    page.locator("#tj-text textarea").fill("مرحبا بكم. كيف حالك؟")
    page.click("#tj-translate")
    page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 2", timeout=60_000)
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))  # dismissed: stay
    page.locator('[data-pair="1"] .tj-en').click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Fine?")
    page.evaluate("setTimeout(() => location.reload())")
    page.wait_for_timeout(1500)
    assert asked == ["beforeunload"]
    assert page.locator('[data-pair="1"] .tj-en').inner_text().endswith(" Fine?")  # still there, still typed
    page.keyboard.press("Enter")  # saved: nothing to lose, and the page reloads without a word
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 2)')")
    page.wait_for_function("document.querySelectorAll('.tj-row.tj-saving').length === 0")
    with page.expect_event("load"):
        page.evaluate("setTimeout(() => location.reload())")
    assert asked == ["beforeunload"]


def test_the_downloads_carry_every_check(open_page, reader, seed_text) -> None:
    """Every sentence with a ⚠ on the page is in the Checks download with its reasons, and in JSONL's checks."""
    import json

    page = open_page(reader.url)
    page.locator("#tj-text textarea").fill(seed_text)
    page.click("#tj-translate")
    page.wait_for_function("document.querySelectorAll('.tj-en[contenteditable]').length === 12", timeout=60_000)
    flagged = [int(i) for i in page.eval_on_selector_all(".tj-row.tj-flagged", "rows => rows.map(r => r.dataset.pair)")]
    assert flagged  # the fixture article has sentences the checks flag
    assert f"({len(flagged)} ⚠)" in page.inner_text("#tj-download-checks")
    lines = [line.split("\t") for line in _download(page, "checks").read_text(encoding="utf-8").splitlines()]
    assert lines[0] == ["file", "place", "index", "checks", "source", "target"]
    assert [int(line[2]) for line in lines[1:]] == flagged and all(line[3] for line in lines[1:])
    records = [json.loads(line) for line in _download(page, "jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["index"] for r in records if r["checks"] or r["truncated"] or r["repetitive"]] == flagged
