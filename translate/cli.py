"""The ``tarjama`` command line.

The only module that configures logging or decides exit codes: 0 ok, 1 a
runtime error (a one-line ``error: ...``), 2 a usage error. Data goes to
stdout or files, messages to stderr. Each command lives in its own module
under ``translate.commands``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import entry_points
from typing import NoReturn

from translate.commands import cache, models, serve
from translate.commands import translate as translate_command
from translate.commands.common import UsageError, open_memory
from translate.errors import TranslateError, UnknownModelError
from translate.version import __version__

__all__ = ["UsageError", "build_parser", "main", "open_memory"]

logger = logging.getLogger("tarjama")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (the usage block is what ``--help`` is for)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``tarjama``."""
    parser = _Parser(prog="tarjama", description="Arabic to English machine translation with sentence-aligned output.")
    parser.add_argument("--version", action="version", version=f"tarjama {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is happening")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    translate_command.register(commands)
    models.register(commands)
    cache.register(commands)
    serve.register(commands)
    # Other packages (the web reader in ``ui``) add their commands here, so
    # this package never imports them.
    for entry_point in entry_points(group="tarjama.commands"):
        entry_point.load()(commands)
    for command in commands.choices.values():  # `tarjama translate -v` too, as people type it
        command.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log what is happening"
        )
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


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger.handlers = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    # A server's one line per request is what it is run for: shown without -v (only `tarjama serve` logs here).
    logging.getLogger("tarjama.requests").setLevel(logging.INFO)
