"""Group model inputs into batches: pure, no model.

Sorting by length cuts the padding a batch pays for, but a reader wants the
first sentences first. So, where rows are shown as they come, the first few
inputs go in a small batch of their own (the first rows appear after a
fraction of a full batch's time; a batch that small costs several times its
share of the time, so it is left out where nobody watches); the rest are
taken in windows of a few batches in source order; inside a window they
are sorted by length and cut into batches bounded by a sentence count and a
padded-token budget; the batches run in the order of the earliest input they
hold, so output can stream in source order.
"""

from __future__ import annotations

WINDOW_BATCHES = 4
"""How many batches' worth of inputs are sorted together."""
OPENING_MAX = 3
"""The opening batch holds a quarter of a batch, at most this many: big batches must not delay the first rows."""


def plan_batches(
    lengths: list[int], *, max_items: int, max_tokens: int, first_rows_early: bool = True
) -> list[list[int]]:
    """Return batches of indices into ``lengths``, in the order to run them.

    Every index appears in exactly one batch. A batch holds at most
    ``max_items`` inputs and, unless a single input is longer, at most
    ``max_tokens`` padded tokens (inputs x longest input). With
    ``first_rows_early``, the first inputs get a small opening batch.
    """
    if max_items < 1 or max_tokens < 1:
        raise ValueError("max_items and max_tokens must be at least 1")
    opening = min(len(lengths), max(1, min(max_items // 4, OPENING_MAX))) if first_rows_early else 0
    batches = _cut(list(range(opening)), lengths, max_items, max_tokens)
    window = max_items * WINDOW_BATCHES
    for first in range(opening, len(lengths), window):
        indices = sorted(range(first, min(first + window, len(lengths))), key=lambda i: (-lengths[i], i))
        planned = _cut(indices, lengths, max_items, max_tokens)
        batches.extend(sorted(planned, key=min))
    return batches


def _cut(indices: list[int], lengths: list[int], max_items: int, max_tokens: int) -> list[list[int]]:
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in indices:
        width = max(longest, lengths[i])
        if current and (len(current) >= max_items or width * (len(current) + 1) > max_tokens):
            batches.append(sorted(current))
            current, width = [], lengths[i]
        current.append(i)
        longest = width
    if current:
        batches.append(sorted(current))
    return batches
