"""The text of a document, whatever it came as: a file, a URL, an input of the CLI.

One module for everyone: the CLI (``tarjama translate``) and the reader call
it, never copies of it. Plain text and Markdown are decoded as text; HTML
pages are reduced to their main article text with trafilatura; ``.docx``
files are read with python-docx, table cells included; URLs are fetched
with the reader's rules against server-side request forgery. Every failure
is an :class:`~translate.errors.InputError` with a one-line message.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import re
import socket
import ssl
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from translate.errors import InputError
from translate.files import InputFile, decode_text, expand_input, read_bytes, read_input
from translate.formats import SCANNED
from translate.normalize import normalize_for_model

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import _Cell

FOLDER_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".md", ".srt", ".vtt", ".pdf", ".epub")
"""The documents a folder is searched for (not its images: a page's pictures and logos are no scans to read)."""
SUPPORTED_SUFFIXES = (*FOLDER_SUFFIXES, *SCANNED)
"""What a file named on the command line, or an upload, may be: those documents, or a scan (read by OCR)."""
MAX_PAGE_BYTES = 5_000_000
FETCH_TIMEOUT = 15.0
MIN_PROSE_WORDS = 6
"""A page is an article only if some line of its main text has at least this many words."""


def text_from_file(path: str | Path, name: str | None = None) -> str:
    """The text of a ``.txt``, ``.md``, ``.html``/``.htm``, ``.docx``, ``.srt``, ``.vtt``, ``.pdf``, ``.epub`` or
    image file (Markdown is read as text; subtitles as their cues' text joined into sentences; a PDF's text layer in
    logical order, its scanned pages by OCR; a book's chapters in reading order; an image by OCR)."""
    path = Path(path)
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        listed = ", ".join(SUPPORTED_SUFFIXES[:-1]) + " or " + SUPPORTED_SUFFIXES[-1]
        raise InputError(f"{name}: unsupported file type; tarjama reads {listed} files")
    return text_from_bytes(read_bytes(path, name), name)


def text_from_bytes(data: bytes, name: str) -> str:
    """The text of a document's bytes, by its name's ending: HTML's article, .docx, else text (Markdown too)."""
    from translate.formats.sniff import check_kind

    suffix = Path(name).suffix.lower()
    check_kind(name, data)  # a .docx named .pdf is said to be one, not "a damaged PDF"
    if suffix in (".html", ".htm"):
        return text_from_html(data, source=name)
    if suffix == ".docx":
        from translate.formats.package import check_package

        check_package(data, name, ".docx")  # python-docx inflates with ZipFile.read, which trusts the headers
        return _text_from_docx(io.BytesIO(data), name)
    if suffix == ".pdf":
        from translate.formats.pdf import text_from_pdf

        return text_from_pdf(data, name)
    if suffix in SCANNED:
        from translate.formats.pdf import text_from_image

        return text_from_image(data, name)
    if suffix in (".srt", ".vtt", ".epub"):
        from translate.formats import document_text, read_document

        # Read as they are translated when written back: cues joined into sentences, a book's blocks.
        return document_text(read_document(name, data).blocks)[0]
    return decode_text(data, name)


def require_text(text: str, name: str) -> str:
    """``text``, or :class:`InputError` if it holds nothing to translate."""
    if not normalize_for_model(text):
        raise InputError(f"{name}: no text to translate (it is empty or holds only whitespace)")
    return text


def is_url(text: str) -> bool:
    """Whether a command-line input names a web page rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def expand_document(arg: str, *, pattern: str | None = None) -> list[InputFile]:
    """One command-line input as documents: a URL, ``-``, a file, or every supported document in a folder.

    A folder gives its ``.txt``, ``.html``/``.htm``, ``.docx`` and ``.md``
    files (recursively), or with ``pattern`` the files matching that glob.
    """
    if is_url(arg):
        return [InputFile(arg, None, Path(name_from_url(arg)), url=arg)]
    return expand_input(arg, suffixes=FOLDER_SUFFIXES, pattern=pattern)


def read_document(item: InputFile, *, allow_private_urls: bool = False) -> str:
    """The text of one input: a page fetched, a document extracted, a text file or standard input decoded.

    A file named on the command line with another ending is read as text.
    """
    if item.url is not None:
        return text_from_url(item.url, allow_private=allow_private_urls)
    suffix = item.path.suffix.lower() if item.path is not None else ""
    if item.path is not None and suffix in SUPPORTED_SUFFIXES and suffix != ".txt":
        return text_from_file(item.path, item.name)
    return read_input(item)


def text_from_html(html: bytes | str, *, source: str, url: str | None = None) -> str:
    """The main article text of an HTML page (trafilatura), one paragraph per line.

    A page whose extracted text has no line of :data:`MIN_PROSE_WORDS` words
    (a home page's menus, a link list, an error page) is refused as having no article.
    """
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not any(len(line.split()) >= MIN_PROSE_WORDS for line in text.splitlines()):
        # Recall-favouring extraction returns the menus of a page with no article; those are
        # lines of a word or two, never a sentence.
        raise InputError(
            f"{source}: no article text found in the page (only menus, links or headings); "
            "open the article itself, or paste its text"
        )
    return text


def text_from_url(url: str, *, allow_private: bool = False) -> str:
    """Fetch an article page and return its main text.

    Only ``http``/``https`` URLs are fetched, and unless ``allow_private`` is
    set, never one whose host resolves to a loopback, private, link-local or
    otherwise non-public address (this server must not become a way into the
    network it runs in); redirects are checked the same way, and so is the
    address each connection actually reaches, which defeats DNS rebinding.
    A proxy on a private address is refused too, unless ``allow_private``.
    """
    url = url.strip()
    check_url(url, allow_private=allow_private)
    handlers: list[urllib.request.BaseHandler] = [_CheckedRedirects(allow_private)]
    if not allow_private:
        # check_url looked the name up, but the connection looks it up again: a DNS answer that
        # changes in between (DNS rebinding) is caught by checking the address actually connected to.
        handlers += [_PublicHTTPHandler(), _PublicHTTPSHandler()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": "tarjama-reader", "Accept": "text/html,*/*;q=0.5"})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(MAX_PAGE_BYTES + 1)
            final_url = response.geturl()
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: could not fetch the page ({reason})") from None
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"{url}: the page is larger than {MAX_PAGE_BYTES // 1_000_000} MB")
    return text_from_html(data, source=url, url=final_url)


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Raise :class:`InputError` unless ``url`` is an http(s) URL this server may fetch."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{url or 'empty URL'}: give an http:// or https:// address of an article")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
        # An AF_INET/AF_INET6 sockaddr starts with the address as a string (the int is for other families).
        addresses = {str(info[4][0]) for info in found}
    except (socket.gaierror, ValueError) as exc:
        raise InputError(f"{url}: cannot resolve {parts.hostname} ({exc})") from None
    for address in addresses:
        if not _is_public(address):
            raise InputError(f"{url}: {_refusal(address)}")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global


def _refusal(address: str) -> str:
    return (
        f"refusing to fetch from a private or local address ({address}); "
        "start the reader with --allow-private-urls to allow it"
    )


def _public_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    """``socket.create_connection``, closed again at once unless the peer is a public address."""
    sock = socket.create_connection(address, *args, **kwargs)
    peer = sock.getpeername()[0]
    if not _is_public(peer):
        sock.close()
        raise InputError(f"{address[0]} resolved to {peer} on connecting: {_refusal(peer)}")
    return sock


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(context=context)
        self.context = context  # the base class keeps it in an attribute of its own, not part of its API

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_PublicHTTPSConnection, req, context=self.context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_url(newurl, allow_private=self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _text_from_docx(source: IO[bytes], name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(source)
    except (PackageNotFoundError, zipfile.BadZipFile, XMLSyntaxError, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{name}: not a readable .docx file ({type(exc).__name__}); save it again as .docx") from None
    return "\n".join(line for line in _docx_lines(document) if line.strip())


def _docx_lines(container: DocxDocument | _Cell) -> Iterator[str]:
    """The paragraphs of a document body or table cell in document order, those in tables included.

    Arabic news sites often export the article body inside a layout table, so
    each cell's paragraphs (and nested tables') count as lines of the text.
    """
    from docx.table import Table

    for block in container.iter_inner_content():
        if not isinstance(block, Table):
            yield block.text
            continue
        seen = set()
        for row in block.rows:
            for cell in row.cells:
                # python-docx returns a merged cell once per grid column and row it spans;
                # its text must come out once.
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    yield from _docx_lines(cell)


# Letters and digits of any script, hyphens, and Arabic's combining marks (vowel signs), which \w leaves out.
_UNSAFE = re.compile(r"[^\w\-\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]+")


def safe_name(text: str, fallback: str = "translation") -> str:
    """A file name stem made of ``text``'s words (any script), joined by hyphens, at most 60 characters."""
    name = _UNSAFE.sub("-", text).strip("-_")[:60].rstrip("-_")
    return name or fallback


def name_from_text(text: str) -> str:
    """Download name for pasted text: its first words (``خان-طومان-...``)."""
    return safe_name("-".join(text.split()[:6]))


def name_from_url(url: str) -> str:
    """Download name for an article fetched from ``url``: the last part of its path, else its host."""
    parts = urlsplit((url or "").strip())
    stem = Path(unquote(parts.path).rstrip("/")).stem
    return safe_name(stem, fallback=safe_name(parts.hostname or "", fallback="article"))
