"""Batches sized for speed within a memory cap (issue 14): the pure rule, and what -v says about it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixture_model import exact_model_args

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.sizing import (
    CT2_BEAM_SENTENCES,
    CT2_GREEDY_SENTENCES,
    MIN_TOKENS,
    TORCH_TOKENS,
    ctranslate2_batch,
    default_cap_mb,
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
    assert main(["translate", str(source), *exact_model_args(model_dir), "--max-batch-memory", "0"]) == 2
