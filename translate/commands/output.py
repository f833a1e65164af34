"""Where ``tarjama translate`` puts its results: output files, warnings, the progress bar, the summary."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from translate.checks import NameTally
from translate.commands.common import utf8
from translate.commands.names import report as name_report
from translate.corpus import DocumentId, is_corpus, read_corpus
from translate.errors import InputError
from translate.files import STDIN, InputFile, atomic_output
from translate.formats import SCANNED
from translate.glossary import TermTally
from translate.quality import flag_warnings
from translate.segment import count_sentences
from translate.sources import read_document
from translate.types import AlignedPair, TranslationInfo
from translate.writers import EXTENSIONS, WRITERS, output_name, tsv_escape, write_pairs

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


@dataclass(frozen=True)
class Flagged:
    """One flagged sentence for ``--review``: its document, where it stands there, and the pair."""

    name: str
    place: str
    """``paragraph N`` in a text's output, ``block N`` in a document written back (both from 0)."""
    pair: AlignedPair


REVIEW_HEADER = ("file", "place", "index", "checks", "source", "target")


class Findings:
    """What the pairs of a run were flagged for: warned about per document, listed in full for ``--review``.

    Every output, pairs or a document written back, goes through :meth:`note`
    and :meth:`warn`, so that each prints the same summary for the same input.
    """

    def __init__(self, tally: TermTally) -> None:
        self.tally = tally
        self.flagged: list[Flagged] = []

    def note(
        self, pairs: Iterable[AlignedPair], found: list[AlignedPair], names: NameTally | None = None
    ) -> Iterator[AlignedPair]:
        """``pairs`` as they come, the flagged ones kept in ``found``, glossary terms and names counted."""
        for pair in pairs:
            if pair.flagged:
                found.append(pair)
            self.tally.note(pair)
            if names is not None:
                names.note(pair)
            yield pair

    def warn(self, name: str, found: list[AlignedPair], names: NameTally | None = None, *, block: bool = False) -> None:
        """Warn about one document's flagged pairs (and names spelled two ways); keep them for ``--review``.

        ``block``: the pairs' ``paragraph`` is a document's block index, not a text's paragraph.
        """
        for warning in flag_warnings(name, found):
            logger.warning("%s", warning)
        for warning in name_report(name, names.spellings()) if names is not None else ():
            logger.warning("%s", warning)
        where = "block" if block else "paragraph"
        self.flagged += [Flagged(name, f"{where} {pair.paragraph}", pair) for pair in found]

    def write_review(self, path: Path) -> None:
        """``--review``: a TSV of every flagged sentence (header :data:`REVIEW_HEADER`), written atomically."""
        with atomic_output(path) as out:
            out.write("\t".join(REVIEW_HEADER) + "\n")
            for item in self.flagged:
                pair = item.pair
                fields = (item.name, item.place, str(pair.index), review_reasons(pair), pair.source, pair.target)
                out.write("\t".join(tsv_escape(field) for field in fields) + "\n")


def review_reasons(pair: AlignedPair) -> str:
    """Why a pair is flagged, as the TMX writer names it (``kind: detail``), the reasons joined by `` | ``."""
    reasons = [name for name in ("truncated", "repetitive") if getattr(pair, name)]
    reasons += [f"{check.kind}: {check.detail}" for check in pair.checks]
    reasons += [f"term: {term.arabic} → {term.english} not applied" for term in pair.missing_terms]
    return " | ".join(reasons)


def write_document(
    name: str,
    pairs: Iterable[AlignedPair],
    out: TextIO,
    fmt: str,
    *,
    alignments: bool,
    findings: Findings,
    document_id: DocumentId | None = None,
    names: bool = False,
) -> int:
    """Write one document's pairs (a corpus document's with its id) and warn about flagged ones.

    With ``names``, also warn about each name the document's English spells in more than one way.
    """
    found: list[AlignedPair] = []
    spellings = NameTally() if names else None
    fields = None if document_id is None else {"id": document_id}
    count = write_pairs(findings.note(pairs, found, spellings), out, fmt, alignments=alignments, fields=fields)
    findings.warn(name, found, spellings)
    return count


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

            counts = [_count_quietly(item, text_field, id_field) for item in inputs]
            total = None if None in counts else sum(count or 0 for count in counts)  # None: counted as they come
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

    @contextmanager
    def reading(self, name: str) -> Iterator[None]:
        """While an input is read: a bar of the pages OCR reads, if it is a scan (nothing shown for other inputs)."""
        if not self.enabled:
            yield
            return
        from tqdm import tqdm

        from translate.formats.ocr import page_progress

        bars: list[tqdm[Any]] = []

        def read(done: int, total: int | None) -> None:
            if not bars:
                bars.append(tqdm(total=total, desc=f"{name} (OCR)", unit="page", position=0, file=sys.stderr))
            bars[0].update(done - bars[0].n)

        try:
            with page_progress(read):
                yield
        finally:
            for bar in bars:
                bar.close()

    def close(self) -> None:
        if self.overall is not None:
            self.overall.close()


def _count_quietly(item: InputFile, text_field: str, id_field: str) -> int | None:
    """An input's sentences, read ahead for the overall bar; None for a PDF or an image, which may be read by
    OCR (seconds a page: reading each twice to count it ahead would double the run)."""
    if item.path is None:
        return 0  # standard input can be read only once, and a page is not fetched twice
    if item.path.suffix.lower() in (".pdf", *SCANNED):
        return None
    try:
        if is_corpus(item.path):
            documents = read_corpus(item.path, text_field=text_field, id_field=id_field, on_error=lambda _: None)
            return sum(count_sentences(document.text) for document in documents)
        return count_sentences(read_document(item))
    except InputError:
        return 0  # reported when the file's turn comes
