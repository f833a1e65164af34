"""A real backend wrapped to record what the translator asks of it."""

from __future__ import annotations

from collections.abc import Sequence

from translate.types import DecodingControls, Hypothesis


class CountingBackend:
    """The real backend, recording the batches it was asked to translate and with which controls."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.device, self.model = inner.name, inner.device, inner.model
        self.max_source_tokens = inner.max_source_tokens
        self.settings, self.beam, self.batch_tokens = inner.settings, inner.beam, inner.batch_tokens
        self.batch_size = inner.batch_size
        self.batches: list[int] = []
        self.calls: list[tuple[list[str], DecodingControls | None, list[Hypothesis]]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def count_target_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_target_tokens(texts)

    def explain(self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()):
        return self.inner.explain(sources, targets, pieces)

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]):
        return self.inner.continue_batch(texts, prefixes)

    def alternatives(self, text: str, prefix: Sequence[str], count: int):
        return self.inner.alternatives(text, prefix, count)

    def target_pieces(self, text: str):
        return self.inner.target_pieces(text)

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        self.batches.append(len(texts))
        hypotheses = self.inner.translate_batch(texts, controls)
        self.calls.append((list(texts), controls, hypotheses))
        return hypotheses
