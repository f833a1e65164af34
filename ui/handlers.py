"""The reader's event handlers: translate (streaming), correct, revert, stop.

Handlers that translate are generators. The first update shows the whole
article with every row waiting; later updates carry only the English of the
rows that arrived since the one before (``render_patch``), so a long article
costs linear time and bytes, not quadratic; the last patch carries every row,
editable, with the downloads and the document the corrections go to.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from translate import AlignedPair, Segment, TranslateError, segment_text
from translate.files import read_bytes
from translate.formats import document_text, read_document
from translate.local import from_this_machine
from translate.memory import TranslationMemory
from translate.normalize import normalize_for_model
from translate.sources import (
    name_from_text,
    name_from_url,
    require_text,
    safe_name,
    text_from_file,
    text_from_html,
    text_from_url,
)
from translate.types import Check
from ui.downloads import DOWNLOAD_BUTTONS, WRITTEN_BACK, Downloads
from ui.models import ModelPool
from ui.render import NOT_TRANSLATED, render_document, render_error, render_patch, render_status, untranslated

logger = logging.getLogger("tarjama")

STREAM_INTERVAL = 0.25
"""Seconds between view updates while a translation streams in."""


@dataclass(frozen=True)
class Reading:
    """A translated document in one browser session.

    ``doc`` identifies it to the page's script; ``name`` is the stem of its
    downloads, and ``downloads`` the folder that holds their current version;
    ``document`` the uploaded document (a copy) that a download writes back.
    ``text`` is the text translated; a translation that was stopped holds a
    pair for every sentence still, those not translated carrying the check
    :data:`NOT_TRANSLATED` (:attr:`missing`). ``seq`` is the last patch
    number its streaming used: finishing it numbers its patches on from there.
    """

    name: str
    model: str
    pairs: tuple[AlignedPair, ...]
    doc: str = ""
    downloads: str = ""
    document: str = ""  # an uploaded document (WRITTEN_BACK), kept to be written back in English
    text: str = ""
    seq: int = 0

    @property
    def missing(self) -> tuple[int, ...]:
        """The sentences not translated (the translation was stopped before them)."""
        return tuple(pair.index for pair in self.pairs if untranslated(pair))


@dataclass(frozen=True)
class Progress:
    """How far the translation of document ``doc`` running in one browser session has got."""

    done: int
    total: int
    started: float
    doc: str


def _skip() -> Any:
    return gr.skip()


class Reader:
    """The app's handlers, bound to a model pool and a folder for downloads.

    ``max_text_bytes`` bounds the UTF-8 size of any text translated, however it
    came (pasted, uploaded, fetched, the API). With ``remember_corrections``
    a correction is also stored in the pool's shared translation memory and
    comes back wherever the sentence appears again; without it a correction
    belongs to its document only, and the memory's corrections are not shown
    either, so visitors of a shared reader never see each other's. With
    ``local_only`` (``--remember-corrections auto``) that is decided for each
    request: only one from this machine that no proxy forwarded is remembered.
    """

    def __init__(
        self,
        pool: ModelPool,
        *,
        downloads: Path,
        allow_private_urls: bool = False,
        max_text_bytes: int = 5_000_000,
        remember_corrections: bool = True,
        local_only: bool = False,
    ) -> None:
        self.pool = pool
        self.downloads = downloads
        self.allow_private_urls = allow_private_urls
        self.max_text_bytes = max_text_bytes
        # Where corrections are remembered: the pool's memory, or nowhere.
        self.memory = pool.memory if remember_corrections else None
        self.local_only = local_only
        self._running: dict[str, Progress] = {}
        self._stopping: set[str] = set()  # sessions whose translation is to stop at its next sentence
        self._running_lock = threading.Lock()
        self.files = Downloads(downloads)

    # Translate handlers yield: text box, status, view, patch, reading, and the downloads.
    def translate_text(self, text: str, model: str, request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """Translate pasted text, streaming rows into the view."""
        text = text or ""
        yield from self._stream(text, model, name=name_from_text(text), text_update=_skip(), request=request)

    def translate_or_finish(
        self, text: str, model: str, reading: Reading | None, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Translate, unless ``reading`` is this very text with this model: then translate only its sentences
        that were not (a stopped translation), or, with none left, leave the page as it is.

        Pressing Translate on an article already on screen (picking a sample translates it at once) must not
        render it again under a person who has started correcting it.
        """
        text = text or ""
        if reading is None or reading.text != text or reading.model != model:
            yield from self.translate_text(text, model, request)
        elif not reading.missing:
            saved = {p.index: p.target for p in reading.pairs if p.edited}
            total = len(reading.pairs)
            note = "already translated: nothing to do (click a sentence to correct it)"
            yield _outputs(status=render_status(total, total, note=note, saved=saved, checks=_checked(reading.pairs)))
        else:
            yield from self._stream(
                text,
                model,
                name=reading.name,
                text_update=_skip(),
                request=request,
                document=reading.document,
                resume=reading,
            )

    def translate_file(
        self, path: str | None, model: str, request: gr.Request | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Extract an uploaded file's text, show it in the text box, and translate it."""
        if not path:
            yield self._failure("No file received: upload a .txt, .html or .docx file.")
            return
        name = Path(path).name
        document = ""
        try:
            suffix = Path(name).suffix.lower()
            written_as = WRITTEN_BACK.get(suffix, "").lstrip(".")
            if written_as:
                # Read as the document it will be written back as: its paragraphs (footnotes, headers and all)
                # or its cues joined into sentences, so that every pair has its place in it.
                data = read_bytes(Path(path), name)
                if suffix in (".html", ".htm"):
                    text_from_html(data, source=name)  # a page of menus alone is refused, as from a URL
                text = document_text(read_document(name, data, written_as).blocks)[0]
                document = self.files.keep(name, data)
            else:
                text = text_from_file(path, name)
            text = require_text(text, name)  # "Nothing to translate" would blame no upload
        except TranslateError as exc:
            yield self._failure(str(exc))
            return
        stem = safe_name(Path(name).stem)
        yield from self._stream(text, model, name=stem, text_update=text, request=request, document=document)

    def translate_url(self, url: str, model: str, request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
        """Fetch an article page, show its main text in the text box, and translate it."""
        yield _outputs(status=render_status(0, 0, note=f"Fetching {url.strip()} …"))
        try:
            text = text_from_url(url or "", allow_private=self.allow_private_urls)
        except TranslateError as exc:
            yield self._failure(str(exc))
            return
        yield from self._stream(text, model, name=name_from_url(url), text_update=text, request=request)

    def edit(self, reading: Reading | None, event: gr.EventData, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Store a correction of one English sentence, or revert it; refresh the downloads.

        Returns: reading, status, patch, downloads. A correction applies to every
        occurrence of the sentence in the document; the patch carries them all,
        aligned word by word (the page keeps the text typed, takes the links).
        """
        data = event._data or {}
        try:
            index = int(data.get("index", -1))
        except (TypeError, ValueError):
            index = -1
        if reading is None or not 0 <= index < len(reading.pairs) or untranslated(reading.pairs[index]):
            return _edit_outputs()
        memory = self.memory_for(request)
        if data.get("revert"):
            return self._revert(reading, index, memory)
        text = " ".join(str(data.get("text", "")).split())
        pair = reading.pairs[index]
        if not text or (text == pair.target and not pair.edited):
            return _edit_outputs()
        if text == pair.target:  # sent again (the page retries what it saw no answer to): confirm it again
            status = self._saved_status(reading, f"Correction saved (sentence {index + 1})", memory is not None)
            return _edit_outputs(status=status)
        if memory is not None:
            # Next time this sentence appears, in the reader or the CLI, the correction wins.
            memory.store_human(normalize_for_model(pair.source), text)
        # A person's English is theirs: the checks were of the model's.
        changed, same = _every_occurrence(reading, index, target=text, edited=True, checks=())
        reading, downloads, _ = self._downloads(self._realigned(changed, same))
        others = len(same) - 1
        where = f"sentence {index + 1}" + (f" and {others} more like it" if others else "")
        # Every occurrence, the one typed included: the page gets their new word links.
        rows = [reading.pairs[i] for i in same]
        return _edit_outputs(
            reading=reading,
            status=self._saved_status(reading, f"Correction saved ({where})", memory is not None),
            patch=render_patch(reading.doc, rows, editable=True, nonce=uuid.uuid4().hex[:8]),
            downloads=downloads,
        )

    def _revert(self, reading: Reading, index: int, memory: TranslationMemory | None) -> tuple[Any, ...]:
        pair = reading.pairs[index]
        if memory is not None:
            memory.forget_human(normalize_for_model(pair.source))
        try:
            machine = self.pool.get(reading.model).translate_text(pair.source, use_human=False)
        except TranslateError as exc:
            return _edit_outputs(status=render_error(str(exc)))
        changed, same = _every_occurrence(
            reading,
            index,
            target=" ".join(p.target for p in machine if p.target),
            edited=False,
            truncated=any(p.truncated for p in machine),
            repetitive=any(p.repetitive for p in machine),
            pieces=sum(p.pieces for p in machine),
            checks=machine[0].checks if len(machine) == 1 else (),
        )
        reading, downloads, _ = self._downloads(self._realigned(changed, same))
        return _edit_outputs(
            reading=reading,
            status=self._saved_status(
                reading, f"Sentence {index + 1} reverted to the machine translation", memory is not None
            ),
            patch=render_patch(
                reading.doc, [reading.pairs[i] for i in same], editable=True, nonce=uuid.uuid4().hex[:8]
            ),
            downloads=downloads,
        )

    def _realigned(self, reading: Reading, indices: list[int]) -> Reading:
        """``reading`` with these sentences aligned word by word as their English now stands.

        A correction is aligned by forcing the model through it. Each
        occurrence is aligned on its own: they are equal once normalized, not
        necessarily as written. Left unaligned if the model cannot run.
        """
        pairs = list(reading.pairs)
        try:
            found = self.pool.get(reading.model).align([dataclasses.replace(pairs[i], pieces=1) for i in indices])
        except TranslateError:
            found = [None] * len(indices)
        glossary = self.pool.glossary  # the terms need no model: they are found even if it cannot load
        for i, alignment in zip(indices, found, strict=True):
            terms = glossary.report(pairs[i].source, pairs[i].target)
            pairs[i] = dataclasses.replace(pairs[i], alignment=alignment, terms=terms)
        return dataclasses.replace(reading, pairs=tuple(pairs))

    def stop(self, request: gr.Request | None = None) -> Any:
        """The status after the Stop button: the running translation is asked to stop, and says so itself.

        It stops at its next sentence (the batch the model is running finishes) and ends itself: what was
        translated becomes the reading, editable and in the downloads, the sentences not translated marked
        so there and on the page. Ended by the translation itself, not by cancelling it, so that no update
        of it can arrive after the one that says it stopped.
        """
        session = _session(request)
        with self._running_lock:
            progress = self._running.get(session)
            if progress is not None:
                self._stopping.add(session)
        if progress is None:
            return render_status(0, 0, note="Nothing is being translated.")
        return _skip()  # the translation's own next update says it stopped: nothing of Stop's can arrive after it

    def api_translate(self, text: str, model: str) -> list[dict[str, Any]]:
        """Translate ``text`` and return the aligned pairs (one dict per source sentence).

        Each has its word ``alignment`` (character spans of the words on both
        sides, the links between them, each English word's score) and the
        sentence's ``score``, or ``None`` for both where there is none.
        """
        text = text or ""
        if (problem := self._too_large(text)) is not None:
            raise gr.Error(problem)
        try:
            translator = self.pool.get(model or self.pool.default())
            pairs = translator.translate_text(text, use_human=self.remember_corrections)
        except TranslateError as exc:
            raise gr.Error(str(exc)) from None
        return [{**dataclasses.asdict(p), "score": p.score} for p in pairs]

    @property
    def remember_corrections(self) -> bool:
        """Whether corrections go into the shared translation memory (one person's reader), for some requests
        at least (:meth:`memory_for` says for which)."""
        return self.memory is not None

    def memory_for(self, request: gr.Request | None) -> TranslationMemory | None:
        """The memory a request's corrections go to: None for a visitor's (kept in their page alone).

        With ``local_only``, a request through a proxy (it says so in its headers) or from beyond loopback
        is a visitor's: behind nginx on this machine every visitor connects from loopback. A call with no
        request at all is made in this process, not over HTTP.
        """
        if self.memory is None or not self.local_only or request is None:
            return self.memory
        client = getattr(request, "client", None)
        headers = getattr(request, "headers", None) or {}
        return self.memory if from_this_machine(getattr(client, "host", None), headers.keys()) else None

    def _too_large(self, text: str) -> str | None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size <= self.max_text_bytes:
            return None
        return (
            f"The text is {_megabytes(size)}; the reader translates at most {_megabytes(self.max_text_bytes)} "
            "at a time (--max-text-size). Split it, or translate it with: tarjama translate FILE"
        )

    def _stream(
        self,
        text: str,
        model: str,
        *,
        name: str,
        text_update: Any,
        request: gr.Request | None,
        document: str = "",
        resume: Reading | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        if (problem := self._too_large(text)) is not None:
            yield self._failure(problem)
            return
        if not normalize_for_model(text):
            yield self._failure("Nothing to translate: paste Arabic text, upload a file or give an article URL.")
            return
        started = time.monotonic()
        # Segmenting needs no model: the Arabic rows show at once, also while a model loads for the first time.
        segments = segment_text(text)
        total = len(segments)
        loading = "" if self.pool.loaded(model) else f"Loading {model} (first use only) …"
        known = {} if resume is None else {p.index: p for p in resume.pairs if not untranslated(p)}
        doc = uuid.uuid4().hex[:12] if resume is None else resume.doc
        seq = 0 if resume is None else resume.seq
        if resume is None:
            yield _outputs(
                text=text_update,
                status=render_status(0, total, seconds=0.0, note=loading),
                view=render_document(segments, {}, doc=doc),
                patch="",
                reading=None,
                downloads=self.files.none(),
            )
        else:
            # Finishing a stopped translation: the rows on the page stay, read-only until it ends (the reading
            # they would be corrected in is the one being finished).
            seq += 1
            note = loading or f"translating the {total - len(known)} sentences not translated yet"
            yield _outputs(
                status=render_status(len(known), total, seconds=0.0, note=note),
                patch=render_patch(doc, known.values(), seq=seq),
                reading=None,
            )
        session = _session(request)
        try:
            remembered = self.memory_for(request) is not None  # a visitor sees no one's corrections
            pairs, info = self.pool.get(model).translate(
                text, use_human=remembered, known=known, stop=lambda: session in self._stopping
            )
        except TranslateError as exc:
            ended = render_patch(doc, [], final=True, nonce=uuid.uuid4().hex[:8])
            yield _outputs(status=render_error(str(exc)), patch=ended)
            return
        note = "" if info.has_arabic else "no Arabic letters found; translating anyway"
        done: dict[int, AlignedPair] = dict(known)
        fresh: list[AlignedPair] = []
        template = Reading(name=name, model=model, pairs=(), doc=doc, document=document, text=text)
        with self._running_lock:
            self._stopping.discard(session)
        self._track(session, Progress(len(done), total, started, doc))
        try:
            last = time.monotonic()
            first = True
            for pair in pairs:
                done[pair.index] = pair
                if pair.index not in known:
                    fresh.append(pair)
                if fresh and (first or time.monotonic() - last >= STREAM_INTERVAL):  # the first at once, then batches
                    first, last, seq = False, time.monotonic(), seq + 1
                    self._track(session, Progress(len(done), total, started, doc))
                    status = render_status(
                        len(done), total, seconds=last - started, note=note, checks=_checked(done.values())
                    )
                    yield _outputs(status=status, patch=render_patch(doc, fresh, seq=seq))
                    fresh = []
        finally:
            # Also reached when the browser went away: Gradio closes this generator, and the translation
            # (which runs only while ``pairs`` is iterated) stops with it.
            self._track(session, None)
            with self._running_lock:
                self._stopping.discard(session)
        if len(done) < total:  # Stop: the translator ran no batch after it, and ended with what it had finished
            yield from self._stopped(template, segments, done, seq, started)
            return
        translated = tuple(done[i] for i in range(total))
        reading = dataclasses.replace(template, pairs=translated, seq=seq + 1)
        seconds = time.monotonic() - started
        # The last patch holds every row, now editable: it also mends any patch the page missed. It comes
        # with the reading, so that the server holds the document before the page can send a correction.
        reading, downloads, warnings = self._downloads(reading)
        status = render_status(
            total, total, seconds=seconds, note=note or "done", checks=_checked(reading.pairs), warnings=warnings
        )
        final = render_patch(doc, reading.pairs, editable=True, seq=seq + 1, final=True)
        yield _outputs(status=status, patch=final, reading=reading, downloads=downloads)
        # Gradio ends a streamed run by sending the last value of every output once more, and an API
        # client reads that last update: it has everything but the rows, so that they are not sent twice.
        yield _outputs(status=status, patch="", reading=reading, downloads=downloads)

    def _stopped(
        self, template: Reading, segments: list[Segment], done: dict[int, AlignedPair], seq: int, started: float
    ) -> Iterator[tuple[Any, ...]]:
        """The last updates of a translation stopped with ``done`` translated: they are the reading, editable and
        in the downloads; the others are marked as not translated, on the page and in every download."""
        pairs = tuple(done.get(s.index) or _not_translated(s) for s in segments)
        reading, downloads, warnings = self._downloads(dataclasses.replace(template, pairs=pairs, seq=seq + 1))
        missing = len(segments) - len(done)
        note = (
            f"stopped: {missing} sentences not translated (marked ⚠ not translated, on the page and in the "
            "downloads); press Translate to translate only those"
        )
        status = render_status(
            len(done),
            len(segments),
            seconds=time.monotonic() - started,
            note=note,
            checks=_checked(pairs),
            warnings=warnings,
        )
        ended = render_patch(template.doc, pairs, editable=True, seq=seq + 1, final=True)
        yield _outputs(status=status, patch=ended, reading=reading, downloads=downloads)
        yield _outputs(status=status, patch="", reading=reading, downloads=downloads)  # as a translation ends

    def _track(self, session: str, progress: Progress | None) -> None:
        with self._running_lock:
            if progress is None:
                self._running.pop(session, None)
            else:
                self._running[session] = progress

    def _saved_status(self, reading: Reading, what: str, remembered: bool) -> str:
        """The status after a correction or a revert, listing every correction held (the page's receipt)."""
        saved = {p.index: p.target for p in reading.pairs if p.edited}
        scope = "also remembered for next time" if remembered else "kept in this document only"
        note = f"{what}; {len(saved)} corrected in the downloads, {scope}."
        return render_status(
            len(reading.pairs), len(reading.pairs), note=note, saved=saved, checks=_checked(reading.pairs)
        )

    def _failure(self, message: str) -> tuple[Any, ...]:
        return _outputs(status=render_error(message))

    def _downloads(self, reading: Reading) -> tuple[Reading, list[gr.DownloadButton], list[str]]:
        """Write the downloads afresh (a correction changes them) and drop the reading's previous ones; the
        warnings of writing its document back (said once the translation ends)."""
        folder, buttons, warnings = self.files.write(
            reading.name, reading.pairs, reading.document, previous=reading.downloads
        )
        return dataclasses.replace(reading, downloads=folder), buttons, warnings


def _outputs(
    *,
    text: Any = None,
    status: Any = None,
    view: Any = None,
    patch: Any = None,
    reading: Any = ...,
    downloads: list[Any] | None = None,
) -> tuple[Any, ...]:
    """One update of the translate handlers' outputs; whatever is not given stays as it is."""

    def keep(value: Any) -> Any:
        return _skip() if value is None else value

    return (
        keep(text),
        keep(status),
        keep(view),
        keep(patch),
        _skip() if reading is ... else reading,
        *(downloads or [_skip()] * len(DOWNLOAD_BUTTONS)),
    )


def _edit_outputs(
    *, reading: Any = None, status: Any = None, patch: Any = None, downloads: list[Any] | None = None
) -> tuple[Any, ...]:
    """One answer to a correction: reading, status, patch, downloads; whatever is not given stays as it is."""
    keep = [_skip() if value is None else value for value in (reading, status, patch)]
    return (*keep, *(downloads or [_skip()] * len(DOWNLOAD_BUTTONS)))


def _every_occurrence(reading: Reading, index: int, **changes: Any) -> tuple[Reading, list[int]]:
    """``reading`` with ``changes`` made to sentence ``index`` and every other occurrence of it, and their indices.

    Occurrences are the sentences the model sees as the same: equal once normalized.
    """
    key = normalize_for_model(reading.pairs[index].source)
    same = [p.index for p in reading.pairs if normalize_for_model(p.source) == key]
    pairs = list(reading.pairs)
    for i in same:
        pairs[i] = dataclasses.replace(pairs[i], **changes)
    return dataclasses.replace(reading, pairs=tuple(pairs)), same


def _session(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or ""


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1_000))} kB"


def _checked(pairs: Iterable[AlignedPair]) -> int:
    """How many machine translations show ⚠ (:attr:`AlignedPair.flagged`, as ``render`` marks them): one count
    for the status, the rows and F8, a glossary term that could not be put in included; a sentence a stopped
    translation never reached is counted apart."""
    return sum(1 for pair in pairs if pair.flagged and not untranslated(pair))


def _not_translated(segment: Segment) -> AlignedPair:
    check = Check(NOT_TRANSLATED, "the translation was stopped before this sentence; press Translate to translate it")
    return AlignedPair(segment.index, segment.paragraph, segment.text, "", segment.start, segment.end, checks=(check,))
