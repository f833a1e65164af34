"""The reader's downloads: the aligned pairs in each format, and an uploaded document back as itself.

Written afresh after every change (a correction, a glossary term), each
time into a folder of its own; Gradio serves a copy from its own cache, so
the previous folder is removed once the next one exists.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import gradio as gr

from translate import AlignedPair, TranslateError, write_pairs, write_tsv
from translate.commands.output import REVIEW_HEADER, review_reasons
from translate.formats import (
    READ_AS_PAGES,
    SCANNED,
    Document,
    by_block,
    document_text,
    read_document,
    written_warnings,
)
from translate.writers import EXTENSIONS, tsv_escape
from ui.render import untranslated

logger = logging.getLogger("tarjama")

DOWNLOAD_FORMATS = ("tsv", "jsonl", "tmx", "txt")
DOWNLOAD_BUTTONS = (*DOWNLOAD_FORMATS, "document", "bilingual", "checks")
"""The download buttons: the aligned pairs in each format, an uploaded document back in its own format, in
English and as a bilingual edition, and the checks: every flagged sentence, as ``tarjama translate --review``
lists them (shown when there is one)."""
WRITTEN_BACK = {
    ".docx": ".docx",
    ".html": ".html",
    ".htm": ".html",
    ".md": ".md",
    ".epub": ".epub",
    ".srt": ".srt",
    ".vtt": ".vtt",
    ".pdf": ".pdf",
    **dict.fromkeys(SCANNED, ".docx"),
}
"""Uploads the reader gives back as a document, and its ending: their own (a PDF: its pages, in English, a scanned
page's English over its image), an image's (read by OCR) a Word file."""
KEPT_PDFS = 16
"""Uploaded PDFs kept as read, for the downloads of their corrections."""
EDITIONS = ((False, "en", "English"), (True, "ar-en", "Bilingual"))
"""The document downloads: (bilingual, the name's ending, the button's word)."""


class Downloads:
    """The files behind the download buttons, under ``folder``; uploaded documents are kept there too."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Uploaded PDFs as read, by their kept copy: reading a PDF is the slow part of writing its English, and
        # writing it changes nothing, so each correction's downloads reuse it (the most recent few are kept).
        self._pdfs: OrderedDict[str, tuple[Document, str]] = OrderedDict()

    def keep(self, name: str, data: bytes) -> str:
        """A copy of an uploaded document for its downloads (Gradio may clear its own upload folder)."""
        folder = self.folder / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)
        return str(folder / name)

    def write(
        self, name: str, pairs: Sequence[AlignedPair], document: str, *, previous: str = ""
    ) -> tuple[str, list[gr.DownloadButton], list[str]]:
        """Write ``pairs`` (and ``document``, a kept upload, in English) as ``name.*``; return the folder, the
        buttons, and what reading and writing the document could not do exactly (the CLI's warnings after
        it: lines OCR left out, English past its box…). The ``previous`` folder is removed."""
        if previous:
            shutil.rmtree(previous, ignore_errors=True)
        folder = self.folder / uuid.uuid4().hex
        folder.mkdir(parents=True)
        buttons = []
        for fmt in DOWNLOAD_FORMATS:
            path = folder / f"{name}{EXTENSIONS[fmt]}"
            with path.open("w", encoding="utf-8", newline="") as out:
                if fmt == "tsv":  # the one format that needs telling to mark corrections
                    write_tsv(pairs, out, mark_edits=any(p.edited for p in pairs))
                elif fmt == "txt":  # the English alone: a sentence not translated holds its place, said so
                    write_pairs([_in_text(p) for p in pairs], out, fmt)
                else:  # a sentence not translated: empty English, and its check says why
                    write_pairs(pairs, out, fmt)
            buttons.append(gr.DownloadButton(value=str(path), interactive=True))
        # In a document, a sentence not translated keeps its Arabic rather than leave a hole.
        kept = [dataclasses.replace(p, target=p.source) if untranslated(p) else p for p in pairs]
        written, warnings = self._documents(name, kept, document, folder)
        buttons.extend(written)
        buttons.append(self._checks(name, pairs, folder))
        return str(folder), buttons, warnings

    @staticmethod
    def none() -> list[gr.DownloadButton]:
        """Every button empty: nothing to download yet."""
        return [
            *(gr.DownloadButton(value=None, interactive=False) for _ in DOWNLOAD_FORMATS),
            *(gr.DownloadButton(value=None, visible=False) for _ in EDITIONS),
            gr.DownloadButton(value=None, visible=False),
        ]

    @staticmethod
    def _checks(name: str, pairs: Sequence[AlignedPair], folder: Path) -> gr.DownloadButton:
        """The flagged sentences, one a line, in the columns of ``tarjama translate --review``; hidden if none.

        A correction is a person's: the checks were of the model's English, so a corrected sentence is not
        listed (as in the page, where its ⚠ goes).
        """
        flagged = [p for p in pairs if p.flagged and not p.edited]
        if not flagged:
            return gr.DownloadButton(value=None, visible=False)
        path = folder / f"{name}.checks.tsv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("\t".join(REVIEW_HEADER) + "\n")
            for pair in flagged:
                place = f"paragraph {pair.paragraph}"
                fields = (name, place, str(pair.index), review_reasons(pair), pair.source, pair.target)
                out.write("\t".join(tsv_escape(field) for field in fields) + "\n")
        label = f"⬇ Checks TSV ({len(flagged)} ⚠)"
        return gr.DownloadButton(label, value=str(path), interactive=True, visible=True)

    def _documents(
        self, name: str, pairs: Sequence[AlignedPair], document: str, folder: Path
    ) -> tuple[list[gr.DownloadButton], list[str]]:
        """The uploaded document in English and as a bilingual edition, its corrections and glossary terms in
        them, and the warnings of writing them (each once); hidden for other inputs."""
        hidden = [gr.DownloadButton(value=None, visible=False) for _ in EDITIONS]
        if not document:
            return hidden, []
        source = Path(document)
        buttons: list[gr.DownloadButton] = []
        warnings: list[str] = []
        for bilingual, ending, label in EDITIONS:
            try:
                written, suffix = self._read(source, WRITTEN_BACK[source.suffix.lower()])
                _, starts = document_text(written.blocks)
                data = written.render(by_block(pairs, starts, written.blocks), bilingual=bilingual)
            except (TranslateError, ValueError, OSError) as exc:
                logger.warning("%s: cannot write it back in English: %s", source.name, exc)
                return hidden, [f"{source.name}: cannot write it back in English: {exc}"]
            warnings += [line for line in written_warnings(written) if line not in warnings]
            path = folder / f"{name}.{ending}{suffix}"
            path.write_bytes(data)
            text = f"⬇ {label} {suffix.lstrip('.').upper()}"
            buttons.append(gr.DownloadButton(text, value=str(path), interactive=True, visible=True))
        return buttons, warnings

    def _read(self, source: Path, suffix: str) -> tuple[Document, str]:
        """The uploaded document, read to be written back, and the ending it is written with: afresh each time
        (writing English into a document changes it in place), but a PDF or a scan only once (a scan is read by
        OCR, seconds a page)."""
        if source.suffix.lower() not in READ_AS_PAGES:
            return read_document(source.name, source.read_bytes(), suffix.lstrip(".")), suffix
        key = str(source)
        found = self._pdfs.get(key)
        if found is None:
            found = read_document(source.name, source.read_bytes(), suffix.lstrip(".")), suffix
            self._pdfs[key] = found
            while len(self._pdfs) > KEPT_PDFS:
                self._pdfs.popitem(last=False)
        return found


def _in_text(pair: AlignedPair) -> AlignedPair:
    """``pair`` as the English text shows it: a sentence not translated says so in its place."""
    if not untranslated(pair):
        return pair
    return dataclasses.replace(pair, target=f"[sentence {pair.index + 1} not translated]")
