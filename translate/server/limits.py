"""The server's limits: request bodies, requests per minute, characters, API keys.

Every limit is on by default and named in the error that enforces it
(LibreTranslate's are all off: a list of 100,000 strings or a 50 MB body is
translated, or runs the server out of memory). API keys live in an SQLite
file, each with its own requests-per-minute and characters-per-request
limits, managed with ``tarjama serve keys``.
"""

from __future__ import annotations

import collections
import math
import secrets
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    """The server's limits (-1 or 0 where a limit may be off, as noted)."""

    body_bytes: int = 1_000_000
    """Largest request body, except a file upload (``file_bytes``)."""
    file_bytes: int = 20_000_000
    """Largest document sent to ``/translate_file`` and ``/v1/documents``."""
    files_bytes: int = 1_000_000_000
    """Translated files kept for download (``/translate_file``), all together; the oldest go first."""
    char_limit: int = 20_000
    """Most characters one request may ask to translate (all its texts together)."""
    batch_limit: int = 128
    """Most texts in one request's ``q`` list."""
    req_limit: int = 0
    """Requests per minute per client (an API key, else an address); 0: no limit."""
    alternatives_limit: int = 5
    """Most alternatives one text may ask for."""
    max_queued: int = 4096
    """Sentences waiting for the model at most; a request that would go over gets 429."""
    deadline: float = 120.0
    """Seconds a request may take before it is given up (503)."""
    reader_bytes: int = 6_000_000
    """Largest request body the reader's routes take: its longest text (5 MB) and the rest of the request."""
    max_connections: int = 2048
    """Connections held at once; more are refused at once (503)."""
    header_timeout: float = 10.0
    """Seconds a request's headers may take to arrive, from the connection's start or its last answer."""


class LimitError(Exception):
    """A request over a limit: its HTTP status and the message, which names the limit."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimiter:
    """Requests per minute per client, over a moving window of 60 s; a request may cost more than one."""

    def __init__(self) -> None:
        self._seen: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, per_minute: int, cost: int = 1) -> None:
        """Count ``cost`` requests for ``client``; :class:`LimitError` 429 (with when to retry) if over the limit."""
        if per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(client, collections.deque())
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) + cost > per_minute:
                wait = math.ceil(60 - (now - seen[0])) if seen else 60
                raise LimitError(429, f"Slowdown: {per_minute} per 1 minute", retry_after=max(1, wait))
            seen.extend([now] * cost)
            if len(self._seen) > 100_000:  # forget clients idle for a minute: memory stays bounded
                for idle in [c for c, q in self._seen.items() if not q or q[-1] <= now - 60]:
                    del self._seen[idle]


@dataclass(frozen=True)
class ApiKey:
    """A key and its own limits (0: the server's)."""

    key: str
    req_limit: int = 0
    char_limit: int = 0
    name: str = ""


class KeyStore:
    """API keys in an SQLite file: ``tarjama serve keys add|list|remove`` writes them, the server reads them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS keys (key TEXT PRIMARY KEY, req_limit INTEGER NOT NULL DEFAULT 0, "
                "char_limit INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL DEFAULT '', created REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, *, req_limit: int = 0, char_limit: int = 0, name: str = "") -> ApiKey:
        key = ApiKey(secrets.token_urlsafe(24), req_limit, char_limit, name)
        with self._connect() as db:
            db.execute(
                "INSERT INTO keys (key, req_limit, char_limit, name, created) VALUES (?, ?, ?, ?, ?)",
                (key.key, key.req_limit, key.char_limit, key.name, time.time()),
            )
        return key

    def remove(self, key: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM keys WHERE key = ?", (key,)).rowcount > 0

    def all(self) -> list[ApiKey]:
        with self._connect() as db:
            rows = db.execute("SELECT key, req_limit, char_limit, name FROM keys ORDER BY created").fetchall()
        return [ApiKey(*row) for row in rows]

    def find(self, key: str) -> ApiKey | None:
        with self._connect() as db:
            row = db.execute("SELECT key, req_limit, char_limit, name FROM keys WHERE key = ?", (key,)).fetchone()
        return ApiKey(*row) if row else None
