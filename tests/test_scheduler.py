"""The server's scheduler (``translate.server.scheduler``): which sentences share a batch, on the fixture model.

The model is real (CTranslate2 at float32, where the fixture gives its English
exactly); what these tests watch is which sentences each model call got.
Arrivals are spaced by tenths of a second against waits of milliseconds or
whole seconds, so that a busy machine cannot change what is asserted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from fixture_model import seed_sentences

from translate.server.scheduler import Scheduler

SENTENCES = [arabic for arabic, _ in seed_sentences()]


class Recording:
    """The real backend, with the texts of every batch it was given kept."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.batches: list[list[str]] = []

    def translate_batch(self, texts: Sequence[str], controls=None):
        self.batches.append(list(texts))
        return self.backend.translate_batch(texts, controls)

    def __getattr__(self, name: str):
        return getattr(self.backend, name)


@pytest.fixture(scope="module")
def backend(model_dir: Path):
    from translate import TranslationOptions, Translator

    return Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type="float32")).backend


@pytest.fixture
def recording(backend) -> Recording:
    return Recording(backend)


def _arrive(scheduler: Scheduler, texts: list[str], gap: float) -> dict[str, str]:
    """Each text sent alone from its own thread, ``gap`` seconds apart; the English each got back."""
    answers: dict[str, str] = {}

    def send(text: str) -> None:
        answers[text] = scheduler.translate([text])[0].text

    threads = []
    for text in texts:
        threads.append(threading.Thread(target=send, args=(text,)))
        threads[-1].start()
        time.sleep(gap)
    for thread in threads:
        thread.join(60)
    return answers


def test_clients_answered_by_a_batch_fill_the_next_one_as_their_requests_come_back(recording, backend) -> None:
    scheduler = Scheduler(recording, fill_share=1000, max_fill_wait=3.0)  # waits up to 3 s after a batch
    try:
        scheduler.translate(SENTENCES[:4])
        answers = _arrive(scheduler, SENTENCES[4:8], gap=0.1)
    finally:
        scheduler.stop()
    # Without the wait, the first to come back would have gone alone, 5 ms after it came.
    assert [set(batch) for batch in recording.batches] == [set(SENTENCES[:4]), set(SENTENCES[4:8])]
    alone = {text: backend.translate_batch([text])[0].text for text in SENTENCES[4:8]}
    assert answers == alone


def test_a_lone_client_and_the_first_request_after_a_quiet_spell_are_not_kept_waiting(recording) -> None:
    scheduler = Scheduler(recording, fill_share=1000, max_fill_wait=0.3)
    try:
        # One client, one sentence at a time: its last batch held one sentence, so nothing more is waited for.
        scheduler.translate(SENTENCES[:1])
        _arrive(scheduler, SENTENCES[1:3], gap=0.15)
        assert recording.batches == [[s] for s in SENTENCES[:3]]
        # After a batch of four and a quiet spell longer than the wait, a request runs without the next one.
        recording.batches.clear()
        scheduler.translate(SENTENCES[:4])
        time.sleep(0.5)
        _arrive(scheduler, SENTENCES[4:6], gap=0.15)
    finally:
        scheduler.stop()
    assert [set(batch) for batch in recording.batches] == [set(SENTENCES[:4]), {SENTENCES[4]}, {SENTENCES[5]}]


def test_a_long_document_does_not_starve_a_short_request(recording) -> None:
    document, short = SENTENCES[:11] * 3, SENTENCES[11]
    scheduler = Scheduler(recording, max_batch=4)
    try:
        thread = threading.Thread(target=scheduler.translate, args=(document,))
        thread.start()
        while not recording.batches:
            time.sleep(0.01)
        answer = scheduler.translate([short])
        thread.join(60)
    finally:
        scheduler.stop()
    assert answer[0].text
    # It went into one of the first batches after it came, beside the document's, not after all 9 of them.
    taken = next(i for i, batch in enumerate(recording.batches) if short in batch)
    assert taken <= 2
    assert len(recording.batches[taken]) == 4
    assert sorted(s for batch in recording.batches for s in batch) == sorted([*document, short])


def test_a_request_given_up_stops_waiting_and_its_sentences_are_never_translated(recording) -> None:
    from translate.server.scheduler import CURRENT, Cancelled

    document, short = SENTENCES[:11] * 10, SENTENCES[11]
    scheduler = Scheduler(recording, max_batch=2)
    outcome: list[str] = []
    free = threading.Event()

    def send(ticket) -> None:
        CURRENT.set(ticket)
        try:
            scheduler.translate([short])
            outcome.append("translated")
        except Cancelled as exc:
            outcome.append(str(exc))

    try:
        working = threading.Thread(target=scheduler.translate, args=(document,))
        working.start()
        while not recording.batches:
            time.sleep(0.01)
        # The model's thread held: the short request waits (it would be in the very next batch).
        busy = threading.Thread(target=scheduler.call, args=(free.wait,))
        busy.start()
        time.sleep(0.3)
        ticket = scheduler.admit(1)
        waiting = threading.Thread(target=send, args=(ticket,))
        waiting.start()
        time.sleep(0.1)
        ticket.cancel("the client went away")
        waiting.join(10)
        stopped_waiting = not waiting.is_alive()
        free.set()
        busy.join(10)
        working.join(120)
        scheduler.release(ticket)
    finally:
        free.set()
        scheduler.stop()
    assert outcome == ["the client went away"]
    assert stopped_waiting  # at once, not when the model was free
    assert all(short not in batch for batch in recording.batches)
    assert scheduler.queued == 0


def test_when_more_wait_than_a_batch_holds_sentences_of_a_length_share_one(recording, backend) -> None:
    by_length = sorted(SENTENCES, key=lambda s: backend.count_tokens([s])[0])
    short, long = by_length[:2], by_length[-2:]
    scheduler = Scheduler(recording, max_batch=2, max_tokens=100_000)
    free = threading.Event()
    try:
        busy = threading.Thread(target=scheduler.call, args=(free.wait,))  # the model's thread, held
        busy.start()
        time.sleep(0.1)
        # Arriving in turn short, long, short, long, all waiting when the model is free again.
        senders = [
            threading.Thread(target=scheduler.translate, args=([s],)) for s in (short[0], long[0], *short[1:], long[1])
        ]
        for sender in senders:
            sender.start()
            time.sleep(0.05)
        free.set()
        for sender in senders:
            sender.join(60)
        busy.join(10)
    finally:
        scheduler.stop()
    assert {frozenset(batch) for batch in recording.batches} == {frozenset(short), frozenset(long)}


def _held(scheduler: Scheduler, recording: Recording, free: threading.Event) -> tuple[threading.Thread, int]:
    """The model's thread held (by a call taken with the next batch) until ``free``; that batch's number."""
    held_at: list[int] = []

    def hold() -> None:
        held_at.append(len(recording.batches))
        free.wait()

    busy = threading.Thread(target=scheduler.call, args=(hold,))
    busy.start()
    while not held_at:
        time.sleep(0.01)
    return busy, held_at[0]


def test_a_request_arriving_goes_before_the_requests_the_running_batch_serves(recording, backend) -> None:
    by_length = sorted(SENTENCES, key=lambda s: backend.count_tokens([s])[0])
    short, longs = by_length[0], by_length[-3:]
    scheduler = Scheduler(recording, max_batch=3)  # one sentence of each of the three documents per batch
    documents = [threading.Thread(target=scheduler.translate, args=(longs * 4,)) for _ in range(3)]
    answer: list[str] = []
    free = threading.Event()
    try:
        for document in documents:
            document.start()
        while len(recording.batches) < 2:
            time.sleep(0.01)
        busy, running = _held(scheduler, recording, free)  # batch `running` is taken, the short one not yet queued
        sender = threading.Thread(target=lambda: answer.append(scheduler.translate([short])[0].text))
        sender.start()
        time.sleep(0.2)
        free.set()
        for thread in (busy, sender, *documents):
            thread.join(120)
    finally:
        free.set()
        scheduler.stop()
    # Served first by the next batch; before, it waited behind the oldest document's twelve sentences.
    taken = next(i for i, batch in enumerate(recording.batches) if short in batch)
    assert taken == running + 1
    assert answer == [backend.translate_batch([short])[0].text]
    assert sorted(s for batch in recording.batches for s in batch) == sorted([*(longs * 12), short])


def test_a_batch_of_long_sentences_holds_few_and_every_request_takes_its_turns(recording, backend) -> None:
    by_length = sorted(SENTENCES, key=lambda s: backend.count_tokens([s])[0])
    documents = [(f"{k}", [f"{k} {by_length[-1]}"] * 8) for k in range(4)]  # each sentence's owner first
    longest = max(backend.count_tokens([text for _, texts in documents for text in texts]))
    scheduler = Scheduler(recording, turn_tokens=2 * longest)  # two long sentences a batch, not 32
    threads = [threading.Thread(target=scheduler.translate, args=(texts,)) for _, texts in documents]
    free = threading.Event()
    try:
        busy, _ = _held(scheduler, recording, free)  # all four documents queued before the first batch
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        free.set()
        for thread in (busy, *threads):
            thread.join(120)
    finally:
        free.set()
        scheduler.stop()
    owners = [[text.split()[0] for text in batch] for batch in recording.batches]
    assert all(len(batch) <= 2 for batch in owners), owners
    assert sum(len(batch) for batch in owners) == 4 * 8
    # Turns: in every four sentences in a row, each document has one (not one document's eight, then the next's).
    order = [owner for batch in owners for owner in batch]
    assert all(sorted(order[i : i + 4]) == ["0", "1", "2", "3"] for i in range(0, len(order), 4))
