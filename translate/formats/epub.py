"""EPUB books in and out (the zip and its XML with lxml): the chapters in spine order, the book back in English.

The package's ``META-INF/container.xml`` names the OPF; the OPF's spine gives
the chapters (XHTML) in reading order, read block by block as web pages are
(:class:`~translate.formats.html.Page`: headings, paragraphs, list items,
cells, their inline markup carried onto the aligned English words). The
navigation document follows when the spine leaves it out, then the Arabic
labels of the NCX table of contents and the Arabic title in the OPF.

The book is patched, not rebuilt: only the chapters, the NCX, the OPF and
stylesheets that say ``direction: rtl`` or ``text-align`` are written anew; every other member
(images, fonts, ``mimetype``, first and stored) is copied byte for byte.
Right to left becomes left to right: ``dir``, ``lang`` and ``xml:lang`` in
the chapters, the spine's ``page-progression-direction``, ``dc:language``,
the package's own ``dir`` and ``xml:lang``, CSS ``direction``, and ``text-align: right`` (an Arabic
line's start) becomes ``start``.

The zip and its XML are read with the limits of :mod:`translate.formats.package`.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from translate.errors import InputError
from translate.formats.html import Page, css_left_to_right
from translate.formats.marks import carry
from translate.formats.model import Block, Carried, Span
from translate.formats.package import open_package, parse_xml, read_member, repack, to_xml
from translate.normalize import contains_arabic
from translate.types import AlignedPair

CONTAINER = "META-INF/container.xml"
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML_TYPES = frozenset(["application/xhtml+xml", "text/html"])
ADVICE = "the book is damaged: export it again as EPUB"
_TEXT_MEMBER = re.compile(r".*\.(x?html?|xml|opf|ncx)$", re.IGNORECASE)


@dataclass
class _Part:
    """A member with blocks: a chapter (its :class:`Page`), or the NCX or OPF (their Arabic labels)."""

    member: str
    root: Any
    page: Page | None = None
    labels: list[Any] = field(default_factory=list)  # elements whose whole text is one block

    @property
    def blocks(self) -> list[Block]:
        if self.page is not None:
            return self.page.blocks
        return [_label_block(label) for label in self.labels]

    def write(self, english: Sequence[Carried], *, bilingual: bool) -> None:
        if self.page is not None:
            self.page.write(english, bilingual=bilingual)
            return
        for label, carried in zip(self.labels, english, strict=True):
            label.text = carried.text


class EpubDocument:
    """An ``.epub`` read for translation: the :attr:`blocks` of its chapters in spine order, and the book to patch."""

    approximate = 0
    unkept: Sequence[str] = ()
    unfitted = 0  # nothing is set in a box
    unread: Sequence[int] = ()  # nothing is read by OCR

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data
        with self._open() as package:
            members = {info.filename: info for info in package.infolist()}

            def xml(member: str, why: str) -> Any:
                if member not in members:
                    raise InputError(f"{name}: {why} {member} is missing; {ADVICE}")
                return parse_xml(read_member(package, members[member], name), f"{name}: {member}", advice=ADVICE)

            container = xml(CONTAINER, "the container file")
            rootfile = container.find(".//{*}rootfile")
            if rootfile is None or not rootfile.get("full-path"):
                raise InputError(f"{name}: {CONTAINER} names no package document; {ADVICE}")
            self._opf_member = rootfile.get("full-path")
            self._opf = xml(self._opf_member, "its package document")
            self._parts: list[_Part] = []
            for member, kind in _reading_order(self._opf, self._opf_member, name):
                root = xml(member, "the chapter" if kind == "xhtml" else "the table of contents")
                if kind == "xhtml":
                    self._parts.append(_Part(member, root, page=Page(root)))
                else:
                    labels = [t for t in root.iter(f"{{{NCX}}}text") if contains_arabic(t.text or "")]
                    self._parts.append(_Part(member, root, labels=labels))
            titles = [t for t in self._opf.iter(f"{{{DC}}}title") if contains_arabic(t.text or "")]
            self._parts.append(_Part(self._opf_member, self._opf, labels=titles))
            self._styles = [m for m in _stylesheets(self._opf, self._opf_member) if m in members]

    def _open(self) -> zipfile.ZipFile:
        return open_package(self._data, self.name, ".epub", is_text=lambda member: bool(_TEXT_MEMBER.match(member)))

    @property
    def blocks(self) -> list[Block]:
        """Every chapter's blocks in spine order, then the table of contents' and the title's Arabic."""
        return [block for part in self._parts for block in part.blocks]

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The book in English: ``sentences[k]`` are block ``k``'s pairs, inline formatting carried onto them.

        With ``bilingual``, each Arabic paragraph of a chapter stays, followed by its English.
        """
        english = [carry(block, found) for block, found in zip(self.blocks, sentences, strict=True)]
        self.approximate = sum(c.approximate for c in english)
        written: dict[str, bytes] = {}
        unkept: list[str] = []
        at = 0
        for part in self._parts:
            count = len(part.blocks)
            part.write(english[at : at + count], bilingual=bilingual)
            at += count
            if part.page is not None:
                unkept.extend(f"{part.member}: {line}" for line in part.page.unkept)
            if (part.page is not None or part.labels) and part.root is not self._opf:  # the OPF is written below
                written[part.member] = to_xml(part.root)
        self.unkept = unkept
        _book_left_to_right(self._opf)
        written[self._opf_member] = to_xml(self._opf)
        with self._open() as package:
            for member in self._styles:
                # Bytes that are not UTF-8 pass through as they were (surrogateescape).
                css = read_member(package, package.getinfo(member), self.name).decode("utf-8", "surrogateescape")
                turned = css_left_to_right(css)
                if turned != css:
                    written[member] = turned.encode("utf-8", "surrogateescape")
            return repack(package, self.name, written)


def _reading_order(opf: Any, opf_member: str, name: str) -> list[tuple[str, str]]:
    """(member, "xhtml" or "ncx") for the spine's chapters, then the navigation document and the NCX."""
    items = {}
    for item in opf.iter(f"{{{OPF}}}item"):
        href = item.get("href")
        if item.get("id") and href:
            items[item.get("id")] = (_resolve(opf_member, href, name), item.get("media-type", ""), item)
    spine = opf.find(f"{{{OPF}}}spine")
    if spine is None:
        raise InputError(f"{name}: its package document has no spine (no reading order); {ADVICE}")
    order: list[tuple[str, str]] = []
    for itemref in spine.iter(f"{{{OPF}}}itemref"):
        found = items.get(itemref.get("idref", ""))
        if found is None:
            raise InputError(
                f"{name}: the spine names {itemref.get('idref')!r}, which is not in the manifest; {ADVICE}"
            )
        if found[1] in XHTML_TYPES and (found[0], "xhtml") not in order:  # a chapter listed twice is read once
            order.append((found[0], "xhtml"))
    if not order:
        raise InputError(f"{name}: its spine has no chapter (no XHTML document); {ADVICE}")
    chapters = {member for member, _ in order}
    for member, _, item in items.values():
        if "nav" in (item.get("properties") or "").split() and member not in chapters:
            order.append((member, "xhtml"))
    toc = items.get(spine.get("toc", "")) or next(
        (found for found in items.values() if found[1] == "application/x-dtbncx+xml"), None
    )
    if toc is not None:
        order.append((toc[0], "ncx"))
    return order


def _stylesheets(opf: Any, opf_member: str) -> list[str]:
    return [
        _resolve(opf_member, item.get("href"), "")
        for item in opf.iter(f"{{{OPF}}}item")
        if item.get("media-type") == "text/css" and item.get("href")
    ]


def _resolve(opf_member: str, href: str, name: str) -> str:
    """A manifest href as a member path; :class:`InputError` for one that leaves the package."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(opf_member), unquote(href.split("#")[0])))
    if path.startswith(("../", "/")) or path == "..":
        raise InputError(f"{name}: the manifest's {href!r} points outside the package; refused")
    return path


def _label_block(label: Any) -> Block:
    text = " ".join((label.text or "").split())
    return Block(text, (Span(0, len(text), 0),))


def _book_left_to_right(opf: Any) -> None:
    """The reading direction and the language of the book, for English."""
    for element in (opf, opf.find(f"{{{OPF}}}metadata")):
        if element is None:
            continue
        if (element.get("dir") or "").lower() == "rtl":
            element.set("dir", "ltr")
        if (element.get(XML_LANG) or "").lower().startswith("ar"):
            element.set(XML_LANG, "en")
    spine = opf.find(f"{{{OPF}}}spine")
    if spine is not None and spine.get("page-progression-direction") == "rtl":
        spine.set("page-progression-direction", "ltr")
    for language in opf.iter(f"{{{DC}}}language"):
        if (language.text or "").strip().lower().startswith("ar"):
            language.text = "en"
