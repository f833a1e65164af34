"""Batch planning: every input once, bounds respected, earliest inputs first."""

from __future__ import annotations

import random

import pytest

from translate.batching import WINDOW_BATCHES, plan_batches


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize(("max_items", "max_tokens"), [(1, 10_000), (4, 10_000), (16, 200), (8, 64)])
def test_every_input_once_within_bounds(seed: int, max_items: int, max_tokens: int) -> None:
    rng = random.Random(seed)
    lengths = [rng.randint(1, 80) for _ in range(rng.randint(0, 120))]
    batches = plan_batches(lengths, max_items=max_items, max_tokens=max_tokens)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert 1 <= len(batch) <= max_items
        padded = max(lengths[i] for i in batch) * len(batch)
        assert padded <= max_tokens or len(batch) == 1


def test_sorted_by_length_inside_a_window() -> None:
    lengths = [1, 5, 50, 6, 49, 7, 48, 8, 47]
    batches = plan_batches(lengths, max_items=2, max_tokens=10_000)
    # After the opening batch, long inputs are batched together and short ones together: little padding.
    assert batches[0] == [0]
    assert sorted(map(sorted, batches[1:])) == [[1, 3], [2, 4], [5, 7], [6, 8]]


def test_a_small_first_batch_gets_the_first_rows_out_early() -> None:
    batches = plan_batches([30] * 100, max_items=32, max_tokens=100_000)
    assert batches[0] == list(range(3))  # a quarter of a batch, at most 3: big batches do not delay it
    assert [len(b) for b in batches[1:]] == [32, 32, 32, 1]
    assert plan_batches([30] * 100, max_items=8, max_tokens=100_000)[0] == [0, 1]


def test_without_early_rows_every_batch_is_full_size() -> None:
    batches = plan_batches([30] * 100, max_items=32, max_tokens=100_000, first_rows_early=False)
    assert [len(b) for b in batches] == [32, 32, 32, 4]
    assert sorted(i for b in batches for i in b) == list(range(100))


def test_batches_run_earliest_input_first() -> None:
    lengths = list(range(1, 33))
    batches = plan_batches(lengths, max_items=2, max_tokens=10_000)
    assert batches[0] == [0]
    assert [min(b) for b in batches] == sorted(min(b) for b in batches)


def test_windows_keep_source_order_coarsely() -> None:
    max_items = 4
    lengths = [100 - i for i in range(41)]
    batches = plan_batches(lengths, max_items=max_items, max_tokens=10_000)
    assert batches[0] == [0]  # the opening batch: max_items // 4 inputs (at most 3)
    window = max_items * WINDOW_BATCHES
    # No batch mixes inputs from two windows, and windows run in order.
    windows = [{(i - 1) // window for i in batch} for batch in batches[1:]]
    assert all(len(w) == 1 for w in windows)
    assert [w.pop() for w in windows] == sorted((b[0] - 1) // window for b in batches[1:])


def test_rejects_nonsense_bounds() -> None:
    with pytest.raises(ValueError):
        plan_batches([1, 2], max_items=0, max_tokens=10)
