"""Word documents in and out: every paragraph of a ``.docx`` read as a :class:`Block`, written back in English.

The package is patched, not rebuilt: only the parts that hold text
(``word/document.xml``, footnotes, endnotes, headers, footers, comments) are
rewritten, and in them only the runs of the paragraphs translated; every
other member is copied byte for byte. A paragraph's runs become one run per
stretch of English with one formatting, that of the Arabic words aligned to
it (:mod:`translate.formats.marks`); hyperlinks, tracked insertions and
content controls around runs are rebuilt around the English words they now
hold; footnote references, images, bookmarks and fields move as they are.

Right to left becomes left to right: each translated paragraph says
``w:bidi="0"`` (styles may make it right to left otherwise) and loses an
alignment it only had from its direction; runs lose ``w:rtl`` and ``w:cs``
and take their complex-script bold, italic and size as their own (an Arabic
run is often bold only through ``w:bCs``); languages become ``en-US``;
tables lose ``w:bidiVisual`` and sections ``w:bidi``.

The zip and its XML are read with limits (members, unpacked size) and
without entities, DTDs or network access.
"""

from __future__ import annotations

import copy
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from translate.errors import InputError
from translate.formats.inline import BlockBuilder, rebuild
from translate.formats.marks import carry
from translate.formats.model import Block, Carried
from translate.formats.package import open_package, parse_xml, read_member, repack, to_xml
from translate.normalize import contains_arabic
from translate.types import AlignedPair

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TEXT_PARTS = re.compile(r"word/(document|footnotes|endnotes|comments|header\d*|footer\d*)\.xml")
ADVICE = "save the document again as .docx"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Elements around runs that are rebuilt around the English words they hold; what else holds runs moves whole.
CONTAINERS = {_w(t) for t in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent", "moveTo")}
# A run's children that are text; everything else in a run (a footnote reference, a drawing, a field) is an object.
TEXT_CHILDREN = {_w("t"): None, _w("tab"): "\t", _w("br"): " ", _w("cr"): " ", _w("noBreakHyphen"): "-"}
SKIPPED_IN_RUN = {_w("rPr"), _w("softHyphen"), _w("lastRenderedPageBreak"), _w("proofErr")}
# pPr's children in schema order (ECMA-376 CT_PPr): a child added must go in its place or Word refuses the file.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
    "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
    "em lang eastAsianLayout specVanish oMath"
).split()


@dataclass(frozen=True)
class _Style:
    """A stretch's formatting: its run properties and the containers around it; or an object to move."""

    rpr: Any
    wrappers: tuple[Any, ...]
    obj: Any = None
    in_run: bool = False  # the object was a run's child (a footnote reference): it goes back into a run


@dataclass
class _Paragraph:
    part: str
    element: Any
    block: Block
    styles: list[_Style]


class DocxDocument:
    """A ``.docx`` read for translation: its :attr:`blocks`, and the package to write them back into."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = data
        self._parts: dict[str, Any] = {}
        self._paragraphs: list[_Paragraph] = []
        self.approximate = 0
        self.unkept: Sequence[str] = ()  # not checked in Word files yet (web pages and books are)
        self.unfitted = 0  # nothing is set in a box
        self.unread: Sequence[int] = ()  # nothing is read by OCR
        with _open(data, name) as package:
            for info in package.infolist():
                if TEXT_PARTS.fullmatch(info.filename):
                    root = parse_xml(read_member(package, info, name), f"{name}: {info.filename}", advice=ADVICE)
                    self._parts[info.filename] = root
                    for element in root.iter(_w("p")):
                        paragraph = _read_paragraph(info.filename, element)
                        # A paragraph without Arabic (an English line, a link, a number) is left exactly as
                        # it is: never rewritten, and no twin in a bilingual edition.
                        if contains_arabic(paragraph.block.text):
                            self._paragraphs.append(paragraph)
        if "word/document.xml" not in self._parts:
            raise InputError(f"{name}: not a Word document (no word/document.xml); save it again as .docx")

    @property
    def blocks(self) -> list[Block]:
        """The paragraphs with text, in the order of the parts and of the paragraphs in them."""
        return [p.block for p in self._paragraphs]

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The package in English: ``sentences[k]`` are block ``k``'s pairs, its formatting carried onto them.

        :attr:`approximate` then counts the formatted stretches put on the nearest English word.
        With ``bilingual``, each Arabic paragraph stays, followed by its English.
        """
        english = [carry(block, found) for block, found in zip(self.blocks, sentences, strict=True)]
        self.approximate = sum(c.approximate for c in english)
        return self.write(english, bilingual=bilingual)

    def write(self, english: Sequence[Carried], *, bilingual: bool = False) -> bytes:
        """The package with each block in English (``english[k]`` for block ``k``), left to right."""
        if len(english) != len(self._paragraphs):
            raise ValueError(f"{len(english)} English blocks for {len(self._paragraphs)} paragraphs")
        for paragraph, carried in zip(self._paragraphs, english, strict=True):
            if bilingual:
                paragraph.element.addprevious(_arabic_copy(paragraph.element))
            _write_paragraph(paragraph, carried)
        # Only the parts with a paragraph translated are written anew (and the body, for its sections).
        touched = {p.part for p in self._paragraphs} | {"word/document.xml"}
        for part in touched:
            _left_to_right(self._parts[part])
        written = {part: to_xml(self._parts[part], standalone=True) for part in touched}
        with _open(self._data, self.name) as package:
            return repack(package, self.name, written)


def _open(data: bytes, name: str) -> zipfile.ZipFile:
    return open_package(data, name, ".docx", is_text=lambda member: bool(TEXT_PARTS.fullmatch(member)))


def _read_paragraph(part: str, element: Any) -> _Paragraph:
    built = BlockBuilder()
    for kind, value, rpr, wrappers in _leaves(element, ()):
        if kind == "text":
            key = (_serialized(rpr), tuple(id(w) for w in wrappers))
            built.text(value, key, partial(_Style, rpr, wrappers))
        else:
            built.object(_Style(rpr, wrappers, obj=value, in_run=kind == "run-object"))
    return _Paragraph(part, element, built.block(), built.styles)


def _leaves(element: Any, wrappers: tuple[Any, ...]) -> Iterator[tuple[str, Any, Any, tuple[Any, ...]]]:
    """A paragraph's content in order: ("text", str, rPr, containers), ("object", element, None, containers) for
    what stands between runs, ("run-object", element, rPr, containers) for what stands in a run besides text."""
    for child in element:
        tag = child.tag
        if tag in (_w("pPr"), _w("proofErr")) or not isinstance(tag, str):
            continue  # the paragraph's own properties; a spelling checker's marks, stale once the text is English
        if tag == _w("r"):
            rpr = child.find(_w("rPr"))
            for part in child:
                if part.tag in TEXT_CHILDREN:
                    yield "text", part.text or "" if part.tag == _w("t") else TEXT_CHILDREN[part.tag], rpr, wrappers
                elif part.tag not in SKIPPED_IN_RUN:
                    yield "run-object", part, rpr, wrappers
        elif tag in CONTAINERS and child.find(f".//{_w('r')}") is not None:
            yield from _leaves(child, (*wrappers, child))
        else:
            yield "object", child, None, wrappers  # a bookmark, a comment's range, a deletion, math: moved as is


def _serialized(rpr: Any) -> bytes:
    if rpr is None:
        return b""
    from lxml import etree

    return etree.tostring(rpr)


def _arabic_copy(element: Any) -> Any:
    """A paragraph as it was, for a bilingual edition: without what may be in a document once (a bookmark, a
    footnote or comment reference, a section break), which stays with the English."""
    copy_ = copy.deepcopy(element)
    once = {_w(t) for t in ("bookmarkStart", "bookmarkEnd", "footnoteReference", "endnoteReference", "sectPr")}
    once |= {_w(t) for t in ("commentRangeStart", "commentRangeEnd", "commentReference")}
    for found in [e for e in copy_.iter() if e.tag in once]:
        found.getparent().remove(found)
    return copy_


def _write_paragraph(paragraph: _Paragraph, carried: Carried) -> None:
    from lxml import etree

    p = paragraph.element
    for child in list(p):
        if child.tag != _w("pPr"):
            p.remove(child)
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = etree.SubElement(p, _w("pPr"))
        p.insert(0, ppr)
    _paragraph_left_to_right(ppr)
    rebuild(p, carried, paragraph.styles, shell=_shell, text=_text_run, obj=_object_run)


def _text_run(parent: Any, text: str, style: _Style) -> None:
    from lxml import etree

    run = etree.SubElement(parent, _w("r"))
    _run_properties(run, style.rpr)
    for k, piece in enumerate(text.split("\t")):
        if k:
            etree.SubElement(run, _w("tab"))
        if piece:
            t = etree.SubElement(run, _w("t"))
            t.text = piece
            t.set(XML_SPACE, "preserve")


def _object_run(parent: Any, style: _Style) -> None:
    """An object back in place: in a run of its own properties if it stood in one (a footnote reference)."""
    from lxml import etree

    if not style.in_run:
        parent.append(style.obj)
        return
    run = etree.SubElement(parent, _w("r"))
    _run_properties(run, style.rpr)
    run.append(style.obj)


def _shell(original: Any) -> Any:
    """A copy of a container without its runs: its attributes and what it holds besides them (an sdt's sdtPr)."""
    shell = copy.copy(original)
    for child in list(shell):
        if child.tag == _w("r") or child.find(f".//{_w('r')}") is not None:
            shell.remove(child)
    return shell


def _run_properties(run: Any, rpr: Any) -> None:
    from lxml import etree

    props = copy.deepcopy(rpr) if rpr is not None else etree.Element(_w("rPr"))
    _run_left_to_right(props)
    if len(props):
        run.append(props)


def _run_left_to_right(props: Any) -> None:
    """Run properties for English: no right to left, complex-script bold/italic/size as its own, English."""
    for own, complex_ in (("b", "bCs"), ("i", "iCs"), ("sz", "szCs")):
        theirs = props.find(_w(complex_))
        if theirs is not None and props.find(_w(own)) is None:
            _insert(props, copy.copy(theirs), own, RPR_ORDER).tag = _w(own)
    for tag in ("rtl", "cs"):
        for found in props.findall(_w(tag)):
            props.remove(found)
    lang = props.find(_w("lang"))
    if lang is None:
        lang = _insert(props, None, "lang", RPR_ORDER)
    lang.set(_w("val"), "en-US")
    lang.attrib.pop(_w("bidi"), None)


def _paragraph_left_to_right(ppr: Any) -> None:
    bidi = ppr.find(_w("bidi"))
    was_rtl = bidi is not None and bidi.get(_w("val"), "1") not in ("0", "false", "off")
    if bidi is None:
        bidi = _insert(ppr, None, "bidi", PPR_ORDER)
    bidi.set(_w("val"), "0")
    jc = ppr.find(_w("jc"))
    if was_rtl and jc is not None and jc.get(_w("val")) in ("right", "end", "left", "start"):
        ppr.remove(jc)  # aligned to its start only because it was right to left: English starts on the left
    mark = ppr.find(_w("rPr"))
    if mark is not None:
        _run_left_to_right(mark)


def _insert(parent: Any, element: Any, tag: str, order: list[str]) -> Any:
    """Put ``element`` (a new ``w:tag`` if None) in ``parent`` at its place in the schema's ``order``."""
    from lxml import etree

    if element is None:
        element = etree.Element(_w(tag))
    later = set(order[order.index(tag) + 1 :])
    for k, child in enumerate(parent):
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in later:
            parent.insert(k, element)
            return element
    parent.append(element)
    return element


def _left_to_right(root: Any) -> None:
    """Tables and sections of a part, left to right."""
    for tag in ("bidiVisual", "rtlGutter"):
        for found in list(root.iter(_w(tag))):
            found.getparent().remove(found)
    for sect in root.iter(_w("sectPr")):
        for found in sect.findall(_w("bidi")):
            sect.remove(found)
