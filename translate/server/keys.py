"""API keys: an SQLite file of their hashes, each with its own limits and whether it may curate.

``tarjama serve keys add|list|remove`` writes the file, the server reads it.
A key is shown once, when it is made: the file keeps its SHA-256 (a key is
24 random bytes, so no slow hash is needed to make guessing it hopeless) and
an id (the hash's first 12 hex digits) by which ``list`` names it and
``remove`` takes it. The file is readable by its owner alone (0600). A file of
the first schema, which kept keys as they are, is migrated when it is opened:
its keys hashed in place, its mode made 0600; the keys themselves still work.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ID_LENGTH = 12
"""Hex digits of a key's hash that name it (48 bits: no two keys of one file share them in practice)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, "
    "req_limit INTEGER NOT NULL DEFAULT 0, char_limit INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL DEFAULT '', "
    "curate INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)"
)


@dataclass(frozen=True)
class ApiKey:
    """A key as the file knows it (never the key itself): its id, its own limits (0: the server's), who it is
    for, and whether what it sends to ``/v1/corrections`` is served to everyone (``curate``)."""

    id: str
    req_limit: int = 0
    char_limit: int = 0
    name: str = ""
    curate: bool = False


@dataclass(frozen=True)
class NewKey:
    """A key just made: the key itself (shown this once) and how the file knows it."""

    key: str
    entry: ApiKey


def digest(key: str) -> str:
    """The SHA-256 of ``key``, in hex: what the file keeps."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class KeyStore:
    """API keys in an SQLite file, created 0600; a file of the first schema (plain keys) is migrated on open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created for its owner alone before SQLite opens it: SQLite would make it 0644 (umask), and its
        # journal takes the file's mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
        with self._connect() as db:
            # Looked at and rewritten in one write transaction: two processes opening an old file migrate it once.
            db.execute("BEGIN IMMEDIATE")
            migrated = "key" in {row[1] for row in db.execute("PRAGMA table_info(keys)")}
            if migrated:
                _migrate(db)
            else:
                db.execute(_SCHEMA)
        if migrated:
            # The plain keys' pages were freed, not erased: VACUUM rewrites the file without them.
            with self._connect() as db:
                db.execute("VACUUM")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # one transaction, committed or rolled back
                yield db
        finally:
            db.close()

    def add(self, *, req_limit: int = 0, char_limit: int = 0, name: str = "", curate: bool = False) -> NewKey:
        """A new random key, stored as its hash; the key itself is in the answer only."""
        key = secrets.token_urlsafe(24)
        hashed = digest(key)
        entry = ApiKey(hashed[:ID_LENGTH], req_limit, char_limit, name, curate)
        with self._connect() as db:
            db.execute(
                "INSERT INTO keys (id, digest, req_limit, char_limit, name, curate, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry.id, hashed, req_limit, char_limit, name, int(curate), time.time()),
            )
        return NewKey(key, entry)

    def remove(self, id_or_key: str) -> bool:
        """Remove the key with this id, or this key itself; whether there was one."""
        with self._connect() as db:
            removed = db.execute("DELETE FROM keys WHERE id = ?", (id_or_key,)).rowcount
            if not removed:
                removed = db.execute("DELETE FROM keys WHERE digest = ?", (digest(id_or_key),)).rowcount
        return removed > 0

    def all(self) -> list[ApiKey]:
        """Every key, oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT id, req_limit, char_limit, name, curate FROM keys ORDER BY created").fetchall()
        return [ApiKey(id, req, chars, name, bool(curate)) for id, req, chars, name, curate in rows]

    def find(self, key: str) -> ApiKey | None:
        """The entry of ``key``, or None if the file has no such key."""
        hashed = digest(key)
        with self._connect() as db:
            row = db.execute(
                "SELECT id, digest, req_limit, char_limit, name, curate FROM keys WHERE id = ?", (hashed[:ID_LENGTH],)
            ).fetchone()
        # Looked up by the hash's first digits, then compared whole in constant time: how long the answer
        # takes says nothing about how much of a guess was right.
        if row is None or not hmac.compare_digest(row[1], hashed):
            return None
        id, _, req_limit, char_limit, name, curate = row
        return ApiKey(id, req_limit, char_limit, name, bool(curate))


def _migrate(db: sqlite3.Connection) -> None:
    """The first schema (``key`` in plain text) rewritten as the current one, in the caller's transaction."""
    old = db.execute("SELECT key, req_limit, char_limit, name, created FROM keys").fetchall()
    db.execute("ALTER TABLE keys RENAME TO keys_plain")
    db.execute(_SCHEMA)
    db.executemany(
        "INSERT INTO keys (id, digest, req_limit, char_limit, name, curate, created) VALUES (?, ?, ?, ?, ?, 0, ?)",
        [(digest(key)[:ID_LENGTH], digest(key), req, chars, name, created) for key, req, chars, name, created in old],
    )
    db.execute("DROP TABLE keys_plain")
