"""Reading input files as text, finding them in folders, and writing outputs atomically."""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from translate.errors import InputError

STDIN = "-"


@dataclass(frozen=True)
class InputFile:
    """One input: a file (or ``-`` for standard input) and its path relative to what was named."""

    name: str
    path: Path | None
    relative: Path


def expand_input(arg: str) -> list[InputFile]:
    """Turn one command-line argument into inputs: ``-``, a file, or every ``*.txt`` under a folder."""
    if arg == STDIN:
        return [InputFile(STDIN, None, Path("stdin.txt"))]
    path = Path(arg)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise InputError(
                f"{arg}: folder has no .txt files; name the files to translate, or a folder that holds some"
            )
        return [InputFile(str(p), p, p.relative_to(path)) for p in files]
    return [InputFile(arg, path, Path(path.name))]


def read_input(item: InputFile, stdin: TextIO | None = None) -> str:
    """Read an input as text; raise :class:`InputError` if it is missing or not text."""
    if item.path is None:
        stream = stdin if stdin is not None else sys.stdin
        return decode_text(stream.buffer.read(), "<stdin>")
    try:
        data = item.path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{item.name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{item.name}: is a folder") from None
    except OSError as exc:
        raise InputError(f"{item.name}: cannot read it ({exc.strerror or exc})") from None
    return decode_text(data, item.name)


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (or UTF-16 with a byte order mark); the leading BOM is dropped."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: starts with a UTF-16 byte order mark but is not valid UTF-16 "
                f"(offset {exc.start}); save it as UTF-8"
            ) from None
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(f"{name}: looks like a binary file (NUL byte at offset {nul}); give a UTF-8 text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert it first, e.g. `iconv -f cp1256 -t utf-8`"
        ) from None


def remove_partial_outputs(path: Path) -> None:
    """Delete the temporary files an interrupted :func:`atomic_output` left beside ``path``."""
    if path.parent.is_dir():
        for leftover in path.parent.glob(f".{path.name}.*.part"):
            leftover.unlink(missing_ok=True)


def _plain_file_mode() -> int:
    umask = os.umask(0o022)  # the only way to read the umask is to set it
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """Write a text file so that it appears whole or not at all.

    Writes to a hidden temporary file beside ``path`` and renames it into
    place only when the block finishes without error; on error the temporary
    file is removed and ``path`` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, _plain_file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
