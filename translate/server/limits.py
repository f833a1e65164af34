"""The server's limits: request bodies, requests per minute, characters, API keys.

Every limit is on by default and named in the error that enforces it
(LibreTranslate's are all off: a list of 100,000 strings or a 50 MB body is
translated, or runs the server out of memory). API keys, each with its own
limits, are :mod:`translate.server.keys`.
"""

from __future__ import annotations

import collections
import json
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


class LimitError(Exception):
    """A request over a limit: its HTTP status and the message, which names the limit."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BodyLimit:
    """ASGI middleware: on the API's ``paths``, a body over the limit (by its Content-Length, or as it arrives)
    is answered 413 at once; ``uploads`` (documents) have a limit of their own. Other paths (the reader, with
    its own upload limit) pass through."""

    def __init__(
        self, app: ASGIApp, limits: Limits, *, paths: tuple[str, ...] = (), uploads: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.limits = limits
        self.paths = paths
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not any(
            path == p or (p.endswith("/") and path.startswith(p)) for p in self.paths
        ):
            await self.app(scope, receive, send)
            return
        upload = any(path.startswith(prefix) for prefix in self.uploads)
        limit = self.limits.file_bytes if upload else self.limits.body_bytes
        what = "a document" if upload else "a request body"
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, f"{what} of at most {limit:,} bytes is accepted; this one has {int(declared):,}")
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _refuse(send, 413, f"{what} of at most {limit:,} bytes is accepted")


class _TooLarge(Exception):
    pass


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
