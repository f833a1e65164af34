"""``tarjama translate --engine ray``: the command line's side of the Ray Data engine."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import time
import uuid
from pathlib import Path

from translate.commands.common import UsageError, counted, open_glossary, open_memory, positive
from translate.commands.output import in_out_dir
from translate.corpus import is_corpus
from translate.errors import TranslateError
from translate.files import InputFile
from translate.registry import default_model, resolve_model
from translate.types import TranslationOptions

logger = logging.getLogger("tarjama")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and the Ray engine's options."""
    group = parser.add_argument_group("scaling out (see the README's Scaling out)")
    group.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local: this process (default); ray: Ray Data workers on a Ray cluster (pip install 'tarjama[ray]')",
    )
    group.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="with --engine ray: the cluster to join (default: $RAY_ADDRESS, else a Ray started on this machine)",
    )
    group.add_argument(
        "--ray-actors", type=positive, metavar="N", help="with --engine ray: translating actors (default: CPUs allow)"
    )
    group.add_argument(
        "--ray-cpus",
        type=float,
        metavar="C",
        help="with --engine ray: CPUs per actor, also its thread count (default 4, at most the cluster's less 0.5)",
    )
    group.add_argument(
        "--ray-batch",
        type=positive,
        default=16,
        metavar="N",
        help="with --engine ray: documents an actor translates together (default 16)",
    )


def check(inputs: list[InputFile], args: argparse.Namespace) -> None:
    """Raise :class:`UsageError` unless the Ray engine can take this command line."""
    if args.out_dir is None:
        raise UsageError("--engine ray writes one output per input: give --out-dir DIR (on storage every worker sees)")
    for item in inputs:
        if item.path is None:
            raise UsageError(f"--engine ray reads files, not {item.name}; save it first, or use --engine local")
        if is_corpus(item.path):
            raise UsageError(f"--engine ray takes documents, not JSONL corpora ({item.name}); use --engine local")
    if args.consistency == "fix":
        raise UsageError("--consistency fix needs a whole document in one process: use --engine local")
    if importlib.util.find_spec("ray") is None:
        raise UsageError("--engine ray needs Ray: pip install 'tarjama[ray]'")
    if args.ray_cpus is not None and args.ray_cpus <= 0:
        raise UsageError(f"--ray-cpus must be more than 0, got {args.ray_cpus}")


def run(
    inputs: list[InputFile],
    args: argparse.Namespace,
    fmt: str,
    options: TranslationOptions,
    *,
    failed: int,
    skipped: int,
) -> int:
    """Translate ``inputs`` on Ray; report each failure in one line, and a summary; return the exit code."""
    from translate.engines.ray_data import FileJob, RaySettings, translate_files

    started = time.monotonic()
    if not (args.address or os.environ.get("RAY_ADDRESS")):
        # A Ray on this machine shares its files: a missing model is told in one line here, where a
        # worker could only fail to start (a cluster's nodes may hold models this machine lacks).
        resolve_model(args.model or default_model(), revision=args.revision, local_files_only=args.offline)
    out_dir = args.out_dir.resolve()
    memory = open_memory(args)
    settings = RaySettings(
        model=_shared(args.model),
        options=options,
        revision=args.revision,
        local_files_only=args.offline,
        glossary=open_glossary(args, memory),
        fmt=fmt,
        alignments=args.alignments,
        run_folder=str(out_dir / ".tarjama-ray" / uuid.uuid4().hex),
        memory=memory is not None,
    )
    jobs = []
    for item in inputs:
        assert item.path is not None  # check() refused the others
        # As named, not resolved: a link is an input of its own, named and placed as the local engine does.
        jobs.append(FileJob(Path(os.path.abspath(item.path)), in_out_dir(item, out_dir, fmt).parent))
    try:
        outcome = translate_files(
            jobs,
            settings,
            address=args.address,
            actors=args.ray_actors,
            cpus_per_actor=args.ray_cpus,
            documents_per_batch=args.ray_batch,
            memory=memory,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except TranslateError as exc:
        print(
            f"error: {exc}; the outputs written so far are complete: run again with --resume to do the rest",
            file=sys.stderr,
        )
        return 1
    names = {str(job.source): item.name for job, item in zip(jobs, inputs, strict=True)}
    for source, message in outcome.failed:
        # Workers name an input by its absolute path; the local engine as it was given.
        if message.startswith(source + ":"):
            message = names.get(source, source) + message[len(source) :]
        print(f"error: {message}", file=sys.stderr)
    for warning in outcome.warnings:
        logger.warning("%s", warning)
    if not args.quiet:
        elapsed = time.monotonic() - started
        resumed = f"; skipped {skipped} already translated" if skipped else ""
        remembered = f"; {outcome.remembered} new translations added to the memory" if memory is not None else ""
        failures = failed + len(outcome.failed)
        print(
            f"tarjama: {counted(outcome.sentences, 'sentence')} from {counted(len(inputs), 'file')}"
            f"{f', {failures} failed' if failures else ''} in "
            f"{elapsed:.1f} s ({outcome.sentences / elapsed:.1f} sentences/s, Ray Data{remembered}){resumed}",
            file=sys.stderr,
        )
        if settings.glossary:
            print(f"tarjama: glossary ({len(settings.glossary)} terms): {outcome.terms.summary()}", file=sys.stderr)
    return 1 if failed or outcome.failed else 0


def _shared(model: str | None) -> str | None:
    """A model folder as an absolute path (workers run elsewhere); a model name as it is."""
    if model is not None and Path(model).is_dir():
        return str(Path(model).resolve())
    return model
