"""What the server's routes ask of the model: text, HTML fragments and documents translated, languages told apart.

One :class:`Service` per server process: one backend, loaded once, behind one
:class:`~translate.server.scheduler.Scheduler`, and two translators over it
that share the translation memory and the glossary: one without word
alignment (plain text, as fast as the CLI), one with it (HTML fragments and
documents, whose markup goes onto the aligned English words, and tarjama's
own API). Routes parse and validate; this module translates.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from translate.errors import InputError
from translate.formats import Block, by_block, document_text, written_warnings
from translate.quality import flag_warnings
from translate.segment import segment_text
from translate.server.scheduler import Scheduler, SharedBackend
from translate.translator import Translator
from translate.types import AlignedPair, TranslationOptions

if TYPE_CHECKING:
    from translate.backend import Backend
    from translate.formats import Document
    from translate.glossary import Glossary
    from translate.memory import TranslationMemory

logger = logging.getLogger("tarjama")


@dataclass(frozen=True)
class Detected:
    """A language told apart from the others, as LibreTranslate reports it: its code and a confidence of 0–100."""

    language: str
    confidence: float


def detect(text: str) -> Detected:
    """Arabic or not, with the share of the text's letters that say so.

    tarjama knows Arabic and English only: text mostly in Arabic letters is
    ``ar`` (confidence: the Arabic letters' share of all letters); anything
    else is ``en``, the one other language it serves (confidence: the Latin
    letters' share), so that clients leave it untranslated.
    """
    arabic = latin = letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        if name.startswith("ARABIC"):
            arabic += 1
        elif name.startswith("LATIN"):
            latin += 1
    if not letters:
        return Detected("en", 0.0)
    if arabic >= latin and arabic:
        return Detected("ar", round(100 * arabic / letters, 1))
    return Detected("en", round(100 * latin / letters, 1))


class Service:
    """The model behind the server, with the memory and the glossary applied as in the CLI."""

    def __init__(
        self,
        backend: Backend,
        options: TranslationOptions,
        *,
        memory: TranslationMemory | None = None,
        glossary: Glossary | None = None,
        max_queued: int = 4096,
        max_batch: int | None = None,
        shared_batches: bool = True,
    ) -> None:
        self.scheduler = Scheduler(backend, max_queued=max_queued, max_batch=max_batch, shared=shared_batches)
        shared = SharedBackend(backend, self.scheduler)
        self.plain = Translator(
            backend=shared, options=dataclasses.replace(options, alignments=False), memory=memory, glossary=glossary
        )
        self.aligned = Translator(
            backend=shared, options=dataclasses.replace(options, alignments=True), memory=memory, glossary=glossary
        )
        self.model = backend.model.model_id

    def close(self) -> None:
        """Finish the queued work and stop the scheduler's thread."""
        self.scheduler.stop()

    @staticmethod
    def count(text: str) -> int:
        """How many sentences ``text`` is translated as (what a request is admitted by)."""
        return len(segment_text(text))

    def translate_texts(self, texts: Sequence[str], alternatives: int = 0) -> list[tuple[str, list[str]]]:
        """Each text in English, laid out as it was (each sentence replaced where it stood, blanks and lines
        kept), with up to ``alternatives`` other translations of it. The texts are translated in one pass, their
        sentences sharing batches."""
        joined, starts = _joined(texts)
        # Each text is a block of its own: by_block gives each its pairs, and checks none is lost or repeated.
        grouped = by_block(self.plain.translate_text(joined), starts, [Block(text, ()) for text in texts])
        results = []
        for text, pairs in zip(texts, grouped, strict=True):
            translation = _laid_out(text, pairs)
            results.append((translation, self._alternatives(text, pairs, translation, alternatives)))
        return results

    def pairs(self, text: str) -> Iterator[AlignedPair]:
        """The aligned pairs of ``text``, lazily (the model runs as they are iterated)."""
        pairs, _ = self.aligned.translate(text, first_rows_early=False)
        return pairs

    def translate_html(self, fragments: Sequence[str]) -> list[str]:
        """HTML fragments in English, in one pass: their tags kept, inline ones around the English words aligned
        to theirs, text outside any block element translated as a paragraph of its own."""
        import lxml.html

        from translate.formats.html import Page
        from translate.formats.marks import carry

        roots = [
            lxml.html.fragment_fromstring(
                f"<p>{fragment}</p>" if "<" not in fragment else fragment, create_parent="div"
            )
            for fragment in fragments
        ]
        pages = [Page(root) for root in roots]
        blocks = [block for page in pages for block in page.blocks]
        if blocks:
            text, starts = document_text(blocks)
            sentences = by_block(self.aligned.translate_text(text), starts, blocks)
            at = 0
            for page in pages:
                count = len(page.blocks)
                english = [carry(b, found) for b, found in zip(page.blocks, sentences[at : at + count], strict=True)]
                page.write(english)
                at += count
        results = []
        for fragment, root, page in zip(fragments, roots, pages, strict=True):
            if not page.blocks:
                results.append(fragment)  # nothing in Arabic: as it came
                continue
            if "<" not in fragment:  # plain text sent as html: the paragraph put around it comes off again
                root = root[0]
            results.append((root.text or "") + "".join(lxml.html.tostring(c, encoding="unicode") for c in root))
        return results

    def _alternatives(self, text: str, pairs: list[AlignedPair], translation: str, count: int) -> list[str]:
        """Other translations of ``text``: the k-th takes each sentence's k-th other choice at its first word."""
        if count <= 0:
            return []
        others: list[list[str]] = []
        for pair in pairs:
            try:
                # A sentence given back as it came (no Arabic) has no other translation: the model never sees it.
                wanted = pair.target.strip() and not pair.copied
                found = self.plain.alternatives(pair.source, pair.target, 0, count) if wanted else []
            except InputError:  # a sentence translated in parts has none
                found = []
            others.append([a.text for a in found])
        results: list[str] = []
        for k in range(count):
            chosen = [
                dataclasses.replace(pair, target=found[k]) if k < len(found) else pair
                for pair, found in zip(pairs, others, strict=True)
            ]
            candidate = _laid_out(text, chosen)
            if candidate != translation and candidate not in results:
                results.append(candidate)
        return results

    def translate_document(self, document: Document, *, bilingual: bool = False) -> WrittenDocument:
        """``document`` in English (with ``bilingual``, its Arabic kept before each English paragraph), its
        sentence count and what the CLI would warn about it; :class:`InputError` if it has nothing to translate."""
        blocks = document.blocks
        if not blocks:
            raise InputError(f"{document.name}: no text to translate")
        text, starts = document_text(blocks)
        try:
            sentences = by_block(self.aligned.translate_text(text), starts, blocks)
        except ValueError as exc:
            raise InputError(f"{document.name}: {exc}; nothing written") from None
        data = document.render(sentences, bilingual=bilingual)
        flagged = [pair for found in sentences for pair in found if pair.flagged]
        warnings = [*flag_warnings(document.name, flagged, hint=""), *written_warnings(document)]
        return WrittenDocument(data, sum(len(found) for found in sentences), tuple(warnings))


@dataclass(frozen=True)
class WrittenDocument:
    """A document translated by the server: the file, its sentence count, and the warnings the CLI would print
    for it (its checks' summary, then what writing it back could not keep), a line each."""

    data: bytes
    sentences: int
    warnings: tuple[str, ...]


_BLANKS = re.compile(r"\s+")


def _joined(texts: Sequence[str]) -> tuple[str, list[int]]:
    """The texts as one, a line apart (a sentence never crosses a line), and where each starts."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return "\n".join(texts), starts


def _laid_out(text: str, pairs: Sequence[AlignedPair]) -> str:
    """``text`` with each pair's source replaced by its English where it stands (what lies between is kept)."""
    parts: list[str] = []
    at = 0
    for pair in pairs:
        start = pair.start if pair.start is not None else text.find(pair.source, at)
        if start < at:  # no offsets and not found: the English follows what came before
            start = at
        parts.append(text[at:start])
        parts.append(pair.target if pair.copied else _BLANKS.sub(" ", pair.target).strip())  # copied: byte for byte
        at = start + len(pair.source)
    parts.append(text[at:])
    return "".join(parts)
