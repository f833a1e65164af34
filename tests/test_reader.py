"""The reader over HTTP with gradio_client, on a free loopback port, with the fixture model."""

from __future__ import annotations

import dataclasses
import io
import urllib.request
from pathlib import Path

import gradio as gr
import pytest
from fixture_model import EXACT_COMPUTE_TYPE
from gradio_client import Client
from gradio_client.exceptions import AppError

from translate import AlignedPair, read_tsv
from translate.cli import main
from ui.app import Reader, Reading

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
    assert set(pairs[0]) == {f.name for f in dataclasses.fields(AlignedPair)}


def test_no_telemetry(reader) -> None:
    from ui.app import build_app

    assert build_app(reader.pool).analytics_enabled is False


def test_api_is_documented_with_a_stable_name(client: Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/translate"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/translate"]["parameters"]] == ["text", "model"]


def test_tsv_download_equals_the_cli_tsv(client: Client, reader, seed_text, capsys, monkeypatch) -> None:
    outputs = client.predict(seed_text, reader.model, api_name="/reader_translate")
    _, status, view, tsv, jsonl, tmx = outputs
    assert "12 / 12 sentences" in status
    assert view.count('class="tj-row"') == 12 and "contenteditable" in view
    monkeypatch.chdir(ROOT)
    argv = ["translate", "seeds/khan-tuman.ar.txt", "--model", reader.model, "--compute-type", EXACT_COMPUTE_TYPE, "-q"]
    assert main(argv) == 0
    cli_tsv = capsys.readouterr().out.encode("utf-8")
    assert _file_bytes(reader, tsv) == cli_tsv
    assert tsv["value"]["orig_name"] == "translation.tsv"
    assert b'<tmx version="1.4">' in _file_bytes(reader, tmx)
    assert _file_bytes(reader, jsonl).count(b"\n") == 12


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
    reading = last[3]
    assert reading.name == "note"
    assert [(p.paragraph, p.target) for p in reading.pairs] == [
        (0, "Welcome."),
        (0, "How are you?"),
        (1, "This is a short text."),
    ]
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    (only,) = list(handler.translate_file(str(bad), reader.model))
    assert "unsupported file type" in only[1]


def test_rows_stream_in_before_the_article_is_done(reader, seed_text, monkeypatch, tmp_path) -> None:
    import ui.app

    monkeypatch.setattr(ui.app, "STREAM_INTERVAL", 0.0)
    handler = Reader(reader.pool, downloads=tmp_path)
    updates = list(handler.translate_text("\n".join([seed_text] * 3), reader.model))
    views = [u[2] for u in updates if isinstance(u[2], str)]
    pending = [v.count("tj-pending") for v in views]
    assert pending[0] == 36  # the Arabic is shown at once, every row waiting
    assert pending[-1] == 0
    assert any(0 < p < 36 for p in pending)  # and some rows arrived while others were still waiting
    assert pending == sorted(pending, reverse=True)


def test_edits_go_into_the_downloads(reader, tmp_path: Path) -> None:
    pairs = tuple(reader.pool.get(reader.model).translate_text("مرحبا بكم. كيف حالك؟"))
    handler = Reader(reader.pool, downloads=tmp_path)
    reading = Reading(name="doc", model=reader.model, pairs=pairs)
    event = gr.EventData(None, {"index": 1, "text": "  How   are you doing?\n"})
    new, status, tsv, jsonl, tmx = handler.edit(reading, event)
    assert new.pairs[1] == dataclasses.replace(pairs[1], target="How are you doing?", edited=True)
    assert new.pairs[0] == pairs[0]
    assert "Correction saved (sentence 2)" in status
    rows = list(read_tsv(io.StringIO(Path(tsv.value["path"]).read_text(encoding="utf-8"))))
    assert [(r.target, r.edited) for r in rows] == [("Welcome.", False), ("How are you doing?", True)]
    assert '"edited": true' in Path(jsonl.value["path"]).read_text(encoding="utf-8")
    assert '<prop type="x-origin">human</prop>' in Path(tmx.value["path"]).read_text(encoding="utf-8")
    # An empty correction, a bad index or no document change nothing.
    for data in ({"index": 0, "text": "   "}, {"index": 7, "text": "x"}, {"index": 0, "text": "Welcome."}):
        assert handler.edit(new, gr.EventData(None, data)) == (gr.skip(),) * 5
    # The same correction sent again (the page retries one it saw no answer to) is confirmed, not redone.
    again = handler.edit(new, gr.EventData(None, {"index": 1, "text": "How are you doing?"}))
    assert again[0] == gr.skip() and again[2:] == (gr.skip(),) * 3
    assert 'data-saved="{&quot;1&quot;: &quot;How are you doing?&quot;}"' in again[1]
