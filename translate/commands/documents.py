"""``-f docx|html|md|epub|srt|vtt``: documents translated back into documents of their kind (the CLI's side of
:mod:`translate.formats`)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from translate.checks import NameTally
from translate.commands.common import UsageError
from translate.commands.output import Findings, Progress, report
from translate.corpus import is_corpus
from translate.documents import check_arabic
from translate.errors import InputError
from translate.files import InputFile, read_bytes, write_bytes_atomically
from translate.formats import FORMATS, by_block, document_text, read_document, written_warnings
from translate.formats.pdfwrite import LAYOUTS
from translate.types import AlignedPair

if TYPE_CHECKING:
    from translate.translator import Translator

logger = logging.getLogger("tarjama")

DOCUMENT_FORMATS = FORMATS
"""Output formats that are the input document itself, in English, and the inputs each takes."""


def add_bilingual_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bilingual",
        action="store_true",
        help="with a document output (-f docx, html, md, epub, srt, vtt, pdf): a bilingual edition, each Arabic "
        "paragraph followed by its English (subtitles: each cue with both lines; a PDF: each page beside its "
        "original, see --pdf-pages)",
    )
    parser.add_argument(
        "--pdf-pages",
        choices=LAYOUTS,
        default="side",
        help="with -f pdf --bilingual: each English page and its original side by side on one wide page (side, "
        "the default) or one after the other (alternate)",
    )


def check_inputs(inputs: Sequence[InputFile], fmt: str, output: Path | None, out_dir: Path | None) -> None:
    """:class:`UsageError` unless every input is a document of format ``fmt`` with a file to be written to."""
    for item in inputs:
        if item.path is None or is_corpus(item.path) or item.path.suffix.lower() not in DOCUMENT_FORMATS[fmt]:
            endings = DOCUMENT_FORMATS[fmt]
            kinds = ", ".join(endings[:-1]) + " or " + endings[-1] if len(endings) > 1 else endings[0]
            raise UsageError(
                f"-f {fmt} writes a {kinds} input as a .{fmt} in English; {item.name} is none of these "
                "(translate it to tsv, jsonl, tmx or txt instead)"
            )
    if output is None and out_dir is None:
        raise UsageError(f"-f {fmt} writes a file: give -o FILE.{fmt} or --out-dir DIR")


def translate_document(
    translator: Translator,
    item: InputFile,
    path: Path,
    fmt: str,
    progress: Progress,
    findings: Findings,
    *,
    bilingual: bool = False,
    names: bool = False,
    layout: str = "side",
) -> tuple[int, int]:
    """Translate one document into ``path`` as ``fmt``; return (sentences, inputs that failed: 0 or 1).

    Its flagged sentences are warned about as a text's are (:class:`Findings`), each placed by its block.
    """
    assert item.path is not None
    found: list[AlignedPair] = []
    spellings = NameTally() if names else None
    try:
        if path.resolve() == item.path.resolve():
            raise InputError(f"{item.name}: output would overwrite the input; choose another --out-dir or -o")
        with progress.reading(item.name):
            document = read_document(item.name, read_bytes(item.path, item.name), fmt, layout=layout)
        blocks = document.blocks
        if not blocks:
            raise InputError(f"{item.name}: no text to translate (the document has no paragraph or cue with text)")
        text, starts = document_text(blocks)
        pairs, info = translator.translate(text)
        check_arabic(item.name, info)
        try:
            noted = findings.note(progress.track(pairs, info, item.name), found, spellings)
            sentences = by_block(noted, starts, blocks)
        except ValueError as exc:
            raise InputError(f"{item.name}: {exc}; nothing written") from None
        write_bytes_atomically(path, document.render(sentences, bilingual=bilingual))
    except (InputError, OSError) as exc:
        report(item, exc)
        return 0, 1
    # Placed by block: the pair's paragraph is its block's index in the text the blocks were joined into.
    findings.warn(item.name, [_in_block(pair, sentences) for pair in found], spellings, block=True)
    for line in written_warnings(document):
        logger.warning("%s", line)
    logger.info("%s -> %s", item.name, path)
    return sum(len(found) for found in sentences), 0


def _in_block(pair: AlignedPair, sentences: list[list[AlignedPair]]) -> AlignedPair:
    """``pair`` with its block's index as its paragraph (blank lines inside a block could make the two differ)."""
    for k, block in enumerate(sentences):
        if any(p.index == pair.index for p in block):
            return dataclasses.replace(pair, paragraph=k)
    return pair
