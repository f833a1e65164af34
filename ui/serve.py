"""The reader mounted on ``tarjama serve`` (found through the ``tarjama.reader`` entry point).

It shares the server's model: its translator goes through the server's
scheduler, so the reader's sentences share batches with the API's.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from translate import Translator
    from translate.memory import TranslationMemory


def mount(
    app: FastAPI,
    *,
    translator: Callable[[], Translator],
    model: str,
    memory: TranslationMemory | None,
    glossary_path: Path | None,
    remember_corrections: bool,
    local_only: bool = False,
    max_text_bytes: int = 5_000_000,
    max_file_size: str = "5mb",
) -> FastAPI:
    """``app`` with the reader at ``/``, offering the server's one model (``translator()`` waits for it).

    ``local_only``: corrections are remembered only from requests of this machine through no proxy.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from translate import TranslationOptions
    from ui.app import asset, build_app, reader_theme
    from ui.models import ModelPool

    pool = ModelPool(
        TranslationOptions(),
        local_dirs=[Path(model)] if Path(model).is_dir() else None,
        first=None if Path(model).is_dir() else [model],
        memory=memory,
        glossary_path=glossary_path,
        loader=lambda _name: translator(),
    )
    blocks = build_app(
        pool, max_text_bytes=max_text_bytes, remember_corrections=remember_corrections, local_only=local_only
    )
    blocks.queue(default_concurrency_limit=None, max_size=256)  # the server's scheduler is what serialises the model
    return gr.mount_gradio_app(
        app,
        blocks,
        path="",
        max_file_size=max_file_size,
        css=asset("reader.css"),
        theme=reader_theme(),
        show_error=False,
        footer_links=["api"],
    )
