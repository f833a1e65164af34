"""Packages that lie about their size, and documents named for what they are not."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from translate.errors import InputError
from translate.formats import read_document
from translate.formats.sniff import check_kind
from translate.sources import text_from_bytes

INFLATED_MB = 1_000
DECLARED = 4_096
BODY = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>نص</w:t></w:r></w:p></w:body></w:document>"
)


def _lying_zip(honest: dict[str, bytes], bomb: str) -> bytes:
    """A zip of ``honest`` members (stored) and ``bomb``: INFLATED_MB of zeros deflated, its headers saying 4 KB."""
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    deflated = b"".join(squeezer.compress(zeros) for _ in range(INFLATED_MB)) + squeezer.flush()
    entries = [(n.encode(), 0, d, zlib.crc32(d), len(d)) for n, d in honest.items()]
    # Its CRC is not that of the first 4 KB: the reader finds the lie once it has inflated what was declared.
    entries.append((bomb.encode(), 8, deflated, 0x5EED, DECLARED))
    out, central = io.BytesIO(), io.BytesIO()
    for name, method, data, crc, size in entries:
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(name), 0))
        out.write(name + data)
        sizes = (crc, len(data), size, len(name), 0, 0, 0, 0, 0, offset)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, *sizes) + name)
    start, listing = out.tell(), central.getvalue()
    out.write(listing)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(listing), start, 0))
    return out.getvalue()


READ_ALL = r"""
import re, sys
from pathlib import Path
from translate.errors import InputError
from translate.formats.docx import DocxDocument
from translate.formats.epub import EpubDocument
from translate.sources import text_from_bytes
folder = Path(sys.argv[1])
for name, read in [("bomb.docx", DocxDocument), ("bomb.docx", None), ("bomb.epub", EpubDocument)]:
    try:
        data = (folder / name).read_bytes()
        read(name, data) if read else text_from_bytes(data, name)
        print("read without an error")
    except InputError as exc:
        print(exc)
    except Exception as exc:  # a library's own error is a failure too, but the peak is still measured
        print(f"{type(exc).__name__}: {exc}".splitlines()[0])
# VmHWM: this process's own peak. (ru_maxrss would count the parent's peak too: Linux carries it across fork and
# exec, and the test process may hold a model by now.)
print(int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) // 1024)
"""


def test_a_member_that_lies_about_its_size_stops_at_what_it_declared(tmp_path: Path) -> None:
    """Each reader (Word, python-docx's text, EPUB) stops at the 4 KB declared, not the 1,000 MB inflated."""
    docx_bomb = _lying_zip({"[Content_Types].xml": b"<Types/>"}, "word/document.xml")
    epub_bomb = _lying_zip({"mimetype": b"application/epub+zip"}, "META-INF/container.xml")
    assert len(docx_bomb) < 2 << 20  # a small file to upload, a gigabyte once inflated
    (tmp_path / "bomb.docx").write_bytes(docx_bomb)
    (tmp_path / "bomb.epub").write_bytes(epub_bomb)
    child = subprocess.run(
        [sys.executable, "-c", READ_ALL, str(tmp_path)], capture_output=True, text=True, timeout=300, check=True
    )
    *errors, peak_mb = child.stdout.splitlines()
    assert len(errors) == 3
    assert int(peak_mb) < 300, f"peak RSS {peak_mb} MB: the member was inflated past its declared size"
    where = ["bomb.docx: word/document.xml", "bomb.docx: word/document.xml", "bomb.epub: META-INF/container.xml"]
    for error, name in zip(errors, where, strict=True):
        assert error.startswith(name) and "cannot be unpacked (Bad CRC-32" in error, error
        assert error.endswith("save the document again")


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", BODY)
    return out.getvalue()


def _epub() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/epub+zip")
        package.writestr("META-INF/container.xml", "<container/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", _docx(), "report.pdf is a Word document (.docx), not a PDF: rename it report.docx"),
        ("book.docx", _epub(), "book.docx is an EPUB book (.epub), not a Word document: rename it book.epub"),
        ("scan.docx", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "scan.docx is a PDF, not a Word document: rename it scan.pdf"),
        ("page.pdf", b"<!DOCTYPE html><p>text</p>", "page.pdf is a web page (HTML), not a PDF: rename it page.html"),
        ("notes.pdf", "نص عربي\n".encode(), "notes.pdf is a plain text file, not a PDF: rename it notes.txt"),
        ("film.srt", _docx(), "film.srt is a Word document (.docx), not SubRip subtitles: rename it film.docx"),
    ],
)
def test_a_renamed_document_is_named_for_what_it_is(name: str, data: bytes, message: str) -> None:
    """Whether it is written back in English (read_document) or read as text (text_from_bytes)."""
    with pytest.raises(InputError) as caught:
        read_document(name, data)
    assert str(caught.value) == message
    with pytest.raises(InputError) as caught:
        text_from_bytes(data, name)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cut.pdf", b"%PDF"),  # a PDF cut short: its reader says it is broken, it is not "a plain text file"
        ("empty.pdf", b""),
        ("fragment.html", "<p>نص</p>".encode()),
        ("film.srt", "1\n00:00:01,000 --> 00:00:02,000\nنص\n".encode()),
        ("legacy.srt", "نص".encode("cp1256")),
    ],
)
def test_a_document_of_its_own_kind_is_not_called_another(name: str, data: bytes) -> None:
    check_kind(name, data)  # raises nothing
