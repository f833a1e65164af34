"""Batches sized for speed within a memory cap (issue 14): the pure rule, and what -v says about it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_model import exact_model_args

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.device import cpu_instruction_sets
from translate.sizing import (
    CT2_BEAM_SENTENCES,
    CT2_GREEDY_SENTENCES,
    MIN_TOKENS,
    SCORING_MB,
    TORCH_TOKENS,
    ctranslate2_batch,
    ctranslate2_workers,
    default_cap_mb,
    scoring_sentences,
    torch_batch,
    weight_parameters,
)

BASE = {"weights_mb": 80.0, "parameters": 76_000_000, "d_model": 512, "decoder_layers": 6}


def test_the_default_cap_is_the_naive_paths_peak_scaled_by_model_size() -> None:
    assert default_cap_mb(76_000_000) == 700
    assert default_cap_mb(10_000_000) == 700  # never below: small models keep the base's room
    assert default_cap_mb(239_000_000) == round(700 * 239 / 76)


def test_ctranslate2_batches_fit_the_cap() -> None:
    greedy, beam4 = ctranslate2_batch(beam=1, **BASE), ctranslate2_batch(beam=4, **BASE)
    assert greedy.sentences == CT2_GREEDY_SENTENCES and beam4.sentences == CT2_BEAM_SENTENCES["avx2"]
    vnni = ctranslate2_batch(beam=4, instruction_sets=["AVX2", "AVX-512", "AVX-512 VNNI"], **BASE)
    assert vnni.sentences == CT2_BEAM_SENTENCES["vnni"] and "VNNI CPU" in vnni.why
    assert ctranslate2_batch(beam=1, instruction_sets=["AVX-512 VNNI"], **BASE).sentences == CT2_GREEDY_SENTENCES
    # Memory grows with beams x tokens: four beams leave a quarter of the tokens.
    assert beam4.tokens == pytest.approx(greedy.tokens / 4, abs=1)
    # At beam 4 the opus-mt-ar-en default holds about 60 sentences of 35 tokens, not today's 12.
    assert 50 * 35 <= beam4.tokens <= 70 * 35
    smaller = ctranslate2_batch(beam=4, cap_mb=400, **BASE)
    assert smaller.tokens < beam4.tokens and "400 MB cap (--max-batch-memory)" in smaller.why
    assert ctranslate2_batch(beam=4, cap_mb=50, **BASE).tokens == MIN_TOKENS  # never nothing
    wider = ctranslate2_batch(beam=4, **{**BASE, "d_model": 1024, "parameters": 239_000_000, "weights_mb": 240.0})
    assert wider.tokens < ctranslate2_batch(beam=4, **{**BASE, "parameters": 239_000_000}).tokens
    assert ctranslate2_batch(beam=4, sentences=8, **BASE).sentences == 8


def test_ctranslate2_gives_each_thread_a_worker_while_batches_can_be_shared() -> None:
    two = ctranslate2_workers(2, 32)
    assert (two.inter, two.intra) == (2, 1) and "2 workers of 1 thread each" in two.why
    assert (ctranslate2_workers(2, 128).inter, ctranslate2_workers(2, 128).intra) == (2, 1)
    assert (ctranslate2_workers(16, 32).inter, ctranslate2_workers(16, 32).intra) == (2, 8)  # 16 sentences each
    assert (ctranslate2_workers(16, 128).inter, ctranslate2_workers(16, 128).intra) == (8, 2)
    small = ctranslate2_workers(2, 8)  # --batch-size 8: too few to share
    assert (small.inter, small.intra) == (1, 2) and "too few to share" in small.why
    assert (ctranslate2_workers(1, 128).inter, ctranslate2_workers(1, 128).intra) == (1, 1)
    for threads in range(1, 33):
        for sentences in (1, 8, 16, 32, 64, 128):
            workers = ctranslate2_workers(threads, sentences)
            assert 1 <= workers.inter * workers.intra <= threads


def test_scoring_keeps_each_workers_logits_within_the_bound() -> None:
    per_sentence = 8 * 41 * 62_834  # 40 pieces and the end, opus-mt-ar-en's vocabulary: 20 MB
    n = scoring_sentences(41, 62_834)
    assert n * per_sentence <= SCORING_MB * 1e6 < (n + 1) * per_sentence
    assert scoring_sentences(512, 250_000) == 1  # never nothing, however long


def test_batches_split_between_workers_translate_the_same(model_dir: Path, seed_text: str) -> None:
    """float32: one worker of two threads and two workers of one give the same English and word links."""
    got = {}
    for threads in (1, 2):
        options = TranslationOptions(
            backend="ctranslate2", compute_type="float32", beam=4, threads=threads, alignments=True
        )
        translator = Translator(model_dir, options)
        assert translator.backend.workers == threads
        got[threads] = translator.translate_text(seed_text)
    assert len(got[2]) > 3
    for one, two in zip(got[1], got[2], strict=True):
        assert (one.index, one.source, one.target) == (two.index, two.source, two.target)
        assert one.alignment is not None and two.alignment is not None
        assert one.alignment.links == two.alignment.links
        # Scores are sums over a batch's padded rows: float32 rounds them a little differently when batches differ.
        assert two.alignment.word_scores == pytest.approx(one.alignment.word_scores, rel=1e-3, abs=1e-5)


def test_a_onednn_isa_limit_is_the_cpu_the_sizing_sees(monkeypatch: pytest.MonkeyPatch) -> None:
    """ONEDNN_MAX_CPU_ISA=AVX2 keeps CTranslate2's int8 off AVX-512 and VNNI: batches are sized for AVX2."""
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    everything = cpu_instruction_sets()
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "avx2")
    assert cpu_instruction_sets() == [name for name in everything if name == "AVX2"]
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_VNNI")  # no lower than the CPU: nothing left out
    assert cpu_instruction_sets() == everything


def test_torch_keeps_its_measured_default_unless_capped() -> None:
    shape = {"weights_mb": 300.0, "d_model": 512, "decoder_layers": 6}
    assert torch_batch(beam=4, **shape).tokens == TORCH_TOKENS
    capped = torch_batch(beam=4, cap_mb=800, **shape)
    assert MIN_TOKENS <= capped.tokens < TORCH_TOKENS and "800 MB cap" in capped.why


def test_parameters_are_counted_from_the_weight_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"d_model": 1024, "decoder_layers": 6}))
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 4000)
    assert weight_parameters(tmp_path) == 1000


def test_the_backends_use_the_sizing(model_dir: Path) -> None:
    for backend in ("torch", "ctranslate2"):
        translator = Translator(model_dir, TranslationOptions(backend=backend, compute_type="float32", beam=4))
        assert translator.backend.batch_size >= 32
        capped = Translator(
            model_dir, TranslationOptions(backend=backend, compute_type="float32", beam=4, max_batch_memory=1)
        )
        assert capped.backend.batch_tokens == MIN_TOKENS


def test_verbose_says_what_was_chosen_and_why(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("مرحبا بكم.", encoding="utf-8")
    assert main(["-v", "translate", str(source), "--model", str(model_dir), "--no-cache", "-q"]) == 0
    said = capsys.readouterr().err
    assert "compute type int8: auto on this CPU (" in said and "CTranslate2 supports" in said
    assert "batches of up to 32 sentences" in said or "batches of up to 64 sentences" in said  # beam 4, by CPU
    assert "sentences: beam search on a" in said and "700 MB cap" in said
    assert "info: CPU threads: " in said and ("workers of 1 thread each" in said or "one worker" in said)
    assert main(["translate", str(source), *exact_model_args(model_dir), "--max-batch-memory", "0"]) == 2
