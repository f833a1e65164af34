"""The server's limits: request bodies, requests per minute, characters, API keys.

Every limit is on by default and named in the error that enforces it
(LibreTranslate's are all off: a list of 100,000 strings or a 50 MB body is
translated, or runs the server out of memory). API keys, each with its own
limits, are :mod:`translate.server.keys`.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
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
