"""The bilingual reader: a Gradio app that shows an Arabic article and its English side by side.

``build_app(pool)`` returns the ``gr.Blocks``; ``launch(app, ...)`` serves it.
Handlers that translate are generators: the Arabic appears at once, and the
English fills in row by row as batches finish.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr

from translate import AlignedPair, TranslateError, write_pairs, write_tsv
from translate.normalize import normalize_for_model
from ui.models import ModelPool
from ui.render import EMPTY_VIEW, render_document, render_error, render_status
from ui.sources import SUPPORTED_SUFFIXES, text_from_file, text_from_url

logger = logging.getLogger("tarjama")

STREAM_INTERVAL = 0.25
"""Seconds between view updates while a translation streams in."""

HEADER = (
    '<div class="tj-header"><h1 style="margin-bottom:0.2em">tarjama '
    '<span lang="ar" dir="rtl" style="font-weight:400">ترجمة</span></h1>'
    '<p style="margin-top:0">Arabic → English, sentence by sentence. Hover a sentence to see its partner; '
    "click an English sentence to correct it; download the aligned pairs.</p></div>"
)


@dataclass(frozen=True)
class Reading:
    """A translated document in one browser session."""

    name: str
    model: str
    pairs: tuple[AlignedPair, ...]


def asset(name: str) -> str:
    """The text of a file in ``ui/static``."""
    return resources.files("ui").joinpath("static", name).read_text(encoding="utf-8")


def seed_examples() -> list[tuple[str, str]]:
    """(label, text) for every sample article shipped in ``seeds/``."""
    seeds = resources.files("ui").joinpath("seeds")
    files = sorted((f for f in seeds.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return [(f.name.removesuffix(".txt"), f.read_text(encoding="utf-8")) for f in files]


class Reader:
    """The app's handlers, bound to a model pool and a folder for downloads."""

    def __init__(self, pool: ModelPool, *, downloads: Path, allow_private_urls: bool = False) -> None:
        self.pool = pool
        self.downloads = downloads
        self.allow_private_urls = allow_private_urls

    # Each translate handler yields: text box, status, view, reading, and the three downloads.
    def translate_text(self, text: str, model: str) -> Iterator[tuple[Any, ...]]:
        """Translate pasted text, streaming rows into the view."""
        yield from self._stream(text or "", model, name="translation", text_update=gr.skip())

    def translate_file(self, path: str | None, model: str) -> Iterator[tuple[Any, ...]]:
        """Extract an uploaded file's text, show it in the text box, and translate it."""
        if not path:
            yield self._failure("No file received: upload a .txt, .html or .docx file.")
            return
        name = Path(path).name
        try:
            text = text_from_file(path, name)
        except TranslateError as exc:
            yield self._failure(str(exc))
            return
        yield from self._stream(text, model, name=Path(name).stem, text_update=text)

    def translate_url(self, url: str, model: str) -> Iterator[tuple[Any, ...]]:
        """Fetch an article page, show its main text in the text box, and translate it."""
        yield (gr.skip(), render_status(0, 0, note=f"Fetching {url.strip()} …"), *[gr.skip()] * 5)
        try:
            text = text_from_url(url or "", allow_private=self.allow_private_urls)
        except TranslateError as exc:
            yield self._failure(str(exc))
            return
        yield from self._stream(text, model, name="article", text_update=text)

    def edit(self, reading: Reading | None, event: gr.EventData) -> tuple[Any, ...]:
        """Store a person's correction of one English sentence and refresh the downloads."""
        index, text = int(event.index), " ".join(str(event.text).split())
        if reading is None or not 0 <= index < len(reading.pairs) or not text:
            return (gr.skip(),) * 5
        pair = reading.pairs[index]
        if text == pair.target and not pair.edited:
            return (gr.skip(),) * 5
        if text == pair.target:  # sent again (the page retries what it saw no answer to): confirm it again
            return gr.skip(), _saved_status(reading, index), *[gr.skip()] * 3
        pairs = list(reading.pairs)
        pairs[index] = dataclasses.replace(pair, target=text, edited=True)
        if self.pool.memory is not None:
            # Next time this sentence appears, in the reader or the CLI, the correction wins.
            self.pool.memory.store_human(normalize_for_model(pair.source), text)
        reading = dataclasses.replace(reading, pairs=tuple(pairs))
        return reading, _saved_status(reading, index), *self._downloads(reading)

    def api_translate(self, text: str, model: str) -> list[dict[str, Any]]:
        """Translate ``text`` and return the aligned pairs (one dict per source sentence)."""
        try:
            pairs = self.pool.get(model or self.pool.default()).translate_text(text or "")
        except TranslateError as exc:
            raise gr.Error(str(exc)) from None
        return [dataclasses.asdict(p) for p in pairs]

    def _stream(self, text: str, model: str, *, name: str, text_update: Any) -> Iterator[tuple[Any, ...]]:
        if not normalize_for_model(text):
            yield self._failure("Nothing to translate: paste Arabic text, upload a file or give an article URL.")
            return
        started = time.monotonic()
        try:
            if not self.pool.loaded(model):
                yield (text_update, render_status(0, 0, note=f"Loading {model} (first use only) …"), *[gr.skip()] * 5)
            pairs, info = self.pool.get(model).translate(text)
        except TranslateError as exc:
            yield self._failure(str(exc))
            return
        note = "" if info.has_arabic else "no Arabic letters found; translating anyway"
        done: dict[int, AlignedPair] = {}
        last = time.monotonic()
        yield (
            text_update,
            render_status(0, info.sentences, seconds=0.0, note=note),
            render_document(info.segments, done),
            None,
            *self._no_downloads(),
        )
        for pair in pairs:
            done[pair.index] = pair
            if time.monotonic() - last >= STREAM_INTERVAL:
                last = time.monotonic()
                status = render_status(len(done), info.sentences, seconds=last - started, note=note)
                yield gr.skip(), status, render_document(info.segments, done), gr.skip(), *[gr.skip()] * 3
        reading = Reading(name=name, model=model, pairs=tuple(done[i] for i in range(info.sentences)))
        seconds = time.monotonic() - started
        yield (
            gr.skip(),
            render_status(info.sentences, info.sentences, seconds=seconds, note=note or "done"),
            render_document(info.segments, done, editable=True),
            reading,
            *self._downloads(reading),
        )

    def _failure(self, message: str) -> tuple[Any, ...]:
        return (gr.skip(), render_error(message), *[gr.skip()] * 5)

    def _downloads(self, reading: Reading) -> list[gr.DownloadButton]:
        folder = self.downloads / uuid.uuid4().hex
        folder.mkdir(parents=True)
        buttons = []
        for fmt in ("tsv", "jsonl", "tmx"):
            path = folder / f"{reading.name}.{fmt}"
            with path.open("w", encoding="utf-8", newline="") as out:
                if fmt == "tsv":  # the one format that needs telling to mark corrections
                    write_tsv(reading.pairs, out, mark_edits=any(p.edited for p in reading.pairs))
                else:
                    write_pairs(reading.pairs, out, fmt)
            buttons.append(gr.DownloadButton(value=str(path), interactive=True))
        return buttons

    @staticmethod
    def _no_downloads() -> list[gr.DownloadButton]:
        return [gr.DownloadButton(value=None, interactive=False) for _ in range(3)]


def _saved_status(reading: Reading, index: int) -> str:
    """The status after a correction of sentence ``index``, listing every correction held (the page's receipt)."""
    saved = {p.index: p.target for p in reading.pairs if p.edited}
    note = f"Correction saved (sentence {index + 1}); {len(saved)} edited in the downloads."
    return render_status(len(reading.pairs), len(reading.pairs), note=note, saved=saved)


def build_app(pool: ModelPool, *, allow_private_urls: bool = False, downloads: Path | None = None) -> gr.Blocks:
    """The reader's Blocks, wired to ``pool``. Launch it with :func:`launch`."""
    downloads = downloads or Path(tempfile.mkdtemp(prefix="tarjama-reader-"))
    reader = Reader(pool, downloads=downloads, allow_private_urls=allow_private_urls)
    model_events = {"concurrency_id": "model", "show_progress": "hidden"}
    with gr.Blocks(title="tarjama reader", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        gr.HTML(HEADER, js_on_load=None)
        reading = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                text_box = gr.Textbox(
                    label="Arabic text",
                    lines=6,
                    max_lines=14,
                    rtl=True,
                    placeholder="الصق نص المقال هنا — paste an Arabic article here",
                    elem_id="tj-text",
                )
                examples = seed_examples()
                gr.Examples(
                    examples=[[text] for _, text in examples],
                    example_labels=[f"Sample article: {label}" for label, _ in examples],
                    inputs=[text_box],
                    label="Try a sample",
                )
            with gr.Column(scale=2, min_width=260):
                upload = gr.File(
                    label="…or upload .txt, .html or .docx",
                    file_types=list(SUPPORTED_SUFFIXES),
                    type="filepath",
                    height=110,
                    elem_id="tj-upload",
                )
                url_box = gr.Textbox(label="…or an article URL", placeholder="https://", max_lines=1, elem_id="tj-url")
                fetch = gr.Button("Fetch and translate", size="sm")
            with gr.Column(scale=1, min_width=220):
                model = gr.Dropdown(pool.choices(), value=pool.default(), label="Model", elem_id="tj-model")
                translate = gr.Button("Translate", variant="primary", elem_id="tj-translate")
                downloads_row = [
                    gr.DownloadButton(f"⬇ {fmt}", interactive=False, size="sm", elem_id=f"tj-download-{fmt.lower()}")
                    for fmt in ("TSV", "JSONL", "TMX")
                ]
        status = gr.HTML(render_status(0, 0), js_on_load=None, elem_id="tj-status")
        view = gr.HTML(EMPTY_VIEW, js_on_load=asset("reader.js"), elem_id="tj-view", apply_default_css=False)

        outputs = [text_box, status, view, reading, *downloads_row]
        translate.click(
            reader.translate_text,
            [text_box, model],
            outputs,
            api_name="reader_translate",
            api_visibility="undocumented",
            **model_events,
        )
        upload.upload(reader.translate_file, [upload, model], outputs, api_visibility="private", **model_events)
        fetch.click(reader.translate_url, [url_box, model], outputs, api_visibility="private", **model_events)
        url_box.submit(reader.translate_url, [url_box, model], outputs, api_visibility="private", **model_events)
        # Every correction is an event of its own, none dropped while another is in flight ("multiple"),
        # handled one at a time so that each one starts from the state the previous one left.
        view.submit(
            reader.edit,
            [reading],
            [reading, status, *downloads_row],
            api_visibility="private",
            trigger_mode="multiple",
            concurrency_limit=1,
            concurrency_id="corrections",
        )
        gr.api(reader.api_translate, api_name="translate", concurrency_id="model")
    return app


def launch(
    app: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    share: bool = False,
    max_file_size: str = "5mb",
    concurrency: int = 1,
    auth: tuple[str, str] | None = None,
    quiet: bool = False,
    prevent_thread_lock: bool = False,
) -> None:
    """Serve the reader: queued (``concurrency`` translations at a time), loopback by default."""
    app.queue(default_concurrency_limit=concurrency, max_size=64)
    app.launch(
        server_name=host,
        server_port=port,
        share=share,
        max_file_size=max_file_size,
        auth=auth,
        css=asset("reader.css"),
        theme=gr.themes.Soft(),
        show_error=False,
        quiet=quiet,
        prevent_thread_lock=prevent_thread_lock,
        footer_links=["api"],
    )
