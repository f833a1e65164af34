"""``tarjama serve``'s links, translated files and API docs (issue 32).

Links (``translatedFileUrl``) come from ``--public-url``, a listed proxy's
``X-Forwarded-Host``, or the address the connection reached, never from
``Host``, and work for any file name; translated files are removed when the
server stops, stale ones at start, the oldest when they pass
``--files-limit``; ``/docs`` and ``/openapi.json`` are tarjama's, reader or
not. Against live servers on loopback with the fixture model, each with its
own temporary folder (``TMPDIR``).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pytest
from fixture_model import seed_sentences
from serving import Running, serving

SEED = seed_sentences()
ENGLISH = SEED[1][1].encode()
"""What ``SEED[1][0]`` sent as a ``.txt`` comes back as."""
KEPT = len(ENGLISH) * 5 // 2
"""``--files-limit`` of the module's server: two translated files fit, a third does not."""


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tmp")


@pytest.fixture(scope="module")
def server(model_dir: Path, tmp: Path, tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp))
        with serving(model_dir, "--no-cache", "--no-reader", "--files-limit", f"{KEPT}b", log=log) as running:
            yield running


def _upload(server: Running, name: str, text: str = SEED[1][0], **kwargs) -> httpx.Response:
    files = {"file": (name, text.encode())}
    return httpx.post(server.url + "/translate_file", files=files, data={"source": "ar", "target": "en"}, **kwargs)


def _link(reply: httpx.Response) -> str:
    assert reply.status_code == 200, reply.text
    return reply.json()["translatedFileUrl"]


@pytest.mark.parametrize("name", ["a#b.txt", "q?x=1.txt", "ملف عربي.txt", "%2e%2e.txt"])
def test_links_point_at_the_server_whatever_the_host_header_and_the_name(server, name: str) -> None:
    link = _link(_upload(server, name, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"}))
    assert link.startswith(server.url + "/download_file/")
    assert "evil" not in link and "#" not in link and "?" not in link
    download = httpx.get(link)
    assert download.status_code == 200 and download.content == ENGLISH
    shown = f"{name[: -len('.txt')]}_en.txt"
    assert unquote(link).endswith("." + shown)
    disposition = download.headers["content-disposition"]
    assert disposition.endswith(f"filename*=UTF-8''{quote(shown, safe='')}")
    assert disposition.count('"') == 2  # the ASCII fallback is quoted once, whatever the name holds


def test_the_oldest_files_make_room_and_one_over_the_limit_is_refused(server) -> None:
    links = [_link(_upload(server, f"{k}.txt")) for k in range(3)]
    assert [httpx.get(link).status_code for link in links] == [404, 200, 200]
    gone = httpx.get(links[0]).json()["error"]
    assert "expired" in gone and "translate it again" in gone
    too_big = _upload(server, "long.txt", text="\n".join([SEED[1][0]] * 3))
    assert too_big.status_code == 507 and "--files-limit" in too_big.json()["error"]
    assert [httpx.get(link).status_code for link in links[1:]] == [200, 200]  # nothing evicted for it


def test_detect_answers_one_result_per_text_of_a_list(server) -> None:
    many = httpx.post(server.url + "/detect", json={"q": [SEED[1][0], "Hello there"]})
    assert many.json() == [[{"confidence": 100.0, "language": "ar"}], [{"confidence": 100.0, "language": "en"}]]
    one = httpx.post(server.url + "/detect", json={"q": SEED[1][0]})
    assert one.json() == [{"confidence": 100.0, "language": "ar"}]
    over = httpx.post(server.url + "/detect", json={"q": ["x"] * 129})
    assert over.status_code == 400 and "exceeds text limit (128)" in over.json()["error"]


def test_docs_are_a_page_of_this_server_alone_and_openapi_is_tarjamas(server) -> None:
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert re.search(r"https?:|//[a-z]", page.text, re.IGNORECASE) is None  # no URL of anywhere else
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page.text)
    assert "openapi.json" in links and all(link == "openapi.json" or link.startswith("#") for link in links)
    assert "<code>/translate</code>" in page.text and "<code>/v1/documents</code>" in page.text
    spec = httpx.get(server.url + "/openapi.json").json()
    assert spec["info"]["title"] == "tarjama" and {"/translate", "/v1/translate", "/docs"} <= set(spec["paths"])
    assert httpx.get(server.url + "/spec").json() == spec


def test_the_schema_describes_every_route_the_server_has(tmp_path: Path) -> None:
    from starlette.routing import Route

    from translate.server.app import build_app
    from translate.server.openapi import openapi
    from translate.server.server import Server

    server = Server(lambda: None, files=tmp_path)  # never loaded: only its routes are looked at
    routes = [route for route in build_app(server).routes if isinstance(route, Route)]
    served = {(route.path, method.lower()) for route in routes for method in route.methods or ()}
    described = {(path, method) for path, item in openapi(server)["paths"].items() for method in item}
    assert len(described) == 16 and {(path, method) for path, method in served if method != "head"} == described


def test_proxy_headers_are_believed_only_from_listed_proxies(model_dir: Path, tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Host": "tarjama.example", "X-Forwarded-Proto": "https"}
    elsewhere = ("--forwarded-allow-ips", "10.1.2.3", "--req-limit", "1")
    with serving(model_dir, "--no-cache", "--no-reader", *elsewhere, log=tmp_path / "a.log") as server:
        link = _link(_upload(server, "note.txt", headers={**forwarded, "X-Forwarded-For": "203.0.113.1"}))
        assert link.startswith(server.url + "/download_file/")
        # X-Forwarded-For is not believed either: the second request is the same client's, over its limit.
        again = httpx.post(server.url + "/detect", json={"q": "x"}, headers={"X-Forwarded-For": "203.0.113.2"})
        assert again.status_code == 429
    here = ("--forwarded-allow-ips", "10.1.2.3,127.0.0.0/8", "--req-limit", "1")
    with serving(model_dir, "--no-cache", "--no-reader", *here, log=tmp_path / "b.log") as server:
        link = _link(_upload(server, "note.txt", headers={**forwarded, "X-Forwarded-For": "203.0.113.1"}))
        assert link.startswith("https://tarjama.example/download_file/")
        assert httpx.get(server.url + urlsplit(link).path).content == ENGLISH
        other = httpx.post(server.url + "/detect", json={"q": "x"}, headers={"X-Forwarded-For": "203.0.113.2"})
        assert other.status_code == 200  # another client, by the proxy's word
        odd = _upload(server, "note.txt", headers={"X-Forwarded-Host": "evil.example/x?", "X-Forwarded-For": "::9"})
        assert _link(odd).startswith(server.url + "/download_file/")  # not a host: ignored


def test_files_are_removed_at_exit_and_those_of_dead_servers_at_start(model_dir: Path, tmp_path: Path) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    stale = tmp_path / f"tarjama-serve-{ended.pid}-old"
    alive = tmp_path / f"tarjama-serve-{os.getpid()}-live"  # this test's own process: a server still running
    unnamed = tmp_path / "tarjama-serve-k2j4h5l6"  # an older tarjama's: whose it is cannot be known
    for folder in (stale, alive, unnamed):
        folder.mkdir()
        (folder / "x.note_en.txt").write_bytes(b"x")
    public = ("--public-url", "https://translate.example.org/tarjama/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(tmp_path))
        # With the reader mounted: the server's own routes come before it, and its lifespan still runs.
        with serving(model_dir, "--no-cache", *public, log=tmp_path / "log") as server:
            assert not stale.exists() and alive.exists() and unnamed.exists()
            (own,) = tmp_path.glob(f"tarjama-serve-{server.process.pid}-*")
            link = _link(_upload(server, "note.txt", headers={"Host": "evil.example"}))
            assert link.startswith("https://translate.example.org/tarjama/download_file/")
            assert len(list(own.iterdir())) == 1
            spec = httpx.get(server.url + "/openapi.json", timeout=60).json()
            assert {"/translate", "/v1/translate"} <= set(spec["paths"])
            assert "<code>/translate</code>" in httpx.get(server.url + "/docs").text
            assert "tarjama reader" in httpx.get(server.url + "/", timeout=60).text
            assert server.stop() in (0, -15)
    assert not own.exists() and alive.exists() and unnamed.exists()


@pytest.mark.parametrize(
    ("scope", "public_url", "expected"),
    [
        ({"scheme": "http", "server": ("127.0.0.1", 5000)}, "", "http://127.0.0.1:5000"),
        ({"scheme": "http", "server": ("::1", 80)}, "", "http://[::1]"),
        ({"scheme": "https", "server": ("10.0.0.2", 443), "root_path": "/t"}, "", "https://10.0.0.2/t"),
        (
            {"scheme": "https", "server": ("10.0.0.2", 5000), "tarjama.forwarded_host": "a.example"},
            "",
            "https://a.example",
        ),
        ({"scheme": "http", "server": ("10.0.0.2", 5000)}, "https://b.example/x", "https://b.example/x"),
        ({"scheme": "http", "server": None}, "", ""),
    ],
)
def test_base_url(scope: dict, public_url: str, expected: str) -> None:
    from translate.server.links import base_url

    assert base_url(scope, public_url) == expected


def test_bad_proxy_lists_and_public_urls_are_refused_in_one_line() -> None:
    from translate.server.links import parse_proxies, parse_public_url

    assert parse_proxies(["127.0.0.1, 10.0.0.0/8", "::1"]) is not None
    assert parse_proxies(["10.0.0.1", "*"]) is None
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an address"):
        parse_proxies(["proxy.example"])
    assert parse_public_url("https://t.example/a/") == "https://t.example/a"
    for bad in ("t.example", "ftp://t.example", "https://t.example/?x=1", "https:///x"):
        with pytest.raises(ValueError, match="give the URL clients reach"):
            parse_public_url(bad)


def test_names_are_kept_safe_for_the_file_system() -> None:
    from translate.server.downloads import NAME_BYTES, safe_name

    assert safe_name("a/b\\c\x00d.txt") == "a_b_c_d.txt"
    long = safe_name("ع" * 400 + ".docx")
    assert long.endswith(".docx") and len(long.encode()) <= NAME_BYTES
    long.encode().decode("utf-8")  # cut between characters, never inside one


def test_the_download_name_cannot_break_its_header() -> None:
    from translate.server.downloads import content_disposition

    header = content_disposition('a"b;c\r\nX: y ملف.txt')
    assert header == (
        'attachment; filename="a_b_c__X_ y ___.txt"; '
        "filename*=UTF-8''a%22b%3Bc%0D%0AX%3A%20y%20%D9%85%D9%84%D9%81.txt"
    )


def test_the_docs_page_escapes_what_the_schema_says() -> None:
    from translate.server.docs import page

    hostile = "<script>alert(1)</script>"
    spec = {
        "info": {"title": hostile, "version": "1", "description": hostile},
        "paths": {
            "/a": {
                "post": {
                    "summary": hostile,
                    "requestBody": {"content": {"application/json": {"schema": {"properties": {hostile: {}}}}}},
                    "responses": {"200": {"description": hostile}},
                }
            }
        },
    }
    text = page(spec)
    assert "<script" not in text and text.count("&lt;script&gt;") == 7  # title twice, summary twice, the rest once
