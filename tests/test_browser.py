"""The reader in a real browser: Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

from pathlib import Path

import pytest
from chromium import CHROMIUM
from payloads import PAYLOADS

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install -y chromium fonts-noto-core)"
)


def _background(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el.closest('.tj-row')).backgroundColor")


def test_translate_hover_edit_download(page, seed_text, seed_pairs, tmp_path: Path) -> None:
    page.locator("#tj-text textarea").fill(seed_text)
    page.click("#tj-translate")
    page.wait_for_selector("#tj-status:has-text('12 / 12 sentences')", timeout=60_000)
    page.wait_for_selector(".tj-en[contenteditable]")

    rows = page.locator(".tj-row")
    assert rows.count() == 12
    assert [rows.nth(i).locator(".tj-en").inner_text() for i in range(12)] == [en for _, en in seed_pairs]
    arabic = rows.nth(2).locator(".tj-ar")
    assert arabic.get_attribute("dir") == "rtl" and arabic.get_attribute("lang") == "ar"
    ar_box, en_box = arabic.bounding_box(), rows.nth(2).locator(".tj-en").bounding_box()
    assert en_box["x"] < ar_box["x"]  # English on the left, Arabic on the right

    # Hovering the Arabic sentence highlights its English partner, and only that row.
    plain = _background(rows.nth(5).locator(".tj-en"))
    arabic.hover()
    partner = rows.nth(2).locator(".tj-en")
    assert "tj-hl" in rows.nth(2).get_attribute("class")
    assert _background(partner) != plain
    assert _background(rows.nth(5).locator(".tj-en")) == plain
    page.screenshot(path=str(tmp_path / "reader-hover.png"), full_page=True)

    # Hovering the English side highlights the Arabic one.
    rows.nth(7).locator(".tj-en").hover()
    assert "tj-hl" in rows.nth(7).get_attribute("class") and "tj-hl" not in rows.nth(2).get_attribute("class")

    # Correct sentence 4 in place; the TSV download carries the correction.
    cell = rows.nth(3).locator(".tj-en")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("And where will this battle of mobilisation end?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tj-status:has-text('Correction saved (sentence 4)')")
    assert "tj-edited" in rows.nth(3).get_attribute("class")
    with page.expect_download() as download:
        page.click("#tj-download-tsv")
    tsv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "index\tparagraph\tsource\ttarget\tedited"
    assert tsv[4].split("\t")[3:] == ["And where will this battle of mobilisation end?", "1"]
    assert tsv[1].split("\t")[3:] == [seed_pairs[0][1], "0"]
    page.screenshot(path=str(tmp_path / "reader.png"), full_page=True)
    assert (tmp_path / "reader.png").stat().st_size > 50_000


def test_rapid_corrections_over_a_slow_network_are_all_saved(page, seed_text, seed_pairs, tmp_path: Path) -> None:
    """Six corrections typed one after another, each sent before the last is answered (300 ms latency)."""
    page.locator("#tj-text textarea").fill(seed_text)
    page.click("#tj-translate")
    page.wait_for_selector("#tj-status:has-text('12 / 12 sentences')", timeout=60_000)
    page.wait_for_selector(".tj-en[contenteditable]")
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 300, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    rows = page.locator(".tj-row")
    edited = [1, 2, 3, 4, 5, 6]
    for index in edited:
        rows.nth(index).locator(".tj-en").click()
        page.keyboard.press("Control+End")
        page.keyboard.type("!")
        page.keyboard.press("Tab")
    # Sent, not yet confirmed: the page says so instead of showing them as saved.
    assert page.locator(".tj-row.tj-saving").count() >= 1
    page.wait_for_function(
        "document.querySelectorAll('.tj-row.tj-saving').length === 0"
        " && document.querySelectorAll('.tj-row.tj-edited').length === 6",
        timeout=30_000,
    )
    assert page.locator(".tj-row.tj-unsaved").count() == 0
    with page.expect_download() as download:
        page.click("#tj-download-tsv")
    tsv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[1:]
    expected = [(en + "!" if i in edited else en, "1" if i in edited else "0") for i, (_, en) in enumerate(seed_pairs)]
    assert [tuple(line.split("\t")[3:]) for line in tsv] == expected
    page.screenshot(path=str(tmp_path / "saved.png"), full_page=True)


def test_hostile_text_and_corrections_stay_text(page, tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#tj-text textarea").fill("\n".join(f"قال {payload} ثم سكت." for payload in PAYLOADS))
    page.click("#tj-translate")
    done = f"{len(PAYLOADS)} / {len(PAYLOADS)} sentences"
    page.wait_for_selector(f"#tj-status:has-text('{done}')", timeout=60_000)
    page.wait_for_selector(".tj-en[contenteditable]")
    shown = page.locator(".tj-ar").all_inner_texts()
    assert [" ".join(t.split()) for t in shown] == [" ".join(f"قال {p} ثم سكت.".split()) for p in PAYLOADS]

    # Type three payloads in as corrections; each is saved and shown as text.
    rows = page.locator(".tj-row")
    for index in (0, 1, 7):
        cell = rows.nth(index).locator(".tj-en")
        cell.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(PAYLOADS[index])
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#tj-status:has-text('Correction saved (sentence {index + 1})')")
        assert rows.nth(index).locator(".tj-en").inner_text() == PAYLOADS[index]
    with page.expect_download() as download:
        page.click("#tj-download-tsv")
    tsv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert [tsv[i + 1].split("\t")[3] for i in (0, 1, 7)] == [PAYLOADS[i] for i in (0, 1, 7)]

    page.locator(".tj-ar").first.hover()
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    active = (
        "#tj-view script, #tj-view img, #tj-view svg, #tj-view iframe, #tj-view style, #tj-view a, #tj-view details"
    )
    assert page.locator(active).count() == 0


def test_bad_input_shows_a_message_and_the_page_keeps_working(page) -> None:
    page.click("#tj-translate")
    page.wait_for_selector("#tj-status [role=alert]:has-text('Nothing to translate')")
    page.locator("#tj-text textarea").fill("مرحبا بكم.")
    page.click("#tj-translate")
    page.wait_for_selector("#tj-status:has-text('1 / 1 sentences')", timeout=60_000)
    assert page.locator(".tj-en").inner_text() == "Welcome."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.txt", "مرحبا بكم. ".encode() * 20_000, 'exceed the maximum allowed size of 200.0 Kb: "big.txt"'),
        (
            "scan.odt",
            b"PK\x03\x04",
            "Invalid file type: scan.odt. Only .txt, .html, .htm, .docx, .md, .srt, .vtt, .pdf, .epub, .png, .jpg, "
            ".jpeg, .tif, .tiff, .webp allowed.",
        ),
    ],
)
def test_refused_uploads_say_why(page, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("#tj-upload input[type=file]").set_input_files(str(path))
    page.wait_for_selector(f".toast-body:has-text('{message}')")


def test_upload_a_file_translates_it(page, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("مرحبا بكم. كيف حالك؟", encoding="utf-8")
    page.locator("#tj-upload input[type=file]").set_input_files(str(path))
    page.wait_for_selector("#tj-status:has-text('2 / 2 sentences')", timeout=60_000)
    assert page.locator(".tj-en").all_inner_texts() == ["Welcome.", "How are you?"]
    assert page.locator("#tj-text textarea").input_value() == "مرحبا بكم. كيف حالك؟"
    # Plain text has no document of its own to give back.
    assert not page.locator("#tj-download-document").is_visible()


def test_an_uploaded_word_document_downloads_in_english(page, tmp_path: Path) -> None:
    import docx

    source = docx.Document()
    source.add_paragraph("مرحبا بكم.")
    source.add_paragraph("كيف حالك؟")
    path = tmp_path / "note.docx"
    source.save(path)
    page.locator("#tj-upload input[type=file]").set_input_files(str(path))
    page.wait_for_selector("#tj-status:has-text('2 / 2 sentences')", timeout=60_000)
    button = page.locator("#tj-download-document")
    button.wait_for()
    assert button.inner_text().strip() == "⬇ English DOCX"
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "note.en.docx"
    assert [p.text for p in docx.Document(download.value.path()).paragraphs] == ["Welcome.", "How are you?"]
    bilingual = page.locator("#tj-download-bilingual")
    assert bilingual.inner_text().strip() == "⬇ Bilingual DOCX"
    with page.expect_download() as download:
        bilingual.click()
    assert download.value.suggested_filename == "note.ar-en.docx"
    paragraphs = [p.text for p in docx.Document(download.value.path()).paragraphs]
    assert paragraphs == ["مرحبا بكم.", "Welcome.", "كيف حالك؟", "How are you?"]
