"""Where ``tarjama translate`` puts its results: output files, warnings, the progress bar, the summary."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from translate.checks import NameTally
from translate.commands.common import utf8
from translate.commands.names import report as name_report
from translate.corpus import DocumentId, is_corpus, read_corpus
from translate.errors import InputError
from translate.files import STDIN, InputFile, atomic_output
from translate.glossary import TermTally
from translate.quality import flag_warnings
from translate.segment import count_sentences
from translate.sources import read_document
from translate.types import AlignedPair, TranslationInfo
from translate.writers import EXTENSIONS, WRITERS, output_name, write_pairs

logger = logging.getLogger("tarjama")


@dataclass(frozen=True)
class Document:
    """One document to translate: a whole input, or one line of a JSONL corpus (with its id)."""

    position: int
    """Which input it belongs to (its place among the command's inputs)."""
    item: InputFile
    id: DocumentId | None = None
    line: int = 0

    @property
    def name(self) -> str:
        if self.id is None:
            return self.item.name
        return f"{self.item.name}, line {self.line} (id {self.id!r})"


def report(item: InputFile, exc: InputError | OSError) -> None:
    """One ``error:`` line on stderr for an input that failed."""
    if isinstance(exc, InputError):
        print(f"error: {exc}", file=sys.stderr)
    else:
        print(f"error: cannot write output for {item.name}: {exc.strerror or exc}", file=sys.stderr)


def output_format(item: InputFile, fmt: str) -> str:
    """A corpus is written as JSONL (its ids need it); everything else in ``fmt``."""
    return "jsonl" if is_corpus(item.path) else fmt


def destination(item: InputFile, output: Path | None, out_dir: Path | None, fmt: str) -> Path | None:
    """Where ``item``'s output goes; ``None``: standard output."""
    if out_dir is not None:
        return in_out_dir(item, out_dir, fmt)
    if output is not None and str(output) != STDIN:
        return output
    return None


def in_out_dir(item: InputFile, out_dir: Path, fmt: str) -> Path:
    """``DIR/relative/name.EXT``: ``.txt``, ``.ar`` and a corpus's ``.jsonl`` give way to the format's ending."""
    return out_dir / item.relative.parent / output_name(item.relative.name, fmt)


def format_from_name(path: Path | None) -> str | None:
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in WRITERS or suffix in EXTENSIONS else None


@contextlib.contextmanager
def opened(item: InputFile, path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` written atomically (it appears only if the block completes)."""
    if path is None:
        yield utf8(sys.stdout)
        return
    if item.path is not None and path.resolve() == item.path.resolve():
        raise InputError(f"{item.name}: output would overwrite the input; choose another --out-dir or -o")
    with atomic_output(path) as out:
        yield out
    logger.info("%s -> %s", item.name, path)


def write_document(
    name: str,
    pairs: Iterable[AlignedPair],
    out: TextIO,
    fmt: str,
    *,
    alignments: bool,
    tally: TermTally,
    document_id: DocumentId | None = None,
    names: bool = False,
) -> int:
    """Write one document's pairs (a corpus document's with its id) and warn about flagged ones.

    With ``names``, also warn about each name the document's English spells in more than one way.
    """
    flagged: list[AlignedPair] = []
    spellings = NameTally() if names else None
    fields = None if document_id is None else {"id": document_id}
    noted = _noting_flags(pairs, flagged, tally, spellings)
    count = write_pairs(noted, out, fmt, alignments=alignments, fields=fields)
    for warning in flag_warnings(name, flagged):
        logger.warning("%s", warning)
    for warning in name_report(name, spellings.spellings()) if spellings is not None else ():
        logger.warning("%s", warning)
    return count


def _noting_flags(
    pairs: Iterable[AlignedPair], flagged: list[AlignedPair], tally: TermTally, names: NameTally | None
) -> Iterator[AlignedPair]:
    for pair in pairs:
        if pair.flagged:
            flagged.append(pair)
        tally.note(pair)
        if names is not None:
            names.note(pair)
        yield pair


class Progress:
    """tqdm on stderr: for one input, its sentences as they come; for several, one bar over all of them.

    Several inputs (or a corpus's documents) are translated together, a
    window at a time, and finish a whole document at once: the bar moves by
    each document's sentences and counts the files done.
    """

    def __init__(self, *, enabled: bool, inputs: list[InputFile], text_field: str, id_field: str) -> None:
        self.enabled = enabled
        self.overall = None
        self.files = len(inputs)
        self.finished = 0
        if enabled and (len(inputs) > 1 or any(is_corpus(item.path) for item in inputs)):
            from tqdm import tqdm

            total = sum(_count_quietly(item, text_field, id_field) for item in inputs)
            self.overall = tqdm(total=total, desc="all files", unit="sent", position=0, file=sys.stderr)
            self.overall.set_postfix_str(f"files 0/{self.files}")

    def advance(self, sentences: int) -> None:
        """A document is finished (written), with this many sentences."""
        if self.overall is not None:
            self.overall.update(sentences)

    def file_done(self) -> None:
        """An input is finished: written, or failed."""
        self.finished += 1
        if self.overall is not None:
            self.overall.set_postfix_str(f"files {self.finished}/{self.files}")

    def track(self, pairs: Iterable[AlignedPair], info: TranslationInfo, name: str) -> Iterator[AlignedPair]:
        """One input's pairs, moving a bar of its own as they come."""
        if not self.enabled:
            yield from pairs
            return
        from tqdm import tqdm

        bar = tqdm(total=info.sentences, desc=name, unit="sent", position=0, file=sys.stderr)
        try:
            for pair in pairs:
                bar.update(1)
                yield pair
        finally:
            bar.close()

    def close(self) -> None:
        if self.overall is not None:
            self.overall.close()


def _count_quietly(item: InputFile, text_field: str, id_field: str) -> int:
    if item.path is None:
        return 0  # standard input can be read only once, and a page is not fetched twice
    try:
        if is_corpus(item.path):
            documents = read_corpus(item.path, text_field=text_field, id_field=id_field, on_error=lambda _: None)
            return sum(count_sentences(document.text) for document in documents)
        return count_sentences(read_document(item))
    except InputError:
        return 0  # reported when the file's turn comes
