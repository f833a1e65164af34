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
import time
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
    """``level: message``; with ``-v``, a logged exception's traceback follows it."""

    def __init__(self, *, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname.lower()}: {record.getMessage()}"
        if self.verbose and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _Repeats(logging.Filter):
    """A line logged again within ``window`` seconds is held back, and counted on the next one let through: a
    flood (a client sending the same bad request, the system out of file handles) cannot fill the disk."""

    def __init__(self, window: float = 10.0, remembered: int = 1024) -> None:
        super().__init__()
        self.window, self.remembered = window, remembered
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, record.getMessage())
        now = time.monotonic()
        last, held = self._seen.get(key, (float("-inf"), 0))
        if now - last < self.window:
            self._seen[key] = (last, held + 1)
            return False
        if len(self._seen) >= self.remembered:
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] < self.window}
        self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.getMessage()} (and {held} more like it in the {self.window:g} s before)"
            record.args = ()
        return True


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(verbose=verbose))
    handler.addFilter(_Repeats())
    logger.handlers = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    # A server's one line per request is what it is run for: shown without -v (only `tarjama serve` logs here).
    logging.getLogger("tarjama.requests").setLevel(logging.INFO)
    # The HTTP server's and the event loop's own warnings (bad requests, accept() failing) go through the same
    # handler, so repeats are held back there too.
    for name in ("uvicorn", "asyncio"):
        other = logging.getLogger(name)
        other.handlers = [handler]
        other.propagate = False
