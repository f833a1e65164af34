"""Documents read into one model (:class:`Block` s with formatting spans) and written back in their own format.

A format's reader gives the blocks; :func:`document_text` joins them into one
text for the translator (so that batches span paragraphs), :func:`by_block`
gives each block its sentences back, :func:`~translate.formats.marks.carry`
puts its formatting on the English, and the format's writer patches the
original package with it.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from translate.formats.model import Block, Carried, Span
from translate.types import AlignedPair, ReadText

__all__ = [
    "DOCUMENT_SUFFIXES",
    "FORMATS",
    "READ_AS_PAGES",
    "SCANNED",
    "Block",
    "Carried",
    "Document",
    "Span",
    "by_block",
    "document_text",
    "read_document",
    "written_warnings",
]

SCANNED = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp")
"""Images read by OCR (:mod:`translate.formats.ocr`), written back as a PDF's paragraphs are."""
READ_AS_PAGES = (".pdf", *SCANNED)
"""Files whose paragraphs come in a new document (their layout is not rewritten): a Word file by default; a PDF
with a text layer may also come back as a PDF (``-f pdf``)."""
FORMATS = {
    "docx": (".docx", *READ_AS_PAGES),
    "html": (".html", ".htm", *READ_AS_PAGES),
    "md": (".md", *READ_AS_PAGES),
    "epub": (".epub",),
    "srt": (".srt",),
    "vtt": (".vtt",),
    "pdf": (".pdf",),
}
"""The documents tarjama writes in English, and the file endings each is written from: a document of its own kind
(patched; a PDF's pages keep their layout, :mod:`translate.formats.pdfwrite`), or a PDF or a scan (its
paragraphs in a new document)."""
DOCUMENT_SUFFIXES = tuple(dict.fromkeys(suffix for suffixes in FORMATS.values() for suffix in suffixes))


class Document(Protocol):
    """A document read for translation: its blocks, and itself in English once each block has its sentences."""

    name: str
    approximate: int  # formatted stretches put on the nearest English word, once rendered
    unkept: Sequence[str]  # ids and links the English could not keep as they were, once rendered: a line each
    unfitted: int  # paragraphs whose English runs past their box (a PDF's pages written back), once rendered
    unread: Sequence[int]  # the page of each line OCR read as neither Arabic nor English (left out)

    @property
    def blocks(self) -> list[Block]: ...

    def render(self, sentences: Sequence[Sequence[AlignedPair]], *, bilingual: bool = False) -> bytes:
        """The document in English; with ``bilingual``, each Arabic paragraph (or cue) kept before its English."""
        ...


UNKEPT_SHOWN = 5
"""Ids and links not kept that a warning names (the rest are counted)."""


def written_warnings(document: Document) -> list[str]:
    """What reading and writing ``document`` back did not do exactly, a line each, once it is rendered: lines OCR
    left out, formatting put on the nearest English word, ids and links not kept, English that runs past its
    box. Every output says them: the
    CLI on stderr, the server beside the file, the reader under its downloads."""
    from translate.formats.pdf import unread_warning

    name, lines = document.name, []
    if (unread := unread_warning(name, document.unread)) is not None:
        lines.append(unread)
    if document.approximate:
        lines.append(
            f"{name}: {document.approximate} formatted stretch(es) had no aligned English word; "
            "each was put on the nearest one"
        )
    if document.unkept:
        more = len(document.unkept) - UNKEPT_SHOWN
        lines.append(
            f"{name}: {len(document.unkept)} id(s) or link(s) not kept as they were: "
            + "; ".join(document.unkept[:UNKEPT_SHOWN])
            + (f"; and {more} more" if more > 0 else "")
        )
    if document.unfitted:
        lines.append(
            f"{name}: {document.unfitted} paragraph(s) did not fit their box even at the smallest size; "
            "each runs past it, flagged with a note on its page"
        )
    return lines


def read_document(name: str, data: bytes, target: str = "", *, layout: str = "side") -> Document:
    """The document ``data`` by its name's ending (:data:`DOCUMENT_SUFFIXES`); :class:`InputError` if unreadable.

    ``target`` is the format to write (a PDF's English is the same ``pdf``, or a new ``docx``, ``html`` or ``md``;
    the default: docx); ``layout``, a bilingual PDF's pages (:data:`~translate.formats.pdfwrite.LAYOUTS`).
    """
    from translate.formats.sniff import check_kind

    suffix = Path(name).suffix.lower()
    if suffix in DOCUMENT_SUFFIXES:
        check_kind(name, data)  # a .docx named .pdf is said to be one, not "a damaged PDF"
    if suffix == ".pdf" and target == "pdf":
        from translate.formats.pdfwrite import PdfDocument

        return PdfDocument(name, data, layout=layout)
    if suffix in READ_AS_PAGES:
        from translate.formats.pdf import PdfText

        return PdfText(name, data, target or "docx")
    if suffix == ".docx":
        from translate.formats.docx import DocxDocument

        return DocxDocument(name, data)
    if suffix in (".srt", ".vtt"):
        from translate.formats.subtitles import Subtitles

        return Subtitles(name, data)
    if suffix in (".html", ".htm"):
        from translate.formats.html import HtmlDocument

        return HtmlDocument(name, data)
    if suffix == ".epub":
        from translate.formats.epub import EpubDocument

        return EpubDocument(name, data)
    if suffix == ".md":
        from translate.formats.markdown import MarkdownDocument

        return MarkdownDocument(name, data)
    raise ValueError(f"{name}: tarjama writes back only {', '.join(DOCUMENT_SUFFIXES)}")


BLOCK_GAP = "\n"
"""Between blocks: a new line, which starts a paragraph of the text (sentences never cross it)."""
_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def document_text(blocks: Sequence[Block]) -> tuple[str, list[int]]:
    """The blocks as one text, a paragraph each, and where each block starts in it.

    A line break inside a block is read as a space, so that every sentence
    stays inside its block; a block's :attr:`~Block.cuts` become line breaks
    (a sentence never crosses one), so a block takes one character more in the
    text per cut: :func:`by_block` takes them out again. Blocks read by OCR
    give their doubts to the text (a :class:`~translate.types.ReadText`), for
    the translator's ``ocr`` checks.
    """
    starts, parts, doubts, at = [], [], [], 0
    for block in blocks:
        starts.append(at)
        text = _LINE_BREAKS.sub(" ", block.text)
        bounds = (0, *block.cuts, len(text))
        parts.append(BLOCK_GAP.join(text[a:b] for a, b in itertools.pairwise(bounds)))
        # A doubt moves on by the cuts before it (each a line break more in the text).
        doubts += [
            dataclasses.replace(
                d,
                start=at + d.start + sum(1 for c in block.cuts if c <= d.start),
                end=at + d.end + sum(1 for c in block.cuts if c < d.end),
            )
            for d in block.doubts
        ]
        at += len(parts[-1]) + len(BLOCK_GAP)
    text = BLOCK_GAP.join(parts)
    return (ReadText(text, tuple(doubts)) if doubts else text), starts


def by_block(pairs: Iterable[AlignedPair], starts: Sequence[int], blocks: Sequence[Block]) -> list[list[AlignedPair]]:
    """Each block's pairs, in order, their offsets made relative to the block (its cuts taken out).

    Raise ``ValueError`` if a sentence is missing, repeated or crosses blocks:
    every sentence must land in exactly one place of the document written.
    """
    grouped: list[list[AlignedPair]] = [[] for _ in blocks]
    laid_out: dict[int, list[int]] = {}  # block: where each of its pieces but the first starts in its text
    for pair in pairs:
        start = pair.start or 0
        k = bisect.bisect_right(starts, start) - 1
        if k < 0:
            raise ValueError(f"sentence {pair.index + 1} does not lie inside one paragraph")
        block = blocks[k]
        local = start - starts[k]
        if k not in laid_out:
            # Piece i of the block starts at cuts[i - 1] + i in the text: i line breaks were put before it.
            laid_out[k] = [c + i + 1 for i, c in enumerate(block.cuts)]
        piece = bisect.bisect_right(laid_out[k], local)
        first = block.cuts[piece - 1] if piece else 0
        last = block.cuts[piece] if piece < len(block.cuts) else len(block.text)
        local -= piece
        if local < first or local + len(pair.source) > last:
            raise ValueError(f"sentence {pair.index + 1} does not lie inside one paragraph")
        grouped[k].append(dataclasses.replace(pair, start=local, end=local + len(pair.source)))
    for k, (block, found) in enumerate(zip(blocks, grouped, strict=True)):
        covered = "".join(p.source for p in found)
        if "".join(block.text.split()) != "".join(covered.split()):
            raise ValueError(f"paragraph {k + 1}: its sentences do not add up to its text")
    return grouped
