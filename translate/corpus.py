"""A JSONL corpus: one document per line, as dataset builders keep them.

Each line is a JSON object with the document's text in one field (``text``
by default) and, optionally, its id in another (``id``). The file is read a
line at a time, so a corpus of any size runs in bounded memory, and a bad
line is reported on its own (:class:`~translate.errors.InputError` naming
the line) while the lines after it are still read.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from translate.errors import InputError, unreadable
from translate.normalize import normalize_for_model

CORPUS_SUFFIX = ".jsonl"
MAX_LINE_BYTES = 20_000_000
"""A longer line is reported and skipped, never held in memory whole."""
_CHUNK = 1 << 20

DocumentId = str | int
"""A document's id as the corpus gives it (a JSON string or integer), or its line number."""


@dataclass(frozen=True)
class CorpusDocument:
    """One line's document: its 1-based line number, its id and its text."""

    line: int
    id: DocumentId
    text: str


def is_corpus(path: Path | None) -> bool:
    """Whether an input file is a JSONL corpus (by its ending)."""
    return path is not None and path.suffix.lower() == CORPUS_SUFFIX


def read_corpus(
    path: Path,
    *,
    text_field: str = "text",
    id_field: str = "id",
    on_error: Callable[[InputError], None],
) -> Iterator[CorpusDocument]:
    """The documents of the corpus at ``path``, in order, one line at a time.

    A line whose record lacks ``id_field`` gets its line number as id. A bad
    line (not UTF-8, not a JSON object, no string in ``text_field``, an id
    that is neither a string nor an integer, nothing to translate, or over
    :data:`MAX_LINE_BYTES`) goes to ``on_error`` and is skipped. A file that
    cannot be opened raises :class:`InputError`.
    """
    name = path.name
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise unreadable(name, exc, folder="is a folder, not a JSONL corpus") from None
    with stream:
        number = 0
        while True:
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)  # as text files and glossaries are read
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                _skip_rest_of_line(stream)
                on_error(InputError(f"{name}, line {number}: longer than {MAX_LINE_BYTES // 1_000_000} MB; skipped"))
                continue
            if not line.strip():
                continue
            try:
                yield _document(line, number, text_field, id_field)
            except InputError as exc:
                on_error(InputError(f"{name}, line {number}: {exc}"))


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _document(line: bytes, number: int, text_field: str, id_field: str) -> CorpusDocument:
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text; save the corpus as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object per line, got {type(record).__name__}")
    text = record.get(text_field)
    if text_field in record and not isinstance(text, str):
        kind = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}.get(type(text), "null")
        raise InputError(f"the field {text_field!r} is a JSON {kind}, not a string")
    if not isinstance(text, str):
        found = ", ".join(sorted(record)[:8]) or "none"
        raise InputError(f"no string field {text_field!r} (fields: {found}); name the text's field with --text-field")
    identifier = record.get(id_field, number)
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int)):
        raise InputError(f"the id field {id_field!r} must be a string or an integer")
    if not normalize_for_model(text):
        raise InputError(f"document {identifier!r} has no text to translate")
    return CorpusDocument(number, identifier, text)
