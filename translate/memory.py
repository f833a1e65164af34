"""Translation memory: an SQLite store of machine translations and human corrections.

A sentence seen before is not translated again: :class:`CachedBackend` wraps
any backend and answers repeated inputs from the store. Corrections a person
made (in the reader) are stored as human translations; the translator
prefers them over machine output wherever the same sentence appears again.
Suggestions (corrections sent to a server by people it does not trust to
curate) are kept in a table of their own that no translation reads, until
the operator accepts one (:meth:`TranslationMemory.accept_suggestion`).

The database uses WAL mode and a busy timeout, so several processes (CLI
batches, the reader) can read and write it at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from translate.backend import Backend, WrappedBackend
from translate.paths import cache_dir
from translate.types import DecodingControls, Hypothesis

_SCHEMA = """
CREATE TABLE IF NOT EXISTS machine (
    key TEXT PRIMARY KEY,      -- sha256 of the backend's output settings and the model-ready source
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    truncated INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS human (
    source TEXT PRIMARY KEY,   -- the model-ready (normalized) source sentence
    target TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an id once listed names one suggestion only
    source TEXT NOT NULL,      -- the model-ready (normalized) source, as in human
    target TEXT NOT NULL,
    created REAL NOT NULL,
    who TEXT NOT NULL          -- an API key's id, or the client's address
);
"""
BUSY_TIMEOUT_S = 60.0
_T = TypeVar("_T")


def default_memory_path() -> Path:
    """``$XDG_CACHE_HOME/tarjama/memory.sqlite3`` (``~/.cache`` when unset)."""
    return cache_dir() / "memory.sqlite3"


@dataclass(frozen=True)
class MemoryStats:
    path: Path
    machine: int
    human: int
    bytes: int


@dataclass(frozen=True)
class HumanTranslation:
    """A person's translation of one normalized source sentence, as stored.

    ``id`` is the row's SQLite rowid. Storing a new translation of the same
    source replaces the row, which gives it a new id: list again before
    removing by id.
    """

    id: int
    source: str
    target: str
    updated: float  # seconds since the epoch


@dataclass(frozen=True)
class Suggestion:
    """A translation someone sent a server, kept for the operator to accept or reject; never served."""

    id: int
    source: str  # normalized, as a human translation's
    target: str
    created: float  # seconds since the epoch
    who: str  # an API key's id (``key:…``) or the client's address


class TranslationMemory:
    """A translation memory in one SQLite file; safe to share between threads and processes.

    With ``base``, a read-only snapshot (:meth:`snapshot`) is consulted as
    well and new translations go to ``path`` alone, which is then kept in
    SQLite's rollback-journal mode instead of WAL: WAL needs memory shared
    between the processes on one host, which a file on shared storage read
    from several hosts does not have. That is how workers on other machines
    use the memory (the driver merges their files back, :meth:`merge`).
    """

    def __init__(self, path: Path | str | None = None, *, base: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_memory_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        self._db.execute(f"PRAGMA journal_mode={'DELETE' if base is not None else 'WAL'}")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._schemas = ["main"]
        with self._lock:
            self._db.executescript(_SCHEMA)
            if base is not None:
                # immutable: nothing writes a snapshot, so readers on any host need no locks.
                self._db.execute("ATTACH DATABASE ? AS base", (f"{base.resolve().as_uri()}?mode=ro&immutable=1",))
                self._schemas.append("base")

    def machine(self, keys: Sequence[str]) -> dict[str, Hypothesis]:
        """Stored machine translations for these keys (missing keys are absent)."""
        rows = self._lookup("machine", "key", "target, tokens, truncated", keys)
        return {
            key: Hypothesis(target, tokens, bool(truncated), remembered=True)
            for key, (target, tokens, truncated) in rows.items()
        }

    def store_machine(self, model: str, rows: Sequence[tuple[str, str, Hypothesis]]) -> None:
        """Store (key, source, hypothesis) rows in one transaction."""
        now = time.time()
        values = [(key, model, source, h.text, h.tokens, int(h.truncated), now) for key, source, h in rows]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO machine VALUES (?, ?, ?, ?, ?, ?, ?)", values)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def human(self, sources: Sequence[str]) -> dict[str, str]:
        """Human translations of these normalized source sentences, where there are any."""
        return {source: target for source, (target,) in self._lookup("human", "source", "target", sources).items()}

    def _lookup(self, table: str, column: str, fields: str, wanted: Sequence[str]) -> dict[str, tuple]:
        """``fields`` of the rows of ``table`` whose ``column`` is in ``wanted``: this file first, then the base."""
        found: dict[str, tuple] = {}
        for schema in self._schemas:
            for chunk in _chunks([value for value in wanted if value not in found]):
                marks = ",".join("?" * len(chunk))
                with self._lock:
                    rows = self._db.execute(
                        f"SELECT {column}, {fields} FROM {schema}.{table} WHERE {column} IN ({marks})", chunk
                    ).fetchall()
                found.update({row[0]: tuple(row[1:]) for row in rows})
        return found

    def store_human(self, source: str, target: str) -> None:
        """Remember a person's translation of a normalized source sentence."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO human VALUES (?, ?, ?)", (source, target, time.time()))

    def human_translations(self) -> list[HumanTranslation]:
        """Every human translation, oldest first (by ``updated``, then ``id``)."""
        with self._lock:
            rows = self._db.execute("SELECT rowid, source, target, updated FROM human ORDER BY updated, rowid")
            return [HumanTranslation(*row) for row in rows.fetchall()]

    def forget_human_ids(self, ids: Iterable[int]) -> int:
        """Remove the human translations with these ids, in one transaction; return how many were removed.

        Ids that are not stored are ignored (compare with :meth:`human_translations` to name them).
        """
        removed = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for chunk in _chunks(sorted(set(ids))):
                    marks = ",".join("?" * len(chunk))
                    removed += self._db.execute(f"DELETE FROM human WHERE rowid IN ({marks})", chunk).rowcount
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return removed

    def forget_human(self, source: str) -> bool:
        """Remove the human translation of this normalized source sentence, so machine output is used again.

        Returns whether there was one.
        """
        with self._lock:
            return self._db.execute("DELETE FROM human WHERE source = ?", (source,)).rowcount > 0

    def clear_human(self) -> int:
        """Remove every human translation, keeping machine ones; return how many were removed."""
        with self._lock:
            return self._db.execute("DELETE FROM human").rowcount

    def suggest(self, source: str, target: str, who: str) -> int:
        """Keep a suggested translation of a normalized source sentence apart (nothing serves it); its id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO suggestions (source, target, created, who) VALUES (?, ?, ?, ?)",
                (source, target, time.time(), who),
            )
        return int(cursor.lastrowid or 0)

    def suggestions(self) -> list[Suggestion]:
        """Every suggestion waiting, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT id, source, target, created, who FROM suggestions ORDER BY id")
            return [Suggestion(*row) for row in rows.fetchall()]

    def suggestion_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0])

    def accept_suggestion(self, id: int) -> Suggestion | None:
        """Make the suggestion ``id`` a human translation (served from now on) and drop it; None if there is none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT id, source, target, created, who FROM suggestions WHERE id = ?", (id,)
                ).fetchone()
                if row is not None:
                    found = Suggestion(*row)
                    self._db.execute(
                        "INSERT OR REPLACE INTO human VALUES (?, ?, ?)", (found.source, found.target, time.time())
                    )
                    self._db.execute("DELETE FROM suggestions WHERE id = ?", (id,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return Suggestion(*row) if row is not None else None

    def reject_suggestions(self, ids: Iterable[int]) -> int:
        """Drop the suggestions with these ids; how many there were."""
        removed = 0
        with self._lock:
            for chunk in _chunks(sorted(set(ids))):
                marks = ",".join("?" * len(chunk))
                removed += self._db.execute(f"DELETE FROM suggestions WHERE id IN ({marks})", chunk).rowcount
        return removed

    def stats(self) -> MemoryStats:
        with self._lock:
            machine = self._db.execute("SELECT COUNT(*) FROM machine").fetchone()[0]
            human = self._db.execute("SELECT COUNT(*) FROM human").fetchone()[0]
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return MemoryStats(self.path, machine, human, size)

    def clear(self) -> None:
        """Forget every stored translation, machine and human, and every suggestion."""
        with self._lock:
            self._db.execute("DELETE FROM machine")
            self._db.execute("DELETE FROM human")
            self._db.execute("DELETE FROM suggestions")
            self._db.execute("VACUUM")

    def snapshot(self, destination: Path) -> None:
        """Copy the memory, consistent as of now, into a new SQLite file ``destination`` (no WAL)."""
        copy = sqlite3.connect(destination)
        try:
            with self._lock:
                self._db.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()

    def merge(self, other: Path) -> int:
        """Add the machine translations stored in the memory file ``other``; return how many were new.

        Human translations are not merged: only a person makes those, in the reader or the CLI's own memory.
        """
        with self._lock:
            self._db.execute("ATTACH DATABASE ? AS other", (str(other),))
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    added = self._db.execute("INSERT OR IGNORE INTO main.machine SELECT * FROM other.machine").rowcount
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            finally:
                self._db.execute("DETACH DATABASE other")
        return added

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _chunks(items: list[_T], size: int = 500) -> list[list[_T]]:
    # SQLite limits the number of parameters in one statement.
    return [items[i : i + size] for i in range(0, len(items), size)]


class CachedBackend(WrappedBackend):
    """A backend that answers inputs it has translated before from a :class:`TranslationMemory`.

    Only whole translations are kept: a forced prefix (``continue_batch``), alternatives and
    explanations go to the model each time.

    Keys combine the backend's output settings (model, revision, backend,
    compute type, beam, length limit) with the model-ready source text, so a
    change of any of them is a miss, never a wrong hit.
    """

    def __init__(self, backend: Backend, memory: TranslationMemory) -> None:
        super().__init__(backend)
        self.memory = memory
        self.hits = 0
        self.misses = 0

    def key(self, text: str, extra: DecodingControls | str | None = None) -> str:
        """The memory's key for ``text``: the output settings, anything else that shaped it (``extra``), the text."""
        settings = self.settings if extra is None else f"{self.settings} {extra}"
        return hashlib.sha256(f"{settings}\n{text}".encode()).hexdigest()

    def recall(self, items: Sequence[tuple[str, str]]) -> dict[int, Hypothesis]:
        """Stored translations of (text, tag) items, by item index; ``tag`` names what else shaped them."""
        keys = [self.key(text, tag) for text, tag in items]
        found = self.memory.machine(keys)
        return {i: found[key] for i, key in enumerate(keys) if key in found}

    def remember(self, items: Sequence[tuple[str, str, Hypothesis]]) -> None:
        """Store (text, tag, translation) items: a translation shaped by more than the model (a glossary)."""
        self.memory.store_machine(self.model.model_id, [(self.key(text, tag), text, h) for text, tag, h in items])

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        keys = [self.key(t, controls) for t in texts]
        found = self.memory.machine(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if controls is None:
            # Only a first pass counts: a retry or a finishing pass asks again about a sentence already
            # counted, and counting those too reported more sentences remembered than translated (issue 33).
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        if missing:
            fresh = self.backend.translate_batch([texts[i] for i in missing], controls)
            self.memory.store_machine(
                self.model.model_id, [(keys[i], texts[i], h) for i, h in zip(missing, fresh, strict=True)]
            )
            found.update({keys[i]: h for i, h in zip(missing, fresh, strict=True)})
        return [found[k] for k in keys]
