"""``tarjama reader``: registered with the tarjama CLI through the ``tarjama.commands`` entry point.

Kept free of heavy imports: Gradio and the models load only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from translate.commands.common import parse_size, remembers_corrections
from translate.ct2 import COMPUTE_TYPES
from translate.errors import TranslateError
from translate.local import on_loopback
from translate.registry import find_entry

DEFAULT_PORT = 7860


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``reader`` subcommand to the ``tarjama`` parser."""
    parser = commands.add_parser(
        "reader",
        help="start the bilingual web reader",
        description="Start the tarjama reader: Arabic and English side by side in your browser.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    """``python -m ui``: the same as ``tarjama reader``, with the same error handling and exit codes."""
    from translate.cli import main as tarjama

    return tarjama(["reader", *(sys.argv[1:] if argv is None else argv)])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--share", action="store_true", help="also open a public Gradio share link")
    parser.add_argument(
        "-m",
        "--model",
        action="append",
        default=[],
        metavar="MODEL",
        help="a local model directory or a name from `tarjama models` to offer (the first is the default); repeatable",
    )
    parser.add_argument("--offline", action="store_true", help="never download models; use the local cache")
    parser.add_argument("--beam", type=int, help="beam size (default: the model's own)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    parser.add_argument("--max-file-size", default="5mb", help="largest upload accepted (default 5mb)")
    parser.add_argument(
        "--max-text-size",
        default="5mb",
        help="largest text translated at once, pasted, uploaded, fetched or sent to the API (UTF-8; default 5mb)",
    )
    parser.add_argument(
        "--remember-corrections",
        choices=["auto", "yes", "no"],
        default="auto",
        help="also keep corrections in the translation memory, for every visitor and the CLI "
        "(default auto: only those made on this machine through no proxy; none when shared with --auth, --share "
        "or a non-loopback --host)",
    )
    parser.add_argument("--concurrency", type=int, default=1, help="translations run at once (default 1)")
    parser.add_argument(
        "--allow-private-urls", action="store_true", help="let the reader fetch URLs on loopback and private networks"
    )
    parser.add_argument("--backend", choices=["auto", "torch", "ctranslate2"], default="auto", help="inference engine")
    parser.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        default="auto",
        help="CTranslate2 precision (default auto: int8 on CPU, float16 on CUDA)",
    )
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument("--cache", type=Path, metavar="PATH", help="translation memory database (default: user cache)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the translation memory")
    parser.add_argument(
        "--glossary",
        type=Path,
        metavar="FILE",
        help="the glossary TSV to use and edit (default: glossary.tsv beside the translation memory)",
    )
    parser.add_argument(
        "--auth",
        default=os.environ.get("TARJAMA_READER_AUTH"),
        metavar="USER:PASSWORD",
        help="require this login (or set TARJAMA_READER_AUTH)",
    )


def is_shared(args: argparse.Namespace) -> bool:
    """Whether people other than the one at this machine can reach the reader."""
    return bool(args.auth or args.share or not on_loopback(args.host))


def run(args: argparse.Namespace) -> int:
    """Build and serve the reader until interrupted."""
    parse_size("--max-file-size", args.max_file_size)
    max_text_bytes = parse_size("--max-text-size", args.max_text_size)
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            raise TranslateError("--auth must look like USER:PASSWORD")
        auth = (user, password)
    local, named = [], []
    for model in args.model:
        if Path(model).is_dir():
            local.append(Path(model))
        elif (entry := find_entry(model)) is not None:
            named.append(entry.name)
        else:
            raise TranslateError(
                f"--model {model}: no such directory or model name; see `tarjama models` for the names"
            )
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        from translate import TranslationOptions
        from ui.app import build_app, launch
        from ui.models import ModelPool
    except ImportError as exc:
        raise TranslateError(
            f"the reader needs its extra dependencies ({exc.name} is missing): pip install 'tarjama[reader]'"
        ) from None
    from translate.commands.common import open_memory
    from translate.glossary import glossary_beside

    options = TranslationOptions(
        beam=args.beam, device=args.device, backend=args.backend, compute_type=args.compute_type
    )
    memory = open_memory(args)
    glossary = args.glossary or (glossary_beside(memory.path) if memory is not None else None)
    pool = ModelPool(
        options,
        local_dirs=local,
        first=named,
        local_files_only=args.offline,
        memory=memory,
        glossary_path=glossary,
    )
    remember = remembers_corrections(args.remember_corrections, shared=is_shared(args))
    app = build_app(
        pool,
        allow_private_urls=args.allow_private_urls,
        max_text_bytes=max_text_bytes,
        remember_corrections=remember != "never",
        local_only=remember == "local",
    )
    launch(
        app,
        host=args.host,
        port=args.port,
        share=args.share,
        max_file_size=args.max_file_size,
        concurrency=args.concurrency,
        auth=auth,
    )
    return 0
