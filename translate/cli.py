"""The ``tarjama`` command line.

The only module that configures logging, draws progress bars (on stderr) or
decides exit codes: 0 ok, 1 a runtime error (a one-line ``error: ...``), 2 a
usage error. Data goes to stdout or files, messages to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from translate.ct2 import COMPUTE_TYPES
from translate.errors import InputError, TranslateError, UnknownModelError
from translate.files import STDIN, InputFile, atomic_output, expand_input, read_input, remove_partial_outputs
from translate.memory import CachedBackend, TranslationMemory
from translate.normalize import normalize_for_model
from translate.segment import count_sentences
from translate.types import AlignedPair, TranslationInfo, TranslationOptions
from translate.version import __version__
from translate.writers import EXTENSIONS, WRITERS, tsv_escape, write_pairs

if TYPE_CHECKING:
    from translate.translator import Translator

logger = logging.getLogger("tarjama")


class UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``tarjama``."""
    parser = argparse.ArgumentParser(
        prog="tarjama", description="Arabic to English machine translation with sentence-aligned output."
    )
    parser.add_argument("--version", action="version", version=f"tarjama {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is happening")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tr = commands.add_parser(
        "translate",
        help="translate files or folders",
        description="Translate Arabic text files sentence by sentence; a folder means every *.txt in it.",
    )
    tr.add_argument("inputs", nargs="+", metavar="FILE", help="text file, folder, or - for standard input")
    where = tr.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path, metavar="OUT", help="write here instead of stdout")
    where.add_argument("--out-dir", type=Path, metavar="DIR", help="one output file per input, in DIR")
    tr.add_argument(
        "-f", "--format", choices=list(WRITERS), help="output format (default: from OUT's ending, else tsv)"
    )
    _add_model_arguments(tr)
    tr.add_argument("--beam", type=_positive, metavar="N", help="beam size (default: the model's, 4 for opus-mt)")
    tr.add_argument(
        "--max-length", type=_positive, metavar="N", help="longest translation in tokens (default: the model's)"
    )
    tr.add_argument("--batch-size", type=_positive, default=32, metavar="N", help="sentences per batch (default 32)")
    tr.add_argument(
        "--batch-tokens",
        type=_positive,
        metavar="N",
        help="padded source tokens per batch (default: 4096 for torch, 1728 / beam for CTranslate2)",
    )
    tr.add_argument(
        "--device", type=_device, default="auto", help="auto, cpu or cuda[:N] (default auto: CUDA when present)"
    )
    tr.add_argument(
        "--backend",
        choices=["auto", "torch", "ctranslate2"],
        default="auto",
        help="inference engine (default auto: CTranslate2 when installed, else torch)",
    )
    tr.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        default="auto",
        help="CTranslate2 precision (default auto: int8 on CPU, float16 on CUDA)",
    )
    tr.add_argument("--threads", type=_positive, metavar="N", help="CPU threads (default: all cores)")
    tr.add_argument(
        "--no-retry",
        dest="retry",
        action="store_false",
        help="do not translate looping or cut-off sentences a second time (they are still flagged)",
    )
    tr.add_argument(
        "--alignments",
        action="store_true",
        help="word alignment and confidence for every sentence, from one more pass of the model "
        "(JSONL: alignment, score, word_scores; TMX: x-alignment, x-score; TSV: an alignment column)",
    )
    _add_cache_arguments(tr)
    tr.add_argument(
        "--resume",
        action="store_true",
        help="with --out-dir: skip inputs whose output exists (outputs appear only when complete)",
    )
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    tr.set_defaults(func=_translate)

    models = commands.add_parser("models", help="list known models and whether they are downloaded")
    models.set_defaults(func=_models)

    dl = commands.add_parser("download", help="download a model for offline use")
    dl.add_argument(
        "name", nargs="?", help="short name from `tarjama models` or a Hugging Face id (default: the default model)"
    )
    dl.add_argument("--revision", help="a hub branch, tag or commit")
    dl.set_defaults(func=_download)

    cache = commands.add_parser("cache", help="show or clear the translation memory and its corrections")
    where_help = "the memory database (default: user cache dir)"
    cache.add_argument("--cache", type=Path, metavar="PATH", help=where_help)
    cache.set_defaults(func=_cache)
    # --cache is accepted after the action too; SUPPRESS keeps an action's default from hiding one given before it.
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--cache", type=Path, metavar="PATH", default=argparse.SUPPRESS, help=where_help)
    actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("stats", parents=[database], help="what is stored")
    actions.add_parser("clear", parents=[database], help="forget everything, machine and human translations")
    actions.add_parser("corrections", parents=[database], help="list human translations as TSV (id, updated, ...)")
    forget = actions.add_parser(
        "forget", parents=[database], help="remove corrections by id, or --all of them; machine ones stay"
    )
    which = forget.add_mutually_exclusive_group()
    which.add_argument("ids", nargs="*", type=_positive, default=[], metavar="ID", help="ids from `cache corrections`")
    which.add_argument("--all", action="store_true", help="remove every correction")

    # Other packages (the web reader in ``ui``) add their commands here, so
    # this package never imports them.
    for entry_point in entry_points(group="tarjama.commands"):
        entry_point.load()(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``tarjama`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help
        return int(exc.code or 0)
    _configure_logging(verbose=args.verbose)
    try:
        return args.func(args)
    except (UsageError, UnknownModelError) as exc:
        print(f"tarjama: error: {exc}", file=sys.stderr)
        return 2
    except TranslateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-m", "--model", help="short name, Hugging Face id or local directory (default opus-mt-ar-en)")
    parser.add_argument("--revision", help="hub branch, tag or commit of the model")
    parser.add_argument("--offline", action="store_true", help="never download; use the local cache or --model DIR")


def _add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--cache", type=Path, metavar="PATH", help="translation memory database (default: in the user cache dir)"
    )
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the translation memory")


def open_memory(args: argparse.Namespace) -> TranslationMemory | None:
    """The translation memory the command line asks for, or None with ``--no-cache``."""
    if args.no_cache:
        return None
    try:
        return TranslationMemory(args.cache)
    except (OSError, sqlite3.Error) as exc:
        raise TranslateError(f"cannot open the translation memory {args.cache or ''}: {exc}; use --no-cache") from exc


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _device(value: str) -> str:
    if value in ("auto", "cpu", "cuda") or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda or cuda:N, got {value!r}")


def _translate(args: argparse.Namespace) -> int:
    from translate.translator import Translator

    fmt = args.format or _format_from_name(args.output) or "tsv"
    inputs, failed = _collect(args.inputs)
    several = len(inputs) > 1 or any(Path(a).is_dir() for a in args.inputs)
    if several and args.out_dir is None:
        raise UsageError("several inputs (or a folder) need --out-dir DIR: one output file per input")
    if args.resume and args.out_dir is None:
        raise UsageError("--resume needs --out-dir DIR")
    if args.out_dir is not None and args.out_dir.exists() and not args.out_dir.is_dir():
        raise UsageError(f"--out-dir {args.out_dir} is a file; give a folder (it is created if missing)")
    if not inputs:
        return 1
    skipped = 0
    if args.resume:
        # Outputs are renamed into place only when complete, so an existing one is done;
        # what an interrupted run left is at most a hidden temporary file, removed here.
        pending = []
        for item in inputs:
            destination = _destination(item, args, fmt)
            remove_partial_outputs(destination)
            if not destination.exists():
                pending.append(item)
        skipped, inputs = len(inputs) - len(pending), pending
        if not inputs:
            print(f"tarjama: nothing to do; all {skipped} outputs exist (--resume)", file=sys.stderr)
            return 1 if failed else 0
    options = TranslationOptions(
        beam=args.beam,
        max_length=args.max_length,
        batch_size=args.batch_size,
        batch_tokens=args.batch_tokens,
        device=args.device,
        backend=args.backend,
        compute_type=args.compute_type,
        threads=args.threads,
        retry=args.retry,
        alignments=args.alignments,
    )
    _quiet_third_party()
    started = time.monotonic()
    memory = open_memory(args)
    translator = Translator(args.model, options, revision=args.revision, local_files_only=args.offline, memory=memory)
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty(), inputs=inputs)
    sentences = 0
    for item in inputs:
        try:
            sentences += _translate_one(translator, item, args, fmt, progress)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
        except OSError as exc:
            print(f"error: cannot write output for {item.name}: {exc.strerror or exc}", file=sys.stderr)
            failed = True
    progress.close()
    if not args.quiet:
        elapsed = time.monotonic() - started
        backend = translator.backend
        remembered = ""
        if isinstance(backend, CachedBackend):
            remembered = f"; {backend.hits} inputs from the translation memory"
        resumed = f"; skipped {skipped} already translated" if skipped else ""
        print(
            f"tarjama: {sentences} sentences from {len(inputs)} file(s) in {elapsed:.1f} s"
            f" ({sentences / elapsed:.1f} sentences/s, {backend.name} on {backend.device}{remembered}){resumed}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _collect(args: list[str]) -> tuple[list[InputFile], bool]:
    inputs: list[InputFile] = []
    failed = False
    for arg in args:
        try:
            inputs.extend(expand_input(arg))
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
    return inputs, failed


def _translate_one(
    translator: Translator, item: InputFile, args: argparse.Namespace, fmt: str, progress: _Progress
) -> int:
    text = read_input(item)
    if not normalize_for_model(text):
        raise InputError(f"{item.name}: no text to translate (it is empty or holds only whitespace)")
    pairs, info = translator.translate(text)
    if not info.has_arabic:
        logger.warning("%s: no Arabic text found; translating it anyway", item.name)
    flagged: list[int] = []
    tracked = _noting_flags(progress.track(pairs, info, str(item.relative) if item.path else item.name), flagged)
    destination = _destination(item, args, fmt)
    if destination is None:
        count = write_pairs(tracked, _utf8(sys.stdout), fmt, alignments=args.alignments)
    else:
        if item.path is not None and destination.resolve() == item.path.resolve():
            raise InputError(f"{item.name}: output would overwrite the input; choose another --out-dir or -o")
        with atomic_output(destination) as out:
            count = write_pairs(tracked, out, fmt, alignments=args.alignments)
        logger.info("%s -> %s", item.name, destination)
    if flagged:
        shown = ", ".join(str(i + 1) for i in flagged[:10]) + (", ..." if len(flagged) > 10 else "")
        logger.warning(
            "%s: %d sentence(s) still cut off or repeating after a retry (sentence %s); "
            "check them, or see the truncated/repetitive fields in --format jsonl",
            item.name,
            len(flagged),
            shown,
        )
    return count


def _noting_flags(pairs: Iterable[AlignedPair], flagged: list[int]) -> Iterator[AlignedPair]:
    for pair in pairs:
        if pair.flagged:
            flagged.append(pair.index)
        yield pair


def _destination(item: InputFile, args: argparse.Namespace, fmt: str) -> Path | None:
    if args.out_dir is not None:
        name = item.relative.name
        for suffix in (".txt", ".ar"):
            name = name.removesuffix(suffix)
        return args.out_dir / item.relative.parent / (name + EXTENSIONS[fmt])
    if args.output is not None and str(args.output) != STDIN:
        return args.output
    return None


def _format_from_name(path: Path | None) -> str | None:
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in WRITERS else None


def _utf8(stream: TextIO) -> TextIO:
    if (stream.encoding or "").lower().replace("-", "") != "utf8" and hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8")
    return stream


class _Progress:
    """tqdm bars on stderr: sentences per file and, for several files, overall."""

    def __init__(self, *, enabled: bool, inputs: list[InputFile]) -> None:
        self.enabled = enabled
        self.overall = None
        if enabled and len(inputs) > 1:
            from tqdm import tqdm

            total = sum(_count_quietly(item) for item in inputs)
            self.overall = tqdm(total=total, desc="all files", unit="sent", position=0, file=sys.stderr)

    def track(self, pairs: Iterable[AlignedPair], info: TranslationInfo, name: str) -> Iterator[AlignedPair]:
        if not self.enabled:
            yield from pairs
            return
        from tqdm import tqdm

        bar = tqdm(
            total=info.sentences,
            desc=name,
            unit="sent",
            position=1 if self.overall else 0,
            leave=self.overall is None,
            file=sys.stderr,
        )
        try:
            for pair in pairs:
                bar.update(1)
                if self.overall is not None:
                    self.overall.update(1)
                yield pair
        finally:
            bar.close()

    def close(self) -> None:
        if self.overall is not None:
            self.overall.close()


def _count_quietly(item: InputFile) -> int:
    if item.path is None:
        return 0  # standard input can be read only once
    try:
        return count_sentences(read_input(item))
    except InputError:
        return 0  # reported when the file's turn comes


def _models(args: argparse.Namespace) -> int:
    from translate.registry import is_cached, load_registry

    entries = load_registry()
    names = [e.name + (" (default)" if i == 0 else "") for i, e in enumerate(entries)]
    width = max(len(n) for n in names)
    hub_width = max(len(e.hub_id) for e in entries)
    print(f"{'name':<{width}}  {'cached':<6}  {'hugging face id':<{hub_width}}  description")
    for name, entry in zip(names, entries, strict=True):
        cached = "yes" if is_cached(entry) else "no"
        print(f"{name:<{width}}  {cached:<6}  {entry.hub_id:<{hub_width}}  {entry.description}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from translate.registry import default_model, download_model

    name = args.name or default_model()
    print(f"downloading {name} ...", file=sys.stderr)
    resolved = download_model(name, revision=args.revision)
    print(f"{resolved.model_id} is ready for offline use", file=sys.stderr)
    print(resolved.path)
    return 0


def _cache(args: argparse.Namespace) -> int:
    if args.action == "forget" and not (args.ids or args.all):
        raise UsageError(
            "cache forget needs ids or --all (usage: tarjama cache forget ID [ID ...] | --all);"
            " `tarjama cache corrections` lists the ids"
        )
    memory = TranslationMemory(args.cache)
    if args.action == "clear":
        memory.clear()
        print(f"cleared the translation memory {memory.path}", file=sys.stderr)
    elif args.action == "corrections":
        out = _utf8(sys.stdout)
        out.write("id\tupdated\tsource\ttarget\n")
        for item in memory.human_translations():
            updated = datetime.fromtimestamp(item.updated).isoformat(timespec="seconds")
            out.write(f"{item.id}\t{updated}\t{tsv_escape(item.source)}\t{tsv_escape(item.target)}\n")
    elif args.action == "forget":
        _forget(memory, args.ids, everything=args.all)
    else:
        stats = memory.stats()
        print(f"path\t{stats.path}\nmachine translations\t{stats.machine}\nhuman translations\t{stats.human}")
        print(f"size\t{stats.bytes / 1_000_000:.1f} MB")
    return 0


def _forget(memory: TranslationMemory, ids: list[int], *, everything: bool) -> None:
    if everything:
        removed = memory.clear_human()
        print(f"removed {removed} corrections; machine translations are kept", file=sys.stderr)
        return
    unknown = sorted(set(ids) - {item.id for item in memory.human_translations()})
    removed = memory.forget_human_ids(ids)
    print(f"removed {removed} corrections", file=sys.stderr)
    if unknown:
        listed = ", ".join(map(str, unknown))
        raise TranslateError(f"no correction with id {listed}; run `tarjama cache corrections` to see ids")


def _quiet_third_party() -> None:
    # transformers draws its own weight-loading bar and advisory warnings, and the
    # hub its download bars; on our stderr they would tangle with our progress bar.
    # Both read these when first imported. Importing transformers here just to quiet
    # it cost every run 0.5-2.8 s, CTranslate2 runs included, which never use it.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # A program that calls main() may have imported them already, too late for the environment.
    if "huggingface_hub" in sys.modules:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()  # transformers reads this when it is imported
    if "transformers" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger.handlers = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
