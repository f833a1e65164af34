"""The Ray side of ``--engine ray``: what runs in Ray's workers (see :mod:`translate.engines.ray_data`).

:class:`TranslateFiles` is the Ray Data UDF, one per actor; :class:`Ledger`
one actor that bounds retries after a worker dies; :func:`output_files_sink`
the Datasink that writes one atomic output file per input.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate.documents import check_arabic, translate_documents
from translate.errors import InputError
from translate.files import atomic_output
from translate.glossary import Glossary, TermTally
from translate.quality import flag_warnings
from translate.sources import require_text, text_from_bytes
from translate.types import TranslationOptions
from translate.writers import output_name, write_pairs

if TYPE_CHECKING:
    from ray.data._internal.execution.interfaces.task_context import TaskContext
    from ray.data.block import Block
    from ray.data.datasource.datasink import WriteResult

    from translate.translator import Translator

logger = logging.getLogger("tarjama")


@dataclass(frozen=True)
class RaySettings:
    """What every actor needs to translate and write as the local engine would."""

    model: str | None
    options: TranslationOptions
    revision: str | None
    local_files_only: bool
    glossary: Glossary | None
    fmt: str
    alignments: bool
    run_folder: str
    """Shared storage: the memory snapshot and the workers' memory files."""
    memory: bool
    """Whether there is a memory snapshot to read and worker memories to write."""


@dataclass
class RayOutcome:
    """What the run did, for the driver's checks and summary."""

    written: int = 0
    sentences: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(input path, one-line message) for every input without an output."""
    warnings: list[str] = field(default_factory=list)
    terms: TermTally = field(default_factory=TermTally)
    remembered: int = 0
    """Translations the workers added to the memory."""

    def add(self, other: RayOutcome) -> None:
        """Count in what another part of the run did (a write task's share)."""
        self.written += other.written
        self.sentences += other.sentences
        self.failed.extend(other.failed)
        self.warnings.extend(other.warnings)
        self.terms.add(other.terms)
        self.remembered += other.remembered


@dataclass(frozen=True)
class _Row:
    """What the UDF gives back for one input: its finished output, or why there is none."""

    path: str
    output: str = ""
    error: str = ""
    sentences: int = 0
    warnings: str = ""
    """The document's warnings, one per line."""
    terms_applied: int = 0
    terms_sentences: int = 0
    terms_missing: int = 0


_COLUMNS = [f.name for f in dataclasses.fields(_Row)]


class Ledger:
    """Which batches and documents were started and never finished, to bound retries after a worker dies.

    Runs as one Ray actor. A batch started a second time was being translated
    when its worker died: it is redone a document at a time, since any of its
    documents may have done it. A document started alone :data:`MAX_DEATHS`
    times without finishing killed its worker that often, and is reported as
    failed instead of tried again.
    """

    MAX_DEATHS = 2

    def __init__(self) -> None:
        self.batches: dict[str, int] = {}
        self.unfinished: dict[str, int] = {}

    def begin_batch(self, key: str) -> int:
        """Count a start of this batch; return how many times it was started before."""
        before = self.batches.get(key, 0)
        self.batches[key] = before + 1
        return before

    def end_batch(self, key: str) -> None:
        self.batches.pop(key, None)

    def begin_document(self, source: str) -> bool:
        """Whether to translate this document alone now: not once a worker died during it alone twice."""
        deaths = self.unfinished.get(source, 0)
        if deaths >= self.MAX_DEATHS:
            return False
        self.unfinished[source] = deaths + 1
        return True

    def end_document(self, source: str) -> None:
        self.unfinished.pop(source, None)


class TranslateFiles:
    """The Ray Data UDF: one per actor, the model loaded once; a batch of documents in, finished outputs out."""

    def __init__(self, settings: RaySettings, ledger: Any) -> None:
        from translate.memory import TranslationMemory
        from translate.translator import Translator

        self.settings = settings
        self.ledger = ledger
        memory = None
        if settings.memory:
            folder = Path(settings.run_folder)
            memory = TranslationMemory(folder / f"memory-{uuid.uuid4().hex}.sqlite3", base=folder / "snapshot.sqlite3")
        self.translator: Translator = Translator(
            settings.model,
            settings.options,
            revision=settings.revision,
            local_files_only=settings.local_files_only,
            memory=memory,
            glossary=settings.glossary,
        )

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        import ray

        sources = [str(path) for path in batch["path"]]
        documents = list(zip(sources, batch["bytes"], strict=True))
        key = hashlib.sha256("\0".join(sources).encode()).hexdigest()
        rows: dict[str, _Row] = {}
        attempt = ray.get(self.ledger.begin_batch.remote(key))
        if attempt == 0:
            rows.update(self._translate(documents))
        elif attempt > 1 + Ledger.MAX_DEATHS * len(documents):  # dying outside any one document
            for source, _ in documents:
                rows[source] = _Row(source, error=f"{source}: its worker died {attempt} times; not retried")
        else:  # its worker died during this batch: a document at a time now, each retried at most once
            for source, data in documents:
                if ray.get(self.ledger.begin_document.remote(source)):
                    rows.update(self._translate([(source, data)]))
                    self.ledger.end_document.remote(source)
                else:
                    message = f"{source}: a worker died twice while translating it; not retried"
                    rows[source] = _Row(source, error=message)
        self.ledger.end_batch.remote(key)
        return {name: [getattr(rows[source], name) for source in sources] for name in _COLUMNS}

    def _translate(self, documents: Sequence[tuple[str, bytes]]) -> dict[str, _Row]:
        rows: dict[str, _Row] = {}
        readable = []
        for source, data in documents:
            try:
                readable.append((source, require_text(text_from_bytes(bytes(data), source), source)))
            except InputError as exc:
                rows[source] = _Row(source, error=str(exc))
        try:
            rows.update(self._rendered(readable))
        except Exception:
            # One document broke the shared batches: translate each alone, so it fails alone.
            logger.exception("a batch of %d documents failed; translating them one at a time", len(readable))
            for source, text in readable:
                try:
                    rows.update(self._rendered([(source, text)]))
                except Exception as exc:  # an error row, never an exception out of the UDF
                    rows[source] = _Row(source, error=f"{source}: {type(exc).__name__}: {exc}")
        return rows

    def _rendered(self, documents: list[tuple[str, str]]) -> dict[str, _Row]:
        rows = {}
        for document in translate_documents(self.translator, documents):
            source = document.key
            check_arabic(source, document.info)
            out = io.StringIO()
            write_pairs(document.pairs, out, self.settings.fmt, alignments=self.settings.alignments)
            terms = TermTally()
            for pair in document.pairs:
                terms.note(pair)
            rows[source] = _Row(
                source,
                output=out.getvalue(),
                sentences=len(document.pairs),
                warnings="\n".join(flag_warnings(source, [pair for pair in document.pairs if pair.flagged])),
                terms_applied=terms.applied,
                terms_sentences=terms.sentences,
                terms_missing=terms.missing,
            )
        return rows


def output_files_sink(directories: dict[str, str], fmt: str) -> Any:
    """A Datasink writing each row's output atomically beside the others, named after its input."""
    from ray.data import Datasink

    class _OutputFiles(Datasink[RayOutcome]):
        def __init__(self) -> None:
            self.outcome = RayOutcome()

        def write(self, blocks: Iterable[Block], ctx: TaskContext) -> RayOutcome:
            from ray.data.block import BlockAccessor

            done = RayOutcome()
            for block in blocks:
                rows: Iterator[dict[str, Any]] = BlockAccessor.for_block(block).iter_rows(public_row_format=True)
                for row in rows:
                    _write_row(_Row(**row), directories, fmt, done)
            return done

        def on_write_complete(self, write_result: WriteResult[RayOutcome]) -> None:
            for done in write_result.write_returns:
                self.outcome.add(done)

    return _OutputFiles()


def _write_row(row: _Row, directories: dict[str, str], fmt: str, done: RayOutcome) -> None:
    if row.error:
        done.failed.append((row.path, row.error))
        return
    source = Path(row.path)
    try:
        with atomic_output(Path(directories[str(source.parent)]) / output_name(source.name, fmt)) as out:
            out.write(row.output)
    except OSError as exc:
        done.failed.append((row.path, f"cannot write output for {row.path}: {exc.strerror or exc}"))
        return
    done.written += 1
    done.sentences += row.sentences
    if row.warnings:
        done.warnings.extend(row.warnings.split("\n"))
    done.terms.add(TermTally(row.terms_applied, row.terms_sentences, row.terms_missing))
