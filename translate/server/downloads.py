"""Translated files kept for download (``POST /translate_file`` → ``GET /download_file/…``).

Each server keeps them in a folder of its own, named with its pid
(``tarjama-serve-<pid>-…`` in the temporary folder), removed when it stops;
at start, the folders of this user's servers that are no longer running (a
SIGKILL, a crash) are removed. Files are kept :data:`FILE_LIFETIME` seconds
(LibreTranslate's 30 minutes) and, all together, at most ``limit`` bytes:
the oldest go first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from translate.server.limits import LimitError

logger = logging.getLogger("tarjama")

FILE_LIFETIME = 30 * 60
"""Seconds a translated file stays downloadable (LibreTranslate's 30 minutes)."""
PREFIX = "tarjama-serve-"
STORED = re.compile(r"[0-9a-f]{32}\.[^/\\\x00]+")
"""A stored file's name: a random id (what makes the link unguessable), then the name the client sees."""
UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")
NAME_BYTES = 150
"""The longest name (UTF-8 bytes) kept from an upload: with the id, within a file system's 255."""


class Downloads:
    """The translated files of one server, in ``folder``, at most ``limit`` bytes together."""

    def __init__(self, folder: Path, *, limit: int) -> None:
        self.folder = folder
        self.limit = limit

    def put(self, name: str, data: bytes) -> str:
        """Keep ``data`` as a file the client will see as ``name``; the name to download it by.

        :class:`LimitError` 507 if it alone is over the limit; else the oldest files make room for it. Nothing
        here awaits, so on the server's event loop two uploads never evict and count at the same time.
        """
        if len(data) > self.limit:
            raise LimitError(
                507,
                f"the translated file ({len(data):,} bytes) is larger than this server keeps for download "
                f"({self.limit:,} bytes, --files-limit); POST it to /v1/documents, which answers with the file itself",
            )
        self.forget_old()
        kept = sorted(self._files(), key=lambda f: (f[1].st_mtime_ns, f[0].name))
        total = sum(stat.st_size for _, stat in kept)
        for path, stat in kept:
            if total + len(data) <= self.limit:
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            total -= stat.st_size
        stored = f"{uuid.uuid4().hex}.{safe_name(name)}"
        self.folder.mkdir(exist_ok=True)  # a folder removed under a running server (a tmp cleaner) comes back
        partial = self.folder / f".{stored}"
        partial.write_bytes(data)
        partial.replace(self.folder / stored)  # never downloaded half-written
        return stored

    def find(self, stored: str) -> Path | None:
        """The file stored as ``stored`` (a name :meth:`put` gave), if it is still kept."""
        if not STORED.fullmatch(stored):
            return None
        path = self.folder / stored
        if not path.is_file() or time.time() - path.stat().st_mtime > FILE_LIFETIME:
            return None
        return path

    def forget_old(self) -> None:
        """Files older than :data:`FILE_LIFETIME` are removed (each new one is a chance to look)."""
        now = time.time()
        for path, stat in self._files():
            if now - stat.st_mtime > FILE_LIFETIME:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def remove(self) -> None:
        """The folder and everything in it (the server is stopping)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def _files(self) -> list[tuple[Path, os.stat_result]]:
        found = []
        with contextlib.suppress(FileNotFoundError):
            for path in self.folder.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    stat = path.stat()
                    if path.is_file():
                        found.append((path, stat))
        return found


def safe_name(name: str) -> str:
    """``name`` as a file name on any system: no separators or control characters, at most :data:`NAME_BYTES`."""
    name = UNSAFE.sub("_", name)
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    room = NAME_BYTES - len(suffix.encode()) - len(dot)
    stem = stem.encode()[: max(room, 1)].decode("utf-8", "ignore")
    return f"{stem}{dot}{suffix}"


def content_disposition(name: str) -> str:
    """``attachment`` with ``name`` as RFC 6266 asks: an ASCII ``filename`` for old clients, the real one in
    ``filename*`` (RFC 5987), so quotes, semicolons and Arabic in a name cannot break the header."""
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def new_folder(root: Path | None = None) -> Path:
    """A folder for this server's files, named with its pid, after removing those of servers that are gone."""
    root = root or Path(tempfile.gettempdir())
    remove_stale(root)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))


def remove_stale(root: Path) -> list[Path]:
    """The folders in ``root`` of this user's servers no longer running, removed; the paths removed.

    A folder's pid says which server owns it; one whose process is alive is left alone (if that pid now
    belongs to another program, the folder waits for it to end: kept too long, never removed too soon).
    Folders of other users, and those not named with a pid (an older tarjama's), are not touched.
    """
    removed = []
    for path in root.glob(f"{PREFIX}*"):
        match = re.fullmatch(rf"{PREFIX}(\d+)-.+", path.name)
        try:
            stat = path.lstat()
        except FileNotFoundError:
            continue
        if match is None or not path.is_dir() or path.is_symlink() or stat.st_uid != os.getuid():
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)
        logger.info("removed %s (files of a tarjama server that is no longer running)", path)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user has that pid now
        return True
    return True


def download_name(stored: str) -> str:
    """The name the client sees for a stored file (without its id)."""
    return stored.split(".", 1)[1]


def link_path(stored: str) -> str:
    """The path of a stored file's download, percent-encoded (``#``, ``?``, ``%`` and Arabic in names)."""
    return f"/download_file/{quote(stored, safe='')}"


__all__ = ["FILE_LIFETIME", "Downloads", "content_disposition", "new_folder", "remove_stale"]
