"""The fast backend: MarianMT converted to CTranslate2, int8 on CPU, float16 on CUDA.

The model is converted once, offline, with ``ctranslate2.converters.TransformersConverter``
into a cache folder keyed by model id, revision, file fingerprint and
quantization, and loaded from there afterwards. Tokenization uses the model's
own sentencepiece files exactly as ``MarianTokenizer`` does (tested to give the
torch backend's translations), without importing transformers, so a cold
start takes well under a second.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from translate.device import cpu_instruction_sets, pick_device
from translate.errors import ModelUnavailableError, describe
from translate.paths import cache_dir
from translate.registry import ResolvedModel, model_fingerprint, model_signature
from translate.sizing import (
    Workers,
    ctranslate2_batch,
    ctranslate2_workers,
    exhaustive_length,
    scoring_sentences,
    weight_parameters,
)
from translate.types import DecodingControls, Hypothesis, TokenDetail, TranslationOptions

logger = logging.getLogger("tarjama")

T = TypeVar("T")
PATIENCE = 1.5
"""CTranslate2's beam search stops at ``beam x patience`` finished hypotheses (rounded); transformers' (the
model's own ``generate()``), with ``early_stopping`` false as Marian models leave it, goes on while a live
beam could still beat a finished one. On the fixture model's sentences with one word added, at beam 4,
CTranslate2 at patience 1 returned 9 of 36 different from transformers, cut short ("... and the Fre") or
missing words; at 1.25, 7; at 1.5, 3, each of which stops before its sentence ends, so the translator
decodes it again at :data:`EXHAUSTIVE_PATIENCE` and both backends agree (tests/test_decoding.py). The
search alone costs +17% at 1.5 and +39% at 2 over patience 1 there (benchmarks/checks.py, README, Checks)."""
EXHAUSTIVE_PATIENCE = 8.0
"""The patience of a second attempt at a translation that still stopped before its sentence ended."""
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "float32", "float16", "int8_float16", "bfloat16")


def converted_dir(model: ResolvedModel, quantization: str) -> Path:
    """Where the converted model lives: ``$XDG_CACHE_HOME/tarjama/ct2/<model>-<revision>-<files>-<quantization>``."""
    cache = cache_dir() / "ct2"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", model.model_id.strip("/"))[-80:]
    return cache / f"{name}-{model.revision or 'main'}-{model_fingerprint(model.path)}-{quantization}"


def convert(model: ResolvedModel, quantization: str) -> Path:
    """Convert ``model`` for CTranslate2 unless that was done before; return the folder."""
    target = converted_dir(model, quantization)
    if (target / "model.bin").is_file():
        return target
    import ctranslate2
    from safetensors import SafetensorError

    target.parent.mkdir(parents=True, exist_ok=True)
    # Convert beside the target and rename into place, so that a concurrent or
    # interrupted conversion never leaves a half-written model behind.
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        converter = ctranslate2.converters.TransformersConverter(str(model.path), low_cpu_mem_usage=True)
        converter.convert(str(scratch / "model"), quantization=quantization, force=True)
        try:
            os.replace(scratch / "model", target)
        except OSError:
            if not (target / "model.bin").is_file():  # another process won the race otherwise
                raise
    except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as exc:
        raise ModelUnavailableError(
            f"cannot convert {model.model_id} for CTranslate2 ({describe(exc)}); "
            f"re-download it with `tarjama download {model.model_id}` or pass --model DIR with a good copy, "
            "or try --backend torch"
        ) from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    logger.info("converted %s for CTranslate2 (%s) into %s", model.model_id, quantization, target)
    return target


class CTranslate2Backend:
    """MarianMT through CTranslate2: the same tokenizer and decoding settings, much faster on CPU."""

    name = "ctranslate2"

    def __init__(self, model: ResolvedModel, options: TranslationOptions) -> None:
        import ctranslate2

        self.model = model
        cuda = ctranslate2.get_cuda_device_count() > 0
        self.device = pick_device(options.device, cuda=cuda, engine="CTranslate2")
        self.compute_type = _compute_type(options.compute_type, self.device)
        logger.info("compute type %s: %s", self.compute_type, _compute_type_reason(options.compute_type, self.device))
        generation = _json(model.path / "generation_config.json")
        config = _json(model.path / "config.json")
        tokenizer_config = _json(model.path / "tokenizer_config.json")
        self.beam = options.beam or generation.get("num_beams") or config.get("num_beams") or 1
        self.max_length = options.max_length or generation.get("max_length") or config.get("max_length") or 512
        # The model's own length normalisation, as transformers applies it: score / length ** penalty, the
        # length counting end-of-sentence (return_end_token=True below makes CTranslate2 count it too).
        self.length_penalty = float(generation.get("length_penalty", config.get("length_penalty", 1.0)))
        # early_stopping true stops at beam finished hypotheses in transformers: patience 1 does the same.
        self.patience = 1.0 if generation.get("early_stopping") is True else PATIENCE
        self._pieces = _MarianPieces(model.path, tokenizer_config)
        self.max_source_tokens = min(
            config.get("max_position_embeddings", 512), tokenizer_config.get("model_max_length", 512)
        )
        folder = convert(model, self.compute_type)
        index = 0
        if ":" in self.device:
            self.device, index = self.device.split(":")[0], int(self.device.split(":")[1])
        size = ctranslate2_batch(
            beam=self.beam,
            weights_mb=(folder / "model.bin").stat().st_size / 1e6,
            parameters=weight_parameters(model.path),
            d_model=int(config.get("d_model", 512)),
            decoder_layers=int(config.get("decoder_layers", 6)),
            instruction_sets=cpu_instruction_sets() if self.device == "cpu" else (),
            cap_mb=options.max_batch_memory,
            sentences=options.batch_size,
        )
        self.batch_size, self.batch_tokens = size.sentences, size.tokens
        logger.info("batches of up to %d sentences, %d source tokens: %s", size.sentences, size.tokens, size.why)
        threads = options.threads or len(os.sched_getaffinity(0)) or 1  # the cores this process may use
        if self.device == "cpu":
            workers = ctranslate2_workers(threads, size.sentences)
            logger.info("CPU threads: %s", workers.why)
        else:
            workers = Workers(inter=1, intra=threads, why="one worker on the GPU")
        self.workers = workers.inter
        settings = {
            "device": self.device,
            "device_index": index,
            "compute_type": self.compute_type,
            "intra_threads": workers.intra,
            "inter_threads": workers.inter,
        }
        try:
            self._translator = _off_this_thread(lambda: ctranslate2.Translator(str(folder), **settings))
        except (RuntimeError, ValueError) as exc:
            raise ModelUnavailableError(f"cannot load the CTranslate2 model in {folder} ({exc})") from exc
        self.settings = (
            f"{model_signature(model)} ctranslate2 {self.compute_type} beam={self.beam} max_length={self.max_length}"
            f" patience={self.patience} length_penalty={self.length_penalty}"
        )
        self.min_new_tokens = 0  # benchmarks force equal work with this; translations leave it at 0
        self.details = options.alignments
        self.vocabulary = int(config.get("vocab_size") or 65_000)  # Marian configs name it

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self._pieces.encode(text)) for text in texts]

    def translate_batch(self, texts: Sequence[str], controls: DecodingControls | None = None) -> list[Hypothesis]:
        if not texts:
            return []
        source = [self._pieces.encode(text) for text in texts]
        if max(map(len, source)) > self.max_source_tokens:
            raise ValueError(f"input of {max(map(len, source))} tokens exceeds {self.max_source_tokens}")
        max_new = self._max_new(source, controls)
        results = self._translator.translate_batch(
            source,
            max_batch_size=self._share(len(source)),
            **self._search(controls),
            max_decoding_length=max_new,
            min_decoding_length=min(self.min_new_tokens, max_new),
            max_input_length=0,
            return_end_token=True,
            return_attention=self.details,
        )
        hypotheses = [self._hypothesis(result.hypotheses[0]) for result in results]
        if self.details:
            hypotheses = self._with_details(source, hypotheses, [r.attention[0] for r in results])
        return hypotheses

    def continue_batch(self, texts: Sequence[str], prefixes: Sequence[Sequence[str]]) -> list[Hypothesis]:
        if not texts:
            return []
        source = [self._pieces.encode(text) for text in texts]
        results = self._translator.translate_batch(
            source,
            target_prefix=[list(prefix) for prefix in prefixes],
            max_batch_size=self._share(len(source)),
            **self._search(None),
            max_decoding_length=self.max_length - 1,
            max_input_length=0,
            return_end_token=True,
        )
        return [self._hypothesis(result.hypotheses[0]) for result in results]

    def alternatives(self, text: str, prefix: Sequence[str], count: int) -> list[Hypothesis]:
        source = [self._pieces.encode(text)]
        (result,) = self._translator.translate_batch(
            source,
            target_prefix=[list(prefix)],
            beam_size=max(self.beam, count),
            num_hypotheses=count,
            return_alternatives=True,
            max_decoding_length=self.max_length - 1,
            max_input_length=0,
            return_end_token=True,
        )
        return [self._hypothesis(tokens) for tokens in result.hypotheses]

    def _search(self, controls: DecodingControls | None) -> dict[str, object]:
        """The beam search's settings: the model's, with ``controls`` for a second attempt."""
        search: dict[str, object] = {
            "beam_size": self.beam,
            "length_penalty": self.length_penalty,
            "patience": self.patience,
        }
        if controls is not None:
            search["no_repeat_ngram_size"] = controls.no_repeat_ngram_size
            search["repetition_penalty"] = controls.repetition_penalty
            if controls.exhaustive:
                search["patience"] = EXHAUSTIVE_PATIENCE
        return search

    def _max_new(self, source: list[list[str]], controls: DecodingControls | None) -> int:
        """The longest output, in tokens after the decoder start; an exhaustive search is bounded by its input."""
        # transformers' max_length counts the decoder start token; CTranslate2's does not.
        longest = self.max_length
        if controls is not None and controls.exhaustive:
            longest = min(longest, exhaustive_length(max(map(len, source))))
        return longest - 1

    def _score(self, source: list[list[str]], target: list[list[str]]) -> list:
        """``score_batch``, on a CPU in parts small enough that the logits of every position stay within a bound.

        (A GPU keeps whole batches: small parts would cost it a launch each, and its memory is not the CPU's.)
        """
        share = self._share(len(source))
        if self.device == "cpu":
            part = scoring_sentences(max(map(len, target), default=0) + 1, self.vocabulary)
            share = min(part, share or part)
        return self._translator.score_batch(source, target, max_batch_size=share, max_input_length=0)

    def _share(self, count: int) -> int:
        """Each worker's part of a batch of ``count`` (CTranslate2's ``max_batch_size``; 0: one part)."""
        return -(-count // self.workers) if self.workers > 1 else 0

    def target_pieces(self, text: str) -> tuple[str, ...]:
        return tuple(self._pieces.encode_target(text))

    def _hypothesis(self, tokens: list[str]) -> Hypothesis:
        finished = bool(tokens) and tokens[-1] == self._pieces.eos
        words = tokens[:-1] if finished else tokens
        return Hypothesis(
            text=self._pieces.decode(words), tokens=len(words), truncated=not finished, pieces=tuple(words)
        )

    def _with_details(
        self, source: list[list[str]], hypotheses: list[Hypothesis], attention: list[list[list[float]]]
    ) -> list[Hypothesis]:
        """The hypotheses with their :class:`TokenDetail`, from the search's own attention and one scoring pass.

        CTranslate2 4.8 returns a wrong first attention row for each hypothesis
        of a batched beam search (the first step runs on the batch before it is
        expanded into beams); every later row is right. That row is the
        attention at the step that reads only the decoder start token, the same
        whatever the hypothesis, so one greedy step over the batch gives it.
        The pieces' log-probabilities come from ``score_batch``, a
        teacher-forced pass over the pieces.
        """
        scored = [i for i, h in enumerate(hypotheses) if h.pieces]
        if not scored:
            return hypotheses
        sources = [source[i] for i in scored]
        share = self._share(len(sources))
        log_probs = self._score(sources, [list(hypotheses[i].pieces) for i in scored])
        first = self._translator.translate_batch(
            sources, max_batch_size=share, beam_size=1, max_decoding_length=1, max_input_length=0, return_attention=True
        )
        out = list(hypotheses)
        for k, i in enumerate(scored):
            n, m = len(hypotheses[i].pieces), len(source[i])
            rows = [first[k].attention[0][0], *attention[i][1:n]]
            detail = TokenDetail(
                source=tuple(source[i]),
                target=hypotheses[i].pieces,
                log_probs=tuple(log_probs[k].log_probs[:n]),
                attention=tuple(tuple(row[:m]) for row in rows),
            )
            out[i] = dataclasses.replace(hypotheses[i], detail=detail)
        return out

    def count_target_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self._pieces.encode_target(text)) + 1 for text in texts]

    def explain(
        self, sources: Sequence[str], targets: Sequence[str], pieces: Sequence[Sequence[str]] = ()
    ) -> list[TokenDetail]:
        if not sources:
            return []
        source = [self._pieces.encode(text) for text in sources]
        given = list(pieces) or [()] * len(targets)
        target = [list(p) if p else self._pieces.encode_target(text) for text, p in zip(targets, given, strict=True)]
        # Greedy decoding forced through the target: its attention is exact (the beam > 1 batched
        # first-row error of CTranslate2 4.8 does not arise at beam 1); one step past the longest
        # target covers every row. Log-probs come from scoring, a teacher-forced pass.
        forced = self._translator.translate_batch(
            source,
            target_prefix=target,
            max_batch_size=self._share(len(source)),
            beam_size=1,
            max_decoding_length=max(map(len, target)) + 1,
            min_decoding_length=0,
            max_input_length=0,
            return_attention=True,
        )
        scored = self._score(source, target)
        details = []
        for src, tgt, result, score in zip(source, target, forced, scored, strict=True):
            rows = result.attention[0][: len(tgt)]
            details.append(
                TokenDetail(
                    source=tuple(src),
                    target=tuple(tgt),
                    log_probs=tuple(score.log_probs[: len(tgt)]),
                    attention=tuple(tuple(row[: len(src)]) for row in rows),
                )
            )
        return details


def _off_this_thread(build: Callable[[], T]) -> T:
    """Run ``build`` in a short-lived thread and return its result (exceptions propagate).

    Measured with CTranslate2 4.8 (GNU OpenMP) on 2 cores: a translator built on
    a thread that lives on, such as the main thread of the CLI, translates with
    identical output but 1.1-1.3x slower for opus-mt-ar-en (10x for the tiny test
    model) than one built on a thread that then exits, as the reader's worker
    threads do. The thread's OpenMP state is the likely cause.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tarjama-ct2-load") as pool:
        return pool.submit(build).result()


class _MarianPieces:
    """What ``MarianTokenizer`` does for a Marian model, on token strings, without transformers.

    Encoding is the source sentencepiece model's pieces plus ``</s>`` (pieces
    outside the vocabulary become ``<unk>`` inside CTranslate2, as they become
    the unknown id in transformers); decoding drops special tokens and joins
    the rest with the target sentencepiece model.
    """

    def __init__(self, path: Path, tokenizer_config: dict) -> None:
        import sentencepiece

        self.source = sentencepiece.SentencePieceProcessor(model_file=str(path / "source.spm"))
        self.target = sentencepiece.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.eos = _token(tokenizer_config.get("eos_token"), "</s>")
        self.specials = {self.eos, _token(tokenizer_config.get("unk_token"), "<unk>")}
        self.specials.add(_token(tokenizer_config.get("pad_token"), "<pad>"))

    def encode(self, text: str) -> list[str]:
        code = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:  # a target-language token: ">>eng<<"
            code, text = [text[: end + 2]], text[end + 2 :]
        return [*code, *self.source.encode(text, out_type=str), self.eos]

    def encode_target(self, text: str) -> list[str]:
        """The pieces of a translation, as the target tokenizer splits it (no end-of-sentence)."""
        return self.target.encode(text, out_type=str)

    def decode(self, tokens: Sequence[str]) -> str:
        words = [t for t in tokens if t not in self.specials]
        return self.target.decode_pieces(words).replace("\u2581", " ").strip()


def _token(value: object, default: str) -> str:
    # tokenizer_config.json stores special tokens as strings or as {"content": ...} objects.
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else default


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot read {path} ({exc}); re-download the model") from exc


def _compute_type_reason(requested: str, device: str) -> str:
    """Why this compute type, for ``-v``."""
    if requested != "auto":
        return "as asked (--compute-type)"
    if device.startswith("cuda"):
        return "auto on CUDA: float16"
    import ctranslate2

    supported = ", ".join(sorted(ctranslate2.get_supported_compute_types("cpu")))
    isa = ", ".join(cpu_instruction_sets()) or "no AVX2"
    return (
        f"auto on this CPU ({isa}; CTranslate2 supports {supported}): int8, int8 weights with float32 "
        "activations (CTranslate2 runs it as int8_float32 on CPU), 3-4x float32's speed in a quarter of its "
        "weights' memory (README, Speed)"
    )


def _compute_type(requested: str, device: str) -> str:
    if requested == "auto":
        return "float16" if device.startswith("cuda") else "int8"
    return requested
