"""The CTranslate2 backend: same translations as the torch backend, converted once, used by default."""

from __future__ import annotations

import threading

import pytest
from closeness import assert_close_translations

from translate import TranslationOptions, Translator
from translate.backend import MarianBackend, load_backend
from translate.ct2 import CTranslate2Backend, _off_this_thread, converted_dir
from translate.registry import resolve_model

TEXTS = [
    "مرحبا بكم. كيف حالك؟ قال د. أحمد إن الاجتماع كان مثمرا.",
    "ارتفع السعر إلى 85.5 دولار. Hello world. هذا نص قصير.",
]


@pytest.mark.parametrize("beam", [1, 4])
def test_float32_gives_the_same_translations_as_torch(model_dir, seed_text, beam: int) -> None:
    torch = Translator(model_dir, TranslationOptions(backend="torch", beam=beam))
    ct2 = Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type="float32", beam=beam))
    assert ct2.backend.name == "ctranslate2" and ct2.backend.compute_type == "float32"
    for text in [seed_text, *TEXTS]:
        assert ct2.translate_text(text) == torch.translate_text(text)


@pytest.mark.parametrize("beam", [1, 4])
def test_int8_keeps_every_sentence_and_stays_close_to_torch(model_dir, seed_text, beam: int) -> None:
    """int8 rounds differently on each CPU: same rows and sources as torch, English identical or close."""
    torch = Translator(model_dir, TranslationOptions(backend="torch", beam=beam))
    int8 = Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type="int8", beam=beam))
    assert int8.backend.compute_type == "int8"
    got, want = [], []
    for text in [seed_text, *TEXTS]:
        fast, exact = int8.translate_text(text), torch.translate_text(text)
        assert [(p.index, p.paragraph, p.source, p.start, p.end) for p in fast] == [
            (p.index, p.paragraph, p.source, p.start, p.end) for p in exact
        ]
        assert all(p.target for p in fast)
        got += [p.target for p in fast]
        want += [p.target for p in exact]
    assert len(got) == 18
    assert_close_translations(got, want)


def test_length_limit_is_flagged_the_same_way(model_dir) -> None:
    options = {"max_length": 12, "beam": 4}
    torch = Translator(model_dir, TranslationOptions(backend="torch", **options)).translate_text(TEXTS[0])
    ct2 = Translator(model_dir, TranslationOptions(backend="ctranslate2", compute_type="float32", **options))
    assert ct2.translate_text(TEXTS[0]) == torch
    assert [p.truncated for p in torch] == [False, False, True]


def test_converted_once_and_reused(model_dir) -> None:
    model = resolve_model(model_dir)
    first = CTranslate2Backend(model, TranslationOptions(compute_type="int8"))
    folder = converted_dir(model, "int8")
    stamp = (folder / "model.bin").stat().st_mtime_ns
    CTranslate2Backend(model, TranslationOptions(compute_type="int8"))
    assert (folder / "model.bin").stat().st_mtime_ns == stamp
    assert first.settings != CTranslate2Backend(model, TranslationOptions(compute_type="float32")).settings
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []  # no scratch left


def test_auto_prefers_ctranslate2_when_installed(model_dir) -> None:
    model = resolve_model(model_dir)
    assert isinstance(load_backend(model, TranslationOptions()), CTranslate2Backend)
    assert isinstance(load_backend(model, TranslationOptions(backend="torch")), MarianBackend)
    assert load_backend(model, TranslationOptions()).compute_type == "int8"  # int8 on CPU by default


def test_models_are_loaded_on_a_thread_that_then_exits() -> None:
    seen: list[threading.Thread] = []
    assert _off_this_thread(lambda: seen.append(threading.current_thread()) or 7) == 7
    assert seen[0] is not threading.main_thread() and not seen[0].is_alive()

    def broken() -> None:
        raise ValueError("bad model")

    with pytest.raises(ValueError, match="bad model"):
        _off_this_thread(broken)
