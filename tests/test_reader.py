"""The reader over HTTP with gradio_client, on a free loopback port, with the fixture model."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import gradio as gr
import pytest
from fixture_model import EXACT_COMPUTE_TYPE
from gradio_client import Client
from gradio_client.exceptions import AppError

from translate import AlignedPair, read_tsv
from translate.cli import main
from ui.handlers import Reader, Reading

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "khan-tuman.ar.txt"


@pytest.fixture(scope="module")
def client(reader) -> Client:
    return Client(reader.url, verbose=False, download_files=False)


def _file_bytes(reader, update: dict) -> bytes:
    """Fetch a download button's file the way the browser does, over HTTP."""
    url = update["value"]["url"]
    assert url.startswith(reader.url)
    with urllib.request.urlopen(url) as response:
        return response.read()


def test_api_translates_the_seed_article(client: Client, reader, seed_text, seed_pairs) -> None:
    pairs = client.predict(seed_text, reader.model, api_name="/translate")
    assert [(p["source"], p["target"]) for p in pairs] == seed_pairs
    assert [p["index"] for p in pairs] == list(range(12))
    assert set(pairs[0]) == {f.name for f in dataclasses.fields(AlignedPair)} | {"score"}
    # The word alignment and confidence come with every pair: spans, links, scores.
    for pair in pairs:
        alignment = pair["alignment"]
        assert [pair["target"][a:b] for a, b in alignment["target_words"]] == pair["target"].split()
        assert [pair["source"][a:b] for a, b in alignment["source_words"]] == pair["source"].split()
        assert sorted(t for _, t in alignment["links"]) == list(range(len(pair["target"].split())))
        assert len(alignment["word_scores"]) == len(pair["target"].split())
        assert pair["score"] == alignment["score"] and pair["score"] <= 0


def test_no_telemetry(reader) -> None:
    from ui.app import build_app

    assert build_app(reader.pool).analytics_enabled is False


def test_api_is_documented_with_a_stable_name(client: Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/translate", "/alternatives"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/translate"]["parameters"]] == ["text", "model"]
    parameters = api["named_endpoints"]["/alternatives"]["parameters"]
    assert [p["parameter_name"] for p in parameters] == ["text", "translation", "word", "model"]


def test_tsv_download_equals_the_cli_tsv(client: Client, reader, seed_text, seed_pairs, capsys, monkeypatch) -> None:
    outputs = client.predict(seed_text, reader.model, api_name="/reader_translate")
    _, status, _, _, tsv, jsonl, tmx, txt, _, _, _ = outputs  # an uploaded document back, the checks (none here)
    assert "12 / 12 sentences" in status
    monkeypatch.chdir(ROOT)
    argv = ["translate", "seeds/khan-tuman.ar.txt", "--model", reader.model, "--compute-type", EXACT_COMPUTE_TYPE, "-q"]
    assert main(argv) == 0
    cli_tsv = capsys.readouterr().out.encode("utf-8")
    assert _file_bytes(reader, tsv) == cli_tsv
    # Downloads are named after the article (its first words), not "translation".
    assert tsv["value"]["orig_name"] == "خان-طومان-قرية-صغيرة-تقع-على.tsv"
    assert b'<tmx version="1.4">' in _file_bytes(reader, tmx)
    assert _file_bytes(reader, jsonl).count(b"\n") == 12
    assert txt["value"]["orig_name"].endswith(".en.txt")
    assert _file_bytes(reader, txt).decode("utf-8").split("\n")[0].startswith(seed_pairs[0][1])


@pytest.mark.parametrize(
    ("text", "model", "message"),
    [
        ("", None, "Nothing to translate"),
        ("   \n ", None, "Nothing to translate"),
    ],
)
def test_reader_reports_bad_input_in_the_page(client: Client, reader, text: str, model, message: str) -> None:
    outputs = client.predict(text, model or reader.model, api_name="/reader_translate")
    status = outputs[1]
    assert 'role="alert"' in status and message in status


def test_api_errors_are_clear_and_the_app_keeps_serving(client: Client, reader) -> None:
    with pytest.raises(AppError, match="unknown model 'nope'"):
        client.predict("مرحبا بكم.", "nope", api_name="/translate")
    assert client.predict("مرحبا بكم.", reader.model, api_name="/translate")[0]["target"] == "Welcome."


def test_upload_extracts_and_translates(reader, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("مرحبا بكم. كيف حالك؟")
    document.add_paragraph("هذا نص قصير.")
    path = tmp_path / "note.docx"
    document.save(str(path))
    handler = Reader(reader.pool, downloads=tmp_path / "out")
    first, *_, last = handler.translate_file(str(path), reader.model)
    assert first[0] == "مرحبا بكم. كيف حالك؟\nهذا نص قصير."  # the text box shows what is translated
    reading = last[4]
    assert reading.name == "note"
    assert [(p.paragraph, p.target) for p in reading.pairs] == [
        (0, "Welcome."),
        (0, "How are you?"),
        (1, "This is a short text."),
    ]
    bad = tmp_path / "x.odt"
    bad.write_bytes(b"PK\x03\x04")
    (only,) = list(handler.translate_file(str(bad), reader.model))
    assert "unsupported file type" in only[1]
    broken = tmp_path / "x.pdf"
    broken.write_bytes(b"%PDF")
    (only,) = list(handler.translate_file(str(broken), reader.model))
    assert "x.pdf: not a readable PDF" in only[1]


def test_rows_stream_in_as_patches_of_new_rows_only(reader, seed_text, monkeypatch, tmp_path) -> None:
    import ui.handlers

    monkeypatch.setattr(ui.handlers, "STREAM_INTERVAL", 0.0)
    handler = Reader(reader.pool, downloads=tmp_path)
    updates = list(handler.translate_text("\n".join([seed_text] * 3), reader.model))
    (view,) = [u[2] for u in updates if isinstance(u[2], str)]  # the whole document once, every row waiting
    assert view.count("tj-pending") == 36 and 'aria-busy="true"' in view
    patches = [u[3] for u in updates if isinstance(u[3], str) and u[3]]
    *streamed, final = patches
    assert len(streamed) >= 2  # rows came in several updates
    # Each streamed patch carries only rows new since the one before, in order, and never the Arabic again.
    rows = re.compile(r'class="tj-row[^"]*" data-pair="(\d+)"')
    assert [int(i) for p in streamed for i in rows.findall(p)] == list(range(36))
    assert all('class="tj-ar"' not in p and "contenteditable" not in p for p in patches[:-1])
    assert [re.search(r'data-seq="(\d+)"', p).group(1) for p in patches] == [str(i) for i in range(1, len(patches) + 1)]
    # The last one holds every row, editable (and so mends any patch the page missed), and ends the document.
    assert [int(i) for i in rows.findall(final)] == list(range(36)) and final.count("contenteditable") == 36
    assert 'data-final="true"' in final and 'class="tj-ar"' not in final
    doc = re.search(r'data-doc="(\w+)"', view).group(1)
    assert all(f'data-doc="{doc}"' in p for p in patches)
    assert updates[-1][3] == ""  # so that Gradio's closing message does not send every row again
    # Rows become editable in the update that gives the server the document: no correction can come first.
    (with_final,) = [u for u in updates if u[3] == final]
    assert isinstance(with_final[4], Reading) and len(with_final[4].pairs) == 36
    assert all(not isinstance(u[4], Reading) for u in updates[: updates.index(with_final)])
    # So the bytes sent grow with the article, not with its square: each row's English is sent twice
    # (as it arrives, and editable at the end), its Arabic once.
    assert sum(len(p) for p in streamed) <= len(final)


def test_text_over_the_size_limit_is_refused_in_one_line(reader, client: Client, tmp_path) -> None:
    handler = Reader(reader.pool, downloads=tmp_path, max_text_bytes=1_000)
    (only,) = list(handler.translate_text("مرحبا بكم. " * 100, reader.model))  # 2,000 bytes of UTF-8
    assert 'role="alert"' in only[1] and "The text is 2 kB; the reader translates at most 1 kB" in only[1]
    assert "--max-text-size" in only[1] and "translate it with: tarjama translate FILE" in only[1]
    assert len(list(handler.translate_text("مرحبا بكم. " * 40, reader.model))) > 1  # 880 bytes: translated
    # The served reader (limit 200 kB in the fixture) refuses a bigger paste and API call the same way.
    big = "مرحبا بكم. " * 12_000  # 264 kB
    status = client.predict(big, reader.model, api_name="/reader_translate")[1]
    assert 'role="alert"' in status and "--max-text-size" in status
    with pytest.raises(AppError, match="--max-text-size"):
        client.predict(big, reader.model, api_name="/translate")
    assert client.predict("مرحبا بكم.", reader.model, api_name="/translate")[0]["target"] == "Welcome."


def test_edits_go_into_the_downloads(reader, tmp_path: Path) -> None:
    pairs = tuple(reader.pool.get(reader.model).translate_text("مرحبا بكم. كيف حالك؟"))
    handler = Reader(reader.pool, downloads=tmp_path)
    reading = Reading(name="doc", model=reader.model, pairs=pairs)
    event = gr.EventData(None, {"index": 1, "text": "  How   are you doing?\n"})
    new, status, patch, tsv, jsonl, tmx, txt, document, bilingual, checks = handler.edit(reading, event)
    assert document.visible is False and bilingual.visible is False  # pasted text: no document to write back
    assert checks.visible is False  # nothing flagged
    corrected = new.pairs[1]
    assert dataclasses.replace(corrected, alignment=None) == dataclasses.replace(
        pairs[1], target="How are you doing?", edited=True, alignment=None
    )
    # The correction is aligned as it stands: every word of the new English is linked.
    assert corrected.alignment is not None and len(corrected.alignment.target_words) == 4
    assert sorted(t for _, t in corrected.alignment.links) == [0, 1, 2, 3]
    assert new.pairs[0] == pairs[0]
    assert "Correction saved (sentence 2)" in status
    rows = list(read_tsv(io.StringIO(Path(tsv.value["path"]).read_text(encoding="utf-8"))))
    assert [(r.target, r.edited) for r in rows] == [("Welcome.", False), ("How are you doing?", True)]
    assert '"edited": true' in Path(jsonl.value["path"]).read_text(encoding="utf-8")
    assert '<prop type="x-origin">human</prop>' in Path(tmx.value["path"]).read_text(encoding="utf-8")
    assert Path(txt.value["path"]).read_text(encoding="utf-8") == "Welcome. How are you doing?\n"
    # The corrected row comes back with its new word links (the page keeps what was typed until it is saved).
    assert re.findall(r'data-pair="(\d+)"', patch) == ["1"] and 'data-links="' in patch
    # An empty correction, a bad index or no document change nothing.
    for data in ({"index": 0, "text": "   "}, {"index": 7, "text": "x"}, {"index": 0, "text": "Welcome."}, {}):
        assert handler.edit(new, gr.EventData(None, data)) == (gr.skip(),) * 10
    # The same correction sent again (the page retries one it saw no answer to) is confirmed, not redone.
    again = handler.edit(new, gr.EventData(None, {"index": 1, "text": "How are you doing?"}))
    assert again[0] == gr.skip() and again[2:] == (gr.skip(),) * 8
    assert 'data-saved="{&quot;1&quot;: &quot;How are you doing?&quot;}"' in again[1]


@pytest.mark.parametrize("remember", [True, False])
def test_correction_scope_and_revert(reader, tmp_path: Path, remember: bool) -> None:
    """A correction covers its document; the shared memory gets it only when the reader remembers corrections."""
    from translate import TranslationOptions
    from translate.memory import TranslationMemory
    from ui.models import ModelPool

    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    pool = ModelPool(
        TranslationOptions(compute_type=EXACT_COMPUTE_TYPE), local_dirs=[Path(reader.model)], memory=memory
    )
    handler = Reader(pool, downloads=tmp_path / "out", remember_corrections=remember)
    *_, last = handler.translate_text("مرحبا بكم. كيف حالك؟ مرحبا بكم.", reader.model)
    reading = last[4]
    new, status, patch, *_ = handler.edit(reading, gr.EventData(None, {"index": 2, "text": "Hello there."}))
    assert [(p.target, p.edited) for p in new.pairs] == [
        ("Hello there.", True),
        ("How are you?", False),
        ("Hello there.", True),
    ]
    assert "sentence 3 and 1 more like it" in status
    # Each correction writes the downloads afresh and drops the previous ones: the folder does not grow.
    assert not Path(reading.downloads).exists() and Path(new.downloads).is_dir()
    assert len(list((tmp_path / "out").iterdir())) == 1
    assert re.findall(r'data-pair="(\d+)"', patch) == ["0", "2"]  # every occurrence, for the page to update
    assert ("also remembered for next time" in status) is remember
    assert [h.target for h in memory.human_translations()] == (["Hello there."] if remember else [])
    # Another visitor (a new translation) sees it only when corrections are remembered.
    *_, other = handler.translate_text("مرحبا بكم.", reader.model)
    assert other[4].pairs[0].target == ("Hello there." if remember else "Welcome.")

    # Revert: every occurrence goes back to the machine translation, and the memory forgets it.
    back, status, patch, tsv, *_ = handler.edit(new, gr.EventData(None, {"index": 0, "revert": True}))
    assert [(p.target, p.edited) for p in back.pairs] == [
        ("Welcome.", False),
        ("How are you?", False),
        ("Welcome.", False),
    ]
    assert "Sentence 1 reverted to the machine translation" in status
    assert re.findall(r'data-pair="(\d+)"', patch) == ["0", "2"]
    assert memory.human_translations() == []
    assert "\tedited" not in Path(tsv.value["path"]).read_text(encoding="utf-8")
    memory.close()


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("خان طومان قرية صغيرة تقع على الطريق الدولي", "خان-طومان-قرية-صغيرة-تقع-على"),
        ("كَتَبَ الوَلَدُ الرِّسالَةَ.", "كَتَبَ-الوَلَدُ-الرِّسالَةَ"),  # vowel signs stay in the name
        ('<script>"../../etc/passwd"', "script-etc-passwd"),
        ("   ...   ", "translation"),
    ],
)
def test_download_names_come_from_the_text(source: str, name: str) -> None:
    from ui.handlers import name_from_text

    assert name_from_text(source) == name


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.com/news/2016/khan-tuman.html", "khan-tuman"),
        ("https://example.com/", "example-com"),
        ("https://example.com/%D8%AE%D8%A8%D8%B1", "خبر"),  # percent-encoded Arabic, decoded
    ],
)
def test_download_names_come_from_the_url(url: str, name: str) -> None:
    from ui.handlers import name_from_url

    assert name_from_url(url) == name


def test_an_uploaded_word_document_comes_back_in_english_with_its_corrections(reader, tmp_path: Path) -> None:
    import docx

    from translate.segment import segment_text

    source = docx.Document()
    sentences = [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))]
    source.add_paragraph(sentences[0])
    source.add_paragraph(f"{sentences[2]} {sentences[3]}")
    path = tmp_path / "report.docx"
    source.save(path)
    handler = Reader(reader.pool, downloads=tmp_path / "out")
    *_, last = handler.translate_file(str(path), reader.model)
    reading, document = last[4], last[-3]
    assert document.visible and document.label == "⬇ English DOCX"
    english = [p.target for p in reading.pairs]
    written = [p.text for p in docx.Document(document.value["path"]).paragraphs]
    assert written == [english[0], f"{english[1]} {english[2]}"]
    # A correction reaches the document as it reaches the TSV.
    *_, again, _, _ = handler.edit(reading, gr.EventData(None, {"index": 1, "text": "Why all this fuss?"}))
    assert [p.text for p in docx.Document(again.value["path"]).paragraphs][1] == f"Why all this fuss? {english[2]}"


def test_an_uploaded_web_page_and_book_come_back_as_themselves_in_english(reader, tmp_path: Path) -> None:
    import lxml.html
    from lxml import etree
    from test_epub import XHTML, _book, _member

    from translate.segment import segment_text

    sentences = [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))]
    page = tmp_path / "page.html"
    # An article (trafilatura finds one) inside a page whose menu is translated as well.
    page.write_text(
        f'<html dir="rtl" lang="ar"><body><nav><a href="/">{sentences[4]}</a></nav><article>'
        f"<p>{sentences[0]}</p><p>{sentences[2]} {sentences[3]}</p></article></body></html>",
        encoding="utf-8",
    )
    handler = Reader(reader.pool, downloads=tmp_path / "out")
    *_, last = handler.translate_file(str(page), reader.model)
    reading, english, bilingual = last[4], last[-3], last[-2]
    assert (english.label, bilingual.label) == ("⬇ English HTML", "⬇ Bilingual HTML")
    targets = [p.target for p in reading.pairs]
    written = lxml.html.fromstring(Path(english.value["path"]).read_text(encoding="utf-8"))
    assert written.get("dir") == "ltr" and written.find(".//nav/a").text_content() == targets[0]
    assert [p.text_content() for p in written.iter("p")] == [targets[1], f"{targets[2]} {targets[3]}"]
    both = lxml.html.fromstring(Path(bilingual.value["path"]).read_text(encoding="utf-8"))
    assert [p.text_content() for p in both.iter("p")][:2] == [sentences[0], targets[1]]
    assert Path(bilingual.value["path"]).name == "page.ar-en.html"

    book = tmp_path / "book.epub"
    book.write_bytes(_book())
    *_, last = handler.translate_file(str(book), reader.model)
    reading, english = last[4], last[-3]
    assert english.label == "⬇ English EPUB"
    chapter = etree.fromstring(_member(Path(english.value["path"]).read_bytes(), "OEBPS/two b.xhtml"))
    assert "".join(chapter.find(f".//{XHTML}p").itertext()) == reading.pairs[0].target


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_an_uploaded_pdf_comes_back_as_a_pdf_in_english(reader, tmp_path: Path) -> None:
    from test_pdf import _pdf_of
    from test_pdf_write import ARABIC_LETTER

    from translate.segment import segment_text

    sentences = [s.text for s in segment_text(SEED.read_text(encoding="utf-8"))]
    handler = Reader(reader.pool, downloads=tmp_path / "out")
    *_, last = handler.translate_file(str(_pdf_of([sentences[2], sentences[3]], tmp_path)), reader.model)
    reading, document = last[4], last[-3]
    assert document.visible and document.label == "⬇ English PDF"
    laid_out = subprocess.run(["pdftotext", document.value["path"], "-"], capture_output=True, text=True, check=True)
    assert " ".join(laid_out.stdout.split()) == " ".join(p.target for p in reading.pairs)
    assert not ARABIC_LETTER.search(laid_out.stdout)
    assert last[-2].visible and last[-2].label == "⬇ Bilingual PDF"


def _request(client: str, **headers: str) -> gr.Request:
    """A request as Gradio hands it to a handler: a real Starlette request from ``client`` with ``headers``."""
    from starlette.requests import Request

    raw = [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": raw}
    return gr.Request(Request({**scope, "client": (client, 50_000)}))


@pytest.mark.parametrize(
    ("client", "headers", "remembered"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("127.0.0.1", {"x_forwarded_for": "203.0.113.5"}, False),
        ("127.0.0.1", {"forwarded": "for=203.0.113.5"}, False),
        ("127.0.0.1", {"x_real_ip": "203.0.113.5"}, False),
        ("203.0.113.5", {}, False),
    ],
)
def test_under_auto_only_this_machines_own_corrections_are_remembered(
    reader, tmp_path: Path, client: str, headers: dict[str, str], remembered: bool
) -> None:
    """`--remember-corrections auto` decides per request: behind a proxy on this machine every visitor comes
    from loopback, so a forwarded request (or one from elsewhere) is a visitor's, kept in their page only;
    neither may it change the glossary."""
    from translate import TranslationOptions
    from translate.memory import TranslationMemory
    from ui.models import ModelPool
    from ui.steering import SteeringHandlers

    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    glossary = tmp_path / "glossary.tsv"
    pool = ModelPool(
        TranslationOptions(compute_type=EXACT_COMPUTE_TYPE),
        local_dirs=[Path(reader.model)],
        memory=memory,
        glossary_path=glossary,
    )
    handler = Reader(pool, downloads=tmp_path / "out", remember_corrections=True, local_only=True)
    request = _request(client, **headers)
    *_, last = handler.translate_text("مرحبا بكم.", reader.model, request)
    new, status, *_ = handler.edit(last[4], gr.EventData(None, {"index": 0, "text": "Be welcome."}), request)
    assert new.pairs[0].target == "Be welcome."  # the visitor's own page has it either way
    assert [h.target for h in memory.human_translations()] == (["Be welcome."] if remembered else [])
    assert ("also remembered for next time" if remembered else "kept in this document only") in status
    note = SteeringHandlers(handler).add_term("خان طومان", "Khan Touman", None, request)[3]
    assert ("read-only" in note) is not remembered and glossary.exists() is remembered
