"""What the routes of ``tarjama serve`` share: :class:`Server`.

It holds the limits, the API keys, the rate limiter, the metrics, the
translated files kept for download (``files``, in the folder given) and, once
the model has loaded, the :class:`~translate.server.service.Service`. The model loads in the
background when the server starts, so ``/health`` can say it is not ready
yet (503) rather than the server not answering at all. Every request is
logged in one line (method, path, status, time; its text only with
``log_text``).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.abc
from starlette.requests import Request

from translate.errors import InputError, TranslateError
from translate.server.downloads import Downloads
from translate.server.limits import LimitError, Limits, RateLimiter
from translate.server.scheduler import CURRENT, Cancelled, Overloaded, Ticket

if TYPE_CHECKING:
    from translate.server.keys import ApiKey, KeyStore
    from translate.server.service import Service

logger = logging.getLogger("tarjama")
requests_log = logging.getLogger("tarjama.requests")

T = TypeVar("T")

WATCH_INTERVAL = 0.25
"""Seconds between checks that a request's client is still there (its deadline is slept to, not polled)."""


class Server:
    """What the routes share; ``load`` makes the service (in the background, from :func:`build_app`)."""

    def __init__(
        self,
        load: Callable[[], Service],
        *,
        limits: Limits | None = None,
        keys: KeyStore | None = None,
        files: Path,
        public_url: str = "",
        remember_corrections: bool = False,
        suggestions: bool = False,
        log_text: bool = False,
        metrics_token: str = "",
    ) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self._load = load
        self.limits = limits or Limits()
        self.keys = keys
        self.files = Downloads(files, limit=self.limits.files_bytes)
        self.public_url = public_url  # where clients reach the server (behind a proxy: the proxy's address)
        # Corrections sent over HTTP are served to everyone only from a key marked --curate, and only if the
        # operator has not said --remember-corrections no; the rest are suggestions (or refused).
        self.remember_corrections = remember_corrections
        self.suggestions = suggestions
        self.log_text_enabled = log_text
        self.metrics_token = metrics_token
        self.service: Service | None = None
        self.failed: str = ""
        self._settled = threading.Event()  # the model loaded, or failed to
        self.rates = RateLimiter()
        # Threads that wait for the model: one per request being translated (the queue bounds them).
        self.limiter = anyio.CapacityLimiter(max(8, self.limits.max_queued))
        self.registry = CollectorRegistry()
        self.requests = Counter("tarjama_requests", "Requests answered", ["route", "status"], registry=self.registry)
        self.latency = Histogram(
            "tarjama_request_seconds",
            "Time to answer a request",
            ["route"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.sentences = Counter("tarjama_sentences", "Sentences translated by the model", registry=self.registry)
        self.batch_sizes = Histogram(
            "tarjama_batch_sentences",
            "Sentences per model batch",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.queue = Gauge("tarjama_queue_sentences", "Sentences admitted and not yet answered", registry=self.registry)
        self.queue.set_function(lambda: self.service.scheduler.queued if self.service is not None else 0)

    def start_loading(self) -> None:
        """Load the model in a thread of its own; ``/health`` answers 503 until it is ready."""

        def load() -> None:
            try:
                service = self._load()
            except TranslateError as exc:
                self.failed = str(exc)
                logger.error("cannot load the model: %s", exc)
                return
            finally:
                self._settled.set()
            service.scheduler.on_batch = self._batched
            self.service = service
            logger.info("model loaded: %s", service.model)

        threading.Thread(target=load, name="tarjama-load", daemon=True).start()

    def _batched(self, size: int) -> None:
        self.sentences.inc(size)
        self.batch_sizes.observe(size)

    def wait(self) -> Service:
        """The service once the model has loaded (:class:`TranslateError` if it could not)."""
        self._settled.wait()
        if self.service is None:
            raise TranslateError(f"the model could not be loaded: {self.failed}")
        return self.service

    def ready(self) -> Service:
        """The service, or :class:`LimitError` 503 while the model loads (or if it failed to)."""
        if self.service is None:
            message = f"the model could not be loaded: {self.failed}" if self.failed else "the model is still loading"
            raise LimitError(503, message, retry_after=None if self.failed else 5)
        return self.service

    def access(self, request: Request, key: str, *, cost: int, characters: int) -> ApiKey | None:
        """Check the API key, the client's requests per minute and the characters asked for; LimitError if not.

        Returns the key's entry when the server has keys (None when it has none)."""
        own_requests = own_characters = 0
        client = request.client.host if request.client else "unknown"
        found = None
        if self.keys is not None:
            if not key:
                raise LimitError(403, "Invalid API key: this server needs one (api_key); ask its operator")
            found = self.keys.find(key)
            if found is None:
                raise LimitError(403, "Invalid API key")
            own_requests, own_characters = found.req_limit, found.char_limit
            client = f"key:{found.id}"
        char_limit = own_characters or self.limits.char_limit
        if char_limit > 0 and characters > char_limit:
            raise LimitError(400, f"Invalid request: request ({characters}) exceeds text limit ({char_limit})")
        self.rates.check(client, own_requests or self.limits.req_limit, cost)
        return found

    async def run(self, request: Request, texts: Sequence[str], work: Callable[[Service], T]) -> T:
        """Run ``work`` in a worker thread for a request of ``texts``: admitted to the queue by its sentences,
        given up if the client leaves or the deadline passes (its sentences then leave the queue).

        The answer to a request given up does not wait for its thread: that
        thread stops at its next model call (or drops the model's results, if
        a batch holding its sentences is running) while the 503 or 499 is sent.
        """
        deadline = time.monotonic() + self.limits.deadline
        service = self.ready()
        ticket = self.admit(service, texts)
        token = CURRENT.set(ticket)  # the worker thread inherits it: the scheduler knows whose sentences it holds
        outcome: dict[str, Any] = {}

        async def working(group: anyio.abc.TaskGroup) -> None:
            # The work's own exception is kept, not raised in the group (which would wrap it in a group).
            try:
                outcome["result"] = await anyio.to_thread.run_sync(
                    work, service, limiter=self.limiter, abandon_on_cancel=True
                )
            except anyio.get_cancelled_exc_class():
                raise
            except Exception as exc:
                outcome["error"] = exc
            finally:
                group.cancel_scope.cancel()  # and the watch ends

        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._watch, request, ticket, deadline, group)
                group.start_soon(working, group)
            if "error" in outcome:
                raise outcome["error"]
            if "result" not in outcome:  # given up by the watch, the thread left to stop by itself
                raise Cancelled(ticket.reason)
            result: T = outcome["result"]
            return result
        except Cancelled:
            if ticket.reason.startswith("deadline"):
                raise LimitError(
                    503, f"the translation took longer than {self.limits.deadline:g} s; send less text at once"
                ) from None
            raise LimitError(499, "the client went away") from None
        except InputError as exc:
            raise LimitError(400, f"Invalid request: {exc}") from None
        finally:
            CURRENT.reset(token)
            service.scheduler.release(ticket)

    @staticmethod
    def admit(service: Service, texts: Sequence[str]) -> Ticket:
        """A place in the model's queue for the sentences of ``texts``; :class:`LimitError` 429 if it is full."""
        try:
            return service.scheduler.admit(sum(service.count(text) for text in texts))
        except Overloaded as exc:
            raise LimitError(429, f"Slowdown: the server is busy ({exc}); try again shortly", retry_after=2) from None

    async def _watch(self, request: Request, ticket: Ticket, deadline: float, group: anyio.abc.TaskGroup) -> None:
        """Give the request up at its deadline (to the hundredth of a second) or when its client leaves."""
        while True:
            await anyio.sleep(max(0.0, min(WATCH_INTERVAL, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                ticket.cancel("deadline")
                group.cancel_scope.cancel()
                return
            if await request.is_disconnected():
                ticket.cancel("the client went away")
                group.cancel_scope.cancel()
                return

    def observe(self, scope: MutableMapping[str, Any], route: str, status: int, seconds: float) -> None:
        """Count and log one answered request, under its ``route`` (a template: the labels stay bounded)."""
        self.requests.labels(route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        client = scope.get("client")
        requests_log.info(
            "%s %s %s %d %.3fs",
            client[0] if client else "-",
            scope["method"],
            printable(scope["path"]),
            status,
            seconds,
        )

    def check_metrics(self, request: Request) -> None:
        """Whether ``request`` may read ``/metrics``: with ``--metrics-token``, it must send it (``Authorization:
        Bearer``); with API keys required, a valid key; else anyone may (:class:`LimitError` 401/403 if not)."""
        sent = request.headers.get("authorization", "")
        bearer = sent[7:].strip() if sent[:7].lower() == "bearer " else ""
        if self.metrics_token:
            if not hmac.compare_digest(bearer.encode(), self.metrics_token.encode()):
                raise LimitError(401, "Unauthorized: /metrics needs the operator's token (Authorization: Bearer …)")
        elif self.keys is not None:
            key = bearer or request.query_params.get("api_key", "")
            if not key or self.keys.find(key) is None:
                raise LimitError(403, "Invalid API key: /metrics needs one on this server (api_key or Bearer)")

    def log_text(self, texts: Sequence[str]) -> None:
        """The texts of a request, in the log, when the server was asked to (``--log-text``)."""
        if self.log_text_enabled:
            requests_log.info("text: %s", json.dumps(list(texts), ensure_ascii=False)[:10_000])


def printable(path: str, limit: int = 200) -> str:
    """A client's path, safe in a message or a log line: control characters escaped, and cut to ``limit``."""
    shown = path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path
    return shown if len(shown) <= limit else shown[:limit] + "…"
