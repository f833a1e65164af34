"""What the commands share: argument types, the model and memory options, stdout as UTF-8."""

from __future__ import annotations

import argparse
import logging
import re
import sqlite3
from pathlib import Path
from typing import Literal, TextIO

from translate.errors import TranslateError
from translate.glossary import Glossary, glossary_beside, load_glossary
from translate.memory import TranslationMemory

logger = logging.getLogger("tarjama")


def counted(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count and its noun, for summaries."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """``--model``, ``--revision`` and ``--offline``."""
    parser.add_argument("-m", "--model", help="short name, Hugging Face id or local directory (default opus-mt-ar-en)")
    parser.add_argument("--revision", help="hub branch, tag or commit of the model")
    parser.add_argument("--offline", action="store_true", help="never download; use the local cache or --model DIR")


def add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    """``--cache PATH`` or ``--no-cache``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--cache", type=Path, metavar="PATH", help="translation memory database (default: in the user cache dir)"
    )
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the translation memory")


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--device``, ``--backend``, ``--compute-type`` and ``--threads``: where and how the model runs."""
    from translate.ct2 import COMPUTE_TYPES

    parser.add_argument(
        "--device", type=device, default="auto", help="auto, cpu or cuda[:N] (default auto: CUDA when present)"
    )
    parser.add_argument(
        "--backend",
        choices=["auto", "torch", "ctranslate2"],
        default="auto",
        help="inference engine (default auto: CTranslate2 when installed, else torch)",
    )
    parser.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        default="auto",
        help="CTranslate2 precision (default auto: int8 on CPU, float16 on CUDA)",
    )
    parser.add_argument("--threads", type=positive, metavar="N", help="CPU threads (default: all cores)")


def add_glossary_arguments(parser: argparse.ArgumentParser) -> None:
    """``--glossary FILE`` or ``--no-glossary``."""
    terms = parser.add_mutually_exclusive_group()
    terms.add_argument(
        "--glossary",
        type=Path,
        metavar="FILE",
        help="TSV of arabic<TAB>english terms whose English every translation must use "
        "(default: the reader's glossary.tsv beside the translation memory, if there is one)",
    )
    terms.add_argument("--no-glossary", action="store_true", help="use no glossary")


def open_memory(args: argparse.Namespace) -> TranslationMemory | None:
    """The translation memory the command line asks for, or None with ``--no-cache``."""
    if args.no_cache:
        return None
    try:
        return TranslationMemory(args.cache)
    except (OSError, sqlite3.Error) as exc:
        raise TranslateError(f"cannot open the translation memory {args.cache or ''}: {exc}; use --no-cache") from exc


def positive(value: str) -> int:
    """An argument type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def device(value: str) -> str:
    """An argument type: auto, cpu, cuda or cuda:N."""
    if value in ("auto", "cpu", "cuda") or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda or cuda:N, got {value!r}")


def utf8(stream: TextIO) -> TextIO:
    """``stream``, writing UTF-8 whatever the locale says."""
    if (stream.encoding or "").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    return stream


def open_glossary(args: argparse.Namespace, memory: TranslationMemory | None) -> Glossary | None:
    """The glossary asked for: ``--glossary FILE``, else the reader's beside the memory if it exists."""
    if args.no_glossary:
        return None
    path = args.glossary
    if path is None and memory is not None and glossary_beside(memory.path).is_file():
        path = glossary_beside(memory.path)
    if path is None:
        return None
    glossary = load_glossary(path)
    logger.info("glossary %s: %d terms (version %s)", path, len(glossary), glossary.version)
    return glossary


Remember = Literal["always", "local", "never"]
"""Where the reader's corrections are kept in the shared memory: always, for requests from this machine
through no proxy alone (:func:`translate.local.from_this_machine`), or never."""


def remembers_corrections(choice: str, *, shared: bool) -> Remember:
    """``--remember-corrections`` (``auto``, ``yes``, ``no``) for the reader: ``yes`` is the operator's choice,
    for everyone; ``auto`` keeps only the corrections of the person at this machine (a request from loopback
    that no proxy forwarded), and none at all when the reader is ``shared`` otherwise (a non-loopback host,
    a login, a share link), since what one person corrects is then everyone's translation."""
    if choice == "yes":
        return "always"
    return "local" if choice == "auto" and not shared else "never"


def parse_size(option: str, value: str) -> int:
    """Bytes in a size such as ``5mb``, ``500kb`` or ``1.5gb`` (decimal units, like Gradio's)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?", value.strip().lower())
    if not match:
        raise TranslateError(f"{option} {value!r}: use a size such as 5mb or 500kb")
    unit = {"b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}[match.group(2) or "b"]
    return int(float(match.group(1)) * unit)
