"""The translation memory: hits skip the model, human corrections win, many writers at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from fixture_model import exact_model_args

from translate import TranslationOptions, Translator
from translate.cli import main
from translate.memory import CachedBackend, TranslationMemory
from translate.normalize import normalize_for_model
from translate.types import Hypothesis


@pytest.fixture
def memory(tmp_path: Path) -> TranslationMemory:
    return TranslationMemory(tmp_path / "memory.sqlite3")


def test_second_translation_comes_from_memory(model_dir, memory, seed_text, seed_pairs) -> None:
    translator = Translator(model_dir, TranslationOptions(backend="torch"), memory=memory)
    backend = translator.backend
    assert isinstance(backend, CachedBackend)
    first = translator.translate_text(seed_text)
    assert (backend.hits, backend.misses) == (0, 12)
    second = translator.translate_text(seed_text)
    assert (backend.hits, backend.misses) == (12, 12)
    assert first == second and [p.target for p in second] == [en for _, en in seed_pairs]
    assert memory.stats().machine == 12


def test_a_sentence_in_pieces_is_remembered_once(model_dir, memory, seed_text) -> None:
    """Split into pieces of 8 tokens, a sentence is several memory hits, but one sentence remembered."""
    translator = Translator(model_dir, TranslationOptions(backend="torch", max_piece_tokens=8), memory=memory)
    backend = translator.backend
    assert isinstance(backend, CachedBackend)
    first = translator.translate_text(seed_text)
    assert translator.remembered == 0 and any(pair.pieces > 1 for pair in first)
    assert backend.misses > len(first)  # more pieces than sentences: what the count must not report
    assert translator.translate_text(seed_text) == first
    assert backend.hits > len(first) and translator.remembered == len(first) == 12


def test_output_settings_are_part_of_the_key(model_dir, memory) -> None:
    greedy = Translator(model_dir, TranslationOptions(backend="torch", beam=1), memory=memory)
    beam = Translator(model_dir, TranslationOptions(backend="torch", beam=4), memory=memory)
    greedy.translate_text("مرحبا بكم.")
    beam.translate_text("مرحبا بكم.")
    assert (beam.backend.hits, beam.backend.misses) == (0, 1)
    assert memory.stats().machine == 2


def test_human_translations_are_preferred(model_dir, memory) -> None:
    memory.store_human(normalize_for_model("كيف حالك؟"), "How do you do?")
    translator = Translator(model_dir, TranslationOptions(backend="torch"), memory=memory)
    pairs = translator.translate_text("مرحبا بكم. كيف  حالك؟")  # spacing differs: normalized alike
    assert [(p.target, p.edited) for p in pairs] == [("Welcome.", False), ("How do you do?", True)]
    assert translator.backend.misses == 1  # the human-translated sentence never reached the model


def test_a_suggestion_is_never_translated_with_until_it_is_accepted(model_dir, memory) -> None:
    """Suggestions (what a server keeps from people who may not curate) are a table no translation reads."""
    how = normalize_for_model("كيف حالك؟")
    first = memory.suggest(how, "Visit scam.example.", "127.0.0.1 (via a proxy: 203.0.113.5)")
    translator = Translator(model_dir, TranslationOptions(backend="torch"), memory=memory)
    assert [p.target for p in translator.translate_text("كيف حالك؟")] == ["How are you?"]
    assert memory.human([how]) == {} and memory.stats().human == 0
    assert [(s.id, s.source, s.target) for s in memory.suggestions()] == [(first, how, "Visit scam.example.")]
    second = memory.suggest(how, "How do you do?", "key:0123456789ab")
    accepted = memory.accept_suggestion(second)
    assert accepted is not None and accepted.who == "key:0123456789ab"
    assert memory.accept_suggestion(second) is None  # accepted once: it is a correction now, no longer waiting
    assert [(p.target, p.edited) for p in translator.translate_text("كيف حالك؟")] == [("How do you do?", True)]
    assert memory.reject_suggestions([first, 12345]) == 1 and memory.suggestions() == []
    assert memory.suggest(how, "Again.", "127.0.0.1") > second  # an id once listed never names another
    memory.clear()
    assert memory.suggestion_count() == 0


def test_cli_uses_the_memory_and_prefers_human_translations(model_dir, tmp_path, capsys) -> None:
    db = tmp_path / "tm.sqlite3"
    source = tmp_path / "a.txt"
    source.write_text("مرحبا بكم. كيف حالك؟", encoding="utf-8")
    args = ["translate", str(source), *exact_model_args(model_dir), "--cache", str(db), "-f", "txt"]
    assert main(args) == 0
    assert capsys.readouterr().out == "Welcome. How are you?\n"
    TranslationMemory(db).store_human("كيف حالك؟", "How do you do?")
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out == "Welcome. How do you do?\n"
    assert "1 answered from the translation memory" in err
    assert main(["cache", "stats", "--cache", str(db)]) == 0
    assert "machine translations\t2\nhuman translations\t1" in capsys.readouterr().out
    assert main(["cache", "clear", "--cache", str(db)]) == 0
    assert TranslationMemory(db).stats().machine == 0


def test_no_cache_leaves_no_database(model_dir, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "a.txt"
    source.write_text("مرحبا بكم.", encoding="utf-8")
    args = ["translate", str(source), *exact_model_args(model_dir)]
    assert main([*args, "--no-cache", "-q"]) == 0
    assert not (tmp_path / "cache" / "tarjama" / "memory.sqlite3").exists()
    assert main([*args, "-q"]) == 0
    assert (tmp_path / "cache" / "tarjama" / "memory.sqlite3").exists()


def _writer(path: str, worker: int, rows: int) -> int:
    memory = TranslationMemory(path)
    for i in range(rows):
        memory.store_machine("m", [(f"{worker}-{i}", f"source {worker} {i}", Hypothesis(f"t{worker}-{i}", 3))])
        if i % 10 == 0:
            memory.store_human(f"human {worker} {i}", "x")
            memory.machine([f"{worker}-{i}"])
    return rows


def test_concurrent_writers(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    TranslationMemory(path)  # create the schema first, as the first user would
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        written = pool.starmap(_writer, [(path, w, 150) for w in range(4)])
    memory = TranslationMemory(path)
    assert sum(written) == 600
    assert memory.stats().machine == 600 and memory.stats().human == 60
    assert memory.machine(["3-149"])["3-149"] == Hypothesis("t3-149", 3)


def test_reader_corrections_are_remembered_for_the_cli(model_dir, memory, tmp_path, capsys) -> None:
    import gradio as gr

    from ui.handlers import Reader
    from ui.models import ModelPool

    pool = ModelPool(TranslationOptions(), local_dirs=[model_dir], local_files_only=True, memory=memory)
    reader = Reader(pool, downloads=tmp_path / "downloads")
    *_, last = reader.translate_text("مرحبا بكم. كيف حالك؟", str(model_dir))
    reading = last[4]
    reader.edit(reading, gr.EventData(None, {"index": 1, "text": "How have you been?"}))
    *_, again = reader.translate_text("كيف حالك؟ مرحبا بكم.", str(model_dir))
    assert [(p.target, p.edited) for p in again[4].pairs] == [("How have you been?", True), ("Welcome.", False)]
    source = tmp_path / "a.txt"
    source.write_text("كيف حالك؟", encoding="utf-8")
    args = ["translate", str(source), *exact_model_args(model_dir), "--cache", str(memory.path), "-f", "jsonl", "-q"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert '"en": "How have you been?"' in out and '"edited": true' in out


def test_a_snapshot_layered_under_a_new_file_and_merged_back(tmp_path: Path) -> None:
    """How Ray workers on other hosts use the memory: read a snapshot, write their own file, merged at the end."""
    driver = TranslationMemory(tmp_path / "driver.sqlite3")
    driver.store_machine("m", [("k1", "نص", Hypothesis("text", 2, False))])
    driver.store_human("جملة", "a person's sentence")
    driver.snapshot(tmp_path / "snapshot.sqlite3")
    driver.store_machine("m", [("k-later", "بعد", Hypothesis("later", 1, False))])  # not in the snapshot

    worker = TranslationMemory(tmp_path / "worker.sqlite3", base=tmp_path / "snapshot.sqlite3")
    assert worker.machine(["k1", "k-later"]) == {"k1": Hypothesis("text", 2, False)}
    assert worker.human(["جملة"]) == {"جملة": "a person's sentence"}
    worker.store_machine("m", [("k2", "آخر", Hypothesis("other", 3, True))])
    assert set(worker.machine(["k1", "k2"])) == {"k1", "k2"}
    worker.close()
    assert TranslationMemory(tmp_path / "snapshot.sqlite3").stats().machine == 1  # the snapshot is never written

    assert driver.merge(tmp_path / "worker.sqlite3") == 1  # k2; nothing the driver had
    assert driver.machine(["k1", "k2", "k-later"]) == {
        "k1": Hypothesis("text", 2, False),
        "k2": Hypothesis("other", 3, True),
        "k-later": Hypothesis("later", 1, False),
    }
    assert driver.merge(tmp_path / "worker.sqlite3") == 0
