"""Where tarjama keeps its caches (read from the environment when asked, never at import)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/tarjama`` (``~/.cache/tarjama`` when unset): translation memory, converted models."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tarjama"
