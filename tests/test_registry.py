"""models.txt, model resolution, and the Hugging Face cache path users take offline."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from fixture_model import EXACT_COMPUTE_TYPE

from translate import (
    ModelUnavailableError,
    TranslationOptions,
    Translator,
    UnknownModelError,
    load_registry,
    resolve_model,
)
from translate.cli import main
from translate.registry import default_model, find_entry

ROOT = Path(__file__).parent.parent


def test_registry_lists_the_supported_models() -> None:
    entries = {e.name: e for e in load_registry()}
    assert entries["opus-mt-ar-en"].hub_id == "Helsinki-NLP/opus-mt-ar-en"
    assert entries["opus-mt-tc-big-ar-en"].hub_id == "Helsinki-NLP/opus-mt-tc-big-ar-en"
    assert "33.9" in entries["opus-mt-ar-en"].description and "42.8" in entries["opus-mt-tc-big-ar-en"].description
    assert default_model() == "opus-mt-ar-en"
    assert find_entry("Helsinki-NLP/opus-mt-ar-en") == entries["opus-mt-ar-en"]


def test_models_txt_ships_inside_the_package() -> None:
    packaged = resources.files("translate").joinpath("models.txt").read_text(encoding="utf-8")
    assert packaged == (ROOT / "models.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["no-such-model", "a/b/c", ""])
def test_unknown_names(name: str) -> None:
    with pytest.raises(UnknownModelError, match="tarjama models"):
        resolve_model(name or "x y")


def test_not_cached_and_offline_says_how_to_fix_it() -> None:
    with pytest.raises(ModelUnavailableError) as caught:
        resolve_model("opus-mt-tc-big-ar-en")
    message = str(caught.value)
    assert "tarjama download Helsinki-NLP/opus-mt-tc-big-ar-en" in message and "--model DIR" in message


def _fake_hub_cache(hf_home: Path, model_dir: Path, repo: str) -> Path:
    """Lay out a model in the Hugging Face cache exactly as a download leaves it."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo_dir = hf_home / "hub" / ("models--" + repo.replace("/", "--"))
    snapshot = repo_dir / "snapshots" / commit
    shutil.copytree(model_dir, snapshot)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text(commit)
    return snapshot


def test_a_cached_hub_model_is_used_offline(model_dir, tmp_path, monkeypatch, capsys, seed_pairs) -> None:
    import huggingface_hub.constants

    # huggingface_hub reads HF_HOME once, at import; point its cache here.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    snapshot = _fake_hub_cache(tmp_path, model_dir, "Helsinki-NLP/opus-mt-ar-en")
    resolved = resolve_model("opus-mt-ar-en", local_files_only=True)
    assert resolved.path == snapshot and resolved.model_id == "Helsinki-NLP/opus-mt-ar-en"

    assert main(["models"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert " yes " in listing[1] and " no " in listing[2]

    translator = Translator(options=TranslationOptions(compute_type=EXACT_COMPUTE_TYPE), local_files_only=True)
    assert translator.translate_text("كيف حالك؟")[0].target == "How are you?"
    monkeypatch.chdir(ROOT)
    argv = [
        "translate",
        "seeds/khan-tuman.ar.txt",
        "--offline",
        "-q",
        "-f",
        "txt",
        "--compute-type",
        EXACT_COMPUTE_TYPE,
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == " ".join(en for _, en in seed_pairs) + "\n"
