"""The errors tarjama raises on purpose. Each message says how to fix the problem."""

from __future__ import annotations


class TranslateError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class InputError(TranslateError):
    """The input cannot be read as text (missing, binary, wrong encoding...)."""


class UnknownModelError(TranslateError):
    """A model name that is neither in models.txt, a hub id, nor a directory."""


class ModelUnavailableError(TranslateError):
    """The model is known but its files cannot be had (not cached, offline, broken)."""


def describe(exc: BaseException) -> str:
    """``Type: first line of the message``, for folding a library's exception into one line of ours."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def unreadable(name: object, exc: OSError, *, folder: str = "is a folder") -> InputError:
    """The one-line error for a file that cannot be opened: missing, a folder (``folder`` says so), or refused."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: {folder}")
    return InputError(f"{name}: cannot read it ({exc.strerror or exc})")
