"""The reader under load: 20 concurrent clients on loopback, every request answered correctly."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gradio_client import Client

CLIENTS = 20


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_twenty_concurrent_clients(reader, seed_text, seed_pairs, capsys) -> None:
    expected = [en for _, en in seed_pairs]
    warm = Client(reader.url, verbose=False)
    assert [p["target"] for p in warm.predict(seed_text, reader.model, api_name="/translate")] == expected
    rss_before = _rss_mb()

    def one_client(_: int) -> tuple[float, bool]:
        client = Client(reader.url, verbose=False)
        begin = time.perf_counter()
        try:
            pairs = client.predict(seed_text, reader.model, api_name="/translate")
        except Exception:  # counted as a failure below, whatever went wrong
            return time.perf_counter() - begin, False
        return time.perf_counter() - begin, [p["target"] for p in pairs] == expected

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(one_client, range(CLIENTS)))
    wall = time.perf_counter() - started
    latencies = sorted(seconds for seconds, _ in results)
    failures = sum(not ok for _, ok in results)
    growth = _rss_mb() - rss_before
    p50 = statistics.median(latencies)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    with capsys.disabled():
        print(
            f"\nload: {CLIENTS} concurrent clients, {failures} failures, p50 {p50:.2f} s, p95 {p95:.2f} s, "
            f"wall {wall:.1f} s, server RSS growth {growth:.0f} MB"
        )
    assert failures == 0
    assert growth < 300
    # And it still answers afterwards.
    assert warm.predict("مرحبا بكم.", reader.model, api_name="/translate")[0]["target"] == "Welcome."
