"""HTML pages in and out: every block of text of the page read as a :class:`Block`, written back in English.

The whole page, not only its article (the text path's trafilatura keeps the
article alone): headings, paragraphs, list items, table cells, captions,
the title. A block is an element of :data:`BLOCKS` with text of its own; its
inline elements (``<b>``, ``<a href>``, ``<span class>``…) are the formatting
carried onto the English words aligned to theirs
(:mod:`translate.formats.marks`), rebuilt around them with their attributes;
``<img>``, ``<br>`` and other empty elements move as they are. Scripts, styles
and everything outside the blocks are written back untouched.

Right to left becomes left to right: ``dir="rtl"`` becomes ``ltr`` wherever
it is, ``lang="ar…"`` becomes ``en``, and in ``style`` attributes and
``<style>`` elements ``direction: rtl`` becomes ``ltr`` and ``text-align:
right`` (the start of an Arabic line) ``start``. The page is written in UTF-8
and says so.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from translate.errors import InputError
from translate.files import decode_text
from translate.formats.inline import BlockBuilder, rebuild
from translate.formats.marks import carry
from translate.formats.model import Block, Carried
from translate.formats.structure import MARKED, compare, describe, structure
from translate.normalize import contains_arabic
from translate.types import AlignedPair

BLOCKS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li dt dd td th caption figcaption blockquote title div section article aside header "
    "footer main nav address summary legend label option button pre".split()
)
"""Elements whose own text is a block (a ``div`` only where it holds text itself, not only other blocks)."""
SKIPPED = frozenset("script style noscript template head svg math iframe object textarea select".split())
"""Elements whose content is never translated (``head`` but for its ``title``)."""
REPEATABLE = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote div section article aside header footer main nav address pre".split()
)
"""Blocks whose Arabic, in a bilingual edition, is a sibling of its own before the English."""
TEXT_ONLY = frozenset(["title", "option"])
"""Blocks that can hold no element: a bilingual edition gives them their English only."""
REFERENCES = frozenset(["a", "sup", "sub"])
"""Inline elements that are a reference, not words, when they hold no letter (a footnote's ``[1]``): objects."""
MEDIA = frozenset("img picture video audio iframe object embed svg math".split())
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_BYTES = 50 * 1024 * 1024
"""The largest page read: its tree is held in memory whole."""
RTL_STYLE = re.compile(r"(direction\s*:\s*)rtl", re.IGNORECASE)
_TEXT_ALIGN = re.compile(r"(text-align\s*:\s*)right\b", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\w-]+", re.IGNORECASE)


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


@dataclass(frozen=True)
class _Style:
    wrappers: tuple[Any, ...]
    obj: Any = None


@dataclass
class _Paragraph:
    element: Any
    block: Block
    styles: list[_Style]


class Page:
    """The blocks of one HTML or XHTML tree (a web page, an EPUB chapter), and how to put English back into it."""

    def __init__(self, root: Any) -> None:
        self.root = root
        # A block without an Arabic letter (a menu's "Home", a number, a French label) stays as it is: the model
        # only knows Arabic, and would turn it into an English guess.
        self._paragraphs = [p for p in map(_read, _blocks(root)) if contains_arabic(p.block.text)]
        self._structure = structure(root)
        self.unkept: list[str] = []
        """What the English could not keep as it was of the page's ids and links, once written: one line each."""

    @property
    def blocks(self) -> list[Block]:
        return [p.block for p in self._paragraphs]

    def write(self, english: Sequence[Carried], *, bilingual: bool = False) -> None:
        """Block ``k`` in English (``english[k]``), the tree turned left to right; with ``bilingual``, each
        Arabic block kept before its English (inside a list item, a cell or a caption: above it, in the same
        element), right to left."""
        arabic = [_arabic_copy(p.element) for p in self._paragraphs] if bilingual else []
        emptied = []
        for paragraph, carried in zip(self._paragraphs, english, strict=True):
            emptied.extend(_write(paragraph, carried))
        # Checked before a bilingual edition's Arabic goes in: its copies keep their links, never their ids.
        self.unkept = [*emptied, *compare(self._structure, structure(self.root))]
        _left_to_right(self.root)
        for paragraph, copy_ in zip(self._paragraphs, arabic, strict=False):
            _place_arabic(paragraph.element, copy_)


class HtmlDocument:
    """An HTML page read for translation: its :attr:`blocks`, and the page to write them back into."""

    approximate = 0
    unkept: Sequence[str] = ()
    unfitted = 0  # nothing is set in a box
    unread: Sequence[int] = ()  # nothing is read by OCR

    def __init__(self, name: str, data: bytes) -> None:
        import lxml.html

        if len(data) > MAX_BYTES:
            raise InputError(f"{name}: {len(data) >> 20} MB of HTML; tarjama writes back pages of at most 50 MB")
        self.name = name
        text = decode_text(data, name)  # a page that says UTF-8 but is Windows-1256 is read as what it is
        parser = lxml.html.HTMLParser(remove_comments=False, no_network=True, default_doctype=False)
        try:
            root = lxml.html.document_fromstring(text, parser=parser)
        except Exception as exc:  # lxml raises ParserError, or ValueError on an empty page
            raise InputError(f"{name}: not a readable HTML page ({exc})") from None
        self._doctype = root.getroottree().docinfo.doctype
        self._page = Page(root)

    @property
    def blocks(self) -> list[Block]:
        return self._page.blocks

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The page in English: ``sentences[k]`` are block ``k``'s pairs, its inline formatting carried onto them.

        With ``bilingual``, each Arabic paragraph stays, followed by its English.
        """
        import lxml.html

        english = [carry(block, found) for block, found in zip(self.blocks, sentences, strict=True)]
        self.approximate = sum(c.approximate for c in english)
        self._page.write(english, bilingual=bilingual)
        self.unkept = self._page.unkept
        html = lxml.html.tostring(self._page.root, encoding="unicode", doctype=self._doctype or None)
        return html.encode("utf-8")


def _blocks(root: Any) -> Iterator[Any]:
    """The elements whose own text (not their blocks') is a block, in document order."""
    for element in root.iter():
        name = _local(element)
        if name not in BLOCKS:
            continue
        if name != "title" and any(_local(a) in SKIPPED for a in element.iterancestors()):
            continue
        own = (element.text or "").strip() or any(
            (_local(child) not in BLOCKS and _has_text(child)) or (child.tail or "").strip() for child in element
        )
        if own:
            yield element


def _has_text(element: Any) -> bool:
    if _local(element) in SKIPPED:
        return False
    return bool((element.text or "").strip()) or any(_has_text(c) or (c.tail or "").strip() for c in element)


def _read(element: Any) -> _Paragraph:
    built = BlockBuilder()
    links: dict[Any, tuple[int, int]] = {}  # each link's text: (start, end)
    for kind, value, wrappers in _leaves(element, ()):
        if kind == "text":
            # Blanks collapse as a browser shows them; a stretch that becomes one blank still separates words.
            key = tuple(id(w) for w in wrappers)
            start = built.at
            built.text(re.sub(r"\s+", " ", value), key, partial(_Style, wrappers))
            for link in (w for w in wrappers if _local(w) == "a" and w.get("href") is not None):
                links[link] = (links.get(link, (start, start))[0], built.at)
        else:
            if _is_anchor(value):
                built.cut()  # a verse or a section starts here: its sentence too
            built.object(_Style(wrappers, obj=value))
    for start, end in links.values():
        built.link(start, end)
    return _Paragraph(element, built.block(), built.styles)


def _is_anchor(element: Any) -> bool:
    """An empty ``<a id>`` (or ``name``): a place to link to, which starts what follows it."""
    return (
        _local(element) == "a"
        and (element.get("id") or element.get("name")) is not None
        and not "".join(element.itertext()).strip()
        and not len(element)
    )


def _leaves(element: Any, wrappers: tuple[Any, ...]) -> Iterator[tuple[str, Any, tuple[Any, ...]]]:
    """A block's content in order: ("text", str, inline elements around it), ("object", element, ...)."""
    if element.text:
        yield "text", element.text, wrappers
    for child in element:
        name = _local(child)
        if (
            not name
            or name in BLOCKS
            or name in SKIPPED
            or not _has_text(child)
            or any(_local(d) in BLOCKS for d in child.iterdescendants())
            or (name in REFERENCES and not any(c.isalpha() for c in "".join(child.itertext())))
            or _untranslatable(child)
        ):
            # A comment, a nested block or list or table (blocks of their own), a script, an image, a footnote's
            # "[1]", what says translate="no": moved as is.
            yield "object", child, wrappers
        else:
            yield from _leaves(child, (*wrappers, child))
        if child.tail:
            yield "text", child.tail, wrappers


def _untranslatable(element: Any) -> bool:
    """Marked not to be translated: ``translate="no"`` (HTML), or the ``notranslate`` class (Google's convention,
    which Mastodon's custom emoji and many sites use)."""
    return (element.get("translate") or "").lower() == "no" or "notranslate" in (element.get("class") or "").split()


def _write(paragraph: _Paragraph, carried: Carried) -> list[str]:
    """Put the English in; return a line for each link or anchor that got no English word (kept, empty, at the
    paragraph's start, so that what points to it still finds it)."""
    p = paragraph.element
    for child in list(p):
        p.remove(child)
    p.text = None
    made: set[int] = set()

    def shell(original: Any) -> Any:
        # A link's English can come in two stretches (its bold word put elsewhere): the second is a copy without
        # the id and the target, which stay on the first (an id twice is invalid, a link twice is noise).
        copy_ = _shell(original, again=id(original) in made)
        made.add(id(original))
        return copy_

    rebuild(
        p, carried, paragraph.styles, shell=shell, text=lambda parent, text, _: _append_text(parent, text), obj=_move
    )
    lost = []
    for original in dict.fromkeys(w for style in paragraph.styles for w in style.wrappers):
        if id(original) not in made and any(original.get(a) is not None for a in MARKED):
            empty = _shell(original, again=False)
            empty.tail, p.text = p.text, None
            p.insert(0, empty)
            lost.append(f"{describe(original)} had no English word: kept, empty, at the start of its paragraph")
    return lost


def _shell(original: Any, *, again: bool = False) -> Any:
    shell = copy.copy(original)
    for child in list(shell):
        shell.remove(child)
    shell.text = shell.tail = None
    if again:
        for attribute in MARKED:
            shell.attrib.pop(attribute, None)
    return shell


def _move(parent: Any, style: _Style) -> None:
    """An image, a line break, a nested list moved as it is (its tail, text of this block, is not)."""
    tail = style.obj.tail
    style.obj.tail = None
    parent.append(style.obj)
    if tail and not tail.strip():
        style.obj.tail = tail


def _append_text(parent: Any, text: str, _style: _Style | None = None) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _arabic_copy(element: Any) -> Any:
    """The block's own Arabic, for a bilingual edition: a copy without its nested blocks (each has its own copy)
    or ids (the English keeps them), right to left."""
    arabic = copy.deepcopy(element)
    for child in list(arabic):
        if _local(child) in BLOCKS or any(_local(d) in BLOCKS for d in child.iterdescendants()):
            _remove_keeping_tail(child)
    for descendant in arabic.iter():
        if isinstance(descendant.tag, str):
            descendant.attrib.pop("id", None)
    for media in [d for d in arabic.iterdescendants() if _local(d) in MEDIA]:
        _remove_keeping_tail(media)  # pictures and players once, with the English
    arabic.tail = None
    _set_language(arabic, "rtl", "ar")
    return arabic


def _place_arabic(element: Any, arabic: Any) -> None:
    """Put a block's Arabic before its English: as a sibling where the element may repeat (a paragraph, a
    heading), else at the start of the element itself (a list item, a cell: one more would shift the
    list's numbers or the table's columns); nowhere in elements that hold only text (a title, an option)."""
    name = _local(element)
    if name in TEXT_ONLY:
        return
    if name in REPEATABLE:
        arabic.tail = "\n"  # the next line of the source, as between two paragraphs
        element.addprevious(arabic)
        return
    namespace = element.tag[: element.tag.index("}") + 1] if element.tag.startswith("{") else ""
    span = element.makeelement(namespace + "span", {})
    _set_language(span, "rtl", "ar")
    span.text = arabic.text
    span.extend(list(arabic))
    line_break = element.makeelement(namespace + "br", {})
    line_break.tail, element.text = element.text, None
    element.insert(0, span)
    element.insert(1, line_break)


def _remove_keeping_tail(element: Any) -> None:
    parent, previous, tail = element.getparent(), element.getprevious(), element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _set_language(element: Any, direction: str, lang: str) -> None:
    element.set("dir", direction)
    element.set("lang", lang)
    if element.tag.startswith("{"):  # XHTML (an EPUB chapter): xml:lang is the one that counts
        element.set(XML_LANG, lang)


def css_left_to_right(css: str) -> str:
    """CSS for English: ``direction: rtl`` becomes ``ltr``, and ``text-align: right`` (where an Arabic line
    starts) becomes ``start``, so that English starts on the left and a bilingual edition's Arabic still on the
    right. ``text-align: left`` stays left: in an Arabic book it is a choice against the direction (a table of
    contents, a Latin passage), which the English keeps; made ``end``, it would put the English on the right."""
    css = RTL_STYLE.sub(r"\1ltr", css)
    return _TEXT_ALIGN.sub(r"\1start", css)


def _left_to_right(root: Any) -> None:
    """Directions and languages for English; the page's declared encoding made UTF-8, as it is written."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element) == "meta":
            if element.get("charset") is not None:
                element.set("charset", "utf-8")
            content = element.get("content") or ""
            if (element.get("http-equiv") or "").lower() == "content-type" and _CHARSET.search(content):
                element.set("content", _CHARSET.sub("charset=utf-8", content))
        if (element.get("dir") or "").lower() == "rtl":
            element.set("dir", "ltr")
        for attribute in ("lang", XML_LANG):
            if (element.get(attribute) or "").lower().startswith("ar"):
                element.set(attribute, "en")
        style = element.get("style")
        if style and style != css_left_to_right(style):
            element.set("style", css_left_to_right(style))
        if _local(element) == "style" and element.text:
            element.text = css_left_to_right(element.text)
