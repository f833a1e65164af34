"""translate/sources.py: article text from .txt, .html, .docx, .md files and from URLs."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate import InputError
from translate.sources import check_url, text_from_file, text_from_url

ARTICLE = [
    "خان طومان قرية صغيرة تقع على الطريق الدولي في الريف الجنوبي لحلب، وهي شريان الدعم اللوجستي لقوات النظام.",
    "لكن هذه القرية الصغيرة تتصدر مسرح العمليات في سورية وتأخذ المعارك فيها مشهد معركة كبيرة جدا.",
]
PAGE = f"""<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر</title></head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/sport">رياضة</a></li>
<li><a href="/eco">اقتصاد</a></li></ul></nav>
<article><h1>عنوان الخبر</h1><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p></article>
<footer>جميع الحقوق محفوظة — سياسة الخصوصية — اتصل بنا</footer></body></html>"""


def test_txt(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(ARTICLE).encode())
    assert text_from_file(path) == "\n".join(ARTICLE)


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_keeps_the_article_and_drops_the_page_furniture(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"page{suffix}"
    path.write_text(PAGE, encoding="utf-8")
    text = text_from_file(path)
    assert all(sentence in text.splitlines() for sentence in ARTICLE)
    assert "رياضة" not in text and "سياسة الخصوصية" not in text


def test_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for sentence in ARTICLE:
        document.add_paragraph(sentence)
    document.add_paragraph("   ")
    path = tmp_path / "article.docx"
    document.save(str(path))
    assert text_from_file(path) == "\n".join(ARTICLE)


def test_docx_keeps_table_text_in_document_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("عنوان الخبر")
    table = document.add_table(rows=3, cols=2)
    header = table.cell(0, 0).merge(table.cell(0, 1))  # one cell spanning both columns
    header.text = "حلب - وكالات"
    table.cell(1, 0).text = ARTICLE[0]
    body = table.cell(1, 1)
    body.text = ARTICLE[1]
    body.add_paragraph("وتستمر المعارك.")
    nested = body.add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "الجدول الداخلي"
    nested.cell(0, 1).text = "خلية ثانية"
    side = table.cell(2, 0).merge(table.cell(1, 0))  # a vertical merge: row 2 continues row 1
    assert side.text == ARTICLE[0]
    document.add_paragraph("انتهى الخبر.")
    path = tmp_path / "news.docx"
    document.save(str(path))
    assert text_from_file(path).splitlines() == [
        "عنوان الخبر",
        "حلب - وكالات",
        ARTICLE[0],
        ARTICLE[1],
        "وتستمر المعارك.",
        "الجدول الداخلي",
        "خلية ثانية",
        "انتهى الخبر.",
    ]


def test_txt_in_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("\r\n".join(ARTICLE).encode("cp1256"))
    assert text_from_file(path) == "\r\n".join(ARTICLE)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "scan.odt",
            b"PK\x03\x04",
            "scan.odt: unsupported file type; tarjama reads "
            ".txt, .html, .htm, .docx, .md, .srt, .vtt, .pdf, .epub, .png, .jpg, .jpeg, .tif, .tiff or .webp files",
        ),
        ("broken.docx", b"PK\x03\x04 not really a zip", "broken.docx: not a readable .docx file"),
        ("fake.docx", "نص عادي".encode(), "fake.docx is a plain text file, not a Word document: rename it fake.txt"),
        ("latin1.txt", "café".encode("latin-1"), "latin1.txt: not valid UTF-8 (byte 0xe9 at offset 3), nor Arabic"),
        ("empty.html", b"<html><body><script>var a = 1;</script></body></html>", "empty.html: no article text found"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        text_from_file(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "give an http:// or https:// address"),
        ("file:///etc/passwd", "give an http:// or https:// address"),
        ("ftp://example.com/a.html", "give an http:// or https:// address"),
        ("javascript:alert(1)", "give an http:// or https:// address"),
        ("http://127.0.0.1:8000/", "refusing to fetch from a private or local address (127.0.0.1)"),
        ("http://localhost/", "refusing to fetch from a private or local address"),
        ("http://10.1.2.3/", "refusing to fetch from a private or local address (10.1.2.3)"),
        ("http://192.168.0.10/", "refusing to fetch from a private or local address"),
        ("http://169.254.169.254/latest/meta-data/", "refusing to fetch from a private or local address"),
        ("http://[::1]:8080/", "refusing to fetch from a private or local address (::1)"),
        ("http://0.0.0.0/", "refusing to fetch from a private or local address"),
    ],
)
def test_urls_that_are_refused(url: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_url(url)
    assert message in str(caught.value)


SEEN: list[str] = []
"""Paths the local site was asked for."""


@pytest.fixture
def site() -> Iterator[str]:
    """A tiny web site on loopback: /article.html, /empty.html, anything else 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            SEEN.append(self.path)
            pages = {"/article.html": PAGE, "/empty.html": "<html><body><nav>x</nav></body></html>"}
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/article.html")
                self.end_headers()
                return
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fetch_an_article(site: str) -> None:
    for path in ("/article.html", "/moved"):
        text = text_from_url(site + path, allow_private=True)
        assert all(sentence in text.splitlines() for sentence in ARTICLE)


def test_fetch_problems(site: str) -> None:
    with pytest.raises(InputError, match="the server answered 404"):
        text_from_url(site + "/missing", allow_private=True)
    with pytest.raises(InputError, match="refusing to fetch"):
        text_from_url(site + "/article.html")  # loopback is refused unless allowed
    with pytest.raises(InputError, match="could not fetch the page"):
        text_from_url("http://127.0.0.1:1/", allow_private=True)


def test_dns_rebinding_is_caught_at_connect_time(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The name resolves to a public address when checked, then to loopback when connected."""
    port = int(site.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, *args, **kwargs):
        if host != "news.rebind.example":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "93.184.216.34" if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    requests_before = len(SEEN)
    with pytest.raises(InputError) as caught:
        text_from_url(f"http://news.rebind.example:{port}/article.html")
    assert "news.rebind.example resolved to 127.0.0.1 on connecting: refusing to fetch" in str(caught.value)
    assert len(lookups) == 2  # checked, then looked up again by the connection
    assert len(SEEN) == requests_before  # no request reached the local server
    # With private addresses allowed (no check first), the name's loopback answer fetches the page.
    lookups[:] = ["answered public once already"]
    assert ARTICLE[0] in text_from_url(f"http://news.rebind.example:{port}/article.html", allow_private=True)
