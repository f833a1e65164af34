"""The reader over raw HTTP on loopback: upload size enforced by the server, no file served outside its outputs."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from gradio_client import Client


def _status(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _upload(reader, name: str, data: bytes) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return _status(f"{reader.url}gradio_api/upload", body, headers)


def test_the_server_enforces_the_upload_limit(reader) -> None:
    status, body = _upload(reader, "big.txt", b"x" * 300_000)  # the test app allows 200 kB
    assert status == 413 and b"maximum allowed size" in body
    assert _upload(reader, "small.txt", "مرحبا بكم.".encode())[0] == 200


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "/proc/self/environ"],
)
def test_files_outside_the_outputs_are_refused(reader, path: str) -> None:
    status, body = _status(f"{reader.url}gradio_api/file={path}")
    assert status in (403, 404) and b"root:" not in body


def test_model_and_memory_files_are_refused_but_downloads_are_served(reader, tmp_path) -> None:
    from translate.memory import TranslationMemory

    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    memory.store_human("سر", "secret")
    for secret in (f"{reader.model}/config.json", str(memory.path)):
        assert (tmp_path / "memory.sqlite3").exists()
        assert _status(f"{reader.url}gradio_api/file={urllib.parse.quote(secret)}")[0] in (403, 404)
    client = Client(reader.url, verbose=False, download_files=False)
    outputs = client.predict("مرحبا بكم.", reader.model, api_name="/reader_translate")
    status, body = _status(outputs[4]["value"]["url"])  # the TSV download
    assert status == 200 and body.startswith(b"index\tparagraph\tsource\ttarget\n")
