"""Shared fixtures: an isolated Hugging Face cache and the trained fixture model."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fixture_model
import pytest
from chromium import CHROMIUM, CHROMIUM_FLAGS
from fixture_model import EXACT_COMPUTE_TYPE

HERE = Path(__file__).parent
ROOT = HERE.parent
SEED = ROOT / "seeds" / "khan-tuman.ar.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fixture-seed",
        type=int,
        default=0,
        help="train the fixture model with this seed (tests/check_fixture_seeds.py runs the suite over several)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """No test may reach the hub or touch the user's model cache.

    Set before any test module is imported: huggingface_hub reads these once,
    when it is first imported.
    """
    os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="tarjama-test-hf-home-")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    # The translation memory and converted CTranslate2 models live under here.
    os.environ["XDG_CACHE_HOME"] = os.path.join(os.environ["HF_HOME"], "xdg-cache")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("HF_HOME", ""), ignore_errors=True)


def _fixture_key(seed: int, *, guided: bool = True) -> str:
    digest = hashlib.sha256(f"seed {seed}\n".encode() + (b"" if guided else b"unguided\n"))
    for path in sorted([HERE / "fixture_model.py", HERE / "synthetic.py", *(HERE / "data").iterdir()]):
        digest.update(path.read_bytes())
    for package in ("torch", "transformers", "sentencepiece", "ctranslate2"):
        try:
            digest.update(importlib.metadata.version(package).encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(b"-")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """A real MarianMT model trained to memorise the fixture pairs.

    Built once per session (about a minute on 2 cores). Set
    TARJAMA_TEST_MODEL_CACHE to a folder to reuse it across sessions while
    developing; it is keyed by the fixture data and library versions.
    """
    return _cached_fixture_model(tmp_path_factory, pytestconfig.getoption("fixture_seed"), guided=True)


@pytest.fixture(scope="session")
def unguided_model_dir(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """The fixture model trained with no guided alignment: a checkpoint whose alignment head learned nothing.

    Built (about three minutes) only by the tests that ask for it, and cached like :func:`model_dir`.
    """
    return _cached_fixture_model(tmp_path_factory, pytestconfig.getoption("fixture_seed"), guided=False)


def _cached_fixture_model(tmp_path_factory: pytest.TempPathFactory, seed: int, *, guided: bool) -> Path:
    cache = os.environ.get("TARJAMA_TEST_MODEL_CACHE")
    base = Path(cache) if cache else tmp_path_factory.mktemp("fixture-model")
    out = base / _fixture_key(seed, guided=guided)
    if not (out / "fixture.json").is_file():
        fixture_model.build_fixture_model(out, seed=seed, guided=guided)
    print("fixture model:", json.loads((out / "fixture.json").read_text()))
    return out


@pytest.fixture(scope="session", params=["torch", "ctranslate2"])
def translator(model_dir: Path, request: pytest.FixtureRequest):
    """A Translator on the fixture model, loaded once per backend, where it reproduces the fixture English exactly.

    That is torch, and CTranslate2 at float32; other options are at their defaults.
    int8, CTranslate2's default, has tests of its own (``tests/closeness.py``).
    """
    from translate import TranslationOptions, Translator

    return Translator(model_dir, TranslationOptions(backend=request.param, compute_type=EXACT_COMPUTE_TYPE))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_pairs() -> list[tuple[str, str]]:
    """The 12 (Arabic, English) sentences the seed article must give."""
    return fixture_model.seed_sentences()


@dataclass(frozen=True)
class RunningReader:
    url: str
    model: str
    pool: object


@contextmanager
def _serve_reader(model_dir: Path, **options) -> Iterator[RunningReader]:
    from translate import TranslationOptions
    from ui.app import build_app, launch
    from ui.models import ModelPool

    memory = options.pop("memory", None)
    glossary = options.pop("glossary_path", None)
    translation = TranslationOptions(compute_type=EXACT_COMPUTE_TYPE)  # so that pages show the fixture English exactly
    pool = ModelPool(translation, local_dirs=[model_dir], local_files_only=True, memory=memory, glossary_path=glossary)
    app = build_app(pool, allow_private_urls=True, max_text_bytes=200_000, **options)
    port = _free_port()
    launch(app, port=port, quiet=True, prevent_thread_lock=True, max_file_size="200kb")
    try:
        yield RunningReader(f"http://127.0.0.1:{port}/", str(model_dir), pool)
    finally:
        app.close()


@pytest.fixture(scope="session")
def reader(model_dir: Path) -> Iterator[RunningReader]:
    """The reader app, served on a free loopback port with the fixture model (no translation memory)."""
    with _serve_reader(model_dir) as running:
        yield running


@pytest.fixture(scope="module")
def shared_reader(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningReader]:
    """A reader as served to several people: a translation memory, and corrections kept per session."""
    from translate.memory import TranslationMemory

    memory = TranslationMemory(tmp_path_factory.mktemp("shared-memory") / "memory.sqlite3")
    with _serve_reader(model_dir, memory=memory, remember_corrections=False) as running:
        yield running
    memory.close()


@pytest.fixture(scope="module")
def own_reader(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningReader]:
    """One person's reader: a translation memory that keeps corrections, and a glossary beside it they can edit."""
    from translate.glossary import glossary_beside
    from translate.memory import TranslationMemory

    memory = TranslationMemory(tmp_path_factory.mktemp("own-memory") / "memory.sqlite3")
    with _serve_reader(model_dir, memory=memory, glossary_path=glossary_beside(memory.path)) as running:
        yield running
    memory.close()


@pytest.fixture(autouse=True)
def _restore_tarjama_logger() -> Iterator[None]:
    """``cli.main`` sets up the "tarjama" logger on the stderr of its test; the next test must not inherit it."""
    logger = logging.getLogger("tarjama")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers, logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture(scope="session")
def browser():
    """Chromium, headless, shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Open the reader at ``url`` in a fresh browser context (``options``: the context's, e.g. a viewport or a
    colour scheme); every page must end without script errors."""
    contexts, errors = [], []

    def open_(url: str, **options):
        context = browser.new_context(
            **{"viewport": {"width": 1280, "height": 900}, "accept_downloads": True, **options}
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        page.wait_for_selector("#tj-translate")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], errors


@contextmanager
def _checked_page(browser, url: str):
    """A fresh page on the reader at ``url``, which must raise no script error while it is open."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#tj-translate")
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def page(browser, reader):
    """A fresh page on the shared reader, which must raise no script error."""
    with _checked_page(browser, reader.url) as page:
        yield page


@pytest.fixture
def own_page(browser, own_reader):
    """A page on one person's reader, whose memory holds no correction and whose glossary is empty."""
    own_reader.pool.memory.clear_human()
    for term in own_reader.pool.glossary.terms:
        own_reader.pool.remove_term(term.arabic)
    with _checked_page(browser, own_reader.url) as page:
        yield page


@pytest.fixture
def free_port() -> int:
    """A TCP port on loopback that nothing listens on (yet)."""
    return _free_port()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
