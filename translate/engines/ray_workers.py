"""The Ray side of ``--engine ray``: what runs in Ray's workers (see :mod:`translate.engines.ray_data`).

:class:`TranslateFiles` is the Ray Data UDF, one per actor; :class:`Ledger`
one actor that bounds retries after a worker dies; :func:`output_files_sink`
the Datasink that writes one atomic output file per input.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate.documents import translate_documents
from translate.errors import InputError
from translate.files import atomic_output
from translate.quality import flag_warnings
from translate.sources import text_from_bytes
from translate.types import AlignedPair, TranslationOptions
from translate.writers import output_name, write_pairs

if TYPE_CHECKING:
    from ray.data._internal.execution.interfaces.task_context import TaskContext
    from ray.data.block import Block
    from ray.data.datasource.datasink import WriteResult

    from translate.glossary import Glossary
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
    terms: tuple[int, int, int] = (0, 0, 0)
    """Glossary: occurrences applied, sentences with terms, occurrences missing."""
    remembered: int = 0
    """Translations the workers added to the memory."""


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
        rows: dict[str, dict] = {}
        attempt = ray.get(self.ledger.begin_batch.remote(key))
        if attempt == 0:
            rows.update(self._translate(documents))
        elif attempt > 1 + Ledger.MAX_DEATHS * len(documents):  # dying outside any one document
            for source, _ in documents:
                rows[source] = _failed(source, f"{source}: its worker died {attempt} times; not retried")
        else:  # its worker died during this batch: a document at a time now, each retried at most once
            for source, data in documents:
                if ray.get(self.ledger.begin_document.remote(source)):
                    rows.update(self._translate([(source, data)]))
                    self.ledger.end_document.remote(source)
                else:
                    message = f"{source}: a worker died twice while translating it; not retried"
                    rows[source] = _failed(source, message)
        self.ledger.end_batch.remote(key)
        return {name: [rows[source][name] for source in sources] for name in _COLUMNS}

    def _translate(self, documents: Sequence[tuple[str, bytes]]) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        readable = []
        for source, data in documents:
            try:
                readable.append((source, _text(source, bytes(data))))
            except InputError as exc:
                rows[source] = _failed(source, str(exc))
        try:
            rows.update(self._rendered(readable))
        except Exception:
            # One document broke the shared batches: translate each alone, so it fails alone.
            logger.exception("a batch of %d documents failed; translating them one at a time", len(readable))
            for source, text in readable:
                try:
                    rows.update(self._rendered([(source, text)]))
                except Exception as exc:  # an error row, never an exception out of the UDF
                    rows[source] = _failed(source, f"{source}: {type(exc).__name__}: {exc}")
        return rows

    def _rendered(self, documents: list[tuple[str, str]]) -> dict[str, dict]:
        rows = {}
        for document in translate_documents(self.translator, documents):
            source = document.key
            name = source
            if not document.info.has_arabic:
                logger.warning("%s: no Arabic text found; translating it anyway", name)
            out = io.StringIO()
            write_pairs(document.pairs, out, self.settings.fmt, alignments=self.settings.alignments)
            flagged = [pair for pair in document.pairs if pair.flagged]
            rows[source] = {
                "path": source,
                "output": out.getvalue(),
                "error": "",
                "sentences": len(document.pairs),
                "warnings": "\n".join(flag_warnings(name, flagged)),
                **_term_counts(document.pairs),
            }
        return rows


_COLUMNS = ("path", "output", "error", "sentences", "warnings", "terms_applied", "terms_sentences", "terms_missing")


def _failed(source: str, message: str) -> dict:
    return {
        "path": source,
        "output": "",
        "error": message,
        "sentences": 0,
        "warnings": "",
        "terms_applied": 0,
        "terms_sentences": 0,
        "terms_missing": 0,
    }


def _term_counts(pairs: Iterable[AlignedPair]) -> dict[str, int]:
    with_terms = [pair for pair in pairs if pair.terms]
    return {
        "terms_applied": sum(1 for pair in with_terms for term in pair.terms if term.applied),
        "terms_sentences": len(with_terms),
        "terms_missing": sum(len(pair.missing_terms) for pair in with_terms),
    }


def _text(source: str, data: bytes) -> str:
    from translate.normalize import normalize_for_model

    text = text_from_bytes(data, source)
    if not normalize_for_model(text):
        raise InputError(f"{source}: no text to translate (it is empty or holds only whitespace)")
    return text


def output_files_sink(directories: dict[str, str], fmt: str) -> Any:
    """A Datasink writing each row's output atomically beside the others, named after its input."""
    from ray.data import Datasink

    class _OutputFiles(Datasink[dict]):
        def __init__(self) -> None:
            self.outcome = RayOutcome()

        def write(self, blocks: Iterable[Block], ctx: TaskContext) -> dict:
            from ray.data.block import BlockAccessor

            done: dict[str, Any] = {"written": 0, "sentences": 0, "failed": [], "warnings": [], "terms": [0, 0, 0]}
            for block in blocks:
                rows: Iterator[dict[str, Any]] = BlockAccessor.for_block(block).iter_rows(public_row_format=True)
                for row in rows:
                    _write_row(row, directories, fmt, done)
            return done

        def on_write_complete(self, write_result: WriteResult[dict]) -> None:
            for done in write_result.write_returns:
                self.outcome.written += done["written"]
                self.outcome.sentences += done["sentences"]
                self.outcome.failed.extend(tuple(item) for item in done["failed"])
                self.outcome.warnings.extend(done["warnings"])
                applied, sentences, missing = self.outcome.terms
                self.outcome.terms = (
                    applied + done["terms"][0],
                    sentences + done["terms"][1],
                    missing + done["terms"][2],
                )

    return _OutputFiles()


def _write_row(row: dict, directories: dict[str, str], fmt: str, done: dict) -> None:
    source = str(row["path"])
    if row["error"]:
        done["failed"].append((source, str(row["error"])))
        return
    destination = Path(directories[str(Path(source).parent)]) / output_name(Path(source).name, fmt)
    try:
        with atomic_output(destination) as out:
            out.write(row["output"])
    except OSError as exc:
        done["failed"].append((source, f"cannot write output for {source}: {exc.strerror or exc}"))
        return
    done["written"] += 1
    done["sentences"] += int(row["sentences"])
    if row["warnings"]:
        done["warnings"].extend(str(row["warnings"]).split("\n"))
    for i, column in enumerate(("terms_applied", "terms_sentences", "terms_missing")):
        done["terms"][i] += int(row[column])
