"""The reader's steering handlers: the model's alternatives at a word, and the glossary.

Kept apart from the reading handlers (``ui.handlers``), on the same :class:`Reader`.
"""

from __future__ import annotations

import dataclasses
import unicodedata
import uuid
from typing import Any

import gradio as gr

from translate import TranslateError
from translate.checks import name_spellings
from translate.normalize import contains_arabic
from translate.translator import missing_in
from translate.types import GlossaryTerm, NameSpelling
from ui.downloads import DOWNLOAD_BUTTONS
from ui.handlers import Reader, Reading
from ui.render import message_html, render_alternatives, render_glossary, render_patch

ALTERNATIVES = 5
"""Choices in the alternatives menu."""
MAX_TERM_CHARS = 200
"""The longest Arabic or English of a glossary term typed in the reader."""
GLOSSARY_LABEL = "Glossary: names and terms that must always be translated one way"


class SteeringHandlers:
    """Alternatives and glossary handlers for the page of ``reader``."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def alternatives(self, reading: Reading | None, event: gr.EventData) -> Any:
        """The menu of other translations from the English word a person clicked: a patch for the page's script."""
        data = event._data or {}
        index, word = _integer(data.get("index")), _integer(data.get("word"))
        if reading is None or not 0 <= index < len(reading.pairs):
            return gr.skip()
        pair = reading.pairs[index]
        nonce = uuid.uuid4().hex[:8]
        try:
            found = self.reader.pool.get(reading.model).alternatives(pair.source, pair.target, word, ALTERNATIVES)
        except TranslateError as exc:
            return render_alternatives(reading.doc, index, word, [], error=str(exc), nonce=nonce)
        error = "" if found else "The model has no other choice here."
        return render_alternatives(reading.doc, index, word, found, error=error, nonce=nonce)

    def api_alternatives(self, text: str, translation: str, word: int, model: str) -> list[dict[str, Any]]:
        """Other translations of the Arabic sentence ``text`` that keep ``translation`` up to its word ``word``.

        Words are whitespace tokens counted from 0. Each has ``text`` (the
        whole sentence), ``start`` (where it departs from ``translation``) and
        ``word`` (the model's other choice there), most likely first.
        """
        if (problem := self.reader._too_large(text or "")) is not None:
            raise gr.Error(problem)
        try:
            translator = self.reader.pool.get(model or self.reader.pool.default())
            found = translator.alternatives(text or "", translation or "", int(word), ALTERNATIVES)
        except TranslateError as exc:
            raise gr.Error(str(exc)) from None
        return [dataclasses.asdict(a) for a in found]

    @property
    def glossary_editable(self) -> bool:
        """Whether people may change the glossary here: only where corrections are remembered (one person's
        reader), for some requests at least (:meth:`editable_for` says for which)."""
        return self.reader.remember_corrections and self.reader.pool.glossary_path is not None

    def editable_for(self, request: gr.Request | None) -> bool:
        """Whether this request may change the glossary: where its corrections would be remembered."""
        return self.glossary_editable and self.reader.memory_for(request) is not None

    def glossary_view(self, reading: Reading | None = None, request: gr.Request | None = None) -> str:
        """The glossary's terms (with ✕ where ``request`` may change them), and the names the article on screen
        spells more than one way."""
        spellings = _spellings(reading)
        editable = self.editable_for(request)
        return render_glossary(self.reader.pool.glossary.terms, editable=editable, spellings=spellings)

    def names_view(self, reading: Reading | None, request: gr.Request | None = None) -> tuple[str, Any]:
        """The glossary panel for ``reading`` (its table, and a label that says how many names need a look)."""
        spellings = _spellings(reading)
        label = GLOSSARY_LABEL
        if spellings:
            label += f" · {len(spellings)} name(s) spelled two ways in this article"
        return self.glossary_view(reading, request), gr.Accordion(label=label)

    def glossary_action(
        self, reading: Reading | None, event: gr.EventData, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """A button of the glossary table: ✕ on a term, or "use X everywhere" on a name spelled two ways."""
        data = event._data or {}
        if "use" in data:
            return self.use_spelling(reading, str(data.get("use", "")), str(data.get("english", "")), request)
        return self.remove_term(reading, event, request)

    def add_term(
        self, arabic: str, english: str, reading: Reading | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Add a glossary term and apply it to the article on screen.

        Returns: glossary table, Arabic box, English box, note, reading, patch, downloads.
        """
        arabic, english = _trim(" ".join((arabic or "").split())), " ".join((english or "").split())
        problem = _term_problem(arabic, english) if self.editable_for(request) else "The glossary is read-only here."
        if problem:
            return _glossary_outputs(note=f"⚠ {problem}")
        self.reader.pool.add_term(GlossaryTerm(arabic, english))
        return self._glossary_changed(reading, f"Added {arabic} → {english}", clear=True)

    def remove_term(
        self, reading: Reading | None, event: gr.EventData, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Remove the glossary term the person pressed ✕ on, and translate its sentences without it."""
        arabic = str((event._data or {}).get("remove", ""))
        if not self.editable_for(request) or not arabic:
            return _glossary_outputs()
        self.reader.pool.remove_term(arabic)
        return self._glossary_changed(reading, f"Removed {arabic}", clear=False)

    def use_spelling(
        self, reading: Reading | None, arabic: str, english: str, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Spell the name ``arabic`` as ``english`` in every sentence of the article: one of its own spellings.

        The spelling becomes a glossary term (where the glossary may be changed;
        elsewhere, for this article only), and the sentences that lack it are
        translated again with it, steered and checked like any term; a sentence
        where it cannot be put stays as it was, marked ⚠.
        """
        spelling = _spelling(reading, arabic, english)
        if reading is None or spelling is None:
            return _glossary_outputs(
                table=self.glossary_view(reading, request),
                note=f"⚠ This article no longer spells {arabic} more than one way.",
            )
        term = GlossaryTerm(spelling.arabic, english)
        pool = self.reader.pool
        editable = self.editable_for(request)
        glossary = pool.add_term(term) if editable else pool.glossary.with_term(term)
        try:
            revised = pool.get(reading.model).revise(reading.pairs, glossary)
        except TranslateError as exc:
            return _glossary_outputs(table=self.glossary_view(reading, request), note=f"⚠ {exc}")
        # Sentences that had the spelling already now say that they carry the term.
        revised = [
            dataclasses.replace(p, terms=glossary.report(p.source, p.target)) if glossary.find(p.source) else p
            for p in revised
        ]
        changed = [i for i, (old, new) in enumerate(zip(reading.pairs, revised, strict=True)) if old != new]
        rewritten = sum(1 for i in changed if reading.pairs[i].target != revised[i].target)
        failed = sum(1 for i in changed if missing_in(glossary, revised[i]))
        reading, downloads, _ = self.reader._downloads(dataclasses.replace(reading, pairs=tuple(revised)))
        note = f"Using {english} for {spelling.arabic} everywhere: {rewritten} sentence(s) changed"
        note += f", {failed} could not be (marked ⚠)" if failed else ""
        note += "" if editable else " in this article only (the glossary is read-only here)"
        patch = render_patch(
            reading.doc, [reading.pairs[i] for i in changed], editable=True, nonce=uuid.uuid4().hex[:8]
        )
        return _glossary_outputs(
            table=self.glossary_view(reading, request),
            note=note + ".",
            reading=reading,
            patch=patch,
            downloads=downloads,
        )

    def _glossary_changed(self, reading: Reading | None, what: str, *, clear: bool) -> tuple[Any, ...]:
        table = self.glossary_view(reading)
        boxes = ("", "") if clear else (None, None)
        if reading is None:
            return _glossary_outputs(table=table, boxes=boxes, note=f"{what}; it applies to the next translation.")
        try:
            reading, changed = self._reapply_glossary(reading)
        except TranslateError as exc:
            return _glossary_outputs(table=table, boxes=boxes, note=f"{what}; ⚠ {exc}")
        if not changed:
            note = f"{what}; no sentence of this article has it."
            return _glossary_outputs(table=table, boxes=boxes, note=note, reading=reading)
        reading, downloads, _ = self.reader._downloads(reading)
        table = self.glossary_view(reading)
        patch = render_patch(
            reading.doc, [reading.pairs[i] for i in changed], editable=True, nonce=uuid.uuid4().hex[:8]
        )
        note = f"{what}; {len(changed)} sentence(s) of this article translated again."
        return _glossary_outputs(table=table, boxes=boxes, note=note, reading=reading, patch=patch, downloads=downloads)

    def _reapply_glossary(self, reading: Reading) -> tuple[Reading, list[int]]:
        """``reading`` with every sentence the glossary touches now or touched before translated again.

        A person's correction is kept as it is; only its term report changes.
        """
        translator = self.reader.pool.get(reading.model)
        glossary = self.reader.pool.glossary
        pairs = list(reading.pairs)
        changed = []
        for i, pair in enumerate(pairs):
            if not (pair.terms or glossary.find(pair.source)):
                continue
            changed.append(i)
            if pair.edited:
                pairs[i] = dataclasses.replace(pair, terms=translator.terms(pair.source, pair.target))
                continue
            again = translator.translate_text(pair.source, use_human=self.reader.remember_corrections)
            target = " ".join(p.target for p in again if p.target)
            pairs[i] = dataclasses.replace(
                pair,
                target=target,
                truncated=any(p.truncated for p in again),
                repetitive=any(p.repetitive for p in again),
                pieces=sum(p.pieces for p in again),
                alignment=again[0].alignment if len(again) == 1 else None,
                checks=again[0].checks if len(again) == 1 else (),
                terms=translator.terms(pair.source, target),
            )
        return dataclasses.replace(reading, pairs=tuple(pairs)), changed


def _glossary_outputs(
    *,
    table: Any = None,
    boxes: tuple[Any, Any] = (None, None),
    note: Any = None,
    reading: Any = None,
    patch: Any = None,
    downloads: list[Any] | None = None,
) -> tuple[Any, ...]:
    """One answer to a glossary change: table, Arabic box, English box, note, reading, patch, downloads."""
    shown = f'<p class="tj-glossary-note" role="status">{message_html(note)}</p>' if note is not None else None
    keep = [gr.skip() if value is None else value for value in (table, *boxes, shown, reading, patch)]
    return (*keep, *(downloads or [gr.skip()] * len(DOWNLOAD_BUTTONS)))


def _spellings(reading: Reading | None) -> list[NameSpelling]:
    return name_spellings(reading.pairs) if reading is not None else []


def _spelling(reading: Reading | None, arabic: str, english: str) -> NameSpelling | None:
    """The name ``arabic`` of ``reading`` if the article spells it ``english`` among other ways, else None."""
    for spelling in _spellings(reading):
        if spelling.arabic == arabic and english in dict(spelling.spellings):
            return spelling
    return None


def _trim(selected: str) -> str:
    """A term selected in the article without the punctuation at its edges: a name at the end of a sentence
    is selected with its full stop, in quotes or brackets, and none of that is the name."""
    edges = [unicodedata.category(ch)[0] in "PSZ" for ch in selected]
    first = edges.index(False) if False in edges else len(selected)
    last = len(edges) - edges[::-1].index(False) if False in edges else first
    return selected[first:last]


def _term_problem(arabic: str, english: str) -> str:
    if not arabic or not english:
        return "Give both the Arabic term (select it in the article) and its English."
    if not contains_arabic(arabic):
        return "The Arabic term has no Arabic letters."
    if len(arabic) > MAX_TERM_CHARS or len(english) > MAX_TERM_CHARS:
        return f"A term is at most {MAX_TERM_CHARS} characters on each side."
    return ""


def _integer(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
