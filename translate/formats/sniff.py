"""What a file really is, by its bytes: a document renamed to another ending is named for what it is.

A ``.docx`` saved as ``report.pdf`` would otherwise fail deep in the PDF
reader ("Data format error"); its first bytes (``%PDF-``, a zip's
``PK\\x03\\x04`` and the members it lists, an HTML tag, text that decodes)
say what it is, and the error says which name to give it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from translate.errors import InputError

# What each kind is called ("is a …"), what a file of the expected kind is ("not a …"), and its ending.
KINDS = {
    "pdf": ("a PDF", "a PDF", ".pdf"),
    "docx": ("a Word document (.docx)", "a Word document", ".docx"),
    "epub": ("an EPUB book (.epub)", "an EPUB book", ".epub"),
    "html": ("a web page (HTML)", "a web page", ".html"),
    "text": ("a plain text file", "a plain text file", ".txt"),
    "image": ("an image", "an image (PNG, JPEG, TIFF or WebP)", ".png"),
}
EXPECTED = {
    ".pdf": "pdf", ".docx": "docx", ".epub": "epub", ".html": "html", ".htm": "html",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".webp": "image",
}  # fmt: skip
"""Endings whose files must be of one kind; Markdown, subtitles and text are text, whatever text they hold."""
BINARY = frozenset(["pdf", "docx", "epub", "image"])
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_HTML = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
PDF_HEADER_WITHIN = 1024
"""Readers accept ``%PDF-`` anywhere in a PDF's first kilobyte (some writers put junk before it)."""


def sniff(data: bytes) -> str | None:
    """The kind of ``data`` (a key of :data:`KINDS`) by its bytes, or None if they do not say."""
    if b"%PDF-" in data[:PDF_HEADER_WITHIN] or data.lstrip().startswith(b"%PDF"):  # a PDF cut short is still one
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"  # an image named for another (a PNG named .jpg) is still read: Pillow reads it by its bytes
    head = data[:4096].removeprefix(b"\xef\xbb\xbf")
    if not head.strip():  # an empty file is of no kind: its reader says it is empty
        return None
    if _HTML.match(head):
        return "html"
    if b"\x00" not in head and _is_utf8(head):
        return "text"
    return None


def check_kind(name: str, data: bytes) -> None:
    """:class:`InputError` naming what ``data`` is if its bytes say it is not what ``name``'s ending says."""
    suffix = Path(name).suffix.lower()
    found = sniff(data)
    if found is None:
        return
    expected = EXPECTED.get(suffix)
    if expected is None:  # a text ending: only a binary document is wrong there
        if found not in BINARY:
            return
        wanted = {".md": "Markdown", ".srt": "SubRip subtitles", ".vtt": "WebVTT subtitles"}.get(suffix, "text")
    elif found == expected or (expected == "html" and found == "text"):  # a fragment of HTML with no <html>
        return
    else:
        wanted = KINDS[expected][1]
    is_a, _, ending = KINDS[found]
    renamed = Path(name).with_suffix(ending).name
    raise InputError(f"{name} is {is_a}, not {wanted}: rename it {renamed}")


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:  # the central directory only: nothing is inflated
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "META-INF/container.xml" in names or data[30:38] == b"mimetype":
        return "epub"
    return None


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut by the 4 KB window
    return True
