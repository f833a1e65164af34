"""How big a batch is: sentences and padded source tokens, sized for speed within a memory cap. Pure: no model.

Bigger batches are faster on a CPU (more work per call for the same
overhead) and cost memory: for a Marian model decoded with beam search, the
encoder's output and the decoder's caches grow with sentences x beams x
tokens. So a backend's default batch is the largest that keeps the process's
peak memory under a cap (``--max-batch-memory``), up to a sentence count past
which measured throughput stops growing.

The estimates are linear fits of peak RSS measured on this project's 2-core
machines (opus-mt-ar-en architecture, sentences of ~35 tokens, 40 output
tokens): CTranslate2 int8 at beam 4 and 8, 12, 16, 32 and 64 sentences per
batch peaked at 217, 266, 298, 440-497 and 720 MB, about 143 MB plus 0.066 MB
per beam x source token (at beam 1 and 128 sentences, 431 MB against 439
estimated; at beam 4 and 128, 1051 against 1326: the fit errs high); the
per-token cost scales with the decoder's width x depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

NAIVE_PEAK_MB = 700
"""Peak RSS of the naive path (transformers float32, one generate() per sentence) on opus-mt-ar-en: the default cap."""
BASE_PARAMETERS = 76_000_000
"""opus-mt-ar-en's size; bigger models get a proportionally bigger default cap."""
BASE_WIDTH = 512 * 6
"""d_model x decoder layers of opus-mt-ar-en, which the per-token costs were measured on."""

CT2_GREEDY_SENTENCES = 128
"""CTranslate2's sentences per batch at beam 1: throughput still grows up to here (README, Speed)."""
CT2_BEAM_SENTENCES = {"vnni": 32, "avx2": 64}
"""At beam 2 and more, by CPU: measured fastest on an AVX-512 VNNI CPU at 32 (64 ran 25% slower),
on an AVX2 CPU at 64 (12, the old default, ran at half the speed)."""
CT2_RUNTIME_MB = 65
"""CTranslate2's process without the model's weights."""
CT2_MB_PER_BEAM_TOKEN = 0.066

TORCH_SENTENCES = 32
TORCH_TOKENS = 4096
"""torch's defaults: measured fastest; its runtime alone is near the naive path's peak, so no cap unless asked."""
TORCH_RUNTIME_MB = 350
TORCH_MB_PER_BEAM_TOKEN = 0.17

MIN_TOKENS = 64

CT2_WORKER_SENTENCES = 16
"""Fewest sentences per batch worth a CTranslate2 worker of its own (see :func:`ctranslate2_workers`)."""


@dataclass(frozen=True)
class BatchSize:
    """Sentences and padded source tokens per batch, and why, for ``-v``."""

    sentences: int
    tokens: int
    why: str


def default_cap_mb(parameters: int) -> int:
    """The naive path's peak for a model of this many parameters (700 MB for opus-mt-ar-en, more for bigger)."""
    return round(NAIVE_PEAK_MB * max(1.0, parameters / BASE_PARAMETERS))


def weight_parameters(folder: Path) -> int:
    """A saved model's parameter count, from the size of its float32 weight files."""
    weights = [p for p in folder.glob("*") if p.suffix in (".safetensors", ".bin") and p.is_file()]
    return sum(p.stat().st_size for p in weights) // 4 or BASE_PARAMETERS


def ctranslate2_sentences(beam: int, instruction_sets: Sequence[str]) -> tuple[int, str]:
    """CTranslate2's fastest sentences per batch on this CPU, and why."""
    if beam == 1:
        return CT2_GREEDY_SENTENCES, f"{CT2_GREEDY_SENTENCES} sentences: greedy search runs fastest in big batches"
    if any("VNNI" in name for name in instruction_sets):
        return CT2_BEAM_SENTENCES["vnni"], (
            f"{CT2_BEAM_SENTENCES['vnni']} sentences: beam search on a VNNI CPU runs fastest there"
        )
    return CT2_BEAM_SENTENCES["avx2"], (
        f"{CT2_BEAM_SENTENCES['avx2']} sentences: beam search on a CPU without VNNI runs fastest there"
    )


def ctranslate2_batch(
    *,
    beam: int,
    weights_mb: float,
    parameters: int,
    d_model: int,
    decoder_layers: int,
    instruction_sets: Sequence[str] = (),
    cap_mb: int | None = None,
    sentences: int | None = None,
) -> BatchSize:
    """CTranslate2's batch: the CPU's fastest sentence count, within the cap (default: :func:`default_cap_mb`)."""
    cap = cap_mb or default_cap_mb(parameters)
    per_token = CT2_MB_PER_BEAM_TOKEN * d_model * decoder_layers / BASE_WIDTH
    room = cap - CT2_RUNTIME_MB - weights_mb
    tokens = max(MIN_TOKENS, int(room / (per_token * beam)))
    fastest, because = ctranslate2_sentences(beam, instruction_sets)
    chosen = sentences or fastest
    why = (
        f"{because if not sentences else f'{chosen} sentences as asked'}; "
        f"a {cap} MB cap ({'--max-batch-memory' if cap_mb else 'the naive path’s peak for this model size'}) "
        f"less {CT2_RUNTIME_MB + weights_mb:.0f} MB for the runtime and weights leaves room for {tokens} source "
        f"tokens at beam {beam} (~{per_token:.3f} MB per token per beam)"
    )
    return BatchSize(chosen, tokens, why)


SCORING_MB = 64
"""The logits of one scoring pass on a CPU: a CTranslate2 worker's, or torch's (see :func:`scoring_sentences`)."""


def scoring_sentences(target_tokens: int, vocabulary: int) -> int:
    """Sentences per scoring batch that keep one pass's logits within :data:`SCORING_MB`.

    Scoring (a teacher-forced pass) holds the logits and log-probabilities of
    every target position at once: 8 bytes x tokens x vocabulary per sentence,
    20 MB for 40 tokens of opus-mt-ar-en's 62,834 pieces. Measured with two
    workers on 64 such sentences: 1419 MB peak at 32 sentences per worker,
    311 MB at 4, and no slower (1.06 s against 1.18 s).
    """
    return max(1, int(SCORING_MB * 1e6 // (8 * max(1, target_tokens) * max(1, vocabulary))))


@dataclass(frozen=True)
class Workers:
    """How CTranslate2 spreads the CPU threads: ``inter`` workers of ``intra`` threads each, and why, for ``-v``."""

    inter: int
    intra: int
    why: str


def ctranslate2_workers(threads: int, batch_sentences: int) -> Workers:
    """One CTranslate2 worker per thread, each with a share of every batch of at least :data:`CT2_WORKER_SENTENCES`.

    A batch is split across the workers, which decode their parts at once,
    each on one thread. On this project's 2-core CPUs two workers of one
    thread ran 1.3x as fast as one worker of two threads greedy (54 against
    40 sentences/s, 128 per batch) and 1.2x at beam 4 (15.4 against 13.1,
    32 per batch), at the same peak memory: the sentences in flight are the
    same, and the workers share the model's weights. Fewer workers, with
    more threads each, when the batch is too small to share.
    """
    threads = max(1, threads)
    inter = max(1, min(threads, batch_sentences // CT2_WORKER_SENTENCES))
    intra = threads // inter
    if inter == 1:
        why = f"one worker of {intra} thread{'s' if intra > 1 else ''}" + (
            f": {batch_sentences} sentences per batch are too few to share" if threads > 1 else ""
        )
    else:
        why = (
            f"{inter} workers of {intra} thread{'s' if intra > 1 else ''} each, every batch split between them: "
            f"parallel batches decode faster than parallel threads in one batch"
        )
    return Workers(inter, intra, why)


def torch_batch(
    *,
    beam: int,
    weights_mb: float,
    d_model: int,
    decoder_layers: int,
    cap_mb: int | None = None,
    sentences: int | None = None,
) -> BatchSize:
    """torch's batch: :data:`TORCH_TOKENS` and :data:`TORCH_SENTENCES`, or what fits ``cap_mb`` if one is given."""
    chosen = sentences or TORCH_SENTENCES
    if cap_mb is None:
        why = f"torch's measured fastest ({TORCH_TOKENS} tokens); no memory cap unless --max-batch-memory"
        return BatchSize(chosen, TORCH_TOKENS, why)
    per_token = TORCH_MB_PER_BEAM_TOKEN * d_model * decoder_layers / BASE_WIDTH
    room = cap_mb - TORCH_RUNTIME_MB - weights_mb
    tokens = max(MIN_TOKENS, min(TORCH_TOKENS, int(room / (per_token * beam))))
    why = (
        f"a {cap_mb} MB cap (--max-batch-memory) less {TORCH_RUNTIME_MB + weights_mb:.0f} MB for the runtime and "
        f"weights leaves room for {tokens} source tokens at beam {beam}"
    )
    return BatchSize(chosen, tokens, why)


def exhaustive_length(source_tokens: int) -> int:
    """The longest output an exhaustive second search may run to, decoder start token included.

    Three output tokens per source token and ten more: above the fixture's longest translation (2.6 per
    source token with its tiny vocabularies) and far above opus-mt's Arabic to English (about 1.3).
    """
    return 3 * source_tokens + 10
