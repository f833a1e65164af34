"""Take the README's screenshots of the reader: desktop and phone on the sample article, and word level.

Serves the reader on loopback with a local model (the test suite's fixture model works: see
``tests/fixture_model.py``), drives Debian's chromium with Playwright, corrects one sentence so that
the correction controls show, points at an Arabic word, and writes ``docs/reader.png``,
``docs/reader-phone.png`` and ``docs/reader-words.png`` (two sentences of the sample and one the
model never saw, with its unsure words marked), ``docs/reader-alternatives.png`` (the menu of
the model's other choices at a word) and ``docs/reader-glossary.png`` (a term added from a
selection, applied to the article).

    python docs/screenshots.py --model DIR
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from chromium import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from loopback import stay_on_loopback  # noqa: E402


def serve(model: Path, memory_path: Path) -> str:
    from translate import TranslationOptions
    from translate.glossary import glossary_beside
    from translate.memory import TranslationMemory
    from ui.app import build_app, launch
    from ui.models import ModelPool

    pool = ModelPool(
        TranslationOptions(compute_type="float32"),
        local_dirs=[model],
        local_files_only=True,
        memory=TranslationMemory(memory_path),
        glossary_path=glossary_beside(memory_path),
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    launch(build_app(pool), port=port, quiet=True, prevent_thread_lock=True)
    return f"http://127.0.0.1:{port}/"


def _sentences(*indices: int) -> list[str]:
    """Sentences of the sample article, by index."""
    from translate import segment_text

    segments = segment_text((ROOT / "seeds" / "khan-tuman.ar.txt").read_text(encoding="utf-8"))
    return [segments[i].text for i in indices]


def translate_sample(page) -> None:
    page.get_by_text("Sample article: khan-tuman.ar").click()  # a sample translates at once
    page.wait_for_selector("#tj-status:has-text('12 / 12 sentences')", timeout=120_000)
    page.wait_for_selector(".tj-en[contenteditable]")


def correct(page, index: int, text: str) -> None:
    page.locator(".tj-row").nth(index).locator(".tj-en").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#tj-status:has-text('Correction saved (sentence {index + 1})')")


UNSEEN = "الطقس جميل اليوم في بيروت"
"""A sentence ("the weather is nice in Beirut today") that no small test model has seen: it guesses, and says so."""


def translated(browser, url: str, sentences: list[str], height: int):
    """A new page on the reader, 1100 px wide, with ``sentences`` (a paragraph each) translated."""
    page = browser.new_page(viewport={"width": 1100, "height": height})
    page.goto(url)
    page.locator("#tj-text textarea").fill("\n\n".join(sentences))
    page.click("#tj-translate")
    page.wait_for_selector(f"#tj-status:has-text('{len(sentences)} / {len(sentences)} sentences')")
    page.wait_for_selector(".tj-doc[aria-busy='false'] .tj-en[contenteditable]")
    return page


def words(browser, url: str, sample: list[str], out: Path) -> None:
    page = translated(browser, url, [*sample, UNSEEN], 700)
    row = page.locator(".tj-row").nth(1)
    row.locator(".tj-ar").hover()
    row.locator(".tj-ar .tj-w[data-w='3']").hover()  # معركة: "the ... battle"
    page.locator(".tj-doc").screenshot(path=str(out))
    page.close()


def alternatives(browser, url: str, sample: list[str], out: Path) -> None:
    page = translated(browser, url, sample, 520)
    page.locator(".tj-row").nth(0).locator(".tj-en .tj-w[data-w='4']").click()  # "fuss"
    page.locator(".tj-menu").wait_for()
    page.keyboard.press("ArrowDown")
    page.locator("#tj-view").screenshot(path=str(out))
    page.close()


def glossary(browser, url: str, sample: list[str], out: Path) -> None:
    page = translated(browser, url, sample, 900)
    page.evaluate(
        """() => {
          const cell = document.querySelector(".tj-row .tj-ar");
          const start = cell.textContent.indexOf("خان طومان");
          const range = document.createRange();
          range.setStart(cell.firstChild, start);
          range.setEnd(cell.firstChild, start + "خان طومان".length);
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
          cell.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }"""
    )
    page.locator(".tj-add-term").click()
    page.locator("#tj-term-en input, #tj-term-en textarea").first.type("Khan Touman")
    page.click("#tj-term-add")
    page.wait_for_selector("#tj-glossary-note:has-text('translated again')")
    page.evaluate("document.querySelector('#tj-glossary-panel').scrollIntoView()")
    page.screenshot(path=str(out))
    page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="a local MarianMT model directory")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args(argv)
    if argv is None:
        stay_on_loopback()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = serve(args.model, Path(tmp) / "memory.sqlite3")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
            words(browser, url, _sentences(2, 3), args.out / "reader-words.png")  # before any correction
            alternatives(browser, url, _sentences(2, 3), args.out / "reader-alternatives.png")
            desktop = browser.new_page(viewport={"width": 1280, "height": 1300})
            desktop.goto(url)
            translate_sample(desktop)
            correct(desktop, 2, "So why all this fuss about Khan Tuman?")
            desktop.locator(".tj-row").nth(1).locator(".tj-num").click()  # pinned
            desktop.evaluate("window.scrollTo(0, 0)")
            arabic = desktop.locator(".tj-row").nth(3).locator(".tj-ar")
            arabic.hover()  # the row is highlighted with its partner ...
            arabic.locator(".tj-w[data-w='7']").hover()  # ... and إيران with "Iran"
            desktop.screenshot(path=str(args.out / "reader.png"))
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
            phone.goto(url)
            translate_sample(phone)  # the page scrolls the progress and the first rows into view
            phone.mouse.move(1, 1)  # no hover on a phone
            phone.screenshot(path=str(args.out / "reader-phone.png"))
            news = ["قصفت الطائرات خان طومان ليلا.", "وقالت المعارضة إن خان طومان محاصرة."]
            glossary(browser, url, [*_sentences(2, 3), *news], args.out / "reader-glossary.png")  # edits the glossary
            browser.close()
    print(f"wrote the reader's screenshots in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
