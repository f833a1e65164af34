"""Backends turn batches of model-ready text into English.

A backend is anything with the small :class:`Backend` interface. torch and
transformers are imported only when a backend is built, so segmentation, the
writers and ``tarjama --help`` never pay for them.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from translate.device import pick_device
from translate.errors import ModelUnavailableError, TranslateError, describe
from translate.registry import ResolvedModel, model_signature
from translate.sizing import exhaustive_length, scoring_sentences, torch_batch
from translate.types import DecodingControls, Hypothesis, TokenDetail, TranslationOptions

if TYPE_CHECKING:
    import torch

logger = logging.getLogger("tarjama")


class Backend(Protocol):
    """What the translator needs from a model."""

    name: str
    device: str
    model: ResolvedModel
    max_source_tokens: int
    """The longest input, in tokens including end-of-sentence, the model accepts."""
    settings: str
    """Everything that decides the output (model files, backend, precision, beam, length), as one line."""
    beam: int
    batch_tokens: int
    """Default padded source tokens per batch for this backend."""
    batch_size: int
    """Default sentences per batch for this backend."""
    min_new_tokens: int
    """Fewest output tokens; translations leave it at 0 (the benchmarks force equal work with it)."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Input length of each text in model tokens, end-of-sentence included."""
        ...

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        """Translate each text; one hypothesis per text, in order. ``controls`` constrain a retry."""
        ...

    def count_target_tokens(self, texts: Sequence[str]) -> list[int]:
        """Length of each translation in model tokens, end-of-sentence included (for ``explain``)."""
        ...

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]) -> list[Hypothesis]:
        """Translate each text with its translation forced to begin with ``prefixes[i]`` (target pieces).

        The model continues from the prefix with the backend's beam; each
        hypothesis holds the whole translation, prefix included.
        """
        ...

    def alternatives(self, text: str, prefix: Sequence[str], count: int) -> list[Hypothesis]:
        """Up to ``count`` translations of ``text`` that begin with ``prefix`` and differ in the piece after it.

        Ordered by the model's probability for that piece, each finished by the
        model; the first is the model's own choice.
        """
        ...

    def target_pieces(self, text: str) -> tuple[str, ...]:
        """English text as the model's target pieces, end-of-sentence left out."""
        ...

    def explain(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail]:
        """Force the model through each (source, translation) pair: pieces, log-probs, alignment-head attention.

        The translation may be the model's own or a person's correction. Its
        pieces are ``pieces[i]`` where given and not empty (the model's own, as
        it produced them); otherwise the text is split the way the model's
        tokenizer splits it.
        """
        ...


class WrappedBackend:
    """A :class:`Backend` that hands every call to another (``backend``), for wrappers to change a few of them.

    The translation memory (:class:`~translate.memory.CachedBackend`) and the
    server's shared batches (:class:`~translate.server.scheduler.SharedBackend`)
    are such wrappers.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.device = backend.device
        self.model = backend.model
        self.max_source_tokens = backend.max_source_tokens
        self.settings = backend.settings
        self.beam = backend.beam
        self.batch_tokens = backend.batch_tokens
        self.batch_size = backend.batch_size

    @property
    def min_new_tokens(self) -> int:
        return self.backend.min_new_tokens

    @min_new_tokens.setter
    def min_new_tokens(self, value: int) -> None:
        self.backend.min_new_tokens = value

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.backend.count_tokens(texts)

    def count_target_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.backend.count_target_tokens(texts)

    def target_pieces(self, text: str) -> tuple[str, ...]:
        return self.backend.target_pieces(text)

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        return self.backend.translate_batch(texts, controls)

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]) -> list[Hypothesis]:
        return self.backend.continue_batch(texts, prefixes)

    def alternatives(self, text: str, prefix: Sequence[str], count: int) -> list[Hypothesis]:
        return self.backend.alternatives(text, prefix, count)

    def explain(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail]:
        return self.backend.explain(sources, targets, pieces)


class MarianBackend:
    """MarianMT through transformers and torch.

    Uses the model's own generation config (beam size, length limit,
    ``renormalize_logits``, banned tokens) unless the options override beam or
    length, and never truncates input: callers must keep each text within
    :attr:`max_source_tokens`.
    """

    name = "torch"

    def __init__(self, model: ResolvedModel, options: TranslationOptions) -> None:
        import torch
        from safetensors import SafetensorError
        from transformers import MarianMTModel, MarianTokenizer

        self.model = model
        self.device = pick_device(options.device, cuda=torch.cuda.is_available(), engine="torch")
        if options.threads:
            torch.set_num_threads(options.threads)
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(model.path)
            # Eager attention: the default (sdpa) computes no attention weights, and explain() needs them.
            loaded = MarianMTModel.from_pretrained(model.path, attn_implementation="eager")
            torch.nn.Module.to(loaded, self.device)  # in place (transformers' own wrapper of .to is mistyped)
            self._model = loaded.eval()
        except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as exc:
            raise ModelUnavailableError(
                f"cannot load the model in {model.path} ({describe(exc)}); "
                f"re-download it with `tarjama download {model.model_id}` or pass --model DIR with a good copy"
            ) from exc
        self._torch = torch
        generation = self._model.generation_config
        self.beam = options.beam or generation.num_beams or 1
        self.max_length = options.max_length or generation.max_length or 512
        self.max_source_tokens = min(self._model.config.max_position_embeddings, self._tokenizer.model_max_length)
        self.settings = f"{model_signature(model)} torch beam={self.beam} max_length={self.max_length}"
        self.min_new_tokens = 0  # benchmarks force equal work with this; translations leave it at 0
        # torch needs large batches to be fast (measured: 8 sentences at beam 4, half the speed of 32).
        size = torch_batch(
            beam=self.beam,
            weights_mb=self._model.num_parameters() * 4 / 1e6,
            d_model=self._model.config.d_model,
            decoder_layers=self._model.config.decoder_layers,
            cap_mb=options.max_batch_memory,
            sentences=options.batch_size,
        )
        self.batch_size, self.batch_tokens = size.sentences, size.tokens
        logger.info("batches of up to %d sentences, %d source tokens: %s", size.sentences, size.tokens, size.why)
        self._eos = self._model.config.eos_token_id
        self._pad = self._model.config.pad_token_id
        logger.info("loaded %s on %s (beam %d, max length %d)", model.model_id, self.device, self.beam, self.max_length)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._tokenizer(list(texts))["input_ids"]]

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        if not texts:
            return []
        batch = self._tokenizer(list(texts), return_tensors="pt", padding=True).to(self.device)
        extra: dict[str, object] = {"max_length": self.max_length}
        if controls is not None:
            extra["no_repeat_ngram_size"] = controls.no_repeat_ngram_size
            extra["repetition_penalty"] = controls.repetition_penalty
            if controls.exhaustive:
                # On until no live beam could win even at the longest length allowed, which is bounded by
                # the input's (EXHAUSTIVE_LENGTH): at 512 every beam of a batch would run 512 steps.
                extra["early_stopping"] = "never"
                extra["max_length"] = min(self.max_length, exhaustive_length(batch["input_ids"].shape[1]))
        # Otherwise the model's own generation config decides when the search stops (early_stopping,
        # length_penalty); the CTranslate2 backend matches it (ct2.PATIENCE).
        if batch["input_ids"].shape[1] > self.max_source_tokens:
            raise ValueError(f"input of {batch['input_ids'].shape[1]} tokens exceeds {self.max_source_tokens}")
        with self._torch.inference_mode():
            output = self._model.generate(
                **batch,
                num_beams=self.beam,
                min_new_tokens=self.min_new_tokens,
                **extra,
            )
        return self._hypotheses(output)

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]) -> list[Hypothesis]:
        hypotheses = []
        # One at a time: generate() takes decoder inputs of one length per batch, and prefixes differ.
        for text, prefix in zip(texts, prefixes, strict=True):
            batch = self._tokenizer([text], return_tensors="pt").to(self.device)
            with self._torch.inference_mode():
                output = self._model.generate(
                    **batch,
                    decoder_input_ids=self._forced(prefix),
                    num_beams=self.beam,
                    max_length=self.max_length,
                )
            hypotheses.extend(self._hypotheses(output))
        return hypotheses

    def alternatives(self, text: str, prefix: Sequence[str], count: int) -> list[Hypothesis]:
        torch = self._torch
        batch = self._tokenizer([text], return_tensors="pt").to(self.device)
        with torch.inference_mode():
            logits = self._model(**batch, decoder_input_ids=self._forced(prefix)).logits[0, -1].float()
            logits[self._pad] = -float("inf")  # never a piece of text (the model's generation config bans it too)
            if not prefix:
                logits[self._eos] = -float("inf")  # an empty translation is no alternative
            following = torch.topk(logits, k=min(count, logits.shape[0])).indices.tolist()
        pieces = self._tokenizer.convert_ids_to_tokens(following)
        return self.continue_batch([text] * len(pieces), [[*prefix, piece] for piece in pieces])

    def _forced(self, prefix: Sequence[str]) -> torch.Tensor:
        """Decoder input for one sentence: the decoder start token, then ``prefix``'s pieces."""
        ids = [self._model.config.decoder_start_token_id, *self._tokenizer.convert_tokens_to_ids(list(prefix))]
        return self._torch.tensor([ids], device=self.device)

    def target_pieces(self, text: str) -> tuple[str, ...]:
        ids = self._tokenizer(text_target=[text])["input_ids"][0][:-1]  # without end-of-sentence
        return tuple(self._tokenizer.convert_ids_to_tokens(ids))

    def _hypotheses(self, output: torch.Tensor) -> list[Hypothesis]:
        generated = output[:, 1:]  # drop the decoder start token
        finished = (generated == self._eos).any(dim=1).tolist()
        lengths = ((generated != self._pad) & (generated != self._eos)).sum(dim=1).tolist()
        texts_out = self._tokenizer.batch_decode(output, skip_special_tokens=True)
        pieces = [
            tuple(self._tokenizer.convert_ids_to_tokens([t for t in row if t not in (self._pad, self._eos)]))
            for row in generated.tolist()
        ]
        return [
            Hypothesis(text=text.strip(), tokens=n, truncated=not done, pieces=p)
            for text, n, done, p in zip(texts_out, lengths, finished, pieces, strict=True)
        ]

    def count_target_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._tokenizer(text_target=list(texts))["input_ids"]]

    def explain(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail]:
        """:meth:`Backend.explain`; on a CPU in parts whose logits stay within a bound (:func:`scoring_sentences`).

        A teacher-forced pass holds the logits and log-probabilities of every
        target position of the batch at once. Measured on ``tarjama translate
        --backend torch --alignments`` (opus-mt-ar-en's size, 64 sentences of 40
        pieces): 1531 MB peak in whole batches, 851-855 MB in parts (836-861 MB
        without alignments), and no slower (16-17 s against 16 s).
        """
        if not sources:
            return []
        given = list(pieces) or [()] * len(targets)
        unsplit = [t for t, p in zip(targets, given, strict=True) if not p]
        texts = iter(self._tokenizer(text_target=unsplit)["input_ids"] if unsplit else [])
        rows = [[*self._tokenizer.convert_tokens_to_ids(list(p)), self._eos] if p else next(texts) for p in given]
        part = len(rows)
        if self.device == "cpu":
            part = scoring_sentences(max(map(len, rows)), self._model.config.vocab_size)
        details: list[TokenDetail] = []
        for first in range(0, len(rows), part):
            details.extend(self._forced_pass(sources[first : first + part], rows[first : first + part]))
        return details

    def _forced_pass(self, sources: Sequence[str], rows: list[list[int]]) -> list[TokenDetail]:
        """One teacher-forced pass over ``sources`` and their English as piece ids (ending in end-of-sentence)."""
        torch = self._torch
        batch = self._tokenizer(list(sources), return_tensors="pt", padding=True).to(self.device)
        width = max(map(len, rows))
        labels = torch.tensor([row + [self._pad] * (width - len(row)) for row in rows], device=self.device)
        start = torch.full_like(labels[:, :1], self._model.config.decoder_start_token_id)
        with torch.inference_mode():
            output = self._model(
                **batch, decoder_input_ids=torch.cat([start, labels[:, :-1]], dim=1), output_attentions=True
            )
        log_probs = torch.log_softmax(output.logits.float(), dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        heads = output.cross_attentions[-1][:, 0]  # the first head of the last layer: [batch, target, source]
        details = []
        for i in range(len(sources)):
            source_ids = batch["input_ids"][i][batch["attention_mask"][i].bool()].tolist()
            target_ids = [t for t in labels[i].tolist() if t != self._pad]
            n_target, n_source = len(target_ids) - 1, len(source_ids)  # the target's end-of-sentence is dropped
            details.append(
                TokenDetail(
                    source=tuple(self._tokenizer.convert_ids_to_tokens(source_ids)),
                    target=tuple(self._tokenizer.convert_ids_to_tokens(target_ids[:n_target])),
                    log_probs=tuple(log_probs[i, :n_target].tolist()),
                    attention=tuple(tuple(row) for row in heads[i, :n_target, :n_source].float().tolist()),
                )
            )
        return details


def load_backend(model: ResolvedModel, options: TranslationOptions) -> Backend:
    """Build the backend ``options.backend`` names; ``auto`` is CTranslate2 when it is installed."""
    kind = options.backend
    if kind == "auto":
        kind = "ctranslate2" if importlib.util.find_spec("ctranslate2") is not None else "torch"
    if kind == "torch":
        return MarianBackend(model, options)
    if importlib.util.find_spec("ctranslate2") is None:
        raise TranslateError("--backend ctranslate2 needs the fast extra: pip install 'tarjama[fast]'")
    from translate.ct2 import CTranslate2Backend

    return CTranslate2Backend(model, options)
