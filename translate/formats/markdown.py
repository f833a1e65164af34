"""Markdown in and out: paragraphs, headings and table cells read as :class:`Block` s, patched back in English.

Parsed with markdown-it-py (CommonMark, with GFM tables and strikethrough).
A block is the inline content of a paragraph, a heading (ATX or setext) or a
table cell; emphasis, strong, strikethrough and links are the formatting
carried onto the English words aligned to theirs (:mod:`translate.formats.marks`)
and written again around them; inline code, images, autolinks and raw HTML
move as they are. The source is patched, not regenerated: only the lines that
hold a block's content change (container prefixes such as ``> `` or ``1. ``
and heading markers stay), code, HTML blocks, front matter and every other
line stay byte for byte. Markdown has no direction to turn left to right.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

from translate.errors import InputError
from translate.files import decode_text
from translate.formats.inline import BlockBuilder, rebuild
from translate.formats.marks import carry
from translate.formats.model import Block, Carried, Span
from translate.normalize import contains_arabic
from translate.types import AlignedPair

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_BYTES = 50 * 1024 * 1024
"""The largest file read: its lines and tokens are held in memory whole."""
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")  # markdown-it's own line breaks, no others
_SPECIAL = re.compile(r"[\\`*_\[\]<>~]|&(?=#?\w+;)|(?:^|(?<=\s))#")
_LINE_START = re.compile(r"[-+=]|[0-9]{1,9}(?=[.)])")  # a list item or setext underline if a line began so
_ATX = re.compile(r"(.*?)(#{1,6}[ \t]*)")
_WRAPPERS = {"em_open": "em_close", "strong_open": "strong_close", "s_open": "s_close", "link_open": "link_close"}


@dataclass(frozen=True, eq=False)  # compared by identity: inline.rebuild opens one copy per original
class _Wrapper:
    opening: str
    closing: str


@dataclass(frozen=True)
class _Style:
    wrappers: tuple[_Wrapper, ...]
    obj: str | None = None  # an object's Markdown, written again as it was
    before: bool = False  # a blank stood before the object: the English keeps one there
    after: bool = False  # and after it


@dataclass(frozen=True)
class _Place:
    """Where a block's content stands: ``lines[line][start:end]``, the rest of its lines, its container's prefix."""

    kind: str  # "paragraph", "atx", "setext" or "cell"
    line: int
    start: int
    end: int
    drop: tuple[int, ...] = ()  # its other content lines
    last: int = 0  # its last line (a setext heading's underline): a bilingual English goes after it
    container: str = ""  # what stands before the content on its first line, heading markers aside
    marker: str = ""  # an ATX heading's opening ``## ``, a setext heading's underline


@dataclass(frozen=True)
class _Paragraph:
    place: _Place
    block: Block
    styles: tuple[_Style, ...]


class _Node:
    """A wrapper's copy (or the line itself) in the English: its Markdown pieces, in order."""

    def __init__(self, wrapper: _Wrapper | None = None) -> None:
        self.wrapper = wrapper
        self.parts: list[_Node | str] = []

    def append(self, part: _Node | str) -> None:
        at = len(self.parts)
        while at and isinstance(self.parts[at - 1], str) and not str(self.parts[at - 1]).strip():
            at -= 1
        previous = self.parts[at - 1] if at else None
        if isinstance(part, _Node) and isinstance(previous, _Node) and part.wrapper is previous.wrapper is not None:
            # A wrapper reopened after a plain blank (a link over a code span, a blank, a word) stays one:
            # the copy's parts go on in the first one's.
            previous.parts.extend(self.parts[at:])
            del self.parts[at:]
            part.parts = previous.parts
        else:
            self.parts.append(part)

    def markdown(self) -> str:
        inner = "".join(p if isinstance(p, str) else p.markdown() for p in self.parts)
        body = inner.strip()
        if self.wrapper is None or not body:
            return inner
        # `** bold**` is no emphasis: blanks at the edges go outside the markers.
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        return f"{lead}{self.wrapper.opening}{body}{self.wrapper.closing}{trail}"


class MarkdownDocument:
    """A Markdown file read for translation: its :attr:`blocks`, and the source lines to patch with them."""

    approximate = 0
    unkept: Sequence[str] = ()  # Markdown has no ids; its links are rebuilt once each
    unfitted = 0  # nothing is set in a box
    unread: Sequence[int] = ()  # nothing is read by OCR

    def __init__(self, name: str, data: bytes) -> None:
        if len(data) > MAX_BYTES:
            raise InputError(f"{name}: {len(data) >> 20} MB of Markdown; tarjama writes back files of at most 50 MB")
        self.name = name
        self._bom = data.startswith(codecs.BOM_UTF8)
        text = decode_text(data, name)
        found = re.search(r"\r\n|\r|\n", text)
        self._newline = found.group() if found else "\n"
        self._ends_open = not text.endswith(("\n", "\r"))
        self._lines = [(m.group(1), m.group(2)) for m in _LINE.finditer(text) if m.group(0)]
        bodies = [body for body, _ in self._lines]
        hidden = _front_matter(bodies)  # blank to the parser, so that line numbers stay the file's
        tokens = _parser().parse("\n".join([""] * hidden + bodies[hidden:]))
        self._paragraphs: list[_Paragraph] = []
        cursor = 0
        for k, token in enumerate(tokens):
            if token.type == "tr_open" and token.map:
                row = bodies[token.map[0]]
                cursor = len(row) - len(row.lstrip(" \t>"))  # a blockquote's `>` before the row
            if token.type != "inline" or not token.map:
                continue
            try:
                if tokens[k - 1].type in ("th_open", "td_open"):
                    place = _cell(token, bodies[token.map[0]], cursor)
                    cursor = place.end
                else:
                    place = _place(token, tokens[k - 1], bodies)
            except ValueError as exc:
                raise InputError(
                    f"{name}, {exc}: tarjama cannot find this text to put the English in its place; "
                    "translate the file to .txt or .tmx instead"
                ) from None
            block, styles = _read(token.children or [])
            if contains_arabic(block.text):  # without Arabic it stays as written, and has no bilingual twin
                self._paragraphs.append(_Paragraph(place, block, styles))

    @property
    def blocks(self) -> list[Block]:
        return [p.block for p in self._paragraphs]

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The file in English, in UTF-8: ``sentences[k]`` are block ``k``'s pairs, its formatting carried onto them.

        Each block's content is replaced on its first line, its other lines
        removed. With ``bilingual``, each Arabic paragraph or heading stays,
        followed by a blank line and its English in the same container; a
        table cell becomes ``Arabic<br>English``.
        """
        english = [carry(block, found) for block, found in zip(self.blocks, sentences, strict=True)]
        self.approximate = sum(c.approximate for c in english)
        edits: dict[int, list[tuple[int, int, str]]] = {}
        drop: set[int] = set()
        after: dict[int, list[str]] = {}
        for paragraph, carried in zip(self._paragraphs, english, strict=True):
            place = paragraph.place
            text = _english(carried, paragraph.styles, cell=place.kind == "cell")
            body = self._lines[place.line][0]
            if place.kind == "cell":
                edits.setdefault(place.line, []).append(
                    (place.start, place.end, f"{body[place.start : place.end]}<br>{text}" if bilingual else text)
                )
            elif not bilingual:
                edits.setdefault(place.line, []).append((place.start, place.end, text))
                drop.update(place.drop)
            else:
                added = after.setdefault(place.last, [])
                continuation = re.sub(r"[^>\s]", " ", place.container)
                if place.kind == "setext":
                    added += [continuation.rstrip(), continuation + text, continuation + place.marker]
                else:
                    closing = body[place.end :] if place.kind == "atx" else ""
                    added += [continuation.rstrip(), continuation + place.marker + text + closing]
        return self._written(edits, drop, after)

    def _written(
        self, edits: dict[int, list[tuple[int, int, str]]], drop: set[int], after: dict[int, list[str]]
    ) -> bytes:
        out: list[str] = []
        for i, (body, ending) in enumerate(self._lines):
            if i in drop:
                continue
            if i in edits:
                for start, end, new in sorted(edits[i], reverse=True):
                    body = body[:start] + new + body[end:]
                if not body.strip(" \t>"):
                    continue  # an English left empty: no line of only a `>` where the paragraph was
            if i in after:
                out.append(body + (ending or self._newline))
                out.extend(line + self._newline for line in after[i])
            else:
                out.append(body + ending)
        text = "".join(out)
        if self._ends_open and text.endswith(self._newline):
            text = text[: -len(self._newline)]
        return (codecs.BOM_UTF8 if self._bom else b"") + text.encode("utf-8")


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _front_matter(bodies: Sequence[str]) -> int:
    """How many lines a YAML (``---``) or TOML (``+++``) front matter takes at the top; 0 if none."""
    fence = bodies[0].rstrip() if bodies else ""
    ends = {"---": ("---", "..."), "+++": ("+++",)}.get(fence, ())
    return next((i + 1 for i in range(1, len(bodies)) if ends and bodies[i].rstrip() in ends), 0)


def _place(inline: Token, opening: Token, bodies: Sequence[str]) -> _Place:
    """Where a paragraph's or a heading's content lies in its lines."""
    assert inline.map is not None and opening.map is not None
    first, last = inline.map[0], opening.map[1] - 1  # a setext heading's last line: its underline
    line = inline.content.split("\n")[0]
    body = bodies[first]
    start = body.rfind(line)  # the content ends its line, but for trailing blanks and a heading's closing #s
    if start < 0:
        raise ValueError(f"line {first + 1}")
    end, container, marker = start + len(line), body[:start], ""
    kind = "paragraph"
    if opening.type == "heading_open" and opening.markup not in ("=", "-"):  # ATX: the markup is its #s
        kind = "atx"
        found = _ATX.fullmatch(container)
        if found:
            container, marker = found.group(1), found.group(2)
    elif opening.type == "heading_open":
        kind, marker = "setext", bodies[last].lstrip(" \t>")
    drop = tuple(range(first + 1, inline.map[1]))
    return _Place(kind, first, start, end, drop, last, container, marker)


def _cell(inline: Token, body: str, cursor: int) -> _Place:
    """Where a table cell's content lies on its row's line, at or after ``cursor``."""
    assert inline.map is not None
    # The parser reads `\|` as a `|` of the cell's text.
    pattern = r"\\?\|".join(re.escape(part) for part in inline.content.split("|"))
    found = re.compile(pattern).search(body, cursor)
    if found is None:
        raise ValueError(f"line {inline.map[0] + 1}")
    return _Place("cell", inline.map[0], found.start(), found.end(), last=inline.map[0])


def _read(children: Sequence[Token]) -> tuple[Block, tuple[_Style, ...]]:
    """A block's text and spans from its inline tokens: wrappers around text, objects as zero-length spans."""
    built = BlockBuilder()
    open_: list[_Wrapper] = []
    k = 0
    while k < len(children):
        token = children[k]
        kind, k = token.type, k + 1
        if kind in ("text", "text_special", "softbreak", "hardbreak"):
            value = token.content if kind.startswith("text") else " "
            key = tuple(id(w) for w in open_)
            built.text(value, key, partial(_Style, tuple(open_)))
        elif kind == "link_open" and token.markup == "autolink":
            built.object(_Style(tuple(open_), obj=_autolink(token, children[k])))
            k += 2  # its text and link_close
        elif kind in _WRAPPERS:
            open_.append(_wrapper(token))
        elif kind in _WRAPPERS.values():
            open_.pop()
        else:
            built.object(_Style(tuple(open_), obj=_object(token)))
    block = built.block()
    styles, spans = list(built.styles), block.spans
    for n, span in enumerate(spans):
        if span.start == span.end:  # objects side by side are one group: blanks around it, none put inside
            before = block.text[span.start - 1 : span.start].isspace() and not _object_at(spans, n - 1, span.start)
            after = block.text[span.start : span.start + 1].isspace() and not _object_at(spans, n + 1, span.start)
            styles[span.style] = replace(styles[span.style], before=before, after=after)
    return block, tuple(styles)


def _object_at(spans: Sequence[Span], n: int, at: int) -> bool:
    return 0 <= n < len(spans) and spans[n].start == spans[n].end == at


def _wrapper(token: Token) -> _Wrapper:
    if token.type != "link_open":
        return _Wrapper(token.markup, token.markup)
    return _Wrapper("[", f"]({_destination(str(token.attrGet('href') or ''), token.attrGet('title'))})")


def _destination(url: str, title: object) -> str:
    written = f"<{url}>" if not url or re.search(r"[\s()<>]", url) else url
    escaped = str(title).replace("\\", "\\\\").replace('"', '\\"')
    return f'{written} "{escaped}"' if title else written


def _autolink(token: Token, text: Token) -> str:
    href = str(token.attrGet("href") or "")  # an e-mail's gains a `mailto:` its text never showed
    return f"<{text.content}>" if href.startswith("mailto:") and href != text.content else f"<{href}>"


def _object(token: Token) -> str:
    """An inline object's Markdown, as the parser read it."""
    if token.type == "code_inline":
        code = token.content
        pad = code[:1] == "`" or code[-1:] == "`" or (code[:1] == code[-1:] == " " and code.strip() != "")
        return f"{token.markup}{' ' if pad else ''}{code}{' ' if pad else ''}{token.markup}"
    if token.type == "image":
        return f"![{token.content}]({_destination(str(token.attrGet('src') or ''), token.attrGet('title'))})"
    return token.content  # raw HTML, and whatever else stands in a line as it is


def _english(carried: Carried, styles: Sequence[_Style], *, cell: bool) -> str:
    """A block's English as inline Markdown on one line: the text escaped, the wrappers rebuilt around it."""
    line = _Node()
    # The last character written; after an object, whether a blank follows it (True) or none may (False).
    last: str = ""
    pending: bool | None = None

    def text(parent: _Node, piece: str, _style: _Style) -> None:
        nonlocal last, pending
        piece = _escape(piece, cell=cell)
        if pending is False:
            piece = piece.lstrip()
        elif pending and piece and not piece[0].isspace():
            piece = " " + piece
        parent.append(piece)
        last, pending = piece[-1:] or last, pending if not piece else None

    def obj(parent: _Node, style: _Style) -> None:
        nonlocal last, pending
        markup = style.obj or ""
        if (style.before and last and not last.isspace()) or (last == "`" and markup[:1] == "`"):
            parent.append(" ")  # and no two code spans run into one
        parent.append(markup)
        # A blank moved before the object is not repeated after it; an object inside a word changes no blank.
        last, pending = markup[-1:] or last, True if style.after else (False if style.before else None)

    rebuild(line, carried, styles, shell=_Node, text=text, obj=obj)
    return _line_start(line.markdown().strip())


def escape_paragraph(text: str) -> str:
    """Plain text as a Markdown paragraph that reads as that text: no character of it taken for markup."""
    return _line_start(_escape(text.strip(), cell=False))


def _line_start(written: str) -> str:
    found = _LINE_START.match(written)
    if found:  # "- ", "1." or "+" at the start of a line would make a list item of the English
        at = 0 if found.group()[0] in "-+=" else found.end()
        written = f"{written[:at]}\\{written[at:]}"
    return written


def _escape(text: str, *, cell: bool) -> str:
    """The model's English as Markdown text: no character of it read as markup."""
    text = re.sub(r"[\r\n]+", " ", text)
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)
    return text.replace("|", "\\|") if cell else text
