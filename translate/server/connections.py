"""Connections, before any request: how many the server holds, how long a request's headers may take, file handles.

A server on the internet meets clients that open connections and send
nothing, or half a request line a minute (slowloris). Each holds a file
handle; at the process's limit (1,024 under systemd's default) the server
can accept nothing, not even ``/health``. So the server holds at most
``max_connections`` at once, refuses the ones past that at once (a fixed
503, then closed: no request is parsed), closes a connection whose request
headers have not all arrived ``header_timeout`` seconds after it opened (or
after its last answer), and raises its own limit on file handles to what
the system allows, keeping its cap below it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

logger = logging.getLogger("tarjama")

RESERVED_FILES = 128
"""File handles kept for what is not a connection (the model, the memory, logs, threads' pipes)."""

_BUSY = json.dumps({"error": "Slowdown: the server holds as many connections as it may; try again shortly"}).encode()
_TIMED_OUT = json.dumps({"error": "the request's headers took too long to arrive"}).encode()


def _response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\nretry-after: 2\r\n\r\n"
    )
    return head.encode() + body


def raise_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; the soft limit then in force."""
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to raise
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            logger.info("cannot raise the open-file limit from %d: %s", soft, exc)
    return int(soft) if soft != resource.RLIM_INFINITY else 0


def connection_cap(asked: int, file_limit: int) -> int:
    """The most connections the server holds: ``asked``, or fewer where the open-file limit would not allow it."""
    if file_limit and asked > file_limit - RESERVED_FILES:
        fitted = max(16, file_limit - RESERVED_FILES)
        logger.warning(
            "--max-connections %d is more than the open-file limit allows (%d): holding at most %d; "
            "raise LimitNOFILE (systemd) or ulimit -n",
            asked,
            file_limit,
            fitted,
        )
        return fitted
    return asked


def guarded_protocol(max_connections: int, header_timeout: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP/1.1 protocol, with the connection cap and the header timeout (for ``uvicorn.run(http=…)``)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedProtocol(H11Protocol):
        _timer: asyncio.TimerHandle | None = None
        _waiting_since: Any = None  # the request cycle that was current when the timer was set
        _refused = False
        _partial = False  # bytes of the next request have arrived, not yet its whole headers

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if len(self.connections) >= max_connections:
                # Refused before anything is parsed or kept: the file handle is given back at once.
                self._refused = True
                self.transport = transport  # type: ignore[assignment]
                transport.write(_response("503 Service Unavailable", _BUSY))  # type: ignore[attr-defined]
                transport.close()
                return
            super().connection_made(transport)  # type: ignore[arg-type]
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._refused:
                return
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            before = self.cycle
            self._partial = True
            super().data_received(data)
            if self.cycle is not before:  # a request's headers are all in: its body and answer take their time
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request's headers, on this kept-alive connection

        def _arm(self) -> None:
            self._disarm()
            self._waiting_since = self.cycle
            self._partial = False
            self._timer = self.loop.call_later(header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _expire(self) -> None:
            self._timer = None
            if self.cycle is not self._waiting_since or self.transport.is_closing():
                return
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a pipelined request began as the last one ended: it is being answered
            if self._partial:  # half a request: say why before closing
                self.transport.write(_response("408 Request Timeout", _TIMED_OUT))
            self.transport.close()

    return GuardedProtocol
