"""The bilingual reader: a Gradio app that shows an Arabic article and its English side by side.

``build_app(pool)`` returns the ``gr.Blocks``; ``launch(app, ...)`` serves it.
Handlers that translate are generators: the Arabic appears at once, and the
English fills in row by row as batches finish.
"""

from __future__ import annotations

import tempfile
from html import escape
from importlib import resources
from pathlib import Path
from typing import Literal, TypedDict

import gradio as gr

from translate.sources import SUPPORTED_SUFFIXES
from ui.downloads import DOWNLOAD_FORMATS
from ui.handlers import Reader, Reading
from ui.models import ModelPool
from ui.render import EMPTY_VIEW, render_status
from ui.steering import GLOSSARY_LABEL, SteeringHandlers

__all__ = ["Reader", "Reading", "build_app", "launch"]


class QueueOptions(TypedDict, total=False):
    """How an event listener queues, typed as Gradio's listeners take it (shared by several listeners)."""

    concurrency_id: str
    concurrency_limit: int | Literal["default"] | None
    show_progress: Literal["full", "minimal", "hidden"]


class EventOptions(QueueOptions, total=False):
    """:class:`QueueOptions` and whether the listener is part of the API."""

    api_visibility: Literal["public", "private", "undocumented"]


def reader_theme() -> gr.themes.Base:
    """Gradio's Soft theme with the system's own fonts (nothing fetched from a font service), its text at 4.5:1.

    Soft writes labels and the primary button in indigo 500 and quiet text in grey 400: 3.6:1 for a label
    on its tint, 4.46:1 for white on the button, 2.4:1 for "Use via API" (axe-core, WCAG AA asks 4.5:1).
    One shade or two darker, they pass; the dark theme already did, but for the button's hover.
    """
    return gr.themes.Soft(
        font=["system-ui", "-apple-system", "Segoe UI", "Noto Sans", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    ).set(
        block_label_text_color="*primary_700",
        block_title_text_color="*primary_700",
        body_text_color_subdued="*neutral_600",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_background_fill_hover_dark="*primary_700",
    )


GLOSSARY_JS = (
    # The ✕ of a glossary term asks the server to remove it; "Use X everywhere" on a name, to spell it X.
    'element.addEventListener("click", (event) => { const button = event.target.closest(".tj-term-remove"); '
    'if (button) trigger("submit", { remove: button.dataset.arabic }); '
    'const use = event.target.closest(".tj-name-use"); '
    'if (use) trigger("submit", { use: use.dataset.arabic, english: use.dataset.english }); });'
)

PATCH_JS = (
    # Every value the server sends, in order, as an event for the view's script; the watch callback
    # runs once per update of the component's value.
    'watch("value", () => { if (props.value) document.dispatchEvent('
    'new CustomEvent("tj-patch", { detail: props.value })); });'
)

HEADER = (
    '<div class="tj-header"><h1 style="margin-bottom:0.2em">tarjama '
    '<span lang="ar" dir="rtl" style="font-weight:400">ترجمة</span></h1>'
    '<p style="margin-top:0">Arabic → English, sentence by sentence. Hover a sentence or a word to see its '
    "partner; click an English word for the model's alternatives, or type to correct the sentence; select Arabic "
    "words to add them to the glossary; download the aligned pairs.</p></div>"
)


def asset(name: str) -> str:
    """The text of a file in ``ui/static``."""
    return (resources.files("ui") / "static" / name).read_text(encoding="utf-8")


def seed_examples() -> list[tuple[str, str]]:
    """(label, text) for every sample article shipped in ``seeds/``."""
    seeds = resources.files("ui").joinpath("seeds")
    files = sorted((f for f in seeds.iterdir() if f.name.endswith(".txt")), key=lambda f: f.name)
    return [(f.name.removesuffix(".txt"), f.read_text(encoding="utf-8")) for f in files]


def scope_note(reader: Reader, request: gr.Request | None = None) -> str:
    """What happens to a correction made by ``request``, said where people make them."""
    if reader.memory_for(request) is not None:
        return (
            "Corrections apply to every occurrence of the sentence in the article, and are remembered in the "
            "translation memory for next time (see them with <code>tarjama cache corrections</code>); "
            "↺ reverts one to the machine translation."
        )
    return (
        "Corrections apply to every occurrence of the sentence in this article and stay in this browser "
        "session: they are not remembered for other visitors or later translations. ↺ reverts one."
    )


def glossary_help(steering: SteeringHandlers) -> str:
    """What the glossary does, said where people edit it."""
    if not steering.glossary_editable:
        return (
            "The glossary is read-only in this reader (its corrections are not remembered either); "
            "edit it with <code>tarjama reader</code> on your own machine or pass <code>--glossary FILE</code>."
        )
    where = escape(str(steering.reader.pool.glossary_path))
    return (
        "Every translation, here and in <code>tarjama translate</code>, puts the term's English where the model "
        "translated the Arabic term (also with و ف ب ل ال attached); a sentence where it cannot is marked ⚠. "
        f"Saved in <code>{where}</code>."
    )


def build_app(
    pool: ModelPool,
    *,
    allow_private_urls: bool = False,
    downloads: Path | None = None,
    max_text_bytes: int = 5_000_000,
    remember_corrections: bool = True,
    local_only: bool = False,
) -> gr.Blocks:
    """The reader's Blocks, wired to ``pool``. Launch it with :func:`launch`.

    ``remember_corrections``: store corrections in the pool's shared memory
    (one person's reader); off, each correction stays in its own session.
    ``local_only``: only those of requests from this machine through no proxy.
    """
    downloads = downloads or Path(tempfile.mkdtemp(prefix="tarjama-reader-"))
    reader = Reader(
        pool,
        downloads=downloads,
        allow_private_urls=allow_private_urls,
        max_text_bytes=max_text_bytes,
        remember_corrections=remember_corrections,
        local_only=local_only,
    )
    steering = SteeringHandlers(reader)
    # Everything that runs the model shares one queue ("model"); what rewrites a reading, another.
    model_events: QueueOptions = {"concurrency_id": "model", "show_progress": "hidden"}
    with gr.Blocks(title="tarjama reader", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        gr.HTML(HEADER, js_on_load=None)
        reading = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, elem_id="tj-source-text"):
                text_box = gr.Textbox(
                    label="Arabic text",
                    lines=6,
                    max_lines=14,
                    rtl=True,
                    placeholder="الصق نص المقال هنا — paste an Arabic article here",
                    elem_id="tj-text",
                )
                examples = seed_examples()
                samples = gr.Examples(
                    examples=[[text] for _, text in examples],
                    example_labels=[f"Sample article: {label}" for label, _ in examples],
                    inputs=[text_box],
                    label="Try a sample",
                )
            with gr.Column(scale=2, min_width=260, elem_id="tj-source-more"):
                upload = gr.File(
                    label="…or upload .txt, .html, .docx, .md, .srt, .vtt, .pdf, .epub or a scan (.png, .jpg, .tif…)",
                    file_types=list(SUPPORTED_SUFFIXES),
                    type="filepath",
                    height=128,
                    elem_id="tj-upload",
                )
                url_box = gr.Textbox(label="…or an article URL", placeholder="https://", max_lines=1, elem_id="tj-url")
                fetch = gr.Button("Fetch and translate", size="sm")
            with gr.Column(scale=1, min_width=220, elem_id="tj-controls"):
                model = gr.Dropdown(pool.choices(), value=pool.default(), label="Model", elem_id="tj-model")
                with gr.Row():
                    translate = gr.Button("Translate", variant="primary", elem_id="tj-translate", min_width=120)
                    stop = gr.Button("Stop", variant="stop", elem_id="tj-stop", min_width=70)
                downloads_row = [
                    gr.DownloadButton(f"⬇ {fmt.upper()}", interactive=False, size="sm", elem_id=f"tj-download-{fmt}")
                    for fmt in DOWNLOAD_FORMATS
                ]
                # An uploaded document comes back in its own format, in English and bilingual: shown once there is one.
                downloads_row.append(
                    gr.DownloadButton("⬇ English document", visible=False, size="sm", elem_id="tj-download-document")
                )
                downloads_row.append(
                    gr.DownloadButton("⬇ Bilingual document", visible=False, size="sm", elem_id="tj-download-bilingual")
                )
                # Every sentence with a ⚠ and why, as `tarjama translate --review` lists them: shown once there is one.
                checks = gr.DownloadButton("⬇ Checks", visible=False, size="sm", elem_id="tj-download-checks")
                downloads_row.append(checks)
        status = gr.HTML(render_status(0, 0), js_on_load=None, elem_id="tj-status")
        # Rows that changed while a translation streams in; the view's script moves them into the view.
        patch = gr.HTML(
            "",
            html_template="",
            js_on_load=PATCH_JS,
            elem_id="tj-patch",
            apply_default_css=False,
            container=False,
        )
        # data-glossary tells the view's script whether to offer "Add to glossary" on a selection.
        editable = "editable" if steering.glossary_editable else "read-only"
        scope = gr.HTML(
            f'<p class="tj-scope" data-glossary="{editable}">{scope_note(reader)}</p>',
            js_on_load=None,
            elem_id="tj-scope",
        )
        with gr.Accordion(GLOSSARY_LABEL, open=False, elem_id="tj-glossary-panel") as glossary_panel:
            terms = gr.HTML(steering.glossary_view(), js_on_load=GLOSSARY_JS, elem_id="tj-glossary")
            with gr.Row(visible=steering.glossary_editable, equal_height=False):
                term_ar = gr.Textbox(
                    label="Arabic term (or select words in the article)",
                    rtl=True,
                    max_lines=1,
                    elem_id="tj-term-ar",
                    scale=2,
                )
                term_en = gr.Textbox(label="English", max_lines=1, elem_id="tj-term-en", scale=2)
                add_term = gr.Button("Add term", size="sm", elem_id="tj-term-add", scale=1)
            glossary_note = gr.HTML(
                f'<p class="tj-glossary-note">{glossary_help(steering)}</p>',
                js_on_load=None,
                elem_id="tj-glossary-note",
            )
        view = gr.HTML(EMPTY_VIEW, js_on_load=asset("reader.js"), elem_id="tj-view", apply_default_css=False)

        outputs = [text_box, status, view, patch, reading, *downloads_row]
        private: EventOptions = {**model_events, "api_visibility": "private"}
        translate.click(
            reader.translate_or_finish,
            [text_box, model, reading],
            outputs,
            api_name="reader_translate",
            api_visibility="undocumented",
            **model_events,
        )
        upload.upload(reader.translate_file, [upload, model], outputs, **private)
        fetch.click(reader.translate_url, [url_box, model], outputs, **private)
        url_box.submit(reader.translate_url, [url_box, model], outputs, **private)
        # A sample translates as soon as it is picked (on a phone, Translate is a long way down).
        samples.load_input_event.then(reader.translate_or_finish, [text_box, model, reading], outputs, **private)
        # Stop asks the running translation to end itself (it then sends what it translated); not a cancel,
        # which would drop that, and could let an update of it arrive after Stop's.
        stop.click(reader.stop, None, [status], api_visibility="private", queue=False)
        # Every correction is an event of its own, none dropped while another is in flight ("multiple"),
        # handled one at a time so that each one starts from the state the previous one left.
        view.submit(
            reader.edit,
            [reading],
            [reading, status, patch, *downloads_row],
            api_visibility="private",
            trigger_mode="multiple",
            concurrency_limit=1,
            concurrency_id="corrections",
        )
        # A click on an English word asks for the model's alternatives there; the menu comes back as a patch.
        view.option_select(
            steering.alternatives,
            [reading],
            [patch],
            api_name="word_alternatives",  # "alternatives" is the public API's name
            api_visibility="private",
            trigger_mode="always_last",
            **model_events,
        )
        # Glossary changes rewrite the reading like corrections do: one at a time, in the same queue.
        glossary_outputs = [terms, term_ar, term_en, glossary_note, reading, patch, *downloads_row]
        glossary_events: EventOptions = {
            "api_visibility": "private",
            "concurrency_limit": 1,
            "concurrency_id": "corrections",
            "show_progress": "hidden",
        }
        add_term.click(steering.add_term, [term_ar, term_en, reading], glossary_outputs, **glossary_events)
        term_en.submit(steering.add_term, [term_ar, term_en, reading], glossary_outputs, **glossary_events)
        terms.submit(steering.glossary_action, [reading], glossary_outputs, trigger_mode="multiple", **glossary_events)
        # Whatever changed the article (a translation, a correction, a term), the panel lists its names
        # spelled more than one way, and its label says how many.
        reading.change(steering.names_view, [reading], [terms, glossary_panel], api_visibility="private", queue=False)
        app.load(steering.glossary_view, None, terms, api_visibility="private", queue=False)
        if local_only:  # what a correction does depends on who opened the page: a visitor through a proxy is told

            def page_scope(request: gr.Request) -> str:
                shown = "editable" if steering.editable_for(request) else "read-only"
                return f'<p class="tj-scope" data-glossary="{shown}">{scope_note(reader, request)}</p>'

            app.load(page_scope, None, scope, api_visibility="private", queue=False)
        gr.api(reader.api_translate, api_name="translate", concurrency_id="model")
        gr.api(steering.api_alternatives, api_name="alternatives", concurrency_id="model")
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
        theme=reader_theme(),
        show_error=False,
        quiet=quiet,
        prevent_thread_lock=prevent_thread_lock,
        footer_links=["api"],
    )
