"""Which device a backend runs on: shared by every backend, importing none of them."""

from __future__ import annotations

from translate.errors import TranslateError


def pick_device(requested: str, *, cuda: bool, engine: str) -> str:
    """Resolve ``auto`` to cuda or cpu; refuse cuda where ``engine`` sees no GPU."""
    if requested == "auto":
        return "cuda" if cuda else "cpu"
    if requested.startswith("cuda") and not cuda:
        raise TranslateError(f"--device {requested} was asked for but {engine} sees no CUDA GPU; use --device cpu")
    return requested
