"""Zip packages (``.docx``, ``.epub``) opened with limits, their XML parsed without entities or network.

A package is refused before anything is inflated if it has too many
members, would unpack to too much (a zip bomb), or names a member outside
itself (``../``, an absolute path, a backslash). The sizes in its headers are
only claims: every member is inflated a chunk at a time through a counter
that stops at the size its header declares (and at :data:`MAX_PART`), so a
member that says 4 KB but inflates to 2 GB fails after 4 KB, not after 2 GB
(``ZipFile.read`` inflates the whole stream before it cuts it to size). Its XML is parsed with no
entity expansion, no DTD loading and no network access, so a billion-laughs
part or an external entity reads as nothing more than its own bytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from translate.errors import InputError

MAX_MEMBERS = 5_000
MAX_UNPACKED = 512 * 1024 * 1024
"""Bytes a package may unpack to in all: a zip bomb is refused before it is inflated."""
MAX_PART = 128 * 1024 * 1024
"""Bytes one text part may unpack to."""
CHUNK = 1024 * 1024
"""Bytes inflated at a time: the most a member's lie can cost before it is caught."""


def open_package(data: bytes, name: str, kind: str, *, is_text: Callable[[str], bool]) -> zipfile.ZipFile:
    """``data`` as a zip, checked before anything is inflated; ``kind`` (".docx") names the format in errors.

    ``is_text(member)`` says which members are parsed (and so held in memory whole): each is bounded by
    :data:`MAX_PART`.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{name}: not a readable {kind} file (not a zip package); save it again as {kind}") from None
    infos = package.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name}: the package has {len(infos):,} members (at most {MAX_MEMBERS:,}); refused")
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise InputError(f"{name}: the package would unpack to over {MAX_UNPACKED >> 20} MB; refused as a zip bomb")
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
            raise InputError(f"{name}: member {info.filename!r} points outside the package; refused")
        if is_text(info.filename) and info.file_size > MAX_PART:
            raise InputError(f"{name}: {info.filename} would unpack to over {MAX_PART >> 20} MB; refused")
    return package


def read_member(package: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, *, limit: int = MAX_UNPACKED) -> bytes:
    """A member's bytes, inflated at most :data:`CHUNK` at a time and never past its declared size or ``limit``.

    :class:`InputError` if they cannot be inflated, or inflate to more than the header said (a zip bomb
    lying about its size is caught after the declared bytes, its CRC failing, not after all it would unpack to).
    """
    if info.file_size > limit:
        raise InputError(f"{name}: {info.filename} would unpack to over {limit >> 20} MB; refused")
    chunks: list[bytes] = []
    total = 0
    try:
        with package.open(info) as stream:
            # ZipExtFile.read(n) inflates at most n bytes per call and stops at the declared size; read() would not.
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > min(info.file_size, limit):
                    raise InputError(
                        f"{name}: {info.filename} unpacks to more than its header says; refused as a zip bomb"
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"{name}: {info.filename} cannot be unpacked ({exc}); save the document again") from None
    return b"".join(chunks)


def check_package(data: bytes, name: str, kind: str) -> None:
    """Inflate every member of ``data`` through :func:`read_member`, keeping none: before a library that reads
    with ``ZipFile.read`` (python-docx) sees the package, each member is known to be what its header says."""
    with open_package(data, name, kind, is_text=lambda _member: False) as package:
        for info in package.infolist():
            read_member(package, info, name)


def parse_xml(data: bytes, where: str, *, advice: str) -> Any:
    """An XML part's root, parsed without entities, DTDs or network; :class:`InputError` (ending in ``advice``)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML ({exc}); {advice}") from None
    if root is None:
        raise InputError(f"{where}: holds no XML element; {advice}")
    return root


def to_xml(root: Any, *, standalone: bool | None = None) -> bytes:
    """A part as written back: UTF-8, with its declaration (and its doctype, as an XHTML chapter has one)."""
    from lxml import etree

    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=standalone)


def repack(package: zipfile.ZipFile, name: str, written: dict[str, bytes]) -> bytes:
    """The package again, the members in ``written`` replaced, every other copied byte for byte, in order.

    Each member keeps its own entry (name, date, compression): an EPUB's ``mimetype``
    stays first and stored, as readers require.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in package.infolist():
            new.writestr(info, written.get(info.filename) or read_member(package, info, name))
    return out.getvalue()
