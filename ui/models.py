"""Translators shared by every request of the reader process."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

from translate import ModelUnavailableError, TranslationOptions, Translator, UnknownModelError
from translate.glossary import Glossary, load_glossary, save_glossary
from translate.memory import TranslationMemory
from translate.registry import is_cached, load_registry
from translate.types import GlossaryTerm


class ModelPool:
    """Loads each model once per process, on first use, and hands out the same translator after.

    A per-model lock makes concurrent first requests wait for one load instead
    of loading the model twice. Models are named as ``--model`` takes them: a
    local directory given at start-up, or a short name from ``models.txt``;
    local directories come first, then the registry names in ``first``, then
    the rest of the registry.
    Every translator shares ``memory``, where the reader also keeps corrections,
    and the glossary in ``glossary_path`` (read at start, written when a term
    is added or removed; none when there is no path). With ``loader`` (the
    server's), translators come from it, and only the models named are offered.
    """

    def __init__(
        self,
        options: TranslationOptions,
        *,
        local_dirs: list[Path] | None = None,
        first: list[str] | None = None,
        local_files_only: bool = False,
        memory: TranslationMemory | None = None,
        glossary_path: Path | None = None,
        loader: Callable[[str], Translator] | None = None,
    ) -> None:
        # The reader always shows word alignment and confidence.
        self.options = dataclasses.replace(options, alignments=True)
        self.local_files_only = local_files_only
        self.memory = memory
        self._local = [str(d) for d in local_dirs or []]
        entries = load_registry()
        self._missing = {e.name for e in entries if not is_cached(e)}
        # Offline, a model that is not downloaded cannot load: it is not offered.
        registry = [e.name for e in entries if not (local_files_only and e.name in self._missing)]
        first = [name for name in first or [] if name in registry]
        # A loader (the server's) has one model to give: only the models named are offered.
        rest = [] if loader is not None else [name for name in registry if name not in first]
        self._names = self._local + first + rest
        self._loader = loader
        if not self._names:
            raise ModelUnavailableError(
                "no model to offer: none is downloaded and --offline forbids downloading; "
                "run `tarjama download opus-mt-ar-en` once, or pass --model DIR"
            )
        self._translators: dict[str, Translator] = {}
        self._locks = {name: threading.Lock() for name in self._names}
        self.glossary_path = glossary_path
        self.glossary = load_glossary(glossary_path) if glossary_path and glossary_path.is_file() else Glossary()
        self._glossary_lock = threading.Lock()

    def add_term(self, term: GlossaryTerm) -> Glossary:
        """Add (or replace) a glossary term, save the glossary, and use it from the next translation on."""
        with self._glossary_lock:
            return self._set_glossary(self.glossary.with_term(term))

    def remove_term(self, arabic: str) -> Glossary:
        """Remove the term for ``arabic`` (compared as the glossary matches), save, and use the rest."""
        with self._glossary_lock:
            return self._set_glossary(self.glossary.without(arabic))

    def _set_glossary(self, glossary: Glossary) -> Glossary:
        if self.glossary_path is not None:
            save_glossary(glossary, self.glossary_path)
        self.glossary = glossary
        for translator in list(self._translators.values()):
            translator.glossary = glossary
        return glossary

    def choices(self) -> list[tuple[str, str]]:
        """(label, name) of the models to offer: local directories first, then ``models.txt`` in order."""
        return [(self._label(name), name) for name in self._names]

    def _label(self, name: str) -> str:
        if name in self._local:
            return f"{Path(name).name} (local)"
        return f"{name} (downloads on first use)" if name in self._missing else name

    def default(self) -> str:
        """The model selected when the page opens."""
        return self._names[0]

    def loaded(self, name: str) -> bool:
        return name in self._translators

    def get(self, name: str) -> Translator:
        """The translator for ``name``, loading it if this is the first request for it."""
        if name not in self._locks:
            raise UnknownModelError(f"unknown model {name!r}: choose one of {', '.join(self._names)}")
        with self._locks[name]:
            if name not in self._translators and self._loader is not None:
                translator = self._loader(name)
                translator.glossary = self.glossary
                self._translators[name] = translator
            if name not in self._translators:
                self._translators[name] = Translator(
                    name,
                    self.options,
                    local_files_only=self.local_files_only,
                    memory=self.memory,
                    glossary=self.glossary,
                )
            return self._translators[name]
