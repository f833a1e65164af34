"""Alternatives and the glossary in a real browser, on one person's reader (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import CHROMIUM
from fixture_model import seed_sentences
from spellings import ODD, named_sentences, spell_as_the_model_does, spell_one_oddly

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install -y chromium fonts-noto-core)"
)

KHAN = seed_sentences()[2]  # "So why all this fuss about Khan Tuman..."
OTHER = seed_sentences()[3]
SHOTS = Path(__file__).parent.parent / "docs"
SHOT = ""


def _translate(page, text: str, total: int) -> None:
    page.locator("#tj-text textarea").fill(text)
    page.click("#tj-translate")
    page.wait_for_selector(f"#tj-status:has-text('{total} / {total} sentences')", timeout=60_000)
    page.wait_for_selector(".tj-doc[aria-busy='false'] .tj-en[contenteditable]")


def _tsv(page) -> list[list[str]]:
    with page.expect_download() as download:
        page.click("#tj-download-tsv")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:]]


def test_typing_after_a_click_closes_the_menu_and_edits(own_page) -> None:
    page = own_page
    _translate(page, KHAN[0], 1)
    cell = page.locator(".tj-row[data-pair='0'] .tj-en")
    cell.locator(".tj-w[data-w='4']").click()
    page.locator(".tj-menu").wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type("Why the fuss?")
    assert page.locator(".tj-menu").count() == 0
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 1)')")
    assert cell.inner_text().rstrip(" ✎") == "Why the fuss?"


def test_an_alternative_chosen_rewrites_the_sentence_and_the_download(own_page, own_reader) -> None:
    page = own_page
    _translate(page, f"{KHAN[0]}\n\n{OTHER[0]}", 2)
    row = page.locator(".tj-row[data-pair='0']")
    assert row.locator(".tj-en").inner_text() == KHAN[1]
    row.locator(".tj-en .tj-w[data-w='4']").click()  # "fuss"
    menu = page.locator(".tj-menu")
    menu.wait_for()
    choices = menu.locator(".tj-alt")
    assert 1 <= choices.count() <= 5
    texts = choices.evaluate_all("cs => cs.map(c => c.dataset.text)")
    assert all(t.startswith("So why all this ") and t != KHAN[1] for t in texts)
    # A click also starts editing: the keyboard stays in the sentence, and the first Escape only closes the menu.
    assert page.evaluate("document.activeElement.matches(\".tj-row[data-pair='0'] .tj-en\")")
    page.keyboard.press("Escape")
    assert menu.count() == 0
    assert page.evaluate("document.activeElement.matches(\".tj-row[data-pair='0'] .tj-en\")")
    # Alt+↓ opens it from the keyboard, at the word before the caret, and moves into it; ↓ and Enter choose.
    page.keyboard.press("End")
    page.keyboard.press("Alt+ArrowDown")
    menu.wait_for()
    page.wait_for_function("document.activeElement.classList.contains('tj-alt')")
    if choices.count() > 1:
        page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.dataset.text")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 1)')")
    page.wait_for_selector(".tj-row[data-pair='0'].tj-edited")
    assert chosen == " ".join(chosen.split())  # the menu offers text as the sentence will hold it
    assert row.locator(".tj-en").inner_text().rstrip(" ✎") == chosen
    assert page.locator(".tj-menu").count() == 0
    rows = _tsv(page)
    assert [(r[3], r[4]) for r in rows] == [(chosen, "1"), (OTHER[1], "0")]  # the edited column marks it
    # Stored in the translation memory as a person's translation: the next translation of the sentence gets it.
    assert chosen in [h.target for h in own_reader.pool.memory.human_translations()]


def test_a_term_added_from_a_selection_applies_to_every_sentence(own_page) -> None:
    page = own_page
    _translate(page, f"{KHAN[0]}\n\n{OTHER[0]}\n\n{KHAN[0]}", 3)
    # Select the village's name in the first row's Arabic, as a person would with the mouse: at the end of the
    # sentence, with its full stops (which are not part of the name).
    assert KHAN[0].endswith("خان طومان..")
    page.evaluate(
        """() => {
          const cell = document.querySelector(".tj-row[data-pair='0'] .tj-ar");
          const text = cell.firstChild;
          const start = text.textContent.indexOf("خان طومان..");
          const range = document.createRange();
          range.setStart(text, start);
          range.setEnd(text, start + "خان طومان..".length);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          cell.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }"""
    )
    page.locator(".tj-add-term").click()
    # The glossary panel opens with the selection in its Arabic box, and the English box takes the keyboard.
    page.wait_for_function(
        "() => document.querySelector('#tj-term-ar textarea, #tj-term-ar input')?.value === 'خان طومان'"
        " && document.activeElement.closest('#tj-term-en') !== null"
    )
    english = page.locator("#tj-term-en input, #tj-term-en textarea").first
    english.type("Khan Touman")
    in_view = """() => { const box = document.querySelector(".tj-row[data-pair='0']").getBoundingClientRect();
                         return box.top >= 0 && box.bottom <= window.innerHeight; }"""
    page.set_viewport_size({"width": 1000, "height": 260})  # a short window: the panel and the row do not both fit
    page.locator("#tj-term-en input, #tj-term-en textarea").first.scroll_into_view_if_needed()
    assert not page.evaluate(in_view)
    page.click("#tj-term-add")
    page.wait_for_function(in_view)  # the reader is taken back to the sentence the term came from
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_selector("#tj-glossary-note:has-text('2 sentence(s) of this article translated again')")
    # The boxes are emptied for the next term, and stay empty (nothing puts the selection back).
    page.wait_for_timeout(400)
    boxes = "#tj-term-ar input, #tj-term-ar textarea, #tj-term-en input, #tj-term-en textarea"
    assert page.locator(boxes).evaluate_all("bs => bs.map(b => b.value)") == ["", ""]
    steered = KHAN[1].replace("Khan Tuman", "Khan Touman")
    for index, expected in enumerate([steered, OTHER[1], steered]):
        page.wait_for_function(
            "([i, text]) => document.querySelector(`.tj-row[data-pair='${i}'] .tj-en`).innerText === text",
            arg=[index, expected],
        )
    assert page.locator("#tj-glossary td", has_text="Khan Touman").count() == 1
    assert [r[3] for r in _tsv(page)] == [steered, OTHER[1], steered]
    # Removing the term (its ✕) brings the model's own spelling back.
    page.locator(".tj-term-remove").click()
    page.wait_for_selector("#tj-glossary-note:has-text('Removed')")
    # The note reads left to right as written: the Arabic name does not pull "; 2" into its own direction.
    parts = ["Removed", "خان طومان", ";", "2 sentence(s)"]
    assert _left_edges(page, "#tj-glossary-note .tj-glossary-note", parts) == sorted(
        _left_edges(page, "#tj-glossary-note .tj-glossary-note", parts)
    )
    page.wait_for_function(
        "text => document.querySelector(\".tj-row[data-pair='0'] .tj-en\").innerText === text", arg=KHAN[1]
    )
    assert page.locator("#tj-glossary .tj-glossary-empty").count() == 1


def _left_edges(page, selector: str, parts: list[str]) -> list[float]:
    """Where on screen (x of the left edge) each of ``parts``, found in order in the text of ``selector``, stands."""
    return page.evaluate(
        """([selector, parts]) => {
          const walker = document.createTreeWalker(document.querySelector(selector), NodeFilter.SHOW_TEXT);
          const nodes = [];
          while (walker.nextNode()) nodes.push(walker.currentNode);
          let from = 0;
          const text = nodes.map((n) => n.textContent).join("");
          return parts.map((part) => {
            let at = text.indexOf(part, from), edge = Infinity;
            from = at + part.length;
            for (const node of nodes) {  // the part's characters, node by node; its left-most box
              const end = at + part.length;
              const a = Math.max(at, 0), b = Math.min(end, node.textContent.length);
              if (a < b) {
                const range = document.createRange();
                range.setStart(node, a);
                range.setEnd(node, b);
                edge = Math.min(edge, ...[...range.getClientRects()].map((r) => r.left));
              }
              at -= node.textContent.length;
            }
            return edge;
          });
        }""",
        [selector, parts],
    )


@pytest.fixture
def odd_spelling(own_reader):
    """One person's reader whose memory spells Khan Tuman "Khan Touman" in one sentence; the article naming it."""
    backend = own_reader.pool.get(own_reader.model).backend
    article = spell_one_oddly(backend)
    yield article
    spell_as_the_model_does(backend)


def test_a_name_spelled_two_ways_is_made_consistent_in_one_action(own_page, odd_spelling) -> None:
    page = own_page
    named = named_sentences()
    _translate(page, odd_spelling, len(named))
    # The glossary panel's label says so, and the panel lists the spellings with their counts.
    page.wait_for_selector("#tj-glossary-panel:has-text('1 name(s) spelled two ways in this article')")
    page.click("#tj-glossary-panel > button, #tj-glossary-panel .label-wrap")
    page.wait_for_selector(".tj-names li")  # the panel lays out its content as it opens
    listed = page.locator(".tj-names li")
    assert listed.count() == 1
    assert listed.inner_text().startswith(f"خان طومان: Khan Tuman ×{len(named) - 1}, {ODD} ×1")
    page.click(".tj-name-use")
    done = "Using Khan Tuman for خان طومان everywhere: 1 sentence(s) changed"
    page.wait_for_selector(f"#tj-glossary-note:has-text('{done}')")
    # The odd sentence is spelled the majority's way, every word of it otherwise as it was; the rest untouched.
    english = [en for _, en in named]
    page.wait_for_function(
        "text => document.querySelector(\".tj-row[data-pair='0'] .tj-en\").innerText === text", arg=english[0]
    )
    assert page.locator(".tj-en").evaluate_all("cells => cells.map(c => c.innerText)") == english
    assert [r[3] for r in _tsv(page)] == english
    # The spelling is a term of the glossary now, and no name is listed any more.
    assert page.locator("#tj-glossary td", has_text="Khan Tuman").count() == 1
    page.wait_for_function("() => document.querySelectorAll('.tj-names li').length === 0")
    assert page.locator("#tj-glossary-panel:has-text('spelled two ways')").count() == 0
    if SHOT:
        page.screenshot(path=SHOT, full_page=True)
