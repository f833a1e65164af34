"""ui/models.py: one load per model per process, even under concurrent first requests."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fixture_model import EXACT_COMPUTE_TYPE

import ui.models
from translate import ModelUnavailableError, TranslationOptions, UnknownModelError
from ui.models import ModelPool


def test_concurrent_first_requests_load_the_model_once(model_dir, monkeypatch) -> None:
    loads: list[str] = []
    real = ui.models.Translator

    def slow_translator(*args, **kwargs):
        loads.append(threading.current_thread().name)
        time.sleep(0.3)  # a slow load, so that the other requests arrive during it
        return real(*args, **kwargs)

    monkeypatch.setattr(ui.models, "Translator", slow_translator)
    pool = ModelPool(TranslationOptions(compute_type=EXACT_COMPUTE_TYPE), local_dirs=[model_dir], local_files_only=True)
    assert not pool.loaded(str(model_dir))
    with ThreadPoolExecutor(max_workers=6) as executor:
        translators = list(executor.map(lambda _: pool.get(str(model_dir)), range(6)))
    assert len(loads) == 1
    assert all(t is translators[0] for t in translators)
    assert pool.loaded(str(model_dir))
    assert translators[0].translate_text("مرحبا بكم.")[0].target == "Welcome."


def test_choices_and_unknown_names(model_dir) -> None:
    pool = ModelPool(TranslationOptions(), local_dirs=[model_dir])
    # Nothing is in the tests' (empty) Hugging Face cache: the page says a pick means a download.
    assert pool.choices() == [
        (f"{model_dir.name} (local)", str(model_dir)),
        ("opus-mt-ar-en (downloads on first use)", "opus-mt-ar-en"),
        ("opus-mt-tc-big-ar-en (downloads on first use)", "opus-mt-tc-big-ar-en"),
    ]
    # Offline (reader --offline), only what can load is offered; nothing at all is a clear error.
    offline = ModelPool(TranslationOptions(), local_dirs=[model_dir], local_files_only=True)
    assert offline.choices() == [(f"{model_dir.name} (local)", str(model_dir))]
    with pytest.raises(ModelUnavailableError, match=r"no model to offer.*tarjama download opus-mt-ar-en"):
        ModelPool(TranslationOptions(), local_files_only=True)
    assert pool.default() == str(model_dir)
    assert ModelPool(TranslationOptions()).default() == "opus-mt-ar-en"
    big_first = ModelPool(TranslationOptions(), first=["opus-mt-tc-big-ar-en"])  # reader -m opus-mt-tc-big-ar-en
    assert [name for _, name in big_first.choices()] == ["opus-mt-tc-big-ar-en", "opus-mt-ar-en"]
    with pytest.raises(UnknownModelError, match="unknown model '/etc'"):
        pool.get("/etc")  # only the offered models can be loaded through the reader
