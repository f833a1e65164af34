"""Which models tarjama knows (``models.txt``) and where their files are.

``--model`` takes a short name from ``models.txt``, a Hugging Face id, or a
local directory. Hub models come from the local Hugging Face cache; when they
are missing there they are downloaded once, unless ``local_files_only``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from translate.errors import ModelUnavailableError, UnknownModelError

logger = logging.getLogger("tarjama")

# What a Marian checkpoint needs; the hub repos also hold TF, Flax and Rust
# weights that we never load, so they are not downloaded.
MODEL_FILES = ["*.json", "*.spm", "*.txt", "*.safetensors", "pytorch_model.bin"]
REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class ModelEntry:
    """One line of ``models.txt``."""

    name: str
    hub_id: str
    revision: str | None
    description: str


@dataclass(frozen=True)
class ResolvedModel:
    """A model whose files are on disk, ready to load."""

    model_id: str
    revision: str | None
    path: Path


def load_registry() -> list[ModelEntry]:
    """Parse the ``models.txt`` shipped inside the package; the first entry is the default."""
    text = resources.files("translate").joinpath("models.txt").read_text(encoding="utf-8")
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, hub_id, revision, description = line.split(maxsplit=3)
        entries.append(ModelEntry(name, hub_id, None if revision == "-" else revision, description))
    return entries


def default_model() -> str:
    """The short name of the default model (the first line of ``models.txt``)."""
    return load_registry()[0].name


def find_entry(name: str) -> ModelEntry | None:
    """The ``models.txt`` entry with this short name or hub id, if any."""
    return next((e for e in load_registry() if name in (e.name, e.hub_id)), None)


def resolve_model(
    name_or_path: str | Path, *, revision: str | None = None, local_files_only: bool = False
) -> ResolvedModel:
    """Find a model's files on disk, downloading them first if allowed and needed.

    Raises :class:`UnknownModelError` for a name that cannot be a model and
    :class:`ModelUnavailableError` when the files cannot be had.
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        check_model_dir(path)
        return ResolvedModel(model_id=str(path.resolve()), revision=None, path=path)
    if path.exists() or str(name_or_path).startswith(("/", ".", "~")):
        raise ModelUnavailableError(
            f"no model directory at {name_or_path}: pass --model a directory saved with save_pretrained, "
            "or a name from `tarjama models`"
        )
    hub_id, revision = _hub_id(str(name_or_path), revision)
    try:
        return ResolvedModel(hub_id, revision, _snapshot(hub_id, revision, local_files_only=True))
    except ModelUnavailableError:
        if local_files_only:
            raise
    logger.info("%s is not in the local cache; downloading it once", hub_id)
    return download_model(hub_id, revision=revision)


def download_model(name: str, *, revision: str | None = None) -> ResolvedModel:
    """Fetch a hub model into the local Hugging Face cache for offline use."""
    hub_id, revision = _hub_id(name, revision)
    return ResolvedModel(hub_id, revision, _snapshot(hub_id, revision, local_files_only=False))


def is_cached(entry: ModelEntry) -> bool:
    """Whether the entry's files are in the local Hugging Face cache."""
    try:
        _snapshot(entry.hub_id, entry.revision, local_files_only=True)
    except ModelUnavailableError:
        return False
    return True


def model_fingerprint(path: Path) -> str:
    """A short digest of a model directory's files (names, sizes, modification times).

    Caches keyed by it (converted models, the translation memory) notice when
    the files behind a model id change, as they do for a local directory.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def model_signature(model: ResolvedModel) -> str:
    """The model's id, revision and file fingerprint in one string, for cache keys."""
    return f"{model.model_id}@{model.revision or '-'}#{model_fingerprint(model.path)}"


def check_model_dir(path: Path) -> None:
    """Raise :class:`ModelUnavailableError` unless ``path`` holds a loadable Marian model."""
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append(" or ".join(WEIGHT_FILES))
    if missing:
        raise ModelUnavailableError(
            f"{path} is not a complete MarianMT model directory: missing {', '.join(missing)}; "
            "point --model at a directory saved with save_pretrained, or use a name from `tarjama models`"
        )


def _hub_id(name: str, revision: str | None) -> tuple[str, str | None]:
    entry = find_entry(name)
    if entry is not None:
        return entry.hub_id, revision or entry.revision
    if name.count("/") == 1 and all(name.split("/")):
        return name, revision
    known = ", ".join(e.name for e in load_registry())
    raise UnknownModelError(
        f"unknown model {name!r}: use one of {known} (see `tarjama models`), "
        "a Hugging Face id such as Helsinki-NLP/opus-mt-ar-en, or an existing model directory"
    )


def _snapshot(hub_id: str, revision: str | None, *, local_files_only: bool) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    try:
        path = Path(
            snapshot_download(hub_id, revision=revision, allow_patterns=MODEL_FILES, local_files_only=local_files_only)
        )
    except (OSError, ValueError, HfHubHTTPError) as exc:
        where = "in the local cache" if local_files_only else "in the cache, and downloading it failed"
        raise ModelUnavailableError(
            f"model {hub_id} is not {where} ({type(exc).__name__}); connect to the internet once and run "
            f"`tarjama download {hub_id}`, or pass --model DIR with a local copy"
        ) from exc
    check_model_dir(path)
    return path
