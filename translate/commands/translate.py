"""``tarjama translate``: files, folders and standard input to aligned pairs, with a progress bar."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from translate.commands.common import (
    UsageError,
    add_cache_arguments,
    add_model_arguments,
    device,
    open_memory,
    positive,
    utf8,
)
from translate.ct2 import COMPUTE_TYPES
from translate.documents import translate_documents
from translate.errors import InputError
from translate.files import STDIN, InputFile, atomic_output, remove_partial_outputs
from translate.glossary import Glossary, glossary_beside, load_glossary
from translate.memory import CachedBackend, TranslationMemory
from translate.normalize import normalize_for_model
from translate.segment import count_sentences
from translate.sources import expand_document, read_document
from translate.types import AlignedPair, TranslationInfo, TranslationOptions
from translate.writers import EXTENSIONS, WRITERS, write_pairs

if TYPE_CHECKING:
    from translate.translator import Translator

logger = logging.getLogger("tarjama")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``translate`` to the ``tarjama`` parser."""
    tr = commands.add_parser(
        "translate",
        help="translate files or folders",
        description="Translate Arabic documents sentence by sentence: text, HTML (the article's main text), "
        ".docx and Markdown files, web pages, and folders of them.",
    )
    tr.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a .txt, .html/.htm, .docx or .md file, an http(s):// URL, a folder (every such file in it), "
        "or - for standard input",
    )
    tr.add_argument(
        "--glob", metavar="PATTERN", help="in folders, translate the files matching PATTERN (e.g. '**/*.html')"
    )
    tr.add_argument(
        "--allow-private-urls",
        action="store_true",
        help="let URL inputs be on loopback and private networks (refused by default, as in the reader)",
    )
    where = tr.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path, metavar="OUT", help="write here instead of stdout")
    where.add_argument("--out-dir", type=Path, metavar="DIR", help="one output file per input, in DIR")
    tr.add_argument(
        "-f", "--format", choices=list(WRITERS), help="output format (default: from OUT's ending, else tsv)"
    )
    add_model_arguments(tr)
    tr.add_argument("--beam", type=positive, metavar="N", help="beam size (default: the model's, 4 for opus-mt)")
    tr.add_argument(
        "--max-length", type=positive, metavar="N", help="longest translation in tokens (default: the model's)"
    )
    tr.add_argument("--batch-size", type=positive, default=32, metavar="N", help="sentences per batch (default 32)")
    tr.add_argument(
        "--batch-tokens",
        type=positive,
        metavar="N",
        help="padded source tokens per batch (default: 4096 for torch, 1728 / beam for CTranslate2)",
    )
    tr.add_argument(
        "--device", type=device, default="auto", help="auto, cpu or cuda[:N] (default auto: CUDA when present)"
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
    tr.add_argument("--threads", type=positive, metavar="N", help="CPU threads (default: all cores)")
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
    add_cache_arguments(tr)
    terms = tr.add_mutually_exclusive_group()
    terms.add_argument(
        "--glossary",
        type=Path,
        metavar="FILE",
        help="TSV of arabic<TAB>english terms whose English every translation must use "
        "(default: the reader's glossary.tsv beside the translation memory, if there is one)",
    )
    terms.add_argument("--no-glossary", action="store_true", help="use no glossary")
    tr.add_argument(
        "--resume",
        action="store_true",
        help="with --out-dir: skip inputs whose output exists (outputs appear only when complete)",
    )
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    tr.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from translate.translator import Translator

    fmt = args.format or _format_from_name(args.output) or "tsv"
    inputs, failed = _collect(args.inputs, args.glob)
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
            destination = _in_out_dir(item, args.out_dir, fmt)  # --resume comes with --out-dir (checked above)
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
    glossary = _glossary(args, memory)
    translator = Translator(
        args.model, options, revision=args.revision, local_files_only=args.offline, memory=memory, glossary=glossary
    )
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty(), inputs=inputs)
    tally = _Tally()
    if len(inputs) == 1:  # one document: its pairs stream out as they are translated
        sentences, one_failed = _translate_one(translator, inputs[0], args, fmt, progress, tally)
    else:
        sentences, one_failed = _translate_many(translator, inputs, args, fmt, progress, tally)
    failed = failed or one_failed
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
        if glossary:
            print(f"tarjama: glossary ({len(glossary)} terms): {tally.summary()}", file=sys.stderr)
    return 1 if failed else 0


def _collect(args: list[str], pattern: str | None) -> tuple[list[InputFile], bool]:
    inputs: list[InputFile] = []
    failed = False
    for arg in args:
        try:
            inputs.extend(expand_document(arg, pattern=pattern))
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
    return inputs, failed


def _glossary(args: argparse.Namespace, memory: TranslationMemory | None) -> Glossary | None:
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


@dataclass
class _Tally:
    """What the glossary did, over every file."""

    applied: int = 0
    sentences: int = 0
    missing: int = 0

    def note(self, pair: AlignedPair) -> None:
        if pair.terms:
            self.sentences += 1
            self.applied += sum(1 for t in pair.terms if t.applied)
            self.missing += len(pair.missing_terms)

    def summary(self) -> str:
        found = f"{self.applied} term occurrence(s) applied in {self.sentences} sentence(s)"
        return found + (f", {self.missing} could not be applied (flagged)" if self.missing else "")


def _translate_one(
    translator: Translator,
    item: InputFile,
    args: argparse.Namespace,
    fmt: str,
    progress: _Progress,
    tally: _Tally,
) -> tuple[int, bool]:
    """Translate one input, writing pairs as they come; return (sentences, failed)."""
    try:
        text = _read(item, args)
        pairs, info = translator.translate(text)
        _check_arabic(item, info)
        name = str(item.relative) if item.path else item.name
        return _write(item, progress.track(pairs, info, name), args, fmt, tally), False
    except (InputError, OSError) as exc:
        _report(item, exc)
        return 0, True


def _translate_many(
    translator: Translator,
    inputs: list[InputFile],
    args: argparse.Namespace,
    fmt: str,
    progress: _Progress,
    tally: _Tally,
) -> tuple[int, bool]:
    """Translate several inputs in order, sentences of consecutive ones sharing batches.

    Each output is still written whole (atomically) and in order, and a bad
    input fails alone. Return (sentences, whether any failed).
    """
    failed = False

    def readable() -> Iterator[tuple[InputFile, str]]:
        nonlocal failed
        for item in inputs:
            try:
                yield item, _read(item, args)
            except InputError as exc:
                _report(item, exc)
                failed = True
                progress.done(0)

    sentences = 0
    for document in translate_documents(translator, readable()):
        try:
            _check_arabic(document.key, document.info)
            sentences += _write(document.key, document.pairs, args, fmt, tally)
        except (InputError, OSError) as exc:
            _report(document.key, exc)
            failed = True
        progress.done(len(document.pairs))
    return sentences, failed


def _read(item: InputFile, args: argparse.Namespace) -> str:
    text = read_document(item, allow_private_urls=args.allow_private_urls)
    if not normalize_for_model(text):
        raise InputError(f"{item.name}: no text to translate (it is empty or holds only whitespace)")
    return text


def _check_arabic(item: InputFile, info: TranslationInfo) -> None:
    if not info.has_arabic:
        logger.warning("%s: no Arabic text found; translating it anyway", item.name)


def _report(item: InputFile, exc: InputError | OSError) -> None:
    if isinstance(exc, InputError):
        print(f"error: {exc}", file=sys.stderr)
    else:
        print(f"error: cannot write output for {item.name}: {exc.strerror or exc}", file=sys.stderr)


def _write(item: InputFile, pairs: Iterable[AlignedPair], args: argparse.Namespace, fmt: str, tally: _Tally) -> int:
    """Write ``item``'s pairs where they go (a file atomically, or stdout); warn about flagged ones."""
    flagged: list[AlignedPair] = []
    tracked = _noting_flags(pairs, flagged, tally)
    destination = _destination(item, args, fmt)
    if destination is None:
        count = write_pairs(tracked, utf8(sys.stdout), fmt, alignments=args.alignments)
    else:
        if item.path is not None and destination.resolve() == item.path.resolve():
            raise InputError(f"{item.name}: output would overwrite the input; choose another --out-dir or -o")
        with atomic_output(destination) as out:
            count = write_pairs(tracked, out, fmt, alignments=args.alignments)
        logger.info("%s -> %s", item.name, destination)
    _warn_flagged(item.name, flagged)
    return count


def _warn_flagged(name: str, flagged: list[AlignedPair]) -> None:
    looping = [p.index for p in flagged if p.truncated or p.repetitive]
    if looping:
        logger.warning(
            "%s: %d sentence(s) still cut off or repeating after a retry (sentence %s); "
            "check them, or see the truncated/repetitive fields in --format jsonl",
            name,
            len(looping),
            _listed(looping),
        )
    missing = [(p.index, t) for p in flagged for t in p.missing_terms]
    if missing:
        shown = "; ".join(f"sentence {i + 1}: {t.arabic} → {t.english}" for i, t in missing[:5])
        logger.warning(
            "%s: the glossary's English is missing %d time(s) (%s%s); see the terms field in --format jsonl",
            name,
            len(missing),
            shown,
            "; ..." if len(missing) > 5 else "",
        )


def _listed(indices: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indices[:10]) + (", ..." if len(indices) > 10 else "")


def _noting_flags(pairs: Iterable[AlignedPair], flagged: list[AlignedPair], tally: _Tally) -> Iterator[AlignedPair]:
    for pair in pairs:
        if pair.flagged:
            flagged.append(pair)
        tally.note(pair)
        yield pair


def _destination(item: InputFile, args: argparse.Namespace, fmt: str) -> Path | None:
    """Where ``item``'s output goes; ``None``: standard output."""
    if args.out_dir is not None:
        return _in_out_dir(item, args.out_dir, fmt)
    if args.output is not None and str(args.output) != STDIN:
        return args.output
    return None


def _in_out_dir(item: InputFile, out_dir: Path, fmt: str) -> Path:
    name = item.relative.name
    for suffix in (".txt", ".ar"):
        name = name.removesuffix(suffix)
    return out_dir / item.relative.parent / (name + EXTENSIONS[fmt])


def _format_from_name(path: Path | None) -> str | None:
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in WRITERS else None


class _Progress:
    """tqdm on stderr: for one input, its sentences as they come; for several, one bar over all of them.

    Several inputs are translated together, a window at a time, and finish a
    whole file at once: the bar moves by each file's sentences and counts the
    files done.
    """

    def __init__(self, *, enabled: bool, inputs: list[InputFile]) -> None:
        self.enabled = enabled
        self.overall = None
        self.files = len(inputs)
        self.finished = 0
        if enabled and len(inputs) > 1:
            from tqdm import tqdm

            total = sum(_count_quietly(item) for item in inputs)
            self.overall = tqdm(total=total, desc="all files", unit="sent", position=0, file=sys.stderr)
            self.overall.set_postfix_str(f"files 0/{self.files}")

    def done(self, sentences: int) -> None:
        """A file of several is finished (written or failed), with this many sentences."""
        self.finished += 1
        if self.overall is not None:
            self.overall.update(sentences)
            self.overall.set_postfix_str(f"files {self.finished}/{self.files}")

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
        return 0  # standard input can be read only once, and a page is not fetched twice
    try:
        return count_sentences(read_document(item))
    except InputError:
        return 0  # reported when the file's turn comes


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
