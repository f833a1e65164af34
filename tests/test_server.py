"""``tarjama serve`` (issue 26): LibreTranslate's API as its real clients call it, tarjama's /v1, limits, faults.

One server process for most tests, with the fixture model at float32 (where
it gives its English exactly), on a loopback port, inside the tests' network
namespace; tests that need other options start their own.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import re
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from fixture_model import seed_sentences
from serving import Running, serving
from tracing import beyond_loopback, needs_strace, strace_prefix

from translate.quality import REVIEW_HINT

SEED = seed_sentences()
NAME = "خان طومان"


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with serving(model_dir, "--no-cache", "--no-reader", "--alternatives-limit", "3", log=log) as running:
        yield running


def _post(server: Running, path: str = "/translate", **kwargs) -> httpx.Response:
    return httpx.post(server.url + path, timeout=120, **kwargs)


# LibreTranslate's API, as it is called.
def test_a_string_and_a_list_come_back_as_a_string_and_a_list(server) -> None:
    one = _post(server, json={"q": SEED[0][0], "source": "ar", "target": "en"})
    assert one.status_code == 200 and one.json() == {"translatedText": SEED[0][1]}
    many = _post(server, json={"q": [SEED[1][0], SEED[2][0]], "source": "ar", "target": "en"}).json()
    assert many == {"translatedText": [SEED[1][1], SEED[2][1]]}


def test_text_keeps_its_lines_and_sentences_their_places(server) -> None:
    text = f"{SEED[2][0]} {SEED[3][0]}\n\n{SEED[4][0]}\n"
    answer = _post(server, json={"q": text, "source": "ar", "target": "en"}).json()["translatedText"]
    assert answer == f"{SEED[2][1]} {SEED[3][1]}\n\n{SEED[4][1]}\n"


def test_form_bodies_and_the_query_string_are_read_as_libretranslate_reads_them(server) -> None:
    form = _post(server, data={"q": SEED[1][0], "source": "ar", "target": "en"})
    assert form.json() == {"translatedText": SEED[1][1]}
    query = _post(server, params={"q": SEED[1][0], "source": "ar", "target": "en", "format": "text", "api_key": "x"})
    assert query.json() == {"translatedText": SEED[1][1]}


def test_auto_detects_arabic_and_leaves_other_text_as_it_came(server) -> None:
    body = _post(server, json={"q": [SEED[1][0], "Hello there"], "source": "auto", "target": "en"}).json()
    assert body["translatedText"] == [SEED[1][1], "Hello there"]
    (arabic, english) = body["detectedLanguage"]
    assert arabic["language"] == "ar" and arabic["confidence"] == 100.0
    assert english["language"] == "en" and english["confidence"] == 100.0
    detected = _post(server, "/detect", data={"q": "مرحبا بالعالم hello"}).json()
    assert detected[0]["language"] == "ar" and 50 < detected[0]["confidence"] < 100


def test_html_keeps_its_tags_on_the_aligned_words(server) -> None:
    first = SEED[0][0]
    at = first.index(NAME)
    html = f'<p>{first[:at]}<b>{NAME}</b>{first[at + len(NAME) :]}</p><p><a href="/x">{SEED[1][0]}</a></p>'
    body = _post(server, json={"q": [html], "source": "ar", "target": "en", "format": "html", "api_key": None})
    (english,) = body.json()["translatedText"]
    bold = re.search(r"<b>(.+?)</b>", english)
    assert bold and bold.group(1).strip() in SEED[0][1]
    assert re.sub(r"<[^>]+>", "", english) == SEED[0][1] + SEED[1][1]
    assert '<a href="/x">' in english


def test_alternatives_are_other_whole_translations(server) -> None:
    body = _post(server, json={"q": SEED[1][0], "source": "ar", "target": "en", "alternatives": 2}).json()
    assert body["translatedText"] == SEED[1][1]
    assert 1 <= len(body["alternatives"]) <= 2 and SEED[1][1] not in body["alternatives"]
    assert all(isinstance(a, str) and a for a in body["alternatives"])
    too_many = _post(server, json={"q": SEED[1][0], "source": "ar", "target": "en", "alternatives": 9})
    assert too_many.status_code == 400 and "must be <= 3" in too_many.json()["error"]


def test_languages_settings_health_and_spec(server) -> None:
    languages = httpx.get(server.url + "/languages").json()
    assert {"code": "ar", "name": "Arabic", "targets": ["en"]} in languages
    assert httpx.get(server.url + "/health").json() == {"status": "ok"}
    settings = httpx.get(server.url + "/frontend/settings").json()
    assert settings["charLimit"] == 20_000 and ".docx" in settings["supportedFilesFormat"]
    spec = httpx.get(server.url + "/spec").json()
    assert spec["openapi"].startswith("3.") and {"/translate", "/v1/translate", "/v1/documents"} <= set(spec["paths"])


def test_real_clients_work_unchanged(server) -> None:
    from deep_translator import LibreTranslator
    from libretranslatepy import LibreTranslateAPI

    client = LibreTranslateAPI(server.url)
    assert client.translate(SEED[3][0], "ar", "en") == SEED[3][1]
    assert client.detect(SEED[3][0])[0]["language"] == "ar"
    assert any(language["code"] == "ar" for language in client.languages())
    # deep-translator sends every field in the query string and needs some key (the server ignores it).
    deep = LibreTranslator(source="ar", target="en", custom_url=server.url + "/", api_key="unused")
    assert deep.translate(SEED[4][0]) == SEED[4][1]


def test_what_mastodon_and_weblate_send(server) -> None:
    # Mastodon: JSON, a list, format html, api_key null; it reads a list back, and detectedLanguage per text.
    mastodon = _post(
        server,
        json={"q": [f"<p>{SEED[1][0]}</p>", ""], "source": "auto", "target": "en", "format": "html", "api_key": None},
        headers={"Content-Type": "application/json"},
    ).json()
    assert mastodon["translatedText"] == [f"<p>{SEED[1][1]}</p>", ""]
    assert mastodon["detectedLanguage"][0]["language"] == "ar"
    # Weblate: JSON, a list, an empty key, no format.
    weblate = _post(server, json={"api_key": "", "q": [SEED[2][0], SEED[5][0]], "source": "ar", "target": "en"})
    assert weblate.json()["translatedText"] == [SEED[2][1], SEED[5][1]]


# tarjama's own API.
def test_v1_gives_aligned_pairs_and_streams_them(server) -> None:
    text = f"{SEED[2][0]} {SEED[3][0]}"
    body = _post(server, "/v1/translate", json={"text": text}).json()
    assert [p["translation"]["en"] for p in body["pairs"]] == [SEED[2][1], SEED[3][1]]
    assert all(p["alignment"] and p["score"] is not None for p in body["pairs"])
    with httpx.stream("POST", server.url + "/v1/translate", json={"text": text, "stream": True}, timeout=60) as reply:
        assert reply.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in reply.iter_lines() if line]
    assert [p["translation"]["en"] for p in lines] == [SEED[2][1], SEED[3][1]]
    assert _metric(server, "tarjama_queue_sentences") == 0  # the stream gave its place in the queue back


def test_documents_come_back_as_themselves(server, tmp_path: Path) -> None:
    import docx

    source = docx.Document()
    source.add_paragraph(SEED[1][0])
    path = tmp_path / "note.docx"
    source.save(path)
    reply = _post(server, "/v1/documents", files={"file": ("note.docx", path.read_bytes())})
    assert reply.status_code == 200 and "note.en.docx" in reply.headers["content-disposition"]
    (tmp_path / "en.docx").write_bytes(reply.content)
    assert [p.text for p in docx.Document(tmp_path / "en.docx").paragraphs] == [SEED[1][1]]
    # LibreTranslate's file route: a link to download it.
    linked = _post(
        server,
        "/translate_file",
        files={"file": ("note.docx", path.read_bytes())},
        data={"source": "ar", "target": "en"},
    ).json()
    download = httpx.get(linked["translatedFileUrl"])
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert json.loads(reply.headers["x-tarjama-warnings"]) == linked["warnings"]  # the same, in both routes


def test_a_documents_warnings_come_with_it(server, model_dir: Path, tmp_path: Path, capsys) -> None:
    # What the CLI warns about a file (its checks, what it could not keep) comes with the file from the server.
    from translate.cli import main

    changed = SEED[8][0].replace("73", "72")  # the fixture model has learnt 73
    page = f"<html><body><p>{SEED[0][0]}</p><p>{changed}</p><p>{SEED[1][0]}</p></body></html>"
    source = tmp_path / "truces.html"
    source.write_text(page, encoding="utf-8")
    # The server's model settings (tests/serving.py): float32, no memory.
    model = ["--model", str(model_dir), "--compute-type", "float32", "--no-cache"]
    assert main(["translate", str(source), "-o", str(tmp_path / "en.html"), *model]) == 0
    hint = "; " + REVIEW_HINT
    said = capsys.readouterr().err.splitlines()  # "warning: /tmp/…/truces.html: …" (the CLI names the path given)
    expected = [
        "truces.html: " + line.split("truces.html: ", 1)[1].removesuffix(hint)
        for line in said
        if "truces.html: " in line
    ]
    assert expected  # this page has something to warn about, or the test would show nothing
    reply = _post(server, "/v1/documents", files={"file": ("truces.html", page.encode())})
    assert reply.status_code == 200 and reply.headers["x-tarjama-warnings"].isascii()  # Arabic as \u escapes
    assert json.loads(reply.headers["x-tarjama-warnings"]) == expected
    linked = _post(
        server, "/translate_file", files={"file": ("truces.html", page.encode())}, data={"source": "ar", "target": "en"}
    ).json()
    assert linked["warnings"] == expected


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_pdf_comes_back_as_a_pdf_in_english(server, tmp_path: Path) -> None:
    import pikepdf
    from test_pdf_write import ARABIC_LETTER, report_pdf

    source = report_pdf(tmp_path).read_bytes()
    reply = _post(server, "/v1/documents", files={"file": ("report.pdf", source)})
    assert reply.status_code == 200 and "report.en.pdf" in reply.headers["content-disposition"]
    linked = _post(
        server, "/translate_file", files={"file": ("report.pdf", source)}, data={"source": "ar", "target": "en"}
    ).json()
    assert linked["translatedFileUrl"].endswith("_en.pdf")
    download = httpx.get(linked["translatedFileUrl"])
    for written in (reply.content, download.content):
        (tmp_path / "en.pdf").write_bytes(written)
        with pikepdf.open(tmp_path / "en.pdf") as pdf:
            assert len(pdf.pages) == 1 and pdf.docinfo.Title == SEED[2][1]
        text = subprocess.run(["pdftotext", str(tmp_path / "en.pdf"), "-"], capture_output=True, text=True).stdout
        flowing = " ".join(text.split())
        assert " ".join(SEED[0][1].split()) in flowing and SEED[2][1] in flowing and not ARABIC_LETTER.search(text)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed (tesseract-ocr-ara)")
def test_a_scanned_image_comes_back_as_a_word_document_and_a_scanned_pdf_as_a_pdf(server, tmp_path: Path) -> None:
    import docx
    from PIL import Image, ImageDraw, ImageFont
    from test_pdf_write import ARABIC_LETTER

    page = Image.new("L", (1700, 220), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    ImageDraw.Draw(page).text((1650, 80), SEED[1][0], font=font, fill=0, anchor="ra", direction="rtl")
    scan = io.BytesIO()
    page.save(scan, format="PNG", dpi=(200, 200))
    reply = _post(server, "/v1/documents", files={"file": ("note.png", scan.getvalue())})
    assert reply.status_code == 200 and "note.en.docx" in reply.headers["content-disposition"]
    (tmp_path / "en.docx").write_bytes(reply.content)
    english = " ".join(p.text for p in docx.Document(tmp_path / "en.docx").paragraphs)
    assert re.search(r"[A-Za-z]{3}", english) and not re.search(r"[\u0600-\u06ff]", english)
    linked = _post(
        server, "/translate_file", files={"file": ("note.png", scan.getvalue())}, data={"source": "ar", "target": "en"}
    ).json()
    assert linked["translatedFileUrl"].endswith("note_en.docx")
    # A scanned PDF comes back as its own page, the English over its scan, with warnings.
    pdf = io.BytesIO()
    page.save(pdf, format="PDF", resolution=200)
    reply = _post(server, "/v1/documents", files={"file": ("note.pdf", pdf.getvalue())})
    assert reply.status_code == 200 and "note.en.pdf" in reply.headers["content-disposition"]
    assert isinstance(json.loads(reply.headers["x-tarjama-warnings"]), list)
    (tmp_path / "en.pdf").write_bytes(reply.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "en.pdf"), "-"], capture_output=True, text=True).stdout
    assert re.search(r"[A-Za-z]{3}", text) and not ARABIC_LETTER.search(text)
    linked = _post(
        server, "/translate_file", files={"file": ("note.pdf", pdf.getvalue())}, data={"source": "ar", "target": "en"}
    ).json()
    assert linked["translatedFileUrl"].endswith("note_en.pdf")


def _peak_mb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024


def test_an_upload_that_lies_or_is_misnamed_is_refused_in_one_line(server) -> None:
    from test_hostile_files import _lying_zip

    bomb = _lying_zip({"[Content_Types].xml": b"<Types/>"}, "word/document.xml")  # 1,000 MB said to be 4 KB
    before = _peak_mb(server.process.pid)
    reply = _post(server, "/v1/documents", files={"file": ("bomb.docx", bomb)})
    assert reply.status_code == 400 and "\n" not in reply.json()["error"]
    assert "bomb.docx: word/document.xml cannot be unpacked (Bad CRC-32" in reply.json()["error"]
    assert _peak_mb(server.process.pid) - before < 300  # it stopped at the 4 KB declared
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    reply = _post(server, "/v1/documents", files={"file": ("report.pdf", buffer.getvalue())})
    assert reply.status_code == 400
    assert reply.json()["error"].endswith("report.pdf is a Word document (.docx), not a PDF: rename it report.docx")


# Bad input: a 4xx with {"error"}, never a 500 or a traceback.
@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
        ({"content": b"[1, 2]", "headers": {"Content-Type": "application/json"}}, 400, "Invalid JSON format"),
        ({"json": {"q": 5, "source": "ar", "target": "en"}}, 400, "q must be a string or a list of strings"),
        ({"json": {"q": ["a", 7], "source": "ar", "target": "en"}}, 400, "q must be a string or a list"),
        ({"json": {"source": "ar", "target": "en"}}, 400, "missing q parameter"),
        ({"json": {"q": "x", "target": "en"}}, 400, "missing source parameter"),
        ({"json": {"q": "x", "source": "fr", "target": "en"}}, 400, "fr is not supported"),
        ({"json": {"q": "x", "source": "ar", "target": "en", "format": "pdf"}}, 400, "pdf format is not supported"),
        ({"json": {"q": "x", "source": "ar", "target": "en", "alternatives": "many"}}, 400, "must be a whole number"),
        ({"json": {"q": ["مرحبا"] * 100_000, "source": "ar", "target": "en"}}, 413, "at most 1,000,000 bytes"),
        ({"json": {"q": ["مرحبا"] * 200, "source": "ar", "target": "en"}}, 400, "request (200) exceeds text limit"),
        ({"json": {"q": "م" * 20_001, "source": "ar", "target": "en"}}, 400, "exceeds text limit (20000)"),
        ({"content": b"\xff\xfe" * 10, "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
        (
            {
                "content": b"q=%FF%FE&source=ar&target=en",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            400,
            None,
        ),
        (
            {"content": b"[" * 100_000 + b"]" * 100_000, "headers": {"Content-Type": "application/json"}},
            400,
            "not valid JSON",
        ),
        ({"content": b"0" * 50_000_000, "headers": {"Content-Type": "application/json"}}, 413, "at most 1,000,000"),
    ],
    ids=[
        "bad-json",
        "json-array",
        "q-number",
        "q-list-of-mixed",
        "no-q",
        "no-source",
        "unknown-source",
        "unknown-format",
        "alternatives-word",
        "100000-strings",
        "over-batch-limit",
        "over-char-limit",
        "invalid-utf8-json",
        "invalid-utf8-form",
        "deeply-nested",
        "50mb-body",
    ],
)
def test_bad_requests_are_answered_in_one_line(server, kwargs, status, message) -> None:
    reply = _post(server, **kwargs)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert isinstance(error, str) and "Traceback" not in error and "\n" not in error
    if message:
        assert message in error


def test_no_route_answers_500_to_wrong_methods_or_paths(server) -> None:
    assert httpx.get(server.url + "/translate").status_code == 405
    assert httpx.post(server.url + "/languages").status_code == 405
    assert httpx.get(server.url + "/download_file/..%2F..%2Fetc%2Fpasswd").status_code in (404, 400)
    assert httpx.get(server.url + "/download_file/nothing.txt").status_code == 404


# Batches across requests, and every answer the CLI's.
def test_concurrent_requests_share_batches_and_get_their_own_answers(server, model_dir: Path) -> None:
    from translate import TranslationOptions, Translator

    translator = Translator(model_dir, TranslationOptions(compute_type="float32"))
    sentences = [arabic for arabic, _ in SEED] * 4
    expected = {s: " ".join(p.target for p in translator.translate_text(s)) for s in set(sentences)}
    before = _metric(server, "tarjama_batch_sentences_count"), _metric(server, "tarjama_sentences_total")

    def ask(sentence: str) -> tuple[str, str]:
        reply = _post(server, json={"q": sentence, "source": "ar", "target": "en"})
        return sentence, reply.json()["translatedText"]

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(ask, sentences))
    assert len(answers) == len(sentences)  # none lost
    assert all(english == expected[arabic] for arabic, english in answers)
    batches = _metric(server, "tarjama_batch_sentences_count") - before[0]
    translated = _metric(server, "tarjama_sentences_total") - before[1]
    assert translated >= len(sentences) and batches < translated  # some batch held several requests' sentences


def _metric(server: Running, name: str) -> float:
    text = httpx.get(server.url + "/metrics").text
    found = re.search(rf"^{name} ([0-9.e+]+)$", text, re.MULTILINE)
    assert found, name
    return float(found.group(1))


def test_a_client_that_goes_away_frees_its_work(server) -> None:
    text = "\n".join(arabic for arabic, _ in SEED) * 3
    body = json.dumps({"q": text, "source": "ar", "target": "en"}).encode()
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(
            b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 60
    while _metric(server, "tarjama_queue_sentences") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _metric(server, "tarjama_queue_sentences") == 0
    assert _post(server, json={"q": SEED[1][0], "source": "ar", "target": "en"}).json()["translatedText"] == SEED[1][1]


def test_a_slow_client_holds_up_no_one_else(server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(
            b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
        )
        started = time.monotonic()
        reply = _post(server, json={"q": SEED[1][0], "source": "ar", "target": "en"})
        assert reply.json()["translatedText"] == SEED[1][1] and time.monotonic() - started < 30
        slow.sendall(b'"q": "')  # still trickling: the server keeps waiting for it, no one else does


# Limits, keys and faults: servers of their own.
def test_a_full_queue_answers_429_with_retry_after(model_dir: Path, tmp_path: Path) -> None:
    text = "\n".join(arabic for arabic, _ in SEED)
    with serving(model_dir, "--no-cache", "--no-reader", "--max-queue", "12", log=tmp_path / "log") as server:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(lambda _: _post(server, json={"q": text, "source": "ar", "target": "en"}), range(8))
            )
    statuses = sorted(r.status_code for r in replies)
    assert statuses[0] == 200 and statuses[-1] == 429
    refused = next(r for r in replies if r.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1 and "busy" in refused.json()["error"]
    assert all(r.json()["translatedText"] == "\n".join(e for _, e in SEED) for r in replies if r.status_code == 200)


def test_api_keys_and_their_limits(model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from translate.cli import main

    keys = tmp_path / "keys.sqlite3"
    assert main(["serve", "keys", "add", "--api-keys", str(keys), "--req-limit", "2", "--name", "test"]) == 0
    key = capsys.readouterr().out.strip()  # shown this once: the file keeps its hash
    asked = {"q": SEED[1][0], "source": "ar", "target": "en"}
    with serving(model_dir, "--no-cache", "--api-keys", str(keys), log=tmp_path / "log") as server:
        assert _post(server, json=asked).status_code == 403
        assert _post(server, json={**asked, "api_key": "wrong"}).json() == {"error": "Invalid API key"}
        assert _post(server, json={**asked, "api_key": key}).json() == {"translatedText": SEED[1][1]}
        assert _post(server, json={**asked, "api_key": key}).status_code == 200
        slow = _post(server, json={**asked, "api_key": key})
        assert slow.status_code == 429 and slow.json()["error"] == "Slowdown: 2 per 1 minute"
        assert int(slow.headers["Retry-After"]) >= 1
        assert httpx.get(server.url + "/languages").status_code == 200  # no key needed to look


def test_sigterm_answers_every_accepted_request_then_exits(model_dir: Path, tmp_path: Path) -> None:
    text = "\n".join(arabic for arabic, _ in SEED)
    english = "\n".join(e for _, e in SEED)
    with serving(model_dir, "--no-cache", "--no-reader", log=tmp_path / "log") as server:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(_post, server, json={"q": text, "source": "ar", "target": "en"}) for _ in range(6)]
            time.sleep(1.0)  # accepted, and in the model's queue
            server.process.send_signal(signal.SIGTERM)
            replies = [f.result() for f in futures]
        # uvicorn exits by the signal it finished on, once every accepted request is answered.
        assert server.process.wait(120) in (0, -signal.SIGTERM)
    assert [r.status_code for r in replies] == [200] * 6
    assert all(r.json()["translatedText"] == english for r in replies)


def test_health_is_ready_only_once_the_model_is_loaded(model_dir: Path, tmp_path: Path) -> None:
    import threading

    from starlette.testclient import TestClient

    from translate import TranslationOptions
    from translate.backend import load_backend
    from translate.registry import resolve_model
    from translate.server.app import build_app
    from translate.server.server import Server
    from translate.server.service import Service

    release = threading.Event()
    options = TranslationOptions(compute_type="float32")

    def load() -> Service:
        release.wait(60)
        return Service(load_backend(resolve_model(str(model_dir), local_files_only=True), options), options)

    with TestClient(build_app(Server(load, files=tmp_path))) as client:
        waiting = client.get("/health")
        assert waiting.status_code == 503 and waiting.json() == {"status": "loading"}
        early = client.post("/translate", json={"q": SEED[1][0], "source": "ar", "target": "en"})
        assert early.status_code == 503 and "still loading" in early.json()["error"]
        assert int(early.headers["Retry-After"]) >= 1
        release.set()
        deadline = time.monotonic() + 60
        while client.get("/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.post("/translate", json={"q": SEED[1][0], "source": "ar", "target": "en"}).json() == {
            "translatedText": SEED[1][1]
        }


@needs_strace
def test_nothing_phones_out(model_dir: Path, tmp_path: Path) -> None:
    # The reader is mounted too (Gradio checks for updates on its own unless told not to).
    trace = tmp_path / "connects.trace"
    with serving(model_dir, "--no-cache", log=tmp_path / "log", prefix=strace_prefix(str(trace))) as server:
        assert _post(server, json={"q": SEED[1][0], "source": "ar", "target": "en"}).status_code == 200
        assert "tarjama reader" in httpx.get(server.url + "/", timeout=60).text
        time.sleep(2)  # what a library does on its own a moment after start
        assert server.stop() in (0, -signal.SIGTERM)
    text = trace.read_text()
    assert "+++ killed by SIGTERM +++" in text or "+++ exited with 0 +++" in text  # strace followed the server
    assert beyond_loopback(text) == []


def test_translated_files_are_kept_thirty_minutes(tmp_path: Path) -> None:
    import os

    from translate.server.downloads import FILE_LIFETIME, Downloads

    files = Downloads(tmp_path, limit=1_000)
    old, new = files.put("old_en.docx", b"x"), files.put("new_en.docx", b"y")
    expired = time.time() - FILE_LIFETIME - 60
    os.utime(tmp_path / old, (expired, expired))
    assert files.find(old) is None and files.find(new) == tmp_path / new  # expired: not served, even before…
    files.forget_old()
    assert not (tmp_path / old).exists() and (tmp_path / new).exists()  # …it is removed
