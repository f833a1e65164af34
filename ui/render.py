"""Pure rendering: sentences and pairs to HTML for the reader. Everything is escaped.

One row per source sentence: English on the left, Arabic on the right, rows
grouped by paragraph. A row whose translation has not arrived yet shows its
Arabic with a placeholder. Text from the user or the model never becomes
markup: it is escaped, and each cell isolates its own bidirectional text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from itertools import groupby

from translate.types import AlignedPair, Segment

EMPTY_VIEW = (
    '<div class="tj-doc tj-empty"><p>Paste Arabic text, upload a file or give an article URL, '
    "then press <b>Translate</b>. Hover a sentence to see its partner; click an English sentence "
    "to correct it.</p></div>"
)


def render_document(segments: Sequence[Segment], pairs: Mapping[int, AlignedPair], *, editable: bool = False) -> str:
    """The aligned view: every segment as a row, translated where ``pairs`` has it."""
    if not segments:
        return EMPTY_VIEW
    parts = ['<div class="tj-doc" lang="en">']
    for paragraph, rows in groupby(segments, key=lambda s: s.paragraph):
        parts.append(f'<section class="tj-para" data-paragraph="{paragraph}">')
        parts.extend(_row(segment, pairs.get(segment.index), editable) for segment in rows)
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def _row(segment: Segment, pair: AlignedPair | None, editable: bool) -> str:
    index = segment.index
    classes = ["tj-row"]
    if pair is None:
        classes.append("tj-pending")
        english = '<span class="tj-placeholder" aria-label="translating">…</span>'
    else:
        english = escape(pair.target)
        if pair.edited:
            classes.append("tj-edited")
        if pair.flagged:
            classes.append("tj-flagged")
    edit = ' contenteditable="plaintext-only" spellcheck="true" role="textbox"' if editable and pair else ""
    flag = f'<span class="tj-flag" title="{_flag_reason(pair)}">⚠</span>' if pair is not None and pair.flagged else ""
    return (
        f'<div class="{" ".join(classes)}" data-pair="{index}">'
        f'<div class="tj-en" dir="ltr" lang="en" data-pair="{index}"{edit}>{english}</div>{flag}'
        f'<div class="tj-ar" dir="rtl" lang="ar" data-pair="{index}">{escape(segment.text)}</div>'
        "</div>"
    )


def _flag_reason(pair: AlignedPair) -> str:
    if pair.truncated:
        return "The model stopped at its length limit, even on a second try: this translation may be incomplete."
    return "The model repeated itself, even on a second try: check this translation against the Arabic."


def render_status(
    done: int, total: int, *, seconds: float | None = None, note: str = "", saved: Mapping[int, str] | None = None
) -> str:
    """A progress line: ``<progress>`` plus "done / total sentences".

    ``saved`` (sentence index -> corrected English) is every correction the
    server holds, as JSON in ``data-saved``: the page's script compares it with
    the corrections it sent and shows each as saved only once it is there.
    """
    if total == 0:
        return f'<div class="tj-status">{escape(note)}</div>' if note else '<div class="tj-status"></div>'
    timing = f" · {seconds:.1f} s" if seconds is not None else ""
    extra = f" · {escape(note)}" if note else ""
    data = f' data-saved="{escape(json.dumps(saved, ensure_ascii=False))}"' if saved is not None else ""
    return (
        f'<div class="tj-status" role="status"{data}>'
        f'<progress value="{done}" max="{total}"></progress> '
        f'<span class="tj-count">{done} / {total} sentences</span>{timing}{extra}</div>'
    )


def render_error(message: str) -> str:
    """A one-line problem report shown in place of the status."""
    return f'<div class="tj-status tj-error" role="alert">⚠ {escape(message)}</div>'
