"""Sentences of many requests share the model's batches: the one place that decides what a batch is.

Every request runs its own :class:`~translate.translator.Translator` pass in a
worker thread (segmenting, the memory, the glossary, the checks), over a
:class:`SharedBackend`. When a pass asks the model to translate some
sentences, they join a queue; the scheduler's thread waits for other
requests' sentences to arrive (see :meth:`Scheduler._fill`), then takes
the next sentence of the request served least recently and the other requests' in turn,
least recently served first, then nearest in length (see :meth:`Scheduler._take`), up to the batch's
size and token budget, and runs them as one model call. Requests take turns,
not sentences: a request that arrives goes before every request the running
batch serves, so it is in the next batch or, when more requests wait than a
batch holds, within as many batches as requests wait before it; and on a CPU a
batch holds at most :data:`TURN_TOKENS` padded tokens, so a batch of a long
document's pieces lasts a fraction of a second: a one-line request behind
six such documents is answered after the running batch and its own. Every request gets its sentences
back in its own order. The model's other work (word alignment, alternatives) runs on the
same thread, one call at a time, so the model is never used by two threads.

The queue is bounded: :meth:`Scheduler.admit` refuses a request whose
sentences would take it over :attr:`Scheduler.max_queued` (the caller
answers 429), and a request that is given up (its client left, its deadline
passed) has its sentences dropped from the queue.
"""

from __future__ import annotations

import collections
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from translate.backend import WrappedBackend
from translate.errors import TranslateError

if TYPE_CHECKING:
    from translate.backend import Backend
    from translate.types import DecodingControls, Hypothesis, TokenDetail

logger = logging.getLogger("tarjama")

T = TypeVar("T")

MAX_WAIT = 0.005
"""Seconds the scheduler waits for more sentences before it runs a batch that is not full."""

FILL_SHARE = 0.1
"""While fewer sentences wait than the last batch held, the scheduler waits for them until this share of that
batch's time has passed since it ended (:data:`MAX_FILL_WAIT` at most)."""

MAX_FILL_WAIT = 0.25
"""The longest the scheduler waits to fill a batch, in seconds."""

TURN_TOKENS = 4096
"""On a CPU, the most padded tokens (its longest sentence's tokens × its sentences) one batch holds.

What a request arriving waits for is the batch running: with this cap a one-line
request behind six texts of 19,990 letters (pieces of 256 tokens) was answered in
0.66 s (p50; 1.52 s at most) with the tests' model on two cores, where batches of
32 such pieces took two seconds or more. Half this cap cost a model of opus-mt's
size 4–8% of its sentences per second with 32 clients and on articles
(``benchmarks/serve.py``). A GPU keeps the backend's budget."""


class Overloaded(TranslateError):
    """The queue is full: the request is refused, to be tried again later (HTTP 429)."""


class Cancelled(TranslateError):
    """The request was given up (its client left, or its deadline passed) before its sentences were translated."""


@dataclass
class Ticket:
    """One request's claim on the scheduler: how many sentences it was admitted with, and whether it is given up."""

    sentences: int
    cancelled: threading.Event = field(default_factory=threading.Event)
    reason: str = ""
    turn: int | None = None  # the scheduler's batch that last served it (None: it has not waited yet)
    _waiting: set[threading.Event] = field(default_factory=set, init=False, repr=False)  # what its thread waits on
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def cancel(self, reason: str) -> None:
        """Give the request up: whatever its thread waits for, it stops waiting now."""
        with self._lock:
            self.reason = reason
            self.cancelled.set()
            waiting, self._waiting = self._waiting, set()
        for event in waiting:
            event.set()

    def wait(self, done: threading.Event) -> bool:
        """Wait for ``done`` or the request to be given up; whether it was done (and not given up)."""
        with self._lock:
            if not self.cancelled.is_set():
                self._waiting.add(done)
        try:
            if not self.cancelled.is_set():
                done.wait()
        finally:
            with self._lock:
                self._waiting.discard(done)
        return not self.cancelled.is_set()


CURRENT: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("tarjama_ticket", default=None)
"""The ticket of the request a worker thread works for (worker threads inherit the request's context)."""


@dataclass(eq=False)  # found in the queue by identity
class _Job:
    texts: Sequence[str]
    tokens: list[int]
    controls: DecodingControls | None
    ticket: Ticket | None
    results: list[Hypothesis | None]
    done: threading.Event = field(default_factory=threading.Event)
    taken: int = 0  # sentences handed to a batch so far
    answered: int = 0  # sentences translated so far
    error: BaseException | None = None
    _turn: int | None = None  # a job without a ticket is a request of its own

    def given_up(self) -> bool:
        return self.ticket is not None and self.ticket.cancelled.is_set()

    @property
    def turn(self) -> int | None:
        """The batch that last served this job's request (None: not served, nor queued, yet)."""
        return self._turn if self.ticket is None else self.ticket.turn

    @turn.setter
    def turn(self, value: int) -> None:
        if self.ticket is None:
            self._turn = value
        else:
            self.ticket.turn = value


@dataclass(eq=False)
class _Call:
    run: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class Scheduler:
    """Runs every model call of the server on one thread, sentences of concurrent requests batched together."""

    def __init__(
        self,
        backend: Backend,
        *,
        max_batch: int | None = None,
        max_tokens: int | None = None,
        turn_tokens: int | None = None,
        max_queued: int = 4096,
        max_wait: float = MAX_WAIT,
        fill_share: float = FILL_SHARE,
        max_fill_wait: float = MAX_FILL_WAIT,
        on_batch: Callable[[int], None] | None = None,
        shared: bool = True,
    ) -> None:
        self.backend = backend
        self.max_batch = max_batch or backend.batch_size
        self.max_tokens = max_tokens or backend.batch_tokens
        if turn_tokens is None:
            turn_tokens = TURN_TOKENS if backend.device == "cpu" else self.max_tokens
        self.turn_tokens = min(turn_tokens, self.max_tokens)
        self.max_queued = max_queued
        self.max_wait = max_wait
        self.fill_share, self.max_fill_wait = fill_share, max_fill_wait
        self.on_batch = on_batch
        self.shared = shared  # off: each request's sentences batched alone, as LibreTranslate serves (to compare)
        self._jobs: collections.deque[_Job] = collections.deque()
        self._calls: collections.deque[_Call] = collections.deque()
        self._admitted = 0
        self._turns = 0  # batches taken so far: the number of the next
        # The last batch: its sentences, its seconds and when it ended (how long filling the next may take).
        self._last_size, self._last_seconds, self._last_end = 0, 0.0, 0.0
        self._lock = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="tarjama-scheduler", daemon=True)
        self._thread.start()

    # Admission: a bounded queue, counted in sentences.
    @property
    def queued(self) -> int:
        """Sentences admitted and not yet answered."""
        return self._admitted

    def admit(self, sentences: int) -> Ticket:
        """A ticket for a request of ``sentences`` sentences; :class:`Overloaded` if the queue cannot take them."""
        with self._lock:
            if self._stopping:
                raise Overloaded("the server is shutting down")
            if self._admitted and self._admitted + sentences > self.max_queued:
                raise Overloaded(f"{self._admitted} sentences are waiting (at most {self.max_queued})")
            self._admitted += sentences
        return Ticket(sentences)

    def release(self, ticket: Ticket) -> None:
        """The request of ``ticket`` is answered (or given up): its sentences leave the count."""
        with self._lock:
            self._admitted -= ticket.sentences
            ticket.sentences = 0

    # What the translator's passes call, from their worker threads.
    def translate(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        """Translate ``texts`` in the shared batches; block until all are done."""
        if not texts:
            return []
        ticket = CURRENT.get()
        job = _Job(texts, self.backend.count_tokens(texts), controls, ticket, [None] * len(texts))
        with self._lock:
            self._check(ticket)
            # Arriving counts as served just before the running batch: ahead of the requests it serves.
            job.turn = max(job.turn if job.turn is not None else -1, self._turns - 2)
            self._jobs.append(job)
            self._lock.notify_all()
        self._wait(job.done, ticket, lambda: self._drop(job))
        if job.error is not None:
            raise job.error
        return [h for h in job.results if h is not None]

    def call(self, run: Callable[[], T]) -> T:
        """Run ``run`` (another use of the model) on the scheduler's thread, between batches."""
        ticket = CURRENT.get()
        call = _Call(run)
        with self._lock:
            self._check(ticket)
            self._calls.append(call)
            self._lock.notify_all()
        self._wait(call.done, ticket, lambda: None)
        if call.error is not None:
            raise call.error
        result: T = call.result
        return result

    def stop(self) -> None:
        """Finish what is queued, then end the thread."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        self._thread.join()

    def _check(self, ticket: Ticket | None) -> None:
        if ticket is not None and ticket.cancelled.is_set():
            raise Cancelled(ticket.reason or "the request was given up")

    def _wait(self, done: threading.Event, ticket: Ticket | None, drop: Callable[[], None]) -> None:
        """Until ``done``; :class:`Cancelled` (``drop`` called) as soon as the request is given up.

        No polling: a hundred requests waiting on a 2-core machine would
        otherwise take the interpreter from the model's batches many times a second.
        """
        if ticket is None:
            done.wait()
        elif not ticket.wait(done):
            drop()
            raise Cancelled(ticket.reason or "the request was given up")

    def _drop(self, job: _Job) -> None:
        with self._lock:
            if job in self._jobs:
                self._jobs.remove(job)

    # The scheduler's thread.
    def _loop(self) -> None:
        while True:
            with self._lock:
                while not self._jobs and not self._calls and not self._stopping:
                    self._lock.wait()
                if self._stopping and not self._jobs and not self._calls:
                    return
                if self.shared and not self._calls:
                    self._fill()
                calls = list(self._calls)
                self._calls.clear()
                batch = self._take()
            for call in calls:
                try:
                    call.result = call.run()
                except BaseException as exc:  # handed to the caller's thread, raised there
                    call.error = exc
                call.done.set()
            if batch:
                self._run(batch)

    def _fill(self) -> None:
        """Wait (the lock held) for other requests' sentences, which then share the batch.

        A few milliseconds, unless fewer sentences wait than the last batch
        held: the clients it answered are then likely sending their next
        requests, which arrive over some milliseconds (each is parsed and
        segmented first), and a batch run without them would make them wait
        a whole batch more. So the wait then lasts until ``fill_share``
        of the last batch's time has passed since it ended
        (``max_fill_wait`` at most). Without it, concurrent one-sentence
        clients alternate between a small batch and a large one. A lone
        client never waits more than a few milliseconds (its last batch held
        one sentence), nor does the first request after a quiet spell.
        """
        short = time.monotonic() + self.max_wait
        long = max(short, self._last_end + min(self.max_fill_wait, self.fill_share * self._last_seconds))
        expected = min(self.max_batch, self._last_size)
        while not self._calls and not self._stopping and (pending := self._pending()) < self.max_batch:
            left = (long if pending < expected else short) - time.monotonic()
            if left <= 0:
                return
            self._lock.wait(left)

    def _pending(self) -> int:
        return sum(len(job.texts) - job.taken for job in self._jobs if not job.given_up())

    def _take(self) -> list[tuple[_Job, int]]:
        """The next batch: the waiting requests' sentences in turn, the first one's decoding controls.

        The first is the request served least recently (one arriving counts
        as served just before the running batch; the earliest queued among
        equals); its next sentence always goes in, so every request is served
        within as many batches as requests wait before it. The other requests'
        follow, one sentence each per round, the least recently served first,
        and among those last served by the same batch (or that arrived while it
        ran) those nearest in length first: a batch is padded to its longest
        sentence, and when more wait than a batch holds, sentences of a length
        share one (as the CLI sorts by length) rather than short ones padded to
        a long one's length. (Length before turn passed long sentences over until
        each came first: 32 one-sentence clients' p99 latency was twice their p50,
        1.6 times in this order.) A sentence that would take the batch over
        :attr:`turn_tokens` padded tokens is left for a later batch; a shorter
        one of another request may still go in.
        """
        for job in [j for j in self._jobs if j.given_up()]:
            self._jobs.remove(job)
        if not self._jobs:
            return []
        first = min(self._jobs, key=_turn)
        jobs = [job for job in self._jobs if job.controls == first.controls] if self.shared else [first]
        anchor = first.tokens[first.taken]
        batch: list[tuple[_Job, int]] = []
        longest = 0
        while len(batch) < self.max_batch:
            added = False
            waiting = [job for job in jobs if job.taken < len(job.texts)]
            waiting.sort(key=lambda job: (job is not first, _turn(job), abs(job.tokens[job.taken] - anchor)))
            for job in waiting:
                if len(batch) >= self.max_batch:
                    break
                tokens = job.tokens[job.taken]
                if batch and max(longest, tokens) * (len(batch) + 1) > self.turn_tokens:
                    continue
                batch.append((job, job.taken))
                longest = max(longest, tokens)
                job.taken += 1
                added = True
            if not added:
                break
        for job in jobs:
            if job.taken >= len(job.texts):
                self._jobs.remove(job)
        for job, _ in batch:
            job.turn = self._turns
        self._turns += 1
        return batch

    def _run(self, batch: list[tuple[_Job, int]]) -> None:
        batch = [(job, i) for job, i in batch if not job.given_up()]  # given up since it was taken
        if not batch:
            return
        controls = batch[0][0].controls
        started = time.monotonic()
        try:
            hypotheses = self.backend.translate_batch([job.texts[i] for job, i in batch], controls)
        except BaseException as exc:  # every request in the batch gets the error, in its own thread
            for job, _ in batch:
                job.error = exc
                job.done.set()
            return
        self._last_end = time.monotonic()
        self._last_size, self._last_seconds = len(batch), self._last_end - started
        if self.on_batch is not None:
            self.on_batch(len(batch))
        for (job, i), hypothesis in zip(batch, hypotheses, strict=True):
            job.results[i] = hypothesis
            job.answered += 1
            if job.answered == len(job.texts):
                job.done.set()


def _turn(job: _Job) -> int:
    return job.turn if job.turn is not None else -1  # every queued job has one: set as it is queued


class SharedBackend(WrappedBackend):
    """A :class:`~translate.backend.Backend` whose model calls all go through one :class:`Scheduler`."""

    def __init__(self, backend: Backend, scheduler: Scheduler) -> None:
        super().__init__(backend)
        self.scheduler = scheduler

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        return self.scheduler.translate(texts, controls)

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]) -> list[Hypothesis]:
        return self.scheduler.call(lambda: self.backend.continue_batch(texts, prefixes))

    def alternatives(self, text: str, prefix: Sequence[str], count: int) -> list[Hypothesis]:
        return self.scheduler.call(lambda: self.backend.alternatives(text, prefix, count))

    def explain(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail]:
        return self.scheduler.call(lambda: self.backend.explain(sources, targets, pieces))
