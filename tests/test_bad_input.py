"""Every kind of bad input, for the CLI and for the reader: one clear line each, never a traceback.

The CLI must exit 1 (bad input, the rest of the batch done) or 2 (bad usage);
the reader must show the message in the page and keep serving.
"""

from __future__ import annotations

import codecs
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_model import exact_model_args
from gradio_client import Client

from translate.cli import main
from ui.handlers import Reader

ROOT = Path(__file__).parent.parent
GOOD = "مرحبا بكم."
NAV_ONLY_PAGE = """<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>الموقع</title></head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/sport">رياضة</a></li>
<li><a href="/eco">اقتصاد</a></li></ul></nav>
<div class="menu"><a href="/a">أخبار</a> | <a href="/b">فيديو</a> | <a href="/c">صور</a></div>
<h2>تسجيل الدخول</h2><form><input name="user"><button>دخول</button></form>
<footer>جميع الحقوق محفوظة — سياسة الخصوصية — اتصل بنا</footer></body></html>"""

# (case, file bytes, exit code, message); exit code 0 means the input is good and must translate.
FILE_CASES = [
    ("empty", b"", 1, "no text to translate (it is empty or holds only whitespace)"),
    ("whitespace", b" \n\t\r\n\xe2\x80\x8b\n", 1, "no text to translate"),
    # An executable, not an image: a PNG named .txt is said to be an image when uploaded (UPLOAD_CASES).
    ("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", 1, "looks like a binary file (NUL byte at offset 7)"),
    ("invalid-utf8", "café".encode("latin-1"), 1, "not valid UTF-8 (byte 0xe9 at offset 3)"),
    ("windows-1256", "مرحبا بكم.".encode("cp1256"), 0, ""),
    ("utf16-bom", GOOD.encode("utf-16"), 0, ""),
    ("utf16-bom-broken", codecs.BOM_UTF16_LE + b"\x00\xd8", 1, "not valid UTF-16"),
    ("utf8-bom", codecs.BOM_UTF8 + GOOD.encode(), 0, ""),
]


@pytest.fixture
def cli(model_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    return _run


@pytest.mark.parametrize(("case", "data", "code", "message"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_cli_bad_files(cli, tmp_path: Path, model_dir: Path, case: str, data: bytes, code: int, message: str) -> None:
    path = tmp_path / f"{case}.txt"
    path.write_bytes(data)
    got, out, err = cli("translate", str(path), *exact_model_args(model_dir), "-q")
    assert got == code, err
    if code:
        assert err.startswith(f"error: {path}: ") and message in err
        assert len(err.splitlines()) == 1 and out == ""
    else:
        assert out.splitlines()[1].endswith(f"{GOOD}\tWelcome.")


def test_cli_batch_of_every_bad_file_still_translates_the_good_ones(
    cli, tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for case, data, _, _ in FILE_CASES:
        (src / f"{case}.txt").write_bytes(data)
    unreadable = src / "unreadable.txt"
    unreadable.write_text(GOOD, encoding="utf-8")
    unreadable.chmod(0)
    (src / "folder.txt").mkdir()  # a folder named like a text file is not a file to translate
    out = tmp_path / "out"
    args = ["translate", str(src), str(tmp_path / "missing.txt"), "--out-dir", str(out), *exact_model_args(model_dir)]
    if os.geteuid() == 0:  # root reads mode-000 files; make this one fail the way it fails for a user
        _unreadable_for_root(unreadable, monkeypatch)
    code, _, err = cli(*args)
    assert code == 1
    bad = [c for c, _, expected, _ in FILE_CASES if expected] + ["unreadable"]
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == len(bad) + 1, err  # + missing.txt
    assert f"error: {unreadable}: cannot read it (Permission denied)" in errors
    assert f"error: {tmp_path / 'missing.txt'}: no such file" in errors
    good = sorted(f"{c}.tsv" for c, _, expected, _ in FILE_CASES if not expected)
    assert sorted(p.name for p in out.iterdir()) == good


def _unreadable_for_root(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["translate", "seeds"], 2, "need --out-dir"),
        (
            ["translate", "{empty_dir}", "--out-dir", "{tmp}/o"],
            1,
            "folder has no .txt, .html, .htm, .docx, .md, .srt, .vtt, .pdf or .epub files",
        ),
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "no-such-model"], 2, "unknown model 'no-such-model'"),
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "{partial_model}"], 1, "missing source.spm"),
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "{corrupt_model}"], 1, "re-download it"),
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "{tmp}/nowhere"], 1, "no model directory at"),
        (["translate", "seeds/khan-tuman.ar.txt", "--model", "opus-mt-ar-en", "--offline"], 1, "tarjama download"),
        (["translate", "seeds/khan-tuman.ar.txt", "--out-dir", "{file}"], 2, "is a file; give a folder"),
        (["translate", "seeds/khan-tuman.ar.txt", "--batch-size", "0"], 2, "--batch-size: must be at least 1"),
    ],
)
def test_cli_bad_usage_and_models(cli, tmp_path: Path, model_dir: Path, argv: list[str], code: int, message: str):
    (tmp_path / "empty").mkdir()
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(model_dir / "config.json", partial)
    corrupt = tmp_path / "corrupt"
    shutil.copytree(model_dir, corrupt)
    (corrupt / "model.safetensors").write_bytes(b"\0" * 64)
    (tmp_path / "file").write_text("not a folder")
    names = {"empty_dir": tmp_path / "empty", "partial_model": partial, "corrupt_model": corrupt, "tmp": tmp_path}
    names["file"] = tmp_path / "file"
    argv = [a.format(**names) for a in argv]
    if "--model" not in argv:
        argv += [*exact_model_args(model_dir)]
    for backend in ("torch", "ctranslate2"):
        got, out, err = cli(*argv, "--backend", backend)
        assert got == code, err
        assert message in err and out == ""
        assert len([line for line in err.splitlines() if "error" in line]) == 1, err


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 kB filesystem (tmpfs), to run out of space for real."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mount.returncode != 0:  # not root: test_cli's patched ENOSPC write still covers the error path
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_cli_full_disk_fails_one_output_and_keeps_the_others(
    cli, tmp_path: Path, model_dir: Path, tiny_disk: Path, seed_text: str
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(GOOD, encoding="utf-8")
    (src / "b.txt").write_text("\n".join([seed_text] * 30), encoding="utf-8")  # about 270 kB of TSV
    (src / "c.txt").write_text(GOOD, encoding="utf-8")
    (tiny_disk / "b.tsv").write_text("previous result\n", encoding="utf-8")
    code, _, err = cli(
        "translate",
        str(src),
        "--out-dir",
        str(tiny_disk),
        *exact_model_args(model_dir),
        "-q",
    )
    assert code == 1
    assert err == f"error: cannot write output for {src / 'b.txt'}: No space left on device\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["a.tsv", "b.tsv", "c.tsv"]  # no partial file left
    assert (tiny_disk / "b.tsv").read_text(encoding="utf-8") == "previous result\n"
    for name in ("a.tsv", "c.tsv"):
        assert (tiny_disk / name).read_text(encoding="utf-8").endswith(f"{GOOD}\tWelcome.\n")


# The reader: the same files uploaded, with the same messages as the CLI's (an empty upload is
# the file's fault, not a missing upload), plus what only the reader takes (other file types, pages, URLs).
UPLOAD_CASES = [
    *[(f"{case}.txt", data, message) for case, data, _, message in FILE_CASES],
    (
        "notes.odt",
        b"PK\x03\x04",
        "unsupported file type; tarjama reads .txt, .html, .htm, .docx, .md, .srt, .vtt, .pdf, .epub, .png, .jpg, "
        ".jpeg, .tif, .tiff or .webp files",
    ),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx file"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.txt is an image, not text: rename it photo.png"),
    ("menu.html", NAV_ONLY_PAGE.encode(), "no article text found in the page"),
    ("blank.html", b"<html><body></body></html>", "no article text found in the page"),
]


def _last_status(updates: Iterator[tuple]) -> str:
    return [u[1] for u in updates if isinstance(u[1], str)][-1]


@pytest.mark.parametrize(("name", "data", "message"), UPLOAD_CASES, ids=[c[0] for c in UPLOAD_CASES])
def test_reader_bad_uploads(reader, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    status = _last_status(Reader(reader.pool, downloads=tmp_path / "out").translate_file(str(path), reader.model))
    if message:
        assert 'role="alert"' in status and message in status and "Traceback" not in status
    else:
        assert "1 / 1 sentences" in status and 'role="alert"' not in status


@pytest.fixture(scope="module")
def local_site() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(NAV_ONLY_PAGE.encode())

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


PRIVATE = "refusing to fetch from a private or local address"
URL_CASES: list[tuple[str, bool, str]] = [
    ("", False, "give an http:// or https:// address"),
    ("ftp://example.com/article", False, "give an http:// or https:// address"),
    ("file:///etc/passwd", False, "give an http:// or https:// address"),
    ("javascript:alert(1)", False, "give an http:// or https:// address"),
    ("http://127.0.0.1/", False, PRIVATE),
    ("http://localhost:7860/", False, PRIVATE),
    ("http://[::1]/", False, PRIVATE),
    ("http://10.1.2.3/", False, PRIVATE),
    ("http://169.254.169.254/latest/meta-data/", False, PRIVATE),  # cloud metadata
    ("http://0x7f000001/", False, PRIVATE),
    ("http://no-such-host.invalid/", False, "cannot resolve no-such-host.invalid"),
    ("http://127.0.0.1:{closed}/", True, "could not fetch the page"),
    ("{site}/menu", True, "no article text found in the page"),
]


@pytest.mark.parametrize(("url", "allow_private", "message"), URL_CASES, ids=[c[0] or "empty" for c in URL_CASES])
def test_reader_bad_urls(
    reader, tmp_path: Path, free_port: int, local_site: str, url: str, allow_private: bool, message: str
) -> None:
    url = url.format(closed=free_port, site=local_site)
    handler = Reader(reader.pool, downloads=tmp_path, allow_private_urls=allow_private)
    status = _last_status(handler.translate_url(url, reader.model))
    assert 'role="alert"' in status and message in status


def test_reader_keeps_serving_after_bad_input(reader, seed_text, seed_pairs) -> None:
    client = Client(reader.url, verbose=False, download_files=False)
    for text in ["", "  \n", "\u200b"]:
        status = client.predict(text, reader.model, api_name="/reader_translate")[1]
        assert "Nothing to translate" in status
    pairs = client.predict(seed_text, reader.model, api_name="/translate")
    assert [(p["source"], p["target"]) for p in pairs] == seed_pairs
