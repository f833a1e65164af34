"""The translator: text in, aligned sentence pairs out."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate.align import align_pair
from translate.backend import Backend, load_backend
from translate.batching import plan_batches
from translate.memory import CachedBackend, TranslationMemory
from translate.normalize import contains_arabic, normalize_for_model
from translate.quality import is_repetitive
from translate.registry import default_model, resolve_model
from translate.segment import segment_text, split_to_fit
from translate.types import (
    AlignedPair,
    DecodingControls,
    Hypothesis,
    Segment,
    TranslationInfo,
    TranslationOptions,
    WordAlignment,
)

logger = logging.getLogger("tarjama")

QUALITY_PIECE_TOKENS = 256
"""Default cap on one model input: opus-mt quality drops well before its 512-token limit."""
RETRY_CONTROLS = DecodingControls()
"""How a translation that looped or hit the length limit is tried a second time."""


@dataclass(frozen=True)
class _Piece:
    segment: int
    text: str
    tokens: int


class Translator:
    """Translates Arabic text into aligned (Arabic sentence, English sentence) pairs.

    The model is resolved and loaded when the translator is built (downloading
    it once if it is not cached and ``local_files_only`` is false), so a
    missing model fails here, before any input is read. With a ``memory``,
    sentences translated before are not translated again, and a human
    translation stored there is used instead of the model's.
    """

    def __init__(
        self,
        model: str | Path | None = None,
        options: TranslationOptions | None = None,
        *,
        revision: str | None = None,
        local_files_only: bool = False,
        backend: Backend | None = None,
        memory: TranslationMemory | None = None,
    ) -> None:
        self.options = options or TranslationOptions()
        if backend is None:
            resolved = resolve_model(model or default_model(), revision=revision, local_files_only=local_files_only)
            backend = load_backend(resolved, self.options)
        self.memory = memory
        self.backend: Backend = CachedBackend(backend, memory) if memory is not None else backend
        requested = self.options.max_piece_tokens or QUALITY_PIECE_TOKENS
        self.max_piece_tokens = min(requested, backend.max_source_tokens)

    def translate(self, text: str, *, use_human: bool = True) -> tuple[Iterator[AlignedPair], TranslationInfo]:
        """Segment ``text`` now; translate it lazily.

        Returns ``(pairs, info)``. Segmentation, token counting and batch
        planning happen before this returns, so ``info.sentences`` can size a
        progress bar; the model runs only while ``pairs`` is iterated, and pairs
        come out in source order as their batches finish, one per sentence.
        ``use_human=False`` ignores the memory's human translations (the
        machine's own, for a "revert", or a reader whose visitors must not
        see each other's corrections).
        """
        segments = segment_text(text)
        texts = [normalize_for_model(s.text) for s in segments]
        human = self._human_translations(texts) if use_human else {}
        pieces, spans = self._pieces([t if i not in human else "" for i, t in enumerate(texts)])
        info = TranslationInfo(
            model=self.backend.model.model_id,
            revision=self.backend.model.revision,
            backend=self.backend.name,
            device=self.backend.device,
            options=self.options,
            sentences=len(segments),
            paragraphs=len({s.paragraph for s in segments}),
            pieces=len(pieces),
            characters=len(text),
            has_arabic=contains_arabic(text),
            segments=tuple(segments),
        )
        return self._run(segments, pieces, spans, human), info

    def translate_text(self, text: str, *, use_human: bool = True) -> list[AlignedPair]:
        """Translate ``text`` and return all pairs at once."""
        pairs, _ = self.translate(text, use_human=use_human)
        return list(pairs)

    def align(self, pairs: Sequence[AlignedPair]) -> list[WordAlignment | None]:
        """Word alignments and confidence of these pairs, as their English stands (the model's or a person's).

        One teacher-forced pass of the model over each pair (``Backend.explain``),
        in batches. ``None`` for a pair with no English, for one whose source the
        model took in several parts, or whose source or English does not fit
        the model in one pass.
        """
        sources = [normalize_for_model(pair.source) for pair in pairs]
        # pieces is 0 for a correction the memory supplied: the model never took that source in parts.
        jobs = [i for i, pair in enumerate(pairs) if pair.pieces <= 1 and pair.target.strip() and sources[i]]
        lengths = self.backend.count_tokens([sources[i] for i in jobs])
        english = self.backend.count_target_tokens([pairs[i].target for i in jobs])
        limit = self.backend.max_source_tokens  # the decoder's positions are bounded like the encoder's
        fits = [
            k
            for k, (n, m) in enumerate(zip(lengths, english, strict=True))
            if n <= self.max_piece_tokens and m <= limit
        ]
        alignments: list[WordAlignment | None] = [None] * len(pairs)
        batches = plan_batches(
            [lengths[k] for k in fits],
            max_items=self.options.batch_size,
            max_tokens=self.options.batch_tokens or self.backend.batch_tokens,
        )
        for batch in batches:
            chosen = [jobs[fits[b]] for b in batch]
            details = self.backend.explain([sources[i] for i in chosen], [pairs[i].target for i in chosen])
            for i, detail in zip(chosen, details, strict=True):
                alignments[i] = align_pair(pairs[i].source, pairs[i].target, detail)
        return alignments

    def _human_translations(self, texts: list[str]) -> dict[int, str]:
        if self.memory is None:
            return {}
        found = self.memory.human([t for t in texts if t])
        return {i: found[t] for i, t in enumerate(texts) if t in found}

    def _pieces(self, texts: list[str]) -> tuple[list[_Piece], list[range]]:
        """Model inputs for every model-ready sentence, and which of them belong to each sentence."""
        counts = self.backend.count_tokens([t for t in texts if t])
        pieces: list[_Piece] = []
        spans: list[range] = []
        lengths = iter(counts)
        for index, text in enumerate(texts):
            first = len(pieces)
            if text:
                tokens = next(lengths)
                if tokens <= self.max_piece_tokens:
                    pieces.append(_Piece(index, text, tokens))
                else:
                    pieces.extend(self._split(index, text))
            spans.append(range(first, len(pieces)))
        return pieces, spans

    def _split(self, index: int, text: str) -> list[_Piece]:
        def fits(piece: str) -> bool:
            return self.backend.count_tokens([piece])[0] <= self.max_piece_tokens

        parts = [text[a:b] for a, b in split_to_fit(text, fits)]
        logger.debug("sentence %d split into %d pieces to fit %d tokens", index, len(parts), self.max_piece_tokens)
        return [_Piece(index, part, n) for part, n in zip(parts, self.backend.count_tokens(parts), strict=True)]

    def _translate_checked(self, texts: list[str]) -> list[Hypothesis]:
        """Translate; retry once, with repetition controls, whatever looped or hit the length limit.

        A retry replaces the first attempt unless it came out worse; what is
        still bad after it keeps its ``truncated``/``repetitive`` flags.
        """
        hypotheses = [_checked(h, text) for h, text in zip(self.backend.translate_batch(texts), texts, strict=True)]
        bad = [i for i, h in enumerate(hypotheses) if _badness(h)]
        if not bad or not self.options.retry:
            return hypotheses
        retried = self.backend.translate_batch([texts[i] for i in bad], RETRY_CONTROLS)
        for i, again in zip(bad, retried, strict=True):
            again = _checked(again, texts[i])
            if _badness(again) <= _badness(hypotheses[i]):
                hypotheses[i] = again
        still = sum(1 for i in bad if _badness(hypotheses[i]))
        logger.info("retried %d of %d pieces with repetition controls; %d still flagged", len(bad), len(texts), still)
        return hypotheses

    def _run(
        self, segments: list[Segment], pieces: list[_Piece], spans: list[range], human: dict[int, str]
    ) -> Iterator[AlignedPair]:
        done: list[Hypothesis | None] = [None] * len(pieces)
        batches = plan_batches(
            [p.tokens for p in pieces],
            max_items=self.options.batch_size,
            max_tokens=self.options.batch_tokens or self.backend.batch_tokens,
        )
        next_segment = 0
        # The empty batch at the end flushes trailing sentences with nothing to translate.
        for batch in [*batches, []]:
            if batch:
                hypotheses = self._translate_checked([pieces[i].text for i in batch])
                for i, hypothesis in zip(batch, hypotheses, strict=True):
                    done[i] = hypothesis
            while next_segment < len(segments) and all(done[i] is not None for i in spans[next_segment]):
                segment = segments[next_segment]
                if segment.index in human:
                    yield _pair(segment, [], edited=True, target=human[segment.index])
                else:
                    yield _pair(segment, [done[i] for i in spans[next_segment]])
                next_segment += 1


def _pair(segment: Segment, hypotheses: list[Hypothesis], *, edited: bool = False, target: str = "") -> AlignedPair:
    return AlignedPair(
        index=segment.index,
        paragraph=segment.paragraph,
        source=segment.text,
        target=target or " ".join(h.text for h in hypotheses if h.text),
        start=segment.start,
        end=segment.end,
        pieces=len(hypotheses),
        truncated=any(h.truncated for h in hypotheses),
        edited=edited,
        repetitive=any(h.repetitive for h in hypotheses),
    )


def _checked(hypothesis: Hypothesis, source: str) -> Hypothesis:
    return dataclasses.replace(hypothesis, repetitive=is_repetitive(hypothesis.text, source))


def _badness(hypothesis: Hypothesis) -> int:
    return int(hypothesis.truncated) + int(hypothesis.repetitive)
