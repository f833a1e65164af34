"""``tarjama serve`` behind long texts (issue 32): a one-line request is not held up, and the deadline is kept.

Six texts of 19,990 Arabic letters with no space, no punctuation (within the
default ``--char-limit``): each is one sentence the translator cuts into pieces
of 256 tokens, about 50 each. What is asserted is the order in which requests
are answered and the status each gets; the one figure in seconds (the 503 within
1.5 s of the deadline) leaves a margin several times what the server needs.
"""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import httpx
import pytest
from fixture_model import seed_sentences
from serving import Running, serving

SEED = seed_sentences()
SHORT, SHORT_ENGLISH = min(SEED, key=lambda pair: len(pair[0]))
LETTERS = "".join(ch for arabic, _ in SEED for ch in arabic if "\u0621" <= ch <= "\u064a")
LONG = (LETTERS * (20_000 // len(LETTERS) + 1))[:19_990]


def _translate(server: Running, text: str) -> tuple[httpx.Response, float]:
    """The server's answer, and when it came (``time.monotonic``)."""
    reply = httpx.post(f"{server.url}/translate", json={"q": text, "source": "ar", "target": "en"}, timeout=600)
    return reply, time.monotonic()


def _metric(server: Running, name: str) -> float:
    for line in httpx.get(f"{server.url}/metrics", timeout=10).text.splitlines():
        found, _, value = line.partition(" ")
        if found == name:
            return float(value)
    raise AssertionError(f"no {name} in /metrics")


def _until_long_pieces_are_translated(server: Running) -> None:
    """Until the model has run batches of the long texts' pieces (the one-liner then waits behind them)."""
    limit = time.monotonic() + 120
    while _metric(server, "tarjama_batch_sentences_sum") < 8:
        assert time.monotonic() < limit, "the long texts never reached the model"
        time.sleep(0.05)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


def test_a_one_line_request_is_answered_while_six_long_texts_are_translated(model_dir: Path, log: Path) -> None:
    with (
        serving(model_dir, "--no-cache", "--no-reader", log=log) as server,
        concurrent.futures.ThreadPoolExecutor(7) as pool,
    ):
        long = [pool.submit(_translate, server, LONG) for _ in range(6)]
        _until_long_pieces_are_translated(server)
        reply, _ = _translate(server, SHORT)
        still_working = sum(not future.done() for future in long)
        answers = [future.result()[0] for future in long]
    assert reply.status_code == 200 and reply.json() == {"translatedText": SHORT_ENGLISH}
    # Before: the one-liner's sentence waited behind the long texts' pieces, 32 of 256 tokens a batch.
    assert still_working == 6
    assert [answer.status_code for answer in answers] == [200] * 6
    assert all(answer.json()["translatedText"].strip() for answer in answers)


def test_at_the_deadline_long_texts_get_503_and_leave_the_queue_while_a_one_liner_is_translated(
    model_dir: Path, log: Path
) -> None:
    deadline = 4
    with (
        serving(model_dir, "--no-cache", "--no-reader", "--deadline", str(deadline), log=log) as server,
        concurrent.futures.ThreadPoolExecutor(7) as pool,
    ):
        sent = time.monotonic()
        long = [pool.submit(_translate, server, LONG) for _ in range(6)]
        _until_long_pieces_are_translated(server)
        reply, _ = _translate(server, SHORT)
        answers = [future.result() for future in long]
        time.sleep(1.5)  # a batch the abandoned requests were in may still be running
        batches = _metric(server, "tarjama_batch_sentences_count")
        time.sleep(1.0)
        batches_later = _metric(server, "tarjama_batch_sentences_count")
        queued = _metric(server, "tarjama_queue_sentences")
    assert reply.status_code == 200 and reply.json() == {"translatedText": SHORT_ENGLISH}
    assert [answer.status_code for answer, _ in answers] == [503] * 6
    assert all("longer than 4 s" in answer.json()["error"] for answer, _ in answers)
    # Before: 23 to 29 s, the deadline noticed only between the event loop's segmenting and the model's batches.
    assert max(at - sent for _, at in answers) < deadline + 1.5
    # Their pieces left the queue: the model has nothing more to do for them.
    assert batches_later == batches
    assert queued == 0
