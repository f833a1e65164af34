"""Reading input files as text, finding them in folders, and writing outputs atomically."""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from translate.errors import InputError, unreadable

STDIN = "-"

LEGACY_ARABIC_ENCODINGS = (("cp1256", "Windows-1256"), ("iso8859-6", "ISO-8859-6"))
"""Single-byte Arabic code pages tried, in this order, for a file that is not UTF-8: (codec, name)."""
MIN_ARABIC_SHARE = 0.8
"""A legacy decoding is accepted only if at least this share of its letters are Arabic."""

# Control characters never occur in text files (tab, line feed, form feed and carriage return aside).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")

logger = logging.getLogger("tarjama")


@dataclass(frozen=True)
class InputFile:
    """One input: a file, a web page (``url``), or ``-`` for standard input, and its name for outputs.

    ``relative`` is its path relative to the folder named on the command line
    (a file or URL named directly has just its name).
    """

    name: str
    path: Path | None
    relative: Path
    url: str | None = None


def expand_input(arg: str, *, suffixes: tuple[str, ...] = (".txt",), pattern: str | None = None) -> list[InputFile]:
    """Turn one command-line argument into inputs: ``-``, a file, or a folder's documents.

    A folder gives every file under it whose name ends in one of ``suffixes``,
    or, with ``pattern``, every file matching that glob (``*.html``,
    ``2024/**/*.txt``), in sorted order.
    """
    if arg == STDIN:
        return [InputFile(STDIN, None, Path("stdin.txt"))]
    path = Path(arg)
    if path.is_dir():
        if pattern and (Path(pattern).is_absolute() or ".." in Path(pattern).parts):
            # Outputs are named by the path under the folder: one from outside it would be written outside --out-dir.
            raise InputError(f"--glob {pattern}: a pattern must stay inside the folder {arg} (no '..', not absolute)")
        candidates = path.glob(pattern) if pattern else path.rglob("*")
        files = sorted(p for p in candidates if p.is_file() and (pattern or p.suffix.lower() in suffixes))
        if not files:
            listed = ", ".join(suffixes[:-1]) + " or " + suffixes[-1] if len(suffixes) > 1 else suffixes[0]
            wanted = f"files matching {pattern}" if pattern else f"{listed} files"
            raise InputError(f"{arg}: folder has no {wanted}; name the files to translate, or a folder that holds some")
        return [InputFile(str(p), p, p.relative_to(path)) for p in files]
    return [InputFile(arg, path, Path(path.name))]


def read_input(item: InputFile, stdin: TextIO | None = None) -> str:
    """Read an input as text; raise :class:`InputError` if it is missing or not text."""
    if item.path is None:
        stream = stdin if stdin is not None else sys.stdin
        return decode_text(stream.buffer.read(), "<stdin>")
    return decode_text(read_bytes(item.path, item.name), item.name)


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes; :class:`InputError` in one line (named ``name``) if it is missing or unreadable."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise unreadable(name, exc) from None


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file's bytes; raise :class:`InputError` if they are not text.

    UTF-8 (a leading BOM is dropped) and UTF-16 with a byte order mark are read
    as such. Bytes that are not UTF-8 are read as Arabic in a legacy code page
    (Windows-1256 or ISO-8859-6) when that gives Arabic text, and refused
    otherwise; the code page used is logged.
    """
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
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
    if _damaged_utf8(data):
        raise InputError(
            f"{name}: not valid UTF-8 ({where}) though most of it is: it may be cut short, damaged "
            "or mix encodings; save it again as UTF-8"
        )
    legacy = _legacy_arabic(data)
    if legacy is None:
        raise InputError(
            f"{name}: not valid UTF-8 ({where}), nor Arabic in Windows-1256 or ISO-8859-6; save it as UTF-8"
        )
    text, encoding = legacy
    logger.info("%s: not UTF-8; read it as Arabic in %s", name, encoding)
    return text


def _damaged_utf8(data: bytes) -> bool:
    """Whether bytes that fail strict UTF-8 are still mostly UTF-8 (a cut-off or corrupted file).

    Such a file must not be read as a legacy code page: UTF-8 Arabic read as
    Windows-1256 is mojibake made mostly of Arabic letters (ظ and ط for the lead
    bytes), which the letter-share test would accept. In real Windows-1256
    Arabic, letters follow letters and almost no byte pair is a valid UTF-8
    sequence (about 1 in 100 characters in a news article), so "at least as many
    valid multi-byte characters as invalid bytes" tells the two apart with a
    wide margin on both sides.
    """
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    return valid >= invalid


def _legacy_arabic(data: bytes) -> tuple[str, str] | None:
    """Arabic text and the name of its code page, if ``data`` reads as Arabic in one; else ``None``.

    Why a fixed rule and not a statistical detector (charset-normalizer comes
    with trafilatura): this tool translates Arabic, so the only legacy question
    is "is this Arabic in an Arabic code page?", and the share of Arabic letters
    answers it deterministically, for inputs of any length. A detector answers
    a wider question by guessing: charset-normalizer 3.5 reads Windows-1256
    "مرحبا" as Japanese cp932 and Latin-1 "café" as UTF-16-BE, and its guesses
    change between versions.

    Windows-1256 keeps the French accented letters, so Latin-1/Windows-1252
    text decodes to Latin letters and is refused (share near 0); Cyrillic, Greek
    and Hebrew code pages land partly on those Latin letters (0.38-0.57 measured,
    a sentence each) and are refused too; random high bytes give about 0.74, and
    binary is refused for its control bytes. ISO-8859-6 Arabic read as
    Windows-1256 is still about 0.82 (wrong) Arabic letters, so both code pages
    are tried and the higher share wins; Windows-1256 Arabic seldom decodes as
    ISO-8859-6 at all (ف ق ك غ are holes there), and a short text that reads as
    fully Arabic in both goes to Windows-1256, by far the more common. Arabic
    with over a fifth of its letters in Latin script is refused: save it as UTF-8.
    """
    if _CONTROL_BYTES.search(data):
        return None
    best: tuple[float, str, str] | None = None
    for codec, encoding in LEGACY_ARABIC_ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = _arabic_share(text)
        if share >= MIN_ARABIC_SHARE and (best is None or share > best[0]):
            best = (share, text, encoding)
    return None if best is None else (best[1], best[2])


def _arabic_share(text: str) -> float:
    """The share of Arabic letters among the letters of ``text`` (0 when it has none)."""
    letters = sum(map(str.isalpha, text))
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff" and ch.isalpha())
    return arabic / letters if letters else 0.0


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
    with _atomic(path) as fd, os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write a binary file (a document) so that it appears whole or not at all, as :func:`atomic_output`."""
    with _atomic(path) as fd, os.fdopen(fd, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[int]:
    """A descriptor of a hidden temporary file beside ``path``, renamed to ``path`` once the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, _plain_file_mode())
        yield fd  # closed by the caller's stream
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
