"""What every request meets before any route runs, the reader's included: the one place the server's safety lives.

:class:`Guard` wraps the whole app (tarjama's routes and the reader mounted
at ``/``). For each request it

- finds the route it is for, by template (``/download_file/{filename}``),
  ``reader`` for the reader's, and answers an unknown path (404) or method
  (405) itself, in LibreTranslate's ``{"error": …}`` shape;
- bounds the body, whatever the route and however it is sent (by its
  Content-Length, or as chunks arrive): 413 past the limit. A body up to the
  limit is read before the route runs (so a route never meets a body it
  must refuse half-read); a document upload streams, counted as it comes;
- refuses a write (a correction, a suggestion, an upload, anything posted
  to the reader) that a web page of another site sends: its ``Origin`` must
  be this server's own or one ``--cors`` allows, and its content type one a
  form or a JSON client sends (a cross-site ``text/plain`` "simple request"
  is never a write);
- counts and logs it under that bounded label: a client that went away
  counts as 499, never as a failure of the server.

Nothing here trusts ``Host`` for more than "same origin as the page that
sent it", nor loopback for anything.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException

from translate.server.limits import ASGIApp, LimitError, Message, Receive, Scope, Send
from translate.server.links import FORWARDED_HOST
from translate.server.server import printable

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from translate.server.server import Server

logger = logging.getLogger("tarjama")

READER = "reader"
"""The label of every route the reader serves."""
UNMATCHED = "unmatched"
"""The label of a path no route serves (one label, however many such paths clients invent)."""

UPLOADS = frozenset({"/translate_file", "/v1/documents"})
"""Routes whose body is a document: limited by ``file_bytes``, streamed to the route."""
READER_UPLOAD = "/gradio_api/upload"
WRITES: dict[str, frozenset[str]] = {
    # route: the content types it takes (what a JSON client or a form sends)
    "/v1/corrections": frozenset({"application/json"}),
    "/suggest": frozenset({"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}),
    "/translate_file": frozenset({"multipart/form-data"}),
    "/v1/documents": frozenset({"multipart/form-data"}),
}
"""The API's routes that change state or store what a client sent, with the content types each takes."""
READER_WRITE_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded", "multipart/form-data"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyTooLarge(HTTPException):
    """A streamed upload went past its limit (raised to the route reading it, answered 413)."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


class _Gone(Exception):
    """The client went away before its request's body had arrived."""


@dataclass(frozen=True)
class Resolved:
    """The route a request is for: its label (a template, :data:`READER` or :data:`UNMATCHED`), and whether the
    route takes the request's method (``allow``: the methods it takes, when it does not)."""

    label: str
    allowed: bool = True
    allow: tuple[str, ...] = ()


class Guard:
    """ASGI middleware around the whole app: limits, origins, content types, 404/405 and metrics, in one place."""

    def __init__(self, app: ASGIApp, server: Server, *, routes: Sequence[BaseRoute], cors: Sequence[str] = ()) -> None:
        self.app = app
        self.server = server
        self.routes = routes  # the app's own routes and its mounts (the reader), as they are when requests come
        self.cors = frozenset(cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        answered: dict[str, int] = {}
        resolved = self.resolve(scope)

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
            await send(message)

        try:
            limit, upload = self._limit(scope, resolved)
            self._admit(scope, resolved, limit, upload)
            if upload:
                receive = self._streamed(scope, receive, limit)
            else:
                receive = await self._buffered(scope, receive, limit)
            await self.app(scope, receive, watched)
        except LimitError as exc:
            if "status" not in answered:
                await refuse(watched, exc)
        except _Gone:
            answered.setdefault("status", 499)
        finally:
            # Nothing sent: the client left (uvicorn answers nobody), or the app failed (uvicorn answers 500).
            status = answered.get("status", 499 if scope.get("tarjama.gone") else 500)
            self.server.observe(scope, resolved.label, status, time.monotonic() - started)

    def resolve(self, scope: Scope) -> Resolved:
        """The route ``scope`` is for (a template), the reader's, or none; whether the route takes its method."""
        from starlette.routing import Match, Mount

        partial: Resolved | None = None
        for route in self.routes:
            if isinstance(route, Mount):  # the reader at "": its own routes decide, not the catch-all mount
                for inner in route.routes:
                    match, _ = inner.matches(scope)
                    if match is Match.FULL:
                        return Resolved(READER)
                    if match is Match.PARTIAL and partial is None:
                        partial = Resolved(READER, False, tuple(sorted(getattr(inner, "methods", None) or ())))
                continue
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return Resolved(getattr(route, "path", UNMATCHED))
            if match is Match.PARTIAL and (partial is None or partial.label == READER):
                partial = Resolved(getattr(route, "path", UNMATCHED), False, tuple(sorted(route.methods or ())))  # type: ignore[attr-defined]
        return partial or Resolved(UNMATCHED, False)

    def _limit(self, scope: Scope, resolved: Resolved) -> tuple[int, bool]:
        """The most bytes the request's body may have, and whether it is a document (streamed to its route)."""
        limits = self.server.limits
        if resolved.label in UPLOADS or (resolved.label == READER and scope["path"] == READER_UPLOAD):
            return limits.file_bytes, True
        return (limits.reader_bytes if resolved.label == READER else limits.body_bytes), False

    def _admit(self, scope: Scope, resolved: Resolved, limit: int, upload: bool) -> None:
        """:class:`LimitError` for what is refused before the body is read: the path, the method, the declared size,
        a write from another site or in a content type no form or JSON client sends."""
        method = scope["method"]
        if resolved.label == UNMATCHED:
            raise LimitError(404, f"Not Found: no route {printable(scope['path'])} (the API is described at /docs)")
        if not resolved.allowed and not (method == "OPTIONS" and self.cors):  # CORS preflights: the app's
            allowed = ", ".join(m for m in resolved.allow if m != "HEAD") or "another method"
            raise LimitError(405, f"Method Not Allowed: {printable(scope['path'])} takes {allowed}")
        headers = _headers(scope)
        what = "a document" if upload else "a request body"
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise LimitError(413, f"{what} of at most {limit:,} bytes is accepted; this one has {int(declared):,}")
        writes = WRITES.get(resolved.label)
        if writes is None and resolved.label == READER and method not in SAFE_METHODS:
            writes = READER_WRITE_TYPES
        if writes is None:
            return
        if not self._same_site(scope, headers):
            raise LimitError(
                403,
                "Forbidden: a web page of another site may not send this request "
                "(the server's operator lets an origin in with --cors)",
            )
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in writes and not (
            "application/json" in writes and content_type.startswith("application/") and content_type.endswith("+json")
        ):
            raise LimitError(415, f"Unsupported Media Type: send {' or '.join(sorted(writes))}")

    def _same_site(self, scope: Scope, headers: dict[str, str]) -> bool:
        """Whether a browser sent this from a page of this server (as it reached it: its ``Host``, ``--public-url``,
        or the host a listed proxy forwards), or of an origin the operator allows (``--cors``); a request with neither
        ``Origin`` nor ``Sec-Fetch-Site`` is no browser's page, so no one's forgery."""
        origin = headers.get("origin")
        fetch_site = headers.get("sec-fetch-site", "")
        if origin is None:
            return fetch_site in ("", "same-origin", "none")
        if "*" in self.cors or origin in self.cors:
            return True
        if origin == "null":  # a sandboxed frame, a file: page
            return False
        own = {headers.get("host", "").lower(), str(scope.get(FORWARDED_HOST, "")).lower()}
        if self.server.public_url:
            own.add(urlsplit(self.server.public_url).netloc.lower())
        own.discard("")  # an Origin that is no URL has no host: it matches nothing
        return urlsplit(origin).netloc.lower() in own and fetch_site in ("", "same-origin")

    async def _buffered(self, scope: Scope, receive: Receive, limit: int) -> Receive:
        """The whole body read now (413 past ``limit``); the route then receives it as one message."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                scope["tarjama.gone"] = True
                raise _Gone
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                raise LimitError(413, f"a request body of at most {limit:,} bytes is accepted")
            chunks.append(body)
            if not message.get("more_body", False):
                break
        first: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            message = await receive()  # after the body: the client leaving, for routes that watch for it
            if message["type"] == "http.disconnect":
                scope["tarjama.gone"] = True
            return message

        return replay

    def _streamed(self, scope: Scope, receive: Receive, limit: int) -> Receive:
        """The body as it arrives, counted: :class:`BodyTooLarge` (413) to the route past ``limit``."""
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.disconnect":
                scope["tarjama.gone"] = True
            elif message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"a document of at most {limit:,} bytes is accepted")
            return message

        return counted


async def refuse(send: Send, error: LimitError) -> None:
    """Answer ``error`` as ``{"error": …}`` with its status (and ``Retry-After`` where it has one)."""
    body = json.dumps({"error": str(error)}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if error.retry_after:
        headers.append((b"retry-after", str(error.retry_after).encode()))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


__all__ = ["READER", "UNMATCHED", "BodyTooLarge", "Guard", "Resolved", "refuse"]
