"""tarjama: Arabic to English machine translation, sentence-aligned.

>>> from translate import Translator
>>> pairs, info = Translator("opus-mt-ar-en").translate(arabic_text)  # doctest: +SKIP
>>> for pair in pairs:  # doctest: +SKIP
...     print(pair.source, "->", pair.target)

Importing this package is cheap: torch and transformers load only when a
:class:`Translator` is built.
"""

from translate.errors import InputError, ModelUnavailableError, TranslateError, UnknownModelError
from translate.glossary import Glossary, load_glossary
from translate.registry import ModelEntry, ResolvedModel, load_registry, resolve_model
from translate.segment import segment_text
from translate.translator import Translator
from translate.types import (
    AlignedPair,
    Alternative,
    GlossaryTerm,
    Hypothesis,
    Segment,
    TermUse,
    TranslationInfo,
    TranslationOptions,
    WordAlignment,
)
from translate.version import __version__
from translate.writers import read_jsonl, read_tsv, write_jsonl, write_pairs, write_text, write_tmx, write_tsv

__all__ = [
    "AlignedPair",
    "Alternative",
    "Glossary",
    "GlossaryTerm",
    "Hypothesis",
    "InputError",
    "ModelEntry",
    "ModelUnavailableError",
    "ResolvedModel",
    "Segment",
    "TermUse",
    "TranslateError",
    "TranslationInfo",
    "TranslationOptions",
    "Translator",
    "UnknownModelError",
    "WordAlignment",
    "__version__",
    "load_glossary",
    "load_registry",
    "read_jsonl",
    "read_tsv",
    "resolve_model",
    "segment_text",
    "write_jsonl",
    "write_pairs",
    "write_text",
    "write_tmx",
    "write_tsv",
]
