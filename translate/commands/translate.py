"""``tarjama translate``: files, folders and standard input to aligned pairs, with a progress bar."""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from translate.commands import distributed, names
from translate.commands.common import (
    UsageError,
    add_cache_arguments,
    add_engine_arguments,
    add_glossary_arguments,
    add_model_arguments,
    counted,
    open_glossary,
    open_memory,
    positive,
)
from translate.commands.documents import DOCUMENT_FORMATS, add_bilingual_argument, check_inputs, translate_document
from translate.commands.output import (
    Document,
    Findings,
    Progress,
    destination,
    format_from_name,
    in_out_dir,
    opened,
    output_format,
    report,
    write_document,
)
from translate.corpus import is_corpus, read_corpus
from translate.documents import check_arabic, translate_documents
from translate.errors import InputError
from translate.files import InputFile, remove_partial_outputs
from translate.glossary import TermTally
from translate.memory import CachedBackend
from translate.sources import expand_document, read_document, require_text
from translate.types import AlignedPair, TranslationOptions
from translate.writers import WRITERS

if TYPE_CHECKING:
    from translate.translator import Translator

logger = logging.getLogger("tarjama")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``translate`` to the ``tarjama`` parser."""
    tr = commands.add_parser(
        "translate",
        help="translate files or folders",
        description="Translate Arabic documents sentence by sentence: text, HTML (the article's main text), "
        ".docx, Markdown, subtitle, PDF and EPUB files, web pages, and folders of them; documents can also come "
        "back as themselves, in English (-f docx, html, md, epub, srt, vtt; a PDF as docx, html or md).",
    )
    tr.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a .txt, .html/.htm, .docx, .md, .srt, .vtt, .pdf or .epub file, a scan (.png, .jpg, .tif, .webp: read "
        "by OCR), an http(s):// URL, a folder (every such document in it, images aside), a .jsonl corpus (one "
        "document per line; written as JSONL with each pair's document id), "
        "or - for standard input",
    )
    tr.add_argument(
        "--glob", metavar="PATTERN", help="in folders, translate the files matching PATTERN (e.g. '**/*.html')"
    )
    tr.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="in a .jsonl corpus (one JSON document per line), the field holding the text (default: text)",
    )
    tr.add_argument(
        "--id-field",
        default="id",
        metavar="NAME",
        help="in a .jsonl corpus, the field holding the document's id, written on every pair "
        "(default: id; a line without one is known by its line number)",
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
        "-f",
        "--format",
        choices=[*WRITERS, *DOCUMENT_FORMATS],
        help="output format (default: from OUT's ending, else tsv); docx, html, md, epub, srt, vtt, pdf: each input "
        "of that kind back as a document of its kind, in English, left to right, its formatting on the aligned "
        "English words (subtitles with their cues and timings; a PDF as the same pages, or as a new docx, html "
        "or md)",
    )
    add_model_arguments(tr)
    tr.add_argument("--beam", type=positive, metavar="N", help="beam size (default: the model's, 4 for opus-mt)")
    tr.add_argument(
        "--max-length", type=positive, metavar="N", help="longest translation in tokens (default: the model's)"
    )
    tr.add_argument(
        "--batch-size",
        type=positive,
        metavar="N",
        help="sentences per batch (default: sized by backend, beam and CPU: CTranslate2 128 greedy, 32-64 in beam "
        "search; torch 32; -v says which and why)",
    )
    tr.add_argument(
        "--batch-tokens",
        type=positive,
        metavar="N",
        help="padded source tokens per batch (default: what fits --max-batch-memory; 4096 for torch)",
    )
    tr.add_argument(
        "--max-batch-memory",
        type=positive,
        metavar="MB",
        help="size batches to keep peak memory under MB (default: the naive transformers path's peak for the "
        "model's size, 700 MB for opus-mt-ar-en; torch: no cap unless given); -v shows the choice",
    )
    add_engine_arguments(tr)
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
    tr.add_argument(
        "--no-repair",
        dest="repair",
        action="store_false",
        help="do not put back numbers, links, e-mail addresses and handles the English lost or changed "
        "(they are still reported by the checks)",
    )
    tr.add_argument(
        "--no-checks",
        dest="checks",
        action="store_false",
        help="no fidelity checks (numbers, links, untranslated Arabic, dropped content, cut-short English) "
        "and no repairs",
    )
    tr.add_argument(
        "--review",
        type=Path,
        metavar="FILE",
        help="also write FILE, a TSV of every flagged sentence (any output format): file, place (paragraph or "
        "document block, from 0), index, the checks with their reasons, the Arabic and the English",
    )
    names.add_argument(tr)
    add_bilingual_argument(tr)
    add_cache_arguments(tr)
    add_glossary_arguments(tr)
    tr.add_argument(
        "--resume",
        action="store_true",
        help="with --out-dir: skip inputs whose output exists (outputs appear only when complete)",
    )
    distributed.add_arguments(tr)
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    tr.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from translate.translator import Translator

    fmt = args.format or format_from_name(args.output) or "tsv"
    if args.output is not None and not args.format and args.output.suffix and not format_from_name(args.output):
        endings = ", ".join(f".{name}" for name in [*WRITERS, *DOCUMENT_FORMATS])
        raise UsageError(f"-o {args.output}: tarjama writes {endings}; end OUT with one of them, or choose with -f")
    inputs, failed = _collect(args.inputs, args.glob, args.out_dir)  # how many arguments could not be read
    several = len(inputs) > 1 or any(Path(a).is_dir() for a in args.inputs)
    if several and args.out_dir is None:
        raise UsageError("several inputs (or a folder) need --out-dir DIR: one output file per input")
    if args.resume and args.out_dir is None:
        raise UsageError("--resume needs --out-dir DIR")
    if args.out_dir is not None and args.out_dir.exists() and not args.out_dir.is_dir():
        raise UsageError(f"--out-dir {args.out_dir} is a file; give a folder (it is created if missing)")
    if args.bilingual and fmt not in DOCUMENT_FORMATS:
        raise UsageError(
            "--bilingual writes documents (-f docx, html, md, epub, srt, vtt, pdf); tsv, jsonl and tmx hold "
            "both languages already"
        )
    if fmt in DOCUMENT_FORMATS:
        check_inputs(inputs, fmt, args.output, args.out_dir)
        if args.engine == "ray":
            raise UsageError(f"-f {fmt} runs with the local engine only (leave out --engine ray)")
    if args.out_dir is not None:
        inputs = _one_output_each(inputs, args.out_dir, fmt)
    corpora = [item.name for item in inputs if is_corpus(item.path)]
    if corpora and fmt != "jsonl" and (args.format or format_from_name(args.output)):
        raise UsageError(
            f"{corpora[0]} is a JSONL corpus: its output is JSONL, with each pair's document id; "
            + (f"drop -f {fmt}" if args.format else f"name the output {args.output.with_suffix('.jsonl').name}")
        )
    if args.engine == "ray":
        if args.review is not None:
            raise UsageError("--review runs with the local engine only (leave out --engine ray)")
        distributed.check(inputs, args)
    if not inputs:
        return 1
    skipped = 0
    if args.resume:
        # Outputs are renamed into place only when complete, so an existing one is done;
        # what an interrupted run left is at most a hidden temporary file, removed here.
        pending = []
        for item in inputs:
            output = in_out_dir(item, args.out_dir, output_format(item, fmt))  # --resume comes with --out-dir (checked)
            remove_partial_outputs(output)
            if not output.exists():
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
        max_batch_memory=args.max_batch_memory,
        device=args.device,
        backend=args.backend,
        compute_type=args.compute_type,
        threads=args.threads,
        retry=args.retry,
        # A document written back needs the alignment to put each formatting on the right English words.
        alignments=args.alignments or args.consistency is not None or fmt in DOCUMENT_FORMATS,
        repair=args.repair,
        checks=args.checks,
    )
    _quiet_third_party()
    started = time.monotonic()
    if args.engine == "ray":
        return distributed.run(inputs, args, fmt, options, failed=failed, skipped=skipped)
    memory = open_memory(args)
    glossary = open_glossary(args, memory)
    translator = Translator(
        args.model, options, revision=args.revision, local_files_only=args.offline, memory=memory, glossary=glossary
    )
    progress = Progress(
        enabled=not args.quiet and sys.stderr.isatty(),
        inputs=inputs,
        text_field=args.text_field,
        id_field=args.id_field,
    )
    tally = TermTally()
    findings = Findings(tally)
    if fmt in DOCUMENT_FORMATS:
        sentences, not_done = 0, 0
        for item in inputs:
            path = destination(item, args.output, args.out_dir, fmt)
            assert path is not None  # check_inputs asked for -o or --out-dir
            done = translate_document(
                translator,
                item,
                path,
                fmt,
                progress,
                findings,
                bilingual=args.bilingual,
                names=_names(args, translator),
                layout=args.pdf_pages,
            )
            sentences, not_done = sentences + done[0], not_done + done[1]
            progress.file_done()
    elif len(inputs) == 1 and not is_corpus(inputs[0].path):  # one document: its pairs stream out as they come
        sentences, not_done = _translate_one(translator, inputs[0], args, fmt, progress, findings)
    else:
        sentences, not_done = _translate_many(translator, inputs, args, fmt, progress, findings)
    failed += not_done
    progress.close()
    if args.review is not None:
        findings.write_review(args.review)
    if not args.quiet:
        elapsed = time.monotonic() - started
        backend = translator.backend
        remembered = ""
        if isinstance(backend, CachedBackend):
            remembered = f"; {translator.remembered} answered from the translation memory"
        resumed = f"; skipped {skipped} already translated" if skipped else ""
        failures = f", {failed} failed" if failed else ""
        print(
            f"tarjama: {counted(sentences, 'sentence')} from {counted(len(inputs), 'file')}{failures} in "
            f"{elapsed:.1f} s ({sentences / elapsed:.1f} sentences/s, {backend.name} on {backend.device}"
            f"{remembered}){resumed}",
            file=sys.stderr,
        )
        if glossary:
            print(f"tarjama: glossary ({len(glossary)} terms): {tally.summary()}", file=sys.stderr)
    return 1 if failed else 0


def _collect(args: list[str], pattern: str | None, out_dir: Path | None) -> tuple[list[InputFile], int]:
    """Every input the arguments name, and how many arguments failed.

    A folder's files under ``out_dir`` are left out: they are earlier outputs (an --out-dir inside the folder).
    """
    inputs: list[InputFile] = []
    failed = 0
    outputs = out_dir.resolve() if out_dir is not None else None
    for arg in args:
        try:
            found = expand_document(arg, pattern=pattern)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        if outputs is not None and Path(arg).is_dir():
            kept = [item for item in found if item.path is None or not item.path.resolve().is_relative_to(outputs)]
            if len(kept) < len(found):
                logger.warning("%s: left out %d file(s) under --out-dir %s", arg, len(found) - len(kept), out_dir)
            found = kept
        inputs.extend(found)
    return inputs, failed


def _one_output_each(inputs: list[InputFile], out_dir: Path, fmt: str) -> list[InputFile]:
    """``inputs`` without repeats; :class:`UsageError` if two of them would be written to one output file."""
    seen: set[str] = set()
    writers: dict[Path, InputFile] = {}
    kept = []
    for item in inputs:
        # The path as named, not resolved: a link in a folder is an input of its own, with its own output.
        key = os.path.abspath(item.path) if item.path is not None else (item.url or item.name)
        if key in seen:
            logger.warning("%s is named more than once; it is translated once", item.name)
            continue
        seen.add(key)
        output = in_out_dir(item, out_dir, output_format(item, fmt))
        if (first := writers.setdefault(output, item)) is not item:
            raise UsageError(
                f"{first.name} and {item.name} would both be written to {output}; "
                "rename one, or translate them in separate runs"
            )
        kept.append(item)
    return kept


def _translate_one(
    translator: Translator, item: InputFile, args: argparse.Namespace, fmt: str, progress: Progress, findings: Findings
) -> tuple[int, int]:
    """Translate one input, writing pairs as they come; return (sentences, inputs that failed: 0 or 1)."""
    try:
        text = _read(item, args, progress)
        path = destination(item, args.output, args.out_dir, fmt)
        # Rows shown as they come (a terminal) get a small opening batch; a file or a pipe, full batches only.
        pairs, info = translator.translate(text, first_rows_early=path is None and sys.stdout.isatty())
        check_arabic(item.name, info)
        name = str(item.relative) if item.path else item.name
        with opened(item, path) as out:
            tracked: Iterable[AlignedPair] = progress.track(pairs, info, name)
            if args.consistency == "fix":  # the whole document first: a name's spellings are counted over all of it
                tracked = names.make_consistent(translator, item.name, list(tracked))
            written = write_document(
                item.name,
                tracked,
                out,
                fmt,
                alignments=args.alignments,
                findings=findings,
                names=_names(args, translator),
            )
            return written, 0
    except (InputError, OSError) as exc:
        report(item, exc)
        return 0, 1


def _translate_many(
    translator: Translator,
    inputs: list[InputFile],
    args: argparse.Namespace,
    fmt: str,
    progress: Progress,
    findings: Findings,
) -> tuple[int, int]:
    """Translate several inputs (or a corpus's documents) in order, consecutive ones sharing batches.

    Each output is still written whole (atomically) and in order, and a bad
    input, or a bad line of a corpus, fails alone. Return (sentences, inputs
    with a failure: a corpus counts once, however many of its lines failed).
    """
    failed: set[str] = set()

    def failing(item: InputFile, exc: InputError | OSError) -> None:
        report(item, exc)
        failed.add(item.name)

    sentences = 0
    documents = translate_documents(translator, _documents(inputs, args, progress, failing))
    for position, group in itertools.groupby(documents, key=lambda document: document.key.position):
        item = inputs[position]
        item_format = output_format(item, fmt)
        try:
            with opened(item, destination(item, args.output, args.out_dir, item_format)) as out:
                for document in group:
                    check_arabic(document.key.name, document.info)
                    pairs = document.pairs
                    if args.consistency == "fix":
                        pairs = names.make_consistent(translator, document.key.name, list(pairs))
                    sentences += write_document(
                        document.key.name,
                        pairs,
                        out,
                        item_format,
                        alignments=args.alignments,
                        findings=findings,
                        document_id=document.key.id,
                        names=_names(args, translator),
                    )
                    progress.advance(len(document.pairs))
        except (InputError, OSError) as exc:
            failing(item, exc)
        progress.file_done()
    return sentences, len(failed)


def _documents(
    inputs: list[InputFile],
    args: argparse.Namespace,
    progress: Progress,
    failing: Callable[[InputFile, InputError], None],
) -> Iterator[tuple[Document, str]]:
    """Every input's text in order, a corpus's a document at a time; what cannot be read is reported."""
    for position, item in enumerate(inputs):
        found = 0
        try:
            if is_corpus(item.path):
                assert item.path is not None
                lines = read_corpus(
                    item.path, text_field=args.text_field, id_field=args.id_field, on_error=partial(failing, item)
                )
                for line in lines:
                    found += 1
                    yield Document(position, item, line.id, line.line), line.text
                if not found:
                    raise InputError(f"{item.name}: the corpus has no document to translate")
            else:
                yield Document(position, item), _read(item, args, progress)
                found = 1
        except InputError as exc:
            failing(item, exc)
            if not found:
                progress.file_done()


def _names(args: argparse.Namespace, translator: Translator) -> bool:
    """Whether to report names spelled two ways: the check reads the alignments, so only when there are some."""
    return translator.options.alignments and args.consistency != "fix"


def _read(item: InputFile, args: argparse.Namespace, progress: Progress) -> str:
    """An input's text; what reading it could not do (lines OCR left out) is said as a warning."""
    with progress.reading(item.name):
        text = require_text(read_document(item, allow_private_urls=args.allow_private_urls), item.name)
    for note in getattr(text, "notes", ()):
        logger.warning("%s", note)
    return text


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
